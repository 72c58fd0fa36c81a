/*
 * Processes: the target table given to sct_main, argument lists, and the
 * life of a child (start, join, exit code, signals).
 */
#include "../sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { STATE_NEW, STATE_RUNNING, STATE_ENDED, STATE_JOINED } state_t;

struct sct_process {
  uint32_t magic;
  state_t state;
  sct_start_method_t method;
  const sct_target_t *target;
  sct_args_t args;
  long pid;
  int exitcode;
};

/* Handles come from a pool, so a freed one still reads as freed. */
sct__pool_t sct__process_pool = SCT__POOL_INIT(struct sct_process);

static const sct_target_t *targets;
static size_t target_count;
static sct_start_method_t default_method = SCT_START_DEFAULT;

int sct_main(int argc, char **argv, const sct_target_t *table, size_t n) {
  (void)argc;
  if (n > 0 && !table)
    return SCT_EINVAL;
  for (size_t i = 0; i < n; i++) {
    if (!table[i].name || !table[i].name[0] || !table[i].fn)
      return SCT_EINVAL;
    for (size_t j = 0; j < i; j++)
      if (strcmp(table[i].name, table[j].name) == 0)
        return SCT_EINVAL;
  }
  sct__init();
  targets = table;
  target_count = n;
  sct__spawn_remember_argv(argv);
  sct__spawn_child_main(); /* does not return in a spawned child */
  return 0;
}

static int valid_method(sct_start_method_t method) {
  return method == SCT_START_DEFAULT || method == SCT_START_SPAWN ||
         (method == SCT_START_FORK && sct__can_fork());
}

int sct_set_start_method(sct_start_method_t method) {
  if (!valid_method(method))
    return SCT_EINVAL;
  default_method = method;
  return 0;
}

/* The method a process will use: its own, else the process-wide default,
 * else fork where there is one. */
static sct_start_method_t method_of(const sct_process_t *p) {
  if (p->method != SCT_START_DEFAULT)
    return p->method;
  if (default_method != SCT_START_DEFAULT)
    return default_method;
  return sct__can_fork() ? SCT_START_FORK : SCT_START_SPAWN;
}

const sct_target_t *sct__find_target(const char *name) {
  for (size_t i = 0; i < target_count; i++)
    if (strcmp(targets[i].name, name) == 0)
      return &targets[i];
  return NULL;
}

/* ---- arguments ---- */

size_t sct_args_count(const sct_args_t *args) {
  return args ? args->n : 0;
}

static int arg_at(const sct_args_t *args, size_t i, sct_arg_kind_t kind,
                  const void *out, const sct_arg_t **arg) {
  if (!args || !out)
    return SCT_EINVAL;
  if (i >= args->n)
    return SCT_ERANGE;
  if (args->items[i].kind != kind)
    return SCT_ETYPE;
  *arg = &args->items[i];
  return 0;
}

int sct_args_obj(const sct_args_t *args, size_t i, sct_obj_t **out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, SCT_ARG_OBJ, out, &a);
  if (rc == 0)
    *out = a->u.obj;
  return rc;
}

int sct_args_lock(const sct_args_t *args, size_t i, sct_lock_t **out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, SCT_ARG_LOCK, out, &a);
  if (rc == 0)
    *out = a->u.lock;
  return rc;
}

/* A waiting primitive's handle, whichever kind: the union's members are
 * all pointers to handles that begin with one sct__sync_t. */
static sct__sync_t *sync_of(const sct_arg_t *a) {
  return sct__sync_kind_of_arg(a->kind) ? (sct__sync_t *)(void *)a->u.cond
                                        : NULL;
}

static int args_sync(const sct_args_t *args, size_t i, sct_arg_kind_t kind,
                     void **out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, kind, out, &a);
  if (rc == 0)
    *out = sync_of(a);
  return rc;
}

int sct_args_cond(const sct_args_t *args, size_t i, sct_cond_t **out) {
  return args_sync(args, i, SCT_ARG_COND, (void **)out);
}

int sct_args_sem(const sct_args_t *args, size_t i, sct_sem_t **out) {
  return args_sync(args, i, SCT_ARG_SEM, (void **)out);
}

int sct_args_event(const sct_args_t *args, size_t i, sct_event_t **out) {
  return args_sync(args, i, SCT_ARG_EVENT, (void **)out);
}

int sct_args_barrier(const sct_args_t *args, size_t i, sct_barrier_t **out) {
  return args_sync(args, i, SCT_ARG_BARRIER, (void **)out);
}

int sct_args_queue(const sct_args_t *args, size_t i, sct_queue_t **out) {
  return args_sync(args, i, SCT_ARG_QUEUE, (void **)out);
}

