/*
 * The liveness file attacked at its own surface (src/posix/liveness.c):
 * the file removed while owners hold slots in it (systemd's RemoveIPC), a
 * slot reused after its live owner closed its descriptors, a fork in the
 * middle of a thread's registration, and destructors that take RLocks
 * after the thread's own. Real processes, killed for real; the library's
 * test hooks (SCT_TEST_HOOKS) choose which slot a registration probes
 * first, so two registrations meet in one slot every time, and hold a
 * thread inside its registration. Each test failed on the code before
 * its fix.
 */
#define _GNU_SOURCE
#include "test.h"

#include "commands.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The slot the calling thread's next registration probes first, or -1.
 * Fork copies it to the child, whose registration runs in the fork. */
static _Thread_local long forced_slot = -1;

/* Set by a thread whose registration finds its slot near the wrap: as if
 * the slot had been claimed 32,766 times since its last holder. */
static _Thread_local int push_to_wrap;

/* The generations of a slot before they come round (15 bits). */
#define GENERATIONS 32767u

/* Held inside its registration: the thread that set this. */
static _Thread_local int hold_in_claim;
static volatile int claimed, forked;

static void liveness_hooks(const char *where, void *what) {
  if (strcmp(where, "live.first_probe") == 0 && forced_slot >= 0)
    *(uint32_t *)what = (uint32_t)forced_slot;
  else if (strcmp(where, "live.slot_gen") == 0 && push_to_wrap) {
    uint32_t *gen = what; /* the last holder's generation */
    if (*gen != 0)
      *gen = (*gen + GENERATIONS - 2) % GENERATIONS + 1;
  } else if (strcmp(where, "identity.thread_claimed") == 0 && hold_in_claim) {
    claimed = 1;
    for (int i = 0; i < 5000 && !forked; i++)
      sleep_ms(1);
    sleep_ms(100); /* the fork, if nothing stops it, is done by now */
  }
}

/* A slot other test processes are unlikely to take meanwhile. */
static long test_slot(int k) {
  return 1000 + (test_pid() * 7 + k * 7919) % 60000;
}

static void liveness_file(char *buf, size_t cap) {
  snprintf(buf, cap, "/dev/shm/sct.live.%u", (unsigned)geteuid());
}

/* Starts @p target forked, its registration probing @p slot first. */
static sct_process_t *start_forked(const char *target, const sct_arg_t *args,
                                   size_t nargs, long slot) {
  sct_process_t *p = NULL;
  forced_slot = slot;
  if (sct_process_new(&p, target, args, nargs) != 0 ||
      sct_process_set_start_method(p, SCT_START_FORK) != 0 ||
      sct_process_start(p) != 0) {
    sct_process_free(p);
    p = NULL;
  }
  forced_slot = -1;
  return p;
}

/* ---- children ---- */

/* Takes the Lock (argument 0), closes every descriptor as a daemon does
 * when argument 2 says so, says so in the flag (argument 1), and waits
 * to be killed. */
static int child_hold(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  int64_t close_all;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0 ||
      sct_args_int(args, 2, &close_all) != 0 ||
      sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 10;
  if (close_all)
    for (int fd = 3; fd < 1024; fd++)
      close(fd);
  if (sct_value_set_i64(flag, 1) != 0)
    return 11;
  sleep_forever();
}

/* Registers (in the fork, at the forced slot) and exits: its slot is
 * released with a newer generation, or in a new file. */
static int child_register(const sct_args_t *args) {
  sct_lock_t *lock;
  (void)args;
  if (sct_lock_new(&lock, SCT_LOCK) != 0 ||
      sct_lock_acquire(lock, SCT_INFINITE) != 0 || sct_lock_release(lock) != 0)
    return 10;
  return sct_lock_free(lock) == 0 ? 0 : 11;
}

/* A holder in the forced slot, its registration ended by closing its
 * descriptors (@p close_all) or left alone, then @p between, then the
 * checks: a live holder is never reported dead; once killed, it is. */
