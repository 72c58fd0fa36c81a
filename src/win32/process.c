/*
 * Processes on Windows. There is no fork. A child's exit code can only be
 * read through a handle to it, so the handles of started children are
 * kept here by pid until they are waited for. terminate and kill end the
 * child with TerminateProcess and a code that reads back as -SIGTERM or
 * -SIGKILL, as Python does on Windows.
 */
#include "../base/internal.h"

#include <stdio.h>
#include <windows.h>

#include "process.h"

#define KILLED_CODE 0x10009u     /* reads back as -9 */
#define TERMINATED_CODE 0x1000fu /* reads back as -15 */
#define MAX_CHILDREN 4096

static struct {
  long pid;
  HANDLE handle;
} children[MAX_CHILDREN];
static sct__mutex_t children_mutex = SCT__MUTEX_INIT;

int sct__can_fork(void) {
  return 0;
}

int sct__process_fork(long *pid) {
  (void)pid;
  return SCT_EINVAL;
}

int sct__win32_adopt_child(long pid, void *handle) {
  int rc = SCT_ENOMEM;
  sct__mutex_lock(&children_mutex);
  for (size_t i = 0; i < MAX_CHILDREN; i++) {
    if (!children[i].handle) {
      children[i].pid = pid;
      children[i].handle = handle;
      rc = 0;
      break;
    }
  }
  sct__mutex_unlock(&children_mutex);
  return rc;
}

/* The handle of child @p pid; with @p forget it leaves the table (the
 * caller closes it). */
static HANDLE child_handle(long pid, int forget) {
  HANDLE h = NULL;
  sct__mutex_lock(&children_mutex);
  for (size_t i = 0; i < MAX_CHILDREN; i++) {
    if (children[i].handle && children[i].pid == pid) {
      h = children[i].handle;
      if (forget)
        children[i].handle = NULL;
      break;
    }
  }
  sct__mutex_unlock(&children_mutex);
  return h;
}

void *sct__win32_child_handle(long pid) {
  return child_handle(pid, 0);
}

static int decode(DWORD code) {
  if (code == KILLED_CODE)
    return -9;
  if (code == TERMINATED_CODE)
    return -15;
  return (int)code;
}

int sct__process_wait(long pid, int timeout_ms, int *exitcode) {
  HANDLE h = child_handle(pid, 0);
  DWORD code;
  if (!h)
    return SCT_EINVAL;
  /* A wait may end up to a clock tick early: waited again until the
   * deadline has really passed. */
  int64_t deadline = sct__deadline(timeout_ms);
  DWORD r;
  while ((r = WaitForSingleObject(h, timeout_ms < 0 ? INFINITE
                                                    : (DWORD)sct__ms_left(
                                                          deadline))) ==
         WAIT_TIMEOUT)
    if (sct__ms_left(deadline) == 0)
      return SCT_ETIMEDOUT;
  if (r != WAIT_OBJECT_0 || !GetExitCodeProcess(h, &code))
    return sct__os_error();
  *exitcode = decode(code);
  CloseHandle(child_handle(pid, 1));
  return 0;
}

int sct__process_signal(long pid, int hard) {
  HANDLE h = child_handle(pid, 0);
  if (!h)
    return SCT_EINVAL;
  if (!TerminateProcess(h, hard ? KILLED_CODE : TERMINATED_CODE))
    return sct__os_error();
  return 0;
}

void sct__process_exit(int status) {
  fflush(NULL);
  ExitProcess((UINT)status);
}
