"""Dynamics (issue 11): heat capacities, .tran, .ac, time constants, .noise -- each against an
independent computation written here (scipy's Radau on the same ODE, closed forms of the
linear response, the BCS heat capacity's limits, the fluctuation-dissipation theorem)."""
import math

import numpy as np
import pytest
from scipy import special
from scipy.integrate import solve_ivp

import thermnet
from thermnet.errors import NetlistError
from thermnet.physics import heat_capacity
from thermnet.physics.constants import h, kB

SIGMA, VOL, GAMMA, TB = 2e9, 1e-19, 71.0, 0.05

ISLAND = f"""
.model cu eph(sigma={SIGMA} n=5)
.model cue cel(gamma={GAMMA})
TB bath {TB}
E1 A bath cu vol={VOL}
H1 A cue vol={VOL}
"""


def _run(text):
    return thermnet.parse(text).run()


# ---- heat capacities --------------------------------------------------------------------
def test_bcs_heat_capacity_limits():
    g, tc = 91.0, 1.2
    # normal state: gamma V T
    assert heat_capacity.bcs_electrons(1.5, g, 1.0, tc, 1.764, "bcs") == \
        pytest.approx(g * 1.5, rel=1e-12)
    # the jump at Tc: 12/(7 zeta(3)) gamma Tc for the self-consistent BCS gap
    below = heat_capacity.bcs_electrons(tc * (1 - 1e-7), g, 1.0, tc, math.pi *
                                        math.exp(-np.euler_gamma), "bcs")
    jump = below / (g * tc) - 1
    assert jump == pytest.approx(12 / (7 * special.zeta(3)), rel=2e-4)
    # T << Tc: Boltzmann tail with a constant gap, N(0) Delta^3 (K3 + 3 K1)(z) / (kB T^2)
    T = 0.1 * tc
    delta = 1.764 * kB * tc
    z = delta / (kB * T)
    n0 = 3 * g / (2 * math.pi ** 2 * kB ** 2)
    closed = n0 * delta ** 3 * (special.kv(3, z) + 3 * special.kv(1, z)) / (kB * T ** 2)
    assert heat_capacity.bcs_electrons(T, g, 1.0, tc, 1.764, "bcs") == \
        pytest.approx(closed, rel=1e-5)


def test_heat_capacities_add_on_a_node():
    text = ISLAND + ".model cuph cph(beta=6.9)\nH2 A cuph vol=1e-19\nH3 A 1e-20\nP1 A 1f ac=1e-18\n.ac lin 1 1 1\n"
    net = thermnet.parse(text)
    bal = net.run() and net._balance
    T = np.array([0.1 if n == "a" else TB for n in bal.nodes])
    C = bal.capacity(T)[bal.index["a"]]
    assert C == pytest.approx(GAMMA * VOL * 0.1 + 6.9e-19 * 0.1 ** 3 + 1e-20, rel=1e-12)


# ---- .tran against scipy's Radau on the same ODE -------------------------------------------
def _pulse(t, p1, p2, td, tr, tf, pw):
    if t < td:
        return p1
    s = t - td
    if s < tr:
        return p1 + (p2 - p1) * s / tr
    if s < tr + pw:
        return p2
    if s < tr + pw + tf:
        return p2 + (p1 - p2) * (s - tr - pw) / tf
    return p1


