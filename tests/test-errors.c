/* Error codes: fixed values, messages and names. */
#include "test.h"

#include <stdio.h>
#include <string.h>

/* The values are part of the ABI: they must never change. */
static void test_fixed_values(void) {
  CU_ASSERT_EQUAL(SCT_OK, 0);
  CU_ASSERT_EQUAL(SCT_EINVAL, -1);
  CU_ASSERT_EQUAL(SCT_ENOMEM, -2);
  CU_ASSERT_EQUAL(SCT_ETYPE, -3);
  CU_ASSERT_EQUAL(SCT_EOVERFLOW, -4);
  CU_ASSERT_EQUAL(SCT_ERANGE, -5);
  CU_ASSERT_EQUAL(SCT_ENOFIELD, -6);
  CU_ASSERT_EQUAL(SCT_ENOTHELD, -7);
  CU_ASSERT_EQUAL(SCT_ETIMEDOUT, -8);
  CU_ASSERT_EQUAL(SCT_EOWNERDEAD, -9);
  CU_ASSERT_EQUAL(SCT_ESTATE, -10);
  CU_ASSERT_EQUAL(SCT_ENOTARGET, -11);
  CU_ASSERT_EQUAL(SCT_ENOLOCK, -12);
  CU_ASSERT_EQUAL(SCT_EEXIST, -13);
  CU_ASSERT_EQUAL(SCT_ENOENT, -14);
  CU_ASSERT_EQUAL(SCT_EACCES, -15);
  CU_ASSERT_EQUAL(SCT_ENAME, -16);
  CU_ASSERT_EQUAL(SCT_EOS, -17);
  CU_ASSERT_EQUAL(SCT_ECHILD, -18);
  CU_ASSERT_EQUAL(SCT_ENOMAIN, -19);
  CU_ASSERT_EQUAL(SCT_EFULL, -20);
  CU_ASSERT_EQUAL(SCT_EEMPTY, -21);
  CU_ASSERT_EQUAL(SCT_ECLOSED, -22);
  CU_ASSERT_EQUAL(SCT_EBROKEN, -23);
  CU_ASSERT_EQUAL(SCT_ETOOSMALL, -24);
}

static void test_names_and_messages(void) {
  CU_ASSERT_STRING_EQUAL(sct_err_name(SCT_OK), "SCT_OK");
  CU_ASSERT_STRING_EQUAL(sct_err_name(SCT_EINVAL), "SCT_EINVAL");
  CU_ASSERT_STRING_EQUAL(sct_err_name(SCT_EOWNERDEAD), "SCT_EOWNERDEAD");
  CU_ASSERT_STRING_EQUAL(sct_err_name(SCT_ECHILD), "SCT_ECHILD");
  CU_ASSERT_STRING_EQUAL(sct_strerror(SCT_OK), "success");
  CU_ASSERT_STRING_EQUAL(sct_strerror(SCT_ETIMEDOUT), "timed out");
  /* Every code in the table has a distinct, non-empty message. */
  for (int code = -1; code >= -24; code--) {
    CU_ASSERT_STRING_NOT_EQUAL(sct_err_name(code), "SCT_UNKNOWN");
    CU_ASSERT_STRING_NOT_EQUAL(sct_strerror(code), "unknown error");
    CU_ASSERT(strlen(sct_strerror(code)) > 0);
    for (int other = code + 1; other <= -1; other++)
      CU_ASSERT_STRING_NOT_EQUAL(sct_strerror(code), sct_strerror(other));
  }
}

static void test_unknown_codes(void) {
  CU_ASSERT_STRING_EQUAL(sct_err_name(-25), "SCT_UNKNOWN");
  CU_ASSERT_STRING_EQUAL(sct_err_name(12345), "SCT_UNKNOWN");
  CU_ASSERT_STRING_EQUAL(sct_strerror(-1000), "unknown error");
}

/* A failing OS call leaves its errno for diagnosis. */
static void test_os_error_kept(void) {
  sct_segment_t *seg;
  ASSERT_RC(sct_segment_open(&seg, "sct-test-no-such-segment"), SCT_ENOENT);
  CU_ASSERT_NOT_EQUAL(sct_last_os_error(), 0);
}

/* The library's version is the header's. */
static void test_version(void) {
  char text[32];
  snprintf(text, sizeof text, "%d.%d.%d", SCT_VERSION_MAJOR, SCT_VERSION_MINOR,
           SCT_VERSION_PATCH);
  CU_ASSERT_STRING_EQUAL(sct_version_string(), text);
  CU_ASSERT_EQUAL(sct_version(), SCT_VERSION_MAJOR * 10000 +
                                     SCT_VERSION_MINOR * 100 +
                                     SCT_VERSION_PATCH);
}

static CU_TestInfo tests[] = {{"version", test_version},
                              {"fixed values", test_fixed_values},
                              {"names and messages", test_names_and_messages},
                              {"unknown codes", test_unknown_codes},
                              {"os error kept", test_os_error_kept},
                              CU_TEST_INFO_NULL};

const test_suite_t suite_errors = {"errors", tests, NULL, 0, NULL};
