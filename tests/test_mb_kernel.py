"""The Mattis-Bardeen table evaluated along rows, and its analytic temperature derivative.

* The row evaluation (:mod:`thermnet.physics.spline_rows`) must give the values of the
  previous implementation, written out here: each table field evaluated by FITPACK ``splev``
  on its own spline (``Spline2D.row``), to 1e-13 relative.
* ``conductivity_derivative`` is checked against central differences of ``conductivity``
  (the same table, small steps), against differences of two adaptive-quadrature evaluations
  (``exact=True``), and the closed forms' slopes and the gap law's derivative against
  differences and an independent solution of the BCS gap equation.
"""
import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

import thermnet
from thermnet.elements.superconductors import Film
from thermnet.physics import bcs
from thermnet.physics import mattis_bardeen as mb
from thermnet.physics.constants import kB

TC = 0.4


def _rows_reference(x, b):
    """The previous ``_reduced_table``: every field by ``splev`` on its own spline."""
    tab = mb._table()
    s, beta = np.log(x), np.log(b)
    s1, s2 = np.empty_like(x), np.empty_like(x)
    inside = (s >= tab["A"].xlo) & (s <= tab["A"].xhi) & (tab["A"].ylo <= beta <= tab["A"].yhi)
    xi, si = x[inside], s[inside]
    s1_0, s2_0 = mb.conductivity_t0(xi)
    sig1 = np.exp(tab["A"].row(si, beta) - b)
    above = xi > 2.0
    sig1[above] += tab["C"].row(si[above], beta) * s1_0[above]
    s1[inside] = sig1
    rem = np.empty_like(xi)
    rem[above] = tab["Bhi"].row(si[above], beta)
    rem[~above] = tab["Blo"].row(si[~above], beta)
    s2[inside] = np.tanh(0.5 * b) * (s2_0 + rem / xi)
    out = ~inside
    s1[out], s2[out] = mb.reduced_conductivity(x[out], b)
    return s1, s2


def _energies(rng, n=120):
    """Reduced energies over and beyond the table, many near and at the kink x = 2."""
    x = np.exp(rng.uniform(np.log(3e-7), np.log(3e4), n))
    near = 2.0 + np.array([0.0, 1e-15, -1e-15, 1e-9, -1e-9, 1e-4, -1e-4, 0.02, -0.02])
    return np.concatenate((x, rng.uniform(1.9, 2.1, 20), near,
                           [mb.X_MIN, mb.X_MAX, np.nextafter(2.0, 3.0), np.nextafter(2.0, 0)]))


def assert_as_before(got, ref, x, b):
    """sigma as the table and fixed quadrature gave it, to 1e-13; below the table (b <
    B_MIN) far above the gap sigma is the b^2 series through the table instead
    (mattis_bardeen._series_values), whose error is the table's at its nodes times b^2/0.02^2:
    measured 8.8e-9 of sigma1 at b = 0.0097, next to the table's edge, where the table
    itself errs by as much (the adaptive quadrature's references:
    tests/test_mattis_bardeen_near_tc.py)."""
    series = (b < mb.B_MIN) & (x * b >= mb.SERIES_X * mb.SERIES_VALUE_B[1])
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g[~series], r[~series], rtol=1e-13, atol=0)
        np.testing.assert_allclose(g[series], r[series], rtol=0, atol=2e-8)


def test_rows_equal_previous_table_evaluation():
    rng = np.random.default_rng(7)
    bs = np.concatenate((np.exp(rng.uniform(np.log(mb.B_MIN), np.log(mb.B_MAX), 25)),
                         [mb.B_MIN, mb.B_MAX, 0.5 * mb.B_MIN, 2 * mb.B_MAX]))
    for b in bs:
        x = _energies(rng)
        assert_as_before(mb._reduced_table(x, b), _rows_reference(x, b), x, b)


def test_conductivity_public_path_near_tc_and_zero():
    """Through ``conductivity`` (gap laws, T near Tc and near 0, energies off the table)."""
    rng = np.random.default_rng(8)
    for gap in ("tanh", "bcs"):
        for t in (1e-3, 0.02, 0.3, 0.985, 0.99999, 1 - 1e-9):
            T = t * TC
            delta = bcs.gap(T, TC, 1.764, gap)
            x = _energies(rng, 40)
            got = mb.conductivity(x * delta, T, TC, 1.764, gap)
            b = delta / (kB * T)
            assert_as_before(got, _rows_reference(x * delta / delta, b), x, b)


