/*
 * How much shared memory this process could have now, on Linux.
 *
 * Reserving pages of a memfd (whose internal mount has no size limit) that
 * the machine does not have does not fail: the kernel allocates until the
 * OOM killer ends the process. So shm.c refuses a request larger than the
 * memory available up front: MemAvailable + SwapFree, and what the
 * process's memory cgroup still allows, under cgroup v2 (memory.max less
 * memory.current, at every level up to the root of the mount) or cgroup
 * v1 (hierarchical_memory_limit from memory.stat, which already takes the
 * ancestors into account, less memory.usage_in_bytes). Cgroup files are
 * found through /proc/self/mountinfo, since hybrid systems mount v2 at
 * /sys/fs/cgroup/unified and v1 controllers beside it.
 */
#define _GNU_SOURCE
#include "memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNLIMITED UINT64_MAX

/* The first number in @p path after @p key (or at its start when @p key
 * is NULL); UNLIMITED when absent or "max". */
static uint64_t read_figure(const char *path, const char *key) {
  char line[256];
  uint64_t result = UNLIMITED;
  FILE *f = fopen(path, "re");
  if (!f)
    return result;
  size_t keylen = key ? strlen(key) : 0;
  while (fgets(line, sizeof line, f)) {
    if (key && (strncmp(line, key, keylen) != 0 || line[keylen] != ' '))
      continue;
    const char *p = line + keylen;
    while (*p == ' ')
      p++;
    if (*p >= '0' && *p <= '9')
      result = strtoull(p, NULL, 10);
    break;
  }
  fclose(f);
  return result;
}

/* This process's cgroup path in the hierarchy whose /proc/self/cgroup
 * line has controllers @p controller ("" for v2), into @p out. */
static int own_cgroup(const char *controller, char *out, size_t cap) {
  char line[512];
  int found = 0;
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f)
    return 0;
  while (!found && fgets(line, sizeof line, f)) {
    char *list = strchr(line, ':');
    char *path = list ? strchr(list + 1, ':') : NULL;
    if (!path)
      continue;
    *path++ = '\0';
    list++;
    int match = controller[0] == '\0' ? list[0] == '\0' : 0;
    for (char *tok = list; !match && controller[0] && tok;) {
      size_t n = strcspn(tok, ",");
      match = n == strlen(controller) && strncmp(tok, controller, n) == 0;
      tok = tok[n] == ',' ? tok + n + 1 : NULL;
    }
    if (match) {
      path[strcspn(path, "\n")] = '\0';
      snprintf(out, cap, "%s", path);
      found = 1;
    }
  }
  fclose(f);
  return found;
}

/* The mount of the cgroup filesystem @p fstype ("cgroup2", or "cgroup"
 * with @p option among its super options): its root within the hierarchy
 * and its mount point. */
static int cgroup_mount(const char *fstype, const char *option, char *root,
                        char *point, size_t cap) {
  char line[1024];
  int found = 0;
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f)
    return 0;
  while (!found && fgets(line, sizeof line, f)) {
    char r[512], m[512], type[64], source[64], opts[256];
    const char *dash = strstr(line, " - ");
    if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", r, m) != 2 ||
        sscanf(dash + 3, "%63s %63s %255s", type, source, opts) != 3)
      continue;
    if (strcmp(type, fstype) != 0)
      continue;
    if (option) {
      int has = 0;
      for (char *tok = strtok(opts, ","); tok && !has; tok = strtok(NULL, ","))
        has = strcmp(tok, option) == 0;
      if (!has)
        continue;
    }
    snprintf(root, cap, "%s", r);
    snprintf(point, cap, "%s", m);
    found = 1;
  }
  fclose(f);
  return found;
}

/* The directory of this process's cgroup in a hierarchy, into @p dir. */
static int cgroup_dir(const char *fstype, const char *option,
                      const char *controller, char *dir, size_t cap,
                      size_t *base_len) {
  char path[512], root[512], point[512];
  if (!own_cgroup(controller, path, sizeof path) ||
      !cgroup_mount(fstype, option, root, point, sizeof root))
    return 0;
  /* A mount of part of the hierarchy (a container's) shows paths
   * relative to its root. */
  size_t skip = strcmp(root, "/") != 0 && strncmp(path, root, strlen(root)) == 0
                    ? strlen(root)
                    : 0;
  *base_len = strlen(point);
  snprintf(dir, cap, "%s%s", point, path + skip);
  return 1;
}

static uint64_t remaining(uint64_t limit, uint64_t used) {
  if (limit == UNLIMITED || used == UNLIMITED)
    return UNLIMITED;
  return used < limit ? limit - used : 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

/* What cgroup v2 still allows: the tightest level from ours up. */
static uint64_t v2_allowance(void) {
  char dir[1024], file[1100];
  size_t base;
  uint64_t allow = UNLIMITED;
  if (!cgroup_dir("cgroup2", NULL, "", dir, sizeof dir, &base))
    return allow;
  for (;;) {
    snprintf(file, sizeof file, "%s/memory.max", dir);
    uint64_t limit = read_figure(file, NULL);
    snprintf(file, sizeof file, "%s/memory.current", dir);
    allow = min_u64(allow, remaining(limit, read_figure(file, NULL)));
    char *slash = strrchr(dir, '/');
    if (!slash || (size_t)(slash - dir) < base)
      break;
    *slash = '\0';
  }
  return allow;
}

/* What cgroup v1's memory controller still allows. */
static uint64_t v1_allowance(void) {
  char dir[1024], file[1100];
  size_t base;
  if (!cgroup_dir("cgroup", "memory", "memory", dir, sizeof dir, &base))
    return UNLIMITED;
  snprintf(file, sizeof file, "%s/memory.stat", dir);
  uint64_t limit = read_figure(file, "hierarchical_memory_limit");
  snprintf(file, sizeof file, "%s/memory.usage_in_bytes", dir);
  return remaining(limit, read_figure(file, NULL));
}

int sct__memory_available_for(size_t size) {
  uint64_t avail = read_figure("/proc/meminfo", "MemAvailable:");
  uint64_t swap = read_figure("/proc/meminfo", "SwapFree:");
  if (avail == UNLIMITED)
    return 1; /* no /proc: cannot tell, let the kernel decide */
  avail *= 1024u;
  if (swap != UNLIMITED)
    avail += swap * 1024u;
  avail = min_u64(avail, v2_allowance());
  avail = min_u64(avail, v1_allowance());
  return (uint64_t)size <= avail;
}
