/* The bootstrap message codec (format in bootstrap.h). */
#include "bootstrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPE_DEPTH 8
#define MAX_FIELDS 256u
#define MAX_NAME 255u
#define MAX_STRING (64u * 1024u)

/* ---- writing ---- */

typedef struct writer {
  unsigned char *buf;
  size_t len;
  size_t cap;
  int failed;
} writer_t;

static void put_bytes(writer_t *w, const void *p, size_t n) {
  if (w->failed)
    return;
  if (w->cap - w->len < n) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < n && cap < SCT__BOOT_MAX_BYTES)
      cap *= 2;
    unsigned char *grown = cap - w->len < n ? NULL : realloc(w->buf, cap);
    if (!grown) {
      w->failed = 1;
      return;
    }
    w->buf = grown;
    w->cap = cap;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

static void put_uint(writer_t *w, uint64_t v, int bytes) {
  unsigned char b[8];
  for (int i = 0; i < bytes; i++)
    b[i] = (unsigned char)(v >> (8 * i));
  put_bytes(w, b, (size_t)bytes);
}

static void put_text(writer_t *w, const char *s, int length_bytes) {
  size_t n = strlen(s);
  put_uint(w, n, length_bytes);
  put_bytes(w, s, n);
}

static void put_place(writer_t *w, sct__boot_place_t p) {
  put_uint(w, p.segment, 2);
  put_uint(w, p.offset, 8);
}

static void put_type(writer_t *w, const sct_type_t *t) {
  put_uint(w, (unsigned char)t->code, 1);
  if (t->code != 0)
    return;
  put_uint(w, t->size, 8);
  put_uint(w, t->align, 8);
  put_uint(w, t->nfields, 2);
  for (size_t i = 0; i < t->nfields; i++) {
    put_text(w, t->fields[i].name, 2);
    put_uint(w, t->fields[i].offset, 8);
    put_uint(w, t->fields[i].count, 8);
    put_type(w, t->fields[i].type);
  }
}

static void put_arg(writer_t *w, const sct__boot_arg_t *a) {
  union {
    double d;
    uint64_t u;
  } bits;
  put_uint(w, (uint64_t)a->kind, 1);
  switch (a->kind) {
  case SCT_ARG_INT: put_uint(w, (uint64_t)a->i, 8); break;
  case SCT_ARG_DOUBLE:
    bits.d = a->d;
    put_uint(w, bits.u, 8);
    break;
  case SCT_ARG_STR: put_text(w, a->s, 4); break;
  case SCT_ARG_LOCK:
    put_uint(w, (uint64_t)a->lock_kind, 1);
    put_place(w, a->lock);
    break;
  case SCT_ARG_COND:
  case SCT_ARG_SEM:
  case SCT_ARG_EVENT:
  case SCT_ARG_BARRIER:
  case SCT_ARG_QUEUE:
    put_uint(w, a->sync_size, 4);
    put_place(w, a->sync);
    if (a->kind == SCT_ARG_COND) {
      put_uint(w, (uint64_t)a->lock_kind, 1);
      put_place(w, a->lock);
    }
    break;
  default: /* SCT_ARG_OBJ */
    put_uint(w, (uint64_t)a->is_array, 1);
    put_uint(w, a->n, 8);
    put_type(w, a->type);
    put_place(w, a->data);
    put_uint(w, (uint64_t)a->has_lock, 1);
    if (a->has_lock) {
      put_uint(w, (uint64_t)a->lock_kind, 1);
      put_place(w, a->lock);
    }
    break;
  }
}

