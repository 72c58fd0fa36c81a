"""sct's named spaces from Python, with the standard library only.

A space is a named segment of typed objects that C programs share
(sct_space_create / sct_space_object). This module opens one, lists its
objects with their types, gives a ctypes view of each object's bytes
(built from the PEP 3118 format sct records, so no struct is written out
by hand), and takes an object's lock through libsct itself, so Python
and C exclude each other and a holder's death is reported here too.

    import sct_space
    with sct_space.Space("telemetry") as space:
        for entry in space.entries():
            print(entry.name, entry.kind, entry.format, entry.count)
        rows = space.view("rows")                # a ctypes view, shared
        with space.lock("rows") as held:         # sct's own lock
            if held.owner_died:
                ...                              # repair, as C would
            print(sct_space.to_python(rows))     # as sct_obj_format prints

libsct is found through the SCT_LIBRARY environment variable (a path to
libsct.so), the `library` argument, or the linker's search path. Linux:
the segment is /dev/shm/sct.space.NAME (the layout is documented in
sct.h, "Named shared spaces"). Formats longer than the 127 bytes a
directory entry keeps cannot be read back here (ValueError).
"""
import ctypes
import ctypes.util
import os
import re
import struct
from multiprocessing import resource_tracker, shared_memory

SCT_OK, SCT_EOWNERDEAD = 0, -9
READY_MARK, VERSION = 0x31544353, 4
ENTRY_BYTES, ENTRY_READY, FORMAT_KEPT = 256, 2, 127
KINDS = {1: "Value", 2: "Array", 3: "lock", 17: "Condition", 18: "Semaphore",
         19: "Event", 20: "Barrier", 21: "Queue"}
CODES = {"c": ctypes.c_char, "b": ctypes.c_int8, "B": ctypes.c_uint8,
         "h": ctypes.c_int16, "H": ctypes.c_uint16, "i": ctypes.c_int32,
         "I": ctypes.c_uint32, "l": ctypes.c_long, "L": ctypes.c_ulong,
         "q": ctypes.c_int64, "Q": ctypes.c_uint64, "f": ctypes.c_float,
         "d": ctypes.c_double, "u": ctypes.c_uint16, "w": ctypes.c_uint32}


class SctError(OSError):
    """A libsct call failed: its SCT_E* name and message."""

    def __init__(self, lib, rc, what):
        name = lib.sct_err_name(rc).decode()
        detail = lib.sct_last_detail().decode()
        super().__init__(rc, f"{what}: {name} ({lib.sct_strerror(rc).decode()})"
                         + (f": {detail}" if detail else ""))
        self.sct_name = name


def load_library(library=None):
    """libsct, with the signatures this module calls."""
    path = library or os.environ.get("SCT_LIBRARY") or \
        ctypes.util.find_library("sct")
    if not path:
        raise OSError("libsct not found: set SCT_LIBRARY to libsct.so's path")
    lib = ctypes.CDLL(path)
    P = ctypes.c_void_p
    for name, args, res in [
            ("sct_space_open", [ctypes.POINTER(P), ctypes.c_char_p,
                                ctypes.c_uint], ctypes.c_int),
            ("sct_space_close", [P], ctypes.c_int),
            ("sct_space_object_lock", [P, ctypes.c_char_p, ctypes.POINTER(P)],
             ctypes.c_int),
            ("sct_lock_acquire", [P, ctypes.c_int], ctypes.c_int),
            ("sct_lock_release", [P], ctypes.c_int),
            ("sct_lock_free", [P], ctypes.c_int),
            ("sct_err_name", [ctypes.c_int], ctypes.c_char_p),
            ("sct_strerror", [ctypes.c_int], ctypes.c_char_p),
            ("sct_last_detail", [], ctypes.c_char_p)]:
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    return lib


class _Parser:
    """PEP 3118 formats as sct writes them (sct.h gives the grammar)."""

    def __init__(self, text):
        self.text, self.at = text, 0

    def peek(self):
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self, expected):
        if not self.text.startswith(expected, self.at):
            raise ValueError(f"format {self.text!r}: expected {expected!r} "
                             f"at {self.at}")
        self.at += len(expected)

    def number(self):
        m = re.compile(r"\d+").match(self.text, self.at)
        if not m:
            return None
        self.at = m.end()
        return int(m.group())

    def type(self):
        if self.text.startswith("T{", self.at):
            return self.struct()
        code = self.peek()
        if code not in CODES:
            raise ValueError(f"format {self.text!r}: unknown code {code!r}")
        self.at += 1
        return CODES[code]

    def struct(self):
        self.take("T{")
        fields, pads = [], 0
        while self.peek() != "}":
            count = None
            if self.peek() == "(":
                self.take("(")
                count = self.number()
                self.take(")")
            at = self.at
            n = self.number()
            if self.peek() == "x":  # padding: n bytes, or 1
                self.at += 1
                fields.append((f"_pad{pads}", ctypes.c_char * (n or 1)))
                pads += 1
                continue
            self.at = at
            t = self.type()
            self.take(":")
            end = self.text.index(":", self.at)
            name = self.text[self.at:end]
            self.at = end + 1
            fields.append((name, t * count if count else t))
        self.take("}")
        # The padding is explicit: ctypes must add none of its own.
        return type("Struct", (ctypes.Structure,),
                    {"_pack_": 1, "_fields_": fields})


