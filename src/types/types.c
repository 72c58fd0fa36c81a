/*
 * Type descriptors: the built-in typecodes of Python's table and struct
 * types described by their fields.
 */
#include "../base/atomics.h"
#include "../base/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* A built-in type: typecode, C type, and for integers signedness and range. */
#define BUILTIN(c, T, kind, lo, hi)                                            \
  {                                                                            \
    .magic = SCT__MAGIC_TYPE, .is_static = 1, .code = c, .size = sizeof(T),    \
    .align = _Alignof(T), .int_kind = kind, .min = lo, .max = hi               \
  }
#define SIGNED_INT SCT__INT_SIGNED
#define UNSIGNED_INT SCT__INT_UNSIGNED
#define CAP(v) ((v) > INT64_MAX ? INT64_MAX : (int64_t)(v))

static const struct sct_type builtins[] = {
    BUILTIN('c', char, 0, 0, 0),
    BUILTIN('u', wchar_t, 0, 0, 0),
    BUILTIN('b', signed char, SIGNED_INT, SCHAR_MIN, SCHAR_MAX),
    BUILTIN('B', unsigned char, UNSIGNED_INT, 0, UCHAR_MAX),
    BUILTIN('h', short, SIGNED_INT, SHRT_MIN, SHRT_MAX),
    BUILTIN('H', unsigned short, UNSIGNED_INT, 0, USHRT_MAX),
    BUILTIN('i', int, SIGNED_INT, INT_MIN, INT_MAX),
    BUILTIN('I', unsigned int, UNSIGNED_INT, 0, UINT_MAX),
    BUILTIN('l', long, SIGNED_INT, LONG_MIN, LONG_MAX),
    BUILTIN('L', unsigned long, UNSIGNED_INT, 0, CAP(ULONG_MAX)),
    BUILTIN('q', long long, SIGNED_INT, LLONG_MIN, LLONG_MAX),
    BUILTIN('Q', unsigned long long, UNSIGNED_INT, 0, CAP(ULLONG_MAX)),
    BUILTIN('f', float, 0, 0, 0),
    BUILTIN('d', double, 0, 0, 0),
};

int sct_type_from_code(char code, const sct_type_t **out) {
  if (!out)
    return SCT_EINVAL;
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    if (builtins[i].code == code && code != 0) {
      *out = &builtins[i];
      return 0;
    }
  }
  return SCT_ETYPE;
}

int sct__type_check(const sct_type_t *type) {
  return sct__handle_check(type, SCT__MAGIC_TYPE);
}

const sct_type_t *sct__type_ref(const sct_type_t *type) {
  if (!type->is_static)
    sct__fetch_add(&((sct_type_t *)type)->refs, 1);
  return type;
}

sct__pool_t sct__type_pool = SCT__POOL_INIT(struct sct_type);

/* A struct type's memory goes when its last reference does; the
 * descriptor, marked freed, returns to its pool, so a later use of it is
 * reported rather than followed (until the slot is reused). */
void sct__type_unref(const sct_type_t *type) {
  sct_type_t *t = (sct_type_t *)type;
  if (t->is_static || sct__fetch_sub(&t->refs, 1) != 1)
    return;
  t->magic = SCT__MAGIC_FREED;
  for (size_t i = 0; i < t->nfields; i++) {
    free(t->fields[i].name);
    sct__type_unref(t->fields[i].type);
  }
  free(t->fields);
  free(t->name);
  sct__pool_put(&sct__type_pool, t);
}

static int valid_field_name(const char *name) {
  return name && name[0] != '\0' && strchr(name, '.') == NULL;
}

/* Checks one field against the struct being built and resolves its type. */
static int check_field(const sct_field_t *f, size_t size,
                       const sct_type_t **ftype, size_t *count) {
  size_t bytes, end;
  if (!f->name)
    return SCT_EINVAL;
  if (!valid_field_name(f->name))
    return SCT_ENAME;
  if (f->code != 0) {
    if (f->type)
      return SCT_EINVAL;
    int rc = sct_type_from_code(f->code, ftype);
    if (rc != 0)
      return rc;
  } else {
    int rc = sct__type_check(f->type);
    if (rc != 0)
      return rc == SCT_EINVAL ? SCT_ETYPE : rc;
    *ftype = f->type;
  }
  *count = f->count == 0 ? 1 : f->count;
  if (sct__mul_size((*ftype)->size, *count, &bytes) != 0)
    return SCT_EOVERFLOW;
  /* An end past SIZE_MAX is past the struct's end too. */
  if (sct__add_size(f->offset, bytes, &end) != 0 || end > size ||
      f->offset % (*ftype)->align != 0)
    return SCT_EINVAL;
  return 0;
}

static char *dup_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy)
    memcpy(copy, s, n);
  return copy;
}

