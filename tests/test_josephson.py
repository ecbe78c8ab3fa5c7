"""Josephson junction and dc SQUID (``J``, models ``jj``, ``squid``): the SQUID heat valve's
Q(flux) against Dey et al. Eq. 3 integrated here (scipy.integrate.quad) with the closed-form
transmission 4 R1 R2 / |R1 + R2 + i omega L(flux)|^2; periodicity in flux; the modulation
depth against Ic; Ambegaokar-Baratoff Ic(T); the open circuit at half a flux quantum; a
resonator valve against a nodal analysis written here; located errors."""
import math
import os

import numpy as np
import pytest
from scipy import integrate

import thermnet
from thermnet.errors import NetlistError
from thermnet.model.balance import HeatBalance
from thermnet.physics.constants import e, h, hbar, kB

PHI0 = h / (2 * e)
NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")


def bose_diff(E, Ta, Tb):
    return 1.0 / math.expm1(E / (kB * Ta)) - 1.0 / math.expm1(E / (kB * Tb))


def q_of_tau(tau, Ta, Tb, points=()):
    """Dey et al. Eq. 3: Q = int_0^inf dE/(2 pi hbar) E tau(E) [n(E,Ta) - n(E,Tb)]."""
    top = 60 * kB * max(Ta, Tb)
    edges = sorted({0.0, *[p for p in points if 0 < p < top], top})
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        total += integrate.quad(lambda E: E * tau(E) * bose_diff(E, Ta, Tb) / (2 * np.pi * hbar),
                                a, b, epsabs=0, epsrel=1e-11, limit=500)[0]
    return total


def squid_L(ic, f, d=0.0, lloop=0.0):
    """Tinkham Sec. 6.4.1: Ic_eff = 2 Ic sqrt(cos^2 pi f + d^2 sin^2 pi f); + lloop/4."""
    ieff = 2 * ic * math.sqrt(math.cos(math.pi * f) ** 2 + (d * math.sin(math.pi * f)) ** 2)
    return PHI0 / (2 * math.pi * ieff) + lloop / 4


def valve(ic, fl, R1=20.0, R2=20.0, extra="", Ta=0.15, Tb=0.05):
    return f"""
.model sq squid(ic={ic} flux={fl} {extra})
TS S {Ta}
TD D {Tb}
RS a b {R1} temp=S
J1 b c sq
RD c e {R2} temp=D
J2 e a sq
.print Q(S,D)
"""


def q_valve(ic, fl, **kw):
    return thermnet.parse(valve(ic, fl, **kw)).run()[0].columns["Q(S,D)"]


def q_closed(ic, fl, R1=20.0, R2=20.0, d=0.0, lloop=0.0, Ta=0.15, Tb=0.05):
    L = 2 * squid_L(ic, fl, d, lloop)             # two SQUIDs in series in the loop

    def tau(E):
        return 4 * R1 * R2 / abs(R1 + R2 + 1j * (E / hbar) * L) ** 2
    return q_of_tau(tau, Ta, Tb)


@pytest.mark.parametrize("fl", [0.0, 0.2, 0.4, 0.45, 0.49])
def test_valve_against_closed_form(fl):
    ic = 0.2e-6
    assert q_valve(ic, fl) == pytest.approx(q_closed(ic, fl), rel=1e-7)


def test_asymmetric_squid_with_loop_inductance():
    ic, d, ll = 0.2e-6, 0.2, 2e-9
    got = q_valve(ic, 0.5, extra=f"asym={d} lloop={ll}")
    assert got == pytest.approx(q_closed(ic, 0.5, d=d, lloop=ll), rel=1e-7)
    assert got > 0


def test_half_flux_quantum_is_an_open_circuit():
    """A symmetric SQUID at f = 1/2 has Ic_eff = 0: Y = 0 exactly, Q = 0 (no NaN), and Q
    falls continuously towards it (as kB dT R1 R2 / ((R1 + R2) L) once hbar R/L << kB T)."""
    assert q_valve(0.2e-6, 0.5) == 0.0
    near = [q_valve(0.2e-6, 0.5 - x) for x in (1e-2, 1e-3)]
    assert near[1] < near[0] and near[1] == pytest.approx(q_closed(0.2e-6, 0.499), rel=1e-7)


def test_periodic_and_even_in_flux():
    base = [q_valve(0.5e-6, f) for f in (0.1, 0.3)]
    for shift in (1.0, -1.0, 3.0):
        assert q_valve(0.5e-6, 0.1 + shift) == pytest.approx(base[0], rel=1e-10)
    assert q_valve(0.5e-6, -0.3) == pytest.approx(base[1], rel=1e-10)
    assert q_valve(0.5e-6, 0.7) == pytest.approx(base[1], rel=1e-10)


