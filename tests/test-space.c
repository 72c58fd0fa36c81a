/*
 * Named shared spaces: typed objects by name between unrelated programs.
 * Bad inputs, layouts written out by hand, a race on open-or-create
 * between two processes, creators killed for real in the middle.
 */
#define _GNU_SOURCE
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#define SPACE_SIZE ((size_t)1 << 20)
#ifdef _WIN32
#define NAME_GONE_WITH_HANDLES SCT_ENOENT
#else
#define NAME_GONE_WITH_HANDLES 0
#endif
#define RACE_ROUNDS 1000

static const char *unique(const char *base) {
  static char name[80];
  snprintf(name, sizeof name, "sct-test-%s-%ld", base, test_pid());
  return name;
}

typedef struct point {
  int32_t x;
  double y;
} point_t;

typedef struct labelled {
  char label[5];
  int16_t v;
  point_t where;
} labelled_t;

static const sct_type_t *point_type(void) {
  static sct_type_t *type;
  sct_field_t fields[] = {SCT_FIELD(point_t, x, 'i'),
                          SCT_FIELD(point_t, y, 'd')};
  /* No assertion here: the helpers run outside CUnit. */
  if (!type && sct_type_new_struct(&type, "point", sizeof(point_t),
                                   _Alignof(point_t), fields, 2) != 0)
    type = NULL;
  return type;
}

/* The same layout as point_t, other field names. */
static const sct_type_t *renamed_point_type(void) {
  static sct_type_t *type;
  sct_field_t fields[] = {{"a", 'i', NULL, offsetof(point_t, x), 1},
                          {"b", 'd', NULL, offsetof(point_t, y), 1}};
  if (!type)
    ASSERT_OK(sct_type_new_struct(&type, "point", sizeof(point_t),
                                  _Alignof(point_t), fields, 2));
  return type;
}

static const sct_type_t *labelled_type(void) {
  static sct_type_t *type;
  sct_field_t fields[] = {
      SCT_FIELD_ARRAY(labelled_t, label, 'c', 5),
      SCT_FIELD(labelled_t, v, 'h'),
      {"where", 0, point_type(), offsetof(labelled_t, where), 1}};
  if (!type)
    ASSERT_OK(sct_type_new_struct(&type, "labelled", sizeof(labelled_t),
                                  _Alignof(labelled_t), fields, 3));
  return type;
}

/* ---- layouts, written out by hand ---- */

