/*
 * The objects the tool's tests look at, made by a real process that then
 * stays (or dies) as the test says:
 *
 *   fixture hold-lock NAME        a named Lock, held until killed
 *   fixture queue NAME N          a named Queue of 'q', capacity 8, N items
 *   fixture barrier NAME P W      a named Barrier of P parties, W waiting
 *   fixture space NAME            a space with a struct Array, a Value and
 *                                 a Lock (the values tool_test.py expects)
 *   fixture keep-space NAME       the same space, kept until killed
 *   fixture hold-space NAME OBJ   holds the lock of OBJ in space NAME
 *   fixture open-lock NAME        opens a named Lock and keeps it open
 *                                 (on Windows, a name lives as long as
 *                                 its handles)
 *
 * Each prints "ready PID" once its objects exist, then waits to be killed
 * (space ends at once). The barrier needs fork (POSIX only).
 */
#include <sct.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#endif

static void check(int rc, const char *what) {
  if (rc != 0 && rc != SCT_EOWNERDEAD) {
    fprintf(stderr, "fixture: %s: %s\n", what, sct_err_name(rc));
    exit(1);
  }
}

static long own_pid(void) {
#ifdef _WIN32
  return (long)GetCurrentProcessId();
#else
  return (long)getpid();
#endif
}

static void ready(void) {
  printf("ready %ld\n", own_pid());
  fflush(stdout);
}

static void ready_and_wait(void) {
  ready();
  for (;;)
#ifdef _WIN32
    Sleep(INFINITE);
#else
    pause();
#endif
}

/* The row type of the space's table (tool_test.py knows its values). */
struct row {
  int32_t id;
  double weight;
  char tag[4];
};

static void make_space(const char *name) {
  static const sct_field_t fields[] = {
      SCT_FIELD(struct row, id, 'i'), SCT_FIELD(struct row, weight, 'd'),
      SCT_FIELD_ARRAY(struct row, tag, 'c', 4)};
  sct_type_t *row;
  const sct_type_t *d;
  sct_space_t *sp;
  sct_obj_t *table, *total;
  sct_lock_t *lock;
  check(sct_type_new_struct(&row, "row", sizeof(struct row),
                            _Alignof(struct row), fields, 3),
        "row type");
  check(sct_type_from_code('d', &d), "type d");
  (void)sct_space_unlink(name);
  check(sct_space_create(&sp, name, 1 << 20, 16), "space");
  check(sct_space_object(sp, "table", SCT_SPACE_CREATE, row, 3, SCT_LOCK,
                         &table),
        "table");
  struct row *rows = sct_obj_ptr(table);
  const struct row init[3] = {{1, 0.1, "ab"}, {2, 2.5, "xyz"}, {-3, 1e100, ""}};
  memcpy(rows, init, sizeof init);
  check(sct_space_object(sp, "total", SCT_SPACE_CREATE, d, 0, SCT_RLOCK,
                         &total),
        "total");
  check(sct_value_set_f64(total, 1.0 / 3), "total value");
  check(sct_space_lock(sp, "guard", SCT_SPACE_CREATE, SCT_LOCK, &lock),
        "guard");
}

int main(int argc, char **argv) {
  const char *what = argc > 2 ? argv[1] : "";
  if (strcmp(what, "hold-lock") == 0 && argc == 3) {
    sct_lock_t *lock;
    (void)sct_lock_unlink_named(argv[2]);
    check(sct_lock_create_named(&lock, argv[2], SCT_LOCK), "lock");
    check(sct_lock_acquire(lock, 0), "acquire");
    ready_and_wait();
  }
  if (strcmp(what, "queue") == 0 && argc == 4) {
    sct_queue_t *q;
    const sct_type_t *t;
    check(sct_type_from_code('q', &t), "type");
    (void)sct_queue_unlink_named(argv[2]);
    check(sct_queue_create_named(&q, argv[2], t, 8, 0), "queue");
    for (int64_t i = 0; i < atoi(argv[3]); i++)
      check(sct_queue_put(q, &i, 0), "put");
    ready_and_wait();
  }
  if (strcmp(what, "open-lock") == 0 && argc == 3) {
    sct_lock_t *lock;
    check(sct_lock_open_named(&lock, argv[2]), "open");
    ready_and_wait();
  }
#ifndef _WIN32
  if (strcmp(what, "barrier") == 0 && argc == 5) {
    sct_barrier_t *b;
    (void)sct_barrier_unlink_named(argv[2]);
    check(sct_barrier_create_named(&b, argv[2], (unsigned)atoi(argv[3])),
          "barrier");
    for (int i = 0; i < atoi(argv[4]); i++)
      if (fork() == 0) {
        /* Killed with the fixture, whose kill ends the test's use. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void)sct_barrier_wait(b, SCT_INFINITE, NULL);
        _exit(0);
      }
    unsigned waiting = 0;
    while (waiting < (unsigned)atoi(argv[4]))
      check(sct_barrier_n_waiting(b, &waiting), "n_waiting");
    ready_and_wait();
  }
#endif
  if (strcmp(what, "space") == 0 && argc == 3) {
    make_space(argv[2]);
    ready();
    return 0;
  }
  if (strcmp(what, "keep-space") == 0 && argc == 3) {
    make_space(argv[2]);
    ready_and_wait();
  }
  if (strcmp(what, "hold-space") == 0 && argc == 4) {
    sct_space_t *sp;
    sct_lock_t *lock;
    check(sct_space_open(&sp, argv[2], 0), "space");
    check(sct_space_object_lock(sp, argv[3], &lock), "object lock");
    check(sct_lock_acquire(lock, 0), "acquire");
    ready_and_wait();
  }
  fprintf(stderr, "fixture: bad arguments (see the top of fixture.c)\n");
  return 2;
}
