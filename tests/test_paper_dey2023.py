"""Dey, Timossi, Amico, Marchegiani, Phys. Rev. B 107, 134510 (2023): the shipped netlists
``netlists/dey2023_*.net`` reproduce the paper's stated claims (docs/validation/dey2023.md).

Each test runs a shipped netlist, as written or with its sweep card replaced (fewer or finer
points; ``variant`` checks the replaced card exists exactly once), and checks a claim of the
paper against closed forms or the paper's numbers with tolerances.
"""
import math
import os
import re

import numpy as np
import pytest
from scipy.integrate import quad

import thermnet
from thermnet.errors import FailedMeasureWarning
from thermnet.physics import mattis_bardeen
from thermnet.physics.constants import h, kB

NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")
TC = 0.4                       # Ti critical temperature, K (Dey, text below Eq. 6)
SIGMA_1D = math.pi ** 2 * kB ** 2 / (6 * h)   # Q = tau_0 SIGMA_1D (T_S^2 - T_D^2), text below Eq. 3
LIMIT = 1 - 8 / math.pi ** 2   # large-r relative modulation, footnote 58


def path(name):
    return os.path.join(NETLISTS, name)


def variant(name, *subs):
    """The shipped netlist ``name`` with each (regex, replacement) applied exactly once."""
    with open(path(name), encoding="utf-8") as fh:
        text = fh.read()
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        assert n == 1, f"{name}: no unique card matching {pattern!r}"
    return thermnet.parse(text, path(name))


def tau0(x):
    return 4 * x / (1 + x) ** 2


def params(net):
    return net.circuit().flat.params


def source_value(net, name):
    return net.circuit().flat.elements[name.lower()].value


def columns(results):
    assert all(r.converged.all() for r in results)
    return [r.columns for r in results]


def ndtc_window(T, Q):
    """(T at the local maximum of Q below Tc, Q there, Q at Tc) on a sweep grid."""
    below = T < TC - 1e-12
    i = int(np.argmax(Q[below]))
    return T[i], Q[i], float(np.interp(TC, T, Q))


# ---- Fig. 1(b): ideal resistors --------------------------------------------------------------
def test_fig1b_transmission_of_two_resistors():
    net = thermnet.load(path("dey2023_fig1b.net"))
    (c,) = columns(net.run())
    x, tau, Q = c["x"], c["TAU(S,D)"], c["Q(S,D)"]
    assert len(x) == 81 and x[0] == pytest.approx(0.01) and x[-1] == pytest.approx(100)
    assert tau == pytest.approx(tau0(x), rel=1e-9)          # tau_0(x) = 4x/(x+1)^2
    i = int(np.argmax(tau))
    assert x[i] == pytest.approx(1.0) and tau[i] == pytest.approx(1.0, abs=1e-12)  # matching
    assert tau == pytest.approx(tau[::-1], rel=1e-9)        # tau_0(x) = tau_0(1/x), log grid
    TS, TD = source_value(net, "TS"), source_value(net, "TD")
    assert Q == pytest.approx(tau0(x) * SIGMA_1D * (TS ** 2 - TD ** 2), rel=1e-6)


