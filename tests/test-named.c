/* Named locks and segments, for processes that share no parent. */
#define _GNU_SOURCE
#include "test.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

/* A name unique to this run, so parallel runs do not collide, after a
 * namespace prefix ("" for none). */
static const char *unique_in(const char *prefix, const char *base) {
  static char name[80];
  snprintf(name, sizeof name, "%ssct-test-%s-%ld", prefix, base, test_pid());
  return name;
}

static const char *unique(const char *base) {
  return unique_in("", base);
}

/* The namespaces the cross-process tests run in. */
static const char *const prefixes[] = {"", "Global\\"};
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

static void test_name_rules(void) {
  sct_segment_t *seg;
  sct_lock_t *lock;
  char longest[202];
  ASSERT_RC(sct_segment_create(&seg, NULL, 64), SCT_EINVAL);
  ASSERT_RC(sct_segment_create(&seg, "", 64), SCT_ENAME);
  ASSERT_RC(sct_segment_create(&seg, "a/b", 64), SCT_ENAME);
  ASSERT_RC(sct_segment_create(&seg, ".hidden", 64), SCT_ENAME);
  ASSERT_RC(sct_segment_create(&seg, "with space", 64), SCT_ENAME);
  ASSERT_RC(sct_lock_create_named(&lock, "caf\xc3\xa9", SCT_LOCK), SCT_ENAME);
  ASSERT_RC(sct_lock_open_named(&lock, ""), SCT_ENAME);
  ASSERT_RC(sct_lock_unlink_named("x/y"), SCT_ENAME);
  ASSERT_RC(sct_segment_unlink(NULL), SCT_EINVAL);
  memset(longest, 'n', 201);
  longest[201] = '\0';
  /* Unique to this process, so that suites run in parallel (ctest -j)
   * never make the same name. */
  char pid[24];
  int digits = snprintf(pid, sizeof pid, "%ld", test_pid());
  memcpy(longest, pid, (size_t)digits);
  ASSERT_RC(sct_segment_create(&seg, longest, 64), SCT_ENAME);
  longest[200] = '\0';
  ASSERT_OK(sct_segment_create(&seg, longest, 64));
  /* Unlinked while open: on Windows a name goes with its last handle. */
  ASSERT_OK(sct_segment_unlink(longest));
  ASSERT_OK(sct_segment_close(seg));
  ASSERT_RC(sct_segment_create(&seg, "fine", 0), SCT_EINVAL);
  ASSERT_RC(sct_segment_create(NULL, "fine", 64), SCT_EINVAL);
  ASSERT_RC(sct_lock_create_named(&lock, "fine", (sct_lock_kind_t)0),
            SCT_EINVAL);
  ASSERT_RC(sct_segment_close(NULL), SCT_EINVAL);
  /* Namespace prefixes: exactly "Local\\" or "Global\\", then a name. */
  const char *bad[] = {"Global\\",         "Local\\",          "Global\\.x",
                       "Global\\a\\b",     "global\\x",        "Session\\1\\x",
                       "Local\\Global\\x", "Global\\Local\\x", "\\x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_RC(sct_segment_create(&seg, bad[i], 64), SCT_ENAME);
    ASSERT_RC(sct_lock_create_named(&lock, bad[i], SCT_LOCK), SCT_ENAME);
    ASSERT_RC(sct_lock_open_named(&lock, bad[i]), SCT_ENAME);
    ASSERT_RC(sct_segment_unlink(bad[i]), SCT_ENAME);
  }
}

/* "Local\\x" is "x" everywhere; "Global\\x" is another object on Windows
 * and the same one on POSIX, which has one namespace. */
static void test_namespaces(void) {
  char bare[80], local[80], global[80];
  sct_segment_t *a, *b, *c;
  strcpy(bare, unique_in("", "ns"));
  strcpy(local, unique_in("Local\\", "ns"));
  strcpy(global, unique_in("Global\\", "ns"));
  ASSERT_OK(sct_segment_create(&a, bare, 64));
  ASSERT_RC(sct_segment_create(&b, local, 64), SCT_EEXIST);
  ASSERT_OK(sct_segment_open(&b, local));
  CU_ASSERT_PTR_NOT_EQUAL(sct_segment_ptr(b), NULL);
  strcpy(sct_segment_ptr(a), "bare");
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(b), "bare");
#ifdef _WIN32
  ASSERT_OK(sct_segment_create(&c, global, 64));
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(c), "");
  ASSERT_OK(sct_segment_unlink(global));
  ASSERT_OK(sct_segment_close(c));
