/*
 * rm and clean. An object is in use while a live owner holds its lock or
 * a live process maps its file (/proc/PID/maps, as far as this user may
 * read them); rm refuses such an object unless forced, clean leaves it
 * and says why. Names are removed through sct's own unlink calls, so a
 * name is removed exactly as its users' programs would remove it.
 */
#define _GNU_SOURCE
#include "tool.h"

#include "../inspect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each kind's own unlink call. */
static const struct {
  const char *kind;
  int (*unlink_named)(const char *name);
} unlinkers[] = {{"lock", sct_lock_unlink_named},
                 {"segment", sct_segment_unlink},
                 {"condition", sct_cond_unlink_named},
                 {"semaphore", sct_sem_unlink_named},
                 {"event", sct_event_unlink_named},
                 {"barrier", sct_barrier_unlink_named},
                 {"queue", sct_queue_unlink_named},
                 {"space", sct_space_unlink}};

static int unlink_object(const object_t *obj) {
  for (size_t i = 0; i < sizeof unlinkers / sizeof unlinkers[0]; i++)
    if (strcmp(obj->kind, unlinkers[i].kind) == 0)
      return unlinkers[i].unlink_named(obj->name);
  /* A liveness file: no call of sct's removes it. */
  if (unlink(obj->file) == 0)
    return 0;
  return errno == EACCES || errno == EPERM ? SCT_EACCES : SCT_EOS;
}

/* Why @p obj must stay (into @p why), or NULL when nothing live uses it. */
static const char *in_use(const object_t *obj, char *why, size_t cap) {
  int unseen = 0;
  if (obj->held_by_live) {
    snprintf(why, cap, "%s", obj->state);
    return why;
  }
  int users = objects_users(obj->file, &unseen);
  if (users > 0) {
    snprintf(why, cap, "mapped by %d live process%s", users,
             users == 1 ? "" : "es");
    return why;
  }
  if (unseen > 0 && geteuid() != 0) {
    snprintf(why, cap,
             "%d processes of other users could not be looked at (run as "
             "root to see them)",
             unseen);
    return why;
  }
  return NULL;
}

int remove_objects(const options_t *o, char **specs, int n) {
  int status = EXIT_OK;
  for (int i = 0; i < n; i++) {
    object_t obj;
    char why[256];
    int rc = objects_find(o, specs[i], &obj);
    if (rc != EXIT_OK) {
      status = status ? status : rc;
      continue;
    }
    if (!o->force && in_use(&obj, why, sizeof why)) {
      fprintf(stderr, "sct: %s:%s in use: %s (--force removes it anyway)\n",
              obj.kind, obj.name, why);
      status = status ? status : EXIT_IN_USE;
      continue;
    }
    rc = unlink_object(&obj);
    if (rc != 0) {
      fprintf(stderr, "sct: %s:%s: %s\n", obj.kind, obj.name,
              rc == SCT_EACCES ? "belongs to another user" : sct_strerror(rc));
      status = status ? status
                      : rc == SCT_EACCES ? EXIT_PERMISSION : EXIT_ERROR;
    }
  }
  return status;
}

int clean_objects(const options_t *o) {
  object_t *objs;
  size_t n;
  int rc = objects_list(o, &objs, &n);
  if (rc != EXIT_OK)
    return rc;
  for (size_t i = 0; i < n; i++) {
    char why[256];
    const char *reason = objs[i].refused ? "another user's" : in_use(&objs[i], why, sizeof why);
    if (!reason && objs[i].uid != geteuid() && geteuid() != 0)
      reason = "another user's";
    if (reason) {
      printf("left    %s:%s: %s\n", objs[i].kind, objs[i].name, reason);
      continue;
    }
    if (o->dry_run) {
      printf("would remove %s:%s\n", objs[i].kind, objs[i].name);
      continue;
    }
    int u = unlink_object(&objs[i]);
    if (u == 0)
      printf("removed %s:%s\n", objs[i].kind, objs[i].name);
    else
      printf("left    %s:%s: %s\n", objs[i].kind, objs[i].name,
             sct_strerror(u));
  }
  free(objs);
  return EXIT_OK;
}
