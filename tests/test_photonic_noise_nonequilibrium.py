"""The photonic heat-current noise out of equilibrium.

Two matched resistors (transmission tau = 1 at every energy, Pendry's single channel):
Saito & Dhar's bosonic second cumulant (2/h) int E^2 [tau (n_a(1+n_b) + n_b(1+n_a))
+ tau^2 (n_a - n_b)^2] dE reduces for tau = 1 to (2/h) int E^2 [n_a(1+n_a) + n_b(1+n_b)] dE
= (2 pi^2 kB^3 / 3h) (T_a^3 + T_b^3) (int x^2 e^x/(e^x-1)^2 dx = pi^2/3).  The equilibrium
test (4 kB T^2 G) cannot tell the sign of the tau^2 term (n_a = n_b there): a fermionic
'- tau^2 (n_a - n_b)^2' passed the suite."""
import math

import pytest

import thermnet
from thermnet.physics.constants import h, kB


def test_matched_pair_noise_out_of_equilibrium():
    tb, p = 0.05, 20e-15
    res = thermnet.parse(f"""
TB bath {tb}
P1 A {p}
R1 n1 n2 50 temp=A
R2 n1 n2 50 temp=bath
.op
.noise T(A) P1 lin 1 1m 1m
.print T(A) INOISE
""").run()
    op = [r for r in res if r.analysis == "op"][0]
    noise = [r for r in res if r.analysis == "noise"][0]
    ta = op.columns["T(A)"]
    # the state: P = pi^2 kB^2 (Ta^2 - Tb^2) / (6 h) (tau = 1), independent of the noise
    assert p == pytest.approx(math.pi ** 2 * kB ** 2 * (ta ** 2 - tb ** 2) / (6 * h),
                              rel=1e-8)
    assert ta > 3 * tb                                       # far from equilibrium
    s = 2 * math.pi ** 2 * kB ** 3 * (ta ** 3 + tb ** 3) / (3 * h)
    # a lone path between A and the fixed bath: INOISE (heater-referred) = sqrt(S)
    assert noise.columns["INOISE"][0] == pytest.approx(math.sqrt(s), rel=1e-7)
