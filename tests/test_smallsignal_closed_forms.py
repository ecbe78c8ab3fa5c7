"""Small-signal analyses against closed forms written here.

* the Debye lattice's C = beta V T^3 (Kittel Ch. 5 Eq. 33) through a time constant C/G;
* a node without heat capacity between a massive node and the bath: the time constant
  is C / G_series, G_series = G1 G2 / (G1 + G2) (the Schur complement of the quasi-static
  node; its sign was untested: every time-constant test had C on all free nodes);
* the response to an ac temperature source is in phase at low frequency: dT_A =
  G/(G + i omega C) dT_bath (the suite printed only |dT|, blind to its sign);
* a heater's own power printed in .ac is its ac amplitude (the direct term of the gradient
  with respect to the source)."""
import numpy as np
import pytest

import thermnet


def _run(text):
    return {r.analysis: r for r in thermnet.parse(text).run()}


def test_lattice_heat_capacity_time_constant():
    beta, vol, g, tb = 6.9, 1e-16, 1e-12, 0.2
    res = _run(f"""
.model cuph cph(beta={beta})
TB bath {tb}
P1 A 0 ac=1f
G1 A bath {g}
H1 A cuph vol={vol}
.ac lin 1 1 1
.print T(A)
""")
    assert res["ac"].extras["time_constants"] == [
        pytest.approx(beta * vol * tb ** 3 / g, rel=1e-9)]


def test_time_constant_through_a_massless_node():
    c, g1, g2 = 1e-18, 1e-9, 3e-9
    res = _run(f"""
TB bath 0.1
P1 A 0 ac=1f
G1 A B {g1}
G2 B bath {g2}
H1 A {c}
.ac lin 1 1 1
.print T(A)
""")
    assert res["ac"].extras["time_constants"] == [
        pytest.approx(c * (g1 + g2) / (g1 * g2), rel=1e-9)]


def test_response_to_an_ac_bath_temperature_is_in_phase():
    c, g, amp = 1e-18, 1e-9, 1e-3
    res = _run(f"""
TB bath 0.1 ac={amp}
G1 A bath {g}
H1 A {c}
.ac dec 2 1 1g
.print RE(T(A)) IM(T(A)) PH(T(A))
""")["ac"]
    w = 2 * np.pi * res.columns["freq"]
    z = amp * g / (g + 1j * w * c)
    np.testing.assert_allclose(res.columns["RE(T(A))"], z.real, rtol=1e-8, atol=0)
    np.testing.assert_allclose(res.columns["IM(T(A))"], z.imag, rtol=1e-8, atol=0)
    np.testing.assert_allclose(res.columns["PH(T(A))"], np.degrees(np.angle(z)), rtol=1e-8)


def test_heater_power_in_ac_is_its_amplitude():
    res = _run("""
TB bath 0.1
P1 A 2f ac=1f
G1 A bath 1n
H1 A 1e-18
.ac dec 2 1 1g
.print P(P1) P(G1)
""")["ac"]
    w = 2 * np.pi * res.columns["freq"]
    np.testing.assert_allclose(res.columns["P(P1)"], 1e-15, rtol=1e-8, atol=0)
    # the heat through G1 follows T(A): |G dT| = 1f |G / (G + i w C)|
    np.testing.assert_allclose(res.columns["P(G1)"], 1e-15 * np.abs(1e-9 / (1e-9 + 1j * w * 1e-18)),
                               rtol=1e-7, atol=0)
