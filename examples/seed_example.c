/*
 * The example of Python's multiprocessing.sharedctypes page, in C:
 *
 *   lock = Lock()
 *   n = Value('i', 7)
 *   x = Value(c_double, 1.0/3.0, lock=False)
 *   s = Array('c', b'hello world', lock=lock)
 *   A = Array(Point, [(1.875,-6.25), (-5.75,2.0), (2.375,9.5)], lock=lock)
 *   p = Process(target=modify, args=(n, x, s, A)); p.start(); p.join()
 *
 * It prints the same four lines as the Python program, whichever way the
 * child is started: seed_example [--start fork|spawn].
 */
#include <sct.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct point {
  double x, y;
} point_t;

/* Stops the program with the library's own words for a failed call. */
static void check(int rc, const char *what) {
  if (rc != 0 && rc != SCT_EOWNERDEAD) {
    fprintf(stderr, "seed_example: %s: %s (%s)\n", what, sct_err_name(rc),
            sct_strerror(rc));
    exit(1);
  }
}

/* The child: squares every number and upper-cases the string. */
static int modify(const sct_args_t *args) {
  sct_obj_t *n, *x, *s, *A;
  int64_t nv;
  double xv;
  char text[64];
  size_t len;
  int rc;

  check(sct_args_obj(args, 0, &n), "args n");
  check(sct_args_obj(args, 1, &x), "args x");
  check(sct_args_obj(args, 2, &s), "args s");
  check(sct_args_obj(args, 3, &A), "args A");

  /* n.value **= 2 is a read and a write: hold the lock across both (the
   * lock is an RLock, so the locked get/set inside re-enter it). */
  SCT_WITH_LOCK(n, rc) {
    check(sct_value_get_i64(n, &nv), "get n");
    check(sct_value_set_i64(n, nv * nv), "set n");
  }
  check(rc, "lock n");

  check(sct_value_get_f64(x, &xv), "get x"); /* raw: no lock */
  check(sct_value_set_f64(x, xv * xv), "set x");

  /* s.value = s.value.upper(): two locked steps, as in Python. s's lock
   * is a plain Lock, so holding it around them would deadlock. */
  check(sct_chars_value(s, text, sizeof text, &len), "get s");
  for (size_t i = 0; i < len; i++)
    text[i] = (char)toupper((unsigned char)text[i]);
  check(sct_chars_set_value(s, text, len), "set s");

  /* s and A share one Lock (not recursive): take it once, then use the
   * unlocked bytes directly. */
  check(sct_obj_acquire(A, SCT_INFINITE), "lock A");
  point_t *points = sct_obj_ptr(A);
  for (size_t i = 0; i < sct_obj_len(A); i++) {
    points[i].x *= points[i].x;
    points[i].y *= points[i].y;
  }
  check(sct_obj_release(A), "unlock A");
  return 0;
}

static void print_formatted(sct_obj_t *obj) {
  char text[256];
  check(sct_obj_format(obj, text, sizeof text, NULL), "format");
  puts(text);
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"modify", modify}};
  const sct_type_t *c_int, *c_double, *c_char;
  sct_type_t *point;
  sct_lock_t *lock;
  sct_obj_t *n, *x, *s, *A;
  sct_process_t *p;
  char text[64];

  check(sct_main(argc, argv, targets, 1), "sct_main");
  if (argc == 3 && strcmp(argv[1], "--start") == 0) {
    sct_start_method_t method = strcmp(argv[2], "fork") == 0 ? SCT_START_FORK
                                : strcmp(argv[2], "spawn") == 0
                                    ? SCT_START_SPAWN
                                    : SCT_START_DEFAULT;
    if (method == SCT_START_DEFAULT) {
      fprintf(stderr, "usage: seed_example [--start fork|spawn]\n");
      return 2;
    }
    check(sct_set_start_method(method), "start method");
  } else if (argc != 1) {
    fprintf(stderr, "usage: seed_example [--start fork|spawn]\n");
    return 2;
  }

  static const sct_field_t fields[] = {SCT_FIELD(point_t, x, 'd'),
                                       SCT_FIELD(point_t, y, 'd')};
  check(sct_type_new_struct(&point, "Point", sizeof(point_t), _Alignof(point_t),
                            fields, 2),
        "Point");
  check(sct_type_from_code('i', &c_int), "c_int");
  check(sct_type_from_code('d', &c_double), "c_double");
  check(sct_type_from_code('c', &c_char), "c_char");

  const int n0 = 7;
  const double x0 = 1.0 / 3.0;
  const char *s0 = "hello world";
  const point_t A0[] = {{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}};

  check(sct_lock_new(&lock, SCT_LOCK), "Lock");
  check(sct_value_new(&n, c_int, &n0, NULL), "Value n");
  check(sct_rawvalue_new(&x, c_double, &x0), "Value x");
  check(sct_array_new(&s, c_char, strlen(s0), s0, lock), "Array s");
  check(sct_array_new(&A, point, 3, A0, lock), "Array A");

  sct_arg_t args[] = {SCT_AOBJ(n), SCT_AOBJ(x), SCT_AOBJ(s), SCT_AOBJ(A)};
  check(sct_process_new(&p, "modify", args, 4), "Process");
  check(sct_process_start(p), "start");
  check(sct_process_join(p, SCT_INFINITE), "join");
  int code;
  check(sct_process_exitcode(p, &code), "exitcode");
  if (code != 0) {
    fprintf(stderr, "seed_example: child exited with %d\n", code);
    return 1;
  }

  print_formatted(n);
  print_formatted(x);
  check(sct_chars_value(s, text, sizeof text, NULL), "s.value");
  puts(text);
  print_formatted(A);

  sct_process_free(p);
  sct_obj_free(A);
  sct_obj_free(s);
  sct_obj_free(x);
  sct_obj_free(n);
  sct_lock_free(lock);
  sct_type_free(point);
  return 0;
}
