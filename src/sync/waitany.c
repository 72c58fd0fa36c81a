/*
 * sct_wait_any: one wait for the first of several Queue, Semaphore, Event
 * and process entries, which then does that entry's operation.
 *
 * Each round reads every entry's word, then tries every entry with a
 * timeout of 0 (the same calls a user would make), and sleeps only if
 * none could be done, on all the words at once (sct__words_wait), counted
 * among each word's sleepers as a single waiter would be. A word read
 * before its entry's try and unchanged when the sleep starts means that
 * no change happened since the try found the entry impossible: every
 * waker changes the word after the state (sync.h), so no wake-up falls
 * between the try and the sleep.
 *
 * A waker that wakes one sleeper (a put, a get, a Semaphore release) may
 * pick this waiter, which then does another entry: that wake-up would be
 * lost to the single waiters of the first word. So a call that slept
 * passes a wake-up on to every word that changed while it slept and whose
 * entry it did not do.
 */
#include "../base/atomics.h"
#include "sync.h"
#include "../base/testhook.h"

/* What one entry sleeps on in this round. */
typedef struct watch {
  sct__waitword_t *word; /* NULL: a process */
  uint32_t expected;
  uint32_t slept_on;   /* the value of the last sleep */
  uint32_t event_seen; /* an Event's word when the call began */
} watch_t;

static int check_entry(const sct_wait_t *e, size_t i) {
  int rc = SCT_EINVAL;
  switch (e->kind) {
  case SCT_WAIT_QUEUE_GET:
  case SCT_WAIT_QUEUE_PUT:
    if ((e->kind == SCT_WAIT_QUEUE_GET ? e->out : e->in) == NULL)
      return sct__detail(SCT_EINVAL, "sct_wait_any: entry %zu has no item",
                         i);
    rc = sct__sync_check(e->object, SCT__SYNC_QUEUE);
    break;
  case SCT_WAIT_SEM: rc = sct__sync_check(e->object, SCT__SYNC_SEM); break;
  case SCT_WAIT_EVENT: rc = sct__sync_check(e->object, SCT__SYNC_EVENT); break;
  case SCT_WAIT_PROCESS:
    rc = sct__process_joinable((sct_process_t *)e->object);
    break;
  default:
    return sct__detail(SCT_EINVAL, "sct_wait_any: entry %zu has kind %d", i,
                       (int)e->kind);
  }
  if (rc != 0)
    return sct__detail(rc, "sct_wait_any: entry %zu (kind %d): %s", i,
                       (int)e->kind, sct_strerror(rc));
  return 0;
}

