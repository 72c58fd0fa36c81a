#!/bin/sh
# The httpd example (examples/httpd/mod_sct_counter.c) in a real apache2:
# its own configuration and ServerRoot in a temporary directory, prefork
# with several children on 127.0.0.1 and a free port, bounded in time.
# Concurrent requests are counted exactly; then a child is made to die
# holding the module's lock, and the server must keep answering, report
# the recovery, and keep counting exactly.
#
# The module is built here with apxs, as its users build it.
#
#   run_httpd_test.sh SOURCE_DIR LIBSCT_DIR
set -eu
src=$1
# the module needs libsct.so from the build tree
export LD_LIBRARY_PATH="$2${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
apache2=/usr/sbin/apache2
for tool in apxs ab curl python3 "$apache2"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "httpd test: skipped: $tool is missing (Debian: apache2 apache2-dev apache2-utils curl)"
    [ "${SCT_TEST_NO_SKIP:-0}" = 1 ] && exit 1
    exit 77 # ctest: skipped (SKIP_RETURN_CODE)
  fi
done
modules=$(apxs -q LIBEXECDIR)
root=$(mktemp -d /tmp/sct-httpd.XXXXXX)
mkdir "$root/build"
cp "$src/examples/httpd/mod_sct_counter.c" "$src/src/apr/sct_apr.c" "$root/build/"
(cd "$root/build" && apxs -c -I"$src/include" -L"$2" -lsct \
  mod_sct_counter.c sct_apr.c >build.log 2>&1) ||
  { cat "$root/build/build.log"; echo "httpd test: apxs failed"; exit 1; }
module="$root/build/.libs/mod_sct_counter.so"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=$(id -un)
group=$(id -gn)
[ "$(id -u)" -eq 0 ] && user=nobody && group=nogroup
cat >"$root/httpd.conf" <<CONF
ServerRoot "$root"
DefaultRuntimeDir "$root"
PidFile "$root/httpd.pid"
ErrorLog "$root/error.log"
LogLevel warn
Listen 127.0.0.1:$port
ServerName 127.0.0.1
User $user
Group $group
LoadModule mpm_prefork_module $modules/mod_mpm_prefork.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule sct_counter_module $module
StartServers 4
MinSpareServers 4
MaxSpareServers 8
MaxRequestWorkers 16
SctCounterTestDie On
<Location /hello>
  SetHandler sct-hello
</Location>
<Location /sct-counters>
  SetHandler sct-counters
</Location>
<Location /sct-die>
  SetHandler sct-die
</Location>
CONF
# /dev/shm's liveness files are per user: the children's user must be
# able to make its own (it can: /dev/shm is world-writable).
stop() {
  [ -f "$root/httpd.pid" ] && kill "$(cat "$root/httpd.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$root"
}
trap stop EXIT
fail() {
  echo "httpd test: $*"
  echo "--- error.log:"
  cat "$root/error.log" 2>/dev/null || true
  exit 1
}
"$apache2" -f "$root/httpd.conf" -k start || fail "apache2 did not start"
url="http://127.0.0.1:$port"
for i in $(seq 1 100); do
  curl -fsS "$url/hello" >/dev/null 2>&1 && break
  sleep 0.1
done
# requests counted so far (every request is counted after its response)
count() {
  curl -fsS --max-time 10 "$url/sct-counters" |
    sed -n 's/^counts \[(\([0-9]*\), [0-9]*)\]$/\1/p'
}
recoveries() {
  curl -fsS --max-time 10 "$url/sct-counters" | sed -n 's/^recoveries //p'
}
before=$(count)
[ -n "$before" ] || fail "no counters page"
n=2000
ab -q -n $n -c 8 "$url/hello" >"$root/ab.txt" 2>&1 || fail "ab failed"
grep -q "^Failed requests: *0" "$root/ab.txt" || fail "ab saw failures"
after=$(count)
# the first counters request, then the n requests
[ "$after" -eq $((before + 1 + n)) ] ||
  fail "counted $after requests, expected $((before + 1 + n))"

# A child dies holding the lock.
curl -s --max-time 10 "$url/sct-die" >/dev/null 2>&1 || true
ab -q -n 200 -c 4 "$url/hello" >"$root/ab2.txt" 2>&1 || fail "server stopped answering"
grep -q "^Failed requests: *0" "$root/ab2.txt" || fail "ab saw failures after the death"
rec=$(recoveries)
[ "$rec" -ge 1 ] || fail "the death was not reported (recoveries $rec)"
grep -q "SCT_EOWNERDEAD" "$root/error.log" || fail "no SCT_EOWNERDEAD in the log"
final=$(count)
# after: the counters request that read it, the dying request (never
# counted), 200 requests, the recoveries request, and this one's
# predecessor; counted exactly
expected=$((after + 1 + 200 + 1))
[ "$final" -eq "$expected" ] || fail "counted $final, expected $expected"
echo "httpd test: $n + 200 requests counted exactly; $rec recovery after a child died holding the lock"
