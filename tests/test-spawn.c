/*
 * The spawn start method: what a spawned child inherits, and the
 * bootstrap message as a trust boundary (crafted messages handed to real
 * children through the platform's own transport).
 */
#define _GNU_SOURCE
#include "test.h"

#include "../src/process/bootstrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

static sct_process_t *start_spawned(const char *target, const sct_arg_t *args,
                                    size_t n) {
  sct_process_t *p = NULL;
  if (sct_process_new(&p, target, args, n) != 0)
    return NULL;
  if (sct_process_set_start_method(p, SCT_START_SPAWN) != 0 ||
      sct_process_start(p) != 0) {
    sct_process_free(p);
    return NULL;
  }
  return p;
}

/* ---- what crosses ---- */

#ifdef _WIN32
/* The handle value is not valid in the child. */
static int child_fd_closed(const sct_args_t *args) {
  int64_t value;
  DWORD flags;
  if (sct_args_int(args, 0, &value) != 0)
    return 10;
  return GetHandleInformation((HANDLE)(intptr_t)value, &flags) ? 11 : 0;
}

/* An inheritable handle of the parent that is not in the child's handle
 * list does not reach a spawned child. */
static void test_unrelated_fd_not_inherited(void) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE event = CreateEventW(&sa, TRUE, FALSE, NULL);
  CU_ASSERT_FATAL(event != NULL);
  sct_obj_t *v;
  ASSERT_OK(sct_value_new(&v, type_of('i'), NULL, NULL));
  sct_arg_t args[] = {SCT_AINT((intptr_t)event), SCT_AOBJ(v)};
  CU_ASSERT_EQUAL(finish_child(start_spawned("spawn.fd_closed", args, 2)), 0);
  sct_obj_free(v);
  CloseHandle(event);
}
#else
static int child_fd_closed(const sct_args_t *args) {
  int64_t fd;
  if (sct_args_int(args, 0, &fd) != 0)
    return 10;
  if (fcntl((int)fd, F_GETFD) != -1 || errno != EBADF)
    return 11; /* the unrelated descriptor leaked */
  if (fcntl(3, F_GETFD) != -1)
    return 12; /* the bootstrap message was not closed */
  return 0;
}

/* A descriptor the parent opened without close-on-exec does not reach a
 * spawned child. */
static void test_unrelated_fd_not_inherited(void) {
  /* Deliberately not close-on-exec, and numbered above the descriptors
   * the child is given (3 and up), so that a leak would show. */
  int low = open("/dev/null", O_RDONLY);
  int fd = fcntl(low, F_DUPFD, 100);
  close(low);
  CU_ASSERT_FATAL(fd >= 100);
  sct_obj_t *v;
  ASSERT_OK(sct_value_new(&v, type_of('i'), NULL, NULL));
  sct_arg_t args[] = {SCT_AINT(fd), SCT_AOBJ(v)};
  CU_ASSERT_EQUAL(finish_child(start_spawned("spawn.fd_closed", args, 2)), 0);
  sct_obj_free(v);
  close(fd);
}
#endif

static int parent_global;

static int child_reads_global(const sct_args_t *args) {
  (void)args;
  return parent_global;
}

/* A spawned child starts from main: the parent's plain globals are not
 * there (as in Python); a forked child has a copy. */
static void test_globals_not_inherited(void) {
  parent_global = 42;
  CU_ASSERT_EQUAL(finish_child(start_spawned("spawn.global", NULL, 0)), 0);
  sct_process_t *p;
  ASSERT_OK(sct_process_new(&p, "spawn.global", NULL, 0));
#ifdef _WIN32
  ASSERT_RC(sct_process_set_start_method(p, SCT_START_FORK), SCT_EINVAL);
  sct_process_free(p);
#else
  ASSERT_OK(sct_process_set_start_method(p, SCT_START_FORK));
  ASSERT_OK(sct_process_start(p));
  CU_ASSERT_EQUAL(finish_child(p), 42);
#endif
  parent_global = 0;
}

static int child_write_through(const sct_args_t *args) {
  sct_obj_t *arr;
  if (sct_args_obj(args, 0, &arr) != 0)
    return 10;
  double *d = sct_obj_ptr(arr);
  for (size_t i = 0; i < sct_obj_len(arr); i++)
    d[i] = d[i] * 2 + 1;
  return 0;
}

/* Large arrays in several arenas reach the child at other addresses but
 * are the same bytes. */
