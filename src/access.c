/*
 * Locked access to shared objects: whole values, elements, slices, struct
 * fields, 'c' strings, and atomic integer operations. Each takes the
 * object's lock when it has one, copies, and releases: no allocation and
 * no system call on the uncontended path.
 */
#include "atomics.h"
#include "internal.h"

#include <limits.h>
#include <string.h>

/* Copies @p len bytes at @p offset of the object out to @p out, or in from
 * @p in, under the object's lock. */
static int locked_copy(sct_obj_t *obj, size_t offset, size_t len, void *out,
                       const void *in) {
  int rc = sct__obj_lock(obj);
  if (!SCT__HELD(rc))
    return rc;
  if (out)
    memcpy(out, (char *)obj->data + offset, len);
  else
    memcpy((char *)obj->data + offset, in, len);
  sct__obj_unlock(obj);
  return rc;
}

static int check_with(const sct_obj_t *obj, const void *buf) {
  int rc = sct__obj_check(obj);
  return rc == 0 && !buf ? SCT_EINVAL : rc;
}

static int slice_copy(sct_obj_t *obj, size_t start, size_t stop, void *out,
                      const void *in) {
  int rc = check_with(obj, out ? out : in);
  if (rc == 0 && (start > stop || stop > obj->n))
    rc = SCT_ERANGE;
  if (rc != 0)
    return rc;
  size_t size = obj->type->size;
  return locked_copy(obj, start * size, (stop - start) * size, out, in);
}

/* Element @p i is the slice [i, i + 1); SIZE_MAX is out of range anyway. */
static size_t after(size_t i) {
  return i == SIZE_MAX ? i : i + 1;
}

/* The whole object is the slice [0, n); the handle is checked after. */
static size_t length_of(const sct_obj_t *obj) {
  return obj ? obj->n : 0;
}

int sct_value_get(sct_obj_t *obj, void *out) {
  return slice_copy(obj, 0, length_of(obj), out, NULL);
}

int sct_value_set(sct_obj_t *obj, const void *in) {
  return slice_copy(obj, 0, length_of(obj), NULL, in);
}

int sct_array_get(sct_obj_t *obj, size_t i, void *out) {
  return slice_copy(obj, i, after(i), out, NULL);
}

int sct_array_set(sct_obj_t *obj, size_t i, const void *in) {
  return slice_copy(obj, i, after(i), NULL, in);
}

int sct_array_get_slice(sct_obj_t *obj, size_t start, size_t stop, void *out) {
  return slice_copy(obj, start, stop, out, NULL);
}

int sct_array_set_slice(sct_obj_t *obj, size_t start, size_t stop,
                        const void *in) {
  return slice_copy(obj, start, stop, NULL, in);
}

static int field_copy(sct_obj_t *obj, size_t i, const char *path, void *out,
                      const void *in) {
  size_t offset;
  const sct__field_t *field;
  int rc = check_with(obj, out ? out : in);
  if (rc == 0 && !path)
    rc = SCT_EINVAL;
  if (rc == 0 && obj->type->code != 0)
    rc = SCT_ETYPE;
  if (rc == 0 && i >= obj->n)
    rc = SCT_ERANGE;
  if (rc == 0)
    rc = sct__type_find_field(obj->type, path, &offset, &field);
  if (rc != 0)
    return rc;
  return locked_copy(obj, i * obj->type->size + offset,
                     field->count * field->type->size, out, in);
}

int sct_field_get(sct_obj_t *obj, size_t i, const char *path, void *out) {
  return field_copy(obj, i, path, out, NULL);
}

int sct_field_set(sct_obj_t *obj, size_t i, const char *path, const void *in) {
  return field_copy(obj, i, path, NULL, in);
}

/* ---- 'c' arrays: value (up to the first NUL) and raw (every byte) ---- */

static int check_chars(const sct_obj_t *obj) {
  int rc = sct__obj_check(obj);
  return rc == 0 && obj->type->code != 'c' ? SCT_ETYPE : rc;
}

