/*
 * sct for APR programs (Apache httpd modules and the like): sct's error
 * codes as apr_status_t, and objects, locks and the rest released by an
 * apr_pool_t's cleanup, the APR idiom for resources. A companion library
 * (CMake target sct::sct_apr), built where APR is found; sct itself does
 * not depend on APR.
 */
#ifndef SCT_APR_H
#define SCT_APR_H

#include <apr_errno.h>
#include <apr_pools.h>
#include <sct.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * sct's own block in APR's user error range: an sct code c without an
 * APR equivalent is SCT_APR_START_ERROR - c (SCT_EOWNERDEAD, -9, is
 * SCT_APR_START_ERROR + 9). APR leaves that range to applications.
 */
#define SCT_APR_START_ERROR (APR_OS_START_USERERR + 7300)
#define SCT_APR_ERRSPACE 100

/**
 * @p rc (0 or an SCT_E* code) as an apr_status_t: APR's own code where one
 * means the same (APR_SUCCESS, APR_EINVAL, APR_ENOMEM, APR_TIMEUP,
 * APR_EEXIST, APR_ENOENT, APR_EACCES; SCT_EOS is the OS error behind it,
 * APR_FROM_OS_ERROR(sct_last_os_error())), else sct's block.
 */
apr_status_t sct_apr_status(int rc);

/** The SCT_E* code an apr_status_t from sct_apr_status stands for; other
 * statuses are SCT_EOS. */
int sct_apr_to_sct(apr_status_t status);

/** apr_strerror, naming sct's error for statuses in sct's block. */
char *sct_apr_strerror(apr_status_t status, char *buf, apr_size_t size);

/**
 * Hands the caller's reference to @p pool: freed by the pool's cleanup
 * (apr_pool_clear, apr_pool_destroy). A forked child (apr_proc_fork)
 * keeps using what it inherited; a program exec'd from a child has
 * nothing to release. APR_EINVAL for a NULL pool or handle.
 */
apr_status_t sct_apr_obj_register(apr_pool_t *pool, sct_obj_t *obj);
/** As sct_apr_obj_register, for a lock. */
apr_status_t sct_apr_lock_register(apr_pool_t *pool, sct_lock_t *lock);
/** As sct_apr_obj_register, for a named segment (closed). */
apr_status_t sct_apr_segment_register(apr_pool_t *pool, sct_segment_t *seg);
/** As sct_apr_obj_register, for a type. */
apr_status_t sct_apr_type_register(apr_pool_t *pool, const sct_type_t *type);
/** As sct_apr_obj_register, for a process. */
apr_status_t sct_apr_process_register(apr_pool_t *pool, sct_process_t *p);
/** As sct_apr_obj_register, for a space (closed). */
apr_status_t sct_apr_space_register(apr_pool_t *pool, sct_space_t *space);
/** As sct_apr_obj_register, for a Queue. */
apr_status_t sct_apr_queue_register(apr_pool_t *pool, sct_queue_t *queue);

/** sct_value_new with the Value's lifetime tied to @p pool. */
apr_status_t sct_apr_value_new(sct_obj_t **out, apr_pool_t *pool,
                               const sct_type_t *type, const void *init,
                               sct_lock_t *lock);
/** sct_array_new with the Array's lifetime tied to @p pool. */
apr_status_t sct_apr_array_new(sct_obj_t **out, apr_pool_t *pool,
                               const sct_type_t *type, size_t n,
                               const void *init, sct_lock_t *lock);
/** sct_lock_new with the lock's lifetime tied to @p pool. */
apr_status_t sct_apr_lock_new(sct_lock_t **out, apr_pool_t *pool,
                              sct_lock_kind_t kind);

#ifdef __cplusplus
}
#endif

#endif /* SCT_APR_H */
