"""Electron-phonon heat: normal-metal power law and BCS superconductor.

Normal metal (Giazotto et al., RMP 78, 217 (2006), Eq. 35; Dey et al. 2023 below Eq. 7;
Pioldi et al. 2025 above Eq. 5 with n = 5 or 6)::

    Q = Sigma V (T^n - Tb^n)

BCS superconductor (Dey et al., PRB 107, 134510 (2023), Eqs. 8-9, after Timofeev et al.,
PRL 102, 017003 (2009)), phonon energy ``w``::

    Q = lambda int_0^inf dw w^3 [n(w, T) - n(w, Tb)] F(w, T),   lambda = Sigma V / (24 zeta(5) kB^5)
    F(w, T) = int dE rho(E) rho(E+w) (1 - Delta^2/(E(E+w))) [f(E, T) - f(E+w, T)]

With ``Delta = 0``, ``F = w`` and Q is exactly the n = 5 power law.  In units of ``kB T``
(``a = w/kB T``, ``b = Delta/kB T``, ``p = Tb/T``) ``F/kB T = b Phi(a/b, b)`` with
``Phi = 2 e^-b J_qp(a/b, b, -1) + Theta(a - 2b) J_pb(a/b, b, +1)``
(:func:`thermnet.physics.bcs.qp_integral`, :func:`~thermnet.physics.bcs.pb_integral`: thermal
quasiparticle scattering and pair breaking/recombination), so::

    Q = Sigma V (T^5 - Tb^5) D(b, p),
    D = int_0^inf a^3 W(a, p) F/kB T da / (24 zeta(5) (1 + p + p^2 + p^3 + p^4)),
    W = (n(a) - n(a/p)) / (1 - p)

using ``int a^4 (n(a) - n(a/p)) da = 24 zeta(5) (1 - p^5)``.  ``D`` is the superconducting
heat relative to the normal-metal heat at the same temperatures: universal (independent of Tc,
gap ratio and gap law, which only set ``b``), finite at ``T = Tb`` and exactly 1 at Delta = 0.
The fast path interpolates ``L = ln D + b`` (the ``e^-b`` suppression removed) on a bicubic
table in ``(ln b, p)``; outside it the same fixed quadrature is used directly.

Pioldi et al. (2025, text after Eq. 5) print the Timofeev et al. form for aluminium,
``Sigma V/(96 zeta(5) kB^5) int dE E N_S(E) int dw sgn(w) w^2 [F_E F_{E+w} - 1
- (F_E - F_{E+w}) coth(w/2 kB Tb)] N_S(E+w) (1 - Delta^2/(E^2 + E w))``, ``F_E = tanh(E/2kB T)``
(their coth argument reads "epsilon", the quasiparticle energy; it must be the phonon energy
``epsilon'``: only then does it reduce to ``Sigma V (T^5 - Tb^5)`` at Delta = 0).  With that
reading it equals Dey's Eqs. 8-9 identically (symmetrize over ``E <-> E + w``; shown
numerically in tests/test_physics_sc.py), so only Dey's form is implemented.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Tuple

import numpy as np
from scipy import special

from thermnet.physics import bcs
from thermnet.physics.constants import kB
from thermnet.physics.quadrature import adaptive_quad, fit_splines, gauss_legendre
from thermnet.physics.tables import cached_splines

__all__ = ["power_law_heat", "bcs_heat", "bcs_heat_derivatives", "heat_ratio"]

ZETA5 = float(special.zeta(5.0))
#: Table range: b = Delta/kB T in [B_MIN, B_MAX] (log-spaced), p = Tb/T in [0, P_MAX].
B_MIN, B_MAX, N_B = 1e-3, 300.0, 151
P_MAX, N_P, P_REFINE = 1.5, 61, 3
#: Phonon-energy panels in units of max(1, p) kB T (geometric towards 0, then ~ x1.5); the
#: pair-breaking part (a > 2b, where F jumps) uses the same panels shifted to start at 2b.
_A_EDGES = np.array([0.0] + [2.0 ** -k for k in range(7, 0, -1)]
                    + [1.0, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64])
A_NODES = 16
_GRID = {"form": "eph-v3", "b": [B_MIN, B_MAX, N_B], "p": [P_MAX, N_P, P_REFINE],
         "a": _A_EDGES.tolist(), "nodes": A_NODES,
         "quad": [bcs.QP_PANELS, bcs.QP_NODES, bcs.PB_PANELS, bcs.PB_NODES]}


def power_law_heat(T, Tb, sigma, vol, n):
    """Electron-phonon heat of a normal metal, ``sigma vol (T^n - Tb^n)``.

    Giazotto et al., Rev. Mod. Phys. 78, 217 (2006), Eq. 35; Dey et al. 2023, below Eq. 7;
    Pioldi et al. 2025 (n = 6 for InAs).

    Parameters
    ----------
    T, Tb : float or array_like
        Electron and phonon temperatures, K.
    sigma : float
        Coupling constant, W m^-3 K^-n.
    vol : float
        Volume, m^3.
    n : float
        Exponent (5 for clean metals).

    Returns
    -------
    float or ndarray
        Heat flowing from the electrons to the phonons, W.
    """
    return sigma * vol * (T ** n - Tb ** n)


# --------------------------------------------------------------------------------------------
# Reduced quadrature
# --------------------------------------------------------------------------------------------
def _bose_weight(a, p, shift=0.0):
    """``e^shift (n(a) - n(a/p)) / (1 - p)`` for ``a > 0``, ``p >= 0``, overflow-free.

    Near ``p = 1`` uses ``n(a) - n(a/p) = expm1(z) e^-(a/p) / ((1-e^-a)(1-e^-(a/p)))``,
    ``z = a (1-p)/p``, so the ``1/(1-p)`` limit (``T = Tb``) is exact.
    """
    a, p = np.broadcast_arrays(np.asarray(a, float), np.asarray(p, float))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        na = np.exp(shift - a) / -np.expm1(-a)
        ap = a / np.where(p > 0, p, 1.0)
        nap = np.where(p > 0, np.exp(shift - ap) / -np.expm1(-ap), 0.0)
        direct = (na - nap) / (1.0 - p)
        z = ap * (1.0 - p)
        ratio = np.where(z == 0, 1.0, np.expm1(z) / np.where(z == 0, 1.0, z))
        near = ratio * ap * np.exp(shift - ap) / (-np.expm1(-a) * -np.expm1(-ap))
    return np.where(np.abs(1.0 - p) < 0.05, near, direct)


def _pb_shift(b, p):
    """Exponent removed from the pair-breaking part: ``2b / max(p, 1)``.

    For ``a >= 2b``, ``n(a) ~ e^-a`` and ``n(a/p) ~ e^-(a/p)``: the larger of the two
    Boltzmann factors at threshold is ``e^-(2b/max(p,1))``.
    """
    return 2.0 * b / np.maximum(p, 1.0)


def _f_scaled(a, b, part, exact=False):
    """Scaled electron-phonon function at phonon energies ``a`` (units of kB T, 1-D).

    ``part="qp"``: ``F_qp = 2 b J_qp(a/b, b, -1)`` (thermal quasiparticle scattering, times
    ``e^b``); ``part="pb"``: ``F_pb = b J_pb(a/b, b, +1)`` (pair breaking, ``a > 2b``).
    ``F / kB T = e^-b F_qp + F_pb`` (Dey et al. Eq. 9 in reduced units).
    """
    a = np.atleast_1d(np.asarray(a, dtype=float))
    y = a / b
    if part == "qp":
        if exact:
            return np.array([2.0 * b * adaptive_quad(
                lambda v: bcs.qp_integrand(v, yi, b, -1.0),
                bcs.qp_edges(np.float64(yi), np.float64(b))) for yi in y])
        return 2.0 * b * bcs.qp_integral(y, b, -1.0)
    if exact:
        return np.array([b * adaptive_quad(lambda th: bcs.pb_integrand(th, yi, b, 1.0),
                                           bcs.pb_edges(np.float64(yi))) for yi in y])
    return b * bcs.pb_integral(y, b, 1.0)


def _edges(b, scale, part):
    """Phonon-energy panels: ``[0, 64 scale]`` (qp) or ``2b + [0, 64 scale]`` (pb)."""
    return scale * _A_EDGES + (2.0 * b if part == "pb" else 0.0)


def _nodes(edges):
    """Flattened Gauss-Legendre nodes and weights on the panels ``edges``."""
    x, w = gauss_legendre(A_NODES)
    half = 0.5 * np.diff(edges)
    return ((edges[:-1, None] + half[:, None] * (x + 1.0)).ravel(),
            (half[:, None] * w).ravel())


def _norm(p):
    """``24 zeta(5) (1 - p^5) / (1 - p)``: the normal-metal integral ``int a^4 W da``."""
    return 24.0 * ZETA5 * (1.0 + p + p ** 2 + p ** 3 + p ** 4)


def _log_parts_fixed(b, p, scale):
    """``(L_qp, L_pb)`` at one ``b`` for an array of ``p <= scale`` (fixed quadrature).

    ``D = e^-b exp(L_qp) + e^-(2b/max(p,1)) exp(L_pb)``; both logs are smooth in
    ``(ln b, p)`` (the pair-breaking one separately on ``p <= 1`` and ``p >= 1``).
    """
    p = np.atleast_1d(np.asarray(p, dtype=float))
    out = []
    for part in ("qp", "pb"):
        a, wts = _nodes(_edges(b, scale, part))
        f = _f_scaled(a, b, part)
        shift = 0.0 if part == "qp" else _pb_shift(b, p)[:, None]
        w = _bose_weight(a[None, :], p[:, None], shift=shift)
        with np.errstate(divide="ignore"):
            out.append(np.log((w * (a ** 3 * f * wts)).sum(axis=1) / _norm(p)))
    return out[0], out[1]


def _combine(b, p, l_qp, l_pb):
    """``D`` from the two logs (see :func:`_log_parts_fixed`)."""
    with np.errstate(under="ignore"):
        return np.exp(l_qp - b) + np.exp(l_pb - _pb_shift(b, p))


def heat_ratio(b, p, exact=False):
    """``D(b, p)``: BCS electron-phonon heat over the normal-metal heat at the same T, Tb.

    Parameters
    ----------
    b : float
        ``Delta(T) / kB T`` (> 0).
    p : float
        ``Tb / T`` (>= 0).
    exact : bool
        False: fixed Gauss-Legendre in both energies (~1e-10 relative).  True: adaptive
        ``scipy.integrate.quad`` for the phonon integral and for F at every node (slow).

    Returns
    -------
    float
    """
    b, p = float(b), float(p)
    scale = max(1.0, p)
    if not exact:
        l_qp, l_pb = _log_parts_fixed(b, p, scale)
        return float(_combine(b, p, l_qp[0], l_pb[0]))
    logs = []
    for part in ("qp", "pb"):
        shift = 0.0 if part == "qp" else float(_pb_shift(b, p))

        def integrand(a):
            return float(a ** 3 * _f_scaled(a, b, part, exact=True)[0]
                         * _bose_weight(a, p, shift=shift))

        total = adaptive_quad(integrand, _edges(b, scale, part), epsrel=1e-10)
        logs.append(np.log(total / _norm(p)) if total > 0 else -np.inf)
    return float(_combine(b, p, logs[0], logs[1]))


# --------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------
def _axes():
    """Table nodes: ``ln b`` uniform; ``p`` uniform plus nodes refined towards ``p = 1``, where
    the pair-breaking part varies on the scale ``1/(2b)`` (``n(a)`` vs ``n(a/p)`` at a = 2b)."""
    beta = np.linspace(math.log(B_MIN), math.log(B_MAX), N_B)
    step = P_MAX / (N_P - 1)
    fine = step * 2.0 ** -np.arange(1, P_REFINE + 1)
    p = np.unique(np.concatenate((np.linspace(0.0, P_MAX, N_P), 1.0 - fine, 1.0 + fine)))
    return beta, p


def _build_table():
    beta, p = _axes()
    l_qp = np.empty((beta.size, p.size))
    l_pb = np.empty_like(l_qp)
    for i, bi in enumerate(np.exp(beta)):
        l_qp[i], l_pb[i] = _log_parts_fixed(bi, p, P_MAX)
    one = int(np.argmin(np.abs(p - 1.0)))
    return fit_splines((("qp", beta, p, l_qp), ("pblo", beta, p[:one + 1], l_pb[:, :one + 1]),
                        ("pbhi", beta, p[one:], l_pb[:, one:])))


@lru_cache(maxsize=None)
def _table():
    return cached_splines("eph_bcs", _GRID, _build_table, ("qp", "pblo", "pbhi"))


def _tabulated(b: float, p: float):
    """The table's splines of L_qp and L_pb (pblo for p <= 1, pbhi above) at scalar (b, p)
    inside its range, else None."""
    if not (B_MIN <= b <= B_MAX and p <= P_MAX):
        return None
    tab = _table()
    return tab["qp"], tab["pblo" if p <= 1.0 else "pbhi"]


def _ratio(b, p, exact):
    """D at scalar (b, p): table inside its range, quadrature outside."""
    splines = None if exact else _tabulated(b, p)
    if splines is None:
        return heat_ratio(b, p, exact=exact)
    beta = math.log(b)
    return sum(_scalar_parts(b, p, splines[0].at(beta, p), splines[1].at(beta, p)))


def _scalar_parts(b: float, p: float, l_qp: float, l_pb: float) -> Tuple[float, float]:
    """The two terms of D at scalar (b, p) from the two logs: e^(L_qp - b) and
    e^(L_pb - 2b/max(p, 1)) (:func:`_combine` on arrays)."""
    return math.exp(l_qp - b), math.exp(l_pb - 2.0 * b / max(p, 1.0))


def _ratio_gradient(b: float, p: float):
    """(D, dD/db, dD/dp) at scalar (b, p) inside the table (None outside it), from the
    splines' derivatives: D = e^(L_qp - b) + e^(L_pb - 2b/max(p, 1)) with L(ln b, p)."""
    splines = _tabulated(b, p)
    if splines is None:
        return None
    beta = math.log(b)
    l_qp, qp_beta, qp_p = splines[0].at_gradient(beta, p)
    l_pb, pb_beta, pb_p = splines[1].at_gradient(beta, p)
    qp, pb = _scalar_parts(b, p, l_qp, l_pb)
    top = max(p, 1.0)
    d_b = qp * (qp_beta / b - 1.0) + pb * (pb_beta / b - 2.0 / top)
    d_p = qp * qp_p + pb * (pb_p + (2.0 * b / p ** 2 if p > 1.0 else 0.0))
    return qp + pb, d_b, d_p


