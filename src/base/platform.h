/*
 * The internal platform interface. The portable core (the files of src/)
 * reaches the OS only through these sct__* functions; each is defined once in
 * src/posix and once in src/win32, so the linker proves a backend
 * complete. Unless said otherwise a function returns 0 or a negative
 * SCT_E* code and records the OS error for sct_last_os_error().
 */
#ifndef SCT_PLATFORM_H
#define SCT_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Thread-local storage class, and keeping a slow path out of line (so
 * the fast path that calls it needs no stack frame), behind macros for
 * MSVC. */
#if defined(_MSC_VER)
#define SCT__THREAD_LOCAL __declspec(thread)
#define SCT__NOINLINE __declspec(noinline)
#define SCT__PRINTF_LIKE(format_arg, first_arg)
#else
#define SCT__THREAD_LOCAL _Thread_local
#define SCT__NOINLINE __attribute__((noinline))
#if defined(__MINGW32__) /* mingw's C99 printf (__USE_MINGW_ANSI_STDIO) */
#define SCT__PRINTF_LIKE(format_arg, first_arg)                                \
  __attribute__((format(gnu_printf, format_arg, first_arg)))
#else
#define SCT__PRINTF_LIKE(format_arg, first_arg)                                \
  __attribute__((format(printf, format_arg, first_arg)))
#endif
#endif

/* ---- errors (error.c) ---- */

/* Records the OS error now pending (errno / GetLastError) for this thread
 * with sct__set_os_error and returns the SCT_E* code that best describes
 * it. */
int sct__os_error(void);

/* Records @p code as this thread's last OS error (defined in the core,
 * src/base/error.c: the per-thread slot is portable). */
void sct__set_os_error(int code);

/* This thread's last recorded OS error (src/base/error.c). */
int sct__get_os_error(void);

/* ---- time (time.c) ---- */

/* Monotonic time in nanoseconds, for timeouts: fine enough that rounding
 * never cuts a timeout short (a timeout is a minimum wait). */
int64_t sct__now_ns(void);

/* Sleeps about @p ms milliseconds. */
void sct__sleep_ms(int ms);

/* ---- identity and liveness (identity.c) ---- */

/*
 * An owner identity: a non-zero value of at most 63 bits that no other
 * live process (for a Lock) or thread (for an RLock) can have, whatever
 * namespaces the sharers live in, and whose liveness any sharer can ask.
 * Opaque to the core. The caller's own identities are cached, so the lock
 * fast path makes no system call; a fork gives the child its own.
 */
typedef uint64_t sct__ident_t;

/* The calling process's identity in *out (0, or SCT_E* when the process
 * cannot be registered as an owner, e.g. out of descriptors). */
int sct__self_process(sct__ident_t *out);

/* The calling thread's identity in *out, as sct__self_process. */
int sct__self_thread(sct__ident_t *out);

/* The calling thread's identity once sct__self_thread has made it, else
 * 0: read inline by the RLock fast path, which would otherwise pay a call
 * on every acquire and release. */
extern SCT__THREAD_LOCAL sct__ident_t sct__thread_ident;
/* The process's, likewise (read with acquire; 0 until registered). */
extern sct__ident_t sct__process_ident;

/* 1 while the owner @p who is alive, 0 once it is gone (a process that
 * has exited but was not reaped counts as gone). Never fails: when it
 * cannot tell, it says alive, because reporting a live owner dead hands
 * its lock to a second holder. */
int sct__ident_alive(sct__ident_t who);

/* The process or thread id of @p who as this process sees it; 0 when it
 * cannot be known here (gone, or in another PID namespace). */
long sct__ident_os_id(sct__ident_t who);

/* Registers the core's fork handlers (called once, from sct__init). */
void sct__install_fork_handlers(void (*prepare)(void), void (*parent)(void),
                                void (*child)(void));

/* ---- waiting on a shared 32-bit word (lock.c) ---- */

/* A key naming a lock's wake-up object where the OS needs one (Windows:
 * a named semaphore); stored in the lock state when it is made. POSIX
 * futexes need none and return 0. Keys never have SCT__WAKE_GLOBAL set:
 * the core sets it for locks named in the global namespace, whose wake-up
 * object must be there too (other sessions cannot see Local\ names). */
#define SCT__WAKE_GLOBAL UINT32_C(0x80000000)
uint32_t sct__wake_key(void);

/* Sleeps while *word == expected, at most @p timeout_ms (>= 0).
 * Returns 0 when woken or when the word differed, SCT_ETIMEDOUT. Works
 * across processes for words in shared mappings. */
int sct__word_wait(uint32_t *word, uint32_t expected, int timeout_ms,
                   uint32_t key);

/* As sct__word_wait, for a lock word held by @p owner. Where the OS can
 * wait for a process or thread to end (Windows: its handle, beside the
 * wake-up semaphore), the wait also ends when the owner does, with
 * SCT_EOWNERDEAD: a hint, the caller still asks sct__ident_alive. Where
 * it cannot (POSIX), it is sct__word_wait. */
int sct__word_wait_owner(uint32_t *word, uint32_t expected, int timeout_ms,
                         uint32_t key, sct__ident_t owner);

/* How many CPUs this process may run on (at least 1). Waiters spin
 * before they sleep only when there is more than one: on one CPU a
 * spinner only delays the process it waits for. */
int sct__cpus_available(void);

