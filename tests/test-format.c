/* Formatting: the text Python prints for the same values. */
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Formats a new raw Value or Array and compares with Python's text. */
static void check_format(char code, size_t n, const void *init,
                         const char *want) {
  sct_obj_t *o;
  char buf[128];
  int rc = n == 0 ? sct_rawvalue_new(&o, type_of(code), init)
                  : sct_rawarray_new(&o, type_of(code), n, init);
  ASSERT_OK(rc);
  if (rc != 0)
    return;
  ASSERT_OK(sct_obj_format(o, buf, sizeof buf, NULL));
  if (strcmp(buf, want) != 0)
    fprintf(stderr, "\n  format: got %s, want %s\n", buf, want);
  CU_ASSERT_STRING_EQUAL(buf, want);
  sct_obj_free(o);
}

static void check_double(double v, const char *want) {
  check_format('d', 0, &v, want);
}

static void test_doubles_like_repr(void) {
  check_double(1.0 / 3.0, "0.3333333333333333");
  check_double(1.0 / 9.0, "0.1111111111111111");
  check_double(0.1, "0.1");
  check_double(1.5, "1.5");
  check_double(100.0, "100.0");
  check_double(-2.0, "-2.0");
  check_double(1e16, "1e+16");
  check_double(1234567890123456.0, "1234567890123456.0");
  check_double(123456789012345678.0, "1.2345678901234568e+17");
  check_double(1e22, "1e+22");
  check_double(0.0001, "0.0001");
  check_double(1e-05, "1e-05");
  check_double(2.5e-05, "2.5e-05");
  check_double(5e-324, "5e-324");
  check_double(1.7976931348623157e308, "1.7976931348623157e+308");
  check_double(0.0, "0.0");
  check_double(-0.0, "-0.0");
  check_double(INFINITY, "inf");
  check_double(-INFINITY, "-inf");
  check_double(NAN, "nan");
  check_double(3.515625, "3.515625");
  check_double(39.0625, "39.0625");
  float f = 0.1f;
  check_format('f', 0, &f, "0.10000000149011612");
}

static void test_integers(void) {
  check_format('i', 0, &(int){49}, "49");
  check_format('b', 0, &(signed char){-128}, "-128");
  check_format('B', 0, &(unsigned char){255}, "255");
  check_format('h', 0, &(short){-32768}, "-32768");
  check_format('q', 0, &(long long){INT64_MIN}, "-9223372036854775808");
  check_format('Q', 0, &(unsigned long long){UINT64_MAX},
               "18446744073709551615");
  check_format('i', 3, (int[]){1, 2, 3}, "[1, 2, 3]");
  check_format('i', 1, (int[]){7}, "[7]");
}

static void test_bytes_and_strings(void) {
  check_format('c', 0, "A", "b'A'");
  check_format('c', 11, "hello world", "b'hello world'");
  check_format('c', 4, "it's", "b\"it's\"");
  check_format('c', 5, "a'b\"c", "b'a\\'b\"c'");
  check_format('c', 4, "\x01\xff\n\\", "b'\\x01\\xff\\n\\\\'");
  check_format('c', 6, "ab\0cd", "b'ab'"); /* value: up to the NUL */
  check_format('u', 5, L"h\u00e9llo", "'h\xc3\xa9llo'");
  check_format('u', 0, L"x", "'x'");
  /* A single character is shown whatever it is, NUL included (Python:
   * c_char(b'\0').value is b'\x00'); an array's value stops at NUL. */
  check_format('c', 0, "", "b'\\x00'");
  check_format('u', 0, L"", "'\\x00'");
  /* What Python's repr escapes: non-printable code points (as Python
   * 3.11's str.isprintable() says), by size. */
  check_format('u', 0, L"\u00a0", "'\\xa0'");
  check_format('u', 0, L"\u00ad", "'\\xad'");
  check_format('u', 0, L"\u2028", "'\\u2028'");
  check_format('u', 0, L"\ue000", "'\\ue000'");
  check_format('u', 3, L"a\U0010ffff", "'a\\U0010ffff'");
  check_format('u', 3, L"a\U0001f600", "'a\xf0\x9f\x98\x80'");
}

/* A struct's single 'c' field is a character too. */
typedef struct tagged {
  char tag;
  int n;
} tagged_t;