static void holder_survives(int close_all, void (*between)(void)) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  long slot = test_slot(close_all);
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  /* This process registers now, in the file as it is. */
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  sct__test_hook = liveness_hooks;
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag), SCT_AINT(close_all)};
  sct_process_t *holder = start_forked("liveness.hold", args, 3, slot);
  CU_ASSERT_FATAL(holder != NULL);
  CU_ASSERT(wait_for_flag(flag, 1));
  ASSERT_RC(sct_lock_acquire(lock, 300), SCT_ETIMEDOUT);
  between();
  /* Another registration in the holder's slot number, ended at once. */
  sct_process_t *other = start_forked("liveness.register", NULL, 0, slot);
  CU_ASSERT_EQUAL(finish_child(other), 0);
  ASSERT_RC(sct_lock_acquire(lock, 300), SCT_ETIMEDOUT);
  ASSERT_OK(sct_process_kill(holder));
  CU_ASSERT_EQUAL(finish_child(holder), -SIGKILL);
  ASSERT_RC(sct_lock_acquire(lock, 5000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  sct__test_hook = NULL;
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
}

static void nothing(void) {}

/* As RemoveIPC does when the user's last session ends. */
static void remove_liveness_file(void) {
  char path[64];
  liveness_file(path, sizeof path);
  CU_ASSERT_EQUAL(unlink(path), 0);
}

/* The liveness file removed while a holder lives, and a new process
 * registered in the new file in the holder's slot number: the old code
 * read that slot, released with another generation, as the holder's
 * death (two holders at once). */
static void test_file_replaced(void) {
  holder_survives(0, remove_liveness_file);
}

/* A holder that closed every descriptor (its slot released) and a new
 * registration in its slot: the old code took the slot over, its newer
 * generation read as the holder's death. Now the claimer leaves a slot
 * whose released holder still runs. */
static void test_released_slot_not_reused(void) {
  holder_survives(1, nothing);
}

/* ---- a fork during a thread's registration ---- */

typedef struct fork_race {
  sct_lock_t *rlock;
  int rc;
} fork_race_t;

/* Registers (held inside by the hook while the other thread forks) and
 * ends holding the RLock. */
static void register_and_end_holding(void *arg) {
  fork_race_t *r = arg;
  hold_in_claim = 1;
  r->rc = sct_lock_acquire(r->rlock, SCT_INFINITE);
  hold_in_claim = 0;
}

static pid_t fork_child;

static void fork_while_registering(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000 && !claimed; i++)
    sleep_ms(1);
  forked = 1;
  fork_child = fork();
  if (fork_child == 0) {
    sleep(5); /* keeps whatever descriptors it got */
    _exit(0);
  }
}

/* A child forked between a thread's claim and its remembering kept a
 * copy of the thread's descriptor that nobody closed: the ended thread's
 * RLock was never reported (SCT_ETIMEDOUT for the child's whole life). */
