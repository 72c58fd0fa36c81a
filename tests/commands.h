/*
 * Commands and users for the Linux suites (commands.c): running programs,
 * this test program run by hand, and the second users made with useradd
 * that the tests of other users' attacks need (CI runs as root).
 */
#ifndef SCT_TEST_COMMANDS_H
#define SCT_TEST_COMMANDS_H

#include <stddef.h>
#include <sys/types.h>

/* The path of this program. */
void self_exe(char *buf, size_t cap);

/* Runs @p argv (PATH searched) and returns its exit status, minus the
 * signal that killed it, or -1000 when it could not start. */
int run_command(char *const argv[]);
pid_t start_command(char *const argv[]);
/* The status of a started command, as run_command says it. */
int wait_command(pid_t pid);

/* The system user @p name, made with useradd on first need: 1 with its
 * ids, 0 when it cannot be made (not root). */
int test_user(const char *name, uid_t *uid, gid_t *gid);

/* Copies this program where another user can run it: 1 when done. */
int copy_self(char *copy, size_t cap);

/* Runs @p exe with @p argv (argv[0] included, NULL-ended) as @p uid. */
pid_t start_as(uid_t uid, gid_t gid, const char *exe, char *const argv[]);

#endif /* SCT_TEST_COMMANDS_H */
