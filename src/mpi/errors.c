/*
 * Errors (the MPI code and text behind an SCT_EOS, the detail of a
 * mismatch), handle checks, and the pause every wait makes.
 */
#define _POSIX_C_SOURCE 200809L
#include "mpi_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sched.h>
#include <time.h>
#endif

/* One thread per rank calls sct_mpi (sct_mpi.h), but a thread-local keeps
 * a second thread's error its own. */
#if defined(_MSC_VER)
#define THREAD_LOCAL __declspec(thread)
#else
#define THREAD_LOCAL _Thread_local
#endif

static THREAD_LOCAL int last_mpi_error;
static THREAD_LOCAL char last_detail[512];

int sct_mpi_last_mpi_error(void) {
  return last_mpi_error;
}

const char *sct_mpi_last_detail(void) {
  return last_detail;
}

int sct__mpi_fail(int mpi_rc, const char *call) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  last_mpi_error = mpi_rc;
  if (MPI_Error_string(mpi_rc, text, &len) != MPI_SUCCESS)
    snprintf(text, sizeof text, "MPI error %d", mpi_rc);
  snprintf(last_detail, sizeof last_detail, "%.100s: %.400s", call, text);
  return SCT_EOS;
}

int sct__mpi_detail(int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_detail, sizeof last_detail, fmt, ap);
  va_end(ap);
  return rc;
}

/* The first pause, and the longest (sct_mpi.h: "Waiting"). */
#define PAUSE_FIRST 1e-6
#define PAUSE_LONGEST 1e-3
/* Below this a pause spins: a yield is a system call, and longer than
 * many a critical section on one node. */
#define PAUSE_YIELDS_FROM 2e-6
/* Below this a pause yields the CPU instead of sleeping: a sleep costs
 * the kernel's timer slack (about 50 us) however short it is asked. */
#define PAUSE_SLEEPS_FROM 20e-6

void sct__mpi_pause_start(pause_t *p, int timeout_ms) {
  p->started = MPI_Wtime();
  p->deadline = timeout_ms < 0 ? -1 : p->started + timeout_ms / 1000.0;
  p->delay = PAUSE_FIRST;
  p->longest = PAUSE_LONGEST;
}

void sct__mpi_pause_cap(pause_t *p, double longest, int cpu_atomics) {
  /* On one node never below yielding: a waiter that only spins takes the
   * cache line of the word it waits on from the rank about to release
   * it. Across nodes a pause calls MPI throughout anyway. */
  double least = cpu_atomics ? PAUSE_SLEEPS_FROM : PAUSE_FIRST;
  if (longest < least)
    longest = least;
  p->longest = longest < PAUSE_LONGEST ? longest : PAUSE_LONGEST;
}

double sct__mpi_waited(const pause_t *p) {
  return MPI_Wtime() - p->started;
}

static void sleep_for(double seconds) {
#ifdef _WIN32
  Sleep((DWORD)(seconds * 1000) + 1);
#else
  struct timespec ts = {0, (long)(seconds * 1e9)};
  nanosleep(&ts, NULL);
#endif
}

static void yield_cpu(void) {
#ifdef _WIN32
  SwitchToThread();
#else
  sched_yield();
#endif
}

static void spin_for(double seconds, double from) {
  while (MPI_Wtime() - from < seconds) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

int sct__mpi_pause(sct_mpi_space_t *sp, pause_t *p) {
  double now = MPI_Wtime();
  if (p->deadline >= 0 && now >= p->deadline)
    return SCT_ETIMEDOUT;
  double delay = p->delay;
  if (p->deadline >= 0 && now + delay > p->deadline)
    delay = p->deadline - now;
  p->delay = p->delay * 2 > p->longest ? p->longest : p->delay * 2;
  if (!sp->cpu_atomics) {
    /* Across nodes other ranks' one-sided calls to this one complete only
     * while it is inside MPI (sct_mpi.h, "Progress"), and the rank this
     * one waits for may be waiting on exactly that: the pause keeps
     * calling MPI, yielding the CPU between calls. */
    int rc;
    do {
      if ((rc = sct_mpi_progress(sp)) != 0)
        return rc;
      yield_cpu();
    } while (MPI_Wtime() - now < delay);
    return 0;
  }
  /* One node: every operation is a CPU atomic or a copy, and MPI has no
   * one-sided work of ours to progress. */
  if (delay < PAUSE_YIELDS_FROM) {
    spin_for(delay, now);
  } else if (delay < PAUSE_SLEEPS_FROM) {
    do
      yield_cpu();
    while (MPI_Wtime() - now < delay);
  } else {
    sleep_for(delay);
  }
  return 0;
}

int sct_mpi_progress(sct_mpi_space_t *sp) {
  int flag;
  int rc = sct__mpi_space_check(sp);
  if (rc != 0)
    return rc;
  /* Any call into MPI progresses its one-sided engine; a probe is the
   * cheapest that touches no state of ours. */
  MPI_CHECK(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, sp->comm, &flag,
                       MPI_STATUS_IGNORE));
  return 0;
}

#ifdef SCT_TEST_HOOKS
void sct__mpi_hook_pause(const char *name) {
  const char *ms = getenv(name);
  if (ms && atoi(ms) > 0)
    sleep_for(atoi(ms) / 1000.0);
}
#endif