int sct__boot_encode(const sct__boot_t *boot, unsigned char **out,
                     size_t *len) {
  writer_t w = {NULL, 0, 0, 0};
  put_bytes(&w, "SCTB", 4);
  put_uint(&w, SCT__BOOT_VERSION, 2);
  put_uint(&w, 0, 2);
  put_uint(&w, 0, 4); /* total length, patched below */
  put_text(&w, boot->target, 2);
  put_uint(&w, boot->nsegments, 2);
  for (size_t i = 0; i < boot->nsegments; i++) {
    put_uint(&w, boot->segments[i].handle, 8);
    put_uint(&w, boot->segments[i].size, 8);
  }
  put_uint(&w, boot->nargs, 2);
  for (size_t i = 0; i < boot->nargs; i++)
    put_arg(&w, &boot->args[i]);
  if (w.failed || w.len > SCT__BOOT_MAX_BYTES) {
    free(w.buf);
    return w.failed && w.cap < SCT__BOOT_MAX_BYTES ? SCT_ENOMEM : SCT_EOVERFLOW;
  }
  for (int i = 0; i < 4; i++)
    w.buf[8 + i] = (unsigned char)(w.len >> (8 * i));
  *out = w.buf;
  *len = w.len;
  return 0;
}

/* ---- reading ---- */

typedef struct reader {
  const unsigned char *p;
  size_t len;
  size_t pos;
  const char *error; /* the first problem found */
} reader_t;

static int fail(reader_t *r, const char *why) {
  if (!r->error)
    r->error = why;
  return 0;
}

static int get_uint(reader_t *r, int bytes, uint64_t *v) {
  if (r->error)
    return 0;
  if (r->len - r->pos < (size_t)bytes)
    return fail(r, "message is truncated");
  *v = 0;
  for (int i = 0; i < bytes; i++)
    *v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += (size_t)bytes;
  return 1;
}

/* A length-prefixed text of at most @p max bytes with no NUL, copied. */
static char *get_text(reader_t *r, int length_bytes, size_t max) {
  uint64_t n;
  if (!get_uint(r, length_bytes, &n))
    return NULL;
  if (n > max || n > r->len - r->pos) {
    fail(r, n > max ? "text is too long" : "message is truncated");
    return NULL;
  }
  if (memchr(r->p + r->pos, '\0', (size_t)n)) {
    fail(r, "text holds a NUL byte");
    return NULL;
  }
  char *s = malloc((size_t)n + 1);
  if (!s) {
    fail(r, "out of memory");
    return NULL;
  }
  memcpy(s, r->p + r->pos, (size_t)n);
  s[n] = '\0';
  r->pos += (size_t)n;
  return s;
}

static int get_place(reader_t *r, const sct__boot_t *b, sct__boot_place_t *p,
                     uint64_t bytes, uint64_t align) {
  uint64_t seg, offset, end;
  if (!get_uint(r, 2, &seg) || !get_uint(r, 8, &offset))
    return 0;
  if (seg >= b->nsegments)
    return fail(r, "segment index out of range");
  if (align == 0 || offset % align != 0)
    return fail(r, "misaligned offset");
  end = offset + bytes;
  if (end < offset || end > b->segments[seg].size)
    return fail(r, "object lies outside its segment");
  p->segment = (uint16_t)seg;
  p->offset = offset;
  return 1;
}

static int get_lock_kind(reader_t *r, sct_lock_kind_t *kind) {
  uint64_t k;
  if (!get_uint(r, 1, &k))
    return 0;
  if (k != SCT_LOCK && k != SCT_RLOCK)
    return fail(r, "unknown lock kind");
  *kind = (sct_lock_kind_t)k;
  return 1;
}

static const sct_type_t *get_type(reader_t *r, int depth);

/* A struct type: its fields are decoded, then the struct goes through
 * the same validation as one built by a program. */
