#!/usr/bin/env python3
"""Writes the committed seed corpus of fuzz_bootstrap.

An implementation of the bootstrap wire format (src/process/bootstrap.h) written
apart from the C encoder, so the seeds also check that the decoder reads
the format as documented. Run from this folder: ./make_seeds.py corpus
"""
import os
import struct
import sys


def text(s, width):
    b = s.encode()
    return (struct.pack("<H", len(b)) if width == 2 else struct.pack("<I", len(b))) + b


def place(seg, off):
    return struct.pack("<HQ", seg, off)


def scalar(code):
    return code.encode()


def struct_type(size, align, fields):
    out = b"\0" + struct.pack("<QQH", size, align, len(fields))
    for name, off, count, t in fields:
        out += text(name, 2) + struct.pack("<QQ", off, count) + t
    return out


def message(target, segments, args):
    body = text(target, 2) + struct.pack("<H", len(segments))
    for handle, size in segments:
        body += struct.pack("<QQ", handle, size)
    body += struct.pack("<H", len(args)) + b"".join(args)
    total = 12 + len(body)
    return b"SCTB" + struct.pack("<HHI", 1, 0, total) + body


INT, DOUBLE, STR, LOCK, OBJ = 3, 4, 5, 2, 1
point = struct_type(16, 8, [("x", 0, 1, scalar("d")), ("y", 8, 1, scalar("d"))])
body = struct_type(40, 8, [("id", 0, 1, scalar("i")), ("pos", 8, 1, point),
                           ("name", 24, 16, scalar("c"))])
seeds = {
    "plain": message("modify", [], [bytes([INT]) + struct.pack("<q", -42),
                                    bytes([DOUBLE]) + struct.pack("<d", 2.5),
                                    bytes([STR]) + text("hello", 4)]),
    "value": message("modify", [(4, 4096)],
                     [bytes([OBJ, 0]) + struct.pack("<Q", 1) + scalar("i")
                      + place(0, 0) + bytes([1, 2]) + place(0, 8)]),
    "array_of_structs": message("modify", [(4, 1 << 20), (5, 4096)],
                                [bytes([OBJ, 1]) + struct.pack("<Q", 3) + point
                                 + place(0, 64) + bytes([1, 1]) + place(1, 0),
                                 bytes([LOCK, 1]) + place(1, 0)]),
    "nested": message("t", [(4, 8192)],
                      [bytes([OBJ, 1]) + struct.pack("<Q", 2) + body
                       + place(0, 0) + bytes([0])]),
    "empty": message("x", [], []),
}
seeds["truncated"] = seeds["value"][:-3]

os.makedirs(sys.argv[1], exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(data)
