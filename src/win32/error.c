/* Windows errors: GetLastError() recorded for the thread and mapped to
 * SCT_E*. */
#include "../base/internal.h"

#include <windows.h>

int sct__os_error(void) {
  DWORD err = GetLastError();
  sct__set_os_error((int)err);
  switch (err) {
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY:
  case ERROR_COMMITMENT_LIMIT:
  case ERROR_DISK_FULL:
  case ERROR_TOO_MANY_OPEN_FILES: return SCT_ENOMEM;
  case ERROR_ALREADY_EXISTS:
  case ERROR_FILE_EXISTS: return SCT_EEXIST;
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND: return SCT_ENOENT;
  case ERROR_ACCESS_DENIED: return SCT_EACCES;
  case ERROR_INVALID_NAME:
  case ERROR_FILENAME_EXCED_RANGE: return SCT_ENAME;
  case ERROR_INVALID_PARAMETER:
  case ERROR_INVALID_HANDLE: return SCT_EINVAL;
  default: return SCT_EOS;
  }
}
