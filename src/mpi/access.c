/*
 * Values and Arrays: making them, and reaching their elements, slices and
 * fields (under their lock unless the caller holds it), their atomics,
 * and their formatting.
 */
#include "mpi_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int obj_check(const sct_mpi_obj_t *obj) {
  return sct__mpi_handle_check(obj);
}

int sct_mpi_object(sct_mpi_space_t *sp, const char *name,
                   sct_space_mode_t mode, const sct_type_t *type, size_t n,
                   int lock_kind, int home, sct_mpi_obj_t **out) {
  entry_t want;
  if (!out || !type || (lock_kind != 0 && lock_kind != SCT_LOCK &&
                        lock_kind != SCT_RLOCK))
    return SCT_EINVAL;
  if (home == SCT_MPI_DISTRIBUTED && n == 0)
    return sct__mpi_detail(SCT_EINVAL, "'%s': only an Array can be spread",
                           name ? name : "");
  int rc = sct__mpi_space_check(sp);
  if (rc == 0)
    rc = sct__mpi_entry_init(&want, name, n ? KIND_ARRAY : KIND_VALUE, type);
  if (rc != 0)
    return rc;
  if (n > INT_MAX || (uint64_t)n * want.elem_size > SIZE_MAX / 2)
    return SCT_EOVERFLOW;
  want.home = home;
  want.length = n ? n : 1;
  want.lock_kind = (uint32_t)lock_kind;
  if (home == SCT_MPI_DISTRIBUTED)
    want.block = (n + (size_t)sp->size - 1) / (size_t)sp->size;
  sct_mpi_obj_t *obj = calloc(1, sizeof *obj);
  if (!obj)
    return SCT_ENOMEM;
  obj->dt = MPI_DATATYPE_NULL;
  if ((rc = sct__mpi_named(sp, mode, &want, &obj->h)) == 0 &&
      (rc = sct__mpi_type_copy(type, &obj->type)) == 0 &&
      (rc = sct__mpi_datatype(type, &obj->dt)) == 0) {
    obj->lock.magic = SCT_MPI_MAGIC_HANDLE;
    obj->lock.borrowed = 1;
    sct__mpi_lockref_init(&obj->lock.ref, sp,
                          home == SCT_MPI_DISTRIBUTED ? 0 : home,
                          obj->h.e.lock_offset, 1, lock_kind);
    obj->code = sct_type_code(obj->type);
    if (home != SCT_MPI_DISTRIBUTED && sp->near[home])
      obj->near = sp->near[home] + obj->h.e.offset;
    obj->cpu = sp->cpu_atomics ? obj->near : NULL;
    *out = obj;
    return 0;
  }
  if (obj->type)
    sct_type_free(obj->type);
  free(obj);
  return rc;
}

int sct_mpi_obj_free(sct_mpi_obj_t *obj) {
  int rc = obj_check(obj);
  if (rc != 0)
    return rc;
  sct__mpi_datatype_free(&obj->dt);
  sct_type_free(obj->type);
  obj->h.magic = obj->lock.magic = SCT_MPI_MAGIC_FREED;
  free(obj);
  return 0;
}

int sct_mpi_obj_info(sct_mpi_obj_t *obj, sct_mpi_obj_info_t *out) {
  int rc = obj_check(obj);
  if (rc != 0 || !out)
    return rc ? rc : SCT_EINVAL;
  out->home = obj->h.e.home;
  out->length = (size_t)obj->h.e.length;
  out->block = (size_t)obj->h.e.block;
  out->lock_kind = (int)obj->h.e.lock_kind;
  out->type = obj->type;
  return 0;
}

int sct_mpi_obj_lock(sct_mpi_obj_t *obj, sct_mpi_lock_t **out) {
  int rc = obj_check(obj);
  if (rc != 0 || !out)
    return rc ? rc : SCT_EINVAL;
  if (!obj->h.e.lock_kind)
    return SCT_ENOLOCK;
  *out = &obj->lock;
  return 0;
}

/* ---- where element i is ---- */

typedef struct place {
  int rank;
  uint64_t offset;
  size_t run; /* elements from i on that rank, up to the end */
} place_t;

static place_t locate(const sct_mpi_obj_t *obj, size_t i) {
  const entry_t *e = &obj->h.e;
  place_t p;
  size_t local = i;
  p.rank = e->home;
  if (e->home == SCT_MPI_DISTRIBUTED) {
    p.rank = (int)(i / e->block);
    local = i % e->block;
  }
  p.offset = e->offset + (uint64_t)local * e->elem_size;
  p.run = (size_t)e->block - local;
  if (p.run > (size_t)e->length - i)
    p.run = (size_t)e->length - i;
  return p;
}

