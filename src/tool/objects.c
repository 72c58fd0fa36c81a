/*
 * Finding sct's named objects and describing their state. Every named
 * object is "sct.PREFIX.NAME" (a file in /dev/shm on Linux, a kernel
 * object in Local\ on Windows: host_*.c know where). Each is opened
 * through sct's own API, as any sharer would (so another user's object is
 * refused as sct refuses it), and read: nothing is changed, and no lock
 * is taken.
 */
#include "tool.h"

#include "../base/inspect.h"
#include "../sync/sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* File prefixes and the kinds they hold. */
static const struct {
  const char *prefix;
  const char *kind;
} kinds[] = {{"seg", "segment"},   {"lock", "lock"},   {"cond", "condition"},
             {"sem", "semaphore"}, {"event", "event"}, {"barrier", "barrier"},
             {"queue", "queue"},   {"space", "space"}, {"live", "liveness"}};
#define NKINDS (sizeof kinds / sizeof kinds[0])

void field(object_t *obj, const char *key, int quoted, const char *fmt, ...) {
  if (obj->nfields == MAX_FIELDS)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(obj->fields[obj->nfields].value,
            sizeof obj->fields[0].value, fmt, ap);
  va_end(ap);
  obj->fields[obj->nfields].key = key;
  obj->fields[obj->nfields].quoted = quoted;
  obj->nfields++;
}

/* "held by pid P (alive|dead), n waiting" or "free". */
static void describe_lock_view(object_t *obj, const sct__lock_view_t *v,
                               char *text, size_t cap) {
  field(obj, "held", 0, "%s", v->held ? "true" : "false");
  field(obj, "waiters", 0, "%u", v->waiters);
  if (!v->held) {
    snprintf(text, cap, "free");
    return;
  }
  field(obj, "owner_pid", 0, "%ld", v->owner_pid);
  field(obj, "owner_alive", 0, "%s", v->owner_alive ? "true" : "false");
  obj->held_by_live = v->owner_alive;
  obj->held_by_dead = !v->owner_alive;
  char who[64];
  if (v->owner_pid > 0)
    snprintf(who, sizeof who, "pid %ld", v->owner_pid);
  else
    snprintf(who, sizeof who, "an owner in another PID namespace");
  snprintf(text, cap, "held by %s (%s), %u waiting", who,
           v->owner_alive ? "alive" : "dead", v->waiters);
}

static void describe_lock(object_t *obj, sct_lock_t *lock) {
  sct__lock_view_t v;
  if (sct__lock_view(lock, &v) == 0)
    describe_lock_view(obj, &v, obj->state, sizeof obj->state);
}

static void describe_queue(object_t *obj, sct_queue_t *q) {
  size_t size = 0;
  uint64_t lost = 0, deaths = 0;
  size_t cap = sct__queue_capacity(q);
  (void)sct_queue_size(q, &size);
  (void)sct_queue_lost(q, &lost);
  (void)sct_queue_deaths(q, &deaths);
  field(obj, "items", 0, "%zu", size);
  field(obj, "capacity", 0, "%zu", cap);
  field(obj, "lost", 0, "%llu", (unsigned long long)lost);
  field(obj, "deaths", 0, "%llu", (unsigned long long)deaths);
  snprintf(obj->state, sizeof obj->state, "%zu/%zu items, %llu lost", size,
           cap, (unsigned long long)lost);
}

static void describe_barrier(object_t *obj, sct_barrier_t *b) {
  unsigned parties = 0, waiting = 0;
  int broken = sct_barrier_broken(b) == 1;
  (void)sct_barrier_parties(b, &parties);
  (void)sct_barrier_n_waiting(b, &waiting);
  field(obj, "waiting", 0, "%u", waiting);
  field(obj, "parties", 0, "%u", parties);
  field(obj, "broken", 0, "%s", broken ? "true" : "false");
  snprintf(obj->state, sizeof obj->state, "%u/%u waiting%s", waiting, parties,
           broken ? ", broken" : "");
}

