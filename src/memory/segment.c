/* Named shared segments, and the naming rules shared with named locks. */
#include "../base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 200

struct sct_segment {
  uint32_t magic;
  sct__segment_t seg;
};

/*
 * Names are portable file-name-safe words: 1 to 200 of [A-Za-z0-9._-], not
 * starting with '.'. Each kind of named object has its own space
 * ("sct.seg.", "sct.lock.") so a segment is never opened as a lock.
 * A name may start with Windows' namespace prefix: "Local\" is the
 * default and dropped, "Global\" is kept for the platform (Windows puts
 * the object in the global namespace; POSIX, with one namespace, drops it).
 */
/* The length of @p prefix when @p s starts with it, else 0. */
static size_t prefix_len(const char *s, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(s, prefix, n) == 0 ? n : 0;
}

int sct__named_path(char *buf, size_t cap, const char *space,
                    const char *name) {
  const char *scope = "";
  if (!name)
    return SCT_EINVAL;
  size_t skip = prefix_len(name, "Local\\");
  if (skip == 0 && (skip = prefix_len(name, SCT__GLOBAL_PREFIX)) != 0)
    scope = SCT__GLOBAL_PREFIX;
  name += skip;
  size_t len = strlen(name);
  if (len == 0 || len > NAME_MAX_LEN || name[0] == '.' ||
      !sct__name_chars_valid(name, len))
    return SCT_ENAME;
  snprintf(buf, cap, "%ssct.%s.%s", scope, space, name);
  return 0;
}

int sct__name_chars_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

int sct__named_is_global(const char *path) {
  return prefix_len(path, SCT__GLOBAL_PREFIX) != 0;
}

/* How long a page without its ready mark is waited for: its creator is
 * between its exclusive create and the mark, a matter of microseconds. */
#define OPEN_PATIENCE_MS 1000

int sct__named_open_ready(sct__segment_t *seg, char *path, size_t cap,
                          const char *space, const char *name, unsigned flags,
                          sct__page_check_fn check, void *ctx,
                          int (*maker_alive)(void *ctx)) {
  if ((flags & ~SCT_OPEN_ANY_OWNER) != 0)
    return SCT_EINVAL;
  sct__init();
  int rc = sct__named_path(path, cap, space, name);
  int64_t deadline = sct__deadline(OPEN_PATIENCE_MS);
  while (rc == 0) {
    rc = sct__segment_open_named(seg, path, flags);
    if (rc == 0) {
      if ((rc = check(seg, ctx)) == 0)
        return 0;
      sct__segment_close(seg);
    }
    if (rc != SCT_ESTATE)
      return rc;
    if (sct__ms_left(deadline) == 0 && !(maker_alive && maker_alive(ctx)))
      return SCT_ETYPE;
    sct__sleep_ms(1);
    rc = 0;
  }
  return rc;
}

int sct__named_unlink(const char *space, const char *name) {
  char path[256];
  int rc = sct__named_path(path, sizeof path, space, name);
  return rc != 0 ? rc : sct__segment_unlink_named(path);
}

/* Handles come from a pool, so a closed one still reads as closed. */
sct__pool_t sct__segment_pool = SCT__POOL_INIT(struct sct_segment);

static int check_segment(const sct_segment_t *s) {
  return sct__handle_check(s, SCT__MAGIC_SEG);
}

static int wrap(sct_segment_t **out, const sct__segment_t *seg) {
  sct__init();
  sct_segment_t *s = sct__pool_get(&sct__segment_pool);
  if (!s)
    return SCT_ENOMEM;
  s->magic = SCT__MAGIC_SEG;
  s->seg = *seg;
  *out = s;
  return 0;
}

int sct_segment_create(sct_segment_t **out, const char *name, size_t size) {
  char path[256];
  sct__segment_t seg;
  if (!out || size == 0)
    return SCT_EINVAL;
  int rc = sct__named_path(path, sizeof path, "seg", name);
  if (rc == 0)
    rc = sct__segment_create_named(&seg, path, size);
  if (rc == 0 && (rc = wrap(out, &seg)) != 0) {
    sct__segment_close(&seg);
    sct__segment_unlink_named(path);
  }
  return rc;
}

int sct_segment_open(sct_segment_t **out, const char *name) {
  return sct_segment_open_flags(out, name, 0);
}

int sct_segment_open_flags(sct_segment_t **out, const char *name,
                           unsigned flags) {
  char path[256];
  sct__segment_t seg;
  if (!out || (flags & ~SCT_OPEN_ANY_OWNER) != 0)
    return SCT_EINVAL;
  int rc = sct__named_path(path, sizeof path, "seg", name);
  if (rc == 0)
    rc = sct__segment_open_named(&seg, path, flags);
  if (rc == 0 && (rc = wrap(out, &seg)) != 0)
    sct__segment_close(&seg);
  return rc;
}

int sct_segment_close(sct_segment_t *s) {
  int rc = check_segment(s);
  if (rc != 0)
    return rc;
  rc = sct__segment_close(&s->seg);
  sct__pool_put(&sct__segment_pool, s);
  return rc;
}

int sct_segment_unlink(const char *name) {
  char path[256];
  int rc = sct__named_path(path, sizeof path, "seg", name);
  return rc != 0 ? rc : sct__segment_unlink_named(path);
}

void *sct_segment_ptr(const sct_segment_t *s) {
  return check_segment(s) == 0 ? s->seg.addr : NULL;
}

size_t sct_segment_size(const sct_segment_t *s) {
  return check_segment(s) == 0 ? s->seg.size : 0;
}
