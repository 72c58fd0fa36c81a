/*
 * The tool on Windows: every named object is a section in the session's
 * Local\ namespace (Global\ when its name says so), "sct.PREFIX.NAME",
 * which exists exactly as long as some process holds a handle to it.
 * There is no directory sct can read to list them, so ls and clean are
 * refused with that reason; show and rm take names. A name that can be
 * found is open in a live process, and nothing removes it sooner than its
 * last handle: rm says so (a crashed process's handles are closed by the
 * system, so nothing is ever left behind for rm to clear).
 */
#include "tool.h"

#include <sct.h>

#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <aclapi.h>

const int host_removes_names_in_use = 0;

int host_list(void (*each)(const char *file_name, void *ctx), void *ctx) {
  (void)each;
  (void)ctx;
  fprintf(stderr,
          "sct: Windows keeps no directory of named objects that sct can "
          "read, so ls and clean cannot list them; show and rm take names "
          "(KIND:NAME). A crashed process leaves nothing behind: Windows "
          "removes each name with its last handle.\n");
  return EXIT_ERROR;
}

/* The section's name: "Global\sct.PREFIX.NAME" when the name part asks for
 * Global\, else "Local\sct.PREFIX.NAME" (as src/memory/segment.c names them). */
static void kernel_name(char *buf, size_t cap, const char *file_name) {
  const char *prefix_end = strchr(file_name + 4, '.');
  size_t prefix_len = prefix_end ? (size_t)(prefix_end - file_name) + 1 : 0;
  const char *rest = file_name + prefix_len;
  if (strncmp(rest, "Global\\", 7) == 0)
    snprintf(buf, cap, "Global\\%.*s%s", (int)prefix_len, file_name, rest + 7);
  else if (strncmp(rest, "Local\\", 6) == 0)
    snprintf(buf, cap, "Local\\%.*s%s", (int)prefix_len, file_name, rest + 6);
  else
    snprintf(buf, cap, "Local\\%s", file_name);
}

/* "DOMAIN\user" of the section's owner, or "?". */
static void owner_name(HANDLE h, char *buf, size_t cap) {
  PSID owner = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  char name[64], domain[64];
  DWORD name_len = sizeof name, domain_len = sizeof domain;
  SID_NAME_USE use;
  snprintf(buf, cap, "?");
  if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                      NULL, NULL, NULL, &sd) == ERROR_SUCCESS &&
      owner &&
      LookupAccountSidA(NULL, owner, name, &name_len, domain, &domain_len,
                        &use))
    snprintf(buf, cap, "%s\\%s", domain, name);
  if (sd)
    LocalFree(sd);
}

/* The bytes a view of the whole section spans (whole pages). */
static uint64_t section_size(HANDLE h) {
  MEMORY_BASIC_INFORMATION info;
  void *view = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
  uint64_t size = 0;
  if (view) {
    if (VirtualQuery(view, &info, sizeof info) == sizeof info)
      size = info.RegionSize;
    UnmapViewOfFile(view);
  }
  return size;
}

int host_locate(object_t *obj, const char *file_name) {
  kernel_name(obj->file, sizeof obj->file, file_name);
  obj->uid = -1;
  obj->age_s = -1;
  obj->size = 0;
  snprintf(obj->user, sizeof obj->user, "?");
  HANDLE h = OpenFileMappingA(FILE_MAP_READ | READ_CONTROL, FALSE, obj->file);
  if (!h)
    /* Another user's section that denies us still exists. */
    return GetLastError() == ERROR_ACCESS_DENIED ? 0 : -1;
  owner_name(h, obj->user, sizeof obj->user);
  obj->size = section_size(h);
  CloseHandle(h);
  return 0;
}

void host_describe_liveness(object_t *obj) {
  snprintf(obj->state, sizeof obj->state,
           "not an sct object on Windows (sct keeps no liveness files here)");
}

const char *host_in_use(const object_t *obj, char *why, size_t cap) {
  (void)obj;
  snprintf(why, cap,
           "open in a live process (Windows removes a name when its last "
           "handle closes, and nothing removes it sooner)");
  return why;
}

int host_is_callers(const object_t *obj) {
  (void)obj;
  return 1;
}

int host_remove_liveness(const object_t *obj) {
  (void)obj;
  return SCT_ENOENT;
}
