/* Windows owner identities beyond the platform interface: a handle to
 * wait on (lock.c sleeps on it beside the wake-up semaphore). */
#ifndef SCT_WIN32_IDENTITY_H
#define SCT_WIN32_IDENTITY_H

#include "../base/internal.h"

#include <windows.h>

/* A handle (SYNCHRONIZE) to the process or thread @p who names, or NULL
 * when it is gone, cannot be opened, or its id now names another. Close
 * it with CloseHandle. */
HANDLE sct__ident_open(sct__ident_t who);

#endif /* SCT_WIN32_IDENTITY_H */
