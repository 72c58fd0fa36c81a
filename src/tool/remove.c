/*
 * rm and clean. An object is in use while a live owner holds its lock or
 * a live process has it (host_in_use); rm refuses such an object unless
 * forced, clean leaves it and says why. Names are removed through sct's
 * own unlink calls, so a name is removed exactly as its users' programs
 * would remove it. On Windows a name lives exactly as long as its
 * handles: one that can be found is in use, and nothing removes it sooner.
 */
#include "tool.h"

#include "../base/inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  return host_remove_liveness(obj);
}

/* Why @p obj must stay (into @p why), or NULL when nothing live uses it. */
static const char *in_use(const object_t *obj, char *why, size_t cap) {
  if (obj->held_by_live) {
    snprintf(why, cap, "%s", obj->state);
    return why;
  }
  return host_in_use(obj, why, cap);
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
    if ((!o->force || !host_removes_names_in_use) &&
        in_use(&obj, why, sizeof why)) {
      fprintf(stderr, "sct: %s:%s in use: %s%s\n", obj.kind, obj.name, why,
              host_removes_names_in_use ? " (--force removes it anyway)" : "");
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
    if (!reason && !host_is_callers(&objs[i]))
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
