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
import re
import struct
import subprocess
import sys
import threading
from multiprocessing import resource_tracker, shared_memory

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


def attach(name):
    """Maps the space's segment. Python's resource tracker would unlink a
    segment it did not create when this process ends (Python < 3.13 has
    no track=False): unregister it."""
    shm = shared_memory.SharedMemory(name=f"sct.space.{name}")
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


def directory(buf):
    """Name -> (state, offset, lock offset, n, format) from the layout."""
    slots, = struct.unpack_from("=I", buf, 16)
    dir_off, = struct.unpack_from("=Q", buf, 32)
    found = {}
    for i in range(slots):
        e = dir_off + 256 * i
        state, = struct.unpack_from("=I", buf, e + 64)
        if state != 2:  # READY
            continue
        name = bytes(buf[e:e + 64]).split(b"\0")[0].decode()
        flen, = struct.unpack_from("=I", buf, e + 76)
        off, lock, n = struct.unpack_from("=QQQ", buf, e + 80)
        fmt = bytes(buf[e + 128:e + 128 + flen]).decode()
        found[name] = (off, lock, n, fmt)
    return found


CTYPES = {"b": ctypes.c_int8, "B": ctypes.c_uint8, "h": ctypes.c_int16,
          "H": ctypes.c_uint16, "i": ctypes.c_int32, "I": ctypes.c_uint32,
          "l": ctypes.c_long, "L": ctypes.c_ulong, "q": ctypes.c_int64,
          "Q": ctypes.c_uint64, "f": ctypes.c_float, "d": ctypes.c_double,
          "c": ctypes.c_char}


def ctype_of(fmt):
    """A ctypes type for a PEP 3118 format as sct writes it."""
    if fmt in CTYPES:
        return CTYPES[fmt]
    inner = re.fullmatch(r"T\{(.*)\}", fmt).group(1)
    fields, pad = [], 0
    for m in re.finditer(r"(\d*)x|(?:\((\d+)\))?([A-Za-z]):(\w+):", inner):
        if m.group(3) is None:
            fields.append((f"_pad{pad}", ctypes.c_char * int(m.group(1) or 1)))
            pad += 1
        else:
            t = CTYPES[m.group(3)]
            fields.append((m.group(4), t * int(m.group(2)) if m.group(2) else t))
    return type("S", (ctypes.Structure,), {"_fields_": fields})


def main():
    name = f"sct-test-py-{os.getpid()}"
    check(helper("make", name), "helper make")
    shm = attach(name)
    entries = directory(shm.buf)
    # A struct read through its format alone.
    off, _, _, fmt = entries["p"]
    assert fmt == "T{i:x:4xd:y:}", fmt
    p = ctype_of(fmt).from_buffer(shm.buf, off)
    assert (p.x, p.y) == (7, 2.5), (p.x, p.y)
    del p
    off, _, n, fmt = entries["counts"]
    assert list(shm.buf[off:off + 8 * n].cast(fmt)) == [10, 20, 30, 40]

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