static void describe_space(object_t *obj, sct_space_t *sp) {
  uint64_t size = 0;
  uint32_t objects = 0;
  (void)sct__space_usage(sp, &size, &objects);
  field(obj, "objects", 0, "%u", objects);
  snprintf(obj->state, sizeof obj->state, "%u object%s", objects,
           objects == 1 ? "" : "s");
}

/* Opens the object through sct and describes it; 0, or the sct error. */
int objects_describe(object_t *obj) {
  const char *n = obj->name;
  const char *k = obj->kind;
  int rc;
  if (strcmp(k, "lock") == 0) {
    sct_lock_t *lock;
    if ((rc = sct_lock_open_named(&lock, n)) == 0) {
      describe_lock(obj, lock);
      sct_lock_free(lock);
    }
  } else if (strcmp(k, "segment") == 0) {
    sct_segment_t *seg;
    if ((rc = sct_segment_open(&seg, n)) == 0) {
      snprintf(obj->state, sizeof obj->state, "%zu bytes",
               sct_segment_size(seg));
      sct_segment_close(seg);
    }
  } else if (strcmp(k, "condition") == 0) {
    sct_cond_t *c;
    sct_lock_t *lock;
    if ((rc = sct_cond_open_named(&c, n, 0)) == 0) {
      if (sct_cond_lock(c, &lock) == 0)
        describe_lock(obj, lock);
      sct_cond_free(c);
    }
  } else if (strcmp(k, "semaphore") == 0) {
    sct_sem_t *s;
    unsigned value = 0;
    if ((rc = sct_sem_open_named(&s, n, 0)) == 0) {
      (void)sct_sem_value(s, &value);
      field(obj, "value", 0, "%u", value);
      snprintf(obj->state, sizeof obj->state, "value %u", value);
      sct_sem_free(s);
    }
  } else if (strcmp(k, "event") == 0) {
    sct_event_t *e;
    if ((rc = sct_event_open_named(&e, n, 0)) == 0) {
      int set = sct_event_is_set(e) == 1;
      field(obj, "set", 0, "%s", set ? "true" : "false");
      snprintf(obj->state, sizeof obj->state, "%s", set ? "set" : "clear");
      sct_event_free(e);
    }
  } else if (strcmp(k, "barrier") == 0) {
    sct_barrier_t *b;
    if ((rc = sct_barrier_open_named(&b, n, 0)) == 0) {
      describe_barrier(obj, b);
      sct_barrier_free(b);
    }
  } else if (strcmp(k, "queue") == 0) {
    /* Opened without its item type, which only its users know. */
    sct__sync_t *q;
    if ((rc = sct__sync_open_named(&q, SCT__SYNC_QUEUE, n, 0)) == 0) {
      describe_queue(obj, (sct_queue_t *)q);
      sct_queue_free((sct_queue_t *)q);
    }
  } else if (strcmp(k, "space") == 0) {
    sct_space_t *sp;
    if ((rc = sct_space_open(&sp, n, 0)) == 0) {
      describe_space(obj, sp);
      sct_space_close(sp);
    }
  } else {
    host_describe_liveness(obj);
    return 0;
  }
  obj->opened = rc == 0;
  return rc;
}

/* Describes the object of @p file_name ("sct.KIND.NAME") in @p obj:
 * 1 when it is one, 0 when the name is not sct's. */
