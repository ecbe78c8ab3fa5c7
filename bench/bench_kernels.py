"""Benchmark of the superconducting kernels: accuracy, cold table build, warm call time.

Run ``python bench/bench_kernels.py`` (from the repository root); prints markdown tables
(``--mb-only``: only the Mattis-Bardeen per-call times, previous and present path alternated).
Accuracy is the maximum relative error of the default (table) path against ``exact=True``
(adaptive quadrature) over a random sample inside the documented table ranges.  Cold build
times use a fresh temporary ``THERMNET_CACHE_DIR`` and empty in-memory caches.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from thermnet.physics import bcs, electron_phonon, mattis_bardeen, nis, tables  # noqa: E402
from thermnet.physics.constants import h, kB  # noqa: E402

# the table evaluation before the row form, timed against the present one: kept once, in the
# test that checks the row form against it
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from test_mb_kernel import _rows_reference  # noqa: E402

TC = 0.4


def per_call(fn, min_time=0.5):
    """Median-of-5 warm time per call of ``fn()`` in microseconds."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 > min_time / 5:
            break
        n *= 2
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n)
    return 1e6 * float(np.median(runs))


def clear_caches():
    tables._memory.clear()
    for fn in (bcs._bcs_spline, mattis_bardeen._table, nis._spline, electron_phonon._table):
        fn.cache_clear()