def test_tran_step_response_matches_an_independent_ode_solution():
    p = (0.0, 10e-15, 1e-6, 1e-9, 1e-9, 20e-6)
    text = ISLAND + "P1 A PULSE(0 10f 1u 1n 1n 20u)\n.options trtol=1e-9\n.tran 1u 40u\n.print T(A)\n"
    res = _run(text)[0]
    assert res.analysis == "tran"
    t_out = res.columns["time"]

    def f(t, y):
        T = y[0]
        return [(_pulse(t, *p) - SIGMA * VOL * (T ** 5 - TB ** 5)) / (GAMMA * VOL * T)]

    corners = [0.0, 1e-6, 1e-6 + 1e-9, 21e-6 + 1e-9, 21e-6 + 2e-9, 40e-6]
    y, ref = [TB], {}
    for a, b in zip(corners[:-1], corners[1:]):
        inside = t_out[(t_out >= a) & (t_out <= b)]
        sol = solve_ivp(f, (a, b), y, method="Radau", rtol=1e-10, atol=1e-14,
                        t_eval=np.union1d(inside, [b]))
        ref.update({t: v for t, v in zip(sol.t, sol.y[0])})
        y = [sol.y[0, -1]]
    expected = np.array([ref[t] for t in t_out])
    rise = expected - TB
    assert rise.max() > 0.08                           # the pulse heats the island well
    got = res.columns["T(A)"] - TB
    mask = rise > 1e-6
    np.testing.assert_allclose(got[mask], rise[mask], rtol=1e-5)
    # energy: heater = stored + into the bath
    assert np.nanmax(np.abs(res.energy_balance)) < 1e-6
    e = res.extras["energy"]
    assert e["heater"] == pytest.approx(10e-15 * (20e-6 + 1e-9), rel=1e-6)


def test_tran_node_without_capacity_follows_quasi_statically():
    """A -- G1 -- B -- G2 -- bath with a heat capacity on A only: B follows A at every
    instant, so A relaxes through G1 G2 / (G1 + G2) (closed form for linear links)."""
    C, G1, G2 = 1e-18, 2e-12, 3e-12
    text = f"TB bath {TB}\nP1 A PULSE(0 1f 0 0 0 1)\nG1 A B {G1}\nG2 B bath {G2}\nH1 A {C}\n" \
        ".ic T(A)=0.05\n.options trtol=1e-9\n.tran 0.5u 5u\n.print T(A) T(B)\n"
    res = _run(text)[0]
    t = res.columns["time"]
    g = G1 * G2 / (G1 + G2)
    expected = TB + 1e-15 / g * (1 - np.exp(-g * t / C))
    np.testing.assert_allclose(res.columns["T(A)"], expected, rtol=1e-7)
    tb = (G1 * res.columns["T(A)"] + G2 * TB) / (G1 + G2)
    np.testing.assert_allclose(res.columns["T(B)"], tb, rtol=1e-9)


# ---- .ac and time constants -------------------------------------------------------------
def test_ac_matches_the_closed_form_response():
    text = ISLAND + "P1 A 5f ac=1e-18\n.ac dec 5 1 1meg\n.op\n.print T(A) PH(T(A)) RE(T(A)) IM(T(A))\n"
    res = _run(text)
    ac, op = res[0], res[1]
    T = op.columns["T(A)"]
    G = 5 * SIGMA * VOL * T ** 4
    C = GAMMA * VOL * T
    w = 2 * np.pi * ac.columns["freq"]
    z = 1e-18 / (G + 1j * w * C)
    np.testing.assert_allclose(ac.columns["T(A)"], np.abs(z), rtol=1e-8)
    np.testing.assert_allclose(ac.columns["PH(T(A))"], np.degrees(np.angle(z)), rtol=1e-8)
    np.testing.assert_allclose(ac.columns["RE(T(A))"], z.real, rtol=1e-8)
    np.testing.assert_allclose(ac.columns["IM(T(A))"], z.imag, rtol=1e-8, atol=1e-30)
    assert ac.extras["time_constants"] == [pytest.approx(C / G, rel=1e-8)]


