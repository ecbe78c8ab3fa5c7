"""The photonic links whose transmission does not depend on temperature, evaluated together.

A link of resistors, capacitors and inductors only (``HeatBalance.static``) has a fixed
transmission tau_ij(E) on its photon-energy grid once the grid is chosen: between two grid
choices only the Bose factors of its elements move.  Its heat and derivatives are those of
:func:`photonic.heat_matrix` and :func:`photonic.heat_and_derivatives` (no temperature-
dependent element: only the Bose-factor terms),

    Q_ij = (1/h) sum_e w_e tau_ij(E_e) [E n(E_e, t_i) - E n(E_e, t_j)]
    dQ_ij/dt_i = (1/h) sum_e w_e tau_ij(E_e) E n'(E_e, t_i)
    dQ_ij/dt_j = -(1/h) sum_e w_e tau_ji(E_e) E n'(E_e, t_j)

(Dey et al. 2023 Eq. 3, Pascal et al. 2011; n' = dn/dT), with t_i the temperature of
dissipative element i.  A large network of such links (a chain of islands, each pair joined
by its own loop of resistors) would cost one Python call chain per link per evaluation;
here every static link's energies and w tau_ij (per ordered pair of its dissipative
elements, i != j: the diagonal of tau is zero) are laid out once per choice of grids in flat
arrays with segment starts, and each evaluation is one Bose-factor pass over all of them,
one segmented sum (``np.add.reduceat``) for all the integrals and one ``np.bincount`` per
output for the scatter into the nodes: the same sums in a different order, so the results
agree with the per-link path to rounding (tests/test_static_links.py).
"""
from __future__ import annotations

from typing import Hashable, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.physics import photonic
from thermnet.physics.constants import h

# one link's spectrum on its grid: energies (J), weights (J), tau (n_energy, nd, nd)
Spectrum = Tuple[np.ndarray, np.ndarray, np.ndarray]


