/*
 * Owner identity on Linux, tested the way deployments break it: sharers in
 * different PID namespaces (unshare), a process whose main thread has
 * exited, a process out of descriptors, a forged or squatted named lock
 * (a second user made with useradd), a memory cgroup smaller than the
 * request, and a waiter killed while it sleeps. Every case uses real
 * processes, killed for real; counts are exact.
 */
#define _GNU_SOURCE
#include "test.h"

#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define COUNT_PER_WORKER 200000
#define SQUAT_USER "sct-squatter"

/* What the workers of the namespace tests share, in a named segment. */
typedef struct shared_stats {
  int64_t count;        /* incremented under the lock: exact or not */
  int64_t inside;       /* 1 while somebody is in the critical section */
  int64_t overlaps;     /* entries that found somebody inside */
  int64_t false_deaths; /* SCT_EOWNERDEAD while every owner lived */
  int64_t errors;       /* any other failure */
  int64_t held;         /* set by a holder once it holds the lock */
} shared_stats_t;

static const char *unique(const char *base, char *buf, size_t cap) {
  snprintf(buf, cap, "sct-test-id-%s-%ld", base, test_pid());
  return buf;
}

/* The file behind a named object (POSIX: one namespace, in /dev/shm). */
static void shm_file(const char *space, const char *name, char *buf,
                     size_t cap) {
  snprintf(buf, cap, "/dev/shm/sct.%s.%s", space, name);
}

/* Polls @p field until it is @p want, at most 10 s. */
static int wait_shared(const int64_t *field, int64_t want) {
  for (int i = 0; i < 10000; i++) {
    if (__atomic_load_n(field, __ATOMIC_ACQUIRE) == want)
      return 1;
    sleep_ms(1);
  }
  return 0;
}

/* ---- helpers: this program run by hand (`--helper identity ...`) ---- */

static int open_shared(const char *lock_name, const char *seg_name,
                       sct_lock_t **lock, sct_segment_t **seg) {
  if (sct_lock_open_named(lock, lock_name) != 0)
    return 20;
  if (sct_segment_open(seg, seg_name) != 0)
    return 21;
  return 0;
}

static int close_shared(sct_lock_t *lock, sct_segment_t *seg) {
  int rc = sct_lock_free(lock) == 0 ? 0 : 24;
  return sct_segment_close(seg) == 0 ? rc : 25;
}

/* One locked increment, with every anomaly counted. */
static void locked_increment(sct_lock_t *lock, shared_stats_t *st) {
  int rc = sct_lock_acquire(lock, SCT_INFINITE);
  if (rc == SCT_EOWNERDEAD)
    __atomic_fetch_add(&st->false_deaths, 1, __ATOMIC_SEQ_CST);
  else if (rc != 0) {
    __atomic_fetch_add(&st->errors, 1, __ATOMIC_SEQ_CST);
    return;
  }
  if (__atomic_exchange_n(&st->inside, 1, __ATOMIC_SEQ_CST) != 0)
    __atomic_fetch_add(&st->overlaps, 1, __ATOMIC_SEQ_CST);
  st->count++;
  __atomic_store_n(&st->inside, 0, __ATOMIC_SEQ_CST);
  if (sct_lock_release(lock) != 0)
    __atomic_fetch_add(&st->errors, 1, __ATOMIC_SEQ_CST);
}

/* count N: N locked increments. */
static int helper_count(sct_lock_t *lock, shared_stats_t *st, const char *n) {
  long rounds = strtol(n, NULL, 10);
  for (long i = 0; i < rounds; i++)
    locked_increment(lock, st);
  return 0;
}

