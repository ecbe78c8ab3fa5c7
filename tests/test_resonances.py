"""Photonic heat and TAU through resonant networks (issue "Trust", item 1).

Every reference is an independent computation written here: the transmission in closed form
(series loop: tau = 4 Re Z1 Re Z2 / |sum Z|^2, Dey et al. Eq. 2; a ladder from its ABCD
matrix) integrated with ``scipy.integrate.quad``, the resonance's peak flattened by the
substitution E = E0 + Gamma tan(theta).  None of thermnet's quadrature is used.
"""
import math

import numpy as np
import pytest
from scipy import integrate, optimize

import thermnet
from thermnet.errors import ConvergenceError, FailedPointsWarning
from thermnet.physics import mattis_bardeen, photonic, resonances
from thermnet.physics.constants import h, hbar, kB

RTOL = 1e-6          # acceptance: Q and TAU within this of the references
R1, R2 = 1.0, 4.0    # ohm, the two reservoirs of the series RLC loop
F0 = 5e9             # Hz, its resonance
WINDOW = (1e9, 1e10)  # Hz, TAU averaging window
QUAD = dict(epsabs=0.0, epsrel=1e-10, limit=1000, full_output=1)


def bose(E, T):
    return 1.0 / math.expm1(E / (kB * T)) if E / (kB * T) < 700 else 0.0


def _quad(f, a, b, points=()):
    """quad to 1e-10, its own error estimate checked to be far below RTOL."""
    pts = sorted(p for p in points if a < p < b)
    val, err = integrate.quad(f, a, b, points=pts or None, **QUAD)[:2]
    assert err <= 1e-3 * RTOL * abs(val) or val == 0, (val, err)
    return val


def integral(f, a, b, E0, gamma, points=()):
    """int_a^b f(E) dE for f with a Lorentzian-like peak of half width gamma at E0: the
    stretch E0 +- 200 gamma with E = E0 + gamma tan(theta) (dE = gamma sec^2 dtheta flattens
    the peak), the rest directly; ``points``: further scales (Bose factors, kinks)."""
    lo, hi = max(a, E0 - 200 * gamma), min(b, E0 + 200 * gamma)
    total = 0.0
    if lo < hi:
        g = lambda th: f(E0 + gamma * math.tan(th)) * gamma / math.cos(th) ** 2  # noqa: E731
        total += _quad(g, math.atan((lo - E0) / gamma), math.atan((hi - E0) / gamma))
    if a < lo:
        total += _quad(f, a, lo, points)
    if hi < b:
        total += _quad(f, hi, b, points)
    return total


def heat_reference(tau, TA, TB, E0, gamma, points=()):
    """Q_AB = (1/h) int_0^inf E tau (n_A - n_B) dE (Dey et al. Eq. 3)."""
    top = 60 * kB * max(TA, TB)
    scales = [kB * t * x for t in (TA, TB) for x in (0.1, 0.5, 1, 2, 5, 10, 20)]
    f = lambda E: E * tau(E) * (bose(E, TA) - bose(E, TB)) / h  # noqa: E731
    return integral(f, 0.0, top, E0, gamma, list(points) + scales)


def tau_reference(tau, E0, gamma, points=()):
    a, b = h * WINDOW[0], h * WINDOW[1]
    return integral(tau, a, b, E0, gamma, points) / (b - a)


# ---- series RLC loop -------------------------------------------------------------------------
def rlc(Qf):
    """L, C of the loop R1 L C R2 with quality factor Qf = sqrt(L/C)/(R1 + R2) at F0."""
    z0, w0 = Qf * (R1 + R2), 2 * math.pi * F0
    return z0 / w0, 1.0 / (z0 * w0)


def rlc_netlist(L, C, TA, TB, options=""):
    return f"""
TA A {TA}
TB B {TB}
R1 n1 n2 {R1} temp=A
L1 n2 n3 {L!r}
C1 n3 n4 {C!r}
R2 n4 n1 {R2} temp=B
.options taufmin={WINDOW[0]} taufmax={WINDOW[1]} {options}
.print Q(A,B) TAU(A,B)
.op
"""


def rlc_tau(L, C):
    def tau(E):
        w = E / hbar
        return 4 * R1 * R2 / abs(R1 + R2 + 1j * (w * L - 1 / (w * C))) ** 2
    return tau