static void test_fork_during_thread_registration(void) {
  fork_race_t race = {NULL, -100};
  ASSERT_OK(sct_lock_new(&race.rlock, SCT_RLOCK));
  claimed = forked = 0;
  sct__test_hook = liveness_hooks;
  test_thread_fn fns[2] = {register_and_end_holding, fork_while_registering};
  void *args[2] = {&race, NULL};
  CU_ASSERT_EQUAL_FATAL(test_threads_run_each(fns, args, 2), 0);
  sct__test_hook = NULL;
  CU_ASSERT(claimed && forked);
  ASSERT_OK(race.rc);
  CU_ASSERT_FATAL(fork_child > 0);
  ASSERT_RC(sct_lock_acquire(race.rlock, 2000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(race.rlock));
  kill(fork_child, SIGKILL);
  waitpid(fork_child, NULL, 0);
  ASSERT_OK(sct_lock_free(race.rlock));
}

/* ---- destructors after sct's own ---- */

static pthread_key_t late_key;
static sct_lock_t *late_rlock;
static volatile int late_held, late_go, late_rc;

/* Runs at thread exit after sct's destructor (a key made later): takes
 * an RLock and holds it until told. */
static void late_destructor(void *value) {
  (void)value;
  late_rc = sct_lock_acquire(late_rlock, 5000);
  late_held = 1;
  for (int i = 0; i < 5000 && !late_go; i++)
    sleep_ms(1);
  if (late_rc == 0)
    (void)sct_lock_release(late_rlock);
}

static long late_slot;

/* Registers at the forced slot and ends, its late destructor armed. */
static void end_with_late_destructor(void *arg) {
  sct_lock_t *first = arg;
  forced_slot = late_slot;
  if (sct_lock_acquire(first, SCT_INFINITE) == 0)
    (void)sct_lock_release(first);
  forced_slot = -1;
  (void)pthread_setspecific(late_key, &late_key);
}

/* Registers at the forced slot, and ends. */
static void register_in_late_slot(void *arg) {
  sct_lock_t *lock = arg;
  forced_slot = late_slot;
  if (sct_lock_acquire(lock, SCT_INFINITE) == 0)
    (void)sct_lock_release(lock);
}

typedef struct late_check {
  sct_lock_t *other;
  int rc;
} late_check_t;

static void check_while_destructing(void *arg) {
  late_check_t *c = arg;
  for (int i = 0; i < 5000 && !late_held; i++)
    sleep_ms(1);
  test_thread_run(register_in_late_slot, c->other);
  c->rc = sct_lock_acquire(late_rlock, 300);
  late_go = 1;
}

/* A destructor that runs after sct's at thread exit holds an RLock while
 * another thread registers in the same slot number: the old code had
 * released the slot already (the identity still cached), and the newer
 * generation there read as the holder's death. */
static void test_destructor_after_thread_exit(void) {
  sct_lock_t *first, *other;
  late_check_t check = {NULL, -100};
  ASSERT_OK(sct_lock_new(&first, SCT_RLOCK));
  ASSERT_OK(sct_lock_new(&other, SCT_RLOCK));
  ASSERT_OK(sct_lock_new(&late_rlock, SCT_RLOCK));
  check.other = other;
  /* sct's thread key exists before ours: its destructor runs first. */
  ASSERT_OK(sct_lock_acquire(first, 0));
  ASSERT_OK(sct_lock_release(first));
  CU_ASSERT_EQUAL_FATAL(pthread_key_create(&late_key, late_destructor), 0);
  late_slot = test_slot(3);
  late_held = late_go = 0;
  late_rc = -100;
  sct__test_hook = liveness_hooks;
  test_thread_fn fns[2] = {end_with_late_destructor, check_while_destructing};
  void *args[2] = {first, &check};
  CU_ASSERT_EQUAL_FATAL(test_threads_run_each(fns, args, 2), 0);
  sct__test_hook = NULL;
  CU_ASSERT(late_held);
  ASSERT_OK(late_rc);
  ASSERT_RC(check.rc, SCT_ETIMEDOUT);
  /* The thread is gone now, its slot with it, the RLock free. */
  ASSERT_OK(sct_lock_acquire(late_rlock, 2000));
  ASSERT_OK(sct_lock_release(late_rlock));
  pthread_key_delete(late_key);
  ASSERT_OK(sct_lock_free(first));
  ASSERT_OK(sct_lock_free(other));
  ASSERT_OK(sct_lock_free(late_rlock));
}

/* ---- an identity that comes round ---- */

typedef struct wrap_case {
  sct_lock_t *rlock;
  long slot;
  int first, again, nested, released;
} wrap_case_t;

/* Takes the RLock in the slot and ends holding it. */
static void take_and_end(void *arg) {
  wrap_case_t *c = arg;
  forced_slot = c->slot;
  c->first = sct_lock_acquire(c->rlock, SCT_INFINITE);
  forced_slot = -1;
}

/* Registers in the same slot, its generation come round to the ended
 * thread's, and takes the RLock that thread left. */
static void take_after_wrap(void *arg) {
  wrap_case_t *c = arg;
  forced_slot = c->slot;
  push_to_wrap = 1;
  c->again = sct_lock_acquire(c->rlock, 1000);
  push_to_wrap = 0;
  forced_slot = -1;
  c->nested = sct_lock_acquire(c->rlock, 0); /* now a true re-entry */
  c->released = sct_lock_release(c->rlock) == 0 &&
                sct_lock_release(c->rlock) == 0 &&
                sct_lock_release(c->rlock) == SCT_ENOTHELD;
}

/* A thread ends holding an RLock, and a later thread gets the same
 * identity: the slot's generation came round. The old code took the dead
 * thread's word for the new one's own and let it "re-enter" (SCT_OK,
 * two holders); now it is told the owner died. */
static void test_identity_wraps(void) {
  wrap_case_t c = {NULL, test_slot(5), -100, -100, -100, 0};
  ASSERT_OK(sct_lock_new(&c.rlock, SCT_RLOCK));
  sct__test_hook = liveness_hooks;
  test_thread_run(take_and_end, &c);
  test_thread_run(take_after_wrap, &c);
  sct__test_hook = NULL;
  ASSERT_OK(c.first);
  ASSERT_RC(c.again, SCT_EOWNERDEAD);
  ASSERT_OK(c.nested);
  CU_ASSERT(c.released);
  ASSERT_OK(sct_lock_free(c.rlock));
}

/* ---- the liveness file's name squatted by another user ---- */

#define VICTIM_USER "sct-victim"
#define SQUAT_USER "sct-squatter"

/* victim fallback|none: run as the victim, whose liveness file name
 * another user holds. With its runtime directory (fallback) it registers
 * there: a forked holder, killed, is reported dead. Without one (none)
 * it is refused, clearly. */
static int victim_helper(const char *mode) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  char path[64];
  int with_fallback = strcmp(mode, "fallback") == 0;
  if (sct_lock_new(&lock, SCT_LOCK) != 0 ||
      sct_rawvalue_new(&flag, type_of('q'), NULL) != 0)
    return 20;
  int rc = sct_lock_acquire(lock, 0);
  if (!with_fallback)
    return rc == SCT_EACCES ? 0 : 21;
  if (rc != 0)
    return 22; /* SCT_EACCES: the squatted name took sct down */
  snprintf(path, sizeof path, "/run/user/%u/sct.live", (unsigned)geteuid());
  if (access(path, F_OK) != 0 || sct_lock_release(lock) != 0)
    return 23;
  /* A helper runs without sct_main: the holder is a plain fork. */
  pid_t holder = fork();
  if (holder == 0) {
    if (sct_lock_acquire(lock, SCT_INFINITE) == 0)
      (void)sct_value_set_i64(flag, 1);
    sleep_forever();
  }
  if (holder < 0 || !wait_for_flag(flag, 1))
    return 24;
  if (sct_lock_acquire(lock, 300) != SCT_ETIMEDOUT)
    return 25; /* alive, in the fallback file: not dead */
  if (kill(holder, SIGKILL) != 0 || wait_command(holder) != -SIGKILL)
    return 26;
  if (sct_lock_acquire(lock, 5000) != SCT_EOWNERDEAD)
    return 27;
  return sct_lock_release(lock) == 0 ? 0 : 28;
}

