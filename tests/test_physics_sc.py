"""Superconducting physics kernels: BCS gap, Mattis-Bardeen, NIS, BCS electron-phonon.

Reference values come from closed forms (Mattis-Bardeen T = 0 elliptic integrals, Boltzmann
limit of the NIS conductance, the normal-metal T^5 law) or from adaptive quadrature
(``exact=True``), never from the tables under test.
"""
import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

from thermnet.physics import bcs, electron_phonon, mattis_bardeen, nis
from thermnet.physics.constants import hbar, kB

TC = 0.4


# ---------------------------------------------------------------------------------- gap ----
def test_gap_tanh_limits():
    d0 = 1.764 * kB * TC
    assert bcs.gap(0.0, TC) == pytest.approx(d0, rel=1e-15)
    assert bcs.gap(-1.0, TC) == pytest.approx(d0, rel=1e-15)
    assert bcs.gap(1e-3 * TC, TC) == pytest.approx(d0, rel=1e-12)
    assert bcs.gap(TC, TC) == 0.0 and bcs.gap(2 * TC, TC) == 0.0
    # near Tc: Delta0 tanh(z) = Delta0 (z - z^3/3 + ...), z = 1.74 sqrt(Tc/T - 1)
    t = 1 - 1e-6
    z = 1.74 * math.sqrt(1 / t - 1)
    assert bcs.gap(t * TC, TC) == pytest.approx(d0 * (z - z ** 3 / 3), rel=1e-9)
    arr = bcs.gap(np.array([0.0, 0.5, 1.0, 1.5]) * TC, TC)
    assert arr.shape == (4,) and arr[2] == arr[3] == 0.0
    assert arr[1] == pytest.approx(d0 * math.tanh(1.74), rel=1e-12)


def _bcs_gap_reference(t):
    """Weak-coupling BCS Delta/Delta0 at T/Tc = t: brentq on adaptive quadrature of
    ln(Delta0/Delta) = 2 int_0^inf f(Delta cosh u) du (independent of the module's solver)."""
    r = math.pi * math.exp(-np.euler_gamma)

    def resid(d):
        beta = r * d / t
        umax = math.acosh(1 + 60 / beta)
        val = integrate.quad(lambda u: 2 * special.expit(-beta * math.cosh(u)), 0, umax,
                             epsabs=1e-15, epsrel=1e-13)[0]
        return math.log(1 / d) - val

    return optimize.brentq(resid, 1e-6, 1.0, xtol=1e-15)


def test_gap_bcs_selfconsistent():
    d0 = 1.76 * kB * TC
    assert bcs.gap(0.0, TC, 1.76, "bcs") == pytest.approx(d0, rel=1e-15)
    assert bcs.gap(0.05 * TC, TC, 1.76, "bcs") == pytest.approx(d0, rel=1e-12)
    # Delta(Tc/2)/Delta0 = 0.95688 (weak coupling; Muehlschlegel 1959 tabulates 0.9569).
    # The value 0.9492 quoted in the work brief is not the BCS one.
    half = bcs.reduced_gap(0.5, "bcs")
    assert half == pytest.approx(0.95688, abs=2e-5)
    for t in (0.3, 0.5, 0.77, 0.95, 0.999):
        assert bcs.reduced_gap(t, "bcs") == pytest.approx(_bcs_gap_reference(t), rel=1e-8)
    # Ginzburg-Landau limit Delta -> 3.0633 kB Tc sqrt(1 - t)
    t = 1 - 1e-5
    assert bcs.gap(t * TC, TC, bcs.BCS_RATIO, "bcs") / (kB * TC * math.sqrt(1 - t)) == \
        pytest.approx(3.0633, rel=1e-3)
    assert bcs.gap(TC, TC, kind="bcs") == 0.0


def test_tanh_within_3_percent_of_bcs():
    t = np.linspace(0.001, 0.9999, 4000)
    rel = bcs.reduced_gap(t, "tanh") / bcs.reduced_gap(t, "bcs") - 1
    assert np.max(np.abs(rel)) < 0.03          # Dey et al. footnote 56
    assert np.max(np.abs(rel)) > 0.005         # and the two laws do differ


def test_gap_unknown_kind():
    with pytest.raises(ValueError, match="unknown gap kind 'bsc'"):
        bcs.gap(0.1, TC, kind="bsc")
    with pytest.raises(ValueError, match="unknown gap kind"):
        mattis_bardeen.conductivity([1e-24], 0.1, TC, gap="BCS")


