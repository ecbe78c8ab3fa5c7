"""Transmission lines (``O``): the exact two-port in the photonic nodal analysis against
Dey et al. Eq. 3 integrated here (scipy.integrate.quad, split at every standing wave) with
transmissions from ABCD matrices written here (Pozar, Microwave Engineering, Table 4.1);
matched lines carry the two-resistor heat exactly; lossy lines radiate and absorb as
passive two-ports at their temperature (Kirchhoff's law checked on one-ports built here)."""
import math
import os

import numpy as np
import pytest
from scipy import integrate

import thermnet
from thermnet.errors import NetlistError
from thermnet.physics.constants import h, hbar, kB

SB1D = math.pi ** 2 * kB ** 2 / (6 * h)
NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")


def bose_diff(E, Ta, Tb):
    return 1 / math.expm1(E / (kB * Ta)) - 1 / math.expm1(E / (kB * Tb))


def q_of(tau, Ta, Tb, spacing):
    """(1/h) int E tau(E) [n(E,Ta) - n(E,Tb)] dE, split every half standing-wave period."""
    top = 60 * kB * max(Ta, Tb)
    edges = np.append(np.arange(0, top, spacing / 2), top)
    return sum(integrate.quad(lambda E: E * tau(E) * bose_diff(E, Ta, Tb) / h, a, b,
                              epsabs=0, epsrel=1e-12, limit=200)[0]
               for a, b in zip(edges[:-1], edges[1:]))


def abcd(E, z0=None, td=None, r=0.0, ind=0.0, g=0.0, c=0.0, length=0.0):
    """ABCD of a line (Pozar Table 4.1): cosh, Zc sinh, sinh/Zc, cosh of gamma len."""
    w = E / hbar
    if z0 is not None:
        x, zc = 1j * w * td, z0
    else:
        zs, ys = r + 1j * w * ind, g + 1j * w * c
        gamma = np.sqrt(zs * ys)
        x, zc = gamma * length, zs / gamma
    return np.cosh(x), zc * np.sinh(x), np.sinh(x) / zc, np.cosh(x)


def tau_through(E, R1, R2, **line):
    """Transmission between R1 at port 1 and R2 at port 2: 4 R1 R2 / |A R2 + B + C R1 R2 +
    D R1|^2 (the available power a source R1 delivers to R2 through the two-port)."""
    A, B, C, D = abcd(E, **line)
    return 4 * R1 * R2 / abs(A * R2 + B + C * R1 * R2 + D * R1) ** 2


def two_resistors(R1, R2, line, T1=0.1, T2=0.05, ports="a 0 b 0", r1="a 0", r2="b 0"):
    net = thermnet.parse(f"""
TH hot {T1}
TC cold {T2}
R1 {r1} {R1} temp=hot
O1 {ports} {line}
R2 {r2} {R2} temp=cold
.print Q(hot,cold)
""")
    return net.run()[0].columns["Q(hot,cold)"]


def test_matched_line_carries_the_two_resistor_heat():
    """Dey et al. below Eq. 3: tau = 1 for matched resistors; the line changes nothing."""
    for line in ("z0=50 len=1 vp=1.2e8", "z0=50 td=3n"):
        got = two_resistors(50, 50, line)
        assert got == pytest.approx(SB1D * (0.1 ** 2 - 0.05 ** 2), rel=1e-8)


# td = 1 ns: the standing waves are thermally averaged (Q does not depend on td to ~e^-80);
# 10 and 20 ps: their period is comparable with kB T, so Q depends on the delay itself
@pytest.mark.parametrize("td", [1e-9, 1e-11, 2e-11])
@pytest.mark.parametrize("R1,R2", [(20.0, 300.0), (200.0, 10.0), (50.0, 500.0)])
def test_mismatched_line_against_abcd(R1, R2, td):
    got = two_resistors(R1, R2, f"z0=50 td={td}")
    ref = q_of(lambda E: tau_through(E, R1, R2, z0=50.0, td=td), 0.1, 0.05,
               math.pi * hbar / td)
    assert got == pytest.approx(ref, rel=1e-8)


def test_separate_port_references_as_common_ground():
    """O1 a m b n with each resistor across its own port: the sides float with respect to
    each other (only the line couples them), the answer is the common-ground one."""
    common = two_resistors(20, 300, "z0=50 td=1n")
    separate = two_resistors(20, 300, "z0=50 td=1n", ports="a m b n", r1="a m", r2="b n")
    assert separate == pytest.approx(common, rel=1e-10)


def test_delay_forms_agree():
    a = two_resistors(20, 300, "z0=50 td=1n")
    b = two_resistors(20, 300, "z0=50 len=0.125 vp=1.25e8")
    c = two_resistors(20, 300, "l=400n c=160p len=0.125")      # z0 = 50, vp = 1.25e8
    assert b == pytest.approx(a, rel=1e-10) and c == pytest.approx(a, rel=1e-8)


