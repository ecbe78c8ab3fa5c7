"""Benchmark (issue 9): start-up of ``thermnet check``, ``--help`` and ``run`` in a new
process, for this checkout and, side by side, another (``--baseline DIR``, e.g. a ``git
worktree`` of main).

Each row is the best of ``--repeats`` new processes, alternating between the checkouts, in
CPU seconds of the process (user + system: less sensitive to a busy machine than wall time)
and in wall seconds.  Rows:

- ``python -c pass``, ``import numpy``, ``import numpy, lark``: the floor no thermnet
  change can go under (``check`` needs numpy and lark);
- ``check`` as the environment runs it; with ``PYTHONDONTWRITEBYTECODE`` set (as on the
  machine of the figures in docs/performance.md) every thermnet module is compiled from
  source in every process;
- ``check, bytecode cached``: the same with .pyc files kept (``PYTHONPYCACHEPREFIX`` in the
  temporary directory, the variable unset), as an installed package runs;
- ``check + solver imports``: ``check``, then the modules ``run`` adds (scipy);
- ``run``: ``thermnet run -q`` of the same netlist (a 200-point sweep); the start-up share
  of ``run`` is ``check + solver imports`` over ``run``.

Run:  python bench/bench_startup.py [--baseline /tmp/base] [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NETLIST = os.path.join(ROOT, "netlists", "two_islands_rlc.net")
CHECK = "import sys; from thermnet.cli import main; main(['check', sys.argv[1]])"
CASES = {
    "python -c pass": ("pass", ()),
    "import numpy": ("import numpy", ()),
    "import numpy, lark": ("import numpy, lark", ()),
    "`thermnet --help`": ("import sys; from thermnet.cli import main; main(['--help'])", ()),
    "`thermnet check`": (CHECK, (NETLIST,)),
    "`thermnet check`, bytecode cached": (CHECK, (NETLIST,)),
    "`check` + solver imports": (CHECK + "; import thermnet.solve.analysis, "
                                 "thermnet.solve.family, thermnet.model.balance, "
                                 "thermnet.results.io", (NETLIST,)),
    "`thermnet run -q` (200-point sweep)": (
        "import sys; from thermnet.cli import main; main(['run', '-q', sys.argv[1]])",
        (NETLIST,)),
}


def measure(checkout: str, case: str) -> tuple:
    """(CPU seconds, wall seconds) of one new process running ``case`` in ``checkout``."""
    code, args = CASES[case]
    env = dict(os.environ, PYTHONPATH=checkout)
    if "bytecode cached" in case:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(
            tempfile.gettempdir(), "thermnet-bench-pyc", os.path.basename(checkout))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=checkout,
                   capture_output=True, check=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="another checkout to time side by side")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    checkouts = [ROOT] + ([os.path.abspath(args.baseline)] if args.baseline else [])
    for checkout in checkouts:                  # warm-up: tables, parser cache, .pyc files
        for case in CASES:
            measure(checkout, case)
    best = {(c, k): (float("inf"), float("inf")) for c in checkouts for k in CASES}
    for _ in range(args.repeats):
        for case in CASES:
            for checkout in checkouts:
                cpu, wall = measure(checkout, case)
                old = best[checkout, case]
                best[checkout, case] = (min(old[0], cpu), min(old[1], wall))
    names = ["this checkout"] + (["baseline"] if args.baseline else [])
    print("| case | " + " | ".join(f"{n}: CPU / wall" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for case in CASES:
        cells = [f"{best[c, case][0]:.3f} / {best[c, case][1]:.3f} s" for c in checkouts]
        print(f"| {case} | " + " | ".join(cells) + " |")
    for c, n in zip(checkouts, names):
        share = best[c, "`check` + solver imports"][0] / best[c, "`thermnet run -q` (200-point "
                                                              "sweep)"][0]
        print(f"\n{n}: start-up share of `run` (CPU): {100 * share:.0f} %", end="")
    print(f"\n\nmachine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{os.getloadavg()[0]:.1f}, PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")


if __name__ == "__main__":
    main()
