"""Analytic derivatives of the heat balance (foundation issue): the Jacobian against central
differences of the residual computed here, on every shipped netlist and on generated
networks; D() along the tangent against closed forms."""
import glob
import os
import sys

import numpy as np
import pytest

import thermnet
from thermnet.model.balance import HeatBalance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "bench"))
import networks  # noqa: E402


def _balance(net):
    c = net.circuit()
    return HeatBalance(c, c.flat.options)


def _central_jacobian(bal, Tf, rel=1e-6):
    n = len(Tf)
    J = np.empty((n, n))
    Js = np.empty((n, n))
    for j in range(n):
        h = rel * Tf[j]
        hi, lo = Tf.copy(), Tf.copy()
        hi[j] += h
        lo[j] -= h
        (Fp, Sp), (Fm, Sm) = bal.residual(hi), bal.residual(lo)
        J[:, j] = (Fp - Fm) / (2 * h)
        Js[:, j] = (Sp - Sm) / (2 * h)
    return J, Js


def _compare(bal, Tf):
    """Largest error of dF/dT and dS/dT in the units Newton sees: per unit ln T_j,
    relative to the flows S_i at node i."""
    bal.choose_grids(bal.full(Tf))
    F, S, dF, dS = bal.residual_jacobian(Tf)
    J, Js = _central_jacobian(bal, Tf)
    scale = S[:, None] / Tf[None, :]
    return (np.abs(dF - J) / scale).max(), \
        (np.abs(dS - Js) / scale).max()


def _with_free_nodes(paths):
    """The shipped netlists that have free nodes (the others have no Jacobian)."""
    return [p for p in paths if thermnet.load(p).circuit().free_nodes]


NETLISTS = _with_free_nodes(sorted(glob.glob(os.path.join(ROOT, "netlists", "*.net"))))


def test_shipped_netlists_with_free_nodes_exist():
    assert len(NETLISTS) >= 6


@pytest.mark.parametrize("path", NETLISTS, ids=os.path.basename)
def test_jacobian_of_every_shipped_netlist(path):
    bal = _balance(thermnet.load(path))
    n = len(bal.free)
    rng = np.random.default_rng(3)
    for _ in range(2):
        Tf = 0.04 + 0.4 * rng.random(n)
        errF, errS = _compare(bal, Tf)
        tol = PHOTON_DOMINATED.get(os.path.basename(path), 1e-6)
        assert errF < tol and errS < tol


# Islands whose heat flows are almost all photonic (electron-phonon cut 2000x and more): there
# the accuracy of a Mattis-Bardeen film's dY/dT (central difference, elements/base.py), about
# 4e-6 of the photonic heat's derivative near Tc, is the accuracy relative to S (measured
# 3.9e-6; in the other netlists electron-phonon flows dominate S).
PHOTON_DOMINATED = {"thermal_memory.net": 1e-5, "thermal_transistor.net": 1e-5,
                    "thermal_memory_switching.net": 1e-5}


@pytest.mark.parametrize("text", [networks.ring(12), networks.ring(12, films=6),
                                  networks.chain(8)], ids=["ring", "ring+films", "chain"])
def test_jacobian_of_generated_networks(text):
    bal = _balance(thermnet.parse(text))
    rng = np.random.default_rng(7)
    Tf = 0.05 + 0.3 * rng.random(len(bal.free))
    errF, errS = _compare(bal, Tf)
    assert errF < 1e-6 and errS < 1e-6


def test_jacobian_several_elements_on_one_node():
    """Two resistors of one link at one island, a film at another: the chain rule sums the
    elements of a node."""
    text = """.model cu eph(sigma=2e9)
.model ti mb(tc=0.5)
TB bath 30m
P1 A 0.3p
E1 A bath cu vol=3e-20
E2 B bath cu vol=2e-20
R1 n1 n2 10 temp=A
R2 n2 n3 20 temp=A
S1 n3 n1 ti R0=40 temp=B
G1 A B 1e-12
.op
"""
    bal = _balance(thermnet.parse(text))
    errF, errS = _compare(bal, np.array([0.31, 0.22]))
    assert errF < 1e-6 and errS < 1e-6


# ---- D() along the tangent, against closed forms -------------------------------------------
SIGMA, VOL, TB = 2e9, 1e-19, 0.05
EPH = f""".model cu eph(sigma={SIGMA:g} n=5)
TB bath {TB}
P1 s {{p}}
E1 s bath cu vol={VOL:g}
"""


def _eph_T(P):
    """T^5 - Tb^5 = P / (Sigma V) (Giazotto et al. RMP 2006 Eq. 35)."""
    return (TB ** 5 + P / (SIGMA * VOL)) ** 0.2


@pytest.mark.parametrize("P", [0.0, 1e-21, 1e-18, 1e-13])
def test_derivative_at_any_heater_power(P):
    """dT/dP = 1/(5 Sigma V T^4) and d^2T/dP^2 = -4/(25 (Sigma V)^2 T^9), including a
    heater at 0 W (was: kicked by 100 uW, NaN) and at 1e-21 W (was: 0)."""
    net = thermnet.parse(EPH.replace("{p}", repr(P)) + ".print T(s) D(T(s),P1) "
                         "D(P(E1),P1) D(D(T(s),P1),P1)\n.op\n")
    cols = net.run()[0].columns
    T = _eph_T(P)
    assert cols["T(s)"] == pytest.approx(T, rel=1e-9)
    assert cols["D(T(s),P1)"] == pytest.approx(1 / (5 * SIGMA * VOL * T ** 4), rel=1e-8)
    assert cols["D(P(E1),P1)"] == pytest.approx(1.0, rel=1e-6)      # all the heat leaves
    assert cols["D(D(T(s),P1),P1)"] == pytest.approx(
        -4 / (25 * (SIGMA * VOL) ** 2 * T ** 9), rel=1e-4)


def test_nested_derivative_does_not_depend_on_other_columns():
    base = EPH.replace("{p}", "1e-15") + ".op\n"
    alone = thermnet.parse(base + ".print D(D(T(s),P1),P1)").run()[0].columns
    crowd = thermnet.parse(base + ".print T(s) D(T(s),P1) D(P(E1),P1) D(D(T(s),P1),P1)"
                           ).run()[0].columns
    assert alone["D(D(T(s),P1),P1)"] == crowd["D(D(T(s),P1),P1)"]


def test_derivative_wrt_param_and_bath():
    """T = Tb + P/G: dT/dG = -P/G^2 (a .param), dT/dTb = 1, dQ/dTb of the conductance."""
    text = """.param gg=2n
TB bath 0.1
P1 s 3p
G1 s bath {gg}
.print T(s) D(T(s),gg) D(T(s),TB) D(P(TB),TB) D(T(s),P1)
.op
"""
    c = thermnet.parse(text).run()[0].columns
    assert c["T(s)"] == pytest.approx(0.1 + 3e-12 / 2e-9, rel=1e-12)
    assert c["D(T(s),gg)"] == pytest.approx(-3e-12 / 4e-18, rel=1e-6)
    assert c["D(T(s),TB)"] == pytest.approx(1.0, rel=1e-9)
    assert c["D(T(s),P1)"] == pytest.approx(1 / 2e-9, rel=1e-9)
    assert abs(c["D(P(TB),TB)"]) < 1e-9 * 2e-9     # the bath's heat does not depend on Tb