def test_dynes_dos():
    E = np.array([0.0, 0.5, 0.999, 1.001, 2.0])
    bcs_dos = bcs.dynes_dos(E, 1.0, 0.0)
    assert np.all(bcs_dos[:3] == 0.0)
    assert bcs_dos[4] == pytest.approx(2 / math.sqrt(3), rel=1e-14)
    g = 1e-3
    assert bcs.dynes_dos(0.0, 1.0, g) == pytest.approx(g / math.hypot(g, 1.0), rel=1e-12)
    assert np.all(bcs.dynes_dos(E, 0.0, g) == pytest.approx(1.0, rel=1e-14))
    assert bcs.dynes_dos(-2.0, 1.0, g) == bcs.dynes_dos(2.0, 1.0, g)


# ------------------------------------------------------------------------ Mattis-Bardeen ----
def test_mb_normal_state_at_and_above_tc():
    E = np.array([0.1, 1.0, 10.0]) * kB * TC
    for T in (TC, 1.5 * TC):
        s1, s2 = mattis_bardeen.conductivity(E, T, TC)
        assert np.array_equal(s1, np.ones(3)) and np.array_equal(s2, np.zeros(3))


def test_mb_approaches_normal_state_near_tc():
    E = np.array([0.5, 1.0, 3.0, 10.0]) * kB * TC
    s1a, s2a = mattis_bardeen.conductivity(E, 0.999 * TC, TC)
    assert np.all(np.abs(s1a - 1) < 0.01) and np.all((s2a > 0) & (s2a < 0.05))
    s1b, s2b = mattis_bardeen.conductivity(E, 0.99999 * TC, TC)
    # deviations scale with Delta^2 ~ (1 - T/Tc): 100 times smaller
    np.testing.assert_allclose((1 - s1a) / (1 - s1b), 100, rtol=0.02)
    np.testing.assert_allclose(s2a / s2b, 100, rtol=0.02)


def _mb_t0(x):
    """Mattis-Bardeen T = 0 in elliptic integrals written out here (scipy's m = k^2)."""
    k = np.abs(x - 2) / (x + 2)
    kp2 = 1 - k ** 2
    s1 = np.where(x > 2, (1 + 2 / x) * special.ellipe(k ** 2) - 4 / x * special.ellipk(k ** 2),
                  0.0)
    s2 = 0.5 * ((1 + 2 / x) * special.ellipe(kp2) - (1 - 2 / x) * special.ellipk(kp2))
    return s1, s2


@pytest.mark.parametrize("exact", [False, True])
def test_mb_zero_temperature_closed_form(exact):
    x = np.array([1e-4, 0.1, 0.7, 1.5, 1.99, 2.01, 2.5, 4.0, 10.0, 300.0])
    T = 0.02 * TC                     # b = Delta/kT = 88: thermal terms ~ e^-88
    delta = bcs.gap(T, TC)
    s1, s2 = mattis_bardeen.conductivity(x * delta, T, TC, exact=exact)
    r1, r2 = _mb_t0(x)
    above = x > 2
    np.testing.assert_allclose(s1[above], r1[above], rtol=1e-6 if not exact else 1e-9)
    assert np.all(s1[~above] < 1e-30)
    np.testing.assert_allclose(s2, r2, rtol=1e-6 if not exact else 1e-9)
    # the T = 0 branch itself
    t1, t2 = mattis_bardeen.conductivity(x * 1.764 * kB * TC, 0.0, TC)
    np.testing.assert_allclose(t2, r2, rtol=1e-13)
    np.testing.assert_allclose(t1[above], r1[above], rtol=1e-12)


def test_mb_low_frequency_sigma2():
    for t in (0.1, 0.5, 0.9):
        T = t * TC
        delta = bcs.gap(T, TC)
        x = np.array([1e-5, 3e-5])
        _, s2 = mattis_bardeen.conductivity(x * delta, T, TC)
        expected = math.pi / x * math.tanh(delta / (2 * kB * T))
        np.testing.assert_allclose(s2, expected, rtol=1e-4)   # correction ~ 0.4 x