def rlc_pole(L, C):
    """E0, Gamma (J) of s^2 LC + s (R1+R2) C + 1 = 0, s = -alpha + i omega_d."""
    alpha = (R1 + R2) / (2 * L)
    return hbar * math.sqrt(1 / (L * C) - alpha ** 2), hbar * alpha


def run(text):
    return thermnet.parse(text).run()[0].columns


TEMPS = [(0.02, 0.1), (0.1, 1.0), (1.0, 0.02)]


@pytest.mark.parametrize("Qf", [3, 30, 1e3, 1e5, 1e6])
@pytest.mark.parametrize("TA,TB", TEMPS)
def test_series_rlc_heat_and_tau(Qf, TA, TB):
    L, C = rlc(Qf)
    E0, gamma = rlc_pole(L, C)
    tau = rlc_tau(L, C)
    cols = run(rlc_netlist(L, C, TA, TB))
    assert cols["Q(A,B)"] == pytest.approx(heat_reference(tau, TA, TB, E0, gamma), rel=RTOL)
    assert cols["TAU(A,B)"] == pytest.approx(tau_reference(tau, E0, gamma), rel=RTOL)


@pytest.mark.parametrize("Qf", [3, 30, 1e3, 1e6])
def test_resonance_found_from_the_nodal_pencil(Qf):
    """The pole finder gives E0 and Gamma of the series RLC loop (closed form)."""
    L, C = rlc(Qf)
    E0, gamma = rlc_pole(L, C)
    inc = np.array([[-1, 0, 0], [1, -1, 0], [0, 1, -1], [0, 0, 1]], dtype=float)

    def admittance(E):
        w = E / hbar
        one = np.ones_like(E, dtype=complex)
        return np.array([one / R1, 1 / (1j * w * L), 1j * w * C, one / R2])

    top = 48 * kB * 1.0
    poles = resonances.link_poles(admittance, inc, top * 2.0 ** -14, top, top * 2.0 ** -14,
                                  top)
    assert len(poles) == 1
    assert poles[0].energy == pytest.approx(E0, rel=1e-9)
    assert poles[0].width == pytest.approx(gamma, rel=1e-6)
    assert poles[0].quality == pytest.approx(Qf, rel=1e-3)


# ---- LC ladder (lattice) ---------------------------------------------------------------------
LADDER_Z0, LADDER_F, LADDER_N, LADDER_R = 50.0, 4e9, 4, (3.0, 5.0)


def ladder_netlist(TA, TB):
    """R1 (A) from node n0 to ground, LADDER_N sections (series L from n_k to n_k+1, shunt C
    at n_k+1), R2 (B) from the last node to ground: a mismatched line, Qf ~ 13."""
    L = LADDER_Z0 / (2 * math.pi * LADDER_F)
    C = 1 / (LADDER_Z0 * 2 * math.pi * LADDER_F)
    lines = [f"TA A {TA}", f"TB B {TB}", f"R1 n0 0 {LADDER_R[0]} temp=A"]
    for k in range(LADDER_N):
        lines += [f"L{k} n{k} n{k + 1} {L!r}", f"C{k} n{k + 1} 0 {C!r}"]
    lines += [f"R2 n{LADDER_N} 0 {LADDER_R[1]} temp=B",
              f".options taufmin={WINDOW[0]} taufmax={WINDOW[1]}", ".print Q(A,B) TAU(A,B)",
              ".op"]
    return "\n".join(lines) + "\n", L, C


def ladder_tau(L, C):
    """Power transmission between R1 and R2 from the chain (ABCD) matrix of the sections:
    tau = 4 R1 R2 / |A R2 + B + C R1 R2 + D R1|^2 (Pozar, Microwave Engineering, Table 4.2
    and Sec. 4.4)."""
    def tau(E):
        w = E / hbar
        m = np.eye(2, dtype=complex)
        for _ in range(LADDER_N):
            m = m @ np.array([[1, 1j * w * L], [0, 1]]) @ np.array([[1, 0], [1j * w * C, 1]])
        (a, b), (c, d) = m
        r1, r2 = LADDER_R
        return 4 * r1 * r2 / abs(a * r2 + b + c * r1 * r2 + d * r1) ** 2
    return tau


def peaks(tau, lo, hi):
    """Local maxima of tau on a fine grid (for quad's ``points``)."""
    E = np.linspace(lo, hi, 4001)
    t = np.array([tau(e) for e in E])
    i = np.flatnonzero((t[1:-1] > t[:-2]) & (t[1:-1] > t[2:])) + 1
    return list(E[i])


