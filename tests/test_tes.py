"""Transition-edge sensor (resistor with a ``tes`` model): the documented R(T, I) form and
the meaning of its parameters, the current at a voltage, the electrothermal time constant
against Irwin & Hilton's small-signal formula with alpha, beta, R0, P0, G computed here from
the closed form (steady state solved here with scipy), the normal state, the power balance,
the photonic admittance at bias, and located parameter errors."""
import math
import os

import pytest
from scipy import optimize

import thermnet
from thermnet.errors import BranchWarning, NetlistError
from thermnet.physics import tes as tes_kernel
from thermnet.physics.constants import h, kB

NETLISTS = os.path.join(os.path.dirname(__file__), "..", "netlists")
EPS = 1e-10          # the documented residual R/Rn of the superconducting state


def closed_form(T, current, rn, tc, w, ic):
    """docs/devices.md: R = Rn [eps + (1 - eps)(1 + tanh((T - Tc(I))/w))/2],
    Tc(I) = Tc (1 - (|I|/Ic)^(2/3)); (1 + tanh x)/2 written as 1/(1 + e^(-2x)), which keeps
    its digits on the transition's foot (1 + tanh x loses them: 1e-8 of R at s ~ 1e-8)."""
    u = (abs(current) / ic) ** (2 / 3) if math.isfinite(ic) else 0.0
    x = (T - tc * (1 - u)) / w
    s = 1.0 / (1.0 + math.exp(-2.0 * x)) if x > -300 else 0.0
    return rn * (EPS + (1 - EPS) * s)


def documented_shape(tc, beta, i0, width=None, alpha=None):
    """(w, Ic) from the parameters as docs/devices.md defines them."""
    w = width if width is not None else tc / (alpha + 1.5 * beta)
    if beta == 0:
        return w, math.inf
    u = 1.5 * beta * w / tc
    return w, i0 / u ** 1.5


def _model(card):
    net = thermnet.parse(f"{card}\nTB bath 0.05\nTF F 0.1\nR1 a 0 tx temp=F\nV1 a 0 1u\n.op\n")
    return net.circuit().flat.elements["r1"].model


def _log_derivatives(R, T, current):
    """alpha = d ln R / d ln T, beta = d ln R / d ln I by central differences (rel. 1e-6)."""
    dt, di = 1e-6 * T, 1e-6 * current
    alpha = T * (math.log(R(T + dt, current)) - math.log(R(T - dt, current))) / (2 * dt)
    beta = current * (math.log(R(T, current + di)) - math.log(R(T, current - di))) / (2 * di)
    return alpha, beta


@pytest.mark.parametrize("card,given", [
    (".model tx tes(rn=0.5 tc=0.12 alpha=80 beta=1.5 i0=20u)", dict(alpha=80, beta=1.5)),
    (".model tx tes(rn=0.5 tc=0.12 width=2m beta=0.7 i0=5u)", dict(beta=0.7)),
    (".model tx tes(rn=0.5 tc=0.12 alpha=60)", dict(alpha=60, beta=0.0)),
])
def test_parameters_mean_alpha_and_beta_at_mid_transition(card, given):
    """thermnet's R(T, I) equals the closed form written here (1e-12), and at the point
    R = Rn/2, I = i0 the logarithmic derivatives of thermnet's R (differenced here) are the
    alpha and beta given on the card (1e-6)."""
    m = _model(card)
    v = m.values
    w, ic = documented_shape(v["tc"], v["beta"], v["i0"], v["width"] or None,
                             v["alpha"] or None)
    for T in (0.05, 0.11, 0.118, 0.12, 0.13, 0.3):
        for current in (0.0, 1e-6, 2e-5, 1e-4):
            assert m.resistance_at(T, current)[0] == pytest.approx(
                closed_form(T, current, 0.5, 0.12, w, ic), rel=1e-12)
    i0 = v["i0"] or 1e-9
    mid = optimize.brentq(lambda t: m.resistance_at(t, i0)[0] - 0.25, 0.06, 0.2, xtol=1e-15)

    def R(t, i):
        return m.resistance_at(t, i)[0]
    alpha, beta = _log_derivatives(R, mid, i0)
    if "alpha" in given:
        assert alpha == pytest.approx(given["alpha"], rel=1e-6)
    else:
        assert alpha == pytest.approx(mid / w, rel=1e-6)      # width: alpha = Tc(i0)/w
    assert beta == pytest.approx(given["beta"], rel=1e-6, abs=1e-7)
    # thermnet's own dR/dT and I dR/dI against those differences
    r, r_t, i_r_i = m.resistance_at(mid, i0)
    assert mid * r_t / r == pytest.approx(alpha, rel=1e-7)
    assert i_r_i / r == pytest.approx(beta, rel=1e-7, abs=1e-9)


