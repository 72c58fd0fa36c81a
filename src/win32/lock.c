/*
 * Sleeping on a shared word on Windows: there is no cross-process futex
 * (WaitOnAddress is per process), so each lock names a kernel semaphore,
 * "Local\sct.wake.<key>", after the random key stored in its shared state
 * (in Global\ for locks named there, so other sessions find it too).
 * A waiter re-checks the word, then waits on the semaphore; a release
 * posts it. A post that finds nobody waiting leaves a count behind, which
 * only costs the next waiter a spurious wake-up (it re-checks the word).
 * Handles are opened once per process and kept in a small table.
 */
#include "../base/atomics.h"
#include "../base/internal.h"
#include "identity.h"
#include "wake.h"

#include <stdio.h>
#include <windows.h>

#define SLOTS 1024

static struct {
  uint32_t key;
  HANDLE sem;
} table[SLOTS];
static sct__mutex_t table_mutex = SCT__MUTEX_INIT;

uint32_t sct__wake_key(void) {
  static LONG counter;
  /* Unique enough: time, process and a counter, mixed. */
  uint32_t x = (uint32_t)GetTickCount64() ^ (GetCurrentProcessId() << 16) ^
               (uint32_t)InterlockedIncrement(&counter) * 2654435761u;
  x &= ~SCT__WAKE_GLOBAL;
  return x ? x : 1;
}

/* The semaphore of @p key (process-local mutexes have key 0 and use the
 * word's address instead), or NULL. */
HANDLE sct__win32_wake_semaphore(uint32_t key, const void *word) {
  uint64_t name_key = key ? key : (uint64_t)(uintptr_t)word;
  uint32_t slot_key = key ? key : (uint32_t)((uintptr_t)word >> 3) | 1u;
  HANDLE sem = NULL;
  /* The table lock itself has key 0 and never sleeps on a semaphore
   * here: it is only held for a lookup. */
  if ((const char *)word >= (const char *)&table_mutex &&
      (const char *)word < (const char *)(&table_mutex + 1))
    return NULL;
  sct__mutex_lock(&table_mutex);
  size_t i = slot_key % SLOTS;
  for (size_t n = 0; n < SLOTS && table[i].sem; n++, i = (i + 1) % SLOTS)
    if (table[i].key == slot_key) {
      sem = table[i].sem;
      break;
    }
  if (!sem) {
    wchar_t name[64];
    if (key)
      swprintf(name, 64, L"%ls\\sct.wake.%08x",
               key & SCT__WAKE_GLOBAL ? L"Global" : L"Local",
               key & ~SCT__WAKE_GLOBAL);
    else
      swprintf(name, 64, L"Local\\sct.wake.%lu.%llx", GetCurrentProcessId(),
               (unsigned long long)name_key);
    sem = CreateSemaphoreW(NULL, 0, 0x7fffffff, name);
    if (sem && !table[i].sem) {
      table[i].key = slot_key;
      table[i].sem = sem;
    }
  }
  sct__mutex_unlock(&table_mutex);
  return sem;
}

int sct__word_wait(uint32_t *word, uint32_t expected, int timeout_ms,
                   uint32_t key) {
  HANDLE sem = sct__win32_wake_semaphore(key, word);
  if (sct__load_acquire(word) != expected)
    return 0;
  if (!sem) {
    Sleep(1); /* no semaphore: poll, and let the caller check liveness */
    return SCT_ETIMEDOUT;
  }
  DWORD r = WaitForSingleObject(sem, (DWORD)timeout_ms);
  return r == WAIT_TIMEOUT ? SCT_ETIMEDOUT : 0;
}

/* Sleeps on the wake-up semaphore and the owner's process or thread
 * handle at once, so a waiter learns of the owner's end at once instead
 * of at the end of its slice. */
int sct__word_wait_owner(uint32_t *word, uint32_t expected, int timeout_ms,
                         uint32_t key, sct__ident_t owner) {
  HANDLE sem = sct__win32_wake_semaphore(key, word);
  HANDLE owner_handle = sct__ident_open(owner);
  if (!sem || !owner_handle) {
    if (owner_handle)
      CloseHandle(owner_handle);
    return sct__word_wait(word, expected, timeout_ms, key);
  }
  int rc = 0;
  if (sct__load_acquire(word) == expected) {
    HANDLE both[2] = {sem, owner_handle};
    DWORD r = WaitForMultipleObjects(2, both, FALSE, (DWORD)timeout_ms);
    rc = r == WAIT_TIMEOUT        ? SCT_ETIMEDOUT
         : r == WAIT_OBJECT_0 + 1 ? SCT_EOWNERDEAD
                                  : 0;
  }
  CloseHandle(owner_handle);
  return rc;
}

/* A semaphore post does not say whether anybody was waiting. */
int sct__word_wake(uint32_t *word, uint32_t key, int n) {
  HANDLE sem = sct__win32_wake_semaphore(key, word);
  if (sem)
    ReleaseSemaphore(sem, n, NULL);
  return -1;
}

/* FlushProcessWriteBuffers reaches one process only: releases exchange,
 * and no waiter needs the barrier. */
int sct__light_release_setup(void) {
  return 0;
}

int sct__heavy_barrier(void) {
  return 0;
}

int sct__cpus_available(void) {
  DWORD_PTR process, system;
  int n = 0;
  if (GetProcessAffinityMask(GetCurrentProcess(), &process, &system))
    for (; process; process &= process - 1)
      n++;
  return n > 0 ? n : 1;
}
