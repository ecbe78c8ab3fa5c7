"""Numerical helpers shared by the superconducting kernels.

Every kernel in :mod:`thermnet.physics` that integrates over quasiparticle or photon/phonon
energies goes through the two functions :func:`panel_quad` (fixed-order composite
Gauss-Legendre, vectorised over any broadcast parameter shape; used to build tables and as the
accurate fallback outside them) and :func:`adaptive_quad` (``scipy.integrate.quad`` on the same
panels; the ``exact=True`` reference path).  Both integrate the *same* integrand function, written
in a substituted variable that removes the inverse-square-root singularities of the BCS density
of states:

* :func:`sqrt_pair_above` -- ``E = a + c sinh^2 v`` on ``[a, inf)``: removes
  ``1/sqrt((E-a)(E-a+c))`` (two square-root branch points ``a`` and ``a-c``, which pinch
  together when ``c -> 0``), ``dE / sqrt((E-a)(E-a+c)) = 2 dv``.
* :func:`sqrt_pair_between` -- ``E = m + w cos(theta)`` on ``[m-w, m+w]``: removes
  ``1/sqrt((E-m+w)(m+w-E))``, ``dE / sqrt(...) = dtheta``.
* :func:`pinch_map` -- for ``1/sqrt(delta + c sin^2(phi/2))`` near ``phi = 0`` with ``delta``
  possibly tiny: ``sin(phi/2) = sqrt(delta/c) sinh v``,
  ``dphi / sqrt(delta + c sin^2(phi/2)) = 2 dv / (sqrt(c) cos(phi/2))``.

It also holds :class:`Spline2D` and :class:`Spline1D`, thin wrappers that store cubic spline
tables as plain arrays (so :func:`thermnet.physics.tables.cached_table` can cache them) and
evaluate them with FITPACK at a few microseconds per call.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import Callable, Dict, Sequence, Tuple

import numpy as np
from scipy import integrate, interpolate

__all__ = [
    "gauss_legendre", "panel_quad", "adaptive_quad", "sqrt_pair_above", "sqrt_pair_between",
    "pinch_map", "Spline1D", "Spline2D",
]


@lru_cache(maxsize=None)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on ``[-1, 1]`` (cached, read-only).

    Parameters
    ----------
    n : int
        Number of nodes.

    Returns
    -------
    nodes, weights : ndarray, shape (n,)
    """
    x, w = np.polynomial.legendre.leggauss(n)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def panel_quad(func: Callable[[np.ndarray], np.ndarray], edges: np.ndarray, n: int) -> np.ndarray:
    """Composite fixed-order Gauss-Legendre quadrature, vectorised over parameters.

    Parameters
    ----------
    func : callable
        ``func(s)`` evaluates the integrand at nodes ``s`` of shape ``S + (m, n)`` and returns an
        array of the same shape (``S`` is the broadcast parameter shape; ``func`` closes over
        parameters of shape ``S + (1, 1)``).
    edges : ndarray, shape ``S + (m + 1,)``
        Panel edges along the last axis (non-decreasing; zero-width panels contribute zero).
    n : int
        Nodes per panel.

    Returns
    -------
    ndarray, shape ``S``
        ``sum over panels of int_{edges[k]}^{edges[k+1]} func(s) ds``.
    """
    edges = np.asarray(edges, dtype=float)
    x, w = gauss_legendre(n)
    lo = edges[..., :-1, None]
    half = 0.5 * (edges[..., 1:, None] - lo)
    s = lo + half * (x + 1.0)
    return np.sum(func(s) * (half * w), axis=(-2, -1))


def adaptive_quad(func: Callable[[float], float], edges: Sequence[float],
                  epsrel: float = 1e-11) -> float:
    """Adaptive reference quadrature (``scipy.integrate.quad``) over consecutive panels.

    Parameters
    ----------
    func : callable
        Scalar integrand ``func(s) -> float`` (already in the substituted variable).
    edges : sequence of float
        Panel edges; the integral is split at every edge.
    epsrel : float
        Relative tolerance per panel (``epsabs = 0``).

    Returns
    -------
    float
    """
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if b > a:
            val, _ = integrate.quad(func, float(a), float(b), epsabs=0.0, epsrel=epsrel,
                                    limit=400)
            total += val
    return total