static void test_type_formats(void) {
  char buf[128];
  size_t needed = 0;
  ASSERT_OK(sct_type_format(type_of('q'), buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "q");
  ASSERT_OK(sct_type_format(type_of('d'), buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "d");
  /* A double is 8-aligned in structs on x86-64 and most ABIs, 4-aligned
   * on i386: the two layouts, written out by hand. */
  int wide = offsetof(point_t, y) == 8;
  CU_ASSERT_FATAL(wide || offsetof(point_t, y) == 4);
  const char *point = wide ? "T{i:x:4xd:y:}" : "T{i:x:d:y:}";
  ASSERT_OK(sct_type_format(point_type(), buf, sizeof buf, &needed));
  CU_ASSERT_STRING_EQUAL(buf, point);
  CU_ASSERT_EQUAL(needed, strlen(point));
  /* 5 chars, a pad byte, a short at 6, a point at 8. */
  ASSERT_OK(sct_type_format(labelled_type(), buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, wide ? "T{(5)c:label:xh:v:T{i:x:4xd:y:}:where:}"
                                   : "T{(5)c:label:xh:v:T{i:x:d:y:}:where:}");
  ASSERT_RC(sct_type_format(point_type(), buf, 5, &needed), SCT_EOVERFLOW);
  CU_ASSERT_EQUAL(needed, strlen(point));
  ASSERT_RC(sct_type_format(NULL, buf, sizeof buf, NULL), SCT_EINVAL);
  ASSERT_RC(sct_type_format(point_type(), NULL, 10, NULL), SCT_EINVAL);
}

/* ---- bad inputs ---- */

static int count_names(const char *name, void *ctx) {
  (void)name;
  ++*(int *)ctx;
  return 0;
}

static void test_bad_inputs(void) {
  const char *name = unique("space-bad");
  sct_space_t *space, *other;
  sct_obj_t *obj;
  sct_lock_t *lock;
  (void)sct_space_unlink(name);

  ASSERT_RC(sct_space_create(NULL, name, SPACE_SIZE, 16), SCT_EINVAL);
  ASSERT_RC(sct_space_create(&space, name, 4096, 16), SCT_EINVAL);
  ASSERT_RC(sct_space_create(&space, name, SPACE_SIZE, 0), SCT_EINVAL);
  ASSERT_RC(sct_space_create(&space, name, SPACE_SIZE, (size_t)1 << 25),
            SCT_EINVAL);
  /* A directory for a million names does not fit in 1 MiB. */
  ASSERT_RC(sct_space_create(&space, name, SPACE_SIZE, 1000000),
            SCT_ETOOSMALL);
  /* The header's sizes, exactly: 100,000 names take 262,144 entries of
   * 256 bytes after a 256-byte header, and 64 bytes must be left. */
  size_t directory = 256 + ((size_t)262144 << 8);
  ASSERT_RC(sct_space_create(&space, name, directory + 63, 100000),
            SCT_ETOOSMALL);
  ASSERT_OK(sct_space_create(&space, name, directory + 64, 100000));
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));
  ASSERT_RC(sct_space_create(&space, "no/slash", SPACE_SIZE, 16), SCT_ENAME);
  ASSERT_RC(sct_space_open(&space, name, 0), SCT_ENOENT);
  ASSERT_RC(sct_space_open(&space, name, 99), SCT_EINVAL);

  ASSERT_OK(sct_space_create(&space, name, SPACE_SIZE, 4));
  ASSERT_RC(sct_space_create(&other, name, SPACE_SIZE, 4), SCT_EEXIST);
  ASSERT_RC(
      sct_space_object(space, "", SCT_SPACE_CREATE, type_of('q'), 0, 0, &obj),
      SCT_ENAME);
  ASSERT_RC(sct_space_object(space, "a/b", SCT_SPACE_CREATE, type_of('q'), 0, 0,
                             &obj),
            SCT_ENAME);
  char long_name[SCT_SPACE_NAME_MAX + 2];
  memset(long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  ASSERT_RC(sct_space_object(space, long_name, SCT_SPACE_CREATE, type_of('q'),
                             0, 0, &obj),
            SCT_ENAME);
  long_name[SCT_SPACE_NAME_MAX] = '\0'; /* the longest there may be */
  ASSERT_OK(sct_space_object(space, long_name, SCT_SPACE_CREATE, type_of('q'),
                             0, 0, &obj));
  ASSERT_OK(sct_obj_free(obj));
  ASSERT_OK(sct_space_remove(space, long_name));
  ASSERT_RC(sct_space_object(space, "x", (sct_space_mode_t)0, type_of('q'), 0,
                             0, &obj),
            SCT_EINVAL);
  ASSERT_RC(
      sct_space_object(space, "x", SCT_SPACE_CREATE, type_of('q'), 0, 7, &obj),
      SCT_EINVAL);
  ASSERT_RC(sct_space_object(space, "x", SCT_SPACE_CREATE, NULL, 0, 0, &obj),
            SCT_EINVAL);
  ASSERT_RC(
      sct_space_object(space, "x", SCT_SPACE_FIND, type_of('q'), 0, 0, &obj),
      SCT_ENOENT);
  ASSERT_RC(
      sct_space_lock(space, "l", SCT_SPACE_CREATE, (sct_lock_kind_t)9, &lock),
      SCT_EINVAL);

  /* Made once; found only as exactly what it is. */
  ASSERT_OK(sct_space_object(space, "p", SCT_SPACE_CREATE, point_type(), 0,
                             SCT_LOCK, &obj));
  ASSERT_OK(sct_obj_free(obj));
  ASSERT_RC(sct_space_object(space, "p", SCT_SPACE_CREATE, point_type(), 0,
                             SCT_LOCK, &obj),
            SCT_EEXIST);
  /* Each mismatch says which property, asked and found. */
  ASSERT_RC(sct_space_object(space, "p", SCT_SPACE_FIND, renamed_point_type(),
                             0, SCT_LOCK, &obj),
            SCT_ETYPE);
  ASSERT_DETAIL("space object 'p': type: asked T{");
  ASSERT_RC(sct_space_object(space, "p", SCT_SPACE_FIND, point_type(), 0,
                             SCT_RLOCK, &obj),
            SCT_ETYPE);
  ASSERT_DETAIL("lock kind: asked 2, found 1");
  ASSERT_RC(
      sct_space_object(space, "p", SCT_SPACE_FIND, point_type(), 0, 0, &obj),
      SCT_ETYPE);
  ASSERT_DETAIL("lock kind: asked 0, found 1");
  ASSERT_RC(sct_space_object(space, "p", SCT_SPACE_FIND, point_type(), 1,
                             SCT_LOCK, &obj),
            SCT_ETYPE);
  ASSERT_DETAIL("kind: asked Array, found Value");
  ASSERT_RC(sct_space_lock(space, "p", SCT_SPACE_FIND, SCT_LOCK, &lock),
            SCT_ETYPE);
  ASSERT_DETAIL("kind: asked lock, found Value");
  ASSERT_RC(
      sct_space_object(space, "p", SCT_SPACE_FIND, type_of('q'), 2, 0, &obj),
      SCT_ETYPE);
  ASSERT_DETAIL("kind: asked Array, found Value");
  ASSERT_OK(sct_space_object(space, "arr", SCT_SPACE_CREATE, type_of('q'), 3, 0,
                             &obj));
  ASSERT_OK(sct_obj_free(obj));
  ASSERT_RC(
      sct_space_object(space, "arr", SCT_SPACE_FIND, type_of('q'), 4, 0, &obj),
      SCT_ETYPE);
  ASSERT_DETAIL("space object 'arr': element count: asked 4, found 3");
  ASSERT_RC(
      sct_space_object(space, "arr", SCT_SPACE_FIND, type_of('l'), 3, 0, &obj),
      SCT_ETYPE);
  ASSERT_DETAIL("type: asked l (size "); /* 4 or 8 bytes by platform */
  ASSERT_DETAIL("found q (size 8, align ");

  /* Full: the bytes (1 MiB), then the directory (4 names). */
  ASSERT_RC(sct_space_object(space, "huge", SCT_SPACE_CREATE, type_of('B'),
                             SPACE_SIZE, 0, &obj),
            SCT_ENOMEM);
  for (int i = 0; i < 3; i++) {
    char obj_name[16];
    snprintf(obj_name, sizeof obj_name, "v%d", i);
    int rc = sct_space_object(space, obj_name, SCT_SPACE_CREATE, type_of('q'),
                              0, 0, &obj);
    if (rc == 0)
      ASSERT_OK(sct_obj_free(obj));
    else
      ASSERT_RC(rc, SCT_ENOMEM);
  }
  ASSERT_RC(sct_space_object(space, "one-too-many", SCT_SPACE_CREATE,
                             type_of('q'), 0, 0, &obj),
            SCT_ENOMEM);
  ASSERT_RC(sct_space_remove(space, "nothing"), SCT_ENOENT);
  ASSERT_RC(sct_space_remove(space, "bad/name"), SCT_ENAME);
  size_t data, lock_at;
  ASSERT_RC(sct_space_offset(space, "nothing", &data, &lock_at), SCT_ENOENT);
  ASSERT_RC(sct_space_offset(space, "bad/name", &data, &lock_at), SCT_ENAME);
  ASSERT_RC(sct_space_offset(space, "p", NULL, &lock_at), SCT_EINVAL);
  ASSERT_RC(sct_space_offset(space, "p", &data, NULL), SCT_EINVAL);
  ASSERT_RC(sct_space_list(space, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_space_list(NULL, count_names, NULL), SCT_EINVAL);
  ASSERT_RC(sct_space_lock(space, "", SCT_SPACE_CREATE, SCT_LOCK, &lock),
            SCT_ENAME);
  ASSERT_RC(sct_space_lock(space, "l", SCT_SPACE_CREATE, SCT_LOCK, NULL),
            SCT_EINVAL);
  /* Unlinked before closed: on Windows a name goes with its last handle. */
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));
  ASSERT_RC(sct_space_close(space), SCT_ESTATE);
  ASSERT_RC(sct_space_object(space, "p", SCT_SPACE_FIND, point_type(), 0,
                             SCT_LOCK, &obj),
            SCT_ESTATE);
  ASSERT_RC(sct_space_unlink(name), SCT_ENOENT);
  int created = -1;
  ASSERT_RC(sct_space_open_or_create(&space, name, 4096, 16, &created),
            SCT_EINVAL);
  ASSERT_RC(sct_space_open_or_create(NULL, name, SPACE_SIZE, 16, &created),
            SCT_EINVAL);

#ifndef _WIN32
  /* A file under a space's name that is no space. */
  char path[300], garbage[65536];
  snprintf(path, sizeof path, "/dev/shm/sct.space.%s", name);
  int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
  CU_ASSERT_FATAL(fd >= 0);
  memset(garbage, 0x5a, sizeof garbage);
  CU_ASSERT_EQUAL(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
  close(fd);
  ASSERT_RC(sct_space_open(&space, name, 0), SCT_ETYPE);
  ASSERT_OK(sct_space_unlink(name));
#endif
}

/* ---- objects in one process, through two handles ---- */

typedef struct try_obj {
  sct_obj_t *obj;
  int *rc;
} try_obj_t;

/* Tries @p arg's object's lock at once, from a thread of its own. */
static void try_acquire_obj(void *arg) {
  try_obj_t *t = arg;
  *t->rc = sct_obj_acquire(t->obj, 0);
  if (*t->rc == 0)
    (void)sct_obj_release(t->obj);
}

static void test_objects(void) {
  const char *name = unique("space-objects");
  sct_space_t *a, *b;
  sct_obj_t *p1, *p2, *arr1, *arr2;
  sct_lock_t *l1, *l2;
  point_t pt = {7, 2.5}, got;
  int created = -1, listed = 0;
  size_t data, lock;
  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_open_or_create(&a, name, SPACE_SIZE, 64, &created));
  CU_ASSERT_EQUAL(created, 1);
  ASSERT_OK(sct_space_open_or_create(&b, name, SPACE_SIZE, 64, &created));
  CU_ASSERT_EQUAL(created, 0);
  /* An existing space opens whatever sizes the opener would create with,
   * even ones no space could be created with. */
  sct_space_t *c;
  created = -1;
  ASSERT_OK(sct_space_open_or_create(&c, name, SPACE_SIZE, 4000, &created));
  CU_ASSERT_EQUAL(created, 0);
  ASSERT_OK(sct_space_close(c));
  ASSERT_OK(sct_space_open_or_create(&c, name, 4096, 0, &created));
  ASSERT_OK(sct_space_close(c));

  ASSERT_OK(sct_space_object(a, "point", SCT_SPACE_FIND_OR_CREATE, point_type(),
                             0, SCT_RLOCK, &p1));
  ASSERT_OK(sct_value_set(p1, &pt));
  ASSERT_OK(sct_space_object(b, "point", SCT_SPACE_FIND_OR_CREATE, point_type(),
                             0, SCT_RLOCK, &p2));
  ASSERT_OK(sct_value_get(p2, &got));
  CU_ASSERT_EQUAL(got.x, 7);
  CU_ASSERT_EQUAL(got.y, 2.5);

  ASSERT_OK(sct_space_object(a, "counts", SCT_SPACE_CREATE, type_of('q'), 10, 0,
                             &arr1));
  ASSERT_OK(sct_array_set_i64(arr1, 9, 99));
  ASSERT_OK(sct_space_object(b, "counts", SCT_SPACE_FIND, type_of('q'), 10, 0,
                             &arr2));
  int64_t v = 0;
  ASSERT_OK(sct_array_get_i64(arr2, 9, &v));
  CU_ASSERT_EQUAL(v, 99);

  ASSERT_OK(sct_space_lock(a, "guard", SCT_SPACE_CREATE, SCT_LOCK, &l1));
  ASSERT_OK(sct_space_lock(b, "guard", SCT_SPACE_FIND, SCT_LOCK, &l2));
  ASSERT_OK(sct_lock_acquire(l1, 0));
  ASSERT_RC(sct_lock_acquire(l2, 0), SCT_ETIMEDOUT); /* one lock */
  ASSERT_OK(sct_lock_release(l2));

  ASSERT_OK(sct_space_list(b, count_names, &listed));
  CU_ASSERT_EQUAL(listed, 3);
  ASSERT_OK(sct_space_offset(b, "counts", &data, &lock));
  CU_ASSERT_EQUAL(lock, 0);
  CU_ASSERT(data % 8 == 0 && data >= 256);
  ASSERT_OK(sct_space_offset(b, "point", &data, &lock));
  CU_ASSERT(lock != 0);

  /* An object's lock by name alone, whatever its type: the same lock. */
  sct_lock_t *by_name;
  ASSERT_OK(sct_space_object_lock(b, "point", &by_name));
  ASSERT_OK(sct_lock_acquire(by_name, 0));
  int other_rc = -100; /* another thread (the lock is an RLock) */
  try_obj_t attempt = {p1, &other_rc};
  CU_ASSERT_EQUAL(test_thread_run(try_acquire_obj, &attempt), 0);
  ASSERT_RC(other_rc, SCT_ETIMEDOUT); /* held through the lock by name */
  ASSERT_OK(sct_lock_release(by_name));
  ASSERT_OK(sct_lock_free(by_name));
  ASSERT_OK(sct_space_object_lock(b, "guard", &by_name)); /* a lock itself */
  ASSERT_OK(sct_lock_acquire(by_name, 0));
  ASSERT_RC(sct_lock_acquire(l2, 0), SCT_ETIMEDOUT); /* the same Lock */
  ASSERT_OK(sct_lock_release(by_name));
  ASSERT_OK(sct_lock_free(by_name));
  ASSERT_RC(sct_space_object_lock(b, "counts", &by_name), SCT_ENOLOCK);
  ASSERT_RC(sct_space_object_lock(b, "nothing", &by_name), SCT_ENOENT);
  ASSERT_RC(sct_space_object_lock(b, "point", NULL), SCT_EINVAL);
  ASSERT_RC(sct_space_object_lock(NULL, "point", &by_name), SCT_EINVAL);
  sct_queue_t *queue;
  ASSERT_OK(sct_space_queue(a, "jobs", SCT_SPACE_CREATE, type_of('q'), 4, 0,
                            &queue));
  ASSERT_RC(sct_space_object_lock(b, "jobs", &by_name), SCT_ETYPE);
  ASSERT_DETAIL("'jobs' is a Queue");
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_space_remove(a, "jobs"));
  ASSERT_OK(sct_space_remove(a, "counts"));
  sct_obj_t *gone;
  ASSERT_RC(
      sct_space_object(b, "counts", SCT_SPACE_FIND, type_of('q'), 10, 0, &gone),
      SCT_ENOENT);
  listed = 0;
  ASSERT_OK(sct_space_list(a, count_names, &listed));
  CU_ASSERT_EQUAL(listed, 2);

  ASSERT_OK(sct_obj_free(p1));
  ASSERT_OK(sct_obj_free(p2));
  ASSERT_OK(sct_obj_free(arr1));
  ASSERT_OK(sct_obj_free(arr2));
  ASSERT_OK(sct_lock_free(l1));
  ASSERT_OK(sct_lock_free(l2));
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(a));
  ASSERT_OK(sct_space_close(b));
}