def cold_builds():
    """Cold build time (s) of each table in a fresh cache directory."""
    out = {}
    old = os.environ.get("THERMNET_CACHE_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["THERMNET_CACHE_DIR"] = tmp
        clear_caches()
        for name, build in (("BCS gap", lambda: bcs.reduced_gap(0.5, "bcs")),
                            ("Mattis-Bardeen", mattis_bardeen._table),
                            ("NIS (one dynes/gapratio/gap)",
                             lambda: nis.conductance_ratio(0.3, 1.0, 1e-4)),
                            ("e-ph BCS", electron_phonon._table)):
            t0 = time.perf_counter()
            build()
            out[name] = time.perf_counter() - t0
        clear_caches()
        t0 = time.perf_counter()
        bcs.reduced_gap(0.5, "bcs")
        mattis_bardeen._table()
        electron_phonon._table()
        nis.conductance_ratio(0.3, 1.0, 1e-4)
        out["warm load from disk (all)"] = time.perf_counter() - t0
    if old is None:
        del os.environ["THERMNET_CACHE_DIR"]
    else:
        os.environ["THERMNET_CACHE_DIR"] = old
    clear_caches()
    return out


def accuracy_mb(rng, n_t=12, n_x=25):
    worst = [0.0, 0.0]
    for t in rng.uniform(0.03, 0.9999, n_t):
        T = t * TC
        delta = bcs.gap(T, TC)
        x = np.sort(np.concatenate((
            np.exp(rng.uniform(np.log(mattis_bardeen.X_MIN), np.log(mattis_bardeen.X_MAX), n_x)),
            rng.uniform(1.8, 2.2, 5))))
        fast = mattis_bardeen.conductivity(x * delta, T, TC)
        ref = mattis_bardeen.conductivity(x * delta, T, TC, exact=True)
        for k in range(2):
            worst[k] = max(worst[k], float(np.max(np.abs(fast[k] / ref[k] - 1))))
    return worst


def accuracy_nis(rng, n=60):
    worst = 0.0
    for dynes in (0.0, 1e-4, 1e-2):
        t = 1.0 / rng.uniform(1.0, nis.W_MAX, n)
        fast = nis.conductance_ratio(t, 1.0, dynes)
        ref = nis.conductance_ratio(t, 1.0, dynes, exact=True)
        worst = max(worst, float(np.max(np.abs(fast / ref - 1))))
    return worst


def accuracy_eph(rng, n=12):
    worst = 0.0
    for _ in range(n):
        b = float(np.exp(rng.uniform(np.log(electron_phonon.B_MIN), np.log(60.0))))
        p = float(rng.uniform(0.0, electron_phonon.P_MAX))
        fast = electron_phonon._ratio(b, p, False)
        ref = electron_phonon.heat_ratio(b, p, exact=True)
        worst = max(worst, abs(fast / ref - 1))
    return worst


def accuracy_eph_fixed(rng, n=3000):
    """Table vs the fixed quadrature (itself ~1e-10 from adaptive) on a dense sample."""
    b = np.exp(rng.uniform(np.log(electron_phonon.B_MIN), np.log(electron_phonon.B_MAX), n))
    p = rng.uniform(0.0, electron_phonon.P_MAX, n)
    return max(abs(electron_phonon._ratio(bi, pi, False) / electron_phonon.heat_ratio(bi, pi) - 1)
               for bi, pi in zip(b, p))


def accuracy_mb_fixed(rng, n=20000):
    x = np.exp(rng.uniform(np.log(mattis_bardeen.X_MIN), np.log(mattis_bardeen.X_MAX), n))
    x[: n // 10] = rng.uniform(1.5, 3.0, n // 10)
    b = np.exp(rng.uniform(np.log(mattis_bardeen.B_MIN), np.log(mattis_bardeen.B_MAX), n))
    r1, r2 = mattis_bardeen.reduced_conductivity(x, b)
    worst = [0.0, 0.0]
    for i in range(n):
        f1, f2 = mattis_bardeen._reduced_table(x[i:i + 1], b[i])
        worst[0] = max(worst[0], abs(f1[0] / r1[i] - 1))
        worst[1] = max(worst[1], abs(f2[0] / r2[i] - 1))
    return worst


def photonic_dey(TS, TD, n_panels=12, order=16):
    """Dey Eq. 3 with thermnet kernels on the photonic module's energy grid (~200 nodes)."""
    from thermnet.physics.photonic import energy_grid
    R_D = 3e-8 * 2e-6 / (700e-9 * 30e-9)
    R_0 = 30e-8 * 6e-6 / (700e-9 * 25e-9)
    bp = (2 * bcs.gap(TS, TC, 1.76),) if TS < TC else ()
    E, w = energy_grid(max(TS, TD), n_panels, order, bp)
    zs = R_D + mattis_bardeen.impedance(E, TS, R_0, TC, 1.76)
    tau = 4 * zs.real * R_D / np.abs(zs + R_D) ** 2
    n_s = 1 / np.expm1(E / (kB * TS))
    n_d = 1 / np.expm1(E / (kB * TD))
    return float(np.sum(w * E * tau * (n_s - n_d)) / h), E.size


def previous_conductivity(energy, T):
    """``conductivity`` as it was (validation, gap, previous table evaluation)."""
    energy = np.atleast_1d(np.asarray(energy, dtype=float))
    if np.any(~(energy > 0)):
        raise ValueError
    delta = bcs.gap(T, TC)
    return _rows_reference(energy / delta, delta / (kB * T))


def previous_derivative(energy, T):
    """The film's dY/dT before (times R0): central difference with the clamped step."""
    d = bcs.gap(T, TC)
    step = min(1e-5 * T, 0.5 * (TC - T))
    probe = 1e-3 * step
    speed = abs(2 * bcs.gap(T + probe, TC) - 2 * bcs.gap(T - probe, TC)) / (2 * probe)
    if speed > 0:
        step = min(step, 0.25 * float(np.min(np.abs(energy - 2 * d))) / speed)
    step = max(step, 1e-9 * T)
    hi, lo = previous_conductivity(energy, T + step), previous_conductivity(energy, T - step)
    return (hi[0] - lo[0]) / (2 * step), (hi[1] - lo[1]) / (2 * step)


def alternated(energies, temps, rounds=5):
    """Per-call time (us) of the previous and the present table path, and of dY/dT by the
    previous difference and by the analytic derivative: alternated rounds in one process,
    best round of each."""
    cases = {
        "conductivity, previous (splev per field)": lambda T: previous_conductivity(energies, T),
        "conductivity, now (rows)": lambda T: mattis_bardeen.conductivity(energies, T, TC),
        "dsigma/dT, previous (central difference)": lambda T: previous_derivative(energies, T),
        "sigma and dsigma/dT, now (analytic)":
            lambda T: mattis_bardeen.conductivity_derivative(energies, T, TC),
    }
    best = {k: np.inf for k in cases}
    for _ in range(rounds):
        for k, fn in cases.items():
            t = per_call(lambda: [fn(T) for T in temps], min_time=0.2) / len(temps)
            best[k] = min(best[k], t)
    return best


def print_alternated():
    temps = np.array([0.03, 0.2, 0.3, 0.37, 0.394])
    for n in (274, 1000):
        E = np.geomspace(1e-3, 40, n) * kB * TC
        print(f"\nMattis-Bardeen per call, {n} energies, T in {temps.tolist()} K "
              "(alternated, best of 5 rounds):\n\n| call | us |\n|---|---|")
        for k, v in alternated(E, temps).items():
            print(f"| {k} | {v:,.1f} |")


def main():
    warnings.simplefilter("error")
    rng = np.random.default_rng(2026)
    try:
        cpu = [ln.split(":", 1)[1].strip() for ln in
               subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
               if ln.startswith("Model name")][0]
    except (OSError, IndexError):
        cpu = platform.processor()
    print(f"machine: {cpu}, {os.cpu_count()} cores; numpy {np.__version__}; "
          f"python {platform.python_version()}\n")

    builds = cold_builds()
    print("| table | cold build (s) |\n|---|---|")
    for k, v in builds.items():
        print(f"| {k} | {v:.2f} |")
    print(f"| total cold | {sum(v for k, v in builds.items() if 'warm' not in k):.2f} |\n")

    E200 = np.geomspace(1e-3, 40, 200) * kB * TC
    calls = {
        "gap tanh, scalar": per_call(lambda: bcs.gap(0.3, TC)),
        "gap bcs, scalar": per_call(lambda: bcs.gap(0.3, TC, kind="bcs")),
        "MB conductivity, 200 energies, T = 0.3 K": per_call(
            lambda: mattis_bardeen.conductivity(E200, 0.3, TC)),
        "MB conductivity, 200 energies, T = 0.03 K": per_call(
            lambda: mattis_bardeen.conductivity(E200, 0.03, TC)),
        "MB conductivity_derivative (sigma, dsigma/dT), 200 energies, T = 0.3 K": per_call(
            lambda: mattis_bardeen.conductivity_derivative(E200, 0.3, TC)),
        "MB impedance, 200 energies": per_call(
            lambda: mattis_bardeen.impedance(E200, 0.3, 50.0, TC)),
        "MB fixed quadrature (fallback), 200 energies": per_call(
            lambda: mattis_bardeen.reduced_conductivity(E200 / bcs.gap(0.3, TC), 3.0)),
        "NIS conductance_ratio, scalar": per_call(
            lambda: nis.conductance_ratio(0.3, 1.2, 1e-4)),
        "NIS impedance, 200 energies": per_call(
            lambda: nis.impedance(E200, 0.3, 1e-13, 1e-11, 5e-2, 1.2, 1e-4)),
        "e-ph bcs_heat, scalar": per_call(
            lambda: electron_phonon.bcs_heat(0.3, 0.03, 1.3e9, 1e-19, TC)),
        "e-ph bcs_heat, scalar, gap=bcs": per_call(
            lambda: electron_phonon.bcs_heat(0.3, 0.03, 1.3e9, 1e-19, TC, gap="bcs")),
        "Dey Eq. 3 photonic heat with film (thermnet kernels)": per_call(
            lambda: photonic_dey(0.35, 0.1)),
    }
    t0 = time.perf_counter()
    mattis_bardeen.conductivity(E200, 0.3, TC, exact=True)
    calls["MB exact=True (adaptive), 200 energies"] = 1e6 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    electron_phonon.bcs_heat(0.3, 0.03, 1.3e9, 1e-19, TC, exact=True)
    calls["e-ph exact=True (adaptive), scalar"] = 1e6 * (time.perf_counter() - t0)
    print("| call | warm time (us) |\n|---|---|")
    for k, v in calls.items():
        print(f"| {k} | {v:,.1f} |")
    print_alternated()
    q, n = photonic_dey(0.35, 0.1)
    print(f"\nDey Eq. 3, TS = 0.35 K, TD = 0.1 K: {q:.9e} W on {n} energies\n")

    mb_adapt = accuracy_mb(rng)
    mb_fixed = accuracy_mb_fixed(rng)
    print("| kernel | max relative error vs adaptive quad | vs fixed quadrature (dense) |")
    print("|---|---|---|")
    print(f"| MB sigma1 | {mb_adapt[0]:.2e} | {mb_fixed[0]:.2e} |")
    print(f"| MB sigma2 | {mb_adapt[1]:.2e} | {mb_fixed[1]:.2e} |")
    print(f"| NIS R_N/R | {accuracy_nis(rng):.2e} | |")
    print(f"| e-ph D(b, p) | {accuracy_eph(rng):.2e} | {accuracy_eph_fixed(rng):.2e} |")


if __name__ == "__main__":
    if "--mb-only" in sys.argv:      # just the alternated Mattis-Bardeen per-call table
        print_alternated()
    else:
        main()