class StaticLinks:
    """The static links ``members`` (indices into the balance's links) on ``grids`` (one
    per member): ``spectra`` their energies, weights and transmissions on those grids,
    ``nodes`` the balance's node index of each of their dissipative elements; ``n_nodes``
    the balance's node count.  ``key``: (members, grids), what the balance compares to
    know the batch is current."""

    def __init__(self, members: Sequence[int], grids: Sequence[Hashable],
                 spectra: Sequence[Spectrum], nodes: Sequence[np.ndarray], n_nodes: int):
        self.members = tuple(members)
        self.grids = tuple(grids)
        self.key = (self.members, self.grids)
        self.position = {k: i for i, k in enumerate(self.members)}
        self.n_nodes = n_nodes
        energy: List[np.ndarray] = []         # per column (link, element): its energies
        column_node: List[np.ndarray] = []
        wt: List[np.ndarray] = []             # per pair (link, i, j): w tau_ij over energies
        gather: List[np.ndarray] = []         # per pair: the column entries of element i
        lengths: List[int] = []
        src: List[int] = []                   # per pair: node of i, of j, index of (j, i)
        dst: List[int] = []
        mirror: List[int] = []
        self.pair_slices: List[Tuple[slice, np.ndarray, np.ndarray, int]] = []
        columns = pairs = 0
        for (E, w, tau), li in zip(spectra, nodes):
            nd, nE = len(li), len(E)
            energy.extend([E] * nd)
            column_node.extend(np.full(nE, node) for node in li)
            ii, jj = np.nonzero(~np.eye(nd, dtype=bool))           # ordered pairs, i != j
            index = -np.ones((nd, nd), dtype=int)
            index[ii, jj] = pairs + np.arange(len(ii))
            for i, j in zip(ii, jj):
                wt.append(w * tau[:, i, j])
                gather.append(columns + i * nE + np.arange(nE))
                lengths.append(nE)
                src.append(int(li[i]))
                dst.append(int(li[j]))
                mirror.append(int(index[j, i]))
            self.pair_slices.append((slice(pairs, pairs + len(ii)), ii, jj, nd))
            columns += nd * nE
            pairs += len(ii)
        self.energy = np.concatenate(energy) if energy else np.empty(0)
        self.column_node = np.concatenate(column_node) if column_node else np.empty(0, int)
        self.wt = np.concatenate(wt) if wt else np.empty(0)
        self.gather = np.concatenate(gather) if gather else np.empty(0, int)
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(int)
        self.src = np.array(src, dtype=int)
        self.dst = np.array(dst, dtype=int)
        self.mirror = np.array(mirror, dtype=int)
        self.same = self.src == self.dst      # both elements at one node (Q_ij = 0 always)
        self._last: Optional[Tuple[bytes, np.ndarray]] = None

    def _integrals(self, values: np.ndarray) -> np.ndarray:
        """sum_e w tau_ij values_i(E_e) for every pair, from a per-column array."""
        return np.add.reduceat(self.wt * values[self.gather], self.starts)

    def heats(self, T: np.ndarray) -> np.ndarray:
        """Q_ij (W) of every pair at the node temperatures T (photonic.heat_matrix)."""
        t = T[self.column_node]
        qi = self._integrals(photonic.bose_energy(self.energy, t))
        Q = (qi - qi[self.mirror]) / h
        self._last = (T.tobytes(), Q)
        return Q

    def link_heat(self, k: int, grid: Hashable, T: np.ndarray) -> Optional[np.ndarray]:
        """Q_ij (W) of link ``k`` (the balance's index) from the last evaluation if the link
        is a member, on ``grid``, and that evaluation was at T; else None."""
        at = self.position.get(k)
        if at is None or self.grids[at] != grid or self._last is None \
                or self._last[0] != T.tobytes():
            return None
        part, ii, jj, nd = self.pair_slices[at]
        Q = np.zeros((nd, nd))
        Q[ii, jj] = self._last[1][part]
        return Q

    def add_flows(self, T: np.ndarray, net: np.ndarray, mag: np.ndarray,
                  dnet: Optional[np.ndarray] = None, dmag: Optional[np.ndarray] = None
                  ) -> None:
        """Add the members' heats into ``net`` (net heat into each node, W) and ``mag``
        (sum of |flows|, W) as HeatBalance._flows does per link, and with ``dnet``,
        ``dmag`` their derivatives by node temperature (W/K, (n_nodes, n_nodes))."""
        if not len(self.src):
            return
        n = self.n_nodes
        Q = self.heats(T)
        net -= np.bincount(self.src, Q, n)
        mag += np.bincount(self.src, np.abs(Q), n)
        if dnet is None or dmag is None:
            return
        t = T[self.column_node]
        A = self._integrals(photonic.bose_energy_derivative(self.energy, t)) / h
        # dQ_ij by the temperature of i's node (A_ij) and of j's node (-A_ji); both at one
        # node: their sum, before |Q|'s derivative (photonic.heat_and_derivatives' dQ summed
        # into nodes as HeatBalance._flows does)
        back = A[self.mirror]
        own = np.where(self.same, A - back, A)
        other = np.where(self.same, 0.0, -back)
        rows = np.concatenate((self.src, self.src))
        cols = np.concatenate((self.src, self.dst))
        d = np.concatenate((own, other))
        q = np.concatenate((Q, Q))
        flat = rows * n + cols
        dnet -= np.bincount(flat, d, n * n).reshape(n, n)
        dmag += np.bincount(flat, abs_derivative(q, d), n * n).reshape(n, n)


def abs_derivative(q, dq):
    """d|q|/dT from q and dq/dT: sign(q) dq, and |dq| where q = 0 (the derivative for a
    rising temperature, as a forward difference takes it: at equal temperatures, where
    every flow vanishes, the flows' magnitudes then grow with the first Newton step)."""
    return np.where(q != 0, np.sign(q) * dq, np.abs(dq))
