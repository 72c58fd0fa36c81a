/* sct for APR programs: status codes and pool-scoped handles. */
#include "sct_apr.h"

#include <apr_strings.h>

/* sct codes with an APR code of the same meaning. */
static const struct {
  int sct;
  apr_status_t apr;
} same[] = {{SCT_EINVAL, APR_EINVAL},    {SCT_ENOMEM, APR_ENOMEM},
            {SCT_ETIMEDOUT, APR_TIMEUP}, {SCT_EEXIST, APR_EEXIST},
            {SCT_ENOENT, APR_ENOENT},    {SCT_EACCES, APR_EACCES}};
#define NSAME (sizeof same / sizeof same[0])

apr_status_t sct_apr_status(int rc) {
  if (rc == 0)
    return APR_SUCCESS;
  for (size_t i = 0; i < NSAME; i++)
    if (same[i].sct == rc)
      return same[i].apr;
  if (rc == SCT_EOS && sct_last_os_error() != 0)
    return APR_FROM_OS_ERROR(sct_last_os_error());
  if (rc < 0 && rc > -SCT_APR_ERRSPACE)
    return SCT_APR_START_ERROR - rc;
  return SCT_APR_START_ERROR; /* not an sct code: said so by strerror */
}

static int in_block(apr_status_t status) {
  return status > SCT_APR_START_ERROR &&
         status < SCT_APR_START_ERROR + SCT_APR_ERRSPACE;
}

int sct_apr_to_sct(apr_status_t status) {
  if (status == APR_SUCCESS)
    return 0;
  for (size_t i = 0; i < NSAME; i++)
    if (same[i].apr == status)
      return same[i].sct;
  if (in_block(status))
    return -(int)(status - SCT_APR_START_ERROR);
  return SCT_EOS;
}

char *sct_apr_strerror(apr_status_t status, char *buf, apr_size_t size) {
  if (!in_block(status))
    return apr_strerror(status, buf, size);
  int rc = sct_apr_to_sct(status);
  apr_snprintf(buf, size, "%s (%s)", sct_strerror(rc), sct_err_name(rc));
  return buf;
}

/* A handle and the function that frees it, run by the pool's cleanup. */
typedef struct owned {
  void *handle;
  int (*release)(void *handle);
} owned_t;

static apr_status_t release_owned(void *data) {
  owned_t *o = data;
  return sct_apr_status(o->release(o->handle));
}

static apr_status_t hand_to_pool(apr_pool_t *pool, void *handle,
                                 int (*release)(void *handle)) {
  if (!pool || !handle)
    return APR_EINVAL;
  owned_t *o = apr_palloc(pool, sizeof *o);
  if (!o)
    return APR_ENOMEM;
  o->handle = handle;
  o->release = release;
  apr_pool_cleanup_register(pool, o, release_owned, apr_pool_cleanup_null);
  return APR_SUCCESS;
}

/* The release functions, as one signature. */
static int free_obj(void *h) {
  return sct_obj_free(h);
}
static int free_lock(void *h) {
  return sct_lock_free(h);
}
static int close_segment(void *h) {
  return sct_segment_close(h);
}
static int free_type(void *h) {
  return sct_type_free(h);
}
static int free_process(void *h) {
  return sct_process_free(h);
}
static int close_space(void *h) {
  return sct_space_close(h);
}
static int free_queue(void *h) {
  return sct_queue_free(h);
}

apr_status_t sct_apr_obj_register(apr_pool_t *pool, sct_obj_t *obj) {
  return hand_to_pool(pool, obj, free_obj);
}

apr_status_t sct_apr_lock_register(apr_pool_t *pool, sct_lock_t *lock) {
  return hand_to_pool(pool, lock, free_lock);
}

apr_status_t sct_apr_segment_register(apr_pool_t *pool, sct_segment_t *seg) {
  return hand_to_pool(pool, seg, close_segment);
}

apr_status_t sct_apr_type_register(apr_pool_t *pool, const sct_type_t *type) {
  return hand_to_pool(pool, (void *)type, free_type);
}

apr_status_t sct_apr_process_register(apr_pool_t *pool, sct_process_t *p) {
  return hand_to_pool(pool, p, free_process);
}

apr_status_t sct_apr_space_register(apr_pool_t *pool, sct_space_t *space) {
  return hand_to_pool(pool, space, close_space);
}

apr_status_t sct_apr_queue_register(apr_pool_t *pool, sct_queue_t *queue) {
  return hand_to_pool(pool, queue, free_queue);
}

/* Made (@p rc), then handed to the pool; freed again when that fails. */
static apr_status_t made(int rc, apr_pool_t *pool, sct_obj_t **out) {
  if (rc != 0)
    return sct_apr_status(rc);
  apr_status_t st = sct_apr_obj_register(pool, *out);
  if (st != APR_SUCCESS)
    sct_obj_free(*out);
  return st;
}

apr_status_t sct_apr_value_new(sct_obj_t **out, apr_pool_t *pool,
                               const sct_type_t *type, const void *init,
                               sct_lock_t *lock) {
  if (!pool || !out)
    return APR_EINVAL;
  return made(sct_value_new(out, type, init, lock), pool, out);
}

apr_status_t sct_apr_array_new(sct_obj_t **out, apr_pool_t *pool,
                               const sct_type_t *type, size_t n,
                               const void *init, sct_lock_t *lock) {
  if (!pool || !out)
    return APR_EINVAL;
  return made(sct_array_new(out, type, n, init, lock), pool, out);
}

apr_status_t sct_apr_lock_new(sct_lock_t **out, apr_pool_t *pool,
                              sct_lock_kind_t kind) {
  if (!pool || !out)
    return APR_EINVAL;
  int rc = sct_lock_new(out, kind);
  if (rc != 0)
    return sct_apr_status(rc);
  apr_status_t st = sct_apr_lock_register(pool, *out);
  if (st != APR_SUCCESS)
    sct_lock_free(*out);
  return st;
}