def test_mb_table_matches_adaptive_quadrature():
    rng = np.random.default_rng(20261123)
    for gap, gapratio in (("tanh", 1.764), ("bcs", 1.76)):
        for t in rng.uniform(0.04, 0.999, 5):
            T = t * TC
            delta = bcs.gap(T, TC, gapratio, gap)
            x = np.sort(np.concatenate((np.exp(rng.uniform(np.log(2e-6), np.log(5e3), 10)),
                                        rng.uniform(1.8, 2.2, 3))))
            s1, s2 = mattis_bardeen.conductivity(x * delta, T, TC, gapratio, gap)
            e1, e2 = mattis_bardeen.conductivity(x * delta, T, TC, gapratio, gap, exact=True)
            np.testing.assert_allclose(s1, e1, rtol=1e-5, atol=0)
            np.testing.assert_allclose(s2, e2, rtol=1e-5, atol=0)


def test_mb_outside_table_uses_quadrature():
    T = 0.3 * TC
    delta = bcs.gap(T, TC)
    x = np.array([1e-8, 3e4])                       # below X_MIN, above X_MAX
    s1, s2 = mattis_bardeen.conductivity(x * delta, T, TC)
    e1, e2 = mattis_bardeen.conductivity(x * delta, T, TC, exact=True)
    np.testing.assert_allclose(s1, e1, rtol=1e-8)
    np.testing.assert_allclose(s2, e2, rtol=1e-8)


def test_mb_impedance_is_inductive_kinetic_inductance():
    R0 = 50.0
    d0 = 1.764 * kB * TC
    E = np.array([1e-4, 1e-3]) * d0
    Z = mattis_bardeen.impedance(E, 0.0, R0, TC)
    assert np.all(Z.imag > 0)
    omega = E / hbar
    np.testing.assert_allclose(Z.imag, omega * R0 * hbar / (math.pi * d0), rtol=1e-3)
    assert np.all(np.abs(Z.real) < 1e-12 * np.abs(Z))
    Zn = mattis_bardeen.impedance(E, 2 * TC, R0, TC)
    np.testing.assert_allclose(Zn, R0, rtol=0, atol=0)


def test_mb_bad_input():
    with pytest.raises(ValueError, match="> 0"):
        mattis_bardeen.conductivity([0.0, 1e-24], 0.1, TC)
    with pytest.raises(ValueError, match="scalar"):
        mattis_bardeen.conductivity([1e-24], [0.1, 0.2], TC)


# ---------------------------------------------------------------------------------- NIS ----
def test_nis_ratio_at_tc():
    assert nis.conductance_ratio(TC, TC, 1e-4) == 1.0
    assert nis.conductance_ratio(2 * TC, TC, 1e-4) == 1.0
    assert nis.conductance_ratio(0.99999 * TC, TC, 1e-4) == pytest.approx(1.0, abs=1e-3)
    assert nis.conductance_ratio(0.999 * TC, TC, 1e-4) < nis.conductance_ratio(0.9999 * TC, TC,
                                                                                1e-4) < 1


def test_nis_low_temperature_asymptote():
    for t in (0.05, 0.1, 0.15):
        b = 1.764 * bcs.reduced_gap(t) / t
        ratio = nis.conductance_ratio(t * TC, TC, 0.0)
        # -f'(E) = sum_n (-1)^(n+1) n e^-nE gives sum_n (-1)^(n+1) 2 n b K1(n b) exactly
        series = sum((-1) ** (n + 1) * 2 * n * b * special.k1(n * b) for n in range(1, 6))
        assert ratio == pytest.approx(series, rel=1e-7)
        # leading asymptote sqrt(2 pi Delta/kT) e^-Delta/kT, next term 3/(8b)
        lead = math.sqrt(2 * math.pi * b) * math.exp(-b)
        assert ratio / lead - 1 == pytest.approx(3 / (8 * b), rel=0.1)


def test_nis_universal_in_reduced_temperature():
    t = np.array([0.03, 0.2, 0.5, 0.8, 0.97])
    a = nis.conductance_ratio(t * 0.4, 0.4, 1e-4)
    b = nis.conductance_ratio(t * 1.2, 1.2, 1e-4)
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_nis_dynes_saturation():
    for dynes in (1e-4, 1e-3, 1e-2):
        low = nis.conductance_ratio(0.02 * TC, TC, dynes)
        assert low == pytest.approx(dynes / math.hypot(dynes, 1), rel=2e-3)
        assert nis.conductance_ratio(0.0, TC, dynes) == pytest.approx(dynes, rel=1e-4)
    # Dynes matters only well below Tc (Pioldi et al., Fig. 1c)
    assert nis.conductance_ratio(0.5 * TC, TC, 1e-4) == pytest.approx(
        nis.conductance_ratio(0.5 * TC, TC, 0.0), rel=1e-3)


