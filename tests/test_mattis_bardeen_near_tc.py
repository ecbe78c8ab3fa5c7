"""The film's d sigma/dT next to Tc (thermnet.physics.mattis_bardeen._series_derivative).

Within ~1e-3 of Tc sigma differs from the normal state by ~(Delta/kB T)^2 ~ Tc - T; before,
the slope of that difference came from a difference of two fixed quadratures (rounding ~1e-13
of sigma) or from the table's splines (~1e-8 of sigma): 1e-2 off at 3e-5 Tc from Tc, of the
wrong sign at 1e-8, and at T = Tc (1 - 1.4e-16) (a swept T_S landing on 0.4 in floating point)
D(Q(S,D),TS) printed a value between the two one-sided derivatives.  The references here are
independent: central differences of the adaptive quadrature (``exact=True``, scipy's quad)
with Richardson extrapolation, and the closed forms of the gap laws.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import thermnet
from thermnet.errors import ConvergenceError
from thermnet.physics import bcs
from thermnet.physics import electron_phonon as ep
from thermnet.physics import mattis_bardeen as mb
from thermnet.physics.constants import kB
from thermnet.solve.analysis import kink_side

TC = 0.4


def richardson_slope(energy, T, h):
    """d sigma/dT at T from central differences of the adaptive quadrature with steps h and
    2h, extrapolated (error O(h^4))."""
    def sigma(t):
        return np.array(mb.conductivity(energy, t, TC, 1.76, exact=True))

    def central(step):
        return (sigma(T + step) - sigma(T - step)) / (2 * step)

    d1, d2 = central(h), central(2 * h)
    return d1 + (d1 - d2) / 3


@pytest.mark.parametrize("eps", [1e-3, 1e-4, 1e-6])
def test_slope_next_to_tc_agrees_with_differences_of_the_adaptive_quadrature(eps):
    energy = np.array([0.85, 2.0, 10.0]) * kB * TC
    T = TC * (1 - eps)
    ref = richardson_slope(energy, T, 0.25 * eps * TC)
    _, _, d1, d2 = mb.conductivity_derivative(energy, T, TC, 1.76)
    # 5e-5: at 1e-3 from Tc (b = 0.097 > SERIES_B) the slope is the table's, 2.4e-5 off at
    # 0.85 kB Tc; the series' points (1e-4, 1e-6 from Tc) agree to 1e-5
    assert np.allclose(d1, ref[0], rtol=5e-5, atol=0)
    assert np.allclose(d2, ref[1], rtol=5e-5, atol=0)


def test_slope_reaches_its_left_limit_at_tc_continuously():
    """Down to the last float below Tc the slope stays the left limit (it was 26 % off at
    Tc (1 - 1.4e-16) and of the wrong sign at 1e-8 from Tc)."""
    energy = np.array([0.5, 2.0, 10.0, 40.0]) * kB * TC
    limit = np.array(mb.conductivity_derivative(energy, TC * (1 - 1e-9), TC, 1.76)[2:])
    for T in (TC * (1 - 1e-8), TC * (1 - 1e-12), np.nextafter(TC, 0.0)):
        slope = np.array(mb.conductivity_derivative(energy, T, TC, 1.76)[2:])
        assert np.allclose(slope, limit, rtol=1e-6, atol=0), T
    # and that limit is the adaptive quadrature's slope at 1e-6 and 2e-6 from Tc, carried
    # to Tc by the line through them (the slope moves ~14 (Tc - T)/Tc of itself: smooth in
    # Delta^2 ~ Tc - T)
    ref = [richardson_slope(energy[:3], TC * (1 - e), 0.25 * e * TC) for e in (1e-6, 2e-6)]
    assert np.allclose(limit[:, :3], 2 * ref[0] - ref[1], rtol=5e-6, atol=0)


@pytest.mark.parametrize("b", [5e-3, 1e-5])
def test_sigma_below_the_table_from_the_series_agrees_with_the_adaptive_quadrature(b):
    """Below the table (b < 0.01), far above the gap, sigma comes from the b^2 series through
    the table (mattis_bardeen._series_values): within 2.5e-5 b^2 of sigma1 (the table's
    ~1e-8 over b_node^2 = 4e-4, times b^2) and 3e-6 of sigma2 (itself ~b^2) of scipy's
    adaptive quadrature; the fixed quadrature it replaces was 3e-8 off sigma1 at b = 1e-5."""
    w = np.array([0.5, 2.0, 10.0, 60.0])
    s1, s2 = mb._Reduced(w / b, b).sigma
    e1, e2 = mb.reduced_conductivity(w / b, np.full(w.shape, b), exact=True)
    assert np.all(w >= mb.SERIES_X * mb.SERIES_VALUE_B[1])     # all on the series
    assert np.allclose(s1, e1, rtol=0, atol=2.5e-5 * b ** 2 + 1e-13)
    assert np.allclose(s2, e2, rtol=3e-6, atol=0)


@pytest.mark.parametrize("kind", ["tanh", "bcs"])
@pytest.mark.parametrize("t", [0.5, 0.99, 1 - 1e-6])
def test_gap_square_derivative_is_the_slope_of_the_gap_squared(kind, t):
    T = t * TC
    h = 1e-3 * (TC - T)

    def sq(x):
        return bcs.gap(x, TC, 1.76, kind) ** 2

    central = lambda s: (sq(T + s) - sq(T - s)) / (2 * s)     # noqa: E731
    ref = central(h) + (central(h) - central(2 * h)) / 3
    got = bcs.gap_square_derivative(T, TC, 1.76, kind)
    assert got == pytest.approx(ref, rel=1e-6)
    if t == 0.5:
        assert got == pytest.approx(2 * bcs.gap(T, TC, 1.76, kind)
                                    * bcs.gap_derivative(T, TC, 1.76, kind), rel=1e-12)


def test_tanh_gap_square_derivative_at_tc_is_the_closed_form():
    """Delta^2 -> Delta0^2 1.74^2 (Tc/T - 1) at Tc: the slope -Delta0^2 1.74^2 / Tc."""
    delta0 = 1.76 * kB * TC
    got = bcs.gap_square_derivative(np.nextafter(TC, 0.0), TC, 1.76, "tanh")
    assert got == pytest.approx(-delta0 ** 2 * 1.74 ** 2 / TC, rel=1e-12)


NETLIST = """* Dey Fig. 2(a) network, r = 36: T_S swept onto Tc
.model ti mb(tc=0.4 gapratio=1.76)
TS  S 300m
TD  D 30m
RN  a b 2.857 temp=S
STI b c ti R0=102.852 temp=S
RD1 c a 2.857 temp=D
.sweep TS list {points}
.print Q(S,D) D(Q(S,D),TS)
"""


def test_d_at_a_swept_point_within_rounding_of_tc_is_the_one_sided_derivative():
    """0.39999999999999997 (what 0.05 + 70 x 0.005 gives) is below Tc: D() there is the
    left derivative, the limit of the points before it; at Tc and above, the right one.
    Before, the central difference across Tc printed their mean (-2.30e-14 W/K at both).
    The references: secants of Q(S,D) over T_S on each side, Richardson-extrapolated (Q is
    smooth in Tc - T on each side: Delta^2 ~ Tc - T); D() of a photonic heat differences Q
    over 1e-5 of T, where Q's photon_rtol (1e-8) leaves ~1e-3 of it."""
    below = float(np.nextafter(TC, 0.0))
    h = 4e-5 * TC
    points = [TC * (1 - 1e-6), below, TC, TC * (1 + 1e-9),
              TC - h, TC - 2 * h, TC + h, TC + 2 * h]
    text = NETLIST.format(points=" ".join(repr(p) for p in points))
    c = thermnet.parse(text).run()[0].columns
    dq, q = c["D(Q(S,D),TS)"], c["Q(S,D)"]
    left = 2 * (q[2] - q[4]) / h - (q[2] - q[5]) / (2 * h)
    right = 2 * (q[6] - q[2]) / h - (q[7] - q[2]) / (2 * h)
    assert left < 0 < right              # the film's NDTC side, the normal side
    assert dq[0] == pytest.approx(left, rel=3e-3)
    assert dq[1] == pytest.approx(left, rel=3e-3)
    assert dq[2] == pytest.approx(right, rel=3e-3)
    assert dq[3] == pytest.approx(right, rel=3e-3)