def test_two_island_photonic_time_constants():
    """Two islands joined by two matched resistors (transmission 1: Q = pi^2 kB^2 (T1^2 -
    T2^2) / (6 h), Pendry's quantum limit), each with e-ph to the bath and gamma V T."""
    text = f""".model cu eph(sigma={SIGMA} n=5)
.model cue cel(gamma={GAMMA})
TB bath {TB}
P1 A 20f ac=1e-18
E1 A bath cu vol={VOL}
E2 B bath cu vol={2 * VOL}
H1 A cue vol={VOL}
H2 B cue vol={2 * VOL}
R1 a1 a2 50 temp=A
R2 a1 a2 50 temp=B
.op
.ac lin 1 1 1
.print T(A) T(B)
"""
    res = _run(text)
    Ta, Tb = res[0].columns["T(A)"], res[0].columns["T(B)"]
    g = np.pi ** 2 * kB ** 2 / (3 * h)                  # dQ/dT1 = g T1
    J = np.array([[-5 * SIGMA * VOL * Ta ** 4 - g * Ta, g * Tb],
                  [g * Ta, -5 * SIGMA * 2 * VOL * Tb ** 4 - g * Tb]])
    C = np.array([GAMMA * VOL * Ta, GAMMA * 2 * VOL * Tb])
    lam = np.linalg.eigvals(J / C[:, None])
    expected = sorted(-1 / lam, reverse=True)
    np.testing.assert_allclose(res[1].extras["time_constants"], expected, rtol=1e-7)


# ---- noise --------------------------------------------------------------------------------
T0 = 0.1
EQUILIBRIUM_CASES = {
    "E-eph": ".model cu eph(sigma=2e9 n=5)\nX1 A bath cu vol=1e-19",
    "E-eph_bcs": ".model al eph_bcs(sigma=2e8 tc=0.3)\nX1 A bath al vol=1e-19",
    "G-linear": "X1 A bath 1n",
    "G-gpow": ".model k2 gpow(k=1e-9 n=2)\nX1 A bath k2",
    "W-prox": ".model wire prox(tc=1.2 ln=10 r=1)\nX1 A bath wire gn=10m ts=A",
    "R-photonic": "X1 n1 n2 10 temp=A\nRX n1 n2 20 temp=bath",
    "S-photonic": ".model ti mb(tc=0.4)\nX1 n1 n2 ti R0=50 temp=A\nRX n1 n2 20 temp=bath",
    "N-photonic": ".model al nis(tc=1.2 rspec=1e-9 cspec=50e-3)\nX1 n1 n2 al area=1e-12 temp=A\n"
                  "RX n1 n2 20 temp=bath",
    "R-rtable-photonic": ".model rt rtable(0.05 10 0.2 30)\nX1 n1 n2 rt temp=A\n"
                         "RX n1 n2 20 temp=bath",
    "O-lossy-line-photonic": "X1 n1 0 n2 0 r=10 l=400n c=160p len=0.5 temp=A\n"
                             "RX n1 0 20 temp=bath\nRY n2 0 80 temp=bath",
}


def _card(case):
    letter = case[0]
    return EQUILIBRIUM_CASES[case].replace("X1 ", f"{letter}1 ")


def _conductance(case):
    """dP/dT_A at T_A = T_bath = T0, central difference of two steady states with A pinned."""
    out = []
    for Ta in (T0 * (1 + 1e-4), T0 * (1 - 1e-4)):
        text = f"TB bath {T0}\nTA A {Ta}\n{_card(case)}\n.op\n.print P(TA)\n"
        out.append(_run(text)[0].columns["P(TA)"])
    return (out[0] - out[1]) / (2e-4 * T0)


@pytest.mark.parametrize("case", sorted(EQUILIBRIUM_CASES))
def test_equilibrium_noise_is_4kT2G(case):
    """Every heat path in equilibrium: S = 4 kB T^2 G, so a lone path's NEP (INOISE of a
    heater on the island, no heat capacity) is sqrt(4 kB T^2 G) and ONOISE is that over G."""
    G = _conductance(case)
    text = f"TB bath {T0}\nP1 A 0\n{_card(case)}\n.noise T(A) P1 lin 1 1m 1m\n" \
        f".print ONOISE INOISE NOISE({case[0]}1)\n"
    res = _run(text)[0]
    nep = math.sqrt(4 * kB * T0 ** 2 * G)
    assert res.columns["INOISE"][0] == pytest.approx(nep, rel=1e-6)
    assert res.columns["ONOISE"][0] == pytest.approx(nep / G, rel=1e-6)
    share = 0.5 if case.endswith("photonic") else 1.0     # a pair counts half per element
    assert res.columns[f"NOISE({case[0]}1)"][0] == pytest.approx(nep / G * math.sqrt(share),
                                                                  rel=1e-6)