/*
 * A lock released by a plain store (lockword.c), made safe by a heavy
 * barrier on the waiters' side: Linux's membarrier makes every CPU that
 * runs a thread of a process registered for it execute a full barrier,
 * so a releaser needs none of its own (no locked instruction). Setup
 * registers this process (at start and in a forked child): 1 when its
 * releases may be plain stores. The heavy barrier is the waiter's half,
 * called between counting itself and sleeping: 1 when done, 0 where no
 * process can release lightly (no such barrier on this OS or kernel),
 * -1 when refused here although sharers may release lightly (then the
 * waiter sleeps in short slices).
 */
int sct__light_release_setup(void);
int sct__heavy_barrier(void);

/* Wakes up to @p n (>= 1) waiters sleeping on @p word. Returns how many
 * were woken, or -1 where the OS does not say. */
int sct__word_wake(uint32_t *word, uint32_t key, int n);

/* ---- shared memory segments (shm.c) ---- */

typedef struct sct__segment {
  void *addr;
  size_t size;
  intptr_t handle; /* fd on POSIX, HANDLE on Windows, -1 when none */
} sct__segment_t;

/* A new anonymous segment of @p size bytes, zeroed, pages reserved where
 * the OS allows (SCT_ENOMEM when they cannot be), inherited by children. */
int sct__segment_create_anon(sct__segment_t *seg, size_t size);

/* Maps the pages of @p seg into this process in one pass (a hint: they
 * come on first touch otherwise). */
void sct__segment_populate(const sct__segment_t *seg);

/* @p size bytes of process-private memory for handles, never given
 * back, on large pages where the OS gives them without privileges (one
 * fault then supplies thousands of handles instead of fifty); NULL when
 * out of memory. */
void *sct__chunk_alloc(size_t size);

/* A new named segment (exclusive create, owner-only access), zeroed and
 * reserved. @p name comes from sct__named_path: checked, and starting with
 * SCT__GLOBAL_PREFIX when the global namespace was asked for (Windows
 * creates it there, which needs SeCreateGlobalPrivilege: SCT_EACCES
 * without; POSIX has one namespace and ignores the prefix). The same names
 * reach the two functions below. */
int sct__segment_create_named(sct__segment_t *seg, const char *name,
                              size_t size);

/* Maps an existing named segment; seg->size receives its size. Unless
 * @p flags has SCT_OPEN_ANY_OWNER, a segment that another user owns, or
 * (POSIX) that other users may open (group or other permission bits), is
 * SCT_EACCES: a name squatted by someone else is never used silently. A
 * name that is not a shared memory object (a FIFO, a device) is SCT_ETYPE;
 * one whose creator has not sized it yet, SCT_ESTATE. */
int sct__segment_open_named(sct__segment_t *seg, const char *name,
                            unsigned flags);

/* Removes a segment's name. */
int sct__segment_unlink_named(const char *name);

/* Unmaps and closes a segment (anonymous or named). */
int sct__segment_close(sct__segment_t *seg);

/* ---- waiting for any of several (waitany.c) ---- */

/* One word to sleep on: its address, the value it must keep, and its
 * wake key (as sct__word_wait's). */
typedef struct sct__word_watch {
  uint32_t *word;
  uint32_t expected;
  uint32_t key;
} sct__word_watch_t;

/* Sleeps while every word keeps its expected value and every child in
 * @p pids runs, @p timeout_ms at most (n + npids <= SCT_WAIT_MAX): 0 when
 * something may have changed (or spuriously), SCT_ETIMEDOUT, SCT_ENOMEM
 * (no helper thread where one is needed). */
int sct__words_wait(const sct__word_watch_t *watch, size_t n, const long *pids,
                    size_t npids, int timeout_ms);

/* 1 where sct__words_wait polls instead of sleeping on everything. */
int sct__words_wait_polls(void);

/* ---- processes (process.c) ---- */

/* Forks: *pid receives the child's pid in the parent and 0 in the child.
 * SCT_EINVAL where the platform cannot fork. */
int sct__process_fork(long *pid);

/* Waits for @p pid up to @p timeout_ms (< 0: forever, 0: poll). On exit,
 * *exitcode gets the status or minus the signal number. SCT_ETIMEDOUT
 * while it runs. */
int sct__process_wait(long pid, int timeout_ms, int *exitcode);

/* Sends a stop request (@p hard == 0) or kills (@p hard != 0). */
int sct__process_signal(long pid, int hard);

/* 1 where fork exists. */
int sct__can_fork(void);

/* The value a segment handle will have in a spawned child, given its
 * position among the handles passed to sct__process_spawn. */
uint64_t sct__child_handle(intptr_t parent_handle, size_t index);

/* Starts a copy of this program that inherits exactly @p handles (and the
 * standard streams) and can read @p msg with sct__bootstrap_take. @p argv
 * is the argument vector given to sct_main (may be NULL). */
int sct__process_spawn(long *pid, char **argv, const intptr_t *handles,
                       size_t n, const void *msg, size_t len);

/* In a spawned child: 1 and the message (free() it) when this process
 * was spawned by sct, 0 when it was not, or a negative code with the
 * reason written into @p why. */
int sct__bootstrap_take(unsigned char **msg, size_t *len, char *why,
                        size_t whycap);

/* Maps a segment handle received from the parent after checking that it
 * is one, of exactly @p size bytes. */
int sct__segment_attach(sct__segment_t *seg, uint64_t handle, uint64_t size);

/* Ends the calling child process with @p status after flushing stdio,
 * without running the parent's atexit handlers. */
void sct__process_exit(int status);

#endif /* SCT_PLATFORM_H */
