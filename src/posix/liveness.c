/*
 * Owner liveness on Linux: a per-user file of slots locked with
 * open-file-description locks.
 *
 * Why not a pid and a start time read from /proc (what sct used first): a
 * pid names a process only inside one PID namespace. Two containers that
 * share /dev/shm but not PIDs look each other's pids up in their own /proc
 * and find nothing, or another process, and a live owner is reported dead
 * while it still holds its lock. A process whose main thread exited shows
 * 'Z' while its other threads run, and a process that cannot read /proc
 * has no start time at all. Pidfds name a process only in the opener's
 * namespace too, and the kernel's robust futex list belongs to glibc (one
 * list per thread, for pthread mutexes), so a lock of our own cannot join
 * it.
 *
 * What every sharer of a lock can observe, in any namespace, is a file in
 * the shm filesystem that holds the lock's own name or arenas. Each owner
 * (a process, or a thread that takes RLocks) opens the file
 * /dev/shm/sct.live.<uid> of its user and takes a write lock with
 * F_OFD_SETLK on one byte, its slot, for its whole life. Such a lock
 * belongs to the open file description, not to a pid: the kernel drops it
 * only when the last descriptor of that description closes, that is when
 * the owner exits (or, for a thread, when identity.c closes it at thread
 * exit), in whatever namespace it lives, and it survives an exited main
 * thread. F_OFD_GETLK tells anyone who can read the file whether the slot
 * is still held. The slot's record carries a generation, bumped by each
 * new holder, so a slot taken over by another process after its owner
 * died is not mistaken for the old owner: an identity is (uid, slot,
 * generation).
 *
 * The one way for a live owner's slot to be released is the owner itself
 * closing the descriptor (a daemon's "close every descriptor" loop after
 * sct started). A released slot is therefore cross-checked, where the
 * waiter shares the owner's PID namespace, against /proc: the pid and
 * start time in the record still running means alive. The rule throughout:
 * when the answer is unsure, the owner is alive.
 */
#define _GNU_SOURCE
#include "liveness.h"

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

/* 65,536 slots of 32 bytes: a 2 MiB sparse file per user, of which only
 * the pages of slots in use take memory. */
#define SLOT_BITS 16
#define SLOTS (1u << SLOT_BITS)
#define GEN_BITS 15
#define GEN_MASK ((1u << GEN_BITS) - 1)
#define RECORD_SIZE 32

/* A slot's record, written by its holder before it publishes the
 * identity and never changed while it holds the slot. */
typedef struct live_record {
  uint32_t gen;     /* 1..GEN_MASK; 0 in a slot never used */
  uint32_t os_id;   /* pid or thread id in its own PID namespace */
  uint64_t pidns;   /* inode of that namespace, 0 when unknown */
  uint64_t start;   /* start time in clock ticks, 0 when unknown */
  uint64_t unused;
} live_record_t;

/* Identity layout: uid in bits 0-31, slot in 32-47, generation in 48-62. */
static sct__ident_t make_ident(uint32_t uid, uint32_t slot, uint32_t gen) {
  return (uint64_t)uid | (uint64_t)slot << 32 | (uint64_t)gen << 48;
}
static uint32_t ident_uid(sct__ident_t who) {
  return (uint32_t)who;
}
static uint32_t ident_slot(sct__ident_t who) {
  return (uint32_t)(who >> 32) & (SLOTS - 1);
}
static uint32_t ident_gen(sct__ident_t who) {
  return (uint32_t)(who >> 48) & GEN_MASK;
}

static void file_name(char *buf, size_t cap, uint32_t uid) {
  snprintf(buf, cap, "/sct.live.%u", (unsigned)uid);
}

/* A liveness file is trusted only when its owner is the user it is named
 * after and nobody else may write it: anyone who could write a record
 * could make a live owner look dead. */
static int trusted(int fd, uint32_t uid) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
         (uint32_t)st.st_uid == uid && (st.st_mode & 022) == 0;
}

/* Opens the caller's own file for registering, creating it readable by
 * all (other users' waiters may need to ask) and writable by its user. */
static int open_own(uint32_t uid, int *out) {
  char name[64];
  file_name(name, sizeof name, uid);
  int fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return sct__os_error();
  struct stat st;
  /* The umask may have taken the read bits away from a new file. */
  if (fstat(fd, &st) == 0 && (uint32_t)st.st_uid == uid &&
      (st.st_mode & 0777) != 0644)
    (void)fchmod(fd, 0644);
  if (!trusted(fd, uid)) {
    close(fd);
    sct__set_os_error(EACCES);
    return SCT_EACCES;
  }
  *out = fd;
  return 0;
}

/* Opens the file of @p uid for asking; -1 when it cannot be trusted. */
static int open_for_asking(uint32_t uid) {
  char name[64];
  file_name(name, sizeof name, uid);
  int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
  if (fd >= 0 && !trusted(fd, uid)) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static int read_record(int fd, uint32_t slot, live_record_t *rec) {
  ssize_t n = pread(fd, rec, sizeof *rec, (off_t)slot * RECORD_SIZE);
  if (n == (ssize_t)sizeof *rec)
    return 0;
  if (n >= 0) {
    memset(rec, 0, sizeof *rec); /* beyond the end: never used */
    return 0;
  }
  return -1;
}

static struct flock slot_lock(short type, uint32_t slot) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = (off_t)slot * RECORD_SIZE;
  fl.l_len = 1;
  return fl;
}

