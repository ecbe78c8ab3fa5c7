"""Elements whose reactance sign or floating-group treatment only these tests pin down
(a mutation audit found both free).

* an NIS junction's capacitance (Pioldi et al., Fig. 1(b): R(T) parallel to C) must be
  capacitive, Y = 1/R + i omega C: in a loop with an inductor the sign decides whether the
  two reactances cancel (a resonance) or add.  A loop of only the junction and resistors
  cannot tell (|Z1 + R|^2 is even in Im Z1), which is all the suite had.  Above Tc the
  junction is R_N || C exactly, so the reference is closed-form (Dey et al. Eq. 3 by quad).
* the Jacobian of a heat valve whose SQUID-like junctions have Ic(T) (Ambegaokar-Baratoff)
  and leave a floating group of nodes (photonic._gauged_transfer with an element across the
  group's border): analytic dF/dT against central differences of the residual."""
import math

import numpy as np
import pytest
from scipy import integrate

import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.physics.constants import h, hbar, kB


def test_nis_junction_capacitance_is_capacitive_in_an_lc_loop():
    rn, cap, ind, r, ta, tb = 100.0, 4e-13, 4e-9, 100.0, 0.3, 0.1
    area = 1e-12
    got = thermnet.parse(f"""
.model al nis(tc=0.1 rspec={rn * area} cspec={cap / area})
TA A {ta}
TB bath {tb}
N1 n1 n2 al area={area} temp=A
L1 n2 n3 {ind}
R1 n3 n1 {r} temp=bath
.print Q(A,bath)
""").run()[0].columns["Q(A,bath)"]

    def tau(E):
        w = E / hbar
        zj = rn / (1 + 1j * w * rn * cap)               # above Tc: R_N || C
        return 4 * zj.real * r / abs(zj + 1j * w * ind + r) ** 2

    def f(E):
        return E * tau(E) * (1 / math.expm1(E / (kB * ta)) - 1 / math.expm1(E / (kB * tb))) / h
    top = 60 * kB * ta
    w0 = hbar / math.sqrt(ind * cap)
    ref = sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-12, limit=500)[0]
              for a, b in ((0, w0 / 2), (w0 / 2, w0), (w0, 2 * w0), (2 * w0, top)))
    assert got == pytest.approx(ref, rel=1e-7, abs=0)


def test_jacobian_of_a_valve_with_temperature_dependent_junctions():
    net = thermnet.parse("""
.model cu eph(sigma=2e9 n=5)
.model jx jj(rn=300 tc=0.3)
TB bath 50m
PS S 20f
ES S bath cu vol=2e-20
ED D bath cu vol=2e-20
RS a b 20ohm temp=S
J1 b c jx temp=D
RD c e 20ohm temp=D
J2 e a jx temp=S
""")
    c = net.circuit()
    bal = HeatBalance(c, c.flat.options)
    Tf = np.array([0.2, 0.17])
    bal.choose_grids(bal.full(Tf))
    F, S, dF, _ = bal.residual_jacobian(Tf)
    for j in range(2):
        step = 1e-6 * Tf[j]
        hi, lo = Tf.copy(), Tf.copy()
        hi[j] += step
        lo[j] -= step
        ref = (bal.residual(hi)[0] - bal.residual(lo)[0]) / (2 * step)
        np.testing.assert_allclose(dF[:, j] * Tf[j], ref * Tf[j], atol=1e-7 * S.max())
