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
here, once per choice of grids, the static links with the same number nd of dissipative
elements are stacked into one array of w tau_ij (links, energies, nd, nd; shorter grids
padded with zero weights), and each evaluation is one Bose-factor pass and one ``einsum``
per stack and one ``np.bincount`` per output for the scatter into the nodes: the sums of
the per-link path, so the results agree with it to rounding (tests/test_static_links.py).
A link of resistors only has a transmission independent of energy and needs no grid: its
members are stacked apart, their tau_ij times the closed form of the energy integral
(:func:`photonic.bose_energy_moment`).
"""
from __future__ import annotations

from typing import Dict, Hashable, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.physics import photonic
from thermnet.physics.constants import h

# one link's spectrum on its grid: energies (J), weights (J), tau (n_energy, nd, nd); or,
# for a link of resistors, None for the energies and weights and its tau (1, nd, nd), the
# same at every energy
Spectrum = Tuple[Optional[np.ndarray], Optional[np.ndarray], np.ndarray]


class _Group:
    """The members with ``nd`` dissipative elements each, their spectra padded to one
    length (padding: weight 0 at the last energy, which adds exact zeros); or members whose
    tau does not depend on energy (no energies: ``energy`` None)."""

    def __init__(self, spectra: Sequence[Spectrum], nodes: Sequence[np.ndarray]):
        nd = len(nodes[0])
        self.nodes = np.array(nodes, dtype=int)                  # (members, nd)
        self.energy: Optional[np.ndarray] = None
        if spectra[0][0] is None:
            self.wt = np.stack([tau for _, _, tau in spectra])    # (members, 1, nd, nd)
            return
        nE = max(len(E) for E, _, _ in spectra if E is not None)
        self.energy = np.empty((len(spectra), nE))
        self.wt = np.zeros((len(spectra), nE, nd, nd))        # w tau_ij
        for m, (E, w, tau) in enumerate(spectra):
            assert E is not None and w is not None
            self.energy[m, :len(E)] = E
            self.energy[m, len(E):] = E[-1]
            self.wt[m, :len(E)] = w[:, None, None] * tau

    def integrals(self, T: np.ndarray, derivative: bool) -> np.ndarray:
        """sum_e w tau_ij E n(E_e, t_i) (members, nd, nd) at the node temperatures T, or
        with ``derivative`` the same with d(E n)/dt_i; tau_ij times the closed form
        (``photonic.bose_energy_moment``) where tau does not depend on energy."""
        t = T[self.nodes]
        if self.energy is None:
            kernel = photonic.bose_energy_moment(t, derivative)[:, None, :]
        elif derivative:
            kernel = photonic.bose_energy_derivative(self.energy[:, :, None], t[:, None, :])
        else:
            kernel = photonic.bose_energy(self.energy[:, :, None], t[:, None, :])
        return np.einsum("lkij,lki->lij", self.wt, kernel)


class StaticLinks:
    """The static links ``members`` (indices into the balance's links) on ``grids`` (one
    per member): ``spectra`` their energies, weights and transmissions on those grids,
    ``nodes`` the balance's node index of each of their dissipative elements; ``n_nodes``
    the balance's node count.  ``key``: (members, grids), what the balance compares to
    know the batch is current.  Links with the same number of dissipative elements are
    stacked into one array (a chain of islands: one stack of 2 x 2 links; a single large
    network: one link, summed as photonic.heat_matrix does)."""

    def __init__(self, members: Sequence[int], grids: Sequence[Hashable],
                 spectra: Sequence[Spectrum], nodes: Sequence[np.ndarray], n_nodes: int):
        self.members = tuple(members)
        self.grids = tuple(grids)
        self.key = (self.members, self.grids)
        self.n_nodes = n_nodes
        # stacks by the number of dissipative elements and whether tau has energies
        kinds = sorted({(len(li), spectra[m][0] is None) for m, li in enumerate(nodes)})
        self.groups: List[_Group] = []
        # member's link index -> (its grid, group, row in the group)
        self.position: Dict[int, Tuple[Hashable, int, int]] = {}
        for nd, flat in kinds:
            rows = [m for m, li in enumerate(nodes)
                    if len(li) == nd and (spectra[m][0] is None) == flat]
            self.groups.append(_Group([spectra[m] for m in rows], [nodes[m] for m in rows]))
            for r, m in enumerate(rows):
                self.position[self.members[m]] = (self.grids[m], len(self.groups) - 1, r)
        # every entry (member, i, j) of the stacked matrices, flat: the node of i and of j
        # and the flat position of (member, j, i)
        src, dst, mirror = [], [], []
        offset = 0
        for g in self.groups:
            L, nd = g.nodes.shape
            src.append(np.repeat(g.nodes, nd, axis=1).ravel())
            dst.append(np.tile(g.nodes, (1, nd)).ravel())
            mirror.append(offset + np.arange(L * nd * nd).reshape(L, nd, nd)
                          .transpose(0, 2, 1).ravel())
            offset += L * nd * nd
        self.src = np.concatenate(src) if src else np.empty(0, int)
        self.dst = np.concatenate(dst) if dst else np.empty(0, int)
        self.mirror = np.concatenate(mirror) if mirror else np.empty(0, int)
        self.same = self.src == self.dst      # both elements at one node (Q_ij = 0 always)
        self._last: Optional[Tuple[bytes, List[np.ndarray]]] = None

    def heats(self, T: np.ndarray) -> np.ndarray:
        """Q_ij (W) of every entry (flat) at the node temperatures T (photonic.heat_matrix:
        (qi - qi^T) / h, qi_ij = sum_e w tau_ij E n(E_e, t_i))."""
        parts = [g.integrals(T, False) for g in self.groups]
        Q = [(qi - qi.transpose(0, 2, 1)) / h for qi in parts]
        self._last = (T.tobytes(), Q)
        return np.concatenate([q.ravel() for q in Q])

    def link_heat(self, k: int, grid: Hashable, T: np.ndarray) -> Optional[np.ndarray]:
        """Q_ij (W) of link ``k`` (the balance's index) from the last evaluation if the link
        is a member, on ``grid``, and that evaluation was at T; else None."""
        at = self.position.get(k)
        if at is None or at[0] != grid or self._last is None or self._last[0] != T.tobytes():
            return None
        return self._last[1][at[1]][at[2]].copy()

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
        A = np.concatenate([g.integrals(T, True).ravel()
                            for g in self.groups]) / h
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