int sct_type_new_struct(sct_type_t **out, const char *name, size_t size,
                        size_t align, const sct_field_t *fields,
                        size_t nfields) {
  if (!out || !fields || nfields == 0 || size == 0 || align == 0 ||
      (align & (align - 1)) != 0 || align > 4096 || size % align != 0)
    return SCT_EINVAL;
  const sct_type_t **ftypes = calloc(nfields, sizeof *ftypes);
  size_t *counts = calloc(nfields, sizeof *counts);
  sct__init();
  sct_type_t *t = sct__pool_get(&sct__type_pool);
  sct__field_t *tf = calloc(nfields, sizeof *tf);
  int rc = (ftypes && counts && t && tf) ? 0 : SCT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < nfields; i++) {
    rc = check_field(&fields[i], size, &ftypes[i], &counts[i]);
    for (size_t j = 0; rc == 0 && j < i; j++)
      if (strcmp(fields[i].name, fields[j].name) == 0)
        rc = SCT_ENAME;
  }
  if (rc == 0 && name && !(t->name = dup_string(name)))
    rc = SCT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < nfields; i++) {
    tf[i].name = dup_string(fields[i].name);
    if (!tf[i].name)
      rc = SCT_ENOMEM;
    tf[i].offset = fields[i].offset;
    tf[i].count = counts[i];
    tf[i].type = ftypes[i];
  }
  if (rc != 0) {
    for (size_t i = 0; tf && i < nfields; i++)
      free(tf[i].name);
    if (t)
      free(t->name);
    free(tf);
    if (t)
      sct__pool_put(&sct__type_pool, t);
  } else {
    for (size_t i = 0; i < nfields; i++)
      sct__type_ref(tf[i].type);
    t->magic = SCT__MAGIC_TYPE;
    t->refs = 1;
    t->freed = 0;
    t->size = size;
    t->align = align;
    t->nfields = nfields;
    t->fields = tf;
    *out = t;
  }
  free(ftypes);
  free(counts);
  return rc;
}

int sct_type_free(const sct_type_t *type) {
  int rc = sct__type_check(type);
  if (rc != 0 || type->is_static)
    return rc;
  /* Only the creator's reference goes: while struct types and objects
   * made from it hold theirs, the descriptor stays a valid type, since
   * sct_type_field_at and sct_obj_type hand it out (marking it freed here
   * made those answers unusable: a nested type freed after its struct
   * was made gave a field type of size 0). A second free is refused. */
  uint32_t expected = 0;
  if (!sct__cas(&((sct_type_t *)type)->freed, &expected, 1u))
    return SCT_ESTATE;
  sct__type_unref(type);
  return 0;
}

size_t sct_type_size(const sct_type_t *type) {
  return sct__type_check(type) == 0 ? type->size : 0;
}

char sct_type_code(const sct_type_t *type) {
  return sct__type_check(type) == 0 ? type->code : 0;
}

size_t sct_type_align(const sct_type_t *type) {
  return sct__type_check(type) == 0 ? type->align : 0;
}

size_t sct_type_nfields(const sct_type_t *type) {
  return sct__type_check(type) == 0 ? type->nfields : 0;
}

int sct_type_field_at(const sct_type_t *type, size_t index,
                      sct_field_t *out) {
  if (sct__type_check(type) != 0 || !out)
    return SCT_EINVAL;
  if (type->code != 0)
    return SCT_ETYPE;
  if (index >= type->nfields)
    return SCT_ERANGE;
  const sct__field_t *f = &type->fields[index];
  out->name = f->name;
  out->code = f->type->code;
  out->type = f->type;
  out->offset = f->offset;
  out->count = f->count;
  return 0;
}

int sct_type_field_find(const sct_type_t *type, const char *path,
                        size_t *offset, const sct_type_t **field_type,
                        size_t *count) {
  size_t at;
  const sct__field_t *f;
  if (sct__type_check(type) != 0 || !path)
    return SCT_EINVAL;
  int rc = sct__type_find_field(type, path, &at, &f);
  if (rc != 0)
    return rc;
  if (offset)
    *offset = at;
  if (field_type)
    *field_type = f->type;
  if (count)
    *count = f->count;
  return 0;
}

int sct__type_find_field(const sct_type_t *type, const char *path,
                         size_t *offset, const sct__field_t **field) {
  size_t at = 0;
  const sct__field_t *found = NULL;
  if (!path || !*path)
    return SCT_ENOFIELD;
  while (*path) {
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    if (type->code != 0)
      return found ? SCT_ENOFIELD : SCT_ETYPE;
    found = NULL;
    for (size_t i = 0; i < type->nfields; i++) {
      if (strncmp(type->fields[i].name, path, len) == 0 &&
          type->fields[i].name[len] == '\0') {
        found = &type->fields[i];
        break;
      }
    }
    if (!found)
      return SCT_ENOFIELD;
    at += found->offset;
    type = found->type;
    path += len;
    /* Paths do not reach inside array fields: there is no index. */
    if (*path == '.' && found->count > 1)
      return SCT_ENOFIELD;
    if (*path == '.' && *++path == '\0')
      return SCT_ENOFIELD;
  }
  *offset = at;
  *field = found;
  return 0;
}