# ---- Fig. 1(c)/(d): a resistance jump at Tc --------------------------------------------------
def test_fig1d_ndtc_from_resistance_jump():
    net = thermnet.load(path("dey2023_fig1d.net"))
    (c,) = columns(net.run())
    p = params(net)
    T, tau, Q = c["t_s"], c["TAU(S,D)"], c["Q(S,D)"]
    assert list(c) == ["t_s", "TAU(S,D)", "Q(S,D)"] and len(T) == 111
    x = 1 + p["r"] * np.clip((T - p["tc"]) / p["dt"], 0, 1)  # R_S/R_D of Fig. 1(c)
    TD = source_value(net, "TD")
    assert tau == pytest.approx(tau0(x), rel=1e-9)
    assert Q == pytest.approx(tau0(x) * SIGMA_1D * (T ** 2 - TD ** 2), rel=1e-6)
    # NDTC only across the jump: one falling step, from Tc to the next grid point
    falling = np.flatnonzero(np.diff(Q) < 0)
    assert len(falling) == 1 and T[falling[0]] == pytest.approx(p["tc"])
    drop = Q[falling[0] + 1] / Q[falling[0]]
    T0, T1 = T[falling[0]], T[falling[0] + 1]
    assert drop == pytest.approx(tau0(1 + p["r"]) * (T1 ** 2 - TD ** 2) / (T0 ** 2 - TD ** 2),
                                 rel=1e-6)
    assert drop < 0.15                                        # tau_0 1 -> 0.1025 for r = 36


# ---- Fig. 2(a): Q vs T_S for r = 1, 10, 36, 100 at T_D = 30 mK -------------------------------
# r = 1 has no NDTC window: its window measures fail, with that reason, and run() warns
NO_WINDOW = r"t_lo \(sweep r=1\): no FALL=1 of D\(Q\(S,D\),TS\) through 0"


def test_fig2a_shipped_netlist():
    net = thermnet.load(path("dey2023_fig2a.net"))
    with pytest.warns(FailedMeasureWarning, match=NO_WINDOW):
        res = net.run()
    assert [r.step for r in res] == [{"r": 1.0}, {"r": 10.0}, {"r": 36.0}, {"r": 100.0}]
    cs = columns(res)
    assert all(len(c["TS"]) == 111 for c in cs)
    assert source_value(net, "TD") == pytest.approx(0.03)
    # "Upon increasing R0, the photonic heat current decreases" (at every T_S)
    Qs = np.array([c["Q(S,D)"] for c in cs])
    assert np.all(np.diff(Qs, axis=0) < 0)
    # printed derivative agrees with the slope of the curve (grid 5 mK, away from Tc)
    for c in cs:
        T, Q, dQ = c["TS"], c["Q(S,D)"], c["D(Q(S,D),TS)"]
        mid = (T[1:-1] < 0.38) | (T[1:-1] > 0.42)
        slope = (Q[2:] - Q[:-2]) / (T[2:] - T[:-2])
        assert dQ[1:-1][mid] == pytest.approx(slope[mid], rel=0.02, abs=1e-15)


def test_fig2a_ndtc_window_below_tc():
    net = variant("dey2023_fig2a.net", (r"\.sweep TS .*", ".sweep TS 300m 420m 241"))
    edges = {}
    with pytest.warns(FailedMeasureWarning, match=NO_WINDOW):
        res = net.run()
    for r, c, result in zip((1, 10, 36, 100), columns(res), res):
        T, Q, dQ = c["TS"], c["Q(S,D)"], c["D(Q(S,D),TS)"]
        neg = T[dQ < 0]
        m = result.measures
        if r == 1:
            assert len(neg) == 0                      # r = 1: no NDTC (tau_max/tau_min = 1.07)
            # the window's measures fail and say why; the dip is 0
            assert "no FALL=1 of D(Q(S,D),TS) through 0" in result.measure_failures["t_lo"]
            assert m["dip"] == 0
            continue
        # .measure: the window's edges where dQ/dT_S changes sign (np.interp on the two
        # points around it), the dip 1 - Q(Tc)/Q_max (the page's numbers)
        k = int(np.flatnonzero((dQ[:-1] > 0) & (dQ[1:] <= 0))[0])
        assert m["t_lo"] == pytest.approx(np.interp(0, dQ[k:k + 2][::-1], T[k:k + 2][::-1]),
                                          rel=1e-12)
        assert m["t_lo"] == pytest.approx({10: 0.3656, 36: 0.3355, 100: 0.3227}[r], abs=1e-4)
        assert m["t_hi"] == pytest.approx(TC, abs=0.5e-3)                # the kink at Tc
        assert m["dip"] == pytest.approx(1 - np.interp(TC, T, Q) / Q[T <= TC].max(), rel=1e-9)
        assert m["dip"] == pytest.approx({10: 0.075, 36: 0.189, 100: 0.243}[r], abs=5e-4)
        # one contiguous NDTC window, ending at Tc: dQ/dT_S < 0 from the maximum of Q up to Tc
        assert np.all(np.diff(np.flatnonzero(dQ < 0)) == 1)
        # (at T_S = Tc itself the central difference straddles the kink of Q)
        assert TC - 0.5e-3 - 1e-9 <= neg.max() <= TC + 1e-9
        assert np.all(dQ[T > TC + 1e-9] > 0)
        Tmax, Qmax, Qc = ndtc_window(T, Q)
        assert neg.min() == pytest.approx(Tmax, abs=1e-3)
        edges[r] = Tmax
        assert Qc < Qmax
    # paper: NDTC "around (350 mK, 400 mK)"; we find lower edges 366, 336, 323 mK
    assert 0.355 < edges[10] < 0.375 and 0.325 < edges[36] < 0.345 and 0.31 < edges[100] < 0.33
    assert edges[10] > edges[36] > edges[100]        # the window widens with r