def test_bolometer_noise_out_of_equilibrium_and_in_frequency():
    """Heated island: S = 2 kB Sigma V n (T^(n+1) + Tb^(n+1)) (the generalised Golubev-Pekola
    form); the output noise rolls off as 1/|G + i omega C|."""
    text = ISLAND + "P1 A 5f\n.op\n.noise T(A) P1 dec 2 1 100k\n.print T(A) ONOISE INOISE\n"
    res = _run(text)
    T = res[0].columns["T(A)"]
    G = 5 * SIGMA * VOL * T ** 4
    C = GAMMA * VOL * T
    S = 2 * kB * SIGMA * VOL * 5 * (T ** 6 + TB ** 6)
    w = 2 * np.pi * res[1].columns["freq"]
    np.testing.assert_allclose(res[1].columns["INOISE"], math.sqrt(S), rtol=1e-8)
    np.testing.assert_allclose(res[1].columns["ONOISE"], np.sqrt(S) / np.abs(G + 1j * w * C),
                               rtol=1e-8)


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,line,col,message", [
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\n.tran 1u 10u\n", 4, 1, "needs heat capacities"),
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\nH1 A 1e-18\n.ac dec 2 1 10\n", 5, 1,
     "needs a small-signal input"),
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\n.noise T(bath) P1 dec 2 1 10\n", 4, 1,
     "fixed by a temperature source"),
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\n.op\n.print PH(T(A))\n", 5, 8,
     "printed by .ac analyses only"),
    ("TB bath 50m\nP1 A PULSE(0)\nG1 A bath 1n\n.op\n", 2, 6, "PULSE takes 2 to 7"),
    ("TB bath 50m\nP1 A PWL(0 0 2u 1f 1u 0)\nG1 A bath 1n\n.op\n", 2, 6, "non-decreasing"),
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\n.tran 0 1u\n", 4, 1, "TSTEP and TSTOP"),
    ("TB bath 50m\nP1 A 1f\nG1 A bath 1n\n.ic T(Z)=0.1\n.op\n", 4, 7, "not a thermal node"),
    (".model cue cel(gamma=71)\nTB bath 50m\nP1 A 1f\nG1 A bath 1n\nH1 A cue\n.op\n", 5, 1,
     "needs vol="),
    ("TB bath 0.05\nTA A SIN(0.05 0.1 1k)\nG1 A bath 1n\n.op\n", 2, 6,
     "must be positive"),
])
def test_dynamics_errors_are_located(text, line, col, message):
    with pytest.raises(NetlistError) as info:
        _run(text)
    err = info.value
    assert message in str(err)
    assert (err.span.line, err.span.column) == (line, col), str(err)


CONTRACT_EXAMPLE = """.title island relaxation after a heater step
.model cu eph(sigma=2e9 n=5)
.model cue cel(gamma=71)
TB bath 50mK
P1 A PULSE(0 10f 1u 1n 1n 20u 40u)
E1 A bath cu vol=1e-19
H1 A cue vol=1e-19
.tran 0.1u 40u
.print T(A) P(E1)
"""


def test_contract_example_runs_as_written():
    """netlist-language-v2, "Heat capacity and time": the example, as written."""
    r = _run(CONTRACT_EXAMPLE)[0]
    t, T = r.columns["time"], r.columns["T(A)"]
    assert len(t) == 401 and t[-1] == pytest.approx(40e-6)
    # heated from 1 us to 21 us, relaxing after; the e-ph heat follows sigma V (T^5 - Tb^5)
    assert T[t <= 1e-6].max() == pytest.approx(TB, rel=1e-9)
    assert t[T.argmax()] == pytest.approx(21e-6)        # the last output before the fall
    np.testing.assert_allclose(r.columns["P(E1)"], SIGMA * VOL * (T ** 5 - TB ** 5),
                               rtol=1e-9, atol=1e-30)
    assert np.abs(r.energy_balance).max() < 1e-5