static const sct_type_t *get_struct(reader_t *r, int depth) {
  uint64_t size, align, nfields;
  sct_type_t *t = NULL;
  if (!get_uint(r, 8, &size) || !get_uint(r, 8, &align) ||
      !get_uint(r, 2, &nfields))
    return NULL;
  if (nfields == 0 || nfields > MAX_FIELDS) {
    fail(r, "bad field count");
    return NULL;
  }
  sct_field_t *fields = calloc((size_t)nfields, sizeof *fields);
  if (!fields) {
    fail(r, "out of memory");
    return NULL;
  }
  size_t done = 0;
  for (; done < nfields; done++) {
    uint64_t offset, count;
    char *name = get_text(r, 2, MAX_NAME);
    if (!name)
      break;
    fields[done].name = name;
    if (!get_uint(r, 8, &offset) || !get_uint(r, 8, &count) ||
        !(fields[done].type = get_type(r, depth + 1))) {
      done++;
      break;
    }
    fields[done].offset = (size_t)offset;
    fields[done].count = (size_t)count;
  }
  if (!r->error) {
    int rc = sct_type_new_struct(&t, NULL, (size_t)size, (size_t)align, fields,
                                 (size_t)nfields);
    if (rc != 0)
      fail(r, "invalid struct type");
  }
  for (size_t i = 0; i < done; i++) {
    free((char *)fields[i].name);
    if (fields[i].type)
      sct__type_unref(fields[i].type);
  }
  free(fields);
  return r->error ? NULL : t;
}

static const sct_type_t *get_type(reader_t *r, int depth) {
  uint64_t code;
  const sct_type_t *t = NULL;
  if (depth > MAX_TYPE_DEPTH) {
    fail(r, "types nested too deep");
    return NULL;
  }
  if (!get_uint(r, 1, &code))
    return NULL;
  if (code == 0)
    return get_struct(r, depth);
  if (sct_type_from_code((char)code, &t) != 0)
    fail(r, "unknown typecode");
  return t;
}

static int get_obj(reader_t *r, const sct__boot_t *b, sct__boot_arg_t *a) {
  uint64_t is_array, n, has_lock, bytes;
  if (!get_uint(r, 1, &is_array) || !get_uint(r, 8, &n))
    return 0;
  if (is_array > 1 || n == 0 || (!is_array && n != 1))
    return fail(r, "bad object shape");
  a->is_array = (int)is_array;
  a->n = n;
  if (!(a->type = get_type(r, 0)))
    return 0;
  if (a->type->size != 0 && n > UINT64_MAX / a->type->size)
    return fail(r, "object size overflows");
  bytes = n * a->type->size;
  if (!get_place(r, b, &a->data, bytes, a->type->align) ||
      !get_uint(r, 1, &has_lock))
    return 0;
  if (has_lock > 1)
    return fail(r, "bad lock flag");
  a->has_lock = (int)has_lock;
  if (has_lock)
    return get_lock_kind(r, &a->lock_kind) &&
           get_place(r, b, &a->lock, sizeof(sct__lockstate_t), 8);
  return 1;
}

/* A waiting primitive: where its state is, and a Condition's lock. The
 * state's own checks come when the child adopts it (sync.c). */
static int get_sync(reader_t *r, const sct__boot_t *b, sct__boot_arg_t *a) {
  uint64_t size;
  if (!get_uint(r, 4, &size))
    return 0;
  if (size < sizeof(sct__sync_head_t))
    return fail(r, "bad state size");
  a->sync_size = (uint32_t)size;
  if (!get_place(r, b, &a->sync, size, 64))
    return 0;
  if (a->kind != SCT_ARG_COND)
    return 1;
  a->has_lock = 1;
  return get_lock_kind(r, &a->lock_kind) &&
         get_place(r, b, &a->lock, sizeof(sct__lockstate_t), 8);
}

static int get_arg(reader_t *r, const sct__boot_t *b, sct__boot_arg_t *a) {
  uint64_t kind, v;
  union {
    double d;
    uint64_t u;
  } bits;
  if (!get_uint(r, 1, &kind))
    return 0;
  a->kind = (sct_arg_kind_t)kind;
  switch (kind) {
  case SCT_ARG_INT:
    if (!get_uint(r, 8, &v))
      return 0;
    a->i = (int64_t)v;
    return 1;
  case SCT_ARG_DOUBLE:
    if (!get_uint(r, 8, &bits.u))
      return 0;
    a->d = bits.d;
    return 1;
  case SCT_ARG_STR: return (a->s = get_text(r, 4, MAX_STRING)) != NULL;
  case SCT_ARG_LOCK:
    a->has_lock = 1;
    return get_lock_kind(r, &a->lock_kind) &&
           get_place(r, b, &a->lock, sizeof(sct__lockstate_t), 8);
  case SCT_ARG_OBJ: return get_obj(r, b, a);
  case SCT_ARG_COND:
  case SCT_ARG_SEM:
  case SCT_ARG_EVENT:
  case SCT_ARG_BARRIER:
  case SCT_ARG_QUEUE: return get_sync(r, b, a);
  default: a->kind = SCT_ARG_NONE_; return fail(r, "unknown argument kind");
  }
}

