"""Extrapolation of a smooth curve beyond its last point from its last two points and their
slopes: the sweep's predictor (solve/analysis.py, in ln T against the swept value) and the
continuation's (solve/continuation.py, along the branch's arclength)."""
from __future__ import annotations

from typing import Optional

import numpy as np


def hermite_step(y1: np.ndarray, s1: np.ndarray, y0: np.ndarray, s0: Optional[np.ndarray],
                 h: float, d: float) -> np.ndarray:
    """y(v1 + d) - y1 for the curve through y0 at v1 - h with slope s0 (None: unknown) and
    y1 at v1 with slope s1.

    The cubic Hermite through both points with both slopes, s1 d + (3A + B) d^2 +
    (2A + B) d^3 / h with A = (y0 - y1 + s1 h) / h^2 and B = (s0 - s1) / h (error O(h^4));
    the quadratic through both points with the last slope alone, s1 d + A d^2 (O(h^3)),
    where s0 is unknown or the cubic's extra terms exceed half the quadratic's step; the
    tangent s1 d alone where the quadratic term exceeds half of it (near a fold or a kink
    the curvature misleads)."""
    linear = s1 * d
    A = (y0 - y1 + s1 * h) / h ** 2
    quadratic = A * d ** 2
    if np.abs(quadratic).max() > 0.5 * np.abs(linear).max():
        return linear
    step = linear + quadratic
    if s0 is None:
        return step
    B = (s0 - s1) / h
    cubic = (2 * A + B) * d ** 2 + (2 * A + B) * d ** 3 / h
    if np.abs(cubic).max() <= 0.5 * np.abs(step).max():
        step = step + cubic
    return step