/* Copies the first @p want bytes out, NUL-terminated, if @p cap allows. */
static int chars_out(sct_obj_t *obj, char *buf, size_t cap, size_t *len,
                     int up_to_nul) {
  int rc = check_chars(obj);
  if (rc == 0 && !buf && cap > 0)
    rc = SCT_EINVAL;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  size_t want = obj->n;
  if (up_to_nul) {
    const char *nul = memchr(obj->data, '\0', obj->n);
    if (nul)
      want = (size_t)(nul - (const char *)obj->data);
  }
  if (want < cap) {
    memcpy(buf, obj->data, want);
    buf[want] = '\0';
  }
  sct__obj_unlock(obj);
  if (len)
    *len = want;
  return want < cap ? rc : SCT_ERANGE;
}

int sct_chars_value(sct_obj_t *obj, char *buf, size_t cap, size_t *len) {
  return chars_out(obj, buf, cap, len, 1);
}

int sct_chars_raw(sct_obj_t *obj, char *buf, size_t cap, size_t *len) {
  return chars_out(obj, buf, cap, len, 0);
}

static int chars_in(sct_obj_t *obj, const char *s, size_t len, int terminate) {
  int rc = check_chars(obj);
  if (rc == 0 && !s && len > 0)
    rc = SCT_EINVAL;
  if (rc == 0 && len > obj->n)
    rc = SCT_ERANGE;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  if (len > 0)
    memcpy(obj->data, s, len);
  if (terminate && len < obj->n)
    ((char *)obj->data)[len] = '\0';
  sct__obj_unlock(obj);
  return rc;
}

int sct_chars_set_value(sct_obj_t *obj, const char *s, size_t len) {
  return chars_in(obj, s, len, 1);
}

int sct_chars_set_raw(sct_obj_t *obj, const char *s, size_t len) {
  return chars_in(obj, s, len, 0);
}

/* ---- integers and floats ---- */

/* Reads an integer of @p size bytes (signed or not) at @p p. */
static int load_int(const void *p, const sct_type_t *t, int64_t *out) {
  uint64_t u = 0;
  int64_t s = 0;
  switch (t->size) {
  case 1:
    u = *(const uint8_t *)p;
    s = *(const int8_t *)p;
    break;
  case 2:
    u = *(const uint16_t *)p;
    s = *(const int16_t *)p;
    break;
  case 4:
    u = *(const uint32_t *)p;
    s = *(const int32_t *)p;
    break;
  default:
    u = *(const uint64_t *)p;
    s = *(const int64_t *)p;
    break;
  }
  if (t->int_kind != SCT__INT_UNSIGNED) {
    *out = s;
    return 0;
  }
  if (u > (uint64_t)INT64_MAX)
    return SCT_EOVERFLOW;
  *out = (int64_t)u;
  return 0;
}

static void store_int(void *p, size_t size, int64_t v) {
  switch (size) {
  case 1: *(uint8_t *)p = (uint8_t)v; break;
  case 2: *(uint16_t *)p = (uint16_t)v; break;
  case 4: *(uint32_t *)p = (uint32_t)v; break;
  default: *(uint64_t *)p = (uint64_t)v; break;
  }
}

static int check_int(const sct_obj_t *obj) {
  if (SCT__OBJ_LIVE(obj) && obj->type->int_kind != SCT__INT_NONE)
    return 0;
  int rc = sct__obj_check(obj);
  return rc == 0 && obj->type->int_kind == SCT__INT_NONE ? SCT_ETYPE : rc;
}

static int fits(const sct_type_t *t, int64_t v) {
  return v >= t->min && v <= t->max;
}

int sct_value_get_i64(sct_obj_t *obj, int64_t *out) {
  int rc = check_int(obj);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc != 0)
    return rc;
  int lock_rc = sct__obj_lock(obj);
  if (!SCT__HELD(lock_rc))
    return lock_rc;
  rc = load_int(obj->data, obj->type, out);
  sct__obj_unlock(obj);
  return rc != 0 ? rc : lock_rc;
}

