"""Linearized NIS tunnel junction: zero-bias conductance R_N/R(T) and impedance.

Pioldi et al. 2025, Eq. 1 linearized in the bias ``dV``::

    R_N / R(T) = int_-inf^inf N_S(E) (-df/dE) dE = 2 int_0^inf N_S(E) / (4 kB T cosh^2(E/2kBT)) dE

with the Dynes density of states ``N_S`` (:func:`thermnet.physics.bcs.dynes_dos`,
``Gamma = dynes * Delta0``) and ``Delta(T)`` from :func:`thermnet.physics.bcs.gap`.

For fixed ``dynes``, gap ratio and gap law the ratio depends on T/Tc only (Pioldi et al.,
Fig. 1(c): "a BCS universal function").  The fast path interpolates ``ln(R_N/R)`` on a uniform
grid in ``w = Tc/T`` in ``[1, W_MAX]`` (the log of an exponentially small ratio is nearly linear
in 1/T); one table per ``(dynes, gapratio, gap)``, built in ~0.3 s and cached on disk.  Below
``T = Tc/W_MAX`` the fixed quadrature is used directly.

Quadrature (energies in units of kB T): for ``Gamma = 0`` the substitution
``E = sqrt(xi^2 + Delta^2)`` gives the smooth ``2 int_0^inf (-f')(sqrt(xi^2+Delta^2)) dxi``;
for ``Gamma > 0`` composite Gauss-Legendre panels graded geometrically (ratio 3) around the
smeared coherence peak ``E = Delta`` down to the width ``Gamma``, plus panels of width 2 over
the thermal window.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from thermnet.physics import bcs
from thermnet.physics.constants import hbar
from thermnet.physics.quadrature import Spline1D, adaptive_quad, panel_quad
from thermnet.physics.tables import cached_table

__all__ = ["conductance_ratio", "impedance", "reduced_ratio"]

W_MAX = 100.0          # table covers Tc/T in [1, W_MAX]
N_W = 1981             # uniform nodes in w (step 0.05)
NODES = 16             # Gauss-Legendre nodes per panel


def _minus_fermi_prime(e):
    """``-df/de = 1/(4 cosh^2(e/2))`` for energy ``e`` in units of kB T (no overflow)."""
    a = np.exp(-np.abs(e))
    return a / (1.0 + a) ** 2


def _edges(b, g):
    """Panel edges in ``e = E/kB T`` for gap ``b = Delta/kB T`` and width ``g = Gamma/kB T``."""
    top = b + bcs.CUT
    if g <= 0.0:
        return np.linspace(0.0, np.sqrt(top ** 2 - b ** 2), 9)
    thermal = np.arange(0.0, min(top, bcs.CUT) + 1e-9, 2.0)
    steps = g * 3.0 ** np.arange(-2, 40)
    steps = steps[steps < max(b, top - b) * 3.0]
    peak = np.concatenate((b - steps, [b], b + steps))
    edges = np.unique(np.concatenate((thermal, peak, [top])))
    return edges[(edges >= 0.0) & (edges <= top)]


def _integrand(e, b, g):
    """Integrand of ``R_N/R`` in the panel variable (see :func:`_edges`)."""
    if g <= 0.0:   # e is xi: 2 (-f')(sqrt(xi^2 + b^2)), Tinkham-style substitution
        return 2.0 * _minus_fermi_prime(np.sqrt(e * e + b * b))
    return 2.0 * bcs.dynes_dos(e, b, g) * _minus_fermi_prime(e)


def reduced_ratio(b, g, exact=False):
    """``R_N/R`` for reduced gap ``b = Delta/kB T`` and Dynes width ``g = Gamma/kB T``.

    Parameters
    ----------
    b, g : float
        ``Delta/kB T`` (>= 0) and ``Gamma/kB T`` (>= 0).
    exact : bool
        False: composite Gauss-Legendre (relative error ~1e-10).  True: adaptive
        ``scipy.integrate.quad`` on the same panels.

    Returns
    -------
    float
    """
    b, g = float(b), float(g)
    if b == 0.0:
        return 1.0
    edges = _edges(b, g)
    if exact:
        return adaptive_quad(lambda e: float(_integrand(e, b, g)), edges)
    return float(panel_quad(lambda e: _integrand(e, b, g), edges, NODES))


def _reduced_args(t, dynes, gapratio, gap):
    """(b, g) at reduced temperature ``t = T/Tc`` (0 < t < 1)."""
    delta = gapratio * bcs.reduced_gap(t, gap)
    return delta / t, dynes * gapratio / t


def _build(dynes, gapratio, gap):
    w = np.linspace(1.0, W_MAX, N_W)
    vals = np.empty_like(w)
    vals[0] = 0.0
    for i, wi in enumerate(w[1:], start=1):
        b, g = _reduced_args(1.0 / wi, dynes, gapratio, gap)
        vals[i] = np.log(reduced_ratio(b, g))
    return Spline1D.fit(w, vals)


@lru_cache(maxsize=64)
def _spline(dynes, gapratio, gap) -> Spline1D:
    spec = {"form": "nis-v1", "dynes": dynes, "gapratio": gapratio, "gap": gap,
            "w": [1.0, W_MAX, N_W], "nodes": NODES, "cut": bcs.CUT}
    arrays = cached_table("nis_ratio", spec, lambda: _build(dynes, gapratio, gap))
    return Spline1D(arrays["t"], arrays["c"])


def conductance_ratio(T, tc, dynes, gapratio=1.764, gap="tanh", exact=False):
    """Zero-bias conductance of an NIS junction relative to the normal state, ``R_N/R(T)``.

    Pioldi et al. 2025, Eq. 1 linearized: ``int N_S(E) (-df/dE) dE`` with the Dynes DOS.

    Parameters
    ----------
    T : float or array_like
        Electron temperature of the superconductor, K.
    tc : float
        Critical temperature, K.
    dynes : float
        ``Gamma / Delta0`` (>= 0).
    gapratio : float
        ``Delta0 / (kB Tc)``.
    gap : {"tanh", "bcs"}
        Gap law.
    exact : bool
        False: table in Tc/T (relative error < 1e-6, see docs) with quadrature below
        ``Tc/W_MAX``.  True: adaptive quadrature at every temperature.

    Returns
    -------
    float or ndarray
        ``R_N/R``: 1 for ``T >= tc``; ``Gamma/sqrt(Gamma^2+Delta0^2)`` at ``T <= 0``.
    """
    bcs.check_kind(gap)
    if dynes < 0:
        raise ValueError("the Dynes parameter must be >= 0")
    dynes, gapratio = float(dynes), float(gapratio)
    t = np.asarray(T, dtype=float) / tc
    out = np.empty(t.shape)
    flat_t, flat_o = t.reshape(-1), out.reshape(-1)
    spline = None
    for i, ti in enumerate(flat_t):
        if ti >= 1.0:
            flat_o[i] = 1.0
        elif ti <= 0.0:
            flat_o[i] = dynes / np.hypot(dynes, 1.0)
        elif exact or ti < 1.0 / W_MAX:
            flat_o[i] = reduced_ratio(*_reduced_args(ti, dynes, gapratio, gap), exact=exact)
        else:
            spline = spline or _spline(dynes, gapratio, gap)
            flat_o[i] = np.exp(spline(1.0 / ti))
    return out if out.ndim else float(out)


def impedance(energy, T, area, rspec, cspec, tc, dynes, gapratio=1.764, gap="tanh",
              exact=False):
    """Impedance of a linearized NIS junction: ``R(T)`` in parallel with ``C``.

    ``R(T) = rspec / area / (R_N/R)``, ``C = cspec * area`` (Pioldi et al., Fig. 1(b) and
    text above Eq. 4); ``Z = R / (1 + i omega R C)`` with ``omega = energy/hbar``
    (electrical-engineering convention, capacitor ``1/(i omega C)``).

    Parameters
    ----------
    energy : array_like
        Photon energies ``hbar omega``, J.
    T : float
        Temperature, K.
    area : float
        Junction area, m^2.
    rspec : float
        Specific normal-state tunnel resistance ``R_N * area``, ohm m^2.
    cspec : float
        Specific capacitance ``C / area``, F/m^2.
    tc, dynes, gapratio, gap, exact
        As in :func:`conductance_ratio`.

    Returns
    -------
    ndarray of complex
        Z, ohm.
    """
    R = rspec / area / conductance_ratio(T, tc, dynes, gapratio, gap, exact)
    omega = np.asarray(energy, dtype=float) / hbar
    return R / (1.0 + 1j * omega * R * cspec * area)
