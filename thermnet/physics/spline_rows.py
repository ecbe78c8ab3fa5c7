"""Bicubic tables evaluated along rows: many ``x`` at one ``y``, with exact derivatives.

A kernel such as the Mattis-Bardeen conductivity is asked for at one temperature (one ``y``)
and a few hundred photon energies (many ``x``), often several tabulated functions at once.
:class:`SplineRows` holds several tensor-product cubic splines (:class:`Spline2D`, FITPACK
knots and coefficients) that share their ``y`` knots, rewritten once, when the table is
loaded, so that such a row costs one small matrix product and one Horner pass:

* along ``x``, each spline is re-expanded on every interval between consecutive knots (the
  union of all the fields' knots, so no field has a knot inside an interval) as a cubic in
  ``x - x_i`` whose coefficients are its derivatives at the interval's left end divided by
  ``p!`` (exact for a cubic piece; de Boor, A Practical Guide to Splines, ch. X, the
  B-form to pp-form conversion), still as B-spline coefficients along ``y``;
* along ``y``, the four cubic B-splines active at ``y`` are cubics on each knot interval,
  stored the same way, so the row's coefficients are one 4-term combination, and their
  ``y``-derivative is the same combination with the derivative of the basis.

The values are those of the splines themselves (the same piecewise polynomials evaluated in
another basis: equal to ~1e-15 relative to the coefficient size); ``d/dx`` and ``d/dy`` are
the splines' exact derivatives.
"""
from __future__ import annotations

from bisect import bisect_right
from math import factorial
from typing import Sequence, Tuple

import numpy as np
from scipy import interpolate

from thermnet.physics.quadrature import Spline2D

__all__ = ["Row", "SplineRows"]