static int get_header(reader_t *r) {
  uint64_t version, flags, total;
  if (r->len < 4 || memcmp(r->p, "SCTB", 4) != 0)
    return fail(r, "bad magic");
  r->pos = 4;
  if (!get_uint(r, 2, &version) || !get_uint(r, 2, &flags) ||
      !get_uint(r, 4, &total))
    return 0;
  if (version != SCT__BOOT_VERSION)
    return fail(r, "unsupported version");
  if (flags != 0)
    return fail(r, "unknown flags");
  if (total != r->len)
    return fail(r, total > r->len ? "message is truncated"
                                  : "message has trailing bytes");
  return 1;
}

/* Reads a 2-byte count of at most @p max entries (else @p too_many) into
 * *count and returns a zeroed table of that many @p size-byte entries, or
 * NULL after recording the failure. */
static void *get_table(reader_t *r, uint64_t max, const char *too_many,
                       size_t size, uint64_t *count) {
  if (!get_uint(r, 2, count))
    return NULL;
  if (*count > max) {
    fail(r, too_many);
    return NULL;
  }
  void *table = calloc(*count ? (size_t)*count : 1, size);
  if (!table)
    fail(r, "out of memory");
  return table;
}

static int get_body(reader_t *r, sct__boot_t *b) {
  uint64_t count;
  b->target = get_text(r, 2, MAX_NAME);
  if (!b->target)
    return 0;
  if (!b->target[0])
    return fail(r, "empty target name");
  b->segments = get_table(r, SCT__BOOT_MAX_SEGMENTS, "too many segments",
                          sizeof *b->segments, &count);
  if (!b->segments)
    return 0;
  b->nsegments = (size_t)count;
  for (size_t i = 0; i < b->nsegments; i++)
    if (!get_uint(r, 8, &b->segments[i].handle) ||
        !get_uint(r, 8, &b->segments[i].size))
      return 0;
  b->args = get_table(r, SCT__BOOT_MAX_ARGS, "too many arguments",
                      sizeof *b->args, &count);
  if (!b->args)
    return 0;
  for (b->nargs = 0; b->nargs < count; b->nargs++)
    if (!get_arg(r, b, &b->args[b->nargs])) {
      b->nargs++; /* so that free sees what it holds */
      return 0;
    }
  if (r->pos != r->len)
    return fail(r, "message has trailing bytes");
  return 1;
}

int sct__boot_decode(const unsigned char *msg, size_t len, sct__boot_t *out,
                     char *why, size_t whycap) {
  reader_t r = {msg, len, 0, NULL};
  memset(out, 0, sizeof *out);
  if (!msg || len > SCT__BOOT_MAX_BYTES)
    fail(&r, msg ? "message is too large" : "no message");
  else if (get_header(&r))
    get_body(&r, out);
  if (!r.error)
    return 0;
  if (why && whycap)
    snprintf(why, whycap, "%s (at byte %zu)", r.error, r.pos);
  sct__boot_free(out);
  return strcmp(r.error, "out of memory") == 0 ? SCT_ENOMEM : SCT_EINVAL;
}

void sct__boot_free(sct__boot_t *b) {
  for (size_t i = 0; i < b->nargs; i++) {
    free(b->args[i].s);
    if (b->args[i].type)
      sct__type_unref(b->args[i].type);
  }
  free(b->args);
  free(b->segments);
  free(b->target);
  memset(b, 0, sizeof *b);
}
