"""Values of ``.print`` quantities at a solved state: T, P, Q, TAU, KAPPA, KRATIO, GE, GRATIO.

(``D(quantity, NAME)`` needs re-solving and lives in ``solve/analysis.py``.)
"""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np

from thermnet.elements.base import Heater, ImpedanceElement, TemperatureSource, ThermalElement
from thermnet.errors import NetlistError, PhotonGridError
from thermnet.model.balance import HeatBalance
from thermnet.netlist.elaborate import Quantity
from thermnet.physics import photonic, resonances
from thermnet.physics.constants import h
from thermnet.quantities import QUANTITIES


class Probe:
    """Evaluates quantities at temperatures T (all thermal nodes), caching link heats."""

    def __init__(self, bal: HeatBalance, T: np.ndarray):
        self.bal = bal
        self.T = T
        self._links: Optional[list] = None
        self._net: Optional[np.ndarray] = None
        self._op: Optional[list] = None

    def links(self):
        if self._links is None:
            self._links = [self.bal.link_heat(k, self.T) for k in range(len(self.bal.links))]
        return self._links

    def value(self, q: Quantity) -> float:
        if QUANTITIES[q.func].element_method:
            return self.element_quantity(q, *q.args)
        return getattr(self, "q_" + q.func.lower())(q, *q.args)

    def q_t(self, q, node):
        return float(self.T[self.bal.index[node]])

    def q_p(self, q, key):
        e = self.bal.circuit.flat.elements[key]
        if isinstance(e, Heater):
            return self.bal.value(key)
        if isinstance(e, TemperatureSource):
            if self._net is None:
                self._net, _ = self.bal.flows(self.T)
            return float(-self._net[self.bal.index[e.nodes[0]]])
        if isinstance(e, ThermalElement):
            return float(e.heat(*self._element_T(e)))
        if isinstance(e, ImpedanceElement) and e.dissipative:
            total = 0.0          # over the element's branches (one, or a line's three)
            for k, link in enumerate(self.bal.links):
                for i, el in enumerate(link.dissipative_elements):
                    if el is e or getattr(el, "parent", None) is e:
                        total += float(self.links()[k][i].sum())
            return total
        raise NetlistError(f"P({e.name}): a {e.title} carries no heat", q.span,
                           "P(ELEMENT) of a heater, temperature source, thermal element or "
                           "dissipative impedance element")

    def _element_T(self, e):
        """Temperatures an element's physics depends on: its terminals' (and extra nodes')
        for a thermal element, its ``temp=`` node's for an impedance element."""
        nodes = (e.temp_node,) if isinstance(e, ImpedanceElement) else \
            e.terminals + e.extra_nodes
        return [self.T[self.bal.index[n]] for n in nodes]

    def operating_points(self):
        """The DC operating point of every biased network at T (model/bias.py)."""
        if self._op is None:
            self._op = [b.operating_point(self.T[idx])
                        for b, idx in zip(self.bal.circuit.bias, self.bal.bias_idx)]
        return self._op

    def q_i(self, q, key):
        e = self.bal.circuit.flat.elements[key]
        if not any(s.kind == "electrical" for s in e.nodes_spec):
            raise NetlistError(f"I({e.name}): a {e.title} carries no electric current",
                               q.span, "I(ELEMENT) of an electrical element")
        if getattr(e, "distributed", False):
            raise NetlistError(f"I({e.name}): a line has a current at each port; print the "
                               "current of the element at the port", q.span,
                               "I(ELEMENT) of a two-terminal element or a source")
        for op in self.operating_points():
            if key in op.currents:
                return op.currents[key]
        return 0.0          # an element of an unbiased network (or a capacitor at DC)

    def q_v(self, q, a, b=None):
        def volts(node):
            for op in self.operating_points():
                if node in op.voltages:
                    return op.voltages[node]
            return 0.0      # a node of an unbiased network
        return volts(a) - (volts(b) if b is not None else 0.0)

    def q_qn(self, q, key):
        for op in self.operating_points():
            if key in op.cooling:
                return op.cooling[key]
        e = self.bal.circuit.flat.elements[key]
        if getattr(e, "dc", "") == "nonlinear":
            return 0.0      # a junction of an unbiased network
        raise NetlistError(f"QN({e.name}): a {e.title} has no cooling power", q.span,
                           "QN(ELEMENT) of an NIS junction (N)")

    def q_pj(self, q, key):
        for op in self.operating_points():
            if key in op.joule:
                return op.joule[key]
        e = self.bal.circuit.flat.elements[key]
        if isinstance(e, ImpedanceElement) and any(b.dc in ("conductance", "nonlinear")
                                                   for b in e.branches()):
            return 0.0      # a conductor of an unbiased network
        raise NetlistError(f"PJ({e.name}): a {e.title} dissipates no Joule heat", q.span,
                           "PJ(ELEMENT) of a resistor")

    def q_q(self, q, a, b):
        total = 0.0
        for k, pair in self._heat_pairs(a, b):
            total += float(self.links()[k][pair].sum())
        return total

    def q_slope(self, a, b, dT: np.ndarray) -> float:
        """d Q(A,B) along the temperature change dT (K per unit of a source, every node):
        sum over the pairs of sum_m dQ_ij/dt_m dt_m from each link's spectral pass at T
        (``HeatBalance.link_heat_derivatives``, ``biased_link_derivatives``): D(Q(A,B),
        SOURCE) with no difference quotient, one-sided at a Tc as the kernels' derivatives
        (below Tc the left slope, from Tc on the normal state's)."""
        bal, total = self.bal, 0.0
        for k, pair in self._heat_pairs(a, b):
            if bal.link_bias[k]:
                _, dQ, dep = bal.biased_link_derivatives(k, self.T)
                moves = dT[dep]
            else:
                _, dQ = bal.link_heat_derivatives(k, self.T)
                moves = dT[bal.link_idx[k]]
            total += float((dQ[pair] @ moves).sum())
        return total

    def _heat_pairs(self, a, b):
        """(link index, np.ix_ of its element pairs from node a to node b) of every link
        that has elements at both."""
        for k, link in enumerate(self.bal.links):
            ia = [i for i, n in enumerate(link.temp_nodes) if n == a]
            ib = [j for j, n in enumerate(link.temp_nodes) if n == b]
            if ia and ib:
                yield k, np.ix_(ia, ib)

    def q_tau(self, q, a, b):
        opts = self.bal.options
        total, found = 0.0, False
        for k, link in enumerate(self.bal.links):
            ia = [i for i, n in enumerate(link.temp_nodes) if n == a]
            ib = [j for j, n in enumerate(link.temp_nodes) if n == b]
            if not (ia and ib):
                continue
            found = True
            e_min, e_max = h * opts["taufmin"], h * opts["taufmax"]
            if e_max <= 0:
                gaps = [g for g in (e.superconducting_gap0() for e in link.elements) if g]
                if not gaps:
                    raise NetlistError(
                        f"{q.column}: the link has no superconductor to set the averaging "
                        "window 0..2*Delta0", q.span,
                        ".options taufmax=VALUE (Hz) [taufmin=VALUE] for the window")
                e_max = 2 * max(gaps)
            total += float(self._tau_window(q, k, e_min, e_max)[np.ix_(ia, ib)].sum())
        if not found:
            return 0.0
        return total

    def _tau_window(self, q, k: int, e_min: float, e_max: float) -> np.ndarray:
        """Window average (1/(e_max - e_min)) int tau_ij dE of link k, (nd, nd), to photon_rtol.

        8 equal panels split at the elements' kinks and around the network's narrow
        resonances (at large impedance ratios a real pole makes a narrow peak near zero
        energy), refined by ``photonic.refine`` (Gauss-Legendre p vs 2p per panel)."""
        link, bal = self.bal.links[k], self.bal
        temps = self.T[bal.link_idx[k]]
        slopes = bal.link_slopes(k, self.T)          # biased elements at their dI/dV
        rtol = bal.options.get("photon_rtol", 1e-8)
        bps = [b for e, t in zip(link.dissipative_elements, temps)
               for b in e.breakpoints(t) if e_min < b < e_max]
        base = np.concatenate((np.linspace(e_min, e_max, 9), bps))
        width = (e_max - e_min) / 8
        if link.distributed:          # a line: panels of its resonance spacing
            extra = np.concatenate([e.panel_edges(e_max) for e in link.distributed])
            extra = extra[extra > e_min]
        else:
            extra, _ = resonances.resonance_edges(
                lambda E, t: bal._admittances(k, E, t, slopes), link.pole_incidence, temps, e_min,
                e_max, width, width, track=False)

        def panel_integrals(order, edges):
            E, w = photonic.panel_nodes(np.unique(np.concatenate((base, edges))), order)
            tau = photonic.transmission(bal._admittances(k, E, temps, slopes), link.incidence,
                                        link.dissipative, link.floating)
            return photonic.panel_sums(E, w[:, None, None] * tau, order)

        got = photonic.refine(panel_integrals, 8, extra.tolist(), rtol, photonic.MAX_NODES)
        if got.failure:
            raise PhotonGridError(
                f"{q.column}: the average of tau over {e_min / h:.6g}..{e_max / h:.6g} Hz "
                f"(network {link.names}) does not meet "
                f"photon_rtol = {rtol:g}: estimated relative error {got.error:.2g} with "
                f"{got.nodes} nodes: {got.failure}")
        return got.value / (e_max - e_min)

    def q_kappa(self, q, key):
        e = self.bal.circuit.flat.elements[key]
        if not isinstance(e, ThermalElement):
            raise NetlistError(f"KAPPA({e.name}): not a thermal element", q.span,
                               "KAPPA(ELEMENT) of an E, G or W element")
        return float(e.heat_derivatives(*self._element_T(e))[0])

    def element_quantity(self, q, key):
        """A quantity only some elements give (``quantities.QuantityKind.element_method``):
        the element's method at its temperatures (elaboration checked that it gives it)."""
        e = self.bal.circuit.flat.elements[key]
        method = getattr(e, QUANTITIES[q.func].element_method)
        if QUANTITIES[q.func].at_bias:      # at the element's DC operating current
            current = next((op.currents[key] for op in self.operating_points()
                            if key in op.currents), 0.0)
            return float(method(*self._element_T(e), current=current))
        return float(method(*self._element_T(e)))


def evaluate(bal: HeatBalance, T: np.ndarray, quantities) -> Dict[str, float]:
    probe = Probe(bal, T)
    return {q.column: probe.value(q) for q in quantities if q.func != "D"}
