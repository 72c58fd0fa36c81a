/*
 * Shared memory segments on POSIX.
 *
 * Anonymous arenas use memfd_create: the memory has no name anywhere, so
 * nothing is left behind when every process using it dies, even by
 * SIGKILL, and no tracker process is needed. Where memfd is missing,
 * shm_open with a random name unlinked at once gives the same result.
 * Pages are reserved with fallocate when the segment is made, so a full
 * /dev/shm is reported as SCT_ENOMEM here instead of a SIGBUS later.
 */
#define _GNU_SOURCE
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Reads one "Name: N kB" line of /proc/meminfo, in bytes (0 if absent). */
static uint64_t meminfo_bytes(const char *text, const char *name) {
  const char *line = strstr(text, name);
  return line ? strtoull(line + strlen(name), NULL, 10) * 1024u : 0;
}

/* Reads a cgroup v2 figure of this process's own cgroup (the "0::" line
 * of /proc/self/cgroup); UINT64_MAX when unlimited or unknown. */
static uint64_t cgroup_value(const char *file) {
  char line[200], path[512], value[64];
  uint64_t result = UINT64_MAX;
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f)
    return result;
  int found = 0;
  while (!found && fgets(line, sizeof line, f))
    found = strncmp(line, "0::", 3) == 0;
  fclose(f);
  if (!found)
    return result;
  line[strcspn(line, "\n")] = '\0';
  snprintf(path, sizeof path, "/sys/fs/cgroup%s/%s", line + 3, file);
  f = fopen(path, "re");
  if (f) {
    if (fgets(value, sizeof value, f) && value[0] >= '0' && value[0] <= '9')
      result = strtoull(value, NULL, 10);
    fclose(f);
  }
  return result;
}

/*
 * Whether @p size bytes of shared memory could be had now. Reserving pages
 * of a memfd (whose internal mount has no size limit) that the machine
 * does not have would not fail: the kernel would allocate until the OOM
 * killer ends the process. So a request larger than the memory available
 * (MemAvailable + SwapFree, and the cgroup's remaining allowance) is
 * refused up front with ENOMEM.
 */
static int memory_available_for(size_t size) {
  char text[4096];
  FILE *f = fopen("/proc/meminfo", "re");
  if (!f)
    return 1; /* cannot tell: let the kernel decide */
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  uint64_t avail =
      meminfo_bytes(text, "MemAvailable:") + meminfo_bytes(text, "SwapFree:");
  uint64_t limit = cgroup_value("memory.max");
  uint64_t used = cgroup_value("memory.current");
  if (limit != UINT64_MAX && used != UINT64_MAX && used <= limit &&
      limit - used < avail)
    avail = limit - used;
  return (uint64_t)size <= avail;
}

/* Gives @p fd @p size bytes with every page reserved. */
static int reserve(int fd, size_t size) {
#ifdef __linux__
  if (!memory_available_for(size)) {
    errno = ENOMEM;
    return sct__os_error();
  }
  if (fallocate(fd, 0, 0, (off_t)size) == 0)
    return 0;
  if (errno != EOPNOTSUPP && errno != ENOSYS)
    return sct__os_error();
#endif
  /* No way to reserve here: size the file, pages come on first touch. */
  if (ftruncate(fd, (off_t)size) != 0)
    return sct__os_error();
  return 0;
}

static int map_fd(sct__segment_t *seg, int fd, size_t size) {
  void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    return sct__os_error();
  seg->addr = addr;
  seg->size = size;
  seg->handle = fd;
  return 0;
}

static int anon_fd(void) {
#ifdef MFD_CLOEXEC
  int fd = memfd_create("sct-arena", MFD_CLOEXEC);
  if (fd >= 0 || errno != ENOSYS)
    return fd;
#endif
  for (int attempt = 0; attempt < 16; attempt++) {
    char name[64];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, sizeof name, "/sct-anon-%ld-%ld-%d", (long)getpid(),
             (long)ts.tv_nsec, attempt);
    int named = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (named >= 0) {
      shm_unlink(name);
      return named;
    }
    if (errno != EEXIST)
      return -1;
  }
  return -1;
}

int sct__segment_create_anon(sct__segment_t *seg, size_t size) {
  int fd = anon_fd();
  if (fd < 0)
    return sct__os_error();
  int rc = reserve(fd, size);
  if (rc == 0)
    rc = map_fd(seg, fd, size);
  if (rc != 0)
    close(fd);
  return rc;
}

/* POSIX has one namespace: a "Global\" name is the same object as the
 * bare name. */
static void os_name(char *buf, size_t cap, const char *name) {
  if (sct__named_is_global(name))
    name += sizeof SCT__GLOBAL_PREFIX - 1;
  snprintf(buf, cap, "/%s", name);
}

int sct__segment_create_named(sct__segment_t *seg, const char *name,
                              size_t size) {
  char path[300];
  os_name(path, sizeof path, name);
  int fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return sct__os_error();
  int rc = reserve(fd, size);
  if (rc == 0)
    rc = map_fd(seg, fd, size);
  if (rc != 0) {
    close(fd);
    shm_unlink(path);
  }
  return rc;
}

int sct__segment_open_named(sct__segment_t *seg, const char *name) {
  char path[300];
  struct stat st;
  os_name(path, sizeof path, name);
  int fd = shm_open(path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return sct__os_error();
  if (fstat(fd, &st) != 0) {
    int rc = sct__os_error();
    close(fd);
    return rc;
  }
  if (st.st_size <= 0) {
    /* Its creator has not sized it yet. */
    close(fd);
    return SCT_ESTATE;
  }
  int rc = map_fd(seg, fd, (size_t)st.st_size);
  if (rc != 0)
    close(fd);
  return rc;
}

int sct__segment_unlink_named(const char *name) {
  char path[300];
  os_name(path, sizeof path, name);
  return shm_unlink(path) == 0 ? 0 : sct__os_error();
}

int sct__segment_close(sct__segment_t *seg) {
  int rc = 0;
  if (seg->addr && munmap(seg->addr, seg->size) != 0)
    rc = sct__os_error();
  if (seg->handle >= 0)
    close((int)seg->handle);
  seg->addr = NULL;
  seg->handle = -1;
  return rc;
}