/* ---- open-or-create raced by two processes ---- */

/* For each round: meet the other racer at the barrier, then open or
 * create the round's space, counting a creation in created[round]. */
static int child_race(const sct_args_t *args) {
  sct_barrier_t *barrier;
  sct_obj_t *created;
  const char *base;
  if (sct_args_barrier(args, 0, &barrier) != 0 ||
      sct_args_obj(args, 1, &created) != 0 || sct_args_str(args, 2, &base))
    return 10;
  for (int round = 0; round < RACE_ROUNDS; round++) {
    char name[100];
    sct_space_t *space;
    int made = -1;
    snprintf(name, sizeof name, "%s-%d", base, round);
    int rc = sct_barrier_wait(barrier, 30000, NULL);
    if (rc != 0)
      return 40 - rc; /* 40 + the barrier's error */
    rc = sct_space_open_or_create(&space, name, (size_t)64 << 10, 1, &made);
    if (rc != 0)
      return 20 - rc; /* 20 + the space's error */
    sct_array_add(created, (size_t)round, made, NULL);
    /* Both hold it before either closes: on Windows a space goes with
     * its last handle, and a late racer would make a second one. */
    if ((rc = sct_barrier_wait(barrier, 30000, NULL)) != 0)
      return 60 - rc;
    if (sct_space_close(space) != 0)
      return 14;
  }
  return 0;
}