/* Holds the object's lock for an access unless the caller does already
 * (or it has none): *taken says whether to release after. */
static int enter(sct_mpi_obj_t *obj, int *taken) {
  int held = obj->h.e.lock_kind && obj->lock.ref.depth > 0;
  *taken = obj->h.e.lock_kind && !held;
  if (*taken)
    return sct__mpi_lock_acquire(&obj->lock.ref, SCT_INFINITE);
  /* A raw object: its memory is made one with the others' views here.
   * (Under a held lock, its acquire did that.) */
  if (!held)
    sct__mpi_sync(obj->h.sp);
  return 0;
}

static int leave(sct_mpi_obj_t *obj, int taken, int rc) {
  int rrc = 0;
  if (taken)
    rrc = sct__mpi_lock_release(&obj->lock.ref);
  else if (!obj->h.e.lock_kind)
    sct__mpi_sync(obj->h.sp);
  return rc ? rc : rrc;
}

/* Elements [start, stop) out (@p writing 0) or in, rank by rank. */
static int move(sct_mpi_obj_t *obj, size_t start, size_t stop, void *buf,
                int writing) {
  size_t size = obj->h.e.elem_size;
  unsigned char *at = buf;
  int taken;
  if (start > stop || stop > obj->h.e.length)
    return SCT_ERANGE;
  if (!buf)
    return SCT_EINVAL;
  int rc = enter(obj, &taken);
  if (rc != 0)
    return rc;
  if (obj->near) { /* in one piece in this process */
    unsigned char *at_home = obj->near + start * size;
    if (writing)
      memcpy(at_home, buf, (stop - start) * size);
    else
      memcpy(buf, at_home, (stop - start) * size);
    return leave(obj, taken, 0);
  }
  for (size_t i = start; rc == 0 && i < stop;) {
    place_t p = locate(obj, i);
    size_t n = p.run < stop - i ? p.run : stop - i;
    rc = writing ? sct__mpi_write(obj->h.sp, p.rank, p.offset, at, (int)n,
                                  obj->dt, n * size)
                 : sct__mpi_read(obj->h.sp, p.rank, p.offset, at, (int)n,
                                 obj->dt, n * size);
    at += n * size;
    i += n;
  }
  return leave(obj, taken, rc);
}

/* Element @p i's bytes when the caller may copy them at once: the object
 * is in this process's memory in one piece and the caller holds its lock
 * (whose acquire ordered the memory). Else NULL: the whole way (move).
 * The common case of a locked update on one node, kept short: a call
 * through move cost as much as the copy. */
static unsigned char *held_near(const sct_mpi_obj_t *obj, size_t i) {
  if (obj->near && obj->lock.ref.depth > 0 && i < obj->h.e.length)
    return obj->near + i * obj->h.e.elem_size;
  return NULL;
}

/* One element's copy. A small element whose size is a multiple of 8 is
 * copied 8 bytes at a time: the caller's struct was just written field by
 * field (or is about to be read so), and the CPU forwards a field's store
 * to a load of the same 8 bytes, where libc's copy of a 24-byte struct,
 * by two overlapping 16-byte moves, waits for the stores to leave the
 * CPU (one rank's acquire, get, update, set and release: 16 ns with
 * libc's copy, 14 ns so, in a micro-benchmark here). */
static void copy_element(void *to, const void *from, size_t size) {
  if (size % 8 != 0 || size > 64) {
    memcpy(to, from, size);
    return;
  }
  for (size_t k = 0; k < size; k += 8)
    memcpy((unsigned char *)to + k, (const unsigned char *)from + k, 8);
}

/* Element @p i out (@p writing 0) or in. */
static int one_element(sct_mpi_obj_t *obj, size_t i, void *buf,
                       int writing) {
  int rc = obj_check(obj);
  if (rc != 0)
    return rc;
  unsigned char *p = held_near(obj, i);
  if (p && buf) {
    if (writing)
      copy_element(p, buf, obj->h.e.elem_size);
    else
      copy_element(buf, p, obj->h.e.elem_size);
    return 0;
  }
  return i >= SIZE_MAX ? SCT_ERANGE : move(obj, i, i + 1, buf, writing);
}

int sct_mpi_get(sct_mpi_obj_t *obj, size_t i, void *out) {
  return one_element(obj, i, out, 0);
}

int sct_mpi_set(sct_mpi_obj_t *obj, size_t i, const void *in) {
  return one_element(obj, i, (void *)in, 1);
}