def bcs_heat_derivatives(T: float, Tb: float, sigma, vol, tc, gapratio=1.764, gap="tanh"):
    """(dQ/dT, dQ/dTb) (W/K) of :func:`bcs_heat` (table path) at scalar temperatures, from
    Q = sigma vol (T^5 - Tb^5) D(b, p), b = Delta(T)/kB T, p = Tb/T (Dey et al. Eqs. 8-9 in
    the reduced form of this module's docstring): db/dT = (Delta'(T)/kB - b)/T,
    dp/dT = -p/T, dp/dTb = 1/T, with D's derivatives from its table; the normal state's
    5 sigma vol T^4 at and above Tc; below the table's b, next to Tc, the b^2 series
    (:func:`_near_tc_derivatives`).  None where D is not tabulated otherwise (p above the
    table, or b above it): the caller differentiates numerically there."""
    c = sigma * vol
    if T >= tc:
        return 5.0 * c * T ** 4, -5.0 * c * Tb ** 4
    b = gapratio * tc * bcs.reduced_gap_scalar(T / tc, gap) / T
    p = Tb / T
    diff = T ** 5 - Tb ** 5
    if b < SERIES_B and p <= P_MAX:
        return _near_tc_derivatives(T, Tb, c, tc, gapratio, gap, b, p, diff)
    got = _ratio_gradient(b, p)
    if got is None:
        return None
    D, d_b, d_p = got
    db_dT = (bcs.gap_derivative(T, tc, gapratio, gap) / kB - b) / T
    return (c * (5.0 * T ** 4 * D + diff * (d_b * db_dT - d_p * p / T)),
            c * (-5.0 * Tb ** 4 * D + diff * d_p / T))