static void test_open_or_create_race(void) {
  char base[80];
  sct_barrier_t *barrier;
  sct_obj_t *created;
  sct_process_t *p[2];
  int wrong = 0;
  snprintf(base, sizeof base, "%s", unique("space-race"));
  ASSERT_OK(sct_barrier_new(&barrier, 2, NULL, NULL));
  ASSERT_OK(sct_rawarray_new(&created, type_of('q'), RACE_ROUNDS, NULL));
  sct_arg_t args[] = {SCT_ABARRIER(barrier), SCT_AOBJ(created), SCT_ASTR(base)};
  for (int i = 0; i < 2; i++)
    CU_ASSERT_FATAL((p[i] = start_child("space.race", args, 3)) != NULL);
  for (int i = 0; i < 2; i++) {
    int code = finish_child(p[i]);
    if (code != 0) /* which step failed: see child_race */
      fprintf(stderr, "\n  space.race child %d exited %d\n", i, code);
    CU_ASSERT_EQUAL(code, 0);
  }
  for (int round = 0; round < RACE_ROUNDS; round++) {
    char name[100];
    int64_t n = 0;
    sct_array_get_i64(created, (size_t)round, &n);
    wrong += n != 1;
    snprintf(name, sizeof name, "%s-%d", base, round);
    /* Closed by both racers: on Windows the name went with them. */
    ASSERT_RC(sct_space_unlink(name), NAME_GONE_WITH_HANDLES);
  }
  CU_ASSERT_EQUAL(wrong, 0); /* exactly one creator every time */
  ASSERT_OK(sct_barrier_free(barrier));
  ASSERT_OK(sct_obj_free(created));
}

