#!/usr/bin/env python3
"""The sct command-line tool against real processes (tests/tool/fixture.c).

    tool_test.py [--emulator WINE] SCT FIXTURE

With --emulator, the Windows build under Wine: show and rm of names
(Windows has no listing), a lock held by a live and then a killed
holder, a Queue, a space and its values.

A holder of a named Lock is shown alive, then (killed) dead, and only then
removable; a Queue's items, a Barrier's waiters, a space's directory and
values (compared with Python's own printing of the same values), a value
whose lock stays held (the tool returns, saying so), another user's object
(refused), and every --json output parsed by Python's json module. Exit
77 (skipped) where a part cannot run, 1 on the first failure.
"""
import json
import os
import shutil
import signal
import subprocess
import sys

args = sys.argv[1:]
EMULATOR = []
if args[:1] == ["--emulator"]:
    EMULATOR, args = [args[1]], args[2:]
WINDOWS = bool(EMULATOR)
SCT, FIXTURE = args[0], args[1]
TAG = f"tooltest{os.getpid()}"
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"FAILED: {what}", file=sys.stderr)


def sct(*args, timeout=20):
    r = subprocess.run([*EMULATOR, SCT, *args], capture_output=True,
                       text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def started(p, what):
    """The fixture's pid (as its system numbers it) once it is ready."""
    words = p.stdout.readline().split()
    ready = len(words) == 2 and words[0] == "ready"
    why = ""
    if not ready:
        # How it ended, so that a failure says why (seen once in CI under
        # Wine, without a word from the fixture).
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        why = f"; exit {p.returncode}, stderr {p.stderr.read()!r}" \
            if p.returncode is not None else "; still running"
    check(ready, f"fixture {what} ready (said {words!r}{why})")
    p.sct_pid = int(words[1]) if len(words) == 2 else -1
    return p


def start(*args):
    # stderr kept apart: read only when the fixture fails to start (the
    # fixture writes to it only then).
    return started(subprocess.Popen([*EMULATOR, FIXTURE, *args],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True), args)


def listing():
    rc, out, err = sct("ls", "--json")
    check(rc == 0, f"ls --json exit 0 ({err})")
    return {(o["kind"], o["name"]): o for o in map(json.loads,
                                                     out.splitlines())}


def kill(p):
    p.send_signal(signal.SIGKILL)
    p.wait()


def test_lock():
    name = TAG + "lock"
    holder = start("hold-lock", name)
    o = listing().get(("lock", name))
    check(o is not None, "held lock listed")
    if o:
        check(o["held"] is True and o["owner_alive"] is True, "held, alive")
        check(o["owner_pid"] == holder.sct_pid, "owner pid is the holder's")
        check(f"held by pid {holder.sct_pid} (alive)" in o["state"],
              o["state"])
    rc, out, _ = sct("show", f"lock:{name}")
    check(rc == 0 and f"held by pid {holder.sct_pid} (alive)" in out, out)
    rc, _, err = sct("rm", f"lock:{name}")
    check(rc == 4 and "in use" in err, f"rm of a held lock refused: {rc} {err}")
    rc, out, _ = sct("clean", "--dry-run")
    check(f"left    lock:{name}: held by pid {holder.sct_pid} (alive)" in out,
          "clean leaves a live holder's lock")
    kill(holder)
    rc, out, _ = sct("show", "--json", f"lock:{name}")
    o = json.loads(out)
    check(o["held"] is True and o["owner_alive"] is False,
          f"a killed holder is shown dead: {o['state']}")
    rc, out, _ = sct("clean", "--dry-run")
    check(f"would remove lock:{name}" in out, "clean would remove it now")
    check(sct("rm", f"lock:{name}")[0] == 0, "rm of a dead holder's lock")
    check(sct("show", f"lock:{name}")[0] == 2, "gone: exit 2")


def test_queue_and_barrier():
    q = start("queue", TAG + "q", "3")
    b = start("barrier", TAG + "b", "3", "2")
    objs = listing()
    o = objs.get(("queue", TAG + "q"))
    check(o and (o["items"], o["capacity"], o["lost"]) == (3, 8, 0),
          f"queue items/capacity/lost: {o}")
    o = objs.get(("barrier", TAG + "b"))
    check(o and (o["waiting"], o["parties"], o["broken"]) == (2, 3, False),
          f"barrier waiting/parties/broken: {o}")
    for p in (q, b):
        kill(p)
    check(sct("rm", "--force", "queue:" + TAG + "q", "barrier:" + TAG + "b")[0]
          == 0, "rm of both")


def expected_values():
    """What Python prints for the fixture's values, read as ctypes reads
    the same C struct (a char array field reads up to its first NUL)."""
    import ctypes

    class Row(ctypes.Structure):
        _fields_ = [("id", ctypes.c_int32), ("weight", ctypes.c_double),
                    ("tag", ctypes.c_char * 4)]
    rows = (Row * 3)((1, 0.1, b"ab"), (2, 2.5, b"xyz"), (-3, 1e100, b""))
    table = [(r.id, r.weight, r.tag) for r in rows]
    return {"table": str(table), "total": str(1 / 3)}


def test_space():
    name = TAG + "s"
    # A Windows name lives as long as its handles: the maker stays.
    p = start("keep-space" if WINDOWS else "space", name)
    if not WINDOWS:
        p.wait()
    rc, out, err = sct("show", "--json", "--values", f"space:{name}")
    check(rc == 0, f"show space: {err}")
    doc = json.loads(out)
    entries = {e["name"]: e for e in doc["objects_list"]}
    check(set(entries) == {"table", "total", "guard"}, f"entries {entries}")
    table = entries.get("table", {})
    check(table.get("kind") == "Array" and table.get("length") == 3 and
          table.get("lock_kind") == "Lock", f"table entry {table}")
    check(table.get("format", "").startswith("T{i:id:"), table.get("format"))
    for key, want in expected_values().items():
        got = entries.get(key, {}).get("value")
        check(got == want, f"{key}: sct says {got!r}, Python {want!r}")
    check(entries.get("guard", {}).get("kind") == "Lock", "guard is a Lock")
    # A value whose lock stays held: the tool says so within its timeout.
    holder = start("hold-space", name, "table")
    rc, out, _ = sct("show", "--values", "--timeout", "300", f"space:{name}",
                     timeout=10)
    check(rc == 0 and "its lock stayed held" in out, out)
    check("held by pid %d (alive)" % holder.sct_pid in out,
          "table lock holder")
    kill(holder)
    if WINDOWS:
        kill(p)
        check(sct("show", f"space:{name}")[0] == 2, "space gone with its maker")
    else:
        check(sct("rm", "--force", f"space:{name}")[0] == 0, "rm space")


def test_other_user():
    if os.geteuid() != 0:
        print("skipped: another user's object needs root", file=sys.stderr)
        return False
    user = "sct-squatter"
    if subprocess.run(["id", user], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", user], check=True)
    copy = f"/tmp/{TAG}-fixture"
    shutil.copy(FIXTURE, copy)
    os.chmod(copy, 0o755)
    name = TAG + "theirs"
    p = started(subprocess.Popen([copy, "hold-lock", name],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 user=user), "theirs")
    o = listing().get(("lock", name))
    check(o is not None and o["opened"] is False and
          "sct refuses it" in o["state"], f"their lock listed, not opened: {o}")
    rc, _, err = sct("show", f"lock:{name}")
    check(rc == 3 and "sct refuses it" in err, f"show theirs: {rc} {err}")
    kill(p)
    os.unlink(f"/dev/shm/sct.lock.{name}")
    os.unlink(copy)
    return True


def test_usage():
    rc, out, _ = sct("--help")
    check(rc == 0 and "EXIT STATUS" in out, "--help is the manual")
    check(sct("frobnicate")[0] == 1, "unknown command: exit 1")
    check(sct("show", "nosuchkind:x")[0] == 1, "unknown kind: exit 1")
    check(sct("show", TAG + "absent")[0] == 2, "absent: exit 2")
    check(sct("ls", "--timeout", "-5")[0] == 1, "bad timeout: exit 1")


def test_windows_lock():
    """A name lives as long as its handles: an opener keeps it after its
    holder is killed; rm refuses it while it exists and cannot remove it."""
    name = TAG + "lock"
    holder = start("hold-lock", name)
    opener = start("open-lock", name)
    rc, out, err = sct("show", "--json", f"lock:{name}")
    check(rc == 0, f"show held lock: {rc} {err}")
    o = json.loads(out) if rc == 0 else {}
    check(o.get("held") is True and o.get("owner_alive") is True and
          o.get("owner_pid") == holder.sct_pid, f"held, alive: {o}")
    check(o.get("file") == f"Local\\sct.lock.{name}", f"file {o.get('file')}")
    check(o.get("uid") is None and o.get("user", "?") != "?", f"user {o}")
    rc, out, _ = sct("show", name)
    check(rc == 0 and f"held by pid {holder.sct_pid} (alive)" in out,
          f"show by bare name: {out}")
    rc, _, err = sct("rm", "--force", f"lock:{name}")
    check(rc == 4 and f"held by pid {holder.sct_pid} (alive)" in err,
          f"rm refused while held: {rc} {err}")
    kill(holder)
    rc, out, _ = sct("show", f"lock:{name}")
    check(rc == 0 and f"held by pid {holder.sct_pid} (dead)" in out,
          f"a killed holder is shown dead: {out}")
    rc, _, err = sct("rm", "--force", f"lock:{name}")
    check(rc == 4 and "last handle closes" in err,
          f"rm refused while open: {rc} {err}")
    kill(opener)
    check(sct("show", f"lock:{name}")[0] == 2, "gone with its last handle")
    rc, _, err = sct("rm", f"lock:{name}")
    check(rc == 2 and "no such object" in err, f"rm of a gone name: {rc}")


def test_windows_queue():
    q = start("queue", TAG + "q", "3")
    rc, out, err = sct("show", "--json", "queue:" + TAG + "q")
    o = json.loads(out) if rc == 0 else {}
    check((o.get("items"), o.get("capacity"), o.get("lost")) == (3, 8, 0),
          f"queue items/capacity/lost: {rc} {o} {err}")
    kill(q)


def test_windows_usage():
    rc, out, _ = sct("--help")
    check(rc == 0 and "EXIT STATUS" in out, "--help is the manual")
    for cmd in ("ls", "clean"):
        rc, _, err = sct(cmd)
        check(rc == 5 and "no directory of named objects" in err,
              f"{cmd} refused with its reason: {rc} {err}")
    check(sct("show", TAG + "absent")[0] == 2, "absent: exit 2")
    check(sct("show", "lock:bad name")[0] == 2, "an invalid name: exit 2")


if WINDOWS:
    test_windows_usage()
    test_windows_lock()
    test_windows_queue()
    test_space()
    ran_all = True
else:
    test_usage()
    test_lock()
    test_queue_and_barrier()
    test_space()
    ran_all = test_other_user()
if failures:
    sys.exit(1)
if not ran_all:
    sys.exit(1 if os.environ.get("SCT_TEST_NO_SKIP") == "1" else 77)
print("tool: all checks passed")
