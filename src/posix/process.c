/* Processes on POSIX: fork, waiting with a timeout, signals, exit. */
#define _GNU_SOURCE
#include "../base/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int sct__process_fork(long *pid) {
  pid_t child = fork();
  if (child < 0)
    return sct__os_error();
  *pid = (long)child;
  return 0;
}

static int decode_status(int status) {
  if (WIFSIGNALED(status))
    return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

/* Waits until @p pid may have changed state or @p ms have passed. A pidfd
 * (Linux 5.3+) wakes us the moment the child exits; elsewhere we nap. */
static void nap_for_child(long pid, int ms) {
#ifdef SYS_pidfd_open
  int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (fd >= 0) {
    struct pollfd p = {fd, POLLIN, 0};
    (void)poll(&p, 1, ms);
    close(fd);
    return;
  }
#endif
  (void)pid;
  sct__sleep_ms(ms < 2 ? ms : 2);
}

int sct__process_wait(long pid, int timeout_ms, int *exitcode) {
  int64_t deadline = sct__deadline(timeout_ms);
  for (;;) {
    int status;
    pid_t r = waitpid((pid_t)pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
    if (r == (pid_t)pid) {
      *exitcode = decode_status(status);
      return 0;
    }
    if (r < 0 && errno != EINTR)
      return sct__os_error();
    if (r == 0) {
      int left = sct__ms_left(deadline);
      if (left == 0)
        return SCT_ETIMEDOUT;
      nap_for_child(pid, left);
    }
  }
}

int sct__process_signal(long pid, int hard) {
  if (kill((pid_t)pid, hard ? SIGKILL : SIGTERM) != 0)
    return sct__os_error();
  return 0;
}

void sct__process_exit(int status) {
  fflush(NULL);
  _exit(status);
}
