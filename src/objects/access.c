/*
 * Locked access to shared objects: whole values, elements, slices, struct
 * fields and 'c' strings (numbers.c has integers and floats). Each takes
 * the object's lock when it has one, copies, and releases: no allocation
 * and no system call on the uncontended path.
 */
#include "../base/internal.h"

#include <limits.h>
#include <string.h>

/* Copies @p len bytes at @p offset of the object out to @p out, or in from
 * @p in, under the object's lock. Callers have checked that one of the two
 * is set; testing @p in again lets GCC see that no NULL reaches memcpy
 * (at -O3 it warns otherwise). */
static int locked_copy(sct_obj_t *obj, size_t offset, size_t len, void *out,
                       const void *in) {
  int rc = sct__obj_lock(obj);
  if (!SCT__HELD(rc))
    return rc;
  if (out)
    memcpy(out, (char *)obj->data + offset, len);
  else if (in)
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
  if (rc == 0 && (start > stop || stop > sct__obj_len(obj)))
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
  return obj ? sct__obj_len(obj) : 0;
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
  size_t offset = 0;
  const sct__field_t *field = NULL;
  int rc = check_with(obj, out ? out : in);
  if (rc == 0 && !path)
    rc = SCT_EINVAL;
  if (rc == 0 && obj->type->code != 0)
    rc = SCT_ETYPE;
  if (rc == 0 && i >= sct__obj_len(obj))
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

/* Copies the value (up to the first NUL, always NUL-terminated) or the
 * raw bytes (all n; NUL-terminated only when @p cap leaves room, since
 * Python's .raw is exactly n bytes) out, if @p cap allows. */
static int chars_out(sct_obj_t *obj, char *buf, size_t cap, size_t *len,
                     int up_to_nul) {
  int rc = check_chars(obj);
  if (rc == 0 && !buf && cap > 0)
    rc = SCT_EINVAL;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  size_t want = sct__obj_len(obj);
  if (up_to_nul) {
    const char *nul = memchr(obj->data, '\0', sct__obj_len(obj));
    if (nul)
      want = (size_t)(nul - (const char *)obj->data);
  }
  int fits = up_to_nul ? want < cap : want <= cap;
  if (fits) {
    memcpy(buf, obj->data, want);
    if (want < cap)
      buf[want] = '\0';
  }
  sct__obj_unlock(obj);
  if (len)
    *len = want;
  return fits ? rc : SCT_ERANGE;
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
  if (rc == 0 && len > sct__obj_len(obj))
    rc = SCT_ERANGE;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  if (len > 0)
    memcpy(obj->data, s, len);
  if (terminate && len < sct__obj_len(obj))
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