def sqrt_pair_above(v: np.ndarray, c):
    """Substitution ``E = a + c sinh^2(v)`` for ``int_a^inf g(E) dE / sqrt((E-a)(E-a+c))``.

    Parameters
    ----------
    v : ndarray
        New variable, ``v >= 0``.
    c : float or ndarray
        Distance ``c > 0`` between the branch points ``a`` and ``a - c``.

    Returns
    -------
    ndarray
        ``E - a = c sinh^2 v`` (returned as a distance to keep full precision near ``a``); the
        measure is ``dE / sqrt((E-a)(E-a+c)) = 2 dv``.
    """
    return c * np.sinh(v) ** 2


def sqrt_pair_above_vmax(c, span):
    """Upper limit in ``v`` of :func:`sqrt_pair_above` such that ``E - a = span``."""
    return np.arcsinh(np.sqrt(span / c))


def sqrt_pair_between(theta: np.ndarray, mid, half):
    """Substitution ``E = mid + half * cos(theta)``, ``theta`` in ``[0, pi]``.

    Removes ``1/sqrt((E - mid + half)(mid + half - E))``; the measure becomes ``dtheta``.

    Returns
    -------
    E : ndarray
    """
    return mid + half * np.cos(theta)


def pinch_map(v: np.ndarray, delta, c):
    """Substitution ``sin(phi/2) = sqrt(delta/c) sinh(v)`` resolving a pinch at ``phi = 0``.

    ``int dphi g(phi) / sqrt(delta + c sin^2(phi/2)) = int dv g(phi(v)) 2/(sqrt(c) cos(phi/2))``.

    Parameters
    ----------
    v : ndarray
        New variable (``v >= 0``).
    delta, c : float or ndarray
        ``delta > 0`` (distance of the pinching branch point), ``c > 0``.

    Returns
    -------
    phi, jac : ndarray
        ``phi(v)`` and the factor ``2 / (sqrt(c) cos(phi/2))`` (the ``1/sqrt(...)`` is absorbed).
    """
    half_sin = np.sqrt(delta / c) * np.sinh(v)
    phi = 2.0 * np.arcsin(np.minimum(half_sin, 1.0))
    jac = 2.0 / (np.sqrt(c) * np.sqrt(1.0 - np.minimum(half_sin, 1.0) ** 2))
    return phi, jac


def pinch_map_vmax(delta, c, phi_max):
    """Upper limit in ``v`` of :func:`pinch_map` reaching ``phi = phi_max`` (< pi)."""
    return np.arcsinh(np.sin(0.5 * phi_max) / np.sqrt(delta / c))


class Spline1D:
    """Interpolating cubic spline stored as arrays (knots ``t``, coefficients ``c``).

    Parameters
    ----------
    t, c : ndarray
        B-spline knots and coefficients (degree 3), e.g. from :meth:`fit`.
    """

    def __init__(self, t: np.ndarray, c: np.ndarray):
        self.bspline = interpolate.BSpline(np.asarray(t), np.asarray(c), 3, extrapolate=False)
        self.lo, self.hi = float(t[3]), float(t[-4])

    @staticmethod
    def fit(x: np.ndarray, y: np.ndarray) -> dict:
        """Not-a-knot cubic interpolation of samples ``y(x)``; returns ``{"t", "c"}`` arrays."""
        spl = interpolate.make_interp_spline(x, y, k=3)
        return {"t": spl.t, "c": spl.c}

    def __call__(self, x):
        return self.bspline(x)