int sct_value_set_i64(sct_obj_t *obj, int64_t v) {
  int rc = check_int(obj);
  if (rc == 0 && !fits(obj->type, v))
    rc = SCT_EOVERFLOW;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  store_int(obj->data, obj->type->size, v);
  sct__obj_unlock(obj);
  return rc;
}

static int check_float(const sct_obj_t *obj) {
  int rc = sct__obj_check(obj);
  return rc == 0 && obj->type->code != 'f' && obj->type->code != 'd' ? SCT_ETYPE
                                                                     : rc;
}

int sct_value_get_f64(sct_obj_t *obj, double *out) {
  int rc = check_float(obj);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  *out = obj->type->code == 'f' ? (double)*(float *)obj->data
                                : *(double *)obj->data;
  sct__obj_unlock(obj);
  return rc;
}

int sct_value_set_f64(sct_obj_t *obj, double v) {
  int rc = check_float(obj);
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  if (obj->type->code == 'f')
    *(float *)obj->data = (float)v;
  else
    *(double *)obj->data = v;
  sct__obj_unlock(obj);
  return rc;
}

/* A delta for an unsigned type may be negative (a subtraction), down to
 * minus the type's maximum. */
static int delta_fits(const sct_type_t *t, int64_t delta) {
  return delta >= (t->int_kind == SCT__INT_UNSIGNED ? -t->max : t->min) &&
         delta <= t->max;
}

/* Reads the low bits of @p bits back with the type's width and signedness
 * (through a full-width scratch word, so no read is narrower than its
 * source); a 'Q' above INT64_MAX wraps (documented). */
static void read_back(const sct_type_t *t, uint64_t bits, int64_t *out) {
  uint64_t scratch = 0;
  store_int(&scratch, t->size, (int64_t)bits);
  if (load_int(&scratch, t, out) != 0)
    *out = (int64_t)bits;
}

int sct_value_add(sct_obj_t *obj, int64_t delta, int64_t *old) {
  int rc = check_int(obj);
  if (rc == 0 && !delta_fits(obj->type, delta))
    rc = SCT_EOVERFLOW;
  if (rc != 0)
    return rc;
  uint64_t before;
  switch (obj->type->size) {
  case 1: before = sct__fetch_add((uint8_t *)obj->data, (uint8_t)delta); break;
  case 2:
    before = sct__fetch_add((uint16_t *)obj->data, (uint16_t)delta);
    break;
  case 4:
    before = sct__fetch_add((uint32_t *)obj->data, (uint32_t)delta);
    break;
  default:
    before = sct__fetch_add((uint64_t *)obj->data, (uint64_t)delta);
    break;
  }
  if (old)
    read_back(obj->type, before, old);
  return 0;
}

int sct_value_cas(sct_obj_t *obj, int64_t *expected, int64_t desired) {
  int rc = check_int(obj);
  if (rc == 0 && !expected)
    rc = SCT_EINVAL;
  if (rc == 0 && (!fits(obj->type, desired) || !fits(obj->type, *expected)))
    rc = SCT_EOVERFLOW;
  if (rc != 0)
    return rc;
  int swapped;
  switch (obj->type->size) {
#define CAS_CASE(n, T)                                                         \
  case n: {                                                                    \
    T want = (T)*expected;                                                     \
    swapped = sct__cas((T *)obj->data, &want, (T)desired);                     \
    if (!swapped)                                                              \
      read_back(obj->type, want, expected);                                    \
    break;                                                                     \
  }
    CAS_CASE(1, uint8_t)
    CAS_CASE(2, uint16_t)
    CAS_CASE(4, uint32_t)
    CAS_CASE(8, uint64_t)
#undef CAS_CASE
  default: return SCT_ETYPE;
  }
  return swapped ? 0 : SCT_ESTATE;
}
