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
#include "../base/internal.h"
#include "memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Gives @p fd @p size bytes with every page reserved. */
static int reserve(int fd, size_t size) {
#ifdef __linux__
  /* memory.c says why: a memfd would not refuse what is not there. */
  if (!sct__memory_available_for(size)) {
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

/* Maps @p fd, then reserves its pages: address space first, so a size a
 * (32-bit) process cannot map fails before any memory is committed. */
static int map_and_reserve(sct__segment_t *seg, int fd, size_t size) {
  int rc = map_fd(seg, fd, size);
  if (rc == 0 && (rc = reserve(fd, size)) != 0) {
    munmap(seg->addr, size);
    seg->addr = NULL;
  }
  return rc;
}

/* The pages exist already (reserve), so this commits no memory; where
 * the kernel lacks MADV_POPULATE_WRITE (before Linux 5.14) pages come on
 * first touch. */
void sct__segment_populate(const sct__segment_t *seg) {
#ifdef MADV_POPULATE_WRITE
  (void)madvise(seg->addr, seg->size, MADV_POPULATE_WRITE);
#else
  (void)seg;
#endif
}

/* Transparent huge pages are 2 MiB on x86-64 and on aarch64 with 4 KiB
 * pages; a chunk aligned to that is made of them entirely. */
#define LARGE_PAGE (2u * 1024u * 1024u)

void *sct__chunk_alloc(size_t size) {
  void *chunk = NULL;
  if (posix_memalign(&chunk, LARGE_PAGE, size) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  (void)madvise(chunk, size, MADV_HUGEPAGE); /* a hint: pages come anyway */
#endif
  return chunk;
}

int sct__segment_create_anon(sct__segment_t *seg, size_t size) {
  int fd = anon_fd();
  if (fd < 0)
    return sct__os_error();
  int rc = map_and_reserve(seg, fd, size);
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
  int rc = map_and_reserve(seg, fd, size);
  if (rc != 0) {
    close(fd);
    shm_unlink(path);
  }
  return rc;
}

/* Whether the file behind @p fd may be used as a named segment. */
static int check_opened(int fd, unsigned flags) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return sct__os_error();
  if (!S_ISREG(st.st_mode))
    return SCT_ETYPE;
  if (!(flags & SCT_OPEN_ANY_OWNER) &&
      (st.st_uid != geteuid() || (st.st_mode & 077) != 0)) {
    sct__set_os_error(EACCES);
    return SCT_EACCES;
  }
  if (st.st_size <= 0)
    return SCT_ESTATE; /* its creator has not sized it yet */
  return 0;
}

int sct__segment_open_named(sct__segment_t *seg, const char *name,
                            unsigned flags) {
  char path[300];
  struct stat st;
  os_name(path, sizeof path, name);
  /* O_NONBLOCK: a FIFO squatting the name must not block the open. */
  int fd = shm_open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd < 0)
    return sct__os_error();
  int rc = check_opened(fd, flags);
  if (rc == 0 && fstat(fd, &st) != 0)
    rc = sct__os_error();
  if (rc != 0) {
    close(fd);
    return rc;
  }
  rc = map_fd(seg, fd, (size_t)st.st_size);
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
