/* Type descriptors: typecodes and struct types. */
#include "test.h"

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

static void test_typecode_sizes(void) {
  struct {
    char code;
    size_t size;
  } table[] = {{'c', sizeof(char)},        {'u', sizeof(wchar_t)},
               {'b', sizeof(signed char)}, {'B', sizeof(unsigned char)},
               {'h', sizeof(short)},       {'H', sizeof(unsigned short)},
               {'i', sizeof(int)},         {'I', sizeof(unsigned int)},
               {'l', sizeof(long)},        {'L', sizeof(unsigned long)},
               {'q', sizeof(long long)},   {'Q', sizeof(unsigned long long)},
               {'f', sizeof(float)},       {'d', sizeof(double)}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    const sct_type_t *t = NULL;
    ASSERT_OK(sct_type_from_code(table[i].code, &t));
    CU_ASSERT_EQUAL(sct_type_size(t), table[i].size);
    CU_ASSERT_EQUAL(sct_type_code(t), table[i].code);
    ASSERT_OK(sct_type_free(t)); /* static: allowed, does nothing */
  }
}

static void test_unknown_typecode(void) {
  const sct_type_t *t = NULL;
  ASSERT_RC(sct_type_from_code('x', &t), SCT_ETYPE);
  ASSERT_RC(sct_type_from_code('\0', &t), SCT_ETYPE);
  ASSERT_RC(sct_type_from_code('D', &t), SCT_ETYPE);
  ASSERT_RC(sct_type_from_code('i', NULL), SCT_EINVAL);
  CU_ASSERT_EQUAL(sct_type_size(NULL), 0);
  CU_ASSERT_EQUAL(sct_type_code(NULL), 0);
}

typedef struct inner {
  short a;
  double b;
} inner_t;

typedef struct outer {
  char tag[5];
  inner_t in;
  int xs[3];
} outer_t;

/* The inner and outer struct types above. */
static void make_outer(sct_type_t **in, sct_type_t **out) {
  sct_field_t fi[] = {SCT_FIELD(inner_t, a, 'h'), SCT_FIELD(inner_t, b, 'd')};
  ASSERT_OK(sct_type_new_struct(in, "inner", sizeof(inner_t),
                                _Alignof(inner_t), fi, 2));
  sct_field_t fo[] = {SCT_FIELD_ARRAY(outer_t, tag, 'c', 5),
                      SCT_FIELD_TYPE(outer_t, in, *in),
                      SCT_FIELD_ARRAY(outer_t, xs, 'i', 3)};
  ASSERT_OK(sct_type_new_struct(out, "outer", sizeof(outer_t),
                                _Alignof(outer_t), fo, 3));
}

static void test_struct_types(void) {
  sct_type_t *in, *out;
  make_outer(&in, &out);
  CU_ASSERT_EQUAL(sct_type_size(out), sizeof(outer_t));
  CU_ASSERT_EQUAL(sct_type_code(out), 0);
  /* The outer type keeps the inner one alive. */
  ASSERT_OK(sct_type_free(in));
  sct_obj_t *o;
  outer_t init = {"abcd", {-3, 2.5}, {1, 2, 3}};
  ASSERT_OK(sct_rawvalue_new(&o, out, &init));
  double b = 0;
  ASSERT_OK(sct_field_get(o, 0, "in.b", &b));
  CU_ASSERT_EQUAL(b, 2.5);
  ASSERT_OK(sct_obj_free(o));
  ASSERT_OK(sct_type_free(out));
}

/* The caller's type freed at once: the struct and the object made from
 * it still hand out a usable type (it was marked freed, and a nested
 * field's type then had size 0); the caller's second free is refused. */
static void test_freed_type_lives_on(void) {
  sct_type_t *in, *out;
  make_outer(&in, &out);
  ASSERT_OK(sct_type_free(in));
  ASSERT_RC(sct_type_free(in), SCT_ESTATE);
  sct_field_t f;
  ASSERT_OK(sct_type_field_at(out, 1, &f));
  CU_ASSERT_EQUAL(sct_type_size(f.type), sizeof(inner_t));
  CU_ASSERT_EQUAL(sct_type_nfields(f.type), 2);
  const sct_type_t *ftype = NULL;
  ASSERT_OK(sct_type_field_find(out, "in", NULL, &ftype, NULL));
  CU_ASSERT_EQUAL(sct_type_align(ftype), _Alignof(inner_t));
  sct_obj_t *o;
  ASSERT_OK(sct_rawvalue_new(&o, out, NULL));
  ASSERT_OK(sct_type_free(out));
  CU_ASSERT_EQUAL(sct_type_size(sct_obj_type(o)), sizeof(outer_t));
  CU_ASSERT_EQUAL(sct_type_nfields(sct_obj_type(o)), 3);
  ASSERT_RC(sct_type_free(out), SCT_ESTATE);
  ASSERT_OK(sct_obj_free(o));
}

