"""Heat and charge transport through a diffusive normal wire with a superconducting side contact.

Physics kernel for the proximity structure of Bezuglyi & Vinokur, "Heat transport in proximity
structures", Phys. Rev. Lett. 91, 137002 (2003) (cited below as **BV03**): a diffusive normal
(N) wire of length ``L_N`` between two normal reservoirs, with a superconducting (S) lead
attached at its middle, and the "house" Andreev interferometer of BV03 Fig. 2b / Fig. 4.

Reduced units (used throughout this module unless a docstring says otherwise)
-----------------------------------------------------------------------------
* energy ``eps = E / Delta``, with ``Delta`` the gap of the S lead at the operating temperature;
* length ``x / xi_Delta`` with ``xi_Delta = sqrt(hbar D_N / (2 Delta))`` (BV03, text after
  Eq. 10, with the actual gap);
* ``ln`` passed to :func:`spectral_resistances` is ``L_N / xi_Delta``.  The temperature-level
  functions take ``ln = L_N / xi0`` with ``xi0 = sqrt(hbar D_N / (2 Delta0))``,
  ``Delta0 = gapratio * kB * Tc``, and use the effective length
  ``ln_eff = ln * sqrt(Delta(T) / Delta0)`` (since ``xi_Delta = xi0 * sqrt(Delta0 / Delta)``).

Equations (BV03)
----------------
* Retarded Usadel equation, Eq. (1): ``2 (E sinh th - Delta cosh th) = i hbar D th''``; in the
  N wire (``Delta = 0``) and reduced units: ``th'' = -i eps sinh th``.
* Boundary conditions (text after Eq. 1): ``th = 0`` at the reservoirs (``x = +-L_N/2``);
  ``th`` continuous at the contact and spectral-current conservation
  ``g_S d_y th_S(0) = +-2 g_N d_x th_N(-+0)``.
* The S lead is taken semi-infinite with a uniform gap, for which its exact solution is
  BV03 Eq. (9); inserting its slope ``d_y th_S(0) = -2 q_S sinh((th0 - thB)/2)`` into the
  conservation law gives the contact condition used here (derived in docs/physics-proximity.md)::

      sqrt(r) * th'(0+) = 2 * sqrt(-i * sqrt(eps^2 - eg^2)) * sinh((th(0) - thB) / 2),

  with ``r = 4 (D_S/D_N) (g_N/g_S)^2`` (BV03 Eq. 10), ``thB = artanh(eg/eps)`` the bulk angle
  (text after Eq. 10) and ``eg = 1`` for the plain wire.  ``r = 0`` clamps ``th(0) = thB``.
* House interferometer (BV03 text before Fig. 4): the contact is a BCS-like region with the
  phase-dependent gap ``E_g(phi) = Delta |cos(phi/2)|``, i.e. ``eg = |cos(phi/2)|``.  BV03's
  model is the rigid limit ``r = 0``; ``r > 0`` with ``phi != 0`` is this module's extension
  (a soft contact whose lead has gap ``E_g``), not a result of the paper.
* Kinetic coefficients (text after Eq. 1): ``D+ = cos^2(Im th)``, ``D- = cosh^2(Re th)``;
  spectral resistances ``R_Q = <1/D+>``, ``R_I = <1/D->`` (wire averages, Eqs. 4 and 6).
* Thermal conductance, Eq. (4); zero-bias conductance, Eq. (6).
* Heat current at arbitrary reservoir temperatures, from Eqs. (2)-(3) with
  ``f+ = tanh(E / 2 kB T_{A,B})`` at the reservoirs::

      P_{A->B} = (G_N / e^2) * int_0^inf E [tanh(E/2kB T_B) - tanh(E/2kB T_A)] / R_Q(E) dE.

Numerical method
----------------
Finite-difference relaxation (Newton) on a mesh graded towards the contact, vectorised over
energies with a batched tridiagonal solve, started from the semi-infinite analytic solution
(BV03 Eqs. 8 and 10) and Richardson-extrapolated from ``n`` and ``2n`` cells.  A Dynes-like
broadening ``E -> E + i * ETA * Delta`` keeps the problem regular at ``E -> 0`` and
``E -> E_g``.  In the rigid limit ``r = 0`` the sub-gap ``1/R_Q`` is set to exactly zero
(its ``ETA -> 0`` limit: ``D+`` vanishes quadratically at the contact, so ``<1/D+>``
diverges).  Tables of ``1/R_Q`` and ``1/R_I`` on composite Gauss-Legendre panels in ``eps``
(graded geometrically towards ``eps = 0`` and ``eps = eg``) and on Chebyshev nodes in ``log s``,
``s = sqrt(Delta/Delta0)`` are cached with :func:`thermnet.physics.tables.cached_table`.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable, Dict, Tuple, Union

import numpy as np
from scipy.special import spence

from thermnet.physics.constants import L0, e, kB
from thermnet.physics.tables import cached_table

__all__ = [
    "ETA",
    "contact_gap",
    "bulk_angle",
    "contact_angle_semi_infinite",
    "spectral_angle_semi_infinite",
    "solve_usadel",
    "spectral_resistances",
    "kappa_ratio",
    "conductance_ratio",
    "andreev_kappa_ratio",
    "heat",
]

#: Dynes-like broadening ``E -> E + i*ETA*Delta`` (units of the gap ``Delta``).
ETA = 1e-8
#: Cells of the coarse mesh on the half wire; Richardson uses ``n`` and ``2n``.
MESH_CELLS = 100
#: Width (units of ``xi_Delta``) targeted for the first cell at the contact on the coarse mesh.
FIRST_CELL = 2e-3
#: Largest ``eps`` solved numerically; above it a power-law tail (see :func:`_tail`) is used.
EPS_SOLVED_MAX = 1.0e3
#: Default decay exponent of ``1 - 1/R`` at large ``eps`` (long wire; see :func:`_tail`).
TAIL_EXPONENT = 2.5
#: Upper end of the energy grid (tail panels are not solved).
EPS_GRID_MAX = 1.0e7
#: Gauss-Legendre nodes per energy panel.
GL_ORDER = 6
#: Geometric panel levels towards ``eps = 0`` and towards the gap edge ``eps = eg``.
LEVELS_TO_ZERO = 24
LEVELS_TO_GAP = 20
#: Chebyshev-Lobatto nodes in ``log s``, ``s = sqrt(Delta/Delta0)`` in ``[S_MIN, 1]``.
S_NODES = 15
S_MIN = 0.02
#: Below this ``eg`` the contact gap is treated as closed (normal wire).
EG_CLOSED = 1e-12
#: Version of the table contents (part of the cache key).
TABLE_VERSION = 1

ArrayLike = Union[float, np.ndarray]


# ---------------------------------------------------------------------------------------------
# Analytic spectral angles (BV03 Eqs. 8-10)
# ---------------------------------------------------------------------------------------------

def contact_gap(phase: float) -> float:
    """Phase-dependent gap of the contact region, ``E_g/Delta = |cos(phase/2)|``.

    BV03, text before Fig. 4 (the spectrum of a short diffusive SNS junction, their Ref. 13).

    Parameters
    ----------
    phase : float
        Order-parameter phase difference across the interferometer loop (rad).

    Returns
    -------
    float
        ``E_g / Delta`` (dimensionless); values below ``EG_CLOSED`` are returned as 0.
    """
    eg = abs(math.cos(0.5 * float(phase)))
    return 0.0 if eg < EG_CLOSED else eg


def _retarded_root(z: np.ndarray, eg: float) -> np.ndarray:
    """Retarded ``sqrt(z^2 - eg^2)`` for ``Im z > 0`` (branch with ``Im >= 0``, -> z at large z)."""
    return np.sqrt(z - eg) * np.sqrt(z + eg)


def bulk_angle(z: np.ndarray, eg: float = 1.0) -> np.ndarray:
    """Retarded bulk spectral angle ``thB = artanh(eg / z)`` (BV03, text after Eq. 10).

    Parameters
    ----------
    z : complex array
        Reduced energy ``(E + i eta) / Delta`` with ``Im z > 0``.
    eg : float
        Reduced gap of the superconductor, ``E_g / Delta``.

    Returns
    -------
    complex array
        ``thB``; below the gap ``Im thB = -pi/2`` (in the convention of BV03 Eq. 1).
    """
    z = np.asarray(z, dtype=complex)
    if eg == 0.0:
        return np.zeros_like(z)
    return 0.5 * (np.log(z + eg) - np.log(z - eg))


def _reduced_energy(eps: ArrayLike, eta: float) -> np.ndarray:
    """Complex reduced energy ``eps + i eta``."""
    return np.asarray(eps, dtype=float) + 1j * eta


def contact_angle_semi_infinite(eps: ArrayLike, r: float, phase: float = 0.0,
                                eta: float = ETA) -> np.ndarray:
    """Spectral angle at the contact for semi-infinite leads, BV03 Eq. (10).

    ``th0 = ln[(sqrt(E + E_g) + sqrt(E r)) / (sqrt(E - E_g) + sqrt(E r))]`` (reduced units;
    ``E_g = Delta`` for ``phase = 0``, BV03 Eq. 10 as printed).

    Parameters
    ----------
    eps : array_like
        Reduced energy ``E / Delta``.
    r : float
        Proximity parameter ``r = 4 (D_S/D_N) (g_N/g_S)^2`` (BV03 Eq. 10), dimensionless.
    phase : float
        Interferometer phase (rad); sets ``E_g = Delta |cos(phase/2)|``.
    eta : float
        Broadening (units of ``Delta``).

    Returns
    -------
    complex array
        ``th0(eps)``.
    """
    z = _reduced_energy(eps, eta)
    eg = contact_gap(phase)
    c = np.sqrt(z * r)
    return np.log((np.sqrt(z + eg) + c) / (np.sqrt(z - eg) + c))


def _decay_constant(z: np.ndarray) -> np.ndarray:
    """``q = sqrt(-i z)``: linearised decay rate of ``th`` in the N wire (units 1/xi_Delta).

    From ``th'' = -i z sinh th`` (BV03 Eq. 1 with Delta = 0).  BV03 Eq. (8) prints
    ``sqrt(i)``; with Eq. (1) as printed (and ``E -> E + i0`` retarded) the decaying root is
    ``sqrt(-i)``.  The two differ by complex conjugation of ``th``, under which ``D+-`` and hence
    every observable are invariant.
    """
    return np.sqrt(-1j * z)


def spectral_angle_semi_infinite(eps: ArrayLike, x: ArrayLike, r: float, phase: float = 0.0,
                                 eta: float = ETA) -> np.ndarray:
    """Spectral angle in a semi-infinite N wire, BV03 Eq. (8).

    ``tanh(th/4) = tanh(th0/4) exp(-|x| sqrt(-i eps))`` with ``th0`` from BV03 Eq. (10)
    (see :func:`_decay_constant` for the sign of the root).

    Parameters
    ----------
    eps : array_like
        Reduced energies, shape ``(ne,)``.
    x : array_like
        Distances from the contact in units of ``xi_Delta``, shape ``(nx,)``.
    r, phase, eta
        As in :func:`contact_angle_semi_infinite`.

    Returns
    -------
    complex ndarray, shape ``(ne, nx)``
    """
    z = _reduced_energy(np.atleast_1d(eps), eta)
    th0 = contact_angle_semi_infinite(np.atleast_1d(eps), r, phase, eta)
    decay = np.exp(-np.abs(np.asarray(x, float))[None, :] * _decay_constant(z)[:, None])
    return 4.0 * np.arctanh(np.tanh(th0[:, None] / 4.0) * decay)


# ---------------------------------------------------------------------------------------------
# Finite-difference Usadel solver
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _grading(half: float, r: float) -> float:
    """Grading ``beta`` of the mesh ``x = half sinh(beta s)/sinh(beta)``, ``s`` in [0, 1].

    Chosen so that the first coarse cell is ``min(FIRST_CELL, sqrt(r)/20)`` (the scale of the
    sub-gap structure of ``1/D+`` near the contact, BV03 Eq. 11), or a uniform mesh if the
    half wire is short.  ``beta`` depends only on ``(half, r)``, so the ``n`` and ``2n``
    meshes are nested and Richardson extrapolation is valid.
    """
    from scipy.optimize import brentq

    h0 = FIRST_CELL if r == 0 else min(FIRST_CELL, math.sqrt(r) / 20.0)
    target = h0 * MESH_CELLS / half  # = beta / sinh(beta)
    if target >= 1.0:
        return 0.0
    return brentq(lambda b: b / math.sinh(b) - target, 1e-9, 700.0, xtol=1e-14)


def _mesh(half: float, n: int, beta: float) -> np.ndarray:
    """Nodes ``x_0 = 0 (contact) < ... < x_n = half (reservoir)`` in units of ``xi_Delta``."""
    s = np.linspace(0.0, 1.0, n + 1)
    if beta == 0.0:
        return half * s
    return half * np.sinh(beta * s) / math.sinh(beta)


def _tridiagonal_solve(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray,
                       rhs: np.ndarray) -> np.ndarray:
    """Batched Thomas algorithm: solve tridiagonal systems row-wise.

    Parameters
    ----------
    lower, upper : complex ndarray, shape ``(m, n-1)``
        Sub- and super-diagonals.
    diag, rhs : complex ndarray, shape ``(m, n)``

    Returns
    -------
    complex ndarray, shape ``(m, n)``
    """
    n = diag.shape[1]
    cp = np.empty_like(diag)
    dp = np.empty_like(rhs)
    cp[:, 0] = upper[:, 0] / diag[:, 0]
    dp[:, 0] = rhs[:, 0] / diag[:, 0]
    for i in range(1, n):
        m = diag[:, i] - lower[:, i - 1] * cp[:, i - 1]
        if i < n - 1:
            cp[:, i] = upper[:, i] / m
        dp[:, i] = (rhs[:, i] - lower[:, i - 1] * dp[:, i - 1]) / m
    out = np.empty_like(rhs)
    out[:, -1] = dp[:, -1]
    for i in range(n - 2, -1, -1):
        out[:, i] = dp[:, i] - cp[:, i] * out[:, i + 1]
    return out


class _Discretisation:
    """Finite-difference form of the half-wire problem for one mesh and a batch of energies.

    Unknowns ``th_0 .. th_{n-1}`` (``th_n = 0`` at the reservoir).  Interior rows: the
    three-point form of ``th'' + i z sinh th = 0``.  Contact row: the contact condition
    (module docstring) in the form ``sqrt(r) th'(0) - 2 q_S sinh((th_0 - thB)/2) = 0``, which
    needs no special case for the clamped contact ``r = 0``, with the one-sided slope
    ``th'(0) ~ (th_1 - th_0)/h_0 + (h_0/2) i z sinh th_0`` (second order).
    """

    def __init__(self, x: np.ndarray, z: np.ndarray, r: float, eg: float):
        h = np.diff(x)
        self.h0 = h[0]
        hl, hr = h[:-1], h[1:]
        self.sub = 2.0 / (hl * (hl + hr))
        self.sup = 2.0 / (hr * (hl + hr))
        self.z = z[:, None]
        self.sqrt_r = math.sqrt(r)
        self.theta_b = bulk_angle(z, eg)
        self.lead = np.sqrt(-1j * _retarded_root(z, eg))  # S-lead decay rate (BV03 Eq. 9)

    def residual(self, th: np.ndarray) -> np.ndarray:
        """Residual vector, shape ``(ne, n)``."""
        res = np.empty_like(th)
        right = np.concatenate([th[:, 2:], np.zeros((th.shape[0], 1))], axis=1)
        res[:, 1:] = (self.sub * th[:, :-1] - (self.sub + self.sup) * th[:, 1:]
                      + self.sup * right + 1j * self.z * np.sinh(th[:, 1:]))
        slope = (th[:, 1] - th[:, 0]) / self.h0 \
            + 0.5 * self.h0 * 1j * self.z[:, 0] * np.sinh(th[:, 0])
        res[:, 0] = self.sqrt_r * slope - 2.0 * self.lead * np.sinh(0.5 * (th[:, 0] - self.theta_b))
        return res

    def newton_step(self, th: np.ndarray) -> np.ndarray:
        """Newton correction ``-J^{-1} F`` (the problem is holomorphic in ``th``)."""
        ne, n = th.shape
        diag = np.empty_like(th)
        diag[:, 1:] = -(self.sub + self.sup) + 1j * self.z * np.cosh(th[:, 1:])
        diag[:, 0] = (self.sqrt_r * (-1.0 / self.h0
                                     + 0.5 * self.h0 * 1j * self.z[:, 0] * np.cosh(th[:, 0]))
                      - self.lead * np.cosh(0.5 * (th[:, 0] - self.theta_b)))
        lower = np.broadcast_to(self.sub.astype(complex), (ne, n - 1))
        upper = np.empty((ne, n - 1), dtype=complex)
        upper[:, 0] = self.sqrt_r / self.h0
        upper[:, 1:] = self.sup[:-1]
        return _tridiagonal_solve(lower, diag, upper, -self.residual(th))


def _initial_guess(x: np.ndarray, z: np.ndarray, r: float, eg: float) -> np.ndarray:
    """Semi-infinite contact angle (BV03 Eq. 10) spread with the finite-wire linearised shape.

    ``tanh(th/4) = tanh(th0/4) sinh(q (L/2 - x)) / sinh(q L/2)`` -- BV03 Eq. (8) with the
    reservoir condition ``th(L/2) = 0`` imposed.
    """
    half = x[-1]
    c = np.sqrt(z * r)
    th0 = np.log((np.sqrt(z + eg) + c) / (np.sqrt(z - eg) + c))
    q = _decay_constant(z)[:, None]
    qh = q * half
    # sinh(q(h-x))/sinh(qh) = exp(-qx) (1 - exp(-2q(h-x))) / (1 - exp(-2qh)), overflow-free
    shape = (np.exp(-q * x[None, :-1]) * (1.0 - np.exp(-2.0 * q * (half - x[None, :-1])))
             / (1.0 - np.exp(-2.0 * qh)))
    return 4.0 * np.arctanh(np.tanh(th0[:, None] / 4.0) * shape)


def solve_usadel(eps: ArrayLike, ln: float, r: float, phase: float = 0.0,
                 n: int = MESH_CELLS, eta: float = ETA, tol: float = 1e-9,
                 maxiter: int = 40) -> Tuple[np.ndarray, np.ndarray]:
    """Solve the retarded Usadel equation (BV03 Eq. 1) on the N wire for a batch of energies.

    Geometry and boundary conditions of BV03 (text after Eq. 1) with a semi-infinite S lead
    (exact solution BV03 Eq. 9 folded into the contact condition; module docstring).  By
    symmetry only the half wire ``0 <= x <= L_N/2`` is solved.

    Parameters
    ----------
    eps : array_like
        Reduced energies ``E / Delta`` (>= 0), shape ``(ne,)``.
    ln : float
        Wire length ``L_N / xi_Delta`` with ``xi_Delta = sqrt(hbar D_N/(2 Delta))``.
    r : float
        Proximity parameter (BV03 Eq. 10); ``0`` clamps the contact to the bulk angle.
    phase : float
        Interferometer phase (rad); contact gap ``E_g = Delta |cos(phase/2)|``.
    n : int
        Number of mesh cells on the half wire.
    eta : float
        Dynes broadening (units of ``Delta``).
    tol, maxiter : float, int
        Newton stops when ``max |d th| < tol``.

    Returns
    -------
    x : ndarray, shape ``(n+1,)``
        Mesh, units of ``xi_Delta``; ``x[0] = 0`` is the contact, ``x[-1] = ln/2`` a reservoir.
    theta : complex ndarray, shape ``(ne, n+1)``
        Spectral angle (``theta[:, -1] = 0``).

    Raises
    ------
    RuntimeError
        If Newton fails to converge for some energy (not observed for ``0.02 <= ln <= 300``,
        ``0 <= r <= 1e4``; docs/physics-proximity.md).
    """
    eps = np.atleast_1d(np.asarray(eps, dtype=float))
    if ln <= 0 or r < 0:
        raise ValueError("need ln > 0 and r >= 0")
    eg = contact_gap(phase)
    x = _mesh(0.5 * ln, n, _grading(0.5 * ln, float(r)))
    theta = np.zeros((eps.size, n + 1), dtype=complex)
    if eg == 0.0 or eps.size == 0:
        return x, theta
    z = _reduced_energy(eps, eta)
    th, ok = _newton(_Discretisation(x, z, r, eg), _initial_guess(x, z, r, eg), tol, maxiter)
    if not ok.all():
        raise RuntimeError("Usadel solver: Newton did not converge for eps = "
                           f"{eps[~ok][:5].tolist()} (ln={ln}, r={r}, phase={phase})")
    theta[:, :-1] = th
    return x, theta


def _newton(disc: _Discretisation, th: np.ndarray, tol: float,
            maxiter: int) -> Tuple[np.ndarray, np.ndarray]:
    """Undamped Newton iterations on all energies; returns the iterate and a converged mask."""
    step = np.full(th.shape[0], np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(maxiter):
            d = disc.newton_step(th)
            step = np.max(np.abs(d), axis=1)
            bad = ~np.isfinite(step)
            th = th + np.where(bad[:, None], 0.0, d)
            if np.all((step < tol) | bad):
                break
    ok = np.isfinite(step) & (step < tol) & np.all(np.isfinite(th), axis=1)
    return th, ok


def _wire_average(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Average over the (half) wire by the trapezoidal rule on the mesh (exact for constants)."""
    h = np.diff(x)
    return 0.5 * ((f[:, 1:] + f[:, :-1]) * h).sum(axis=1) / x[-1]


