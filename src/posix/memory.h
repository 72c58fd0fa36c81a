/* The memory check before reserving shared pages (memory.c). */
#ifndef SCT_POSIX_MEMORY_H
#define SCT_POSIX_MEMORY_H

#include <stddef.h>

/* Whether @p size bytes of shared memory could be had now: 1 when they
 * could (or when it cannot tell), 0 when the machine or the process's
 * memory cgroup (v1 or v2) has less left. */
int sct__memory_available_for(size_t size);

#endif /* SCT_POSIX_MEMORY_H */
