/*
 * Formatting objects the way Python prints them: integers in decimal,
 * floats as repr() does (shortest text that reads back as the same
 * double), 'c' as bytes literals, 'u' as str literals, structs as tuples
 * and arrays as lists.
 */
#include "../base/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Text written into a caller's buffer; len counts everything, even what
 * did not fit, so the caller learns the size needed. */
typedef struct out {
  char *buf;
  size_t cap;
  size_t len;
} out_t;

static void put(out_t *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++, o->len++)
    if (o->len + 1 < o->cap)
      o->buf[o->len] = s[i];
}

static void puts_(out_t *o, const char *s) {
  put(o, s, strlen(s));
}

static void putf(out_t *o, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put(o, tmp, n < 0 ? 0 : (size_t)n);
}

/*
 * repr() of a double: the fewest significant digits (1 to 17) that read
 * back exactly, laid out as Python does: fixed notation when the decimal
 * exponent is in [-4, 16), with ".0" for integral values, otherwise
 * d.ddde+XX. The locale's decimal point is read past, never printed.
 */
static void put_double(out_t *o, double v) {
  char text[40], digits[24];
  int ndigits = 0, exp10 = 0;
  if (isnan(v)) {
    puts_(o, "nan");
    return;
  }
  if (isinf(v)) {
    puts_(o, v < 0 ? "-inf" : "inf");
    return;
  }
  if (v == 0) {
    puts_(o, signbit(v) ? "-0.0" : "0.0");
    return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(text, sizeof text, "%.*e", prec - 1, v);
    if (strtod(text, NULL) == v)
      break;
  }
  const char *p = text;
  if (*p == '-') {
    put(o, "-", 1);
    p++;
  }
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9')
      digits[ndigits++] = *p;
  exp10 = atoi(p + 1);
  while (ndigits > 1 && digits[ndigits - 1] == '0')
    ndigits--;
  int point = exp10 + 1; /* digits before the decimal point */
  if (exp10 >= -4 && exp10 < 16) {
    if (point <= 0) {
      puts_(o, "0.");
      for (int i = point; i < 0; i++)
        put(o, "0", 1);
      put(o, digits, (size_t)ndigits);
    } else if (point >= ndigits) {
      put(o, digits, (size_t)ndigits);
      for (int i = ndigits; i < point; i++)
        put(o, "0", 1);
      puts_(o, ".0");
    } else {
      put(o, digits, (size_t)point);
      put(o, ".", 1);
      put(o, digits + point, (size_t)(ndigits - point));
    }
    return;
  }
  put(o, digits, 1);
  if (ndigits > 1) {
    put(o, ".", 1);
    put(o, digits + 1, (size_t)(ndigits - 1));
  }
  putf(o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
}

/* Python picks double quotes only when the text has a ' and no ". */
static char quote_for(const unsigned long *cp, size_t n) {
  int single = 0, dbl = 0;
  for (size_t i = 0; i < n; i++) {
    single |= cp[i] == '\'';
    dbl |= cp[i] == '"';
  }
  return single && !dbl ? '"' : '\'';
}

static void put_utf8(out_t *o, unsigned long c) {
  char b[4];
  size_t n;
  if (c < 0x80) {
    b[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    b[0] = (char)(0xc0 | (c >> 6));
    b[1] = (char)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    b[0] = (char)(0xe0 | (c >> 12));
    b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    b[2] = (char)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    b[0] = (char)(0xf0 | (c >> 18));
    b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    b[3] = (char)(0x80 | (c & 0x3f));
    n = 4;
  }
  put(o, b, n);
}

/* A bytes (b'...') or str ('...') literal of @p n code units. */
static void put_literal(out_t *o, const unsigned long *cp, size_t n,
                        int is_bytes) {
  char q = quote_for(cp, n);
  if (is_bytes)
    put(o, "b", 1);
  put(o, &q, 1);
  for (size_t i = 0; i < n; i++) {
    unsigned long c = cp[i];
    if (c == (unsigned long)q || c == '\\')
      putf(o, "\\%c", (int)c);
    else if (c == '\t')
      puts_(o, "\\t");
    else if (c == '\n')
      puts_(o, "\\n");
    else if (c == '\r')
      puts_(o, "\\r");
    else if (is_bytes ? c < 0x20 || c >= 0x7f
                      : c > 0x10ffff || !sct__printable((uint32_t)c))
      /* Python's repr: \\xNN, \\uNNNN or \\UNNNNNNNN by size (a wchar_t
       * beyond Unicode is shown the same way). */
      putf(o,
           c < 0x100     ? "\\x%02lx"
           : c < 0x10000 ? "\\u%04lx"
                         : "\\U%08lx",
           c);
    else
      put_utf8(o, c);
  }
  put(o, &q, 1);
}

/* The code point of a 'u' unit at @p w, combining a UTF-16 surrogate
 * pair where wchar_t is 16 bits (Windows) and the next unit, within @p
 * left, completes it; *used gets the units taken. */
static unsigned long wide_char(const wchar_t *w, size_t left, size_t *used) {
  unsigned long c = (unsigned long)w[0];
  *used = 1;
  if (sizeof(wchar_t) == 2 && c >= 0xd800 && c < 0xdc00 && left > 1) {
    unsigned long low = (unsigned long)w[1] & 0xffff;
    if (low >= 0xdc00 && low < 0xe000) {
      *used = 2;
      return 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
  }
  return sizeof(wchar_t) == 2 ? c & 0xffff : c;
}

/* Characters of a 'c' or 'u' run: up to its first NUL for an array
 * (Python's .value), the one character whatever it is for a single one
 * (Python shows a NUL c_char as b'\x00'). */
static void put_text(out_t *o, const sct_type_t *t, const void *p, size_t n) {
  unsigned long small[64] = {0};
  unsigned long *cp = n <= 64 ? small : malloc(n * sizeof *cp);
  size_t len = 0;
  if (!cp) {
    puts_(o, "<out of memory>");
    return;
  }
  for (size_t i = 0; i < n;) {
    size_t used = 1;
    unsigned long c = t->code == 'c'
                          ? (unsigned long)((const unsigned char *)p)[i]
                          : wide_char((const wchar_t *)p + i, n - i, &used);
    if (c == 0 && n > 1)
      break;
    cp[len++] = c;
    i += used;
  }
  put_literal(o, cp, len, t->code == 'c');
  if (cp != small)
    free(cp);
}

static void put_elements(out_t *o, const sct_type_t *t, const void *p,
                         size_t n);

static void put_scalar(out_t *o, const sct_type_t *t, const void *p) {
  switch (t->code) {
  case 'c':
  case 'u': put_text(o, t, p, 1); break;
  case 'b': putf(o, "%d", *(const signed char *)p); break;
  case 'B': putf(o, "%u", *(const unsigned char *)p); break;
  case 'h': putf(o, "%d", *(const short *)p); break;
  case 'H': putf(o, "%u", *(const unsigned short *)p); break;
  case 'i': putf(o, "%d", *(const int *)p); break;
  case 'I': putf(o, "%u", *(const unsigned *)p); break;
  case 'l': putf(o, "%ld", *(const long *)p); break;
  case 'L': putf(o, "%lu", *(const unsigned long *)p); break;
  case 'q': putf(o, "%lld", *(const long long *)p); break;
  case 'Q': putf(o, "%llu", *(const unsigned long long *)p); break;
  case 'f': put_double(o, *(const float *)p); break;
  case 'd': put_double(o, *(const double *)p); break;
  default: break;
  }
}

/* A struct is a tuple; a one-field struct gets Python's trailing comma. */
static void put_struct(out_t *o, const sct_type_t *t, const char *p) {
  put(o, "(", 1);
  for (size_t i = 0; i < t->nfields; i++) {
    const sct__field_t *f = &t->fields[i];
    if (i > 0)
      puts_(o, ", ");
    put_elements(o, f->type, p + f->offset, f->count);
  }
  puts_(o, t->nfields == 1 ? ",)" : ")");
}

/* One element, or a list of @p n (a 'c'/'u' run is a string). */
static void put_elements(out_t *o, const sct_type_t *t, const void *p,
                         size_t n) {
  if (t->code == 0 && n == 1) {
    put_struct(o, t, p);
  } else if (n == 1) {
    put_scalar(o, t, p);
  } else if (t->code == 'c' || t->code == 'u') {
    put_text(o, t, p, n);
  } else {
    put(o, "[", 1);
    for (size_t i = 0; i < n; i++) {
      if (i > 0)
        puts_(o, ", ");
      put_elements(o, t, (const char *)p + i * t->size, 1);
    }
    put(o, "]", 1);
  }
}

int sct_obj_format(sct_obj_t *obj, char *buf, size_t cap, size_t *len) {
  out_t o = {buf, cap, 0};
  int rc = sct__obj_check(obj);
  if (rc == 0 && !buf && cap > 0)
    rc = SCT_EINVAL;
  rc = sct__obj_lock_checked(obj, rc);
  if (!SCT__HELD(rc))
    return rc;
  if ((obj->flags & SCT__OBJ_ARRAY) && sct__obj_len(obj) == 1 &&
      obj->type->code != 'c' && obj->type->code != 'u') {
    /* A one-element Array is still a list. */
    put(&o, "[", 1);
    put_elements(&o, obj->type, obj->data, 1);
    put(&o, "]", 1);
  } else {
    put_elements(&o, obj->type, obj->data, sct__obj_len(obj));
  }
  sct__obj_unlock(obj);
  if (cap > 0)
    buf[o.len < cap ? o.len : cap - 1] = '\0';
  if (len)
    *len = o.len;
  return o.len < cap ? rc : SCT_ERANGE;
}
