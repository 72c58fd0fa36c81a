/**
 * @file sct.h
 * sct: shared C types.
 *
 * Typed objects (scalars, arrays, structs, strings) allocated from shared
 * memory, inherited by child processes and guarded by process-shared locks,
 * after Python's multiprocessing.sharedctypes.
 *
 * Conventions used by every function below:
 *  - A function returns 0 on success or a negative SCT_E* code; the codes
 *    have the same values on every platform.
 *  - Objects (sct_obj_t, sct_lock_t, sct_process_t, sct_type_t,
 *    sct_segment_t) are opaque handles created by the library and released
 *    with their own *_free / *_close function.
 *  - A handle may be used by several threads of one process at once.
 *  - Nothing in the library aborts the process on bad input.
 */
#ifndef SCT_H
#define SCT_H

#include <stddef.h>
#include <stdint.h>
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h> /* _InterlockedExchangeAdd64 for sct_counter_add */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def SCT_EXTERN
 * Marks a public declaration: exported from the shared library (dllexport
 * while building the DLL, dllimport when using it, default visibility on
 * GCC and Clang), nothing for the static library.
 */
#if defined(_WIN32) && defined(SCT_SHARED) && defined(SCT_BUILDING)
#define SCT_EXTERN __declspec(dllexport)
#elif defined(_WIN32) && defined(SCT_SHARED)
#define SCT_EXTERN __declspec(dllimport)
#elif defined(__GNUC__) && defined(SCT_BUILDING)
#define SCT_EXTERN __attribute__((visibility("default")))
#else
#define SCT_EXTERN
#endif

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */
/**
 * @defgroup version Version
 * The library version, at compile time and at run time.
 * @{
 */

/** Major version: changes when the ABI or API breaks compatibility. */
#define SCT_VERSION_MAJOR 0
/** Minor version: new functions, compatible with older minors. */
#define SCT_VERSION_MINOR 1
/** Patch version: fixes only. */
#define SCT_VERSION_PATCH 0

/** The version of the library in use: major * 10000 + minor * 100 + patch. */
SCT_EXTERN int sct_version(void);

/** The version of the library in use as text, e.g. "0.1.0". */
SCT_EXTERN const char *sct_version_string(void);

/** @} */

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */
/**
 * @defgroup errors Errors
 * Error codes (all of them, with values and messages: see the "Error codes"
 * page) and the OS error behind the last failure.
 * @{
 */

/**
 * The error table: X(NAME, value, message). One list generates the enum,
 * sct_strerror() and sct_err_name(), so they can never disagree.
 */
#define SCT_ERRNO_MAP(X)                                                       \
  X(EINVAL, -1, "invalid argument")                                            \
  X(ENOMEM, -2, "out of memory or shared memory")                              \
  X(ETYPE, -3, "unknown typecode or wrong type for this operation")            \
  X(EOVERFLOW, -4, "size overflows or value does not fit the type")            \
  X(ERANGE, -5, "index or slice out of range")                                 \
  X(ENOFIELD, -6, "no such struct field")                                      \
  X(ENOTHELD, -7, "lock is not held by the caller")                            \
  X(ETIMEDOUT, -8, "timed out")                                                \
  X(EOWNERDEAD, -9, "previous lock owner died; lock is now held by caller")    \
  X(ESTATE, -10, "object is in the wrong state for this operation")            \
  X(ENOTARGET, -11, "unknown target name")                                     \
  X(ENOLOCK, -12, "object has no lock (it is raw)")                            \
  X(EEXIST, -13, "named object already exists")                                \
  X(ENOENT, -14, "named object does not exist")                                \
  X(EACCES, -15, "permission denied")                                          \
  X(ENAME, -16, "invalid name")                                                \
  X(EOS, -17, "operating system call failed (see sct_last_os_error)")          \
  X(ECHILD, -18, "child process could not be started")                         \
  X(ENOMAIN, -19,                                                              \
    "sct_main was not called: call it first in main() with the targets")       \
  X(EFULL, -20, "queue is full")                                               \
  X(EEMPTY, -21, "queue is empty")                                             \
  X(ECLOSED, -22, "queue is closed")                                           \
  X(EBROKEN, -23, "barrier is broken")                                         \
  X(ETOOSMALL, -24, "size too small for what it must hold")

/** Error codes. 0 is success; every error is negative. */
typedef enum sct_errno {
  SCT_OK = 0,
#define SCT_ERRNO_ENUM_(name, value, msg) SCT_##name = (value),
  SCT_ERRNO_MAP(SCT_ERRNO_ENUM_)
#undef SCT_ERRNO_ENUM_
} sct_errno_t;

/** A message for @p code ("unknown error" for a value not in the table). */
SCT_EXTERN const char *sct_strerror(int code);

/** The symbolic name of @p code, e.g. "SCT_EINVAL" ("SCT_UNKNOWN" if none). */
SCT_EXTERN const char *sct_err_name(int code);

/**
 * The OS error (errno on POSIX, GetLastError() on Windows) recorded by the
 * last failing OS call the library made in this thread, or 0.
 */
SCT_EXTERN int sct_last_os_error(void);

/**
 * What the last SCT_ETYPE or SCT_EINVAL in this thread that had more to
 * say was about: which property, what was expected and what was found
 * (for instance "space object 'rows': lock kind: asked 1 (SCT_LOCK),
 * found 2 (SCT_RLOCK)"), or "" when none had. Like errno, it is kept
 * until the next such error; read it right after the failing call.
 */
SCT_EXTERN const char *sct_last_detail(void);

/** @} */

/* ------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------ */
/**
 * @defgroup types Types
 * Type descriptors: typecodes and struct types.
 * @{
 */

/** A type descriptor: a typecode's C type or a struct described by fields. */
typedef struct sct_type sct_type_t;

/**
 * The built-in type for a typecode of Python's table:
 * c char, u wchar_t, b signed char, B unsigned char, h short,
 * H unsigned short, i int, I unsigned int, l long, L unsigned long,
 * q long long, Q unsigned long long, f float, d double.
 * @return 0, SCT_EINVAL if @p out is NULL, SCT_ETYPE for any other code.
 * The descriptor is static: freeing it is allowed and does nothing.
 */
SCT_EXTERN int sct_type_from_code(char code, const sct_type_t **out);

/** One field of a struct type. */
typedef struct sct_field {
  const char *name;       /**< field name (copied by sct_type_new_struct) */
  char code;              /**< typecode, or 0 when @c type is given */
  const sct_type_t *type; /**< nested type when @c code is 0 */
  size_t offset;          /**< offsetof(struct, field) */
  size_t count;           /**< 0 or 1: one element; n > 1: an array */
} sct_field_t;

