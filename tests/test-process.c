/* Processes: targets, arguments, exit codes, signals, states. */
#define _GNU_SOURCE
#include "test.h"

#include <stdio.h>
#include <string.h>

static int child_check_args(const sct_args_t *args) {
  int64_t i;
  double d;
  const char *s;
  sct_obj_t *obj;
  sct_lock_t *lock;
  if (sct_args_count(args) != 5)
    return 10;
  if (sct_args_int(args, 0, &i) != 0 || i != -42)
    return 11;
  if (sct_args_double(args, 1, &d) != 0 || d != 2.5)
    return 12;
  if (sct_args_str(args, 2, &s) != 0 || strcmp(s, "hello") != 0)
    return 13;
  if (sct_args_obj(args, 3, &obj) != 0 || sct_value_get_i64(obj, &i) != 0 ||
      i != 7)
    return 14;
  if (sct_args_lock(args, 4, &lock) != 0 || sct_lock_acquire(lock, 0) != 0 ||
      sct_lock_release(lock) != 0)
    return 15;
  if (sct_args_int(args, 2, &i) != SCT_ETYPE ||
      sct_args_obj(args, 0, &obj) != SCT_ETYPE)
    return 16;
  if (sct_args_int(args, 5, &i) != SCT_ERANGE ||
      sct_args_str(args, 99, &s) != SCT_ERANGE)
    return 17;
  if (sct_args_int(args, 0, NULL) != SCT_EINVAL)
    return 18;
  return sct_value_set_i64(obj, 8) == 0 ? 0 : 19;
}

static void test_arguments(void) {
  sct_obj_t *v;
  sct_lock_t *lock;
  char text[8] = "hello";
  ASSERT_OK(sct_value_new(&v, type_of('i'), &(int){7}, NULL));
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  sct_arg_t args[] = {SCT_AINT(-42), SCT_ADOUBLE(2.5), SCT_ASTR(text),
                      SCT_AOBJ(v), SCT_ALOCK(lock)};
  sct_process_t *p;
  ASSERT_OK(sct_process_new(&p, "process.args", args, 5));
  strcpy(text, "bye"); /* the arguments were copied */
  ASSERT_OK(sct_process_start(p));
  CU_ASSERT_EQUAL(finish_child(p), 0);
  int64_t now = 0;
  ASSERT_OK(sct_value_get_i64(v, &now));
  CU_ASSERT_EQUAL(now, 8);
  ASSERT_OK(sct_obj_free(v));
  ASSERT_OK(sct_lock_free(lock));
}

/* The caller frees its handles between sct_process_new and start: the
 * process keeps them alive, the child gets them whole, and the memory
 * goes only with sct_process_free. */
static void test_arguments_freed_before_start(void) {
  sct_obj_t *v;
  sct_lock_t *lock;
  sct_process_t *p;
  sct_heap_stats_t before, during, after;
  ASSERT_OK(sct_heap_stats(&before));
  ASSERT_OK(sct_value_new(&v, type_of('i'), &(int){7}, NULL));
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  sct_arg_t args[] = {SCT_AINT(-42), SCT_ADOUBLE(2.5), SCT_ASTR("hello"),
                      SCT_AOBJ(v), SCT_ALOCK(lock)};
  ASSERT_OK(sct_process_new(&p, "process.args", args, 5));
  ASSERT_OK(sct_obj_free(v));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_RC(sct_obj_free(v), SCT_ESTATE); /* the caller's handle is gone */
  ASSERT_RC(sct_lock_free(lock), SCT_ESTATE);
  ASSERT_OK(sct_heap_stats(&during));
  CU_ASSERT_EQUAL(during.used_blocks, before.used_blocks + 2);
  ASSERT_OK(sct_process_start(p));
  ASSERT_OK(sct_process_join(p, 60000));
  int code = -1;
  ASSERT_OK(sct_process_exitcode(p, &code));
  CU_ASSERT_EQUAL(code, 0);
  ASSERT_OK(sct_process_free(p));
  ASSERT_OK(sct_heap_stats(&after));
  CU_ASSERT_EQUAL(after.used_blocks, before.used_blocks);
}

