/*
 * SCT_WITH_LOCK must compile for a synchronized object and a lock, and
 * must not compile for anything else (tests/CMakeLists.txt builds this
 * file once per case; WITH_OTHER is expected to fail).
 */
#include <sct.h>

int scoped(sct_obj_t *obj, sct_lock_t *lock) {
  int rc = 0, n = 0;
#if defined(WITH_OBJ)
  SCT_WITH_LOCK(obj, rc) { n++; }
  (void)lock;
#elif defined(WITH_LOCK)
  SCT_WITH_LOCK(lock, rc) { n++; }
  (void)obj;
#elif defined(WITH_OTHER)
  int *other = &n;
  SCT_WITH_LOCK(other, rc) { n++; }
  (void)obj;
  (void)lock;
#endif
  return rc + n;
}
