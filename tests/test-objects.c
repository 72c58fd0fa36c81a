/* Objects: creation, element/slice/field/string access, atomics, handles. */
#include "test.h"

#include <stdint.h>
#include <string.h>
#include <wchar.h>

/* Every typecode round-trips through a Value and an Array, and the shared
 * bytes are exactly the C layout. */
static void test_every_typecode(void) {
  const char *codes = "cubBhHiIlLqQfd";
  for (const char *c = codes; *c; c++) {
    const sct_type_t *t = type_of(*c);
    size_t size = sct_type_size(t);
    unsigned char init[4 * 8], back[4 * 8];
    for (size_t i = 0; i < sizeof init; i++)
      init[i] = (unsigned char)(i * 7 + 1);
    sct_obj_t *v, *a;
    ASSERT_OK(sct_value_new(&v, t, init, NULL));
    CU_ASSERT_EQUAL(memcmp(sct_obj_ptr(v), init, size), 0);
    ASSERT_OK(sct_value_get(v, back));
    CU_ASSERT_EQUAL(memcmp(back, init, size), 0);
    ASSERT_OK(sct_rawarray_new(&a, t, 4, init));
    CU_ASSERT_EQUAL(sct_obj_len(a), 4);
    CU_ASSERT(sct_obj_is_array(a));
    CU_ASSERT(!sct_obj_is_array(v));
    ASSERT_OK(sct_array_get(a, 3, back));
    CU_ASSERT_EQUAL(memcmp(back, init + 3 * size, size), 0);
    ASSERT_OK(sct_obj_free(v));
    ASSERT_OK(sct_obj_free(a));
  }
}

static void test_zeroed_by_default(void) {
  sct_obj_t *a;
  ASSERT_OK(sct_array_new(&a, type_of('i'), 16, NULL, NULL));
  int back[16];
  memset(back, 0xff, sizeof back);
  ASSERT_OK(sct_array_get_slice(a, 0, 16, back));
  int zero = 1;
  for (int i = 0; i < 16; i++)
    zero &= back[i] == 0;
  CU_ASSERT(zero);
  ASSERT_OK(sct_obj_free(a));
}

