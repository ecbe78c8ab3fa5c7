"""Proximity wires (``W``, models ``prox`` and ``andreev``) at the netlist level: the shipped
Bezuglyi & Vinokur (2003) netlists reproduce the paper's claims (docs/validation/bezuglyi2003.md),
the print quantities KAPPA / KRATIO / GE / GRATIO mean what docs/language.md says, and bad
input gives a NetlistError at the right line and column.

BV03 = E. V. Bezuglyi and V. M. Vinokur, Phys. Rev. Lett. 91, 137002 (2003).
"""
from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest
from scipy.integrate import quad

import thermnet
from thermnet import NetlistError
from thermnet.cli import main
from thermnet.physics import bcs
from thermnet.physics import proximity as P
from thermnet.physics.constants import L0, e, hbar, kB

HERE = os.path.dirname(os.path.abspath(__file__))
NETLISTS = os.path.join(HERE, "..", "netlists")
GAPRATIO = 1.764           # the netlists' (default) Delta0/(kB Tc); Tc = 1 K in all three


def shipped(name):
    return os.path.join(NETLISTS, name)


def slope(T, y, lo, hi):
    """Least-squares exponent of y ~ T^n over lo <= T <= hi (and the number of points)."""
    m = (T >= lo) & (T <= hi)
    return float(np.polyfit(np.log(T[m]), np.log(y[m]), 1)[0]), int(m.sum())


# ---- shipped netlists ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fig3():
    """{r: columns} of netlists/bezuglyi2003_fig3.net (Fig. 3: ln = 10, r = 0, 0.1, 1, 10)."""
    res = thermnet.load(shipped("bezuglyi2003_fig3.net")).run()
    assert res.ok
    return {x.step["r"]: x.columns for x in res}


@pytest.fixture(scope="module")
def powerlaw():
    res = thermnet.load(shipped("bezuglyi2003_powerlaw.net")).run()
    assert res.ok and len(res) == 1
    return res[0].columns


PHASES16 = (0, 8, 12, 14, 15, 16, 17, 18, 20, 24, 32)      # phases in units of pi/16


@pytest.fixture(scope="module")
def fig4():
    """{T: columns} of netlists/bezuglyi2003_fig4.net with 11 of its 25 phases (each new
    |cos(phi/2)| needs its own Usadel table: ~2.5 s on first use)."""
    with open(shipped("bezuglyi2003_fig4.net"), encoding="utf-8") as fh:
        text = fh.read()
    text, n = re.subn(r"(?m)^\.sweep ph list .*\n(\+.*\n)*", ".sweep ph list " + " ".join(
        f"{{{k}*pi/16}}" for k in PHASES16) + "\n", text)
    assert n == 1
    res = thermnet.parse(text, shipped("bezuglyi2003_fig4.net")).run()
    assert res.ok
    return {x.step["T"]: x.columns for x in res}


