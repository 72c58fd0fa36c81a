/*
 * What the examples share: stopping with the library's own words for a
 * failed call, and the `--start fork|spawn` option every example takes
 * (each prints the same whichever way its children start).
 */
#ifndef SCT_EXAMPLE_H
#define SCT_EXAMPLE_H

#include <sct.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stops the program when @p rc is an error. */
static inline void check(int rc, const char *what) {
  if (rc < 0) {
    fprintf(stderr, "%s: %s (%s)%s%s\n", what, sct_err_name(rc),
            sct_strerror(rc), *sct_last_detail() ? ": " : "",
            sct_last_detail());
    exit(1);
  }
}

/* Applies `--start fork|spawn` at argv[*i], moving *i past it; 0, or -1
 * for an unknown method. */
static inline int start_option(int argc, char **argv, int *i) {
  if (*i + 1 >= argc || strcmp(argv[*i], "--start") != 0)
    return 0;
  const char *how = argv[*i + 1];
  sct_start_method_t method = strcmp(how, "fork") == 0    ? SCT_START_FORK
                              : strcmp(how, "spawn") == 0 ? SCT_START_SPAWN
                                                          : SCT_START_DEFAULT;
  if (method == SCT_START_DEFAULT || sct_set_start_method(method) != 0)
    return -1;
  *i += 2;
  return 0;
}

/* For the examples whose only option is --start: applies it, or prints
 * the usage of program @p name and exits with 2. */
static inline void start_option_only(int argc, char **argv, const char *name) {
  int i = 1;
  if (start_option(argc, argv, &i) != 0 || i != argc) {
    fprintf(stderr, "usage: %s [--start fork|spawn]\n", name);
    exit(2);
  }
}

/* Starts @p target with @p args; the process, or stops the program. */
static inline sct_process_t *start(const char *target, const sct_arg_t *args,
                                   size_t nargs) {
  sct_process_t *p;
  check(sct_process_new(&p, target, args, nargs), target);
  check(sct_process_start(p), target);
  return p;
}

/* Joins @p p and stops the program unless it exited with 0. */
static inline void finish(sct_process_t *p) {
  int code = -1;
  check(sct_process_join(p, SCT_INFINITE), "join");
  check(sct_process_exitcode(p, &code), "exitcode");
  if (code != 0) {
    fprintf(stderr, "a child exited with %d\n", code);
    exit(1);
  }
  check(sct_process_free(p), "free process");
}

#endif
