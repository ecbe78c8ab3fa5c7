"""Circuits with only separable heat flows (Element.separable: f(T_a) - f(T_b), f strictly
increasing) have one steady state (model/circuit.py, Circuit.unique_state): .op then needs
no ramp from the bath state.  Checked here against the ramp itself and by solving from many
random starting temperatures."""
import numpy as np

import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.solve import folds
from thermnet.solve.steady import SolverMemory, _newton

CHAIN = """.model cu eph(sigma=3e9 n=5)
.model k2 gpow(k=2e-9 n=2)
TB bath 30m
T2 hot 0.2
P1 A 3p
EA A bath cu vol=4e-20
GAB A B 1n
EB B bath cu vol=2e-20
GBC B C k2
EC C bath cu vol=1e-20
GCH C hot 2e-11
RA a b 10 temp=A
RC b a 30 temp=C
"""


def test_classification():
    unique = thermnet.parse(CHAIN + ".op\n").circuit()
    assert unique.unique_state()
    for extra in (".model ti mb(tc=0.4)\nSX x y ti R0=10 temp=B\nRX y x 5 temp=A\n",   # film
                  ".model al eph_bcs(sigma=2e8 tc=1.2)\nEX B bath al vol=1e-20\n",
                  "V1 v 0 1u\nRV v 0 10 temp=B\n"):
        assert not thermnet.parse(CHAIN + extra + ".op\n").circuit().unique_state(), extra


def test_op_skips_the_ramp_and_equals_its_end(monkeypatch):
    net = thermnet.parse(CHAIN + ".op\n.print T(A) T(B) T(C)\n")
    bal = HeatBalance(net.circuit(), net.circuit().flat.options)
    ramped = folds.ramp(bal).T
    calls = []
    monkeypatch.setattr(folds, "ramp", lambda b: calls.append(b))
    res = net.run()[0].columns
    assert calls == []
    got = np.array([res["T(A)"], res["T(B)"], res["T(C)"]])
    want = np.array([ramped[bal.index[k]] for k in ("a", "b", "c")])
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_every_start_reaches_the_same_state():
    """Newton (with pseudo-transient steps) from 30 random starting temperatures between
    10 mK and 2 K: one state, to the solver's tolerance."""
    net = thermnet.parse(CHAIN + ".op\n")
    bal = HeatBalance(net.circuit(), net.circuit().flat.options)
    rng = np.random.default_rng(7)
    found = []
    for _ in range(30):
        x0 = np.log(rng.uniform(0.01, 2.0, size=len(bal.free)))
        bal.choose_grids(bal.full(np.exp(x0)))
        x, *_ = _newton(bal, x0, SolverMemory(), pseudo_dt=1e-2, maxiter=200)
        x = _newton(bal, x, SolverMemory(), log_ratio=True)[0]
        found.append(np.exp(x))
    found = np.array(found)
    assert np.ptp(found, axis=0).max() / found.mean(axis=0).min() < 1e-7