/* hold-die: takes the lock, says so, and dies holding it. */
static int helper_hold_die(sct_lock_t *lock, shared_stats_t *st) {
  if (sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 22;
  __atomic_store_n(&st->held, 1, __ATOMIC_SEQ_CST);
  sleep_ms(200); /* so the waiter is asleep when the owner dies */
  /* Killed; or, as pid 1 of its namespace (which ignores the signals it
   * sends itself), ended at once, holding the lock all the same. */
  raise(SIGKILL);
  _exit(23);
}

/* expect-death: once the holder holds the lock, waits for it and must be
 * told that it died. */
static int helper_expect_death(sct_lock_t *lock, shared_stats_t *st) {
  if (!wait_shared(&st->held, 1))
    return 50;
  if (sct_lock_acquire(lock, 10000) != SCT_EOWNERDEAD)
    return 51;
  return sct_lock_release(lock) == 0 ? 0 : 52;
}

/* squat LOCK SEGMENT: run as another user, makes both names first and
 * world-writable, then takes the lock and dies holding it. */
static int helper_squat(char **argv) {
  sct_lock_t *lock;
  sct_segment_t *seg;
  char path[300];
  if (sct_segment_create(&seg, argv[1], 4096) != 0)
    return 30;
  shm_file("seg", argv[1], path, sizeof path);
  if (chmod(path, 0666) != 0)
    return 31;
  if (sct_lock_create_named(&lock, argv[0], SCT_LOCK) != 0)
    return 32;
  shm_file("lock", argv[0], path, sizeof path);
  if (chmod(path, 0666) != 0)
    return 33;
  if (sct_lock_acquire(lock, 0) != 0)
    return 34;
  sleep_ms(500);
  raise(SIGKILL);
  _exit(35);
}

/* WHAT LOCK SEGMENT [N]: the helpers that work on a shared lock and
 * statistics segment made by the test. */
static int run_shared_helper(int argc, char **argv) {
  sct_lock_t *lock;
  sct_segment_t *seg;
  int rc = open_shared(argv[1], argv[2], &lock, &seg);
  if (rc != 0)
    return rc;
  shared_stats_t *st = sct_segment_ptr(seg);
  if (argc == 4 && strcmp(argv[0], "count") == 0)
    rc = helper_count(lock, st, argv[3]);
  else if (argc == 3 && strcmp(argv[0], "hold-die") == 0)
    rc = helper_hold_die(lock, st);
  else if (argc == 3 && strcmp(argv[0], "expect-death") == 0)
    rc = helper_expect_death(lock, st);
  else
    rc = 2;
  int closed = close_shared(lock, seg);
  return rc != 0 ? rc : closed;
}

static int run_identity_helper(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[0], "squat") == 0)
    return helper_squat(argv + 1);
  if (argc >= 3)
    return run_shared_helper(argc, argv);
  fprintf(stderr, "identity helper: bad arguments\n");
  return 2;
}

/* Helpers end without exit handlers: some run with no /proc, where a
 * sanitizer's exit-time leak check cannot work (without /proc it cannot
 * even read its options) and would turn a good run into a failure. */
static int identity_helper(int argc, char **argv) {
  int rc = run_identity_helper(argc, argv);
  fflush(NULL);
  _exit(rc);
}

/* ---- PID namespaces ---- */

static int can_unshare(void) {
  char *const probe[] = {"unshare", "--pid",  "--fork", "--mount-proc",
                         "true",    NULL};
  return run_command(probe) == 0;
}

/* A helper of this program in a PID namespace of its own (pid 1 there). */
static pid_t start_in_namespace(const char *what, const char *lock_name,
                                const char *seg_name, const char *n) {
  char exe[4096];
  self_exe(exe, sizeof exe);
  char *argv[] = {"unshare",        "--pid",      "--fork",
                  "--mount-proc",   exe,          "--helper",
                  "identity",       (char *)what, (char *)lock_name,
                  (char *)seg_name, (char *)n,    NULL};
  if (!n)
    argv[10] = NULL;
  return start_command(argv);
}

static shared_stats_t *make_shared(const char *lock_name, const char *seg_name,
                                   sct_lock_kind_t kind, sct_lock_t **lock,
                                   sct_segment_t **seg) {
  (void)sct_lock_unlink_named(lock_name);
  (void)sct_segment_unlink(seg_name);
  if (sct_lock_create_named(lock, lock_name, kind) != 0 ||
      sct_segment_create(seg, seg_name, sizeof(shared_stats_t)) != 0)
    return NULL;
  return sct_segment_ptr(*seg);
}

static void drop_shared(const char *lock_name, const char *seg_name,
                        sct_lock_t *lock, sct_segment_t *seg) {
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_segment_close(seg));
  ASSERT_OK(sct_lock_unlink_named(lock_name));
  ASSERT_OK(sct_segment_unlink(seg_name));
}