#else
  ASSERT_RC(sct_segment_create(&c, global, 64), SCT_EEXIST);
  ASSERT_OK(sct_segment_open(&c, global));
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(c), "bare");
  ASSERT_OK(sct_segment_close(c));
#endif
  ASSERT_OK(sct_segment_unlink(local));
  ASSERT_OK(sct_segment_close(b));
  ASSERT_OK(sct_segment_close(a));
  ASSERT_RC(sct_segment_open(&a, bare), SCT_ENOENT);
}

static void test_segment_lifecycle(void) {
  const char *name = unique("seg");
  sct_segment_t *a, *b, *c;
  ASSERT_OK(sct_segment_create(&a, name, 4096));
  CU_ASSERT_EQUAL(sct_segment_size(a), 4096);
  ASSERT_RC(sct_segment_create(&b, name, 4096), SCT_EEXIST);
#ifndef _WIN32
  char path[128];
  struct stat st;
  snprintf(path, sizeof path, "/dev/shm/sct.seg.%s", name);
  CU_ASSERT_EQUAL(stat(path, &st), 0);
  CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
#endif
  strcpy(sct_segment_ptr(a), "shared");
  ASSERT_OK(sct_segment_open(&b, name));
  CU_ASSERT_EQUAL(sct_segment_size(b), 4096);
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(b), "shared");
  ASSERT_OK(sct_segment_close(a));
  ASSERT_OK(sct_segment_unlink(name));
  /* Still mapped by b after the name is gone. */
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(b), "shared");
#ifdef _WIN32
  /* Windows has no unlink: the name goes with the last handle. */
  ASSERT_OK(sct_segment_close(b));
#endif
  ASSERT_RC(sct_segment_open(&c, name), SCT_ENOENT);
  ASSERT_RC(sct_segment_unlink(name), SCT_ENOENT);
#ifndef _WIN32
  ASSERT_OK(sct_segment_close(b));
#endif
  /* A closed handle is reported, never read. */
  ASSERT_RC(sct_segment_close(b), SCT_ESTATE);
  CU_ASSERT_PTR_NULL(sct_segment_ptr(b));
  CU_ASSERT_EQUAL(sct_segment_size(b), 0);
}

/* An unrelated-style user: opens by name only, nothing inherited. */
static int child_use_named(const sct_args_t *args) {
  const char *seg_name, *lock_name;
  sct_segment_t *seg;
  sct_lock_t *lock;
  if (sct_args_str(args, 0, &seg_name) != 0 ||
      sct_args_str(args, 1, &lock_name) != 0)
    return 10;
  if (sct_segment_open(&seg, seg_name) != 0)
    return 11;
  if (sct_lock_open_named(&lock, lock_name) != 0)
    return 12;
  sct_lock_kind_t kind;
  if (sct_lock_kind(lock, &kind) != 0 || kind != SCT_RLOCK)
    return 13;
  if (sct_lock_acquire(lock, 0) != SCT_ETIMEDOUT) /* the parent holds it */
    return 14;
  sct_lock_t *passed; /* the same lock, passed as an argument */
  if (sct_args_lock(args, 2, &passed) != 0 ||
      sct_lock_acquire(passed, 0) != SCT_ETIMEDOUT)
    return 15;
  strcpy(sct_segment_ptr(seg), "from child");
  sct_lock_free(lock);
  sct_segment_close(seg);
  return 0;
}

static void named_across_processes_in(const char *prefix) {
  char seg_name[80], lock_name[80];
  strcpy(seg_name, unique_in(prefix, "xseg"));
  strcpy(lock_name, unique_in(prefix, "xlock"));
  sct_segment_t *seg;
  sct_lock_t *lock, *again;
  ASSERT_OK(sct_segment_create(&seg, seg_name, 128));
  ASSERT_OK(sct_lock_create_named(&lock, lock_name, SCT_RLOCK));
  ASSERT_RC(sct_lock_create_named(&again, lock_name, SCT_LOCK), SCT_EEXIST);
  ASSERT_OK(sct_lock_acquire(lock, 0));
  sct_arg_t args[] = {SCT_ASTR(seg_name), SCT_ASTR(lock_name), SCT_ALOCK(lock)};
  CU_ASSERT_EQUAL(run_child("named.use", args, 3), 0);
  CU_ASSERT_STRING_EQUAL(sct_segment_ptr(seg), "from child");
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_unlink_named(lock_name));
  ASSERT_OK(sct_lock_free(lock)); /* Windows: the last handle takes the name */
  ASSERT_RC(sct_lock_open_named(&again, lock_name), SCT_ENOENT);
  ASSERT_RC(sct_lock_unlink_named(lock_name), SCT_ENOENT);
  ASSERT_OK(sct_segment_unlink(seg_name));
  ASSERT_OK(sct_segment_close(seg));
}