LOSSY = dict(r=100.0, ind=400e-9, g=0.0, c=160e-12, length=0.1)
LOSSY_CARD = "r=100 l=400n c=160p len=0.1"


def q_nodes(text, column):
    return thermnet.parse(text).run()[0].columns[column]


def test_lossy_line_with_the_source_is_one_passive_port():
    """Line and R1 at one temperature: seen from R2 they are one passive one-port at that
    temperature, Z_out = (D R1 + B)/(C R1 + A) (Kirchhoff / fluctuation-dissipation), so
    the heat into R2 is int E 4 R2 Re Z_out / |Z_out + R2|^2 (n_hot - n_cold) dE / h."""
    got = q_nodes(f"""
TH hot 0.1
TC cold 0.05
R1 a 0 30 temp=hot
O1 a 0 b 0 {LOSSY_CARD} temp=hot
R2 b 0 200 temp=cold
.print Q(hot,cold) P(O1) P(R1) P(R2)
""", "Q(hot,cold)")

    def tau(E):
        A, B, C, D = abcd(E, **LOSSY)
        zout = (D * 30 + B) / (C * 30 + A)
        return 4 * 200 * zout.real / abs(zout + 200) ** 2
    td = LOSSY["length"] * math.sqrt(LOSSY["ind"] * LOSSY["c"])
    assert got == pytest.approx(q_of(tau, 0.1, 0.05, math.pi * hbar / td), rel=1e-8)


def test_lossy_line_absorbs_as_a_passive_load():
    """Line and R2 cold: R1 sees one passive load Z_in = (A R2 + B)/(C R2 + D) at the cold
    temperature, so the heat leaving R1 (to R2 and into the line) is
    int E 4 R1 Re Z_in / |R1 + Z_in|^2 (n_hot - n_cold) dE / h; heat is conserved."""
    net = thermnet.parse(f"""
TH hot 0.1
TC cold 0.05
TL warm 0.05
R1 a 0 30 temp=hot
O1 a 0 b 0 {LOSSY_CARD} temp=warm
R2 b 0 200 temp=cold
.print P(R1) P(O1) P(R2)
""")
    cols = net.run()[0].columns

    def tau(E):
        A, B, C, D = abcd(E, **LOSSY)
        zin = (A * 200 + B) / (C * 200 + D)
        return 4 * 30 * zin.real / abs(30 + zin) ** 2
    td = LOSSY["length"] * math.sqrt(LOSSY["ind"] * LOSSY["c"])
    assert cols["P(R1)"] == pytest.approx(q_of(tau, 0.1, 0.05, math.pi * hbar / td),
                                          rel=1e-8)
    total = cols["P(R1)"] + cols["P(O1)"] + cols["P(R2)"]
    assert abs(total) <= 1e-12 * cols["P(R1)"] and cols["P(O1)"] < 0


@pytest.mark.parametrize("card,message", [
    ("O1 a 0 b 0 z0=50", "give z0= and td="),
    ("O1 a 0 b 0 z0=50 td=1n len=1", "give z0= and td="),
    ("O1 a 0 b 0 z0=50 len=1 vp=4e8", "faster than light"),
    ("O1 a 0 b 0 r=1 l=400n c=160p len=1", "give temp=NODE"),
    ("O1 a 0 b 0 z0=50 td=1n temp=hot", "drop temp="),
    ("O1 a 0 b 0 z0=-50 td=1n", "z0"),
    ("O1 a a b 0 z0=50 td=1n", "both ends"),
])
def test_errors_are_located(card, message):
    text = f"TH hot 0.1\nTC cold 0.05\nR1 a 0 30 temp=hot\n{card}\nR2 b 0 20 temp=cold\n"
    with pytest.raises(NetlistError) as exc:
        thermnet.parse(text).circuit()
    assert message in exc.value.message and exc.value.span.line == 4


def test_shipped_partanen_line():
    """Matched: the quantum-limited heat at the solved temperatures; a 500-ohm drain behind
    a line matched to the source: no standing waves, tau = 4 R1 R2/(R1 + R2)^2."""
    with open(os.path.join(NETLISTS, "partanen2016_line.net")) as fh:
        text = fh.read().replace(".sweep PS 1f 100f 7 log", ".sweep PS 1f 100f 2 log")
    for res in thermnet.parse(text).run():
        c = res.columns
        tau = 1.0 if res.step["rd"] == 50 else 4 * 50 * 500 / 550 ** 2
        ref = tau * SB1D * (c["T(S)"] ** 2 - c["T(D)"] ** 2)
        np.testing.assert_allclose(c["Q(S,D)"], ref, rtol=1e-8)