/*
 * Two workers, each pid 1 of a PID namespace of its own (two containers
 * sharing /dev/shm), share a named lock: every increment counts, nobody
 * is ever told its partner died. Then one of them really dies holding
 * the lock, and this process, in yet another namespace, is told.
 */
static void namespaces_share(sct_lock_kind_t kind) {
  char lock_name[80], seg_name[80], n[32];
  sct_lock_t *lock;
  sct_segment_t *seg;
  if (!can_unshare()) {
    test_skip("PID namespaces", "`unshare --pid --fork --mount-proc` is not "
                                "permitted here (needs root)");
    return;
  }
  unique(kind == SCT_LOCK ? "ns-lock" : "ns-rlock", lock_name,
         sizeof lock_name);
  unique(kind == SCT_LOCK ? "ns-lseg" : "ns-rseg", seg_name, sizeof seg_name);
  shared_stats_t *st = make_shared(lock_name, seg_name, kind, &lock, &seg);
  CU_ASSERT_FATAL(st != NULL);
  snprintf(n, sizeof n, "%d", COUNT_PER_WORKER);
  pid_t a = start_in_namespace("count", lock_name, seg_name, n);
  pid_t b = start_in_namespace("count", lock_name, seg_name, n);
  CU_ASSERT_EQUAL(wait_command(a), 0);
  CU_ASSERT_EQUAL(wait_command(b), 0);
  CU_ASSERT_EQUAL(st->count, 2 * COUNT_PER_WORKER);
  CU_ASSERT_EQUAL(st->overlaps, 0);
  CU_ASSERT_EQUAL(st->false_deaths, 0);
  CU_ASSERT_EQUAL(st->errors, 0);

  /* A real death in another namespace is still reported. */
  pid_t holder = start_in_namespace("hold-die", lock_name, seg_name, NULL);
  CU_ASSERT_FATAL(wait_shared(&st->held, 1));
  long owner = 0;
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, -1); /* its pid means nothing here */
  ASSERT_RC(sct_lock_acquire(lock, 10000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  (void)wait_command(holder);
  drop_shared(lock_name, seg_name, lock, seg);
}

static void test_namespaces_lock(void) {
  namespaces_share(SCT_LOCK);
}

static void test_namespaces_rlock(void) {
  namespaces_share(SCT_RLOCK);
}

/* A helper of this program in a mount namespace whose /proc is an empty
 * tmpfs: no /proc at all, as in a minimal container. */
static pid_t start_without_proc(const char *what, const char *lock_name,
                                const char *seg_name, const char *n) {
  char exe[4096];
  self_exe(exe, sizeof exe);
  char *argv[] = {"unshare",
                  "--mount",
                  "--propagation",
                  "private",
                  "sh",
                  "-c",
                  "mount -t tmpfs none /proc && exec \"$0\" \"$@\"",
                  exe,
                  "--helper",
                  "identity",
                  (char *)what,
                  (char *)lock_name,
                  (char *)seg_name,
                  (char *)n,
                  NULL};
  return start_command(argv);
}

/* Without /proc, owners are still told apart and deaths still seen. */
static void test_without_proc(void) {
  char lock_name[80], seg_name[80], n[32];
  sct_lock_t *lock;
  sct_segment_t *seg;
  char *const probe[] = {"unshare", "--mount", "true", NULL};
  if (run_command(probe) != 0) {
    test_skip("no /proc", "`unshare --mount` is not permitted here");
    return;
  }
  unique("noproc", lock_name, sizeof lock_name);
  unique("noprocseg", seg_name, sizeof seg_name);
  shared_stats_t *st = make_shared(lock_name, seg_name, SCT_RLOCK, &lock, &seg);
  CU_ASSERT_FATAL(st != NULL);
  snprintf(n, sizeof n, "%d", COUNT_PER_WORKER / 2);
  pid_t a = start_without_proc("count", lock_name, seg_name, n);
  pid_t b = start_without_proc("count", lock_name, seg_name, n);
  CU_ASSERT_EQUAL(wait_command(a), 0);
  CU_ASSERT_EQUAL(wait_command(b), 0);
  CU_ASSERT_EQUAL(st->count, COUNT_PER_WORKER);
  CU_ASSERT_EQUAL(st->overlaps + st->false_deaths + st->errors, 0);

  pid_t waiter = start_without_proc("expect-death", lock_name, seg_name, NULL);
  pid_t holder = start_without_proc("hold-die", lock_name, seg_name, NULL);
  CU_ASSERT_EQUAL(wait_command(waiter), 0);
  (void)wait_command(holder);
  drop_shared(lock_name, seg_name, lock, seg);
}

/* ---- a process whose main thread has exited ---- */

#define LEADERLESS_HOLDS 20

/* Stats of the leaderless child, in a raw 'q' Array passed to it. */
enum { ST_INSIDE, ST_OVERLAPS, ST_HOLDS, ST_ERRORS, ST_N };

static sct_lock_t *leaderless_lock;
static int64_t *leaderless_stats;

/* Holds the lock 20 times for 30 ms each, longer than a waiter's sleep,
 * so waiters ask about it while it holds. */
static void *leaderless_holder(void *arg) {
  int64_t *st = leaderless_stats;
  (void)arg;
  for (int i = 0; i < LEADERLESS_HOLDS; i++) {
    if (sct_lock_acquire(leaderless_lock, SCT_INFINITE) != 0) {
      __atomic_fetch_add(&st[ST_ERRORS], 1, __ATOMIC_SEQ_CST);
      continue;
    }
    if (__atomic_exchange_n(&st[ST_INSIDE], 1, __ATOMIC_SEQ_CST) != 0)
      __atomic_fetch_add(&st[ST_OVERLAPS], 1, __ATOMIC_SEQ_CST);
    sleep_ms(30);
    __atomic_store_n(&st[ST_INSIDE], 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&st[ST_HOLDS], 1, __ATOMIC_SEQ_CST);
    sct_lock_release(leaderless_lock);
    sleep_ms(2);
  }
  /* The process ends with this thread. Without exit handlers: the main
   * thread's stack is gone, and with it the only references to what the
   * parent allocated before the fork, which a leak checker would report. */
  _exit(0);
}

/* The main thread starts the holder and exits: the process shows 'Z' in
 * /proc while the holder runs. */
static int child_leaderless(const sct_args_t *args) {
  sct_obj_t *stats;
  pthread_t thread;
  if (sct_args_lock(args, 0, &leaderless_lock) != 0 ||
      sct_args_obj(args, 1, &stats) != 0)
    return 10;
  leaderless_stats = sct_obj_ptr(stats);
  if (pthread_create(&thread, NULL, leaderless_holder, NULL) != 0)
    return 11;
  pthread_exit(NULL);
}

static void test_exited_main_thread(void) {
  sct_lock_t *lock;
  sct_obj_t *stats;
  int64_t false_deaths = 0, overlaps = 0;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawarray_new(&stats, type_of('q'), ST_N, NULL));
  int64_t *st = sct_obj_ptr(stats);
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(stats)};
  sct_process_t *p = start_child("identity.leaderless", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  for (int i = 0; i < 100000; i++) {
    if (__atomic_load_n(&st[ST_HOLDS], __ATOMIC_SEQ_CST) +
            __atomic_load_n(&st[ST_ERRORS], __ATOMIC_SEQ_CST) >=
        LEADERLESS_HOLDS)
      break;
    int rc = sct_lock_acquire(lock, 5000);
    if (rc == SCT_EOWNERDEAD)
      false_deaths++;
    if (rc != 0 && rc != SCT_EOWNERDEAD)
      continue;
    if (__atomic_load_n(&st[ST_INSIDE], __ATOMIC_SEQ_CST) != 0)
      overlaps++;
    ASSERT_OK(sct_lock_release(lock));
    sleep_ms(1);
  }
  CU_ASSERT_EQUAL(finish_child(p), 0);
  CU_ASSERT_EQUAL(false_deaths, 0);
  CU_ASSERT_EQUAL(overlaps, 0);
  CU_ASSERT_EQUAL(st[ST_OVERLAPS], 0);
  CU_ASSERT_EQUAL(st[ST_ERRORS], 0);
  CU_ASSERT_EQUAL(st[ST_HOLDS], LEADERLESS_HOLDS);
  ASSERT_OK(sct_obj_free(stats));
  ASSERT_OK(sct_lock_free(lock));
}

