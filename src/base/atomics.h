/*
 * Atomic operations on plain (non-_Atomic) memory, such as words in shared
 * mappings. The core uses only these names. Two implementations:
 *
 *  - GCC and Clang: the __atomic builtins, for every width and pointers.
 *  - MSVC: the Interlocked* intrinsics, chosen by width with _Generic
 *    (MSVC has _Generic in /std:c11 and later). MSVC has no usable
 *    <stdatomic.h> for plain memory before VS 2022 17.5, and the shared
 *    words are not _Atomic objects anyway.
 *
 * The MSVC branch cannot be compiled by MSVC here, so the build can force
 * it on mingw-w64 (SCT_ATOMICS_INTERLOCKED, set by the `mingw` preset):
 * the whole suite then runs on this code under Wine. That is why it only
 * uses intrinsics both compilers have: 32- and 64-bit Interlocked
 * operations, _ReadWriteBarrier, _BitScanForward64 and _mm_pause. 8- and
 * 16-bit operations (atomic add on 'b' or 'h' Values) are a compare-and-
 * swap on the aligned 32-bit word that holds them: still one atomic
 * instruction on the shared bytes, and the neighbours it rewrites are
 * rewritten with the value they had, or the exchange fails and retries.
 */
#ifndef SCT_ATOMICS_H
#define SCT_ATOMICS_H

#include <stdint.h>

/* A 64-bit word aligned to 8 bytes. The i386 ABI aligns uint64_t to 4 in
 * structs, and then clang calls libatomic (a lock) for every atomic on it
 * and GCC's cmpxchg8b may straddle cache lines: every 64-bit word used
 * atomically has this type. (MSVC's x64 uint64_t is 8-aligned already.) */
#if defined(__GNUC__) || defined(__clang__)
typedef uint64_t sct__u64 __attribute__((aligned(8)));
#else
typedef uint64_t sct__u64;
#endif

#if (defined(__GNUC__) || defined(__clang__)) &&                               \
    !defined(SCT_ATOMICS_INTERLOCKED)

#define sct__load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define sct__load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define sct__store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define sct__store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define sct__exchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define sct__fetch_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#define sct__fetch_sub(p, v) __atomic_fetch_sub((p), (v), __ATOMIC_ACQ_REL)
#define sct__fetch_or(p, v) __atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
/* Strong CAS; on failure *expected receives the current value. */
#define sct__cas(p, expected, desired)                                         \
  __atomic_compare_exchange_n((p), (expected), (desired), 0, __ATOMIC_ACQ_REL, \
                              __ATOMIC_ACQUIRE)

/* A full fence: orders a store before a later load (the sleepers
 * handshake of sync.h needs that; acquire and release do not give it). */
#define sct__fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/* An exchange and a later load that are never reordered (a lock's
 * release and its look at the sleepers count): x86's xchg and a plain
 * load, ARM's ordered pair. */
#define sct__exchange_seq_cst(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
/* Keeps the compiler, not the CPU, from moving accesses across it. */
#define sct__compiler_barrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define sct__load_seq_cst(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

/* Index of the lowest set bit of a non-zero 64-bit value. */
#define sct__ctz64(x) __builtin_ctzll(x)

#if defined(__x86_64__) || defined(__i386__)
#define sct__cpu_relax() __builtin_ia32_pause()
#else
#define sct__cpu_relax() ((void)0)
#endif

#elif defined(_MSC_VER) || defined(SCT_ATOMICS_INTERLOCKED)

#if !(defined(_M_X64) || defined(__x86_64__))
/* Plain volatile loads and stores are acquire/release only under x64's
 * memory model (and 64-bit ones are atomic only on 64-bit targets):
 * ARM64 needs __ldar/__stlr, 32-bit x86 a 64-bit load via the FPU. */
#error "sct: the Interlocked atomics are written for x64 only"
#endif

#include <intrin.h>

/* Interlocked operations are full barriers. */
static inline uint32_t sct__cas32_raw(volatile void *p, uint32_t expected,
                                      uint32_t desired) {
  return (uint32_t)_InterlockedCompareExchange((volatile long *)p,
                                               (long)desired, (long)expected);
}

/* The aligned 32-bit word holding the 8- or 16-bit field at @p p, the
 * field's bit offset in it (little endian) and its mask there. */
