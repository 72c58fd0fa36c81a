/* The test hooks' one variable (testhook.h); compiled in test builds. */
#include "testhook.h"

void (*volatile sct__test_hook)(const char *where, void *what);
