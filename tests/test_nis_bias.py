"""NIS junction under DC bias (Giazotto et al., RMP 78, 217 (2006), Sec. III.A): the
quasiparticle current and the heat out of the normal metal against scipy.integrate.quad
over the full energy axis (the kernel folds it onto E > 0); the optimum bias and maximum
cooling power of the low-temperature asymptotics; a SINIS cooler and a current-biased
thermometer from netlists: energy conservation, the island's balance, the kernel at the
solved state; located errors."""
import math
import os

import numpy as np
import pytest
from scipy import integrate
from scipy.optimize import minimize_scalar

import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.physics.constants import e, kB
from thermnet.physics.nis_bias import junction

NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")
TC = 1.2
D0 = 1.764 * kB * TC
R = 1e4


def fermi(x):
    return 0.5 * (1 - math.tanh(0.5 * x))


def dos(E, d, g):
    z = E - 1j * g
    return abs((z / np.sqrt((z - d) * (z + d))).real)


@pytest.mark.parametrize("v,tn,ts", [(0.5, 0.05, 0.05), (0.9, 0.1, 0.1), (1.0, 0.2, 0.15),
                                     (2.0, 0.3, 0.1), (0.95, 0.25, 0.4)])
def test_current_and_heat_against_quadrature(v, tn, ts):
    """I = 1/(2 e R) int N_S [f_N(E - eV) - f_N(E + eV)] dE and
    P_N = 1/(e^2 R) int (E - eV) N_S [f_N(E - eV) - f_S(E)] dE over the whole axis."""
    g = 1e-4 * D0
    ev = v * D0
    V = ev / e
    lim = max(D0, ev) + 60 * kB * max(tn, ts)
    pts = [-D0, D0, -ev, ev, 0.0]
    i_ref = integrate.quad(lambda E: dos(E, D0, g) * (fermi((E - ev) / (kB * tn))
                                                       - fermi((E + ev) / (kB * tn))),
                           -lim, lim, points=pts, limit=2000, epsabs=0, epsrel=1e-12)[0]
    p_ref = integrate.quad(lambda E: (E - ev) * dos(E, D0, g) * (
        fermi((E - ev) / (kB * tn)) - fermi(E / (kB * ts))), -lim, lim, points=pts,
        limit=2000, epsabs=0, epsrel=1e-12)[0]
    i, slope, p = junction(V, tn, ts, D0, g, R)
    assert i == pytest.approx(i_ref / (2 * e * R), rel=1e-9)
    assert p == pytest.approx(p_ref / (e * e * R), rel=1e-9)
    h = 1e-6 * V
    ref = (junction(V + h, tn, ts, D0, g, R)[0] - junction(V - h, tn, ts, D0, g, R)[0]) / (2 * h)
    assert slope == pytest.approx(ref, rel=1e-6)


def test_biased_junction_dynes_gamma_is_dynes_times_delta0():
    """The element's Gamma = dynes * Delta0 (nis model docs; Pioldi et al. below Eq. 1),
    not dynes * Delta(T_S): at T_S = 1.0 K = 0.83 Tc (Delta = 0.70 Delta0), with a large
    Dynes parameter the subgap current and the heat out of N differ by ~30 %.  Reference:
    Giazotto et al. RMP 78, 217 (2006) Sec. III.A by quadrature over the whole axis."""
    dynes, area, rspec, v, tn, ts = 0.02, 1e-13, 1e-9, 0.05e-3, 0.1, 1.0
    c = thermnet.parse(f"""
.model al nis(tc={TC} rspec={rspec} cspec=50e-3 dynes={dynes})
TN N {tn}
TS S {ts}
V1 a 0 {v}
N1 a 0 al area={area} temp=N temps=S
.print I(N1) QN(N1)
""").run()[0].columns
    delta = D0 * math.tanh(1.74 * math.sqrt(TC / ts - 1))      # Dey et al. below Eq. 6
    gamma, ev, r = dynes * D0, e * v, rspec / area
    lim = max(delta, ev) + 60 * kB * max(tn, ts)
    pts = [-delta, delta, -ev, ev, 0.0]
    i_ref = integrate.quad(lambda E: dos(E, delta, gamma) * (
        fermi((E - ev) / (kB * tn)) - fermi((E + ev) / (kB * tn))), -lim, lim, points=pts,
        limit=4000, epsabs=0, epsrel=1e-12)[0] / (2 * e * r)
    p_ref = integrate.quad(lambda E: (E - ev) * dos(E, delta, gamma) * (
        fermi((E - ev) / (kB * tn)) - fermi(E / (kB * ts))), -lim, lim, points=pts,
        limit=4000, epsabs=0, epsrel=1e-12)[0] / (e * e * r)
    assert c["I(N1)"] == pytest.approx(i_ref, rel=1e-7)
    assert c["QN(N1)"] == pytest.approx(p_ref, rel=1e-7)


