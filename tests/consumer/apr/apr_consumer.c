/* Uses sct_apr as an installed package: a pool-scoped Value and an
 * sct error in APR's terms. */
#include <apr_general.h>
#include <sct_apr.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  apr_pool_t *pool;
  sct_obj_t *v;
  const sct_type_t *q;
  char buf[120];
  if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != 0 ||
      sct_type_from_code('q', &q) != 0 ||
      sct_apr_value_new(&v, pool, q, NULL, NULL) != APR_SUCCESS ||
      sct_value_add(v, 42, NULL) != 0)
    return 1;
  sct_apr_strerror(sct_apr_status(SCT_EOWNERDEAD), buf, sizeof buf);
  printf("sct_apr: %s\n", buf);
  apr_pool_destroy(pool);
  apr_terminate();
  return strstr(buf, "SCT_EOWNERDEAD") ? 0 : 2;
}
