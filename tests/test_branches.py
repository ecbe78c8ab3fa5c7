"""Branches (issue 10): folds of plain sweeps, trace continuation, .op as the ramp from the
bath state, .nodeset, D() on the branch.

The bistable circuit is the Dey et al. (2023) source with its electron-phonon volumes cut
2000x (Sigma V of both films / 2000): its T_S(P_in) is S-shaped.  Its folds are checked
against the extrema of P_in(T_S) computed here by pinning T_S (S a temperature source; the
drain's balance solved by brentq on the heat flows, on photon grids verified at each
state), never with the continuation itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.optimize as so

import thermnet
from thermnet.errors import BranchWarning, NetlistError

NETLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netlists")
LIB = os.path.join(NETLISTS, "lib", "dey2023_devices.lib")
TC = 0.4
BISTABLE = f""".title bistable Dey source
.include "{LIB}"
.options photon_rtol=1e-6
TB  bath 30m
P1  S 8.18f
XS  S bath a c dey_source sigma_cu=1.5e6 sigma_ti=6.5e5
XD  D bath c a dey_drain
"""


def run(text, warn=True):
    """Run a netlist text; with warn, the BranchWarnings it gives, else none allowed."""
    if not warn:
        return thermnet.parse(text).run(), []
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BranchWarning)
        res = thermnet.parse(text).run()
    return res, [str(w.message) for w in caught if issubclass(w.category, BranchWarning)]


@pytest.fixture(scope="module")
def pinned():
    """P_in(T_S) with T_S pinned: the heat the source at S supplies, the drain's balance
    F_D(T_D) = 0 solved by brentq, photon grids verified at every state."""
    net = thermnet.parse(BISTABLE.replace("P1  S 8.18f", "TS S 0.3") + ".sweep TS list 0.3\n")
    net.run()
    bal = net._balance
    iS, iD = bal.index["s"], bal.index["d"]

    def P_in(TS):
        bal.set_value("ts", TS)
        T = np.array([0.0] * len(bal.nodes))
        T[bal.index["bath"]], T[iS], T[iD] = 0.03, TS, 0.14
        for _ in range(3):
            bal._checked_at = None
            bal.choose_grids(T)

            def FD(TD):
                T[iD] = TD
                return bal.flows(T)[0][iD]
            T[iD] = so.brentq(FD, 0.12, 0.16, xtol=1e-15, rtol=1e-14)
            bal._checked_at = None
            if not bal.choose_grids(T):
                break
        return float(-bal.flows(T)[0][iS])
    return P_in


@pytest.fixture(scope="module")
def traced():
    """The shipped memory netlist (the same bistable circuit through thermal_memory), D()
    printed too."""
    with open(os.path.join(NETLISTS, "thermal_memory.net"), encoding="utf-8") as fh:
        text = fh.read()
    lib = os.path.join(NETLISTS, "lib", "transistors.lib")
    text = text.replace('"lib/transistors.lib"', f'"{lib}"').replace(
        ".print T(S) T(D)", ".print T(S) T(D) D(T(S),P1)")
    res, warns = run(text)
    return res[0], warns


def test_trace_folds_are_the_extrema_of_pinned_power(traced, pinned):
    r, warns = traced
    assert r.converged.all() and len(r.folds) == 2
    up, down = (f["P1"] for f in r.folds)
    # the upper fold: a smooth maximum of P_in(T_S)
    best = so.minimize_scalar(lambda t: -pinned(t), bounds=(0.385, 0.395), method="bounded",
                              options={"xatol": 1e-6})
    assert up == pytest.approx(-best.fun, rel=1e-4)
    assert r.folds[0]["T(S)"] == pytest.approx(best.x, abs=1e-4)
    # the lower fold: the gap closes at Tc (sqrt cusp), where P_in(T_S) has its minimum
    p_tc = pinned(TC)
    assert p_tc < pinned(TC - 2e-5) and p_tc < pinned(TC + 2e-5)
    assert down == pytest.approx(p_tc, rel=1e-4)
    assert r.folds[1]["T(S)"] == pytest.approx(TC, abs=2e-5)
    # a warning per fold, naming it
    assert sum("fold (turning point) at P1 = 8.2062" in w for w in warns) == 1


def test_trace_returns_the_whole_s_curve(traced):
    r, _ = traced
    P, TS = r.columns["P1"], r.columns["T(S)"]
    kinds, index = r.branch["kind"], r.branch["index"]
    # every requested value on each branch it lies on: 8.2 fW three times (S-curve)
    grid_P = P[np.array(kinds) == "grid"]
    assert sum(np.isclose(grid_P, 8.2e-15, rtol=1e-12, atol=0)) == 3
    for v in (8.1e-15, 8.15e-15, 8.25e-15, 8.3e-15):
        assert sum(np.isclose(grid_P, v, rtol=1e-12, atol=0)) >= 1
    # the middle branch runs back in P1 while T(S) keeps rising; three branches 0, 1, 2
    assert np.all(np.diff(TS) > 0)
    middle = np.array(index) == 1
    assert middle.any() and np.all(np.diff(P[middle]) <= 0)
    assert sorted(set(index)) == [0, 1, 2]
    # D() on the branch: infinite at the folds, the branch's own slope elsewhere (the
    # middle branch's dT/dP is negative)
    D = r.columns["D(T(S),P1)"]
    assert np.all(np.isinf(D[np.array(kinds) == "fold"]))
    mid = middle & (np.array(kinds) == "grid")
    assert np.all(D[mid] < 0)


def test_plain_sweeps_report_their_jumps_at_the_folds(traced):
    r, _ = traced
    up_fold, down_fold = (f["P1"] for f in r.folds)
    res, warns = run(BISTABLE + ".sweep P1 8.1f 8.3f 5\n.print T(S)\n")
    up = res[0]
    assert [f["P1"] for f in up.folds] == pytest.approx([up_fold], rel=1e-9)
    assert any("jump between points 2 and 3" in w for w in warns)
    assert up.columns["T(S)"][2] < 0.39 < TC < up.columns["T(S)"][3]
    res, warns = run(BISTABLE + ".sweep P1 8.3f 8.0f 4\n.print T(S)\n")
    down = res[0]
    assert [f["P1"] for f in down.folds] == pytest.approx([down_fold], rel=1e-4)
    assert any("jump between points 1 and 2" in w for w in warns)
    assert down.columns["T(S)"][2] < 0.39 < TC < down.columns["T(S)"][1]
    # a JSON analysis object carries the folds with every printed column
    doc = json.loads(json.dumps(down.to_json()))
    assert doc["folds"][0]["P1"] == pytest.approx(down_fold, rel=1e-5)
    assert set(doc["folds"][0]) == {"P1", "T(S)"}


def test_nodeset_selects_each_of_the_three_branches():
    """At 8.18 fW (inside the window [8.1517, 8.2062] fW) each branch is a steady state:
    .nodeset near it returns it, each checked by its own heat balance."""
    got = []
    for guess in (0.38, 0.395, 0.41):
        res, warns = run(BISTABLE + f".op\n.nodeset T(S)={guess}\n.print T(S) T(D)\n")
        assert not warns
        got.append(res[0].columns["T(S)"])
        assert abs(res[0].energy_balance[0]) < 1e-9
    low, mid, high = got
    assert low < 0.3896 < mid < TC < high
    assert mid == pytest.approx(0.395, abs=3e-3)


def test_op_is_the_ramp_from_the_bath_state():
    """Inside the window the ramp from the cold bath state stays on the lower branch; above
    the upper fold it passes the fold (jump reported, at the fold's power)."""
    res, warns = run(BISTABLE + ".op\n.print T(S)\n")
    assert not warns and res[0].columns["T(S)"] < 0.3896
    res, warns = run(BISTABLE.replace("P1  S 8.18f", "P1  S 8.3f") + ".op\n.print T(S)\n")
    assert res[0].columns["T(S)"] > TC
    assert len(warns) == 1 and "passed a fold" in warns[0] and "P1 = 8.2062" in warns[0]


def test_derivative_on_the_branch_matches_two_op_runs():
    """D(T(S),P1) on the lower branch inside the bistable window (8.18 fW) equals the
    centred difference of two .op runs held on that branch by .nodeset."""
    res, _ = run(BISTABLE + ".op\n.nodeset T(S)=0.38\n.print T(S) D(T(S),P1)\n")
    T0, D = res[0].columns["T(S)"], res[0].columns["D(T(S),P1)"]
    h = 1e-19
    Ts = []
    for P in (8.18e-15 - h, 8.18e-15 + h):
        r, _ = run(BISTABLE.replace("8.18f", f"{P!r}") + f".op\n.nodeset T(S)={T0}\n"
                   ".print T(S)\n")
        Ts.append(r[0].columns["T(S)"])
    # to 1e-3: near the folds dT/dP = -1/(dF/dT) amplifies the photon quadrature's error
    # in dF/dT (photon_rtol 1e-6 here) about 100-fold
    assert D == pytest.approx((Ts[1] - Ts[0]) / (2 * h), rel=1e-3)
    assert D > 1e13          # K/W: steep inside the window


FOUR = f""".title four nodes: a heater island H, the bistable source S, the drain D, a sink N
.include "{LIB}"
.model cu eph(sigma=3e9 n=5)
.options photon_rtol=1e-6
TB  bath 30m
P1  H 8.2f
GH  H S 1e-11
XS  S bath a c dey_source sigma_cu=1.5e6 sigma_ti=6.5e5
XD  D bath c a dey_drain
GN  D N 1e-10
EN  N bath cu vol=1e-21
"""


def test_four_node_trace_turns_at_the_pinned_maximum():
    res, warns = run(FOUR + ".sweep P1 8.17f 8.25f 3 trace\n.print T(S) T(H) T(N)\n")
    r = res[0]
    assert r.converged.all() and len(r.folds) == 1
    up = r.folds[0]["P1"]
    # pinned: S held by a temperature source (H then carries no heat); the heat it supplies
    # around the maximum, a parabola through the top points
    ts = np.linspace(r.folds[0]["T(S)"] - 1e-3, r.folds[0]["T(S)"] + 1e-3, 5)
    pin, _ = run(FOUR.replace("P1  H 8.2f", "TS S 0.39") + ".options reltol=1e-12\n"
                 ".sweep TS list " + " ".join(repr(float(t)) for t in ts) + "\n.print P(TS)\n")
    P = pin[0].columns["P(TS)"]              # what the source supplies, > 0
    c = np.polyfit(ts - ts[2], P, 2)
    top = c[2] - c[1] ** 2 / (4 * c[0])
    assert up == pytest.approx(top, rel=1e-4)
    # the traced points balance: heater power = what the bath takes (energy balance)
    assert np.nanmax(np.abs(r.energy_balance)) < 1e-8
    assert any("fold" in w for w in warns)
    # the middle branch runs back to the lower end of the range, where the trace stops
    assert r.columns["P1"][-1] == pytest.approx(8.17e-15, rel=1e-12)
    assert r.branch["index"][-1] == 1


def test_param_and_bath_traces():
    """A .param traced through the same folds; a bath temperature traced where the branch
    has none gives the plain sweep's numbers."""
    text = BISTABLE.replace("P1  S 8.18f", ".param pin=8.2f\nP1  S {pin}")
    res, _ = run(text + ".sweep pin 8.17f 8.25f 3 trace\n.print T(S)\n")
    assert [f["pin"] for f in res[0].folds][:1] == pytest.approx([8.2062085e-15], rel=1e-6)
    plain, w1 = run(BISTABLE + ".sweep TB 30m 60m 4\n.print T(S)\n")
    tr, w2 = run(BISTABLE + ".sweep TB 30m 60m 4 trace\n.print T(S)\n")
    assert not w1 and not w2 and not tr[0].folds
    assert tr[0].columns["TB"] == pytest.approx(plain[0].columns["TB"], rel=1e-12)
    assert tr[0].columns["T(S)"] == pytest.approx(plain[0].columns["T(S)"], rel=1e-8)


@pytest.mark.parametrize("card, message", [
    (".nodeset T(bath)=0.1", "set by a temperature source"),
    (".nodeset T(Q)=0.1", "'Q' is not a thermal node"),
    (".nodeset S=0.1", "expected T(NODE)=VALUE"),
    (".nodeset T(S)=-1", "positive temperature"),
    (".step P1 1f 2f 3 trace", "trace follows a branch in a .sweep"),
])
def test_bad_cards_are_located(card, message):
    with pytest.raises(NetlistError, match=message.replace("(", r"\(").replace(")", r"\)")):
        thermnet.parse("TB bath 30m\nP1 S 1f\nG1 S bath 1n\n" + card + "\n")


def test_cli_warns_on_stderr_and_writes_folds(tmp_path):
    path = tmp_path / "bi.net"
    path.write_text(BISTABLE.replace("8.18f", "8.3f") + ".op\n.print T(S)\n")
    out = subprocess.run([sys.executable, "-m", "thermnet.cli", "run", str(path), "--format",
                          "json"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "warning: .op: ramping the heaters" in out.stderr
    doc = json.loads(out.stdout)
    assert "passed a fold" in doc["results"][0]["warnings"][0]



def test_transistor_amplifies_checked_against_two_op_runs():
    """The shipped transistor at J_G = 2.28 fW: |alpha| = |dJ_D/dJ_G| > 1 from D(), equal to
    the centred difference of the drain heat of two .op runs (held on the branch by
    .nodeset)."""
    with open(os.path.join(NETLISTS, "thermal_transistor.net"), encoding="utf-8") as fh:
        text = fh.read().replace(".sweep PG 2f 2.4f 17", ".op").replace(
            "PG  G    2.3f", "PG  G    2.28f")
    name = os.path.join(NETLISTS, "x.net")
    col = "D(P(XT.XD.ECU),PG)"
    r = thermnet.parse(text + ".nodeset T(G)=0.398 T(D)=0.1403\n", name).run()[0]
    alpha, TG = r.columns[col], r.columns["T(G)"]
    assert abs(alpha) > 1
    h = 2e-19
    J = []
    for PG in (2.28e-15 - h, 2.28e-15 + h):
        t = text.replace("PG  G    2.28f", f"PG  G    {PG!r}")
        res = thermnet.parse(t + f".nodeset T(G)={TG}\n", name).run()[0]
        J.append(res.columns["P(XT.XD.ECU)"])
    # to 3e-3: alpha = -q/(G_G - q) amplifies the photon quadrature's error in dQ/dT_G
    assert alpha == pytest.approx((J[1] - J[0]) / (2 * h), rel=3e-3)
    # heat balance of the gate island's link equation: alpha = -q/(G_G - q) < -1 means the
    # drain heat falls faster than the gate heat rises
    assert alpha < -1


def test_memory_netlist_reports_its_write_powers(traced):
    r, warns = traced
    folds = [f["P1"] for f in r.folds]
    assert folds == pytest.approx([8.2062e-15, 8.1517e-15], rel=2e-4)
    assert len(warns) == 2


def test_derivative_by_a_param_that_sets_a_source_temperature():
    """D(T(S), T0) with TC c {T0}: the .param moves the source's temperature (it was 0: the
    central difference of F held every node, the source's too, fixed).  Closed form: S sits
    between the source (G9 = 1 nW/K) and the bath (electron-phonon), dT_S/dT0 =
    G9 / (G9 + 5 Sigma V T_S^4)."""
    text = (".model cu eph(sigma=2e9)\nTB bath 30m\nP1 S 1p\nES S bath cu vol=1e-19\n"
            ".param T0=30mK\nTC c {T0}\nG9 c S 1n\n.sweep T0 list 40mK 50m\n"
            ".print T(S) D(T(S),T0)\n")
    c = thermnet.parse(text).run()[0].columns
    TS = c["T(S)"]
    assert c["D(T(S),T0)"] == pytest.approx(1e-9 / (1e-9 + 5 * 2e9 * 1e-19 * TS ** 4),
                                            rel=1e-6)


def test_trace_rows_evaluate_expression_columns():
    """A trace prints {expressions} (with D() inside) like any sweep: the expression of the
    row's own values, infinite at a fold where it holds D()."""
    with open(os.path.join(NETLISTS, "thermal_memory.net"), encoding="utf-8") as fh:
        text = fh.read()
    lib = os.path.join(NETLISTS, "lib", "transistors.lib")
    text = text.replace('"lib/transistors.lib"', f'"{lib}"').replace(
        ".sweep P1 8.1f 8.3f 5 trace", ".sweep P1 8.18f 8.22f 3 trace").replace(
        ".print T(S) T(D)", ".print T(S) {1000*T(S)} D(T(S),P1) {1e-15*D(T(S),P1)}")
    r = run(text)[0][0]
    kinds = np.array(r.branch["kind"])
    assert "fold" in kinds
    np.testing.assert_allclose(r.columns["{1000*T(S)}"], 1000 * r.columns["T(S)"], rtol=1e-14)
    ok = kinds == "grid"
    np.testing.assert_allclose(r.columns["{1e-15*D(T(S),P1)}"][ok],
                               1e-15 * r.columns["D(T(S),P1)"][ok], rtol=1e-12)
    assert np.all(np.isinf(r.columns["{1e-15*D(T(S),P1)}"][kinds == "fold"]))


@pytest.mark.parametrize("power", [8.1, 8.19, 8.2, 8.215, 8.24, 8.35])
def test_op_ramp_neither_misses_nor_invents_the_fold(power):
    """The ramp's steps near the upper fold (8.2062 fW, a narrow S of ~3 % in T(S)) are
    short enough not to step over it: below the fold .op stays on the lower branch without
    a warning, above it the jump is reported (continuation.Tracer max_miss and min_cos)."""
    res, warns = run(BISTABLE.replace("8.18f", f"{power}f") + ".op\n.print T(S)\n")
    T = res[0].columns["T(S)"]
    if power < 8.2062:
        assert T < 0.3896 and not warns
    else:
        assert T > TC and len(warns) == 1 and "passed a fold" in warns[0]


def _islands(n: int) -> str:
    """n identical islands, each heated and coupled photonically to the bath through a
    tabulated R(T) (temperature dependent: the circuit is not provably monostable, so .op
    ramps); the islands rise together."""
    lines = [".model cu eph(sigma=2e9 n=5)", ".model rt rtable(0.02 40 0.1 38 0.3 20 0.6 5 2 4)",
             "TB bath 50m"]
    for k in range(n):
        lines += [f"P{k} I{k} 20f", f"E{k} I{k} bath cu vol=2e-20",
                  f"RA{k} a{k} b{k} rt temp=I{k}", f"RB{k} b{k} a{k} 20 temp=bath"]
    return "\n".join(lines + [".op", ""])


def test_ramp_steps_do_not_shrink_with_the_number_of_nodes(monkeypatch):
    """The continuation's step bounds the largest change of one ln T, not the Euclidean
    length: N nodes rising together would otherwise move by ds / sqrt(N + 1) each (a ring
    of 50 islands took 63 ramp steps)."""
    from thermnet.solve.continuation import Tracer
    steps = []
    original = Tracer.arclength

    def counted(self, p0, ds, before=None):
        steps.append(ds)
        return original(self, p0, ds, before)
    monkeypatch.setattr(Tracer, "arclength", counted)
    counts = {}
    temps = {}
    for n in (1, 16):
        steps.clear()
        cols = thermnet.parse(_islands(n)).run()[0].columns
        counts[n] = len(steps)
        temps[n] = cols["T(I0)"]
        assert np.allclose([cols[f"T(I{k})"] for k in range(n)], temps[n], rtol=1e-9)
    assert temps[16] == pytest.approx(temps[1], rel=1e-9)
    assert counts[1] >= 3
    # measured: 11 steps for one island, 14 for sixteen (23 with the Euclidean cap)
    assert counts[16] <= counts[1] + 4


def _op_with_warnings(net):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BranchWarning)
        cols = net.run()[0].columns
    return cols, [str(w.message) for w in caught if issubclass(w.category, BranchWarning)]


def test_a_set_run_loop_continues_one_ramp():
    """.op after set() of the only heater lies on the ray of loads of the previous ramp: the
    ramp continues from the state kept at the largest load below (folds.RampPath), up or
    down, across the upper fold and back.  The same states (to the photon_rtol of 1e-6 this
    netlist asks for) and fold reports as a new netlist ramped from the bath state at each
    power, at a fraction of the heat evaluations."""
    text = BISTABLE + ".op\n.print T(S) T(D)\n"
    loop = thermnet.parse(text)
    cost = {"loop": 0, "fresh": 0}
    for p in (8.0, 8.19, 8.21, 8.3, 8.1, 7.0, 8.25, 8.2):
        loop.set("P1", f"{p}f")
        before = loop._balance.evaluations if loop._balance is not None else 0
        cols, warns = _op_with_warnings(loop)
        cost["loop"] += loop._balance.evaluations - before
        fresh = thermnet.parse(text).set("P1", f"{p}f")
        ref_cols, ref_warns = _op_with_warnings(fresh)
        cost["fresh"] += fresh._balance.evaluations
        for k in ("T(S)", "T(D)"):
            assert cols[k] == pytest.approx(ref_cols[k], rel=2e-6)
        assert len(warns) == len(ref_warns) == (1 if p > 8.2062 else 0)
        if warns:
            assert "P1 = 8.2062" in warns[0] and "P1 = 8.2062" in ref_warns[0]
            assert (cols["T(S)"] > TC) and (ref_cols["T(S)"] > TC)
    assert cost["loop"] < 0.5 * cost["fresh"]


def test_a_continued_ramp_starts_from_the_kept_derivatives():
    """The ramp keeps S, dF/dx and dF/da at its last state (RampPath.end): the next ramp on
    the same ray starts its tangent there without a derivative pass.  Converted to another
    ramp's parameter (another full load and curvature), they equal a derivative pass of
    that ramp's family at the kept state."""
    from thermnet.solve.continuation import RampFamily
    net = thermnet.parse(BISTABLE + ".op\n.print T(S) T(D)\n")
    net.set("P1", "8f").run()
    bal = net._balance
    path = bal.ramp_path
    a0, T0 = path.points[-1]
    assert path.end is not None and a0 == pytest.approx(8e-15)
    net.set("P1", "8.1f")
    bal.set_value("p1", 8.1e-15)
    a = 8.1e-15
    family = RampFamily(bal, 3.0)
    s = family.parameter(a0 / a)
    S, Fx, Fs = path.derivatives(a0, family, s, a)
    x = np.log(T0[bal.free])
    _, S_ref, Fx_ref, Fs_ref = family.jacobian(x, s)
    assert np.allclose(S, S_ref, rtol=1e-9)
    assert np.allclose(Fx, Fx_ref, rtol=1e-7, atol=1e-9 * np.abs(Fx_ref).max())
    assert np.allclose(Fs, Fs_ref, rtol=1e-9)
    # the same run without them: a derivative pass more, the same state
    other = thermnet.parse(BISTABLE + ".op\n.print T(S) T(D)\n")
    other.set("P1", "8f").run()
    other._balance.ramp_path.end = None
    cost = []
    for n in (net, other):
        passes = []
        n._balance._flows = _counting(n._balance._flows, passes)
        got = n.set("P1", "8.1f").run()[0].columns
        cost.append(sum(passes))
    # at least the start's pass fewer (the rest of the two continuations may differ by a
    # step: the kept derivatives differ from recomputed ones by rounding; oldest numpy)
    assert cost[0] <= cost[1] - 1
    # to the netlist's photon_rtol of 1e-6 (the two continuations may check their photon
    # grids at different states)
    assert got["T(S)"] == pytest.approx(net.run()[0].columns["T(S)"], rel=2e-6)


def _counting(flows, passes):
    """``HeatBalance._flows`` that appends 1 to ``passes`` for each derivative pass."""
    def counted(T, scale, derivatives):
        passes.append(int(derivatives))
        return flows(T, scale, derivatives)
    return counted


def test_a_ramp_turns_the_corner_at_a_films_tc():
    """Where the source film crosses Tc the branch of Dey Fig. 3 turns by a corner (the gap
    opens as sqrt(Tc - T)); the ramp accepts the sharp turn there from a step of 1e-2
    (continuation.CORNER_DS) instead of halving it to 1e-4: the .op at 3 pW, which ends
    above Tc, takes 42 derivative passes instead of 59, at the same state."""
    path = os.path.join(NETLISTS, "dey2023_fig3.net")
    with open(path) as fh:
        text = "\n".join(line for line in fh.read().splitlines()
                         if not line.startswith(".measure"))
    net = thermnet.parse(text.replace(".sweep P1 0.1p 3p 59", ".op"), path).set("P1", "3p")
    passes: list = []
    net.run()      # builds the balance; the counted run below ramps again from the bath
    bal = net._balance
    bal.ramp_path = None
    bal._flows = _counting(bal._flows, passes)
    T = net.run()[0].columns
    assert T["T(S)"] == pytest.approx(0.40868799, rel=1e-7) and T["T(S)"] > TC
    assert sum(passes) <= 50
    # the corner test itself: node S on both sides of Tc, or not
    S = bal.index["s"]
    Ta = np.full(len(bal.nodes), 0.03)
    Tb = Ta.copy()
    Ta[S], Tb[S] = 0.39, 0.41
    assert bal.crosses_kink(Ta, Tb) and not bal.crosses_kink(Ta, Ta)


def test_derivative_near_tc_matches_two_op_runs():
    """D() of the photonic transistor's drain heat with its gate island 1.5 % below the
    film's Tc (PG = 2.175 fW) against the centred difference of two .op runs: the film's
    dY/dT is a difference whose step keeps 2 Delta(T) off the Gauss nodes next to it (the
    default step moved it past them there: 3.5e-4 off)."""
    path = os.path.join(NETLISTS, "thermal_transistor.net")
    with open(path) as fh:
        text = fh.read().replace(".sweep PG 2f 2.4f 17", ".op")
    p0, h = 2.175e-15, 5e-19

    def op(p):
        return thermnet.parse(text, path).set("PG", p).run()[0].columns
    at = op(p0)
    assert TC - at["T(G)"] == pytest.approx(0.006, abs=0.001)
    fd = (op(p0 + h)["P(XT.XD.ECU)"] - op(p0 - h)["P(XT.XD.ECU)"]) / (2 * h)
    assert at["D(P(XT.XD.ECU),PG)"] == pytest.approx(fd, rel=1e-4)


def test_sweep_near_tc_checks_its_photon_grids_where_the_gap_moves():
    """A sweep's photon grids are checked again where a film's 2 Delta moved by 5 %, not only
    where a temperature moved by 2 %: the photonic transistor's gate 0.13 % below Tc at
    2.3 fW, reached along a sweep, has the temperatures and D() of an .op there (a grid
    checked 2 % away put them 3e-7 and 4e-3 off)."""
    path = os.path.join(NETLISTS, "thermal_transistor.net")
    with open(path) as fh:
        text = fh.read()
    sweep = thermnet.parse(text.replace(".sweep PG 2f 2.4f 17", ".sweep PG 2f 2.3f 5"),
                           path).run()[0].columns
    op = thermnet.parse(text.replace(".sweep PG 2f 2.4f 17", ".op"), path).set(
        "PG", 2.3e-15).run()[0].columns
    assert TC - op["T(G)"] == pytest.approx(0.00054, abs=0.0001)
    for k in ("T(G)", "T(D)"):
        assert sweep[k][-1] == pytest.approx(op[k], rel=2e-8)
    assert sweep["D(P(XT.XD.ECU),PG)"][-1] == pytest.approx(op["D(P(XT.XD.ECU),PG)"],
                                                         rel=3e-4)


def test_a_continued_ramps_first_step_extrapolates_from_the_kept_end_before(monkeypatch):
    """The ramp keeps the derivatives of the end before its last too (RampPath.end_before):
    a set()/run() loop's continued ramp extrapolates its first step from both kept ends
    (the cubic through them, the Jacobian extrapolated), so that its corrector needs fewer
    residuals than from the last tangent alone, and fewer evaluations in all; the same
    states to the netlist's photon_rtol (1e-6)."""
    from thermnet.model.balance import HeatBalance
    from thermnet.solve import folds
    path = os.path.join(NETLISTS, "dey2023_fig3.net")
    with open(path) as fh:
        text = "\n".join(line for line in fh.read().splitlines()
                         if not line.startswith(".measure"))
    text = text.replace(".sweep P1 0.1p 3p 59", ".op")
    counts = [0, 0]                        # residuals, derivative passes
    flows = HeatBalance._flows

    def counted(self, T, scale, derivatives):
        counts[int(derivatives)] += 1
        return flows(self, T, scale, derivatives)
    monkeypatch.setattr(HeatBalance, "_flows", counted)

    def loop():
        net = thermnet.parse(text, path)
        net.set("P1", 0.75e-12).run()              # the first ramp, from the bath state
        counts[:] = [0, 0]
        states = []
        for p in np.linspace(0.8e-12, 1.6e-12, 15):
            states.append(net.set("P1", p).run()[0].columns["T(S)"])
        return list(counts), np.array(states)

    with_both, states = loop()
    monkeypatch.setattr(folds.RampPath, "before", lambda self, a: None)
    tangent_only, ref = loop()
    assert states == pytest.approx(ref, rel=2e-6)
    assert with_both[0] <= tangent_only[0] - 7   # residuals: 47 against 61 measured
    # a derivative pass costs about two residuals: fewer evaluations in all (15 passes each
    # measured; one more with the oldest pins of .ci/oldest.txt, where the two runs may
    # check their photon grids at different states)
    assert with_both[0] + 2 * with_both[1] <= tangent_only[0] + 2 * tangent_only[1] - 5
