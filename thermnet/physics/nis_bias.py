"""NIS tunnel junction under DC bias: quasiparticle current and the heat it carries.

With the Dynes density of states N_S(E) of the superconductor (``bcs.dynes_dos``; Gamma =
dynes * Delta0), the Fermi functions f_N at the normal metal's temperature T_N and f_S at the
superconductor's T_S, and the tunnel resistance R_T (Giazotto et al., Rev. Mod. Phys. 78, 217
(2006), Sec. III.A, the current and the heat current of an NIS junction):

    I(V)   = 1/(2 e R_T) int N_S(E) [f_N(E - eV) - f_N(E + eV)] dE
           = 1/(e R_T) int_0^inf N_S(E) [f_N(E - eV) - f_N(E + eV)] dE      (N_S even)
    dI/dV  = 1/R_T int_0^inf N_S(E) [-f_N'(E - eV) - f_N'(E + eV)] dE
    P_N(V) = 1/(e^2 R_T) int (E - eV) N_S(E) [f_N(E - eV) - f_S(E)] dE       (heat out of N)
           = 1/(e^2 R_T) int_0^inf N_S(E) [(E - eV)(f_N(E - eV) - f_S(E))
                                            + (E + eV)(f_N(E + eV) - f_S(E))] dE

(the second forms fold E < 0 onto E > 0 with f(-x) = 1 - f(x)).  Energy conservation: the
power I V the source delivers and the heat P_N taken out of N end in S: P_S = I V + P_N.

Quadrature: composite Gauss-Legendre (NODES per panel) on [0, top], top = max(Delta, |eV|)
+ CUT kB max(T_N, T_S), with panels graded geometrically (ratio 3) around the coherence peak
E = Delta down to Gamma (as ``physics/nis.py``) and panels of width kB T / 2 over the thermal
windows around E = 0 and E = |eV| (the Fermi steps); agreement with scipy.integrate.quad to
1e-9 relative is tested (tests/test_nis_bias.py).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Tuple

import numpy as np

from thermnet.physics import bcs
from thermnet.physics.constants import e, kB

NODES = 16
CUT = 40.0       # Fermi tails beyond CUT kB T: e^-40 ~ 4e-18 relative


@lru_cache(maxsize=1)
def _gl() -> Tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(NODES)
    return (x + 1) / 2, w / 2


def fermi(x):
    """1/(e^x + 1) without overflow."""
    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(x, dtype=float)))


def minus_fermi_prime(x):
    """-df/dx = 1/(4 cosh^2(x/2)) (per unit x) without overflow."""
    a = np.exp(-np.abs(np.asarray(x, dtype=float)))
    return a / (1.0 + a) ** 2


def edges(delta: float, gamma: float, ev: float, kt: float) -> np.ndarray:
    """Panel edges (J) on [0, top] (module docstring); kt = kB max(T_N, T_S)."""
    top = max(delta, abs(ev)) + CUT * kt
    parts = [np.array([0.0, top])]
    step = 0.5 * kt
    for centre in (0.0, abs(ev)):
        parts.append(centre + step * np.arange(-2 * CUT, 2 * CUT + 1))
    if delta > 0:
        width = max(gamma, 1e-12 * delta)
        steps = width * 3.0 ** np.arange(-2, 60)
        steps = steps[steps < 3 * top]
        parts.append(np.concatenate((delta - steps, [delta], delta + steps)))
    out = np.unique(np.concatenate(parts))
    return out[(out >= 0.0) & (out <= top)]


def _nodes(delta, gamma, ev, kt):
    ed = edges(delta, gamma, ev, kt)
    x, w = _gl()
    a, b = ed[:-1, None], ed[1:, None]
    return (a + (b - a) * x).ravel(), ((b - a) * w).ravel()


def junction(v: float, t_n: float, t_s: float, delta: float, gamma: float,
             r_t: float) -> Tuple[float, float, float]:
    """(I (A), dI/dV (S), P_N (W, heat out of the normal metal)) at bias v (V)."""
    ev = e * v
    kn, ks = kB * t_n, kB * t_s
    E, w = _nodes(delta, gamma, ev, max(kn, ks))
    ns = bcs.dynes_dos(E, delta, gamma) if delta > 0 or gamma > 0 else np.ones_like(E)
    fm, fp = fermi((E - ev) / kn), fermi((E + ev) / kn)
    fs = fermi(E / ks)
    current = float(np.sum(w * ns * (fm - fp))) / (e * r_t)
    slope = float(np.sum(w * ns * (minus_fermi_prime((E - ev) / kn)
                                   + minus_fermi_prime((E + ev) / kn)))) / (kn * r_t)
    heat = float(np.sum(w * ns * ((E - ev) * (fm - fs) + (E + ev) * (fp - fs)))) / (
        e * e * r_t)
    return current, slope, heat