def test_modulation_depth_falls_with_ic():
    """Depth 1 - Q(0.4)/Q(0): a larger Ic makes omega L_J small against R, so the flux
    matters less (Meschke et al. 2006: modulation set by omega_T L_J / R)."""
    depths = []
    for ic in (0.1e-6, 0.4e-6, 1.6e-6):
        got = 1 - q_valve(ic, 0.4) / q_valve(ic, 0.0)
        ref = 1 - q_closed(ic, 0.4) / q_closed(ic, 0.0)
        assert got == pytest.approx(ref, rel=1e-6)
        depths.append(got)
    assert depths[0] > depths[1] > depths[2] > 0


def test_ambegaokar_baratoff_ic_of_t():
    """Ic Rn = (pi Delta / 2e) tanh(Delta / 2 kB T), Delta from the tanh gap law written here
    (Dey et al. below Eq. 6); 0 at and above Tc (an open junction)."""
    net = thermnet.parse("""
TB bath 30m
TA A 0.1
.model jx jj(rn=2k tc=1.2)
J1 n1 n2 jx temp=A phase=0.5
RX n1 n2 20 temp=bath
RY n1 n2 30 temp=A
""")
    j = net.circuit().flat.elements["j1"]
    d0 = 1.764 * kB * 1.2
    for T in (0.05, 0.6, 1.0, 1.19):
        delta = d0 * math.tanh(1.74 * math.sqrt(1.2 / T - 1))
        ic = math.pi * delta / (2 * e * 2000) * math.tanh(delta / (2 * kB * T))
        k = 2 * math.pi * ic * math.cos(0.5) / PHI0
        assert j.inverse_inductance(T) == pytest.approx(k, rel=1e-12)
        E = np.array([1e-24])
        assert j.admittance(E, T)[0] == pytest.approx(k / (1j * E[0] / hbar), rel=1e-12)
    assert j.inverse_inductance(1.2) == 0.0 and j.inverse_inductance(2.0) == 0.0
    assert np.all(j.admittance(np.array([1e-24, 1e-22]), 1.5) == 0)


@pytest.mark.parametrize("loop", [
    "RS a b 20ohm temp=S\nJ1 b c jx temp=D\nRD c a 20ohm temp=D\n",
    # two junctions: the nodes between them a floating group (photonic._gauged_transfer)
    "RS a b 20ohm temp=S\nJ1 b c jx temp=D\nRD c e 20ohm temp=D\nJ2 e a jx temp=S\n"],
    ids=["one-junction", "valve-floating-group"])
def test_jacobian_with_a_temperature_dependent_junction(loop):
    """dF/dT with Ic(T) moving (dW = -W dY W through the junction) against central
    differences of the residual taken here."""
    net = thermnet.parse("""
.model cu eph(sigma=2e9 n=5)
.model jx jj(rn=300 tc=0.3)
TB bath 50m
PS S 20f
ES S bath cu vol=2e-20
ED D bath cu vol=2e-20
""" + loop)
    c = net.circuit()
    bal = HeatBalance(c, c.flat.options)
    Tf = np.array([0.2, 0.17])
    bal.choose_grids(bal.full(Tf))
    F, S, dF, _ = bal.residual_jacobian(Tf)
    for j in range(2):
        step = 1e-6 * Tf[j]
        hi, lo = Tf.copy(), Tf.copy()
        hi[j] += step
        lo[j] -= step
        ref = (bal.residual(hi)[0] - bal.residual(lo)[0]) / (2 * step)
        np.testing.assert_allclose(dF[:, j] * Tf[j], ref * Tf[j], atol=1e-7 * S.max())


def test_flux_sweeps_by_element_parameter():
    """``.sweep J1.flux`` moves J1's flux only (J2 keeps the model's): as the card
    ``J1 b c sq flux=F``, and the loop inductance L(F)/2 + L(0)/2 of the closed form."""
    text = valve(0.3e-6, 0).replace(".print", ".sweep J1.flux 0 0.4 3\n.print")
    got = thermnet.parse(text).run()[0].columns["Q(S,D)"]
    for f, q in zip((0.0, 0.2, 0.4), got):
        card = thermnet.parse(valve(0.3e-6, 0).replace("J1 b c sq", f"J1 b c sq flux={f}"))
        assert q == pytest.approx(card.run()[0].columns["Q(S,D)"], rel=1e-10)
        L = squid_L(0.3e-6, f) + squid_L(0.3e-6, 0.0)
        ref = q_of_tau(lambda E: 1600 / abs(40 + 1j * (E / hbar) * L) ** 2, 0.15, 0.05)
        assert q == pytest.approx(ref, rel=1e-7)