@pytest.mark.parametrize("TA,TB", TEMPS)
def test_lc_ladder(TA, TB):
    text, L, C = ladder_netlist(TA, TB)
    tau = ladder_tau(L, C)
    top = 60 * kB * max(TA, TB)
    pts = peaks(tau, 1e-4 * top, min(top, h * 4 * LADDER_F * 2))
    # the widest peak sets the flattening; the others are quad points
    E0 = pts[0]
    gamma = E0 / 20
    cols = run(text)
    assert cols["Q(A,B)"] == pytest.approx(heat_reference(tau, TA, TB, E0, gamma, pts),
                                           rel=RTOL)
    assert cols["TAU(A,B)"] == pytest.approx(tau_reference(tau, E0, gamma, pts), rel=RTOL)


# ---- Mattis-Bardeen film resonator -----------------------------------------------------------
FILM = dict(tc=1.2, R0=100.0, C=8.8e-13, R=0.05)   # Al-like film, ~5 GHz, Qf ~ 700


def film_netlist(TA, TB):
    return f"""
.model al mb(tc={FILM['tc']})
TA A {TA}
TB B {TB}
R1 n1 n2 {FILM['R']} temp=A
SF n2 n3 al R0={FILM['R0']} temp=B
C1 n3 n1 {FILM['C']}
.options taufmin={WINDOW[0]} taufmax={WINDOW[1]}
.print Q(A,B) TAU(A,B)
.op
"""


def film_impedance(E, T):
    s1, s2 = mattis_bardeen.conductivity(np.array([E]), T, FILM["tc"], 1.764, "tanh")
    return FILM["R0"] / complex(s1[0], -s2[0])


@pytest.mark.parametrize("TA,TB", [(0.05, 0.2), (0.3, 0.1), (0.02, 0.4)])
def test_film_resonator(TA, TB):
    """R1 in series with a Mattis-Bardeen film (kinetic inductance) and a capacitor:
    tau = 4 R1 Re Z_f / |R1 + Z_f + 1/(i omega C)|^2 (Dey et al. Eq. 2)."""
    def ztot(E):
        return FILM["R"] + film_impedance(E, TB) + 1 / (1j * (E / hbar) * FILM["C"])

    def tau(E):
        return 4 * FILM["R"] * film_impedance(E, TB).real / abs(ztot(E)) ** 2

    E0 = optimize.brentq(lambda E: ztot(E).imag, h * 1e9, h * 2e10, xtol=1e-40, rtol=1e-15)
    slope = (ztot(E0 * (1 + 1e-6)).imag - ztot(E0 * (1 - 1e-6)).imag) / (2e-6 * E0)
    gamma = ztot(E0).real / slope
    assert 100 < E0 / (2 * gamma) < 1e4          # a narrow resonance indeed
    two_delta = 2 * 1.764 * kB * FILM["tc"] * math.tanh(1.74 * math.sqrt(max(
        FILM["tc"] / TB - 1, 0)))
    cols = run(film_netlist(TA, TB))
    assert cols["Q(A,B)"] == pytest.approx(
        heat_reference(tau, TA, TB, E0, gamma, [two_delta]), rel=RTOL)
    assert cols["TAU(A,B)"] == pytest.approx(tau_reference(tau, E0, gamma), rel=RTOL)


def test_film_resonator_solved_temperature():
    """The film's island is free (heated, electron-phonon to the bath): its kinetic
    inductance, hence the resonance (Qf ~ 1e4), moves with the solved temperature; Q at the
    solution matches the reference at the solved T."""
    text = film_netlist(0.05, 0.4).replace(
        "TB B 0.4", ".model cu eph(sigma=3e9 n=5)\nTBATH bath 0.05\nPB B 0.02p\n"
        "EB B bath cu vol=1e-19").replace(f"R1 n1 n2 {FILM['R']}", "R1 n1 n2 0.001").replace(
        ".print Q(A,B) TAU(A,B)", ".print T(B) Q(A,B)")
    cols = run(text)
    TA, TB, R = 0.05, float(cols["T(B)"]), 0.001

    def ztot(E):
        return R + film_impedance(E, TB) + 1 / (1j * (E / hbar) * FILM["C"])

    def tau(E):
        return 4 * R * film_impedance(E, TB).real / abs(ztot(E)) ** 2

    E0 = optimize.brentq(lambda E: ztot(E).imag, h * 1e9, h * 2e10, xtol=1e-40, rtol=1e-15)
    slope = (ztot(E0 * (1 + 1e-6)).imag - ztot(E0 * (1 - 1e-6)).imag) / (2e-6 * E0)
    gamma = ztot(E0).real / slope
    assert 0.1 < TB < 0.2 and E0 / (2 * gamma) > 5e3
    assert cols["Q(A,B)"] == pytest.approx(heat_reference(tau, TA, TB, E0, gamma), rel=RTOL)


