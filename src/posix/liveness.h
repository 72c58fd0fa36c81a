/*
 * The per-user liveness file of POSIX owner identities (liveness.c): how a
 * process or thread registers as a lock owner and how any sharer, in any
 * PID namespace, asks whether that owner still lives. identity.c decides
 * who registers when; this file only knows the file.
 */
#ifndef SCT_POSIX_LIVENESS_H
#define SCT_POSIX_LIVENESS_H

#include "../base/platform.h"

/* The generations a slot gives, 1 to this, before they come round: an
 * identity's generation has 15 bits (the lock word has no room for more).
 * lockword.c tells an RLock's word left by a dead earlier holder of the
 * same identity from the thread's own. */
#define SCT__LIVE_GENERATIONS 32767u

/* A registered owner: its identity, and the descriptor whose lock keeps
 * the registration alive (close it and the owner counts as gone). */
typedef struct sct__live_claim {
  sct__ident_t ident;
  int fd;
} sct__live_claim_t;

/* Registers the caller as an owner: @p os_id is its pid (a process) or
 * thread id (a thread), @p stat_path its /proc stat file
 * ("/proc/self/stat" or "/proc/thread-self/stat"), read for diagnosis and
 * the same-namespace cross-check only. SCT_EACCES when the user's liveness
 * file is not safely ours; SCT_ENOMEM, SCT_EOS otherwise. Uses only
 * async-signal-safe calls, so a fork handler may call it. */
int sct__live_claim(long os_id, const char *stat_path, sct__live_claim_t *out);

/* 1 alive, 0 gone; 1 whenever it cannot tell. @p known_fd: the caller's
 * own registration (a file it knows, in case the name was given to a new
 * one since), or -1. */
int sct__live_alive(sct__ident_t who, int known_fd);

/* The owner's pid or thread id when it lives in this PID namespace, else 0. */
long sct__live_os_id(sct__ident_t who, int known_fd);

#endif /* SCT_POSIX_LIVENESS_H */