def test_d_next_to_tc_does_not_depend_on_the_points_before():
    """Within ~1e-6 of Tc a photon grid has no room (its kink appears or vanishes there):
    each point of D()'s stencil gets a grid of its own.  With the grid of the state alone,
    D() at the last float below Tc was +3.1e-14 or -8.5e-14 W/K depending on which points the
    sweep had solved before (the grids it kept)."""
    below = float(np.nextafter(TC, 0.0))
    got = []
    for points in ([TC * (1 - 2e-5), TC * (1 - 1e-5), below], [below]):
        text = NETLIST.format(points=" ".join(repr(p) for p in points))
        got.append(thermnet.parse(text).run()[0].columns["D(Q(S,D),TS)"][-1])
    assert got[0] < 0
    assert got[0] == pytest.approx(got[1], rel=1e-3)


@pytest.mark.parametrize("t_s", [0.3, 0.395])
def test_d_of_a_heat_along_a_source_is_the_slope_of_the_heat(t_s):
    """D(Q(S,D),TS) away from Tc comes from the link's own dQ/dT (Probe.q_slope), not a
    difference; the reference: Richardson-extrapolated central secants of the printed Q."""
    h = 2e-3 * t_s
    points = [t_s, t_s - h, t_s + h, t_s - 2 * h, t_s + 2 * h]
    text = NETLIST.format(points=" ".join(repr(p) for p in points))
    c = thermnet.parse(text).run()[0].columns
    q = c["Q(S,D)"]
    ref = (8 * (q[2] - q[1]) - (q[4] - q[3])) / (12 * h)
    assert c["D(Q(S,D),TS)"][0] == pytest.approx(ref, rel=1e-5)


