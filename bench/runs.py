#!/usr/bin/env python3
"""Runs sct_bench several times and writes the table bench/README.md shows.

Every figure and ratio of each run is collected; the table gives, per
figure, the median over the runs with the min and max beside it, with
the date, the CPU model, the commit and the exact command. By default
the benchmark is built first from a fresh clone of this repository's
HEAD (Release, default flags), as a reader reproducing the figures
would build it.

    bench/runs.py [--runs 5] [--quick] [--bench PATH] [--out FILE] [-- ARGS]

ARGS go to sct_bench (--only GROUP, say). Standard library only.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(\S+) (-?[0-9.eE+-]+|inf|nan) (\S+)$")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fresh_build(repo):
    """Clones HEAD into a temporary directory and builds sct_bench."""
    work = tempfile.mkdtemp(prefix="sct-bench-")
    subprocess.run(["git", "clone", "--quiet", repo, work + "/src"], check=True)
    subprocess.run(["cmake", "-S", work + "/src", "-B", work + "/build",
                    "-DCMAKE_BUILD_TYPE=Release", "-DSCT_BUILD_TESTS=OFF"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", work + "/build", "-j2", "--target",
                    "sct_bench"], check=True, stdout=subprocess.DEVNULL)
    return work + "/build/sct_bench"


def one_run(bench, args):
    out = subprocess.run([bench] + args, check=True, capture_output=True,
                         text=True).stdout
    figures = {}
    for line in out.splitlines():
        m = LINE.match(line.strip())
        if m:
            figures[m.group(1)] = (float(m.group(2)), m.group(3))
    return figures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bench", help="an sct_bench already built (no clone)")
    ap.add_argument("--out", help="write the table here (default: stdout)")
    ap.add_argument("args", nargs="*")
    opts = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bench = opts.bench or fresh_build(repo)
    args = (["--quick"] if opts.quick else []) + opts.args
    runs = []
    for i in range(opts.runs):
        print(f"runs.py: run {i + 1} of {opts.runs}", file=sys.stderr)
        runs.append(one_run(bench, args))
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    lines = [
        f"{opts.runs} runs of `sct_bench {' '.join(args)}`".rstrip() +
        f", {datetime.date.today()}, {cpu_model()}, "
        f"{os.cpu_count()} CPUs, commit {commit}"
        + ("" if opts.bench else " (fresh clone, Release)") + ".",
        "",
        "| figure | median | min | max | unit |",
        "|---|---|---|---|---|",
    ]
    names = [n for n in runs[0] if all(n in r for r in runs)]
    # The ratios first, in the benchmark's order: they are what the
    # README claims.
    order = {n: i for i, n in enumerate(names)}
    names.sort(key=lambda n: (not n.startswith("ratio_"), order[n]))
    for name in names:
        values = [r[name][0] for r in runs]
        unit = runs[0][name][1]
        lines.append(f"| {name} | {statistics.median(values):.4g} | "
                     f"{min(values):.4g} | {max(values):.4g} | {unit} |")
    text = "\n".join(lines) + "\n"
    if opts.out:
        with open(opts.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
