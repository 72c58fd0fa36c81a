/* The kernel semaphores that Windows waiters of a shared word sleep on
 * (lock.c), for the wait on several words (waitany.c). */
#ifndef SCT_WIN32_WAKE_H
#define SCT_WIN32_WAKE_H

#include <stdint.h>
#include <windows.h>

/* The semaphore that wakes sleepers on @p word (key @p key), kept open by
 * the process; NULL when it cannot be made. */
HANDLE sct__win32_wake_semaphore(uint32_t key, const void *word);

#endif
