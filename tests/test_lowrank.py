"""W = d_i^T Y^-1 d_j as a rank-m update of a network's fixed part (physics/lowrank.py):
against the dense inverse on random networks, the fallbacks (floating groups, a singular
fixed part, elements whose admittance varies with energy), and the heat balance built on it
(residuals as with the dense path, derivatives against central differences)."""
import os
import sys

import numpy as np
import pytest

import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.physics import lowrank, photonic
from thermnet.physics.constants import h

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import networks  # noqa: E402

N_ENERGY = 64


def _incidence(edges, n):
    """(n_elements, n) incidence rows, +1 at a, -1 at b; node n is the ground (dropped)."""
    inc = np.zeros((len(edges), n))
    for e, (a, b) in enumerate(edges):
        inc[e, a] = 1.0
        if b < n:
            inc[e, b] = -1.0
    return inc


def _random_network(rng, n, extra, m):
    """A connected network of n nodes + ground: a random spanning tree, ``extra`` random
    further elements; m of them (chosen at random) move with admittances g(E) + i b(E)
    varying over the energies (a film-like gap edge and kinetic inductance), the others
    are resistors; dissipative: all but two of the resistors."""
    edges = [(int(rng.integers(0, k)) if k else n, k) for k in range(n)]   # tree to ground
    edges = [(b, a) for a, b in edges]
    for _ in range(extra):
        a, b = rng.choice(n + 1, 2, replace=False)
        edges.append((int(min(a, b)), int(max(a, b))))
    inc = _incidence(edges, n)
    E = np.linspace(0.01, 3.0, N_ENERGY)
    n_el = len(edges)
    moving = np.sort(rng.choice(n_el, m, replace=False))
    y = np.empty((n_el, N_ENERGY), dtype=complex)
    y[:] = rng.uniform(0.02, 0.5, n_el)[:, None]                      # resistors, S
    for e in moving:
        edge = rng.uniform(0.5, 2.0)
        y[e] = rng.uniform(0.005, 0.05) * (np.clip(E - edge, 0, None) / E + 1e-4) \
            + 1.0 / (1j * E * rng.uniform(1.0, 30.0))
    fixed = np.setdiff1d(np.arange(n_el), moving)
    diss = np.sort(np.concatenate((moving, fixed[2:])))
    return inc, diss, moving, y


def _relative(W, ref):
    """Largest |W - ref| per energy relative to that energy's largest |ref|."""
    return float((np.abs(W - ref).max(axis=(1, 2)) / np.abs(ref).max(axis=(1, 2))).max())


