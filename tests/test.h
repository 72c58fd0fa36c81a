/* Shared declarations of the CUnit suites of sct_tests. */
#ifndef SCT_TEST_H
#define SCT_TEST_H

/* stdio.h first: under _MSC_VER CUnit.h defines snprintf as _snprintf,
 * which the Windows C runtime's stdio.h refuses to follow (and which
 * does not NUL-terminate a truncated string); the C99 one is wanted. */
#include <stdio.h>

#include <CUnit/CUnit.h>
#include <sct.h>
#undef snprintf

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "portable.h"

/* One suite: its tests, the child targets its tests start, and a helper
 * for tests that run this program by hand (`sct_tests --helper SUITE
 * ARGS...`, e.g. inside another PID namespace), or NULL. */
typedef struct test_suite {
  const char *name;
  CU_TestInfo *tests;
  const sct_target_t *targets;
  size_t ntargets;
  int (*helper)(int argc, char **argv);
} test_suite_t;

extern const test_suite_t suite_errors, suite_types, suite_heap, suite_objects,
    suite_format, suite_locks, suite_ownerdeath, suite_named, suite_process,
    suite_stress, suite_spawn, suite_waiting, suite_space, suite_compact,
    suite_wakeups, suite_waitany;
#ifdef __linux__
extern const test_suite_t suite_identity;
#endif
#ifdef SCT_TEST_HOOKS
extern const test_suite_t suite_races;
#ifdef __linux__
extern const test_suite_t suite_liveness;
#endif
/* The library's hook (src/base/testhook.h), set by the races suite. */
extern void (*volatile sct__test_hook)(const char *where, void *what);
#endif

/* The exit status of a test program whose tests passed but some skipped
 * (ctest's SKIP_RETURN_CODE for every test that can skip). */
#define TEST_SKIPPED 77

/* A test that cannot run on this machine says why. Where every test must
 * run (SCT_TEST_NO_SKIP=1, as in CI) skipping is a failure. */
void test_skip(const char *test, const char *why);

/* Asserts that an sct call returned @p expected, naming both on failure. */
#define ASSERT_RC(call, expected)                                              \
  do {                                                                         \
    int assert_rc_ = (call);                                                   \
    if (assert_rc_ != (expected))                                              \
      fprintf(stderr, "\n  %s:%d: %s gave %s, expected %s\n", __FILE__,        \
              __LINE__, #call, sct_err_name(assert_rc_),                       \
              sct_err_name(expected));                                         \
    CU_ASSERT_EQUAL(assert_rc_, (expected));                                   \
  } while (0)

#define ASSERT_OK(call) ASSERT_RC(call, 0)

/* Asserts that sct_last_detail() mentions @p text. */
#define ASSERT_DETAIL(text)                                                    \
  do {                                                                         \
    if (!strstr(sct_last_detail(), (text)))                                    \
      fprintf(stderr, "\n  %s:%d: detail \"%s\" lacks \"%s\"\n", __FILE__,   \
              __LINE__, sct_last_detail(), (text));                            \
    CU_ASSERT_PTR_NOT_NULL(strstr(sct_last_detail(), (text)));                 \
  } while (0)

/* A built-in type, for brevity. */
const sct_type_t *type_of(char code);

/*
 * Starts @p target in a child with @p args, waits up to 60 s, and returns
 * its exit code (or -1000 when it could not be run or did not end, after
 * killing it).
 */
int run_child(const char *target, const sct_arg_t *args, size_t nargs);

/* Starts a child without waiting; NULL on failure. */
sct_process_t *start_child(const char *target, const sct_arg_t *args,
                           size_t nargs);

/* Joins a child within 60 s (killing it otherwise) and frees it; returns
 * its exit code or -1000. */
int finish_child(sct_process_t *p);

/* Spins until the integer Value @p flag reaches @p want, at most 10 s;
 * returns 1 if it did. */
int wait_for_flag(sct_obj_t *flag, int64_t want);

void sleep_ms(int ms);

/* A monotonic clock in nanoseconds. */
int64_t test_now_ns(void);

/* For children that wait to be killed. */
_Noreturn void sleep_forever(void);

#endif
