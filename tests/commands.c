/* Commands and users for the Linux suites: see commands.h. */
#define _GNU_SOURCE
#include "commands.h"

#include "test.h"

#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void self_exe(char *buf, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
  buf[n > 0 ? n : 0] = '\0';
}

int run_command(char *const argv[]) {
  return wait_command(start_command(argv));
}

pid_t start_command(char *const argv[]) {
  pid_t pid;
  return posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) == 0 ? pid
                                                                     : -1;
}

int wait_command(pid_t pid) {
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) != pid)
    return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int test_user(const char *name, uid_t *uid, gid_t *gid) {
  struct passwd *pw = getpwnam(name);
  if (!pw && geteuid() == 0) {
    char *const add[] = {"useradd",          "--system",
                         "--no-create-home", "--shell",
                         "/usr/sbin/nologin", (char *)name,
                         NULL};
    if (run_command(add) != 0)
      return 0;
    pw = getpwnam(name);
  }
  if (!pw)
    return 0;
  *uid = pw->pw_uid;
  *gid = pw->pw_gid;
  return 1;
}

int copy_self(char *copy, size_t cap) {
  char exe[4096];
  self_exe(exe, sizeof exe);
  snprintf(copy, cap, "/tmp/sct-test-exe-%ld", test_pid());
  char *const cp[] = {"cp", exe, copy, NULL};
  return run_command(cp) == 0 && chmod(copy, 0755) == 0;
}

pid_t start_as(uid_t uid, gid_t gid, const char *exe, char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
      _exit(40);
    execv(exe, argv);
    _exit(41);
  }
  return pid;
}
