"""Photonic heat in linear networks against closed forms (Dey et al. Eqs. 2-3; Pioldi et al.
Eqs. 2-3) and the network identities tau_ij = tau_ji and heat conservation."""
import math
import os

import numpy as np
import pytest
from scipy import integrate

import thermnet
from thermnet.physics import photonic
from thermnet.physics.constants import h, hbar, kB

SB1D = math.pi ** 2 * kB ** 2 / (6 * h)      # Dey et al. below Eq. 3


def q_of(netlist: str, column: str) -> float:
    return thermnet.parse(netlist).run()[0].columns[column]


def two_resistors(R1, R2, T1, T2):
    return f"""
T1 hot {T1}
T2 cold {T2}
R1 n1 n2 {R1} temp=hot
R2 n1 n2 {R2} temp=cold
.print Q(hot,cold)
"""


@pytest.mark.parametrize("T1", [0.01, 0.05, 0.3, 1.0, 2.0])
@pytest.mark.parametrize("T2", [0.01, 0.2, 2.0])
def test_two_resistors_closed_form(T1, T2):
    R1, R2 = 10.0, 37.0
    tau0 = 4 * R1 * R2 / (R1 + R2) ** 2
    expected = tau0 * SB1D * (T1 ** 2 - T2 ** 2)
    got = q_of(two_resistors(R1, R2, T1, T2), "Q(hot,cold)")
    if T1 == T2:
        assert abs(got) < 1e-30
    else:
        assert got == pytest.approx(expected, rel=1e-6)


def _bose(E, T):
    return 1.0 / math.expm1(E / (kB * T))


def _quad_heat(tau, T1, T2):
    """(1/h) int E tau(E) (n1 - n2) dE by adaptive quadrature (reference)."""
    top = 60 * kB * max(T1, T2)
    f = lambda E: E * tau(E) * (_bose(E, T1) - _bose(E, T2)) / h  # noqa: E731
    pts = np.geomspace(top * 1e-6, top, 12)[:-1]
    val, _ = integrate.quad(f, 0, top, points=pts, limit=400, epsabs=0, epsrel=1e-12)
    return val


def test_pioldi_rc_loaded_loop():
    """Two R||C reservoirs in a loop: Pioldi et al. Eq. 3."""
    RL, RR, CL, CR, TL, TR = 2e3, 5e3, 5e-15, 1e-14, 0.5, 0.1

    def tau(E):
        w = E / hbar
        return 4 * RL * RR / ((RL + RR) ** 2 + (w * RL * RR * (CL + CR)) ** 2)

    net = f"""
TL L {TL}
TR R {TR}
RL a b {RL} temp=L
CL a b {CL}
RR a b {RR} temp=R
CR a b {CR}
.print Q(L,R)
"""
    assert q_of(net, "Q(L,R)") == pytest.approx(_quad_heat(tau, TL, TR), rel=1e-7)


def test_series_rc_loop():
    """R1 in series with R2 || C: tau = 4 R1 Re Z2 / |R1 + Z2|^2 (Dey et al. Eq. 2)."""
    R1, R2, C, T1, T2 = 10.0, 30.0, 2e-10, 0.3, 0.05

    def tau(E):
        z2 = R2 / (1 + 1j * (E / hbar) * R2 * C)
        return 4 * R1 * z2.real / abs(R1 + z2) ** 2

    net = f"""
T1 A {T1}
T2 B {T2}
R1 n1 n2 {R1} temp=A
R2 n2 n1 {R2} temp=B
C1 n2 n1 {C}
.print Q(A,B)
"""
    assert q_of(net, "Q(A,B)") == pytest.approx(_quad_heat(tau, T1, T2), rel=1e-7)


def test_three_resistors_in_parallel():
    """Three resistors between the same two nodes: tau_12 = 4 G1 G2 / (G1+G2+G3)^2."""
    R = (10.0, 20.0, 50.0)
    T = (0.4, 0.1, 0.25)
    G = [1 / r for r in R]
    net = f"""
T1 A {T[0]}
T2 B {T[1]}
T3 C3 {T[2]}
R1 x y {R[0]} temp=A
R2 x y {R[1]} temp=B
R3 x y {R[2]} temp=C3
.print Q(A,B) Q(A,C3) Q(B,C3)
"""
    cols = thermnet.parse(net).run()[0].columns
    for (i, j, col) in ((0, 1, "Q(A,B)"), (0, 2, "Q(A,C3)"), (1, 2, "Q(B,C3)")):
        tau = 4 * G[i] * G[j] / sum(G) ** 2
        assert cols[col] == pytest.approx(tau * SB1D * (T[i] ** 2 - T[j] ** 2), rel=1e-7)


