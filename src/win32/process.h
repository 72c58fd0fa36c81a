/* Shared by the Windows process and spawn files. */
#ifndef SCT_WIN32_PROCESS_H
#define SCT_WIN32_PROCESS_H

/* Keeps the handle of a started child so it can be waited for. */
int sct__win32_adopt_child(long pid, void *handle);

/* The handle of started child @p pid (kept by this file; do not close),
 * or NULL. */
void *sct__win32_child_handle(long pid);

#endif
