#!/usr/bin/env python3
"""sct_mpi's figures: mpi_bench run several times on one node and on two
simulated nodes (tests/mpi/run.sh), and Python's manager proxy doing the
same locked increment, as the table bench/README.md shows.

    python3 bench/mpi_runs.py BUILD_DIR [--flavour openmpi|mpich]
                              [--runs 5] [--quick]

Each ratio is taken within one run (one mpirun job), then its median,
min and max over the runs are printed; so are the times. Exits non-zero
when a run fails.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "tests", "mpi", "run.sh")


def run_bench(build, flavour, layout, quick):
    cmd = [RUN, flavour, layout, "2", "600", os.path.join(build, "mpi_bench")]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"mpi_bench {layout} failed ({out.returncode}):\n"
                 f"{out.stdout}{out.stderr}")
    figures = {}
    for line in out.stdout.splitlines():
        if not line.startswith("#"):
            name, median, *_ = line.split()
            figures[name] = float(median)
    return figures


def manager(quick):
    cmd = [sys.executable, os.path.join(HERE, "python_peer.py"), "--manager"]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[1])


def spread(values):
    return (statistics.median(values), min(values), max(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--flavour", default="openmpi")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    times, ratios = {}, {}

    def keep(table, key, value):
        table.setdefault(key, []).append(value)

    for _ in range(a.runs):
        one = run_bench(a.build, a.flavour, "one", a.quick)
        two = run_bench(a.build, a.flavour, "2x1", a.quick)
        py = manager(a.quick)
        for name, v in one.items():
            keep(times, f"one node: {name}", v)
        for name, v in two.items():
            keep(times, f"two nodes: {name}", v)
        keep(times, "python manager: locked increment", py)
        for op in ("counter_add", "locked_struct"):
            keep(ratios, f"one node: sct_mpi / local sct, {op}",
                 one[f"mpi_{op}"] / one[f"local_{op}"])
            keep(ratios, f"two nodes: sct_mpi / raw MPI, {op}",
                 two[f"mpi_{op}"] / two[f"raw_{op}"])
        keep(ratios, "python manager / sct_mpi two nodes, locked increment",
             py / two["mpi_locked_struct"])
        keep(ratios, "python manager / sct_mpi one node, locked increment",
             py / one["mpi_locked_struct"])
        # What any library built on these MPI calls could reach across
        # nodes: the raw calls' own lead over the proxy.
        keep(ratios, "python manager / raw MPI two nodes, locked increment",
             py / two["raw_locked_struct"])

    print(f"# sct_mpi, {a.flavour}, 2 ranks, {a.runs} runs: median (min-max)")
    for name, values in times.items():
        m, lo, hi = spread(values)
        print(f"{name:50s} {m:12.1f} ns ({lo:.1f}-{hi:.1f})")
    for name, values in ratios.items():
        m, lo, hi = spread(values)
        print(f"{name:60s} {m:8.2f}x ({lo:.2f}-{hi:.2f})")


if __name__ == "__main__":
    main()
