"""Benchmark (issue 14, design sweeps at scale): ``.step`` families on every core, and a large
checkpointed family in bounded memory.

1. Speed-up: ``thermnet run --jobs 2`` against ``--jobs 1`` on 40 steady states of Dey et al.
   Fig. 3 (``netlists/dey2023_fig3.net``: P_in 0.1..3 pW as a ``.step``) x 5 values of the Cu
   electron-phonon constant (``.step sigma_cu``): 200 independent cold steady states.  Each
   run is a fresh process (``python -m thermnet.cli run ... -q -o FILE``, so the pool's start
   -- forkserver, imports, one elaboration per worker -- is counted), the table cache warm,
   the two alternated ``--repeats`` times; best and median wall times, and the outputs are
   checked equal byte for byte.
2. Memory: a two-node circuit (islands S, D coupled to each other and to the bath) over a
   ``.step P1 x .step TB`` family of N combinations, ``--jobs 2 --checkpoint DIR -o out.csv``;
   peak resident set of the largest process (``resource.getrusage(RUSAGE_CHILDREN)`` after
   the run: the CLI and its workers are all children of this script), for N and N/10 (the
   peak must not grow with N), plus the wall time per combination.

   With ``--form sweep`` the family is .step TB over N/1000 values x a 1000-point .sweep P1
   in each: N steady states in N/1000 combinations (warm-started along each sweep).

Run:  python bench/bench_scaling.py [--points N] [--repeats R] [--fig3-values K]
                                   [--skip-speedup] [--skip-memory] [--form op|sweep]
(default N = 10^5: about 5 minutes on 2 cores; ``--points 1000000`` for the full 10^6).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
FIG3 = os.path.join(ROOT, "netlists", "dey2023_fig3.net")


def fig3_family(folder: str, values: int = 5) -> str:
    """Dey Fig. 3 with its 59-point .sweep replaced by 40 .step values x ``values`` values of
    sigma_cu (2e9..4e9), without its .measure cards (they read the sweep)."""
    with open(FIG3, encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace(".sweep P1 0.1p 3p 59",
                        f".step sigma_cu 2e9 4e9 {values}\n.step P1 0.1p 3p 40")
    # the netlist's .measure cards read its sweep, which is now a .step: dropped
    text = "\n".join(line for line in text.splitlines()
                      if not line.lower().startswith(".measure")) + "\n"
    lib = os.path.join(os.path.dirname(FIG3), "lib", "dey2023_devices.lib")
    text = text.replace('.include "lib/dey2023_devices.lib"', f'.include "{lib}"')
    assert ".step P1" in text and lib in text
    path = os.path.join(folder, "fig3_family.net")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def two_node_family(folder: str, n: int, form: str = "op") -> str:
    """The two-node circuit over n points: ``form`` "op": a .step TB x .step P1 family of n
    combinations, each an .op (cold: the ramp from the bath state); "sweep": .step TB over
    n/1000 values x a 1000-point .sweep P1 in each (warm-started points)."""
    a = 1000 if n >= 10_000 else 100
    b = n // a
    assert a * b == n, "N must be a multiple of 1000 (or of 100 below 10^4)"
    path = os.path.join(folder, f"two_node_{form}.net")
    inner = f".step P1 10f 5p {a} log" if form == "op" else f".sweep P1 10f 5p {a} log"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f""".title two islands, {n} steady states
.model cu eph(sigma=3e9 n=5)
TB bath 30mK
P1 S 1pW
ES S bath cu vol=4e-20
GSD S D 1n
ED D bath cu vol=4e-20
.step TB 20m 60m {b}
{inner}
.print T(S) T(D)
""")
    return path


def cli(args, env=None) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "thermnet.cli", *args], check=True, cwd=ROOT,
                   env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def speedup(folder: str, repeats: int, values: int) -> None:
    net = fig3_family(folder, values)
    out = {j: os.path.join(folder, f"fig3-jobs{j}.csv") for j in (1, 2)}
    cli(["run", net, "--jobs", "1", "-q", "-o", out[1]])       # tables onto disk
    times: dict = {1: [], 2: []}
    for _ in range(repeats):
        for j in (1, 2):
            times[j].append(cli(["run", net, "--jobs", str(j), "-q", "-o", out[j]]))
    with open(out[1], "rb") as a, open(out[2], "rb") as b:
        same = a.read() == b.read()
    best = {j: min(t) for j, t in times.items()}
    med = {j: statistics.median(t) for j, t in times.items()}
    print(f"| Dey Fig. 3, 40 P_in x {values} sigma_cu ({40 * values} cold steady states) "
          "| --jobs 1 | --jobs 2 | speed-up |\n|---|---|---|---|")
    print(f"| best of {repeats} | {best[1]:.2f} s | {best[2]:.2f} s | "
          f"{best[1] / best[2]:.2f}x |")
    print(f"| median | {med[1]:.2f} s | {med[2]:.2f} s | {med[1] / med[2]:.2f}x |")
    print(f"outputs equal byte for byte: {same}\n")


def memory(folder: str, points: int, form: str = "op") -> None:
    print(f"| two-node family ({form}), --jobs 2 --checkpoint, CSV out | wall | per point "
          "| peak RSS (largest process) | output |\n|---|---|---|---|---|")
    for n in (points // 10, points):
        net = two_node_family(folder, n, form)
        ck = os.path.join(folder, f"ck-{n}")
        out = os.path.join(folder, f"out-{n}.csv")
        # a child process measures its own children: the peak is this run's alone
        code = ("import resource, subprocess, sys, time\n"
                "t = time.perf_counter()\n"
                f"subprocess.run([sys.executable, '-m', 'thermnet.cli', 'run', {net!r}, "
                f"'--jobs', '2', '-q', '--checkpoint', {ck!r}, '-o', {out!r}], check=True)\n"
                "print(time.perf_counter() - t, "
                "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
        got = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                             capture_output=True, text=True).stdout.split()
        wall, rss_kib = float(got[0]), int(got[1])
        size = os.path.getsize(out)
        with open(out, encoding="utf-8") as fh:
            rows = sum(1 for line in fh) - 1
        assert rows == n, (rows, n)
        print(f"| N = {n:,} | {wall:.0f} s | {wall / n * 1e3:.2f} ms | "
              f"{rss_kib / 1024:.0f} MiB | {rows:,} rows, {size / 1e6:.0f} MB |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=100_000,
                    help="combinations of the two-node family (default 10^5)")
    ap.add_argument("--repeats", type=int, default=3, help="alternated runs of each --jobs")
    ap.add_argument("--fig3-values", type=int, default=5,
                    help="sigma_cu values of the speed-up family (default 5: 200 states)")
    ap.add_argument("--skip-speedup", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--form", choices=("op", "sweep"), default="op",
                    help="memory family: N .op combinations (default), or .step TB x a "
                    "1000-point .sweep P1 (N points in N/1000 combinations)")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_speedup:
            speedup(folder, args.repeats, args.fig3_values)
        if not args.skip_memory:
            memory(folder, args.points, args.form)
    print(f"load average at end {os.getloadavg()[0]:.1f}; peak RSS of this script "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
