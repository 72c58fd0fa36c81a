/*
 * Owner identities on POSIX: when a process or thread registers in the
 * liveness file (liveness.c explains the file and why), and how a fork
 * and a thread's exit end a registration.
 *
 * A process registers on first need and keeps its slot until it exits. A
 * thread registers the first time it takes an RLock, and its slot is
 * released by a thread-specific-data destructor when it exits, so an RLock
 * left held by an ended thread is reported like a dead process's. A forked
 * child inherits its parent's descriptors, and with them a share in the
 * parent's slots, which would keep a dead parent looking alive: the child
 * closes them all and, if the parent was registered, registers at once,
 * while the descriptor it just freed is still free (a child forked with
 * the descriptor table full could not register later).
 */
#define _GNU_SOURCE
#include "../base/atomics.h"
#include "../base/internal.h"
#include "liveness.h"
#include "../base/testhook.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Guards the registrations below; held across fork. */
static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
sct__ident_t sct__process_ident; /* 0 until registered */
static int process_fd = -1;

/* Every registered thread's descriptor, so a forked child can close its
 * copies of them. */
static int *thread_fds;
static size_t thread_fd_count, thread_fd_cap;

SCT__THREAD_LOCAL sct__ident_t sct__thread_ident;
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static long thread_id(void) {
  return (long)syscall(SYS_gettid);
}

/* Registers the process on first need. */
SCT__NOINLINE static int register_process(sct__ident_t *out) {
  sct__live_claim_t claim;
  int rc = 0;
  pthread_mutex_lock(&registry_mutex);
  sct__ident_t id = sct__process_ident;
  if (id == 0) {
    rc = sct__live_claim((long)getpid(), "/proc/self/stat", &claim);
    if (rc == 0) {
      process_fd = claim.fd;
      id = claim.ident;
      sct__store_release(&sct__process_ident, id);
    }
  }
  pthread_mutex_unlock(&registry_mutex);
  *out = id;
  return rc;
}

int sct__self_process(sct__ident_t *out) {
  sct__ident_t id = sct__load_acquire(&sct__process_ident);
  if (id == 0)
    return register_process(out);
  *out = id;
  return 0;
}

/* Forgets @p fd among the thread descriptors; the caller holds the mutex. */
static void forget_thread_fd(int fd) {
  for (size_t i = 0; i < thread_fd_count; i++)
    if (thread_fds[i] == fd) {
      thread_fds[i] = thread_fds[--thread_fd_count];
      return;
    }
}

/* A registered thread ends. Other keys' destructors may still run after
 * this one and take or hold RLocks, so the slot is kept (the key set
 * again) through every round of destructors but the last; then it is
 * released with its descriptor, and the thread's identity forgotten, so
 * an RLock taken after that registers the thread anew. */
static void thread_exit(void *value) {
  static SCT__THREAD_LOCAL int rounds;
  if (++rounds < PTHREAD_DESTRUCTOR_ITERATIONS &&
      pthread_setspecific(thread_key, value) == 0)
    return;
  int fd = (int)(intptr_t)value - 1;
  pthread_mutex_lock(&registry_mutex);
  forget_thread_fd(fd);
  close(fd);
  sct__thread_ident = 0;
  pthread_mutex_unlock(&registry_mutex);
  rounds = 0;
}

static void make_thread_key(void) {
  if (pthread_key_create(&thread_key, thread_exit) != 0)
    thread_key = (pthread_key_t)-1;
}

/* Keeps @p fd in the table and arranges its closing at thread exit; the
 * caller holds the registry mutex. */
static int remember_thread_fd(int fd) {
  if (thread_fd_count == thread_fd_cap) {
    size_t cap = thread_fd_cap ? thread_fd_cap * 2 : 16;
    int *grown = realloc(thread_fds, cap * sizeof *grown);
    if (!grown)
      return SCT_ENOMEM;
    thread_fds = grown;
    thread_fd_cap = cap;
  }
  if (pthread_setspecific(thread_key, (void *)(intptr_t)(fd + 1)) != 0)
    return SCT_ENOMEM;
  thread_fds[thread_fd_count++] = fd;
  return 0;
}

/* Registers the calling thread on its first RLock. The claim and its
 * remembering are one step under the registry mutex, which a fork waits
 * for: a child forked between them would keep a copy of the descriptor
 * it does not know to close, and the thread's slot would outlive it. */
SCT__NOINLINE static int register_thread(sct__ident_t *out) {
  sct__live_claim_t claim;
  pthread_once(&thread_key_once, make_thread_key);
  if (thread_key == (pthread_key_t)-1)
    return SCT_ENOMEM;
  pthread_mutex_lock(&registry_mutex);
  int rc = sct__live_claim(thread_id(), "/proc/thread-self/stat", &claim);
  if (rc == 0) {
    SCT__TEST_HOOK("identity.thread_claimed", NULL);
    rc = remember_thread_fd(claim.fd);
    if (rc != 0)
      close(claim.fd);
  }
  pthread_mutex_unlock(&registry_mutex);
  if (rc != 0)
    return rc;
  sct__thread_ident = claim.ident;
  *out = sct__thread_ident;
  return 0;
}

int sct__self_thread(sct__ident_t *out) {
  sct__ident_t id = sct__thread_ident;
  if (id == 0)
    return register_thread(out);
  *out = id;
  return 0;
}

int sct__ident_alive(sct__ident_t who) {
  /* Our own slots: asking the file from our own descriptions would find
   * them unlocked (a description does not conflict with itself). */
  if (who == sct__load_acquire(&sct__process_ident) || who == sct__thread_ident)
    return 1;
  return sct__live_alive(who, sct__load_relaxed(&process_fd));
}

long sct__ident_os_id(sct__ident_t who) {
  if (who == sct__load_acquire(&sct__process_ident))
    return (long)getpid();
  if (who == sct__thread_ident)
    return thread_id();
  return sct__live_os_id(who, sct__load_relaxed(&process_fd));
}

static void (*core_prepare)(void);
static void (*core_parent)(void);
static void (*core_child)(void);

static void on_fork_prepare(void) {
  if (core_prepare)
    core_prepare();
  pthread_mutex_lock(&registry_mutex);
}

static void on_fork_parent(void) {
  pthread_mutex_unlock(&registry_mutex);
  if (core_parent)
    core_parent();
}

/* In the child: drop the shares in the parent's slots, then register. */
static void on_fork_child(void) {
  int was_registered = sct__process_ident != 0;
  if (process_fd >= 0)
    close(process_fd);
  process_fd = -1;
  sct__process_ident = 0;
  for (size_t i = 0; i < thread_fd_count; i++)
    close(thread_fds[i]);
  thread_fd_count = 0;
  if (sct__thread_ident != 0)
    (void)pthread_setspecific(thread_key, NULL);
  sct__thread_ident = 0;
  pthread_mutex_init(&registry_mutex, NULL);
  if (was_registered) {
    sct__ident_t ignored;
    (void)sct__self_process(&ignored); /* on failure, retried on need */
  }
  if (core_child)
    core_child();
}

void sct__install_fork_handlers(void (*prepare)(void), void (*parent)(void),
                                void (*child)(void)) {
  core_prepare = prepare;
  core_parent = parent;
  core_child = child;
  pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
}