@pytest.mark.parametrize("seed", range(6))
def test_rank_update_equals_dense_inverse_on_random_networks(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 30))
    inc, diss, moving, y = _random_network(rng, n, int(rng.integers(0, n)),
                                           int(rng.integers(1, n // 2 + 1)))
    if seed % 2:           # a fixed element of constant complex admittance: A is complex
        fixed = np.setdiff1d(np.arange(len(y)), moving)
        y[fixed[-1]] += 0.05j
    nt = lowrank.NetworkTransfer(inc, diss, (), moving)
    fast = nt.fixed_part(y)
    assert fast is not None                       # the update applies here
    assert np.isrealobj(fast.A) == (seed % 2 == 0)
    assert _relative(nt(y), photonic.transfer(y, inc, diss)) < 1e-12
    # the kept fixed part serves other admittances of the moving elements (other temps)
    y2 = y.copy()
    y2[moving] *= rng.uniform(0.3, 3.0, (len(moving), 1))
    assert _relative(nt(y2), photonic.transfer(y2, inc, diss)) < 1e-12


def test_element_at_its_reference_and_a_changed_resistor():
    """dy = 0 (an element exactly at its reference) adds nothing, without dividing by it;
    a changed fixed element (a rebind) builds the fixed part again."""
    rng = np.random.default_rng(11)
    inc, diss, moving, y = _random_network(rng, 12, 6, 4)
    y[moving[0]] = 0.07            # constant: its median |y| is its reference, dy = 0
    nt = lowrank.NetworkTransfer(inc, diss, (), moving)
    fast = nt.fixed_part(y)
    assert fast is not None and fast.reference[0] == 0.07
    assert _relative(nt(y), photonic.transfer(y, inc, diss)) < 1e-12
    fixed = np.setdiff1d(np.arange(len(y)), moving)[0]
    y[fixed] *= 2.0
    assert nt.fixed_part(y) is not fast
    assert _relative(nt(y), photonic.transfer(y, inc, diss)) < 1e-12
    # a moving element's admittance 10x larger than its reference: a new reference
    kept = nt.fixed_part(y)
    y[moving[1]] *= 10.0
    assert nt.fixed_part(y) is not kept
    assert _relative(nt(y), photonic.transfer(y, inc, diss)) < 1e-12


def test_floating_groups_take_the_gauged_dense_path():
    """Nodes 0-2 hang on the rest only through an element that may open (a junction): the
    dense path treats the nearly singular Y without cancellation; the update is not used."""
    rng = np.random.default_rng(5)
    n = 10
    edges = [(0, 1), (1, 2), (2, 0), (2, 3)] + [(k, k + 1) for k in range(3, n - 1)] \
        + [(n - 1, n), (5, n), (4, 8)]
    inc = _incidence(edges, n)
    openable = [e == 3 for e in range(len(edges))]
    floating = photonic.floating_components(inc, openable)
    assert floating == ((0, 1, 2),)
    y = np.empty((len(edges), N_ENERGY), dtype=complex)
    y[:] = rng.uniform(0.05, 0.5, len(edges))[:, None]
    y[3] = 1e-14j                                   # the junction nearly open
    moving = np.array([3, 6])
    y[6] = np.linspace(0.01, 0.3, N_ENERGY) + 0.1j
    diss = np.arange(len(edges))
    nt = lowrank.NetworkTransfer(inc, diss, floating, moving)
    assert nt.fixed_part(y) is None
    W = nt(y)
    assert np.array_equal(W, photonic.transfer(y, inc, diss, floating))
    assert np.all(np.isfinite(W))


def test_singular_fixed_part_falls_back_to_dense():
    """A ring whose resistors alone leave a node unconnected, and moving elements whose
    reference (median |y|) is zero: Y0 is singular, the dense path is taken (Y itself is
    regular: the three moving elements at that node never vanish all at one energy)."""
    n_el = 12
    edges = [(k, k + 1) for k in range(n_el - 1)] + [(n_el - 1, 0), (4, 8)]
    inc = _incidence(edges, n_el)[:, 1:]                # node 0 the ground: 11 nodes
    y = np.full((len(edges), N_ENERGY), 0.1, dtype=complex)
    k = np.arange(N_ENERGY) / N_ENERGY
    moving = np.array([3, 4, 12])                       # node 4 hangs on them only
    for e, zero in zip(moving, (k < 0.6, k >= 0.4, (k < 0.3) | (k >= 0.7))):
        y[e] = np.where(zero, 0.0, 0.2)                 # zero on more than half: median 0
    diss = np.arange(len(edges))
    nt = lowrank.NetworkTransfer(inc, diss, (), moving)
    assert nt.usable and nt.fixed_part(y) is None
    assert np.array_equal(nt(y), photonic.transfer(y, inc, diss))
    # and the fixed part alone (references zero) is refused as such
    assert lowrank.LowRankTransfer.build(inc, diss, moving, y[:, 0], np.zeros(3)) is None


def test_energy_dependent_fixed_elements_take_the_dense_path():
    rng = np.random.default_rng(2)
    inc, diss, moving, y = _random_network(rng, 10, 4, 3)
    fixed = np.setdiff1d(np.arange(len(y)), moving)[0]
    y[fixed] = y[fixed] + 1j * np.linspace(0.01, 1.0, N_ENERGY)     # a capacitor
    nt = lowrank.NetworkTransfer(inc, diss, (), moving)
    assert nt.fixed_part(y) is None
    assert np.array_equal(nt(y), photonic.transfer(y, inc, diss))


def test_worthwhile_only_for_few_moving_elements_of_a_large_network():
    assert lowrank.worthwhile(49, 20) and not lowrank.worthwhile(49, 30)
    assert not lowrank.worthwhile(4, 1) and not lowrank.worthwhile(20, 0)


def _ring_balance(n, films):
    net = thermnet.parse(networks.ring(n, films))
    c = net.circuit()
    return HeatBalance(c, c.flat.options)


def test_ring_with_films_balance_equals_dense_path():
    """Residuals and derivatives of a ring of 16 elements with 5 films: the update in use,
    the same numbers as the dense path to rounding."""
    fast, dense = _ring_balance(16, 5), _ring_balance(16, 5)
    dense._transfers[0].usable = False
    Tf = 0.08 + 0.25 * np.random.default_rng(4).random(len(fast.free))
    out = []
    for bal in (fast, dense):
        bal.choose_grids(bal.full(Tf))
        out.append(bal.residual_jacobian(Tf))
    E, _, y, _, _ = fast._network(0, fast.full(Tf)[fast.link_idx[0]], fast.grids[0])
    assert fast._transfers[0].fixed_part(y) is not None
    assert fast.grids == dense.grids
    (F, S, dF, dS), (Fd, Sd, dFd, dSd) = out
    assert np.max(np.abs(F - Fd) / S) < 1e-12
    assert np.max(np.abs(dF - dFd) / (S[:, None] / Tf[None, :])) < 1e-11


def test_ring_with_films_derivatives_against_central_differences():
    """The derivative pass (photonic.heat_and_derivatives on W from the update) against
    central differences of the residual, per unit ln T relative to the flows S (the films
    below 0.8 Tc: nearer Tc their dY/dT, itself a central difference, is good to a few
    1e-6 on either path; tests/test_jacobian.py)."""
    bal = _ring_balance(12, 4)
    Tf = 0.06 + 0.25 * np.random.default_rng(9).random(len(bal.free))
    bal.choose_grids(bal.full(Tf))
    F, S, dF, _ = bal.residual_jacobian(Tf)
    assert bal._transfers[0].usable
    J = np.empty_like(dF)
    for j in range(len(Tf)):
        step = 1e-6 * Tf[j]
        hi, lo = Tf.copy(), Tf.copy()
        hi[j] += step
        lo[j] -= step
        J[:, j] = (bal.residual(hi)[0] - bal.residual(lo)[0]) / (2 * step)
    assert np.max(np.abs(dF - J) / (S[:, None] / Tf[None, :])) < 1e-6


@pytest.mark.parametrize("fast", [True, False])
def test_blocks_are_bitwise_the_whole_transfer(fast):
    """W block by block over the energies (the grid checks' emission): bitwise the same as
    W of all energies at once, on the rank-m path and on the dense one."""
    rng = np.random.default_rng(5)
    inc, diss, moving, y = _random_network(rng, 12, 5, 3)
    nt = lowrank.NetworkTransfer(inc, diss, (), moving)
    nt.usable = fast
    assert (nt.fixed_part(y) is not None) == fast
    whole = nt(y)
    got = list(nt.blocks(y, 7))
    assert [s.start for s, _ in got] == list(range(0, N_ENERGY, 7))
    for s, W in got:
        assert np.array_equal(W, whole[s])


def test_grid_check_emission_in_blocks_equals_the_whole_grid(monkeypatch):
    """The emission of a grid check computed in blocks of panels (HeatBalance._emission,
    EMISSION_BLOCK) equals that of the whole grid at once, bitwise."""
    from thermnet.model import balance as balance_module
    bal = _ring_balance(16, 5)
    T = bal.full(0.08 + 0.25 * np.random.default_rng(4).random(len(bal.free)))
    bal.choose_grids(T)
    grid = bal.grids[0]
    bal._network(0, T[bal.link_idx[0]], grid)         # W and tau of the whole grid, kept
    centres, values = bal._emission(0, T, grid)       # ... and used as one block
    bal._network_memo.clear()
    monkeypatch.setattr(balance_module, "EMISSION_BLOCK", 16 * 16 * 16 * grid.order * 3)
    c2, v2 = bal._emission(0, T, grid)                # 3 panels a block
    assert len(values) > 6 and not bal._network_memo
    assert np.array_equal(centres, c2) and np.array_equal(values, v2)


def test_derivative_pairs_equal_the_full_sum():
    """dQ of the ring of 16 with 5 films: the sum over the pairs i < j (photonic._dtau_pairs,
    W symmetric) equals the sum over all i, j (photonic._dtau_full) to rounding."""
    bal = _ring_balance(16, 5)
    T = bal.full(0.08 + 0.25 * np.random.default_rng(4).random(len(bal.free)))
    bal.choose_grids(T)
    temps = T[bal.link_idx[0]]
    E, w, y, W, tau = bal._network(0, temps, bal.grids[0])
    link = bal.links[0]
    moving = np.array([m for m, e in enumerate(link.dissipative_elements)
                       if e.temperature_dependent])
    dy = np.zeros((len(temps), len(E)), dtype=complex)
    for m in moving:
        dy[m] = link.dissipative_elements[m].admittance_derivative(E, temps[m])
    assert len(temps) >= photonic.PAIRS_FROM and len(moving) == 5
    re = y[link.dissipative].real.T
    wen = (w / h)[:, None] * photonic.bose_energy(E[:, None], temps[None, :])
    pairs, full = np.zeros((len(temps),) * 3), np.zeros((len(temps),) * 3)
    photonic._dtau_pairs(pairs, W, re, wen, dy, moving)
    photonic._dtau_full(full, W, re, wen, dy, moving)
    assert np.abs(full).max() > 0
    assert np.abs(pairs - full).max() < 1e-12 * np.abs(full).max()
