"""An element's reactance sign that only this test pins down (a mutation audit found it
free): an NIS junction's capacitance (Pioldi et al., Fig. 1(b): R(T) parallel to C) must be
capacitive, Y = 1/R + i omega C: in a loop with an inductor the sign decides whether the two
reactances cancel (a resonance) or add.  A loop of only the junction and resistors cannot
tell (|Z1 + R|^2 is even in Im Z1), which is all the suite had.  Above Tc the junction is
R_N || C exactly, so the reference is closed-form (Dey et al. Eq. 3 by quad).
(The Jacobian of a valve whose junctions leave a floating group: tests/test_josephson.py.)"""
import math

import pytest
from scipy import integrate

import thermnet
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
    assert got == pytest.approx(ref, rel=1e-7)

