/*
 * Writing objects out: a table for people, JSON for scripts (one object
 * per line for listings, one document for show).
 */
#include "tool.h"

#include "../base/inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void json_key(const char *key, int first) {
  printf("%s", first ? "{" : ", ");
  print_json_string(key);
  printf(": ");
}

/* The object's JSON, without the closing brace (show adds to it). */
static void json_open(const object_t *obj) {
  json_key("kind", 1);
  print_json_string(obj->kind);
  json_key("name", 0);
  print_json_string(obj->name);
  json_key("file", 0);
  print_json_string(obj->file);
  json_key("size", 0);
  printf("%llu", (unsigned long long)obj->size);
  json_key("user", 0);
  print_json_string(obj->user);
  /* null where the system does not say (Windows). */
  json_key("uid", 0);
  if (obj->uid >= 0)
    printf("%ld", obj->uid);
  else
    printf("null");
  json_key("age_s", 0);
  if (obj->age_s >= 0)
    printf("%.0f", obj->age_s);
  else
    printf("null");
  json_key("opened", 0);
  printf("%s", obj->opened ? "true" : "false");
  json_key("state", 0);
  print_json_string(obj->state);
  for (int i = 0; i < obj->nfields; i++) {
    json_key(obj->fields[i].key, 0);
    if (obj->fields[i].quoted)
      print_json_string(obj->fields[i].value);
    else
      printf("%s", obj->fields[i].value);
  }
}

static void age_text(double s, char *buf, size_t cap) {
  if (s < 0)
    snprintf(buf, cap, "?");
  else if (s < 120)
    snprintf(buf, cap, "%.0fs", s);
  else if (s < 7200)
    snprintf(buf, cap, "%.0fm", s / 60);
  else if (s < 172800)
    snprintf(buf, cap, "%.0fh", s / 3600);
  else
    snprintf(buf, cap, "%.0fd", s / 86400);
}

void print_list(const options_t *o, const object_t *objs, size_t n) {
  if (o->json) {
    for (size_t i = 0; i < n; i++) {
      json_open(&objs[i]);
      printf("}\n");
    }
    return;
  }
  printf("%-10s %-28s %10s %-10s %5s  %s\n", "KIND", "NAME", "SIZE", "USER",
         "AGE", "STATE");
  for (size_t i = 0; i < n; i++) {
    char age[16];
    age_text(objs[i].age_s, age, sizeof age);
    printf("%-10s %-28s %10llu %-10s %5s  %s\n", objs[i].kind, objs[i].name,
           (unsigned long long)objs[i].size, objs[i].user, age, objs[i].state);
  }
}

void print_object(const options_t *o, const object_t *obj) {
  if (o->json) {
    json_open(obj);
    printf("}\n");
    return;
  }
  char age[16], uid[32] = "";
  age_text(obj->age_s, age, sizeof age);
  if (obj->uid >= 0)
    snprintf(uid, sizeof uid, " (uid %ld)", obj->uid);
  printf("%s %s\n  file:  %s\n  size:  %llu bytes\n  user:  %s%s\n"
         "  age:   %s\n  state: %s\n",
         obj->kind, obj->name, obj->file, (unsigned long long)obj->size,
         obj->user, uid, age, obj->state);
}

/* ---- a space's directory ---- */

/* An entry kept after the directory is read (the values are read after,
 * outside the space's lock). */
typedef struct entry {
  sct__space_entry_view_t view;
  char name[64];
  char format[160];
} entry_t;

typedef struct entries {
  entry_t *at;
  size_t n, cap;
} entries_t;

static int keep_entry(const sct__space_entry_view_t *v, void *ctx) {
  entries_t *es = ctx;
  if (es->n == es->cap) {
    size_t cap = es->cap ? es->cap * 2 : 16;
    entry_t *grown = realloc(es->at, cap * sizeof *grown);
    if (!grown)
      return SCT_ENOMEM;
    es->at = grown;
    es->cap = cap;
  }
  entry_t *e = &es->at[es->n++];
  e->view = *v;
  snprintf(e->name, sizeof e->name, "%s", v->name);
  snprintf(e->format, sizeof e->format, "%s", v->format);
  e->view.name = e->name;
  e->view.format = e->format;
  return 0;
}

static const char *lock_kind_name(int kind) {
  return kind == SCT_LOCK ? "Lock" : kind == SCT_RLOCK ? "RLock" : "none";
}

/* "held by pid P (alive)" or "free", for the directory. */
static void lock_text(const sct__space_entry_view_t *e, char *buf, size_t cap) {
  if (!e->has_lock)
    snprintf(buf, cap, "-");
  else if (!e->lock.held)
    snprintf(buf, cap, "free");
  else
    snprintf(buf, cap, "held by pid %ld (%s)", e->lock.owner_pid,
             e->lock.owner_alive ? "alive" : "dead");
}