/* A freed process handle is reported, never read. */
static void test_freed_process_handle(void) {
  sct_process_t *p;
  long pid;
  int code;
  ASSERT_OK(sct_process_new(&p, "process.seven", NULL, 0));
  ASSERT_OK(sct_process_free(p));
  ASSERT_RC(sct_process_free(p), SCT_ESTATE);
  ASSERT_RC(sct_process_start(p), SCT_ESTATE);
  ASSERT_RC(sct_process_join(p, 0), SCT_ESTATE);
  ASSERT_RC(sct_process_exitcode(p, &code), SCT_ESTATE);
  ASSERT_RC(sct_process_pid(p, &pid), SCT_ESTATE);
  ASSERT_RC(sct_process_kill(p), SCT_ESTATE);
}

static int child_exit_seven(const sct_args_t *args) {
  (void)args;
  return 7;
}

static int child_sleep(const sct_args_t *args) {
  (void)args;
  sleep_forever();
}

static void test_exit_codes_and_signals(void) {
  CU_ASSERT_EQUAL(run_child("process.seven", NULL, 0), 7);
  sct_process_t *p = start_child("process.sleep", NULL, 0);
  ASSERT_OK(sct_process_terminate(p));
  CU_ASSERT_EQUAL(finish_child(p), -SIGTERM);
  p = start_child("process.sleep", NULL, 0);
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -SIGKILL);
}

static void test_join_timeout_and_state(void) {
  sct_process_t *p;
  int code = 0;
  long pid = -1;
  ASSERT_OK(sct_process_new(&p, "process.sleep", NULL, 0));
  ASSERT_OK(sct_process_pid(p, &pid));
  CU_ASSERT_EQUAL(pid, 0);
  ASSERT_RC(sct_process_join(p, 0), SCT_ESTATE);
  ASSERT_RC(sct_process_exitcode(p, &code), SCT_ESTATE);
  ASSERT_RC(sct_process_kill(p), SCT_ESTATE);
  CU_ASSERT_EQUAL(sct_process_is_alive(p), 0);
  ASSERT_OK(sct_process_start(p));
  ASSERT_RC(sct_process_start(p), SCT_ESTATE);
  ASSERT_RC(sct_process_set_start_method(p, SCT_START_SPAWN), SCT_ESTATE);
  ASSERT_OK(sct_process_pid(p, &pid));
  CU_ASSERT(pid > 0);
  ASSERT_RC(sct_process_join(p, 50), SCT_ETIMEDOUT);
  ASSERT_RC(sct_process_join(p, 0), SCT_ETIMEDOUT);
  /* Negative (not SCT_INFINITE): do not wait, as Python's join. */
  ASSERT_RC(sct_process_join(p, -5), SCT_ETIMEDOUT);
  CU_ASSERT_EQUAL(sct_process_is_alive(p), 1);
  ASSERT_RC(sct_process_exitcode(p, &code), SCT_ESTATE);
  ASSERT_OK(sct_process_kill(p));
  ASSERT_OK(sct_process_join(p, SCT_INFINITE));
  CU_ASSERT_EQUAL(sct_process_is_alive(p), 0);
  ASSERT_OK(sct_process_exitcode(p, &code));
  CU_ASSERT_EQUAL(code, -SIGKILL);
  ASSERT_RC(sct_process_join(p, 0), SCT_ESTATE); /* joined twice */
  ASSERT_OK(sct_process_kill(p));                /* ended: nothing to do */
  ASSERT_OK(sct_process_free(p));
}