static int describe(const char *file_name, object_t *obj) {
  memset(obj, 0, sizeof *obj);
  if (strncmp(file_name, "sct.", 4) != 0)
    return 0;
  for (size_t i = 0; i < NKINDS; i++) {
    size_t len = strlen(kinds[i].prefix);
    if (strncmp(file_name + 4, kinds[i].prefix, len) != 0 ||
        file_name[4 + len] != '.' || file_name[5 + len] == '\0')
      continue;
    snprintf(obj->kind, sizeof obj->kind, "%s", kinds[i].kind);
    snprintf(obj->name, sizeof obj->name, "%s", file_name + 5 + len);
    if (host_locate(obj, file_name) != 0)
      return 0; /* no such object, or removed meanwhile */
    int rc = objects_describe(obj);
    if (rc == SCT_EACCES) {
      obj->refused = 1;
      snprintf(obj->state, sizeof obj->state,
               "not opened: belongs to %s, or open to others (sct refuses it)",
               obj->user);
    } else if (rc != 0) {
      snprintf(obj->state, sizeof obj->state, "not opened: %s",
               *sct_last_detail() ? sct_last_detail() : sct_strerror(rc));
    }
    return 1;
  }
  return 0;
}

static int by_kind_and_name(const void *a, const void *b) {
  const object_t *x = a, *y = b;
  int c = strcmp(x->kind, y->kind);
  return c ? c : strcmp(x->name, y->name);
}

/* The listing being gathered by host_list's calls. */
typedef struct listing {
  object_t *objs;
  size_t count, cap;
  int out_of_memory;
} listing_t;

static void gather(const char *file_name, void *ctx) {
  listing_t *l = ctx;
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    object_t *grown = realloc(l->objs, cap * sizeof *grown);
    if (!grown) {
      l->out_of_memory = 1;
      return;
    }
    l->objs = grown;
    l->cap = cap;
  }
  if (describe(file_name, &l->objs[l->count]))
    l->count++;
}

int objects_list(const options_t *o, object_t **out, size_t *n) {
  listing_t l = {NULL, 0, 0, 0};
  (void)o;
  int rc = host_list(gather, &l);
  if (rc == EXIT_OK && l.out_of_memory) {
    fprintf(stderr, "sct: out of memory\n");
    rc = EXIT_ERROR;
  }
  if (rc != EXIT_OK) {
    free(l.objs);
    return rc;
  }
  if (l.count)
    qsort(l.objs, l.count, sizeof *l.objs, by_kind_and_name);
  *out = l.objs;
  *n = l.count;
  return EXIT_OK;
}

/* The file name of kind @p kind (user-facing or file prefix) and @p name. */
static int file_of(const char *kind, const char *name, char *buf, size_t cap) {
  for (size_t i = 0; i < NKINDS; i++)
    if (strcmp(kind, kinds[i].kind) == 0 || strcmp(kind, kinds[i].prefix) == 0) {
      snprintf(buf, cap, "sct.%s.%s", kinds[i].prefix, name);
      return 1;
    }
  return 0;
}

int objects_find(const options_t *o, const char *spec, object_t *out) {
  char file[320];
  const char *colon = strchr(spec, ':');
  (void)o;
  if (strncmp(spec, "sct.", 4) == 0) {
    snprintf(file, sizeof file, "%s", spec);
  } else if (colon) {
    char kind[32];
    snprintf(kind, sizeof kind, "%.*s", (int)(colon - spec), spec);
    if (!file_of(kind, colon + 1, file, sizeof file)) {
      fprintf(stderr, "sct: %s: unknown kind '%s'\n", spec, kind);
      return EXIT_USAGE;
    }
  } else {
    /* A bare name: the one kind that has it. */
    int found = 0;
    for (size_t i = 0; i < NKINDS; i++) {
      char candidate[320];
      object_t probe;
      snprintf(candidate, sizeof candidate, "sct.%s.%s", kinds[i].prefix, spec);
      if (host_locate(&probe, candidate) == 0) {
        if (found++) {
          fprintf(stderr, "sct: %s: more than one object has this name; "
                          "say which, as KIND:NAME\n", spec);
          return EXIT_USAGE;
        }
        snprintf(file, sizeof file, "%s", candidate);
      }
    }
    if (!found) {
      fprintf(stderr, "sct: %s: no such object\n", spec);
      return EXIT_NOT_FOUND;
    }
  }
  if (!describe(file, out)) {
    fprintf(stderr, "sct: %s: no such object\n", spec);
    return EXIT_NOT_FOUND;
  }
  return EXIT_OK;
}
