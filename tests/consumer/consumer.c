/* A program built against an installed sct (see run_consumers.cmake): it
 * checks the header and library versions agree and uses a shared Value
 * from a child process. */
#include <sct.h>

#include <stdio.h>
#include <string.h>

static int bump(const sct_args_t *args) {
  sct_obj_t *v;
  if (sct_args_obj(args, 0, &v) != 0)
    return 10;
  return sct_value_add(v, 41, NULL) == 0 ? 0 : 11;
}

int main(int argc, char **argv) {
  static const sct_target_t targets[] = {{"bump", bump}};
  const sct_type_t *q;
  sct_obj_t *v;
  sct_process_t *p;
  char version[32];
  int code = -1;
  if (sct_main(argc, argv, targets, 1) != 0)
    return 1;
  snprintf(version, sizeof version, "%d.%d.%d", SCT_VERSION_MAJOR,
           SCT_VERSION_MINOR, SCT_VERSION_PATCH);
  if (strcmp(version, sct_version_string()) != 0 ||
      sct_version() != SCT_VERSION_MAJOR * 10000 + SCT_VERSION_MINOR * 100 +
                           SCT_VERSION_PATCH) {
    fprintf(stderr, "consumer: header %s, library %s\n", version,
            sct_version_string());
    return 2;
  }
  if (sct_type_from_code('q', &q) != 0 || sct_value_new(&v, q, NULL, NULL) != 0)
    return 3;
  sct_arg_t args[] = {SCT_AOBJ(v)};
  if (sct_process_new(&p, "bump", args, 1) != 0 || sct_process_start(p) != 0 ||
      sct_process_join(p, 30000) != 0 || sct_process_exitcode(p, &code) != 0 ||
      code != 0)
    return 4;
  int64_t value = 0;
  sct_value_get_i64(v, &value);
  printf("consumer: sct %s, value %lld\n", sct_version_string(),
         (long long)value);
  sct_process_free(p);
  sct_obj_free(v);
  return value == 41 ? 0 : 5;
}
