/*
 * Test hooks: named points in the library where a test build (the
 * SCT_TEST_HOOKS option) calls a function the test suite installs, so a
 * test can hold a thread inside a narrow race window, or start a counter
 * near its limit, instead of hoping timing hits it. In other builds each
 * hook compiles to nothing.
 */
#ifndef SCT_TESTHOOK_H
#define SCT_TESTHOOK_H

#ifdef SCT_TEST_HOOKS
/* Called with the hook's name and the object it concerns. Installed by
 * tests only, before the threads that reach it start. */
extern void (*volatile sct__test_hook)(const char *where, void *what);
#define SCT__TEST_HOOK(where, what)                                            \
  do {                                                                         \
    void (*hook_)(const char *, void *) = sct__test_hook;                      \
    if (hook_)                                                                 \
      hook_((where), (what));                                                  \
  } while (0)
#else
#define SCT__TEST_HOOK(where, what) ((void)0)
#endif

#endif
