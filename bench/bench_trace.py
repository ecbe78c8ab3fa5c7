"""Benchmark (issue 10, branches): the cost of ``trace`` against the plain sweep.

The circuit of ``netlists/dey2023_fig3.net`` over its whole range (P1 from 0.1 to 3 pW):
the plain 59-point sweep as shipped (warm starts, every point's fold check included) and the
same ``.sweep P1 0.1p 3p 59 trace`` (pseudo-arclength continuation, grid values hit exactly),
each timed in one process after a warm-up run (tables built), best of ``--repeat`` runs.
Acceptance: trace <= 2 x plain.

Run:  python bench/bench_trace.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import thermnet  # noqa: E402

NETLIST = os.path.join(HERE, "..", "netlists", "dey2023_fig3.net")


def best_time(text: str, repeat: int):
    times, res = [], None
    for _ in range(repeat):
        net = thermnet.parse(text, NETLIST)
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = net.run()
        times.append(time.perf_counter() - t)
    return min(times), res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with open(NETLIST, encoding="utf-8") as fh:
        plain = fh.read()
    traced = plain.replace(".sweep P1 0.1p 3p 59", ".sweep P1 0.1p 3p 59 trace")
    assert traced != plain
    best_time(plain, 1)                       # warm-up: tables on disk and in memory
    t_plain, r_plain = best_time(plain, args.repeat)
    t_trace, r_trace = best_time(traced, args.repeat)
    a, b = r_plain[0], r_trace[0]
    grid = [k == "grid" for k in b.branch["kind"]]
    same = max(abs(x - y) / y for x, y in zip(b.columns["T(D)"][grid], a.columns["T(D)"]))
    print(f"machine: {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}, {os.cpu_count()} cpus")
    print(f"plain 59-point sweep:  {t_plain:.3f} s  ({len(a.columns['P1'])} rows, "
          f"{len(a.folds)} folds)")
    print(f"trace:                 {t_trace:.3f} s  ({len(b.columns['P1'])} rows, "
          f"{sum(grid)} grid values, {len(b.folds)} folds)")
    print(f"ratio trace/plain:     {t_trace / t_plain:.2f}  (acceptance <= 2)")
    print(f"largest relative difference of T(D) at the grid values: {same:.1e}")


if __name__ == "__main__":
    main()