static inline volatile uint32_t *sct__container(volatile void *p, unsigned bits,
                                                unsigned *shift,
                                                uint32_t *mask) {
  uintptr_t at = (uintptr_t)p;
  *shift = (unsigned)(at & 3u) * 8u;
  *mask = (bits == 8 ? 0xffu : 0xffffu) << *shift;
  return (volatile uint32_t *)(at & ~(uintptr_t)3u);
}

/* Adds @p v to the @p bits wide field at @p p; returns its old value. */
static inline uint32_t sct__narrow_add(volatile void *p, unsigned bits,
                                       uint32_t v) {
  unsigned shift;
  uint32_t mask;
  volatile uint32_t *word = sct__container(p, bits, &shift, &mask);
  uint32_t seen = *word;
  for (;;) {
    uint32_t old = (seen & mask) >> shift;
    uint32_t want = (seen & ~mask) | (((old + v) << shift) & mask);
    uint32_t got = sct__cas32_raw(word, seen, want);
    if (got == seen)
      return old;
    seen = got;
  }
}

/* Strong CAS on the @p bits wide field at @p p; on failure *expected gets
 * the field's current value. Changes of the neighbours alone retry. */
static inline int sct__narrow_cas(volatile void *p, unsigned bits,
                                  uint32_t *expected, uint32_t desired) {
  unsigned shift;
  uint32_t mask;
  volatile uint32_t *word = sct__container(p, bits, &shift, &mask);
  uint32_t seen = *word;
  for (;;) {
    if (((seen & mask) >> shift) != *expected) {
      *expected = (seen & mask) >> shift;
      return 0;
    }
    uint32_t want = (seen & ~mask) | ((desired << shift) & mask);
    uint32_t got = sct__cas32_raw(word, seen, want);
    if (got == seen)
      return 1;
    seen = got;
  }
}

/* sct__load8/16/32/64 and sct__store8/16/32/64. x64 is TSO: a load is an
 * acquire and a store a release, so only the compiler must be kept from
 * moving accesses across them: a barrier after the load, before the store. */
#define SCT__LOAD_STORE(T, bits)                                               \
  static inline T sct__load##bits(const volatile void *p) {                    \
    T v = *(const volatile T *)p;                                              \
    _ReadWriteBarrier();                                                       \
    return v;                                                                  \
  }                                                                            \
  static inline void sct__store##bits(volatile void *p, uint64_t v) {          \
    _ReadWriteBarrier();                                                       \
    *(volatile T *)p = (T)v;                                                   \
  }
SCT__LOAD_STORE(uint8_t, 8)
SCT__LOAD_STORE(uint16_t, 16)
SCT__LOAD_STORE(uint32_t, 32)
SCT__LOAD_STORE(uint64_t, 64)
#undef SCT__LOAD_STORE

static inline void *sct__load_ptr(const volatile void *p) {
  void *v = *(void *const volatile *)p;
  _ReadWriteBarrier();
  return v;
}

static inline uint32_t sct__exchange32(volatile void *p, uint64_t v) {
  return (uint32_t)_InterlockedExchange((volatile long *)p, (long)v);
}
static inline uint64_t sct__exchange64(volatile void *p, uint64_t v) {
  return (uint64_t)_InterlockedExchange64((volatile long long *)p,
                                          (long long)v);
}

static inline uint8_t sct__fetch_add8(volatile void *p, uint64_t v) {
  return (uint8_t)sct__narrow_add(p, 8, (uint32_t)v);
}
static inline uint16_t sct__fetch_add16(volatile void *p, uint64_t v) {
  return (uint16_t)sct__narrow_add(p, 16, (uint32_t)v);
}
static inline uint32_t sct__fetch_add32(volatile void *p, uint64_t v) {
  return (uint32_t)_InterlockedExchangeAdd((volatile long *)p, (long)v);
}
static inline uint64_t sct__fetch_add64(volatile void *p, uint64_t v) {
  return (uint64_t)_InterlockedExchangeAdd64((volatile long long *)p,
                                             (long long)v);
}

static inline uint32_t sct__fetch_or32(volatile void *p, uint64_t v) {
  return (uint32_t)_InterlockedOr((volatile long *)p, (long)v);
}