# ---- Fig. 2(b): average transmission vs T_S --------------------------------------------------
def test_fig2b_average_transmission():
    res = thermnet.load(path("dey2023_fig2b.net")).run()
    assert [x.step for x in res] == [{"r": 1.0}, {"r": 10.0}, {"r": 36.0}, {"r": 100.0}]
    for r, c in zip((1, 10, 36, 100), columns(res)):
        T, tau = c["TS"], c["TAU(S,D)"]
        above = T >= TC
        assert above.sum() >= 20
        # tau_min = 4(1+r)/(2+r)^2 for T_S >= Tc: tau_0 of Re Z_S/R_D = 1 + r
        assert tau[above] == pytest.approx(4 * (1 + r) / (2 + r) ** 2, rel=1e-9)
        assert np.all(np.diff(tau) <= 1e-12)          # monotonically decreasing with T_S
        assert tau[0] > tau[above][0] * 1.07          # tau_max at T_S -> 0 (5 mK)


# ---- Fig. 2(c): tau_max, tau_min, relative modulation vs r -----------------------------------
def average_tau(r, T, RD=2.857):
    """Eq. (2) averaged over 0..2 Delta0 by adaptive quadrature (independent of TAU())."""
    d0 = 1.76 * kB * TC

    def tau(E):
        ZS = RD + mattis_bardeen.impedance(np.array([E]), T, r * RD, TC, gapratio=1.76)[0]
        return 4 * ZS.real * RD / abs(ZS + RD) ** 2
    pts = [2 * d0 * u for u in (1e-4, 1e-3, 1e-2, 0.1, 0.5)]
    return quad(tau, 0, 2 * d0, points=pts, limit=400, epsabs=0, epsrel=1e-11)[0] / (2 * d0)


