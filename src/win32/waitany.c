/*
 * Sleeping on several words and children at once on Windows (platform.h:
 * sct__words_wait): every word's wake-up semaphore (lock.c) and every
 * child's process handle in one WaitForMultipleObjects. A post meant for
 * another sleeper that this wait takes is passed on by the caller
 * (waitany.c in the core).
 */
#include "../base/atomics.h"
#include "../base/internal.h"
#include "process.h"
#include "wake.h"

#include <windows.h>

/* Adds @p h unless it is there already (one kernel object may back two
 * words, and WaitForMultipleObjects refuses a handle given twice). */
static void add_handle(HANDLE *handles, DWORD *n, HANDLE h) {
  for (DWORD i = 0; i < *n; i++)
    if (handles[i] == h)
      return;
  handles[(*n)++] = h;
}

int sct__words_wait(const sct__word_watch_t *watch, size_t n, const long *pids,
                    size_t npids, int timeout_ms) {
  HANDLE handles[MAXIMUM_WAIT_OBJECTS];
  DWORD count = 0;
  for (size_t i = 0; i < n; i++) {
    HANDLE sem = sct__win32_wake_semaphore(watch[i].key, watch[i].word);
    if (!sem) {
      Sleep(1); /* no semaphore: look again soon */
      return 0;
    }
    add_handle(handles, &count, sem);
  }
  for (size_t i = 0; i < npids; i++) {
    HANDLE child = sct__win32_child_handle(pids[i]);
    if (!child)
      return 0; /* joined meanwhile: the caller looks again */
    add_handle(handles, &count, child);
  }
  for (size_t i = 0; i < n; i++)
    if (sct__load_acquire(watch[i].word) != watch[i].expected)
      return 0;
  DWORD r = WaitForMultipleObjects(count, handles, FALSE, (DWORD)timeout_ms);
  return r == WAIT_TIMEOUT ? SCT_ETIMEDOUT : 0;
}

int sct__words_wait_polls(void) {
  return 0;
}
