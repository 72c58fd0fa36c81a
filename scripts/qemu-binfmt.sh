# Sourced by the scripts that run another architecture's programs under
# qemu-user (test-aarch64.sh; test-toolchains.sh for i386 where the
# kernel runs 64-bit programs only). Spawned children re-execute the
# program, so qemu is registered with binfmt_misc for the run (needs
# root) and unregistered when the script exits.
#   qemu_binfmt NAME MAGIC MASK QEMU   (MAGIC and MASK in printf escapes)
# exits the script (1 where SCT_TEST_NO_SKIP=1, else 0) when it cannot.
qemu_binfmt() {
  misc=/proc/sys/fs/binfmt_misc
  entry=$misc/$1
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  [ -e "$entry" ] && return 0
  if [ ! -e "$misc/register" ] && ! $sudo mount -t binfmt_misc binfmt_misc "$misc"; then
    qemu_binfmt_cannot "binfmt_misc not mounted"
  fi
  # shellcheck disable=SC2059
  printf ":$1:M::$2:$3:$4:" | $sudo tee "$misc/register" >/dev/null ||
    qemu_binfmt_cannot "registration refused"
  qemu_binfmt_entries="${qemu_binfmt_entries:-} $entry"
  trap 'for e in $qemu_binfmt_entries; do echo -1 | $sudo tee "$e" >/dev/null; done' EXIT
}

qemu_binfmt_cannot() {
  echo "$0: cannot register qemu with binfmt_misc ($1): not run"
  [ "${SCT_TEST_NO_SKIP:-0}" = 1 ] && exit 1
  exit 0
}
