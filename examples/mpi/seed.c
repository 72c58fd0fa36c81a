/*
 * The seed example (examples/seed_example.c, Python's sharedctypes page)
 * over MPI: the objects live in a space over MPI_COMM_WORLD, at rank 0;
 * the last rank does what the child process does there (on another node,
 * when the ranks span nodes); rank 0 prints the same four lines:
 *
 *   mpirun -np 2 seed_mpi
 *
 * One rank alone plays both parts. Python's shared lock (s and A guarded
 * by one Lock) is a standalone Lock taken around both raw Arrays.
 */
#include "mpi_example.h"

#include <ctype.h>
#include <string.h>

typedef struct point {
  double x, y;
} point_t;

typedef struct objects {
  sct_mpi_obj_t *n, *x, *s, *A;
  sct_mpi_lock_t *lock;
} objects_t;

/* Makes (rank 0) or finds (the others) the objects, by name. */
static void take(sct_mpi_space_t *sp, sct_space_mode_t mode,
                 const sct_type_t *point, objects_t *o) {
  const sct_type_t *c_int, *c_double, *c_char;
  check(sct_type_from_code('i', &c_int), "c_int");
  check(sct_type_from_code('d', &c_double), "c_double");
  check(sct_type_from_code('c', &c_char), "c_char");
  check(sct_mpi_object(sp, "n", mode, c_int, 0, SCT_RLOCK, 0, &o->n), "n");
  check(sct_mpi_object(sp, "x", mode, c_double, 0, 0, 0, &o->x), "x");
  check(sct_mpi_lock(sp, "lock", mode, SCT_LOCK, 0, &o->lock), "lock");
  check(sct_mpi_object(sp, "s", mode, c_char, 11, 0, 0, &o->s), "s");
  check(sct_mpi_object(sp, "A", mode, point, 3, 0, 0, &o->A), "A");
}

/* What the child does: squares every number, upper-cases the string. */
static void modify(objects_t *o) {
  int32_t n;
  double x;
  char s[11];
  point_t A[3];
  int rc;
  /* n.value **= 2: hold n's RLock across the read and the write. */
  sct_mpi_lock_t *n_lock;
  check(sct_mpi_obj_lock(o->n, &n_lock), "n's lock");
  SCT_MPI_WITH_LOCK(n_lock, rc) {
    check(sct_mpi_get(o->n, 0, &n), "get n");
    n *= n;
    check(sct_mpi_set(o->n, 0, &n), "set n");
  }
  check(rc, "lock n");
  check(sct_mpi_get(o->x, 0, &x), "get x");
  x *= x;
  check(sct_mpi_set(o->x, 0, &x), "set x");
  SCT_MPI_WITH_LOCK(o->lock, rc) {
    check(sct_mpi_get_slice(o->s, 0, 11, s), "get s");
    for (size_t i = 0; i < sizeof s; i++)
      s[i] = (char)toupper((unsigned char)s[i]);
    check(sct_mpi_set_slice(o->s, 0, 11, s), "set s");
    check(sct_mpi_get_slice(o->A, 0, 3, A), "get A");
    for (size_t i = 0; i < 3; i++) {
      A[i].x *= A[i].x;
      A[i].y *= A[i].y;
    }
    check(sct_mpi_set_slice(o->A, 0, 3, A), "set A");
  }
  check(rc, "lock");
}

static void print_formatted(sct_mpi_obj_t *obj) {
  char text[256];
  check(sct_mpi_format(obj, text, sizeof text, NULL), "format");
  puts(text);
}

int main(int argc, char **argv) {
  int rank, size;
  sct_mpi_space_t *sp;
  sct_type_t *point;
  objects_t o;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  static const sct_field_t fields[] = {SCT_FIELD(point_t, x, 'd'),
                                       SCT_FIELD(point_t, y, 'd')};
  check(sct_type_new_struct(&point, "Point", sizeof(point_t),
                            _Alignof(point_t), fields, 2),
        "Point");
  check(sct_mpi_space_create(MPI_COMM_WORLD, 4096, 8, &sp), "space");
  if (rank == 0) {
    const int32_t n0 = 7;
    const double x0 = 1.0 / 3.0;
    const point_t A0[] = {{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}};
    take(sp, SCT_SPACE_CREATE, point, &o);
    check(sct_mpi_set(o.n, 0, &n0), "n = 7");
    check(sct_mpi_set(o.x, 0, &x0), "x = 1/3");
    check(sct_mpi_set_slice(o.s, 0, 11, "hello world"), "s");
    check(sct_mpi_set_slice(o.A, 0, 3, A0), "A");
  }
  MPI_Barrier(MPI_COMM_WORLD); /* made */
  if (rank != 0)
    take(sp, SCT_SPACE_FIND, point, &o);
  if (rank == size - 1)
    modify(&o);
  MPI_Barrier(MPI_COMM_WORLD); /* p.join() */
  if (rank == 0) {
    char s[12] = {0};
    print_formatted(o.n);
    print_formatted(o.x);
    check(sct_mpi_get_slice(o.s, 0, 11, s), "s");
    puts(s);
    print_formatted(o.A);
  }
  sct_mpi_obj_free(o.n);
  sct_mpi_obj_free(o.x);
  sct_mpi_obj_free(o.s);
  sct_mpi_obj_free(o.A);
  sct_mpi_lock_free(o.lock);
  check(sct_mpi_space_free(sp), "space free");
  sct_type_free(point);
  MPI_Finalize();
  return 0;
}
