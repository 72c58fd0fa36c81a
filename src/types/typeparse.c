/*
 * A type back from its PEP 3118 format (the inverse of typeformat.c), for
 * readers that know an object only by the format its directory entry
 * keeps (the command-line tool). Only what sct_type_format writes is
 * read: typecodes ('w' for a 4-byte wchar_t), T{...} with explicit
 * padding ("x", "Nx"), "(n)" arrays and ":name:" after every field. A
 * struct's alignment is the largest of its fields' that divides its
 * size, unless the caller knows it (the top type's, kept in the entry).
 */
#include "../base/internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 256

static int parse(const char **p, size_t align, sct_type_t **out);

static size_t number(const char **p) {
  size_t n = 0;
  while (**p >= '0' && **p <= '9')
    n = n * 10 + (size_t)(*(*p)++ - '0');
  return n;
}

/* One field: optional "(n)", a type, ":name:". */
static int parse_field(const char **p, sct_field_t *f, size_t at,
                       char *name_buf, size_t cap) {
  f->count = 1;
  if (**p == '(') {
    (*p)++;
    f->count = number(p);
    if (*(*p)++ != ')' || f->count == 0)
      return SCT_ETYPE;
  }
  sct_type_t *t;
  int rc = parse(p, 0, &t);
  if (rc != 0)
    return rc;
  const char *end = **p == ':' ? strchr(*p + 1, ':') : NULL;
  if (!end || (size_t)(end - *p - 1) >= cap) {
    sct_type_free(t);
    return SCT_ETYPE;
  }
  memcpy(name_buf, *p + 1, (size_t)(end - *p - 1));
  name_buf[end - *p - 1] = '\0';
  *p = end + 1;
  f->name = name_buf;
  f->code = 0;
  f->type = t;
  f->offset = at;
  return 0;
}

static int parse_struct(const char **p, size_t align, sct_type_t **out) {
  sct_field_t *fields = calloc(MAX_FIELDS, sizeof *fields);
  char(*names)[64] = calloc(MAX_FIELDS, sizeof *names);
  size_t n = 0, at = 0, widest = 1;
  int rc = fields && names ? 0 : SCT_ENOMEM;
  while (rc == 0 && **p != '}') {
    if (**p == 'x' || (**p >= '0' && **p <= '9')) { /* padding */
      size_t pad = **p == 'x' ? 1 : number(p);
      if (*(*p)++ != 'x') {
        rc = SCT_ETYPE;
        break;
      }
      at += pad;
      continue;
    }
    if (n == MAX_FIELDS || **p == '\0') {
      rc = SCT_ETYPE;
      break;
    }
    rc = parse_field(p, &fields[n], at, names[n], sizeof names[n]);
    if (rc == 0) {
      at += fields[n].type->size * fields[n].count;
      if (fields[n].type->align > widest)
        widest = fields[n].type->align;
      n++;
    }
  }
  if (rc == 0) {
    (*p)++; /* '}' */
    if (align == 0)
      for (align = widest; at % align != 0;)
        align /= 2;
    rc = n == 0 ? SCT_ETYPE
                : sct_type_new_struct(out, NULL, at, align, fields, n);
  }
  for (size_t i = 0; i < n; i++)
    sct_type_free(fields[i].type);
  free(fields);
  free(names);
  return rc;
}

static int parse(const char **p, size_t align, sct_type_t **out) {
  if ((*p)[0] == 'T' && (*p)[1] == '{') {
    *p += 2;
    return parse_struct(p, align, out);
  }
  char code = **p == 'w' && sizeof(wchar_t) == 4 ? 'u' : **p;
  const sct_type_t *t;
  if (code == '\0' || sct_type_from_code(code, &t) != 0)
    return SCT_ETYPE;
  (*p)++;
  *out = (sct_type_t *)t; /* static: freeing it does nothing */
  return 0;
}

int sct__type_from_format(const char *format, size_t align,
                          sct_type_t **out) {
  if (!format || !out)
    return SCT_EINVAL;
  const char *p = format;
  int rc = parse(&p, align, out);
  if (rc == 0 && *p != '\0') {
    sct_type_free(*out);
    rc = SCT_ETYPE;
  }
  return rc;
}
