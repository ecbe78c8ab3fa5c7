"""Transition-edge sensor: resistance R(T, I) through the superconducting transition and the
current through it at a given voltage.

Form (docs/devices.md, "Transition-edge sensor"): a transition of half-width w centred on a
current-dependent critical temperature,

    R(T, I) = Rn [eps + (1 - eps) s(x)],   s(x) = (1 + tanh x) / 2,   x = (T - Tc(I)) / w,
    Tc(I)   = Tc [1 - (|I| / Ic)^(2/3)],

a phenomenological tanh transition (there is no consensus microscopic R(T, I): Bennett,
Swetz, Schmidt & Ullom, Phys. Rev. B 87, 020508 (2013)) whose critical temperature the current
lowers as the Ginzburg-Landau depairing current Ic(T) = Ic (1 - T/Tc)^(3/2) inverted (Tinkham,
"Introduction to Superconductivity", 2nd ed. (1996), Sec. 4.4).  eps = RESIDUAL keeps the
superconducting state a finite (1e-10 Rn) resistance, a short beside any circuit resistor,
so the nodal matrix of a biased network stays regular.  Far above Tc, R = Rn exactly.

The logarithmic sensitivities (Irwin & Hilton, "Transition-edge sensors", in Cryogenic
Particle Detection, Topics Appl. Phys. 99 (Springer, 2005), Sec. 2.2):

    alpha = (T/R) dR/dT = (T/w) (1 - eps) 2 s (1 - s) / (R/Rn)
    beta  = (I/R) dR/dI = (2/3) (Tc/w) (|I|/Ic)^(2/3) (1 - eps) 2 s (1 - s) / (R/Rn)  >= 0,

at mid-transition (s = 1/2, eps neglected): alpha = Tc(I)/w, beta = (2/3) (Tc - Tc(I))/w.
Since beta >= 0, V = I R(T, I) rises strictly with I (d(IR)/dI = R (1 + beta) > 0, the
condition beta > -1 for a monotone I(V)): the current at a voltage is unique, found by a
safeguarded Newton iteration inside the bracket |V|/Rn <= |I| <= |V|/R(T, 0).
"""
from __future__ import annotations

import math
from typing import Tuple

RESIDUAL = 1e-10        # R/Rn of the superconducting state (keeps the nodal matrix regular)
ITERATIONS = 200


def _sigmoid(x: float) -> Tuple[float, float]:
    """s = (1 + tanh x)/2 and ds/dx = 2 s (1 - s), without overflow or cancellation."""
    a = math.exp(-2.0 * abs(x))
    s = 1.0 / (1.0 + a) if x >= 0 else a / (1.0 + a)
    return s, 2.0 * a / (1.0 + a) ** 2


def resistance(T: float, current: float, rn: float, tc: float, width: float,
               ic: float) -> Tuple[float, float, float]:
    """(R (ohm), dR/dT (ohm/K), I dR/dI (ohm)) at temperature T and current I (A);
    ``ic = inf``: no current dependence."""
    u = (abs(current) / ic) ** (2.0 / 3.0) if math.isfinite(ic) else 0.0
    s, ds = _sigmoid((T - tc * (1.0 - u)) / width)
    scale = rn * (1.0 - RESIDUAL)
    return rn * RESIDUAL + scale * s, scale * ds / width, \
        scale * ds * (2.0 / 3.0) * tc * u / width


def current_at(v: float, T: float, rn: float, tc: float, width: float,
               ic: float) -> Tuple[float, float]:
    """(I (A), dI/dV (S)) with V = I R(T, I) at voltage v (V): the unique root (module
    docstring), to rounding; dI/dV = 1 / (R + I dR/dI) = 1 / (R (1 + beta))."""
    r0 = resistance(T, 0.0, rn, tc, width, ic)[0]
    target = abs(v)
    if target == 0.0:
        return 0.0, 1.0 / r0
    lo, hi = target / rn, target / r0
    i = min(max(target / r0 if not math.isfinite(ic) else lo, lo), hi)
    for _ in range(ITERATIONS):
        r, _, iri = resistance(T, i, rn, tc, width, ic)
        h = i * r - target
        if h == 0.0:
            break
        if h < 0:
            lo = max(lo, i)
        else:
            hi = min(hi, i)
        step = h / (r + iri)
        new = i - step
        if not lo < new < hi:                  # Newton left the bracket: bisect (in log)
            new = math.sqrt(lo * hi)
        if abs(new - i) <= 4e-16 * i or hi - lo <= 4e-16 * hi:
            i = new
            break
        i = new
    r, _, iri = resistance(T, i, rn, tc, width, ic)
    return math.copysign(i, v), 1.0 / (r + iri)