def test_cli_check_and_json_round_trip(tmp_path):
    import io
    import json
    import os
    from contextlib import redirect_stdout

    from thermnet import cli
    from thermnet.results.types import Results
    path = os.path.join(os.path.dirname(__file__), "..", "netlists", "bolometer.net")
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["check", path]) == 0
    assert "ac (61 frequencies), noise T(A) referred to P1 (61 frequencies)" in out.getvalue()
    target = tmp_path / "b.json"
    assert cli.main(["run", path, "-q", "--format", "json", "-o", str(target)]) == 0
    doc = json.loads(target.read_text())
    again = Results.from_json(doc).to_json()
    assert again == doc
    ac = doc["results"][1]
    assert ac["analysis"] == "ac" and len(ac["time_constants"]) == 1


def test_measure_and_expressions_over_a_transient_and_an_ac_sweep():
    text = ISLAND + """P1 A PULSE(0 10f 1u 1n 1n 20u) ac=1e-18
.tran 0.5u 40u
.ac dec 5 1 1meg
.print T(A) {1000*(T(A) - 0.05)}
.measure tran tpeak MAX T(A)
.measure tran t90 WHEN T(A)=0.12 RISE=1
.measure ac f3db WHEN T(A)=1.1313708e-4 FALL=1
"""
    tran, ac = _run(text)
    t, T = tran.columns["time"], tran.columns["T(A)"]
    np.testing.assert_allclose(tran.columns["{1000*(T(A) - 0.05)}"], 1000 * (T - 0.05),
                               rtol=1e-12)
    assert tran.measures["tpeak"] == pytest.approx(T.max(), rel=1e-12)
    k = np.argmax(T >= 0.12)
    assert tran.measures["t90"] == pytest.approx(np.interp(0.12, T[k - 1:k + 1], t[k - 1:k + 1]),
                                                 rel=1e-9)
    f, mag = ac.columns["freq"], ac.columns["T(A)"]
    k = np.argmax(mag <= 1.1313708e-4)
    assert ac.measures["f3db"] == pytest.approx(
        np.interp(1.1313708e-4, mag[k - 1:k + 1][::-1], f[k - 1:k + 1][::-1]), rel=1e-9)


def _swept_to_7p45(text, start, path, prints=".print T(S)\n"):
    """The thermal-memory source swept from ``start`` to 7.45 fW: from 8.5 fW the sweep's
    first point is the ramp's state, which passed the upper fold (a BranchWarning saying
    so); from 5 fW the ramp passes none."""
    net = thermnet.parse(text + f".sweep P1 {start} 7.45f 12\n" + prints, path)
    if start == "5f":
        return net.run()[0]
    with pytest.warns(thermnet.errors.BranchWarning, match="passed a fold"):
        return net.run()[0]


def test_thermal_memory_holds_the_state_it_was_written_to():
    """netlists/thermal_memory_switching.net: at 7.45 fW the source has two stable states
    (the steady states reached sweeping up from 5 fW and down from 8.5 fW); the transient
    writes "1" and holds the upper one, writes "0" and relaxes to the lower one."""
    import os
    path = os.path.join(os.path.dirname(__file__), "..", "netlists",
                        "thermal_memory_switching.net")
    with open(path) as fh:
        text = fh.read()
    tran = thermnet.parse(text, path).run()[0]
    t, T = tran.columns["time"], tran.columns["T(S)"]
    held = text.split(".tran")[0].replace("P1  S PWL", "P1  S 7.45f\n* PWL")
    branches = [_swept_to_7p45(held, start, path).columns["T(S)"][-1] for start in ("5f", "8.5f")]
    low, high = branches
    assert high - low > 0.04                       # two states 43 mK apart
    assert T[np.searchsorted(t, 29.5e-3)] == pytest.approx(high, rel=1e-6)
    # the same state, each on photon grids checked to photon_rtol (1e-8 of the heats)
    # where its own solve went: they agree to that, not to the solver's reltol
    assert T[0] == pytest.approx(low, rel=1e-8)
    assert T[-1] == pytest.approx(low, rel=1e-4)   # relaxing back (ms time constant)
    assert np.abs(tran.energy_balance).max() < 1e-5