class Spline2D:
    """Tensor-product interpolating bicubic spline stored as arrays.

    Parameters
    ----------
    tx, ty, c : ndarray
        FITPACK knots and coefficients (degree 3 in both variables), e.g. from :meth:`fit`.
    """

    def __init__(self, tx: np.ndarray, ty: np.ndarray, c: np.ndarray):
        self.tck = (np.asarray(tx), np.asarray(ty), np.asarray(c).ravel(), 3, 3)
        nx, ny = len(tx) - 4, len(ty) - 4
        self._nd = interpolate.NdBSpline((self.tck[0], self.tck[1]),
                                         self.tck[2].reshape(nx, ny), 3)
        self.xlo, self.xhi = float(tx[3]), float(tx[-4])
        self.ylo, self.yhi = float(ty[3]), float(ty[-4])
        self._tx, self._ty = list(map(float, tx)), list(map(float, ty))
        self._c = self.tck[2].reshape(nx, ny)
        self._rows = self._c.tolist()

    @staticmethod
    def fit(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> dict:
        """Interpolate grid values ``z[i, j] = f(x[i], y[j])``; returns ``{"tx","ty","c"}``."""
        spl = interpolate.RectBivariateSpline(x, y, z, kx=3, ky=3, s=0)
        tx, ty, c = spl.tck
        return {"tx": tx, "ty": ty, "c": c}

    def row(self, x: np.ndarray, y: float) -> np.ndarray:
        """Values at points ``(x[i], y)`` for an array ``x`` and a scalar ``y``.

        The tensor-product spline at fixed ``y`` is a cubic spline in ``x`` whose coefficients
        are the four columns of ``c`` active at ``y`` weighted by their B-spline values; one
        ``splev`` call then evaluates it (faster than ``bisplev``, same values).
        """
        x = np.asarray(x, dtype=float)
        if x.size == 0:
            return np.empty(x.shape)
        iy, by, _ = _cubic_basis(self._ty, float(y))
        cx = self._c[:, iy:iy + 4] @ np.asarray(by)
        return interpolate.splev(x, (self.tck[0], cx, 3))

    def at(self, x: float, y: float) -> float:
        """Value at one point (pure Python, ~5 us; ``x``, ``y`` inside the table)."""
        ix, bx, _ = _cubic_basis(self._tx, x)
        iy, by, _ = _cubic_basis(self._ty, y)
        return self._contract(ix, iy, bx, by)

    def at_gradient(self, x: float, y: float) -> Tuple[float, float, float]:
        """Value and its derivatives d/dx, d/dy at one point (``x``, ``y`` inside the
        table): the same tensor product with the B-splines' derivatives in one variable."""
        ix, bx, dx = _cubic_basis(self._tx, x)
        iy, by, dy = _cubic_basis(self._ty, y)
        return (self._contract(ix, iy, bx, by), self._contract(ix, iy, dx, by),
                self._contract(ix, iy, bx, dy))

    def _contract(self, ix: int, iy: int, bx, by) -> float:
        """sum_ab bx[a] by[b] c[ix + a, iy + b]: four basis values in each variable."""
        rows = self._rows
        total = 0.0
        for a in range(4):
            row = rows[ix + a]
            total += bx[a] * (by[0] * row[iy] + by[1] * row[iy + 1] + by[2] * row[iy + 2]
                              + by[3] * row[iy + 3])
        return total

    def points(self, x, y) -> np.ndarray:
        """Values at scattered points ``(x, y)`` (broadcast)."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        if x.ndim == 0:
            return np.asarray(interpolate.bisplev(float(x), float(y), self.tck))
        return self._nd(np.stack([x.ravel(), y.ravel()], axis=-1)).reshape(x.shape)


def fit_splines(fields) -> Dict[str, np.ndarray]:
    """Arrays ``{field_tx, field_ty, field_c}`` of interpolating bicubic splines, one per
    ``(field, x, y, z)`` with ``z[i, j] = f(x[i], y[j])`` (to store with ``cached_table`` and
    read back with ``tables.cached_splines``)."""
    out = {}
    for name, x, y, z in fields:
        for key, arr in Spline2D.fit(x, y, z).items():
            out[f"{name}_{key}"] = arr
    return out


def _cubic_basis(t: list, x: float):
    """Index of the first non-zero cubic B-spline at ``x``, the four basis values and their
    derivatives d/dx.

    Cox-de Boor recursion unrolled for degree 3 (Piegl & Tiller, The NURBS Book, A2.2); the
    derivatives from the degree-2 values, N'_j,3 = 3 (N_j,2 / (t_j+3 - t_j)
    - N_j+1,2 / (t_j+4 - t_j+1)) (ibid. Eq. 2.7), whose quotients the last step forms anyway.
    """
    i = min(max(bisect_right(t, x) - 1, 3), len(t) - 5)
    l1, l2, l3 = x - t[i], x - t[i - 1], x - t[i - 2]
    r1, r2, r3 = t[i + 1] - x, t[i + 2] - x, t[i + 3] - x
    # degree 1
    tmp = 1.0 / (r1 + l1)
    n0, n1 = r1 * tmp, l1 * tmp
    # degree 2
    tmp0 = n0 / (r1 + l2)
    tmp1 = n1 / (r2 + l1)
    n0, n1, n2 = r1 * tmp0, l2 * tmp0 + r2 * tmp1, l1 * tmp1
    # degree 3
    tmp0 = n0 / (r1 + l3)
    tmp1 = n1 / (r2 + l2)
    tmp2 = n2 / (r3 + l1)
    return (i - 3, (r1 * tmp0, l3 * tmp0 + r2 * tmp1, l2 * tmp1 + r3 * tmp2, l1 * tmp2),
            (-3.0 * tmp0, 3.0 * (tmp0 - tmp1), 3.0 * (tmp1 - tmp2), 3.0 * tmp2))
