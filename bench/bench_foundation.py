"""Benchmark (foundation issue): large networks, rebuilding, set()/run() loops and start-up,
for this checkout and, side by side in the same run, for another checkout (``--baseline
DIR``, e.g. a ``git worktree`` of an older commit).

Every case runs in a fresh process (tables already on disk: a warm-up run first), timed in
CPU seconds of that process (less sensitive to a busy machine than wall time) and in wall
seconds; a case over ``--timeout`` seconds is reported as such.

Run:  python bench/bench_foundation.py [--baseline /tmp/baseline] [--timeout 120]
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

# Each case: (label, python code run in the checkout; it prints one JSON dict).  The code
# sees ``networks`` (bench/networks.py of THIS checkout, for identical circuits), ``timed``.
PRELUDE = f"""
import json, sys, time
sys.path.insert(0, {HERE!r})
import networks, thermnet

def fresh(net):
    # net.run with no ramp kept from an earlier run (folds.RampPath): each .op ramps from
    # the bath state, as in a new process (a repeated .op would start where the last ended)
    def run():
        if getattr(net, "_balance", None) is not None:
            net._balance.ramp_path = None
        return net.run()
    return run

def timed(fn, warm=True):
    if warm:
        fn()
    c, w = time.process_time(), time.perf_counter()
    fn()
    return {{"cpu": time.process_time() - c, "wall": time.perf_counter() - w}}
"""

CASES = {
    "ring50": ("`.op`, one network of 50 resistors at 50 free islands",
               "net = thermnet.parse(networks.ring(50))\nout = timed(fresh(net))"),
    "ring50f20": ("same with 20 Ti films among the 50",
                  "net = thermnet.parse(networks.ring(50, 20))\nout = timed(fresh(net))"),
    "ring20": ("`.op`, one network of 20 resistors (N = 20)",
               "net = thermnet.parse(networks.ring(20))\nout = timed(fresh(net))"),
    "chain200": ("`.op`, chain of 200 islands, pairwise resistor links",
                 "net = thermnet.parse(networks.chain(200))\nout = timed(fresh(net))"),
    "fig1b": ("81-point `.param` sweep (dey2023_fig1b.net), in process; share rebuilding",
              f"""import cProfile, pstats
net = thermnet.load({os.path.join(ROOT, 'netlists', 'dey2023_fig1b.net')!r})
out = timed(net.run)
prof = cProfile.Profile(); prof.enable(); net.run(); prof.disable()
st = pstats.Stats(prof); total = st.total_tt
def rebuilding(k):
    file, _, func = k
    return func in ("elaborate", "rebind") or (func == "__init__" and (
        file.endswith("circuit.py") or file.endswith("balance.py")))
build = sum(v[3] for k, v in st.stats.items() if rebuilding(k))
out["rebuild_share"] = build / total
# the same without the profiler, whose per-call overhead weighs most on small functions
# (a rebind is a few short calls: ~4x its own time under cProfile): the 81 rebindings of
# the sweep timed alone, against the sweep
import numpy as np
bal, flat = net._balance, net._balance.circuit.flat
c = time.process_time()
for _ in range(20):
    for x in np.logspace(-2, 2, 81):
        bal.rebind(flat.rebind({{"x": float(x)}}))
out["rebuild_direct"] = (time.process_time() - c) / 20 / out["cpu"]"""),
    "setloop": ("loop of 59 `net.set()` + `net.run()` vs one 59-point `.sweep` (ratio)",
                f"""import numpy as np
text = open({os.path.join(ROOT, 'netlists', 'dey2023_fig3.net')!r}).read()
text = "\\n".join(line for line in text.splitlines() if not line.startswith(".measure"))
net = thermnet.parse(text.replace(".sweep P1 0.1p 3p 59", ".op"),
                     {os.path.join(ROOT, 'netlists', 'loop.net')!r})
sweep = thermnet.parse(text, {os.path.join(ROOT, 'netlists', 'sweep.net')!r})
def loop():
    if net._balance is not None:    # no ramp kept from the warm-up run (folds.RampPath)
        net._balance.ramp_path = None
    for p in np.linspace(0.1e-12, 3e-12, 59):
        net.set("P1", p)
        net.run()
runs = [(timed(loop), timed(fresh(sweep))) for _ in range(3)]    # alternated: same load
a = min((r[0] for r in runs), key=lambda t: t["cpu"])
b = min((r[1] for r in runs), key=lambda t: t["cpu"])
out = {{"cpu": a["cpu"], "wall": a["wall"], "ratio": a["cpu"] / b["cpu"]}}"""),
}
COMMANDS = {
    "help": ("`thermnet --help`, new process", ["--help"]),
    "check": ("`thermnet check` on a small netlist, new process",
              ["check", os.path.join(ROOT, "netlists", "two_islands_rlc.net")]),
}


def run_case(checkout: str, key: str, timeout: float):
    code = PRELUDE + CASES[key][1] + "\nprint(json.dumps(out))\n"
    env = dict(os.environ, PYTHONPATH=checkout)
    try:
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=timeout, cwd=checkout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if p.returncode:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "?"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def run_command(checkout: str, key: str, repeats: int = 5):
    env = dict(os.environ, PYTHONPATH=checkout)
    code = "import sys; from thermnet.cli import main; sys.exit(main(sys.argv[1:]))"
    times = []
    for _ in range(repeats):
        w = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *COMMANDS[key][1]], env=env,
                       capture_output=True, cwd=checkout)
        times.append(time.perf_counter() - w)
    return {"wall": min(times)}


def fmt(r: dict) -> str:
    if "timeout" in r:
        return f"> {r['timeout']:g} s"
    if "error" in r:
        return "error: " + r["error"][:60]
    text = f"{r['cpu']:.3f} s CPU" if "cpu" in r else f"{r['wall']:.3f} s"
    if "rebuild_share" in r:
        text += f", {100 * r['rebuild_share']:.1f} % rebuilding"
    if "rebuild_direct" in r:
        text += f" ({100 * r['rebuild_direct']:.1f} % timed without the profiler)"
    if "ratio" in r:
        text += f", {r['ratio']:.2f}x the sweep"
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="another checkout to time side by side")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--cases", nargs="*", default=list(CASES) + list(COMMANDS))
    args = ap.parse_args()
    checkouts = [("this checkout", ROOT)] + ([("baseline", args.baseline)]
                                             if args.baseline else [])
    print("| case | " + " | ".join(name for name, _ in checkouts) + " |")
    print("|---|" + "---|" * len(checkouts))
    for key in args.cases:
        label = CASES[key][0] if key in CASES else COMMANDS[key][0]
        cells = []
        for _, path in checkouts:
            r = run_case(path, key, args.timeout) if key in CASES else run_command(path, key)
            cells.append(fmt(r))
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nmachine: {platform.machine()} {platform.processor()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