def test_current_at_a_voltage_solves_v_equals_i_r():
    """V = I R(T, I) with I exact to rounding in the superconducting state, the transition
    and the normal state, odd in V; dI/dV = 1/(R + I dR/dI) against a central difference.
    I to rounding leaves V = I R to rounding times 1 + beta (beta = d ln R/d ln I, ~60 where
    1e-12 V at 50 mK puts the root on the transition's foot); no absolute tolerance
    (tests/conftest.py): one would pass any current at 1e-12 V."""
    rn, tc, w, ic = 0.1, 0.1, 1e-3, 0.0167
    for T in (0.05, 0.097, 0.099, 0.1, 0.2):
        for v in (1e-12, 1e-9, 3e-7, 1e-6, 1e-4):
            current, slope = tes_kernel.current_at(v, T, rn, tc, w, ic)
            r, _, i_dr = tes_kernel.resistance(T, current, rn, tc, w, ic)
            assert current * closed_form(T, current, rn, tc, w, ic) == pytest.approx(
                v, rel=1e-13 * (1 + i_dr / r))
            assert tes_kernel.current_at(-v, T, rn, tc, w, ic)[0] == -current
            dv = 1e-6 * v
            ref = (tes_kernel.current_at(v + dv, T, rn, tc, w, ic)[0]
                   - tes_kernel.current_at(v - dv, T, rn, tc, w, ic)[0]) / (2 * dv)
            assert slope == pytest.approx(ref, rel=1e-5)


def test_normal_state_well_above_tc():
    """Far above Tc the film is its normal resistance: V/I = rn (1e-12)."""
    res = thermnet.parse("""
.model tx tes(rn=0.1 tc=0.1 alpha=100 beta=1 i0=15u)
TB bath 1.0
V1 a 0 1u
RL a b 0.05 temp=bath
RT b 0 tx temp=bath
.print I(RT) V(b)
""").run()[0].columns
    assert res["V(b)"] / res["I(RT)"] == pytest.approx(0.1, rel=1e-12)
    assert res["I(RT)"] == pytest.approx(1e-6 / 0.15, rel=1e-12)


# the acceptance circuit: V source + load R_L + input coil + TES; G link, heat capacity C
RN, TC, ALPHA, BETA, I0 = 0.1, 0.1, 100.0, 1.0, 15e-6
G, C, TBATH, VB, RL = 1e-10, 1e-12, 0.05, 0.45e-6, 5e-3
CIRCUIT = f"""
.model tx tes(rn={RN} tc={TC} alpha={ALPHA} beta={BETA} i0={I0})
TB bath {TBATH}
GL F bath {G}
HF F {C}
PS F 0 ac=1f
V1 a 0 {VB}
RL a b {RL} temp=bath
LIN b c 1u
RT c 0 tx temp=F
.nodeset T(F)=0.1
.op
.ac dec 1 1 10
.print T(F) I(RT) PJ(RT) P(GL) P(RT) ALPHA(RT) BETA(RT)
"""


@pytest.fixture(scope="module")
def acceptance():
    return thermnet.parse(CIRCUIT).run()