static int check_all(sct_wait_t *items, size_t n, size_t *which) {
  if (!items || !which)
    return SCT_EINVAL;
  if (n == 0 || n > SCT_WAIT_MAX)
    return sct__detail(SCT_EINVAL, "sct_wait_any: %zu entries (1 to %d)", n,
                       SCT_WAIT_MAX);
  for (size_t i = 0; i < n; i++) {
    int rc = check_entry(&items[i], i);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* The entry's word and the value to sleep on, read before its try. */
static void look(const sct_wait_t *e, watch_t *w) {
  switch (e->kind) {
  case SCT_WAIT_QUEUE_GET:
  case SCT_WAIT_QUEUE_PUT:
    w->word = sct__queue_word((const sct_queue_t *)e->object,
                              e->kind == SCT_WAIT_QUEUE_PUT);
    w->expected = sct__load_acquire(&w->word->value);
    break;
  case SCT_WAIT_SEM:
    w->word = sct__sem_word((const sct_sem_t *)e->object);
    w->expected = 0; /* acquirers sleep while the count is 0 */
    break;
  case SCT_WAIT_EVENT:
    w->word = sct__event_word((const sct_event_t *)e->object);
    w->expected = sct__load_acquire(&w->word->value);
    break;
  default: w->word = NULL;
  }
}

/* Does the entry if it can: 1 with its result in e->rc, else 0. */
static int try_entry(sct_wait_t *e, const watch_t *w) {
  int rc, not_yet;
  switch (e->kind) {
  case SCT_WAIT_QUEUE_GET:
    rc = sct_queue_get((sct_queue_t *)e->object, e->out, 0);
    not_yet = SCT_EEMPTY;
    break;
  case SCT_WAIT_QUEUE_PUT:
    rc = sct_queue_put((sct_queue_t *)e->object, e->in, 0);
    not_yet = SCT_EFULL;
    break;
  case SCT_WAIT_SEM:
    rc = sct_sem_acquire((sct_sem_t *)e->object, 0);
    not_yet = SCT_ETIMEDOUT;
    break;
  case SCT_WAIT_EVENT:
    rc = sct__event_fired((const sct_event_t *)e->object, w->event_seen)
             ? 0
             : SCT_ETIMEDOUT;
    not_yet = SCT_ETIMEDOUT;
    break;
  default:
    rc = sct_process_join((sct_process_t *)e->object, 0);
    not_yet = SCT_ETIMEDOUT;
  }
  if (rc == not_yet)
    return 0;
  e->rc = rc;
  return 1;
}

/* Sleeps on every word (and child) until one changes, @p slice_ms at
 * most. */
static int sleep_on_all(sct_wait_t *items, watch_t *watch, size_t n,
                        int slice_ms) {
  sct__word_watch_t words[SCT_WAIT_MAX];
  long pids[SCT_WAIT_MAX];
  size_t nwords = 0, npids = 0;
  for (size_t i = 0; i < n; i++) {
    if (!watch[i].word) {
      (void)sct_process_pid((sct_process_t *)items[i].object, &pids[npids++]);
      continue;
    }
    sct__waitword_enter(watch[i].word);
    words[nwords].word = &watch[i].word->value;
    words[nwords].expected = watch[i].expected;
    words[nwords].key = watch[i].word->wake_key;
    nwords++;
  }
  int rc = 0;
  int unchanged = 1;
  for (size_t i = 0; i < nwords && unchanged; i++)
    unchanged = sct__load_relaxed(words[i].word) == words[i].expected;
  if (unchanged) {
    SCT__TEST_HOOK("waitany.sleep", NULL);
    rc = sct__words_wait(words, nwords, pids, npids, slice_ms);
    SCT__TEST_HOOK("waitany.woken", NULL);
  }
  for (size_t i = 0; i < n; i++)
    if (watch[i].word)
      sct__waitword_leave(watch[i].word);
  return rc;
}

/* After a sleep: hands a wake-up on to every word that changed while this
 * call slept, other than the one of the entry it did. */
static void pass_wakeups_on(const watch_t *watch, size_t n, size_t done) {
  for (size_t i = 0; i < n; i++)
    if (i != done && watch[i].word &&
        sct__load_relaxed(&watch[i].word->value) != watch[i].slept_on)
      sct__waitword_wake(watch[i].word, 1);
}

int sct_wait_any(sct_wait_t *items, size_t n, int timeout_ms, size_t *which) {
  watch_t watch[SCT_WAIT_MAX];
  int rc = check_all(items, n, which);
  if (rc != 0)
    return rc;
  int64_t deadline = sct__deadline_or_none(SCT__TIMEOUT(timeout_ms));
  int slept = 0;
  for (size_t i = 0; i < n; i++) {
    look(&items[i], &watch[i]);
    watch[i].event_seen = watch[i].expected;
  }
  for (;;) {
    for (size_t i = 0; i < n; i++)
      if (try_entry(&items[i], &watch[i])) {
        if (slept)
          pass_wakeups_on(watch, n, i);
        *which = i;
        return 0;
      }
    int slice = sct__slice_until(deadline, SCT__IDLE_SLICE_MS);
    if (slice == 0)
      return SCT_ETIMEDOUT;
    if ((rc = sleep_on_all(items, watch, n, slice)) == SCT_ENOMEM)
      return rc;
    slept = 1;
    for (size_t i = 0; i < n; i++) {
      watch[i].slept_on = watch[i].expected;
      look(&items[i], &watch[i]);
    }
  }
}

int sct_wait_any_polls(void) {
  return sct__words_wait_polls();
}
