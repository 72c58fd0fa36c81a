/* Windows monotonic time and sleeping. */
#include "../internal.h"

#include <windows.h>

int64_t sct__now_ms(void) {
  return (int64_t)GetTickCount64();
}

void sct__sleep_ms(int ms) {
  Sleep((DWORD)(ms < 0 ? 0 : ms));
}
