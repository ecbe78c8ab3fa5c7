"""Heat capacities of the thermal nodes (J/K), for ``.tran``, ``.ac`` and ``.noise``.

* :func:`normal_electrons` -- Sommerfeld: C = gamma V T (Kittel, Introduction to Solid State
  Physics, 8th ed., Ch. 6 Eq. 34; Giazotto et al., Rev. Mod. Phys. 78, 217 (2006), Sec. II.C).
* :func:`lattice` -- Debye T^3 law: C = beta V T^3 (Kittel Ch. 5 Eq. 33).
* :func:`bcs_electrons` -- weak-coupling BCS electrons (Tinkham, Introduction to
  Superconductivity, 2nd ed., Eq. 3.46):
  ``C_es = 2 beta kB sum_k (-df/dE_k) (E_k^2 + (beta/2) d Delta^2 / d beta)``.
  With the normal density of states per spin N(0) = 3 gamma / (2 pi^2 kB^2) (so that the
  normal state gives gamma T) and x = xi/(kB T), delta = Delta/(kB T):
  ``C_es = (6 gamma V T / pi^2) int_0^inf dx f(1-f) [x^2 + delta^2 - (dDelta^2/dT)/(2 kB^2 T)]``
  where f(1-f) = 1/(4 cosh^2(E/2kBT)), E = sqrt(xi^2 + Delta^2).  At Tc the last term gives
  the jump Delta C = -N(0) V dDelta^2/dT = 1.43 gamma V Tc (BCS; 1.43 with the tanh gap law
  too); at T << Tc, C_es -> 1.34 gamma V Tc (Delta0/kB T)^(3/2) exp(-Delta0/kB T)
  (Tinkham Eq. 3.50).  The gap law is the model's (``bcs.gap``).

The x-integral is Gauss-Legendre on fixed panels out to x = 60 (f(1-f) < e^-60 beyond), exact
to ~1e-13 relative for every delta: a few tens of microseconds a call, no table needed.
"""
from __future__ import annotations

import math

import numpy as np

from thermnet.physics import bcs
from thermnet.physics.constants import kB

_EDGES = (0.0, 2.0, 5.0, 10.0, 20.0, 35.0, 60.0)
_ORDER = 24


def _nodes():
    x, w = np.polynomial.legendre.leggauss(_ORDER)
    xs, ws = [], []
    for a, b in zip(_EDGES[:-1], _EDGES[1:]):
        xs.append(0.5 * (b - a) * x + 0.5 * (b + a))
        ws.append(0.5 * (b - a) * w)
    return np.concatenate(xs), np.concatenate(ws)


_X, _W = _nodes()
GAP_STEP = 1e-6       # relative temperature step of d(Delta^2)/dT


def normal_electrons(T, gamma: float, vol: float):
    """gamma V T (J/K); gamma in J m^-3 K^-2."""
    return gamma * vol * np.asarray(T, dtype=float)


def lattice(T, beta: float, vol: float):
    """beta V T^3 (J/K); beta in J m^-3 K^-4."""
    return beta * vol * np.asarray(T, dtype=float) ** 3


def gap_squared_slope(T, tc: float, gapratio: float, kind: str):
    """d(Delta^2)/dT (J^2/K) of the model's gap law at T (scalar or array), 0 above Tc;
    one-sided (from below) within a step of Tc, where Delta^2 is linear in T."""
    T = np.asarray(T, dtype=float)
    step = GAP_STEP * tc
    lo, hi = T - step, np.minimum(T + step, tc)
    d2 = [np.asarray(bcs.gap(t, tc, gapratio, kind)) ** 2 for t in (lo, hi)]
    out = np.where(T < tc, (d2[1] - d2[0]) / (hi - lo), 0.0)
    return out if out.ndim else float(out)


def bcs_electrons(T, gamma: float, vol: float, tc: float, gapratio: float = 1.764,
                  kind: str = "tanh"):
    """Electronic heat capacity (J/K) of a BCS superconductor (module docstring), at T
    (scalar or array)."""
    T = np.asarray(T, dtype=float)
    Tc = T[..., None]
    delta = np.asarray(bcs.gap(T, tc, gapratio, kind))[..., None] / (kB * Tc)
    a = -np.asarray(gap_squared_slope(T, tc, gapratio, kind))[..., None] / (2 * kB ** 2 * Tc)
    e = np.sqrt(_X ** 2 + delta ** 2)
    weight = 0.25 / np.cosh(0.5 * np.minimum(e, 700.0)) ** 2
    integral = np.sum(_W * weight * (_X ** 2 + delta ** 2 + a), axis=-1)
    out = 6.0 * gamma * vol * T / math.pi ** 2 * integral
    return out if out.ndim else float(out)