/** A field of typecode @p code: SCT_FIELD(struct point, x, 'd'). */
#define SCT_FIELD(st, member, code)                                            \
  { #member, (code), NULL, offsetof(st, member), 1 }
/** An array field: SCT_FIELD_ARRAY(struct rec, name, 'c', 16). */
#define SCT_FIELD_ARRAY(st, member, code, n)                                   \
  { #member, (code), NULL, offsetof(st, member), (n) }
/** A field of a nested struct type. */
#define SCT_FIELD_TYPE(st, member, typeptr)                                    \
  { #member, 0, (typeptr), offsetof(st, member), 1 }
/** An array field of a nested struct type:
 *  SCT_FIELD_TYPE_ARRAY(struct table, rows, row_type, 256). */
#define SCT_FIELD_TYPE_ARRAY(st, member, typeptr, n)                           \
  { #member, 0, (typeptr), offsetof(st, member), (n) }

/**
 * Describes a C struct of @p size bytes and alignment @p align (use sizeof
 * and _Alignof/offsetof so the layout is exactly the compiler's).
 * The struct keeps its own reference to each nested type, so the caller
 * may free its own at once. @p name is
 * for diagnosis and may be NULL (an anonymous struct).
 * @return 0; SCT_EINVAL for a NULL @p out, @p fields or field name, no
 * fields, a zero size, a bad alignment (0, not a power of two, over 4096,
 * or not dividing @p size), a field that gives both a typecode and a
 * nested type, or a field outside the struct (its end past @p size,
 * however large its offset) or misaligned; SCT_ETYPE for a bad field
 * typecode or nested type; SCT_ENAME for an empty, invalid or duplicate
 * field name; SCT_EOVERFLOW when a field array's byte size overflows;
 * SCT_ENOMEM.
 */
SCT_EXTERN int sct_type_new_struct(sct_type_t **out, const char *name,
                                   size_t size, size_t align,
                                   const sct_field_t *fields, size_t nfields);

/**
 * Gives the caller's reference back. Struct types and objects made from
 * the type keep theirs: the types that sct_type_field_at,
 * sct_type_field_find and sct_obj_type return stay valid as long as the
 * struct or object does. @return 0; SCT_EINVAL for NULL; SCT_ESTATE when
 * the caller's reference was given back already (or the type is gone).
 */
SCT_EXTERN int sct_type_free(const sct_type_t *type);

/** Size in bytes (0 for NULL). */
SCT_EXTERN size_t sct_type_size(const sct_type_t *type);

/** The typecode, or 0 for a struct type or NULL. */
SCT_EXTERN char sct_type_code(const sct_type_t *type);

/** Alignment in bytes (0 for NULL). */
SCT_EXTERN size_t sct_type_align(const sct_type_t *type);

/** How many fields a struct type has (0 for a typecode's type or NULL). */
SCT_EXTERN size_t sct_type_nfields(const sct_type_t *type);

/**
 * Field @p index of a struct type, as it was described: name, offset,
 * count, and its type in @c type (@c code is that type's typecode, 0 for
 * a nested struct). The strings and types stay valid while @p type does.
 * @return 0; SCT_EINVAL for NULL; SCT_ETYPE when @p type is no struct;
 * SCT_ERANGE when @p index is not below sct_type_nfields.
 */
SCT_EXTERN int sct_type_field_at(const sct_type_t *type, size_t index,
                                 sct_field_t *out);

/**
 * The field at @p path ("pos.x" for a nested one) of a struct type: its
 * byte offset from the start of the struct, its type and its count (more
 * than 1 for an array field). Any out pointer may be NULL.
 * @return 0; SCT_EINVAL for NULL @p type or @p path; SCT_ETYPE when
 * @p type is no struct; SCT_ENOFIELD.
 */
SCT_EXTERN int sct_type_field_find(const sct_type_t *type, const char *path,
                                   size_t *offset,
                                   const sct_type_t **field_type,
                                   size_t *count);

/** @} */

/* ------------------------------------------------------------------------
 * Locks
 * ------------------------------------------------------------------------ */
/**
 * @defgroup locks Locks
 * Lock and RLock, anonymous and named, with owner death reported.
 * @{
 */

/** A process-shared Lock or RLock. */
typedef struct sct_lock sct_lock_t;

/** Lock kinds. */
typedef enum sct_lock_kind {
  SCT_LOCK = 1, /**< non-recursive; any thread of any process may release */
  SCT_RLOCK = 2 /**< recursive; owned by one thread of one process */
} sct_lock_kind_t;

/** Timeout value meaning "wait as long as it takes". */
#define SCT_INFINITE (-1)

/**
 * Creates an anonymous lock in shared memory; children started afterwards
 * by sct_process_start may use it.
 * @return 0, SCT_EINVAL (NULL, bad kind), SCT_ENOMEM.
 */
SCT_EXTERN int sct_lock_new(sct_lock_t **out, sct_lock_kind_t kind);

/**
 * Acquires @p lock: SCT_INFINITE blocks, 0 tries once, > 0 waits up to
 * that many milliseconds (at least that long before SCT_ETIMEDOUT: a
 * timeout is a minimum, measured with a clock finer than a millisecond).
 * Any other negative value means "do not wait", as in Python's
 * multiprocessing (so a computed remaining time that went negative has
 * expired; note that exactly -1 is SCT_INFINITE). The uncontended path
 * makes no system call. Waiters take turns: one that has waited about
 * 10 us is given the lock at its next release, ahead of newcomers; a try
 * (0) takes a free lock even then.
 * @return 0; SCT_ETIMEDOUT; SCT_EOWNERDEAD when the previous owner died
 * holding it: the caller now holds the lock (repair the data, then release
 * as usual). An RLock already held by the caller is re-entered (count + 1).
 * A Lock is not re-entrant: acquiring it twice blocks (as in Python).
 */
SCT_EXTERN int sct_lock_acquire(sct_lock_t *lock, int timeout_ms);

/**
 * Releases @p lock. A Lock may be released by any thread or process; an
 * RLock only by its owner thread.
 * @return 0; SCT_ENOTHELD for an unlocked Lock or an RLock the caller does
 * not own.
 */
SCT_EXTERN int sct_lock_release(sct_lock_t *lock);

/**
 * Drops the caller's reference. Objects using the lock keep it alive.
 * @return 0; SCT_EINVAL for NULL or a lock borrowed from an object
 * (sct_obj_get_lock); SCT_ESTATE for a lock already freed.
 */
SCT_EXTERN int sct_lock_free(sct_lock_t *lock);

/** The kind of @p lock in @p out. */
SCT_EXTERN int sct_lock_kind(const sct_lock_t *lock, sct_lock_kind_t *out);

/**
 * The process id of the current owner in @p pid (0 when unlocked). For an
 * RLock this is the owning thread's id (on Linux a thread id is a pid).
 * -1 when the lock is held by an owner whose id means nothing to the
 * caller: one in another PID namespace (a container), or whose liveness
 * record cannot be read. Ids are for diagnosis only: owners are told
 * apart by a registration of their own, never by pid (README, "Owner
 * identity").
 */
SCT_EXTERN int sct_lock_owner(const sct_lock_t *lock, long *pid);

/**
 * Whether @p lock is held by anyone (Python's locked()): 1 or 0, or a
 * negative SCT_E* code (SCT_EINVAL for NULL, SCT_ESTATE for a freed
 * lock). A snapshot: another process may take or release it at once.
 */
SCT_EXTERN int sct_lock_locked(const sct_lock_t *lock);

/** The recursion count in @p count (a held Lock counts 1, unlocked 0). */
SCT_EXTERN int sct_lock_count(const sct_lock_t *lock, unsigned *count);

/**
 * Creates a named lock that unrelated processes may open with
 * sct_lock_open_named. Names are 1 to 200 characters of [A-Za-z0-9._-],
 * not starting with '.', optionally after a Windows namespace prefix:
 * "Local\" (the default, the same as no prefix) or "Global\" (visible
 * to every session, such as services; creating there needs
 * SeCreateGlobalPrivilege, so other users get SCT_EACCES). POSIX has one
 * namespace: there the prefixes are accepted and ignored, so "Global\x"
 * and "x" are one object. On POSIX the name lives in /dev/shm (shm_open,
 * mode 0600, created exclusively) until sct_lock_unlink_named; on Windows
 * it is a section with a DACL that admits the current user only, and the
 * name goes with its last handle.
 * @return 0; SCT_ENAME; SCT_EEXIST; SCT_EACCES; SCT_EOS.
 */
SCT_EXTERN int sct_lock_create_named(sct_lock_t **out, const char *name,
                                     sct_lock_kind_t kind);

/**
 * Flag for sct_lock_open_named_flags and sct_segment_open_flags: accept an
 * object that another user owns or (POSIX) that group or others may open.
 * Without it such an object is refused with SCT_EACCES, because whoever
 * else can write it can forge its contents (a name squatted by another
 * user, created first and made world-writable, is never used silently).
 */
#define SCT_OPEN_ANY_OWNER 1u

/**
 * Opens a lock made by sct_lock_create_named (sct_lock_open_named_flags
 * with no flags).
 * @return 0; SCT_ENOENT if there is none; SCT_ENAME; SCT_EACCES for an
 * object of another user or one that others may open (see
 * SCT_OPEN_ANY_OWNER); SCT_ETYPE when the name holds something that is
 * not a lock of this version of sct (another kind of file, garbage, a
 * forged state), or a lock whose creator did not finish making it within
 * one second (it died: unlink the name); SCT_EOS.
 */
SCT_EXTERN int sct_lock_open_named(sct_lock_t **out, const char *name);

/**
 * sct_lock_open_named with @p flags: 0 or SCT_OPEN_ANY_OWNER (anything
 * else is SCT_EINVAL). A lock shared between users also needs its file's
 * permissions widened by its creator (chmod on POSIX). Owner death is
 * reported across users too: every user's liveness file is readable by
 * all (see "Owner identity" in the README).
 */
SCT_EXTERN int sct_lock_open_named_flags(sct_lock_t **out, const char *name,
                                         unsigned flags);

/** Removes a lock's name; open handles keep working. SCT_ENOENT if absent. */
SCT_EXTERN int sct_lock_unlink_named(const char *name);

/** @} */

/* ------------------------------------------------------------------------
 * Waiting primitives: Condition, Semaphore, Event, Barrier, Queue
 * ------------------------------------------------------------------------ */
/**
 * @defgroup waiting Waiting primitives
 * Condition, Semaphore and BoundedSemaphore, Event, Barrier and a typed
 * Queue: process-shared, passed to children as arguments (SCT_ACOND, ...)
 * or named for unrelated processes, robust to a participant's death.
 *
 * Waiters sleep in the kernel (futexes on Linux, semaphores on Windows)
 * and use no CPU while nothing happens; nobody makes a system call when
 * nobody waits. Timeouts follow sct_lock_acquire: SCT_INFINITE, 0 (do not
 * wait), or a minimum wait in milliseconds. Named ones follow the naming,
 * permission and open rules of sct_lock_create_named; each kind has its
 * own names ("sct.cond.NAME", "sct.sem.NAME", ... in /dev/shm on Linux).
 *
 * Death of a participant. Nothing below waits for a process that died:
 * a process killed while it waits takes no wake-up meant for others, and
 * a killed waker leaves no sleeper behind (a waiter whose wake-up died
 * with its process is found by a periodic re-check, at most a second
 * late). What each kind reports is said with it.
 * @{
 */

/** A Condition: a lock plus waiting for a notification. */
typedef struct sct_cond sct_cond_t;
/** A Semaphore or BoundedSemaphore. */
typedef struct sct_sem sct_sem_t;
/** An Event: a flag that can be waited for. */
typedef struct sct_event sct_event_t;
/** A Barrier for a fixed number of parties. */
typedef struct sct_barrier sct_barrier_t;
/** A bounded Queue of items of one sct type. */
typedef struct sct_queue sct_queue_t;

/**
 * A Condition over @p lock (a Lock or RLock, referenced by the condition),
 * or over a new RLock when @p lock is NULL (as in Python).
 * @return 0; SCT_EINVAL (NULL @p out, a lock borrowed from an object);
 * SCT_ESTATE (a freed lock); SCT_ENOMEM.
 */
SCT_EXTERN int sct_cond_new(sct_cond_t **out, sct_lock_t *lock);

/**
 * A named Condition with a lock of its own of @p kind, for unrelated
 * processes. @return as sct_lock_create_named.
 */
SCT_EXTERN int sct_cond_create_named(sct_cond_t **out, const char *name,
                                     sct_lock_kind_t kind);
/** Opens a named Condition (see sct_lock_open_named_flags). */
SCT_EXTERN int sct_cond_open_named(sct_cond_t **out, const char *name,
                                   unsigned flags);
/** Removes a Condition's name (see sct_lock_unlink_named). */
SCT_EXTERN int sct_cond_unlink_named(const char *name);

/** The condition's lock (borrowed, valid while @p cond is). */
SCT_EXTERN int sct_cond_lock(sct_cond_t *cond, sct_lock_t **out);

/** Acquires the condition's lock (sct_lock_acquire). */
SCT_EXTERN int sct_cond_acquire(sct_cond_t *cond, int timeout_ms);

/** Releases the condition's lock (sct_lock_release). */
SCT_EXTERN int sct_cond_release(sct_cond_t *cond);

/**
 * Releases the lock completely (an RLock's whole recursion count), waits
 * for a notification or the timeout, and takes the lock back with its
 * count, whatever the outcome. As with POSIX condition variables a wait
 * may end without a notification: check the state after it, or use
 * sct_cond_wait_for.
 * @return 0 (woken); SCT_ETIMEDOUT; SCT_EOWNERDEAD when a holder of the
 * lock died while the caller waited (the caller holds the lock again: the
 * guarded data may need repair); SCT_ENOTHELD when the caller does not
 * hold the lock (nothing is released then).
 */
SCT_EXTERN int sct_cond_wait(sct_cond_t *cond, int timeout_ms);

/** A predicate for sct_cond_wait_for: non-zero when the wait is over. */
typedef int (*sct_predicate_fn)(void *ctx);

/**
 * Waits until @p pred(@p ctx) is true, checking it first and after every
 * wake-up with the lock held, with what is left of the timeout.
 * @return 0 when the predicate became true; SCT_ETIMEDOUT when it was
 * still false at the deadline; SCT_EOWNERDEAD as sct_cond_wait (the
 * predicate is not checked after it: the caller decides); SCT_ENOTHELD;
 * SCT_EINVAL for a NULL predicate.
 */
SCT_EXTERN int sct_cond_wait_for(sct_cond_t *cond, sct_predicate_fn pred,
                                 void *ctx, int timeout_ms);

/**
 * Wakes up to @p n of the waiters that are waiting now (never a later
 * one). A wait may still end without a notification when a waiter killed
 * in its wait was counted (see the group's notes). The caller must hold
 * the lock.
 * @return 0; SCT_ENOTHELD.
 */
SCT_EXTERN int sct_cond_notify(sct_cond_t *cond, unsigned n);

/** Wakes every waiter; the caller must hold the lock. */
SCT_EXTERN int sct_cond_notify_all(sct_cond_t *cond);

/** Drops the caller's reference (the lock is dropped with the last one). */
SCT_EXTERN int sct_cond_free(sct_cond_t *cond);

/**
 * A Semaphore with @p value, or a BoundedSemaphore when @p bounded is
 * non-zero (releasing past the initial value is then SCT_EOVERFLOW).
 * Nobody owns a semaphore, so no death is reported: a process killed
 * holding a unit takes it with it, as in Python.
 * @return 0; SCT_EINVAL (NULL, @p value above INT32_MAX); SCT_ENOMEM.
 */
SCT_EXTERN int sct_sem_new(sct_sem_t **out, unsigned value, int bounded);
/** A named Semaphore (see sct_sem_new and sct_lock_create_named). */
SCT_EXTERN int sct_sem_create_named(sct_sem_t **out, const char *name,
                                    unsigned value, int bounded);
/** Opens a named Semaphore (see sct_lock_open_named_flags). */
SCT_EXTERN int sct_sem_open_named(sct_sem_t **out, const char *name,
                                  unsigned flags);
/** Removes a Semaphore's name. */
SCT_EXTERN int sct_sem_unlink_named(const char *name);

/** Takes one unit, waiting up to @p timeout_ms. 0 or SCT_ETIMEDOUT. */
SCT_EXTERN int sct_sem_acquire(sct_sem_t *sem, int timeout_ms);

/**
 * Gives back one unit, waking one waiter.
 * @return 0; SCT_EOVERFLOW past a BoundedSemaphore's initial value (or
 * past INT32_MAX).
 */
SCT_EXTERN int sct_sem_release(sct_sem_t *sem);

/** The current value in @p out (a snapshot). */
SCT_EXTERN int sct_sem_value(const sct_sem_t *sem, unsigned *out);

/** Drops the caller's reference. */
SCT_EXTERN int sct_sem_free(sct_sem_t *sem);

/** A new Event, clear. @return 0; SCT_EINVAL; SCT_ENOMEM. */
SCT_EXTERN int sct_event_new(sct_event_t **out);
/** A named Event (see sct_lock_create_named). */
SCT_EXTERN int sct_event_create_named(sct_event_t **out, const char *name);
/** Opens a named Event (see sct_lock_open_named_flags). */
SCT_EXTERN int sct_event_open_named(sct_event_t **out, const char *name,
                                    unsigned flags);
/** Removes an Event's name. */
SCT_EXTERN int sct_event_unlink_named(const char *name);
/** Sets the flag and wakes every waiter. */
SCT_EXTERN int sct_event_set(sct_event_t *event);
/** Clears the flag. */
SCT_EXTERN int sct_event_clear(sct_event_t *event);
/** 1 when set, 0 when clear, or a negative SCT_E* code. */
SCT_EXTERN int sct_event_is_set(const sct_event_t *event);
/**
 * Waits until the flag is set: 0, or SCT_ETIMEDOUT while still clear. As
 * in Python, a waiter returns 0 when the flag was set during its wait,
 * even if it was cleared again before the waiter ran.
 */
SCT_EXTERN int sct_event_wait(sct_event_t *event, int timeout_ms);
/** Drops the caller's reference. */
SCT_EXTERN int sct_event_free(sct_event_t *event);

/** A Barrier action, run by exactly one participant per round. */
typedef int (*sct_barrier_action_fn)(void *ctx);

/**
 * A Barrier for @p parties (1 to 1024) participants. @p action (may be
 * NULL) is run, with @p ctx, by the last participant to arrive, before
 * the others are released; a non-zero result breaks the barrier. A
 * function pointer does not cross exec: a spawned child sets its own with
 * sct_barrier_set_action, and a round whose last arrival has none runs
 * none.
 *
 * Death: a participant that dies while it waits at the barrier breaks it
 * (the others get SCT_EBROKEN within about 20 ms); one that dies before
 * arriving cannot be told from a slow one: use a timeout. A wait that
 * times out breaks the barrier too, as in Python.
 * @return 0; SCT_EINVAL (NULL, @p parties out of range); SCT_ENOMEM.
 */
SCT_EXTERN int sct_barrier_new(sct_barrier_t **out, unsigned parties,
                               sct_barrier_action_fn action, void *ctx);
/** A named Barrier (see sct_barrier_new and sct_lock_create_named). */
SCT_EXTERN int sct_barrier_create_named(sct_barrier_t **out, const char *name,
                                        unsigned parties);
/** Opens a named Barrier (see sct_lock_open_named_flags). */
SCT_EXTERN int sct_barrier_open_named(sct_barrier_t **out, const char *name,
                                      unsigned flags);
/** Removes a Barrier's name. */
SCT_EXTERN int sct_barrier_unlink_named(const char *name);
/** Sets this handle's action (NULL: none). */
SCT_EXTERN int sct_barrier_set_action(sct_barrier_t *barrier,
                                      sct_barrier_action_fn action, void *ctx);

/**
 * Waits until all parties have called it; @p index (may be NULL) gets the
 * caller's arrival order, 0 to parties - 1.
 * @return 0; SCT_EBROKEN (broken before or during the wait: aborted,
 * reset while waiting, a participant died or timed out, the action
 * failed); SCT_ETIMEDOUT (and the barrier is now broken).
 */
SCT_EXTERN int sct_barrier_wait(sct_barrier_t *barrier, int timeout_ms,
                                unsigned *index);
/** Back to empty and unbroken; current waiters get SCT_EBROKEN. */
SCT_EXTERN int sct_barrier_reset(sct_barrier_t *barrier);
/** Breaks the barrier: current and future waiters get SCT_EBROKEN. */
SCT_EXTERN int sct_barrier_abort(sct_barrier_t *barrier);
/** 1 when broken, 0 when not, or a negative SCT_E* code. */
SCT_EXTERN int sct_barrier_broken(const sct_barrier_t *barrier);
/** The number of parties in @p out. */
SCT_EXTERN int sct_barrier_parties(const sct_barrier_t *barrier, unsigned *out);
/** How many wait now, in @p out (a snapshot). */
SCT_EXTERN int sct_barrier_n_waiting(const sct_barrier_t *barrier,
                                     unsigned *out);
/** Drops the caller's reference. */
SCT_EXTERN int sct_barrier_free(sct_barrier_t *barrier);

/** Queue flag: the joinable variant (sct_queue_task_done, sct_queue_join). */
#define SCT_QUEUE_JOINABLE 1u

/**
 * A Queue of at most @p capacity items of @p type (copied in and out by
 * value: a typecode's C type or a struct), in shared memory.
 *
 * Timeouts bound the wait for room or for an item; the queue's lock,
 * held only while an item is copied, is waited for without one (so a
 * non-blocking put never says "full" of a queue that is not).
 *
 * Death: an item is copied under the queue's lock and published only
 * after it is whole, so no reader ever sees a torn item. When a process
 * dies inside the queue, the next call repairs it and then does its own
 * operation (callers never retry; sct_queue_deaths counts the repairs):
 * a put that died before publishing its item is dropped (counted in
 * sct_queue_lost, never delivered), one that published it is delivered
 * (and unfinished, for sct_queue_join) as if it had returned; a get that
 * died before taking its item leaves it in the queue (delivered again:
 * at least once), one that took it took it with it.
 * @return 0; SCT_EINVAL (NULL, @p capacity 0 or above 2^30, unknown
 * flags); SCT_EOVERFLOW (too large); SCT_ENOMEM.
 */
SCT_EXTERN int sct_queue_new(sct_queue_t **out, const sct_type_t *type,
                             size_t capacity, unsigned flags);
/**
 * A named Queue (see sct_queue_new and sct_lock_create_named). Its item
 * type is recorded: sct_queue_open_named with another type (another
 * layout, typecode or field name, as sct_type_format tells them apart,
 * as a space does) is SCT_ETYPE, with sct_last_detail saying both.
 */
SCT_EXTERN int sct_queue_create_named(sct_queue_t **out, const char *name,
                                      const sct_type_t *type, size_t capacity,
                                      unsigned flags);
/** Opens a named Queue whose items are @p type (see above). */
SCT_EXTERN int sct_queue_open_named(sct_queue_t **out, const char *name,
                                    const sct_type_t *type, unsigned flags);
/** Removes a Queue's name. */
SCT_EXTERN int sct_queue_unlink_named(const char *name);

/**
 * Copies @p item (the type's size in bytes) in, waiting up to
 * @p timeout_ms for room.
 * @return 0; SCT_EFULL (full at the deadline, or at once with timeout 0);
 * SCT_ECLOSED after sct_queue_close.
 */
SCT_EXTERN int sct_queue_put(sct_queue_t *queue, const void *item,
                             int timeout_ms);

/**
 * Copies the oldest item out into @p item, waiting up to @p timeout_ms.
 * @return 0; SCT_EEMPTY (empty at the deadline, or at once with timeout
 * 0); SCT_ECLOSED when closed and empty.
 */
SCT_EXTERN int sct_queue_get(sct_queue_t *queue, void *item, int timeout_ms);

/** The number of items in @p out (a snapshot). */
SCT_EXTERN int sct_queue_size(const sct_queue_t *queue, size_t *out);
/** 1 when empty, 0 when not, or a negative SCT_E* code. */
SCT_EXTERN int sct_queue_empty(const sct_queue_t *queue);
/** 1 when full, 0 when not, or a negative SCT_E* code. */
SCT_EXTERN int sct_queue_full(const sct_queue_t *queue);
/**
 * Closes the queue for everyone: puts fail with SCT_ECLOSED, gets drain
 * what is left and then fail with SCT_ECLOSED instead of blocking;
 * waiters wake. A second close is harmless.
 */
SCT_EXTERN int sct_queue_close(sct_queue_t *queue);
/** How many puts were lost to a producer's death, in @p out. */
SCT_EXTERN int sct_queue_lost(const sct_queue_t *queue, uint64_t *out);
/**
 * How many processes died inside the queue (in a put or a get, holding
 * its lock), in @p out: each was repaired by the next caller.
 * @return 0; SCT_EINVAL (NULL); SCT_ESTATE (freed); SCT_ETYPE (not a Queue).
 */
SCT_EXTERN int sct_queue_deaths(const sct_queue_t *queue, uint64_t *out);
/**
 * Joinable queues: marks one item got earlier as processed.
 * @return 0; SCT_ESTATE when called more often than items were put;
 * SCT_ETYPE on a queue that is not joinable.
 */
SCT_EXTERN int sct_queue_task_done(sct_queue_t *queue);
/** Joinable queues: waits until every item put has been marked done. */
SCT_EXTERN int sct_queue_join(sct_queue_t *queue, int timeout_ms);
/** Drops the caller's reference. */
SCT_EXTERN int sct_queue_free(sct_queue_t *queue);

/** @} */

/* ------------------------------------------------------------------------
 * Shared objects: RawValue, RawArray, Value, Array, copy, synchronized
 * ------------------------------------------------------------------------ */
/**
 * @defgroup objects Shared objects
 * RawValue, RawArray, Value, Array, copy, synchronized; locked and atomic
 * access; formatting.
 * @{
 */

/** A shared Value or Array, raw or synchronized. */
typedef struct sct_obj sct_obj_t;

/**
 * A raw Value of @p type, initialised from @p init (a local object of the
 * same C type) or zeroed when @p init is NULL.
 * @return 0, SCT_EINVAL, SCT_ENOMEM.
 */
SCT_EXTERN int sct_rawvalue_new(sct_obj_t **out, const sct_type_t *type,
                                const void *init);

/**
 * A raw Array of @p n elements of @p type, copied from @p init (n local
 * elements) or zeroed when @p init is NULL.
 * @return 0; SCT_EINVAL (NULL, n == 0); SCT_EOVERFLOW when n * size does
 * not fit a size_t; SCT_ENOMEM.
 */
SCT_EXTERN int sct_rawarray_new(sct_obj_t **out, const sct_type_t *type,
                                size_t n, const void *init);

/**
 * A synchronized Value: like sct_rawvalue_new, guarded by @p lock, or by a
 * new RLock when @p lock is NULL. (Python's lock=False is sct_rawvalue_new.)
 */
SCT_EXTERN int sct_value_new(sct_obj_t **out, const sct_type_t *type,
                             const void *init, sct_lock_t *lock);

/** A synchronized Array: like sct_rawarray_new, guarded as sct_value_new. */
SCT_EXTERN int sct_array_new(sct_obj_t **out, const sct_type_t *type, size_t n,
                             const void *init, sct_lock_t *lock);

/** A new raw shared Value that is a copy of the local object @p local. */
SCT_EXTERN int sct_copy(sct_obj_t **out, const sct_type_t *type,
                        const void *local);

/**
 * A synchronized wrapper of @p obj using @p lock (a new RLock when NULL).
 * Both handles refer to the same bytes; each is freed on its own.
 * @return 0; SCT_EINVAL; SCT_ESTATE if @p obj is already synchronized.
 */
SCT_EXTERN int sct_synchronized(sct_obj_t **out, sct_obj_t *obj,
                                sct_lock_t *lock);

/**
 * Drops this handle. The shared bytes are freed when no handle (wrapper or
 * wrapped) refers to them any more. In a child, objects inherited from the
 * parent are only forgotten: the parent still owns their memory.
 * @return 0; SCT_EINVAL for NULL or a borrowed handle (sct_obj_get_obj of a
 * sct_value_new object); SCT_ESTATE for a handle already freed (detected
 * while its memory has not been reused for a new handle).
 */
SCT_EXTERN int sct_obj_free(sct_obj_t *obj);

/** The wrapped raw object (borrowed: valid while @p obj is). SCT_ENOLOCK if
 * raw. */
SCT_EXTERN int sct_obj_get_obj(sct_obj_t *obj, sct_obj_t **raw);

/** The lock (borrowed: valid while @p obj is). SCT_ENOLOCK if raw. */
SCT_EXTERN int sct_obj_get_lock(sct_obj_t *obj, sct_lock_t **lock);

/** Acquires the object's lock (see sct_lock_acquire). SCT_ENOLOCK if raw. */
SCT_EXTERN int sct_obj_acquire(sct_obj_t *obj, int timeout_ms);

/** Releases the object's lock. SCT_ENOLOCK if raw. */
SCT_EXTERN int sct_obj_release(sct_obj_t *obj);

/**
 * Runs the statement after it with @p x held: @p x is a synchronized
 * object (sct_obj_t *, its lock is taken), a lock (sct_lock_t *) or a
 * Condition (sct_cond_t *, its lock); any other type does not compile. @p rc
 * (an int lvalue) receives the acquire result. The body runs when the lock was
 * acquired (rc is 0 or SCT_EOWNERDEAD) and the lock is released after it;
 * otherwise (a raw object: SCT_ENOLOCK, a freed handle: SCT_ESTATE, ...) the
 * body is skipped and rc says why. Do not leave the body with break, return or
 * goto.
 */
#define SCT_WITH_LOCK(x, rc)                                                   \
  SCT_WITH_LOCK_(x, rc, SCT_CAT_(sct_scope_, __LINE__))
#define SCT_CAT_(a, b) SCT_CAT2_(a, b)
#define SCT_CAT2_(a, b) a##b
#define SCT_WITH_LOCK_(x, rc, v)                                               \
  for (int v = (((rc) = SCT_ACQUIRE_(x)) == 0 || (rc) == SCT_EOWNERDEAD); v;   \
       v = 0, (void)SCT_RELEASE_(x))
#ifdef __cplusplus
} /* extern "C" */
/* C++ has no _Generic: overloads pick the function, and anything else has
 * no overload to call. */
inline int sct_acquire_(sct_obj_t *x) {
  return sct_obj_acquire(x, -1);
}
inline int sct_acquire_(sct_lock_t *x) {
  return sct_lock_acquire(x, -1);
}
inline int sct_release_(sct_obj_t *x) {
  return sct_obj_release(x);
}
inline int sct_release_(sct_lock_t *x) {
  return sct_lock_release(x);
}
inline int sct_acquire_(sct_cond_t *x) {
  return sct_cond_acquire(x, -1);
}
inline int sct_release_(sct_cond_t *x) {
  return sct_cond_release(x);
}
extern "C" {
#define SCT_ACQUIRE_(x) sct_acquire_(x)
#define SCT_RELEASE_(x) sct_release_(x)
#else
#define SCT_ACQUIRE_(x)                                                        \
  _Generic((x), sct_obj_t *                                                    \
           : sct_obj_acquire, sct_lock_t *                                     \
           : sct_lock_acquire, sct_cond_t *                                    \
           : sct_cond_acquire)((x), SCT_INFINITE)
#define SCT_RELEASE_(x)                                                        \
  _Generic((x), sct_obj_t *                                                    \
           : sct_obj_release, sct_lock_t *                                     \
           : sct_lock_release, sct_cond_t *                                    \
           : sct_cond_release)(x)
#endif

/** The object's element type (borrowed). */
SCT_EXTERN const sct_type_t *sct_obj_type(const sct_obj_t *obj);

/** Number of elements: 1 for a Value, n for an Array, 0 for NULL. */
SCT_EXTERN size_t sct_obj_len(const sct_obj_t *obj);

/** 1 for an Array, 0 for a Value or NULL. */
SCT_EXTERN int sct_obj_is_array(const sct_obj_t *obj);

/**
 * The address of the shared bytes (exactly the C layout of the type).
 * Access through it takes no lock.
 */
SCT_EXTERN void *sct_obj_ptr(const sct_obj_t *obj);

/* Locked access. Each takes the object's lock when it has one (blocking)
 * and returns SCT_EOWNERDEAD, after doing the work, when the previous
 * owner had died. */

/** Copies a whole Value (or Array) out into @p out / in from @p in. */
SCT_EXTERN int sct_value_get(sct_obj_t *obj, void *out);
/** Copies @p in (a local object of the same C type and length) over the
 *  whole Value or Array. */
SCT_EXTERN int sct_value_set(sct_obj_t *obj, const void *in);

/*
 * Integers and floats. The sct_value_* functions are for Values: an Array
 * is SCT_ETYPE (use the sct_array_* forms with an index). The sct_array_*
 * forms take element @p i of an Array, or i == 0 of a Value; SCT_ERANGE
 * past the end. Every one: SCT_EINVAL for NULL, SCT_ESTATE for a freed
 * handle.
 */

/**
 * A Value of an integer typecode as int64_t, under its lock. SCT_ETYPE for
 * other types and for an Array; SCT_EOVERFLOW when the value does not fit
 * (a 'Q' above INT64_MAX).
 */
SCT_EXTERN int sct_value_get_i64(sct_obj_t *obj, int64_t *out);
/** Sets an integer Value to @p v, under its lock: SCT_EOVERFLOW outside
 *  the typecode's range, SCT_ETYPE for other types and for an Array. */
SCT_EXTERN int sct_value_set_i64(sct_obj_t *obj, int64_t v);
/** Element @p i as sct_value_get_i64. */
SCT_EXTERN int sct_array_get_i64(sct_obj_t *obj, size_t i, int64_t *out);
/** Element @p i as sct_value_set_i64. */
SCT_EXTERN int sct_array_set_i64(sct_obj_t *obj, size_t i, int64_t v);

/** A Value of typecode 'f' or 'd' as a double. SCT_ETYPE otherwise (an
 *  Array too). */
SCT_EXTERN int sct_value_get_f64(sct_obj_t *obj, double *out);
/** Sets a Value of typecode 'f' (rounded to float) or 'd' to @p v. */
SCT_EXTERN int sct_value_set_f64(sct_obj_t *obj, double v);

/**
 * Atomically adds @p delta to an integer Value and stores the previous
 * value in @p old (may be NULL). Takes no lock. The sum wraps like C
 * unsigned arithmetic; for an unsigned typecode a negative delta
 * subtracts. @p delta must lie in [min, max] of a signed typecode, in
 * [-max, max] of an unsigned one, else SCT_EOVERFLOW. SCT_ETYPE for
 * non-integer types and for an Array.
 */
SCT_EXTERN int sct_value_add(sct_obj_t *obj, int64_t delta, int64_t *old);

/**
 * Atomically replaces an integer Value equal to @p *expected by
 * @p desired; otherwise stores the current value in @p *expected.
 * @return 0 when swapped, SCT_ESTATE when not; SCT_ETYPE (an Array too);
 * SCT_EOVERFLOW when either value is outside the typecode's range.
 */
SCT_EXTERN int sct_value_cas(sct_obj_t *obj, int64_t *expected,
                             int64_t desired);

/**
 * A 64-bit integer checked once, for sct_counter_add: the fast path of
 * sct_value_add and sct_array_add, an inline atomic add with no call and
 * no checks left (they were made when the counter was taken). Valid while
 * its object is; the object must not be freed while it is used.
 */
typedef struct sct_counter {
  volatile int64_t *at; /**< the integer (private) */
} sct_counter_t;

/**
 * A counter for an integer Value of an 8-byte typecode ('q', 'Q', and 'l'
 * or 'L' where long has 8 bytes).
 * @return 0; SCT_EINVAL (NULL); SCT_ESTATE (freed); SCT_ETYPE (another
 * type, or an Array).
 */
SCT_EXTERN int sct_value_counter(sct_obj_t *obj, sct_counter_t *out);

/** A counter for element @p i of an Array (see sct_value_counter;
 * SCT_ERANGE past the end). */
SCT_EXTERN int sct_array_counter(sct_obj_t *obj, size_t i, sct_counter_t *out);

/**
 * Atomically adds @p delta (wrapping like sct_value_add) and returns the
 * previous value. Takes no lock; sequentially consistent.
 */
static inline int64_t sct_counter_add(sct_counter_t c, int64_t delta) {
#if defined(_MSC_VER) && !defined(__clang__)
  return _InterlockedExchangeAdd64((volatile long long *)c.at, delta);
#else
  return __atomic_fetch_add(c.at, delta, __ATOMIC_SEQ_CST);
#endif
}

/** Atomic add to element @p i, as sct_value_add (a histogram bin, say). */
SCT_EXTERN int sct_array_add(sct_obj_t *obj, size_t i, int64_t delta,
                             int64_t *old);

/** Atomic compare-and-swap of element @p i, as sct_value_cas. */
SCT_EXTERN int sct_array_cas(sct_obj_t *obj, size_t i, int64_t *expected,
                             int64_t desired);

/** Element @p i of an Array (or i == 0 of a Value). SCT_ERANGE past the end. */
SCT_EXTERN int sct_array_get(sct_obj_t *obj, size_t i, void *out);
/** Sets element @p i from @p in. SCT_ERANGE past the end. */
SCT_EXTERN int sct_array_set(sct_obj_t *obj, size_t i, const void *in);

/**
 * Elements [start, stop) copied out to / in from a local buffer of
 * stop - start elements. SCT_ERANGE unless start <= stop <= length.
 */
SCT_EXTERN int sct_array_get_slice(sct_obj_t *obj, size_t start, size_t stop,
                                   void *out);
/** Sets elements [start, stop) from @p in (stop - start local elements). */
SCT_EXTERN int sct_array_set_slice(sct_obj_t *obj, size_t start, size_t stop,
                                   const void *in);

/**
 * Field @p path of struct element @p i; @p path may name nested fields
 * ("pos.x"). The field's bytes are copied to / from @p buf.
 * @return 0; SCT_ETYPE if the element is not a struct; SCT_ENOFIELD;
 * SCT_ERANGE.
 */
SCT_EXTERN int sct_field_get(sct_obj_t *obj, size_t i, const char *path,
                             void *out);
/** Sets field @p path of element @p i from @p in (as sct_field_get). */
SCT_EXTERN int sct_field_set(sct_obj_t *obj, size_t i, const char *path,
                             const void *in);

/**
 * A 'c' Array's value: the bytes up to the first NUL (or all of them),
 * NUL-terminated in @p buf of @p cap bytes; @p len (may be NULL) gets the
 * byte count. SCT_ETYPE for other types; SCT_ERANGE when @p cap is too
 * small (@p len still tells the size needed).
 */
SCT_EXTERN int sct_chars_value(sct_obj_t *obj, char *buf, size_t cap,
                               size_t *len);

/**
 * Sets a 'c' Array's value to @p len bytes of @p s, followed by a NUL when
 * there is room (Python's semantics). SCT_ERANGE when @p len exceeds the
 * array's length.
 */
SCT_EXTERN int sct_chars_set_value(sct_obj_t *obj, const char *s, size_t len);

/**
 * Every byte of a 'c' Array (its raw value, NULs included): exactly n
 * bytes, so a buffer of n bytes is enough; a NUL is added after them when
 * @p cap > n. SCT_ERANGE when @p cap < n (@p len still tells n).
 */
SCT_EXTERN int sct_chars_raw(sct_obj_t *obj, char *buf, size_t cap,
                             size_t *len);

/** Overwrites the first @p len bytes of a 'c' Array; SCT_ERANGE if too long. */
SCT_EXTERN int sct_chars_set_raw(sct_obj_t *obj, const char *s, size_t len);

/**
 * Formats the object the way Python prints it: integers in decimal,
 * floats in shortest round-trip form (0.1111111111111111), 'c' as bytes
 * (b'HELLO'), structs as tuples, Arrays as lists. Writes at most @p cap
 * bytes including the NUL; @p len (may be NULL) gets the full length.
 * @return 0; SCT_ERANGE when @p cap is too small (the text is truncated).
 */
SCT_EXTERN int sct_obj_format(sct_obj_t *obj, char *buf, size_t cap,
                              size_t *len);

/** What the calling process's shared heap holds (see sct_heap_stats). */
typedef struct sct_heap_stats_s {
  size_t arenas;       /**< mappings (arenas) the heap owns */
  size_t mapped_bytes; /**< their total size */
  size_t used_bytes;   /**< bytes in live blocks, headers included (a
                          synchronized Value of at most 8 bytes is one
                          32-byte block: its lock's state and its data) */
  size_t used_blocks;  /**< live blocks (objects and locks) */
} sct_heap_stats_t;

/**
 * The shared heap's figures for this process. Objects inherited from a
 * parent are not counted: their memory is the parent's.
 */
SCT_EXTERN int sct_heap_stats(sct_heap_stats_t *out);

/** @} */

/* ------------------------------------------------------------------------
 * Named shared segments
 * ------------------------------------------------------------------------ */
/**
 * @defgroup segments Named segments
 * Raw named shared memory for unrelated processes.
 * @{
 */

/** A named shared memory segment, for unrelated processes. */
typedef struct sct_segment sct_segment_t;

/**
 * Creates a zeroed segment of @p size bytes under @p name (rules as for
 * sct_lock_create_named), exclusively, readable by the current user only.
 * Its pages are reserved: a full /dev/shm gives SCT_ENOMEM.
 */
SCT_EXTERN int sct_segment_create(sct_segment_t **out, const char *name,
                                  size_t size);

/**
 * Opens an existing named segment (sct_segment_open_flags with no flags).
 * @return 0; SCT_ENOENT; SCT_ENAME; SCT_EACCES for a segment of another
 * user or one that others may open (see SCT_OPEN_ANY_OWNER); SCT_ETYPE
 * for a name that is not a shared memory object; SCT_ESTATE for one
 * whose creator has not sized it yet; SCT_EOS.
 */
SCT_EXTERN int sct_segment_open(sct_segment_t **out, const char *name);

/** sct_segment_open with @p flags: 0 or SCT_OPEN_ANY_OWNER. */
SCT_EXTERN int sct_segment_open_flags(sct_segment_t **out, const char *name,
                                      unsigned flags);

/**
 * Unmaps and frees the handle; the segment lives on until unlinked.
 * @return 0; SCT_EINVAL for NULL or not a segment; SCT_ESTATE for a
 * handle already closed.
 */
SCT_EXTERN int sct_segment_close(sct_segment_t *seg);

/** Removes the name. SCT_ENOENT if absent. */
SCT_EXTERN int sct_segment_unlink(const char *name);

/** The mapped address (NULL for NULL or a closed handle). */
SCT_EXTERN void *sct_segment_ptr(const sct_segment_t *seg);

/** The size in bytes (0 for NULL or a closed handle). */
SCT_EXTERN size_t sct_segment_size(const sct_segment_t *seg);

/** @} */

/* ------------------------------------------------------------------------
 * Named shared spaces
 * ------------------------------------------------------------------------ */
/**
 * @defgroup spaces Named shared spaces
 * A named heap of typed objects for unrelated programs (Boost's
 * managed_shared_memory, Python's SharedMemory with types and locks).
 *
 * A space is one named segment ("sct.space.NAME" in /dev/shm on Linux;
 * the naming, permission and open rules of sct_lock_create_named) of a
 * size fixed at creation: growing would move the mapping under every
 * process that holds pointers into it. It holds a directory of up to
 * @c max_objects names and the objects' bytes. Objects are made, found
 * and removed by name under the space's own robust lock; an object is
 * published only once made, so no opener sees a half-made one, and a
 * creator killed in the middle leaves the space usable (the half-made
 * entry is dropped by the next caller, which gets SCT_OK as usual). The
 * bytes of a removed object are not reused: size a space for its life.
 * A space's creator killed before it finished the header leaves a name
 * that opens as SCT_ETYPE: unlink it. Objects from a space do not go to
 * spawned children as arguments (sct_process_start says SCT_EINVAL):
 * children open the space by name (forked ones inherit the mapping).
 *
 * Byte layout (native byte order, version 4; python/sct_space.py reads
 * it): a 256-byte header ("SCT1" ready mark at 0, u32 version at 4, u64
 * total size at 8, u32 directory slots at 16, u32 objects at 20, u64
 * first free byte at 24, u64 directory offset at 32, u64 data offset at
 * 40, u64 most objects at 48, its creator's identity at 56, the space
 * lock at 64), then the directory: `slots` entries of 256 bytes, then
 * the objects. An entry: the name at 0 (64 bytes, NUL-padded); u32 state
 * at 64 (0 free, 1 being made, 2 ready, 3 removed: only ready entries
 * are objects); u32 kind at 68 (1 Value, 2 Array, 3 Lock or RLock, 17
 * Condition, 18 Semaphore, 19 Event, 20 Barrier, 21 Queue); u32 lock
 * kind at 72 (0 raw, 1 SCT_LOCK, 2 SCT_RLOCK); u32 format length at 76;
 * u64 data offset at 80 (from the space's start); u64 lock offset at 88
 * (0 for none); u64 element count at 96 (0 for a Value); u64 element
 * size at 104; u64 alignment at 112; u64 FNV-1a hash of the whole format
 * at 120; the format's first 127 bytes at 128, NUL-padded. The format of
 * a Value or Array is its type's PEP 3118 format (sct_type_format): a
 * typecode (c b B h H i I l L q Q f d; 'w' for a 4-byte wchar_t), or
 * T{...} of fields "code:name:", each code possibly with an element count
 * "(n)" before it, a nested T{...} for a struct field, and "x" / "Nx" for
 * padding bytes, so every field's offset follows from the string; for
 * waiting primitives it is the parameters that fix their layout. A lock's
 * state is sct's own: take it through libsct (sct_space_object_lock).
 * sct_space_offset gives an object's offset, so other languages need no
 * copy of the struct.
 * @{
 */

/** An open named space. */
typedef struct sct_space sct_space_t;

/** Longest object name in a space (names are [A-Za-z0-9._-], 1 to 63). */
#define SCT_SPACE_NAME_MAX 63

/**
 * Creates a space of @p size bytes (at least 64 KiB) with room for
 * @p max_objects names (1 to 2^24). The space starts with a 256-byte
 * header and a directory of 256-byte entries, as many as the smallest
 * power of two (64 at least) that is at least max_objects * 4/3 + 1 (it
 * stays at most three quarters full); objects' bytes follow. 100,000
 * objects take 262,144 entries, 64 MiB: @p size must leave 64 bytes
 * after the directory at the very least.
 * @return 0; SCT_EINVAL (size under 64 KiB, max_objects 0 or above
 * 2^24); SCT_ETOOSMALL (the directory does not fit in @p size);
 * SCT_ENAME; SCT_EEXIST; SCT_EACCES; SCT_ENOMEM (no memory); SCT_EOS.
 */
SCT_EXTERN int sct_space_create(sct_space_t **out, const char *name,
                                size_t size, size_t max_objects);

/**
 * Opens a space (see sct_lock_open_named_flags for @p flags and the
 * errors). A space still being made is waited for as long as its creator
 * lives. SCT_ETYPE for a file that is not a space, or one whose creator
 * died before finishing it (unlink it).
 */
SCT_EXTERN int sct_space_open(sct_space_t **out, const char *name,
                              unsigned flags);

/**
 * Opens the space, or creates it (@p size, @p max_objects) when there is
 * none: exactly one of several programs starting at once creates it, the
 * others open it. An existing space is opened whatever its own size and
 * directory: @p size and @p max_objects matter only for creating (and are
 * checked only then). @p created (may be NULL) says which happened.
 */
SCT_EXTERN int sct_space_open_or_create(sct_space_t **out, const char *name,
                                        size_t size, size_t max_objects,
                                        int *created);

/** Closes the caller's handle. Objects taken from it must not be used
 * after (they point into its mapping). */
SCT_EXTERN int sct_space_close(sct_space_t *space);

/** Removes a space's name (destroys it once the last process closes it). */
SCT_EXTERN int sct_space_unlink(const char *name);

/** How objects are taken from a space: make, find, or either. */
typedef enum sct_space_mode {
  SCT_SPACE_CREATE = 1,        /**< make it; SCT_EEXIST when it exists */
  SCT_SPACE_FIND = 2,          /**< find it; SCT_ENOENT when absent */
  SCT_SPACE_FIND_OR_CREATE = 3 /**< find it, else make it */
} sct_space_mode_t;

/**
 * A Value (@p n is 0) or Array (@p n > 0) of @p type named @p name in the
 * space: synchronized (with a lock of @p lock_kind inside the space) or
 * raw (@p lock_kind 0). Found objects must match exactly: kind, element
 * count, lock kind and type (size, alignment, typecodes, field names and
 * offsets, as sct_type_format says) or the answer is SCT_ETYPE. New ones
 * are zeroed. The handle is freed with sct_obj_free and valid while the
 * space is open.
 * @return 0; SCT_EINVAL; SCT_ENAME; SCT_EEXIST; SCT_ENOENT; SCT_ETYPE;
 * SCT_ENOMEM when the space or its directory is full; SCT_EOWNERDEAD is
 * never returned here (a process that died inside the space is cleaned
 * up after), but from the object's own lock as usual.
 */
SCT_EXTERN int sct_space_object(sct_space_t *space, const char *name,
                                sct_space_mode_t mode, const sct_type_t *type,
                                size_t n, int lock_kind, sct_obj_t **out);

/** A Lock or RLock named @p name in the space (see sct_space_object). */
SCT_EXTERN int sct_space_lock(sct_space_t *space, const char *name,
                              sct_space_mode_t mode, sct_lock_kind_t kind,
                              sct_lock_t **out);

/**
 * The waiting primitives, by name in the space (see sct_space_object for
 * @p mode and the errors). Found ones must match what fixes their layout:
 * a Condition's lock kind, a BoundedSemaphore's bound (an unbounded
 * Semaphore is found whatever @p value says), a Barrier's parties, a
 * Queue's type, capacity and flags. Each is freed with its own free
 * function and valid while the space is open.
 */
SCT_EXTERN int sct_space_cond(sct_space_t *space, const char *name,
                              sct_space_mode_t mode, sct_lock_kind_t kind,
                              sct_cond_t **out);
/** A Semaphore in a space (see sct_space_cond and sct_sem_new). */
SCT_EXTERN int sct_space_sem(sct_space_t *space, const char *name,
                             sct_space_mode_t mode, unsigned value, int bounded,
                             sct_sem_t **out);
/** An Event in a space (see sct_space_cond). */
SCT_EXTERN int sct_space_event(sct_space_t *space, const char *name,
                               sct_space_mode_t mode, sct_event_t **out);
/** A Barrier in a space (see sct_space_cond and sct_barrier_new). */
SCT_EXTERN int sct_space_barrier(sct_space_t *space, const char *name,
                                 sct_space_mode_t mode, unsigned parties,
                                 sct_barrier_t **out);
/** A Queue in a space (see sct_space_cond and sct_queue_new). */
SCT_EXTERN int sct_space_queue(sct_space_t *space, const char *name,
                               sct_space_mode_t mode, const sct_type_t *type,
                               size_t capacity, unsigned flags,
                               sct_queue_t **out);

/** Removes an object's name; its bytes are not reused. SCT_ENOENT. */
SCT_EXTERN int sct_space_remove(sct_space_t *space, const char *name);

/**
 * The byte offset of object @p name's data in the space (for programs
 * that map the segment themselves), and of its lock (0 for none).
 */
SCT_EXTERN int sct_space_offset(sct_space_t *space, const char *name,
                                size_t *data, size_t *lock);

/**
 * The lock of the Value, Array or lock named @p name, whatever its type:
 * for programs (and other languages) that read the object's bytes
 * themselves and must hold sct's lock while they do. Freed with
 * sct_lock_free; valid while the space is open.
 * @return 0; SCT_EINVAL; SCT_ENOENT; SCT_ENOLOCK (a raw object);
 * SCT_ETYPE (a waiting primitive: use its own functions).
 */
SCT_EXTERN int sct_space_object_lock(sct_space_t *space, const char *name,
                                     sct_lock_t **out);

/** A listing callback: non-zero stops the listing and is returned. */
typedef int (*sct_space_list_fn)(const char *name, void *ctx);

/** Calls @p fn for the name of every object in the space (a snapshot,
 * taken under the space's lock; @p fn runs without it). */
SCT_EXTERN int sct_space_list(sct_space_t *space, sct_space_list_fn fn,
                              void *ctx);

/**
 * The layout of @p type as a PEP 3118 format string ("q", or for a struct
 * "T{i:x:4xd:y:}", padding explicit, native sizes), for Python's
 * memoryview, ctypes or numpy. @p needed (may be NULL) gets its length.
 * @return 0; SCT_EINVAL; SCT_EOVERFLOW when @p cap is too small.
 */
SCT_EXTERN int sct_type_format(const sct_type_t *type, char *buf, size_t cap,
                               size_t *needed);

/** @} */

/* ------------------------------------------------------------------------
 * Processes
 * ------------------------------------------------------------------------ */
/**
 * @defgroup processes Processes
 * Targets, arguments, start methods, join and exit codes.
 * @{
 */

/** The arguments a target receives. */
typedef struct sct_args sct_args_t;

/** A target: returns the child's exit status (0 to 255). */
typedef int (*sct_target_fn)(const sct_args_t *args);

/** One named target of the program's target table. */
typedef struct sct_target {
  const char *name; /**< the name processes are started with */
  sct_target_fn fn; /**< the function run in the child */
} sct_target_t;

/**
 * The entry hook: call it first thing in main(), with the program's
 * target table (which must stay valid). In the parent it returns 0 and
 * main goes on. In a child started by the spawn method it attaches the
 * inherited segments, rebuilds the arguments, runs the target and exits
 * with its status, never returning (SCT_EXIT_BOOTSTRAP or
 * SCT_EXIT_NOTARGET when it cannot). Nothing before this call runs in a
 * spawned child that main's own code would not run again: keep it first.
 * @return 0; SCT_EINVAL for a NULL table with n > 0, a target without a
 * name or function, or two targets with one name.
 */
SCT_EXTERN int sct_main(int argc, char **argv, const sct_target_t *targets,
                        size_t n);

/** The kinds of argument a target can receive. */
typedef enum sct_arg_kind {
  SCT_ARG_NONE_ = 0,   /**< no argument (never valid) */
  SCT_ARG_OBJ = 1,     /**< a shared object (sct_obj_t *) */
  SCT_ARG_LOCK = 2,    /**< a lock (sct_lock_t *) */
  SCT_ARG_INT = 3,     /**< an int64_t */
  SCT_ARG_DOUBLE = 4,  /**< a double */
  SCT_ARG_STR = 5,     /**< a NUL-terminated string */
  SCT_ARG_COND = 6,    /**< a Condition (sct_cond_t *) */
  SCT_ARG_SEM = 7,     /**< a Semaphore (sct_sem_t *) */
  SCT_ARG_EVENT = 8,   /**< an Event (sct_event_t *) */
  SCT_ARG_BARRIER = 9, /**< a Barrier (sct_barrier_t *) */
  SCT_ARG_QUEUE = 10   /**< a Queue (sct_queue_t *) */
} sct_arg_kind_t;

/** One argument, built with the SCT_A* macros. */
typedef struct sct_arg {
  sct_arg_kind_t kind; /**< which member of @c u is set */
  /** The value, by kind. */
  union {
    sct_obj_t *obj;         /**< SCT_ARG_OBJ: a shared object */
    sct_lock_t *lock;       /**< SCT_ARG_LOCK: a lock */
    int64_t i;              /**< SCT_ARG_INT */
    double d;               /**< SCT_ARG_DOUBLE */
    const char *s;          /**< SCT_ARG_STR: copied by sct_process_new */
    sct_cond_t *cond;       /**< SCT_ARG_COND */
    sct_sem_t *sem;         /**< SCT_ARG_SEM */
    sct_event_t *event;     /**< SCT_ARG_EVENT */
    sct_barrier_t *barrier; /**< SCT_ARG_BARRIER */
    sct_queue_t *queue;     /**< SCT_ARG_QUEUE */
  } u;
} sct_arg_t;

/** An object argument. */
static inline sct_arg_t sct_arg_obj(sct_obj_t *o) {
  sct_arg_t a;
  a.kind = SCT_ARG_OBJ;
  a.u.obj = o;
  return a;
}
/** A lock argument. */
static inline sct_arg_t sct_arg_lock(sct_lock_t *l) {
  sct_arg_t a;
  a.kind = SCT_ARG_LOCK;
  a.u.lock = l;
  return a;
}
/** An integer argument. */
static inline sct_arg_t sct_arg_int(int64_t v) {
  sct_arg_t a;
  a.kind = SCT_ARG_INT;
  a.u.i = v;
  return a;
}
/** A double argument. */
static inline sct_arg_t sct_arg_double(double v) {
  sct_arg_t a;
  a.kind = SCT_ARG_DOUBLE;
  a.u.d = v;
  return a;
}
/** A string argument (copied when the process is made). */
static inline sct_arg_t sct_arg_str(const char *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_STR;
  a.u.s = v;
  return a;
}
/** A cond argument. */
static inline sct_arg_t sct_arg_cond(sct_cond_t *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_COND;
  a.u.cond = v;
  return a;
}
/** A sem argument. */
static inline sct_arg_t sct_arg_sem(sct_sem_t *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_SEM;
  a.u.sem = v;
  return a;
}
/** A event argument. */
static inline sct_arg_t sct_arg_event(sct_event_t *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_EVENT;
  a.u.event = v;
  return a;
}
/** A barrier argument. */
static inline sct_arg_t sct_arg_barrier(sct_barrier_t *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_BARRIER;
  a.u.barrier = v;
  return a;
}
/** A queue argument. */
static inline sct_arg_t sct_arg_queue(sct_queue_t *v) {
  sct_arg_t a;
  a.kind = SCT_ARG_QUEUE;
  a.u.queue = v;
  return a;
}

/*
 * The same as macros: C gets compound literals (usable where a constant
 * initializer is, with GCC and Clang), C++ the functions above (no C++
 * standard has compound literals; designated initializers are C++20).
 */
#ifdef __cplusplus
#define SCT_AOBJ(o) sct_arg_obj(o)
#define SCT_ALOCK(l) sct_arg_lock(l)
#define SCT_AINT(v) sct_arg_int(v)
#define SCT_ADOUBLE(v) sct_arg_double(v)
#define SCT_ASTR(v) sct_arg_str(v)
#define SCT_ACOND(v) sct_arg_cond(v)
#define SCT_ASEM(v) sct_arg_sem(v)
#define SCT_AEVENT(v) sct_arg_event(v)
#define SCT_ABARRIER(v) sct_arg_barrier(v)
#define SCT_AQUEUE(v) sct_arg_queue(v)
#else
/** An object argument (see sct_arg_obj). */
#define SCT_AOBJ(o) ((sct_arg_t){SCT_ARG_OBJ, {.obj = (o)}})
/** A lock argument (see sct_arg_lock). */
#define SCT_ALOCK(l) ((sct_arg_t){SCT_ARG_LOCK, {.lock = (l)}})
/** An integer argument (see sct_arg_int). */
#define SCT_AINT(v) ((sct_arg_t){SCT_ARG_INT, {.i = (v)}})
/** A double argument (see sct_arg_double). */
#define SCT_ADOUBLE(v) ((sct_arg_t){SCT_ARG_DOUBLE, {.d = (v)}})
/** A string argument (see sct_arg_str). */
#define SCT_ASTR(v) ((sct_arg_t){SCT_ARG_STR, {.s = (v)}})
/** A Condition argument (see sct_arg_cond). */
#define SCT_ACOND(v) ((sct_arg_t){SCT_ARG_COND, {.cond = (v)}})
/** A Semaphore argument (see sct_arg_sem). */
#define SCT_ASEM(v) ((sct_arg_t){SCT_ARG_SEM, {.sem = (v)}})
/** An Event argument (see sct_arg_event). */
#define SCT_AEVENT(v) ((sct_arg_t){SCT_ARG_EVENT, {.event = (v)}})
/** A Barrier argument (see sct_arg_barrier). */
#define SCT_ABARRIER(v) ((sct_arg_t){SCT_ARG_BARRIER, {.barrier = (v)}})
/** A Queue argument (see sct_arg_queue). */
#define SCT_AQUEUE(v) ((sct_arg_t){SCT_ARG_QUEUE, {.queue = (v)}})
#endif

/** Number of arguments. */
SCT_EXTERN size_t sct_args_count(const sct_args_t *args);

/**
 * Argument @p i as the given kind (borrowed, valid during the target).
 * @return 0; SCT_ERANGE past the end; SCT_ETYPE for another kind.
 */
SCT_EXTERN int sct_args_obj(const sct_args_t *args, size_t i, sct_obj_t **out);
/** Argument @p i as a lock (see sct_args_obj). */
SCT_EXTERN int sct_args_lock(const sct_args_t *args, size_t i,
                             sct_lock_t **out);
/** Argument @p i as a Condition (see sct_args_obj). */
SCT_EXTERN int sct_args_cond(const sct_args_t *args, size_t i,
                             sct_cond_t **out);
/** Argument @p i as a Semaphore (see sct_args_obj). */
SCT_EXTERN int sct_args_sem(const sct_args_t *args, size_t i, sct_sem_t **out);
/** Argument @p i as an Event (see sct_args_obj). */
SCT_EXTERN int sct_args_event(const sct_args_t *args, size_t i,
                              sct_event_t **out);
/** Argument @p i as a Barrier (see sct_args_obj). */
SCT_EXTERN int sct_args_barrier(const sct_args_t *args, size_t i,
                                sct_barrier_t **out);
/** Argument @p i as a Queue (see sct_args_obj). */
SCT_EXTERN int sct_args_queue(const sct_args_t *args, size_t i,
                              sct_queue_t **out);
/** Argument @p i as an integer (see sct_args_obj). */
SCT_EXTERN int sct_args_int(const sct_args_t *args, size_t i, int64_t *out);
/** Argument @p i as a double (see sct_args_obj). */
SCT_EXTERN int sct_args_double(const sct_args_t *args, size_t i, double *out);
/** Argument @p i as a string (see sct_args_obj). */
SCT_EXTERN int sct_args_str(const sct_args_t *args, size_t i, const char **out);

/** A child process. */
typedef struct sct_process sct_process_t;

/** How a child is started. */
typedef enum sct_start_method {
  SCT_START_DEFAULT = 0, /**< the process-wide default (see below) */
  SCT_START_FORK = 1,    /**< fork: the child is a copy (POSIX only) */
  SCT_START_SPAWN = 2    /**< re-execute the program; the only way on Windows */
} sct_start_method_t;

/**
 * Sets the process-wide default start method, used by processes left at
 * SCT_START_DEFAULT. Initially fork on POSIX, spawn on Windows;
 * SCT_START_DEFAULT restores that.
 * @return 0; SCT_EINVAL for an unknown method or fork where there is none.
 */
SCT_EXTERN int sct_set_start_method(sct_start_method_t method);

/**
 * Exit status of a spawned child whose bootstrap message was rejected
 * (truncated, oversized, wrong version, garbage, or a handle that is not
 * the segment it claims to be). The child prints one line on stderr.
 */
#define SCT_EXIT_BOOTSTRAP 121
/** Exit status of a spawned child asked to run a target it does not have. */
#define SCT_EXIT_NOTARGET 122

/**
 * Prepares a child that will run target @p target (a name from the table
 * given to sct_main) with @p nargs arguments, copied (strings included).
 * The process holds a reference to every object and lock in @p args
 * until sct_process_free, so the caller may free its own handles at once
 * (as Python keeps a Process's arguments alive).
 * @return 0; SCT_EINVAL (NULL, bad argument kind); SCT_ENOMAIN when
 * sct_main was not called; SCT_ENOTARGET; SCT_ENOMEM.
 */
SCT_EXTERN int sct_process_new(sct_process_t **out, const char *target,
                               const sct_arg_t *args, size_t nargs);

/** Chooses the start method before sct_process_start. */
SCT_EXTERN int sct_process_set_start_method(sct_process_t *p,
                                            sct_start_method_t method);

/** Starts the child. SCT_ESTATE if already started; SCT_ECHILD; SCT_EOS. */
SCT_EXTERN int sct_process_start(sct_process_t *p);

/**
 * Waits for the child to end: @p timeout_ms as in sct_lock_acquire.
 * @return 0; SCT_ETIMEDOUT; SCT_ESTATE when not started or already joined.
 */
SCT_EXTERN int sct_process_join(sct_process_t *p, int timeout_ms);

/**
 * The exit code: the target's status, or minus the signal number when a
 * signal ended it (as in Python). SCT_ESTATE while it has not ended.
 */
SCT_EXTERN int sct_process_exitcode(sct_process_t *p, int *code);

/** 1 while started and not ended, 0 otherwise; or a negative error. */
SCT_EXTERN int sct_process_is_alive(sct_process_t *p);

/** Asks the child to stop (SIGTERM; TerminateProcess on Windows). */
SCT_EXTERN int sct_process_terminate(sct_process_t *p);

/** Kills the child (SIGKILL; TerminateProcess on Windows). */
SCT_EXTERN int sct_process_kill(sct_process_t *p);

/** The child's pid in @p pid (0 before start). */
SCT_EXTERN int sct_process_pid(const sct_process_t *p, long *pid);

/**
 * Frees the handle, and with it the process's references to its
 * arguments. A child still running is neither waited for nor killed; it is
 * reaped by the OS as an orphan when this process ends. Using or freeing
 * a freed handle is SCT_ESTATE (every process function says so).
 */
SCT_EXTERN int sct_process_free(sct_process_t *p);

/** @} */

/* ------------------------------------------------------------------------
 * Waiting for any of several
 * ------------------------------------------------------------------------ */
/**
 * @defgroup waitany Waiting for any of several
 * One wait for the first of several things: an item in a Queue, room in
 * one, a Semaphore, an Event, a child's end (as Python's
 * `multiprocessing.connection.wait` with `Process.sentinel`). The wait
 * does the operation it waited for, so nothing is taken by one waiter
 * and reported ready to another.
 * @{
 */

/** What an entry of sct_wait_any waits for, and does when it can. */
typedef enum sct_wait_kind {
  SCT_WAIT_QUEUE_GET = 1, /**< takes the oldest item of a Queue */
  SCT_WAIT_QUEUE_PUT = 2, /**< puts an item into a Queue */
  SCT_WAIT_SEM = 3,       /**< acquires a Semaphore */
  SCT_WAIT_EVENT = 4,     /**< an Event set (nothing taken; see below) */
  SCT_WAIT_PROCESS = 5    /**< a started child ends (and is joined) */
} sct_wait_kind_t;

/** One entry of sct_wait_any; make it with the sct_wait_* functions. */
typedef struct sct_wait {
  sct_wait_kind_t kind; /**< what it waits for */
  void *object;    /**< the Queue, Semaphore, Event or process */
  void *out;       /**< SCT_WAIT_QUEUE_GET: where the item goes */
  const void *in;  /**< SCT_WAIT_QUEUE_PUT: the item */
  int rc;          /**< the entry done: its operation's result */
} sct_wait_t;

/** The most entries one sct_wait_any takes (Windows waits for at most 64
 * kernel objects at once, and keeps one). */
#define SCT_WAIT_MAX 63

/** An entry of @p kind (the functions below say which fields it needs). */
static inline sct_wait_t sct_wait_entry(sct_wait_kind_t kind, void *object,
                                        void *out, const void *in) {
  sct_wait_t w;
  w.kind = kind;
  w.object = object;
  w.out = out;
  w.in = in;
  w.rc = 0;
  return w;
}
/** Takes an item of @p queue into @p item (the type's size in bytes). */
static inline sct_wait_t sct_wait_queue_get(sct_queue_t *queue, void *item) {
  return sct_wait_entry(SCT_WAIT_QUEUE_GET, queue, item, NULL);
}
/** Puts @p item into @p queue. */
static inline sct_wait_t sct_wait_queue_put(sct_queue_t *queue,
                                            const void *item) {
  return sct_wait_entry(SCT_WAIT_QUEUE_PUT, queue, NULL, item);
}
/** Acquires @p sem. */
static inline sct_wait_t sct_wait_sem(sct_sem_t *sem) {
  return sct_wait_entry(SCT_WAIT_SEM, sem, NULL, NULL);
}
/** Waits for @p event to be set. */
static inline sct_wait_t sct_wait_event(sct_event_t *event) {
  return sct_wait_entry(SCT_WAIT_EVENT, event, NULL, NULL);
}
/** Waits for the started child @p p to end, and joins it. */
static inline sct_wait_t sct_wait_process(sct_process_t *p) {
  return sct_wait_entry(SCT_WAIT_PROCESS, p, NULL, NULL);
}

/**
 * Waits up to @p timeout_ms (as in sct_lock_acquire) until one of the
 * @p n entries can be done, does it, and says which in @p which. Entries
 * are tried in order, so an earlier one wins when several are ready
 * (rotate them for fairness). The entry done gets its operation's result
 * in `rc`, as the single call with timeout 0 would return it: 0, or
 * SCT_ECLOSED for a Queue closed (and, for a get, empty). An Event entry
 * is done when the Event is set, or was set and cleared again while the
 * call waited (a pulse, as sct_event_wait). A process entry is done when
 * the child has ended; it is then joined (sct_process_exitcode).
 *
 * How it sleeps: Linux 5.16 and later sleep on every entry's word at
 * once (`futex_waitv`); a child's end is a pidfd (Linux 5.3), and a wait
 * that mixes children with other entries starts a helper thread for its
 * duration (the kernel cannot wait for a futex and a descriptor at
 * once). Windows waits for the entries' kernel objects
 * (`WaitForMultipleObjects`). Older Linux kernels and other POSIX
 * systems poll every millisecond: say so with
 * sct_wait_any_polls. No wake-up is lost: a wake-up meant for another
 * waiter that this call took while doing a different entry is passed on.
 *
 * @return 0 with *which set; SCT_ETIMEDOUT (nothing could be done in
 * time); SCT_EINVAL (NULL @p items or @p which, @p n 0 or above
 * SCT_WAIT_MAX, an unknown kind, a NULL object or item; sct_last_detail
 * names the entry); SCT_ETYPE (an object of another kind); SCT_ESTATE
 * (a freed handle, a process not started or already joined); SCT_ENOMEM
 * (no helper thread).
 */
SCT_EXTERN int sct_wait_any(sct_wait_t *items, size_t n, int timeout_ms,
                            size_t *which);

/** 1 when sct_wait_any polls on this machine (see above), else 0. */
SCT_EXTERN int sct_wait_any_polls(void);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* SCT_H */