static void test_bad_inputs(void) {
  sct_process_t *p;
  sct_obj_t *freed;
  ASSERT_RC(sct_process_new(&p, "no.such.target", NULL, 0), SCT_ENOTARGET);
  ASSERT_RC(sct_process_new(NULL, "process.seven", NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_process_new(&p, NULL, NULL, 0), SCT_EINVAL);
  ASSERT_RC(sct_process_new(&p, "process.seven", NULL, 2), SCT_EINVAL);
  sct_arg_t bad_kind[] = {{(sct_arg_kind_t)99, {.i = 0}}};
  ASSERT_RC(sct_process_new(&p, "process.seven", bad_kind, 1), SCT_EINVAL);
  sct_arg_t null_str[] = {SCT_ASTR(NULL)};
  ASSERT_RC(sct_process_new(&p, "process.seven", null_str, 1), SCT_EINVAL);
  sct_arg_t null_obj[] = {SCT_AOBJ(NULL)};
  ASSERT_RC(sct_process_new(&p, "process.seven", null_obj, 1), SCT_EINVAL);
  ASSERT_OK(sct_rawvalue_new(&freed, type_of('i'), NULL));
  ASSERT_OK(sct_obj_free(freed));
  sct_arg_t stale[] = {SCT_AOBJ(freed)};
  ASSERT_RC(sct_process_new(&p, "process.seven", stale, 1), SCT_ESTATE);
  ASSERT_OK(sct_process_new(&p, "process.seven", NULL, 0));
  ASSERT_RC(sct_process_set_start_method(p, (sct_start_method_t)42),
            SCT_EINVAL);
  ASSERT_OK(sct_process_set_start_method(p, SCT_START_SPAWN));
  ASSERT_OK(sct_process_free(p));
  ASSERT_RC(sct_process_free(NULL), SCT_EINVAL);
  ASSERT_RC(sct_process_start(NULL), SCT_EINVAL);
  ASSERT_RC(sct_process_join(NULL, 0), SCT_EINVAL);
}

/* A bad target table is refused, and the program's table stays. */
static void test_bad_target_tables(void) {
  sct_target_t dup[] = {{"a", child_exit_seven}, {"a", child_exit_seven}};
  sct_target_t nofn[] = {{"a", NULL}};
  sct_target_t noname[] = {{NULL, child_exit_seven}};
  ASSERT_RC(sct_main(0, NULL, dup, 2), SCT_EINVAL);
  ASSERT_RC(sct_main(0, NULL, nofn, 1), SCT_EINVAL);
  ASSERT_RC(sct_main(0, NULL, noname, 1), SCT_EINVAL);
  ASSERT_RC(sct_main(0, NULL, NULL, 1), SCT_EINVAL);
  CU_ASSERT_EQUAL(run_child("process.seven", NULL, 0), 7);
}

/* ---- this program run by hand: `--helper process WHAT` ---- */

static int child_noop(const sct_args_t *args) {
  (void)args;
  return 0;
}

/* no-main: a program that never called sct_main is told so. */
static int helper_no_main(void) {
  sct_process_t *p = NULL;
  int rc = sct_process_new(&p, "anything", NULL, 0);
  if (rc != SCT_ENOMAIN)
    return 1;
  return strstr(sct_strerror(rc), "sct_main") ? 0 : 2;
}

/* print-fork: one line printed, still buffered (stdout is a pipe), then
 * three forked children: the line must come out once. */
static int helper_print_fork(int argc, char **argv) {
  static const sct_target_t noop[] = {{"noop", child_noop}};
  if (sct_main(argc, argv, noop, 1) != 0 ||
      sct_set_start_method(SCT_START_FORK) != 0)
    return 3;
  printf("printed before the forks\n");
  for (int i = 0; i < 3; i++)
    if (run_child("noop", NULL, 0) != 0)
      return 4;
  return 0;
}

static int process_helper(int argc, char **argv) {
  if (argc == 1 && strcmp(argv[0], "no-main") == 0)
    return helper_no_main();
  if (argc == 1 && strcmp(argv[0], "print-fork") == 0)
    return helper_print_fork(argc, argv);
  return 2;
}

#ifndef _WIN32
/* Runs `this-program --helper process WHAT` and counts its output lines;
 * -1 when it could not run or failed. */
static int helper_lines(const char *what) {
  char exe[4096], command[4200], line[256];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  snprintf(command, sizeof command, "'%s' --helper process %s", exe, what);
  FILE *f = popen(command, "r");
  if (!f)
    return -1;
  int lines = 0;
  while (fgets(line, sizeof line, f))
    lines++;
  return pclose(f) == 0 ? lines : -1;
}

static void test_no_main(void) {
  CU_ASSERT_EQUAL(helper_lines("no-main"), 0);
}

static void test_output_not_doubled(void) {
  CU_ASSERT_EQUAL(helper_lines("print-fork"), 1);
}
#endif

static CU_TestInfo tests[] = {
#ifndef _WIN32
    {"sct_main not called", test_no_main},
    {"output before fork not doubled", test_output_not_doubled},
#endif
    {"arguments", test_arguments},
    {"arguments freed before start", test_arguments_freed_before_start},
    {"freed process handle", test_freed_process_handle},
    {"exit codes and signals", test_exit_codes_and_signals},
    {"join timeout and state", test_join_timeout_and_state},
    {"bad inputs", test_bad_inputs},
    {"bad target tables", test_bad_target_tables},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {{"process.args", child_check_args},
                                       {"process.seven", child_exit_seven},
                                       {"process.sleep", child_sleep}};

const test_suite_t suite_process = {"process", tests, targets, 3,
                                     process_helper};