def test_fig3_netlist_is_the_kernel_at_equal_temperatures(fig3):
    """KRATIO/GRATIO of a wire with both reservoirs at T and ts defaulting to the mean are
    BV03 Eq. (4) and Eq. (6) -- the curves of Fig. 3 -- and KRATIO of the andreev model is the
    dashed Andreev curve."""
    assert sorted(fig3) == [0.0, 0.1, 1.0, 10.0]
    for r, c in fig3.items():
        T = c["T"]
        assert len(T) == 81 and T[0] == pytest.approx(3e-4) and T[-1] == pytest.approx(1.0)
        np.testing.assert_allclose(c["KRATIO(W1)"], P.kappa_ratio(T, 1.0, 10.0, r),
                                   rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(c["GRATIO(W1)"], P.conductance_ratio(T, 1.0, 10.0, r),
                                   rtol=1e-12)
        np.testing.assert_allclose(c["KRATIO(W2)"], P.andreev_kappa_ratio(T, 1.0),
                                   rtol=1e-6, atol=1e-10)


def test_fig3_kappa_falls_with_temperature_and_with_r(fig3):
    """BV03 text after Fig. 3: small r (a well-conducting S lead) suppresses kappa more."""
    for r in (0.1, 1.0, 10.0):
        k = fig3[r]["KRATIO(W1)"]
        assert np.all(np.diff(k) > 0)
        assert k[-1] == pytest.approx(1.0, abs=1e-6)   # at Tc (T +- 1e-5 T straddles Tc)
    at = np.searchsorted(fig3[1.0]["T"], 0.05)
    assert fig3[1.0]["T"][at] == pytest.approx(0.0528, abs=1e-4)
    values = [fig3[r]["KRATIO(W1)"][at] for r in (0.0, 0.1, 1.0, 10.0)]
    assert np.all(np.diff(values) > 0)
    # at T = 0.0528 Tc: 0 (rigid), 0.175, 0.439, 0.786 of kappa_N
    assert values == pytest.approx([0.0, 0.175, 0.439, 0.786], abs=0.002)


def test_fig3_power_law_below_T0(fig3):
    """BV03 after Eq. 12: kappa ~ kappa_N T/T0 below T0 = Delta xi0/(L_N sqrt r).  At
    ln = 10 only r = 0.1 has a window between 3 E_Th and T0/3 (0.106-0.186 Tc): there
    kappa/kappa_N ~ T^0.9, kappa = KRATIO * L0 T gn ~ T^1.9 (the paper prints T^4: see
    docs/validation/bezuglyi2003.md)."""
    c = fig3[0.1]
    T0, eth = GAPRATIO / (10 * math.sqrt(0.1)), 2 * GAPRATIO / 10 ** 2
    n_ratio, npts = slope(c["T"], c["KRATIO(W1)"], 3 * eth, T0 / 3)
    assert npts >= 5
    assert n_ratio == pytest.approx(0.90, abs=0.05)
    n_kappa, _ = slope(c["T"], c["KRATIO(W1)"] * c["T"], 3 * eth, T0 / 3)
    assert n_kappa == pytest.approx(1 + n_ratio, abs=1e-9)


def test_power_law_exponents_of_a_long_wire(powerlaw):
    """netlists/bezuglyi2003_powerlaw.net (ln = 100, r = 0.1): kappa ~ T^2 (kappa/kappa_N ~
    T/T0) over a decade below T0, and one power slower (kappa ~ T, kappa/kappa_N -> const)
    below E_Th.  BV03 state T^4 and T^3 ("decreases slower"): the drop by one power agrees,
    the absolute exponents are BV03's own estimate kappa ~ kappa_N T/T0 with kappa_N ~ T."""
    T, kappa, ratio = powerlaw["T"], powerlaw["KAPPA(W1)"], powerlaw["KRATIO(W1)"]
    np.testing.assert_allclose(kappa, ratio * L0 * T * 1e-3, rtol=1e-12)
    T0, eth = GAPRATIO / (100 * math.sqrt(0.1)), 2 * GAPRATIO / 100 ** 2
    n_mid, npts = slope(T, kappa, 3 * eth, T0 / 3)
    assert npts >= 15
    assert n_mid == pytest.approx(1.92, abs=0.04)
    assert abs(n_mid - 4) > 1.5                     # not the printed T^4
    n_low, npts = slope(T, kappa, eth / 100, eth / 10)
    assert npts >= 5
    assert n_low == pytest.approx(1.0, abs=0.01)
    assert n_mid - n_low == pytest.approx(0.92, abs=0.05)   # "decreases slower": one power less
    local = np.gradient(np.log(kappa), np.log(T))
    m = (T >= 3 * eth) & (T <= T0 / 3)
    assert local[m].max() == pytest.approx(2.07, abs=0.02)     # at ~5 E_Th
    assert local[m].min() > 1.65
    g = powerlaw["GRATIO(W1)"]
    assert g.max() == pytest.approx(1.095, abs=1e-3) and 6e-3 < T[np.argmax(g)] < 9e-3
    assert g[0] - 1 < 1e-6
    # kappa/kappa_N = C T/T0 in the window (BV03: "~").  With 1/R_Q = E/(2 T0) (Eq. 12, the
    # factor 2 from both arms), Eq. (4) gives C = 12/pi^2 int u^3 sech^2 u du = 27 zeta(3)/
    # (2 pi^2) = 1.644 for E_Th << T << T0; the window's finite ratios keep C below it.
    m = (T >= 3 * eth) & (T <= T0 / 3)
    C = ratio[m] * T0 / T[m]
    assert 1.1 < C.min() and 1.45 < C.max() < 27 * 1.2020569 / (2 * math.pi ** 2)
    # T -> 0: kappa/kappa_N -> 1/R_Q(0) = phi/tan(phi), sqrt(r) phi/ln = sin(pi/4 - phi/2)
    # (exact E = 0 solution, docs/physics-proximity.md); ~ pi^2 sqrt(r)/(2 ln), the E_Th/T0
    # saturation of BV03.
    from scipy.optimize import brentq
    phi = brentq(lambda p: math.sqrt(0.1) * p / 100 - math.sin(math.pi / 4 - p / 2), 0, 1.6)
    assert ratio[0] == pytest.approx(phi / math.tan(phi), rel=2e-3)
    assert ratio[0] == pytest.approx(math.pi ** 2 * math.sqrt(0.1) / 200, rel=0.03)


def test_fig3_reentrant_conductance(fig3):
    """BV03: "as T decreases, G(T) approaches maximum and then returns to G_N"; the peak is
    reduced for large r."""
    peaks = []
    for r in (0.0, 0.1, 1.0, 10.0):
        T, g = fig3[r]["T"], fig3[r]["GRATIO(W1)"]
        k = int(np.argmax(g))
        assert 0.2 < T[k] < 0.8                       # interior maximum
        assert g[k] > 1.05
        assert np.all(np.diff(g[:k + 1]) > 0) and np.all(np.diff(g[k:]) < 0)
        assert 0 < g[0] - 1 < 1e-6                    # back to G_N at T = 3e-4 Tc
        assert g[-1] == 1.0                           # normal at Tc
        peaks.append(g[k])
    assert np.all(np.diff(peaks) < 0)
    assert peaks == pytest.approx([1.205, 1.171, 1.123, 1.059], abs=0.003)
    where = [fig3[r]["T"][int(np.argmax(fig3[r]["GRATIO(W1)"]))] for r in (0.0, 0.1, 1.0, 10.0)]
    np.testing.assert_allclose(where, [0.67, 0.54, 0.40, 0.27], rtol=0.06)   # 81-point grid


def test_fig3_quantum_kappa_exceeds_andreev_model(fig3):
    """BV03: "for all reasonable values of r, our quantum model gives the magnitude of kappa
    considerably larger than that due to the classic model".  Holds for r >= 0.1 below
    0.95 Tc; the rigid contact r = 0 blocks the sub-gap heat like the Andreev barrier and in
    addition suppresses the above-gap heat (R_Q > 1), so it lies (slightly) below."""
    A = fig3[0.1]["KRATIO(W2)"]
    for r in (0.1, 1.0, 10.0):
        k, T = fig3[r]["KRATIO(W1)"], fig3[r]["T"]
        below = T < 0.95
        assert np.all(k[below] > A[below])
        pos = below & (A > 0)
        assert np.min(k[pos] / A[pos]) > 1.03
        assert np.all(k >= A - 2e-7)
        at = np.searchsorted(T, 0.3)                  # T = 0.30 Tc: Andreev 0.085
        assert k[at] > 5 * A[at]
    k0 = fig3[0.0]["KRATIO(W1)"]
    assert np.all(k0 <= A)
    mid = (fig3[0.0]["T"] > 0.2) & (fig3[0.0]["T"] < 0.9)
    assert np.all(k0[mid] > 0.9 * A[mid])            # ... but close to it


def test_fig4_phase_dependence(fig4):
    """BV03 Fig. 4: kappa(phi) oscillates full-scale with sharp peaks at phi = pi, where it is
    kappa_N; G(phi) has dips at the same points with a much lower amplitude."""
    assert sorted(fig4) == [0.1, 0.2, 0.3, 0.5]
    pi_at = PHASES16.index(16)
    for T, c in fig4.items():
        ph, k, g = c["ph"], c["KRATIO(W1)"], c["GRATIO(W1)"]
        np.testing.assert_allclose(ph, np.array(PHASES16) * math.pi / 16, rtol=1e-15)
        assert int(np.argmax(k)) == pi_at and k[pi_at] == pytest.approx(1.0, abs=1e-9)
        assert np.all(np.diff(k[:pi_at + 1]) > 0) and np.all(np.diff(k[pi_at:]) < 0)
        np.testing.assert_allclose(k, k[::-1], rtol=1e-9)          # kappa(2 pi - phi)
        np.testing.assert_allclose(g, g[::-1], rtol=1e-9)
        assert g[pi_at] == pytest.approx(1.0, abs=1e-12)           # dip to G_N at pi
        assert np.all(np.delete(g, pi_at) > 1.03)
        assert g[pi_at - 1] > g[pi_at] + 0.05                      # ... a sharp one
        assert np.ptp(g) < 0.5 * np.ptp(k)                         # lower amplitude
        # phi = 0 is the plain rigid wire (r = 0) of Fig. 3 at the same T
        assert k[0] == pytest.approx(float(P.kappa_ratio(T, 1.0, 10.0, 0.0)), rel=1e-6)
    # kappa/kappa_N at phi = 0, pi/2, 3 pi/4, 7 pi/8 (docs/validation/bezuglyi2003.md)
    table = {0.1: (3.96e-6, 3.63e-4, 0.0382, 0.3715), 0.2: (0.0080, 0.0579, 0.3812, 0.8045),
             0.3: (0.0789, 0.2477, 0.6677, 0.9244), 0.5: (0.4016, 0.6418, 0.9001, 0.9818)}
    for T, want in table.items():
        got = fig4[T]["KRATIO(W1)"][[0, 1, 2, 3]]
        np.testing.assert_allclose(got, want, rtol=0.02)
    # G rises towards pi before the dip: maximum at 15 pi/16 (0.1 Tc), 7 pi/8 (0.2 Tc)
    # (G is symmetric about pi: look at 0 <= phi <= pi, the mirror image ties to rounding)
    upto_pi = PHASES16.index(16) + 1
    assert PHASES16[int(np.argmax(fig4[0.1]["GRATIO(W1)"][:upto_pi]))] == 15
    assert PHASES16[int(np.argmax(fig4[0.2]["GRATIO(W1)"][:upto_pi]))] == 14
    assert fig4[0.1]["GRATIO(W1)"].max() == pytest.approx(1.2725, abs=1e-3)


# ---- what the print quantities mean ----------------------------------------------------------
WIRE = """.model wire prox(tc=1.2 ln=10 r=1)
.model barrier andreev(tc=1.2)
TB b 0.2
TS s 0.25
"""


def test_kappa_is_dP_dTA_with_the_gap_following_the_mean():
    """KAPPA(W) = dP/dT_A at fixed T_B.  With ts defaulting to (T_A + T_B)/2 the gap moves
    with T_A, so KAPPA = kappa(T_A; Delta(Ts)) + (1/2) dP/dTs; at T_A = T_B the second term
    vanishes (P = 0 for every gap).  Near Tc (T_A = 1.0, T_B = 0.8, Tc = 1.2) it is 0.3 %."""
    base = ".model wire prox(tc=1.2 ln=10 r=1)\nTB b 0.8\nTS s 0.9\n"
    h = 1e-4
    c = thermnet.parse(base + f"TA a 1.0\nW1 a b wire gn=10m\n.sweep TA list {1 - h} 1 {1 + h}\n"
                              ".print P(W1) KAPPA(W1)\n").run()[0].columns
    fd = (c["P(W1)"][2] - c["P(W1)"][0]) / (2 * h)
    assert c["KAPPA(W1)"][1] == pytest.approx(fd, rel=1e-6)
    # the same wire with the gap pinned at ts = 0.9 = the mean: same heat, no gap term
    c2 = thermnet.parse(base + f"TA a 1.0\nW2 a b wire gn=10m ts=s\n"
                               f".sweep TS list {0.9 - h} 0.9 {0.9 + h}\n"
                               ".print P(W2) KAPPA(W2)\n").run()[0].columns
    assert c2["P(W2)"][1] == pytest.approx(c["P(W1)"][1], rel=1e-12)
    gap_term = 0.5 * (c2["P(W2)"][2] - c2["P(W2)"][0]) / (2 * h)
    assert gap_term / c["KAPPA(W1)"][1] == pytest.approx(2.7e-3, rel=0.05)
    assert c["KAPPA(W1)"][1] == pytest.approx(c2["KAPPA(W2)"][1] + gap_term, rel=1e-6)


def test_heat_is_the_integral_of_kappa_at_fixed_gap():
    """With ts fixed, P(T_A, T_B) = int_{T_B}^{T_A} KAPPA dT_A' (the spectrum depends on
    Delta(Ts) only; docs/physics-proximity.md)."""
    net = WIRE + "TA a 0.3\nW1 a b wire gn=10m ts=s\n.sweep TA 0.2 0.3 41\n" \
                 ".print P(W1) KAPPA(W1)\n"
    c = thermnet.parse(net).run()[0].columns
    from scipy.integrate import simpson
    assert c["P(W1)"][0] == 0.0
    assert simpson(c["KAPPA(W1)"], x=c["TA"]) == pytest.approx(c["P(W1)"][-1], rel=1e-7)


def test_electric_conductance_with_unequal_reservoirs():
    """GE = gn * (1/2)[G/G_N(T_A) + G/G_N(T_B)] with the spectrum of Delta(Ts): BV03 Eqs. (2),
    (3), (5) with each reservoir's f- at its own temperature.  Checked against a direct
    quadrature of the spectral resistance R_I (BV03 Eq. 6 form)."""
    net = WIRE + "TA a 0.3\nW1 a b wire gn=10m ts=s\nW2 b b2 wire gn=10m\nTB2 b2 0.2\n" \
                 ".op\n.print GE(W1) GRATIO(W1) GE(W2) GRATIO(W2)\n"
    c = thermnet.parse(net).run()[0].columns
    assert c["GE(W1)"] == pytest.approx(10e-3 * c["GRATIO(W1)"], rel=1e-14)
    assert c["GRATIO(W2)"] == pytest.approx(P.conductance_ratio(0.2, 1.2, 10.0, 1.0), rel=1e-12)
    delta = float(bcs.gap(0.25, 1.2, GAPRATIO, "tanh"))               # Delta(Ts), J
    ln_eff = 10.0 * math.sqrt(delta / (GAPRATIO * kB * 1.2))

    def weight(E, T):                                  # sech^2(E/2kT)/(2kT), E in J
        x = E / (2 * kB * T)
        return 0.0 if x > 350 else 1.0 / (2 * kB * T * math.cosh(x) ** 2)

    def integrand(E):
        _, ri = P.spectral_resistances(np.array([E / delta]), ln_eff, 1.0)
        return 0.5 * (weight(E, 0.3) + weight(E, 0.2)) / ri[0]

    edges = [0.0, 0.5 * delta, 0.99 * delta, delta, 1.01 * delta, 2 * delta, 20 * kB * 0.3]
    ref = sum(quad(integrand, a, b, epsabs=0, epsrel=1e-9, limit=200)[0] for a, b in zip(edges, edges[1:]))
    assert ref > 1.05
    assert c["GRATIO(W1)"] == pytest.approx(ref, rel=1e-4)


def test_andreev_model_heat_closed_form():
    """P of the andreev model = (G_N/e^2) int_{E_g}^inf E [tanh(E/2kTb) - tanh(E/2kTa)] dE
    (BV03 Eq. 3 with 1/R_Q = Theta(E - E_g)); its KRATIO at equal T is the kernel's Andreev
    curve; E_g = Delta |cos(phase/2)|."""
    gn = 10e-3
    for phase in (0.0, 2.0):
        net = WIRE.replace("andreev(tc=1.2)", f"andreev(tc=1.2 phase={phase})") + \
            "TA a 0.3\nW1 a b barrier gn=10m ts=s\n.op\n.print P(W1)\n"
        p = thermnet.parse(net).run()[0].columns["P(W1)"]
        eg = float(bcs.gap(0.25, 1.2, GAPRATIO, "tanh")) * abs(math.cos(phase / 2))
        def f(E):
            return E * (math.tanh(E / (2 * kB * 0.2)) - math.tanh(E / (2 * kB * 0.3)))
        ref = gn / e ** 2 * quad(f, eg, eg + 80 * kB * 0.3, epsabs=0, epsrel=1e-12,
                                 limit=200)[0]
        assert p == pytest.approx(ref, rel=1e-9)
    net = WIRE + ".param T=0.3\nTA a {T}\nTC c {T}\nW1 a c barrier gn=10m\n" \
                 ".sweep T list 0.05 0.2 0.4 0.8 1.1 1.3\n.print KRATIO(W1)\n"
    c = thermnet.parse(net).run()[0].columns
    np.testing.assert_allclose(c["KRATIO(W1)"], P.andreev_kappa_ratio(c["T"], 1.2), rtol=1e-6)
    assert c["KRATIO(W1)"][-1] == pytest.approx(1.0, rel=1e-9)          # above Tc: WF


def test_andreev_kratio_out_of_equilibrium_is_the_slope_in_ta():
    """KRATIO = (d heat/d T_A at fixed T_B) / (L0 T_A G_N) (docs/language.md; BV03 Eq. 4):
    out of equilibrium it is not -(d heat/d T_B) / (L0 T_A G_N) (a mutation audit found the
    two interchangeable in the suite).  Andreev model (BV03 Eqs. 2-3 with 1/R_Q =
    Theta(E - E_g)): heat = 2 G_N (kB/e)^2 [Ta^2 J(Eg/kB Ta) - Tb^2 J(Eg/kB Tb)] with
    J(g) = int_g^inf u/(e^u + 1) du, whose slope in Ta is written below."""
    tc, ta, tb, ts, gn = 1.0, 0.3, 0.15, 0.2, 1e-3
    c = thermnet.parse(f"""
.model barrier andreev(tc={tc})
TA a {ta}
TB b {tb}
TS s {ts}
W1 a b barrier gn={gn} ts=s
.print KRATIO(W1)
""").run()[0].columns
    eg = 1.764 * tc * math.tanh(1.74 * math.sqrt(tc / ts - 1))   # E_g / kB (K), phase 0
    g = eg / ta
    j = quad(lambda u: u / (math.exp(u) + 1), g, 80, epsabs=0, epsrel=1e-13)[0]
    # d/dTa [Ta^2 J(eg/Ta)] = 2 Ta J(g) + Ta g^2 / (e^g + 1)   (J'(g) = -g/(e^g + 1))
    slope = 2 * gn * (kB / e) ** 2 * (2 * ta * j + ta * g * g / (math.exp(g) + 1))
    assert c["KRATIO(W1)"] == pytest.approx(slope / (L0 * ta * gn), rel=1e-6)


@pytest.mark.parametrize("model", ["wire", "barrier"])
def test_wire_contract(model):
    """Zero heat at equal temperatures, antisymmetric under port swap (ts default or fixed),
    Wiedemann-Franz above Tc."""
    net = WIRE + (f"TA a 0.3\nTC c 0.3\nW1 a b {model} gn=10m\nW2 b a {model} gn=10m\n"
                  f"W3 a b {model} gn=10m ts=s\nW4 b a {model} gn=10m ts=s\n"
                  f"W5 a c {model} gn=10m\n.op\n.print P(W1) P(W2) P(W3) P(W4) P(W5)\n")
    c = thermnet.parse(net).run()[0].columns
    assert c["P(W1)"] > 0 and c["P(W3)"] > 0
    assert c["P(W2)"] == pytest.approx(-c["P(W1)"], rel=1e-14)
    assert c["P(W4)"] == pytest.approx(-c["P(W3)"], rel=1e-14)
    assert c["P(W5)"] == 0.0
    hot = WIRE + f"TA a 2.0\nTC c 1.5\nW1 a c {model} gn=10m\n.op\n.print P(W1)\n"
    p = thermnet.parse(hot).run()[0].columns["P(W1)"]
    assert p == pytest.approx(0.5 * L0 * 10e-3 * (2.0 ** 2 - 1.5 ** 2), rel=1e-12)


def test_lengths_instead_of_ln():
    """prox(l=, d=): ln = l/xi0, xi0 = sqrt(hbar D_N/(2 Delta0)), Delta0 = gapratio kB Tc;
    an element's tc= changes xi0 accordingly."""
    length, d = 2e-6, 1e-2                       # 2 um of Au-like metal (D = 100 cm^2/s)
    xi0 = math.sqrt(hbar * d / (2 * GAPRATIO * kB * 1.2))
    assert length / xi0 == pytest.approx(14.9, abs=0.05)
    a = thermnet.parse(".model w prox(tc=1.2 l=2u d=1e-2 r=1)\nTA a 0.3\nTB b 0.2\n"
                       "W1 a b w gn=10m\n.op\n.print P(W1) GE(W1)\n").run()[0].columns
    b = thermnet.parse(f".model w prox(tc=1.2 ln={length / xi0!r} r=1)\nTA a 0.3\nTB b 0.2\n"
                       f"W1 a b w gn=10m\n.op\n.print P(W1) GE(W1)\n").run()[0].columns
    assert a == pytest.approx(b, rel=1e-12)
    c = thermnet.parse(".model w prox(tc=1.2 l=2u d=1e-2 r=1)\nTA a 0.3\nTB b 0.2\n"
                       "W1 a b w gn=10m tc=1.0\n.op\n.print P(W1)\n").run()[0].columns
    ln1 = length / math.sqrt(hbar * d / (2 * GAPRATIO * kB * 1.0))
    assert c["P(W1)"] == pytest.approx(P.heat(0.3, 0.2, 0.25, 1.0, ln1, 1.0, 10e-3), rel=1e-12)


def test_rigid_plain_wire_and_phase_parameter():
    """r = 0 (rigid contact) works for the plain wire; phase={param} is swept from the
    netlist; phase = pi closes the gap (normal wire)."""
    net = ".param ph=0\n.model w prox(tc=1 ln=10 r=0 phase={ph})\nTA a 0.2\nTB b 0.2\n" \
          "W1 a b w gn=1m\n.sweep ph list 0 {pi/2} {pi}\n.print KRATIO(W1) GRATIO(W1)\n"
    c = thermnet.parse(net).run()[0].columns
    assert c["KRATIO(W1)"][0] == pytest.approx(float(P.kappa_ratio(0.2, 1, 10, 0)), rel=1e-6)
    assert c["KRATIO(W1)"][1] == pytest.approx(
        float(P.kappa_ratio(0.2, 1, 10, 0, phase=math.pi / 2)), rel=1e-6)
    assert c["KRATIO(W1)"][0] < c["KRATIO(W1)"][1] < c["KRATIO(W1)"][2]
    assert c["KRATIO(W1)"][2] == pytest.approx(1.0, abs=1e-9)
    assert c["GRATIO(W1)"][2] == 1.0


# ---- errors ----------------------------------------------------------------------------------
HEAD = "TA a 0.3\nTB b 0.2\n"      # lines 2-3 after a one-line .model card


ERRORS = [
    # (id, netlist, line, token whose column the error points at (None: column 1), message)
    ("missing-gn", ".model w prox(tc=1 ln=10 r=1)\n" + HEAD + "W1 a b w\n", 4, None,
     "W1 needs gn=VALUE"),
    ("negative-ln", ".model w prox(tc=1 ln=-1 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1, "-1",
     "ln must be positive"),
    # ln=0 is the documented default ("not given": then l= and d= are needed)
    ("zero-ln-on-element", ".model w prox(tc=1 ln=10 r=1)\n" + HEAD + "W1 a b w gn=1m ln=0\n",
     4, "ln=0", "needs ln=L_N/xi0, or l= (wire length, m) and d="),
    ("huge-ln", ".model w prox(tc=1 ln=5000 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1, "ln=",
     "above 1000"),
    ("negative-r", ".model w prox(tc=1 ln=10 r=-0.5)\n" + HEAD + "W1 a b w gn=1m\n", 1, "r=",
     "r must be >= 0"),
    ("no-length", ".model w prox(tc=1 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 4, None,
     "needs ln=L_N/xi0, or l="),
    ("ln-and-l", ".model w prox(tc=1 ln=10 l=2u d=1e-2 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1,
     "l=", "either ln or l and d, not both"),
    ("ln-on-element-and-l", ".model w prox(tc=1 l=2u d=1e-2 r=1)\n" + HEAD +
     "W1 a b w gn=1m ln=10\n", 4, "ln=", "either ln or l and d, not both"),
    ("l-without-d", ".model w prox(tc=1 l=2u r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1, "l=",
     "needs d="),
    ("d-without-l", ".model w prox(tc=1 d=1e-2 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1, "d=",
     "needs l="),
    ("unknown-ts-node", ".model w prox(tc=1 ln=10 r=1)\n" + HEAD + "W1 a b w gn=1m ts=zz\n",
     4, "zz", "'zz' is only named by temp=/ts="),
    ("electrical-ts-node", ".model w prox(tc=1 ln=10 r=1)\n" + HEAD +
     "R1 n1 n2 10 temp=a\nR2 n1 n2 10 temp=b\nW1 a b w gn=1m ts=n1\n", 6, "n1",
     "'n1' is only named by temp=/ts="),
    ("andreev-has-no-r", ".model w andreev(tc=1 r=1)\n" + HEAD + "W1 a b w gn=1m\n", 1, "r=",
     "model type andreev has no parameter 'r'"),
    ("eph-model-on-wire", ".model w eph(sigma=1e9)\n" + HEAD + "W1 a b w gn=1m\n", 4, "w gn",
     "needs prox or andreev"),
    ("ge-of-andreev", ".model w andreev(tc=1)\n" + HEAD + "W1 a b w gn=1m\n.print GE(W1)\n",
     5, "W1)", "does not give it"),
    ("kratio-of-g", ".model w andreev(tc=1)\n" + HEAD + "G1 a b 1n\n.print KRATIO(G1)\n", 5,
     "G1)", "G1 is a thermal conductance"),
    ("gratio-two-args", ".model w prox(tc=1 ln=10 r=1)\n" + HEAD +
     "W1 a b w gn=1m\n.print GRATIO(W1,a)\n", 5, "GRATIO", "takes 1 argument"),
]


@pytest.mark.parametrize("text, line, token, msg", [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_netlist_errors(text, line, token, msg):
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text, "w.net").run()
    err = info.value
    assert msg in err.message
    assert (err.span.file, err.span.line) == ("w.net", line)
    row = text.splitlines()[line - 1]
    assert err.span.column == (1 if token is None else row.index(token) + 1)


def test_cli_error_is_a_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "bad.net"
    card = ".model w prox(tc=1 ln=10 l=2u d=1e-2 r=1)"
    path.write_text(card + "\n" + HEAD + "W1 a b w gn=1m\n")
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1:{card.index('l=') + 1}: error:" in err and "not both" in err
    assert "Traceback" not in err
