#!/usr/bin/env python3
"""ctest: sct_obj_format of single 'u' characters, code point by code
point, against the real Python's repr() (sct follows Python 3.11).
   format_vs_python.py SCT_TESTS [STEP]"""
import subprocess
import sys

exe = sys.argv[1]
step = sys.argv[2] if len(sys.argv) > 2 else "1"
out = subprocess.run([exe, "--helper", "format", "reprs", "0", step],
                     check=True, capture_output=True).stdout
bad = 0
lines = out.decode("utf-8", "surrogatepass").splitlines()
for line in lines:
    code, shown = line.split(" ", 1)
    want = repr(chr(int(code)))
    if shown != want:
        bad += 1
        if bad <= 10:
            print("U+%04X: sct %s, Python %s" % (int(code), shown, want))
print("%d code points compared, %d differ (Python %d.%d)"
      % ((len(lines), bad) + sys.version_info[:2]))
sys.exit(1 if bad or not lines else 0)
