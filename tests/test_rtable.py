"""Tabulated resistor (model rtable): R(T) by monotone cubic interpolation (PCHIP, Fritsch &
Carlson 1980), from inline values or a CSV file; the photonic heat against Dey et al. Eq. 3
integrated here with the table interpolated here; located errors for bad tables."""
import math
import os

import numpy as np
import pytest
from scipy import integrate
from scipy.interpolate import PchipInterpolator

import thermnet
from thermnet.errors import NetlistError
from thermnet.netlist.parser import parse_file
from thermnet.physics.constants import hbar, kB

TABLE = [(0.02, 40.0), (0.1, 38.0), (0.3, 20.0), (0.6, 5.0), (2.0, 4.0)]
INLINE = " ".join(f"{t} {r}" for t, r in TABLE)


def circuit(model_card, heater="5f"):
    return f"""
.model cu eph(sigma=2e9 n=5)
{model_card}
TB bath 50m
PS S {heater}
ES S bath cu vol=2e-20
ED D bath cu vol=2e-20
RS a b rt temp=S
RD b a 20ohm temp=D
.print T(S) T(D) Q(S,D)
"""


def bose(E, T):
    return 1.0 / math.expm1(E / (kB * T))


def q_closed(R1, R2, Ta, Tb):
    """Dey et al. Eq. 3 for two resistors in a loop: tau = 4 R1 R2/(R1 + R2)^2, flat."""
    tau = 4 * R1 * R2 / (R1 + R2) ** 2
    top = 60 * kB * max(Ta, Tb)

    def f(E):
        return E * tau * (bose(E, Ta) - bose(E, Tb)) / (2 * math.pi * hbar)
    return integrate.quad(f, 0, top, epsabs=0, epsrel=1e-11, limit=200)[0]


@pytest.mark.parametrize("heater", ["5f", "200f"])
def test_heat_against_quadrature_with_the_table_interpolated_here(heater):
    cols = thermnet.parse(circuit(f".model rt rtable({INLINE})", heater)).run()[0].columns
    Ts, Td = cols["T(S)"], cols["T(D)"]
    T, R = np.array(TABLE).T
    Rs = float(PchipInterpolator(T, R)(Ts))
    assert cols["Q(S,D)"] == pytest.approx(q_closed(Rs, 20.0, Ts, Td), rel=1e-7)


def test_csv_file_equals_inline_values(tmp_path):
    (tmp_path / "rt.csv").write_text("# R of a film\nT, R\n" + "\n".join(
        f"{t}, {r}" for t, r in TABLE) + "\n")
    (tmp_path / "a.net").write_text(circuit('.model rt rtable(file="rt.csv")'))
    from_file = thermnet.load(str(tmp_path / "a.net")).run()[0].columns
    inline = thermnet.parse(circuit(f".model rt rtable({INLINE})")).run()[0].columns
    assert from_file["T(S)"] == pytest.approx(inline["T(S)"], rel=1e-13)


def test_interpolation_is_monotone_and_flat_outside():
    net = thermnet.parse(circuit(f".model rt rtable({INLINE})"))
    e = net.circuit().flat.elements["rs"]
    T = np.linspace(0.02, 2.0, 400)
    R = np.array([e.resistance(t) for t in T])
    assert np.all(np.diff(R) <= 0)                # monotone data, monotone curve
    assert e.resistance(0.001) == 40.0 and e.resistance(5.0) == 4.0
    assert e.resistance(0.3) == pytest.approx(20.0, rel=1e-14)
    # the admittance derivative is -R'/R^2 (the Jacobian's dY/dT)
    t, h = 0.45, 1e-6
    dy = e.admittance_derivative(np.array([1e-23]), t)[0].real
    ref = (1 / e.resistance(t + h) - 1 / e.resistance(t - h)) / (2 * h)
    assert dy == pytest.approx(ref, rel=1e-6)


def _error(card, tmp_path=None, files=None):
    text = circuit(card)
    if tmp_path is None:
        with pytest.raises(NetlistError) as exc:
            thermnet.parse(text)
        return exc.value
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(content)
    (tmp_path / "a.net").write_text(text)
    with pytest.raises(NetlistError) as exc:
        thermnet.load(str(tmp_path / "a.net"))
    return exc.value


def test_non_monotone_temperatures_point_at_the_entry():
    card = ".model rt rtable(0.1 10 0.3 20 0.2 30)"
    err = _error(card)
    assert "temperatures must increase" in err.message
    assert err.span.line == 3 and err.span.column == card.index("0.2") + 1   # the third T


def test_negative_resistance_is_located():
    card = ".model rt rtable(0.1 10 0.3 -20)"
    err = _error(card)
    assert "must be positive" in err.message and err.span.column == card.index("-20") + 1


def test_odd_count_and_bad_file_rows_are_located(tmp_path):
    err = _error(".model rt rtable(0.1 10 0.3)")
    assert "groups of 2" in err.message
    err = _error('.model rt rtable(file="rt.csv")', tmp_path,
                 {"rt.csv": "0.1, 10\n0.2, 11, 12\n"})
    assert err.span.file.endswith("rt.csv") and err.span.line == 2
    err = _error('.model rt rtable(file="rt.csv")', tmp_path,
                 {"rt.csv": "0.1, 10\n0.3, 12\n0.2, 30\n"})
    assert "temperatures must increase" in err.message
    assert err.span.file.endswith("rt.csv") and (err.span.line, err.span.column) == (3, 1)
    err = _error('.model rt rtable(file="rt.csv")', tmp_path, {"rt.csv": "0.1, 10\n0.3, x\n"})
    assert "not a number" in err.message and (err.span.line, err.span.column) == (2, 6)


def test_missing_file_and_sandbox(tmp_path):
    err = _error('.model rt rtable(file="nowhere.csv")', tmp_path)
    assert "cannot read data file 'nowhere.csv'" in err.message and err.span.line == 3
    outside = tmp_path / "out.csv"
    outside.write_text("0.1, 10\n0.3, 12\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.net").write_text(circuit('.model rt rtable(file="../out.csv")'))
    assert parse_file(str(sub / "a.net"))                     # allowed without --sandbox
    with pytest.raises(NetlistError, match="outside the netlist's folder"):
        parse_file(str(sub / "a.net"), sandbox=True)


def test_table_values_must_not_name_params():
    err = _error(".param r1=10\n.model rt rtable(0.1 r1 0.3 20)")
    assert "not .params" in err.message


def test_shipped_switch_opens_through_the_transition():
    path = os.path.join(os.path.dirname(__file__), "..", "netlists",
                        "devices_rtable_switch.net")
    cols = thermnet.load(path).run()[0].columns
    q = -cols["Q(S,D)"]
    assert np.all(np.diff(q) > 0) and q[-1] / q[0] > 1e4
