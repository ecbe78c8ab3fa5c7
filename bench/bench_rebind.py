"""Benchmark (foundation issue): the cost of rebinding in an 81-point ``.param`` sweep
(netlists/dey2023_fig1b.net), for this checkout and, side by side in the same run, for
another (``--baseline DIR``, e.g. a ``git worktree`` of an older commit).

``bench_foundation.py --cases fig1b`` measures the share once (one profiled run, wall-clock
profiler: on a busy machine one run can be off by a factor 2).  Here, in one fresh process
per checkout: the same share (cProfile's cumulative time of the functions named
elaborate/rebind and of Circuit/HeatBalance __init__, over the total; the definition of
bench_foundation.py) for ``--repeats`` profiled runs (median, min, max); the time of one
run without the profiler (CPU, best of the repeats); and the wall time of one
FlatCircuit.rebind and one HeatBalance.rebind of the sweep's points (median, measured by
wrapping them).

Run:  python bench/bench_rebind.py [--baseline /tmp/baseline] [--repeats 9]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CODE = """
import cProfile, json, pstats, statistics, sys, time
import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.netlist.elaborate import FlatCircuit
repeats = int(sys.argv[1])
net = thermnet.load(sys.argv[2])
net.run()

def rebuilding(k):
    file, _, func = k
    return func in ("elaborate", "rebind") or (func == "__init__" and (
        file.endswith("circuit.py") or file.endswith("balance.py")))

shares, cpu = [], []
for _ in range(repeats):
    prof = cProfile.Profile(); prof.enable(); net.run(); prof.disable()
    st = pstats.Stats(prof)
    shares.append(sum(v[3] for k, v in st.stats.items() if rebuilding(k)) / st.total_tt)
    c = time.process_time(); net.run(); cpu.append(time.process_time() - c)
took = {"flat": [], "balance": []}

def wrap(cls, name):
    inner = cls.rebind
    def rebind(self, *a, **k):
        t = time.perf_counter(); out = inner(self, *a, **k)
        took[name].append(time.perf_counter() - t); return out
    cls.rebind = rebind
wrap(FlatCircuit, "flat"); wrap(HeatBalance, "balance")
for _ in range(repeats):
    net.run()
print(json.dumps({"share": sorted(shares), "cpu": min(cpu),
                  "flat_us": 1e6 * statistics.median(took["flat"]),
                  "balance_us": 1e6 * statistics.median(took["balance"]),
                  "rebinds_per_run": len(took["flat"]) / repeats}))
"""


def measure(checkout: str, repeats: int) -> dict:
    env = dict(os.environ, PYTHONPATH=checkout)
    p = subprocess.run([sys.executable, "-c", CODE, str(repeats),
                        os.path.join(ROOT, "netlists", "dey2023_fig1b.net")],
                       env=env, capture_output=True, text=True, cwd=checkout)
    if p.returncode:
        return {"error": p.stderr.strip().splitlines()[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="another checkout to time side by side")
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args()
    checkouts = [("this checkout", ROOT)] + ([("baseline", args.baseline)]
                                             if args.baseline else [])
    found = [(name, measure(path, args.repeats)) for name, path in checkouts]
    print("| 81-point `.param` sweep, dey2023_fig1b.net | " +
          " | ".join(name for name, _ in found) + " |")
    print("|---|" + "---|" * len(found))
    rows = [
        ("rebuild share, median (min-max) of the profiled runs",
         lambda r: f"{100 * r['share'][len(r['share']) // 2]:.1f} % "
                   f"({100 * r['share'][0]:.1f}-{100 * r['share'][-1]:.1f} %)"),
        ("one run, CPU (best)", lambda r: f"{1e3 * r['cpu']:.1f} ms"),
        ("one FlatCircuit.rebind (median)", lambda r: f"{r['flat_us']:.1f} us"),
        ("one HeatBalance.rebind (median)", lambda r: f"{r['balance_us']:.1f} us"),
        ("rebinds per run", lambda r: f"{r['rebinds_per_run']:.0f}"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(
            "error: " + r["error"][:60] if "error" in r else cell(r) for _, r in found) + " |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {load:.1f}")


if __name__ == "__main__":
    main()
