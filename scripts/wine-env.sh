# Sourced by the scripts that run tests under Wine (test-mingw.sh,
# test-msvc.sh): a prefix of the project's own in build/wineprefix, and a
# Wine server started for it before ctest runs.
#   wine_start     kill a server left by an interrupted run, then start one
#   wine_stop      stop it
WINEPREFIX="$(pwd)/build/wineprefix"
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
mkdir -p "$WINEPREFIX"
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine=$(command -v wine64 || command -v wine)
wine_server=$(dirname "$wine")/wineserver
[ -x "$wine_server" ] || wine_server=$(command -v wineserver)

wine_start() {
  # A server still running for this prefix (Ctrl-C during a run) makes
  # `wineserver -p` fail: it is stopped first.
  "$wine_server" -k >/dev/null 2>&1 || true
  "$wine_server" -w >/dev/null 2>&1 || true
  # Wine's first start builds its prefix and starts background services
  # that inherit the caller's output: do it here, detached from ctest's
  # pipes, or ctest waits for them and the first test times out.
  if ! "$wine_server" -p; then
    echo "$0: cannot start a Wine server for $WINEPREFIX (is another user's running?)" >&2
    exit 2
  fi
  "$wine" wineboot --init </dev/null >/dev/null 2>&1
}

wine_stop() {
  "$wine_server" -k >/dev/null 2>&1 || true
}