def test_optimum_bias_and_maximum_cooling():
    """Giazotto RMP Sec. III.A: at kB T << Delta the cooling power peaks at
    eV ~ Delta - 0.66 kB T with P_max ~ 0.59 (Delta^2/e^2 R)(kB T/Delta)^(3/2)."""
    for T, tol in ((0.05, 0.03), (0.1, 0.05)):
        res = minimize_scalar(lambda v: -junction(v, T, T, D0, 1e-6 * D0, R)[2],
                              bounds=(0.5 * D0 / e, 1.1 * D0 / e), method="bounded",
                              options={"xatol": 1e-12})
        assert res.x * e == pytest.approx(D0 - 0.66 * kB * T, rel=2e-3)
        assert -res.fun == pytest.approx(0.59 * D0 ** 2 / (e * e * R) * (kB * T / D0) ** 1.5,
                                         rel=tol)


def sinis(v, extra=""):
    return f"""
.model cu eph(sigma=2e9 n=5)
.model al nis(tc=1.2 rspec=1e-9 cspec=50e-3 dynes=1e-4)
TB bath 0.3
EN N bath cu vol=1e-19
V1 sl 0 {v}
N1 sl isl al area=1e-13 temp=N temps=bath
N2 isl 0 al area=1e-13 temp=N temps=bath
{extra}
.print T(N) I(V1) I(N1) V(isl) QN(N1) QN(N2) PJ(N1) P(TB)
"""


def test_sinis_cooler_cools_and_conserves_energy():
    v = 0.35e-3
    c = thermnet.parse(sinis(v)).run()[0].columns
    Tn = c["T(N)"]
    assert Tn < 0.29                                          # cooled below the bath
    assert c["V(isl)"] == pytest.approx(v / 2, rel=1e-12)    # symmetric junctions
    # the kernel at the solved state: V/2 per junction, N at T(N), S at the bath
    al_delta = 1.764 * kB * 1.2 * math.tanh(1.74 * math.sqrt(1.2 / 0.3 - 1))
    i, _, p = junction(v / 2, Tn, 0.3, al_delta, 1e-4 * 1.764 * kB * 1.2, 1e-9 / 1e-13)
    assert c["I(N1)"] == pytest.approx(i, rel=1e-9)
    assert c["QN(N1)"] == pytest.approx(p, rel=1e-9)
    # the island: electron-phonon heat from the bath = the junctions' cooling
    eph = 2e9 * 1e-19 * (0.3 ** 5 - Tn ** 5)
    assert c["QN(N1)"] + c["QN(N2)"] == pytest.approx(eph, rel=1e-9)
    # energy: the source's power I V ends in the bath (SPICE sign: I(V1) < 0)
    assert -c["P(TB)"] == pytest.approx(-c["I(V1)"] * v, rel=1e-10)
    assert c["PJ(N1)"] == pytest.approx(c["I(N1)"] * v / 2, rel=1e-12)


def test_current_biased_thermometer():
    """V at a fixed current falls as T rises; the kernel's I at the printed V and T is the
    bias current."""
    res = thermnet.parse("""
.model al nis(tc=1.2 rspec=1e-9 cspec=50e-3 dynes=1e-4)
TN N 0.1
TB bath 0.1
I1 0 a 1n
N1 a 0 al area=1e-13 temp=N temps=bath
.sweep TN 0.1 0.4 4
.print V(a)
""").run()[0]
    v, T = res.columns["V(a)"], res.columns["TN"]
    assert np.all(np.diff(v) < 0)
    delta = 1.764 * kB * 1.2 * math.tanh(1.74 * math.sqrt(1.2 / 0.1 - 1))
    i, _, _ = junction(v[0], T[0], 0.1, delta, 1e-4 * 1.764 * kB * 1.2, 1e4)
    assert i == pytest.approx(1e-9, rel=1e-10)


def test_jacobian_of_a_biased_junction():
    c = thermnet.parse(sinis(0.3e-3)).circuit()
    bal = HeatBalance(c, c.flat.options)
    Tf = np.array([0.28])
    F, S, dF, _ = bal.residual_jacobian(Tf)
    h = 1e-6 * Tf[0]
    ref = (bal.residual(Tf + h)[0] - bal.residual(Tf - h)[0]) / (2 * h)
    assert dF[0, 0] == pytest.approx(ref[0], rel=1e-5)


