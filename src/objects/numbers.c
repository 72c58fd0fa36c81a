/*
 * Integers and floats of a Value or of one Array element: get and set as
 * int64_t or double (under the object's lock), and atomic add and
 * compare-and-swap (no lock: one atomic instruction on the shared bytes).
 * The sct_value_* functions are for Values only (an Array is SCT_ETYPE:
 * acting silently on element 0 hid mistakes); the sct_array_* ones take
 * an element index, and a Value is an Array of one.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <limits.h>

/* Reads an integer of type @p t at @p p. */
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

/* Who is asking: a sct_value_* function (Values only) or a sct_array_*
 * one (any object, with an index). */
typedef enum { AS_VALUE, AS_ELEMENT } access_t;

/* Checks a live object whose type passes @p type_ok, the access kind and
 * the index; on success @p at receives the element's address. */
static int check_number(const sct_obj_t *obj, int type_ok, access_t how,
                        size_t i, void **at) {
  int rc = sct__obj_check(obj);
  if (rc != 0)
    return rc;
  if (!type_ok || (how == AS_VALUE && (obj->flags & SCT__OBJ_ARRAY)))
    return SCT_ETYPE;
  if (i >= sct__obj_len(obj))
    return SCT_ERANGE;
  *at = (char *)obj->data + i * obj->type->size;
  return 0;
}

static int is_int(const sct_obj_t *obj) {
  return obj->type->int_kind != SCT__INT_NONE;
}

static int is_float(const sct_obj_t *obj) {
  return obj->type->code == 'f' || obj->type->code == 'd';
}

/* The integer check, with the common case (a live integer Value) first:
 * atomic add is measured against a bare atomic_fetch_add. */
static int check_int(const sct_obj_t *obj, access_t how, size_t i, void **at) {
  if (SCT__OBJ_LIVE(obj) && is_int(obj) && i < sct__obj_len(obj) &&
      (how == AS_ELEMENT || !(obj->flags & SCT__OBJ_ARRAY))) {
    *at = (char *)obj->data + i * obj->type->size;
    return 0;
  }
  return check_number(obj, SCT__OBJ_LIVE(obj) && is_int(obj), how, i, at);
}

static int fits(const sct_type_t *t, int64_t v) {
  return v >= t->min && v <= t->max;
}

static int get_int(sct_obj_t *obj, access_t how, size_t i, int64_t *out) {
  void *at = NULL;
  int rc = check_int(obj, how, i, &at);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc != 0)
    return rc;
  int lock_rc = sct__obj_lock(obj);
  if (!SCT__HELD(lock_rc))
    return lock_rc;
  rc = load_int(at, obj->type, out);
  sct__obj_unlock(obj);
  return rc != 0 ? rc : lock_rc;
}

static int set_int(sct_obj_t *obj, access_t how, size_t i, int64_t v) {
  void *at = NULL;
  int rc = check_int(obj, how, i, &at);
  if (rc == 0 && !fits(obj->type, v))
    rc = SCT_EOVERFLOW;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  store_int(at, obj->type->size, v);
  sct__obj_unlock(obj);
  return rc;
}

int sct_value_get_i64(sct_obj_t *obj, int64_t *out) {
  return get_int(obj, AS_VALUE, 0, out);
}

int sct_value_set_i64(sct_obj_t *obj, int64_t v) {
  return set_int(obj, AS_VALUE, 0, v);
}

int sct_array_get_i64(sct_obj_t *obj, size_t i, int64_t *out) {
  return get_int(obj, AS_ELEMENT, i, out);
}

int sct_array_set_i64(sct_obj_t *obj, size_t i, int64_t v) {
  return set_int(obj, AS_ELEMENT, i, v);
}

int sct_value_get_f64(sct_obj_t *obj, double *out) {
  void *at = NULL;
  int rc =
      check_number(obj, SCT__OBJ_LIVE(obj) && is_float(obj), AS_VALUE, 0, &at);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  *out = obj->type->code == 'f' ? (double)*(float *)at : *(double *)at;
  sct__obj_unlock(obj);
  return rc;
}

int sct_value_set_f64(sct_obj_t *obj, double v) {
  void *at = NULL;
  int rc =
      check_number(obj, SCT__OBJ_LIVE(obj) && is_float(obj), AS_VALUE, 0, &at);
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  if (obj->type->code == 'f')
    *(float *)at = (float)v;
  else
    *(double *)at = v;
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

static int add_int(sct_obj_t *obj, access_t how, size_t i, int64_t delta,
                   int64_t *old) {
  void *at = NULL;
  int rc = check_int(obj, how, i, &at);
  if (rc == 0 && !delta_fits(obj->type, delta))
    rc = SCT_EOVERFLOW;
  if (rc != 0)
    return rc;
  uint64_t before;
  switch (obj->type->size) {
  case 1: before = sct__fetch_add((uint8_t *)at, (uint8_t)delta); break;
  case 2: before = sct__fetch_add((uint16_t *)at, (uint16_t)delta); break;
  case 4: before = sct__fetch_add((uint32_t *)at, (uint32_t)delta); break;
  default: before = sct__fetch_add((sct__u64 *)at, (uint64_t)delta); break;
  }
  if (old)
    read_back(obj->type, before, old);
  return 0;
}

static int cas_int(sct_obj_t *obj, access_t how, size_t i, int64_t *expected,
                   int64_t desired) {
  void *at = NULL;
  int rc = check_int(obj, how, i, &at);
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
    swapped = sct__cas((T *)at, &want, (T)desired);                            \
    if (!swapped)                                                              \
      read_back(obj->type, want, expected);                                    \
    break;                                                                     \
  }
    CAS_CASE(1, uint8_t)
    CAS_CASE(2, uint16_t)
    CAS_CASE(4, uint32_t)
    CAS_CASE(8, sct__u64)
#undef CAS_CASE
  default: return SCT_ETYPE;
  }
  return swapped ? 0 : SCT_ESTATE;
}

static int counter_at(sct_obj_t *obj, access_t how, size_t i,
                      sct_counter_t *out) {
  void *at = NULL;
  int rc = check_int(obj, how, i, &at);
  if (rc == 0 && !out)
    rc = SCT_EINVAL;
  if (rc == 0 && obj->type->size != sizeof(int64_t))
    rc = SCT_ETYPE;
  if (rc == 0)
    out->at = at;
  return rc;
}

int sct_value_counter(sct_obj_t *obj, sct_counter_t *out) {
  return counter_at(obj, AS_VALUE, 0, out);
}

int sct_array_counter(sct_obj_t *obj, size_t i, sct_counter_t *out) {
  return counter_at(obj, AS_ELEMENT, i, out);
}

int sct_value_add(sct_obj_t *obj, int64_t delta, int64_t *old) {
  return add_int(obj, AS_VALUE, 0, delta, old);
}

int sct_value_cas(sct_obj_t *obj, int64_t *expected, int64_t desired) {
  return cas_int(obj, AS_VALUE, 0, expected, desired);
}

int sct_array_add(sct_obj_t *obj, size_t i, int64_t delta, int64_t *old) {
  return add_int(obj, AS_ELEMENT, i, delta, old);
}

int sct_array_cas(sct_obj_t *obj, size_t i, int64_t *expected,
                  int64_t desired) {
  return cas_int(obj, AS_ELEMENT, i, expected, desired);
}
