"""The cheaper heat-balance evaluation (issue 9, the Dey Fig. 3 per-point targets) gives the
same numbers as before, bit for bit:

* ``HeatBalance._flows`` (heaters by ``np.bincount``, the thermal elements' derivative rows
  scattered at once) against the previous assembly written out here (``np.add.at`` and one
  entry at a time), on a circuit with two heaters on one node and a thermal element whose
  nodes repeat (a proximity wire whose ``ts`` is its own terminal);
* a film's admittance and dY/dT, which reuse the film's last Mattis-Bardeen row, against the
  kernel's public functions; the row is reused only for the same energies (bit for bit),
  temperature and model values.
"""
import numpy as np
import pytest

import thermnet
from thermnet.elements.superconductors import Film
from thermnet.model.balance import HeatBalance
from thermnet.model.static_links import abs_derivative
from thermnet.physics import mattis_bardeen as mb
from thermnet.physics.constants import kB

NETLIST = """* heaters, thermal elements with repeated nodes, a film link
.model wire prox(tc=1.2 ln=10 r=1)
.model cu eph(sigma=2e9)
.model al eph_bcs(sigma=2e8 tc=1.2)
.model ti mb(tc=0.4)
TB bath 50m
P1 A 1p
P2 A 0.5p
P3 B 0.2p
W1 A bath wire gn=10m ts=A
E1 A bath cu vol=1e-20
E2 B bath al vol=1e-19
E3 B A cu vol=1e-20
S1 n1 n2 ti R0=50 temp=A
R1 n1 n2 20 temp=B
.op
"""


def _reference_flows(bal, T, scale, derivatives):
    """The assembly of ``HeatBalance._flows`` before this change, links included."""
    n = len(bal.nodes)
    net, mag = np.zeros(n), np.zeros(n)
    dnet, dmag = np.zeros((n, n)), np.zeros((n, n))
    power = scale * bal.heater_power
    np.add.at(net, bal.heater_idx, power)
    np.add.at(mag, bal.heater_idx, np.abs(power))
    for e, idx in bal.thermal:
        temps = T[idx]
        q = e.heat(*temps)
        net[idx[0]] -= q
        net[idx[1]] += q
        mag[idx[0]] += abs(q)
        mag[idx[1]] += abs(q)
        if derivatives:
            for col, d in zip(idx, e.heat_derivatives(*temps)):
                dnet[idx[0], col] -= d
                dnet[idx[1], col] += d
                dmag[idx[0], col] += abs_derivative(q, d)
                dmag[idx[1], col] += abs_derivative(q, d)
    for k, li in enumerate(bal.link_idx):
        if derivatives:
            Q, dQ = bal.link_heat_derivatives(k, T)
            to_node, rows, cols = bal.link_nodes[k]
            dQn = dQ @ to_node
            np.add.at(dnet, (rows, cols), -dQn.sum(axis=1))
            np.add.at(dmag, (rows, cols), abs_derivative(Q[:, :, None], dQn).sum(axis=1))
        else:
            Q = bal.link_heat(k, T, scale)
        np.subtract.at(net, li, Q.sum(axis=1))
        np.add.at(mag, li, np.abs(Q).sum(axis=1))
    return (net, mag, dnet, dmag) if derivatives else (net, mag)


def test_flows_bit_identical_to_the_previous_assembly():
    circ = thermnet.parse(NETLIST).circuit()
    bal = HeatBalance(circ, dict(circ.flat.options))
    assert any(len(set(idx)) < len(idx) for _, idx in bal.thermal)    # the loop's path
    assert len(set(bal.heater_idx.tolist())) < len(bal.heater_idx)      # shared node
    rng = np.random.default_rng(3)
    for _ in range(4):
        T = rng.uniform(0.06, 0.38, len(bal.nodes))
        T[bal.fixed] = bal.source_T
        bal.choose_grids(T)
        scale = float(rng.uniform(0.2, 1.5))
        for derivatives in (False, True):
            got = bal._flows(T, scale, derivatives)
            ref = _reference_flows(bal, T, scale, derivatives)
            for g, r in zip(got, ref):
                assert np.array_equal(g, r)


def _film(tc=0.4):
    net = thermnet.parse(f".model ti mb(tc={tc})\nS1 n1 n2 ti R0=50 temp=A\n"
                         "R1 n1 n2 20 temp=bath\nTB bath 0.1\nP1 A 1p\n.op\n")
    films = [e for e in net.circuit().flat.elements.values() if isinstance(e, Film)]
    return films[0]


def _reference(film, E, T):
    m, R0 = film.model, film.params["R0"]
    s1, s2, d1, d2 = mb.conductivity_derivative(E, T, m.tc, m.gapratio, m.gap)
    return (s1 - 1j * s2) / R0, (d1 - 1j * d2) / R0


@pytest.mark.parametrize("T", [0.05, 0.3, 0.399, 0.5])
def test_film_admittance_and_derivative_reuse_one_row(T):
    film = _film()
    E = np.geomspace(1e-3, 40, 200) * kB * 0.4
    y = film.admittance(E, T)
    row = film._row
    dy = film.admittance_derivative(E, T)
    assert film._row is row                               # the same row, not a new one
    y_ref, dy_ref = _reference(film, E, T)
    assert np.array_equal(y, y_ref) and np.array_equal(dy, dy_ref)
    assert np.array_equal(film.admittance_derivative(E, T), dy)     # computed once, kept
    # another temperature, energies changed in place, a new model value: a new row
    for change in ("T", "E", "tc"):
        if change == "T":
            T = T * (1 - 1e-9)
        elif change == "E":
            E *= 1 + 1e-12
        else:
            film.model.values["tc"] = 0.45
        y, dy = film.admittance(E, T), film.admittance_derivative(E, T)
        assert film._row is not row
        row = film._row
        y_ref, dy_ref = _reference(film, E, T)
        assert np.array_equal(y, y_ref) and np.array_equal(dy, dy_ref)


def test_conductivity_derivative_values_are_conductivity():
    """conductivity_derivative's sigma is conductivity's (one row evaluation), inside and
    outside the table and in the normal state."""
    E = np.concatenate((np.geomspace(1e-9, 1e3, 300), [2 * 1.764 * 0.2])) * kB * 0.4
    for T in (0.0, 0.01, 0.2, 0.3999, 0.4, 0.7):
        s1, s2 = mb.conductivity(E, T, 0.4)
        d = mb.conductivity_derivative(E, T, 0.4)
        assert np.array_equal(d[0], s1) and np.array_equal(d[1], s2)
        assert np.all(np.isfinite(d[2])) and np.all(np.isfinite(d[3]))


def test_nan_temperature_is_not_the_normal_state():
    """A NaN temperature gives NaN (loud), not sigma = (1, 0) of the normal state."""
    E = np.geomspace(1e-3, 10, 20) * kB * 0.4
    for out in (mb.conductivity(E, float("nan"), 0.4),
                mb.conductivity_derivative(E, float("nan"), 0.4)):
        assert all(np.isnan(a).all() for a in out)
