"""Tests of the Usadel proximity kernel (thermnet.physics.proximity).

Reference: Bezuglyi & Vinokur, PRL 91, 137002 (2003) ("BV03"); derivations of the checks
that are not printed in the paper are in docs/physics-proximity.md.
"""
import importlib
import math
import sys
import types

import numpy as np
import pytest
from scipy.integrate import quad, simpson, solve_bvp
from scipy.optimize import brentq

from thermnet.physics import proximity as P
from thermnet.physics import tables
from thermnet.physics.constants import L0, kB

TC = 1.2          # K, arbitrary; everything below is in units of TC where it matters
GAPRATIO = 1.764
DELTA0_K = GAPRATIO * TC   # Delta0 / kB in kelvin


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------

def _standin_bcs() -> types.ModuleType:
    """Stand-in for thermnet.physics.bcs (tanh law) used only if the real module is missing."""
    mod = types.ModuleType("thermnet.physics.bcs")

    def gap(T, tc, gapratio=1.764, kind="tanh"):
        T = np.asarray(T, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.sqrt(np.maximum(tc / T - 1.0, 0.0))
        return gapratio * kB * tc * np.where(T < tc, np.tanh(1.74 * x), 0.0)

    mod.gap = gap
    return mod


@pytest.fixture(scope="module", autouse=True)
def fresh_cache(tmp_path_factory):
    """Build every table from scratch in a private cache directory (and restore afterwards)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("THERMNET_CACHE_DIR", str(tmp_path_factory.mktemp("thermnet-cache")))
    mp.setattr(tables, "_memory", {})
    mp.setattr(P, "_LENGTH_TABLES", {})
    try:
        importlib.import_module("thermnet.physics.bcs")
    except ImportError:
        mp.setitem(sys.modules, "thermnet.physics.bcs", _standin_bcs())
    yield
    mp.undo()


def constant_gap(delta_k):
    """Callable gap law returning a temperature-independent Delta = kB * delta_k (J)."""
    return lambda T, tc: np.full(np.shape(T), kB * delta_k)


def tanh_gap(T, tc):
    """Tanh gap law (J) without depending on thermnet.physics.bcs."""
    return _standin_bcs().gap(T, tc)


def e_zero_phase(ln, r, eg=1.0):
    """Exact E -> 0 solution: th = -i phi (1 - 2x/L) with sqrt(r) phi/ln = sqrt(eg) sin(pi/4 - phi/2).

    (Usadel eq. with E = 0 is th'' = 0; contact condition of docs/physics-proximity.md with
    thB = -i pi/2 and sqrt(-i sqrt(E^2 - eg^2)) = sqrt(eg).)  Gives R_Q(0) = tan(phi)/phi.
    """
    if r == 0:
        return math.pi / 2
    return brentq(lambda p: math.sqrt(r) * p / ln - math.sqrt(eg) * math.sin(math.pi / 4 - p / 2),
                  0.0, math.pi / 2, xtol=1e-15)


def loglog_slope(x, y):
    return np.polyfit(np.log(x), np.log(y), 1)[0]


# ---------------------------------------------------------------------------------------------
# spectral angle: analytic pieces
# ---------------------------------------------------------------------------------------------

def test_bulk_angle_is_retarded_bcs():
    eps = np.array([0.0, 0.3, 0.9, 1.1, 3.0])
    z = eps + 1j * P.ETA
    th = P.bulk_angle(z)
    np.testing.assert_allclose(np.tanh(th), 1.0 / z, rtol=1e-9)
    # sub-gap: Im thB = -pi/2 (no states); above: BCS density of states Re cosh thB > 0
    np.testing.assert_allclose(th.imag[eps < 1], -np.pi / 2, atol=1e-6)
    dos = np.cosh(th).real
    np.testing.assert_allclose(dos[eps > 1], eps[eps > 1] / np.sqrt(eps[eps > 1] ** 2 - 1), rtol=1e-6)
    assert np.all(dos[eps < 1] < 1e-6)


@pytest.mark.parametrize("r", [0.0, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("phase", [0.0, 2.0])
def test_eq10_solves_semi_infinite_matching(r, phase):
    """BV03 Eq. (10) satisfies -sqrt(r) sqrt(-i E) sinh(th0/2) = sqrt(-i sqrt(E^2-Eg^2)) sinh((th0-thB)/2)."""
    eps = np.array([0.01, 0.2, 0.7, 0.99, 1.01, 1.7, 5.0])
    eg = P.contact_gap(phase)
    z = eps + 1j * P.ETA
    th0 = P.contact_angle_semi_infinite(eps, r, phase)
    lead = np.sqrt(-1j * np.sqrt(z - eg) * np.sqrt(z + eg))
    lhs = -math.sqrt(r) * np.sqrt(-1j * z) * np.sinh(th0 / 2)
    rhs = lead * np.sinh((th0 - P.bulk_angle(z, eg)) / 2)
    np.testing.assert_allclose(lhs, rhs, atol=1e-9)


def test_eq10_limits():
    eps = np.array([0.2, 0.8, 1.5, 4.0])
    np.testing.assert_allclose(P.contact_angle_semi_infinite(eps, 0.0), P.bulk_angle(eps + 1j * P.ETA),
                               atol=1e-9)
    assert np.all(np.abs(P.contact_angle_semi_infinite(eps, 1e8)) < 1e-3)


@pytest.mark.parametrize("r", [0.1, 1.0])
def test_eq11_dplus_near_contact(r):
    """BV03 Eq. (11): D+ ~ (E/Delta)(|x|/xi0 + sqrt(r))^2 near the contact at E << Delta."""
    x = np.array([0.0, 0.1, 0.3, 1.0])
    for eps in (1e-4, 1e-3):
        th = P.spectral_angle_semi_infinite([eps], x, r)[0]
        ratio = np.cos(th.imag) ** 2 / (eps * (x + math.sqrt(r)) ** 2)
        np.testing.assert_allclose(ratio, 1.0, atol=0.02)


# ---------------------------------------------------------------------------------------------
# numerical Usadel solver
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("r", [0.0, 0.1, 1.0, 10.0])
def test_long_wire_reproduces_semi_infinite_solution(r):
    """Finite wire with L_N >> xi_N reproduces BV03 Eqs. (8) and (10)."""
    eps = np.array([0.2, 0.5, 0.9, 0.99, 1.01, 1.5, 3.0, 10.0])
    x, th = P.solve_usadel(eps, 60.0, r, n=400)
    near = x < 3.0
    np.testing.assert_allclose(th[:, 0], P.contact_angle_semi_infinite(eps, r), atol=1e-4)
    np.testing.assert_allclose(th[:, near], P.spectral_angle_semi_infinite(eps, x[near], r),
                               atol=2e-4)
    assert np.all(th[:, -1] == 0)


def _bvp_resistances(eps, ln, r, phase=0.0):
    """Independent reference: scipy solve_bvp on (Re th, Im th, Re th', Im th')."""
    z = eps + 1j * P.ETA
    eg = P.contact_gap(phase)
    tb = P.bulk_angle(np.array([z]), eg)[0]
    lead = np.sqrt(-1j * np.sqrt(z - eg) * np.sqrt(z + eg))
    half = ln / 2

    def rhs(x, y):
        d2 = -1j * z * np.sinh(y[0] + 1j * y[1])
        return np.vstack([y[2], y[3], d2.real, d2.imag])

    def bc(ya, yb):
        g = math.sqrt(r) * (ya[2] + 1j * ya[3]) - 2 * lead * np.sinh((ya[0] + 1j * ya[1] - tb) / 2)
        return np.array([g.real, g.imag, yb[0], yb[1]])

    x = half * np.sinh(6 * np.linspace(0, 1, 400)) / np.sinh(6)
    th = P.spectral_angle_semi_infinite([eps], x, r, phase)[0]
    th = th - th[-1] * x / half
    d = np.gradient(th, x)
    sol = solve_bvp(rhs, bc, x, np.vstack([th.real, th.imag, d.real, d.imag]), tol=1e-9,
                    max_nodes=200000)
    assert sol.success
    xf = np.linspace(0, half, 20001)
    y = sol.sol(xf)
    return (simpson(1 / np.cos(y[1]) ** 2, x=xf) / half, simpson(1 / np.cosh(y[0]) ** 2, x=xf) / half)


@pytest.mark.parametrize("eps, ln, r, phase", [
    (0.05, 10.0, 1.0, 0.0), (0.3, 10.0, 1.0, 0.0), (1.5, 10.0, 1.0, 0.0),
    (0.5, 10.0, 0.1, 0.0), (2.0, 10.0, 0.0, 0.0), (0.7, 5.0, 0.0, 2.0), (0.01, 10.0, 10.0, 0.0)])
def test_relaxation_solver_matches_solve_bvp(eps, ln, r, phase):
    ref_q, ref_i = _bvp_resistances(eps, ln, r, phase)
    rq, ri = P.spectral_resistances(np.array([eps]), ln, r, phase, exact=True)
    assert abs(1 / rq[0] - 1 / ref_q) < 1e-6
    assert abs(1 / ri[0] - 1 / ref_i) < 1e-6


@pytest.mark.parametrize("ln, r, phase", [(10.0, 1.0, 0.0), (10.0, 0.1, 0.0), (3.0, 10.0, 0.0),
                                          (10.0, 1.0, 2.0), (30.0, 0.01, 1.0)])
def test_zero_energy_exact_solution(ln, r, phase):
    """At E -> 0 the wire solution is linear: R_Q(0) = tan(phi)/phi, R_I(0) = 1 (reentrance)."""
    phi = e_zero_phase(ln, r, P.contact_gap(phase))
    rq, ri = P.spectral_resistances(np.array([0.0]), ln, r, phase, exact=True)
    assert rq[0] == pytest.approx(math.tan(phi) / phi, rel=1e-5)
    assert ri[0] == pytest.approx(1.0, abs=1e-9)


def test_richardson_converged():
    eps = np.array([1e-4, 0.05, 0.5, 0.999, 1.001, 2.0])
    base = P._direct_transmissions(eps, 10.0, 1.0, 0.0)
    fine = P.MESH_CELLS
    try:
        P.MESH_CELLS = 4 * fine
        P._grading.cache_clear()
        ref = P._direct_transmissions(eps, 10.0, 1.0, 0.0)
    finally:
        P.MESH_CELLS = fine
        P._grading.cache_clear()
    np.testing.assert_allclose(base[0], ref[0], atol=1e-6)
    np.testing.assert_allclose(base[1], ref[1], atol=1e-6)


def test_eq12_contact_thermal_resistance():
    """BV03 Eq. (12): deltaR_Q(E) ~ T0/E; from Eq. (11) exactly 2 T0/E for E_Th << E << Delta."""
    ln, r = 300.0, 1.0
    eps = np.array([1e-3, 3e-3, 1e-2])
    rq, _ = P.spectral_resistances(eps, ln, r, exact=True)
    t0 = 1.0 / (ln * math.sqrt(r))   # T0 / Delta
    np.testing.assert_allclose(eps * (rq - 1) / (2 * t0), 1.0, atol=0.15)


def test_rigid_contact_blocks_subgap_heat():
    rq, ri = P.spectral_resistances(np.array([0.1, 0.5, 0.99, 1.01, 2.0]), 10.0, 0.0)
    assert np.all(np.isinf(rq[:3])) and np.all(np.isfinite(rq[3:]))
    assert np.all(ri[:3] < 1.0)


def test_normal_limits_of_spectral_resistances():
    eps = np.array([0.0, 0.3, 1.0, 3.0])
    rq, ri = P.spectral_resistances(eps, 10.0, 1.0, phase=math.pi)   # gap closed
    np.testing.assert_array_equal(rq, 1.0)
    np.testing.assert_array_equal(ri, 1.0)
    rq, ri = P.spectral_resistances(np.array([1e4, 1e8]), 10.0, 1.0)  # far above the gap
    np.testing.assert_allclose(rq, 1.0, atol=1e-8)
    np.testing.assert_allclose(ri, 1.0, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------

def test_table_interpolation_in_energy():
    rng = np.random.default_rng(7)
    eps = np.sort(np.concatenate([rng.uniform(0.0, 3.0, 60), 10 ** rng.uniform(-7, 3, 60)]))
    for r in (1.0, 0.0):
        tab = P.spectral_resistances(eps, 10.0, r)
        ref = P.spectral_resistances(eps, 10.0, r, exact=True)
        with np.errstate(divide="ignore"):
            assert np.max(np.abs(1 / tab[0] - 1 / ref[0])) < 2e-4
        assert np.max(np.abs(1 / tab[1] - 1 / ref[1])) < 2e-4


def test_table_interpolation_in_temperature():
    T = TC * np.array([0.15, 0.55, 0.93])   # s = sqrt(Delta/Delta0) between table nodes
    for f in (P.kappa_ratio, P.conductance_ratio):
        tab = f(T, TC, 10.0, 1.0, gap=tanh_gap)
        ref = f(T, TC, 10.0, 1.0, gap=tanh_gap, exact=True)
        np.testing.assert_allclose(tab, ref, atol=5e-5)


def test_table_is_cached_on_disk(monkeypatch):
    P.spectral_resistances(0.5, 7.0, 0.3)
    calls = []
    monkeypatch.setattr(P, "_build_line", lambda *a: calls.append(a))
    monkeypatch.setattr(tables, "_memory", {})
    rq, _ = P.spectral_resistances(0.5, 7.0, 0.3)
    assert calls == [] and np.isfinite(rq)


# ---------------------------------------------------------------------------------------------
# observables vs temperature (BV03 Fig. 3: L_N = 10 xi0)
# ---------------------------------------------------------------------------------------------

def test_normal_state_above_tc():
    T = TC * np.array([1.0, 1.3, 3.0])
    for f in (P.kappa_ratio, P.conductance_ratio):
        np.testing.assert_array_equal(f(T, TC, 10.0, 1.0, gap=tanh_gap), 1.0)
    np.testing.assert_array_equal(P.andreev_kappa_ratio(T, TC, gap=tanh_gap), 1.0)


def test_closed_gap_interferometer_is_normal():
    T = TC * np.array([0.05, 0.5])
    np.testing.assert_array_equal(P.kappa_ratio(T, TC, 10.0, 0.0, phase=math.pi, gap=tanh_gap), 1.0)
    np.testing.assert_array_equal(P.conductance_ratio(T, TC, 10.0, 0.0, phase=math.pi, gap=tanh_gap), 1.0)


def test_strong_r_suppresses_proximity_effect():
    """BV03 (comments to Fig. 3): r >> 1 -> th0 -> 0, kappa and G approach the normal state."""
    T = TC * np.array([0.05, 0.3])
    np.testing.assert_allclose(P.kappa_ratio(T, TC, 10.0, 1e6, gap=tanh_gap), 1.0, atol=1e-2)
    np.testing.assert_allclose(P.conductance_ratio(T, TC, 10.0, 1e6, gap=tanh_gap), 1.0, atol=1e-3)


def test_zero_temperature_limits():
    for r in (0.1, 1.0):
        phi = e_zero_phase(10.0, r)
        assert P.kappa_ratio(0.0, TC, 10.0, r, gap=tanh_gap) == pytest.approx(phi / math.tan(phi), rel=1e-5)
        assert P.conductance_ratio(0.0, TC, 10.0, r, gap=tanh_gap) == pytest.approx(1.0, abs=1e-9)


@pytest.fixture(scope="module")
def fig3():
    T = TC * np.linspace(0.005, 0.995, 200)
    out = {"T": T, "andreev": P.andreev_kappa_ratio(T, TC, gap=tanh_gap)}
    for r in (0.1, 1.0, 10.0):
        out[r] = (P.kappa_ratio(T, TC, 10.0, r, gap=tanh_gap),
                  P.conductance_ratio(T, TC, 10.0, r, gap=tanh_gap))
    return out


def test_fig3_kappa_decreases_with_temperature_and_r(fig3):
    k = {r: fig3[r][0] for r in (0.1, 1.0, 10.0)}
    for r in k:
        assert np.all(np.diff(k[r]) > 0)
        assert k[r][-1] > 0.999
    assert np.all(k[0.1] < k[1.0]) and np.all(k[1.0] < k[10.0])
    # the drop: kappa/kappa_N at 0.005 Tc
    assert k[0.1][0] == pytest.approx(0.139, abs=0.002)
    assert k[1.0][0] == pytest.approx(0.352, abs=0.002)


def test_fig3_reentrant_conductance(fig3):
    """G(T) rises above G_N at intermediate T and returns to G_N as T -> 0 (BV03 Fig. 3b)."""
    T = fig3["T"]
    peaks = {}
    for r in (0.1, 1.0, 10.0):
        g = fig3[r][1]
        i = int(np.argmax(g))
        peaks[r] = g[i]
        assert 0.1 * TC < T[i] < 0.8 * TC
        assert g[i] > 1.05
        assert g[0] - 1 < 0.01 * (g[i] - 1)        # back to G_N at low T
        assert np.all(np.diff(g[: i + 1]) > 0)     # monotonic rise up to the peak
    # r >> 1 reduces the peak (BV03, comments to Fig. 3)
    assert peaks[0.1] > peaks[1.0] > peaks[10.0]


def test_fig3_quantum_kappa_exceeds_andreev_model(fig3):
    T, a = fig3["T"], fig3["andreev"]
    below = T < 0.95 * TC
    for r in (0.1, 1.0, 10.0):
        k = fig3[r][0]
        assert np.all(k[below] > a[below])
        assert np.all(k[T < 0.3 * TC] > 3 * a[T < 0.3 * TC])


def test_andreev_model_closed_form():
    for t in (0.1, 0.3, 0.6, 0.9):
        T = t * TC
        x = float(P._gap_fraction(np.array([T]), TC, GAPRATIO, tanh_gap)[0]) * DELTA0_K / T
        ref = 3 / (2 * math.pi ** 2) * quad(lambda u: 4 * u * u * math.exp(-u) / (1 + math.exp(-u)) ** 2,
                                           x, np.inf)[0]
        assert P.andreev_kappa_ratio(T, TC, gap=tanh_gap) == pytest.approx(ref, rel=1e-6, abs=1e-14)


def _window_exponent(ln, r):
    """Log-log slope of kappa = (kappa/kappa_N) * L0 T G_N over [3 E_Th, T0/3] (BV03 Eq. 12)."""
    t0 = DELTA0_K / (ln * math.sqrt(r))          # T0 = Delta xi0 / (L_N sqrt r)   (K)
    eth = 2 * DELTA0_K / ln ** 2                 # E_Th = hbar D/L_N^2 = 2 Delta0 (xi0/L_N)^2
    T = np.geomspace(3 * eth, t0 / 3, 15)
    return loglog_slope(T, T * P.kappa_ratio(T, TC, ln, r, gap=tanh_gap)), eth


@pytest.mark.parametrize("ln, r, lo, hi", [(10.0, 0.1, 1.85, 1.95), (100.0, 0.1, 1.85, 1.95),
                                           (100.0, 1.0, 1.82, 1.92)])
def test_power_law_below_T0(ln, r, lo, hi):
    """E_Th << T << T0: kappa/kappa_N ~ T/T0 (BV03 Eq. 12), i.e. kappa ~ T^2 with WF kappa_N ~ T.

    BV03 state "kappa ~ T^4"; their own estimate kappa ~ kappa_N T/T0 gives T^2 for kappa_N ~ T
    (see docs/physics-proximity.md).  The fitted exponent is slightly below 2 because the window
    is finite.
    """
    slope, _ = _window_exponent(ln, r)
    assert lo < slope < hi


@pytest.mark.parametrize("ln, r", [(10.0, 1.0), (100.0, 0.1)])
def test_saturation_below_thouless_energy(ln, r):
    """T << E_Th: kappa/kappa_N -> E_Th/T0-like constant, kappa ~ kappa_N ~ T (BV03 text after Eq. 12)."""
    eth = 2 * DELTA0_K / ln ** 2
    T = np.geomspace(eth / 100, eth / 10, 8)
    assert loglog_slope(T, T * P.kappa_ratio(T, TC, ln, r, gap=tanh_gap)) == pytest.approx(1.0, abs=0.01)


# ---------------------------------------------------------------------------------------------
# Andreev interferometer (BV03 Fig. 4)
# ---------------------------------------------------------------------------------------------

def test_fig4_phase_dependence():
    phases = np.array([0.0, math.pi / 2, 2 * math.pi / 3, 5 * math.pi / 6, math.pi, 7 * math.pi / 6])
    T = 0.2 * TC
    k = np.array([P.kappa_ratio(T, TC, 10.0, 0.0, phase=p, gap=tanh_gap, exact=True) for p in phases])
    g = np.array([P.conductance_ratio(T, TC, 10.0, 0.0, phase=p, gap=tanh_gap, exact=True) for p in phases])
    assert np.all(np.diff(k[:5]) > 0) and k[4] == 1.0            # sharp peak at phi = pi
    assert k[5] == pytest.approx(k[3], abs=1e-9)                  # kappa(2pi - phi) = kappa(phi)
    assert k[0] < 0.05                                            # full-scale oscillation
    assert g[4] == 1.0 and np.all(g[:4] > 1.0)                    # dip to G_N at phi = pi
    assert np.max(g) - 1.0 < 0.5 * (1.0 - k[0])                   # G amplitude << kappa amplitude


def test_phase_zero_is_plain_rigid_wire():
    T = TC * np.array([0.3, 0.6])
    a = P.kappa_ratio(T, TC, 10.0, 0.0, phase=0.0, gap=tanh_gap)
    b = P.kappa_ratio(T, TC, 10.0, 0.0, phase=2 * math.pi, gap=tanh_gap)
    np.testing.assert_allclose(a, b, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# heat current at finite temperature difference
# ---------------------------------------------------------------------------------------------

GN = 2.5e-3  # S


def test_heat_wiedemann_franz_limit():
    ta, tb = 0.9 * TC, 0.2 * TC
    wf = 0.5 * L0 * GN * (ta ** 2 - tb ** 2)
    assert P.heat(ta, tb, 1.1 * TC, TC, 10.0, 1.0, GN, gap=tanh_gap) == pytest.approx(wf, rel=1e-14)
    assert P.heat(ta, tb, 0.2 * TC, TC, 10.0, 1.0, GN, phase=math.pi, gap=tanh_gap) == pytest.approx(wf, rel=1e-14)
    ta, tb = 0.3 * TC, 0.1 * TC
    wf = 0.5 * L0 * GN * (ta ** 2 - tb ** 2)
    assert P.heat(ta, tb, 0.2 * TC, TC, 10.0, 1.0, GN, gap=tanh_gap) < 0.85 * wf


def test_heat_antisymmetric_and_zero_at_equilibrium():
    ta, tb, ts = 0.31 * TC, 0.12 * TC, 0.2 * TC
    fwd = P.heat(ta, tb, ts, TC, 10.0, 1.0, GN, gap=tanh_gap)
    assert P.heat(tb, ta, ts, TC, 10.0, 1.0, GN, gap=tanh_gap) == -fwd
    assert P.heat(ta, ta, ts, TC, 10.0, 1.0, GN, gap=tanh_gap) == 0.0
    assert P.heat(ta, 0.0, ts, TC, 10.0, 1.0, GN, gap=tanh_gap) > fwd > 0


@pytest.mark.parametrize("t", [0.05, 0.2, 0.6])
def test_heat_linearises_to_kappa(t):
    T, dT = t * TC, 1e-5 * t * TC
    lin = P.heat(T + dT, T - dT, T, TC, 10.0, 1.0, GN, gap=tanh_gap) / (2 * dT)
    kappa = P.kappa_ratio(T, TC, 10.0, 1.0, gap=tanh_gap) * L0 * T * GN
    assert lin == pytest.approx(kappa, rel=1e-8)


def test_heat_equals_integral_of_kappa_at_fixed_gap():
    """R_Q depends on E/Delta(Ts) only, so P(Ta, Tb) = int_Tb^Ta kappa(T'; Delta(Ts)) dT'."""
    ts = 0.3 * TC
    delta_k = float(P._gap_fraction(np.array([ts]), TC, GAPRATIO, tanh_gap)[0]) * DELTA0_K
    fixed = constant_gap(delta_k)
    ta, tb = 0.45 * TC, 0.05 * TC
    ref = quad(lambda T: L0 * T * GN * P.kappa_ratio(T, TC, 10.0, 1.0, gap=fixed), tb, ta,
               epsabs=0, epsrel=1e-10)[0]
    assert P.heat(ta, tb, ts, TC, 10.0, 1.0, GN, gap=tanh_gap) == pytest.approx(ref, rel=1e-6)


def test_heat_broadcasts():
    ta = TC * np.array([0.2, 0.3, 0.4])
    out = P.heat(ta, 0.1 * TC, 0.25 * TC, TC, 10.0, 1.0, GN, gap=tanh_gap)
    assert out.shape == (3,)
    assert out[1] == pytest.approx(P.heat(ta[1], 0.1 * TC, 0.25 * TC, TC, 10.0, 1.0, GN, gap=tanh_gap), rel=1e-13)


# ---------------------------------------------------------------------------------------------
# gap law from thermnet.physics.bcs (tested last: written separately)
# ---------------------------------------------------------------------------------------------

def test_default_gap_law_from_bcs_module():
    T = TC * np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(P.kappa_ratio(T, TC, 10.0, 1.0),
                               P.kappa_ratio(T, TC, 10.0, 1.0, gap=tanh_gap), rtol=1e-6)
    k_bcs = P.kappa_ratio(T, TC, 10.0, 1.0, gap="bcs")
    assert np.all((k_bcs > 0) & (k_bcs < 1))


def test_invalid_input():
    with pytest.raises(ValueError):
        P.kappa_ratio(-1.0, TC, 10.0, 1.0, gap=tanh_gap)
    with pytest.raises(ValueError):
        P.spectral_resistances(0.5, 0.0, 1.0)
    with pytest.raises(ValueError):
        P.spectral_resistances(0.5, 10.0, -1.0)
    with pytest.raises(ValueError):
        P.spectral_resistances(-0.5, 10.0, 1.0)
