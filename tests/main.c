/*
 * sct_tests: every CUnit suite in one binary.
 *
 *   sct_tests              run every suite
 *   sct_tests --list       print the suite names
 *   sct_tests --suite NAME run one suite (one ctest test per suite)
 *   ... --start fork|spawn start children that way (default: fork)
 *
 * The exit status is non-zero when any assertion or suite set-up failed:
 * CUnit's own CU_get_error() does not say so, so the failure records are
 * counted before the registry is cleaned up.
 */
#define _GNU_SOURCE
#include "test.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN /* no rpcndr.h, whose SDK version defines small */
#endif
#include <windows.h>
#endif

static const test_suite_t *const suites[] = {
    &suite_errors,   &suite_types,   &suite_heap,       &suite_objects,
    &suite_format,   &suite_locks,   &suite_ownerdeath, &suite_named,
    &suite_process,  &suite_stress,  &suite_spawn,      &suite_waiting,
    &suite_space,    &suite_compact, &suite_wakeups,    &suite_waitany,
#ifdef __linux__
    &suite_identity,
#endif
#ifdef SCT_TEST_HOOKS
    &suite_races,
#ifdef __linux__
    &suite_liveness,
#endif
#endif
};
#define NSUITES (sizeof suites / sizeof suites[0])
#define MAX_TARGETS 64

const sct_type_t *type_of(char code) {
  const sct_type_t *t = NULL;
  (void)sct_type_from_code(code, &t);
  return t;
}

void sleep_ms(int ms) {
#ifdef _WIN32
  Sleep((DWORD)ms);
#else
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
#endif
}

int64_t test_now_ns(void) {
#ifdef _WIN32
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (int64_t)(c.QuadPart / f.QuadPart * 1000000000 +
                   c.QuadPart % f.QuadPart * 1000000000 / f.QuadPart);
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
}

_Noreturn void sleep_forever(void) {
  for (;;)
    sleep_ms(1000);
}

sct_process_t *start_child(const char *target, const sct_arg_t *args,
                           size_t nargs) {
  sct_process_t *p = NULL;
  if (sct_process_new(&p, target, args, nargs) != 0)
    return NULL;
  if (sct_process_start(p) != 0) {
    sct_process_free(p);
    return NULL;
  }
  return p;
}

int finish_child(sct_process_t *p) {
  int code = -1000;
  if (!p)
    return code;
  if (sct_process_join(p, 60000) != 0) {
    sct_process_kill(p);
    sct_process_join(p, SCT_INFINITE);
  } else if (sct_process_exitcode(p, &code) != 0) {
    code = -1000;
  }
  sct_process_free(p);
  return code;
}

int run_child(const char *target, const sct_arg_t *args, size_t nargs) {
  return finish_child(start_child(target, args, nargs));
}

int wait_for_flag(sct_obj_t *flag, int64_t want) {
  for (int i = 0; i < 10000; i++) {
    int64_t v = 0;
    if (sct_value_get_i64(flag, &v) == 0 && v == want)
      return 1;
    sleep_ms(1);
  }
  return 0;
}

/* Tests that skipped: with no failure, the run exits with TEST_SKIPPED,
 * which ctest reports as skipped (SKIP_RETURN_CODE), not passed. */
static int skipped;

void test_skip(const char *test, const char *why) {
  const char *strict = getenv("SCT_TEST_NO_SKIP");
  int must_run = strict && strcmp(strict, "1") == 0;
  fprintf(stderr, "\n  %s: %s: %s\n",
          must_run ? "NOT RUN (SCT_TEST_NO_SKIP=1)" : "skipped", test, why);
  if (must_run)
    CU_FAIL("a test that must run was skipped");
  skipped++;
}

/* `--helper SUITE ARGS...`: runs the suite's helper, not the tests. */
static int run_helper(int argc, char **argv) {
  for (size_t i = 0; i < NSUITES; i++)
    if (strcmp(suites[i]->name, argv[2]) == 0 && suites[i]->helper)
      return suites[i]->helper(argc - 3, argv + 3);
  fprintf(stderr, "sct_tests: no helper in suite '%s'\n", argv[2]);
  return 2;
}

static int register_suite(const test_suite_t *s) {
  CU_pSuite suite = CU_add_suite(s->name, NULL, NULL);
  if (!suite)
    return -1;
  for (CU_TestInfo *t = s->tests; t->pName; t++)
    if (!CU_add_test(suite, t->pName, t->pTestFunc))
      return -1;
  return 0;
}

int main(int argc, char **argv) {
  static sct_target_t targets[MAX_TARGETS];
  size_t ntargets = 0;
  if (argc >= 3 && strcmp(argv[1], "--helper") == 0)
    return run_helper(argc, argv);
  for (size_t i = 0; i < NSUITES; i++) {
    for (size_t j = 0; j < suites[i]->ntargets; j++) {
      if (ntargets == MAX_TARGETS) {
        fprintf(stderr, "sct_tests: raise MAX_TARGETS\n");
        return 2;
      }
      targets[ntargets++] = suites[i]->targets[j];
    }
  }
  int rc = sct_main(argc, argv, targets, ntargets);
  if (rc != 0) {
    fprintf(stderr, "sct_tests: sct_main: %s\n", sct_err_name(rc));
    return 2;
  }

  const char *only = NULL;
  if (argc >= 3 && strcmp(argv[argc - 2], "--start") == 0) {
    const char *method = argv[argc - 1];
    sct_start_method_t m = strcmp(method, "fork") == 0    ? SCT_START_FORK
                           : strcmp(method, "spawn") == 0 ? SCT_START_SPAWN
                                                          : SCT_START_DEFAULT;
    if (m == SCT_START_DEFAULT || sct_set_start_method(m) != 0) {
      fprintf(stderr, "sct_tests: unknown start method '%s'\n", method);
      return 2;
    }
    argc -= 2;
  }
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < NSUITES; i++)
      puts(suites[i]->name);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "--suite") == 0) {
    only = argv[2];
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [--list | --suite NAME]\n", argv[0]);
    return 2;
  }

  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  int found = 0;
  for (size_t i = 0; i < NSUITES; i++) {
    if (only && strcmp(only, suites[i]->name) != 0)
      continue;
    found = 1;
    if (register_suite(suites[i]) != 0) {
      CU_cleanup_registry();
      return 2;
    }
  }
  if (!found) {
    fprintf(stderr, "sct_tests: no suite named '%s'\n", only);
    CU_cleanup_registry();
    return 2;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failure_records();
  unsigned ran = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  if (ran == 0) {
    fprintf(stderr, "sct_tests: no test ran\n");
    return 1;
  }
  if (failures != 0)
    return 1;
  return skipped ? TEST_SKIPPED : 0;
}
