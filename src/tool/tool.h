/*
 * sct, the command-line tool: what its files share. sct.c parses the
 * command line, objects.c finds and describes named objects, print.c
 * writes them as text or JSON, remove.c removes them.
 */
#ifndef SCT_TOOL_H
#define SCT_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
  char file[320]; /* where it lives */
  uint64_t size;
  uid_t uid;
  char user[64];
  double age_s;
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

/* The processes (pids) that map @p file, as far as /proc lets us see:
 * their count, and whether some could not be looked at. */
int objects_users(const char *file, int *unseen);

/* Adds a --json field. */
void field(object_t *obj, const char *key, int quoted, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void print_list(const options_t *o, const object_t *objs, size_t n);
void print_object(const options_t *o, const object_t *obj);
/* A space's directory (and values with --values); returns an exit code. */
int print_space(const options_t *o, const object_t *obj);
/* A string as a JSON string literal. */
void print_json_string(const char *s);

int remove_objects(const options_t *o, char **specs, int n);
int clean_objects(const options_t *o);

#endif /* SCT_TOOL_H */
