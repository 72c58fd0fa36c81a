/*
 * The directory: every name of a space, in entries at rank 0, read and
 * written under the directory's own lock word (rank 0, offset 0). A name
 * is made by exactly one rank however many ask at once, since the finding
 * and the making are one critical section. Bytes are handed out from
 * each rank's segment by a count per rank kept beside the entries, and
 * never taken back (a space's objects live as long as it does).
 */
#include "mpi_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every object, and every lock word, starts on its own cache line. */
#define LINE 64

static const char *kind_names[] = {"", "Value", "Array", "Lock", "Barrier",
                                   "Event", "Semaphore", "Queue"};

static int valid_name(const char *name) {
  size_t len = name ? strlen(name) : 0;
  if (len == 0 || len > SCT_MPI_NAME_MAX || name[0] == '.')
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

/* FNV-1a: formats longer than an entry keeps are told apart by it. */
static uint64_t hash(const char *s, size_t len) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

int sct__mpi_entry_init(entry_t *e, const char *name, entry_kind_t kind,
                        const sct_type_t *type) {
  memset(e, 0, sizeof *e);
  if (!valid_name(name))
    return name ? SCT_ENAME : SCT_EINVAL;
  snprintf(e->name, sizeof e->name, "%s", name);
  e->kind = kind;
  if (!type)
    return 0;
  char *format;
  size_t len = 0;
  sct_type_format(type, NULL, 0, &len);
  if (len == 0 || !(format = malloc(len + 1)))
    return len == 0 ? SCT_EINVAL : SCT_ENOMEM;
  int rc = sct_type_format(type, format, len + 1, NULL);
  if (rc == 0) {
    e->format_len = (uint32_t)len;
    e->format_hash = hash(format, len);
    snprintf(e->format, sizeof e->format, "%s", format);
    e->elem_size = (uint32_t)sct_type_size(type);
  }
  free(format);
  return rc;
}

/* SCT_ETYPE with what differs, or 0 when @p found is what was asked. */
static int compare(const entry_t *want, const entry_t *found) {
  const char *n = want->name;
  if (want->kind != found->kind)
    return sct__mpi_detail(SCT_ETYPE, "'%s': kind: asked %s, found %s", n,
                           kind_names[want->kind], kind_names[found->kind]);
  if (want->format_len != found->format_len ||
      want->format_hash != found->format_hash ||
      strcmp(want->format, found->format) != 0)
    return sct__mpi_detail(SCT_ETYPE, "'%s': type: asked '%.100s', found "
                                      "'%.100s'",
                           n, want->format, found->format);
  if (want->length != found->length)
    return sct__mpi_detail(SCT_ETYPE, "'%s': length: asked %llu, found %llu",
                           n, (unsigned long long)want->length,
                           (unsigned long long)found->length);
  if (want->lock_kind != found->lock_kind)
    return sct__mpi_detail(SCT_ETYPE, "'%s': lock kind: asked %u, found %u",
                           n, want->lock_kind, found->lock_kind);
  if (want->home != found->home)
    return sct__mpi_detail(SCT_ETYPE, "'%s': home: asked rank %d, found %d",
                           n, want->home, found->home);
  /* A Semaphore's start is only its maker's business. */
  if (want->kind != KIND_SEMAPHORE && want->param != found->param)
    return sct__mpi_detail(SCT_ETYPE, "'%s': %s: asked %llu, found %llu", n,
                           want->kind == KIND_BARRIER ? "parties"
                                                      : "capacity",
                           (unsigned long long)want->param,
                           (unsigned long long)found->param);
  return 0;
}

static uint64_t round_up(uint64_t n, uint64_t to) {
  return (n + to - 1) / to * to;
}

/* The bytes an entry needs at its home (at each rank when spread). */
static uint64_t data_bytes(const entry_t *e) {
  switch (e->kind) {
  case KIND_VALUE:
  case KIND_ARRAY:
    return (uint64_t)e->elem_size * e->block;
  case KIND_BARRIER:
    return 3 * 8; /* count, generation, broken */
  case KIND_QUEUE:
    return LINE + (uint64_t)e->elem_size * e->param; /* head, tail; ring */
  default:
    return 8; /* a lock word, an Event's flag, a Semaphore's value */
  }
}

/* Takes @p bytes at @p rank from used[] (updated in place): the offset,
 * or 0 when the rank's segment is full. */
static uint64_t take(sct_mpi_space_t *sp, int64_t *used, int rank,
                     uint64_t bytes) {
  uint64_t at = round_up((uint64_t)used[rank], LINE);
  if (bytes > sp->segment_size - sp->data_offset ||
      at > sp->segment_size - sp->data_offset - bytes)
    return 0;
  used[rank] = (int64_t)(at + bytes);
  return sp->data_offset + at;
}

/* Places a new entry's bytes (and its lock) and writes used[] back. */
static int allocate(sct_mpi_space_t *sp, entry_t *e) {
  size_t n = (size_t)sp->size;
  int64_t *used = malloc(n * sizeof *used);
  if (!used)
    return SCT_ENOMEM;
  int rc = sct__mpi_read(sp, 0, DIR_USED_OFFSET, used, (int)n, MPI_INT64_T,
                         n * 8);
  uint64_t bytes = data_bytes(e);
  if (rc == 0 && e->home == SCT_MPI_DISTRIBUTED) {
    /* The same offset at every rank: past the fullest. */
    int64_t top = 0;
    for (size_t r = 0; r < n; r++)
      top = used[r] > top ? used[r] : top;
    for (size_t r = 0; r < n; r++)
      used[r] = top;
    for (size_t r = 0; r < n && rc == 0; r++)
      if (!(e->offset = take(sp, used, (int)r, bytes)))
        rc = SCT_ENOMEM;
  } else if (rc == 0 && !(e->offset = take(sp, used, e->home, bytes))) {
    rc = SCT_ENOMEM;
  }
  int lock_home = e->home == SCT_MPI_DISTRIBUTED ? 0 : e->home;
  if (rc == 0 && e->lock_kind &&
      !(e->lock_offset = take(sp, used, lock_home,
                              SCT_MPI_LOCK_BYTES(sp->size))))
    rc = SCT_ENOMEM;
  if (rc == 0)
    rc = sct__mpi_write(sp, 0, DIR_USED_OFFSET, used, (int)n, MPI_INT64_T,
                        n * 8);
  free(used);
  if (rc == SCT_ENOMEM)
    sct__mpi_detail(rc, "'%s': no room for %llu bytes at its home",
                    e->name, (unsigned long long)bytes);
  return rc;
}

static uint64_t entry_offset(const sct_mpi_space_t *sp, uint64_t i) {
  return sp->entries_offset + i * sizeof(entry_t);
}

/* Under the directory's lock: find, or make. */
static int find_or_make(sct_mpi_space_t *sp, sct_space_mode_t mode,
                        const entry_t *want, entry_t *got) {
  int64_t count;
  int rc = sct__mpi_load64(sp, 0, DIR_COUNT_OFFSET, &count);
  for (int64_t i = 0; rc == 0 && i < count; i++) {
    /* Entries are read one at a time: a directory is small, and a find
     * stops at its name. */
    rc = sct__mpi_read(sp, 0, entry_offset(sp, (uint64_t)i), got,
                       (int)sizeof *got, MPI_BYTE, sizeof *got);
    if (rc == 0 && strcmp(got->name, want->name) == 0) {
      if (mode == SCT_SPACE_CREATE)
        return sct__mpi_detail(SCT_EEXIST, "'%s' exists", want->name);
      return compare(want, got);
    }
  }
  if (rc != 0)
    return rc;
  if (mode == SCT_SPACE_FIND)
    return sct__mpi_detail(SCT_ENOENT, "no '%s' in the space", want->name);
  if ((uint64_t)count >= sp->max_objects)
    return sct__mpi_detail(SCT_ENOMEM, "the directory is full (%u names)",
                           sp->max_objects);
  *got = *want;
  if ((rc = allocate(sp, got)) != 0)
    return rc;
  /* Zeroed bytes are every new object's start but a Semaphore's. */
  if (got->kind == KIND_SEMAPHORE &&
      (rc = sct__mpi_store64(sp, got->home, got->offset,
                             (int64_t)got->param)) != 0)
    return rc;
  rc = sct__mpi_write(sp, 0, entry_offset(sp, (uint64_t)count), got,
                      (int)sizeof *got, MPI_BYTE, sizeof *got);
  /* The count last: a reader under the lock sees whole entries only. */
  if (rc == 0)
    rc = sct__mpi_store64(sp, 0, DIR_COUNT_OFFSET, count + 1);
  return rc;
}

int sct__mpi_entry(sct_mpi_space_t *sp, sct_space_mode_t mode,
                   const entry_t *want, entry_t *got) {
  lockref_t dir;
  if (mode != SCT_SPACE_CREATE && mode != SCT_SPACE_FIND &&
      mode != SCT_SPACE_FIND_OR_CREATE)
    return SCT_EINVAL;
  /* No waiting line: making names is rare, and short. */
  sct__mpi_lockref_init(&dir, sp, 0, DIR_LOCK_OFFSET, 0, SCT_LOCK);
  int rc = sct__mpi_lock_acquire(&dir, SCT_INFINITE);
  if (rc != 0)
    return rc;
  rc = find_or_make(sp, mode, want, got);
  int rrc = sct__mpi_lock_release(&dir);
  return rc ? rc : rrc;
}

int sct__mpi_named(sct_mpi_space_t *sp, sct_space_mode_t mode,
                   entry_t *want, handle_t *h) {
  int rc = sct__mpi_space_check(sp);
  if (rc != 0)
    return rc;
  if (want->home != SCT_MPI_DISTRIBUTED &&
      (want->home < 0 || want->home >= sp->size))
    return sct__mpi_detail(SCT_ERANGE, "'%s': home %d is not a rank (0 to "
                                       "%d)",
                           want->name, want->home, sp->size - 1);
  if (want->block == 0)
    want->block = want->length;
  if ((rc = sct__mpi_entry(sp, mode, want, &h->e)) != 0)
    return rc;
  h->magic = SCT_MPI_MAGIC_HANDLE;
  h->sp = sp;
  return 0;
}