def test_nis_table_matches_adaptive_quadrature():
    t = np.array([0.011, 0.07, 0.23, 0.5, 0.81, 0.999])
    for dynes, gap in ((1e-4, "tanh"), (0.0, "bcs"), (3e-3, "bcs")):
        fast = nis.conductance_ratio(t * TC, TC, dynes, 1.764, gap)
        exact = nis.conductance_ratio(t * TC, TC, dynes, 1.764, gap, exact=True)
        np.testing.assert_allclose(fast, exact, rtol=1e-6)


def test_nis_impedance():
    area, rspec, cspec = 0.1e-12, 10e-12, 50e-15 / 1e-12
    E = np.array([1e-26, 1e-24, 1e-23])
    T = 0.3
    ratio = nis.conductance_ratio(T, 1.2, 1e-4)
    Z = nis.impedance(E, T, area, rspec, cspec, 1.2, 1e-4)
    R = rspec / area / ratio
    C = cspec * area
    np.testing.assert_allclose(1 / Z, 1 / R + 1j * (E / hbar) * C, rtol=1e-12)
    assert np.all(Z.imag < 0)


# ---------------------------------------------------------------------- electron-phonon ----
def test_power_law_heat():
    assert electron_phonon.power_law_heat(0.2, 0.1, 3e9, 1e-18, 5) == pytest.approx(
        3e9 * 1e-18 * (0.2 ** 5 - 0.1 ** 5), rel=1e-15)
    assert electron_phonon.power_law_heat(0.2, 0.1, 3e7, 1e-18, 6) == pytest.approx(
        3e7 * 1e-18 * (0.2 ** 6 - 0.1 ** 6), rel=1e-15)


def test_eph_bcs_normal_limit():
    sig, vol = 1.3e9, 1e-19
    for T, Tb in ((TC, 0.03), (0.5, 0.1), (0.45, 0.6)):
        q = electron_phonon.bcs_heat(T, Tb, sig, vol, TC)
        assert q == pytest.approx(sig * vol * (T ** 5 - Tb ** 5), rel=1e-6)
    # Delta -> 0 continuously: at T = (1 - 1e-9) Tc, Delta/kT ~ 1e-4
    T = (1 - 1e-9) * TC
    q = electron_phonon.bcs_heat(T, 0.03, sig, vol, TC)
    assert q == pytest.approx(sig * vol * (T ** 5 - 0.03 ** 5), rel=1e-6)
    assert electron_phonon.heat_ratio(1e-4, 0.3) == pytest.approx(1.0, rel=1e-6)


def test_eph_bcs_exponential_suppression():
    sig, vol = 1.3e9, 1e-19
    T, Tb = 0.1 * TC, 0.01 * TC
    q = electron_phonon.bcs_heat(T, Tb, sig, vol, TC)
    normal = sig * vol * (T ** 5 - Tb ** 5)
    assert 0 < q < 1e-3 * normal
    b = 1.764 * bcs.reduced_gap(0.1) / 0.1
    assert q / normal < 10 * math.exp(-b) * b       # ~ e^-Delta/kT
    assert electron_phonon.bcs_heat(0.2, 0.2, sig, vol, TC) == 0.0
    assert electron_phonon.bcs_heat(0.2, 0.3, sig, vol, TC) < 0


def test_eph_bcs_table_matches_adaptive_quadrature():
    sig, vol = 1.3e9, 1e-19
    for T, Tb, gap in ((0.35, 0.03, "tanh"), (0.2, 0.19, "bcs"), (0.12, 0.17, "tanh"),
                       (0.3, 0.0, "bcs")):
        fast = electron_phonon.bcs_heat(T, Tb, sig, vol, TC, gap=gap)
        exact = electron_phonon.bcs_heat(T, Tb, sig, vol, TC, gap=gap, exact=True)
        assert fast == pytest.approx(exact, rel=1e-5)
    arr = electron_phonon.bcs_heat(np.array([0.35, 0.2]), 0.03, sig, vol, TC)
    assert arr[0] == electron_phonon.bcs_heat(0.35, 0.03, sig, vol, TC)


