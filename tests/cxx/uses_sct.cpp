// sct.h from C++: compiled by tests/CMakeLists.txt with g++ and clang++ at
// -std=c++17 -Wall -Wextra -Wshadow -pedantic-errors, linked against the
// library and run. It uses what a C++ program would: the argument macros,
// SCT_WITH_LOCK on an object and on a lock, and a child process.
#include <sct.h>

#include <cstdio>

static int child(const sct_args_t *args) {
  sct_obj_t *counter = nullptr;
  int64_t step = 0;
  if (sct_args_obj(args, 0, &counter) != 0 || sct_args_int(args, 1, &step))
    return 10;
  return sct_value_add(counter, step, nullptr) == 0 ? 0 : 11;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"child", child}};
  if (sct_main(argc, argv, targets, 1) != 0)
    return 1;
  const sct_type_t *q = nullptr;
  sct_obj_t *counter = nullptr;
  sct_lock_t *lock = nullptr;
  if (sct_type_from_code('q', &q) != 0 ||
      sct_value_new(&counter, q, nullptr, nullptr) != 0 ||
      sct_lock_new(&lock, SCT_LOCK) != 0)
    return 2;
  sct_arg_t args[] = {SCT_AOBJ(counter), SCT_AINT(5), SCT_ASTR("text"),
                      SCT_ADOUBLE(0.5), SCT_ALOCK(lock)};
  sct_process_t *p = nullptr;
  int code = -1, rc = 0;
  if (sct_process_new(&p, "child", args, 2) != 0 || sct_process_start(p) ||
      sct_process_join(p, SCT_INFINITE) || sct_process_exitcode(p, &code) ||
      code != 0)
    return 3;
  sct_process_free(p);
  SCT_WITH_LOCK(counter, rc) {
    int64_t v = 0;
    sct_value_get_i64(counter, &v);
    std::printf("counter %lld\n", static_cast<long long>(v));
  }
  SCT_WITH_LOCK(lock, rc) { std::printf("locked %d\n", sct_lock_locked(lock)); }
  sct_heap_stats_t stats;
  if (sct_heap_stats(&stats) != 0 || rc != 0)
    return 4;
  sct_obj_free(counter);
  sct_lock_free(lock);
  return 0;
}
