"""The resonance search in networks without capacitance (resonances.on_axis).

A network of resistors, inductors and superconducting films (every susceptance inductive)
has its poles on the imaginary energy axis: the search keeps those (they can be narrow: a
kinetic-inductance cutoff far below kB T) and no longer refines the complex candidates that
the two-point fit of a film produces.  A network with a capacitor is searched as before.
References: closed forms (R-L loop) and the film loop's resonance from its impedance by
root finding, written here.
"""
import math

import numpy as np
import pytest
from scipy import optimize

from thermnet.physics import mattis_bardeen, resonances
from thermnet.physics.constants import h, hbar, kB


@pytest.fixture
def pencils(monkeypatch):
    """Counts the pencils solved (one per fit or refit energy)."""
    counts = []
    solve = resonances.pencil_poles

    def counted(*args):
        counts.append(len(args[-1]))
        return solve(*args)
    monkeypatch.setattr(resonances, "pencil_poles", counted)
    return counts


def film(E, T, tc, r0):
    s1, s2 = mattis_bardeen.conductivity(np.asarray(E, dtype=float), T, tc, 1.764, "tanh")
    return (s1 - 1j * s2) / r0


def ring(n, films, T, tc=0.4):
    """A ring of n elements (the first ``films`` Ti films, R0 = 50 + 7k, the others resistors
    5 + 3 (k mod 7) ohm, as bench/networks.py), node 0 grounded."""
    inc = np.zeros((n, n))
    for k in range(n):
        inc[k, k], inc[k, (k + 1) % n] = 1.0, -1.0

    def admittance(E, temps=T):
        one = np.ones_like(E, dtype=complex)
        return np.array([film(E, temps[k], tc, 50 + 7 * k) if k < films
                         else one / (5 + 3 * (k % 7)) for k in range(n)])
    return admittance, inc[:, 1:]


def test_rl_loop_pole_on_the_axis(pencils):
    """R1 - L - R2: one real pole, E_p = i hbar (R1 + R2) / L, found without refinement."""
    R1, R2, L = 1.0, 4.0, 1e-9
    inc = np.array([[-1.0, 0.0], [1.0, -1.0], [0.0, 1.0]])

    def admittance(E):
        one = np.ones_like(E, dtype=complex)
        return np.array([one / R1, 1 / (1j * (E / hbar) * L), one / R2])
    top = 48 * kB * 1.0
    poles = resonances.link_poles(admittance, inc, top * 2.0 ** -20, top, top * 2.0 ** -20,
                                  top)
    assert len(poles) == 1
    assert poles[0].energy == 0.0
    assert poles[0].width == pytest.approx(hbar * (R1 + R2) / L, rel=1e-9)
    assert len(pencils) == 1


def test_films_ring_is_not_refined_off_the_axis(pencils, monkeypatch):
    """A ring of 10 with 4 Ti films: the fits give complex candidates (a film's lumped c > 0
    near 2 Delta); they are dropped, every pole kept is on the axis, one pencil stack is
    solved, and the panel edges are those of the search that refines every candidate."""
    T = np.full(10, 0.28)
    T[0] = 0.2
    admittance, inc = ring(10, 4, T)
    top = 48 * kB * 0.31
    floor = top * 2.0 ** -12
    poles = resonances.link_poles(admittance, inc, floor, top, floor, top)
    assert poles and all(p.energy == 0.0 for p in poles)
    assert len(pencils) == 1
    edges = resonances.resonance_edges(admittance, inc, T, 0.0, top, floor, top)
    searched = len(pencils)
    monkeypatch.setattr(resonances, "on_axis", lambda p: np.ones(len(p), dtype=bool))
    pencils.clear()
    full = resonances.link_poles(admittance, inc, floor, top, floor, top)
    assert len(pencils) > 1                          # the complex candidates were refined
    assert any(p.energy > 0 for p in full) or len(full) > len(poles)
    assert {p for p in full if p.energy == 0.0} >= set(poles)
    pencils.clear()
    again = resonances.resonance_edges(admittance, inc, T, 0.0, top, floor, top)
    assert len(pencils) > searched
    assert np.array_equal(edges[0], again[0]) and edges[1] == again[1]


def test_kinetic_inductance_cutoff_still_found(pencils):
    """Dey's loop at r = 1e5 (R_D - Ti film r R_D - R_D, no capacitor): the film's kinetic
    inductance with 2 R_D gives a real pole Gamma = hbar 2 R_D / L_k far below kB T, which
    still gets its panels (E = 0 and Gamma 2^j)."""
    RD, r, TS, tc = 2.857, 1e5, 0.25, 0.4
    inc = np.array([[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]])

    def admittance(E, temps):
        one = np.ones_like(E, dtype=complex)
        return np.array([one / RD, film(E, temps[0], tc, r * RD), one / RD])
    zf = r * RD / complex(*[s[0] for s in mattis_bardeen.conductivity(
        np.array([1e-26]), TS, tc, 1.764, "tanh")]).conjugate()
    lk = zf.imag / (1e-26 / hbar)
    gamma = hbar * 2 * RD / lk
    top = 48 * kB * 0.275
    floor = top * 2.0 ** -10
    edges, _ = resonances.resonance_edges(admittance, inc, np.array([TS]), 0.0, top, floor,
                                          top)
    assert gamma < 0.25 * floor                       # narrow on the first panel
    assert len(edges) >= 3
    assert edges.min() == pytest.approx(gamma, rel=0.2)   # Gamma snapped to 2^(1/4)
    ratios = edges[1:] / edges[:-1]
    assert np.allclose(ratios, resonances.GRADING)


def test_capacitor_network_still_gets_its_resonance(pencils):
    """R - Ti film - C loop (kinetic inductance and C: Qf ~ 700 at ~5 GHz): not inductive, the
    complex pole is refined and gets its panels; E0 and Gamma match the zero of Im Z_total
    found by root finding on the film's impedance."""
    R, R0, C, tc, T = 0.05, 100.0, 8.8e-13, 1.2, 0.2
    inc = np.array([[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]])     # n1 ground; n2, n3

    def admittance(E, temps):
        one = np.ones_like(E, dtype=complex)
        return np.array([one / R, film(E, temps[0], tc, R0), 1j * (E / hbar) * C])

    def ztot(E):
        return R + 1 / film(np.array([E]), T, tc, R0)[0] + 1 / (1j * (E / hbar) * C)
    E0 = optimize.brentq(lambda E: ztot(E).imag, h * 1e9, h * 2e10, xtol=1e-40, rtol=1e-15)
    slope = (ztot(E0 * (1 + 1e-6)).imag - ztot(E0 * (1 - 1e-6)).imag) / (2e-6 * E0)
    gamma = ztot(E0).real / slope
    assert 100 < E0 / (2 * gamma) < 1e4
    top = 48 * kB * 0.22
    floor = top * 2.0 ** -10
    poles = resonances.link_poles(lambda E: admittance(E, [T]), inc, floor, top, floor, top)
    narrow = [p for p in poles if resonances.is_narrow(p.complex, floor, top)]
    assert len(narrow) == 1
    # the pole's real part and the reactance's zero differ by ~(Gamma / 2 E0)^2 (2.3e-6 here)
    assert narrow[0].energy == pytest.approx(E0, rel=1e-5)
    assert narrow[0].width == pytest.approx(gamma, rel=1e-3)
    assert len(pencils) > 1                           # refined at its own energy
    edges, moves = resonances.resonance_edges(admittance, inc, np.array([T]), 0.0, top,
                                              floor, top)
    assert np.any(np.abs(edges - E0) < 2 * gamma)
    assert math.isfinite(moves) and moves > 0
