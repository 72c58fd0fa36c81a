/*
 * Unrelated programs sharing a named space: a table of rows, its Lock, and
 * a Queue where writers say what they are about to change.
 *
 *   space make NAME     makes the space and its table (row i: i, i, 2i)
 *   space tear NAME     takes the table's lock, announces row 3 in the
 *                       Queue, writes half of it (a, not yet b), and
 *                       stops there: kill it to see a torn row
 *   space repair NAME   takes the lock; when the last holder died inside
 *                       (SCT_EOWNERDEAD) mends the rows the Queue names and
 *                       any other row that breaks b == 2a; prints the table
 *   space unlink NAME
 *
 * Each is a separate program run; they share nothing but the name. The
 * table is a struct Array under a plain Lock (any process may repair
 * what a dead one left). python/sct_space.py reads the same table from
 * Python, under the same lock (examples/space_reader.py).
 */
#include "example.h"

#include <stdint.h>

#define ROWS 8

typedef struct row {
  int64_t id;
  int64_t a;
  int64_t b; /* always 2 * a, except while a writer is inside */
} row_t;

static const sct_type_t *row_type(void) {
  static sct_type_t *type;
  if (!type) {
    sct_field_t fields[] = {SCT_FIELD(row_t, id, 'q'), SCT_FIELD(row_t, a, 'q'),
                            SCT_FIELD(row_t, b, 'q')};
    check(sct_type_new_struct(&type, "row", sizeof(row_t), _Alignof(row_t),
                              fields, 3),
          "row type");
  }
  return type;
}

typedef struct shared {
  sct_space_t *space;
  sct_obj_t *rows;     /* the table, under its Lock */
  sct_queue_t *intent; /* rows a writer is about to change */
} shared_t;

/* Opens (or, for make, creates) the space and finds its objects. */
static shared_t open_shared(const char *name, int make) {
  shared_t s;
  sct_space_mode_t mode = make ? SCT_SPACE_CREATE : SCT_SPACE_FIND;
  const sct_type_t *q;
  check(sct_type_from_code('q', &q), "type");
  if (make)
    check(sct_space_create(&s.space, name, (size_t)1 << 20, 16), name);
  else
    check(sct_space_open(&s.space, name, 0), name);
  check(sct_space_object(s.space, "rows", mode, row_type(), ROWS, SCT_LOCK,
                         &s.rows),
        "rows");
  check(sct_space_queue(s.space, "intent", mode, q, ROWS, 0, &s.intent),
        "intent");
  return s;
}

/* Prints the table; its lock held by the caller (formatting the
 * synchronized object would take the Lock again: the raw view does not). */
static void print_table(sct_obj_t *rows) {
  char text[512];
  sct_obj_t *raw;
  check(sct_obj_get_obj(rows, &raw), "raw view");
  check(sct_obj_format(raw, text, sizeof text, NULL), "format");
  printf("%s\n", text);
}

/* Mends row @p i (b = 2a) if torn; 1 when it was. Lock held. */
static int mend(row_t *rows, int64_t i) {
  if (i < 0 || i >= ROWS || rows[i].b == 2 * rows[i].a)
    return 0;
  rows[i].b = 2 * rows[i].a;
  return 1;
}

int main(int argc, char **argv) {
  check(sct_main(argc, argv, NULL, 0), "sct_main");
  if (argc != 3) {
    fprintf(stderr, "usage: space make|tear|repair|unlink NAME\n");
    return 2;
  }
  const char *what = argv[1], *name = argv[2];
  if (strcmp(what, "unlink") == 0) {
    check(sct_space_unlink(name), "unlink");
    return 0;
  }
  shared_t s = open_shared(name, strcmp(what, "make") == 0);
  row_t *rows = sct_obj_ptr(s.rows);
  if (strcmp(what, "make") == 0) {
    check(sct_obj_acquire(s.rows, SCT_INFINITE), "lock");
    for (int64_t i = 0; i < ROWS; i++)
      rows[i] = (row_t){i, i, 2 * i};
    check(sct_obj_release(s.rows), "unlock");
    printf("made\n");
  } else if (strcmp(what, "tear") == 0) {
    int64_t row = 3;
    check(sct_obj_acquire(s.rows, SCT_INFINITE), "lock");
    check(sct_queue_put(s.intent, &row, SCT_INFINITE), "announce");
    rows[row].a = 100; /* b follows... never: we are killed here */
    printf("holding, row %lld half written\n", (long long)row);
    fflush(stdout);
    sct_event_t *never; /* nobody sets it: waits until killed */
    check(sct_event_new(&never), "event");
    for (;;)
      (void)sct_event_wait(never, SCT_INFINITE);
  } else if (strcmp(what, "repair") == 0) {
    int rc = sct_obj_acquire(s.rows, 10000);
    if (rc != SCT_EOWNERDEAD) /* the lock is ours then too: repair */
      check(rc, "lock");
    int64_t row, mended = 0;
    if (rc == SCT_EOWNERDEAD) {
      /* The dead writer said which row; the scan covers what it did not. */
      while (sct_queue_get(s.intent, &row, 0) == 0)
        mended += mend(rows, row);
      for (int64_t i = 0; i < ROWS; i++)
        mended += mend(rows, i);
    }
    printf("previous holder died: %s, rows mended: %lld\n",
           rc == SCT_EOWNERDEAD ? "yes" : "no", (long long)mended);
    print_table(s.rows);
    check(sct_obj_release(s.rows), "unlock");
  } else {
    fprintf(stderr, "space: unknown command %s\n", what);
    return 2;
  }
  check(sct_obj_free(s.rows), "free");
  check(sct_queue_free(s.intent), "free");
  check(sct_space_close(s.space), "close");
  return 0;
}
