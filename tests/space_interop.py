#!/usr/bin/env python3
"""A named space shared by C (sct_tests --helper space ...) and Python.

Python uses the standard library only: ctypes to call libsct (open the
space, take an object's lock), multiprocessing.shared_memory to map the
segment, and the layout documented in sct.h (header, directory entries,
PEP 3118 formats) to read objects without a hand-written copy of a struct.

    space_interop.py LIBSCT_SO SCT_TESTS
"""
import ctypes
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import sct_space  # noqa: E402  (the module users get: python/sct_space.py)

LIB, TESTS = sys.argv[1], sys.argv[2]
sct = ctypes.CDLL(LIB)
P = ctypes.c_void_p
sct.sct_obj_ptr.restype = P
sct.sct_obj_ptr.argtypes = [P]
sct.sct_space_object.argtypes = [P, ctypes.c_char_p, ctypes.c_int, P,
                                 ctypes.c_size_t, ctypes.c_int, P]
sct.sct_obj_acquire.argtypes = [P, ctypes.c_int]
sct.sct_obj_release.argtypes = [P]
SCT_LOCK, FIND, CREATE = 1, 2, 1
N = 20000


def check(rc, what):
    if rc != 0:
        raise SystemExit(f"space_interop: {what} returned {rc}")


def helper(*args):
    return subprocess.run([TESTS, "--helper", "space", *args]).returncode


def typecode(code):
    t = P()
    check(sct.sct_type_from_code(ctypes.c_char(code.encode()),
                                 ctypes.byref(t)), "sct_type_from_code")
    return t


def main():
    name = f"sct-test-py-{os.getpid()}"
    check(helper("make", name), "helper make")
    shm = sct_space.Space(name, LIB)
    # A struct read through its format alone (sct_space.py parses it).
    assert shm.entry("p").format == "T{i:x:4xd:y:}", shm.entry("p").format
    p = shm.view("p")
    assert (p.x, p.y) == (7, 2.5), (p.x, p.y)
    assert sct_space.to_python(p) == (7, 2.5)
    del p
    counts = shm.view("counts")
    assert sct_space.to_python(counts) == [10, 20, 30, 40]
    del counts
    # sct's lock taken through the module, by name alone.
    with shm.lock("counter") as held:
        assert not held.owner_died

    # The counter, incremented by C and Python at once under sct's lock.
    space = P()
    check(sct.sct_space_open(ctypes.byref(space), name.encode(), 0), "open")
    obj = P()
    check(sct.sct_space_object(space, b"counter", FIND, typecode("q"), 0,
                               SCT_LOCK, ctypes.byref(obj)), "counter")
    counter = ctypes.c_int64.from_address(sct.sct_obj_ptr(obj))
    c_side = threading.Thread(target=lambda: check(
        helper("count", name, str(N)), "helper count"))
    c_side.start()
    for _ in range(N):
        check(sct.sct_obj_acquire(obj, -1), "acquire")
        counter.value += 1
        check(sct.sct_obj_release(obj), "release")
    c_side.join()
    assert counter.value == 2 * N, counter.value

    # A pair written by C as (i, -i) under the lock: never seen torn.
    pair_obj = P()
    check(sct.sct_space_object(space, b"pair", FIND, typecode("q"), 2,
                               SCT_LOCK, ctypes.byref(pair_obj)), "pair")
    pair = (ctypes.c_int64 * 2).from_address(sct.sct_obj_ptr(pair_obj))
    writer = subprocess.Popen([TESTS, "--helper", "space", "pairs", name,
                               str(N * 5)])
    torn = reads = 0
    while writer.poll() is None:
        check(sct.sct_obj_acquire(pair_obj, -1), "acquire")
        a, b = pair[0], pair[1]
        check(sct.sct_obj_release(pair_obj), "release")
        torn += a != -b
        reads += 1
    assert writer.returncode == 0 and torn == 0, (writer.returncode, torn)
    shm.close()
    check(sct.sct_space_unlink(name.encode()), "unlink")

    # The reverse: Python makes the space, C reads it.
    name2 = name + "-from-py"
    made, arr = P(), P()
    check(sct.sct_space_create(ctypes.byref(made), name2.encode(),
                               ctypes.c_size_t(1 << 20), ctypes.c_size_t(8)),
          "create")
    check(sct.sct_space_object(made, b"from-python", CREATE, typecode("d"), 3,
                               0, ctypes.byref(arr)), "from-python")
    values = (ctypes.c_double * 3).from_address(sct.sct_obj_ptr(arr))
    values[:] = [1.5, 2.5, 3.5]
    assert helper("check", name2) == 0, "C did not read Python's values"
    check(sct.sct_space_unlink(name2.encode()), "unlink")
    print(f"space_interop: ok ({reads} locked reads, none torn)")


def cleanup():
    """Whatever a failed run left behind goes too."""
    for name in (f"sct-test-py-{os.getpid()}", f"sct-test-py-{os.getpid()}-from-py"):
        sct.sct_space_unlink(name.encode())


try:
    main()
finally:
    cleanup()
