/*
 * No wake-up is lost: producers and consumers in several processes hand
 * items through a Queue of capacity 1, so nearly every put and get finds
 * the other side asleep or on its way to sleep, and wakers skip system
 * calls whenever they may (src/sync/waitword.c). Sums are exact, and every
 * process counts the sleeps that ran out their slice although the word
 * had changed (sct__waitword_missed): a lost wake-up, which the one-second
 * backstop would otherwise hide as a delay.
 */
#include "../src/sync/sync.h"
#include "portable.h"
#include "test.h"

#include <stdio.h>
#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#define PRODUCERS 3
#define CONSUMERS 3
#define ITEMS_EACH 4000
#define DONE (-1)

/* Puts ITEMS_EACH items: 1, 2, ... */
static int child_put(const sct_args_t *args) {
  sct_queue_t *queue;
  sct_obj_t *missed;
  int64_t index;
  if (sct_args_queue(args, 0, &queue) != 0 ||
      sct_args_obj(args, 1, &missed) != 0 || sct_args_int(args, 2, &index) != 0)
    return 10;
  for (int64_t i = 1; i <= ITEMS_EACH; i++)
    if (sct_queue_put(queue, &i, SCT_INFINITE) != 0)
      return 11;
  return sct_array_set_i64(missed, (size_t)index, sct__waitword_missed) ? 12
                                                                        : 0;
}

/* Gets until DONE, adding items to its own slot of the sums (slots are
 * per process, as for the missed counts). */
static int child_get(const sct_args_t *args) {
  sct_queue_t *queue;
  sct_obj_t *missed, *sums;
  int64_t index, sum = 0;
  if (sct_args_queue(args, 0, &queue) != 0 ||
      sct_args_obj(args, 1, &missed) != 0 ||
      sct_args_int(args, 2, &index) != 0 || sct_args_obj(args, 3, &sums) != 0)
    return 10;
  for (;;) {
    int64_t item;
    if (sct_queue_get(queue, &item, SCT_INFINITE) != 0)
      return 11;
    if (item == DONE)
      break;
    sum += item;
  }
  if (sct_array_set_i64(sums, (size_t)index, sum) != 0 ||
      sct_array_set_i64(missed, (size_t)index, sct__waitword_missed) != 0)
    return 12;
  return 0;
}

static void test_queue_of_one(void) {
  sct_queue_t *queue;
  sct_obj_t *missed, *sums;
  sct_process_t *p[PRODUCERS + CONSUMERS];
  ASSERT_OK(sct_queue_new(&queue, type_of('q'), 1, 0));
  ASSERT_OK(
      sct_rawarray_new(&missed, type_of('q'), PRODUCERS + CONSUMERS, NULL));
  ASSERT_OK(sct_rawarray_new(&sums, type_of('q'), PRODUCERS + CONSUMERS, NULL));
  for (int i = 0; i < CONSUMERS; i++) {
    sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AOBJ(missed),
                        SCT_AINT(PRODUCERS + i), SCT_AOBJ(sums)};
    p[PRODUCERS + i] = start_child("wakeups.get", args, 4);
    CU_ASSERT_FATAL(p[PRODUCERS + i] != NULL);
  }
  for (int i = 0; i < PRODUCERS; i++) {
    sct_arg_t args[] = {SCT_AQUEUE(queue), SCT_AOBJ(missed), SCT_AINT(i)};
    p[i] = start_child("wakeups.put", args, 3);
    CU_ASSERT_FATAL(p[i] != NULL);
  }
  for (int i = 0; i < PRODUCERS; i++)
    CU_ASSERT_EQUAL(finish_child(p[i]), 0);
  for (int i = 0; i < CONSUMERS; i++) {
    int64_t done = DONE;
    ASSERT_OK(sct_queue_put(queue, &done, SCT_INFINITE));
  }
  int64_t total = 0, lost = sct__waitword_missed;
  for (int i = 0; i < CONSUMERS; i++) {
    int64_t sum = 0;
    CU_ASSERT_EQUAL(finish_child(p[PRODUCERS + i]), 0);
    ASSERT_OK(sct_array_get_i64(sums, (size_t)(PRODUCERS + i), &sum));
    total += sum;
  }
  for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
    int64_t m = 0;
    ASSERT_OK(sct_array_get_i64(missed, (size_t)i, &m));
    lost += m;
  }
  CU_ASSERT_EQUAL(total,
                  (int64_t)PRODUCERS * ITEMS_EACH * (ITEMS_EACH + 1) / 2);
  CU_ASSERT_EQUAL(lost, 0);
  CU_ASSERT_EQUAL(sct_queue_empty(queue), 1);
  ASSERT_OK(sct_queue_free(queue));
  ASSERT_OK(sct_obj_free(missed));
  ASSERT_OK(sct_obj_free(sums));
}

