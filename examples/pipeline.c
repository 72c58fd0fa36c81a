/*
 * A pipeline: a producer, a pool of workers and a collector, joined by
 * two Queues of a struct type.
 *
 *   producer --(batches of records)--> workers --(batches of results)--> collector
 *
 * The producer closes the input queue when it is done; each worker stops
 * when its get says SCT_ECLOSED (the queue is closed and drained), so
 * nobody needs a sentinel item or a count. Items are batches of up to 64
 * records: a queue operation costs a lock and maybe a wake-up, paid once
 * per batch instead of once per record (--batch 1 shows the difference).
 * The collector, this process, checks the count and a checksum that only
 * a run which lost, doubled or tore no record gives.
 *
 *   pipeline [--start fork|spawn] [--batch N] [--records N]
 */
#include "example.h"

#include <stddef.h>
#include <stdint.h>

#define WORKERS 3
#define MAX_BATCH 64

typedef struct record {
  uint64_t id;
  uint64_t value; /* a worker squares it */
} record_t;

typedef struct batch {
  uint32_t count;
  record_t records[MAX_BATCH];
} batch_t;

/* The batch as a shared type: a count and an array of a nested struct. */
static const sct_type_t *batch_type(void) {
  static sct_type_t *type;
  if (!type) {
    sct_type_t *record;
    sct_field_t rf[] = {SCT_FIELD(record_t, id, 'Q'),
                        SCT_FIELD(record_t, value, 'Q')};
    check(sct_type_new_struct(&record, "record", sizeof(record_t),
                              _Alignof(record_t), rf, 2),
          "record type");
    sct_field_t bf[] = {SCT_FIELD(batch_t, count, 'I'),
                        SCT_FIELD_TYPE_ARRAY(batch_t, records, record,
                                             MAX_BATCH)};
    check(sct_type_new_struct(&type, "batch", sizeof(batch_t),
                              _Alignof(batch_t), bf, 2),
          "batch type");
    check(sct_type_free(record), "record type"); /* the batch keeps it */
  }
  return type;
}

/* Puts records 0..n-1 (value 3 * id + 1) in batches, then closes. */
static int produce(const sct_args_t *args) {
  sct_queue_t *out;
  int64_t n, per_batch;
  check(sct_args_queue(args, 0, &out), "producer args");
  check(sct_args_int(args, 1, &n), "producer args");
  check(sct_args_int(args, 2, &per_batch), "producer args");
  batch_t b = {0};
  for (uint64_t id = 0; id < (uint64_t)n; id++) {
    b.records[b.count++] = (record_t){id, 3 * id + 1};
    if (b.count == (uint32_t)per_batch || id + 1 == (uint64_t)n) {
      check(sct_queue_put(out, &b, SCT_INFINITE), "put");
      b.count = 0;
    }
  }
  check(sct_queue_close(out), "close");
  return 0;
}

/* Squares every value until the input queue is closed and drained. */
static int work(const sct_args_t *args) {
  sct_queue_t *in, *out;
  batch_t b;
  int rc;
  check(sct_args_queue(args, 0, &in), "worker args");
  check(sct_args_queue(args, 1, &out), "worker args");
  while ((rc = sct_queue_get(in, &b, SCT_INFINITE)) == 0) {
    for (uint32_t i = 0; i < b.count; i++)
      b.records[i].value *= b.records[i].value; /* modulo 2^64 */
    check(sct_queue_put(out, &b, SCT_INFINITE), "put result");
  }
  return rc == SCT_ECLOSED ? 0 : 1;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"produce", produce},
                                         {"work", work}};
  check(sct_main(argc, argv, targets, 2), "sct_main");
  int64_t records = 200000, per_batch = MAX_BATCH;
  for (int i = 1; i < argc;) {
    if (start_option(argc, argv, &i) != 0)
      break;
    if (i + 1 < argc && strcmp(argv[i], "--batch") == 0)
      per_batch = atoll(argv[i + 1]);
    else if (i + 1 < argc && strcmp(argv[i], "--records") == 0)
      records = atoll(argv[i + 1]);
    else if (i < argc) {
      fprintf(stderr, "usage: pipeline [--start fork|spawn] [--batch 1-%d] "
                      "[--records N]\n",
              MAX_BATCH);
      return 2;
    }
    i += 2;
  }
  if (per_batch < 1 || per_batch > MAX_BATCH || records < 1) {
    fprintf(stderr, "pipeline: --batch 1-%d, --records 1 or more\n",
            MAX_BATCH);
    return 2;
  }

  sct_queue_t *in, *out;
  check(sct_queue_new(&in, batch_type(), 64, 0), "input queue");
  check(sct_queue_new(&out, batch_type(), 64, 0), "output queue");
  sct_arg_t producer_args[] = {SCT_AQUEUE(in), SCT_AINT(records),
                               SCT_AINT(per_batch)};
  sct_arg_t worker_args[] = {SCT_AQUEUE(in), SCT_AQUEUE(out)};
  sct_process_t *producer = start("produce", producer_args, 3);
  sct_process_t *workers[WORKERS];
  for (int w = 0; w < WORKERS; w++)
    workers[w] = start("work", worker_args, 2);

  /* Collect until every record came back; batches arrive in any order. */
  uint64_t got = 0, checksum = 0;
  batch_t b;
  while (got < (uint64_t)records) {
    check(sct_queue_get(out, &b, SCT_INFINITE), "get result");
    for (uint32_t i = 0; i < b.count; i++)
      checksum += b.records[i].value ^ b.records[i].id;
    got += b.count;
  }
  finish(producer);
  for (int w = 0; w < WORKERS; w++)
    finish(workers[w]);
  uint64_t lost = 0;
  check(sct_queue_lost(in, &lost), "lost");
  printf("records: %llu\n", (unsigned long long)got);
  printf("checksum: %llu\n", (unsigned long long)checksum);
  printf("lost: %llu\n", (unsigned long long)lost);
  check(sct_queue_free(in), "free");
  check(sct_queue_free(out), "free");
  return 0;
}