class _Kinks:
    """The two attributes of a HeatBalance that kink_side reads: films with Tc = 0.4 K at
    nodes 0 and 1."""
    kink_idx = np.array([0, 1])
    kink_T = np.array([TC, TC])


COLUMN = SimpleNamespace(column="D(Q(A,B),TS)")


@pytest.mark.parametrize("T, move, side", [
    ((0.39, 0.2), (1e-5, 1e-5), 0),                      # no Tc within the step: central
    ((TC - 1e-9, 0.2), (1e-5, 1e-5), -1),                # below Tc, moving up: step down
    ((TC - 1e-9, 0.2), (-1e-5, 0.0), 1),                 # ... moving down: the + side
    ((TC, 0.2), (1e-5, 1e-5), 1),                        # at Tc: the normal side
    ((TC - 1e-9, TC - 1e-9), (1e-5, 1e-5), -1),          # two nodes, the same side
])
def test_kink_side_keeps_each_node_on_its_side_of_tc(T, move, side):
    assert kink_side(_Kinks(), np.array(T), np.array(move), COLUMN) == side


def test_kink_side_fails_where_two_nodes_need_opposite_sides():
    with pytest.raises(ConvergenceError, match="opposite sides"):
        kink_side(_Kinks(), np.array([TC - 1e-9, TC]), np.array([1e-5, 1e-5]), COLUMN)


# --- the BCS electron-phonon heat next to Tc (electron_phonon._near_tc_derivatives) -------
SIGMA_V = 1e9 * 1e-19


@pytest.mark.parametrize("tb", [0.1, 0.39])
@pytest.mark.parametrize("eps", [1e-4, 4e-5, 1e-5])
def test_eph_bcs_slope_next_to_tc_agrees_with_differences_of_the_heat(tb, eps):
    """Against Richardson-extrapolated central differences of the heat (fixed quadrature
    there, ~1e-10) within 1e-4 (before: the table's slope in b, 2.8e-4 off at 1e-4 from Tc
    and 20 % at 2e-7; a difference across Tc within 1e-7 of it, 8.7 %)."""
    T = TC * (1 - eps)

    def central(h):
        return (ep.bcs_heat(T + h, tb, 1e9, 1e-19, TC, 1.764)
                - ep.bcs_heat(T - h, tb, 1e9, 1e-19, TC, 1.764)) / (2 * h)

    h = 0.25 * eps * TC
    ref = central(h) + (central(h) - central(2 * h)) / 3
    got = ep.bcs_heat_derivatives(T, tb, 1e9, 1e-19, TC, 1.764)[0]
    assert got == pytest.approx(ref, rel=1e-4)


@pytest.mark.parametrize("tb", [0.1, 0.39])
def test_eph_bcs_slope_reaches_the_closed_form_left_limit_at_tc(tb):
    """At Tc-: dQ/dT = Sigma V (5 Tc^4 - (Tc^5 - Tb^5) G(Tb/Tc) (1.764 x 1.74)^2 / Tc) with
    D = 1 + b^2 G and Delta^2 -> Delta0^2 1.74^2 (Tc/T - 1) (tanh law); G from scipy's
    adaptive quadrature of D at b = 0.01 (its b^4 term ~2e-5 of G there)."""
    G = (ep.heat_ratio(0.01, tb / TC, exact=True) - 1.0) / 0.01 ** 2
    limit = SIGMA_V * (5 * TC ** 4 - (TC ** 5 - tb ** 5) * G * (1.764 * 1.74) ** 2 / TC)
    for T in (TC * (1 - 1e-8), float(np.nextafter(TC, 0.0))):
        got = ep.bcs_heat_derivatives(T, tb, 1e9, 1e-19, TC, 1.764)[0]
        assert got == pytest.approx(limit, rel=1e-4)
    # the right side: the normal state's 5 Sigma V Tc^4
    assert ep.bcs_heat_derivatives(TC, tb, 1e9, 1e-19, TC, 1.764)[0] == \
        pytest.approx(5 * SIGMA_V * TC ** 4, rel=1e-14)