int sct_args_int(const sct_args_t *args, size_t i, int64_t *out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, SCT_ARG_INT, out, &a);
  if (rc == 0)
    *out = a->u.i;
  return rc;
}

int sct_args_double(const sct_args_t *args, size_t i, double *out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, SCT_ARG_DOUBLE, out, &a);
  if (rc == 0)
    *out = a->u.d;
  return rc;
}

int sct_args_str(const sct_args_t *args, size_t i, const char **out) {
  const sct_arg_t *a;
  int rc = arg_at(args, i, SCT_ARG_STR, out, &a);
  if (rc == 0)
    *out = a->u.s;
  return rc;
}

static int check_arg(const sct_arg_t *a, size_t *text_bytes) {
  switch (a->kind) {
  case SCT_ARG_OBJ: return sct__obj_check(a->u.obj);
  case SCT_ARG_LOCK: return sct__lock_check(a->u.lock);
  case SCT_ARG_INT:
  case SCT_ARG_DOUBLE: return 0;
  case SCT_ARG_STR:
    if (!a->u.s)
      return SCT_EINVAL;
    return sct__add_size(*text_bytes, strlen(a->u.s) + 1, text_bytes);
  default:
    if (sct__sync_kind_of_arg(a->kind))
      return sct__sync_check(sync_of(a), sct__sync_kind_of_arg(a->kind));
    return SCT_EINVAL;
  }
}

/* A process holds a reference to every object and lock it was given, from
 * sct_process_new to sct_process_free, as Python keeps a Process's
 * arguments alive: the caller may free its own handles in between. */
static void hold_args(const sct_args_t *args) {
  for (size_t i = 0; i < args->n; i++) {
    if (args->items[i].kind == SCT_ARG_OBJ)
      sct__obj_ref(args->items[i].u.obj);
    else if (args->items[i].kind == SCT_ARG_LOCK)
      (void)sct__lock_ref(args->items[i].u.lock);
    else if (sync_of(&args->items[i]))
      sct__sync_ref(sync_of(&args->items[i]));
  }
}

static void drop_args(const sct_args_t *args) {
  for (size_t i = 0; i < args->n; i++) {
    if (args->items[i].kind == SCT_ARG_OBJ)
      sct__obj_unref(args->items[i].u.obj);
    else if (args->items[i].kind == SCT_ARG_LOCK)
      sct__lock_unref(args->items[i].u.lock);
    else if (sync_of(&args->items[i]))
      sct__sync_unref(sync_of(&args->items[i]));
  }
}

/* In a forked child the handles are the parent's, some perhaps already
 * freed by the parent's caller (kept alive by the process's reference):
 * the child's target owns its arguments, so they are usable again there.
 * Only the child's copy of the handles changes. */
static void adopt_args_in_child(const sct_args_t *args) {
  for (size_t i = 0; i < args->n; i++) {
    if (args->items[i].kind == SCT_ARG_OBJ)
      args->items[i].u.obj->flags &= ~(uint32_t)SCT__OBJ_FREED;
    else if (args->items[i].kind == SCT_ARG_LOCK)
      args->items[i].u.lock->flags &= ~(uint32_t)SCT__LOCK_FREED;
    else if (sync_of(&args->items[i]))
      sync_of(&args->items[i])->flags &= ~(uint32_t)SCT__SYNC_FREED;
  }
}

/* Copies @p args into one allocation: the items, then the strings. */
static int copy_args(sct_args_t *dst, const sct_arg_t *args, size_t n) {
  size_t text = 0, items;
  for (size_t i = 0; i < n; i++) {
    int rc = check_arg(&args[i], &text);
    if (rc != 0)
      return rc;
  }
  if (sct__mul_size(n, sizeof *args, &items) != 0 ||
      sct__add_size(items, text, &text) != 0)
    return SCT_EOVERFLOW;
  dst->items = malloc(text ? text : 1);
  if (!dst->items)
    return SCT_ENOMEM;
  dst->n = n;
  char *strings = (char *)dst->items + items;
  for (size_t i = 0; i < n; i++) {
    dst->items[i] = args[i];
    if (args[i].kind == SCT_ARG_STR) {
      size_t len = strlen(args[i].u.s) + 1;
      memcpy(strings, args[i].u.s, len);
      dst->items[i].u.s = strings;
      strings += len;
    }
  }
  hold_args(dst);
  return 0;
}

/* ---- processes ---- */

static int check_process(const sct_process_t *p) {
  return sct__handle_check(p, SCT__MAGIC_PROC);
}