def _resistances_from_angle(x: np.ndarray, theta: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``R_Q = <1/cos^2 Im th>`` and ``R_I = <1/cosh^2 Re th>`` (BV03 Eqs. 4, 6, text after
    Eq. 1)."""
    with np.errstate(over="ignore", divide="ignore"):
        inv_dplus = 1.0 / np.cos(theta.imag) ** 2
        inv_dminus = 1.0 / np.cosh(theta.real) ** 2
    return _wire_average(x, inv_dplus), _wire_average(x, inv_dminus)


def _direct_transmissions(eps: np.ndarray, ln: float, r: float, phase: float,
                          eta: float = ETA) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``1/R_Q``, ``1/R_I`` by direct solves, Richardson-extrapolated from ``n`` and ``2n`` cells.

    Returns
    -------
    tau_q, tau_i : ndarray
        ``1/R_Q`` and ``1/R_I``.
    err : ndarray
        Richardson error estimate ``max(|d tau_q|, |d tau_i|)`` per energy.
    """
    eps = np.atleast_1d(np.asarray(eps, dtype=float))
    eg = contact_gap(phase)
    if eg == 0.0:
        one = np.ones_like(eps)
        return one, one.copy(), np.zeros_like(eps)
    blocked = (eps < eg) if r == 0 else np.zeros(eps.shape, dtype=bool)
    taus, errs = [], []
    levels = [_resistances_from_angle(*solve_usadel(eps, ln, r, phase, cells, eta))
              for cells in (MESH_CELLS, 2 * MESH_CELLS)]
    for k in range(2):  # k = 0: R_Q, k = 1: R_I
        tc, tf = 1.0 / levels[0][k], 1.0 / levels[1][k]
        if k == 0:
            # Rigid contact (r = 0): below E_g, D+ vanishes quadratically at x = 0 and <1/D+>
            # diverges as eta -> 0 -- the impenetrable Andreev barrier of BV03 (before Fig. 4).
            tc, tf = np.where(blocked, 0.0, tc), np.where(blocked, 0.0, tf)
        taus.append(tf + (tf - tc) / 3.0)
        errs.append(np.abs(tf - tc) / 3.0)
    return np.clip(taus[0], 0.0, 1.0), taus[1], np.maximum(errs[0], errs[1])


# ---------------------------------------------------------------------------------------------
# Energy quadrature grid and tables
# ---------------------------------------------------------------------------------------------

def _panel_breaks(eg: float) -> np.ndarray:
    """Breakpoints of the composite Gauss-Legendre panels in ``eps`` for contact gap ``eg``.

    Geometric refinement (ratio 2) towards ``eps = 0`` and towards both sides of the gap edge
    ``eps = eg`` (where ``1/R`` has a square-root-type cusp), then ratio-2 panels up to
    ``EPS_GRID_MAX``.
    """
    if eg == 0.0:
        pieces = [[0.0], 2.0 ** -np.arange(LEVELS_TO_ZERO, 0, -1)]
        top = 1.0
    else:
        pieces = [[0.0], eg * 2.0 ** -np.arange(LEVELS_TO_ZERO, 0, -1),
                  eg - eg * 2.0 ** -np.arange(2, LEVELS_TO_GAP + 1), [eg],
                  eg + 2.0 ** -np.arange(LEVELS_TO_GAP, -1, -1)]
        top = eg + 1.0
    n_up = int(math.ceil(math.log2(EPS_GRID_MAX / top)))
    pieces.append(top * 2.0 ** np.arange(1, n_up + 1))
    return np.concatenate([np.asarray(p, dtype=float) for p in pieces])


class _EnergyGrid:
    """Composite Gauss-Legendre nodes/weights in ``eps`` and within-panel interpolation."""

    def __init__(self, eg: float):
        self.eg = eg
        self.breaks = _panel_breaks(eg)
        gx, gw = np.polynomial.legendre.leggauss(GL_ORDER)
        self.ref_nodes = gx
        a, b = self.breaks[:-1, None], self.breaks[1:, None]
        self.nodes = (0.5 * (a + b) + 0.5 * (b - a) * gx).ravel()
        self.weights = (0.5 * (b - a) * gw).ravel()
        self.solved = self.nodes <= EPS_SOLVED_MAX
        # barycentric weights of the Gauss-Legendre nodes on [-1, 1]
        diff = gx[:, None] - gx[None, :]
        np.fill_diagonal(diff, 1.0)
        self.bary = 1.0 / diff.prod(axis=1)

    def interpolate(self, values: np.ndarray, eps: np.ndarray) -> np.ndarray:
        """Interpolate node values (last axis) to ``eps`` by the panel's Lagrange polynomial."""
        eps = np.clip(np.asarray(eps, dtype=float), 0.0, self.breaks[-1])
        panel = np.clip(np.searchsorted(self.breaks, eps, side="right") - 1, 0,
                        self.breaks.size - 2)
        a, b = self.breaks[panel], self.breaks[panel + 1]
        u = (2.0 * eps - a - b) / (b - a)
        d = u[..., None] - self.ref_nodes
        exact = np.isclose(d, 0.0, atol=1e-15)
        d = np.where(exact, 1.0, d)
        kernel = self.bary / d
        kernel = np.where(exact.any(axis=-1, keepdims=True), exact.astype(float), kernel)
        kernel /= kernel.sum(axis=-1, keepdims=True)
        idx = panel[..., None] * GL_ORDER + np.arange(GL_ORDER)
        return (values[..., idx] * kernel).sum(axis=-1)


@lru_cache(maxsize=16)
def _energy_grid(eg: float) -> _EnergyGrid:
    return _EnergyGrid(eg)


def _tail(eps: np.ndarray, eps_ref: float, tau_ref: np.ndarray, exponent: float) -> np.ndarray:
    """Large-energy tail ``1 - tau = (1 - tau_ref) (eps_ref/eps)^exponent``.

    At ``eps >> 1`` the angle is small, ``th ~ th0 exp(-q x)`` with ``th0 ~ eg/(eps(1+sqrt r))``
    (BV03 Eqs. 8, 10 linearised), so in a long wire ``R - 1 ~ |th0|^2 xi_N/L_N ~ eps^(-5/2)``;
    in a wire shorter than ``xi_N`` the profile is linear and ``R - 1 ~ eps^-2``.
    """
    return 1.0 - (1.0 - tau_ref) * (eps_ref / eps) ** exponent


def _tail_exponent(eps: np.ndarray, tau: np.ndarray) -> float:
    """Decay exponent of ``1 - tau`` fitted between ``eps[0]`` and ``eps[1]``, clipped to [2, 3].

    Falls back to :data:`TAIL_EXPONENT` when ``1 - tau`` is at the round-off floor.
    """
    dev = 1.0 - tau
    if not (np.all(np.abs(dev) > 1e-13) and dev[0] * dev[1] > 0):
        return TAIL_EXPONENT
    return float(np.clip(math.log(dev[0] / dev[1]) / math.log(eps[1] / eps[0]), 2.0, 3.0))


def _key_float(value: float) -> float:
    """Round a table parameter for use in the cache key."""
    return float(f"{value:.12g}")


def _build_line(ln_eff: float, r: float, phase: float) -> Dict[str, np.ndarray]:
    """Solve ``1/R_Q``, ``1/R_I`` on the energy grid for one effective length (table builder)."""
    grid = _energy_grid(contact_gap(phase))
    tau_q = np.ones(grid.nodes.size)
    tau_i = np.ones(grid.nodes.size)
    err = np.zeros(grid.nodes.size)
    solved = grid.solved
    tau_q[solved], tau_i[solved], err[solved] = _direct_transmissions(
        grid.nodes[solved], ln_eff, r, phase)
    solved_idx = np.flatnonzero(solved)
    ref = solved_idx[np.array([np.searchsorted(grid.nodes[solved_idx], EPS_SOLVED_MAX / 4.0),
                               -1])]
    tail = ~solved
    out = {"richardson_error": err}
    for name, tau in (("tau_q", tau_q), ("tau_i", tau_i)):
        exponent = _tail_exponent(grid.nodes[ref], tau[ref])
        tau[tail] = _tail(grid.nodes[tail], grid.nodes[ref[1]], tau[ref[1]], exponent)
        out[name] = tau
        out[name + "_tail_exponent"] = np.array(exponent)
    return out


def _line_table(ln_eff: float, r: float, phase: float) -> Dict[str, np.ndarray]:
    """Cached ``1/R`` on the energy grid for ``(ln_eff, r, phase)`` (reduced units)."""
    ln_eff, r, eg = _key_float(ln_eff), _key_float(r), _key_float(contact_gap(phase))
    spec = {"version": TABLE_VERSION, "ln_eff": ln_eff, "r": r, "eg": eg, "eta": ETA,
            "cells": MESH_CELLS, "first_cell": FIRST_CELL, "gl": GL_ORDER,
            "levels": [LEVELS_TO_ZERO, LEVELS_TO_GAP], "eps_max": [EPS_SOLVED_MAX, EPS_GRID_MAX]}
    # the contact enters only through eg = |cos(phase/2)|: use a canonical phase for the build
    canonical_phase = 2.0 * math.acos(min(eg, 1.0))
    return cached_table("usadel_spectral", spec, lambda: _build_line(ln_eff, r, canonical_phase))


def _s_nodes() -> np.ndarray:
    """Chebyshev-Lobatto nodes in ``log s`` on ``[log S_MIN, 0]`` (ascending ``s``).

    ``s = sqrt(Delta/Delta0)``.  At fixed ``eps``, ``1/R`` depends on the effective length
    through ``ln_eff sqrt(eps)`` (finite-size terms ``~exp(-ln_eff sqrt(eps)/2)``), which is
    uniformly smooth in ``log ln_eff``; polynomial interpolation in ``s`` itself is ~30x less
    accurate for long wires (measured, docs/physics-proximity.md).
    """
    k = np.arange(S_NODES)
    u = math.log(S_MIN) * 0.5 * (1.0 + np.cos(np.pi * k / (S_NODES - 1)))
    return np.exp(u)


class _LengthTable:
    """``1/R_Q``, ``1/R_I`` on (energy grid) x (s nodes) for one ``(ln, r, phase)``.

    ``s = sqrt(Delta(T)/Delta0)`` so that ``ln_eff = ln * s``; barycentric Chebyshev
    interpolation in ``log s`` (:func:`_s_nodes`), ``s`` clamped to ``[S_MIN, 1]``.
    """

    def __init__(self, ln: float, r: float, phase: float):
        self.grid = _energy_grid(contact_gap(phase))
        self.log_s = np.log(_s_nodes())
        lines = [_line_table(ln * s, r, phase) for s in np.exp(self.log_s)]
        self.tau_q = np.stack([line["tau_q"] for line in lines])
        self.tau_i = np.stack([line["tau_i"] for line in lines])
        w = (-1.0) ** np.arange(S_NODES)
        w[0] *= 0.5
        w[-1] *= 0.5
        self.bary = w

    def at(self, s: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """``(1/R_Q, 1/R_I)`` on the energy grid for each ``s``; shapes ``(len(s), n_nodes)``."""
        s = np.clip(np.atleast_1d(np.asarray(s, dtype=float)), S_MIN, 1.0)
        d = np.log(s)[:, None] - self.log_s[None, :]
        exact = np.abs(d) < 1e-13
        kernel = self.bary / np.where(exact, 1.0, d)
        kernel = np.where(exact.any(axis=1, keepdims=True), exact.astype(float), kernel)
        kernel /= kernel.sum(axis=1, keepdims=True)
        return kernel @ self.tau_q, kernel @ self.tau_i


_LENGTH_TABLES: Dict[Tuple[float, float, float], _LengthTable] = {}


def _length_table(ln: float, r: float, phase: float) -> _LengthTable:
    """Memoised :class:`_LengthTable` (the underlying lines are cached on disk)."""
    key = (_key_float(ln), _key_float(r), _key_float(contact_gap(phase)))
    table = _LENGTH_TABLES.get(key)
    if table is None:
        table = _LENGTH_TABLES[key] = _LengthTable(ln, r, phase)
    return table


def _check_parameters(ln: float, r: float) -> None:
    if not ln > 0:
        raise ValueError(f"ln must be > 0, got {ln!r}")
    if not r >= 0:
        raise ValueError(f"r must be >= 0, got {r!r}")


# ---------------------------------------------------------------------------------------------
# Public API: spectral resistances
# ---------------------------------------------------------------------------------------------

def spectral_resistances(eps: ArrayLike, ln: float, r: float, phase: float = 0.0,
                         exact: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Spectral thermal and electric resistances ``R_Q(E)``, ``R_I(E)`` of the wire.

    ``R_Q = <1/D+>``, ``R_I = <1/D->`` with ``D+ = cos^2 Im th``, ``D- = cosh^2 Re th``
    (BV03 Eqs. 4, 6 and text after Eq. 1), ``th`` from the Usadel equation (BV03 Eq. 1).
    Normal state: ``R_Q = R_I = 1``.

    Parameters
    ----------
    eps : array_like
        Reduced energy ``E / Delta`` (>= 0), ``Delta`` = gap of the S lead at the operating
        temperature.
    ln : float
        ``L_N / xi_Delta`` with ``xi_Delta = sqrt(hbar D_N / (2 Delta))`` -- the same ``Delta``
        as in ``eps``.  At ``T > 0`` pass ``(L_N/xi0) * sqrt(Delta(T)/Delta0)``.
    r : float
        Proximity parameter ``4 (D_S/D_N)(g_N/g_S)^2`` (BV03 Eq. 10); ``0`` = rigid contact.
    phase : float
        Interferometer phase (rad); contact gap ``Delta |cos(phase/2)|`` (BV03 Fig. 4 model).
    exact : bool
        ``True``: direct solves at ``eps``; ``False``: the cached table (built on first use)
        interpolated within its Gauss-Legendre panels.

    Returns
    -------
    R_Q, R_I : ndarray
        Dimensionless, shape of ``eps``.  ``R_Q = inf`` below the gap when ``r = 0``.
    """
    _check_parameters(ln, r)
    eps_arr = np.asarray(eps, dtype=float)
    if np.any(eps_arr < 0):
        raise ValueError("eps must be >= 0 (R_Q, R_I are even in E)")
    if contact_gap(phase) == 0.0:  # gap closed (phase = pi): normal wire
        tau_q = tau_i = np.ones(eps_arr.shape)
    elif exact:
        tau_q, tau_i, _ = _direct_transmissions(eps_arr.ravel(), ln, r, phase)
        tau_q, tau_i = tau_q.reshape(eps_arr.shape), tau_i.reshape(eps_arr.shape)
    else:
        line = _line_table(ln, r, phase)
        grid = _energy_grid(contact_gap(phase))
        tau_q, tau_i = (_interpolate_with_tail(grid, line, k, eps_arr) for k in ("tau_q", "tau_i"))
    with np.errstate(divide="ignore"):
        return 1.0 / tau_q, 1.0 / tau_i


def _interpolate_with_tail(grid: _EnergyGrid, line: Dict[str, np.ndarray], name: str,
                           eps: np.ndarray) -> np.ndarray:
    """Within-panel interpolation of a table line; beyond the grid the :func:`_tail` law."""
    values = line[name]
    out = grid.interpolate(values, eps)
    beyond = eps > grid.breaks[-1]
    if np.any(beyond):
        tail = _tail(np.maximum(eps, grid.nodes[-1]), grid.nodes[-1], values[-1],
                     float(line[name + "_tail_exponent"]))
        out = np.where(beyond, tail, out)
    return out


# ---------------------------------------------------------------------------------------------
# Public API: temperature-dependent observables
# ---------------------------------------------------------------------------------------------

GapSpec = Union[str, Callable[..., ArrayLike]]


def _gap_fraction(T: np.ndarray, tc: float, gapratio: float, gap: GapSpec) -> np.ndarray:
    """``Delta(T)/Delta0`` in [0, 1] with ``Delta0 = gapratio kB Tc`` (flat array like ``T``).

    ``gap`` is a ``kind`` of :func:`thermnet.physics.bcs.gap` (``"tanh"``: BCS interpolation
    ``Delta0 tanh(1.74 sqrt(Tc/T - 1))``; ``"bcs"``: self-consistent) or a callable
    ``gap(T, tc)`` returning ``Delta`` in joules.
    """
    if callable(gap):
        delta = gap(T, tc)
    else:
        from thermnet.physics import bcs  # lazy: maintained separately

        delta = bcs.gap(T, tc, gapratio=gapratio, kind=gap)
    delta = np.broadcast_to(np.asarray(delta, dtype=float), np.shape(T)).ravel()
    return np.clip(delta / (gapratio * kB * tc), 0.0, 1.0)


def _temperatures(T: ArrayLike) -> Tuple[np.ndarray, tuple]:
    """Flattened, validated temperatures (K) and the original shape."""
    T = np.asarray(T, dtype=float)
    if np.any(~(T >= 0)):
        raise ValueError("temperatures must be >= 0 K")
    return T.ravel(), T.shape


def _shaped(values: np.ndarray, shape: tuple) -> Union[float, np.ndarray]:
    """Reshape a flat result; a Python float for scalar input."""
    return float(values[0]) if shape == () else values.reshape(shape)


def _sech2(y: np.ndarray) -> np.ndarray:
    """Overflow-free ``1/cosh(y)^2`` (``y = inf`` gives 0)."""
    q = np.exp(-2.0 * np.abs(y))
    return 4.0 * q / (1.0 + q) ** 2


def _linear_response_kernel(eps: np.ndarray, t: np.ndarray, which: str) -> np.ndarray:
    """Thermal weights of BV03 Eq. (4) (``eps^2/cosh^2(eps/2t)``, ``which="kappa"``) or Eq. (6)
    (``1/cosh^2(eps/2t)``), rows = reduced temperatures ``t = kB T/Delta``, cols = ``eps``.

    Constant prefactors are dropped: :func:`_thermal_average` normalises by the kernel.
    """
    with np.errstate(divide="ignore"):
        sech2 = _sech2(eps[None, :] / (2.0 * t[:, None]))
    return eps[None, :] ** 2 * sech2 if which == "kappa" else sech2


def _thermal_average(grid: _EnergyGrid, kernel: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Self-normalised quadrature ``int K tau / int K`` over the energy grid (one row per case).

    Normalising by the quadrature of the kernel itself makes the result exact for ``tau = 1``
    (normal state) and lets temperatures below the finest panel fall back to
    ``tau(eps = 0)`` (the kernel then underflows to zero on every node).
    """
    den = kernel @ grid.weights
    num = (kernel * tau) @ grid.weights
    cold = ~(den > 0)
    if cold.any():
        zero = grid.interpolate(np.atleast_2d(tau), np.zeros(1))[:, 0]
        return np.where(cold, zero, num / np.where(cold, 1.0, den))
    return num / den


def _transmissions_at(grid: _EnergyGrid, ln: float, r: float, phase: float, s: np.ndarray,
                      exact: bool) -> Tuple[np.ndarray, np.ndarray]:
    """``(1/R_Q, 1/R_I)`` on the grid nodes for each ``s = sqrt(Delta/Delta0)`` (rows)."""
    if not exact:
        return _length_table(ln, r, phase).at(s)
    lines = [_build_line(ln * si, r, phase) for si in np.atleast_1d(s)]
    return (np.array([line["tau_q"] for line in lines]),
            np.array([line["tau_i"] for line in lines]))


def _observable_ratio(T: ArrayLike, tc: float, ln: float, r: float, phase: float,
                      gapratio: float, gap: GapSpec, exact: bool,
                      which: str) -> Union[float, np.ndarray]:
    """``kappa/kappa_N`` (BV03 Eq. 4, ``which="kappa"``) or ``G/G_N`` (BV03 Eq. 6)."""
    _check_parameters(ln, r)
    flat_T, shape = _temperatures(T)
    frac = _gap_fraction(flat_T, tc, gapratio, gap)
    out = np.ones(flat_T.shape)
    eg = contact_gap(phase)
    active = frac > 0
    if active.any() and eg > 0:
        grid = _energy_grid(eg)
        t = flat_T[active] / (gapratio * tc * frac[active])  # kB T / Delta(T)
        tau = _transmissions_at(grid, ln, r, phase, np.sqrt(frac[active]), exact)
        kernel = _linear_response_kernel(grid.nodes, t, which)
        out[active] = _thermal_average(grid, kernel, tau[0 if which == "kappa" else 1])
    return _shaped(out, shape)


def kappa_ratio(T: ArrayLike, tc: float, ln: float, r: float, phase: float = 0.0,
                gapratio: float = 1.764, gap: GapSpec = "tanh",
                exact: bool = False) -> Union[float, np.ndarray]:
    """Thermal conductance of the wire relative to its normal state, ``kappa/kappa_N``.

    BV03 Eq. (4): ``kappa/kappa_N = 3/(2 pi^2 T^3) int_0^inf E^2 R_Q^{-1}(E) / cosh^2(E/2T) dE``
    (energies in units of ``kB``), ``kappa_N = L0 T G_N`` (Wiedemann-Franz).

    Parameters
    ----------
    T : float or array_like
        Temperature of the wire and the superconductor (K, >= 0).
    tc : float
        Critical temperature of the S lead (K).
    ln : float
        ``L_N / xi0``, ``xi0 = sqrt(hbar D_N / (2 Delta0))``, ``Delta0 = gapratio kB Tc``.
        The solver uses ``ln * sqrt(Delta(T)/Delta0)`` (the length in units of
        ``xi_Delta(T) = sqrt(hbar D_N / (2 Delta(T)))``).
    r : float
        Proximity parameter ``4 (D_S/D_N)(g_N/g_S)^2`` (BV03 Eq. 10); 0 = rigid contact.
    phase : float
        Interferometer phase (rad): contact gap ``Delta |cos(phase/2)|`` (BV03 Fig. 4 model).
    gapratio : float
        ``Delta0 / (kB Tc)``.
    gap : str or callable
        ``kind`` for :func:`thermnet.physics.bcs.gap` (``"tanh"``, ``"bcs"``) or a callable
        ``gap(T, tc) -> Delta`` (J).
    exact : bool
        Direct Usadel solves instead of the cached tables (slow; for validation).

    Returns
    -------
    float or ndarray
        ``kappa/kappa_N`` (dimensionless), shape of ``T``; 1 for ``T >= Tc``; at ``T = 0`` the
        limit ``1/R_Q(E -> 0)``.
    """
    return _observable_ratio(T, tc, ln, r, phase, gapratio, gap, exact, "kappa")


def conductance_ratio(T: ArrayLike, tc: float, ln: float, r: float, phase: float = 0.0,
                      gapratio: float = 1.764, gap: GapSpec = "tanh",
                      exact: bool = False) -> Union[float, np.ndarray]:
    """Zero-bias electric conductance relative to the normal state, ``G/G_N``.

    BV03 Eq. (6): ``G/G_N = 1/(2T) int_0^inf R_I^{-1}(E) / cosh^2(E/2T) dE``.  Parameters as in
    :func:`kappa_ratio`.

    Returns
    -------
    float or ndarray
        ``G/G_N`` (dimensionless), shape of ``T``; 1 for ``T >= Tc``.
    """
    return _observable_ratio(T, tc, ln, r, phase, gapratio, gap, exact, "conductance")


def andreev_kappa_ratio(T: ArrayLike, tc: float, phase: float = 0.0, gapratio: float = 1.764,
                        gap: GapSpec = "tanh") -> Union[float, np.ndarray]:
    """``kappa/kappa_N`` of the classic Andreev model (impenetrable barrier below the gap).

    The comparison model of BV03 (Fig. 3 dashed curves; Andreev 1964 as used in their Ref. 2):
    ``1/R_Q = Theta(E - E_g)``, i.e. ``kappa/kappa_N = 3/(2 pi^2) int_{E_g/kB T}^inf
    u^2 / cosh^2(u/2) du`` with ``E_g = Delta(T) |cos(phase/2)|``; ``~ T exp(-Delta/T)`` at
    low ``T`` (BV03, introduction).

    Parameters
    ----------
    T, tc, phase, gapratio, gap
        As in :func:`kappa_ratio`.

    Returns
    -------
    float or ndarray
        ``kappa/kappa_N``, shape of ``T``.
    """
    flat_T, shape = _temperatures(T)
    frac = _gap_fraction(flat_T, tc, gapratio, gap)
    out = np.ones(flat_T.shape)
    eg = contact_gap(phase)
    active = frac > 0
    if active.any() and eg > 0:
        grid = _energy_grid(eg)
        t = flat_T[active] / (gapratio * tc * frac[active])
        kernel = _linear_response_kernel(grid.nodes, t, "kappa")
        above = np.broadcast_to((grid.nodes > eg).astype(float), kernel.shape)
        out[active] = _thermal_average(grid, kernel, above)
    return _shaped(out, shape)


def _occupation_difference(eps: np.ndarray, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    """``tanh(eps/2tb) - tanh(eps/2ta)`` for ``eps > 0``, ``ta, tb >= 0`` (rows), without
    overflow or cancellation.

    With ``a = eps/2tb``, ``b = eps/2ta`` (``t = 0`` gives ``inf``) and ``m = min(a, b)``:
    ``tanh a - tanh b = -2 sgn(a - b) e^{-2m} expm1(-2|a - b|) / ((1 + e^{-2a})(1 + e^{-2b}))``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        a = eps[None, :] / (2.0 * tb[:, None])
        b = eps[None, :] / (2.0 * ta[:, None])
        gap = np.where(np.isinf(a) & np.isinf(b), 0.0, np.abs(a - b))
        num = -2.0 * np.sign(a - b) * np.exp(-2.0 * np.minimum(a, b)) * np.expm1(-2.0 * gap)
        return num / ((1.0 + np.exp(-2.0 * a)) * (1.0 + np.exp(-2.0 * b)))


def heat(Ta: ArrayLike, Tb: ArrayLike, Ts: ArrayLike, tc: float, ln: float, r: float,
         gn: float, phase: float = 0.0, gapratio: float = 1.764, gap: GapSpec = "tanh",
         exact: bool = False) -> Union[float, np.ndarray]:
    """Heat current (W) through the wire from reservoir A (``Ta``) to reservoir B (``Tb``).

    From BV03 Eqs. (2)-(3) with ``f+(-+L_N/2) = tanh(E/2kB T_{A,B})`` (the boundary condition
    before Eq. 4, without linearising) and ``I+ = [f+(-L_N/2) - f+(L_N/2)] / (L_N R_Q)``::

        P = (G_N/e^2) int_0^inf E [tanh(E/2kB Tb) - tanh(E/2kB Ta)] / R_Q(E/Delta(Ts)) dE,

    evaluated as ``P = P_WF * <1/R_Q>_w`` with ``P_WF = (L0/2) G_N (Ta^2 - Tb^2)`` (the exact
    value of the integral for ``R_Q = 1``) and ``<.>_w`` the average with the sign-definite
    weight ``E [tanh(E/2Tb) - tanh(E/2Ta)]``.  Linearised in ``Ta - Tb`` this is
    ``kappa (Ta - Tb)`` with ``kappa`` of BV03 Eq. (4).  Thermopower is neglected (as in BV03)
    and the spectral functions depend only on ``Delta(Ts)`` (no self-consistency in N).

    Parameters
    ----------
    Ta, Tb : float or array_like
        Electron temperatures of the two normal reservoirs (K, >= 0).
    Ts : float or array_like
        Temperature of the superconducting lead (K); sets ``Delta(Ts)``.
    tc : float
        Critical temperature of the S lead (K).
    ln : float
        ``L_N / xi0`` (see :func:`kappa_ratio`).
    r : float
        Proximity parameter (BV03 Eq. 10).
    gn : float
        Normal-state electrical conductance ``G_N`` of the wire (S).
    phase, gapratio, gap, exact
        As in :func:`kappa_ratio`.

    Returns
    -------
    float or ndarray
        Heat current (W), positive from A to B; broadcast shape of ``Ta, Tb, Ts``.
    """
    _check_parameters(ln, r)
    Ta, Tb, Ts = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (Ta, Tb, Ts)))
    ta_k, shape = _temperatures(Ta)
    tb_k, _ = _temperatures(Tb)
    ts_k, _ = _temperatures(Ts)
    out = 0.5 * L0 * gn * (ta_k ** 2 - tb_k ** 2)  # Wiedemann-Franz value P_WF
    frac = _gap_fraction(ts_k, tc, gapratio, gap)
    eg = contact_gap(phase)
    active = (frac > 0) & (ta_k != tb_k)
    if active.any() and eg > 0:
        grid = _energy_grid(eg)
        delta_k = gapratio * tc * frac[active]  # Delta(Ts) / kB  (K)
        tau_q = _transmissions_at(grid, ln, r, phase, np.sqrt(frac[active]), exact)[0]
        ta, tb = ta_k[active] / delta_k, tb_k[active] / delta_k
        kernel = grid.nodes[None, :] * _occupation_difference(grid.nodes, ta, tb)
        kernel *= np.sign(ta - tb)[:, None]  # sign-definite weight -> non-negative
        out[active] *= _thermal_average(grid, kernel, tau_q)
    return _shaped(out, shape)


# --------------------------------------------------------------------------------------------
# Andreev model, finite temperature difference (closed form)
# --------------------------------------------------------------------------------------------
def _li2_of_minus(x: float) -> float:
    """Dilogarithm ``Li2(-x)`` for ``0 <= x <= 1``: the series ``sum (-x)^k / k^2`` for small
    ``x`` (``spence(1 + x)`` would lose ``x`` to rounding in ``1 + x``), else scipy's
    ``spence(1 + x)`` (``Li2(z) = spence(1 - z)``)."""
    if x >= 0.25:
        return float(spence(1.0 + x))
    total, term, k = 0.0, -x, 1
    while abs(term) > 1e-18 * abs(total) or k == 1:
        total += term / (k * k)
        k += 1
        term *= -x
    return total


def andreev_integral(g: float) -> float:
    """``J(g) = int_g^inf u / (e^u + 1) du = g ln(1 + e^-g) - Li2(-e^-g)`` (``J(0) = pi^2/12``,
    ``J(inf) = 0``)."""
    if not g < math.inf:
        return 0.0
    x = math.exp(-g)
    return g * math.log1p(x) - _li2_of_minus(x)


def andreev_heat(Ta: float, Tb: float, eg: float, gn: float) -> float:
    """Heat (W) from reservoir A to B through the Andreev-model wire: BV03 Eqs. (2)-(3) with
    ``1/R_Q = Theta(E - E_g)`` (no quasiparticle heat below the barrier ``eg``, J)::

        P = (G_N/e^2) int_{E_g}^inf E [tanh(E/2kB Tb) - tanh(E/2kB Ta)] dE
          = (2 G_N/e^2) kB^2 [Ta^2 J(E_g/kB Ta) - Tb^2 J(E_g/kB Tb)]

    (``tanh(x/2) = 1 - 2/(e^x + 1)``; ``J`` of :func:`andreev_integral`).  For ``E_g = 0``
    this is Wiedemann-Franz, ``(L0/2) G_N (Ta^2 - Tb^2)``.
    """
    def part(T):
        return T * T * andreev_integral(eg / (kB * T)) if T > 0 else 0.0

    return float(2.0 * gn * (kB / e) ** 2 * (part(Ta) - part(Tb)))

