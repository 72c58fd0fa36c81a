/* Shared by the Windows process and spawn files. */
#ifndef SCT_WIN32_PROCESS_H
#define SCT_WIN32_PROCESS_H

/* Keeps the handle of a started child so it can be waited for. */
int sct__win32_adopt_child(long pid, void *handle);

#endif