static void test_same_bytes(void) {
  sct_obj_t *little, *big;
  ASSERT_OK(sct_rawarray_new(&little, type_of('d'), 10, NULL));
  ASSERT_OK(sct_rawarray_new(&big, type_of('d'), (size_t)3 << 20, NULL));
  ((double *)sct_obj_ptr(big))[((size_t)3 << 20) - 1] = 5;
  sct_arg_t a1[] = {SCT_AOBJ(little)}, a2[] = {SCT_AOBJ(big)};
  CU_ASSERT_EQUAL(finish_child(start_spawned("spawn.write", a1, 1)), 0);
  CU_ASSERT_EQUAL(finish_child(start_spawned("spawn.write", a2, 1)), 0);
  CU_ASSERT_EQUAL(((double *)sct_obj_ptr(little))[9], 1.0);
  CU_ASSERT_EQUAL(((double *)sct_obj_ptr(big))[((size_t)3 << 20) - 1], 11.0);
  sct_obj_free(little);
  sct_obj_free(big);
}

static void test_default_method(void) {
  ASSERT_RC(sct_set_start_method((sct_start_method_t)9), SCT_EINVAL);
  ASSERT_OK(sct_set_start_method(SCT_START_SPAWN));
  parent_global = 7;
  CU_ASSERT_EQUAL(run_child("spawn.global", NULL, 0), 0);
  ASSERT_OK(sct_set_start_method(SCT_START_DEFAULT));
#ifdef _WIN32
  /* Windows: spawn is the default and there is no fork. */
  CU_ASSERT_EQUAL(run_child("spawn.global", NULL, 0), 0);
  ASSERT_RC(sct_set_start_method(SCT_START_FORK), SCT_EINVAL);
#else
  CU_ASSERT_EQUAL(run_child("spawn.global", NULL, 0), 7); /* fork */
#endif
  parent_global = 0;
}

static int child_ok(const sct_args_t *args) {
  (void)args;
  return 0;
}

/* ---- the trust boundary ---- */

/* Crafted messages reach real children through the platform's own
 * transport (sct__process_spawn); only the harness differs by OS: how the
 * child's stderr is captured and how test sections are made. */

#ifdef _WIN32
/* A test section of @p size bytes (a handle, as the transport passes). */
static intptr_t make_section(size_t size) {
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                (DWORD)size, NULL);
  return (intptr_t)h;
}

/* A handle that is no section. */
static intptr_t make_not_a_section(intptr_t *other) {
  HANDLE r, w;
  CreatePipe(&r, &w, NULL, 0);
  *other = (intptr_t)w;
  return (intptr_t)r;
}

static void close_handle(intptr_t h) {
  CloseHandle((HANDLE)h);
}

typedef HANDLE capture_t;