/* ---- creators killed in the middle ---- */

/* Makes objects obj-0, obj-1, ... (each a Value holding its own number,
 * under its lock), removing each again 1,000 later, until killed or the
 * space's bytes run out. */
static int child_fill(const sct_args_t *args) {
  const char *name;
  sct_space_t *space;
  sct_obj_t *made;
  if (sct_args_str(args, 0, &name) != 0 || sct_args_obj(args, 1, &made) ||
      sct_space_open(&space, name, 0))
    return 10;
  for (int64_t i = 0;; i++) {
    char obj_name[32];
    sct_obj_t *obj;
    snprintf(obj_name, sizeof obj_name, "obj-%lld", (long long)i);
    int rc = sct_space_object(space, obj_name, SCT_SPACE_FIND_OR_CREATE,
                              type_of('q'), 0, SCT_LOCK, &obj);
    if (rc == SCT_ENOMEM)
      return 0;
    if (rc != 0)
      return 11;
    rc = sct_value_set_i64(obj, i);
    if ((rc != 0 && rc != SCT_EOWNERDEAD) || sct_obj_free(obj) != 0)
      return 12;
    sct_value_add(made, 1, NULL);
    snprintf(obj_name, sizeof obj_name, "obj-%lld", (long long)i - 1000);
    rc = sct_space_remove(space, obj_name);
    if (rc != 0 && rc != SCT_ENOENT)
      return 13;
  }
}

