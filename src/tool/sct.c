/*
 * sct: see what sct shares. Lists named objects and their state, shows
 * one in full, removes them. `sct --help` is the manual.
 */
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char manual[] =
    "NAME\n"
    "    sct - list, show and remove sct's named shared objects\n"
    "\n"
    "SYNOPSIS\n"
    "    sct ls    [--json]\n"
    "    sct show  [--json] [--values] [--timeout MS] NAME\n"
    "    sct rm    [--force] NAME...\n"
    "    sct clean [--dry-run]\n"
    "\n"
    "DESCRIPTION\n"
    "    ls lists every named sct object the caller can see (the files\n"
    "    /dev/shm/sct.*): its kind, name, size, owning user, age and\n"
    "    state. Locks show who holds them and whether that holder lives;\n"
    "    a Queue its items, capacity and lost puts; a Barrier how many\n"
    "    wait of how many parties, and whether it is broken; a Semaphore\n"
    "    its value; an Event whether it is set; a space how many objects\n"
    "    it holds; a liveness file (sct.live.UID) how many registrations\n"
    "    live in it.\n"
    "\n"
    "    show describes one object; for a space, also its directory: each\n"
    "    object's name, kind, type (a PEP 3118 format), length, lock kind\n"
    "    and lock state.\n"
    "\n"
    "    rm removes the names given. An object in use (its lock held by a\n"
    "    live owner, or its file mapped by a live process) is refused\n"
    "    unless --force is given.\n"
    "\n"
    "    clean removes every object of the caller that no live process can\n"
    "    be using, and says what it left and why. With --dry-run it only\n"
    "    says what it would remove.\n"
    "\n"
    "    NAME is KIND:NAME (KIND one of segment, lock, condition,\n"
    "    semaphore, event, barrier, queue, space, liveness; or the file\n"
    "    prefixes seg, lock, cond, sem, event, barrier, queue, space,\n"
    "    live), the file name sct.PREFIX.NAME, or a bare NAME when only\n"
    "    one kind has it.\n"
    "\n"
    "    sct only reads what it shows: it opens objects through sct's own\n"
    "    API, as their users do, and takes no lock. Objects of another\n"
    "    user (or open to other users) are refused as sct's open refuses\n"
    "    them, and listed as such.\n"
    "\n"
    "OPTIONS\n"
    "    --json        ls: one JSON object per line; show: one document.\n"
    "                  Keys: kind, name, file, size, user, uid, age_s,\n"
    "                  opened, state, and per kind: held, waiters,\n"
    "                  owner_pid, owner_alive (locks and Conditions);\n"
    "                  items, capacity, lost, deaths (Queues); waiting,\n"
    "                  parties, broken (Barriers); value (Semaphores); set\n"
    "                  (Events); objects and objects_list (spaces);\n"
    "                  live_slots (liveness files).\n"
    "    --timeout MS  the longest sct waits for anything (default 1000).\n"
    "    --force       rm: remove objects in use too.\n"
    "    --dry-run     clean: remove nothing, say what would go.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 done; 1 bad usage; 2 no such object; 3 another user's object\n"
    "    (permission); 4 in use (rm without --force); 5 other errors.\n"
    "\n"
    "LIMITS\n"
    "    Whether a process maps a file is read from /proc/PID/maps, which\n"
    "    only root may read for other users' processes: clean leaves an\n"
    "    object whose users it cannot see.\n"
    "\n"
    "WINDOWS\n"
    "    show and rm take names; ls and clean are refused (exit 5): Windows\n"
    "    keeps no directory of named objects that sct can read. A name\n"
    "    exists exactly as long as some process holds a handle to it, so a\n"
    "    crashed run leaves nothing behind, and rm of a name that exists\n"
    "    says it is in use (exit 4, with --force too). show gives the kernel\n"
    "    object's name (Local\\sct.KIND.NAME), its size in whole pages and\n"
    "    its owner as DOMAIN\\user; uid and age are unknown (null in JSON).\n";

static int usage(void) {
  fprintf(stderr, "usage: sct ls|show|rm|clean [options] [NAME...] "
                  "(sct --help for the manual)\n");
  return EXIT_USAGE;
}

/* Takes the options out of argv; what is left are the operands. */
static int parse(int argc, char **argv, options_t *o, char **operands,
                 int *n) {
  *n = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0)
      o->json = 1;
    else if (strcmp(argv[i], "--values") == 0)
      o->values = 1;
    else if (strcmp(argv[i], "--dry-run") == 0)
      o->dry_run = 1;
    else if (strcmp(argv[i], "--force") == 0)
      o->force = 1;
    else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
      char *end;
      long ms = strtol(argv[++i], &end, 10);
      if (*end || ms < 0 || ms > 3600000) {
        fprintf(stderr, "sct: --timeout takes milliseconds (0 to 3600000)\n");
        return -1;
      }
      o->timeout_ms = (int)ms;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "sct: unknown option %s\n", argv[i]);
      return -1;
    } else {
      operands[(*n)++] = argv[i];
    }
  }
  return 0;
}

static int list(const options_t *o) {
  object_t *objs;
  size_t n;
  int rc = objects_list(o, &objs, &n);
  if (rc == EXIT_OK) {
    print_list(o, objs, n);
    free(objs);
  }
  return rc;
}

static int show(const options_t *o, const char *spec) {
  object_t obj;
  int rc = objects_find(o, spec, &obj);
  if (rc != EXIT_OK)
    return rc;
  if (obj.refused) {
    fprintf(stderr, "sct: %s:%s: %s\n", obj.kind, obj.name, obj.state);
    return EXIT_PERMISSION;
  }
  if (strcmp(obj.kind, "space") == 0)
    return print_space(o, &obj);
  print_object(o, &obj);
  return EXIT_OK;
}

int main(int argc, char **argv) {
  options_t o = {0, 0, 0, 0, 1000};
  if (argc < 2)
    return usage();
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(manual, stdout);
    return EXIT_OK;
  }
  char **operands = calloc((size_t)argc + 1, sizeof *operands);
  int n = 0;
  if (!operands) {
    fprintf(stderr, "sct: out of memory\n");
    return EXIT_ERROR;
  }
  int rc;
  if (parse(argc, argv, &o, operands, &n) != 0)
    rc = usage();
  else if (strcmp(cmd, "ls") == 0 && n == 0)
    rc = list(&o);
  else if (strcmp(cmd, "show") == 0 && n == 1)
    rc = show(&o, operands[0]);
  else if (strcmp(cmd, "rm") == 0 && n > 0)
    rc = remove_objects(&o, operands, n);
  else if (strcmp(cmd, "clean") == 0 && n == 0)
    rc = clean_objects(&o);
  else
    rc = usage();
  free(operands);
  return rc;
}