/* Runs the spawn with stderr sent to a temporary file; returns the file. */
static capture_t begin_capture(void) {
  wchar_t dir[MAX_PATH], path[MAX_PATH];
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  GetTempPathW(MAX_PATH, dir);
  GetTempFileNameW(dir, L"sct", 0, path);
  HANDLE file =
      CreateFileW(path, GENERIC_READ | GENERIC_WRITE,
                  FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, CREATE_ALWAYS,
                  FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
  return file;
}

static int spawn_captured(capture_t file, long *pid, char **argv,
                          const intptr_t *handles, size_t n, const void *msg,
                          size_t len) {
  HANDLE saved = GetStdHandle(STD_ERROR_HANDLE);
  fflush(stderr);
  SetStdHandle(STD_ERROR_HANDLE, file);
  int rc = sct__process_spawn(pid, argv, handles, n, msg, len);
  SetStdHandle(STD_ERROR_HANDLE, saved);
  return rc;
}

static void end_capture(capture_t file, char *err, size_t errcap) {
  DWORD got = 0;
  SetFilePointer(file, 0, NULL, FILE_BEGIN);
  if (!ReadFile(file, err, (DWORD)errcap - 1, &got, NULL))
    got = 0;
  err[got] = '\0';
  /* The C runtime's text mode ends lines with CRLF. */
  char *cr = strstr(err, "\r\n");
  if (cr)
    memmove(cr, cr + 1, strlen(cr));
  CloseHandle(file);
}
#else
static intptr_t make_section(size_t size) {
  int fd = memfd_create("sct-test", MFD_CLOEXEC);
  if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static intptr_t make_not_a_section(intptr_t *other) {
  int fds[2] = {-1, -1};
  if (pipe(fds) != 0)
    return -1;
  *other = fds[1];
  return fds[0];
}

static void close_handle(intptr_t h) {
  close((int)h);
}

typedef int capture_t;

static capture_t begin_capture(void) {
  char path[] = "/tmp/sct-test-stderr-XXXXXX";
  int file = mkstemp(path);
  unlink(path);
  return file;
}

static int spawn_captured(capture_t file, long *pid, char **argv,
                          const intptr_t *handles, size_t n, const void *msg,
                          size_t len) {
  int saved = dup(2);
  fflush(stderr);
  dup2(file, 2);
  int rc = sct__process_spawn(pid, argv, handles, n, msg, len);
  dup2(saved, 2);
  close(saved);
  return rc;
}

static void end_capture(capture_t file, char *err, size_t errcap) {
  ssize_t got = pread(file, err, errcap - 1, 0);
  err[got > 0 ? got : 0] = '\0';
  close(file);
}
#endif

/*
 * Hands @p msg and @p handles to a re-executed child through the real
 * transport, with the child's stderr captured in @p err. Returns its exit
 * code, or -1000 when it could not be started or did not end in 30 s.
 */
static int spawn_raw(const void *msg, size_t len, const intptr_t *handles,
                     size_t n, char *err, size_t errcap) {
  static char *argv[2] = {"sct_tests", NULL};
  long pid = 0;
  int code = -1000;
  capture_t file = begin_capture();
  int rc = spawn_captured(file, &pid, argv, handles, n, msg, len);
  if (rc == 0 && sct__process_wait(pid, 30000, &code) != 0) {
    sct__process_signal(pid, 1);
    sct__process_wait(pid, -1, &code);
    code = -1000;
  }
  end_capture(file, err, errcap);
  return code;
}

/* The child said exactly one line, in sct's words. */
static void assert_one_line(const char *err) {
  const char *nl = strchr(err, '\n');
  CU_ASSERT(strncmp(err, "sct: spawned child: ", 20) == 0);
  CU_ASSERT(nl != NULL && nl[1] == '\0');
  if (!(nl && nl[1] == '\0' && strncmp(err, "sct: spawned child: ", 20) == 0))
    fprintf(stderr, "\n  child said: [%s]\n", err);
}

static int encode(const char *target, sct__boot_segment_t *segs, size_t nsegs,
                  sct__boot_arg_t *args, size_t nargs, unsigned char **msg,
                  size_t *len) {
  sct__boot_t b = {(char *)target, nsegs, segs, nargs, args};
  return sct__boot_encode(&b, msg, len);
}

static void expect_rejected(const void *msg, size_t len, int status) {
  char err[512];
  CU_ASSERT_EQUAL(spawn_raw(msg, len, NULL, 0, err, sizeof err), status);
  assert_one_line(err);
}

static void test_bad_messages(void) {
  unsigned char *msg, *bad;
  size_t len;
  char err[512];
  sct__boot_arg_t arg = {SCT_ARG_INT, 5,      0, NULL, NULL,  0,
                         0,           {0, 0}, 0, 0,    {0, 0}, 0, {0, 0}};
  ASSERT_OK(encode("spawn.ok", NULL, 0, &arg, 1, &msg, &len));
  /* The well-formed message runs. */
  CU_ASSERT_EQUAL(spawn_raw(msg, len, NULL, 0, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(err, "");

  expect_rejected(msg, len - 1, SCT_EXIT_BOOTSTRAP); /* truncated */
  expect_rejected(msg, 3, SCT_EXIT_BOOTSTRAP);       /* truncated header */
  expect_rejected("", 0, SCT_EXIT_BOOTSTRAP);        /* empty */
  expect_rejected("hello, world", 12, SCT_EXIT_BOOTSTRAP); /* garbage */
  bad = malloc(len + 1);
  memcpy(bad, msg, len);
  bad[len] = 'x';
  expect_rejected(bad, len + 1, SCT_EXIT_BOOTSTRAP); /* trailing bytes */
  bad[4] = 2;
  expect_rejected(bad, len, SCT_EXIT_BOOTSTRAP); /* another version */
  memcpy(bad, msg, len);
  bad[len - 9] = 77;
  expect_rejected(bad, len, SCT_EXIT_BOOTSTRAP); /* unknown arg kind */
  free(bad);
  size_t huge = (size_t)2 << 20;
  bad = calloc(huge, 1);
  memcpy(bad, msg, len);
  expect_rejected(bad, huge, SCT_EXIT_BOOTSTRAP); /* oversized */
  free(bad);
  free(msg);

  ASSERT_OK(encode("no.such.target", NULL, 0, &arg, 1, &msg, &len));
  expect_rejected(msg, len, SCT_EXIT_NOTARGET);
  free(msg);
}

/* Segments whose handles are not what the message claims. */
static void test_bad_handles(void) {
  unsigned char *msg;
  size_t len;
  char err[512];
  intptr_t fd = make_section(4096);
  CU_ASSERT_FATAL(fd > 0);
  intptr_t handles[1] = {fd};
  sct__boot_segment_t seg = {sct__child_handle(fd, 0), 8192};
  sct__boot_arg_t arg = {SCT_ARG_OBJ, 0,      0, NULL,   type_of('d'), 4,
                         1,           {0, 0}, 0, 0,      {0, 0},       0,
                         {0, 0}};

  /* Claims 8192 bytes, has 4096. */
  ASSERT_OK(encode("spawn.ok", &seg, 1, &arg, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, handles, 1, err, sizeof err),
                  SCT_EXIT_BOOTSTRAP);
  assert_one_line(err);
  free(msg);

  /* The right size: accepted. */
  seg.size = 4096;
  ASSERT_OK(encode("spawn.ok", &seg, 1, &arg, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, handles, 1, err, sizeof err), 0);
  free(msg);

  /* A pipe is no segment. */
  intptr_t other = -1;
  handles[0] = make_not_a_section(&other);
  CU_ASSERT_FATAL(handles[0] > 0);
  seg.handle = sct__child_handle(handles[0], 0);
  ASSERT_OK(encode("spawn.ok", &seg, 1, &arg, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, handles, 1, err, sizeof err),
                  SCT_EXIT_BOOTSTRAP);
  assert_one_line(err);
  free(msg);
  close_handle(handles[0]);
  close_handle(other);
  seg.handle = sct__child_handle(fd, 0);

  /* A handle that was never passed. */
  ASSERT_OK(encode("spawn.ok", &seg, 1, &arg, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, NULL, 0, err, sizeof err),
                  SCT_EXIT_BOOTSTRAP);
  assert_one_line(err);
  free(msg);

  /* An object past the end of its segment (caught by the decoder). */
  handles[0] = fd;
  arg.data.offset = 4096;
  ASSERT_OK(encode("spawn.ok", &seg, 1, &arg, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, handles, 1, err, sizeof err),
                  SCT_EXIT_BOOTSTRAP);
  assert_one_line(err);
  free(msg);

  /* A "lock" whose state says it is another kind (here: zero bytes). */
  sct__boot_arg_t lock = {SCT_ARG_LOCK, 0, 0,         NULL,    NULL, 0, 0,
                          {0, 0},       1, SCT_RLOCK, {0, 64}, 0,    {0, 0}};
  ASSERT_OK(encode("spawn.ok", &seg, 1, &lock, 1, &msg, &len));
  CU_ASSERT_EQUAL(spawn_raw(msg, len, handles, 1, err, sizeof err),
                  SCT_EXIT_BOOTSTRAP);
  assert_one_line(err);
  free(msg);
  close_handle(fd);
}

/* Reads a committed seed of the fuzz corpus (written by make_seeds.py,
 * an implementation of the format apart from the C encoder). */
static unsigned char *read_seed(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", SCT_SOURCE_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  unsigned char *buf = malloc(4096);
  *len = buf ? fread(buf, 1, 4096, f) : 0;
  fclose(f);
  return buf;
}

/* The decoder reads the format as documented. */
static void test_seed_corpus_decodes(void) {
  const char *good[] = {"plain", "value", "array_of_structs", "nested",
                        "empty"};
  sct__boot_t b;
  char why[160];
  size_t len = 0;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    unsigned char *msg = read_seed(good[i], &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    ASSERT_OK(sct__boot_decode(msg, len, &b, why, sizeof why));
    sct__boot_free(&b);
    free(msg);
  }
  unsigned char *msg = read_seed("plain", &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
  ASSERT_OK(sct__boot_decode(msg, len, &b, why, sizeof why));
  CU_ASSERT_STRING_EQUAL(b.target, "modify");
  CU_ASSERT_EQUAL(b.nargs, 3);
  CU_ASSERT_EQUAL(b.args[0].i, -42);
  CU_ASSERT_EQUAL(b.args[1].d, 2.5);
  CU_ASSERT_STRING_EQUAL(b.args[2].s, "hello");
  sct__boot_free(&b);
  free(msg);
  msg = read_seed("truncated", &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
  ASSERT_RC(sct__boot_decode(msg, len, &b, why, sizeof why), SCT_EINVAL);
  CU_ASSERT(strstr(why, "truncated") != NULL);
  free(msg);
}

#ifndef _WIN32
/*
 * exec-fails K (run from a copy of this program, which it deletes first,
 * as a package upgrade does): K objects, each in an arena of its own and
 * filled with a pattern, passed to a spawned child whose exec must fail.
 * The start must say SCT_ECHILD, and the objects and the heap must come
 * out untouched (a misplaced error report used to write into an arena).
 */
static int helper_exec_fails(int argc, char **argv, long k) {
  static const sct_target_t ok[] = {{"spawn.ok", child_ok}};
  sct_obj_t *objs[5];
  sct_arg_t args[5];
  char exe[4096];
  sct_process_t *p;
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0 || k < 0 || k > 5)
    return 2;
  exe[len] = '\0';
  if (unlink(exe) != 0 || sct_main(argc, argv, ok, 1) != 0 ||
      sct_set_start_method(SCT_START_SPAWN) != 0)
    return 3;
  for (long i = 0; i < k; i++) {
    /* The first arena is 1 MiB and each next one twice as large: an
     * object of that size fills an arena of its own. */
    size_t n = (size_t)1 << (20 + i);
    if (sct_rawarray_new(&objs[i], type_of('B'), n, NULL) != 0)
      return 4;
    memset(sct_obj_ptr(objs[i]), 0xa5, n);
    args[i] = SCT_AOBJ(objs[i]);
  }
  if (sct_process_new(&p, "spawn.ok", args, (size_t)k) != 0)
    return 5;
  int rc = sct_process_start(p);
  sct_process_free(p);
  if (rc != SCT_ECHILD)
    return 6;
  for (long i = 0; i < k; i++) {
    const unsigned char *bytes = sct_obj_ptr(objs[i]);
    for (size_t j = 0; j < sct_obj_len(objs[i]); j++)
      if (bytes[j] != 0xa5)
        return 7;
    if (sct_obj_free(objs[i]) != 0)
      return 8;
  }
  /* The heap's own headers are intact: it still allocates and frees. */
  for (int round = 0; round < 100; round++) {
    sct_obj_t *small;
    if (sct_rawarray_new(&small, type_of('q'), 1000, NULL) != 0 ||
        sct_obj_free(small) != 0)
      return 9;
  }
  return 0;
}

static int spawn_helper(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[0], "exec-fails") == 0)
    return helper_exec_fails(argc, argv, strtol(argv[1], NULL, 10));
  return 2;
}

/* Runs the exec-fails helper from a fresh copy of this program. */
static int run_exec_fails(long k) {
  char exe[4096], copy[128], command[4400];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[len > 0 ? len : 0] = '\0';
  snprintf(copy, sizeof copy, "/tmp/sct-test-execfails-%ld-%ld", test_pid(),
           k);
  snprintf(command, sizeof command,
           "cp '%s' '%s' && '%s' --helper spawn exec-fails %ld", exe, copy,
           copy, k);
  int status = system(command);
  unlink(copy);
  return status;
}

static void test_failed_exec_reported(void) {
  const long counts[] = {0, 1, 2, 5};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    int status = run_exec_fails(counts[i]);
    if (status != 0)
      fprintf(stderr, "\n  %ld segments: status %d\n", counts[i], status);
    CU_ASSERT_EQUAL(status, 0);
  }
}
#endif

static CU_TestInfo tests[] = {
#ifndef _WIN32
    {"failed exec reported", test_failed_exec_reported},
#endif
    {"seed corpus decodes", test_seed_corpus_decodes},
    {"unrelated fd not inherited", test_unrelated_fd_not_inherited},
    {"globals not inherited", test_globals_not_inherited},
    {"same bytes", test_same_bytes},
    {"default method", test_default_method},
    {"bad messages", test_bad_messages},
    {"bad handles", test_bad_handles},
    CU_TEST_INFO_NULL};

static const sct_target_t targets[] = {{"spawn.fd_closed", child_fd_closed},
                                       {"spawn.global", child_reads_global},
                                       {"spawn.write", child_write_through},
                                       {"spawn.ok", child_ok}};

#ifdef _WIN32
#define spawn_helper NULL
#endif

const test_suite_t suite_spawn = {"spawn", tests, targets, 4, spawn_helper};
