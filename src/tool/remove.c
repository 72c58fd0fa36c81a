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

static int unlink_object(const object_t *obj) {
  const char *k = obj->kind, *n = obj->name;
  if (strcmp(k, "lock") == 0)
    return sct_lock_unlink_named(n);
  if (strcmp(k, "segment") == 0)
    return sct_segment_unlink(n);
  if (strcmp(k, "condition") == 0)
    return sct_cond_unlink_named(n);
  if (strcmp(k, "semaphore") == 0)
    return sct_sem_unlink_named(n);
  if (strcmp(k, "event") == 0)
    return sct_event_unlink_named(n);
  if (strcmp(k, "barrier") == 0)
    return sct_barrier_unlink_named(n);
  if (strcmp(k, "queue") == 0)
    return sct_queue_unlink_named(n);
  if (strcmp(k, "space") == 0)
    return sct_space_unlink(n);
  return unlink(obj->file) == 0 ? 0 : errno == EACCES || errno == EPERM
                                          ? SCT_EACCES
                                          : SCT_EOS;
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