typedef struct table {
  inner_t rows[4];
  int n;
} table_t;

/* An array of a nested struct, with its macro: the whole array is the
 * field's bytes, formatted as Python prints a ctypes array of structs. */
static void test_struct_array_field(void) {
  sct_type_t *in, *table;
  sct_field_t fi[] = {SCT_FIELD(inner_t, a, 'h'), SCT_FIELD(inner_t, b, 'd')};
  ASSERT_OK(sct_type_new_struct(&in, "inner", sizeof(inner_t),
                                _Alignof(inner_t), fi, 2));
  sct_field_t ft[] = {SCT_FIELD_TYPE_ARRAY(table_t, rows, in, 4),
                      SCT_FIELD(table_t, n, 'i')};
  ASSERT_OK(sct_type_new_struct(&table, "table", sizeof(table_t),
                                _Alignof(table_t), ft, 2));
  ASSERT_OK(sct_type_free(in));
  CU_ASSERT_EQUAL(sct_type_size(table), sizeof(table_t));
  table_t init = {{{1, 0.5}, {2, 1.5}, {3, 2.5}, {4, 3.5}}, 4}, got;
  sct_obj_t *o;
  ASSERT_OK(sct_rawvalue_new(&o, table, &init));
  inner_t rows[4];
  ASSERT_OK(sct_field_get(o, 0, "rows", rows));
  CU_ASSERT_EQUAL(rows[2].a, 3);
  CU_ASSERT_EQUAL(rows[3].b, 3.5);
  ASSERT_OK(sct_value_get(o, &got));
  CU_ASSERT_EQUAL(got.n, 4);
  char text[256];
  ASSERT_OK(sct_obj_format(o, text, sizeof text, NULL));
  CU_ASSERT_STRING_EQUAL(text, "([(1, 0.5), (2, 1.5), (3, 2.5), (4, 3.5)], 4)");
  ASSERT_OK(sct_obj_free(o));
  ASSERT_OK(sct_type_free(table));
}

static void test_struct_bad_inputs(void) {
  sct_type_t *t = NULL;
  sct_field_t good[] = {SCT_FIELD(inner_t, a, 'h'), SCT_FIELD(inner_t, b, 'd')};
  size_t size = sizeof(inner_t), align = _Alignof(inner_t);
  ASSERT_RC(sct_type_new_struct(NULL, "s", size, align, good, 2), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", size, align, NULL, 2), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", size, align, good, 0), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", 0, align, good, 2), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", size, 3, good, 2), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", size + 1, align, good, 2), SCT_EINVAL);

  sct_field_t unknown[] = {{"a", 'x', NULL, 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 8, unknown, 1), SCT_ETYPE);
  sct_field_t outside[] = {{"a", 'd', NULL, 8, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 8, outside, 1), SCT_EINVAL);
  /* Half a double's alignment off (4 on x86-64, 2 on i386, where
   * _Alignof(double) is 4). */
  sct_field_t misaligned[] = {{"a", 'd', NULL, _Alignof(double) / 2, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 16, 8, misaligned, 1), SCT_EINVAL);
  sct_field_t dup[] = {{"a", 'i', NULL, 0, 1}, {"a", 'i', NULL, 4, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 4, dup, 2), SCT_ENAME);
  sct_field_t empty[] = {{"", 'i', NULL, 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 4, 4, empty, 1), SCT_ENAME);
  sct_field_t noname[] = {{NULL, 'i', NULL, 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 4, 4, noname, 1), SCT_EINVAL);
  sct_field_t dotted[] = {{"a.b", 'i', NULL, 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 4, 4, dotted, 1), SCT_ENAME);
  sct_field_t both[] = {{"a", 'i', type_of('i'), 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 4, 4, both, 1), SCT_EINVAL);
  sct_field_t neither[] = {{"a", 0, NULL, 0, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 4, 4, neither, 1), SCT_ETYPE);
  /* A count whose byte size cannot be a size_t on any target. */
  sct_field_t huge[] = {{"a", 'q', NULL, 0, SIZE_MAX / 4}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 8, huge, 1), SCT_EOVERFLOW);
  /* An offset so large that offset + size wraps: outside the struct. */
  sct_field_t beyond[] = {{"a", 'b', NULL, SIZE_MAX, 1}};
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 8, beyond, 1), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", 8, 0, good, 2), SCT_EINVAL);
  ASSERT_RC(sct_type_new_struct(&t, "s", 8192, 8192, good, 2), SCT_EINVAL);
  /* The name is optional: an anonymous struct. */
  ASSERT_OK(sct_type_new_struct(&t, NULL, size, align, good, 2));
  ASSERT_OK(sct_type_free(t));
}