static void test_null_arguments(void) {
  sct_obj_t *o;
  int x = 0;
  ASSERT_RC(sct_rawvalue_new(NULL, type_of('i'), NULL), SCT_EINVAL);
  ASSERT_RC(sct_rawvalue_new(&o, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_value_new(&o, NULL, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_copy(&o, type_of('i'), NULL), SCT_EINVAL);
  ASSERT_RC(sct_value_get(NULL, &x), SCT_EINVAL);
  ASSERT_RC(sct_obj_free(NULL), SCT_EINVAL);
  ASSERT_RC(sct_synchronized(&o, NULL, NULL), SCT_EINVAL);
  ASSERT_OK(sct_rawvalue_new(&o, type_of('i'), NULL));
  ASSERT_RC(sct_value_get(o, NULL), SCT_EINVAL);
  ASSERT_RC(sct_value_set(o, NULL), SCT_EINVAL);
  ASSERT_RC(sct_array_get(o, 0, NULL), SCT_EINVAL);
  ASSERT_RC(sct_field_get(o, 0, NULL, &x), SCT_EINVAL);
  ASSERT_RC(sct_value_get_i64(o, NULL), SCT_EINVAL);
  ASSERT_RC(sct_obj_format(o, NULL, 8, NULL), SCT_EINVAL);
  CU_ASSERT_PTR_NULL(sct_obj_ptr(NULL));
  CU_ASSERT_EQUAL(sct_obj_len(NULL), 0);
  CU_ASSERT_PTR_NULL(sct_obj_type(NULL));
  ASSERT_OK(sct_obj_free(o));
}

static void test_index_and_slice_range(void) {
  sct_obj_t *a, *v;
  short buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_OK(sct_array_new(&a, type_of('h'), 8, buf, NULL));
  ASSERT_OK(sct_rawvalue_new(&v, type_of('h'), buf));
  short one;
  ASSERT_RC(sct_array_get(a, 8, &one), SCT_ERANGE);
  ASSERT_RC(sct_array_set(a, SIZE_MAX, &one), SCT_ERANGE);
  ASSERT_RC(sct_array_get(v, 1, &one), SCT_ERANGE);
  ASSERT_OK(sct_array_get(v, 0, &one));
  CU_ASSERT_EQUAL(one, 1);
  ASSERT_RC(sct_array_get_slice(a, 5, 4, buf), SCT_ERANGE);
  ASSERT_RC(sct_array_get_slice(a, 0, 9, buf), SCT_ERANGE);
  ASSERT_RC(sct_array_set_slice(a, 8, 9, buf), SCT_ERANGE);
  ASSERT_OK(sct_array_get_slice(a, 8, 8, buf)); /* empty slice */
  short mid[3] = {-1, -2, -3}, back[8];
  ASSERT_OK(sct_array_set_slice(a, 2, 5, mid));
  ASSERT_OK(sct_array_get_slice(a, 0, 8, back));
  short want[8] = {1, 2, -1, -2, -3, 6, 7, 8};
  CU_ASSERT_EQUAL(memcmp(back, want, sizeof want), 0);
  ASSERT_OK(sct_obj_free(a));
  ASSERT_OK(sct_obj_free(v));
}

typedef struct pos {
  double x, y;
} pos_t;
typedef struct body {
  int id;
  pos_t pos;
  char name[8];
} body_t;

static void make_body_type(sct_type_t **body) {
  sct_type_t *pos;
  sct_field_t fp[] = {SCT_FIELD(pos_t, x, 'd'), SCT_FIELD(pos_t, y, 'd')};
  sct_type_new_struct(&pos, "pos", sizeof(pos_t), _Alignof(pos_t), fp, 2);
  sct_field_t fb[] = {SCT_FIELD(body_t, id, 'i'),
                      SCT_FIELD_TYPE(body_t, pos, pos),
                      SCT_FIELD_ARRAY(body_t, name, 'c', 8)};
  sct_type_new_struct(body, "body", sizeof(body_t), _Alignof(body_t), fb, 3);
  sct_type_free(pos);
}

static void test_struct_fields(void) {
  sct_type_t *body;
  make_body_type(&body);
  body_t init[2] = {{1, {1.5, 2.5}, "sun"}, {2, {-1.0, 4.0}, "moon"}};
  sct_obj_t *a;
  ASSERT_OK(sct_array_new(&a, body, 2, init, NULL));
  double y = 0;
  ASSERT_OK(sct_field_get(a, 1, "pos.y", &y));
  CU_ASSERT_EQUAL(y, 4.0);
  pos_t p = {9.0, 8.0};
  ASSERT_OK(sct_field_set(a, 0, "pos", &p));
  char name[8];
  ASSERT_OK(sct_field_get(a, 1, "name", name));
  CU_ASSERT_STRING_EQUAL(name, "moon");
  /* The bytes are the C struct. */
  body_t *raw = sct_obj_ptr(a);
  CU_ASSERT_EQUAL(raw[0].pos.x, 9.0);
  CU_ASSERT_EQUAL(raw[0].pos.y, 8.0);
  CU_ASSERT_EQUAL(raw[1].id, 2);

  int id;
  ASSERT_RC(sct_field_get(a, 0, "mass", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 0, "pos.z", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 0, "id.x", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 0, "pos.", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 0, "", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 0, "name.x", &id), SCT_ENOFIELD);
  ASSERT_RC(sct_field_get(a, 2, "id", &id), SCT_ERANGE);
  sct_obj_t *plain;
  ASSERT_OK(sct_rawvalue_new(&plain, type_of('i'), NULL));
  ASSERT_RC(sct_field_get(plain, 0, "x", &id), SCT_ETYPE);
  ASSERT_OK(sct_obj_free(plain));
  ASSERT_OK(sct_obj_free(a));
  ASSERT_OK(sct_type_free(body));
}

/* Python's c_char array semantics: value stops at the first NUL, setting
 * a shorter value writes a terminating NUL, raw is every byte. */
static void test_chars(void) {
  sct_obj_t *s;
  char buf[32];
  size_t len = 0;
  ASSERT_OK(sct_array_new(&s, type_of('c'), 11, "hello world", NULL));
  ASSERT_OK(sct_chars_value(s, buf, sizeof buf, &len));
  CU_ASSERT_STRING_EQUAL(buf, "hello world");
  CU_ASSERT_EQUAL(len, 11);
  ASSERT_OK(sct_chars_set_value(s, "hey", 3));
  ASSERT_OK(sct_chars_value(s, buf, sizeof buf, &len));
  CU_ASSERT_STRING_EQUAL(buf, "hey");
  CU_ASSERT_EQUAL(len, 3);
  ASSERT_OK(sct_chars_raw(s, buf, sizeof buf, &len));
  CU_ASSERT_EQUAL(len, 11);
  CU_ASSERT_EQUAL(memcmp(buf, "hey\0o world", 11), 0);
  ASSERT_RC(sct_chars_set_value(s, "0123456789ab", 12), SCT_ERANGE);
  ASSERT_OK(sct_chars_set_value(s, "0123456789a", 11)); /* full: no NUL */
  ASSERT_OK(sct_chars_value(s, buf, sizeof buf, &len));
  CU_ASSERT_STRING_EQUAL(buf, "0123456789a");
  ASSERT_OK(sct_chars_set_raw(s, "AB", 2));
  ASSERT_OK(sct_chars_value(s, buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "AB23456789a");
  ASSERT_RC(sct_chars_set_raw(s, "0123456789abc", 13), SCT_ERANGE);
  /* Too small a buffer: the size needed is still told. */
  ASSERT_RC(sct_chars_value(s, buf, 5, &len), SCT_ERANGE);
  CU_ASSERT_EQUAL(len, 11);
  ASSERT_RC(sct_chars_value(s, buf, 11, &len), SCT_ERANGE); /* + NUL */
  /* .raw is exactly n bytes: a buffer of n suffices, nothing is written
   * after them. */
  memset(buf, '#', sizeof buf);
  ASSERT_OK(sct_chars_raw(s, buf, 11, &len));
  CU_ASSERT_EQUAL(memcmp(buf, "AB23456789a#", 12), 0);
  ASSERT_RC(sct_chars_raw(s, buf, 10, &len), SCT_ERANGE);
  CU_ASSERT_EQUAL(len, 11);
  sct_obj_t *ints;
  ASSERT_OK(sct_rawarray_new(&ints, type_of('i'), 4, NULL));
  ASSERT_RC(sct_chars_value(ints, buf, sizeof buf, NULL), SCT_ETYPE);
  ASSERT_RC(sct_chars_set_value(ints, "a", 1), SCT_ETYPE);
  ASSERT_OK(sct_obj_free(ints));
  ASSERT_OK(sct_obj_free(s));
}

static void test_int_and_float_access(void) {
  sct_obj_t *b, *Q, *d, *f, *c;
  int64_t v;
  double x;
  ASSERT_OK(sct_value_new(&b, type_of('b'), NULL, NULL));
  ASSERT_OK(sct_value_set_i64(b, -128));
  ASSERT_OK(sct_value_get_i64(b, &v));
  CU_ASSERT_EQUAL(v, -128);
  ASSERT_RC(sct_value_set_i64(b, 128), SCT_EOVERFLOW);
  ASSERT_RC(sct_value_set_i64(b, -129), SCT_EOVERFLOW);
  ASSERT_OK(sct_rawvalue_new(&Q, type_of('Q'), &(unsigned long long){~0ULL}));
  ASSERT_RC(sct_value_get_i64(Q, &v), SCT_EOVERFLOW);
  ASSERT_RC(sct_value_set_i64(Q, -1), SCT_EOVERFLOW);
  ASSERT_OK(sct_value_new(&d, type_of('d'), NULL, NULL));
  ASSERT_OK(sct_value_set_f64(d, 0.25));
  ASSERT_OK(sct_value_get_f64(d, &x));
  CU_ASSERT_EQUAL(x, 0.25);
  ASSERT_OK(sct_rawvalue_new(&f, type_of('f'), NULL));
  ASSERT_OK(sct_value_set_f64(f, 1.5));
  ASSERT_OK(sct_value_get_f64(f, &x));
  CU_ASSERT_EQUAL(x, 1.5);
  ASSERT_RC(sct_value_get_i64(d, &v), SCT_ETYPE);
  ASSERT_RC(sct_value_get_f64(b, &x), SCT_ETYPE);
  ASSERT_OK(sct_rawvalue_new(&c, type_of('c'), "A"));
  ASSERT_RC(sct_value_set_i64(c, 1), SCT_ETYPE);
  sct_obj_free(b);
  sct_obj_free(Q);
  sct_obj_free(d);
  sct_obj_free(f);
  sct_obj_free(c);
}

static void test_atomics(void) {
  sct_obj_t *q, *B, *d;
  int64_t old = 0, expected;
  ASSERT_OK(sct_value_new(&q, type_of('q'), &(long long){10}, NULL));
  ASSERT_OK(sct_value_add(q, 5, &old));
  CU_ASSERT_EQUAL(old, 10);
  ASSERT_OK(sct_value_add(q, -20, NULL));
  ASSERT_OK(sct_value_get_i64(q, &old));
  CU_ASSERT_EQUAL(old, -5);
  expected = -5;
  ASSERT_OK(sct_value_cas(q, &expected, 100));
  expected = 7;
  ASSERT_RC(sct_value_cas(q, &expected, 1), SCT_ESTATE);
  CU_ASSERT_EQUAL(expected, 100);
  ASSERT_RC(sct_value_cas(q, NULL, 1), SCT_EINVAL);
  /* Unsigned bytes wrap like C. */
  ASSERT_OK(sct_rawvalue_new(&B, type_of('B'), &(unsigned char){250}));
  ASSERT_OK(sct_value_add(B, 10, &old));
  CU_ASSERT_EQUAL(old, 250);
  ASSERT_OK(sct_value_get_i64(B, &old));
  CU_ASSERT_EQUAL(old, 4);
  ASSERT_RC(sct_value_add(B, 256, NULL), SCT_EOVERFLOW);
  expected = 4;
  ASSERT_RC(sct_value_cas(B, &expected, 300), SCT_EOVERFLOW);
  ASSERT_OK(sct_rawvalue_new(&d, type_of('d'), NULL));
  ASSERT_RC(sct_value_add(d, 1, NULL), SCT_ETYPE);
  ASSERT_RC(sct_value_cas(d, &expected, 1), SCT_ETYPE);
  sct_obj_free(q);
  sct_obj_free(B);
  sct_obj_free(d);
}

/* Counters: checked once, then an inline atomic add. */
static void test_counters(void) {
  sct_obj_t *q, *arr, *narrow, *d;
  sct_counter_t c;
  int64_t got = -1;
  ASSERT_OK(sct_value_new(&q, type_of('q'), &(int64_t){40}, NULL));
  ASSERT_OK(sct_value_counter(q, &c));
  CU_ASSERT_EQUAL(sct_counter_add(c, 2), 40);
  ASSERT_OK(sct_value_get_i64(q, &got));
  CU_ASSERT_EQUAL(got, 42);
  CU_ASSERT_EQUAL(sct_counter_add(c, -50), 42);
  ASSERT_OK(sct_value_get_i64(q, &got));
  CU_ASSERT_EQUAL(got, -8);
  ASSERT_OK(sct_rawarray_new(&arr, type_of('Q'), 4, NULL));
  ASSERT_OK(sct_array_counter(arr, 3, &c));
  sct_counter_add(c, 7);
  ASSERT_OK(sct_array_get_i64(arr, 3, &got));
  CU_ASSERT_EQUAL(got, 7);
  ASSERT_RC(sct_array_counter(arr, 4, &c), SCT_ERANGE);
  ASSERT_RC(sct_value_counter(arr, &c), SCT_ETYPE); /* an Array */
  ASSERT_RC(sct_array_counter(arr, 0, NULL), SCT_EINVAL);
  ASSERT_OK(sct_rawvalue_new(&narrow, type_of('i'), NULL));
  ASSERT_RC(sct_value_counter(narrow, &c), SCT_ETYPE); /* 4 bytes */
  ASSERT_OK(sct_rawvalue_new(&d, type_of('d'), NULL));
  ASSERT_RC(sct_value_counter(d, &c), SCT_ETYPE);
  ASSERT_RC(sct_value_counter(NULL, &c), SCT_EINVAL);
  ASSERT_OK(sct_obj_free(d));
  ASSERT_RC(sct_value_counter(d, &c), SCT_ESTATE);
  sct_obj_free(q);
  sct_obj_free(arr);
  sct_obj_free(narrow);
}

/* Element forms of the integer functions, and the Value forms refusing
 * Arrays instead of acting on element 0. */
static void test_element_integers(void) {
  sct_obj_t *a, *v;
  int64_t old = -1, got = -1, expected;
  const unsigned short init[3] = {1, 2, 65535};
  ASSERT_OK(sct_array_new(&a, type_of('H'), 3, init, NULL));
  ASSERT_OK(sct_value_new(&v, type_of('i'), &(int){5}, NULL));
  ASSERT_RC(sct_value_add(a, 1, NULL), SCT_ETYPE);
  ASSERT_RC(sct_value_cas(a, &old, 1), SCT_ETYPE);
  ASSERT_RC(sct_value_get_i64(a, &got), SCT_ETYPE);
  ASSERT_RC(sct_value_set_i64(a, 1), SCT_ETYPE);
  ASSERT_OK(sct_array_add(a, 1, 40, &old));
  CU_ASSERT_EQUAL(old, 2);
  ASSERT_OK(sct_array_get_i64(a, 1, &got));
  CU_ASSERT_EQUAL(got, 42);
  ASSERT_OK(sct_array_add(a, 2, 1, &old)); /* wraps like C */
  CU_ASSERT_EQUAL(old, 65535);
  ASSERT_OK(sct_array_add(a, 2, -1, &old)); /* unsigned: subtracts */
  ASSERT_OK(sct_array_get_i64(a, 2, &got));
  CU_ASSERT_EQUAL(got, 65535);
  ASSERT_RC(sct_array_add(a, 0, -65536, NULL), SCT_EOVERFLOW);
  ASSERT_RC(sct_array_add(a, 0, 65536, NULL), SCT_EOVERFLOW);
  expected = 1;
  ASSERT_OK(sct_array_cas(a, 0, &expected, 7));
  expected = 1;
  ASSERT_RC(sct_array_cas(a, 0, &expected, 8), SCT_ESTATE);
  CU_ASSERT_EQUAL(expected, 7);
  ASSERT_OK(sct_array_set_i64(a, 0, 9));
  ASSERT_OK(sct_array_get_i64(a, 0, &got));
  CU_ASSERT_EQUAL(got, 9);
  ASSERT_RC(sct_array_set_i64(a, 0, 65536), SCT_EOVERFLOW);
  ASSERT_RC(sct_array_add(a, 3, 1, NULL), SCT_ERANGE);
  ASSERT_RC(sct_array_cas(a, 3, &expected, 1), SCT_ERANGE);
  ASSERT_RC(sct_array_get_i64(a, SIZE_MAX, &got), SCT_ERANGE);
  ASSERT_RC(sct_array_set_i64(a, 3, 1), SCT_ERANGE);
  ASSERT_RC(sct_array_get_i64(a, 0, NULL), SCT_EINVAL);
  ASSERT_RC(sct_array_add(NULL, 0, 1, NULL), SCT_EINVAL);
  /* A Value is an Array of one. */
  ASSERT_OK(sct_array_add(v, 0, 1, &old));
  CU_ASSERT_EQUAL(old, 5);
  ASSERT_RC(sct_array_add(v, 1, 1, NULL), SCT_ERANGE);
  ASSERT_OK(sct_obj_free(a));
  ASSERT_RC(sct_array_add(a, 0, 1, NULL), SCT_ESTATE);
  ASSERT_OK(sct_obj_free(v));
}

static void test_copy_and_synchronized(void) {
  pos_t local = {3.0, 4.0};
  sct_type_t *pos;
  sct_field_t fp[] = {SCT_FIELD(pos_t, x, 'd'), SCT_FIELD(pos_t, y, 'd')};
  ASSERT_OK(
      sct_type_new_struct(&pos, "pos", sizeof(pos_t), _Alignof(pos_t), fp, 2));
  sct_obj_t *raw, *sync, *again, *got;
  sct_lock_t *lock;
  ASSERT_OK(sct_copy(&raw, pos, &local));
  local.x = 99; /* a copy, not a view */
  CU_ASSERT_EQUAL(((pos_t *)sct_obj_ptr(raw))->x, 3.0);
  ASSERT_RC(sct_obj_get_lock(raw, &lock), SCT_ENOLOCK);
  ASSERT_RC(sct_obj_acquire(raw, 0), SCT_ENOLOCK);
  ASSERT_RC(sct_obj_release(raw), SCT_ENOLOCK);
  ASSERT_RC(sct_obj_get_obj(raw, &got), SCT_ENOLOCK);

  ASSERT_OK(sct_synchronized(&sync, raw, NULL));
  ASSERT_RC(sct_synchronized(&again, sync, NULL), SCT_ESTATE);
  ASSERT_OK(sct_obj_get_obj(sync, &got));
  CU_ASSERT_PTR_EQUAL(got, raw);
  CU_ASSERT_PTR_EQUAL(sct_obj_ptr(sync), sct_obj_ptr(raw));
  ASSERT_OK(sct_obj_get_lock(sync, &lock));
  sct_lock_kind_t kind;
  ASSERT_OK(sct_lock_kind(lock, &kind));
  CU_ASSERT_EQUAL(kind, SCT_RLOCK);
  /* The wrapper keeps the bytes alive after the raw handle goes. */
  ASSERT_OK(sct_obj_free(raw));
  double y;
  ASSERT_OK(sct_field_get(sync, 0, "y", &y));
  CU_ASSERT_EQUAL(y, 4.0);
  int rc;
  SCT_WITH_LOCK(sync, rc) {
    unsigned count = 0;
    ASSERT_OK(sct_lock_count(lock, &count));
    CU_ASSERT_EQUAL(count, 1);
  }
  ASSERT_OK(rc);
  unsigned count = 9;
  ASSERT_OK(sct_lock_count(lock, &count));
  CU_ASSERT_EQUAL(count, 0);
  ASSERT_OK(sct_obj_free(sync));
  ASSERT_OK(sct_type_free(pos));
}

/* get_obj and get_lock of a Value made with its own lock give borrowed
 * handles: usable, shareable, but not the caller's to free. */
static void test_borrowed_handles(void) {
  sct_obj_t *v, *raw, *other;
  sct_lock_t *lock;
  ASSERT_OK(sct_value_new(&v, type_of('i'), &(int){5}, NULL));
  ASSERT_OK(sct_obj_get_obj(v, &raw));
  ASSERT_OK(sct_obj_get_lock(v, &lock));
  CU_ASSERT_PTR_EQUAL(sct_obj_ptr(raw), sct_obj_ptr(v));
  ASSERT_RC(sct_obj_free(raw), SCT_EINVAL);
  ASSERT_RC(sct_lock_free(lock), SCT_EINVAL);
  ASSERT_RC(sct_obj_get_lock(raw, &lock), SCT_ENOLOCK);
  /* A second object may share the borrowed lock; it outlives v's handle. */
  ASSERT_OK(sct_value_new(&other, type_of('i'), NULL, lock));
  ASSERT_OK(sct_obj_free(v));
  ASSERT_OK(sct_obj_acquire(other, 0));
  ASSERT_OK(sct_obj_release(other));
  ASSERT_OK(sct_obj_free(other));
}

static void test_double_free(void) {
  sct_obj_t *v;
  ASSERT_OK(sct_value_new(&v, type_of('i'), NULL, NULL));
  ASSERT_OK(sct_obj_free(v));
  ASSERT_RC(sct_obj_free(v), SCT_ESTATE);
  int x;
  ASSERT_RC(sct_value_get(v, &x), SCT_ESTATE);
  /* Freed while a wrapper holds it: the handle is still dead to its user. */
  sct_obj_t *raw, *sync;
  ASSERT_OK(sct_rawvalue_new(&raw, type_of('i'), NULL));
  ASSERT_OK(sct_synchronized(&sync, raw, NULL));
  ASSERT_OK(sct_obj_free(raw));
  ASSERT_RC(sct_obj_free(raw), SCT_ESTATE);
  ASSERT_OK(sct_obj_free(sync));
  sct_lock_t *lock;
  ASSERT_OK(sct_lock_new(&lock, SCT_LOCK));
  ASSERT_OK(sct_lock_free(lock));
  ASSERT_RC(sct_lock_free(lock), SCT_ESTATE);
  ASSERT_RC(sct_lock_acquire(lock, 0), SCT_ESTATE);
}

static CU_TestInfo tests[] = {
    {"every typecode", test_every_typecode},
    {"zeroed by default", test_zeroed_by_default},
    {"null arguments", test_null_arguments},
    {"index and slice range", test_index_and_slice_range},
    {"struct fields", test_struct_fields},
    {"chars", test_chars},
    {"int and float access", test_int_and_float_access},
    {"atomics", test_atomics},
    {"element integers", test_element_integers},
    {"counters", test_counters},
    {"copy and synchronized", test_copy_and_synchronized},
    {"borrowed handles", test_borrowed_handles},
    {"double free", test_double_free},
    CU_TEST_INFO_NULL};

const test_suite_t suite_objects = {"objects", tests, NULL, 0, NULL};
