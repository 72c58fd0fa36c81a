/*
 * The bootstrap message: what a spawned child needs to rebuild its
 * arguments (target name, shared segments, objects, locks, plain values).
 *
 * Wire format, version 1, every integer little-endian:
 *
 *   header   "SCTB"  u16 version  u16 flags(0)  u32 total length
 *   target   u16 length, bytes (1..255, no NUL)
 *   segments u16 count (<= 256), each: u64 handle, u64 size
 *   args     u16 count (<= 1024), each: u8 kind, then
 *              INT     i64
 *              DOUBLE  u64 (IEEE 754 bits)
 *              STR     u32 length (<= 64 KiB), bytes (no NUL)
 *              LOCK    u8 lock kind, place
 *              OBJ     u8 is_array, u64 n, type, place of the data,
 *                      u8 has_lock, [u8 lock kind, place of the lock]
 *              COND, SEM, EVENT, BARRIER, QUEUE
 *                      u32 state size, place of the state (64-byte
 *                      aligned); COND then: u8 lock kind, place of the lock
 *   place    u16 segment index, u64 offset
 *   type     u8 typecode, or 0 then: u64 size, u64 align, u16 nfields
 *            (<= 256), each: u16 name length, name, u64 offset,
 *            u64 count, type (nested at most 8 deep)
 *
 * The decoder trusts nothing: every length, count, index and offset is
 * checked against the message and the claimed segment sizes, struct
 * types go through sct_type_new_struct's validation, and the child checks
 * that each handle really is a segment of the claimed size when mapping.
 */
#ifndef SCT_BOOTSTRAP_H
#define SCT_BOOTSTRAP_H

#include "../sync/sync.h"

#define SCT__BOOT_VERSION 1u
#define SCT__BOOT_MAX_BYTES (1u << 20)
#define SCT__BOOT_MAX_SEGMENTS 256u
#define SCT__BOOT_MAX_ARGS 1024u

typedef struct sct__boot_segment {
  uint64_t handle; /* the child's descriptor / handle value */
  uint64_t size;
} sct__boot_segment_t;

typedef struct sct__boot_place {
  uint16_t segment;
  uint64_t offset;
} sct__boot_place_t;

typedef struct sct__boot_arg {
  sct_arg_kind_t kind;
  int64_t i;
  double d;
  char *s;                /* STR: owned copy */
  const sct_type_t *type; /* OBJ: a reference */
  uint64_t n;             /* OBJ: element count */
  int is_array;           /* OBJ */
  sct__boot_place_t data; /* OBJ */
  int has_lock;           /* OBJ: 1 when synchronized; LOCK: always 1 */
  sct_lock_kind_t lock_kind;
  sct__boot_place_t lock; /* OBJ with a lock, LOCK, COND */
  uint32_t sync_size;     /* COND ... QUEUE: the state's size */
  sct__boot_place_t sync; /* COND ... QUEUE: where the state is */
} sct__boot_arg_t;

typedef struct sct__boot {
  char *target;
  size_t nsegments;
  sct__boot_segment_t *segments;
  size_t nargs;
  sct__boot_arg_t *args;
} sct__boot_t;

/* Serialises @p boot into a new buffer (free() it). */
int sct__boot_encode(const sct__boot_t *boot, unsigned char **out, size_t *len);

/* Parses and validates a message. On failure returns SCT_EINVAL (or
 * SCT_ENOMEM) and writes the reason into @p why. */
int sct__boot_decode(const unsigned char *msg, size_t len, sct__boot_t *out,
                     char *why, size_t whycap);

/* Frees what encode's input builder or decode allocated. */
void sct__boot_free(sct__boot_t *boot);

#endif /* SCT_BOOTSTRAP_H */
