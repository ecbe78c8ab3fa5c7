"""Heat balance: net heat into every thermal node as a function of the temperatures.

The solver sees only this: ``residual(T_free)`` (W, per free node) and a scale per node
(the sum of the magnitudes of the heat flows there) to judge convergence.  It knows nothing
of element kinds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import AbstractSet, Dict, List, Optional, Tuple

import numpy as np

from thermnet.elements.base import DT_REL, HeatCapacity, ThermalElement
from thermnet.errors import PhotonGridError
from thermnet.model.circuit import Circuit
from thermnet.model.static_links import StaticLinks
from thermnet.model.static_links import abs_derivative as _abs_derivative
from thermnet.physics import lowrank, photonic, resonances
from thermnet.physics.constants import h, kB


@dataclass
class Grid:
    """Photon-energy quadrature of one link: geometric panels x Gauss-Legendre order, plus
    extra panel edges (J) around the link's resonances and from adaptive splitting, and the
    |ln T| move within which the resonances stay on their panels (inf: none move)."""

    n_panels: int
    order: int
    edges: Tuple[float, ...] = ()
    radius: float = field(default=np.inf, compare=False)
    # the |ln T| move within which its error stays below the tolerance it was checked to,
    # from the margin of its error estimate (HeatBalance._margin_radius)
    margin: float = field(default=0.0, compare=False)
    # the temperature whose U_MAX kB t_top is the top of the range, fixed when the grid is
    # chosen (so a grid is a fixed set of energies: the transmission of a network whose
    # admittances do not depend on temperature is computed once per grid); 0: the link's
    # current highest temperature
    t_top: float = 0.0


RESONANCE_RECHECK = 0.1    # |ln T| move after which a link without resonances is searched
TOP_MARGIN = 1.1           # top of a grid's energy range: U_MAX kB (1.1 x the highest T)
NETWORK_MEMO = 2            # spectra kept per link (HeatBalance._network)
RANGE_KEEP = 2.0           # a check keeps the grid's range while its top is <= 2 x the highest T
STATIC_BATCH_FROM = 2       # static links evaluated together from this many (one alone is
                            # as fast on its own path, and restacking it after every
                            # .param rebind made an 81-point .param sweep 10 % slower)
MARGIN_RADIUS_MAX = 0.1     # |ln T| move that triggers a new photon-grid check, at most,
                            # however far below the tolerance the error was
KINK_MOVE = 0.05            # ... or a move of an admittance's kink (2 Delta) by this much
KINK_RADIUS_MIN = 1e-6      # (|ln T|: within 1e-6 of Tc a grid is checked at every move)
SLOPE_MOVE = 0.05           # ... or of a biased nonlinear element's dI/dV by this much
KINK_BISECTIONS = 4         # ... located to 2^(1/16) (4 %) by bisection in ln(radius)
EMISSION_BLOCK = 4 << 20    # bytes of W per block of a grid check's emission (_emission)


class HeatBalance:
    def __init__(self, circuit: Circuit, options: Dict[str, float]):
        self.circuit = circuit
        self.options = options
        self.nodes: List[str] = list(circuit.flat.thermal_nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.free = np.array([self.index[n] for n in circuit.free_nodes], dtype=int)
        self.fixed = np.array([self.index[n] for n in circuit.sources], dtype=int)
        # source values live here (set_value), not on the elaborated netlist's elements
        self.source_keys = [s.name.lower() for s in circuit.sources.values()]
        self.heater_keys = [p.name.lower() for p in circuit.heaters]
        self.heater_idx = np.array([self.index[p.nodes[0]] for p in circuit.heaters], dtype=int)
        self._take_source_values()
        self.thermal = [(e, [self.index[n] for n in e.terminals + e.extra_nodes])
                        for e in circuit.thermal_elements]
        # _flows' form of them: (element, its nodes, its two terminals, the nodes as an
        # array if they are distinct (its derivative row scattered at once), else None)
        self._thermal_at = [(e, tuple(idx), idx[0], idx[1],
                             np.array(idx) if len(set(idx)) == len(idx) else None)
                            for e, idx in self.thermal]
        # biased electrical networks: the thermal nodes their heats depend on and go to
        self.bias_idx: List[np.ndarray] = [
            np.array([self.index[n] for n in b.thermal_nodes], dtype=int)
            for b in circuit.bias]
        self.capacity_idx = [(e, self.index[e.nodes[0]]) for e in circuit.capacities]
        # a network shorted to one node by voltage sources carries no photons, nor does one
        # whose dissipative elements all sit at one thermal node (n(T_i) = n(T_j): Q_ij = 0
        # at every temperature; e.g. a SINIS cooler's two junctions on one island)
        self.links = [lk for lk in circuit.links
                      if len(lk.dissipative) >= 2 and lk.incidence.shape[1] > 0
                      and len(set(lk.temp_nodes)) >= 2]
        self.link_idx = [np.array([self.index[n] for n in lk.temp_nodes]) for lk in self.links]
        self.link_nodes = [_node_map(li) for li in self.link_idx]
        # the nonlinear DC elements of biased networks in each link: (bias network, index
        # among its nonlinear elements) by element index; their photonic admittance is
        # their differential conductance dI/dV at the operating point, which moves with
        # every temperature of their network (link_dep: the nodes the link's heat depends on)
        where = {id(j): (b, i) for b, net in enumerate(circuit.bias)
                 for i, j in enumerate(net.nonlinear)}
        self.link_bias: List[Dict[int, Tuple[int, int]]] = [
            {i: where[id(e)] for i, e in enumerate(lk.elements) if id(e) in where}
            for lk in self.links]
        self.link_dep = [np.unique(np.concatenate(
            [li] + [self.bias_idx[b] for b, _ in lb.values()]))
            for li, lb in zip(self.link_idx, self.link_bias)]
        self._slope_memo: Optional[tuple] = None
        # the balance's kinks (kink_idx, kink_T), made when first asked for; the elements
        # that have kinks, which a .param may move (a Tc): rebind forgets them then
        self._kink_cache: Optional[Tuple[np.ndarray, np.ndarray]] = None
        self._kinked = frozenset(k for k, e in circuit.flat.elements.items() if e.kinks())
        self.static = [not any(e.temperature_dependent for e in lk.elements) and not lb
                       for lk, lb in zip(self.links, self.link_bias)]
        # static links of resistors only: tau the same at every photon energy, the heat a
        # closed form (photonic.bose_energy_moment) on no photon grid (_flat_heat)
        self.resistive = [st and all(e.frequency_independent for e in lk.elements)
                          for st, lk in zip(self.static, self.links)]
        self._gridded = [k for k, r in enumerate(self.resistive) if not r]
        self._flat_tau: Dict[int, np.ndarray] = {}      # their tau_ij, per binding
        # each link's dissipative elements whose admittance depends on their temperature
        self._link_moving = [np.array([m for m, e in enumerate(lk.dissipative_elements)
                                       if e.temperature_dependent], dtype=int)
                             for lk in self.links]
        self._network_memo: Dict[int, Tuple[tuple, ...]] = {}
        # W of each link: a rank-m update of its fixed part where only m of its elements
        # move with the temperatures or the bias (physics/lowrank.py: a ring of resistors
        # with Ti films), else dense; the fixed part is kept per link
        self._transfers = [lowrank.NetworkTransfer(
            lk.incidence, lk.dissipative, lk.floating,
            np.array([i for i, e in enumerate(lk.elements)
                      if e.temperature_dependent or i in lb], dtype=int))
            for lk, lb in zip(self.links, self.link_bias)]
        self._static_links: Optional[StaticLinks] = None   # the static links, batched
        # ... possible at all (their number is fixed by the structure)
        self._static_batch = sum(self.static) >= STATIC_BATCH_FROM
        # per link, fixed by its structure: (element index, element, position of its
        # temperature in the link's temperatures or -1) for _admittances
        self._link_elements = [
            [(i, e, pos.get(i, -1)) for i, e in enumerate(lk.elements)]
            for lk, pos in ((lk, {int(d): p for p, d in enumerate(lk.dissipative)})
                            for lk in self.links)]
        self.grids: List[Grid] = [Grid(8, 8) for _ in self.links]
        self._checked_at: Optional[np.ndarray] = None   # temperatures where the grids were verified
        self._checked_rtol = 0.0                         # ... to this photon_rtol
        # ... and each link's biased nonlinear elements' dI/dV there (link_slopes; None: none)
        self._checked_slopes: List[Optional[Dict[int, float]]] = []
        self.evaluations = 0
        self._link_memo: Dict[int, tuple] = {}
        self._version = 0              # counts changes of values (flows' derivative memo)
        self._derivative_memo: Optional[tuple] = None
        self._residual_memo: Optional[tuple] = None
        # the .param values the elements are bound to (solve.analysis.Context keeps it)
        self.bound: Optional[tuple] = None
        # link -> (temps, bias slopes) of its last resonance search that found none
        self._no_resonance_at: Dict[int, Tuple[np.ndarray, Optional[Dict[int, float]]]] = {}
        # the states of the last .op ramp (solve/folds.RampPath), which the next ramp on the
        # same ray of loads continues; cleared by rebind
        self.ramp_path: Optional[object] = None
        for e in circuit.flat.elements.values():
            e.configure(options)
        self._configured = dict(options)     # the options the elements were configured for
        # elements whose new values move no photonic link or bias network (rebind)
        self._light = frozenset(k for k, e in circuit.flat.elements.items()
                                if isinstance(e, (ThermalElement, HeatCapacity)))

    # ---- temperatures -------------------------------------------------------------------
    @property
    def kink_idx(self) -> np.ndarray:
        """The thermal nodes at which a kink of the heat balance sits (``_kinks_at_nodes``),
        one entry per kink."""
        return self._kinks()[0]

    @property
    def kink_T(self) -> np.ndarray:
        """The kinks' temperatures (K), aligned with ``kink_idx``."""
        return self._kinks()[1]

    def _kinks(self) -> Tuple[np.ndarray, np.ndarray]:
        if self._kink_cache is None:
            self._kink_cache = _kinks_at_nodes(self)
        return self._kink_cache

    def crosses_kink(self, Ta: np.ndarray, Tb: np.ndarray) -> bool:
        """Whether a thermal node of an element with a kink temperature (Element.kinks: a
        superconductor's Tc) lies on different sides of it in the states Ta and Tb (every
        node's temperatures): the heat balance is not smooth between them, and a branch of
        steady states may turn there by a corner (solve/continuation.py)."""
        idx, kink_T = self._kinks()
        return bool(np.any((Ta[idx] - kink_T) * (Tb[idx] - kink_T) <= 0))

    def full(self, T_free: np.ndarray, source_T: Optional[np.ndarray] = None) -> np.ndarray:
        T = np.empty(len(self.nodes))
        T[self.fixed] = self.source_T if source_T is None else source_T
        T[self.free] = T_free
        return T

    # ---- photonic links ---------------------------------------------------------------------
    def _quadrature(self, k: int, temps: np.ndarray, grid: Grid):
        """Photon energies (J) and weights of link k's grid at its elements' temperatures."""
        link = self.links[k]
        t_top = grid.t_top or float(temps.max())
        bps = [b for e, t in zip(link.dissipative_elements, temps) for b in e.breakpoints(t)]
        top = photonic.U_MAX * kB * t_top
        for e in link.distributed:
            bps.extend(e.panel_edges(top).tolist())
        return photonic.energy_grid(t_top, grid.n_panels, grid.order, bps, grid.edges)

    def _network(self, k: int, temps: np.ndarray, grid: Grid,
                 slopes: Optional[Dict[int, float]] = None):
        """Energies, weights, admittances of every element, W = d_i^T Z d_j and the
        transmission tau of link k on ``grid`` at ``temps`` (``slopes``: the biased elements'
        dI/dV, ``link_slopes``).  The last result of each link is kept: per grid for a link
        whose admittances do not depend on temperature (resistors, capacitors, inductors:
        then only the Bose factors move), else per grid and temperatures (a derivative pass
        mostly comes at the state whose residual was just evaluated).  The last NETWORK_MEMO
        (2) results of a small network are kept: a grid check's pass at order 2p comes
        between the pass on the grid it keeps and the solver's next residual there."""
        key = self._network_key(k, temps, grid, slopes)
        found = self._kept_network(k, key)
        if found is not None:
            return found
        link = self.links[k]
        E, w = self._quadrature(k, temps, grid)
        y = self._admittances(k, E, temps, slopes)
        W = self._transfers[k](y)
        out = E, w, y, W, photonic.transmission_from(y[link.dissipative], W)
        # the one before only for a small network: a large one's grid checks run in blocks
        # (_emission) and keep nothing, and a second W of it only costs memory
        before = self._network_memo.get(k, ())[:NETWORK_MEMO - 1] \
            if W.nbytes <= EMISSION_BLOCK else ()
        self._network_memo[k] = ((key, out),) + before
        return out

    def _kept_network(self, k: int, key):
        """Link k's kept ``_network`` result for ``key`` (``_network_key``), or None."""
        for memo_key, memo_out in self._network_memo.get(k, ()):
            if memo_key == key:
                return memo_out
        return None

    def _network_key(self, k: int, temps: np.ndarray, grid: Grid,
                     slopes: Optional[Dict[int, float]] = None):
        """What ``_network``'s result of link k depends on: its grid, and for a link with
        temperature-dependent or biased elements its temperatures and slopes."""
        if self.static[k] and grid.t_top > 0:
            return grid
        return grid, temps.tobytes(), _slope_key(slopes)

    def _link_spectrum(self, k: int, T: np.ndarray, grid: Grid, scale: float = 1.0):
        temps = T[self.link_idx[k]]
        E, w, _, _, tau = self._network(k, temps, grid, self.link_slopes(k, T, scale))
        return E, w, tau, temps

    def _admittances(self, k: int, E: np.ndarray, temps: np.ndarray,
                     slopes: Optional[Dict[int, float]] = None) -> np.ndarray:
        """Admittances (S) of every element of link k at photon energies E, (n_el, nE);
        the elements in ``slopes`` (element index -> dI/dV, S) at their DC operating point
        (``bias_admittance``)."""
        parts = self._link_elements[k]
        y = np.empty((len(parts), len(E)), dtype=complex)
        for i, e, pos in parts:
            t = temps[pos] if pos >= 0 else 0.0
            if slopes and i in slopes:
                y[i] = e.bias_admittance(E, t, slopes[i])
            else:
                y[i] = e.admittance(E, t)
        return y

    def link_slopes(self, k: int, T: np.ndarray, scale: float = 1.0
                    ) -> Optional[Dict[int, float]]:
        """dI/dV (S) of link k's nonlinear DC elements at the operating point of their
        biased networks at temperatures T (every node) with the sources at ``scale`` times
        their values, by element index; None for a link without them.  The photonic
        admittance of a biased NIS junction or TES is this differential conductance (the
        v2 contract): the bias network is solved first, then the photonic pass uses it."""
        bound = self.link_bias[k]
        if not bound:
            return None
        key = (T.tobytes(), float(scale), self._version)
        if self._slope_memo is None or self._slope_memo[0] != key:
            slopes = [b.slopes(T[bi], scale) if b.nonlinear else None
                      for b, bi in zip(self.circuit.bias, self.bias_idx)]
            self._slope_memo = (key, slopes)
        got = self._slope_memo[1]
        return {i: float(got[b][j]) for i, (b, j) in bound.items()}

    def biased_link_derivatives(self, k: int, T: np.ndarray, scale: float = 1.0):
        """Q_ij (W) of a link with biased nonlinear elements and dQ_ij/dT_m (W/K) for the
        thermal nodes m = ``link_dep[k]`` its heat depends on (its elements' temperatures
        and every temperature of their bias networks, through dI/dV), by central
        differences of relative step DT_REL (1e-5) on the link's grid, the operating point
        solved again at each (as the nonlinear bias heats' derivatives, model/bias.py)."""
        Q = self.link_heat(k, T, scale)
        dep = self.link_dep[k]
        dQ = np.empty(Q.shape + (len(dep),))
        for c, m in enumerate(dep):
            step = DT_REL * T[m]
            hi, lo = T.copy(), T.copy()
            hi[m] += step
            lo[m] -= step
            dQ[:, :, c] = (photonic.heat_matrix(*self._link_spectrum(k, hi, self.grids[k],
                                                                     scale))
                           - photonic.heat_matrix(*self._link_spectrum(k, lo, self.grids[k],
                                                                       scale))) / (2 * step)
        return Q, dQ, dep

    def link_heat_derivatives(self, k: int, T: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Q_ij (W) of link k and dQ_ij/dt_m (W/K), t_m the temperature of its dissipative
        element m, from one spectral pass (:func:`photonic.heat_and_derivatives`); a link
        without biased nonlinear elements (else ``biased_link_derivatives``)."""
        assert not self.link_bias[k]
        if self.resistive[k]:
            return self._flat_heat(k, T, True)
        temps = T[self.link_idx[k]]
        key = (temps.tobytes(), self.grids[k], None)
        memo = self._link_memo.get(k)
        if memo is not None and memo[0] == key and memo[2] is not None:
            return memo[1], memo[2]
        link = self.links[k]
        E, w, y, W, tau = self._network(k, temps, self.grids[k])
        moving = self._link_moving[k]
        dy = np.zeros((len(temps), len(E)), dtype=complex)
        for m in moving.tolist():
            dy[m] = link.dissipative_elements[m].admittance_derivative(E, temps[m])
        Q, dQ = photonic.heat_and_derivatives(E, w, tau, y[link.dissipative], dy, W, temps,
                                              moving)
        self._link_memo[k] = (key, Q, dQ)
        return Q, dQ

    def link_noise(self, k: int, T: np.ndarray) -> np.ndarray:
        """S_ij (W^2/Hz): the spectral density of the photonic heat current between the
        dissipative elements of link k on its current grid (``photonic.heat_noise``); a link
        of resistors, whose heat needs no grid, on one checked here at T (``_link_grid``)."""
        grid = self._link_grid(k, T, self.options.get("photon_rtol", 1e-8), True) \
            if self.resistive[k] else self.grids[k]
        E, w, tau, temps = self._link_spectrum(k, T, grid)
        return photonic.heat_noise(E, w, tau, temps)

    def _flat_transmission(self, k: int) -> np.ndarray:
        """tau_ij (nd, nd) of link k, a link of resistors only: at one photon energy (any:
        their admittances are the same at all), kept until a rebind."""
        tau = self._flat_tau.get(k)
        if tau is None:
            link = self.links[k]
            y = self._admittances(k, np.array([kB]), np.zeros(len(link.dissipative)))
            tau = photonic.transmission(y, link.incidence, link.dissipative, link.floating)[0]
            self._flat_tau[k] = tau
        return tau

    def _flat_heat(self, k: int, T: np.ndarray, derivatives: bool = False):
        """Q_ij (W) of link k, a link of resistors only (``resistive``), and with
        ``derivatives`` also dQ_ij/dt_m (W/K) as ``link_heat_derivatives``: its tau does not
        depend on energy, so its heat is the closed form ``photonic.flat_heat``, exact where
        a grid's quadrature is exact to photon_rtol."""
        return photonic.flat_heat(self._flat_transmission(k), T[self.link_idx[k]],
                                  derivatives)

    def link_heat(self, k: int, T: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """Q_ij (W) between the dissipative elements of link k (the bias sources at
        ``scale`` times their values, for a link with biased nonlinear elements).

        The last result of each link is kept: the energy-balance check and the printed
        quantities ask again at the temperatures where the solver stopped, and a Jacobian
        column of a node outside the link leaves the link's temperatures unchanged.
        """
        temps = T[self.link_idx[k]]
        if not self.link_bias[k] and len(set(temps.tolist())) == 1:
            # detailed balance: at one temperature every Bose factor is the same, and each
            # Q_ij = int E tau_ij (n(E, T_i) - n(E, T_j)) dE / h vanishes (Dey et al. Eq. 3;
            # tau_ij = tau_ji, reciprocity): no spectrum (a cold start's uniform guesses)
            return np.zeros((len(temps), len(temps)))
        if self.resistive[k]:
            return self._flat_heat(k, T)
        slopes = self.link_slopes(k, T, scale)
        key = (temps.tobytes(), self.grids[k], _slope_key(slopes))
        memo = self._link_memo.get(k)
        if memo is not None and memo[0] == key:
            return memo[1]
        batch = self._static_links     # its last evaluation, if at T on link k's grid
        Q = None if batch is None else batch.link_heat(k, self.grids[k], T)
        if Q is not None:
            return Q
        E, w, tau, temps = self._link_spectrum(k, T, self.grids[k], scale)
        Q = photonic.heat_matrix(E, w, tau, temps)
        self._link_memo[k] = (key, Q, None)
        return Q

    def _range_for(self, k: int, T: np.ndarray, keep: bool) -> Tuple[float, int]:
        """(t_top, geometric panels) of link k's grid checked at T.

        With ``keep`` (a check along a solve: not the first after a new value or a reset,
        so that a rebound balance chooses as a new one, and not for a number of nodes fixed
        by photon_nodes, which the tightest range uses best), the current grid's range is
        kept while it still covers the link's temperatures:
        the top above the highest (the neglected tail e^(-U_MAX t_top / T) < 2e-21) but not
        above RANGE_KEEP times it, and the smallest panel below kB T / 2 of the coldest
        (``photonic.panels_for``).  A grid whose recipe is unchanged does not move the
        residual, so a converged state needs no re-polish after the check, and the check's
        order-p pass is the spectrum the solver just evaluated (``_network``'s memo); the
        error control (order p against 2p) runs either way.  Otherwise a new range: the
        highest temperature with a margin of TOP_MARGIN (10 %), within which the neglected
        tail stays below 1e-14 while a Newton solve moves that temperature up to 1.5 t_top
        (the grid is checked again at the solution)."""
        temps = T[self.link_idx[k]]
        hottest, coldest = float(temps.max()), float(temps.min())
        old = self.grids[k]
        if keep and old.t_top > 0 and hottest <= old.t_top <= RANGE_KEEP * hottest and \
                photonic.panels_for(coldest, old.t_top) <= old.n_panels:
            return old.t_top, old.n_panels
        t_top = hottest * TOP_MARGIN
        return t_top, photonic.panels_for(coldest, t_top)

    def _emission_on(self, k: int, T: np.ndarray, n_panels: int, t_top: float, order: int,
                     extra):
        """Emission of link k on the grid of ``n_panels`` panels up to U_MAX kB t_top, order
        ``order`` and the extra panel edges ``extra`` (``photonic.refine`` varies the last
        two)."""
        return self._emission(k, T, Grid(n_panels, order, extra, t_top=t_top))

    def _emission(self, k: int, T: np.ndarray, grid: Grid):
        """Panel centres (J) and the emitted power matrix int E tau_ij n(E, T_i) dE / h (W)
        over each panel of ``grid``, (n_panels, nd, nd)."""
        temps = T[self.link_idx[k]]
        slopes = self.link_slopes(k, T)
        link = self.links[k]
        nd = len(link.dissipative)
        found = self._kept_network(k, self._network_key(k, temps, grid, slopes))
        panels = grid.n_panels + len(grid.edges) + len(link.dissipative_elements)
        if found is None and panels * grid.order * 16 * nd * nd <= EMISSION_BLOCK:
            # W small enough for one block (about: the kinks' panels counted one per
            # element): the spectrum itself, kept for the solver (the grid a check keeps is
            # the one its next residual is evaluated on)
            found = self._network(k, temps, grid, slopes)
        if found is not None:
            E, w, _, _, tau = found
            blocks = iter([(slice(None), tau)])
        else:
            # block by block over whole panels, without W and tau of the whole grid (the 2p
            # grid of a large network: 65 MB of W, fresh pages at every check); the same
            # values, each energy's W computed on its own (NetworkTransfer.blocks)
            E, w = self._quadrature(k, temps, grid)
            y = self._admittances(k, E, temps, slopes)
            size = grid.order * max(1, EMISSION_BLOCK // (16 * nd * nd * grid.order))
            blocks = ((s, photonic.transmission_from(y[link.dissipative, s], W))
                      for s, W in self._transfers[k].blocks(y, size))
        en = photonic.bose_energy(E[:, None], temps[None, :])
        parts = [photonic.panel_sums(E[s], w[s, None, None] * tau * en[s, :, None] / h,
                                     grid.order) for s, tau in blocks]
        return (np.concatenate([c for c, _ in parts]),
                np.concatenate([v for _, v in parts]))

    def choose_grids(self, T: np.ndarray, radius: Optional[float] = None,
                     looseness: float = 1.0) -> bool:
        """Pick each link's grid for accuracy photon_rtol at temperatures T.

        The link's narrow resonances get their own panels (``resonances.resonance_edges``),
        then ``photonic.refine`` doubles the Gauss-Legendre order and splits panels until the
        per-panel differences between orders p and 2p of the emitted power matrix
        int E tau_ij n(E, T_i) dE / h sum to less than photon_rtol of its largest entry; a
        grid that cannot (node limit, rounding floor, or photon_nodes fixing the grid) raises
        PhotonGridError naming the link.  Returns True if any link's grid changed (finer or
        coarser: either moves the residual, so a converged state must be re-polished).
        Skipped when every temperature is within ``radius`` in ln T (0 forces the check;
        default: the grids' own radii from the margins of their error estimates,
        ``_margin_radius``, at most 10 %; the .op ramp's loose points pass their own), and
        within the radius over which a link's resonances stay on their panels and its
        kinks move little (``_kink_radius``), of where the grids were last verified, with
        every bias slope within SLOPE_MOVE of its value there (``_slopes_near``).
        ``looseness``: grids to photon_rtol times this (the .op ramp's points, needed only
        to its own loose tolerance); a grid checked that loosely is checked again when full
        accuracy is asked for.
        """
        rtol = self.options.get("photon_rtol", 1e-8) * looseness
        grids = [self.grids[k] for k in self._gridded]
        if radius is None:
            radius = min([MARGIN_RADIUS_MAX] + [g.margin for g in grids])
        radius = min([radius] + [max(g.radius, KINK_RADIUS_MIN) for g in grids])
        if self._checked_at is not None and self._checked_rtol <= rtol and np.all(
                np.abs(np.log(T / self._checked_at)) < radius) and self._slopes_near(T):
            return False
        first = self._checked_at is None
        changed = False
        for k in self._gridded:          # a link of resistors needs no grid (_flat_heat)
            grid = self._link_grid(k, T, rtol, first)
            changed = changed or grid != self.grids[k]
            self.grids[k] = grid
        self._checked_at = T.copy()
        self._checked_rtol = rtol
        self._checked_slopes = [self.link_slopes(k, T) for k in range(len(self.links))]
        return changed

    def _link_grid(self, k: int, T: np.ndarray, rtol: float, first: bool) -> Grid:
        """Link k's grid for accuracy ``rtol`` at temperatures T (``choose_grids``); ``first``:
        chosen as for a new balance (from order 6 and a new range), else from the link's
        current grid.  Raises PhotonGridError where ``rtol`` cannot be met."""
        link = self.links[k]
        temps = T[self.link_idx[k]]
        fixed_nodes = int(self.options.get("photon_nodes", 0))
        # the Bose factors of the link's own elements set the smallest energy scale
        t_top, n_panels = self._range_for(k, T, keep=not first and fixed_nodes <= 0)
        smallest, top = photonic.grid_range(t_top, n_panels)
        edges, moves = self._resonance_edges(k, temps, top, smallest, self.link_slopes(k, T))
        if fixed_nodes > 0:
            order = max(2, -(-fixed_nodes // (n_panels + len(edges))))
        else:
            # from the link's current order: never coarsen within a balance, so that a
            # sweep does not toggle between two orders (each change re-polishes a state)
            order = 6 if first else max(6, self.grids[k].order)
        got = photonic.refine(
            partial(self._emission_on, k, T, n_panels, t_top),
            order, edges.tolist(), rtol, photonic.MAX_NODES, adapt=fixed_nodes <= 0)
        if got.failure:
            at = ", ".join(f"T({self.circuit.display(n)}) = {t:.6g} K"
                           for n, t in dict(zip(link.temp_nodes, temps)).items())
            raise PhotonGridError(
                f"photon-energy grid of the network {link.names} (at {at}): photon_rtol = "
                f"{rtol:g} not met, estimated relative error {got.error:.2g} with "
                f"{got.nodes} nodes: {got.failure}; loosen photon_rtol"
                + (" or change photon_nodes (0: automatic)" if fixed_nodes > 0 else ""))
        return Grid(n_panels, got.order, got.edges, min(moves, self._kink_radius(k, T)),
                    _margin_radius(got.error, rtol, got.order), t_top=t_top)

    def grid_state(self):
        """The photon grids and where they were verified, for ``restore_grids``: an
        evaluation away from the state (a D() stencil point) that checks a grid of its own
        puts the state's back after."""
        return list(self.grids), self._checked_at, self._checked_rtol, self._checked_slopes

    def restore_grids(self, state) -> None:
        """Put back the grids of ``grid_state``."""
        grids, self._checked_at, self._checked_rtol, self._checked_slopes = state
        self.grids[:] = grids

    def _slopes_near(self, T: np.ndarray) -> bool:
        """Whether every biased nonlinear element of the links has its dI/dV at T
        (``link_slopes``) within SLOPE_MOVE (5 %) of its value where the grids were checked.
        The check radii follow the Bose factors and the films' kinks, not a bias network's
        operating point: a TES's dI/dV moves about alpha times faster than its temperature
        and with it the pole of its bias circuit (its L/R; in tes_bolometer.net a grid
        checked at the .nodeset guess, 1.8 % in T from the solution, met photon_rtol there
        and missed it 16x at the solution, where dI/dV had moved 44 %)."""
        return all(_slopes_close(self.link_slopes(k, T), checked)
                   for k, checked in enumerate(self._checked_slopes) if checked)

    def verified_at(self, T: np.ndarray) -> bool:
        """Whether the photon grids were last verified (``choose_grids``) at exactly T to
        the full photon_rtol."""
        return self._checked_at is not None and np.array_equal(T, self._checked_at) and \
            self._checked_rtol <= self.options.get("photon_rtol", 1e-8)

    def grid_room(self, T: np.ndarray) -> float:
        """The |ln T| move from T (every node) within which the photon grids stay verified:
        their radius (``Grid.radius``, ``Grid.margin``) less the distance of T from where
        they were checked (``choose_grids``); <= 0 if T lies outside it, inf without links."""
        if not self._gridded:
            return np.inf
        if self._checked_at is None:
            return 0.0
        radius = min(min(self.grids[k].radius, self.grids[k].margin) for k in self._gridded)
        return radius - float(np.max(np.abs(np.log(T / self._checked_at))))

    def _kink_radius(self, k: int, T: np.ndarray) -> float:
        """The |ln T| move of link k's element temperatures over which each kink of their
        admittances (``breakpoints``: 2 Delta(T) of a superconductor) moves by less than
        KINK_MOVE (5 %) of its energy and none appears or vanishes (Tc): the grids' margin
        radius assumes the integrand changes on the scale of T, but near Tc
        Delta ~ sqrt(Tc - T) moves much faster (a transistor's gate 0.13 % below Tc: a grid
        checked 2 % away put its temperatures 3e-7 and its D() 4e-3 off; within this radius
        5e-9 and 9e-5, against grids checked at every state).  Halved from 1 until it
        holds (the caller's radius, the margins' or the .op ramp's, caps it), then
        bisected in ln(radius) KINK_BISECTIONS times between where it holds and where it
        failed (a power of 2 alone falls short of the radius by up to 2x, and each
        shortfall is a grid check along a sweep); 0 where it does not hold even at
        KINK_RADIUS_MIN (a kink that appears or vanishes within it: a temperature within
        ~1e-6 of Tc), which ``choose_grids`` reads as KINK_RADIUS_MIN and ``grid_room`` as
        no room."""
        radius = 1.0
        for e, t in zip(self.links[k].dissipative_elements, T[self.link_idx[k]]):
            here = e.breakpoints(t)

            def holds(r: float) -> bool:
                return all(_kinks_near(here, e.breakpoints(t * np.exp(sign * r)))
                           for sign in (-1.0, 1.0))

            failed = 0.0           # where it last failed (0: it held at once)
            while not holds(radius):
                if radius <= KINK_RADIUS_MIN:
                    return 0.0
                failed, radius = radius, 0.5 * radius
            for _ in range(KINK_BISECTIONS if failed > 0 else 0):
                mid = float(np.sqrt(radius * failed))
                if holds(mid):
                    radius = mid
                else:
                    failed = mid
        return radius

    def _resonance_edges(self, k: int, temps: np.ndarray, top: float, smallest: float,
                         slopes: Optional[Dict[int, float]] = None):
        """Panel edges around link k's narrow resonances (resonances.resonance_edges).  A
        link that had none where it was last searched is not searched again until one of its
        temperatures moves by RESONANCE_RECHECK (10 %), or a biased element's dI/dV by
        SLOPE_MOVE (a TES's resistance sets its bias circuit's L/R pole and moves ~alpha
        times faster than its temperature): a pole far from narrow does not become narrow
        over that range, and the error-controlled refinement (order p vs 2p per panel)
        still checks the grid at every check."""
        memo = self._no_resonance_at.get(k)
        if memo is not None and np.all(np.abs(np.log(temps / memo[0])) < RESONANCE_RECHECK) \
                and _slopes_close(slopes, memo[1]):
            return np.empty(0), np.inf
        if self.links[k].distributed:
            # a line's resonances, infinitely many, lie on the panels of its own spacing
            # (panel_edges); the per-panel error control checks the rest
            return np.empty(0), np.inf
        edges, moves = resonances.resonance_edges(
            partial(self._admittances, k, slopes=slopes), self.links[k].pole_incidence,
            temps, 0.0, top,
            smallest, top)
        if len(edges):
            self._no_resonance_at.pop(k, None)
        else:
            self._no_resonance_at[k] = (temps.copy(), slopes)
        return edges, moves

    def _static_key(self):
        """The static links on chosen grids (their transmission is fixed: ``_network``'s
        memo) and those grids."""
        members = tuple(k for k, s in enumerate(self.static)
                        if s and (self.resistive[k] or self.grids[k].t_top > 0))
        return members, tuple(None if self.resistive[k] else self.grids[k] for k in members)

    def static_links(self, T: np.ndarray) -> Optional[StaticLinks]:
        """The static links evaluated together (model/static_links.py), rebuilt when a
        grid changes; None with fewer than STATIC_BATCH_FROM of them."""
        members, grids = self._static_key()
        if len(members) < STATIC_BATCH_FROM:
            self._static_links = None
            return None
        if self._static_links is None or self._static_links.key != (members, grids):
            spectra: List[Tuple[Optional[np.ndarray], Optional[np.ndarray], np.ndarray]] = []
            for k in members:
                if self.resistive[k]:
                    # one tau for all energies, summed in closed form (static_links.py)
                    spectra.append((None, None, self._flat_transmission(k)[None]))
                    continue
                E, w, _, _, tau = self._network(k, T[self.link_idx[k]], self.grids[k])
                spectra.append((E, w, tau))
            self._static_links = StaticLinks(members, grids, spectra,
                                             [self.link_idx[k] for k in members],
                                             len(self.nodes))
        return self._static_links

    # ---- the balance ---------------------------------------------------------------------
    def flows(self, T: np.ndarray, heater_scale: float = 1.0, derivatives: bool = False):
        """Net heat into every node (W) and the sum of |flows| at every node (W), the
        heaters and the bias sources at ``heater_scale`` times their values; with
        ``derivatives``, also their derivatives with respect to every node's temperature
        (W/K, (n_nodes, n_nodes) arrays, fixed nodes included): each thermal element's
        dq/dT and each link's dQ_ij/dt_m from the same spectral pass as Q.

        The last evaluation with derivatives and the last without are kept (copies are
        returned): at a solved state D(), the fold check of a sweep and the small-signal
        analyses all ask for the same derivatives, and the energy-balance check and the
        printed quantities for the net heats where the solver stopped.  Any change of a
        value (set_value, rebind) or of a photon grid makes them stale."""
        key = (T.tobytes(), float(heater_scale), self._version, tuple(self.grids))
        if not derivatives:
            for memo in (self._residual_memo, self._derivative_memo):
                if memo is not None and memo[0] == key:
                    return memo[1][0].copy(), memo[1][1].copy()
            net, mag = self._flows(T, heater_scale, False)
            self._residual_memo = (key, (net, mag))
            return net.copy(), mag.copy()
        if self._derivative_memo is None or self._derivative_memo[0] != key:
            self._derivative_memo = (key, self._flows(T, heater_scale, True))
        return tuple(a.copy() for a in self._derivative_memo[1])

    def _flows(self, T: np.ndarray, heater_scale: float, derivatives: bool):
        self.evaluations += 1
        n = len(self.nodes)
        dnet = np.zeros((n, n) if derivatives else (0, 0))
        dmag = np.zeros((n, n) if derivatives else (0, 0))
        # the heaters (bincount adds each node's in order from 0, as np.add.at into zeros;
        # without weights to add it would count in integers)
        net: np.ndarray
        mag: np.ndarray
        if len(self.heater_idx):
            power = heater_scale * self.heater_power
            net = np.bincount(self.heater_idx, power, n)
            mag = np.bincount(self.heater_idx, np.abs(power), n)
        else:
            net, mag = np.zeros(n), np.zeros(n)
        for e, idx, ia, ib, cols in self._thermal_at:
            temps = [T[i] for i in idx]
            q = e.heat(*temps)
            net[ia] -= q
            net[ib] += q
            mag[ia] += abs(q)
            mag[ib] += abs(q)
            if derivatives:
                dq = e.heat_derivatives(*temps)
                dmq = _abs_derivative(q, dq)                  # d|q|/dT
                if cols is not None:
                    dnet[ia, cols] -= dq
                    dnet[ib, cols] += dq
                    dmag[ia, cols] += dmq
                    dmag[ib, cols] += dmq
                    continue
                for col, d, dm in zip(idx, dq, dmq):
                    dnet[ia, col] -= d
                    dnet[ib, col] += d
                    dmag[ia, col] += dm
                    dmag[ib, col] += dm
        for b, bi in zip(self.circuit.bias, self.bias_idx):
            # heat of the DC operating point (Joule, junctions) into its thermal nodes
            p, dp = b.heats(T[bi], derivatives, heater_scale)
            np.add.at(net, bi, p)
            np.add.at(mag, bi, np.abs(p))
            if derivatives:
                assert dp is not None
                np.add.at(dnet, (bi[:, None], bi[None, :]), dp)
                np.add.at(dmag, (bi[:, None], bi[None, :]), _abs_derivative(p[:, None], dp))
        batch = self.static_links(T) if self._static_batch else None
        if batch is not None:
            batch.add_flows(T, net, mag, dnet if derivatives else None,
                            dmag if derivatives else None)
        for k in range(len(self.links)):
            if batch is not None and k in batch.position:
                continue
            li = self.link_idx[k]
            if derivatives and self.link_bias[k]:
                Q, dQ, dep = self.biased_link_derivatives(k, T, heater_scale)
                np.add.at(dnet, (li[:, None], dep[None, :]), -dQ.sum(axis=1))
                np.add.at(dmag, (li[:, None], dep[None, :]),
                          _abs_derivative(Q[:, :, None], dQ).sum(axis=1))
            elif derivatives:
                Q, dQ = self.link_heat_derivatives(k, T)
                # per node of the link (several of its elements may share one), then |Q|'s
                to_node, rows, cols = self.link_nodes[k]
                dQn = dQ @ to_node                                     # (nd, nd, n_nodes)
                np.add.at(dnet, (rows, cols), -dQn.sum(axis=1))
                np.add.at(dmag, (rows, cols), _abs_derivative(Q[:, :, None], dQn).sum(axis=1))
            else:
                Q = self.link_heat(k, T, heater_scale)
            np.subtract.at(net, li, Q.sum(axis=1))
            np.add.at(mag, li, np.abs(Q).sum(axis=1))
        if derivatives:
            return net, mag, dnet, dmag
        return net, mag

    def capacity(self, T: np.ndarray, derivative: bool = False) -> np.ndarray:
        """Heat capacity of every node (J/K; 0 where no H element sits), or with
        ``derivative`` dC/dT (J/K^2), at the temperatures T of every node."""
        out = np.zeros(len(self.nodes))
        for e, i in self.capacity_idx:
            out[i] += e.capacity_derivative(T[i]) if derivative else e.capacity(T[i])
        return out

    def missing_capacity(self) -> List[str]:
        """Free nodes without a heat capacity (display names)."""
        have = {i for _, i in self.capacity_idx}
        return [self.circuit.display(self.nodes[i]) for i in self.free if i not in have]

    def load_derivative(self, T: np.ndarray, heater_scale: float) -> np.ndarray:
        """d(net heat into every node)/d heater_scale at fixed temperatures (W): the
        heaters' powers and the bias networks' heats, whose sources ramp with the heaters
        (``flows``' heater_scale scales both)."""
        out = np.zeros(len(self.nodes))
        np.add.at(out, self.heater_idx, self.heater_power)
        for b, bi in zip(self.circuit.bias, self.bias_idx):
            np.add.at(out, bi, b.load_derivative(T[bi], heater_scale))
        return out

    def residual(self, T_free: np.ndarray, heater_scale: float = 1.0,
                 source_T: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
        net, mag = self.flows(self.full(T_free, source_T), heater_scale)
        return net[self.free], mag[self.free]

    def residual_jacobian(self, T_free: np.ndarray, heater_scale: float = 1.0,
                          source_T: Optional[np.ndarray] = None):
        """Net heat F and flow magnitudes S of the free nodes with dF/dT and dS/dT over the
        free nodes (W/K)."""
        net, mag, dnet, dmag = self.flows(self.full(T_free, source_T), heater_scale, True)
        f = self.free
        return net[f], mag[f], dnet[np.ix_(f, f)], dmag[np.ix_(f, f)]

    def energy_balance(self, T: np.ndarray) -> Tuple[float, float]:
        """Energy-balance residual at T: (total heater power + total power supplied by the
        temperature sources + the Joule heat of the biased networks, total of their
        magnitudes), W.  Zero at an exact steady state: what heaters and bias sources put
        in, the baths take out."""
        net, _ = self.flows(T)
        powers = list(self.heater_power) + list(-net[self.fixed]) + [
            float(b.heats(T[bi])[0].sum()) for b, bi in zip(self.circuit.bias,
                                                           self.bias_idx)]
        return float(sum(powers)), float(sum(abs(p) for p in powers))

    # The solver's unknowns are ln T: exp(log(T)) comes back within a few units in the last
    # place of T (numpy 1.x: often one ulp off; numpy's exp and log are each within 4 ulp).
    ROUNDOFF_ULPS = 4

    def relative_imbalance(self, T: np.ndarray) -> float:
        """The energy-balance residual at a solved state T (``energy_balance``) relative to
        the power that flows, or where hardly any does (no heater) to the solver's absolute
        floor, abstol per node.  A residual above 1e-9 of that has the heat that round-off
        of the free temperatures moves (``ROUNDOFF_ULPS`` units in the last place times
        |d(sum F)/dT|, one Jacobian) taken off: a free node in equilibrium with a bath at
        T = 0.3 K sits at 0.30000000000000004 K after exp(log(T)) on numpy 1.x, which is exact
        to round-off and must not read as a 1e-4 imbalance."""
        resid, scale = self.energy_balance(T)
        norm = max(scale, self.options["abstol"] * len(self.nodes))
        if abs(resid) > 1e-9 * norm and len(self.free):
            _, _, dnet, _ = self.flows(T, derivatives=True)
            f = self.free
            sensitivity = np.abs(dnet[np.ix_(f, f)].sum(axis=0))      # |d(sum F)/dT_j|
            roundoff = float(sensitivity @ (self.ROUNDOFF_ULPS * np.finfo(float).eps * T[f]))
            resid -= float(np.clip(resid, -roundoff, roundoff))
        return resid / norm

    def rebind(self, changed: Optional[AbstractSet[str]] = None) -> None:
        """Take the elements' values again after FlatCircuit.rebind: the netlist's source
        values, the options' settings; the photon grids are checked afresh at the next
        solve (admittances may have changed).

        ``changed``: the keys of the elements whose values may have changed since the
        balance was last bound (FlatCircuit.rebind's answer; None: any).  Only what they
        make stale is dropped: nothing if none; if they are temperature sources, heaters,
        thermal elements or heat capacities (no photonic link, no bias network holds one),
        the new source values and the flows' memos, while the links' memos, photon grids
        and static batch stay."""
        self.options = self.circuit.flat.options
        if self.options != self._configured:
            for e in self.circuit.flat.elements.values():
                e.configure(self.options)
            self._configured = dict(self.options)
            changed = None
        if changed is None:
            self._kink_cache = None
            self._take_source_values()
        else:
            elements = self.circuit.flat.elements
            light = True          # no element of a photonic link or bias network moved
            for k in changed:
                if k in self._kinked:
                    self._kink_cache = None
                if k in self.netlist_values:      # a source's new value, as set_value
                    self.netlist_values[k] = v = _value(elements[k])
                    self.set_value(k, v)
                elif light and k not in self._light:
                    light = False
            if light:
                if any(k not in self.netlist_values for k in changed):
                    self._version += 1            # a thermal element moved
                    self.ramp_path = None
                return
        self._link_memo = {}
        self._version += 1
        self._network_memo = {}
        self._flat_tau = {}
        self._static_links = None
        self._no_resonance_at = {}
        self._checked_at = None
        self.ramp_path = None

    def reset_grids(self) -> None:
        """Forget the photon grids: the next check chooses them as for a new balance (from
        order 6 up, HeatBalance.choose_grids), not from the finest order used so far (the
        .op ramp from the bath state, which would otherwise run on the grids of the hot
        end of the last run)."""
        self.grids = [Grid(8, 8) for _ in self.links]
        self._checked_at = None
        self._no_resonance_at.clear()

    def _take_source_values(self) -> None:
        """The netlist's own values of the temperature sources and heaters (netlist_values)
        and the arrays the balance uses (source_T, heater_power) set to them."""
        elements = self.circuit.flat.elements
        self.netlist_values: Dict[str, float] = {
            k: _value(elements[k]) for k in self.source_keys + self.heater_keys}
        self.source_T = np.array([self.netlist_values[k] for k in self.source_keys])
        self.heater_power = np.array([self.netlist_values[k] for k in self.heater_keys],
                                     dtype=float)

    def set_value(self, key: str, value: float) -> None:
        """Change the value of a temperature source or heater (no re-elaboration)."""
        values, i = (self.heater_power, self.heater_keys.index(key)) \
            if key in self.heater_keys else (self.source_T, self.source_keys.index(key))
        if values[i] != float(value):
            values[i] = float(value)
            self._version += 1

    def value(self, key: str) -> float:
        """The current value of a temperature source (K) or heater (W)."""
        if key in self.heater_keys:
            return float(self.heater_power[self.heater_keys.index(key)])
        return float(self.source_T[self.source_keys.index(key)])


def _value(element) -> float:
    """The value of a source or heater (always given on its card)."""
    assert element.value is not None
    return float(element.value)


def _margin_radius(error: float, rtol: float, order: int) -> float:
    """The |ln T| move within which a grid whose estimated error is ``error`` stays below
    ``rtol``: the error of an order-p Gauss-Legendre panel falls as rho^(-2p), rho the sum
    of the semi-axes (in half-widths of the panel) of the largest ellipse about it free of
    the integrand's singularities (L. N. Trefethen, SIAM Review 50, 67 (2008), Thm. 4.5), and
    the singularities that move with the temperatures, the Bose factors' poles at
    E = 2 pi i n kB T, move in proportion to T: a move d in ln T changes the error by a factor of
    about e^(2 p |d|).  At most MARGIN_RADIUS_MAX (10 %: kinks and resonances have their own
    radii), at least KINK_RADIUS_MIN: a grid that barely meets its tolerance is checked
    again at the next move, and raised to a finer grid as soon as it no longer meets it.
    (A floor of 2 % let an order-12 grid of the Dey Fig. 3 link checked at 0.9 photon_rtol
    reach 1.1 photon_rtol at a later point of the sweep.)"""
    if not error > 0:
        return MARGIN_RADIUS_MAX
    return float(np.clip(np.log(rtol / error) / (2 * order), KINK_RADIUS_MIN,
                         MARGIN_RADIUS_MAX))


def _slopes_close(now: Optional[Dict[int, float]], then: Optional[Dict[int, float]]) -> bool:
    """Each biased element's dI/dV ``now`` within SLOPE_MOVE of its value ``then`` (dicts by
    element index, HeatBalance.link_slopes; None: a link without such elements)."""
    if not then:
        return True
    assert now is not None
    return all(abs(now[i] - s0) <= SLOPE_MOVE * abs(s0) for i, s0 in then.items())


def _kinks_near(a: tuple, b: tuple) -> bool:
    """The same kinks, each moved by less than KINK_MOVE of its energy."""
    return len(a) == len(b) and all(abs(y - x) <= KINK_MOVE * abs(x) for x, y in zip(a, b))


def _kinks_at_nodes(bal: "HeatBalance") -> Tuple[np.ndarray, np.ndarray]:
    """(node indices, kink temperatures K) of every element's kinks (Element.kinks) at each
    thermal node its heat depends on: thermal elements' terminals and extra nodes, the
    dissipative elements of photonic links, the nonlinear elements of biased networks."""
    pairs = [(i, tc) for e, idx in bal.thermal for tc in e.kinks() for i in idx]
    pairs += [(int(i), tc) for lk, li in zip(bal.links, bal.link_idx)
              for e, i in zip(lk.dissipative_elements, li) for tc in e.kinks()]
    pairs += [(bal.index[n], tc) for net in bal.circuit.bias for e in net.nonlinear
              for tc in e.kinks() for n in e.heat_nodes]
    return (np.array([i for i, _ in pairs], dtype=int),
            np.array([tc for _, tc in pairs], dtype=float))


def _slope_key(slopes: Optional[Dict[int, float]]):
    """A hashable form of ``link_slopes``' result (part of a link heat's memo key)."""
    return None if slopes is None else tuple(sorted(slopes.items()))


def _node_map(li: np.ndarray):
    """For a link whose dissipative elements sit at nodes ``li``: the (n_elements, n_nodes)
    matrix summing element columns into the link's distinct nodes, and the row and column
    indices (element's node, link node) where they go in a node-by-node Jacobian."""
    nodes, of = np.unique(li, return_inverse=True)
    to_node = np.zeros((len(li), len(nodes)))
    to_node[np.arange(len(li)), of] = 1.0
    return to_node, li[:, None], nodes[None, :]
