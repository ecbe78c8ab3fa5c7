"""The contract every registered element kind inherits (as scikit-rf's MediaTestCase or
scqubits' StandardTests): each kind declares example cards (``Element.examples``) and flags;
the physics checks below run over all of them, so a new kind is tested the moment it is
registered.

Thermal kinds: no heat at equal temperatures, antisymmetry where declared, analytic
derivatives equal to central differences taken here, finite heat and derivatives over the
documented range.  Impedance kinds: Re Y >= 0 (zero for lossless ones), vectorised = scalar,
dY/dT equal to central differences taken here, finite values, reciprocal transmission of the
network they sit in.  Every kind is listed by ``thermnet elements`` and in docs/language.md.
"""
import io
import os
from contextlib import redirect_stdout

import numpy as np
import pytest

import thermnet
from thermnet import cli
from thermnet.elements import ELEMENT_KINDS
from thermnet.elements.base import MODEL_TYPES, REQUIRED, ImpedanceElement, ThermalElement
from thermnet.elements.superconductors import SuperconductorModel
from thermnet.model.balance import HeatBalance
from thermnet.physics import photonic
from thermnet.physics.constants import kB

FRAME = "TB bath 30m\nTA A 0.1\n"
TEMPS = (0.01, 0.05, 0.2, 0.5, 1.1)          # K, below and above the examples' Tc
ENERGIES = kB * np.geomspace(1e-3, 30.0, 41)   # photon energies from 1 mK to 30 K

CASES = [(letter, k, ex) for letter, kind in sorted(ELEMENT_KINDS.items())
         for k, ex in enumerate(kind.examples)]


def _element(letter, example):
    circuit = thermnet.parse(FRAME + example + "\n.op\n").circuit()
    return circuit, circuit.flat.elements[f"{letter.lower()}1"]


def test_every_kind_declares_examples():
    missing = [letter for letter, kind in ELEMENT_KINDS.items() if not kind.examples]
    assert missing == []


@pytest.mark.parametrize("letter,k,example", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_example_builds_the_element(letter, k, example):
    circuit, e = _element(letter, example)
    assert e.letter == letter
    # its kinks (Element.kinks): positive temperatures; a BCS superconductor's Tc, where
    # its gap opens, among them (a TES's smooth transition has none)
    kinks = e.kinks()
    assert isinstance(kinks, tuple) and all(t > 0 for t in kinks)
    if isinstance(getattr(e, "model", None), SuperconductorModel):
        assert e.model.tc in kinks


def _central(f, x, rel=1e-4):
    h = rel * x
    return (f(x + h) - f(x - h)) / (2 * h)


THERMAL = [c for c in CASES if issubclass(ELEMENT_KINDS[c[0]], ThermalElement)]
IMPEDANCE = [c for c in CASES if issubclass(ELEMENT_KINDS[c[0]], ImpedanceElement)]


@pytest.mark.parametrize("letter,k,example", THERMAL, ids=[f"{c[0]}{c[1]}" for c in THERMAL])
def test_thermal_contract(letter, k, example):
    _, e = _element(letter, example)
    n_extra = len(e.extra_nodes)
    for T in TEMPS:
        for Tb in (0.5 * T, T, 1.7 * T):
            temps = [T, Tb] + [T] * n_extra
            q = e.heat(*temps)
            d = e.heat_derivatives(*temps)
            assert np.isfinite(q) and np.all(np.isfinite(d))
            if Tb == T:
                assert abs(q) <= 1e-12 * abs(e.heat(T, 0.5 * T, *[T] * n_extra))
            if e.antisymmetric:
                assert e.heat(Tb, T, *temps[2:]) == pytest.approx(-q, rel=1e-9, abs=1e-30)
            # derivatives: central differences taken here, 1e-4 relative steps
            for j in range(len(temps)):
                def moved(x, j=j):
                    t = list(temps)
                    t[j] = x
                    return e.heat(*t)
                ref = _central(moved, temps[j])
                scale = np.abs(d).max()
                assert abs(d[j] - ref) <= 1e-5 * scale + 1e-30


@pytest.mark.parametrize("letter,k,example", IMPEDANCE,
                         ids=[f"{c[0]}{c[1]}" for c in IMPEDANCE])
def test_impedance_contract(letter, k, example):
    circuit, e = _element(letter, example)
    e.configure(circuit.flat.options)
    for T in TEMPS:
        stamps = []
        for b in e.branches():           # the element itself, or a multi-port's branches
            y = b.admittance(ENERGIES, T)
            assert y.shape == ENERGIES.shape and np.all(np.isfinite(y))
            if not e.dissipative:
                assert np.all(np.abs(y.real) <= 1e-12 * np.abs(y))
            v = np.array([c for _, c in b.terminal_coefficients()])
            stamps.append((v, y, [n for n, _ in b.terminal_coefficients()]))
            scalar = np.array([b.admittance(ENERGIES[i:i + 1], T)[0]
                               for i in range(len(ENERGIES))])
            np.testing.assert_allclose(scalar, y, rtol=1e-12)
            _check_derivative(b, T, y)
        if e.dissipative:
            _check_passive(stamps)


def _check_passive(stamps):
    """Re of the element's nodal stamp sum_b Re y_b v_b v_b^T is positive semidefinite at
    every energy (a single branch: Re y >= 0): it absorbs power, never emits more."""
    nodes = sorted({n for _, _, ns in stamps for n in ns})
    M = np.zeros((len(ENERGIES), len(nodes), len(nodes)))
    for v, y, ns in stamps:
        full = np.zeros(len(nodes))
        for n, c in zip(ns, v):
            full[nodes.index(n)] += c
        M += y.real[:, None, None] * np.outer(full, full)[None]
    lowest = np.linalg.eigvalsh(M).min(axis=1)
    scale = np.abs(M).max(axis=(1, 2))
    assert np.all(lowest >= -1e-12 * scale)


def _check_derivative(e, T, y):
    dy = e.admittance_derivative(ENERGIES, T)
    assert np.all(np.isfinite(dy))
    if not e.temperature_dependent:
        assert np.all(dy == 0)
        return
    ref = _central(lambda x: e.admittance(ENERGIES, x), T, rel=1e-3)
    # away from the kink at 2 Delta(T), where a difference quotient straddles it
    gap = e.breakpoints(T)
    far = np.ones(len(ENERGIES), bool) if not gap else \
        np.abs(ENERGIES / gap[0] - 1) > 0.05
    # in the units the Jacobian sees: per unit ln T, relative to |Y|
    np.testing.assert_allclose(dy[far] * T, ref[far] * T, rtol=1e-4,
                               atol=1e-7 * np.abs(y).max())


@pytest.mark.parametrize("letter,k,example", IMPEDANCE,
                         ids=[f"{c[0]}{c[1]}" for c in IMPEDANCE])
def test_photonic_reciprocity_and_conservation(letter, k, example):
    """tau_ij = tau_ji and Q_ij = -Q_ji in the network the example builds (three dissipative
    elements where the example has a lossless one: RX, RY and the element)."""
    circuit, e = _element(letter, example)
    bal = HeatBalance(circuit, circuit.flat.options)
    link = bal.links[0]
    y = bal._admittances(0, ENERGIES, np.full(len(link.dissipative), 0.15))
    tau = photonic.transmission(y, link.incidence, link.dissipative)
    np.testing.assert_allclose(tau, np.swapaxes(tau, 1, 2), rtol=1e-12, atol=0)
    T = bal.full(np.full(len(bal.free), 0.12))
    bal.choose_grids(T)
    Q = bal.link_heat(0, T)
    np.testing.assert_allclose(Q, -Q.T, rtol=1e-12, atol=1e-30)


@pytest.mark.parametrize("letter", sorted(ELEMENT_KINDS))
def test_kind_is_documented(letter):
    kind = ELEMENT_KINDS[letter]
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["elements"]) == 0
    assert f"{letter}  {kind.title}" in out.getvalue()
    with open(os.path.join(os.path.dirname(__file__), "..", "docs", "language.md")) as fh:
        docs = fh.read()
    assert f"| `{letter}` | {kind.title} |" in docs


