/*
 * The spawn transport on Windows: CreateProcessW of this program with
 * STARTUPINFOEXW and PROC_THREAD_ATTRIBUTE_HANDLE_LIST, so the child
 * inherits exactly the sections it needs, the bootstrap message and the
 * standard handles. Handle values are the same in the child, so the
 * message names sections by their handle values. The message is in an
 * anonymous section (8-byte length, then the bytes) named by the
 * SCT_BOOTSTRAP_HANDLE environment variable.
 */
#include "../process/bootstrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "process.h"

#define BOOT_ENV L"SCT_BOOTSTRAP_HANDLE"
#define MAX_LIST (SCT__BOOT_MAX_SEGMENTS + 4)

uint64_t sct__child_handle(intptr_t parent_handle, size_t index) {
  (void)index;
  return (uint64_t)parent_handle;
}

static HANDLE message_section(const void *msg, size_t len) {
  uint64_t total = (uint64_t)len + 8;
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL,
                                PAGE_READWRITE | SEC_COMMIT,
                                (DWORD)(total >> 32), (DWORD)total, NULL);
  if (!h)
    return NULL;
  unsigned char *p = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  if (!p) {
    CloseHandle(h);
    return NULL;
  }
  uint64_t n = len;
  memcpy(p, &n, 8);
  memcpy(p + 8, msg, len);
  UnmapViewOfFile(p);
  return h;
}

/* The parent's environment with BOOT_ENV=<handle> added (a sorted block is
 * not required for CreateProcessW). */
static wchar_t *child_environment(HANDLE boot) {
  wchar_t *env = GetEnvironmentStringsW();
  size_t len = 0;
  if (!env)
    return NULL;
  while (env[len] || env[len + 1])
    len++;
  len += 2;
  wchar_t extra[64];
  int n = swprintf(extra, 64, L"%ls=%llu", BOOT_ENV,
                   (unsigned long long)(uintptr_t)boot);
  wchar_t *block = malloc((len + (size_t)n + 2) * sizeof *block);
  if (block) {
    memcpy(block, extra, ((size_t)n + 1) * sizeof *block);
    memcpy(block + n + 1, env, len * sizeof *block);
  }
  FreeEnvironmentStringsW(env);
  return block;
}

static size_t add_unique(HANDLE *list, size_t n, HANDLE h) {
  if (!h || h == INVALID_HANDLE_VALUE)
    return n;
  for (size_t i = 0; i < n; i++)
    if (list[i] == h)
      return n;
  list[n] = h;
  return n + 1;
}

int sct__process_spawn(long *pid, char **argv, const intptr_t *handles,
                       size_t n, const void *msg, size_t len) {
  (void)argv; /* the child gets this process's own command line */
  HANDLE list[MAX_LIST];
  size_t count = 0;
  STARTUPINFOEXW si;
  PROCESS_INFORMATION pi;
  SIZE_T attr_size = 0;
  wchar_t exe[MAX_PATH];
  int rc = 0;

  if (n > SCT__BOOT_MAX_SEGMENTS)
    return SCT_EOVERFLOW;
  HANDLE boot = message_section(msg, len);
  wchar_t *env = boot ? child_environment(boot) : NULL;
  wchar_t *cmd = _wcsdup(GetCommandLineW());
  if (!boot || !env || !cmd || GetModuleFileNameW(NULL, exe, MAX_PATH) == 0) {
    rc = boot ? SCT_ENOMEM : sct__os_error();
    goto done;
  }
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.StartupInfo.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.StartupInfo.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  count = add_unique(list, count, boot);
  count = add_unique(list, count, si.StartupInfo.hStdInput);
  count = add_unique(list, count, si.StartupInfo.hStdOutput);
  count = add_unique(list, count, si.StartupInfo.hStdError);
  for (size_t i = 0; i < n; i++)
    count = add_unique(list, count, (HANDLE)handles[i]);
  /* A handle in the list must be inheritable; only the listed ones reach
   * the child. */
  for (size_t i = 0; i < count; i++)
    SetHandleInformation(list[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);

  InitializeProcThreadAttributeList(NULL, 1, 0, &attr_size);
  si.lpAttributeList = malloc(attr_size);
  if (!si.lpAttributeList ||
      !InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0,
                                         &attr_size) ||
      !UpdateProcThreadAttribute(si.lpAttributeList, 0,
                                 PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list,
                                 count * sizeof list[0], NULL, NULL)) {
    rc = si.lpAttributeList ? sct__os_error() : SCT_ENOMEM;
  } else if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE,
                             EXTENDED_STARTUPINFO_PRESENT |
                                 CREATE_UNICODE_ENVIRONMENT,
                             env, NULL, &si.StartupInfo, &pi)) {
    rc = sct__os_error() == SCT_ENOMEM ? SCT_ENOMEM : SCT_ECHILD;
  } else {
    CloseHandle(pi.hThread);
    *pid = (long)pi.dwProcessId;
    rc = sct__win32_adopt_child(*pid, pi.hProcess);
  }
  if (si.lpAttributeList) {
    DeleteProcThreadAttributeList(si.lpAttributeList);
    free(si.lpAttributeList);
  }
  /* Sections go back to not inheritable (the standard handles stay as
   * they were made: inheritable, as consoles and pipes usually are). */
  for (size_t i = 0; i < n; i++)
    SetHandleInformation((HANDLE)handles[i], HANDLE_FLAG_INHERIT, 0);
done:
  if (boot)
    CloseHandle(boot);
  free(env);
  free(cmd);
  return rc;
}

int sct__bootstrap_take(unsigned char **msg, size_t *len, char *why,
                        size_t whycap) {
  wchar_t text[32];
  DWORD got = GetEnvironmentVariableW(BOOT_ENV, text, 32);
  if (got == 0)
    return 0;
  SetEnvironmentVariableW(BOOT_ENV, NULL);
  wchar_t *end = text;
  unsigned long long value = got < 32 ? wcstoull(text, &end, 10) : 0;
  if (got >= 32 || value == 0 || *end != L'\0') {
    snprintf(why, whycap, "bad SCT_BOOTSTRAP_HANDLE");
    return SCT_EINVAL;
  }
  HANDLE h = (HANDLE)(uintptr_t)value;
  unsigned char *p = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
  MEMORY_BASIC_INFORMATION info;
  uint64_t n = 0;
  if (!p || VirtualQuery(p, &info, sizeof info) == 0 || info.RegionSize < 8) {
    snprintf(why, whycap, "handle %llu is not a message", value);
    if (p)
      UnmapViewOfFile(p);
    return SCT_EINVAL;
  }
  memcpy(&n, p, 8);
  if (n > SCT__BOOT_MAX_BYTES || n > info.RegionSize - 8) {
    snprintf(why, whycap, "message of %llu bytes is too large",
             (unsigned long long)n);
    UnmapViewOfFile(p);
    return SCT_EINVAL;
  }
  *len = (size_t)n;
  *msg = malloc(*len ? *len : 1);
  if (*msg)
    memcpy(*msg, p + 8, *len);
  UnmapViewOfFile(p);
  CloseHandle(h);
  if (!*msg) {
    snprintf(why, whycap, "out of memory");
    return SCT_EINVAL;
  }
  return 1;
}