# ---- Dey's circuit at a large impedance ratio (a real pole near E = 0) -------------------------
def test_dey_loop_large_ratio():
    """Cu film R_N and Ti film (R0 = r R_D) at T_S, Cu film R_D at T_D in one loop (Dey et al.
    Fig. 1(a)), r = 1e5: the film's kinetic inductance and the resistors make a real pole far
    below kB T (tau peaked at E ~ 0)."""
    RD, r, TS, TD, tc = 2.857, 1e5, 0.25, 0.1, 0.4
    text = f"""
.model ti mb(tc={tc})
TS S {TS}
TD D {TD}
RN n1 n2 {RD} temp=S
STI n2 n3 ti R0={r * RD} temp=S
RD n3 n1 {RD} temp=D
.print Q(S,D)
.op
"""

    def zf(E):
        s1, s2 = mattis_bardeen.conductivity(np.array([E]), TS, tc, 1.764, "tanh")
        return r * RD / complex(s1[0], -s2[0])

    def tau(E):    # from both source elements to the drain
        z = zf(E)
        return 4 * (RD + z.real) * RD / abs(2 * RD + z) ** 2

    lk = (zf(1e-26).imag / (1e-26 / hbar))            # kinetic inductance, H
    gamma = hbar * 2 * RD / lk
    ref = heat_reference(tau, TS, TD, 0.0, gamma)
    assert run(text)["Q(S,D)"] == pytest.approx(ref, rel=RTOL)


# ---- a tolerance that cannot be met is an error, never a silent answer ----------------------
def test_impossible_tolerance_is_an_error(monkeypatch):
    """photon_rtol below what floating point can resolve: a located error."""
    monkeypatch.setattr(photonic, "ROUNDING_FLOOR", 1e-6)     # pretend a noisy integrand
    L, C = rlc(1e3)
    with pytest.raises(ConvergenceError,
                       match=r"R1 L1 C1 R2 \(at T\(A\) = 0.1 K, T\(B\) = 0.02 K\).*"
                             r"photon_rtol = 1e-08 not met.*rounding floor"):
        run(rlc_netlist(L, C, 0.1, 0.02))


def test_refine_gives_up_on_noise():
    """An integrand that no grid resolves (noise at 1e-6): refine stops and says why."""
    rng = np.random.default_rng(1)

    def integrals(order, edges):
        e = np.unique(np.concatenate(([0.0, 1.0], edges)))
        E, w = photonic.panel_nodes(e, order)
        f = 1 + 1e-6 * rng.standard_normal(len(E))
        return photonic.panel_sums(E, w * f, order)

    got = photonic.refine(integrals, 6, [], 1e-9, 10 ** 5)
    assert got.failure and got.error > 1e-9 and got.nodes <= 10 ** 5


def test_fixed_node_count_is_checked():
    L, C = rlc(1e3)
    with pytest.raises(ConvergenceError, match="photon_nodes"):
        run(rlc_netlist(L, C, 0.1, 0.02, "photon_nodes=40"))


def test_node_limit(monkeypatch):
    monkeypatch.setattr(photonic, "MAX_NODES", 50)
    L, C = rlc(1e3)
    with pytest.raises(ConvergenceError, match="more than 50 nodes"):
        run(rlc_netlist(L, C, 0.1, 0.02))


def test_sweep_records_the_grid_failure(monkeypatch):
    """In a sweep the point whose grid fails is recorded as failed, with the reason."""
    monkeypatch.setattr(photonic, "MAX_NODES", 50)
    L, C = rlc(1e3)
    text = rlc_netlist(L, C, 0.1, 0.02).replace("\n.op\n", "\n.sweep TA list 0.1 0.2\n")
    with pytest.warns(FailedPointsWarning, match='point'):
        res = thermnet.parse(text).run()[0]
    print(res.failures)
    assert not res.converged.any()
    assert all("more than 50 nodes" in f and "R1 L1 C1 R2" in f for f in res.failures)
    assert np.all(np.isnan(res.columns["Q(A,B)"]))
