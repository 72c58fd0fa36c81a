/*
 * The spawn start method, portable half: the parent describes the
 * arguments as places in shared segments (bootstrap.h) and hands over
 * exactly those segments; the child, in sct_main, maps them, rebuilds the
 * objects and locks, and runs the target. The platform supplies the
 * transport (sct__process_spawn, sct__bootstrap_take, sct__segment_attach).
 */
#include "bootstrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parent ---- */

typedef struct plan {
  sct__boot_t boot;
  intptr_t handles[SCT__BOOT_MAX_SEGMENTS];
} plan_t;

/* The index of @p handle in the plan's segment table, added if new. */
static int segment_index(plan_t *plan, intptr_t handle, size_t size,
                         uint16_t *index) {
  sct__boot_t *b = &plan->boot;
  for (size_t i = 0; i < b->nsegments; i++) {
    if (plan->handles[i] == handle) {
      *index = (uint16_t)i;
      return 0;
    }
  }
  if (b->nsegments == SCT__BOOT_MAX_SEGMENTS)
    return SCT_EOVERFLOW;
  plan->handles[b->nsegments] = handle;
  b->segments[b->nsegments].handle = sct__child_handle(handle, b->nsegments);
  b->segments[b->nsegments].size = size;
  *index = (uint16_t)b->nsegments++;
  return 0;
}

/* Where @p p (@p len bytes) lives: in @p named (a named lock's or
 * waiting primitive's own segment) when it is there, else in an arena of
 * the heap. */
static int place_of(plan_t *plan, const void *p, size_t len,
                    const sct__segment_t *named, sct__boot_place_t *place) {
  intptr_t handle;
  size_t size, offset;
  int rc;
  const char *at = p, *base = named ? named->addr : NULL;
  if (named && at >= base && at + len <= base + named->size) {
    handle = named->handle;
    size = named->size;
    offset = (size_t)(at - base);
    rc = 0;
  } else {
    rc = sct__heap_locate(p, len, &handle, &size, &offset);
  }
  if (rc == 0)
    rc = segment_index(plan, handle, size, &place->segment);
  place->offset = offset;
  return rc;
}

static const sct__segment_t *named_segment(const sct_lock_t *lock) {
  return lock && (lock->flags & SCT__LOCK_NAMED) ? lock->segment : NULL;
}

/* A waiting primitive; a Condition's lock may live in the Condition's
 * own page (a named one), in a named lock's page, or in the heap. */
static int plan_sync(plan_t *plan, const sct__sync_t *sync,
                     sct__boot_arg_t *a) {
  a->sync_size = sync->state->size;
  int rc = place_of(plan, sync->state, a->sync_size, sync->segment, &a->sync);
  if (rc != 0 || !sync->lock)
    return rc;
  const sct__lockstate_t *lock = sync->lock->state;
  a->has_lock = 1;
  a->lock_kind = sync->lock->kind;
  const sct_lock_t *given = sync->given_lock ? sync->given_lock : sync->lock;
  return place_of(plan, lock, sizeof *lock,
                  sync->segment ? sync->segment : named_segment(given),
                  &a->lock);
}

static int plan_arg(plan_t *plan, const sct_arg_t *in, sct__boot_arg_t *a) {
  a->kind = in->kind;
  switch (in->kind) {
  case SCT_ARG_INT: a->i = in->u.i; return 0;
  case SCT_ARG_DOUBLE: a->d = in->u.d; return 0;
  case SCT_ARG_STR:
    a->s = (char *)in->u.s; /* borrowed: cleared before freeing */
    return 0;
  case SCT_ARG_LOCK:
    a->has_lock = 1;
    a->lock_kind = in->u.lock->kind;
    return place_of(plan, in->u.lock->state, sizeof(sct__lockstate_t),
                    named_segment(in->u.lock), &a->lock);
  case SCT_ARG_COND:
  case SCT_ARG_SEM:
  case SCT_ARG_EVENT:
  case SCT_ARG_BARRIER:
  case SCT_ARG_QUEUE:
    return plan_sync(plan, (const sct__sync_t *)(const void *)in->u.cond, a);
  default: {
    const sct_obj_t *obj = in->u.obj;
    a->type = sct__type_ref(obj->type);
    sct__lockstate_t *lockstate = sct__obj_lockstate(obj);
    a->n = sct__obj_len(obj);
    a->is_array = (obj->flags & SCT__OBJ_ARRAY) != 0;
    int rc = place_of(plan, obj->data, a->n * obj->type->size, NULL, &a->data);
    if (rc == 0 && lockstate) {
      a->has_lock = 1;
      a->lock_kind = (sct_lock_kind_t)lockstate->kind;
      rc = place_of(plan, lockstate, sizeof(sct__lockstate_t),
                    named_segment(sct__obj_lock_handle(obj)), &a->lock);
    }
    return rc;
  }
  }
}

static char **saved_argv;

