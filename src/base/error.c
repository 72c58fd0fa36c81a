/* Error codes (messages and names, generated from SCT_ERRNO_MAP) and the
 * library's version. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

const char *sct_strerror(int code) {
  switch (code) {
  case SCT_OK: return "success";
#define SCT_ERRNO_MSG_(name, value, msg)                                       \
  case SCT_##name: return msg;
    SCT_ERRNO_MAP(SCT_ERRNO_MSG_)
#undef SCT_ERRNO_MSG_
  default: return "unknown error";
  }
}

const char *sct_err_name(int code) {
  switch (code) {
  case SCT_OK: return "SCT_OK";
#define SCT_ERRNO_NAME_(name, value, msg)                                      \
  case SCT_##name: return "SCT_" #name;
    SCT_ERRNO_MAP(SCT_ERRNO_NAME_)
#undef SCT_ERRNO_NAME_
  default: return "SCT_UNKNOWN";
  }
}

/* The last OS error per thread: the platforms record it (sct__os_error),
 * the core keeps it. */
static SCT__THREAD_LOCAL int last_os_error;

void sct__set_os_error(int code) {
  last_os_error = code;
}

int sct__get_os_error(void) {
  return last_os_error;
}

int sct_last_os_error(void) {
  return last_os_error;
}

/* The last error's detail per thread (sct_last_detail). */
static SCT__THREAD_LOCAL char last_detail[256];

int sct__detail(int code, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  (void)vsnprintf(last_detail, sizeof last_detail, format, ap);
  va_end(ap);
  return code;
}

const char *sct_last_detail(void) {
  return last_detail;
}

int sct__mul_size(size_t a, size_t b, size_t *out) {
  if (b != 0 && a > SIZE_MAX / b)
    return SCT_EOVERFLOW;
  *out = a * b;
  return 0;
}

int sct__add_size(size_t a, size_t b, size_t *out) {
  if (a > SIZE_MAX - b)
    return SCT_EOVERFLOW;
  *out = a + b;
  return 0;
}

#define SCT_STR_(x) #x
#define SCT_STR(x) SCT_STR_(x)

int sct_version(void) {
  return SCT_VERSION_MAJOR * 10000 + SCT_VERSION_MINOR * 100 +
         SCT_VERSION_PATCH;
}

const char *sct_version_string(void) {
  return SCT_STR(SCT_VERSION_MAJOR) "." SCT_STR(SCT_VERSION_MINOR) "." SCT_STR(
      SCT_VERSION_PATCH);
}
