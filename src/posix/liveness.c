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
 * start time in the record still running means alive; and a claimer never
 * takes over a released slot whose holder still runs, so the record that
 * says so stays. The file itself may be removed while owners hold slots
 * in it (systemd's RemoveIPC, cleanup scripts): the next registration
 * makes a new file, whose slots start at random generations, and a
 * generation a slot never gave in this file tells a waiter that the owner
 * registered elsewhere: alive. A name squatted by another user is not
 * used: the owner registers in its runtime directory instead (see
 * open_fallback). The rule throughout: when the answer is unsure, the
 * owner is alive.
 */
#define _GNU_SOURCE
#include "liveness.h"

#include "../base/internal.h"
#include "../base/testhook.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 65,536 slots of 32 bytes: a 2 MiB sparse file per user, of which only
 * the pages of slots in use take memory. */
#define SLOT_BITS 16
#define SLOTS (1u << SLOT_BITS)
#define GEN_MASK SCT__LIVE_GENERATIONS
#define RECORD_SIZE 32

/* A slot's record, written by its holder before it publishes the
 * identity and never changed while it holds the slot. */
typedef struct live_record {
  uint32_t gen;       /* 1..GEN_MASK; 0 in a slot never used */
  uint32_t os_id;     /* pid or thread id in its own PID namespace */
  uint64_t pidns;     /* inode of that namespace, 0 when unknown */
  uint64_t start;     /* start time in clock ticks, 0 when unknown */
  uint32_t first_gen; /* the slot's first generation in this file (0 in
                         files of older versions: unknown) */
  uint32_t unused;
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

/* Appends the decimal digits of @p n at @p at; returns the end. Used
 * instead of snprintf, which a fork handler must not call. */
static char *put_decimal(char *at, uint32_t n) {
  char digits[10];
  int len = 0;
  do
    digits[len++] = (char)('0' + n % 10);
  while ((n /= 10) != 0);
  while (len > 0)
    *at++ = digits[--len];
  return at;
}

/* @p prefix, the number, @p suffix: into @p buf of at least 64 bytes. */
static void format_path(char *buf, const char *prefix, uint32_t n,
                        const char *suffix) {
  size_t plen = strlen(prefix), slen = strlen(suffix);
  memcpy(buf, prefix, plen);
  char *end = put_decimal(buf + plen, n);
  memcpy(end, suffix, slen + 1);
}

static void file_name(char *buf, uint32_t uid) {
  format_path(buf, "/sct.live.", uid, "");
}

/* A liveness file is trusted only when its owner is the user it is named
 * after and nobody else may write it: anyone who could write a record
 * could make a live owner look dead. */
static int trusted(int fd, uint32_t uid) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
         (uint32_t)st.st_uid == uid && (st.st_mode & 022) == 0;
}

/* Opens the user's own file in the shm filesystem for registering,
 * creating it readable by all (other users' waiters may need to ask) and
 * writable by its user. SCT_EACCES when the name is another user's. */
static int open_own_shm(uint32_t uid, int *out) {
  char name[64];
  file_name(name, uid);
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

/*
 * The fallback when another user squatted the name in the shm filesystem
 * (anyone may create any name there, and its sticky bit keeps the victim
 * from removing it): a file in the user's runtime directory
 * /run/user/<uid>, which only the user (and root) can write. The path
 * follows from the uid alone, so every waiter finds it. Its price: the
 * directory is closed to other users, whose waiters then cannot ask and
 * take such an owner for alive (a death they wait out, never two
 * holders); and a user without a runtime directory (no login session,
 * no lingering) has no fallback and is refused with SCT_EACCES.
 */
static void fallback_dir(char *buf, uint32_t uid) {
  format_path(buf, "/run/user/", uid, "");
}

static int open_fallback(uint32_t uid, int flags) {
  char dir[64], path[64];
  struct stat st;
  fallback_dir(dir, uid);
  /* The directory must be the user's and closed to others' writes, or
   * somebody else could replace the file in it. */
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
      (uint32_t)st.st_uid != uid || (st.st_mode & 022) != 0)
    return -1;
  format_path(path, "/run/user/", uid, "/sct.live");
  int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd >= 0 && !trusted(fd, uid)) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* Opens the caller's own file for registering: the shm name, or, when
 * another user holds that name, the fallback. */
static int open_own(uint32_t uid, int *out) {
  int rc = open_own_shm(uid, out);
  if (rc != SCT_EACCES)
    return rc;
  int fd = open_fallback(uid, O_RDWR | O_CREAT);
  if (fd < 0) {
    sct__set_os_error(EACCES);
    return SCT_EACCES;
  }
  *out = fd;
  return 0;
}

/* Opens the file of @p uid for asking; -1 when it cannot be trusted. */
static int open_for_asking(uint32_t uid) {
  char name[64];
  file_name(name, uid);
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
  uint64_t value = 0;
  for (; *p >= '0' && *p <= '9'; p++)
    value = value * 10 + (uint64_t)(*p - '0');
  *start = value;
  return 0;
}

static uint64_t own_pidns(void) {
  struct stat st;
  return stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Whether @p rec names a process of our own PID namespace that runs
 * with the same start time. */
static int still_running(const live_record_t *rec) {
  char path[64], state;
  uint64_t start;
  if (rec->pidns == 0 || rec->start == 0 || rec->pidns != own_pidns())
    return 0;
  format_path(path, "/proc/", rec->os_id, "/stat");
  if (read_stat(path, &state, &start) != 0)
    return 0;
  return start == rec->start && state != 'Z' && state != 'X';
}

/* A generation for a slot never used in this file: random, so that an
 * identity from a replaced file (liveness file removed and made again)
 * is neither repeated nor found in the new file's range of it. */
static uint32_t first_gen(long os_id) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint32_t x = (uint32_t)ts.tv_nsec * 2246822519u ^ (uint32_t)os_id * 3266489917u;
  x ^= x >> 15;
  return x % GEN_MASK + 1;
}

/* The generation after @p gen, skipping 0. */
static uint32_t next_gen(uint32_t gen) {
  return gen % GEN_MASK + 1;
}

/* Whether @p gen was given in this file's slot of @p rec: between the
 * slot's first generation here and its current one. */
static int given_here(uint32_t gen, const live_record_t *rec) {
  if (rec->gen == 0 || gen == 0)
    return 0;
  if (rec->first_gen == 0)
    return 1; /* an older file: assume so, as before */
  return (gen - rec->first_gen + GEN_MASK) % GEN_MASK <=
         (rec->gen - rec->first_gen + GEN_MASK) % GEN_MASK;
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

/* Takes the first free slot from @p slot on, with its record in @p rec.
 * A slot released by a process that still runs (one that closed its
 * descriptors, as daemons do) is left to it: its record is what tells
 * its waiters that it lives. */
static int lock_free_slot(int fd, uint32_t *slot, live_record_t *rec) {
  for (uint32_t n = 0; n < SLOTS; n++) {
    uint32_t s = (*slot + n) & (SLOTS - 1);
    struct flock fl = slot_lock(F_WRLCK, s);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
      if (errno != EAGAIN && errno != EACCES)
        return sct__os_error();
      continue;
    }
    if (read_record(fd, s, rec) != 0)
      return sct__os_error();
    if (rec->gen == 0 || !still_running(rec)) {
      *slot = s;
      return 0;
    }
    fl.l_type = F_UNLCK;
    (void)fcntl(fd, F_OFD_SETLK, &fl);
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
  SCT__TEST_HOOK("live.first_probe", &slot);
  live_record_t rec;
  char state;
  int fd = -1;
  int rc = open_own(uid, &fd);
  if (rc == 0)
    rc = lock_free_slot(fd, &slot, &rec);
  if (rc != 0) {
    if (fd >= 0)
      close(fd);
    return rc;
  }
  /* Tests start a slot near its generation's wrap here. */
  SCT__TEST_HOOK("live.slot_gen", &rec.gen);
  uint32_t gen = rec.gen ? next_gen(rec.gen) : first_gen(os_id);
  uint32_t first = rec.gen ? rec.first_gen : gen;
  memset(&rec, 0, sizeof rec);
  rec.gen = gen;
  rec.first_gen = first;
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

/* What one file says of an owner. */
typedef enum answer {
  UNKNOWN,   /* a slot never used here, or a generation it never gave */
  OWN_ALIVE, /* the owner's own record: held, or released but running */
  OWN_GONE,  /* the owner's own record, released, and not running here */
  LATER      /* a later generation of this file's slot */
} answer_t;

/*
 * What the slot of @p who says, @p held or not, with record @p rec. Gone
 * is said only on evidence about this owner: its own record, released,
 * and no process of ours with its pid and start time running (the /proc
 * cross-check, where namespaces allow); or a later generation of this
 * file's slot (its registration ended, and the claimer checked that no
 * released holder of ours still ran). A generation this file never gave
 * (the file was removed and made again, as systemd's RemoveIPC does, and
 * the owner registered in the old one), or a slot never used here, says
 * nothing. (A new holder that has not written its record yet shows the
 * old one: alive for one more look, never dead too soon.)
 */
static answer_t judge(sct__ident_t who, int held, const live_record_t *rec) {
  uint32_t gen = ident_gen(who);
  if (rec->gen == gen)
    return held || still_running(rec) ? OWN_ALIVE : OWN_GONE;
  return given_here(gen, rec) ? LATER : UNKNOWN;
}

#ifdef F_OFD_GETLK
static answer_t ask_file(int fd, sct__ident_t who, live_record_t *rec) {
  uint32_t slot = ident_slot(who);
  struct flock fl = slot_lock(F_WRLCK, slot);
  if (fcntl(fd, F_OFD_GETLK, &fl) != 0 || read_record(fd, slot, rec) != 0)
    return OWN_ALIVE; /* cannot tell */
  return judge(who, fl.l_type != F_UNLCK, rec);
}

static int same_file(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}
#endif

/* The answers of the files asked, combined: the owner's own record
 * decides (alive if any file says so); otherwise a later generation says
 * gone, and nothing else does. */
typedef struct verdict {
  int own_alive, own_gone, later;
} verdict_t;

static void note_answer(verdict_t *v, answer_t a, const live_record_t *rec,
                        live_record_t *own) {
  if (a == OWN_ALIVE || (a == OWN_GONE && !v->own_alive))
    *own = *rec; /* the owner's record: a live one preferred */
  if (a == OWN_ALIVE)
    v->own_alive = 1;
  else if (a == OWN_GONE)
    v->own_gone = 1;
  else if (a == LATER)
    v->later = 1;
}

/*
 * Asks about @p who: 1 alive, 0 gone, and its record in @p rec when it
 * is the owner's own. The file under the name is asked; @p known_fd too
 * (a file this process registered in, or -1) when the name now leads
 * elsewhere: owners registered before the file was replaced are found
 * there; and the fallback file when the name said nothing of the owner
 * itself (a squatted name, or one made again after the owner registered
 * in the fallback).
 */
static int ask(sct__ident_t who, int known_fd, live_record_t *rec) {
  memset(rec, 0, sizeof *rec);
#ifndef F_OFD_GETLK
  (void)who;
  (void)known_fd;
  return 1;
#else
  live_record_t found;
  verdict_t v = {0, 0, 0};
  uint32_t uid = ident_uid(who);
  int fd = open_for_asking(uid);
  if (fd >= 0)
    note_answer(&v, ask_file(fd, who, &found), &found, rec);
  if (known_fd >= 0 && trusted(known_fd, uid) &&
      (fd < 0 || !same_file(fd, known_fd)))
    note_answer(&v, ask_file(known_fd, who, &found), &found, rec);
  if (fd >= 0)
    close(fd);
  if (!v.own_alive && !v.own_gone) {
    int fallback = open_fallback(uid, O_RDONLY);
    if (fallback >= 0) {
      if (known_fd < 0 || !same_file(fallback, known_fd))
        note_answer(&v, ask_file(fallback, who, &found), &found, rec);
      close(fallback);
    }
  }
  if (v.own_alive)
    return 1;
  return !v.own_gone && !v.later;
#endif
}

int sct__live_alive(sct__ident_t who, int known_fd) {
  live_record_t rec;
  if (ident_gen(who) == 0)
    return 1; /* not an identity this file gave */
  return ask(who, known_fd, &rec);
}

long sct__live_os_id(sct__ident_t who, int known_fd) {
  live_record_t rec;
  if (ident_gen(who) == 0 || !ask(who, known_fd, &rec) ||
      rec.gen != ident_gen(who))
    return 0;
  return rec.pidns != 0 && rec.pidns == own_pidns() ? (long)rec.os_id : 0;
}
