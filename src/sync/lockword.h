/*
 * What the two halves of the lock algorithm share: lockword.c (the word,
 * the fast paths, releases) and lockwait.c (waiting for it). Internal to
 * them.
 */
#ifndef SCT_LOCKWORD_H
#define SCT_LOCKWORD_H

#include "../base/atomics.h"
#include "sync.h"

#define WAITERS (UINT64_C(1) << 63)
#define OWNER_MASK (~WAITERS)
/* The owner word of the library's in-process mutexes. */
#define MUTEX_OWNER SCT__MUTEX_OWNER

/* The sleepers word: the count of sleepers in its low bits, a flag
 * saying a watcher exists, a flag reserving a free lock for a starving
 * waiter, and the watcher's beats (wrapping). */
#define COUNT_MASK 0x000FFFFFu
#define WATCHED (1u << 20)
#define HANDOFF (1u << 21)
#define BEAT (1u << 22)
#define FLAGS (COUNT_MASK | WATCHED | HANDOFF)

/* Futexes are 32 bits wide: waiters sleep on the half of the word that
 * holds the waiters bit, so any release (which clears the bit) changes
 * it. */
static inline uint32_t *sct__lock_wait_half(sct__lockstate_t *s) {
  static const union {
    uint16_t value;
    unsigned char bytes[2];
  } probe = {1};
  return (uint32_t *)(void *)&s->word + (probe.bytes[0] == 1 ? 1 : 0);
}

/* The lock taken (@p rc 0 or SCT_EOWNERDEAD) by @p me: an RLock's count
 * and the thread's held RLocks noted (lockword.c). */
int sct__lock_took(sct__lockstate_t *s, uint64_t me, int rc);

/* Waits for the lock: spinning, sleeping, watching the owner, taking a
 * dead owner's lock over (lockwait.c). @p saw_reserved: the caller found
 * the lock reserved for a waiter (it lets that one have its turn). */
int sct__lock_wait(sct__lockstate_t *s, uint64_t me, int timeout_ms,
                   int saw_reserved);

#endif /* SCT_LOCKWORD_H */