def test_stability_of_the_three_branches_of_the_bistable_source():
    """At 7.45 fW the thermal-memory source has three steady states: the lower and upper
    are stable, the middle one (found here by pinning T_S between them and reading the
    heater power that holds it) is not: C^-1 J has a positive eigenvalue there."""
    import os

    from thermnet.model.balance import HeatBalance
    from thermnet.solve.smallsignal import stable
    path = os.path.join(os.path.dirname(__file__), "..", "netlists",
                        "thermal_memory_switching.net")
    with open(path) as fh:
        text = fh.read().split(".tran")[0].replace("P1  S PWL", "P1  S 7.45f\n* PWL")
    net = thermnet.parse(text + ".op\n", path)
    bal = HeatBalance(net.circuit(), net.circuit().flat.options)
    kinds = []
    for start in ("5f", "8.5f"):
        res = _swept_to_7p45(text, start, path, ".print T(S) T(D)\n")
        T = bal.full(np.array([res.columns[f"T({n.upper()})"][-1]
                               for n in bal.nodes if bal.index[n] in bal.free]))
        bal.choose_grids(T)
        kinds.append(stable(bal, T))
    assert kinds == [True, True]
    # the middle branch: T_S pinned at 380 mK (between the two stable states), the drain
    # free; the power that holds it there lies inside the hysteresis window (7.3-7.75 fW by
    # the sweeps), so this is a steady state of the S-curve's middle segment; with S free
    # again its dynamics is unstable
    pinned = text.replace("P1  S 7.45f", "TS S 0.38\n*") + ".op\n.print T(D) P(TS)\n"
    r = thermnet.parse(pinned, path).run()[0]
    assert 7.3e-15 < r.columns["P(TS)"] < 7.75e-15
    T = bal.full(np.array([0.38 if n.lower() == "s" else r.columns["T(D)"]
                           for n in bal.nodes if bal.index[n] in bal.free]))
    bal.choose_grids(T)
    assert stable(bal, T) is False
    assert stable(HeatBalance(thermnet.parse(ISLAND.replace("H1 A cue vol=1e-19\n", "")
                                             + "P1 A 1f\n.op\n").circuit(),
                              {"photon_rtol": 1e-8}), np.array([TB, TB])) is None


def test_trace_marks_the_middle_branch_unstable():
    """A trace of the bistable source with heat capacities on every free node gets a
    ``stable`` column: 1 on the outer branches, 0 between the two folds."""
    import json
    import os
    path = os.path.join(os.path.dirname(__file__), "..", "netlists",
                        "thermal_memory_switching.net")
    with open(path) as fh:
        text = fh.read().split(".tran")[0].replace("P1  S PWL", "P1  S 7f\n* PWL")
    res = thermnet.parse(text + ".sweep P1 7f 8f 11 trace\n.print T(S)\n", path)
    with pytest.warns(thermnet.errors.BranchWarning):
        r = res.run()[0]
    T, s = r.columns["T(S)"], r.columns["stable"]
    lo, hi = sorted(f["T(S)"] for f in r.folds)
    inside = (T > lo * (1 + 1e-6)) & (T < hi * (1 - 1e-6))
    assert inside.sum() >= 2 and (~inside).sum() >= 10
    assert np.all(s[inside] == 0) and np.all(s[(T < lo) | (T > hi)] == 1)
    doc = json.loads(json.dumps(r.to_json()))
    assert set(doc["columns"]["stable"]) == {True, False}
