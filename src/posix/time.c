/* POSIX monotonic time and sleeping. */
#define _POSIX_C_SOURCE 200809L
#include "../base/internal.h"

#include <errno.h>
#include <time.h>

int64_t sct__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sct__sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}
