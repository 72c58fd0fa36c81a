/* Windows monotonic time and sleeping. */
#include "../base/internal.h"

#include <windows.h>

/* The performance counter, not GetTickCount64: ticks of 10-16 ms would
 * end timeouts early. */
int64_t sct__now_ns(void) {
  static LARGE_INTEGER frequency;
  LARGE_INTEGER now;
  if (frequency.QuadPart == 0)
    QueryPerformanceFrequency(&frequency);
  QueryPerformanceCounter(&now);
  return (int64_t)(now.QuadPart / frequency.QuadPart * 1000000000 +
                   now.QuadPart % frequency.QuadPart * 1000000000 /
                       frequency.QuadPart);
}

void sct__sleep_ms(int ms) {
  Sleep((DWORD)(ms < 0 ? 0 : ms));
}