def _current_quad(v, tn, delta, gamma):
    """I(V) (A) of the R = 1e4 junction by scipy.integrate.quad over the whole axis
    (Giazotto RMP Sec. III.A), independent of the kernel."""
    ev = e * v
    lim = max(delta, ev) + 60 * kB * tn
    pts = [-delta, delta, -ev, ev, 0.0]
    val = integrate.quad(lambda E: dos(E, delta, gamma) * (
        fermi((E - ev) / (kB * tn)) - fermi((E + ev) / (kB * tn))), -lim, lim, points=pts,
        limit=2000, epsabs=0, epsrel=1e-12)[0]
    return val / (2 * e * R)


BIASED_LINK = """
.model al nis(tc=1.2 rspec=1e-9 cspec=1e-9 dynes=1e-4)
TB bath 0.1
TN N {tn}
TH hot {th}
V1 a 0 {v}
RH a b {rh} temp=hot
N1 b 0 al area=1e-13 temp=N temps=bath
.print V(b) I(N1) Q(N,hot) P(RH) PJ(RH)
"""


@pytest.mark.parametrize("v", [0.1e-3, 0.19e-3, 0.25e-3])
def test_photonic_admittance_at_bias_is_the_differential_conductance(v):
    """A junction biased through a resistor at another temperature exchanges photons with
    it as two resistors, the junction as R_NIS = 1/(dI/dV) at its operating point (the v2
    contract): Q = 4 R_NIS R_H/(R_NIS + R_H)^2 pi^2 kB^2 (T_N^2 - T_H^2)/(6h) (Pendry 1983),
    with the junction voltage solved here from V = V_j + I(V_j) R_H and dI/dV a central
    difference of the quadrature of I(V) (relative step 1e-4), to 1e-6 (the capacitance,
    1e-22 F, is negligible).  The zero-bias conductance would give a different heat."""
    tn, th, rh = 0.15, 0.3, 2e4
    c = thermnet.parse(BIASED_LINK.format(tn=tn, th=th, v=v, rh=rh)).run()[0].columns
    delta = D0 * math.tanh(1.74 * math.sqrt(TC / 0.1 - 1))
    gamma = 1e-4 * D0
    from scipy.optimize import brentq
    vj = brentq(lambda x: x + _current_quad(x, tn, delta, gamma) * rh - v, 0.0, v,
                xtol=1e-18, rtol=1e-14)
    assert c["V(b)"] == pytest.approx(vj, rel=1e-9)
    step = 1e-4 * vj
    slope = (_current_quad(vj + step, tn, delta, gamma)
             - _current_quad(vj - step, tn, delta, gamma)) / (2 * step)
    r_nis = 1 / slope
    tau = 4 * r_nis * rh / (r_nis + rh) ** 2
    q = tau * math.pi ** 2 * kB ** 2 * (tn ** 2 - th ** 2) / (6 * 6.62607015e-34)
    assert c["Q(N,hot)"] == pytest.approx(q, rel=1e-6)
    # the resistor emits (P(ELEMENT): the net photonic heat it emits) what N receives
    assert c["P(RH)"] == pytest.approx(-q, rel=1e-6)
    # the junction's zero-bias conductance (the unbiased element) gives another value
    lim = delta + 60 * kB * tn
    zero = integrate.quad(lambda E: dos(E, delta, gamma) / (4 * kB * tn * math.cosh(
        E / (2 * kB * tn)) ** 2), -lim, lim, points=[-delta, delta], limit=2000)[0] / R
    r0 = 1 / zero
    assert abs(4 * r0 * rh / (r0 + rh) ** 2 / tau - 1) > 1e-2


def test_jacobian_of_a_biased_photonic_link():
    """A biased junction's photonic admittance moves with every temperature of its network
    (dI/dV at the operating point): the balance's Jacobian (central differences for such a
    link) against central differences of the residual, with the island N free."""
    text = BIASED_LINK.format(tn=0.15, th=0.3, v=0.19e-3, rh=2e4).replace(
        "TN N 0.15", ".model cu eph(sigma=2e9 n=5)\nEN N bath cu vol=1e-19")
    c = thermnet.parse(text).circuit()
    bal = HeatBalance(c, c.flat.options)
    Tf = np.array([0.2])
    bal.choose_grids(bal.full(Tf))
    F, S, dF, _ = bal.residual_jacobian(Tf)
    h = 1e-6 * Tf[0]
    ref = (bal.residual(Tf + h)[0] - bal.residual(Tf - h)[0]) / (2 * h)
    assert dF[0, 0] == pytest.approx(ref[0], rel=1e-5)
    assert bal.link_bias[0]                  # the link is the biased one