typedef struct fill_check {
  sct_space_t *space;
  int bad;
  int count;
} fill_check_t;

/* Every listed object is found as what it was made: the filler's hold
 * their number (or 0, when the filler died between making one and
 * setting it), the parent's "after-N" are raw doubles. */
static int check_filled(const char *name, void *ctx) {
  fill_check_t *c = ctx;
  sct_obj_t *obj;
  long long want = -1;
  int64_t v = -1;
  if (sscanf(name, "obj-%lld", &want) != 1) {
    int rc = sct_space_object(c->space, name, SCT_SPACE_FIND, type_of('d'), 0,
                              0, &obj);
    c->bad += rc != 0 || strncmp(name, "after-", 6) != 0;
    if (rc == 0)
      sct_obj_free(obj);
    return 0;
  }
  if (sct_space_object(c->space, name, SCT_SPACE_FIND, type_of('q'), 0,
                       SCT_LOCK, &obj) != 0) {
    c->bad++;
    return 0;
  }
  int rc = sct_value_get_i64(obj, &v);
  c->bad += (rc != 0 && rc != SCT_EOWNERDEAD) || (v != want && v != 0);
  c->count++;
  sct_obj_free(obj);
  return 0;
}

static void test_creator_killed(void) {
  const char *name = unique("space-killed");
  sct_space_t *space;
  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_create(&space, name, (size_t)16 << 20, 2000));
  srand((unsigned)test_pid());
  sct_obj_t *made;
  ASSERT_OK(sct_rawvalue_new(&made, type_of('q'), NULL));
  for (int round = 0; round < 10; round++) {
    sct_arg_t args[] = {SCT_ASTR(name), SCT_AOBJ(made)};
    int64_t before = 0, now = 0;
    sct_value_get_i64(made, &before);
    sct_process_t *p = start_child("space.fill", args, 2);
    CU_ASSERT_FATAL(p != NULL);
    /* Killed while it works, however slowly it starts (emulators). */
    for (int i = 0; i < 10000 && now <= before; i++) {
      sleep_ms(1);
      sct_value_get_i64(made, &now);
    }
    CU_ASSERT(now > before);
    sleep_ms(rand() % 20);
    ASSERT_OK(sct_process_kill(p));
    int code = finish_child(p);
    CU_ASSERT(code == -9 || code == 0);
    /* Still usable: a new object, and everything listed is whole. */
    char obj_name[32];
    sct_obj_t *obj;
    snprintf(obj_name, sizeof obj_name, "after-%d", round);
    int rc = sct_space_object(space, obj_name, SCT_SPACE_CREATE, type_of('d'),
                              0, 0, &obj);
    CU_ASSERT(rc == 0 || rc == SCT_ENOMEM);
    if (rc == 0)
      ASSERT_OK(sct_obj_free(obj));
  }
  fill_check_t check = {space, 0, 0};
  ASSERT_OK(sct_space_list(space, check_filled, &check));
  CU_ASSERT_EQUAL(check.bad, 0);
  CU_ASSERT(check.count > 0);
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));
  ASSERT_OK(sct_obj_free(made));
}

/* ---- a lock inside a space whose holder dies ---- */

static int child_hold_space_lock(const sct_args_t *args) {
  const char *name;
  sct_space_t *space;
  sct_lock_t *lock;
  sct_obj_t *flag;
  if (sct_args_str(args, 0, &name) != 0 || sct_args_obj(args, 1, &flag) ||
      sct_space_open(&space, name, 0) != 0 ||
      sct_space_lock(space, "guard", SCT_SPACE_FIND, SCT_LOCK, &lock) != 0 ||
      sct_lock_acquire(lock, SCT_INFINITE) != 0)
    return 10;
  sct_value_add(flag, 1, NULL);
  sleep_forever();
}

static void test_lock_owner_death(void) {
  const char *name = unique("space-death");
  sct_space_t *space;
  sct_lock_t *lock;
  sct_obj_t *flag;
  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_create(&space, name, SPACE_SIZE, 8));
  ASSERT_OK(sct_space_lock(space, "guard", SCT_SPACE_CREATE, SCT_LOCK, &lock));
  ASSERT_OK(sct_rawvalue_new(&flag, type_of('q'), NULL));
  sct_arg_t args[] = {SCT_ASTR(name), SCT_AOBJ(flag)};
  sct_process_t *p = start_child("space.hold", args, 2);
  CU_ASSERT_FATAL(p != NULL);
  CU_ASSERT(wait_for_flag(flag, 1));
  ASSERT_OK(sct_process_kill(p));
  CU_ASSERT_EQUAL(finish_child(p), -9);
  ASSERT_RC(sct_lock_acquire(lock, 10000), SCT_EOWNERDEAD);
  ASSERT_OK(sct_lock_release(lock));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_OK(sct_obj_free(flag));
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));
}

