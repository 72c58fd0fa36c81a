// Boost.Interprocess's managed_shared_memory, the same workloads as
// bench/space.c: open-or-create, and find by name among 100,000 objects.
// Built only where Boost's headers are (Debian: libboost-dev); sct does
// not depend on Boost.
#include <sct.h>

#include <boost/interprocess/managed_shared_memory.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

extern "C" {
#include "bench.h"
}

namespace bi = boost::interprocess;

static std::string segment_name() {
  return "sct-bench-boost-" + std::to_string(static_cast<long>(getpid()));
}

static void open_or_create(const bench_opts_t *o, const std::string &name) {
  int rounds = o->quick ? 200 : 2000;
  double start = now_s();
  for (int i = 0; i < rounds; i++) {
    bi::managed_shared_memory created(bi::open_or_create, name.c_str(),
                                      1 << 20);
    bi::shared_memory_object::remove(name.c_str());
  }
  report("space_create_us_boost", (now_s() - start) * 1e6 / rounds, "us");
  bi::managed_shared_memory kept(bi::create_only, name.c_str(), 1 << 20);
  start = now_s();
  for (int i = 0; i < rounds; i++)
    bi::managed_shared_memory opened(bi::open_or_create, name.c_str(),
                                     1 << 20);
  report("space_open_existing_us_boost", (now_s() - start) * 1e6 / rounds,
         "us");
  bi::shared_memory_object::remove(name.c_str());
}

extern "C" void bench_space_boost(const bench_opts_t *o,
                                  const double *sct_find_ns) {
  const int many = 100000;
  int lookups = (o->quick ? 20000 : 200000) / o->reps;
  std::string name = segment_name();
  bi::shared_memory_object::remove(name.c_str());
  open_or_create(o, name);
  {
    bi::managed_shared_memory seg(bi::create_only, name.c_str(), 96 << 20);
    char obj_name[32];
    for (int i = 0; i < many; i++) {
      std::snprintf(obj_name, sizeof obj_name, "value-%d", i);
      seg.construct<long long>(obj_name)(0);
    }
    std::srand(1);
    double ns[MAX_REPS];
    for (int r = 0; r < o->reps; r++) {
      long long found = 0;
      double start = now_s();
      for (int i = 0; i < lookups; i++) {
        std::snprintf(obj_name, sizeof obj_name, "value-%d",
                      std::rand() % many);
        found += seg.find<long long>(obj_name).first != nullptr;
      }
      ns[r] = (now_s() - start) * 1e9 / lookups;
      if (found != lookups) {
        std::fprintf(stderr, "sct_bench: Boost found %lld of %d\n", found,
                     lookups);
        std::exit(1);
      }
    }
    report_median("space_100k_find_ns_boost", ns, o->reps, "ns");
    report_ratio("space_100k_find_sct_vs_boost", sct_find_ns, ns, o->reps);
  }
  bi::shared_memory_object::remove(name.c_str());
}
