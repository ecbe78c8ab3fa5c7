"""The reported energy balance of a state exact to round-off is zero, whatever numpy's exp
and log do with the solver's ln T unknowns (numpy 1.x: exp(log(0.3)) = 0.30000000000000004),
and a real imbalance is still reported in full (model/balance.py relative_imbalance)."""
from __future__ import annotations

import numpy as np
import pytest

import thermnet
from thermnet.model.balance import HeatBalance

# one free node S tied to a 0.3-K bath by G = 2 nW/K, no heater: in equilibrium at 0.3 K
NET = "TB bath 0.3\nG1 S bath 2n\n.op\n.print T(S)\n"
G, ABSTOL = 2e-9, 1e-24


@pytest.fixture
def balance():
    c = thermnet.parse(NET).circuit()
    return HeatBalance(c, c.flat.options)


def _state(bal, t_s):
    T = np.full(len(bal.nodes), 0.3)
    T[bal.free] = t_s
    return T


def test_round_off_of_the_temperature_is_no_imbalance(balance):
    assert balance.options["abstol"] == ABSTOL
    for ulps in (1, 2, -1):
        t_s = 0.3 + ulps * np.spacing(0.3)
        resid, _ = balance.energy_balance(_state(balance, t_s))
        assert resid == pytest.approx(-G * (t_s - 0.3), rel=1e-6)     # a heat of ~1e-25 W
        assert balance.relative_imbalance(_state(balance, t_s)) == 0.0


def test_a_real_imbalance_is_reported(balance):
    t_s = 0.3 * (1 + 1e-9)                # 3e-10 K off: 6e-19 W out of S, none flows in
    got = balance.relative_imbalance(_state(balance, t_s))
    # |resid| = |scale| = G dT (the power the bath takes out of S): relative residual -1
    assert got == pytest.approx(-1.0, rel=1e-6)
    t_s = 0.3 * (1 + 1e-20 / 0.3)         # below one ulp: T(S) is 0.3 exactly
    assert balance.relative_imbalance(_state(balance, t_s)) == 0.0


def test_solved_equilibrium_reports_zero():
    res = thermnet.parse(NET).run()
    assert res[0].columns["T(S)"] == pytest.approx(0.3, rel=1e-15)
    assert abs(float(np.asarray(res[0].energy_balance).ravel()[0])) <= 1e-12
