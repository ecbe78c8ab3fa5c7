"""Structure once, values many times (foundation issue): FlatCircuit.rebind evaluates the
values that depend on .params again, keeping every element object; sweeps and steps over
.params, D() with respect to a .param and Netlist.set() never re-elaborate."""
import glob
import os

import numpy as np
import pytest

import thermnet
from thermnet.errors import FailedPointsWarning
from thermnet.netlist import elaborate as elaborate_module
from thermnet.netlist.elaborate import elaborate
from thermnet.physics.constants import h, kB

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
NETLISTS = sorted(glob.glob(os.path.join(ROOT, "netlists", "*.net")))


def _values(flat):
    """Every number of every element: value, element parameters, model parameters."""
    out = {}
    for key, e in flat.elements.items():
        out[key] = (e.value, dict(e.params), dict(e.model.values) if e.model else None)
    return out


@pytest.mark.parametrize("path", NETLISTS, ids=os.path.basename)
def test_rebind_equals_a_fresh_elaboration(path):
    """For every top-level .param of every shipped netlist: rebinding to a changed value
    gives exactly the values a fresh elaboration with that value gives, and the same element
    objects."""
    net = thermnet.load(path)
    flat = elaborate(net.cards, net.file)
    objects = dict(flat.elements)
    for key, value in list(flat.params.items()):
        new = {key: value * 1.1 if value else 0.5}
        try:
            fresh = elaborate(net.cards, net.file, new)
        except thermnet.NetlistError:
            continue                   # a value the netlist does not allow (e.g. a count)
        flat.rebind(new, analyses=True)
        assert _values(flat) == _values(fresh)
        assert flat.params == fresh.params and flat.options == fresh.options
        for a, b in zip(flat.analyses + flat.steps, fresh.analyses + fresh.steps):
            if a is not None:
                np.testing.assert_array_equal(a.values, b.values)
        assert all(flat.elements[k] is objects[k] for k in objects)
    flat.rebind({}, analyses=True)
    assert _values(flat) == _values(elaborate(net.cards, net.file))


def test_param_sweep_step_and_set_do_not_elaborate(monkeypatch):
    """Elaborated once by load(); the sweep over x, the .step over RD, D() with respect to
    x and set() of a .param only rebind."""
    with open(os.path.join(ROOT, "netlists", "dey2023_fig1b.net")) as fh:
        text = fh.read()
    text = text.replace(".print TAU(S,D) Q(S,D)", ".print Q(S,D) D(Q(S,D),x)") \
        .replace(".sweep x 0.01 100 81 log", ".sweep x 0.5 2 4\n.step RD list 2 3")
    net = thermnet.parse(text)
    reference = thermnet.parse(text).run()
    one = net.without_sweeps()

    def fail(*a, **k):
        pytest.fail("re-elaborated")
    monkeypatch.setattr(elaborate_module, "elaborate", fail)
    from thermnet import api
    monkeypatch.setattr(api, "elaborate", fail)
    res = net.run()
    for a, b in zip(res.results, reference.results):
        for col in a.columns:
            np.testing.assert_array_equal(a.columns[col], b.columns[col])
    # Q = (kB^2 pi^2 / 6 h) (TS^2 - TD^2) 4 x / (1 + x)^2 for a resistor pair (Dey Eq. 2-3
    # with tau = 4 R_S R_D / (R_S + R_D)^2): dQ/dx = Q (1 - x) / (x (1 + x))
    r = res.results[0]
    x, Q, dQ = r.columns["x"], r.columns["Q(S,D)"], r.columns["D(Q(S,D),x)"]
    np.testing.assert_allclose(dQ, Q * (1 - x) / (x * (1 + x)), rtol=1e-6, atol=1e-9 * Q.max())
    # set() of .params on a netlist without sweeps: rebinds, then one steady state
    one.set("RD", 5.0).set("x", 2.0)
    Q = one.run()[0].columns["Q(S,D)"]
    assert Q == pytest.approx(np.pi ** 2 * kB ** 2 / (6 * h) * (0.3 ** 2 - 0.03 ** 2) * 8 / 9,
                              rel=1e-7)


def test_bad_value_in_set_keeps_the_netlist_usable():
    net = thermnet.parse(""".param v=1e-20
.model cu eph(sigma=2e9)
TB bath 0.05
P1 s 1p
E1 s bath cu vol={v}
.print T(s)
""")
    with pytest.raises(thermnet.NetlistError, match="vol must be positive"):
        net.set("v", -1e-20)
    T = net.run()[0].columns["T(s)"]
    assert T == pytest.approx((0.05 ** 5 + 1e-12 / (2e9 * 1e-20)) ** 0.2, rel=1e-9)


EPH = """.model cu eph(sigma=2e9)
TB bath 0.05
P1 s 1p
E1 s bath cu vol=1e-20
"""


def _eph_T(P, sigma, vol):
    """T^5 - Tb^5 = P / (Sigma V) (Giazotto et al. RMP 2006 Eq. 35)."""
    return (0.05 ** 5 + P / (sigma * vol)) ** 0.2


def test_sweep_step_and_derivative_of_element_parameters():
    """ELEMENT.PARAM (an element keyword or its model's parameter) is swept, stepped and
    differentiated like a .param, and goes back to its card value after the run."""
    net = thermnet.parse(EPH + ".sweep E1.vol list 1e-20 2e-20\n.step E1.sigma list 1e9 2e9\n"
                         ".print T(s) D(T(s),E1.vol)\n")
    res = net.run()
    for r, sigma in zip(res.results, (1e9, 2e9)):
        assert r.step == {"E1.sigma": sigma}
        vol = r.columns["E1.vol"]
        T = _eph_T(1e-12, sigma, vol)
        np.testing.assert_allclose(r.columns["T(s)"], T, rtol=1e-9)
        # dT/dV = -P / (5 Sigma V^2 T^4)
        np.testing.assert_allclose(r.columns["D(T(s),E1.vol)"],
                                   -1e-12 / (5 * sigma * vol ** 2 * T ** 4), rtol=1e-7)
    e = net._flat.elements["e1"]
    assert e.params["vol"] == 1e-20 and e.model.values["sigma"] == 2e9
    one = thermnet.parse(EPH + ".print T(s)\n").set("E1.vol", "3e-20")
    assert one.run()[0].columns["T(s)"] == pytest.approx(_eph_T(1e-12, 2e9, 3e-20), rel=1e-9)


def test_element_parameter_errors_are_located():
    with pytest.raises(thermnet.NetlistError, match="E1 has no numeric parameter 'vl'.*"
                       "did you mean 'vol'"):
        thermnet.parse(EPH + ".sweep E1.vl list 1 2\n")
    with pytest.raises(thermnet.NetlistError, match="no element 'E2'"):
        thermnet.parse(EPH + ".sweep E2.vol list 1 2\n")
    net = thermnet.parse(EPH + ".sweep E1.vol list 1e-20 -1e-20\n.print T(s)\n")
    with pytest.warns(FailedPointsWarning, match='point'):
        r = net.run()[0]
    assert list(r.converged) == [True, False] and "vol must be positive" in r.failures[0]


def test_a_param_sweep_leaves_the_netlist_values():
    net = thermnet.parse(EPH + ".sweep E1.vol list 1e-20 2e-20\n.print T(s)\n")
    net.run()
    assert net._flat.elements["e1"].params["vol"] == 1e-20