def test_time_constant_against_irwin_hilton(acceptance):
    """tau_eff = tau (1 + beta + R_L/R0) / (1 + beta + R_L/R0 + (1 - R_L/R0) L_I),
    L_I = P0 alpha/(G T0), tau = C/G (Irwin & Hilton 2005, Sec. 2.3, the low-inductance
    limit: the electrical circuit instantaneous, as thermnet's DC network is).  The steady
    state (T0, I0) solved here from I (R_L + R(T, I)) = V and I^2 R(T, I) = G (T - T_bath)
    with the closed form; alpha, beta by central differences of it.  The photonic heat
    through the 1-uH coil (~1e-20 W against P0 ~ 5 pW) shifts the state by ~1e-9: the
    tolerances are 1e-8 for the state, 1e-6 for tau (the Joule heat's temperature
    derivative is a central difference of relative step 1e-5 with alpha ~ 100)."""
    op = acceptance[0].columns
    w, ic = documented_shape(TC, BETA, I0, alpha=ALPHA)

    def R(T, i):
        return closed_form(T, i, RN, TC, w, ic)

    def equations(x):
        T, i = x[0] * 0.1, x[1] * 1e-5
        return [(i * (RL + R(T, i)) - VB) / VB, (i * i * R(T, i) - G * (T - TBATH)) / 5e-12]
    sol = optimize.root(equations, [op["T(F)"] / 0.1 * 1.001, op["I(RT)"] / 1e-5 * 0.99],
                        method="hybr", options={"xtol": 1e-15})
    T0, i0 = sol.x[0] * 0.1, sol.x[1] * 1e-5
    assert op["T(F)"] == pytest.approx(T0, rel=1e-8)
    assert op["I(RT)"] == pytest.approx(i0, rel=1e-8)
    R0 = R(T0, i0)
    P0 = i0 * i0 * R0
    alpha, beta = _log_derivatives(R, T0, i0)
    assert op["ALPHA(RT)"] == pytest.approx(alpha, rel=1e-6)
    assert op["BETA(RT)"] == pytest.approx(beta, rel=1e-6)
    loop_gain = P0 * alpha / (G * T0)
    assert loop_gain > 10                     # strong electrothermal feedback
    r = RL / R0
    tau_eff = C / G * (1 + beta + r) / (1 + beta + r + (1 - r) * loop_gain)
    tau = acceptance[1].extras["time_constants"][0]
    assert tau == pytest.approx(tau_eff, rel=1e-6)
    assert tau < C / G / 10                   # the ETF speed-up


def test_power_balance(acceptance):
    """The Joule heat I^2 R leaves through the G link and (a little) as photons:
    PJ = P(GL) + P(RT) to 1e-10; dP/dT < 0 at fixed voltage (negative ETF) is the
    time-constant test's speed-up."""
    op = acceptance[0].columns
    assert op["PJ(RT)"] == pytest.approx(op["P(GL)"] + op["P(RT)"], rel=1e-10)
    assert abs(op["P(RT)"]) < 1e-8 * op["PJ(RT)"]


def test_photonic_admittance_is_the_differential_resistance():
    """A biased TES at a fixed temperature and its load at the bath exchange photons as two
    resistors, the TES as its differential resistance R0 (1 + beta) (Irwin & Hilton's
    high-frequency impedance): Q = 4 R1 R2/(R1 + R2)^2 pi^2 kB^2 (T1^2 - T2^2)/(6 h)
    (Pendry 1983), with R0, beta at the operating point solved here (1e-7)."""
    T1, vb, rl = 0.0985, 0.45e-6, 5e-3
    res = thermnet.parse(f"""
.model tx tes(rn={RN} tc={TC} alpha={ALPHA} beta={BETA} i0={I0})
TB bath {TBATH}
TF F {T1}
V1 a 0 {vb}
RL a b {rl} temp=bath
RT b 0 tx temp=F
.print I(RT) P(RT) Q(F,bath)
""").run()[0].columns
    w, ic = documented_shape(TC, BETA, I0, alpha=ALPHA)

    def R(T, i):
        return closed_form(T, i, RN, TC, w, ic)
    i0 = optimize.brentq(lambda i: i * (rl + R(T1, i)) - vb, vb / (rl + RN), vb / rl,
                         xtol=1e-20, rtol=1e-15)
    assert res["I(RT)"] == pytest.approx(i0, rel=1e-10)
    _, beta = _log_derivatives(R, T1, i0)
    r_diff = R(T1, i0) * (1 + beta)
    tau = 4 * r_diff * rl / (r_diff + rl) ** 2
    q = tau * math.pi ** 2 * kB ** 2 * (T1 ** 2 - TBATH ** 2) / (6 * h)
    assert res["Q(F,bath)"] == pytest.approx(q, rel=1e-7)
    # the zero-current resistance would give another heat: the test can tell
    r_zero = R(T1, 0.0)
    assert abs(4 * r_zero * rl / (r_zero + rl) ** 2 / tau - 1) > 1e-3


