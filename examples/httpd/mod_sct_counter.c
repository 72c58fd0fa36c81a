/*
 * mod_sct_counter: request and byte counters per virtual host, shared by
 * every prefork child through sct, with a lock that reports a child that
 * died holding it.
 *
 *   LoadModule sct_counter_module modules/mod_sct_counter.so
 *   <Location /sct-counters> SetHandler sct-counters </Location>
 *   SctCounterTestDie On    # test only: /sct-die kills its child mid-update
 *   <Location /sct-die> SetHandler sct-die </Location>
 *
 * The counters are made in post_config, in the parent, before the
 * children are forked: they inherit them. Each request is counted in
 * log_transaction under the Array's lock; a child that dies holding that
 * lock is reported to the next request's child as SCT_EOWNERDEAD, which
 * repairs (here: counts the recovery; the update of the dead child is
 * lost, as it never finished) and goes on.
 */
#include <httpd.h> /* first: the other httpd headers need its types */

#include <apr_strings.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <sct_apr.h>

#include <signal.h>

module AP_MODULE_DECLARE_DATA sct_counter_module;

/* One virtual host's counters. */
typedef struct vhost_counts {
  int64_t requests;
  int64_t bytes;
} vhost_counts_t;

/* Shared by all children; made once in the parent. */
static sct_obj_t *counts;     /* Array of vhost_counts_t, with a Lock */
static sct_obj_t *recoveries; /* a 'q' Value: owner deaths repaired */
static int test_die;          /* SctCounterTestDie */

/* A virtual host's index in the Array, by its position in the list. */
typedef struct server_conf {
  int index;
} server_conf_t;

static void *make_server_conf(apr_pool_t *pool, server_rec *s) {
  (void)s;
  server_conf_t *conf = apr_pcalloc(pool, sizeof *conf);
  return conf;
}

static const char *set_test_die(cmd_parms *cmd, void *dir, int on) {
  (void)cmd;
  (void)dir;
  test_die = on;
  return NULL;
}

static const command_rec commands[] = {
    AP_INIT_FLAG("SctCounterTestDie", set_test_die, NULL, RSRC_CONF,
                 "On: /sct-die kills its child while it holds the lock"),
    {NULL}};

static const sct_type_t *counts_type(apr_pool_t *pool) {
  sct_type_t *type;
  sct_field_t fields[] = {SCT_FIELD(vhost_counts_t, requests, 'q'),
                          SCT_FIELD(vhost_counts_t, bytes, 'q')};
  if (sct_type_new_struct(&type, "vhost_counts", sizeof(vhost_counts_t),
                          _Alignof(vhost_counts_t), fields, 2) != 0)
    return NULL;
  sct_apr_type_register(pool, type);
  return type;
}

/* httpd runs post_config twice at start-up (once to check the
 * configuration): the counters are made the second time, in the parent
 * that forks the children, and live as long as its process pool. */
static int post_config(apr_pool_t *conf_pool, apr_pool_t *log_pool,
                       apr_pool_t *temp_pool, server_rec *base) {
  (void)log_pool;
  (void)temp_pool;
  void *started = NULL;
  const char *key = "sct_counter_started";
  apr_pool_t *process_pool = base->process->pool;
  apr_pool_userdata_get(&started, key, process_pool);
  if (!started) {
    apr_pool_userdata_set((const void *)1, key, apr_pool_cleanup_null,
                          process_pool);
    return OK;
  }
  int n = 0;
  for (server_rec *s = base; s; s = s->next) {
    server_conf_t *conf =
        ap_get_module_config(s->module_config, &sct_counter_module);
    conf->index = n++;
  }
  const sct_type_t *type = counts_type(process_pool);
  const sct_type_t *q = NULL;
  sct_type_from_code('q', &q);
  apr_status_t st = type ? sct_apr_array_new(&counts, process_pool, type,
                                             (size_t)n, NULL, NULL)
                         : APR_ENOMEM;
  if (st == APR_SUCCESS)
    st = sct_apr_value_new(&recoveries, process_pool, q, NULL, NULL);
  if (st != APR_SUCCESS) {
    char why[120];
    ap_log_error(APLOG_MARK, APLOG_ERR, st, base,
                 "sct_counter: cannot make the counters: %s",
                 sct_apr_strerror(st, why, sizeof why));
    return HTTP_INTERNAL_SERVER_ERROR;
  }
  (void)conf_pool;
  return OK;
}

/* Takes the counters' lock; a holder that died is repaired after. */
static int lock_counts(request_rec *r) {
  int rc = sct_obj_acquire(counts, SCT_INFINITE);
  if (rc == SCT_EOWNERDEAD) {
    char why[120];
    sct_value_add(recoveries, 1, NULL);
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  "sct_counter: a child died holding the counters' lock "
                  "(%s); its update is lost, the counts go on",
                  sct_apr_strerror(sct_apr_status(rc), why, sizeof why));
    rc = 0;
  }
  return rc;
}

static int log_transaction(request_rec *r) {
  if (!counts)
    return DECLINED;
  server_conf_t *conf =
      ap_get_module_config(r->server->module_config, &sct_counter_module);
  if (lock_counts(r) != 0)
    return DECLINED;
  vhost_counts_t *c = (vhost_counts_t *)sct_obj_ptr(counts) + conf->index;
  c->requests++;
  c->bytes += r->bytes_sent;
  sct_obj_release(counts);
  return DECLINED;
}

static int show_counts(request_rec *r) {
  char text[4096];
  int64_t recovered = 0;
  if (lock_counts(r) != 0)
    return HTTP_INTERNAL_SERVER_ERROR;
  int rc = sct_obj_format(counts, text, sizeof text, NULL);
  sct_obj_release(counts);
  sct_value_get_i64(recoveries, &recovered);
  ap_set_content_type(r, "text/plain");
  /* APR's formats: its own name for a 64-bit integer. */
  ap_rprintf(r, "counts %s\nrecoveries %" APR_INT64_T_FMT "\n",
             rc == 0 ? text : "?", (apr_int64_t)recovered);
  return OK;
}

/* Test only: takes the lock, half-updates, and dies holding it. */
static int die_holding_lock(request_rec *r) {
  if (!test_die)
    return HTTP_NOT_FOUND;
  if (lock_counts(r) != 0)
    return HTTP_INTERNAL_SERVER_ERROR;
  raise(SIGKILL);
  return OK; /* not reached */
}

static int handler(request_rec *r) {
  if (!counts || !r->handler)
    return DECLINED;
  if (strcmp(r->handler, "sct-counters") == 0)
    return show_counts(r);
  if (strcmp(r->handler, "sct-die") == 0)
    return die_holding_lock(r);
  if (strcmp(r->handler, "sct-hello") == 0) {
    ap_set_content_type(r, "text/plain");
    ap_rputs("hello\n", r);
    return OK;
  }
  return DECLINED;
}

static void register_hooks(apr_pool_t *pool) {
  (void)pool;
  ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
  ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
  ap_hook_log_transaction(log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA sct_counter_module = {
    STANDARD20_MODULE_STUFF, NULL, NULL, make_server_conf, NULL, commands,
    register_hooks};
