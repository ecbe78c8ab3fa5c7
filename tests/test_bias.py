"""DC bias (``V``, ``I`` sources, ground ``0``): the operating point by modified nodal
analysis against closed forms, the Joule heat in the heat balance (with the photonic heat
of the same network, a voltage source a short for photons and a current source an open),
the analytic Jacobian with a tabulated R(T) under bias against central differences, and
located errors."""
import math
import os

import numpy as np
import pytest

import thermnet
from thermnet.errors import NetlistError
from thermnet.model.balance import HeatBalance
from thermnet.physics.constants import h, kB

SB1D = math.pi ** 2 * kB ** 2 / (6 * h)
NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")

DIVIDER = """
.model cu eph(sigma=2e9 n=5)
TB bath 50m
ES S bath cu vol=2e-20
V1 a 0 {v}
R1 a b 100 temp=S
R2 b 0 300 temp=bath
.print T(S) I(V1) I(R1) V(a) V(b) V(a,b) PJ(R1) PJ(R2) P(TB) Q(S,bath)
"""


def test_divider_operating_point_and_heat_balance():
    v = 8e-6
    c = thermnet.parse(DIVIDER.format(v=v)).run()[0].columns
    i = v / 400
    assert c["I(R1)"] == pytest.approx(i, rel=1e-12)
    assert c["I(V1)"] == pytest.approx(-i, rel=1e-12)      # SPICE: into N+ through V1
    assert c["V(a)"] == pytest.approx(v, rel=1e-12)
    assert c["V(b)"] == pytest.approx(300 * i, rel=1e-12)
    assert c["V(a,b)"] == pytest.approx(100 * i, rel=1e-12)
    assert c["PJ(R1)"] == pytest.approx(100 * i * i, rel=1e-12)
    # island S: Joule heat in = electron-phonon out + photons out; the loop R1-R2 is closed
    # through V1 (a short for photons): tau = 4 R1 R2/(R1 + R2)^2 (Dey et al. Eq. 2)
    Ts, Tb = c["T(S)"], 0.05
    eph = 2e9 * 2e-20 * (Ts ** 5 - Tb ** 5)
    photon = 4 * 100 * 300 / 400 ** 2 * SB1D * (Ts ** 2 - Tb ** 2)
    assert c["Q(S,bath)"] == pytest.approx(photon, rel=1e-8)
    assert c["PJ(R1)"] == pytest.approx(eph + photon, rel=1e-9)
    # the bath takes all the Joule heat
    assert -c["P(TB)"] == pytest.approx(c["PJ(R1)"] + c["PJ(R2)"], rel=1e-9)


def test_current_source_sign_and_open_for_photons():
    net = thermnet.parse("""
TH hot 0.2
TC cold 0.1
I1 a 0 2n
R1 a 0 50 temp=hot
R2 a c 70 temp=cold
I2 c 0 0
.print V(a) I(R1) I(I1) Q(hot,cold)
""")
    c = net.run()[0].columns
    # I1 takes 2 nA out of a (SPICE: from N+ through the source to N-); R2 ends on I2
    assert c["V(a)"] == pytest.approx(-2e-9 * 50, rel=1e-12)
    assert c["I(R1)"] == pytest.approx(-2e-9, rel=1e-12) and c["I(I1)"] == 2e-9
    # R2's loop is open at I2 (an open circuit for photons): no photonic heat
    assert c["Q(hot,cold)"] == 0.0


def test_voltage_source_is_a_short_for_photons():
    c = thermnet.parse("""
TH hot 0.2
TC cold 0.1
R1 0 b 50 temp=hot
V1 b c 1u
R2 c 0 70 temp=cold
.print Q(hot,cold)
""").run()[0].columns
    # R1 and R2 in one loop closed by V1
    tau = 4 * 50 * 70 / 120 ** 2
    assert c["Q(hot,cold)"] == pytest.approx(tau * SB1D * (0.2 ** 2 - 0.1 ** 2), rel=1e-8)


def test_sweeping_a_source_by_name_and_its_derivative():
    text = DIVIDER.format(v=0).replace(".print", ".sweep V1 2u 6u 3\n.print") \
        .replace("Q(S,bath)", "D(PJ(R1),V1)")
    res = thermnet.parse(text).run()[0]
    v = res.columns["V1"]
    np.testing.assert_allclose(res.columns["PJ(R1)"], 100 * (v / 400) ** 2, rtol=1e-12)
    np.testing.assert_allclose(res.columns["D(PJ(R1),V1)"], 2 * 100 * v / 400 ** 2,
                               rtol=1e-7)


def test_jacobian_with_a_tabulated_film_under_bias():
    """dF/dT includes dP_J/dT through R(T) (the MNA derivative) and the photonic part
    through 1/R(T): against central differences of the residual taken here."""
    path = os.path.join(NETLISTS, "devices_tes_rtable.net")
    with open(path) as fh:
        text = fh.read().replace("IB 0 a 10u", "IB 0 a 20u")
    c = thermnet.parse(text, path).circuit()
    bal = HeatBalance(c, c.flat.options)
    for T0 in (0.44, 0.455, 0.5):
        Tf = np.array([T0])
        bal.choose_grids(bal.full(Tf))
        F, S, dF, _ = bal.residual_jacobian(Tf)
        step = 1e-7 * T0
        ref = (bal.residual(Tf + step)[0] - bal.residual(Tf - step)[0]) / (2 * step)
        assert dF[0, 0] == pytest.approx(ref[0], rel=1e-5)