def test_t0_slopes_against_differences():
    x = np.concatenate((np.geomspace(1e-4, 1.99, 30), np.geomspace(2.01, 1e4, 30)))
    h = 1e-6 * x
    k2 = ((x - 2) / (x + 2)) ** 2
    hi, lo = mb.conductivity_t0(x + h), mb.conductivity_t0(x - h)
    above = x > 2
    noise = 1e-15 / h                        # rounding of the difference quotient
    got1 = mb._t0_slope1(x[above], special.ellipk(k2[above]))
    ref1 = ((hi[0] - lo[0]) / (2 * h))[above]
    assert np.all(np.abs(got1 - ref1) <= 1e-7 * np.abs(ref1) + noise[above])
    got2 = mb._t0_slope2(x, special.ellipkm1(k2))
    ref2 = (hi[1] - lo[1]) / (2 * h)
    assert np.all(np.abs(got2 - ref2) <= 1e-7 * np.abs(ref2) + noise)
    # limits: sigma1 ~ (pi/4)(x - 2) at threshold, sigma2 -> pi/x for x -> 0
    assert mb._t0_slope1(2.0, math.pi / 2) == pytest.approx(math.pi / 4, rel=1e-15)
    assert mb.conductivity_t0(2 + 1e-8)[0] / 1e-8 == pytest.approx(math.pi / 4, rel=1e-6)
    assert mb._t0_slope2(1e-6, special.ellipkm1(1.0 - 8e-6 / (2 + 1e-6) ** 2)) \
        == pytest.approx(-math.pi / 1e-12, rel=1e-5)


def _bcs_reduced_gap(t):
    """Delta/Delta0 of the weak-coupling gap equation (brentq on adaptive quadrature)."""
    r = math.pi * math.exp(-np.euler_gamma)

    def resid(d):
        beta = r * d / t
        umax = math.acosh(1 + 60 / beta)
        return math.log(1 / d) - integrate.quad(
            lambda u: 2 * special.expit(-beta * math.cosh(u)), 0, umax,
            epsabs=1e-15, epsrel=1e-13)[0]

    return optimize.brentq(resid, 1e-6, 1.0, xtol=1e-15)


def test_gap_derivative():
    d0 = 1.764 * kB * TC

    def tanh_law(T):
        return d0 * math.tanh(1.74 * math.sqrt(TC / T - 1))

    for t in (0.05, 0.3, 0.7, 0.985, 0.99999):
        # tanh law: against a Richardson-extrapolated difference of the formula itself
        T, h = t * TC, 1e-3 * (1 - t) * TC
        r1, r2 = ((tanh_law(T + k) - tanh_law(T - k)) / (2 * k) for k in (h, h / 2))
        ref = (4 * r2 - r1) / 3
        assert bcs.gap_derivative(T, TC) == pytest.approx(ref, rel=1e-8, abs=1e-11 * d0 / TC)
    for t in (0.4, 0.7, 0.95):
        # BCS: against the slope of the gap equation's own solution
        h = 1e-4
        ref = d0 / TC * (_bcs_reduced_gap(t + h) - _bcs_reduced_gap(t - h)) / (2 * h)
        assert bcs.gap_derivative(t * TC, TC, 1.764, "bcs") == pytest.approx(ref, rel=1e-5)
    assert bcs.gap_derivative(0.0, TC) == bcs.gap_derivative(TC, TC) == 0.0


def _difference(E, T, h, gap="tanh", exact=False):
    hi = mb.conductivity(E, T + h, TC, 1.764, gap, exact=exact)
    lo = mb.conductivity(E, T - h, TC, 1.764, gap, exact=exact)
    return (hi[0] - lo[0]) / (2 * h), (hi[1] - lo[1]) / (2 * h)


