/*
 * Atomic operations on plain (non-_Atomic) memory, such as words in shared
 * mappings. The core uses only these names, so an MSVC build can map them
 * to Interlocked* functions here without touching the callers.
 */
#ifndef SCT_ATOMICS_H
#define SCT_ATOMICS_H

#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)

#define sct__load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define sct__load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define sct__store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define sct__store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define sct__exchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define sct__fetch_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#define sct__fetch_or(p, v) __atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
/* Strong CAS; on failure *expected receives the current value. */
#define sct__cas(p, expected, desired)                                         \
  __atomic_compare_exchange_n((p), (expected), (desired), 0, __ATOMIC_ACQ_REL, \
                              __ATOMIC_ACQUIRE)

/* Index of the lowest set bit of a non-zero 64-bit value. */
#define sct__ctz64(x) __builtin_ctzll(x)

#if defined(__x86_64__) || defined(__i386__)
#define sct__cpu_relax() __builtin_ia32_pause()
#else
#define sct__cpu_relax() ((void)0)
#endif

#else
#error                                                                         \
    "sct: atomics for this compiler are not written yet (MSVC comes with the Windows backend)"
#endif

#endif /* SCT_ATOMICS_H */
