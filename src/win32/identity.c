/*
 * Owner identities and liveness on Windows. Process and thread ids come
 * from one namespace, so an id names one or the other; the start bits are
 * the low 31 bits of the creation time in milliseconds (ids are reused).
 * A process's id is cached once (there is no fork); a thread's per thread.
 */
#include "identity.h"
#include "../base/atomics.h"
#include "../base/internal.h"

#include <windows.h>

sct__ident_t sct__process_ident;
SCT__THREAD_LOCAL sct__ident_t sct__thread_ident;

static uint32_t start_bits(FILETIME created) {
  ULARGE_INTEGER t;
  t.LowPart = created.dwLowDateTime;
  t.HighPart = created.dwHighDateTime;
  return (uint32_t)(t.QuadPart / 10000u) & 0x7fffffffu;
}

/* Identity layout: the id in bits 0-31, the start bits in 32-62. */
static uint32_t ident_id(sct__ident_t who) {
  return (uint32_t)who;
}
static uint32_t ident_start(sct__ident_t who) {
  return (uint32_t)(who >> 32) & 0x7fffffffu;
}

/* GetProcessTimes and GetThreadTimes share this shape. */
typedef BOOL(WINAPI *times_fn)(HANDLE, LPFILETIME, LPFILETIME, LPFILETIME,
                               LPFILETIME);

/* The start bits of the process or thread @p h (0 when unknown). */
static uint32_t start_of(HANDLE h, times_fn times) {
  FILETIME created, exited, kernel, user;
  return times(h, &created, &exited, &kernel, &user) ? start_bits(created) : 0;
}

int sct__self_process(sct__ident_t *out) {
  uint64_t cached = sct__load_acquire(&sct__process_ident);
  if (cached == 0) {
    cached = (uint64_t)GetCurrentProcessId() |
             (uint64_t)start_of(GetCurrentProcess(), GetProcessTimes) << 32;
    sct__store_release(&sct__process_ident, cached);
  }
  *out = cached;
  return 0;
}

int sct__self_thread(sct__ident_t *out) {
  if (sct__thread_ident == 0)
    sct__thread_ident = (uint64_t)GetCurrentThreadId() |
                        (uint64_t)start_of(GetCurrentThread(), GetThreadTimes)
                            << 32;
  *out = sct__thread_ident;
  return 0;
}

/* Alive when the object opens, has not ended, and started when the
 * identity says; gone when it cannot be found. Unsure: alive. */
static int alive(HANDLE h, times_fn times, uint32_t start) {
  int running = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  uint32_t started = start_of(h, times);
  CloseHandle(h);
  if (!running)
    return 0;
  return started == 0 || start == 0 || started == start;
}

HANDLE sct__ident_open(sct__ident_t who) {
  HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                         ident_id(who));
  times_fn times = GetProcessTimes;
  if (!h) {
    h = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE,
                   ident_id(who));
    times = GetThreadTimes;
  }
  /* Not the owner, but a later holder of its id: no handle to wait on. */
  if (h && ident_start(who) != 0 && start_of(h, times) != 0 &&
      start_of(h, times) != ident_start(who)) {
    CloseHandle(h);
    h = NULL;
  }
  return h;
}

int sct__ident_alive(sct__ident_t who) {
  HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                         ident_id(who));
  if (h)
    return alive(h, GetProcessTimes, ident_start(who));
  if (GetLastError() == ERROR_ACCESS_DENIED)
    return 1;
  h = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE,
                 ident_id(who));
  if (h)
    return alive(h, GetThreadTimes, ident_start(who));
  return GetLastError() == ERROR_ACCESS_DENIED;
}

/* Process and thread ids are unique across the whole machine (a Windows
 * container's processes have host-wide ids too). */
long sct__ident_os_id(sct__ident_t who) {
  return (long)ident_id(who);
}

/* No fork on Windows: nothing to install. */
void sct__install_fork_handlers(void (*prepare)(void), void (*parent)(void),
                                void (*child)(void)) {
  (void)prepare;
  (void)parent;
  (void)child;
}
