/*
 * The tool on POSIX systems: every named object is a file in /dev/shm,
 * listed by reading the directory; who uses one is read from
 * /proc/PID/maps (as far as this user may read them).
 */
#define _GNU_SOURCE
#include "tool.h"

#include <sct.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"

/* The bytes of one registration slot in a liveness file
 * (src/posix/liveness.c). */
#define LIVENESS_SLOT_BYTES 32

const int host_removes_names_in_use = 1;

int host_list(void (*each)(const char *file_name, void *ctx), void *ctx) {
  DIR *dir = opendir(SHM_DIR);
  if (!dir) {
    fprintf(stderr, "sct: cannot list %s: %s\n", SHM_DIR, strerror(errno));
    return EXIT_ERROR;
  }
  struct dirent *d;
  while ((d = readdir(dir)) != NULL)
    if (strncmp(d->d_name, "sct.", 4) == 0)
      each(d->d_name, ctx);
  closedir(dir);
  return EXIT_OK;
}

int host_locate(object_t *obj, const char *file_name) {
  struct stat st;
  snprintf(obj->file, sizeof obj->file, "%s/%s", SHM_DIR, file_name);
  if (stat(obj->file, &st) != 0)
    return -1;
  struct passwd *pw = getpwuid(st.st_uid);
  obj->size = (uint64_t)st.st_size;
  obj->uid = (long)st.st_uid;
  snprintf(obj->user, sizeof obj->user, "%s", pw ? pw->pw_name : "?");
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  obj->age_s = (double)(now.tv_sec - st.st_ctim.tv_sec);
  return 0;
}

/* How many slots of a liveness file are held by live registrations: each
 * live registration holds an open-file-description lock on its slot. */
void host_describe_liveness(object_t *obj) {
  int fd = open(obj->file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(obj->state, sizeof obj->state, "unreadable: %s", strerror(errno));
    return;
  }
  unsigned live = 0;
  for (uint64_t slot = 0; slot * LIVENESS_SLOT_BYTES < obj->size; slot++) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)(slot * LIVENESS_SLOT_BYTES);
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
      live++;
  }
  close(fd);
  obj->opened = 1;
  obj->held_by_live = live > 0;
  field(obj, "live_slots", 0, "%u", live);
  snprintf(obj->state, sizeof obj->state, "%u live registration%s", live,
           live == 1 ? "" : "s");
}

/* Whether process @p pid maps @p file: -1 when its maps cannot be read. */
static int maps_file(const char *pid, const char *file) {
  char path[300], line[1024];
  snprintf(path, sizeof path, "/proc/%s/maps", pid);
  FILE *f = fopen(path, "re");
  if (!f)
    return errno == EACCES ? -1 : 0;
  int maps = 0;
  while (!maps && fgets(line, sizeof line, f)) {
    char *p = strchr(line, '/');
    if (p) {
      p[strcspn(p, "\n")] = '\0';
      maps = strcmp(p, file) == 0;
    }
  }
  fclose(f);
  return maps;
}

const char *host_in_use(const object_t *obj, char *why, size_t cap) {
  DIR *proc = opendir("/proc");
  int users = 0, unseen = 0;
  if (proc) {
    struct dirent *d;
    while ((d = readdir(proc)) != NULL) {
      if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
          atol(d->d_name) == (long)getpid())
        continue;
      int maps = maps_file(d->d_name, obj->file);
      users += maps > 0;
      unseen += maps < 0;
    }
    closedir(proc);
  } else {
    unseen = 1;
  }
  if (users > 0) {
    snprintf(why, cap, "mapped by %d live process%s", users,
             users == 1 ? "" : "es");
    return why;
  }
  if (unseen > 0 && geteuid() != 0) {
    snprintf(why, cap,
             "%d processes of other users could not be looked at (run as "
             "root to see them)",
             unseen);
    return why;
  }
  return NULL;
}

int host_is_callers(const object_t *obj) {
  return geteuid() == 0 || obj->uid == (long)geteuid();
}

int host_remove_liveness(const object_t *obj) {
  if (unlink(obj->file) == 0)
    return 0;
  return errno == EACCES || errno == EPERM ? SCT_EACCES : SCT_EOS;
}
