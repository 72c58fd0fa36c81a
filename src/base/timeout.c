/* Deadlines for timed waits (internal.h: SCT__TIMEOUT and friends). */
#include "internal.h"

#define NS_PER_MS INT64_C(1000000)

int64_t sct__deadline_from(int64_t now, int timeout_ms) {
  return now + (timeout_ms > 0 ? timeout_ms : 0) * NS_PER_MS;
}

int64_t sct__deadline(int timeout_ms) {
  return sct__deadline_from(sct__now_ns(), timeout_ms);
}

int sct__ms_left(int64_t deadline) {
  int64_t left = deadline - sct__now_ns();
  if (left <= 0)
    return 0;
  left = (left + NS_PER_MS - 1) / NS_PER_MS;
  return left > INT32_MAX ? INT32_MAX : (int)left;
}

int64_t sct__deadline_or_none(int timeout_ms) {
  timeout_ms = SCT__TIMEOUT(timeout_ms);
  return timeout_ms == SCT_INFINITE ? -1 : sct__deadline(timeout_ms);
}

int sct__slice_until(int64_t deadline, int slice_ms) {
  if (deadline < 0)
    return slice_ms;
  int left = sct__ms_left(deadline);
  return left < slice_ms ? left : slice_ms;
}

int sct__ms_until(int64_t deadline) {
  return deadline < 0 ? SCT_INFINITE : sct__ms_left(deadline);
}
