"""Benchmark (issue: superconducting elements): Dey et al. (2023) Fig. 3, thermnet beside the
naive script of ``bench/naive_dey_fig3.py`` (nested ``scipy.integrate.quad`` + ``fsolve``),
measured in one run on one machine.

Times
-----
- one photonic heat evaluation with the Mattis-Bardeen film (the link of the shipped netlist
  at T_S = 0.35 K, T_D = 0.1 K, on the photon-energy grid the solver chose there);
- one steady state from a cold start (P_in = 1.8 pW);
- the whole 59-point sweep of ``netlists/dey2023_fig3.net``, cold (fresh process, empty table
  cache: tables built) and warm (fresh process, tables on disk; and again in the same process).

Accuracy: the naive steady state and photonic heat against thermnet's.

Run:  python bench/bench_dey_fig3.py [--no-naive-steady]   (the naive steady state takes
minutes; without it the per-steady-state ratio is estimated from the naive photonic heat time).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import thermnet  # noqa: E402
from thermnet.model.balance import HeatBalance  # noqa: E402
from thermnet.solve.steady import solve  # noqa: E402

NETLIST = os.path.join(HERE, "..", "netlists", "dey2023_fig3.net")
P_TEST = 1.8e-12

SWEEP_SNIPPET = f"""
import time, thermnet, thermnet.api, thermnet.solve.analysis  # imports outside the timing
import thermnet.physics.mattis_bardeen, thermnet.physics.electron_phonon  # noqa: E401
t = time.perf_counter()
res = thermnet.load({NETLIST!r}).run()
assert res[0].converged.all()
print(time.perf_counter() - t)
"""


def fresh_process_sweep(cache_dir: str) -> float:
    env = dict(os.environ, THERMNET_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", SWEEP_SNIPPET], env=env, check=True,
                         capture_output=True, text=True, cwd=os.path.join(HERE, ".."))
    return float(out.stdout.strip().splitlines()[-1])


def balance_at(net, P):
    net.set("P1", P)
    circ = net.circuit()
    return HeatBalance(circ, dict(circ.flat.options))


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return value, min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-naive-steady", action="store_true",
                    help="skip the naive steady state (minutes)")
    args = ap.parse_args()
    import naive_dey_fig3 as naive

    with tempfile.TemporaryDirectory() as cache:
        cold = fresh_process_sweep(cache)
        warm_process = fresh_process_sweep(cache)

    net = thermnet.load(NETLIST)
    net.run()                                    # tables into memory

    def sweep_run():
        net._balance.ramp_path = None            # the first point ramped, as in a new process
        return net.run()
    _, warm_sweep, warm_sweep_med = best_of(sweep_run, 5)

    bal = balance_at(net, P_TEST)
    _, t_cold_state, _ = best_of(lambda: solve(bal), 1)     # cold start, grid chosen
    state, t_state, t_state_med = best_of(lambda: solve(balance_at(net, P_TEST)), 5)
    naive_start = np.array([0.35, 0.1])            # naive_steady_state's fsolve start
    _, t_guess, _ = best_of(lambda: solve(balance_at(net, P_TEST), naive_start), 5)
    per_point = warm_sweep / 59
    T = state.T.copy()
    iS, iD = bal.index["s"], bal.index["d"]
    T[iS], T[iD] = 0.35, 0.1
    bal.choose_grids(T)
    Q = bal.link_heat(0, T)
    nodes = bal.links[0].temp_nodes
    q_sd = float(sum(Q[i, j] for i, a in enumerate(nodes) for j, b in enumerate(nodes)
                     if a == "s" and b == "d"))
    n_calls = 200
    temps = [T.copy() for _ in range(n_calls)]
    for i, Ti in enumerate(temps):        # distinct temperatures: the last result is memoised
        Ti[iS] *= 1 + 1e-9 * (i + 1)
    t0 = time.perf_counter()
    for Ti in temps:
        bal.link_heat(0, Ti)
    t_heat = (time.perf_counter() - t0) / n_calls

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    q_naive = naive.naive_photonic_heat(0.35, 0.1)
    t_heat_naive = time.perf_counter() - t0

    ts, td = state.T[iS], state.T[iD]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"python {platform.python_version()}, numpy {np.__version__}; "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| measurement | thermnet | naive quad + fsolve | ratio |\n|---|---|---|---|")
    print(f"| photonic heat Q(S,D), T_S = 0.35 K, T_D = 0.1 K | {t_heat * 1e3:.3f} ms "
          f"({q_sd:.9e} W) | {t_heat_naive:.2f} s ({q_naive:.9e} W) | "
          f"{t_heat_naive / t_heat:,.0f} |")
    if args.no_naive_steady:
        t_state_naive, naive_text = float("nan"), "not run"
    else:
        t0 = time.perf_counter()
        ts_n, td_n = naive.naive_steady_state(P_TEST)
        t_state_naive = time.perf_counter() - t0
        naive_text = (f"{t_state_naive:.1f} s (T_S = {ts_n * 1e3:.4f} mK, "
                      f"T_D = {td_n * 1e3:.4f} mK; from T = 0.35, 0.1 K)")
    rows = [(f"one steady state, P = {P_TEST * 1e12:g} pW, cold (from the bath temperature)",
             t_state, f" (T_S = {ts * 1e3:.4f} mK, T_D = {td * 1e3:.4f} mK)"),
            ("one steady state from the naive script's start (0.35 K, 0.1 K)", t_guess, ""),
            ("one steady state within the 59-point sweep (warm, average)", per_point, "")]
    for i, (label, t, extra) in enumerate(rows):
        print(f"| {label} | {t * 1e3:.2f} ms{extra} | {naive_text if i == 0 else ''} | "
              f"{t_state_naive / t:,.0f} |")
    print(f"| relative difference, photonic heat | | {abs(q_naive / q_sd - 1):.1e} | |")
    print()
    print("| thermnet, Dey Fig. 3 | time |\n|---|---|")
    print(f"| one steady state, first solve on a new balance (grid chosen) | "
          f"{t_cold_state * 1e3:.1f} ms |")
    print(f"| one steady state (best / median of 5) | {t_state * 1e3:.1f} / "
          f"{t_state_med * 1e3:.1f} ms |")
    print(f"| 59-point sweep, cold: new process, empty table cache | {cold:.2f} s |")
    print(f"| 59-point sweep, warm: new process, tables on disk | {warm_process:.2f} s |")
    print(f"| 59-point sweep, warm, in process (best / median of 5) | {warm_sweep:.3f} / "
          f"{warm_sweep_med:.3f} s |")


if __name__ == "__main__":
    main()
