/*
 * Finding sct's named objects and describing their state. On Linux every
 * named object is a file /dev/shm/sct.KIND.NAME (and each user's liveness
 * file sct.live.UID). Each is opened through sct's own API, as any
 * sharer would (so another user's object is refused as sct refuses it),
 * and read: nothing is changed, and no lock is taken.
 */
#define _GNU_SOURCE
#include "tool.h"

#include "../inspect.h"
#include "../sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"

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

/* How many slots of a liveness file are held by live registrations. */
static void describe_liveness(object_t *obj) {
  int fd = open(obj->file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(obj->state, sizeof obj->state, "unreadable: %s", strerror(errno));
    return;
  }
  unsigned live = 0;
  for (uint64_t slot = 0; slot * 32 < obj->size; slot++) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)(slot * 32);
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
      live++;
  }
  close(fd);
  obj->opened = 1;
  obj->held_by_live = live > 0;
  field(obj, "live_slots", 0, "%u", live);
  snprintf(obj->state, sizeof obj->state, "%u live registration%s", live,
           live == 1 ? "" : "s");
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
static int describe_opened(object_t *obj) {
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
    describe_liveness(obj);
    return 0;
  }
  obj->opened = rc == 0;
  return rc;
}

/* Fills what the file says: size, owner, age. 0, or -1 (gone). */
static int stat_file(object_t *obj) {
  struct stat st;
  if (stat(obj->file, &st) != 0)
    return -1;
  struct passwd *pw = getpwuid(st.st_uid);
  obj->size = (uint64_t)st.st_size;
  obj->uid = st.st_uid;
  snprintf(obj->user, sizeof obj->user, "%s",
           pw ? pw->pw_name : "?");
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  obj->age_s = (double)(now.tv_sec - st.st_ctim.tv_sec);
  return 0;
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
    snprintf(obj->file, sizeof obj->file, "%s/%s", SHM_DIR, file_name);
    if (stat_file(obj) != 0)
      return 0; /* removed meanwhile */
    int rc = describe_opened(obj);
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

int objects_list(const options_t *o, object_t **out, size_t *n) {
  (void)o;
  DIR *dir = opendir(SHM_DIR);
  if (!dir) {
    fprintf(stderr, "sct: cannot list %s: %s\n", SHM_DIR, strerror(errno));
    return EXIT_ERROR;
  }
  size_t count = 0, cap = 0;
  object_t *objs = NULL;
  struct dirent *d;
  while ((d = readdir(dir)) != NULL) {
    if (count == cap) {
      cap = cap ? cap * 2 : 32;
      object_t *grown = realloc(objs, cap * sizeof *objs);
      if (!grown) {
        free(objs);
        closedir(dir);
        return EXIT_ERROR;
      }
      objs = grown;
    }
    if (describe(d->d_name, &objs[count]))
      count++;
  }
  closedir(dir);
  qsort(objs, count, sizeof *objs, by_kind_and_name);
  *out = objs;
  *n = count;
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
      char candidate[320], path[400];
      snprintf(candidate, sizeof candidate, "sct.%s.%s", kinds[i].prefix, spec);
      snprintf(path, sizeof path, "%s/%s", SHM_DIR, candidate);
      if (access(path, F_OK) == 0) {
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

int objects_users(const char *file, int *unseen) {
  DIR *proc = opendir("/proc");
  int users = 0;
  *unseen = 0;
  if (!proc) {
    *unseen = 1;
    return 0;
  }
  struct dirent *d;
  while ((d = readdir(proc)) != NULL) {
    char path[300], line[1024];
    if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
        atol(d->d_name) == (long)getpid())
      continue;
    snprintf(path, sizeof path, "/proc/%s/maps", d->d_name);
    FILE *f = fopen(path, "re");
    if (!f) {
      *unseen += errno == EACCES;
      continue;
    }
    int maps = 0;
    while (!maps && fgets(line, sizeof line, f)) {
      char *p = strchr(line, '/');
      if (p) {
        p[strcspn(p, "\n")] = '\0';
        maps = strcmp(p, file) == 0;
      }
    }
    fclose(f);
    users += maps;
  }
  closedir(proc);
  return users;
}
