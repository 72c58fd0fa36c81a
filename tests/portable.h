/*
 * The few OS facts the tests need, for Linux and Windows (the library
 * itself hides the rest). Test code only.
 */
#ifndef SCT_TEST_PORTABLE_H
#define SCT_TEST_PORTABLE_H

#include <signal.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN /* no rpcndr.h, whose SDK version defines small */
#endif
#include <windows.h>
#define test_pid() ((long)GetCurrentProcessId())
#define test_tid() ((long)GetCurrentThreadId())
#else
#include <sys/syscall.h>
#include <unistd.h>
#define test_pid() ((long)getpid())
#define test_tid() ((long)syscall(SYS_gettid))
#endif

/*
 * Threads for the tests that need a second thread in one process: Win32
 * threads on Windows (so an MSVC build needs no pthreads), pthreads
 * elsewhere. test_thread_run starts fn(arg) and waits for it; that is all
 * the tests need, and it leaves nothing to clean up. Returns 0 or -1.
 */
typedef void (*test_thread_fn)(void *arg);
int test_threads_run(test_thread_fn fn, void *const *args, int n);
/* Likewise, thread i running fns[i](args[i]). */
int test_threads_run_each(const test_thread_fn *fns, void *const *args,
                          int n);
#define test_thread_run(fn, arg)                                               \
  test_threads_run((fn), (void *const[]){(arg)}, 1)

/* Exit codes of killed children read as minus these (sct maps Windows'
 * TerminateProcess codes to them). */
#ifndef SIGKILL
#define SIGKILL 9
#endif
#ifndef SIGTERM
#define SIGTERM 15
#endif

/* Ends this process at once, as SIGKILL does: its parent reads an exit
 * code of -9 (on Windows, the code sct's own kill gives). */
#ifdef _WIN32
#define test_die_killed() ((void)TerminateProcess(GetCurrentProcess(), 0x10009u))
#else
#define test_die_killed() ((void)raise(SIGKILL))
#endif

#endif
