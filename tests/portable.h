/*
 * The few OS facts the tests need, for Linux and Windows (the library
 * itself hides the rest). Test code only.
 */
#ifndef SCT_TEST_PORTABLE_H
#define SCT_TEST_PORTABLE_H

#include <signal.h>

#ifdef _WIN32
#include <windows.h>
#define test_pid() ((long)GetCurrentProcessId())
#define test_tid() ((long)GetCurrentThreadId())
#else
#include <sys/syscall.h>
#include <unistd.h>
#define test_pid() ((long)getpid())
#define test_tid() ((long)syscall(SYS_gettid))
#endif

/* Exit codes of killed children read as minus these (sct maps Windows'
 * TerminateProcess codes to them). */
#ifndef SIGKILL
#define SIGKILL 9
#endif
#ifndef SIGTERM
#define SIGTERM 15
#endif

#endif