#: Below this b = Delta/kB T (T within ~1.7e-4 of Tc) the derivatives take D's b^2 series
#: (:func:`_near_tc_derivatives`): there the table's spline slope in b misses dD/db ~ 2 b G
#: (0.3 % at b = 0.01, 2.5 % at 2e-3, 2.2x at its edge b = 1e-3; dQ/dT 2.8e-4 off at b =
#: 0.03), while its values keep G = (D - 1)/b^2 to 2e-4 down to that edge.
SERIES_B = 0.04


def _near_tc_derivatives(T, Tb, c, tc, gapratio, gap, b, p, diff):
    """(dQ/dT, dQ/dTb) next to Tc (b < SERIES_B) from D = 1 + b^2 G(p) + O(b^4) (measured:
    (D - 1)/b^2 moves 4x less per halving of b; Delta^2 enters the Dey Eq. 9 integrals
    evenly) with G = (D - 1)/b^2 from the table's value at b (at its edge B_MIN below it)
    and dD/dp from its slope in p scaled by b^2: dD/d(b^2) = G + O(b^2) (within 1e-4 of
    it at b = 0.04: H b^2 with H ~ -0.16 G), and d(b^2)/dT = d(Delta^2)/dT / (kB T)^2 - 2 b^2/T
    (:func:`bcs.gap_square_derivative`, finite up to Tc).  The left slope at Tc, reached
    continuously; before, a central difference of the quadrature across Tc (within ~1e-7
    of Tc) gave the mean of the two slopes, 8.7 % off the left one."""
    at = max(b, B_MIN)
    D_at, _, d_p_at = _ratio_gradient(at, p)
    b2, at2 = b * b, at * at
    G = (D_at - 1.0) / at2
    D, dD_dp = 1.0 + b2 * G, d_p_at * b2 / at2
    db2_dT = bcs.gap_square_derivative(T, tc, gapratio, gap) / (kB * T) ** 2 - 2.0 * b2 / T
    return (c * (5.0 * T ** 4 * D + diff * (G * db2_dT - dD_dp * p / T)),
            c * (-5.0 * Tb ** 4 * D + diff * dD_dp / T))


