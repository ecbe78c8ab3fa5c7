"""Benchmark (issue 9): machine instructions per Dey Fig. 3 sweep, counted by valgrind's
callgrind, for this checkout and, side by side, another one (``--baseline DIR``, e.g. a
``git worktree`` of an older commit).

Timings on a shared VM drift by 10-40 % within minutes (docs/performance.md), which hides a
change of a few per cent.  An instruction count is repeatable for the same code, inputs and
environment, whatever else the machine is doing: it is the figure to compare for small
changes (it does not see cache misses or a slow division, so time the large ones too).

Each checkout runs the shipped ``netlists/dey2023_fig3.net`` in a fresh process under
callgrind twice: the first sweep alone (imports, tables from disk, the first run), and the
same followed by ``--sweeps`` more sweeps, each ramped from the bath state as in a new
process.  The difference divided by ``--sweeps`` is the count of one warm sweep.  The two runs
of a checkout go at the same time, the checkouts one after the other.  Needs ``valgrind``
(Debian package); about two minutes per checkout.

Run:  python bench/bench_instructions.py [--baseline /tmp/wt-base] [--sweeps 2]
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SNIPPET = """
import os, sys
sys.path.insert(0, os.getcwd())
import thermnet
net = thermnet.load("netlists/dey2023_fig3.net")
net.run()
for _ in range(int(sys.argv[1])):
    net._balance.ramp_path = None      # ramp the first point again, as in a new process
    net.run()
"""


def instructions(checkout: str, sweeps: int, script: str, workdir: str) -> int:
    """Instructions (callgrind's 'Collected') of ``script`` with ``sweeps`` extra sweeps."""
    out = os.path.join(workdir, f"callgrind.{abs(hash(checkout))}.{sweeps}")
    # one thread, and one string-hash seed (set and dict orders move the count by ~0.6 %)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                          sys.executable, script, str(sweeps)], cwd=checkout, env=env,
                         capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from callgrind:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_sweep(checkout: str, sweeps: int, workdir: str) -> float:
    """Instructions of one warm sweep: the runs with 0 and ``sweeps`` extra sweeps, at once."""
    script = os.path.join(workdir, "sweeps.py")
    with open(script, "w") as fh:
        fh.write(SNIPPET)
    with ThreadPoolExecutor(2) as pool:
        first, more = pool.map(lambda n: instructions(checkout, n, script, workdir),
                               (0, sweeps))
    return (more - first) / sweeps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", help="another checkout, counted the same way")
    ap.add_argument("--sweeps", type=int, default=2, help="warm sweeps counted (default 2)")
    args = ap.parse_args()
    rows = [("this checkout", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"valgrind callgrind\n")
    print("| checkout | instructions per warm Dey Fig. 3 sweep |\n|---|---|")
    counts = []
    with tempfile.TemporaryDirectory() as workdir:
        for label, checkout in rows:
            counts.append(per_sweep(os.path.abspath(checkout), args.sweeps, workdir))
            print(f"| {label} | {counts[-1] / 1e9:.4f} x 10^9 |", flush=True)
    if len(counts) == 2:
        print(f"\nthis checkout / baseline: {counts[0] / counts[1]:.4f}")


if __name__ == "__main__":
    main()