def _taylor_rows(t: np.ndarray, c: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Taylor coefficients ``f^(p)(left) / p!`` (p = 0..3) of the cubic spline(s) with knots
    ``t`` and coefficients ``c`` (first axis) at the points ``left``, each taken on the knot
    interval to its right: shape ``(len(left), 4) + c.shape[1:]``."""
    spl = interpolate.BSpline(t, c, 3, extrapolate=True)
    return np.stack([spl(left, nu=p) / factorial(p) for p in range(4)], axis=1)


class SplineRows:
    """Fields ``f(x, y)`` given as bicubic splines sharing their ``y`` knots, evaluated at
    one ``y`` and many ``x`` (values and exact first derivatives).

    Parameters
    ----------
    fields : sequence of sequences of Spline2D
        Per field, the splines that define it on adjacent ``x`` ranges (each on its own
        ``[xlo, xhi]``; a field is zero where none of its splines reaches).  All splines
        must have the same ``y`` knots.
    """

    def __init__(self, fields: Sequence[Sequence[Spline2D]]):
        splines = [s for pieces in fields for s in pieces]
        ty = splines[0].tck[1]
        if any(not np.array_equal(s.tck[1], ty) for s in splines):
            raise ValueError("SplineRows: all splines must share their y knots")
        self.xlo = min(s.xlo for s in splines)
        self.xhi = max(s.xhi for s in splines)
        self.ylo, self.yhi = splines[0].ylo, splines[0].yhi
        knots = np.unique(np.concatenate([s.tck[0] for s in splines]))
        self.x_knots = knots[(knots >= self.xlo) & (knots <= self.xhi)]
        left = self.x_knots[:-1]
        mid = 0.5 * (left + self.x_knots[1:])
        n_int, n_cy, n_f = left.size, len(ty) - 4, len(fields)
        # W[k, p, f, i]: Taylor coefficient p of field f on x-interval i, y-B-spline k
        W = np.zeros((n_cy, 4, n_f, n_int))
        for f, pieces in enumerate(fields):
            for s in pieces:
                on = (mid >= s.xlo) & (mid <= s.xhi)
                coef = s.tck[2].reshape(len(s.tck[0]) - 4, n_cy)
                rows = _taylor_rows(s.tck[0], coef, left[on])          # (n_on, 4, n_cy)
                W[:, :, f, on] = np.transpose(rows, (2, 1, 0))
        self._W = np.ascontiguousarray(W)
        self._shape = (4, n_f, n_int)
        self._inner = self.x_knots[1:-1]
        # y: on each knot interval j, the four active B-splines as cubics in y - y_j
        yk = np.unique(ty)
        self._y_knots = [float(v) for v in yk]
        first = np.searchsorted(ty, yk[:-1], side="right") - 4     # first active B-spline
        eye = np.eye(n_cy)
        basis = _taylor_rows(ty, eye, yk[:-1])                     # (n_yint, 4 p, n_cy)
        self._y_first = [int(v) for v in first]
        self._y_poly = np.stack([basis[j, :, first[j]:first[j] + 4].T
                                 for j in range(yk.size - 1)])     # (n_yint, 4 k, 4 p)

    def _y_basis(self, y: float) -> Tuple[int, float]:
        """The knot interval ``j`` of ``y`` (clamped to the table) and the offset of ``y``
        on it."""
        j = min(max(bisect_right(self._y_knots, y) - 1, 0), len(self._y_knots) - 2)
        return j, y - self._y_knots[j]

    def locate(self, x: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Interval index and offset ``x - x_i`` of each ``x`` (inside ``[xlo, xhi]``; a
        point on a knot belongs to the interval on its left)."""
        i = np.searchsorted(self._inner, x, side="left")
        return i, x - self.x_knots[i]

    def _rows(self, j: int, weights: np.ndarray, i: np.ndarray) -> np.ndarray:
        """The row's Taylor coefficients for each weight vector (``weights`` ``(m, 4)``: the
        values, or derivatives, of the four ``y``-B-splines active on ``y``-interval ``j``),
        taken at the intervals ``i``: shape ``(m, 4, n_f, n)``."""
        first = self._y_first[j]
        row = (weights @ self._W[first:first + 4].reshape(4, -1)).reshape(
            (len(weights),) + self._shape)
        return np.take(row, i, axis=3)

    def at(self, x: np.ndarray, y: float) -> "Row":
        """The fields at ``(x[n], y)`` (``x`` 1-D, ``x`` and ``y`` inside the table):
        :attr:`Row.values`, and their derivative along a path on demand
        (:meth:`Row.slope`)."""
        return Row(self, x, y)


class Row:
    """The fields of a :class:`SplineRows` at ``(x[n], y)``: ``values`` ``(n_fields, n)``
    (the splines' values), and what their derivatives need (the piece of each ``x``, the
    ``y``-interval), so that :meth:`gradient` at the same point need not locate them
    again."""

    __slots__ = ("_table", "_j", "_dy", "_i", "_dx", "_c", "values")

    def __init__(self, table: SplineRows, x: np.ndarray, y: float):
        self._table = table
        self._i, dx = table.locate(x)
        # the offsets once per field: products of equal shapes are ~2x faster than ones
        # broadcasting them (the same values)
        self._dx = np.empty(table._shape[1:2] + dx.shape)
        self._dx[...] = dx
        self._j, d = table._y_basis(y)
        self._dy = d
        by = table._y_poly[self._j] @ np.array([1.0, d, d * d, d * d * d])
        # the row's Taylor coefficients (4, n_fields, n), kept for d/dx in ``gradient``
        self._c = table._rows(self._j, by[None], self._i)[0]
        self.values = _horner(self._c, self._dx)

    def gradient(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values, ``d/dx`` and ``d/dy`` ``(n_fields, n)``: the splines' exact derivatives.
        ``d/dx`` from the row's coefficients that gave :attr:`values` (returned as they
        are), ``d/dy`` from one more product, of the derivative of the ``y``-basis with the
        coefficients."""
        t, d = self._table, self._dy
        dby = t._y_poly[self._j] @ np.array([0.0, 1.0, 2.0 * d, 3.0 * d * d])
        cy = t._rows(self._j, dby[None], self._i)[0]
        c, dx = self._c, self._dx
        d_x = 3.0 * c[3]
        d_x *= dx
        d_x += 2.0 * c[2]
        d_x *= dx
        d_x += c[1]
        return self.values, d_x, _horner(cy, dx)


def _horner(c: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """``((c3 dx + c2) dx + c1) dx + c0`` (Horner, in place in one new array)."""
    v = c[3] * dx
    v += c[2]
    v *= dx
    v += c[1]
    v *= dx
    v += c[0]
    return v