def test_fig2c_tau_max_min_and_modulation():
    net = thermnet.load(path("dey2023_fig2c.net"))
    res = net.run()
    assert [r.step for r in res] == [{"TS": 0.001}, {"TS": 0.5}]
    cmax, cmin = columns(res)
    r, tmax, tmin = cmax["r"], cmax["TAU(S,D)"], cmin["TAU(S,D)"]
    assert cmin["r"] == pytest.approx(r) and r[0] == pytest.approx(0.1) and len(r) == 41
    assert tmin == pytest.approx(4 * (1 + r) / (2 + r) ** 2, rel=1e-9)
    assert np.all(np.diff(tmax) < 0) and np.all(np.diff(tmin) < 0)   # both fall with r
    assert np.all(tmax > tmin)
    # TAU(S,D) against an independent quadrature of Eq. (2) with the Mattis-Bardeen impedance
    for rv in (10.0, 100.0):
        i = int(np.argmin(abs(r - rv)))
        assert r[i] == pytest.approx(rv)
        assert tmax[i] == pytest.approx(average_tau(rv, 1e-3), rel=1e-7)
    # the relative modulation grows monotonically with r towards 1 - 8/pi^2 = 0.1894
    m = 1 - tmin / tmax
    assert np.all(np.diff(m) > 0)
    at = {rv: m[int(np.argmin(abs(r - rv)))] for rv in (1, 10, 100, 1000)}
    assert at[1] == pytest.approx(0.0669, abs=5e-4)
    assert at[10] == pytest.approx(0.19, abs=0.01)            # "saturating ... for r ~ 10"
    assert 0 < LIMIT - at[100] < 5e-4                           # 0.18910
    # 0.18940 (adaptive quadrature of Eq. (2) gives 0.18940 too): still below the limit
    assert 0 < LIMIT - at[1000] < 1e-4
    assert tmax[-1] == pytest.approx(average_tau(r[-1], 1e-3), rel=1e-6)   # peak at E ~ 0
    # footnote 58: at large r, tau_max -> pi^2/(2r) (Z_0 = i w R0/(pi Delta0)), tau_min -> 4/r
    assert r[-1] * tmax[-1] == pytest.approx(math.pi ** 2 / 2, rel=5e-3)
    assert r[-1] * tmin[-1] == pytest.approx(4, rel=5e-3)


def test_fig2c_modulation_measured():
    """dey2023_fig2c_modulation.net: the dashed curve as an expression column of a cold
    (tau_max) and a hot (tau_min) copy of the circuit, read by .measure at the page's r."""
    # every other point of the shipped grid (r = 1, 10, 100, 1000 are on both)
    res = variant("dey2023_fig2c_modulation.net",
                  (r"\.sweep r .*", ".sweep r 0.1 1000 21 log")).run()
    (c,) = columns(res)
    m = res[0].measures
    col = "{1 - TAU(SH,DH)/TAU(SC,DC)}"
    r = c["r"]
    assert c[col] == pytest.approx(1 - c["TAU(SH,DH)"] / c["TAU(SC,DC)"], rel=1e-12)
    assert c["TAU(SH,DH)"] == pytest.approx(4 * (1 + r) / (2 + r) ** 2, rel=1e-9)
    for rv, page in ((1, 0.0669), (10, 0.1819), (100, 0.18910), (1000, 0.18940)):
        assert m[f"mod_{rv}"] == pytest.approx(np.interp(rv, r, c[col]), rel=1e-12)
        assert m[f"mod_{rv}"] == pytest.approx(page, abs=0.6 * 10 ** -len(str(page)[2:]))
    # 96 % of the saturation 1 - 8/pi^2 is reached at r ~ 10 ("saturating ... for r ~ 10")
    assert m["r_96pct"] == pytest.approx(10, abs=1)
    assert m["rtau_max"] == pytest.approx(math.pi ** 2 / 2, rel=5e-3)   # footnote 58


