"""BCS superconductor ingredients shared by the Mattis-Bardeen, NIS and electron-phonon kernels.

* :func:`gap` -- temperature dependence of the gap: the interpolation
  ``Delta0 tanh(1.74 sqrt(Tc/T - 1))`` (Dey et al., PRB 107, 134510 (2023), text below Eq. 6 and
  footnote 56; Pioldi et al. 2025, text below Eq. 1) or the self-consistent weak-coupling BCS gap.
* :func:`dynes_dos` -- Dynes-broadened density of states (Pioldi et al., text below Eq. 1;
  Dynes et al., PRL 41, 1509 (1978)).
* :func:`qp_integral` / :func:`pb_integral` -- the two BCS "coherence-factor" integrals that
  appear both in the Mattis-Bardeen conductivity (Dey et al. Eq. 4) and in the electron-phonon
  function F (Dey et al. Eq. 9), in reduced units (energies in units of Delta).

Self-consistent gap (weak coupling, Tinkham Eq. 3.27 rewritten with the T = 0 equation):
``ln(Delta0/Delta) = 2 int_0^inf dxi f(E)/E = 2 int_0^inf du f(Delta cosh u)`` with
``E = sqrt(xi^2 + Delta^2) = Delta cosh u`` and ``Delta0 = pi e^-gamma kB Tc = 1.76388 kB Tc``.
It is solved once on a grid of T/Tc, tabulated as ``g(t) = (Delta/Delta0) / sqrt(1 - t)``
(smooth on [0, 1]; ``g(1) = sqrt(8 pi^2/(7 zeta(3))) / (pi e^-gamma) = 1.7367``, the
Ginzburg-Landau limit) and interpolated with a cubic spline.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from thermnet.physics.constants import kB
from thermnet.physics.quadrature import (
    Spline1D,
    panel_quad,
    sqrt_pair_above,
    sqrt_pair_above_vmax,
    sqrt_pair_between,
)
from thermnet.physics.tables import cached_table

GAP_KINDS = ("tanh", "bcs")
#: Weak-coupling BCS ratio Delta0/(kB Tc) = pi exp(-Euler gamma).
BCS_RATIO = math.pi * math.exp(-np.euler_gamma)
#: Ginzburg-Landau slope: Delta(T)/(kB Tc) -> GL_SLOPE sqrt(1 - T/Tc) as T -> Tc.
GL_SLOPE = math.sqrt(8.0 * math.pi ** 2 / (7.0 * special.zeta(3.0)))
#: Thermal cut-off: integrands carrying a Fermi/Bose factor are truncated where it is < e^-CUT.
CUT = 50.0

_GAP_GRID = {"n": 801, "quad": "gl-8x24", "form": "ln(D0/D)=2 int f(D cosh u) du"}


def check_kind(kind: str) -> str:
    """Validate a gap-law name (``"tanh"`` or ``"bcs"``) and return it."""
    if kind not in GAP_KINDS:
        raise ValueError(f"unknown gap kind {kind!r}: expected one of {', '.join(GAP_KINDS)}")
    return kind


def gap(T, tc, gapratio=1.764, kind="tanh"):
    """Superconducting gap Delta(T) in joules.

    Parameters
    ----------
    T : float or array_like
        Temperature, K.  ``T <= 0`` gives ``Delta0``; ``T >= tc`` gives 0.
    tc : float
        Critical temperature, K.
    gapratio : float
        ``Delta0 / (kB Tc)``.
    kind : {"tanh", "bcs"}
        ``"tanh"``: ``Delta0 tanh(1.74 sqrt(Tc/T - 1))`` (Dey et al. 2023, below Eq. 6;
        within 3% of BCS, their footnote 56).  ``"bcs"``: self-consistent weak-coupling BCS
        ``Delta(T)/Delta0`` (tabulated, interpolation error < 1e-9) scaled by
        ``Delta0 = gapratio kB Tc``.

    Returns
    -------
    float or ndarray
        Delta(T), J (same shape as ``T``).
    """
    check_kind(kind)
    if isinstance(T, float) or np.ndim(T) == 0:   # scalar fast path: inside Newton loops
        return gapratio * kB * tc * reduced_gap_scalar(float(T) / tc, kind)
    t = np.asarray(T, dtype=float) / tc
    return gapratio * kB * tc * reduced_gap(t, kind)


def gap_derivative(T: float, tc: float, gapratio: float = 1.764, kind: str = "tanh") -> float:
    """``dDelta/dT`` (J/K) of :func:`gap` at a scalar temperature (0 for ``T <= 0`` and
    ``T >= tc``; it diverges like ``(tc - T)^(-1/2)`` as ``T -> tc-``).

    ``"tanh"``: the derivative of ``Delta0 tanh(1.74 sqrt(Tc/T - 1))`` (Dey et al. 2023, below
    Eq. 6), ``-Delta0 (1 - tanh^2) 1.74 Tc / (2 T^2 sqrt(Tc/T - 1))``.  ``"bcs"``: the
    derivative of the interpolant actually used, ``Delta0 g(t) sqrt(1 - t)`` with the cubic
    spline ``g``: ``(Delta0/Tc) [g'(t) sqrt(1-t) - g(t) / (2 sqrt(1-t))]``.
    """
    check_kind(kind)
    T = float(T)
    t = T / tc
    if t <= 0.0 or T >= tc:
        return 0.0
    delta0 = gapratio * kB * tc
    if kind == "tanh":
        r = math.sqrt((tc - T) / T)           # sqrt(Tc/T - 1), > 0 for T < Tc
        th = math.tanh(1.74 * r)
        return -delta0 * (1.0 - th * th) * 1.74 / (2.0 * r * t * t) / tc
    spline = _bcs_spline().bspline
    root = math.sqrt((tc - T) / tc)
    return delta0 / tc * (float(spline(t, nu=1)) * root - float(spline(t)) / (2.0 * root))


def gap_square_derivative(T: float, tc: float, gapratio: float = 1.764,
                          kind: str = "tanh") -> float:
    """``d(Delta^2)/dT`` (J^2/K) at a scalar temperature: ``2 Delta dDelta/dT`` of
    :func:`gap_derivative`'s laws, finite up to Tc (``Delta^2 ~ Tc - T``), written with
    ``Tc - T`` rather than ``1 - T/Tc`` so that it keeps its digits next to Tc, where the
    product of :func:`gap` and :func:`gap_derivative` loses them (the gap is a function of
    ``T/Tc``, whose rounding is ~1e-16 against ``1 - T/Tc``).  0 for ``T <= 0`` and
    ``T >= tc``.

    ``"tanh"``: ``-Delta0^2 1.74 (tanh(1.74 r)/r) sech^2(1.74 r) Tc/T^2``, ``r = sqrt(Tc/T -
    1)`` (Dey et al. 2023, below Eq. 6).  ``"bcs"``: ``(Delta0^2/Tc) (2 g g' (1 - t) - g^2)``
    of ``Delta0^2 g(t)^2 (1 - t)``."""
    check_kind(kind)
    T = float(T)
    if T <= 0.0 or T >= tc:
        return 0.0
    delta0 = gapratio * kB * tc
    if kind == "tanh":
        r = math.sqrt((tc - T) / T)
        th = math.tanh(1.74 * r)
        return -delta0 ** 2 * 1.74 * (th / r) * (1.0 - th * th) * tc / (T * T)
    spline = _bcs_spline().bspline
    t = T / tc
    g, dg = float(spline(t)), float(spline(t, nu=1))
    return delta0 ** 2 / tc * (2.0 * g * dg * (tc - T) / tc - g * g)


STEP_FLOOR = 1e-9      # relative temperature step below which a difference is rounding noise


def kink_safe_step(T: float, tc: float, energy: np.ndarray, rel: float, tc_fraction: float,
                   gapratio: float = 1.764, kind: str = "tanh") -> float:
    """Temperature step (K) of a central difference in T of a superconductor's response at
    fixed photon energies ``energy`` (J): ``rel T``, at most ``tc_fraction (tc - T)`` (Delta
    ~ sqrt(Tc - T): the truncation error is ~ (step / (tc - T))^2), and short enough that
    the kink at 2 Delta(T), moving at 2 Delta'(T) (:func:`gap_derivative`), stays a quarter
    of its distance from every energy (a step across it mixes the two sides); at least
    STEP_FLOOR T."""
    step = min(rel * T, tc_fraction * (tc - T))
    speed = 2.0 * abs(gap_derivative(T, tc, gapratio, kind))
    if speed > 0:
        kink = 2.0 * float(gap(T, tc, gapratio, kind))
        step = min(step, 0.25 * float(np.min(np.abs(np.asarray(energy) - kink))) / speed)
    return max(step, STEP_FLOOR * T)


def reduced_gap(t, kind="tanh"):
    """Delta(T)/Delta0 as a function of ``t = T/Tc`` (1 for t <= 0, 0 for t >= 1)."""
    check_kind(kind)
    t = np.asarray(t, dtype=float)
    inside = (t > 0) & (t < 1)
    out = np.where(t <= 0, 1.0, 0.0)
    if kind == "tanh":
        ti = np.where(inside, t, 0.5)
        out = np.where(inside, np.tanh(1.74 * np.sqrt(1.0 / ti - 1.0)), out)
    else:
        ti = np.where(inside, t, 0.5)
        out = np.where(inside, _bcs_spline()(ti) * np.sqrt(1.0 - ti), out)
    return out if out.ndim else float(out)


def reduced_gap_scalar(t: float, kind: str = "tanh") -> float:
    """Scalar fast path of :func:`reduced_gap` (same values)."""
    if t >= 1.0:
        return 0.0
    if t <= 0.0:
        return 1.0
    if kind == "tanh":
        return math.tanh(1.74 * math.sqrt(1.0 / t - 1.0))
    check_kind(kind)
    return float(_bcs_spline()(t)) * math.sqrt(1.0 - t)


def _bcs_gap_rhs(delta, t):
    """``2 int_0^inf du f(Delta cosh u)`` for reduced gap ``delta`` at ``t`` (broadcast).

    The Fermi factor is truncated where ``Delta (cosh u - 1) / kB T > CUT``; 8 GL panels of
    24 nodes on ``[0, u_max]``.
    """
    beta = BCS_RATIO * delta / t            # Delta / (kB T)
    umax = np.arccosh(1.0 + CUT / beta)
    edges = umax[..., None] * np.linspace(0.0, 1.0, 9)

    def integrand(u):
        return 2.0 * special.expit(-beta[..., None, None] * np.cosh(u))

    return panel_quad(integrand, edges, 24)


def _solve_bcs_gap(t):
    """Solve ``ln(1/delta) = 2 int f`` for delta at each ``t`` in (0, 1) by bisection."""
    t = np.asarray(t, dtype=float)
    lo = np.full_like(t, 1e-12)
    hi = np.ones_like(t)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        resid = np.log(1.0 / mid) - _bcs_gap_rhs(mid, t)
        # resid < 0 means delta too large (gap equation rhs decreases with delta)
        hi = np.where(resid < 0, mid, hi)
        lo = np.where(resid < 0, lo, mid)
    return 0.5 * (lo + hi)


def _build_gap_table():
    t = np.linspace(0.0, 1.0, _GAP_GRID["n"])
    g = np.empty_like(t)
    g[0] = 1.0
    g[-1] = GL_SLOPE / BCS_RATIO
    inner = t[1:-1]
    g[1:-1] = _solve_bcs_gap(inner) / np.sqrt(1.0 - inner)
    return Spline1D.fit(t, g)


@lru_cache(maxsize=None)
def _bcs_spline() -> Spline1D:
    arrays = cached_table("bcs_gap", _GAP_GRID, _build_gap_table)
    return Spline1D(arrays["t"], arrays["c"])


def dynes_dos(E, delta, gamma):
    """Dynes-broadened normalized density of states.

    ``N_S(E) = |Re[(E - i Gamma) / sqrt((E - i Gamma)^2 - Delta^2)]|``
    (Pioldi et al. 2025, text below Eq. 1; Dynes et al. 1978).

    Parameters
    ----------
    E : array_like
        Quasiparticle energy, J (any unit works as long as all three agree).
    delta : float or array_like
        Gap, J.
    gamma : float or array_like
        Dynes parameter Gamma, J (>= 0).

    Returns
    -------
    ndarray
        Dimensionless DOS (``inf`` exactly at ``|E| = Delta`` when ``Gamma = 0``).
    """
    z = np.asarray(E, dtype=float) - 1j * np.asarray(gamma, dtype=float)
    delta = np.asarray(delta, dtype=float)
    root = np.sqrt((z - delta) * (z + delta))     # = sqrt(z^2 - Delta^2), less rounding
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.abs((z / root).real)
    return np.where(root == 0, np.inf, val)


# --------------------------------------------------------------------------------------------
# Coherence-factor integrals (energies in units of Delta; b = Delta / kB T)
# --------------------------------------------------------------------------------------------
#: Panels x nodes of the fixed Gauss-Legendre rules (chosen so that both integrals agree with
#: adaptive quadrature to < 1e-10 relative over x in [1e-7, 1e5], b in [1e-3, 1e3]).
QP_PANELS, QP_NODES = 8, 20
PB_LEVELS, PB_NODES = 8, 16
#: Pair-breaking panels in theta: geometric (ratio 1/3) towards both ends.  For x >> 1 the
#: factors 1/sqrt(|E|+1) (theta -> 0) and 1/sqrt(E'+1), tanh(b E'/2) (theta -> pi) vary on the
#: scales sqrt(4/x) and sqrt(2 pi/(b x)).
_PB_HALF = 0.5 * np.pi * np.concatenate(([0.0], 3.0 ** -np.arange(PB_LEVELS, 0, -1)))
_PB_EDGES = np.concatenate((_PB_HALF, [0.5 * np.pi], np.pi - _PB_HALF[::-1]))
PB_PANELS = _PB_EDGES.size - 1


def fermi_difference_scaled(em1, x, b):
    """``e^b [f(E) - f(E + x)]`` for ``E = 1 + em1 >= 1`` (Fermi functions at ``b = Delta/kB T``).

    Written as ``-expm1(-b x) e^{-b em1} / ((1 + e^{-bE})(1 + e^{-b(E+x)}))``: no overflow, no
    cancellation for small ``x`` and no underflow of the ``e^-b`` prefactor.
    """
    E = 1.0 + em1
    return (-np.expm1(-b * x) * np.exp(-b * em1)
            / ((1.0 + np.exp(-b * E)) * (1.0 + np.exp(-b * (E + x)))))


def _qp_vmax(x, b):
    """Upper limit of the ``v`` variable: thermal factor below ``e^-CUT``."""
    return sqrt_pair_above_vmax(x, CUT / b)


def qp_integrand(v, x, b, s):
    """Integrand of :func:`qp_integral` in ``v`` (``E = 1 + x sinh^2 v``)."""
    em1 = sqrt_pair_above(v, x)            # E - 1
    E = 1.0 + em1
    Ep = E + x
    return (2.0 * (E * Ep + s) / np.sqrt((E + 1.0) * (Ep + 1.0))
            * fermi_difference_scaled(em1, x, b))


def qp_edges(x, b):
    """Panel edges (last axis) of :func:`qp_integral`."""
    return _qp_vmax(x, b)[..., None] * np.linspace(0.0, 1.0, QP_PANELS + 1)


def qp_integral(x, b, s):
    """Thermal-quasiparticle coherence integral (fixed Gauss-Legendre).

    ``J_qp = e^b int_1^inf dE (E E' + s) / (sqrt(E^2-1) sqrt(E'^2-1)) [f(E) - f(E')]``,
    ``E' = E + x``, energies in units of Delta, ``b = Delta/kB T``.

    ``s = +1`` is the Mattis-Bardeen (case II) coherence factor: sigma1 thermal term
    ``= (2/x) e^-b J_qp`` (Dey et al. Eqs. 4 and 6).  ``s = -1`` is the electron-phonon factor
    ``rho(E) rho(E') (1 - Delta^2/(E E'))`` of Dey et al. Eq. 9 (both signs of E: factor 2).

    The substitution ``E = 1 + x sinh^2 v`` removes both square-root branch points
    (``E = 1`` and ``E' = 1``, which pinch as ``x -> 0``).

    Parameters
    ----------
    x : array_like
        Energy transfer (photon/phonon energy) in units of Delta, > 0.
    b : array_like
        ``Delta / kB T``, > 0 (broadcast with ``x``).
    s : {+1, -1}

    Returns
    -------
    ndarray
    """
    x, b = np.broadcast_arrays(np.asarray(x, float), np.asarray(b, float))
    xs, bs = x[..., None, None], b[..., None, None]
    return panel_quad(lambda v: qp_integrand(v, xs, bs, s), qp_edges(x, b), QP_NODES)


def pb_integrand(theta, x, b, s):
    """Integrand of :func:`pb_integral` in ``theta`` (``|E| = x/2 - w cos theta``)."""
    w = 0.5 * x - 1.0
    Eabs = sqrt_pair_between(theta, 0.5 * x, -w)
    Ep = sqrt_pair_between(theta, 0.5 * x, w)
    return (Eabs * Ep + s) / np.sqrt((Eabs + 1.0) * (Ep + 1.0)) * np.tanh(0.5 * b * Ep)


def pb_edges(x):
    """Panel edges (last axis) of :func:`pb_integral`."""
    return np.broadcast_to(_PB_EDGES, np.shape(x) + _PB_EDGES.shape)


def pb_integral(x, b, s):
    """Pair-breaking coherence integral for ``x > 2`` (fixed Gauss-Legendre).

    ``J_pb = int_{1-x}^{-1} dE (|E| E' + s) / (sqrt(E^2-1) sqrt(E'^2-1)) tanh(b E'/2)``,
    ``E' = E + x``.  ``s = -1``: Mattis-Bardeen pair-breaking term, sigma1 ``+= J_pb / x``
    (Dey et al. Eq. 4, second integral, with nu < 0 there).  ``s = +1``: electron-phonon
    recombination/pair-breaking part of F (Dey et al. Eq. 9 with E < 0 < E'), where
    ``f(E) - f(E') = [tanh(b|E|/2) + tanh(bE'/2)]/2`` integrates to the same value by the
    ``|E| <-> E'`` symmetry.  ``E = -x/2 + (x/2 - 1) cos(theta)`` removes both branch points.

    Parameters
    ----------
    x : array_like
        Energy in units of Delta, > 2.
    b : array_like
        ``Delta / kB T`` (``inf`` allowed: T = 0).
    s : {+1, -1}

    Returns
    -------
    ndarray
    """
    x, b = np.broadcast_arrays(np.asarray(x, float), np.asarray(b, float))
    xs, bs = x[..., None, None], b[..., None, None]
    return panel_quad(lambda th: pb_integrand(th, xs, bs, s), pb_edges(x), PB_NODES)
