/* POSIX errors: errno kept per thread and mapped to SCT_E* codes. */
#define _POSIX_C_SOURCE 200809L
#include "../internal.h"

#include <errno.h>

static SCT__THREAD_LOCAL int last_os_error;

void sct__set_os_error(int code) {
  last_os_error = code;
}

int sct__get_os_error(void) {
  return last_os_error;
}

int sct__os_error(void) {
  int err = errno;
  last_os_error = err;
  switch (err) {
  case ENOMEM:
  case ENOSPC:
  case EFBIG:
  case EMFILE:
  case ENFILE: return SCT_ENOMEM;
  case EEXIST: return SCT_EEXIST;
  case ENOENT: return SCT_ENOENT;
  case EACCES:
  case EPERM: return SCT_EACCES;
  case ENAMETOOLONG: return SCT_ENAME;
  case EINVAL: return SCT_EINVAL;
  default: return SCT_EOS;
  }
}
