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
#include "../base/internal.h"

/* windows.h first: sddl.h relies on its macros. */
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>

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

/* More than a 64-bit process's user address space (128 TiB): Windows
 * rejects such a section as an invalid parameter; it is out of memory. */
#define MAX_SECTION ((uint64_t)1 << 47)

static HANDLE create_section(size_t size, const wchar_t *name,
                             SECURITY_ATTRIBUTES *sa) {
  uint64_t n = size;
  if (n > MAX_SECTION) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  return CreateFileMappingW(INVALID_HANDLE_VALUE, sa,
                            PAGE_READWRITE | SEC_COMMIT, (DWORD)(n >> 32),
                            (DWORD)n, name);
}

/* Committed sections are mapped on first touch; nothing to ask for. */
void sct__segment_populate(const sct__segment_t *seg) {
  (void)seg;
}

/* Large pages need SeLockMemoryPrivilege on Windows: not asked for. */
void *sct__chunk_alloc(size_t size) {
  return malloc(size);
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

/* The SID the token gives as @p kind (TokenUser: the user; TokenOwner:
 * the default owner of new objects, Administrators for an elevated
 * administrator), in @p buf; NULL on failure. */
static PSID token_sid(TOKEN_INFORMATION_CLASS kind, char *buf, DWORD cap) {
  HANDLE token;
  DWORD len;
  PSID sid = NULL;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    return NULL;
  if (GetTokenInformation(token, kind, buf, cap, &len))
    sid = kind == TokenUser ? ((TOKEN_USER *)(void *)buf)->User.Sid
                            : ((TOKEN_OWNER *)(void *)buf)->Owner;
  CloseHandle(token);
  return sid;
}

/* A security descriptor owned by the current user and granting all access
 * to that user only. The owner is set explicitly so that opening can
 * check it (Wine records no owner otherwise). */
static PSECURITY_DESCRIPTOR owner_only(void) {
  char buf[256];
  LPWSTR sid = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  PSID user = token_sid(TokenUser, buf, sizeof buf);
  if (user && ConvertSidToStringSidW(user, &sid)) {
    wchar_t sddl[300];
    swprintf(sddl, 300, L"O:%lsD:P(A;;GA;;;%ls)", sid, sid);
    ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1,
                                                         &sd, NULL);
    LocalFree(sid);
  }
  return sd;
}

/* 0 when the section @p h is owned by the current user (or by the token's
 * default owner), SCT_EACCES when another user made it (a squatted
 * Global\ name) or its owner cannot be read. */
static int owned_by_caller(HANDLE h) {
  char user_buf[256], owner_buf[256];
  PSID owner = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  PSID user = token_sid(TokenUser, user_buf, sizeof user_buf);
  PSID default_owner = token_sid(TokenOwner, owner_buf, sizeof owner_buf);
  int ok = GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION,
                           &owner, NULL, NULL, NULL, &sd) == ERROR_SUCCESS &&
           owner &&
           ((user && EqualSid(owner, user)) ||
            (default_owner && EqualSid(owner, default_owner)));
  if (sd)
    LocalFree(sd);
  if (ok)
    return 0;
  SetLastError(ERROR_ACCESS_DENIED);
  return sct__os_error();
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

int sct__segment_open_named(sct__segment_t *seg, const char *name,
                            unsigned flags) {
  wchar_t path[300];
  os_name(path, 300, name);
  HANDLE h = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, path);
  if (!h)
    return sct__os_error();
  int rc = (flags & SCT_OPEN_ANY_OWNER) ? 0 : owned_by_caller(h);
  if (rc == 0)
    rc = map_handle(seg, h, 0);
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
