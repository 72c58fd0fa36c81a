/*
 * Named spaces: how long open-or-create takes (the open of an existing
 * space, and a fresh creation), and finding an object by name in a space
 * that holds 100,000.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MANY 100000

static void space_name(char *buf, size_t cap, const char *what) {
  snprintf(buf, cap, "sct-bench-%s-%ld", what, (long)getpid());
}

static void open_or_create(const bench_opts_t *o) {
  char name[80];
  sct_space_t *space, *again;
  int created;
  int rounds = o->quick ? 200 : 2000;
  space_name(name, sizeof name, "ooc");
  (void)sct_space_unlink(name);
  double start = now_s();
  for (int i = 0; i < rounds; i++) {
    check(sct_space_open_or_create(&space, name, (size_t)1 << 20, 64, &created),
          "space create");
    check(sct_space_unlink(name), "space unlink");
    check(sct_space_close(space), "space close");
  }
  report("space_create_us", (now_s() - start) * 1e6 / rounds, "us");
  check(sct_space_create(&space, name, (size_t)1 << 20, 64), "space");
  start = now_s();
  for (int i = 0; i < rounds; i++) {
    check(sct_space_open_or_create(&again, name, (size_t)1 << 20, 64, &created),
          "space open");
    check(sct_space_close(again), "space close");
  }
  report("space_open_existing_us", (now_s() - start) * 1e6 / rounds, "us");
  check(sct_space_unlink(name), "space unlink");
  check(sct_space_close(space), "space close");
}

/* ns per find, in each repetition (a share of the lookups each). */
static void find_by_name(const bench_opts_t *o, double *find_ns) {
  char name[80], obj_name[32];
  sct_space_t *space;
  sct_obj_t *obj;
  const sct_type_t *q;
  int lookups = (o->quick ? 20000 : 200000) / o->reps;
  check(sct_type_from_code('q', &q), "type");
  space_name(name, sizeof name, "find");
  (void)sct_space_unlink(name);
  check(sct_space_create(&space, name, (size_t)96 << 20, MANY), "space");
  double start = now_s();
  for (int i = 0; i < MANY; i++) {
    snprintf(obj_name, sizeof obj_name, "value-%d", i);
    check(sct_space_object(space, obj_name, SCT_SPACE_CREATE, q, 0, 0, &obj),
          "space object");
    check(sct_obj_free(obj), "free");
  }
  report("space_100k_create_each_ns", (now_s() - start) * 1e9 / MANY, "ns");
  srand(1);
  for (int r = 0; r < o->reps; r++) {
    start = now_s();
    for (int i = 0; i < lookups; i++) {
      snprintf(obj_name, sizeof obj_name, "value-%d", rand() % MANY);
      check(sct_space_object(space, obj_name, SCT_SPACE_FIND, q, 0, 0, &obj),
            "space find");
      check(sct_obj_free(obj), "free");
    }
    find_ns[r] = (now_s() - start) * 1e9 / lookups;
  }
  report_median("space_100k_find_ns", find_ns, o->reps, "ns");
  check(sct_space_unlink(name), "space unlink");
  check(sct_space_close(space), "space close");
}

void bench_space(const bench_opts_t *o, double *find_ns) {
  open_or_create(o);
  find_by_name(o, find_ns);
}

#ifndef SCT_BENCH_HAVE_BOOST
void bench_space_boost(const bench_opts_t *o, const double *sct_find_ns) {
  (void)o;
  (void)sct_find_ns;
  fprintf(stderr, "sct_bench: Boost.Interprocess not found at build time; "
                  "its figures skipped (install libboost-dev)\n");
}
#endif