def test_shipped_meschke_valve():
    # the fold check of a plain sweep follows the branch into the corner of a symmetric
    # SQUID's |cos(pi flux)| at half a flux quantum from both sides (solve/folds._arrives):
    # one branch, no fold, no warning (the test runs with warnings as errors)
    res = thermnet.load(os.path.join(NETLISTS, "meschke2006_valve.net")).run()[0]
    assert res.warnings == []
    assert res.folds == []
    q, fl = res.columns["Q(S,D)"], res.columns["fl"]
    assert res.converged.all() and fl[20] == 0.5
    assert q.argmin() == 20 and q.max() == pytest.approx(q[0], rel=1e-9) and \
        q[20] < 0.5 * q[0]                                           # minimum at 1/2
    np.testing.assert_allclose(q, q[::-1], rtol=1e-8)       # even about f = 1/2


def nodal_tau(E, R1, R2, cc, c1, L):
    """tau between RS (a-0) and RD (c-0) through CC1 a-b, C1 || L at b, CC2 b-c: the
    3-node admittance matrix solved here."""
    w = E / hbar
    yc, y1, yl = 1j * w * cc, 1j * w * c1, 1 / (1j * w * L)
    Y = np.array([[1 / R1 + yc, -yc, 0], [-yc, 2 * yc + y1 + yl, -yc], [0, -yc, 1 / R2 + yc]])
    Z = np.linalg.inv(Y)
    return 4 / (R1 * R2) * abs(Z[0, 2]) ** 2


@pytest.mark.parametrize("fl", [0.0, 0.5])
def test_resonator_valve_against_nodal_analysis(fl):
    with open(os.path.join(NETLISTS, "ronzani2018_valve.net")) as fh:
        text = fh.read()
    for old, new in (("PS S 10f", ""), ("ES S bath cu vol=2e-20", "TS S 0.2"),
                     (".sweep fl 0 1 41", ""), (".param fl=0", f".param fl={fl}")):
        assert old in text
        text = text.replace(old, new)
    got = thermnet.parse(text).run()[0].columns
    Ts, Td = 0.2, got["T(D)"]
    L = squid_L(50e-9, fl, 0.1)
    E0 = hbar / math.sqrt(L * 300e-15)
    ref = q_of_tau(lambda E: nodal_tau(E, 50.0, 50.0, 50e-15, 300e-15, L), Ts, Td, [E0])
    assert got["Q(S,D)"] == pytest.approx(ref, rel=1e-7)


@pytest.mark.parametrize("card,message", [
    (".model jx jj(ic=1u)\nJ1 n1 n2 jx phase=2", "phase must be from -pi/2"),
    (".model jx jj(rn=1k)\nJ1 n1 n2 jx temp=A", "needs ic="),
    (".model jx jj(ic=1u rn=1k tc=1)\nJ1 n1 n2 jx", "not both"),
    (".model jx jj(rn=1k tc=1)\nJ1 n1 n2 jx", "needs temp=NODE"),
    (".model sq squid(ic=1u asym=1.5)\nJ1 n1 n2 sq", "asym must be from 0 to 1"),
    (".model sq squid(ic=1u)\nJ1 n1 n2 sq flux=x", "flux"),
])
def test_errors_are_located(card, message):
    text = f"TB bath 30m\nTA A 0.1\n{card}\nRX n1 n2 20 temp=bath\nRY n1 n2 30 temp=A\n"
    with pytest.raises(NetlistError) as exc:
        thermnet.parse(text)
    assert message in exc.value.message and exc.value.span is not None
    assert exc.value.span.line in (3, 4)


def test_derivative_with_respect_to_an_element_parameter():
    """D(Q(S,D), J1.flux) (no sweep of it: the value comes from the card) against a central
    difference of Q over separate runs with J1's flux on its card."""
    text = valve(0.3e-6, 0).replace(".print Q(S,D)", ".print Q(S,D) D(Q(S,D),J1.flux)")
    text = text.replace("J1 b c sq", "J1 b c sq flux=0.3")
    got = thermnet.parse(text).run()[0].columns["D(Q(S,D),J1.flux)"]
    h = 1e-4
    q = [thermnet.parse(valve(0.3e-6, 0).replace("J1 b c sq", f"J1 b c sq flux={f}"))
         .run()[0].columns["Q(S,D)"] for f in (0.3 + h, 0.3 - h)]
    assert got == pytest.approx((q[0] - q[1]) / (2 * h), rel=1e-6)