static void test_struct_double_free(void) {
  sct_type_t *t;
  sct_field_t f[] = {{"v", 'i', NULL, 0, 1}};
  ASSERT_OK(sct_type_new_struct(&t, "one", sizeof(int), _Alignof(int), f, 1));
  ASSERT_OK(sct_type_free(t));
  ASSERT_RC(sct_type_free(t), SCT_ESTATE);
  sct_obj_t *o;
  ASSERT_RC(sct_rawvalue_new(&o, t, NULL), SCT_ESTATE);
  ASSERT_RC(sct_type_free(NULL), SCT_EINVAL);
}

/* A struct's layout as described, read back field by field and by path;
 * every bad input answered. */
static void test_struct_introspection(void) {
  sct_type_t *in, *out;
  const sct_type_t *d, *ftype = NULL;
  make_outer(&in, &out);
  ASSERT_OK(sct_type_from_code('d', &d));
  CU_ASSERT_EQUAL(sct_type_align(out), _Alignof(outer_t));
  CU_ASSERT_EQUAL(sct_type_align(d), _Alignof(double));
  CU_ASSERT_EQUAL(sct_type_nfields(out), 3);
  CU_ASSERT_EQUAL(sct_type_nfields(d), 0);
  CU_ASSERT_EQUAL(sct_type_nfields(NULL), 0);
  sct_field_t f;
  ASSERT_OK(sct_type_field_at(out, 1, &f));
  CU_ASSERT_STRING_EQUAL(f.name, "in");
  CU_ASSERT_EQUAL(f.code, 0);
  CU_ASSERT_EQUAL(f.offset, offsetof(outer_t, in));
  CU_ASSERT_EQUAL(sct_type_size(f.type), sizeof(inner_t));
  ASSERT_OK(sct_type_field_at(out, 2, &f));
  CU_ASSERT_EQUAL(f.code, 'i');
  CU_ASSERT_EQUAL(f.count, 3);
  ASSERT_RC(sct_type_field_at(out, 3, &f), SCT_ERANGE);
  ASSERT_RC(sct_type_field_at(d, 0, &f), SCT_ETYPE);
  ASSERT_RC(sct_type_field_at(out, 0, NULL), SCT_EINVAL);
  size_t offset = 0, count = 0;
  ASSERT_OK(sct_type_field_find(out, "in.b", &offset, &ftype, &count));
  CU_ASSERT_EQUAL(offset, offsetof(outer_t, in) + offsetof(inner_t, b));
  CU_ASSERT_EQUAL(ftype, d);
  CU_ASSERT_EQUAL(count, 1);
  ASSERT_OK(sct_type_field_find(out, "xs", NULL, NULL, &count));
  CU_ASSERT_EQUAL(count, 3);
  ASSERT_RC(sct_type_field_find(out, "in.c", &offset, NULL, NULL),
            SCT_ENOFIELD);
  ASSERT_RC(sct_type_field_find(out, "", &offset, NULL, NULL), SCT_ENOFIELD);
  ASSERT_RC(sct_type_field_find(d, "x", &offset, NULL, NULL), SCT_ETYPE);
  ASSERT_RC(sct_type_field_find(out, NULL, &offset, NULL, NULL), SCT_EINVAL);
  ASSERT_RC(sct_type_field_find(NULL, "x", &offset, NULL, NULL), SCT_EINVAL);
  ASSERT_OK(sct_type_free(in));
  ASSERT_OK(sct_type_free(out));
}

static CU_TestInfo tests[] = {{"typecode sizes", test_typecode_sizes},
                              {"struct introspection",
                               test_struct_introspection},
                              {"unknown typecode", test_unknown_typecode},
                              {"struct types", test_struct_types},
                              {"a freed type lives on in its users",
                               test_freed_type_lives_on},
                              {"array of a nested struct",
                               test_struct_array_field},
                              {"struct bad inputs", test_struct_bad_inputs},
                              {"struct double free", test_struct_double_free},
                              CU_TEST_INFO_NULL};

const test_suite_t suite_types = {"types", tests, NULL, 0, NULL};
