/* POSIX errors: errno recorded for the thread and mapped to SCT_E*. */
#define _POSIX_C_SOURCE 200809L
#include "../base/internal.h"

#include <errno.h>

int sct__os_error(void) {
  int err = errno;
  sct__set_os_error(err);
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
