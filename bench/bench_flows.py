"""Benchmark (issue 9, the Dey Fig. 3 per-point targets): the cost of one heat-balance
evaluation of ``netlists/dey2023_fig3.net`` (one photonic link: Cu resistor, Ti
Mattis-Bardeen film, Cu resistor; e-ph of Cu and of Ti), for this checkout and, side by side
in the same run, for another (``--baseline DIR``, e.g. a ``git worktree`` of an older commit).

In one fresh process per checkout: the balance at P = 1.8 pW, solved (photon grids chosen
there), then ``HeatBalance._flows(T_i, 1.0, derivatives)`` timed over ``N`` distinct states
T_i (the source temperature moved by 1e-9 relative each: no memo answers):

- a residual (``derivatives=False``);
- a derivative pass at a new state (``derivatives=True``; spectrum and dY/dT computed);
- a derivative pass right after the residual at the same state (the solver's usual order:
  the link's spectrum is kept, ``HeatBalance._network``'s memo), the pair's time less the
  residual's;
- the film's ``conductivity`` and ``conductivity_derivative`` alone on the link's energies,
  and its ``admittance`` followed by ``admittance_derivative`` at the same state.

Times are per call in microseconds of CPU time (``time.process_time``: a busy machine's other
processes do not count, though they still share its caches), the best of ``--rounds`` rounds
in each of ``--alternate`` fresh processes per checkout, the checkouts alternated.  The deterministic figures are
the calls cProfile counts per evaluation (Python functions and C functions called by name;
numpy's ufuncs and operators are not among them) and the number of photon energies.

Run:  python bench/bench_flows.py [--baseline /tmp/baseline] [--rounds 7] [--n 200]
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
NETLIST = os.path.join(ROOT, "netlists", "dey2023_fig3.net")

CODE = """
import cProfile, json, pstats, sys, time
import numpy as np
import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.physics import mattis_bardeen
from thermnet.solve.steady import solve

netlist, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
net = thermnet.load(netlist)
net.set("P1", 1.8e-12)
circ = net.circuit()
bal = HeatBalance(circ, dict(circ.flat.options))
state = solve(bal)
T0 = state.T.copy()
iS = bal.index["s"]
temps = []
for i in range(n):
    Ti = T0.copy()
    Ti[iS] *= 1 + 1e-9 * (i + 1)
    temps.append(Ti)
film = [e for e in bal.links[0].elements if e.temperature_dependent][0]
m = film.model
E, _ = bal._quadrature(0, T0[bal.link_idx[0]], bal.grids[0])
ts = [float(Ti[iS]) for Ti in temps]


def residual():
    for Ti in temps:
        bal._flows(Ti, 1.0, False)


def derivative_new():
    for Ti in temps:
        bal._flows(Ti * (1 + 1e-10), 1.0, True)


def pair():
    for Ti in temps:
        Tj = Ti * (1 + 2e-10)
        bal._flows(Tj, 1.0, False)
        bal._flows(Tj, 1.0, True)


def sigma():
    for t in ts:
        mattis_bardeen.conductivity(E, t, m.tc, m.gapratio, m.gap)


def sigma_derivative():
    for t in ts:
        mattis_bardeen.conductivity_derivative(E, t, m.tc, m.gapratio, m.gap)


def film_pair():
    for t in ts:
        film.admittance(E, t)
        film.admittance_derivative(E, t)


cases = {"residual": residual, "derivative pass, new state": derivative_new,
         "residual + derivative pass, same state": pair,
         "film conductivity": sigma, "film conductivity_derivative": sigma_derivative,
         "film admittance + dY/dT, same state": film_pair}
best = {k: float("inf") for k in cases}
for _ in range(rounds):
    for k, fn in cases.items():
        t = time.process_time()
        fn()
        best[k] = min(best[k], (time.process_time() - t) / n * 1e6)


def ncalls(fn):
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    return sum(v[1] for v in pstats.Stats(prof).stats.values()) / n


calls = {k: ncalls(fn) for k, fn in cases.items()}
print(json.dumps({"us": best, "calls": calls, "energies": int(E.size)}))
"""


def measure(root: str, n: int, rounds: int) -> dict:
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run([sys.executable, "-c", CODE, NETLIST, str(n), str(rounds)],
                         env=env, check=True, capture_output=True, text=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", help="another checkout to time side by side")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n", type=int, default=200, help="distinct states per round")
    ap.add_argument("--alternate", type=int, default=3,
                    help="fresh processes per checkout, alternated (best of all)")
    args = ap.parse_args()
    roots = {"now": ROOT}
    if args.baseline:
        roots = {"baseline": os.path.abspath(args.baseline), "now": ROOT}
    got: dict = {}
    for _ in range(args.alternate):
        for name, root in roots.items():
            r = measure(root, args.n, args.rounds)
            if name not in got:
                got[name] = r
            else:
                got[name]["us"] = {k: min(v, r["us"][k]) for k, v in got[name]["us"].items()}
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"load average {load:.2f}; {next(iter(got.values()))['energies']} photon energies\n")
    names = list(roots)
    print("| per evaluation | " + " | ".join(f"{k}: us | {k}: calls" for k in names)
          + " |\n|---|" + "---|---|" * len(names))
    first = got[names[0]]
    for case in first["us"]:
        cells = " | ".join(f"{got[k]['us'][case]:.1f} | {got[k]['calls'][case]:.0f}"
                           for k in names)
        print(f"| {case} | {cells} |")


if __name__ == "__main__":
    main()