static inline int sct__cas8(volatile void *p, void *expected, uint64_t v) {
  uint32_t want = *(uint8_t *)expected;
  int ok = sct__narrow_cas(p, 8, &want, (uint32_t)v);
  *(uint8_t *)expected = (uint8_t)want;
  return ok;
}
static inline int sct__cas16(volatile void *p, void *expected, uint64_t v) {
  uint32_t want = *(uint16_t *)expected;
  int ok = sct__narrow_cas(p, 16, &want, (uint32_t)v);
  *(uint16_t *)expected = (uint16_t)want;
  return ok;
}
static inline int sct__cas32(volatile void *p, void *expected, uint64_t v) {
  uint32_t want = *(uint32_t *)expected;
  uint32_t got = sct__cas32_raw(p, want, (uint32_t)v);
  *(uint32_t *)expected = got;
  return got == want;
}
static inline int sct__cas64(volatile void *p, void *expected, uint64_t v) {
  long long want = *(long long *)expected;
  long long got = _InterlockedCompareExchange64((volatile long long *)p,
                                                (long long)v, want);
  *(long long *)expected = got;
  return got == want;
}
static inline int sct__cas_ptr(volatile void *p, void *expected, void *v) {
  void *want = *(void **)expected;
  void *got = _InterlockedCompareExchangePointer((void *volatile *)p, v, want);
  *(void **)expected = got;
  return got == want;
}

/* Picks the function for the width of *p; pointers take the default. An
 * operation a width lacks (exchange on 8 bits, say) selects this function,
 * which takes no arguments: its use fails to compile. */
void sct__unsupported_width(void);

#define SCT__BY_WIDTH(p, f8, f16, f32, f64, fptr)                              \
  _Generic(*(p), char                                                          \
           : f8, signed char                                                   \
           : f8, unsigned char                                                 \
           : f8, short                                                         \
           : f16, unsigned short                                               \
           : f16, int                                                          \
           : f32, unsigned int                                                 \
           : f32, long                                                         \
           : f32, unsigned long                                                \
           : f32, long long                                                    \
           : f64, unsigned long long                                           \
           : f64, default                                                      \
           : fptr)

#define sct__load_acquire(p)                                                   \
  SCT__BY_WIDTH(p, sct__load8, sct__load16, sct__load32, sct__load64,          \
                sct__load_ptr)                                                 \
  (p)
/* x64 gives relaxed loads nothing cheaper than acquire ones. */
#define sct__load_relaxed(p) sct__load_acquire(p)
#define sct__store_release(p, v)                                               \
  SCT__BY_WIDTH(p, sct__store8, sct__store16, sct__store32, sct__store64,      \
                sct__unsupported_width)                                        \
  (p, v)
#define sct__store_relaxed(p, v) sct__store_release(p, v)
#define sct__exchange(p, v)                                                    \
  SCT__BY_WIDTH(p, sct__unsupported_width, sct__unsupported_width,             \
                sct__exchange32, sct__exchange64, sct__unsupported_width)      \
  (p, v)
#define sct__fetch_add(p, v)                                                   \
  SCT__BY_WIDTH(p, sct__fetch_add8, sct__fetch_add16, sct__fetch_add32,        \
                sct__fetch_add64, sct__unsupported_width)                      \
  (p, v)
/* Subtracting is adding the two's complement, made in unsigned arithmetic
 * (a negative delta to the unsigned helpers is cl's C4245). */
#define sct__fetch_sub(p, v)                                                   \
  SCT__BY_WIDTH(p, sct__fetch_add8, sct__fetch_add16, sct__fetch_add32,        \
                sct__fetch_add64, sct__unsupported_width)                      \
  (p, (uint64_t)0 - (uint64_t)(v))
#define sct__fetch_or(p, v)                                                    \
  SCT__BY_WIDTH(p, sct__unsupported_width, sct__unsupported_width,             \
                sct__fetch_or32, sct__unsupported_width,                       \
                sct__unsupported_width)                                        \
  (p, v)
#define sct__cas(p, expected, desired)                                         \
  SCT__BY_WIDTH(p, sct__cas8, sct__cas16, sct__cas32, sct__cas64,              \
                sct__cas_ptr)                                                  \
  (p, expected, desired)

#define sct__fence() _mm_mfence()
/* xchg is a full barrier on x64: a load after it is never moved before. */
#define sct__exchange_seq_cst(p, v) sct__exchange(p, v)
#define sct__compiler_barrier() _ReadWriteBarrier()
#define sct__load_seq_cst(p) sct__load_acquire(p)

static inline int sct__ctz64(uint64_t x) {
  unsigned long index;
  _BitScanForward64(&index, x);
  return (int)index;
}

#define sct__cpu_relax() _mm_pause()

#else
#error "sct: no atomics for this compiler (GCC, Clang and MSVC are supported)"
#endif

#endif /* SCT_ATOMICS_H */