int sct__spawn_start(const sct_target_t *target, const sct_args_t *args,
                     long *pid) {
  plan_t *plan = calloc(1, sizeof *plan);
  unsigned char *msg = NULL;
  size_t len = 0;
  if (!plan)
    return SCT_ENOMEM;
  plan->boot.target = (char *)target->name;
  plan->boot.segments =
      calloc(SCT__BOOT_MAX_SEGMENTS, sizeof *plan->boot.segments);
  plan->boot.args = calloc(args->n ? args->n : 1, sizeof *plan->boot.args);
  int rc = plan->boot.segments && plan->boot.args ? 0 : SCT_ENOMEM;
  if (rc == 0 && args->n > SCT__BOOT_MAX_ARGS)
    rc = SCT_EOVERFLOW;
  for (size_t i = 0; rc == 0 && i < args->n; i++, plan->boot.nargs++)
    rc = plan_arg(plan, &args->items[i], &plan->boot.args[i]);
  if (rc == 0)
    rc = sct__boot_encode(&plan->boot, &msg, &len);
  if (rc == 0)
    rc = sct__process_spawn(pid, saved_argv, plan->handles,
                            plan->boot.nsegments, msg, len);
  free(msg);
  /* Strings and the target name were borrowed from the caller. */
  plan->boot.target = NULL;
  for (size_t i = 0; i < plan->boot.nargs; i++)
    plan->boot.args[i].s = NULL;
  sct__boot_free(&plan->boot);
  free(plan);
  return rc;
}

/* ---- child ---- */

static void reject(int status, const char *what, const char *why) {
  fprintf(stderr, "sct: spawned child: %s: %s\n", what, why);
  sct__process_exit(status);
}

/* Maps every segment and checks that the locks are what they claim. */
static void attach_all(const sct__boot_t *b, void **bases) {
  char why[96];
  for (size_t i = 0; i < b->nsegments; i++) {
    sct__segment_t seg;
    int rc =
        sct__segment_attach(&seg, b->segments[i].handle, b->segments[i].size);
    if (rc == 0)
      rc = sct__heap_adopt(&seg);
    if (rc != 0) {
      snprintf(why, sizeof why, "segment %zu (handle %llu): %s", i,
               (unsigned long long)b->segments[i].handle, sct_strerror(rc));
      reject(SCT_EXIT_BOOTSTRAP, "cannot attach", why);
    }
    bases[i] = seg.addr;
  }
}

static sct__lockstate_t *lock_at(const sct__boot_arg_t *a, void **bases) {
  sct__lockstate_t *s =
      (sct__lockstate_t *)((char *)bases[a->lock.segment] + a->lock.offset);
  if (s->kind != (uint32_t)a->lock_kind)
    reject(SCT_EXIT_BOOTSTRAP, "bad bootstrap message",
           "a lock is not of the kind it claims");
  return s;
}

static int adopt_sync(const sct__boot_arg_t *a, void **bases, sct_arg_t *out) {
  sct__sync_t *sync;
  int rc = sct__sync_adopt(&sync, sct__sync_kind_of_arg(a->kind),
                           (char *)bases[a->sync.segment] + a->sync.offset,
                           a->sync_size);
  if (rc == 0 && a->kind == SCT_ARG_COND &&
      (rc = sct__lock_adopt(&sync->lock, a->lock_kind, lock_at(a, bases))) != 0)
    sct__sync_unref(sync);
  if (rc == 0)
    out->u.cond = (sct_cond_t *)sync;
  return rc;
}

static void rebuild_args(const sct__boot_t *b, void **bases, sct_args_t *args) {
  args->n = b->nargs;
  args->items = calloc(b->nargs ? b->nargs : 1, sizeof *args->items);
  if (!args->items)
    reject(SCT_EXIT_BOOTSTRAP, "cannot rebuild arguments", "out of memory");
  for (size_t i = 0; i < b->nargs; i++) {
    const sct__boot_arg_t *a = &b->args[i];
    sct_arg_t *out = &args->items[i];
    int rc = 0;
    out->kind = a->kind;
    if (a->kind == SCT_ARG_INT)
      out->u.i = a->i;
    else if (a->kind == SCT_ARG_DOUBLE)
      out->u.d = a->d;
    else if (a->kind == SCT_ARG_STR)
      out->u.s = a->s;
    else if (a->kind == SCT_ARG_LOCK)
      rc = sct__lock_adopt(&out->u.lock, a->lock_kind, lock_at(a, bases));
    else if (sct__sync_kind_of_arg(a->kind))
      rc = adopt_sync(a, bases, out);
    else
      rc = sct__obj_adopt(&out->u.obj, a->type, (size_t)a->n, a->is_array,
                          (char *)bases[a->data.segment] + a->data.offset,
                          a->has_lock ? lock_at(a, bases) : NULL);
    if (rc != 0)
      reject(SCT_EXIT_BOOTSTRAP, "cannot rebuild arguments", sct_strerror(rc));
  }
}

void sct__spawn_remember_argv(char **argv) {
  saved_argv = argv;
}

void sct__spawn_child_main(void) {
  unsigned char *msg = NULL;
  size_t len = 0;
  char why[160];
  sct__boot_t boot;
  void *bases[SCT__BOOT_MAX_SEGMENTS];
  sct_args_t args;
  int rc = sct__bootstrap_take(&msg, &len, why, sizeof why);
  if (rc == 0)
    return; /* not a spawned child */
  if (rc < 0)
    reject(SCT_EXIT_BOOTSTRAP, "cannot read bootstrap message", why);
  rc = sct__boot_decode(msg, len, &boot, why, sizeof why);
  free(msg);
  if (rc != 0)
    reject(SCT_EXIT_BOOTSTRAP, "bad bootstrap message", why);
  const sct_target_t *target = sct__find_target(boot.target);
  if (!target)
    reject(SCT_EXIT_NOTARGET, "unknown target", boot.target);
  attach_all(&boot, bases);
  rebuild_args(&boot, bases, &args);
  sct__process_exit(target->fn(&args));
}