def _numeric_specs():
    for registry in (ELEMENT_KINDS, MODEL_TYPES):
        for name, kind in sorted(registry.items()):
            specs = list(getattr(kind, "keywords", ())) + list(getattr(kind, "params", ()))
            if getattr(kind, "value_spec", None) is not None:
                specs.append(kind.value_spec)
            for spec in specs:
                if spec.default is not REQUIRED and isinstance(spec.default, float):
                    yield f"{name}.{spec.name}", spec


@pytest.mark.parametrize("name,spec", list(_numeric_specs()),
                         ids=[n for n, _ in _numeric_specs()])
def test_default_is_valid_when_given(name, spec):
    """A documented default (0: "not given" for lloop, rn with ic=, ...) can be written on
    a card: the one check (ParamSpec.check) and its interval-free fallback accept it."""
    assert spec.check(spec.default) is None, name


def test_explicit_defaults_and_small_amplitudes_on_cards():
    """lloop=0 (the default, a negligible loop) gives the same heat as no lloop; a
    temperature source's ac= amplitude of 100 nK is accepted (an amplitude, not a
    temperature of the cryostat) and the response is linear in it."""
    card = ".model sq squid(ic=2e-07 flux=0.3 asym=0.5{})\nTB bath 0.1\nTA A 0.2\n" \
           "J1 n1 n2 sq\nR1 n1 n2 10 temp=A\nR2 n1 n2 10 temp=bath\n.print Q(A,bath)\n"
    q0 = thermnet.parse(card.format(" lloop=0")).run()[0].columns["Q(A,bath)"]
    q = thermnet.parse(card.format("")).run()[0].columns["Q(A,bath)"]
    assert q0 == q
    ac = "TB bath 0.1 ac={}\nG1 A bath 1n\nH1 A 1e-18\n.ac lin 1 1 1\n.print T(A)\n"
    small = thermnet.parse(ac.format("100n")).run()[-1].columns["T(A)"][0]
    big = thermnet.parse(ac.format("1m")).run()[-1].columns["T(A)"][0]
    assert small == pytest.approx(1e-7, rel=1e-9)          # |G/(G + i w C)| = 1 - 2e-16
    assert small / big == pytest.approx(1e-4, rel=1e-12)