int sct_mpi_get_slice(sct_mpi_obj_t *obj, size_t start, size_t stop,
                      void *out) {
  int rc = obj_check(obj);
  return rc ? rc : move(obj, start, stop, out, 0);
}

int sct_mpi_set_slice(sct_mpi_obj_t *obj, size_t start, size_t stop,
                      const void *in) {
  int rc = obj_check(obj);
  return rc ? rc : move(obj, start, stop, (void *)in, 1);
}

/* Field @p path of element @p i, out or in. */
static int move_field(sct_mpi_obj_t *obj, size_t i, const char *path,
                      void *buf, int writing) {
  size_t offset, count;
  const sct_type_t *ftype;
  MPI_Datatype dt;
  int taken;
  int rc = obj_check(obj);
  if (rc != 0 || !path || !buf)
    return rc ? rc : SCT_EINVAL;
  if (i >= obj->h.e.length)
    return SCT_ERANGE;
  if ((rc = sct_type_field_find(obj->type, path, &offset, &ftype, &count)))
    return rc;
  if ((rc = sct__mpi_datatype(ftype, &dt)) != 0)
    return rc;
  place_t p = locate(obj, i);
  size_t bytes = sct_type_size(ftype) * count;
  if ((rc = enter(obj, &taken)) == 0) {
    rc = writing ? sct__mpi_write(obj->h.sp, p.rank, p.offset + offset, buf,
                                  (int)count, dt, bytes)
                 : sct__mpi_read(obj->h.sp, p.rank, p.offset + offset, buf,
                                 (int)count, dt, bytes);
    rc = leave(obj, taken, rc);
  }
  sct__mpi_datatype_free(&dt);
  return rc;
}

int sct_mpi_get_field(sct_mpi_obj_t *obj, size_t i, const char *path,
                      void *out) {
  return move_field(obj, i, path, out, 0);
}

int sct_mpi_set_field(sct_mpi_obj_t *obj, size_t i, const char *path,
                      const void *in) {
  return move_field(obj, i, path, (void *)in, 1);
}

/* ---- atomics ---- */

/* An integer element's value as its C type, and back. */
typedef union scalar {
  int8_t i8;
  int16_t i16;
  int32_t i32;
  int64_t i64;
  float f;
  double d;
} scalar_t;

static int is_signed(char code) {
  return code == 'b' || code == 'h' || code == 'i' || code == 'l' ||
         code == 'q';
}

static void from_i64(int64_t v, size_t size, scalar_t *s) {
  switch (size) {
  case 1: s->i8 = (int8_t)v; break;
  case 2: s->i16 = (int16_t)v; break;
  case 4: s->i32 = (int32_t)v; break;
  default: s->i64 = v; break;
  }
}

static int64_t to_i64(const scalar_t *s, size_t size, int sign) {
  switch (size) {
  case 1: return sign ? s->i8 : (int64_t)(uint8_t)s->i8;
  case 2: return sign ? s->i16 : (int64_t)(uint16_t)s->i16;
  case 4: return sign ? s->i32 : (int64_t)(uint32_t)s->i32;
  default: return s->i64;
  }
}

/* Whether @p v is a value of the element's type. */
static int fits(int64_t v, size_t size, int sign) {
  if (size == 8)
    return sign || v >= 0;
  int64_t span = (int64_t)1 << (size * 8);
  return sign ? v >= -span / 2 && v < span / 2 : v >= 0 && v < span;
}

/* Element @p i of an integer (or, @p floating, float) type: its place. */
static int atomic_place(sct_mpi_obj_t *obj, size_t i, int floating,
                        place_t *p) {
  int rc = obj_check(obj);
  if (rc != 0)
    return rc;
  char code = obj->code;
  int ok = floating ? code == 'f' || code == 'd'
                    : code && strchr("bBhHiIlLqQ", code) != NULL;
  if (!ok)
    return sct__mpi_detail(SCT_ETYPE, "'%s': %s on elements of type '%s'",
                           obj->h.e.name,
                           floating ? "a float add" : "an integer atomic",
                           obj->h.e.format);
  if (i >= obj->h.e.length)
    return SCT_ERANGE;
  *p = locate(obj, i);
  return 0;
}

/* Element i's fetch-and-add and compare-and-swap: inline CPU atomics
 * when it is in this process and atomics are CPU atomics. */
