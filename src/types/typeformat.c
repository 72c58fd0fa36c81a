/*
 * Types as PEP 3118 format strings (the buffer protocol's, which Python's
 * memoryview, ctypes and numpy read): typecodes map to themselves except
 * 'u' (wchar_t: 'w' where it is 4 bytes), structs to T{...} with each
 * field's name and explicit padding, so the string pins down every
 * offset and two types have one string only if they have one layout.
 */
#include "../base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
  char *buf;
  size_t cap;
  size_t len;
} out_t;

static void put(out_t *o, const char *text) {
  size_t n = strlen(text);
  if (o->len + n < o->cap)
    memcpy(o->buf + o->len, text, n + 1);
  o->len += n;
}

static void put_padding(out_t *o, size_t bytes) {
  char text[32];
  if (bytes == 0)
    return;
  if (bytes == 1)
    snprintf(text, sizeof text, "x");
  else
    snprintf(text, sizeof text, "%zux", bytes);
  put(o, text);
}

static void put_code(out_t *o, char code) {
  char text[2] = {code, 0};
  if (code == 'u')
    text[0] = sizeof(wchar_t) == 4 ? 'w' : 'u';
  put(o, text);
}

static void put_type(out_t *o, const sct_type_t *t);

/* The fields in offset order (they may have been given in any). */
static void put_struct(out_t *o, const sct_type_t *t) {
  size_t at = 0, done = 0;
  put(o, "T{");
  while (done < t->nfields) {
    const sct__field_t *next = NULL;
    for (size_t i = 0; i < t->nfields; i++)
      if (t->fields[i].offset >= at &&
          (!next || t->fields[i].offset < next->offset))
        next = &t->fields[i];
    put_padding(o, next->offset - at);
    if (next->count > 1) {
      char count[32];
      snprintf(count, sizeof count, "(%zu)", next->count);
      put(o, count);
    }
    put_type(o, next->type);
    put(o, ":");
    put(o, next->name);
    put(o, ":");
    at = next->offset + next->type->size * (next->count ? next->count : 1);
    done++;
  }
  put_padding(o, t->size - at);
  put(o, "}");
}

static void put_type(out_t *o, const sct_type_t *t) {
  if (t->code)
    put_code(o, t->code);
  else
    put_struct(o, t);
}

int sct_type_format(const sct_type_t *type, char *buf, size_t cap,
                    size_t *needed) {
  int rc = sct__type_check(type);
  if (rc == 0 && !buf && cap > 0)
    rc = SCT_EINVAL;
  if (rc != 0)
    return rc;
  out_t o = {buf, cap, 0};
  if (cap > 0)
    buf[0] = '\0';
  put_type(&o, type);
  if (needed)
    *needed = o.len;
  return o.len < cap ? 0 : SCT_EOVERFLOW;
}

uint64_t sct__hash_bytes(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * UINT64_C(1099511628211);
  return h;
}

int sct__type_digest(const sct_type_t *type, uint64_t *hash, size_t *length,
                     char *text, size_t cap) {
  size_t len;
  int rc = sct_type_format(type, NULL, 0, &len);
  if (rc != 0 && rc != SCT_EOVERFLOW)
    return rc;
  char *format = malloc(len + 1);
  if (!format)
    return SCT_ENOMEM;
  (void)sct_type_format(type, format, len + 1, NULL);
  *hash = sct__hash_bytes(format, len);
  if (length)
    *length = len;
  if (cap > 0) {
    size_t kept = len < cap ? len : cap - 1;
    memcpy(text, format, kept);
    text[kept] = '\0';
  }
  free(format);
  return 0;
}
