/* test_threads_run (portable.h): Win32 threads on Windows, pthreads
 * elsewhere. Test code only. */
#include "portable.h"

#define MAX_THREADS 16

typedef struct thread_call {
  test_thread_fn fn;
  void *arg;
} thread_call_t;

#ifdef _WIN32
static DWORD WINAPI trampoline(LPVOID p) {
  thread_call_t *call = p;
  call->fn(call->arg);
  return 0;
}
#else
#include <pthread.h>
static void *trampoline(void *p) {
  thread_call_t *call = p;
  call->fn(call->arg);
  return NULL;
}
#endif

int test_threads_run(test_thread_fn fn, void *const *args, int n) {
  test_thread_fn fns[MAX_THREADS];
  if (n < 0 || n > MAX_THREADS)
    return -1;
  for (int i = 0; i < n; i++)
    fns[i] = fn;
  return test_threads_run_each(fns, args, n);
}

int test_threads_run_each(const test_thread_fn *fns, void *const *args,
                          int n) {
  thread_call_t calls[MAX_THREADS];
  int started = 0, rc = 0;
  if (n < 0 || n > MAX_THREADS)
    return -1;
#ifdef _WIN32
  HANDLE threads[MAX_THREADS];
  for (; started < n; started++) {
    calls[started] = (thread_call_t){fns[started], args[started]};
    threads[started] =
        CreateThread(NULL, 0, trampoline, &calls[started], 0, NULL);
    if (!threads[started]) {
      rc = -1;
      break;
    }
  }
  for (int i = 0; i < started; i++) {
    WaitForSingleObject(threads[i], INFINITE);
    CloseHandle(threads[i]);
  }
#else
  pthread_t threads[MAX_THREADS];
  for (; started < n; started++) {
    calls[started] = (thread_call_t){fns[started], args[started]};
    if (pthread_create(&threads[started], NULL, trampoline, &calls[started])) {
      rc = -1;
      break;
    }
  }
  for (int i = 0; i < started; i++)
    pthread_join(threads[i], NULL);
#endif
  return rc;
}