def bcs_heat(T, Tb, sigma, vol, tc, gapratio=1.764, gap="tanh", exact=False):
    """Heat from the quasiparticles of a BCS superconductor at ``T`` to phonons at ``Tb``.

    Dey et al. 2023, Eqs. 8-9 (Timofeev et al. 2009):
    ``lambda int w^3 [n(w,T) - n(w,Tb)] F(w,T) dw``, ``lambda = sigma vol/(24 zeta(5) kB^5)``.
    Equals ``sigma vol (T^5 - Tb^5)`` for ``T >= tc``; exponentially suppressed (~e^-Delta/kBT)
    well below Tc.

    Parameters
    ----------
    T : float or array_like
        Quasiparticle temperature, K (> 0).
    Tb : float or array_like
        Phonon temperature, K (>= 0).
    sigma : float
        Normal-state coupling constant Sigma, W m^-3 K^-5.
    vol : float
        Volume, m^3.
    tc : float
        Critical temperature, K.
    gapratio : float
        ``Delta0 / (kB Tc)``.
    gap : {"tanh", "bcs"}
        Gap law.
    exact : bool
        False: table of ``D(b, p)`` (relative error < 1e-5, see docs), quadrature outside it.
        True: nested adaptive quadrature (slow).

    Returns
    -------
    float or ndarray
        Heat, W (positive when flowing from quasiparticles to phonons).
    """
    bcs.check_kind(gap)
    if isinstance(T, (float, int)) and isinstance(Tb, (float, int)):     # scalar fast path
        if not (T > 0 and Tb >= 0):
            raise ValueError("bcs_heat needs T > 0 and Tb >= 0 (K)")
        return _heat_scalar(float(T), float(Tb), sigma, vol, tc, gapratio, gap, exact)
    T_arr, Tb_arr = np.broadcast_arrays(np.asarray(T, float), np.asarray(Tb, float))
    if np.any(~(T_arr > 0)) or np.any(~(Tb_arr >= 0)):
        raise ValueError("bcs_heat needs T > 0 and Tb >= 0 (K)")
    out = np.empty(T_arr.shape)
    flat = out.reshape(-1)
    for i, (t_i, tb_i) in enumerate(zip(T_arr.reshape(-1).tolist(), Tb_arr.reshape(-1).tolist())):
        flat[i] = _heat_scalar(t_i, tb_i, sigma, vol, tc, gapratio, gap, exact)
    return out if out.ndim else float(out)


def _heat_scalar(T, Tb, sigma, vol, tc, gapratio, gap, exact):
    """:func:`bcs_heat` for one (T, Tb) pair of Python floats."""
    normal = sigma * vol * (T ** 5 - Tb ** 5)
    if T >= tc or T == Tb:
        return normal
    b = gapratio * tc * bcs.reduced_gap_scalar(T / tc, gap) / T      # Delta / kB T
    return normal * _ratio(b, Tb / T, exact)