static int element_add(sct_mpi_obj_t *obj, size_t i, const place_t *p,
                       const void *operand, void *before) {
  size_t size = obj->h.e.elem_size;
  if (obj->cpu) {
    sct__cpu_fetch_add_elem(obj->cpu + i * size, obj->code, size, operand,
                            before);
    return 0;
  }
  return sct__mpi_fetch_add_elem(obj->h.sp, p->rank, p->offset, obj->code,
                                 size, operand, before);
}

static int element_cas(sct_mpi_obj_t *obj, size_t i, const place_t *p,
                       const void *want, const void *value, void *before) {
  size_t size = obj->h.e.elem_size;
  if (obj->cpu) {
    sct__cpu_cas_elem(obj->cpu + i * size, size, want, value, before);
    return 0;
  }
  return sct__mpi_cas_elem(obj->h.sp, p->rank, p->offset, obj->code, size,
                           want, value, before);
}

int sct_mpi_add(sct_mpi_obj_t *obj, size_t i, int64_t delta, int64_t *old) {
  place_t p = {0, 0, 0};
  scalar_t operand, before;
  int rc = atomic_place(obj, i, 0, &p);
  if (rc != 0)
    return rc;
  size_t size = obj->h.e.elem_size;
  from_i64(delta, size, &operand);
  rc = element_add(obj, i, &p, &operand, &before);
  if (rc == 0 && old)
    *old = to_i64(&before, size, is_signed(obj->code));
  return rc;
}

int sct_mpi_add_float(sct_mpi_obj_t *obj, size_t i, double delta,
                      double *old) {
  place_t p = {0, 0, 0};
  scalar_t operand, before;
  int rc = atomic_place(obj, i, 1, &p);
  if (rc != 0)
    return rc;
  if (obj->code == 'f')
    operand.f = (float)delta;
  else
    operand.d = delta;
  rc = element_add(obj, i, &p, &operand, &before);
  if (rc == 0 && old)
    *old = obj->code == 'f' ? before.f : before.d;
  return rc;
}

int sct_mpi_cas(sct_mpi_obj_t *obj, size_t i, int64_t expected,
                int64_t desired, int64_t *old) {
  place_t p = {0, 0, 0};
  scalar_t want, value, before;
  int rc = atomic_place(obj, i, 0, &p);
  if (rc != 0)
    return rc;
  size_t size = obj->h.e.elem_size;
  int sign = is_signed(obj->code);
  if (!fits(expected, size, sign) || !fits(desired, size, sign))
    return SCT_EOVERFLOW;
  from_i64(expected, size, &want);
  from_i64(desired, size, &value);
  rc = element_cas(obj, i, &p, &want, &value, &before);
  if (rc == 0 && old)
    *old = to_i64(&before, size, sign);
  return rc;
}

/* ---- formatting and the caller's part ---- */

int sct_mpi_format(sct_mpi_obj_t *obj, char *buf, size_t cap, size_t *len) {
  sct_obj_t *local;
  int rc = obj_check(obj);
  if (rc != 0 || (!buf && cap))
    return rc ? rc : SCT_EINVAL;
  size_t n = (size_t)obj->h.e.length;
  void *bytes = calloc(n, obj->h.e.elem_size);
  if (!bytes)
    return SCT_ENOMEM;
  /* Read whole, then formatted by sct itself from a private copy. */
  rc = move(obj, 0, n, bytes, 0);
  if (rc == 0)
    rc = obj->h.e.kind == KIND_VALUE
             ? sct_rawvalue_new(&local, obj->type, bytes)
             : sct_rawarray_new(&local, obj->type, n, bytes);
  free(bytes);
  if (rc != 0)
    return rc;
  rc = sct_obj_format(local, buf, cap, len);
  sct_obj_free(local);
  return rc;
}

int sct_mpi_local_part(sct_mpi_obj_t *obj, void **ptr, size_t *first,
                       size_t *count) {
  int rc = obj_check(obj);
  if (rc != 0 || !ptr || !first || !count)
    return rc ? rc : SCT_EINVAL;
  const entry_t *e = &obj->h.e;
  sct_mpi_space_t *sp = obj->h.sp;
  size_t start = 0, n = 0;
  if (e->home == SCT_MPI_DISTRIBUTED) {
    start = (size_t)e->block * (size_t)sp->rank;
    if (start < e->length)
      n = (size_t)e->length - start < e->block ? (size_t)e->length - start
                                                : (size_t)e->block;
  } else if (e->home == sp->rank) {
    n = (size_t)e->length;
  }
  *first = n ? start : 0;
  *count = n;
  *ptr = n ? sp->near[sp->rank] + e->offset : NULL;
  return 0;
}