# ---- Fig. 2(d): r = 36, several T_D ----------------------------------------------------------
def test_fig2d_drain_temperature():
    res = thermnet.load(path("dey2023_fig2d.net")).run()
    TDs = [r.step["TD"] for r in res]
    assert TDs == pytest.approx([0.03, 0.1, 0.15, 0.2])
    cs = columns(res)
    T = cs[0]["TS"]
    Qs = np.array([c["Q(S,D)"] for c in cs])
    assert np.all(np.diff(Qs, axis=0) < 0)     # Q decreases with T_D at every T_S
    for TD, Q in zip(TDs[1:], Qs[1:]):         # and vanishes at T_S = T_D (T_D on the grid)
        assert np.interp(TD, T, Q) == pytest.approx(0, abs=1e-6 * Q.max())
    # NDTC just below Tc for every T_D: the maximum below Tc exceeds Q(Tc); it moves up in T_S
    # and the relative dip shrinks as T_D rises (robust up to T_D ~ 0.22 K = 0.55 Tc)
    edges, dips = [], []
    for c in cs:
        Tmax, Qmax, Qc = ndtc_window(T, c["Q(S,D)"])
        neg = T[c["D(Q(S,D),TS)"] < 0]
        assert len(neg) > 0 and TC - 5e-3 - 1e-9 <= neg.max() <= TC + 1e-9
        edges.append(Tmax)
        dips.append(1 - Qc / Qmax)
    assert np.all(np.diff(edges) > 0) and np.all(np.diff(dips) < 0)
    assert edges[2] < 0.38 and dips[2] > 0.03      # T_D = 150 mK: window > 25 mK, dip 4 %
    assert dips[3] > 0


# ---- Fig. 3: steady states vs input power ----------------------------------------------------
# Fig. 3 caption, SI: films rho*l/A, volumes l*A; Sigma from the text below Eqs. 7 and 9.
V_CU, V_TI = 2e-6 * 700e-9 * 30e-9, 6e-6 * 700e-9 * 25e-9
SIGMA_CU, SIGMA_TI, TP = 3e9, 1.3e9, 0.03


def falling_window(c):
    """(P where T_D starts to fall, P where it stops, drop of T_D) on the sweep grid."""
    P, TD = c["P1"], c["T(D)"]
    fall = np.flatnonzero(np.diff(TD) < 0)
    assert len(fall) > 0 and np.all(np.diff(fall) == 1)       # one contiguous window
    i, j = fall[0], fall[-1] + 1
    return P[i], P[j], TD[i] - TD[j]


def test_fig3_shipped_netlist():
    net = thermnet.load(path("dey2023_fig3.net"))
    res = net.run()
    assert len(res) == 1 and res[0].analysis == "sweep"
    (c,) = columns(res)
    assert list(c) == ["P1", "T(S)", "T(D)", "Q(S,D)"] and len(c["P1"]) == 59
    assert np.all(np.diff(c["T(S)"]) > 0)                     # Fig. 3(c): T_S monotonic
    lo, hi, drop = falling_window(c)
    # paper: T_D falls for P_in in about [1.5, 2.25] pW; with the caption's parameters we find
    # [1.85, 2.7] pW: it falls until T_S reaches Tc, where P_in = electron-phonon losses of the
    # source (Cu 1.29 pW + Ti 1.40 pW, Delta = 0 at Tc) + the photonic heat
    P_tc = (SIGMA_CU * V_CU + SIGMA_TI * V_TI) * (TC ** 5 - TP ** 5)
    assert P_tc == pytest.approx(2.688e-12, rel=1e-3)
    assert np.interp(TC, c["T(S)"], c["P1"]) == pytest.approx(P_tc, rel=5e-3)
    assert hi == pytest.approx(P_tc, abs=0.05e-12)
    assert 1.80e-12 <= lo <= 1.90e-12
    assert 1e-3 < drop < 2e-3                                  # > 1 mK (conclusion)
    # the netlist's .measure cards give the same window, interpolated between points
    m = res[0].measures
    assert not res[0].measure_failures
    assert m["pmax"] == pytest.approx(lo, abs=0.05e-12)       # within one grid step
    assert m["p_tc"] == pytest.approx(np.interp(TC, c["T(S)"], c["P1"]), rel=1e-12)
    assert m["p_tc"] == pytest.approx(P_tc, rel=5e-3)
    assert m["drop"] == pytest.approx(1000 * (c["T(D)"].max() - c["T(D)"][c["P1"] > 2.5e-12]
                                              .min()), rel=1e-9)
    # drain balance (Eq. 7, second line): Q_gamma = Sigma_Cu V_Cu (T_D^5 - T_p^5)
    assert c["Q(S,D)"] == pytest.approx(SIGMA_CU * V_CU * (c["T(D)"] ** 5 - TP ** 5), rel=1e-8)