static void test_nul_in_struct(void) {
  sct_type_t *t;
  sct_obj_t *o;
  char buf[64];
  sct_field_t f[] = {SCT_FIELD(tagged_t, tag, 'c'), SCT_FIELD(tagged_t, n, 'i')};
  ASSERT_OK(sct_type_new_struct(&t, "tagged", sizeof(tagged_t),
                                _Alignof(tagged_t), f, 2));
  ASSERT_OK(sct_rawvalue_new(&o, t, &(tagged_t){0, 7}));
  ASSERT_OK(sct_obj_format(o, buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "(b'\\x00', 7)");
  ASSERT_OK(sct_obj_free(o));
  ASSERT_OK(sct_type_free(t));
}

/* reprs FIRST STEP: one line "CODE REPR" per code point from FIRST on in
 * steps of STEP, for tests/format_vs_python.py to compare with Python. */
static int format_helper(int argc, char **argv) {
  if (argc != 3 || strcmp(argv[0], "reprs") != 0)
    return 2;
  unsigned long first = strtoul(argv[1], NULL, 0);
  unsigned long step = strtoul(argv[2], NULL, 0);
  for (unsigned long c = first; c <= 0x10ffff; c += step) {
    wchar_t w[3] = {0};
    size_t n = 1;
    if (sizeof(wchar_t) == 2 && c > 0xffff) {
      w[0] = (wchar_t)(0xd800 + ((c - 0x10000) >> 10));
      w[1] = (wchar_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
      n = 3;
    } else {
      w[0] = (wchar_t)c;
    }
    sct_obj_t *o;
    char buf[64];
    int rc = n == 1 ? sct_rawvalue_new(&o, type_of('u'), w)
                    : sct_rawarray_new(&o, type_of('u'), n, w);
    if (rc != 0 || sct_obj_format(o, buf, sizeof buf, NULL) != 0)
      return 3;
    printf("%lu %s\n", c, buf);
    sct_obj_free(o);
  }
  return 0;
}

typedef struct pos {
  double x, y;
} pos_t;
typedef struct one {
  int v;
} one_t;
typedef struct body {
  int id;
  pos_t pos;
  char name[8];
  short hs[2];
} body_t;

static void test_structs(void) {
  sct_type_t *pos, *one, *body;
  sct_field_t fp[] = {SCT_FIELD(pos_t, x, 'd'), SCT_FIELD(pos_t, y, 'd')};
  sct_field_t f1[] = {SCT_FIELD(one_t, v, 'i')};
  ASSERT_OK(
      sct_type_new_struct(&pos, "pos", sizeof(pos_t), _Alignof(pos_t), fp, 2));
  ASSERT_OK(
      sct_type_new_struct(&one, "one", sizeof(one_t), _Alignof(one_t), f1, 1));
  sct_field_t fb[] = {SCT_FIELD(body_t, id, 'i'),
                      SCT_FIELD_TYPE(body_t, pos, pos),
                      SCT_FIELD_ARRAY(body_t, name, 'c', 8),
                      SCT_FIELD_ARRAY(body_t, hs, 'h', 2)};
  ASSERT_OK(sct_type_new_struct(&body, "body", sizeof(body_t), _Alignof(body_t),
                                fb, 4));
  sct_obj_t *a, *o, *b;
  char buf[256];
  pos_t pts[3] = {{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}};
  ASSERT_OK(sct_array_new(&a, pos, 3, pts, NULL));
  ASSERT_OK(sct_obj_format(a, buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "[(1.875, -6.25), (-5.75, 2.0), (2.375, 9.5)]");
  ASSERT_OK(sct_rawvalue_new(&o, one, &(one_t){5}));
  ASSERT_OK(sct_obj_format(o, buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "(5,)");
  body_t bv = {1, {1.5, 2.5}, "sun", {-1, 2}};
  ASSERT_OK(sct_rawvalue_new(&b, body, &bv));
  ASSERT_OK(sct_obj_format(b, buf, sizeof buf, NULL));
  CU_ASSERT_STRING_EQUAL(buf, "(1, (1.5, 2.5), b'sun', [-1, 2])");
  sct_obj_free(a);
  sct_obj_free(o);
  sct_obj_free(b);
  sct_type_free(pos);
  sct_type_free(one);
  sct_type_free(body);
}

static void test_truncation(void) {
  sct_obj_t *a;
  char buf[4];
  size_t len = 0;
  ASSERT_OK(sct_rawarray_new(&a, type_of('i'), 3, (int[]){1, 2, 3}));
  ASSERT_RC(sct_obj_format(a, buf, sizeof buf, &len), SCT_ERANGE);
  CU_ASSERT_EQUAL(len, 9);
  CU_ASSERT_STRING_EQUAL(buf, "[1,");
  ASSERT_RC(sct_obj_format(a, NULL, 0, &len), SCT_ERANGE);
  CU_ASSERT_EQUAL(len, 9);
  sct_obj_free(a);
}

static CU_TestInfo tests[] = {{"doubles like repr", test_doubles_like_repr},
                              {"NUL in a struct", test_nul_in_struct},
                              {"integers", test_integers},
                              {"bytes and strings", test_bytes_and_strings},
                              {"structs", test_structs},
                              {"truncation", test_truncation},
                              CU_TEST_INFO_NULL};

const test_suite_t suite_format = {"format", tests, NULL, 0, format_helper};