def ctype_of(fmt):
    """The ctypes type of one element of a PEP 3118 format sct wrote."""
    p = _Parser(fmt)
    t = p.type()
    if p.at != len(fmt):
        raise ValueError(f"format {fmt!r}: trailing text at {p.at}")
    return t


def to_python(value):
    """A ctypes view as sct_obj_format prints it: structs as tuples,
    arrays as lists, numbers as numbers (repr gives the same text)."""
    if isinstance(value, ctypes.Structure):
        return tuple(to_python(getattr(value, name))
                     for name, _ in value._fields_ if not name.startswith("_pad"))
    if isinstance(value, ctypes.Array):
        return [to_python(v) for v in value]
    if isinstance(value, ctypes._SimpleCData):
        return value.value
    return value


class Entry:
    """One object of a space's directory."""

    def __init__(self, buf, at):
        self.name = bytes(buf[at:at + 64]).split(b"\0")[0].decode()
        state, kind, self.lock_kind, flen = struct.unpack_from("=4I", buf, at + 64)
        (self.offset, self.lock_offset, self.count, self.size, self.align,
         _) = struct.unpack_from("=6Q", buf, at + 80)
        self.ready = state == ENTRY_READY
        self.kind = KINDS.get(kind, f"kind {kind}")
        self.format = bytes(buf[at + 128:at + 128 + min(flen, FORMAT_KEPT)]).decode()
        self.format_complete = flen <= FORMAT_KEPT


class Held:
    """What taking a lock found: owner_died is True when the previous
    holder died holding it (SCT_EOWNERDEAD: the data may need repair)."""

    def __init__(self, owner_died):
        self.owner_died = owner_died


class Space:
    """An open space: Space(name[, library]), a context manager."""

    def __init__(self, name, library=None):
        self.lib = load_library(library)
        self.name = name
        handle = ctypes.c_void_p()
        self._check(self.lib.sct_space_open(ctypes.byref(handle),
                                            name.encode(), 0), "open " + name)
        self.handle = handle
        self.shm = shared_memory.SharedMemory(name=f"sct.space.{name}")
        # Python's resource tracker would unlink a segment it did not make
        # when this process ends (no track=False before Python 3.13).
        resource_tracker.unregister(self.shm._name, "shared_memory")
        ready, version = struct.unpack_from("=II", self.shm.buf, 0)
        if ready != READY_MARK or version != VERSION:
            self.close()
            raise ValueError(f"space {name}: layout version {version}, "
                             f"this module reads {VERSION}")
        self._views = []

    def _check(self, rc, what):
        if rc not in (SCT_OK, SCT_EOWNERDEAD):
            raise SctError(self.lib, rc, what)
        return rc

    def entries(self):
        """The objects in the directory now (a snapshot)."""
        buf = self.shm.buf
        slots, = struct.unpack_from("=I", buf, 16)
        directory, = struct.unpack_from("=Q", buf, 32)
        found = [Entry(buf, directory + ENTRY_BYTES * i) for i in range(slots)]
        return [e for e in found if e.ready]

    def entry(self, name):
        for e in self.entries():
            if e.name == name:
                return e
        raise KeyError(f"space {self.name}: no object {name!r}")

    def view(self, name):
        """A ctypes view of a Value's or Array's bytes, in shared memory."""
        e = self.entry(name)
        if e.kind not in ("Value", "Array"):
            raise TypeError(f"{name!r} is a {e.kind}, not a Value or Array")
        if not e.format_complete:
            raise ValueError(f"{name!r}: its format is longer than the "
                             f"{FORMAT_KEPT} bytes a directory entry keeps")
        t = ctype_of(e.format)
        if e.kind == "Array":
            t = t * e.count
        v = t.from_buffer(self.shm.buf, e.offset)
        self._views.append(v)
        return v

    def lock(self, name, timeout_ms=-1):
        """sct's lock of object @name, taken for a with block."""
        space = self

        class _Locked:
            def __enter__(self):
                self.lock = ctypes.c_void_p()
                space._check(space.lib.sct_space_object_lock(
                    space.handle, name.encode(), ctypes.byref(self.lock)),
                    f"lock of {name}")
                rc = space.lib.sct_lock_acquire(self.lock, timeout_ms)
                if rc not in (SCT_OK, SCT_EOWNERDEAD):
                    space.lib.sct_lock_free(self.lock)
                    raise SctError(space.lib, rc, f"acquire {name}")
                return Held(rc == SCT_EOWNERDEAD)

            def __exit__(self, *exc):
                space._check(space.lib.sct_lock_release(self.lock),
                             f"release {name}")
                space.lib.sct_lock_free(self.lock)
                return False

        return _Locked()

    def close(self):
        self._views.clear()  # exported buffers must go before the mapping
        if self.shm is not None:
            self.shm.close()
            self.shm = None
        if self.handle:
            self.lib.sct_space_close(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
