"""Benchmark of the Usadel proximity kernel (thermnet.physics.proximity).

Times a 30-temperature kappa(T)/kappa_N curve cold (tables built from scratch), warm from the
on-disk cache (fresh in-memory state, as in a new process) and warm in memory, and one
``heat()`` call warm; measures the table interpolation error against direct Usadel solves
(``exact=True``) and the exponents of BV03's kappa(T) power laws.  Targets: warm curve < 1 s,
``heat()`` well under 5 ms.  Prints markdown tables.

Run:  python bench/bench_proximity.py
"""
import os
import platform
import statistics
import subprocess
import tempfile
import time

import numpy as np

from thermnet.physics import proximity as P
from thermnet.physics import tables

TC = 1.0       # K
DELTA0_K = 1.764 * TC
CASES = [  # (ln = L_N/xi0, r, phase)
    (10.0, 1.0, 0.0),
    (10.0, 0.1, 0.0),
    (100.0, 1.0, 0.0),
    (10.0, 0.0, 2.0),
]


def _forget_memory():
    """Drop the in-memory tables (the on-disk cache stays): the state of a new process."""
    tables._memory.clear()
    P._LENGTH_TABLES.clear()


def _timed(fn, repeats=1):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or platform.machine()


def timings():
    T = TC * np.linspace(0.02, 1.0, 30)
    print("| ln | r | phase | kappa(T) 30 pts cold s | warm (disk) s | warm (memory) ms "
          "| heat() warm us |")
    print("|---|---|---|---|---|---|---|")
    for ln, r, phase in CASES:
        _forget_memory()
        _, cold = _timed(lambda: P.kappa_ratio(T, TC, ln, r, phase))
        _forget_memory()
        _, disk = _timed(lambda: P.kappa_ratio(T, TC, ln, r, phase))
        _, mem = _timed(lambda: P.kappa_ratio(T, TC, ln, r, phase), repeats=20)
        _, one = _timed(lambda: [P.heat(0.3, 0.1, 0.2, TC, ln, r, 1e-3, phase) for _ in range(200)])
        print(f"| {ln:g} | {r:g} | {phase:g} | {cold:.2f} | {disk:.3f} | {mem * 1e3:.2f} "
              f"| {one / 200 * 1e6:.0f} |")


def interpolation_errors():
    T = TC * np.array([0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.88, 0.95, 0.99])
    rng = np.random.default_rng(3)
    eps = np.sort(np.concatenate([rng.uniform(0, 3, 100), 10 ** rng.uniform(-7, 3, 100)]))
    print("\n| ln | r | phase | max abs err kappa/kappa_N (table vs exact, 9 T) "
          "| max abs err G/G_N | max abs err 1/R_Q(eps) | max abs err 1/R_I(eps) |")
    print("|---|---|---|---|---|---|---|")
    for ln, r, phase in CASES:
        k = np.abs(P.kappa_ratio(T, TC, ln, r, phase) - P.kappa_ratio(T, TC, ln, r, phase, exact=True))
        g = np.abs(P.conductance_ratio(T, TC, ln, r, phase)
                   - P.conductance_ratio(T, TC, ln, r, phase, exact=True))
        tab = P.spectral_resistances(eps, ln, r, phase)
        ref = P.spectral_resistances(eps, ln, r, phase, exact=True)
        with np.errstate(divide="ignore"):
            dq = np.nanmax(np.abs(1 / tab[0] - 1 / ref[0]))
        di = np.max(np.abs(1 / tab[1] - 1 / ref[1]))
        print(f"| {ln:g} | {r:g} | {phase:g} | {k.max():.1e} | {g.max():.1e} | {dq:.1e} | {di:.1e} |")


def exponents():
    print("\n| ln | r | T0/Tc | E_Th/Tc | fit window (Tc) | exponent of kappa | exponent of "
          "kappa/kappa_N | exponent of kappa below E_Th/10 | kappa/kappa_N at T=0 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ln in (10.0, 100.0):
        for r in (0.1, 1.0, 10.0):
            t0 = DELTA0_K / (ln * np.sqrt(r))
            eth = 2 * DELTA0_K / ln ** 2
            lo, hi = 3 * eth, t0 / 3
            low = np.geomspace(eth / 100, eth / 10, 8)
            s_low = np.polyfit(np.log(low), np.log(low * P.kappa_ratio(low, TC, ln, r)), 1)[0]
            if hi > lo:
                w = np.geomspace(lo, hi, 15)
                s = np.polyfit(np.log(w), np.log(w * P.kappa_ratio(w, TC, ln, r)), 1)[0]
                window, s_txt, s_rel = f"{lo:.3g}-{hi:.3g}", f"{s:.3f}", f"{s - 1:.3f}"
            else:
                window, s_txt, s_rel = "none (3E_Th > T0/3)", "-", "-"
            print(f"| {ln:g} | {r:g} | {t0:.3g} | {eth:.3g} | {window} | {s_txt} | {s_rel} "
                  f"| {s_low:.3f} | {P.kappa_ratio(0.0, TC, ln, r):.4f} |")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["THERMNET_CACHE_DIR"] = tmp
        _forget_memory()
        timings()
        interpolation_errors()
        exponents()
    print(f"\nmachine: {cpu_model()} ({os.cpu_count()} CPUs), python {platform.python_version()}, "
          f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