/* ---- waiting primitives in a space ---- */

/* Opens the space by name, finds its queue and event, puts 1..100 and
 * sets the event. */
static int child_space_producer(const sct_args_t *args) {
  const char *name;
  sct_space_t *space;
  sct_queue_t *queue;
  sct_event_t *done;
  if (sct_args_str(args, 0, &name) != 0 || sct_space_open(&space, name, 0) ||
      sct_space_queue(space, "q", SCT_SPACE_FIND, type_of('q'), 8, 0, &queue) !=
          0 ||
      sct_space_event(space, "done", SCT_SPACE_FIND, &done) != 0)
    return 10;
  for (int64_t i = 1; i <= 100; i++)
    if (sct_queue_put(queue, &i, SCT_INFINITE) != 0)
      return 11;
  return sct_event_set(done) == 0 && sct_queue_free(queue) == 0 &&
                 sct_event_free(done) == 0 && sct_space_close(space) == 0
             ? 0
             : 12;
}

static void test_waiting_in_space(void) {
  const char *name = unique("space-waiting");
  sct_space_t *a, *b;
  sct_cond_t *c1, *c2;
  sct_sem_t *s1, *s2;
  sct_event_t *e1;
  sct_barrier_t *b1;
  sct_queue_t *q1;
  unsigned v;
  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_create(&a, name, SPACE_SIZE, 32));
  ASSERT_OK(sct_space_open(&b, name, 0));

  ASSERT_OK(sct_space_cond(a, "c", SCT_SPACE_CREATE, SCT_RLOCK, &c1));
  ASSERT_OK(sct_space_cond(b, "c", SCT_SPACE_FIND, SCT_RLOCK, &c2));
  ASSERT_RC(sct_space_cond(b, "c", SCT_SPACE_FIND, SCT_LOCK, &c2), SCT_ETYPE);
  ASSERT_RC(sct_space_cond(b, "c", SCT_SPACE_FIND, (sct_lock_kind_t)5, &c2),
            SCT_EINVAL);
  ASSERT_OK(sct_cond_acquire(c1, 0));
  ASSERT_OK(sct_cond_notify_all(c1));
  ASSERT_OK(sct_cond_release(c1));

  ASSERT_OK(sct_space_sem(a, "s", SCT_SPACE_CREATE, 2, 1, &s1));
  ASSERT_OK(sct_space_sem(b, "s", SCT_SPACE_FIND, 2, 1, &s2));
  ASSERT_RC(sct_space_sem(b, "s", SCT_SPACE_FIND, 3, 1, &s2), SCT_ETYPE);
  ASSERT_RC(sct_space_event(b, "s", SCT_SPACE_FIND, &e1), SCT_ETYPE);
  ASSERT_OK(sct_sem_acquire(s2, 0));
  ASSERT_OK(sct_sem_value(s1, &v));
  CU_ASSERT_EQUAL(v, 1);
  ASSERT_OK(sct_sem_release(s1));
  ASSERT_RC(sct_sem_release(s1), SCT_EOVERFLOW);

  ASSERT_OK(sct_space_barrier(a, "b", SCT_SPACE_CREATE, 1, &b1));
  ASSERT_RC(sct_space_barrier(b, "b", SCT_SPACE_FIND, 2, &b1), SCT_ETYPE);
  ASSERT_OK(sct_barrier_wait(b1, 0, &v));
  CU_ASSERT_EQUAL(v, 0);

  ASSERT_OK(sct_space_queue(a, "q", SCT_SPACE_CREATE, type_of('q'), 8, 0, &q1));
  ASSERT_RC(sct_space_queue(b, "q", SCT_SPACE_FIND, type_of('q'), 9, 0, &q1),
            SCT_ETYPE);
  ASSERT_RC(sct_space_queue(b, "q", SCT_SPACE_FIND, type_of('d'), 8, 0, &q1),
            SCT_ETYPE);
  ASSERT_OK(sct_space_event(a, "done", SCT_SPACE_CREATE, &e1));

  /* Another process, which knows only the space's name. */
  sct_arg_t args[] = {SCT_ASTR(name)};
  sct_process_t *p = start_child("space.producer", args, 1);
  CU_ASSERT_FATAL(p != NULL);
  int64_t sum = 0;
  for (int i = 0; i < 100; i++) {
    int64_t item = 0;
    ASSERT_OK(sct_queue_get(q1, &item, 30000));
    sum += item;
  }
  CU_ASSERT_EQUAL(sum, 5050);
  ASSERT_OK(sct_event_wait(e1, 30000));
  CU_ASSERT_EQUAL(finish_child(p), 0);

  /* Passed to a spawned child, it is refused: children open by name. */
  sct_process_t *spawned;
  sct_arg_t queue_arg[] = {SCT_AQUEUE(q1)};
  ASSERT_OK(sct_process_new(&spawned, "space.producer", queue_arg, 1));
  ASSERT_OK(sct_process_set_start_method(spawned, SCT_START_SPAWN));
  ASSERT_RC(sct_process_start(spawned), SCT_EINVAL);
  ASSERT_OK(sct_process_free(spawned));

  ASSERT_OK(sct_cond_free(c1));
  ASSERT_OK(sct_cond_free(c2));
  ASSERT_OK(sct_sem_free(s1));
  ASSERT_OK(sct_sem_free(s2));
  ASSERT_OK(sct_event_free(e1));
  ASSERT_OK(sct_barrier_free(b1));
  ASSERT_OK(sct_queue_free(q1));
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(a));
  ASSERT_OK(sct_space_close(b));
}