def _random_rlc(rng, n_nodes=5, n_elements=9):
    """Random connected passive network: a spanning path plus random extra branches."""
    kinds, nodes = [], []
    for k in range(n_nodes - 1):
        nodes.append((k, k + 1))
    while len(nodes) < n_elements:
        a, b = rng.choice(n_nodes, 2, replace=False)
        nodes.append((int(a), int(b)))
    for k in range(n_elements):
        kinds.append("R" if k % 3 == 0 else rng.choice(["R", "L", "C"]))
    return kinds, nodes


def _admittances(kinds, E, rng):
    y = []
    for k in kinds:
        if k == "R":
            y.append(np.full(E.shape, 1 / rng.uniform(1, 100), dtype=complex))
        elif k == "L":
            y.append(1 / (1j * E / hbar * rng.uniform(1e-9, 1e-7)))
        else:
            y.append(1j * E / hbar * rng.uniform(1e-13, 1e-11))
    return np.array(y)


@pytest.mark.parametrize("seed", range(5))
def test_random_rlc_reciprocity_and_conservation(seed):
    rng = np.random.default_rng(seed)
    kinds, pairs = _random_rlc(rng)
    n = 5
    inc = np.zeros((len(kinds), n - 1))
    for k, (a, b) in enumerate(pairs):
        if a > 0:
            inc[k, a - 1] += 1
        if b > 0:
            inc[k, b - 1] -= 1
    E = np.geomspace(1e-26, 1e-21, 50)
    y = _admittances(kinds, E, rng)
    diss = np.array([k for k, kind in enumerate(kinds) if kind == "R"])
    tau = photonic.transmission(y, inc, diss)
    assert np.allclose(tau, np.transpose(tau, (0, 2, 1)), rtol=1e-9, atol=1e-12)
    assert np.all(tau >= 0) and np.all(np.isfinite(tau))
    # sum over receivers of the power emitted by one element cannot exceed its available
    # power: sum_j tau_ij <= 1
    assert np.all(tau.sum(axis=2) <= 1 + 1e-9)
    temps = rng.uniform(0.02, 1.0, len(diss))
    Eg, w = photonic.energy_grid(temps.max(), 14, 12)
    yg = _admittances(kinds, Eg, np.random.default_rng(seed))
    Q = photonic.heat_matrix(Eg, w, photonic.transmission(yg, inc, diss), temps)
    assert np.allclose(Q, -Q.T, rtol=1e-12, atol=0)
    assert abs(Q.sum()) <= 1e-12 * np.abs(Q).sum()


def test_network_heat_is_conserved_through_the_solver():
    """Baths exchanging heat through an RLC network: the power the sources supply sums
    to zero (energy balance) and matches the Q() columns."""
    net = """
T1 A 0.4
T2 B 0.05
T3 C3 0.2
R1 x y 10 temp=A
L1 y z 10n
R2 z 0 30 temp=B
C1 x z 1p
R3 x 0 70 temp=C3
C2 y 0 0.5p
.print P(T1) P(T2) P(T3) Q(A,B) Q(A,C3) Q(B,C3)
"""
    c = thermnet.parse(net).run()[0].columns
    total = c["P(T1)"] + c["P(T2)"] + c["P(T3)"]
    assert abs(total) <= 1e-12 * (abs(c["P(T1)"]) + abs(c["P(T2)"]) + abs(c["P(T3)"]))
    assert c["P(T1)"] == pytest.approx(c["Q(A,B)"] + c["Q(A,C3)"], rel=1e-10)
    assert c["P(T2)"] == pytest.approx(-c["Q(A,B)"] + c["Q(B,C3)"], rel=1e-10)


def test_equal_temperatures_give_no_heat():
    assert q_of(two_resistors(3, 7, 0.2, 0.2), "Q(hot,cold)") == 0.0


def test_fixed_temperature_sweep_meets_photon_rtol():
    """Dey Fig. 2(a) at r = 36: every point of a T_S sweep (grids re-checked only after a 2 %
    move) agrees with a photon_rtol = 1e-13 reference to the default photon_rtol = 1e-8."""
    import re
    path = os.path.join(os.path.dirname(__file__), "..", "netlists", "dey2023_fig2a.net")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    text = re.sub(r"\.step.*", ".step r list 36", text)
    text = re.sub(r"\.sweep.*", ".sweep TS 50m 600m 56", text)
    text = re.sub(r"\.print.*", ".print Q(S,D)", text)
    default = thermnet.parse(text, path).run()[0].columns["Q(S,D)"]
    tight = thermnet.parse(text + ".options photon_rtol=1e-13\n", path).run()[0].columns["Q(S,D)"]
    assert np.abs(default / tight - 1).max() < 1e-8
