"""The predictors' extrapolation (solve/extrapolation.py): its order on smooth curves, against
the curves themselves; and the continuation's predictor along the arclength, projected onto
the corrector's hyperplane (solve/continuation.py)."""
import numpy as np
import pytest

from thermnet.solve.continuation import BranchPoint, _extrapolated
from thermnet.solve.extrapolation import hermite_step


def _curve(v):
    return np.array([np.sin(v) + 0.3 * v, np.exp(0.5 * v)])


def _slope(v):
    return np.array([np.cos(v) + 0.3, 0.5 * np.exp(0.5 * v)])


@pytest.mark.parametrize("both, order", [(True, 4), (False, 3)])
def test_hermite_step_has_its_order(both, order):
    """One step h beyond the last of two points h apart: error ~ h^4 with both slopes
    (cubic), h^3 with the last alone (quadratic), so halving h divides it by 16 or 8."""
    errors = []
    for h in (0.2, 0.1, 0.05, 0.025):
        v1 = 0.7
        step = hermite_step(_curve(v1), _slope(v1), _curve(v1 - h),
                            _slope(v1 - h) if both else None, h, h)
        errors.append(np.abs(_curve(v1) + step - _curve(v1 + h)).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(ratios > 0.8 * 2 ** order) and np.all(ratios < 1.25 * 2 ** order)


def test_hermite_step_falls_back_to_the_tangent_where_the_curve_turns():
    """Where the quadratic term exceeds half the linear one (a kink between the points), the
    tangent alone."""
    y1, s1 = np.array([1.0]), np.array([1.0])
    y0 = np.array([0.0])                            # slope 1 at v1 but y rose by 1 over 0.1
    assert hermite_step(y1, s1, y0, None, 0.1, 0.1) == pytest.approx(s1 * 0.1)


def _helix(s):
    """A curve parametrised by its arclength s (|u'| = 1): (cos, sin, slope) / sqrt(1 + c^2)."""
    c = 0.5
    a = s / np.sqrt(1 + c * c)
    return np.array([np.cos(a), np.sin(a), c * a])


def _tangent(s):
    c = 0.5
    a = s / np.sqrt(1 + c * c)
    return np.array([-np.sin(a), np.cos(a), c]) / np.sqrt(1 + c * c)


def test_the_continuations_predictor_projected_on_its_hyperplane_errs_by_ds4():
    """The arclength step's first guess (continuation._extrapolated with the last point
    before it, then projected onto t0 . u = t0 . u0 + ds as Tracer.arclength does) against
    the curve's point on that hyperplane: halving ds (and the spacing h = ds of the two
    points) divides the error by ~16."""
    errors = []
    for ds in (0.2, 0.1, 0.05, 0.025):
        pts = [BranchPoint(_helix(s)[:-1], float(_helix(s)[-1]), _tangent(s), np.eye(2),
                           np.ones(2), np.ones(2)) for s in (-ds, 0.0)]
        ub, u0 = _helix(-ds), _helix(0.0)
        guess, _ = _extrapolated(ub, pts[0], u0, pts[1], ds)
        t0 = _tangent(0.0)
        value = float(t0 @ u0 + ds)
        guess = guess + (value - float(t0 @ guess)) * t0
        # the curve's point on the hyperplane: t0 . (helix(s) - u0) = ds, by bisection
        lo, hi = 0.0, 2 * ds
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if t0 @ (_helix(mid) - u0) < ds else (lo, mid)
        errors.append(np.abs(guess - _helix(0.5 * (lo + hi))).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(ratios > 12) and np.all(ratios < 20)