def _gl(a, b, n, panels):
    x, w = np.polynomial.legendre.leggauss(n)
    e = np.linspace(a, b, panels + 1)
    h = 0.5 * np.diff(e)
    return (e[:-1, None] + h[:, None] * (x + 1)).ravel(), (h[:, None] * w).ravel()


def _pioldi_ratio(b, p, literal=False, n=20):
    """Pioldi et al. (2025) / Timofeev et al. (2009) e-ph heat over Sigma V (T^5 - Tb^5),
    energies in kB T:  1/(96 zeta5) int dE E N(E) int dw sgn(w) w^2
    [F_E F_{E+w} - 1 - (F_E - F_{E+w}) coth(w/2Tb)] N(E+w) (1 - b^2/(E^2 + E w)).
    E = +-b cosh u on each side of the gap; the inner integral is split at w = 0.
    ``literal=True`` uses coth(E/2Tb) as printed."""
    umax = math.acosh((b + 45 * max(1.0, p)) / b)
    u, wu = _gl(0.0, umax, n, 5)
    total = 0.0
    for s1 in (1, -1):
        for i, ui in enumerate(u):
            E = s1 * b * math.cosh(ui)
            wE = wu[i] * b * math.cosh(ui)               # N(E) dE = b cosh u du
            for s2 in (1, -1):
                pieces = [(0.0, ui), (ui, umax)] if s1 == s2 else [(0.0, umax)]
                for lo, hi in pieces:
                    up, wup = _gl(lo, hi, n, 3)
                    Ep = s2 * b * np.cosh(up)
                    w = Ep - E
                    F, Fp = math.tanh(E / 2), np.tanh(Ep / 2)
                    coth = 1 / np.tanh((E if literal else w) / (2 * p))
                    bracket = F * Fp - 1 - (F - Fp) * coth
                    total += wE * E * np.sum(wup * b * np.cosh(up) * np.sign(w) * w ** 2
                                             * bracket * (1 - b * b / (E * Ep)))
    return total / (96 * special.zeta(5)) / (1 - p ** 5)


def test_eph_pioldi_form_equals_dey_form():
    # Pioldi's aluminium formula (coth of the phonon energy) is Dey Eqs. 8-9 rewritten:
    for b, p in ((1.5, 0.5), (3.0, 0.3), (2.0, 1.4)):
        assert _pioldi_ratio(b, p) == pytest.approx(electron_phonon.heat_ratio(b, p),
                                                    rel=1e-7)
    # read literally (coth of the quasiparticle energy) it is not even normalizable
    with np.errstate(all="ignore"):
        assert abs(_pioldi_ratio(1.5, 0.5, literal=True) - 1) > 1


def test_eph_bad_input():
    with pytest.raises(ValueError, match="T > 0"):
        electron_phonon.bcs_heat(0.0, 0.1, 1e9, 1e-18, TC)


def test_nis_conductance_print_quantities():
    """GRATIO(N) = R_N/R(T) (Pioldi Eq. 1) and GE(N) = 1/R(T), from a netlist."""
    import thermnet
    text = """.model j nis(tc=1.2 rspec=10p cspec=50m dynes=1e-4)
TJ J {t}
TP P 10m
.param t=0.36
N1 a b j area=0.2p temp=J
R1 b a 100 temp=P
.print GRATIO(N1) GE(N1)
.step t list 0.36 1.5
"""
    res = thermnet.parse(text).run()
    low, normal = res[0].columns, res[1].columns
    assert low["GRATIO(N1)"] == pytest.approx(
        float(nis.conductance_ratio(0.36, 1.2, 1e-4)), rel=1e-12)
    assert low["GRATIO(N1)"] < 0.05                         # 0.3 Tc: tunnelling frozen out
    assert low["GE(N1)"] == pytest.approx(low["GRATIO(N1)"] * 0.2e-12 / 10e-12, rel=1e-12)
    assert normal["GRATIO(N1)"] == 1.0 and normal["GE(N1)"] == pytest.approx(0.02)
    with pytest.raises(thermnet.NetlistError, match=r"GRATIO\(R1\)"):
        thermnet.parse(text.replace("GRATIO(N1)", "GRATIO(R1)"))