/* ---- no descriptor left when the identity is first needed ---- */

/* Uses up every descriptor: the soft limit is lowered first so that this
 * takes a few dozen opens, not a million. */
static void exhaust_descriptors(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 256) {
    rl.rlim_cur = 256;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  while (open("/dev/null", O_RDONLY) >= 0)
    ;
}

static int child_hold_without_descriptors(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  exhaust_descriptors();
  if (open("/dev/null", O_RDONLY) >= 0 || errno != EMFILE)
    return 11;
  if (sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 12;
  sct_value_add(flag, 1, NULL);
  sleep_forever();
}

/* A process registers when the library starts (or forks), so running out
 * of descriptors later does not stop it from owning a lock, and its death
 * is reported. */
static void test_descriptors_exhausted_process(void) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("identity.nofds-hold", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  CU_ASSERT_FATAL(wait_for_flag(flag, 1));
  ASSERT_OK(sct_process_kill(p));
  ASSERT_RC(sct_lock_acquire(lock, 10000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  CU_ASSERT_EQUAL(finish_child(p), -SIGKILL);
  ASSERT_OK(sct_obj_free(flag));
  ASSERT_OK(sct_lock_free(lock));
}

typedef struct thread_try {
  sct_lock_t *lock;
  int rc;
} thread_try_t;

static void try_rlock(void *arg) {
  thread_try_t *t = arg;
  t->rc = sct_lock_acquire(t->lock, 0);
  if (t->rc == 0)
    sct_lock_release(t->lock);
}

/* A new thread with no descriptor left cannot register as an RLock
 * owner: it is refused with an error instead of holding the lock under an
 * identity whose death nobody could see. */
static int child_thread_without_descriptors(const sct_args_t *args) {
  thread_try_t t = {NULL, 0};
  sct_obj_t *result;
  if (sct_args_lock(args, 0, &t.lock) != 0 ||
      sct_args_obj(args, 1, &result) != 0)
    return 10;
  exhaust_descriptors();
  if (test_thread_run(try_rlock, &t) != 0)
    return 11;
  return sct_value_set_i64(result, t.rc) == 0 ? 0 : 12;
}

static void test_descriptors_exhausted_thread(void) {
  sct_lock_t *lock;
  sct_obj_t *result;
  long owner = 1;
  int64_t rc = 0;
  ASSERT_OK(sct_lock_new(&lock, SCT_RLOCK));
  ASSERT_OK(sct_rawvalue_new(&result, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(result)};
  CU_ASSERT_EQUAL(run_child("identity.nofds-thread", args, 2), 0);
  ASSERT_OK(sct_value_get_i64(result, &rc));
  CU_ASSERT_EQUAL(rc, SCT_ENOMEM);
  ASSERT_OK(sct_lock_owner(lock, &owner));
  CU_ASSERT_EQUAL(owner, 0);
  ASSERT_OK(sct_lock_acquire(lock, 0));
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_obj_free(result));
  ASSERT_OK(sct_lock_free(lock));
}

/* ---- forged and foreign named locks ---- */

/* Byte offsets in a named lock's page (src/sync/lock.c, src/base/internal.h):
 * ready, version, then the state: word, count, kind, sleepers, key. */
enum { PAGE_READY = 0, PAGE_VERSION = 4, PAGE_COUNT = 16, PAGE_KIND = 20 };

static void poke32(const char *path, long offset, uint32_t value) {
  int fd = open(path, O_RDWR);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(pwrite(fd, &value, 4, offset), 4);
  close(fd);
}

static uint32_t peek32(const char *path, long offset) {
  uint32_t value = 0;
  int fd = open(path, O_RDONLY);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(pread(fd, &value, 4, offset), 4);
  close(fd);
  return value;
}

/* Opening a lock whose page was altered at @p offset says SCT_ETYPE;
 * restored, it opens again. */
static void forged(const char *name, const char *path, long offset,
                   uint32_t value) {
  sct_lock_t *lock;
  uint32_t saved = peek32(path, offset);
  poke32(path, offset, value);
  ASSERT_RC(sct_lock_open_named(&lock, name), SCT_ETYPE);
  poke32(path, offset, saved);
  ASSERT_OK(sct_lock_open_named(&lock, name));
  ASSERT_OK(sct_lock_free(lock));
}

static void test_forged_lock_page(void) {
  char name[80], path[300];
  sct_lock_t *lock;
  unique("forged", name, sizeof name);
  (void)sct_lock_unlink_named(name);
  ASSERT_OK(sct_lock_create_named(&lock, name, SCT_LOCK));
  ASSERT_OK(sct_lock_free(lock));
  shm_file("lock", name, path, sizeof path);
  forged(name, path, PAGE_KIND, 77);
  forged(name, path, PAGE_KIND, 0);
  forged(name, path, PAGE_COUNT, 3); /* a Lock has no count */
  forged(name, path, PAGE_VERSION, 1);
  forged(name, path, PAGE_VERSION, 0xffffffffu);
  forged(name, path, PAGE_READY, 0x12345678u);
  ASSERT_OK(sct_lock_unlink_named(name));
}

/* Files under a lock's name that are no lock at all. */
static void test_not_a_lock(void) {
  char name[80], path[300], garbage[4096];
  sct_lock_t *lock;
  sct_segment_t *seg;
  unique("notalock", name, sizeof name);
  shm_file("lock", name, path, sizeof path);

  memset(garbage, 0x5a, sizeof garbage);
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
  close(fd);
  ASSERT_RC(sct_lock_open_named(&lock, name), SCT_ETYPE);
  CU_ASSERT_EQUAL(unlink(path), 0);

  /* Empty, or zeros: a creator that died before finishing. */
  fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  ASSERT_RC(sct_lock_open_named(&lock, name), SCT_ETYPE);
  CU_ASSERT_EQUAL(truncate(path, 4096), 0);
  ASSERT_RC(sct_lock_open_named(&lock, name), SCT_ETYPE);
  CU_ASSERT_EQUAL(unlink(path), 0);

  /* A FIFO: opening must neither block nor map it. */
  CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
  ASSERT_RC(sct_lock_open_named(&lock, name), SCT_ETYPE);
  CU_ASSERT_EQUAL(unlink(path), 0);
  shm_file("seg", name, path, sizeof path);
  CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
  ASSERT_RC(sct_segment_open(&seg, name), SCT_ETYPE);
  CU_ASSERT_EQUAL(unlink(path), 0);
}

/* Our own objects, but opened up to the group or to others. */
static void test_widened_permissions(void) {
  char name[80], path[300];
  sct_lock_t *lock, *opened;
  sct_segment_t *seg, *seg2;
  unique("widened", name, sizeof name);
  (void)sct_lock_unlink_named(name);
  (void)sct_segment_unlink(name);
  ASSERT_OK(sct_lock_create_named(&lock, name, SCT_LOCK));
  ASSERT_OK(sct_segment_create(&seg, name, 64));
  shm_file("lock", name, path, sizeof path);
  CU_ASSERT_EQUAL(chmod(path, 0660), 0);
  ASSERT_RC(sct_lock_open_named(&opened, name), SCT_EACCES);
  ASSERT_RC(sct_lock_open_named_flags(&opened, name, 2), SCT_EINVAL);
  ASSERT_RC(sct_lock_open_named_flags(NULL, name, SCT_OPEN_ANY_OWNER),
            SCT_EINVAL);
  ASSERT_OK(sct_lock_open_named_flags(&opened, name, SCT_OPEN_ANY_OWNER));
  ASSERT_OK(sct_lock_free(opened));
  shm_file("seg", name, path, sizeof path);
  CU_ASSERT_EQUAL(chmod(path, 0604), 0);
  ASSERT_RC(sct_segment_open(&seg2, name), SCT_EACCES);
  ASSERT_RC(sct_segment_open_flags(&seg2, name, 4), SCT_EINVAL);
  ASSERT_OK(sct_segment_open_flags(&seg2, name, SCT_OPEN_ANY_OWNER));
  ASSERT_OK(sct_segment_close(seg2));
  ASSERT_OK(sct_segment_close(seg));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_lock_unlink_named(name));
  ASSERT_OK(sct_segment_unlink(name));
}

/*
 * Another user creates the names first and makes them world-writable:
 * they are refused unless asked for; asked for, the lock works across
 * users, and its owner's death (the other user's process) is reported.
 */
static void test_squatted_names(void) {
  char lock_name[80], seg_name[80], copy[128];
  uid_t uid;
  gid_t gid;
  sct_lock_t *lock = NULL;
  sct_segment_t *seg = NULL;
  unsigned count = 0;
  if (geteuid() != 0 || !test_user(SQUAT_USER, &uid, &gid) ||
      !copy_self(copy, sizeof copy)) {
    test_skip("squatted names", "needs root to add and become a second user");
    return;
  }
  unique("squat", lock_name, sizeof lock_name);
  unique("squatseg", seg_name, sizeof seg_name);
  (void)sct_lock_unlink_named(lock_name);
  (void)sct_segment_unlink(seg_name);
  char *const argv[] = {copy,       "--helper", "identity", "squat",
                        lock_name, seg_name,   NULL};
  pid_t pid = start_as(uid, gid, copy, argv);
  int rc = SCT_ENOENT;
  for (int i = 0; i < 5000 && rc == SCT_ENOENT; i++, sleep_ms(1))
    rc = sct_lock_open_named(&lock, lock_name);
  ASSERT_RC(rc, SCT_EACCES);
  ASSERT_RC(sct_segment_open(&seg, seg_name), SCT_EACCES);
  ASSERT_OK(sct_segment_open_flags(&seg, seg_name, SCT_OPEN_ANY_OWNER));
  ASSERT_OK(sct_lock_open_named_flags(&lock, lock_name, SCT_OPEN_ANY_OWNER));
  for (int i = 0; i < 5000 && count == 0; i++, sleep_ms(1))
    ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 1);
  ASSERT_RC(sct_lock_acquire(lock, 10000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  CU_ASSERT_EQUAL(wait_command(pid), -SIGKILL);
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_segment_close(seg));
  ASSERT_OK(sct_lock_unlink_named(lock_name));
  ASSERT_OK(sct_segment_unlink(seg_name));
  unlink(copy);
}

/* ---- a memory cgroup smaller than the request ---- */

/* This process's directory in the cgroup hierarchy that limits memory:
 * v1's memory controller, or v2 where it has the memory controller. */
static int memory_cgroup(char *dir, size_t cap, int *v1) {
  char line[512];
  FILE *f = fopen("/proc/self/cgroup", "re");
  int found = 0;
  while (f && !found && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *list = strchr(line, ':');
    char *path = list ? strchr(list + 1, ':') : NULL;
    if (!path)
      continue;
    if (strncmp(list, ":memory:", 8) == 0) {
      snprintf(dir, cap, "/sys/fs/cgroup/memory%s", path + 1);
      found = *v1 = 1;
    } else if (strncmp(list, "::", 2) == 0) {
      char controllers[600];
      snprintf(dir, cap, "/sys/fs/cgroup%s", path + 1);
      snprintf(controllers, sizeof controllers, "%s/cgroup.controllers", dir);
      FILE *c = fopen(controllers, "re");
      char text[256] = "";
      if (c) {
        if (!fgets(text, sizeof text, c))
          text[0] = '\0';
        fclose(c);
      }
      *v1 = 0;
      found = strstr(text, "memory") != NULL;
    }
  }
  if (f)
    fclose(f);
  return found;
}

static int write_file(const char *dir, const char *file, const char *text) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "we");
  if (!f)
    return -1;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Moves itself into the cgroup, then asks for more than it allows. */
static int child_in_small_cgroup(const sct_args_t *args) {
  const char *dir;
  char pid[32];
  sct_obj_t *big;
  if (sct_args_str(args, 0, &dir) != 0)
    return 10;
  snprintf(pid, sizeof pid, "%ld\n", test_pid());
  if (write_file(dir, "cgroup.procs", pid) != 0)
    return 11;
  int rc = sct_rawarray_new(&big, type_of('b'), (size_t)1 << 30, NULL);
  if (rc == 0)
    sct_obj_free(big);
  return rc == SCT_ENOMEM ? 0 : 12;
}

static void test_cgroup_limit(void) {
  char parent[400], dir[500];
  int v1 = 0;
  if (!memory_cgroup(parent, sizeof parent, &v1)) {
    test_skip("cgroup limit", "no memory cgroup controller here");
    return;
  }
  snprintf(dir, sizeof dir, "%s/sct-test-%ld", parent, test_pid());
  if (mkdir(dir, 0755) != 0) {
    test_skip("cgroup limit", "the cgroup filesystem is not writable");
    return;
  }
  const char *limit_file = v1 ? "memory.limit_in_bytes" : "memory.max";
  CU_ASSERT_EQUAL(write_file(dir, limit_file, "268435456\n"), 0);
  sct_arg_t args[] = {SCT_ASTR(dir)};
  CU_ASSERT_EQUAL(run_child("identity.cgroup", args, 1), 0);
  CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* ---- a waiter killed while it sleeps ---- */

enum { PAGE_WORD_HIGH = 12, PAGE_SLEEPERS = 24 };

static int child_wait_forever(const sct_args_t *args) {
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_lock(args, 0, &lock) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  sct_value_add(flag, 1, NULL);
  sct_lock_acquire(lock, SCT_INFINITE);
  return 11;
}

/*
 * A waiter killed asleep is no longer counted once a release found nobody
 * to wake, so later releases make no wake call for it; and the lock still
 * counts exactly under contention afterwards.
 */
/* The count of sleepers in a lock page: the low 20 bits of its sleepers
 * word (the others say who watches the owner; src/sync/lockword.h). */
static uint32_t sleepers_in(const char *path) {
  return peek32(path, PAGE_SLEEPERS) & 0xFFFFFu;
}

static void test_killed_sleeper_forgotten(void) {
  char name[80], seg_name[80], path[300];
  sct_lock_t *lock;
  sct_segment_t *seg;
  sct_obj_t *flag;
  unique("sleeper", name, sizeof name);
  unique("sleeperseg", seg_name, sizeof seg_name);
  shared_stats_t *st = make_shared(name, seg_name, SCT_LOCK, &lock, &seg);
  CU_ASSERT_FATAL(st != NULL);
  shm_file("lock", name, path, sizeof path);
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  ASSERT_OK(sct_lock_acquire(lock, 0));
  sct_arg_t args[] = {SCT_ALOCK(lock), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("identity.waiter", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  CU_ASSERT_FATAL(wait_for_flag(flag, 1));
  /* Asleep: it has counted itself and marked the word. */
  for (int i = 0; i < 5000 && sleepers_in(path) == 0; i++)
    sleep_ms(1);
  CU_ASSERT_EQUAL(sleepers_in(path), 1);
  CU_ASSERT_NOT_EQUAL(peek32(path, PAGE_WORD_HIGH) & 0x80000000u, 0);
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -SIGKILL);
  CU_ASSERT_EQUAL(sleepers_in(path), 1); /* still counted */
  ASSERT_OK(sct_lock_release(lock));      /* wakes nobody */
  CU_ASSERT_EQUAL(sleepers_in(path), 0);  /* forgotten */

  char n[32];
  char exe[4096];
  self_exe(exe, sizeof exe);
  snprintf(n, sizeof n, "%d", COUNT_PER_WORKER / 2);
  char *argv[] = {exe, "--helper", "identity", "count", name, seg_name, n, NULL};
  pid_t a = start_command(argv);
  pid_t b = start_command(argv);
  CU_ASSERT_EQUAL(wait_command(a), 0);
  CU_ASSERT_EQUAL(wait_command(b), 0);
  CU_ASSERT_EQUAL(st->count, COUNT_PER_WORKER);
  CU_ASSERT_EQUAL(st->overlaps + st->false_deaths + st->errors, 0);
  ASSERT_OK(sct_obj_free(flag));
  drop_shared(name, seg_name, lock, seg);
}

static CU_TestInfo tests[] = {
    {"PID namespaces: Lock", test_namespaces_lock},
    {"PID namespaces: RLock", test_namespaces_rlock},
    {"no /proc", test_without_proc},
    {"exited main thread", test_exited_main_thread},
    {"no descriptors: process", test_descriptors_exhausted_process},
    {"no descriptors: thread", test_descriptors_exhausted_thread},
    {"forged lock page", test_forged_lock_page},
    {"not a lock", test_not_a_lock},
    {"widened permissions", test_widened_permissions},
    {"squatted names", test_squatted_names},
    {"cgroup limit", test_cgroup_limit},
    {"killed sleeper forgotten", test_killed_sleeper_forgotten},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"identity.leaderless", child_leaderless},
    {"identity.nofds-hold", child_hold_without_descriptors},
    {"identity.nofds-thread", child_thread_without_descriptors},
    {"identity.cgroup", child_in_small_cgroup},
    {"identity.waiter", child_wait_forever}};

const test_suite_t suite_identity = {
    "identity", tests, targets, sizeof targets / sizeof targets[0],
    identity_helper};