int sct_process_new(sct_process_t **out, const char *target,
                    const sct_arg_t *args, size_t nargs) {
  if (!out || !target || (nargs > 0 && !args))
    return SCT_EINVAL;
  if (!targets)
    return SCT_ENOMAIN;
  const sct_target_t *t = sct__find_target(target);
  if (!t)
    return SCT_ENOTARGET;
  sct__init();
  sct_process_t *p = sct__pool_get(&sct__process_pool);
  if (!p)
    return SCT_ENOMEM;
  int rc = copy_args(&p->args, args, nargs);
  if (rc != 0) {
    sct__pool_put(&sct__process_pool, p);
    return rc;
  }
  p->magic = SCT__MAGIC_PROC;
  p->state = STATE_NEW;
  p->method = SCT_START_DEFAULT;
  p->target = t;
  *out = p;
  return 0;
}

int sct_process_set_start_method(sct_process_t *p, sct_start_method_t method) {
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  if (!valid_method(method))
    return SCT_EINVAL;
  if (p->state != STATE_NEW)
    return SCT_ESTATE;
  p->method = method;
  return 0;
}

int sct_process_start(sct_process_t *p) {
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  if (p->state != STATE_NEW)
    return SCT_ESTATE;
  long pid;
  if (method_of(p) == SCT_START_SPAWN) {
    rc = sct__spawn_start(p->target, &p->args, &pid);
  } else {
    /* Output still buffered in stdio would be written twice, by the
     * parent and by the child when it exits: flush it first, as Python
     * does before it forks. */
    fflush(NULL);
    rc = sct__process_fork(&pid);
    if (rc == 0 && pid == 0) {
      adopt_args_in_child(&p->args);
      sct__process_exit(p->target->fn(&p->args));
    }
  }
  if (rc != 0)
    return rc;
  p->pid = pid;
  p->state = STATE_RUNNING;
  return 0;
}

/* Collects the exit status if the child has ended (waiting up to
 * @p timeout_ms). */
static int reap(sct_process_t *p, int timeout_ms) {
  if (p->state != STATE_RUNNING)
    return 0;
  int rc = sct__process_wait(p->pid, timeout_ms, &p->exitcode);
  if (rc == 0)
    p->state = STATE_ENDED;
  return rc;
}

int sct_process_join(sct_process_t *p, int timeout_ms) {
  timeout_ms = SCT__TIMEOUT(timeout_ms);
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  if (p->state == STATE_NEW || p->state == STATE_JOINED)
    return SCT_ESTATE;
  rc = reap(p, timeout_ms);
  if (rc == 0)
    p->state = STATE_JOINED;
  return rc;
}

int sct__process_joinable(sct_process_t *p) {
  int rc = check_process(p);
  if (rc == 0 && (p->state == STATE_NEW || p->state == STATE_JOINED))
    rc = SCT_ESTATE;
  return rc;
}

int sct_process_exitcode(sct_process_t *p, int *code) {
  int rc = check_process(p);
  if (rc == 0 && !code)
    rc = SCT_EINVAL;
  if (rc == 0 && p->state == STATE_NEW)
    rc = SCT_ESTATE;
  if (rc == 0)
    rc = reap(p, 0);
  if (rc == SCT_ETIMEDOUT)
    return SCT_ESTATE;
  if (rc == 0)
    *code = p->exitcode;
  return rc;
}

int sct_process_is_alive(sct_process_t *p) {
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  if (p->state != STATE_RUNNING)
    return 0;
  rc = reap(p, 0);
  if (rc == SCT_ETIMEDOUT)
    return 1;
  return rc;
}

static int signal_child(sct_process_t *p, int hard) {
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  if (p->state == STATE_NEW)
    return SCT_ESTATE;
  /* An ended child's pid may already belong to someone else. */
  if (p->state != STATE_RUNNING || sct_process_is_alive(p) != 1)
    return 0;
  return sct__process_signal(p->pid, hard);
}

int sct_process_terminate(sct_process_t *p) {
  return signal_child(p, 0);
}

int sct_process_kill(sct_process_t *p) {
  return signal_child(p, 1);
}

int sct_process_pid(const sct_process_t *p, long *pid) {
  int rc = check_process(p);
  if (rc == 0 && !pid)
    rc = SCT_EINVAL;
  if (rc == 0)
    *pid = p->pid;
  return rc;
}

int sct_process_free(sct_process_t *p) {
  int rc = check_process(p);
  if (rc != 0)
    return rc;
  drop_args(&p->args);
  free(p->args.items);
  sct__pool_put(&sct__process_pool, p);
  return 0;
}