/* Reads the state letter and start time (field 22) of a /proc stat file,
 * with open and read only (async-signal-safe). -1 when unreadable. */
static int read_stat(const char *path, char *state, uint64_t *start) {
  char text[1024];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  /* The command name (field 2) may hold spaces and parentheses: the
   * fields after it start after the last ')'. */
  char *p = strrchr(text, ')');
  if (!p || p[1] != ' ')
    return -1;
  p += 2;
  *state = *p;
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p)
      return -1;
    p++;
  }
  *start = strtoull(p, NULL, 10);
  return 0;
}

static uint64_t own_pidns(void) {
  struct stat st;
  return stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Where the probing for a free slot starts: spread, so that a slot is
 * reused (and its generation can come round) as rarely as possible. */
static uint32_t first_probe(long os_id) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint32_t x = (uint32_t)os_id * 2654435761u ^ (uint32_t)ts.tv_nsec ^
               (uint32_t)ts.tv_sec * 40503u;
  return (x ^ x >> 16) & (SLOTS - 1);
}

/* Takes the first free slot from @p slot on. */
static int lock_free_slot(int fd, uint32_t *slot) {
  for (uint32_t n = 0; n < SLOTS; n++) {
    uint32_t s = (*slot + n) & (SLOTS - 1);
    struct flock fl = slot_lock(F_WRLCK, s);
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
      *slot = s;
      return 0;
    }
    if (errno != EAGAIN && errno != EACCES)
      return sct__os_error();
  }
  sct__set_os_error(EAGAIN);
  return SCT_ENOMEM; /* every slot of this user is taken */
}

int sct__live_claim(long os_id, const char *stat_path, sct__live_claim_t *out) {
#ifndef F_OFD_SETLK
  (void)os_id;
  (void)stat_path;
  (void)out;
  sct__set_os_error(ENOSYS);
  return SCT_EOS;
#else
  uint32_t uid = (uint32_t)geteuid();
  uint32_t slot = first_probe(os_id);
  live_record_t rec;
  char state;
  int fd = -1;
  int rc = open_own(uid, &fd);
  if (rc == 0)
    rc = lock_free_slot(fd, &slot);
  if (rc == 0 && read_record(fd, slot, &rec) != 0)
    rc = sct__os_error();
  if (rc != 0) {
    if (fd >= 0)
      close(fd);
    return rc;
  }
  uint32_t gen = (rec.gen + 1) & GEN_MASK;
  memset(&rec, 0, sizeof rec);
  rec.gen = gen ? gen : 1;
  rec.os_id = (uint32_t)os_id;
  if (read_stat(stat_path, &state, &rec.start) == 0)
    rec.pidns = own_pidns();
  ssize_t n = pwrite(fd, &rec, sizeof rec, (off_t)slot * RECORD_SIZE);
  if (n != (ssize_t)sizeof rec) {
    rc = n < 0 ? sct__os_error() : SCT_ENOMEM; /* a full /dev/shm */
    close(fd);
    return rc;
  }
  out->ident = make_ident(uid, slot, rec.gen);
  out->fd = fd;
  return 0;
#endif
}

/* A released slot whose record still names a process of our own PID
 * namespace that runs with the same start time: its owner closed the
 * descriptor but lives. */
static int still_running(const live_record_t *rec) {
  char path[64], state;
  uint64_t start;
  if (rec->pidns == 0 || rec->start == 0 || rec->pidns != own_pidns())
    return 0;
  snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)rec->os_id);
  if (read_stat(path, &state, &start) != 0)
    return 0;
  return start == rec->start && state != 'Z' && state != 'X';
}

/* Asks about @p who: 1 alive, 0 gone, and its record in @p rec when read. */
static int ask(sct__ident_t who, live_record_t *rec) {
  memset(rec, 0, sizeof *rec);
#ifndef F_OFD_GETLK
  (void)who;
  return 1;
#else
  uint32_t slot = ident_slot(who);
  int fd = open_for_asking(ident_uid(who));
  if (fd < 0)
    return 1; /* no file we can trust: cannot tell */
  struct flock fl = slot_lock(F_WRLCK, slot);
  int alive = 1;
  if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && read_record(fd, slot, rec) == 0) {
    if (fl.l_type == F_UNLCK)
      alive = still_running(rec);
    else
      /* Held, but by a later holder once the generation moved on. (A new
       * holder that has not yet written its generation still shows ours:
       * alive for one more look, never dead too soon.) */
      alive = rec->gen == ident_gen(who);
  }
  close(fd);
  return alive;
#endif
}

int sct__live_alive(sct__ident_t who) {
  live_record_t rec;
  if (ident_gen(who) == 0)
    return 1; /* not an identity this file gave */
  return ask(who, &rec);
}

long sct__live_os_id(sct__ident_t who) {
  live_record_t rec;
  if (ident_gen(who) == 0 || !ask(who, &rec) || rec.gen != ident_gen(who))
    return 0;
  return rec.pidns != 0 && rec.pidns == own_pidns() ? (long)rec.os_id : 0;
}
