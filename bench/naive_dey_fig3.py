"""What users have today: Dey et al. Fig. 3 by nested ``scipy.integrate.quad`` and ``fsolve``.

A deliberately straightforward script (no tables, no substitutions): Mattis-Bardeen
conductivity (Dey et al. 2023, Eqs. 4-6, footnote 55) by ``quad`` inside the photonic heat
integral (Eq. 3 with ``Z_S = R_D + Z_0``, ``Z_D = R_D``), BCS electron-phonon heat (Eqs. 8-9)
by ``quad`` inside ``quad``, and the two-temperature balance (Eq. 7) by ``fsolve``.

Parameters from the Fig. 3 caption: T_p = 30 mK, rho_Cu = 3 uOhm cm, l_Cu = 2 um,
A_Cu = 700 x 30 nm^2, rho_Ti = 30 uOhm cm, l_Ti = 6 um, A_Ti = 700 x 25 nm^2,
Sigma_Cu = 3e9, Sigma_Ti = 1.3e9 W m^-3 K^-5, Tc = 0.4 K, Delta0 = 1.76 kB Tc.

Usage::

    python bench/naive_dey_fig3.py --quick      # time one photonic-heat evaluation
    python bench/naive_dey_fig3.py [P_pW]       # also one steady state (takes minutes)

Functions ``naive_photonic_heat(TS, TD)`` and ``naive_steady_state(P)`` are importable for a
side-by-side benchmark.
"""
from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
from scipy import integrate, optimize, special

kB = 1.380649e-23
h = 6.62607015e-34

TP = 0.030
TC = 0.4
GAPRATIO = 1.76
SIGMA_CU, SIGMA_TI = 3e9, 1.3e9
R_D = 3e-8 * 2e-6 / (700e-9 * 30e-9)          # Cu: rho l / A = 2.857 ohm
R_0 = 30e-8 * 6e-6 / (700e-9 * 25e-9)         # Ti normal state: 102.9 ohm (r = 36)
V_CU = 2e-6 * 700e-9 * 30e-9                  # each Cu electrode, m^3
V_TI = 6e-6 * 700e-9 * 25e-9


def gap(T):
    """Delta(T)/kB in kelvin (Dey et al., below Eq. 6)."""
    if T >= TC:
        return 0.0
    return GAPRATIO * TC * math.tanh(1.74 * math.sqrt(TC / T - 1))


def fermi(E, T):
    return 1.0 / (math.exp(min(E / T, 700.0)) + 1.0)


def bose(w, T):
    return 1.0 / math.expm1(min(w / T, 700.0))


def sigma(w, T):
    """Mattis-Bardeen (sigma1, sigma2), energies in kelvin, by nested quad (Eqs. 4-6)."""
    D = gap(T)
    if D == 0.0:
        return 1.0, 0.0

    def nu(E):
        Ep = E + w
        return (E * Ep + D * D) / (math.sqrt(E * E - D * D) * math.sqrt(Ep * Ep - D * D))

    s1 = 2.0 / w * integrate.quad(lambda E: nu(E) * (fermi(E, T) - fermi(E + w, T)),
                                  D, np.inf, limit=200)[0]
    if w > 2 * D:
        s1 -= 1.0 / w * integrate.quad(lambda E: nu(E) * (1 - 2 * fermi(E + w, T)),
                                       D - w, -D, limit=200)[0]

    def nu2(E):
        Ep = E + w
        return (E * Ep + D * D) / (math.sqrt(D * D - E * E) * math.sqrt(Ep * Ep - D * D))

    s2 = 1.0 / w * integrate.quad(lambda E: nu2(E) * (1 - 2 * fermi(E + w, T)),
                                  max(-D, D - w), D, limit=200)[0]
    return s1, s2


def naive_photonic_heat(TS, TD):
    """Dey et al. Eq. 3 (W), Z_S = R_D + R_0/(sigma1 - i sigma2), Z_D = R_D."""

    def integrand(w):                       # w: photon energy in kelvin
        s1, s2 = sigma(w, TS)
        zs = R_D + R_0 / complex(s1, -s2)
        tau = 4 * zs.real * R_D / abs(zs + R_D) ** 2
        return w * tau * (bose(w, TS) - bose(w, TD))

    top = 50 * max(TS, TD)
    pts = [2 * gap(TS)] if 0 < 2 * gap(TS) < top else None
    val = integrate.quad(integrand, 0.0, top, points=pts, limit=200)[0]
    return kB ** 2 / h * val


def naive_sc_eph(T, Tb):
    """Dey et al. Eqs. 8-9 (W) by quad inside quad."""
    D = gap(T)
    lam = SIGMA_TI * V_TI / (24 * special.zeta(5))     # energies in kelvin

    def rho(E):
        return abs(E) / math.sqrt(E * E - D * D) if abs(E) > D else 0.0

    def F(w):
        def g(E):
            Ep = E + w
            return rho(E) * rho(Ep) * (1 - D * D / (E * Ep)) * (fermi(E, T) - fermi(Ep, T))
        if D == 0.0:
            return w
        val = 2 * integrate.quad(g, D, np.inf, limit=200)[0]
        if w > 2 * D:
            val += integrate.quad(g, D - w, -D, limit=200)[0]
        return val

    top = 50 * max(T, Tb)
    return lam * integrate.quad(lambda w: w ** 3 * (bose(w, T) - bose(w, Tb)) * F(w),
                                0.0, top, limit=200)[0]


def naive_steady_state(P):
    """Solve Dey et al. Eq. 7 for (T_S, T_D) at input power P (W) with fsolve."""

    def resid(x):
        TS, TD = x
        qg = naive_photonic_heat(TS, TD)
        r1 = P - qg - SIGMA_CU * V_CU * (TS ** 5 - TP ** 5) - naive_sc_eph(TS, TP)
        r2 = qg - SIGMA_CU * V_CU * (TD ** 5 - TP ** 5)
        return [r1 * 1e12, r2 * 1e12]

    sol = optimize.fsolve(resid, [0.35, 0.1], xtol=1e-8)
    return float(sol[0]), float(sol[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("power_pW", nargs="?", type=float, default=1.8)
    ap.add_argument("--quick", action="store_true", help="time only one photonic heat")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    q = naive_photonic_heat(0.35, 0.1)
    t1 = time.perf_counter()
    print(f"naive photonic heat Q(0.35 K, 0.1 K) = {q:.6e} W in {t1 - t0:.2f} s")
    if args.quick:
        return
    t0 = time.perf_counter()
    TS, TD = naive_steady_state(args.power_pW * 1e-12)
    t1 = time.perf_counter()
    print(f"naive steady state at P = {args.power_pW} pW: TS = {TS * 1e3:.4f} mK, "
          f"TD = {TD * 1e3:.4f} mK in {t1 - t0:.1f} s")


if __name__ == "__main__":
    main()
