#!/usr/bin/env python3
"""Reads examples/space.c's table from Python under sct's own lock.

    space_reader.py NAME      (SCT_LIBRARY: libsct.so; python/ on PYTHONPATH)

Prints the table as C's sct_obj_format prints it, so the two outputs can
be compared line for line.
"""
import sys

import sct_space

with sct_space.Space(sys.argv[1]) as space:
    entry = space.entry("rows")
    print(f"rows: {entry.kind} of {entry.count} {entry.format}")
    rows = space.view("rows")
    with space.lock("rows") as held:
        table = sct_space.to_python(rows)
        torn = [r[0] for r in table if r[2] != 2 * r[1]]
    print(f"previous holder died: {'yes' if held.owner_died else 'no'}, "
          f"torn rows: {torn}")
    print(table)
    del rows