def test_shipped_tes_has_electrothermal_feedback():
    """In the transition the Joule heat stays nearly constant (x 1.3) while the bias
    current nearly doubles (negative electrothermal feedback: a fixed R would take x 3.8)."""
    res = thermnet.load(os.path.join(NETLISTS, "devices_tes_rtable.net")).run()[0]
    c = res.columns
    assert res.converged.all()
    inside = (c["T(F)"] > 0.42) & (c["T(F)"] < 0.46)
    ib = c["IB"][inside]
    assert ib.max() / ib.min() > 1.9
    pj = c["PJ(RF)"][inside]
    assert pj.max() / pj.min() < 1.4


@pytest.mark.parametrize("card,message,line", [
    ("V1 n1 n2 1u\nR1 n1 n2 10 temp=A", "no ground node 0", 3),
    ("I1 n1 0 1n\nC1 n1 0 1p\nR1 n2 0 10 temp=A\nC2 n2 n1 1p", "no unique DC", 3),
    (".model ti mb(tc=0.4)\nV1 n1 0 1u\nS1 n1 0 ti R0=10 temp=A\nR1 n1 0 10 temp=A",
     "not supported yet", 5),
    ("V1 n1 n1 1u\nR1 n1 0 10 temp=A", "both ends", 3),
    ("V1 n1 0 1uA\nR1 n1 0 10 temp=A", "current", 3),
])
def test_errors_are_located(card, message, line):
    text = f"TB bath 30m\nGA A bath 1n\n{card}\n"
    with pytest.raises(NetlistError) as exc:
        thermnet.parse(text).circuit()
    assert message in exc.value.message and exc.value.span.line == line


@pytest.mark.parametrize("line,r_series", [("r=100 l=400n c=160p len=0.1 temp=L", 10.0),
                                            ("r=100 g=2 l=400n c=160p len=0.1 temp=L", None),
                                            ("z0=50 td=1n", 0.0)])
def test_line_in_a_biased_network(line, r_series):
    """At DC a lossy line is its loop resistance r len in series (plus the shunt leak of
    g: the zero-frequency two-port y11 = coth(x0)/Zc0, y12 = -1/(Zc0 sinh x0),
    x0 = sqrt(r g) len, Zc0 = sqrt(r/g), solved here for the load voltage); a lossless
    line connects its ports.  Its Joule heat goes to its temp= node."""
    c = thermnet.parse(f"""
TB bath 0.05
GL L bath 1n
GS S bath 1n
V1 a 0 10u
O1 a 0 b 0 {line}
RS b 0 40 temp=S
.print V(b) PJ(RS) P(TB)
""").run()[0].columns
    if r_series is None:        # two-port with load: V2 = -y21 V1 / (y22 + 1/RS)
        x0, zc0 = math.sqrt(100 * 2) * 0.1, math.sqrt(100 / 2)
        y22, y21 = 1 / (zc0 * math.tanh(x0)), -1 / (zc0 * math.sinh(x0))
        v2 = -y21 * 10e-6 / (y22 + 1 / 40)
    else:
        v2 = 10e-6 * 40 / (40 + r_series)
    assert c["V(b)"] == pytest.approx(v2, rel=1e-12)
    assert c["PJ(RS)"] == pytest.approx(v2 ** 2 / 40, rel=1e-12)
    if r_series is not None:    # all the power the source gives ends in the bath
        assert -c["P(TB)"] == pytest.approx((10e-6) ** 2 / (40 + r_series), rel=1e-9)


def test_voltage_biased_film_time_constant_irwin_hilton():
    """Electrothermal feedback: an ideally voltage-biased film (no load resistance, R
    independent of current: beta = 0) has tau_eff = tau0 / (1 + L), tau0 = C/G,
    L = P alpha / (G T), alpha = (T/R) dR/dT (Irwin & Hilton, "Transition-edge sensors"
    (2005), Sec. 2.3).  The .ac time constant (from the analytic Jacobian, with the Joule
    heat's derivative through R(T)) against that formula, with alpha from scipy's PCHIP of
    the same table and G = 5 Sigma V T^4 here.  The source shorts the film for photons."""
    csv = os.path.join(NETLISTS, "lib", "ti_film_rt.csv")
    res = thermnet.parse(f"""
.model ti eph(sigma=1.3e9 n=5)
.model tifilm rtable(file="{csv}")
TB bath 0.3
EF F bath ti vol=1e-19
HF F 1e-15
PS F 0 ac=1f
V1 a 0 5u
RF a 0 tifilm temp=F
.op
.ac dec 2 1 10
.print T(F) PJ(RF)
""").run()
    op = res[0].columns
    T0, P0 = op["T(F)"], op["PJ(RF)"]
    data = np.loadtxt(csv, delimiter=",", comments="#", skiprows=3)
    from scipy.interpolate import PchipInterpolator
    pchip = PchipInterpolator(data[:, 0], data[:, 1])
    alpha = T0 / pchip(T0) * pchip.derivative()(T0)
    G = 5 * 1.3e9 * 1e-19 * T0 ** 4
    loop_gain = P0 * alpha / (G * T0)
    assert loop_gain > 5                       # deep in the transition: strong feedback
    tau = res[1].extras["time_constants"][0]
    assert tau == pytest.approx(1e-15 / G / (1 + loop_gain), rel=1e-6)
