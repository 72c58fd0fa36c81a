/*
 * sct, the command-line tool: what its files share. sct.c parses the
 * command line, objects.c finds and describes named objects, print.c
 * writes them as text or JSON, remove.c removes them.
 */
#ifndef SCT_TOOL_H
#define SCT_TOOL_H

#include "../base/platform.h"

#include <stddef.h>
#include <stdint.h>

/* Exit codes (documented in --help). */
enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_NOT_FOUND = 2,
  EXIT_PERMISSION = 3,
  EXIT_IN_USE = 4,
  EXIT_ERROR = 5
};

typedef struct options {
  int json;
  int values;     /* show: each object's value */
  int dry_run;    /* clean */
  int force;      /* rm: even what a live process uses */
  int timeout_ms; /* the longest any lock is waited for */
} options_t;

#define MAX_FIELDS 16

/* One named object, described. */
typedef struct object {
  char kind[16];  /* lock, segment, condition, semaphore, event, barrier,
                     queue, space, liveness */
  char name[256]; /* as the API takes it */
  char file[320]; /* where it lives: a file, or a kernel object's name */
  uint64_t size;
  long uid;       /* -1 where the system has no numeric user (Windows) */
  char user[128];
  double age_s;   /* -1 where the system does not say (Windows) */
  int opened;     /* described through sct (else: why not, in state) */
  int refused;    /* another user's: sct refuses it */
  int held_by_live; /* a live owner holds its lock */
  int held_by_dead; /* its lock's owner died holding it */
  char state[256];
  /* Structured fields for --json: name, value, quoted or not. */
  int nfields;
  struct {
    const char *key;
    char value[96];
    int quoted;
  } fields[MAX_FIELDS];
} object_t;

/* Every sct object the caller can see, in @p out (malloc'd; *n of them).
 * Returns 0, or an exit code. */
int objects_list(const options_t *o, object_t **out, size_t *n);

/* The object named @p spec ("kind:name", "sct.kind.name" or a name
 * unique among kinds). Returns 0, or an exit code with a message on
 * stderr. */
int objects_find(const options_t *o, const char *spec, object_t *out);

/* Describes @p obj, whose kind, name and file are set, by opening it
 * through sct: 0, or the sct error. */
int objects_describe(object_t *obj);

/* Adds a --json field. */
void field(object_t *obj, const char *key, int quoted, const char *fmt, ...)
    SCT__PRINTF_LIKE(4, 5);

void print_list(const options_t *o, const object_t *objs, size_t n);
void print_object(const options_t *o, const object_t *obj);
/* A space's directory (and values with --values); returns an exit code. */
int print_space(const options_t *o, const object_t *obj);
/* A string as a JSON string literal. */
void print_json_string(const char *s);

int remove_objects(const options_t *o, char **specs, int n);
int clean_objects(const options_t *o);

/* ---- what differs between systems (host_posix.c, host_win32.c) ---- */

/* Calls @p each with the file name ("sct.PREFIX.NAME") of every sct
 * object the host can list. 0, or an exit code after saying why. */
int host_list(void (*each)(const char *file_name, void *ctx), void *ctx);

/* Where the object "sct.PREFIX.NAME" (@p file_name) lives, into
 * obj->file, and what the system says of it: size, user, age. 0, or -1
 * when no such object exists. */
int host_locate(object_t *obj, const char *file_name);

/* Describes a liveness file (POSIX only). */
void host_describe_liveness(object_t *obj);

/* Why @p obj must stay although no live owner holds its lock (a live
 * process maps it), into @p why; NULL when nothing shows it in use. */
const char *host_in_use(const object_t *obj, char *why, size_t cap);

/* Whether the caller may remove @p obj (its own, or the caller is root). */
int host_is_callers(const object_t *obj);

/* Removes a liveness file: 0, or an sct error. */
int host_remove_liveness(const object_t *obj);

/* 1 where a name can be removed while processes use it (POSIX unlink);
 * 0 where a name lives exactly as long as its handles (Windows). */
extern const int host_removes_names_in_use;

#endif /* SCT_TOOL_H */