/* A private copy of the object's bytes, taken under its lock (waited for
 * @p timeout_ms at most): formatting the shared object itself would
 * take its lock again, without a timeout. 0, or the error. */
static int copy_of(sct_obj_t *obj, const sct_type_t *type, uint64_t n,
                   int locked, int timeout_ms, sct_obj_t **copy) {
  int rc = n > 0 ? sct_rawarray_new(copy, type, (size_t)n, NULL)
                 : sct_rawvalue_new(copy, type, NULL);
  if (rc != 0)
    return rc;
  if (locked && (rc = sct_obj_acquire(obj, timeout_ms)) != 0 &&
      rc != SCT_EOWNERDEAD) {
    sct_obj_free(*copy);
    return rc;
  }
  memcpy(sct_obj_ptr(*copy), sct_obj_ptr(obj),
         sct_type_size(type) * (size_t)(n > 0 ? n : 1));
  if (locked)
    (void)sct_obj_release(obj);
  return 0;
}

/* The object's value as Python prints it (sct_obj_format), read under
 * its lock; a malloc'd string, or NULL with the reason in @p why. */
static char *value_of(sct_space_t *space, const sct__space_entry_view_t *e,
                      int timeout_ms, char *why, size_t cap) {
  sct_type_t *type;
  sct_obj_t *obj, *copy = NULL;
  char *text = NULL;
  size_t len = 0;
  int rc = sct__type_from_format(e->format, (size_t)e->align, &type);
  if (rc != 0) {
    snprintf(why, cap, "not read: %s", sct_strerror(rc));
    return NULL;
  }
  rc = sct_space_object(space, e->name, SCT_SPACE_FIND, type, (size_t)e->n,
                        e->lock_kind, &obj);
  if (rc == 0) {
    rc = copy_of(obj, type, e->n, e->lock_kind != 0, timeout_ms, &copy);
    sct_obj_free(obj);
  }
  sct_type_free(type);
  if (rc != 0) {
    snprintf(why, cap, "not read: %s",
             rc == SCT_ETIMEDOUT ? "its lock stayed held" : sct_strerror(rc));
    return NULL;
  }
  (void)sct_obj_format(copy, NULL, 0, &len);
  text = malloc(len + 1);
  if (text && sct_obj_format(copy, text, len + 1, NULL) != 0) {
    free(text);
    text = NULL;
  }
  if (!text)
    snprintf(why, cap, "not read: out of memory");
  sct_obj_free(copy);
  return text;
}

static void print_entry(const options_t *o, sct_space_t *space,
                        const sct__space_entry_view_t *e, int first) {
  char lock[96], why[128];
  char *value = NULL;
  int readable = e->format[0] != '\0';
  lock_text(e, lock, sizeof lock);
  if (o->values && readable)
    value = value_of(space, e, o->timeout_ms, why, sizeof why);
  if (!o->json) {
    printf("  %-24s %-10s %-24s %6llu %-6s %s\n", e->name, e->kind,
           readable ? e->format : "-", (unsigned long long)e->n,
           lock_kind_name(e->lock_kind), lock);
    if (o->values && readable)
      printf("    = %s\n", value ? value : why);
    free(value);
    return;
  }
  printf("%s{\"name\": ", first ? "" : ", ");
  print_json_string(e->name);
  printf(", \"kind\": ");
  print_json_string(e->kind);
  printf(", \"format\": ");
  print_json_string(e->format);
  printf(", \"length\": %llu, \"lock_kind\": ", (unsigned long long)e->n);
  print_json_string(lock_kind_name(e->lock_kind));
  printf(", \"lock\": ");
  print_json_string(lock);
  if (o->values && readable) {
    printf(value ? ", \"value\": " : ", \"value_error\": ");
    print_json_string(value ? value : why);
  }
  printf("}");
  free(value);
}

int print_space(const options_t *o, const object_t *obj) {
  sct_space_t *space;
  entries_t es = {NULL, 0, 0};
  int rc = sct_space_open(&space, obj->name, 0);
  if (rc != 0) {
    fprintf(stderr, "sct: space %s: %s\n", obj->name, sct_strerror(rc));
    return rc == SCT_EACCES ? EXIT_PERMISSION : EXIT_ERROR;
  }
  rc = sct__space_view(space, keep_entry, &es);
  if (o->json) {
    json_open(obj);
    printf(", \"objects_list\": [");
  } else {
    print_object(o, obj);
    printf("  objects:\n  %-24s %-10s %-24s %6s %-6s %s\n", "NAME", "KIND",
           "FORMAT", "LENGTH", "LOCK", "LOCK STATE");
  }
  for (size_t i = 0; i < es.n; i++)
    print_entry(o, space, &es.at[i].view, i == 0);
  if (o->json)
    printf("]}\n");
  free(es.at);
  sct_space_close(space);
  return rc == 0 ? EXIT_OK : EXIT_ERROR;
}
