/*
 * Shared memory segments on Windows: pagefile-backed sections. SEC_COMMIT
 * charges the whole size to the commit limit when the section is made, so
 * running out is SCT_ENOMEM there, never an access violation later.
 * Anonymous sections have no name at all. Named ones live in Local\ as
 * "Local\sct.seg.NAME" (or in Global\ when asked) with a security
 * descriptor that admits the current user only. Windows has no unlink: a
 * name goes when its last handle does, so sct__segment_unlink_named only
 * checks that it exists.
 * Sizes of opened named sections are whole pages (Windows keeps no byte
 * size for a section that can be queried without the native API).
 */
#include "../internal.h"

/* windows.h first: sddl.h relies on its macros. */
#include <windows.h>

#include <sddl.h>
#include <stdio.h>

static int map_handle(sct__segment_t *seg, HANDLE h, size_t size) {
  void *addr = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (!addr)
    return sct__os_error();
  if (size == 0) {
    MEMORY_BASIC_INFORMATION info;
    if (VirtualQuery(addr, &info, sizeof info) == 0) {
      int rc = sct__os_error();
      UnmapViewOfFile(addr);
      return rc;
    }
    size = info.RegionSize;
  }
  seg->addr = addr;
  seg->size = size;
  seg->handle = (intptr_t)h;
  return 0;
}

static HANDLE create_section(size_t size, const wchar_t *name,
                             SECURITY_ATTRIBUTES *sa) {
  uint64_t n = size;
  return CreateFileMappingW(INVALID_HANDLE_VALUE, sa,
                            PAGE_READWRITE | SEC_COMMIT, (DWORD)(n >> 32),
                            (DWORD)n, name);
}

int sct__segment_create_anon(sct__segment_t *seg, size_t size) {
  HANDLE h = create_section(size, NULL, NULL);
  if (!h)
    return sct__os_error();
  int rc = map_handle(seg, h, size);
  if (rc != 0)
    CloseHandle(h);
  return rc;
}

/* In Local\ unless the name already says Global\ (see platform.h). */
static void os_name(wchar_t *buf, size_t cap, const char *name) {
  swprintf(buf, cap, sct__named_is_global(name) ? L"%hs" : L"Local\\%hs", name);
}

/* A security descriptor granting all access to the current user only. */
static PSECURITY_DESCRIPTOR owner_only(void) {
  HANDLE token;
  char buf[256];
  DWORD len;
  LPWSTR sid = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    return NULL;
  if (GetTokenInformation(token, TokenUser, buf, sizeof buf, &len) &&
      ConvertSidToStringSidW(((TOKEN_USER *)(void *)buf)->User.Sid, &sid)) {
    wchar_t sddl[200];
    swprintf(sddl, 200, L"D:P(A;;GA;;;%ls)", sid);
    ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1,
                                                         &sd, NULL);
    LocalFree(sid);
  }
  CloseHandle(token);
  return sd;
}

int sct__segment_create_named(sct__segment_t *seg, const char *name,
                              size_t size) {
  wchar_t path[300];
  SECURITY_ATTRIBUTES sa = {sizeof sa, owner_only(), FALSE};
  os_name(path, 300, name);
  HANDLE h = create_section(size, path, &sa);
  DWORD err = GetLastError();
  if (sa.lpSecurityDescriptor)
    LocalFree(sa.lpSecurityDescriptor);
  if (!h)
    return sct__os_error();
  if (err == ERROR_ALREADY_EXISTS) {
    CloseHandle(h);
    return SCT_EEXIST;
  }
  int rc = map_handle(seg, h, size);
  if (rc != 0)
    CloseHandle(h);
  return rc;
}

int sct__segment_open_named(sct__segment_t *seg, const char *name) {
  wchar_t path[300];
  os_name(path, 300, name);
  HANDLE h = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, path);
  if (!h)
    return sct__os_error();
  int rc = map_handle(seg, h, 0);
  if (rc != 0)
    CloseHandle(h);
  return rc;
}

int sct__segment_unlink_named(const char *name) {
  wchar_t path[300];
  os_name(path, 300, name);
  HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, path);
  if (!h)
    return sct__os_error();
  CloseHandle(h);
  return 0;
}

int sct__segment_close(sct__segment_t *seg) {
  int rc = 0;
  if (seg->addr && !UnmapViewOfFile(seg->addr))
    rc = sct__os_error();
  if (seg->handle != -1 && seg->handle != 0)
    CloseHandle((HANDLE)seg->handle);
  seg->addr = NULL;
  seg->handle = -1;
  return rc;
}

int sct__segment_attach(sct__segment_t *seg, uint64_t handle, uint64_t size) {
  if (handle == 0 || size == 0 || size > SIZE_MAX)
    return SCT_EINVAL;
  HANDLE h = (HANDLE)(uintptr_t)handle;
  int rc = map_handle(seg, h, 0);
  if (rc != 0)
    return SCT_EINVAL; /* not a section */
  if (seg->size < size) {
    UnmapViewOfFile(seg->addr);
    return SCT_EINVAL; /* smaller than it claims */
  }
  seg->size = (size_t)size;
  /* Keep it for passing on, but not for every program this one starts. */
  SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
  return 0;
}