FINE = (r"\.sweep P1 .*", ".sweep P1 1.2p 3.0p 91")     # 20 fW steps


WINDOW = (1.831e-12, 2.695e-12)   # docs/validation/dey2023.md: the window, measured
DROP_MK = 1.38                     # its drop of T_D, mK, on 10-20 fW grids (the page: 1.37-1.38)


def test_fig3_window_with_caption_parameters():
    res = variant("dey2023_fig3.net", FINE).run()
    (c,) = columns(res)
    lo, hi, drop = falling_window(c)
    # on the grid: the first and last points of the fall (the page's first reading)
    assert lo == pytest.approx(1.84e-12, abs=0.03e-12)
    assert hi == pytest.approx(2.70e-12, abs=0.03e-12)
    assert drop == pytest.approx(1.38e-3, abs=0.03e-3)
    # .measure interpolates: the page's window to its quoted precision (1 fW)
    m = res[0].measures
    assert m["pmax"] == pytest.approx(WINDOW[0], abs=1e-15)
    assert m["p_tc"] == pytest.approx(WINDOW[1], abs=1e-15)
    assert m["pmin"] == pytest.approx(WINDOW[1], abs=0.01e-12)      # the kink, 20 fW grid
    assert m["drop"] == pytest.approx(DROP_MK, abs=0.01)
    # independently: dT_D/dP_in interpolated to 0 where it changes sign (np.interp)
    dT = c["T(D)"][1:] - c["T(D)"][:-1]
    P = 0.5 * (c["P1"][1:] + c["P1"][:-1])
    k = int(np.flatnonzero((dT[:-1] > 0) & (dT[1:] <= 0))[0])
    assert m["pmax"] == pytest.approx(np.interp(0, dT[k:k + 2][::-1], P[k:k + 2][::-1]),
                                      abs=0.005e-12)


def test_fig3_contract_example_measures_the_window():
    """The v2 contract's example (netlists/dey2023_fig3_measured.net, verbatim) runs from
    netlists/ and measures the page's window and drop."""
    res = thermnet.load(path("dey2023_fig3_measured.net")).run()
    m = res[0].measures
    assert not res[0].measure_failures and list(m) == ["pmax", "pmin", "drop", "tmax", "tmin"]
    assert m["pmax"] == pytest.approx(WINDOW[0], abs=1e-15)
    assert m["pmin"] == pytest.approx(WINDOW[1], abs=0.002e-12)      # the kink, 10 fW grid
    assert m["drop"] == pytest.approx(DROP_MK, abs=0.005)
    c = res[0].columns
    assert m["tmax"] == pytest.approx(c["T(D)"][c["P1"] >= 1e-12].max(), rel=1e-12)
    assert m["drop"] == pytest.approx(1000 * (m["tmax"] - m["tmin"]), rel=1e-12)


def test_fig3_window_of_the_paper_with_sigma_cu_2e9_in_the_source():
    """Sigma_Cu = 2e9 W m^-3 K^-5 for the source's Cu film moves the window to the paper's
    [1.5, 2.25] pW: the upper edge is the source's electron-phonon loss at Tc."""
    net = variant("dey2023_fig3.net", FINE, (r"dey_source sigma_cu=\{sigma_cu\}",
                                              "dey_source sigma_cu=2e9"))
    (c,) = columns(net.run())
    lo, hi, drop = falling_window(c)
    assert hi == pytest.approx((2e9 * V_CU + SIGMA_TI * V_TI) * (TC ** 5 - TP ** 5),
                               abs=0.03e-12)
    assert lo == pytest.approx(1.5e-12, abs=0.06e-12) and hi == pytest.approx(2.25e-12,
                                                                              abs=0.03e-12)
    assert drop > 1e-3