#ifndef _WIN32
/* Writes @p version where a named page keeps it (bytes 4-7, after the
 * ready mark), as an older build would have. */
static void set_page_version(const char *kind, const char *name,
                             uint32_t version) {
  char path[300];
  snprintf(path, sizeof path, "/dev/shm/sct.%s.%s", kind, name);
  int fd = open(path, O_WRONLY);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(lseek(fd, 4, SEEK_SET), 4);
  CU_ASSERT_EQUAL(write(fd, &version, sizeof version), (ssize_t)sizeof version);
  close(fd);
}

/* Pages of older versions are refused, a named lock's, queue's and
 * space's alike: waiters of version 1 do not count their entries into
 * sleep (a newer waker could skip waking them), a version 2 queue keeps
 * its counts at other offsets, and waiters of the version before the
 * current one take no heavy barrier before sleeping on a lock (a newer
 * owner's plain-store release could miss them). */
static void test_older_pages_refused(void) {
  char name[80];
  sct_queue_t *queue, *again;
  sct_space_t *space, *space2;
  snprintf(name, sizeof name, "sct-test-wake-%ld", test_pid());
  (void)sct_queue_unlink_named(name);
  ASSERT_OK(sct_queue_create_named(&queue, name, type_of('q'), 4, 0));
  for (uint32_t version = 1; version <= 3; version++) {
    set_page_version("queue", name, version);
    ASSERT_RC(sct_queue_open_named(&again, name, type_of('q'), 0), SCT_ETYPE);
  }
  ASSERT_OK(sct_queue_unlink_named(name));
  ASSERT_OK(sct_queue_free(queue));

  (void)sct_space_unlink(name);
  ASSERT_OK(sct_space_create(&space, name, 1 << 20, 16));
  for (uint32_t version = 1; version <= 3; version++) {
    set_page_version("space", name, version);
    ASSERT_RC(sct_space_open(&space2, name, 0), SCT_ETYPE);
  }
  ASSERT_OK(sct_space_unlink(name));
  ASSERT_OK(sct_space_close(space));

  sct_lock_t *lock, *lock2;
  (void)sct_lock_unlink_named(name);
  ASSERT_OK(sct_lock_create_named(&lock, name, SCT_LOCK));
  for (uint32_t version = 1; version <= 2; version++) {
    set_page_version("lock", name, version);
    ASSERT_RC(sct_lock_open_named(&lock2, name), SCT_ETYPE);
  }
  ASSERT_OK(sct_lock_unlink_named(name));
  ASSERT_OK(sct_lock_free(lock));
}
#endif

static CU_TestInfo tests[] = {{"queue of one", test_queue_of_one},
#ifndef _WIN32
                              {"older pages refused", test_older_pages_refused},
#endif
                              CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {
    {"wakeups.put", child_put},
    {"wakeups.get", child_get},
};

const test_suite_t suite_wakeups = {"wakeups", tests, targets,
                                    sizeof targets / sizeof targets[0], NULL};
