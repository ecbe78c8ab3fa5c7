"""Mattis-Bardeen complex conductivity and impedance of a superconducting film.

Equations (Dey et al., PRB 107, 134510 (2023), Eqs. 4-6 with footnote 55; Mattis & Bardeen,
Phys. Rev. 111, 412 (1958)), energies in units of the gap Delta(T), ``x = hbar omega / Delta``,
``b = Delta / kB T``, ``E' = E + x``::

    sigma1 = (2/x) int_1^inf nu(E,E') [f(E) - f(E')] dE                      (thermal qp)
           - Theta(x-2) (1/x) int_{1-x}^{-1} nu(E,E') [1 - 2 f(E')] dE         (pair breaking)
    sigma2 = (1/x) int_{max(-1, 1-x)}^{1} nu2(E,E') [1 - 2 f(E')] dE
    nu(E,E') = (E E' + 1) / (sqrt(E^2-1) sqrt(E'^2-1)),
    nu2(E,E') = (E E' + 1) / (sqrt(1-E^2) sqrt(E'^2-1))

The absolute value of Dey's Eq. 5 is read as in their footnote 55: it only turns the imaginary
``sqrt(E^2-1)`` into ``sqrt(1-E^2)``; the numerator keeps its sign (it is negative near
``E = -1`` when ``x > 2``).  That is the original Mattis-Bardeen result: it reproduces their
T = 0 closed forms in complete elliptic integrals (:func:`conductivity_t0`), which a literal
``|nu|`` would not for ``hbar omega > 2 Delta``.

With ``x`` and ``b`` as variables the conductivity is universal: it does not depend on Tc, the
gap ratio or the gap law, which only enter through ``Delta(T)``.  The fast path therefore
interpolates one table (built once, cached on disk by :mod:`thermnet.physics.tables`) of three
smooth functions on ``s = ln x`` in ``[ln X_MIN, ln X_MAX]`` and ``beta = ln b`` in
``[ln B_MIN, ln B_MAX]``:

* ``A = ln(sigma1_qp) + b`` -- thermal quasiparticle part without its ``e^-b`` factor;
* ``B = x (sigma2 - tanh(b/2) sigma2_T0(x)) / tanh(b/2)`` -- O(1) everywhere; subtracting
  the T = 0 closed form removes the ``1/x`` growth and the leading ``(x-2) ln|x-2|`` kink at
  ``x = 2`` (its coefficient is set by the thermal factor at the pinch ``E' = 1``, i.e. is
  ``tanh(b/2)`` times the T = 0 one); ``x = 2`` is a grid node;
* ``C = sigma1_pb / sigma1_T0(x)`` (``x > 2``) -- pair-breaking part relative to its T = 0
  value (-> tanh(b/2) at threshold).

Points outside the table fall back to the same fixed Gauss-Legendre quadrature used to build it
(relative accuracy ~1e-10); ``exact=True`` uses adaptive ``scipy.integrate.quad`` on the same
substituted integrands.  See docs/physics-superconductors.md for ranges, accuracy and timings.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional, Tuple

import numpy as np
from scipy import special

from thermnet.physics import bcs
from thermnet.physics.constants import kB
from thermnet.physics.quadrature import (
    adaptive_quad,
    fit_splines,
    panel_quad,
    pinch_map,
    pinch_map_vmax,
)
from thermnet.physics.spline_rows import SplineRows
from thermnet.physics.tables import cached_splines

__all__ = ["conductivity", "conductivity_derivative", "impedance", "conductivity_t0",
           "reduced_conductivity"]

#: Table grid: s = ln x on ln 2 + H_S * k (40 nodes per decade) plus N_REFINE nodes refined
#: geometrically towards x = 2 from both sides (the residual (x-2)^2 ln|x-2| kink of sigma2
#: has a log-divergent second derivative there; sigma2 uses separate splines for x <= 2 and
#: x >= 2, so no spline crosses it); beta = ln b uniform.
H_S = float(np.log(10.0) / 40.0)
K_LO, K_HI, N_REFINE = 252, 148, 8
X_MIN, X_MAX = 2.0 * 10.0 ** (-K_LO / 40.0), 2.0 * 10.0 ** (K_HI / 40.0)   # 1.002e-6, 1.002e4
B_MIN, B_MAX = 1e-2, 500.0
_GRID = {"form": "mb-v3", "k": [K_LO, K_HI, N_REFINE], "h": H_S,
         "beta": [float(np.log(B_MIN)), float(np.log(B_MAX)), 201],
         "quad": [bcs.QP_PANELS, bcs.QP_NODES, bcs.PB_PANELS, bcs.PB_NODES, 8, 16]}
S2_PANELS, S2_NODES = 8, 16        # sigma2 quadrature: panels x nodes (pinch + regular part)
_X2_GUARD = 1e-12                  # |x - 2| below this is moved to 2 +- _X2_GUARD


# --------------------------------------------------------------------------------------------
# T = 0 closed forms
# --------------------------------------------------------------------------------------------
def conductivity_t0(x):
    """Mattis-Bardeen conductivity at T = 0 (closed form, Mattis & Bardeen 1958).

    With ``x = hbar omega / Delta0`` and complete elliptic integrals ``K, E`` of modulus ``k``
    (``scipy.special`` takes the parameter ``m = k^2``)::

        sigma1 = (1 + 2/x) E(k) - (4/x) K(k),             k = (x-2)/(x+2),  x > 2 (else 0)
        sigma2 = [(1 + 2/x) E(k') - (1 - 2/x) K(k')] / 2,  k' = sqrt(1 - k^2)

    (Popel, J. Appl. Phys. 66, 5950 (1989), Eqs. 5-6, with ``k = |2-x|/(2+x)``).
    ``sigma2 -> pi/x`` as ``x -> 0``, which gives Dey's footnote 58.

    Parameters
    ----------
    x : array_like
        Photon energy over Delta0, > 0.

    Returns
    -------
    sigma1, sigma2 : ndarray
    """
    x = np.asarray(x, dtype=float)
    shape = x.shape
    x = np.atleast_1d(x)
    f = _T0Forms(x)
    s1 = np.where(x > 2.0, f.sigma1, 0.0)
    return s1.reshape(shape), f.sigma2.reshape(shape)


class _T0Forms:
    """The T = 0 closed forms of :func:`conductivity_t0` at ``x`` (1-D) and the elliptic
    integrals their slopes need, each computed once:

    * ``k2 = ((x-2)/(x+2))^2``, ``u = 2/x``;
    * ``K = K(k)``, ``sigma1 = (1 + u) E(k) - 2 u K(k)`` -- the closed form of sigma1 for
      ``x > 2``; below 2 the same expression (finite, not sigma1: callers multiply it by
      zero there, or select ``x > 2``);
    * ``kprime = K(k') = ellipkm1(k^2)`` (accurate as k -> 0), 0 where ``k = 0``: it
      multiplies ``1 - 2/x = 0`` there (``ellipkm1(0)`` is inf, silently); ``at_kink``:
      some ``x`` is exactly 2;
    * ``sigma2``.
    """

    __slots__ = ("k2", "u", "K", "sigma1", "kprime", "at_kink", "sigma2")

    def __init__(self, x: np.ndarray):
        k2 = self.k2 = ((x - 2.0) / (x + 2.0)) ** 2
        u = self.u = 2.0 / x
        up = 1.0 + u
        K = self.K = special.ellipk(k2)
        self.sigma1 = up * special.ellipe(k2) - 2.0 * u * K
        kprime = self.kprime = special.ellipkm1(k2)
        self.at_kink = not k2.all()
        if self.at_kink:
            kprime[k2 == 0] = 0.0
        self.sigma2 = 0.5 * (up * special.ellipe(1.0 - k2) - (1.0 - u) * kprime)


def _t0_slope1(x, k):
    """``d sigma1/dx`` of the T = 0 closed form (:func:`conductivity_t0`) for ``x > 2``, with
    ``k = K(k^2)``; :func:`_t0_slope2` for sigma2.

    Differentiating with ``dE/dm = (E - K)/(2m)`` and ``dK/dm = (E - (1-m) K)/(2m(1-m))``
    (DLMF 19.4.1), ``m = k^2``, ``dm/dx = 8(x-2)/(x+2)^3`` and ``1 - k^2 = 8x/(x+2)^2``, the
    E terms cancel::

        d sigma1/dx = 8 K(k) / (x^2 (x+2))      (pi/4 at threshold: sigma1 ~ (pi/4)(x-2))
    """
    return 8.0 * k / (x * x * (x + 2.0))


def _t0_slope2(x, kprime):
    """``d sigma2/dx = -4 K(k') / (x^2 (x+2))`` of the T = 0 closed form, ``kprime = K(k')``
    (derived as :func:`_t0_slope1`; ``-pi/x^2`` as x -> 0, the slope of ``sigma2 -> pi/x``;
    diverges like ``ln|x-2|`` at x = 2)."""
    return -4.0 * kprime / (x * x * (x + 2.0))


# --------------------------------------------------------------------------------------------
# sigma2 integrand (reduced units), shared by the fixed and the adaptive quadrature
# --------------------------------------------------------------------------------------------
def _s2_case(x):
    """Pinch parameters of the sigma2 integral: ``delta = |x - 2|``, ``c``, below-2 flag.

    For ``x < 2`` (E in [1-x, 1]) the branch point ``E = -1`` approaches the lower limit,
    ``1 + E = delta + x sin^2(phi/2)``; for ``x > 2`` (E in [-1, 1]) the branch point
    ``E' = 1`` does, ``E' - 1 = delta + 2 sin^2(phi/2)`` (``phi = pi - theta``).
    """
    lo = x < 2.0
    return np.abs(x - 2.0), np.where(lo, x, 2.0), lo


def _s2_regular(theta, x, b):
    """sigma2 integrand on ``theta`` in [0, pi/2] (E = centre + half cos theta)."""
    delta, _, lo = _s2_case(x)
    cos2 = np.cos(0.5 * theta) ** 2
    E = np.where(lo, 1.0 - x + x * cos2, np.cos(theta))
    Ep = E + x
    pinch = np.where(lo, delta + x * cos2, delta + 2.0 * cos2)   # 1+E or E'-1
    return (E * Ep + 1.0) / np.sqrt(pinch * (Ep + 1.0)) * np.tanh(0.5 * b * Ep)


def _s2_pinched(v, x, b):
    """sigma2 integrand on the pinch side (``phi = pi - theta`` in [0, pi/2]) in ``v``.

    ``sin^2(phi/2) = q = (delta/c) sinh^2 v``; the numerator ``E E' + 1`` is evaluated as
    ``delta (+-1 + delta sinh^2 v cosh^2 v)`` to avoid cancellation.
    """
    delta, c, lo = _s2_case(x)
    _, jac = pinch_map(v, delta, c)
    sh2 = np.sinh(v) ** 2
    q = delta / c * sh2
    Ep = np.where(lo, 1.0 + x * q, x - 1.0 + 2.0 * q)
    num = delta * (np.where(lo, 1.0, -1.0) + delta * sh2 * (1.0 + sh2))
    return jac * num / np.sqrt(Ep + 1.0) * np.tanh(0.5 * b * Ep)


def _s2_edges(x):
    """Panel edges: (regular theta panels, pinch v panels)."""
    delta, c, _ = _s2_case(x)
    vmax = pinch_map_vmax(delta, c, 0.5 * np.pi)
    reg = np.broadcast_to(np.linspace(0.0, 0.5 * np.pi, 3), np.shape(x) + (3,))
    pin = vmax[..., None] * np.linspace(0.0, 1.0, S2_PANELS + 1)
    return reg, pin


def _guard_x(x):
    """Move x off the exact pair-breaking threshold (sigma is continuous there)."""
    near = np.abs(x - 2.0) < _X2_GUARD
    return np.where(near, np.where(x < 2.0, 2.0 - _X2_GUARD, 2.0 + _X2_GUARD), x)


# --------------------------------------------------------------------------------------------
# Direct evaluation in reduced units
# --------------------------------------------------------------------------------------------
def _parts_fixed(x, b):
    """(J_qp, J_pb, I2) by fixed Gauss-Legendre; broadcast over x, b.

    ``sigma1 = (2/x) e^-b J_qp + J_pb / x`` (J_pb = 0 for x <= 2), ``sigma2 = I2 / x``.
    """
    x, b = np.broadcast_arrays(_guard_x(np.asarray(x, float)), np.asarray(b, float))
    xs, bs = x[..., None, None], b[..., None, None]
    jqp = bcs.qp_integral(x, b, +1.0) if np.all(np.isfinite(b)) else np.where(
        np.isfinite(b), bcs.qp_integral(x, np.where(np.isfinite(b), b, 1.0), +1.0), 0.0)
    above = x > 2.0
    jpb = np.where(above, bcs.pb_integral(np.where(above, x, 3.0), b, -1.0), 0.0)
    reg, pin = _s2_edges(x)
    i2 = (panel_quad(lambda th: _s2_regular(th, xs, bs), reg, S2_NODES)
          + panel_quad(lambda v: _s2_pinched(v, xs, bs), pin, S2_NODES))
    return jqp, jpb, i2


def _parts_adaptive(x, b):
    """Same as :func:`_parts_fixed` by adaptive quadrature, one point at a time."""
    x, b = np.broadcast_arrays(_guard_x(np.asarray(x, float)), np.asarray(b, float))
    out = np.zeros((3,) + x.shape)
    for idx in np.ndindex(x.shape):
        xi, bi = float(x[idx]), float(b[idx])
        if np.isfinite(bi):
            out[(0,) + idx] = adaptive_quad(lambda v: bcs.qp_integrand(v, xi, bi, 1.0),
                                            bcs.qp_edges(np.float64(xi), np.float64(bi)))
        if xi > 2.0:
            out[(1,) + idx] = adaptive_quad(lambda th: bcs.pb_integrand(th, xi, bi, -1.0),
                                            bcs.pb_edges(np.float64(xi)))
        reg, pin = _s2_edges(np.float64(xi))
        out[(2,) + idx] = (adaptive_quad(lambda th: _s2_regular(th, xi, bi), reg)
                           + adaptive_quad(lambda v: _s2_pinched(v, xi, bi), pin))
    return out[0], out[1], out[2]


def _assemble(x, b, jqp, jpb, i2):
    with np.errstate(under="ignore"):
        s1 = 2.0 / x * np.exp(-b) * jqp + jpb / x
    return s1, i2 / x


def reduced_conductivity(x, b, exact=False):
    """Mattis-Bardeen ``(sigma1, sigma2)`` by direct quadrature in reduced variables.

    Parameters
    ----------
    x : array_like
        ``hbar omega / Delta(T)`` (> 0).
    b : array_like
        ``Delta(T) / kB T`` (> 0; ``inf`` means T = 0).
    exact : bool
        False: fixed Gauss-Legendre after substitution (~1e-10 relative).  True: adaptive
        ``scipy.integrate.quad`` on the same integrands (slow; reference values).

    Returns
    -------
    sigma1, sigma2 : ndarray
    """
    x, b = np.broadcast_arrays(np.asarray(x, float), np.asarray(b, float))
    parts = _parts_adaptive(x, b) if exact else _parts_fixed(x, b)
    return _assemble(x, b, *parts)


# --------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------
def _grid():
    """Table nodes: offsets of s = ln x from ln 2 below and above x = 2, and beta = ln b."""
    fine = H_S * 2.0 ** -np.arange(N_REFINE, 0, -1)
    above = np.concatenate(([0.0], fine, H_S * np.arange(1, K_HI + 1)))
    below = -above[::-1]
    below = np.concatenate((-H_S * np.arange(K_LO, K_HI, -1), below))
    lo, hi, n = _GRID["beta"]
    return below, above, np.linspace(lo, hi, n)


def _build_table():
    d_lo, d_hi, beta = _grid()
    x_lo, x_hi, b = 2.0 * np.exp(d_lo), 2.0 * np.exp(d_hi), np.exp(beta)
    x_lo[-1] = x_hi[0] = 2.0
    x = np.concatenate((x_lo, x_hi[1:]))
    A = np.empty((x.size, beta.size))
    B = np.empty_like(A)
    C = np.empty((x_hi.size, beta.size))
    _, sig2_0 = conductivity_t0(x)
    sig1_0, _ = conductivity_t0(x_hi[1:])
    for j, bj in enumerate(b):
        jqp, _, i2 = _parts_fixed(x, bj)
        th = np.tanh(0.5 * bj)
        A[:, j] = np.log(2.0 / x * jqp)
        B[:, j] = (i2 - th * x * sig2_0) / th
        C[0, j] = th                              # threshold limit of sigma1_pb / sigma1_T0
        C[1:, j] = bcs.pb_integral(x_hi[1:], bj, -1.0) / x_hi[1:] / sig1_0
    n_lo = x_lo.size
    s_lo, s_hi = np.log(2.0) + d_lo, np.log(2.0) + d_hi
    return fit_splines((("A", np.log(x), beta, A), ("Blo", s_lo, beta, B[:n_lo]),
                        ("Bhi", s_hi, beta, B[n_lo - 1:]), ("C", s_hi, beta, C)))


@lru_cache(maxsize=None)
def _table():
    return cached_splines("mattis_bardeen", _GRID, _build_table, ("A", "Blo", "Bhi", "C"))


@lru_cache(maxsize=None)
def _rows() -> SplineRows:
    """The table's fields A, B (Blo below x = 2, Bhi above) and C (zero below x = 2) as
    :class:`~thermnet.physics.spline_rows.SplineRows`: the same splines, evaluated one
    temperature (one ``beta``) at a time for all photon energies (built once per process
    from the cached table, ~15 ms)."""
    tab = _table()
    return SplineRows(((tab["A"],), (tab["Blo"], tab["Bhi"]), (tab["C"],)))


class _TableRow:
    """sigma1, sigma2 at table points ``x`` (1-D, ``s = ln x``) of one temperature
    (``b``, ``beta = ln b``), with their T-derivative at fixed photon energy on demand.

    ``sigma1 = e^(A - b) + C sigma1_T0(x)`` and ``sigma2 = tanh(b/2) (sigma2_T0(x) + B/x)``:
    the fields' definitions (module docstring) solved for sigma.  The row's C is exactly
    zero below x = 2 (no spline of C reaches there, :func:`_rows`), so ``C sigma1_T0`` needs
    no selection of ``x > 2`` (:class:`_T0Forms` keeps its expression finite below 2).
    ``e^(A - b) >= e^-520`` on the table (A > -12, b <= B_MAX): it cannot underflow."""

    __slots__ = ("x", "b", "row", "t0", "th", "sigma1", "sigma2")

    def __init__(self, x: np.ndarray, s: np.ndarray, b: float, beta: float, rows: SplineRows):
        self.x, self.b = x, b
        self.row = rows.at(s, beta)
        A, B, C = self.row.values
        f = self.t0 = _T0Forms(x)
        self.sigma1 = np.exp(A - b) + C * f.sigma1
        self.th = math.tanh(0.5 * b)
        self.sigma2 = self.th * (f.sigma2 + B / x)

    def derivative(self, ds: float, dbeta: float) -> Tuple[np.ndarray, np.ndarray]:
        """``d sigma1/dT, d sigma2/dT`` for ``ds = ds/dT``, ``dbeta = dbeta/dT``: the chain
        rule through the splines' exact derivatives
        (:meth:`~thermnet.physics.spline_rows.Row.gradient`) and the closed forms' slopes
        (:func:`_t0_slope1`, :func:`_t0_slope2`); ``db = b dbeta``, ``dx = x ds``.  The C
        terms vanish below x = 2 (C and its derivatives are zero there)."""
        x, b, f, th = self.x, self.b, self.t0, self.th
        (A, B, C), d_s, d_beta = self.row.gradient()
        thermal = np.exp(A - b)
        rem = B / x
        db = b * dbeta                                     # b = e^beta
        dx = x * ds                                        # x = e^s
        d1 = thermal * (d_s[0] * ds + d_beta[0] * dbeta - db) + (
            (d_s[2] * ds + d_beta[2] * dbeta) * f.sigma1 + C * _t0_slope1(x, f.K) * dx)
        # x = 2 exactly: the one-sided slope next to it
        kprime = _T0Forms(_guard_x(x)).kprime if f.at_kink else f.kprime
        dth = 0.5 * (1.0 - th * th) * db
        d2 = dth * (f.sigma2 + rem) + th * (_t0_slope2(x, kprime) * dx
                                            + (d_s[1] * ds + d_beta[1] * dbeta) / x - rem * ds)
        return d1, d2


class _Reduced:
    """sigma1, sigma2 at reduced energies ``x`` (1-D) and one ``b``: from the table's row
    (:class:`_TableRow`) where ``s = ln x`` and ``beta = ln b`` lie on the table, from the
    fixed quadrature (:func:`reduced_conductivity`) elsewhere.  ``table``: the table's row
    (None: no point on the table); ``inside``: the mask of its points (None: all)."""

    __slots__ = ("sigma", "table", "inside")

    def __init__(self, x: np.ndarray, b: float):
        rows = _rows()
        beta = math.log(b)
        self.table: Optional[_TableRow] = None
        if rows.ylo <= beta <= rows.yhi:
            s = np.log(x)
            if rows.xlo <= s.min() and s.max() <= rows.xhi:
                self.inside = None
                self.table = t = _TableRow(x, s, b, beta, rows)
                self.sigma = t.sigma1, t.sigma2
                return
            inside = (s >= rows.xlo) & (s <= rows.xhi)
        else:
            inside = np.zeros(x.shape, dtype=bool)
        self.inside = inside
        far = ~inside
        s1, s2 = np.empty_like(x), np.empty_like(x)
        if b < B_MIN:                   # next to Tc, far above the gap: the b^2 series
            series = x * b >= SERIES_X * SERIES_VALUE_B[1]
            if series.any():
                s1[series], s2[series] = _series_values(x[series] * b, b)
                far = far & ~series
        s1[far], s2[far] = reduced_conductivity(x[far], b)
        if inside.any():
            self.table = t = _TableRow(x[inside], s[inside], b, beta, rows)
            s1[inside], s2[inside] = t.sigma1, t.sigma2
        self.sigma = s1, s2


#: Next to Tc (b < B_MIN, below the table) sigma at w = hbar omega / kB T >= SERIES_X x
#: SERIES_VALUE_B[1] is the b^2 series through the table at these two b (x >= SERIES_X there:
#: far above the gap), instead of two fixed quadratures per energy.
SERIES_VALUE_B = (0.02, 0.04)


def _series_values(w: np.ndarray, b: float) -> Tuple[np.ndarray, np.ndarray]:
    """sigma1, sigma2 at w = hbar omega / kB T and b < B_MIN from sigma1 = 1 + b^2 F1(w, b^2),
    sigma2 = b^2 F2(w, b^2) (:func:`_series_derivative`), F linear in b^2 through the table at
    b = SERIES_VALUE_B: the table's error there (~1e-8 of sigma) times b^2/0.02^2, at most
    ~1e-8 of sigma1 (measured 8.8e-9 at b = 0.0097, as the table itself next to its edge) and
    falling as b^2 towards Tc, where the fixed quadrature it replaces grows to 3e-8 (x = w/b
    past 1e5) and costs two orders of magnitude more; sigma2 (~b^2) to 3e-6 of itself."""
    lo, hi = SERIES_VALUE_B
    beta2 = b * b
    F, _ = _b2_line(_Reduced(w / lo, lo).sigma, lo, _Reduced(w / hi, hi).sigma, hi, beta2)
    return 1.0 + beta2 * F[0], beta2 * F[1]


def _excess(sigma, b):
    """F = ((sigma1 - 1)/b^2, sigma2/b^2): sigma's departure from the normal state (1, 0) over
    b^2, (2, n)."""
    return np.stack(((sigma[0] - 1.0) / b ** 2, sigma[1] / b ** 2))


def _b2_line(sigma_lo, b_lo, sigma_hi, b_hi, beta2):
    """(F, dF/d(b^2)) at b^2 = beta2 on the line in b^2 through F (:func:`_excess`) at two
    nodes b_lo < b_hi (scalars or per energy): the b^2 series of :func:`_series_values` and
    :func:`_series_derivative`."""
    F_lo = _excess(sigma_lo, b_lo)
    slope = (_excess(sigma_hi, b_hi) - F_lo) / (b_hi ** 2 - b_lo ** 2)
    return F_lo + slope * (beta2 - b_lo ** 2), slope


def _reduced_table(x, b):
    """(sigma1, sigma2) at reduced energies ``x`` (1-D) and scalar ``b`` from the table,
    with the fixed quadrature for points outside it (:class:`_Reduced`)."""
    return _Reduced(x, b).sigma


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def conductivity(energy, T, tc, gapratio=1.764, gap="tanh", exact=False):
    """Complex conductivity ``sigma1 - i sigma2`` of a BCS film, normalized to sigma_N.

    Dey et al. 2023 Eqs. 4-6 (Mattis-Bardeen), gap law from :func:`thermnet.physics.bcs.gap`.

    Parameters
    ----------
    energy : array_like
        Photon energies ``hbar omega``, J (1-D or scalar, all > 0).
    T : float
        Quasiparticle temperature, K (scalar).  ``T >= tc``: normal state (1, 0);
        ``T <= 0``: T = 0 closed forms.
    tc : float
        Critical temperature, K.
    gapratio : float
        ``Delta0 / (kB Tc)``.
    gap : {"tanh", "bcs"}
        Gap law.
    exact : bool
        False (default): interpolated universal table (relative error < 1e-5 where the value
        exceeds the floor, see docs), fixed-quadrature fallback outside it.  True: adaptive
        quadrature for every energy (slow, reference).

    Returns
    -------
    sigma1, sigma2 : ndarray
        Same shape as ``energy``; ``sigma2 > 0`` is inductive.
    """
    if exact:
        energy, shape, T = _checked(energy, T, gap)
        if 0 < T < tc:
            delta = bcs.gap(T, tc, gapratio, gap)
            s1, s2 = reduced_conductivity(energy / delta, delta / (kB * T), exact=True)
            return s1.reshape(shape), s2.reshape(shape)
    row = conductivity_row(energy, T, tc, gapratio, gap)
    s1, s2 = row.sigma
    return s1.reshape(row.shape), s2.reshape(row.shape)


def _checked(energy, T, gap):
    """(energies as a 1-D float array, their original shape, T as a float), validated."""
    bcs.check_kind(gap)
    energy = np.asarray(energy, dtype=float)
    shape = energy.shape
    if energy.ndim != 1:
        if energy.ndim > 1:
            raise ValueError("energy must be a scalar or a 1-D array of photon energies (J)")
        energy = energy.reshape(1)
    if energy.size and not energy.min() > 0:
        raise ValueError("photon energies must be > 0 (J)")
    if not isinstance(T, float) and np.ndim(T) != 0:
        raise ValueError("T must be a scalar temperature (K)")
    return energy, shape, float(T)


class ConductivityRow:
    """sigma1, sigma2 of a film (normalized to sigma_N; Dey et al. 2023 Eqs. 4-6) at one
    temperature for 1-D photon energies, and their temperature derivative at fixed photon
    energies, computed on first use and kept (:meth:`derivative`): a film asked for its
    admittance and then for dY/dT at the same state (a residual, then the Jacobian there)
    evaluates the table's row once (:func:`conductivity_row` with ``reuse``).

    ``key``: the arguments it was computed for (energies' bytes, T, tc, gapratio, gap).
    ``T >= tc`` (or a gap zero within rounding of Tc): the normal state (1, 0);
    ``T <= 0``: the T = 0 closed forms; else the table (:class:`_Reduced`)."""

    __slots__ = ("key", "shape", "energy", "T", "tc", "gapratio", "gap", "delta", "sigma",
                 "_reduced", "_derivative")

    def __init__(self, key: tuple, energy: np.ndarray, shape: tuple, T: float, tc: float,
                 gapratio: float, gap: str):
        self.key, self.shape, self.energy, self.T = key, shape, energy, T
        self.tc, self.gapratio, self.gap = tc, gapratio, gap
        self._reduced: Optional[_Reduced] = None
        self._derivative: Optional[Tuple[np.ndarray, np.ndarray]] = None
        self.delta = 0.0 if T >= tc else bcs.gap(T, tc, gapratio, gap)
        if self.delta == 0.0:             # T >= Tc, or within rounding of it: normal state
            self.sigma = np.ones(energy.shape), np.zeros(energy.shape)
        elif T <= 0:
            self.sigma = conductivity_t0(energy / self.delta)
        else:
            self._reduced = _Reduced(energy / self.delta, self.delta / (kB * T))
            self.sigma = self._reduced.sigma

    def derivative(self) -> Tuple[np.ndarray, np.ndarray]:
        """``d sigma1/dT, d sigma2/dT`` (1/K) at fixed photon energies
        (:func:`conductivity_derivative`); zero in the normal state and at ``T <= 0``."""
        if self._derivative is None:
            self._derivative = self._compute_derivative()
        return self._derivative

    def _compute_derivative(self) -> Tuple[np.ndarray, np.ndarray]:
        red = self._reduced
        if red is None:
            return np.zeros(self.energy.shape), np.zeros(self.energy.shape)
        T, tc, gapratio, gap = self.T, self.tc, self.gapratio, self.gap
        rel = bcs.gap_derivative(T, tc, gapratio, gap) / self.delta
        ds, dbeta = -rel, rel - 1.0 / T
        # near Tc, far above the gap: the b^2 series (_series_derivative)
        series = (self.energy >= SERIES_X * self.delta) if self.delta <= SERIES_B * kB * T \
            else None
        if red.inside is None:
            assert red.table is not None
            d1, d2 = red.table.derivative(ds, dbeta)
        else:
            d1, d2 = np.empty(self.energy.shape), np.empty(self.energy.shape)
            far = ~red.inside if series is None else ~red.inside & ~series
            if far.any():
                d1[far], d2[far] = _difference_derivative(self.energy[far], T, tc, gapratio,
                                                          gap)
            if red.table is not None:
                d1[red.inside], d2[red.inside] = red.table.derivative(ds, dbeta)
        if series is not None and series.any():
            d1[series], d2[series] = _series_derivative(self.energy[series], T, tc, gapratio,
                                                        gap)
        return d1, d2


def conductivity_row(energy, T, tc, gapratio=1.764, gap="tanh",
                     reuse: Optional[ConductivityRow] = None) -> ConductivityRow:
    """The :class:`ConductivityRow` of ``energy`` (1-D or scalar, J, all > 0) at ``T``:
    ``reuse`` itself if it was computed for the same arguments (the same energies, bit for
    bit), else a new one."""
    energy, shape, T = _checked(energy, T, gap)
    key = (shape, energy.tobytes(), T, tc, gapratio, gap)
    if reuse is not None and reuse.key == key:
        return reuse
    return ConductivityRow(key, energy, shape, T, tc, gapratio, gap)


#: Relative temperature step of the difference quotient used for points outside the table.
FALLBACK_DT_REL = 1e-5
#: ... and at most this fraction of the distance to Tc: Delta ~ sqrt(Tc - T) there, so the
#: difference's truncation error is ~ (step / (Tc - T))^2 relative.
TC_STEP = 1e-3


def conductivity_derivative(energy, T, tc, gapratio=1.764, gap="tanh"):
    """``sigma1, sigma2`` and their temperature derivatives at fixed photon energies.

    Dey et al. 2023 Eqs. 4-6 depend on T through ``x = hbar omega / Delta(T)`` and
    ``b = Delta(T) / kB T`` only, so at fixed ``hbar omega``, with ``s = ln x`` and
    ``beta = ln b`` (the table's variables)::

        d sigma/dT = d sigma/ds ds/dT + d sigma/dbeta dbeta/dT,
        ds/dT = -Delta'/Delta,  dbeta/dT = Delta'/Delta - 1/T

    with ``Delta'`` from :func:`thermnet.physics.bcs.gap_derivative`.  Inside the table the
    partial derivatives are the exact derivatives of its splines and of the T = 0 closed
    forms (:func:`_t0_slope1`, :func:`_t0_slope2`): the derivative of exactly the function
    :func:`conductivity` returns.  Each energy keeps its side of the pair-breaking kink at
    ``x = 2`` (the derivative there is one-sided; sigma2's diverges like ``ln|x-2|``).
    Points outside the table (where :func:`conductivity` uses the fixed quadrature) take a
    central difference of that quadrature with a step that keeps T below Tc and each energy
    on its side of ``2 Delta``.

    Parameters
    ----------
    energy, T, tc, gapratio, gap
        As in :func:`conductivity` (the table path; no ``exact``).

    Returns
    -------
    sigma1, sigma2, dsigma1_dT, dsigma2_dT : ndarray
        Same shape as ``energy``; the derivatives in 1/K (zero for ``T >= tc`` and at
        ``T <= 0``, where the gap is flat and thermal terms vanish).
    """
    row = conductivity_row(energy, T, tc, gapratio, gap)
    d1, d2 = row.derivative()
    return tuple(a.reshape(row.shape) for a in row.sigma + (d1, d2))


def _difference_derivative(energy, T, tc, gapratio, gap):
    """d sigma/dT at points outside the table by a central difference of the fixed
    quadrature whose step keeps T well below Tc (:data:`TC_STEP`) and every energy on its
    side of the kink at ``2 Delta(T)`` (:func:`thermnet.physics.bcs.kink_safe_step`); within
    rounding of Tc (where that step would reach it) a backward difference.  The quotient
    divides by the step T took in floating point, not the step asked for."""
    step = bcs.kink_safe_step(T, tc, energy, FALLBACK_DT_REL, TC_STEP, gapratio, gap)

    def at(t):
        d = bcs.gap(t, tc, gapratio, gap)
        return reduced_conductivity(energy / d, d / (kB * t))

    t_lo = T - step
    lo = at(t_lo)
    t_hi = T + step
    if not bcs.gap(t_hi, tc, gapratio, gap) > 0:     # within rounding of Tc: one-sided
        t_hi, hi = T, at(T)
    else:
        hi = at(t_hi)
    return (hi[0] - lo[0]) / (t_hi - t_lo), (hi[1] - lo[1]) / (t_hi - t_lo)


#: Near Tc (b = Delta/kB T < SERIES_B, T above ~0.9996 Tc) the derivative at energies far
#: above the gap (x = hbar omega / Delta >= SERIES_X) comes from sigma's expansion in b^2
#: (:func:`_series_derivative`): there sigma differs from the normal state by ~b^2 ~ Tc - T,
#: and the slope of that difference is lost in the rounding of a difference of quadratures
#: (1e-13 of sigma over a step of 1e-3 (Tc - T): sigma1's slope at 40 kB T was 2 % off at
#: 1e-7 Tc from Tc, of the wrong sign at 1e-8) and in the table's spline error (1e-8 of
#: sigma: 1 % at 3e-5 Tc from Tc, 2e-3 at 3e-4).
SERIES_X = 12.0
#: ... and is fitted through quadratures at b = c/2 and c with c = min(SERIES_B, w /
#: SERIES_X) (w = hbar omega / kB T): both nodes at x >= SERIES_X, far above the gap, and
#: sigma - (1, 0) up to ~4e-4 at c = SERIES_B, well above the quadrature's rounding.  Above
#: SERIES_B (T below ~0.9996 Tc) the table's slope is within 2.4e-5 for w <= 10 (1.6e-4 at
#: w = 40, where the Bose factors leave nothing); the series costs ~10 ms per 130 energies.
SERIES_B = 0.06
#: Relative step in w of the (small) term at fixed b.
SERIES_W_STEP = 1e-3


def _series_derivative(energy, T, tc, gapratio, gap):
    """d sigma/dT at fixed photon energies near Tc (b = Delta/kB T < SERIES_B) and far
    above the gap (x >= SERIES_X), from the expansion of the Mattis-Bardeen integrals (Dey et al.
    2023 Eqs. 4-6) at fixed w = hbar omega / kB T in beta2 = b^2:

        sigma1 = 1 + beta2 F1(w, beta2),   sigma2 = beta2 F2(w, beta2),

    F smooth in beta2 (measured: (sigma1 - 1)/b^2 and sigma2/b^2 move 4x less for each
    halving of b, a beta2 term).  F and dF/dbeta2 at the point come from the line in beta2
    through two quadratures at b = c/2 and c (:data:`SERIES_B`; the beta2^2 term left out
    is ~1e-6 of F there); dF/dw from a forward difference at b = c/2 (its term is ~(Tc -
    T)/T of the first, so its O(step) error is negligible).  Then

        d sigma/dT = (F + beta2 dF/dbeta2) dbeta2/dT - beta2 dF/dw w/T,
        dbeta2/dT = d(Delta^2)/dT / (kB T)^2 - 2 beta2 / T,

    where d(Delta^2)/dT (:func:`thermnet.physics.bcs.gap_square_derivative`) stays finite as
    T -> Tc- (Delta^2 ~ Tc - T): the left limit at Tc, reached continuously."""
    kT = kB * T
    delta = bcs.gap(T, tc, gapratio, gap)
    beta2 = (delta / kT) ** 2
    w = energy / kT
    c = np.minimum(SERIES_B, w / SERIES_X)
    b1 = 0.5 * c                                                   # the nodes b1, c
    s1, s2 = reduced_conductivity(w / np.stack((b1, c)), np.stack((b1, c)))
    F0, slope = _b2_line((s1[0], s2[0]), b1, (s1[1], s2[1]), c, beta2)
    F_w = (_excess(reduced_conductivity(w * (1.0 + SERIES_W_STEP) / b1, b1), b1)
           - _excess((s1[0], s2[0]), b1)) / (SERIES_W_STEP * w)
    dbeta2 = bcs.gap_square_derivative(T, tc, gapratio, gap) / kT ** 2 - 2.0 * beta2 / T
    d = (F0 + beta2 * slope) * dbeta2 - beta2 * F_w * w / T
    return d[0], d[1]


def impedance(energy, T, R0, tc, gapratio=1.764, gap="tanh", exact=False):
    """Impedance ``Z = R0 / (sigma1 - i sigma2)`` of a film (Dey et al., text above Eq. 4).

    Electrical-engineering convention (inductor ``+i omega L``): with ``sigma2 > 0`` the film
    is inductive, ``Im Z > 0``; at T = 0 and ``hbar omega << Delta0``,
    ``Z ~ i omega R0 hbar / (pi Delta0)`` (Dey et al. footnote 58).

    Parameters
    ----------
    energy : array_like
        Photon energies ``hbar omega``, J.
    T : float
        Temperature, K.
    R0 : float
        Normal-state resistance, ohm.
    tc, gapratio, gap, exact
        As in :func:`conductivity`.

    Returns
    -------
    ndarray of complex
        Z, ohm.
    """
    s1, s2 = conductivity(energy, T, tc, gapratio, gap, exact)
    return R0 / (s1 - 1j * s2)