@pytest.mark.parametrize("gap", ["tanh", "bcs"])
def test_derivative_against_table_differences(gap):
    """The analytic derivative is that of the tabulated function: Richardson-extrapolated
    central differences, each energy on its side of 2 Delta over the step."""
    rng = np.random.default_rng(9)
    for t in (0.08, 0.3, 0.6, 0.9, 0.985, 0.9995):
        T = t * TC
        delta = bcs.gap(T, TC, 1.764, gap)
        x = np.concatenate((np.exp(rng.uniform(np.log(2e-6), np.log(5e3), 60)),
                            2 + np.array([-0.3, -0.05, -0.01, 0.01, 0.05, 0.3])))
        E = x * delta
        s1, s2, d1, d2 = mb.conductivity_derivative(E, T, TC, 1.764, gap)
        speed = 2 * abs(bcs.gap_derivative(T, TC, 1.764, gap))
        h = min(1e-4 * T, 0.01 * np.min(np.abs(E - 2 * delta)) / speed)
        ref = [(4 * a - b) / 3 for a, b in zip(_difference(E, T, h / 2, gap),
                                               _difference(E, T, h, gap))]
        # next to Tc the energies far above the gap take the slope of sigma's b^2 series,
        # not the table's (tests/test_mattis_bardeen_near_tc.py: against the adaptive
        # quadrature); the table's differs there by its spline error over a small slope
        on = ~((delta / (kB * T) <= mb.SERIES_B) & (x >= mb.SERIES_X))
        assert on.sum() >= 20
        s1, s2, d1, d2 = s1[on], s2[on], d1[on], d2[on]
        ref = [r[on] for r in ref]
        # in the units the Jacobian sees: T dsigma/dT against |sigma|
        scale = np.hypot(s1, s2)
        np.testing.assert_allclose(T * d1, T * ref[0], rtol=1e-5, atol=1e-8 * scale.max())
        np.testing.assert_allclose(T * d2, T * ref[1], rtol=1e-5, atol=1e-8 * scale.max())
        np.testing.assert_allclose(T * d1 / scale, T * ref[0] / scale, atol=1e-7)
        np.testing.assert_allclose(T * d2 / scale, T * ref[1] / scale, atol=1e-7)


def test_derivative_against_exact_quadrature():
    """Against the difference of two adaptive-quadrature evaluations (``exact=True``),
    including 1.5 % below Tc, energies on both sides of 2 Delta."""
    for t in (0.5, 0.985):
        T = t * TC
        delta = bcs.gap(T, TC)
        E = delta * np.array([0.05, 1.0, 1.9, 2.1, 3.0, 20.0])
        s1, s2, d1, d2 = mb.conductivity_derivative(E, T, TC)
        ref = _difference(E, T, 1e-5 * (1 - t) * T, exact=True)
        scale = np.hypot(s1, s2)
        np.testing.assert_allclose(T * d1 / scale, T * ref[0] / scale, rtol=5e-5, atol=2e-5)
        np.testing.assert_allclose(T * d2 / scale, T * ref[1] / scale, rtol=5e-5, atol=2e-5)


def test_derivative_outside_table_and_limits():
    """Points the table does not reach (b < B_MIN within 1e-5 of Tc; x beyond X_MAX, below
    X_MIN) take a difference of the fixed quadrature; T >= Tc and T = 0 give 0."""
    for t in (1 - 2e-6, 0.5):
        T = t * TC
        delta = bcs.gap(T, TC)
        x = np.array([1e-8, 0.3, 1.5, 2.5, 40.0, 3e5]) if t < 0.9 else np.array([1e-8, 3e5])
        E = x * delta
        s1, s2, d1, d2 = mb.conductivity_derivative(E, T, TC)
        ref = mb.conductivity(E, T, TC)
        np.testing.assert_allclose(s1, ref[0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(s2, ref[1], rtol=1e-15, atol=0)
        h = 1e-3 * min(1e-5 * T, (TC - T) / 2)
        dif = _difference(E, T, h)
        scale = np.hypot(s1, s2)
        np.testing.assert_allclose(T * d1 / scale, T * dif[0] / scale, atol=1e-6)
        np.testing.assert_allclose(T * d2 / scale, T * dif[1] / scale, atol=1e-6)
    E = np.array([1e-24, 1e-23])
    for T in (0.0, TC, 2 * TC):
        out = mb.conductivity_derivative(E, T, TC)
        assert np.all(out[2] == 0) and np.all(out[3] == 0)


def test_film_admittance_derivative():
    """The film's dY/dT is (dsigma1 - i dsigma2)/R0, and agrees with the central difference
    the element took before (exact=True keeps that difference)."""
    circuit = thermnet.parse(f"TB bath 30m\nTA A 0.1\n.model ti mb(tc={TC})\n"
                             "S1 n1 n2 ti R0=50 temp=A\nRX n1 n2 20 temp=bath\n.op\n").circuit()
    film = circuit.flat.elements["s1"]
    assert isinstance(film, Film)
    T = 0.985 * TC
    E = bcs.gap(T, TC) * np.array([0.1, 1.0, 1.95, 2.05, 5.0])
    dy = film.admittance_derivative(E, T)
    _, _, d1, d2 = mb.conductivity_derivative(E, T, TC)
    np.testing.assert_allclose(dy, (d1 - 1j * d2) / 50.0, rtol=1e-15)
    ref = super(Film, film).admittance_derivative(E, T)
    y = film.admittance(E, T)
    # (the difference quotient next to the kink is the less accurate one: 3e-6 here)
    np.testing.assert_allclose(T * dy / np.abs(y), T * ref / np.abs(y), rtol=1e-5, atol=1e-6)