def test_shipped_bolometer():
    """netlists/tes_bolometer.net: the .op in the transition (R0 between 0.1 and 0.9 Rn),
    loop gain > 10, the time constant sped up from C/G = 10 ms; the bias sweep: normal
    (R = Rn) at high bias, ~constant Joule heat in the transition, a fold where R0 nears the
    shunt, superconducting below."""
    with pytest.warns(BranchWarning):
        res = thermnet.load(os.path.join(NETLISTS, "tes_bolometer.net")).run()
    by = {r.analysis: r for r in res}
    op = by["op"].columns
    assert 0.01 < op["{V(b)/I(RT)}"] < 0.09
    assert op["{PJ(RT)*ALPHA(RT)/(100p*T(F))}"] > 10
    assert by["ac"].extras["time_constants"][0] < 1e-3
    sweep = by["sweep"]
    r = sweep.columns["{V(b)/I(RT)}"]
    ib = sweep.columns["IB"]
    assert r[0] == pytest.approx(0.1, rel=1e-9)                  # normal at 600 uA
    inside = (r > 0.01) & (r < 0.09)
    p = sweep.columns["PJ(RT)"][inside]
    assert inside.sum() > 10 and p.max() / p.min() < 1.1         # the ETF plateau
    assert r[-1] < 1e-8                                          # superconducting at 20 uA
    assert len(sweep.folds) == 1 and 80e-6 < sweep.folds[0]["IB"] < 110e-6
    assert ib[0] > ib[-1]


@pytest.mark.parametrize("params,where,message", [
    ("rn=1 tc=0.1 width=1m alpha=50", "alpha=50", "not both"),
    ("rn=1 tc=0.1", "R1 a 0", "needs width="),
    ("rn=1 tc=0.1 width=1m beta=1", "beta=1", "needs i0="),
    ("rn=1 tc=0.1 width=1m i0=1u", "i0=1u", "give beta="),
    ("rn=1 tc=0.1 width=1m beta=-0.5 i0=1u", "beta=-0.5", "must not be negative"),
    ("rn=1 tc=0.1 width=50m beta=2 i0=1u", "beta=2", "below 0 K"),
    ("rn=1 tc=0.1 alpha=-3", "alpha=-3", "must be positive"),
    ("rn=-1 tc=0.1 width=1m", "-1 tc", "positive"),
    ("rn=1 tc=0.1 width=-1m", "-1m)", "from"),
])
def test_parameter_errors_are_located(params, where, message):
    text = f".model tx tes({params})\nTB bath 0.05\nV1 a 0 1u\nR1 a 0 tx temp=bath\n.op\n"
    with pytest.raises(NetlistError) as err:
        thermnet.parse(text).circuit()
    e = err.value
    line = text.splitlines()[e.span.line - 1]
    assert line[e.span.column - 1:].startswith(where)
    assert message in str(e)


def test_ideal_voltage_bias_without_current_dependence():
    """A source directly across a TES with beta = 0 (R(T) only): the superconducting film's
    1e9 S beside the source's unit entries must not stop the solve (the thermal Newton
    passes through it); in the transition V = I R(T) and V^2/R = G (T - T_bath) hold with
    the closed form (1e-9), and tau = tau0 / (1 + L_I) (Irwin & Hilton, beta = R_L = 0; 1e-6)."""
    v = 0.4e-6
    res = thermnet.parse(f"""
.model tx tes(rn=0.1 tc=0.1 alpha=100)
TB bath 0.05
GL F bath 100p
HF F 1p
PS F 0 ac=1f
V1 a 0 {v}
RT a 0 tx temp=F
.nodeset T(F)=0.1
.op
.ac dec 1 1 10
.print T(F) I(RT) PJ(RT)
""").run()
    op = res[0].columns
    T0 = op["T(F)"]

    def R(T, i=0.0):
        return closed_form(T, i, 0.1, 0.1, 0.1 / 100, math.inf)
    assert op["I(RT)"] * R(T0) == pytest.approx(v, rel=1e-9)
    assert v * v / R(T0) == pytest.approx(100e-12 * (T0 - 0.05), rel=1e-9)
    alpha, _ = _log_derivatives(R, T0, 1e-6)
    loop_gain = v * v / R(T0) * alpha / (100e-12 * T0)
    assert res[1].extras["time_constants"][0] == pytest.approx(0.01 / (1 + loop_gain),
                                                               rel=1e-6)
