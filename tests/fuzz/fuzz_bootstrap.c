/*
 * libFuzzer target for the bootstrap message decoder, the trust boundary
 * of spawned children. Any input must be rejected cleanly or decoded;
 * a decoded message must encode again and decode to the same shape.
 */
#include "../../src/process/bootstrap.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sct__boot_t first, second;
  char why[160];
  unsigned char *again = NULL;
  size_t len = 0;
  if (sct__boot_decode(data, size, &first, why, sizeof why) != 0)
    return 0;
  if (sct__boot_encode(&first, &again, &len) != 0)
    abort();
  if (sct__boot_decode(again, len, &second, why, sizeof why) != 0)
    abort();
  if (second.nargs != first.nargs || second.nsegments != first.nsegments ||
      strcmp(second.target, first.target) != 0)
    abort();
  for (size_t i = 0; i < first.nargs; i++)
    if (second.args[i].kind != first.args[i].kind)
      abort();
  sct__boot_free(&second);
  sct__boot_free(&first);
  free(again);
  return 0;
}