/* ---- helpers for the Python interop test (tests/space_interop.py) ---- */

/*
 * `--helper space make NAME`: a space with a point "p" (x 7, y 2.5), an
 * Array "counts" of 4 'q' (10, 20, 30, 40), and a Value "counter" ('q',
 * with a Lock). `count NAME N`: N increments of "counter" under its lock.
 * `pairs NAME N`: N writes of "pair" (an Array of 2 'q', with a Lock) as
 * (i, -i) under the lock. `check NAME`: exit 0 when "from-python" (an
 * Array of 3 'd', raw) holds 1.5, 2.5, 3.5.
 */
static int space_helper(int argc, char **argv) {
  sct_space_t *space;
  sct_obj_t *obj;
  if (argc < 2)
    return 2;
  long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
  if (strcmp(argv[0], "make") == 0) {
    point_t pt = {7, 2.5};
    if (sct_space_create(&space, argv[1], SPACE_SIZE, 16) != 0 ||
        sct_space_object(space, "p", SCT_SPACE_CREATE, point_type(), 0, 0,
                         &obj) != 0 ||
        sct_value_set(obj, &pt) != 0 ||
        sct_space_object(space, "counts", SCT_SPACE_CREATE, type_of('q'), 4, 0,
                         &obj) != 0)
      return 3;
    for (size_t i = 0; i < 4; i++)
      sct_array_set_i64(obj, i, (int64_t)(i + 1) * 10);
    if (sct_space_object(space, "counter", SCT_SPACE_CREATE, type_of('q'), 0,
                         SCT_LOCK, &obj) != 0 ||
        sct_space_object(space, "pair", SCT_SPACE_CREATE, type_of('q'), 2,
                         SCT_LOCK, &obj) != 0)
      return 4;
    return 0;
  }
  if (sct_space_open(&space, argv[1], 0) != 0)
    return 5;
  if (strcmp(argv[0], "count") == 0) {
    if (sct_space_object(space, "counter", SCT_SPACE_FIND, type_of('q'), 0,
                         SCT_LOCK, &obj) != 0)
      return 6;
    for (long i = 0; i < n; i++) {
      int64_t v;
      if (sct_obj_acquire(obj, SCT_INFINITE) != 0)
        return 7;
      int64_t *p = sct_obj_ptr(obj);
      v = *p;
      *p = v + 1;
      sct_obj_release(obj);
    }
    return 0;
  }
  if (strcmp(argv[0], "pairs") == 0) {
    if (sct_space_object(space, "pair", SCT_SPACE_FIND, type_of('q'), 2,
                         SCT_LOCK, &obj) != 0)
      return 8;
    for (long i = 0; i < n; i++) {
      if (sct_obj_acquire(obj, SCT_INFINITE) != 0)
        return 9;
      int64_t *p = sct_obj_ptr(obj);
      p[0] = i;
      p[1] = -i;
      sct_obj_release(obj);
    }
    return 0;
  }
  if (strcmp(argv[0], "check") == 0) {
    double d[3];
    if (sct_space_object(space, "from-python", SCT_SPACE_FIND, type_of('d'), 3,
                         0, &obj) != 0)
      return 10;
    memcpy(d, sct_obj_ptr(obj), sizeof d);
    return d[0] == 1.5 && d[1] == 2.5 && d[2] == 3.5 ? 0 : 11;
  }
  return 2;
}

static CU_TestInfo tests[] = {
    {"type formats", test_type_formats},
    {"bad inputs", test_bad_inputs},
    {"objects", test_objects},
    {"open-or-create race", test_open_or_create_race},
    {"creator killed", test_creator_killed},
    {"lock owner death", test_lock_owner_death},
    {"waiting primitives in a space", test_waiting_in_space},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"space.race", child_race},
    {"space.fill", child_fill},
    {"space.hold", child_hold_space_lock},
    {"space.producer", child_space_producer}};

const test_suite_t suite_space = {
    "space", tests, targets, sizeof targets / sizeof targets[0], space_helper};