static void test_named_across_processes(void) {
  for (size_t i = 0; i < NPREFIXES; i++)
    named_across_processes_in(prefixes[i]);
}

/* A named lock whose holder was killed is reported like any other. */
static int child_hold_named(const sct_args_t *args) {
  const char *name;
  sct_obj_t *flag;
  sct_lock_t *lock;
  if (sct_args_str(args, 0, &name) != 0 || sct_args_obj(args, 1, &flag) != 0)
    return 10;
  if (sct_lock_open_named(&lock, name) != 0 ||
      sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 11;
  sct_value_set_i64(flag, 1);
  sleep_forever();
}

static void named_owner_death_in(const char *prefix) {
  char name[80];
  strcpy(name, unique_in(prefix, "dlock"));
  sct_lock_t *lock;
  sct_obj_t *flag;
  ASSERT_OK(sct_lock_create_named(&lock, name, SCT_LOCK));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ASTR(name), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("named.hold", args, 2);
  CU_ASSERT(wait_for_flag(flag, 1));
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -SIGKILL);
  ASSERT_RC(sct_lock_acquire(lock, SCT_INFINITE), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_unlink_named(name));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
}

static void test_named_owner_death(void) {
  for (size_t i = 0; i < NPREFIXES; i++)
    named_owner_death_in(prefixes[i]);
}

/* Opening a named RLock while another thread takes and gives it back:
 * every open succeeds (a lock in use is still a lock). */
typedef struct busy_rlock {
  sct_lock_t *lock;
  const char *name;
  int stop;
  int failures;
} busy_rlock_t;

typedef struct busy_role {
  busy_rlock_t *shared;
  int opener;
} busy_role_t;

static void busy_rlock_role(void *arg) {
  const busy_role_t *role = arg;
  busy_rlock_t *b = role->shared;
  if (role->opener) {
    for (int i = 0; i < 20000; i++) {
      sct_lock_t *opened;
      if (sct_lock_open_named(&opened, b->name) != 0 ||
          sct_lock_free(opened) != 0)
        __atomic_fetch_add(&b->failures, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&b->stop, 1, __ATOMIC_SEQ_CST);
    return;
  }
  while (!__atomic_load_n(&b->stop, __ATOMIC_SEQ_CST))
    if (sct_lock_acquire(b->lock, SCT_INFINITE) != 0 ||
        sct_lock_release(b->lock) != 0)
      __atomic_fetch_add(&b->failures, 1, __ATOMIC_SEQ_CST);
}

static void test_open_busy_rlock(void) {
  busy_rlock_t b = {NULL, unique("busy-rlock"), 0, 0};
  busy_role_t user = {&b, 0}, opener = {&b, 1};
  (void)sct_lock_unlink_named(b.name);
  ASSERT_OK(sct_lock_create_named(&b.lock, b.name, SCT_RLOCK));
  CU_ASSERT_EQUAL(
      test_threads_run(busy_rlock_role, (void *const[]){&user, &opener}, 2), 0);
  CU_ASSERT_EQUAL(b.failures, 0);
  ASSERT_OK(sct_lock_unlink_named(b.name));
  ASSERT_OK(sct_lock_free(b.lock));
}

#ifdef _WIN32
/* A section under sct's name that sct did not make: a default security
 * descriptor, whose owner is not (or, under Wine, not recorded as) the
 * current user. It is refused unless asked for. */
static void test_foreign_owner(void) {
  const char *name = unique("foreign");
  wchar_t path[200];
  sct_segment_t *seg;
  swprintf(path, 200, L"Local\\sct.seg.%hs", name);
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                4096, path);
  CU_ASSERT_FATAL(h != NULL);
  ASSERT_RC(sct_segment_open(&seg, name), SCT_EACCES);
  ASSERT_OK(sct_segment_open_flags(&seg, name, SCT_OPEN_ANY_OWNER));
  ASSERT_OK(sct_segment_close(seg));
  CloseHandle(h);
}
#endif

static CU_TestInfo tests[] = {
    {"name rules", test_name_rules},
#ifdef _WIN32
    {"foreign owner", test_foreign_owner},
#endif
    {"segment lifecycle", test_segment_lifecycle},
    {"namespaces", test_namespaces},
    {"named across processes", test_named_across_processes},
    {"named owner death", test_named_owner_death},
    {"open a busy RLock", test_open_busy_rlock},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {{"named.use", child_use_named},
                                       {"named.hold", child_hold_named}};

const test_suite_t suite_named = {"named", tests, targets, 2, NULL};
