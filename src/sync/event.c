/*
 * Event: one word that waiters sleep on, holding the flag (bit 0) and a
 * count of the sets that found it clear (the other bits). A waiter that
 * saw the flag clear returns 0 once the word changed at all: only a set
 * changes a clear word, so a set followed at once by a clear still wakes
 * every waiter of the time with 0, as Python's Event.wait() returns True
 * for the flag it was woken for. (A waiter would miss a pulse only if
 * exactly 2^31 pulses passed while it was off the CPU.)
 */
#include "../base/atomics.h"
#include "sync.h"
#include "../base/testhook.h"

#define FLAG 1u
/* The set that raises a clear flag: the count up by one, the flag on. */
#define RAISE 3u

typedef struct event_state {
  sct__sync_head_t head;
  sct__waitword_t flag;
} event_state_t;

static event_state_t *state_of(const sct_event_t *event) {
  return (event_state_t *)(void *)event->s.state;
}

int sct__event_size(const sct__sync_params_t *p, size_t *size) {
  (void)p;
  *size = sizeof(event_state_t);
  return 0;
}

void sct__event_init(sct__sync_t *s, const sct__sync_params_t *p) {
  (void)p;
  sct__sync_waitword_init(s, &((event_state_t *)(void *)s->state)->flag, 0);
}

/* Anonymous when @p name is NULL. */
static int make(sct_event_t **out, const char *name) {
  sct__sync_params_t p = {0, 0, 0, 0, NULL, 0, 0};
  if (!out)
    return SCT_EINVAL;
  return sct__sync_make((sct__sync_t **)out, SCT__SYNC_EVENT, &p, name);
}

int sct_event_new(sct_event_t **out) {
  return make(out, NULL);
}

int sct_event_create_named(sct_event_t **out, const char *name) {
  return name ? make(out, name) : SCT_EINVAL;
}

int sct__event_valid(const sct__sync_head_t *head, size_t size) {
  const event_state_t *st = (const event_state_t *)(const void *)head;
  return size == sizeof *st ? 0 : SCT_ETYPE;
}

int sct_event_open_named(sct_event_t **out, const char *name, unsigned flags) {
  if (!out)
    return SCT_EINVAL;
  return sct__sync_open_named((sct__sync_t **)out, SCT__SYNC_EVENT, name,
                              flags);
}

int sct_event_unlink_named(const char *name) {
  return sct__sync_unlink_named(SCT__SYNC_EVENT, name);
}

int sct_event_set(sct_event_t *event) {
  int rc = sct__sync_check(event, SCT__SYNC_EVENT);
  if (rc != 0)
    return rc;
  event_state_t *st = state_of(event);
  uint32_t word = sct__load_relaxed(&st->flag.value);
  while (!(word & FLAG))
    if (sct__cas(&st->flag.value, &word, word + RAISE)) {
      sct__waitword_wake(&st->flag, -1);
      break;
    }
  return 0;
}

int sct_event_clear(sct_event_t *event) {
  int rc = sct__sync_check(event, SCT__SYNC_EVENT);
  if (rc != 0)
    return rc;
  event_state_t *st = state_of(event);
  uint32_t word = sct__load_relaxed(&st->flag.value);
  while ((word & FLAG) && !sct__cas(&st->flag.value, &word, word & ~FLAG))
    ;
  return 0;
}

int sct_event_is_set(const sct_event_t *event) {
  int rc = sct__sync_check(event, SCT__SYNC_EVENT);
  return rc != 0 ? rc
                 : (int)(sct__load_acquire(&state_of(event)->flag.value) & FLAG);
}

int sct_event_wait(sct_event_t *event, int timeout_ms) {
  int rc = sct__sync_check(event, SCT__SYNC_EVENT);
  if (rc != 0)
    return rc;
  event_state_t *st = state_of(event);
  int64_t deadline = sct__deadline_or_none(timeout_ms);
  uint32_t seen = sct__load_acquire(&st->flag.value);
  if (seen & FLAG)
    return 0;
  SCT__TEST_HOOK("event.wait.seen", event);
  while (sct__load_acquire(&st->flag.value) == seen) {
    rc = sct__waitword_wait(&st->flag, seen, deadline, SCT__IDLE_SLICE_MS);
    SCT__TEST_HOOK("event.wait.woken", event);
    if (rc == SCT_ETIMEDOUT)
      return sct__load_acquire(&st->flag.value) != seen ? 0 : SCT_ETIMEDOUT;
  }
  return 0;
}

sct__waitword_t *sct__event_word(const sct_event_t *event) {
  return &state_of(event)->flag;
}

/* As sct_event_wait decides: set now, or any change from a clear word
 * (only a set changes one). */
int sct__event_fired(const sct_event_t *event, uint32_t seen) {
  uint32_t now = sct__load_acquire(&state_of(event)->flag.value);
  return (now & FLAG) || now != seen;
}

int sct_event_free(sct_event_t *event) {
  return sct__sync_free(event, SCT__SYNC_EVENT);
}