static int liveness_helper(int argc, char **argv) {
  int rc = argc == 2 && strcmp(argv[0], "victim") == 0 ? victim_helper(argv[1])
                                                      : 2;
  fflush(NULL);
  _exit(rc);
}

/* Makes /dev/shm/sct.live.<victim> first, as the squatter, open to all. */
static int squat_liveness_file(uid_t victim, uid_t squatter) {
  char path[64];
  snprintf(path, sizeof path, "/dev/shm/sct.live.%u", (unsigned)victim);
  (void)unlink(path);
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    return 0;
  int ok = fchown(fd, squatter, squatter) == 0 && fchmod(fd, 0666) == 0;
  close(fd);
  return ok;
}

/* The victim's runtime directory, as logind makes it (@p make), or none.
 * Returns whether it existed before. */
static int runtime_dir(uid_t uid, gid_t gid, int make, char *dir, size_t cap) {
  struct stat st;
  char file[128];
  snprintf(dir, cap, "/run/user/%u", (unsigned)uid);
  snprintf(file, sizeof file, "%s/sct.live", dir);
  (void)unlink(file);
  int existed = stat(dir, &st) == 0;
  if (make && !existed) {
    (void)mkdir("/run/user", 0755);
    if (mkdir(dir, 0700) != 0 || chown(dir, uid, gid) != 0)
      return -1;
  }
  if (!make && existed)
    (void)rmdir(dir);
  return existed;
}

static int run_victim(uid_t uid, gid_t gid, const char *copy,
                      const char *mode) {
  char *const argv[] = {(char *)copy, "--helper", "liveness", "victim",
                        (char *)mode, NULL};
  return wait_command(start_as(uid, gid, copy, argv));
}

/* Another user made the victim's liveness file first (anyone may create
 * any name in /dev/shm, and its sticky bit keeps the victim from
 * removing it). The old code refused every lock of the victim with
 * SCT_EACCES for good; now the victim registers in its runtime
 * directory, and only a victim without one is refused. */
static void test_squatted_liveness_file(void) {
  uid_t victim, squatter;
  gid_t victim_gid, squatter_gid;
  char copy[128], dir[64], shm[64];
  if (geteuid() != 0 || !test_user(VICTIM_USER, &victim, &victim_gid) ||
      !test_user(SQUAT_USER, &squatter, &squatter_gid) ||
      !copy_self(copy, sizeof copy)) {
    test_skip("squatted liveness file", "needs root to add and become users");
    return;
  }
  CU_ASSERT_FATAL(squat_liveness_file(victim, squatter));
  int existed = runtime_dir(victim, victim_gid, 1, dir, sizeof dir);
  CU_ASSERT_FATAL(existed >= 0);
  CU_ASSERT_EQUAL(run_victim(victim, victim_gid, copy, "fallback"), 0);
  (void)runtime_dir(victim, victim_gid, 0, dir, sizeof dir);
  CU_ASSERT_EQUAL(run_victim(victim, victim_gid, copy, "none"), 0);
  if (existed)
    (void)runtime_dir(victim, victim_gid, 1, dir, sizeof dir);
  snprintf(shm, sizeof shm, "/dev/shm/sct.live.%u", (unsigned)victim);
  CU_ASSERT_EQUAL(unlink(shm), 0);
  unlink(copy);
}

static CU_TestInfo tests[] = {
    {"file replaced under a live holder", test_file_replaced},
    {"released slot of a live holder not reused",
     test_released_slot_not_reused},
    {"fork during a thread's registration",
     test_fork_during_thread_registration},
    {"destructor after the thread's own", test_destructor_after_thread_exit},
    {"identity come round after the generation's wrap", test_identity_wraps},
    {"liveness file squatted by another user", test_squatted_liveness_file},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"liveness.hold", child_hold},
    {"liveness.register", child_register},
};

const test_suite_t suite_liveness = {"liveness", tests, targets,
                                     sizeof targets / sizeof targets[0],
                                     liveness_helper};
