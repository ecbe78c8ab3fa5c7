"""The circuit as graphs (``model/graph.py``): the thermal graph and the electrical graph.

Thermal graph: nodes are thermal nodes; edges are heat paths (thermal elements, and photonic
coupling between the thermal nodes of dissipative elements in one electrical network).
Electrical graph: nodes are electrical nodes; edges are impedance elements.  Each connected
component of the electrical graph is a photonic link.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import numpy as np

from thermnet.elements.base import (
    HeatCapacity,
    Heater,
    ImpedanceElement,
    TemperatureSource,
    ThermalElement,
)
from thermnet.elements.bias import BiasSource
from thermnet.errors import NetlistError
from thermnet.model.bias import bias_networks
from thermnet.model.graph import Graph
from thermnet.netlist.elaborate import FlatCircuit, Quantity
from thermnet.physics import photonic


@dataclass
class PhotonicLink:
    """One connected electrical network: its elements, nodes and incidence matrix."""

    elements: List[ImpedanceElement]
    nodes: List[str]                  # electrical node keys; nodes[0] is the ground
    incidence: np.ndarray             # (n_elements, n_nodes - 1)
    dissipative: np.ndarray           # indices into elements
    temp_nodes: List[str]             # thermal node of each dissipative element
    # groups of nodes joined to the rest only by elements that may open (Josephson
    # junctions): transfer() handles them without a singular matrix
    floating: Tuple[Tuple[int, ...], ...] = ()

    @property
    def dissipative_elements(self) -> List[ImpedanceElement]:
        return [self.elements[i] for i in self.dissipative]

    @property
    def names(self) -> str:
        """The element names, each once (a line's three branches share its name)."""
        return " ".join(dict.fromkeys(e.name for e in self.elements))

    @property
    def distributed(self) -> List[ImpedanceElement]:
        """The distinct distributed elements (transmission lines) of the network."""
        seen = {id(p): p for p in (getattr(e, "parent", e) for e in self.elements)
                if p.distributed}
        return list(seen.values())

    @property
    def pole_incidence(self) -> np.ndarray:
        """The incidence matrix for the resonance search: each floating group grounded at
        one node (exact for an open junction; the search only places panel edges)."""
        if not self.floating:
            return self.incidence
        return self.incidence[:, photonic.gauge_columns(self.incidence.shape[1],
                                                        self.floating)]


class Circuit:
    """Flat circuit + graphs + the checks that make a heat balance well posed."""

    def __init__(self, flat: FlatCircuit):
        self.flat = flat
        els = list(flat.elements.values())
        self.sources: Dict[str, TemperatureSource] = {}
        self.heaters: List[Heater] = [e for e in els if isinstance(e, Heater)]
        self.thermal_elements: List[ThermalElement] = [e for e in els
                                                       if isinstance(e, ThermalElement)]
        self.impedances: List[ImpedanceElement] = [e for e in els
                                                   if isinstance(e, ImpedanceElement)]
        self.bias_sources: List[BiasSource] = [e for e in els if isinstance(e, BiasSource)]
        self.capacities: List[HeatCapacity] = [e for e in els if isinstance(e, HeatCapacity)]
        for e in els:
            if isinstance(e, TemperatureSource):
                node = e.nodes[0]
                if node in self.sources:
                    raise NetlistError(f"thermal node '{flat.thermal_nodes[node]}' has two "
                                       f"temperature sources ({self.sources[node].name} and "
                                       f"{e.name})", e.span, "one T source per node")
                self.sources[node] = e
        self.electrical_graph = self._electrical_graph()
        self.links = self._links()
        self.bias = bias_networks(self.electrical_graph, self.flat, self.display)
        self.thermal_graph = self._thermal_graph()
        self._check_paths()
        for q in flat.all_quantities():
            self._check_photonic_pair(q)

    def display(self, node: str) -> str:
        return self.flat.thermal_nodes.get(node) or self.flat.electrical_nodes.get(node, node)

    def unique_state(self) -> bool:
        """Whether the circuit has at most one steady state, whatever its heater powers and
        bath temperatures: every element's heat flows are separable (Element.separable:
        q_ab = f(T_a) - f(T_b), f strictly increasing) and the heaters are constant.

        Proof: let T and T' be steady states and S the free nodes where T > T'.  Summing
        the balances of S, the flows inside S cancel, so the heaters of S equal the flows
        out of S across its boundary, for T and for T' alike.  A flow from a in S to b
        outside changes by [f(T_a) - f(T'_a)] - [f(T_b) - f(T'_b)] > 0 (T_a > T'_a,
        T_b <= T'_b): the sums cannot be equal unless S has no boundary flow, i.e. (every
        island being coupled to a bath) S is empty; likewise with T and T' exchanged.  (The
        network form of the maximum principle behind M-functions: Rheinboldt, J. Math.
        Anal. Appl. 32, 274 (1970).)  Then .op needs no ramp from the bath state."""
        return all(e.separable() for e in self.flat.elements.values())

    def _electrical_graph(self) -> Graph:
        g = Graph(self.flat.electrical_nodes)
        for src in self.bias_sources:         # V and I sources (model/bias.py)
            if src.nodes[0] == src.nodes[1]:
                raise NetlistError(f"{src.name} has both ends on node "
                                   f"'{self.display(src.nodes[0])}'", src.span, src.form)
            g.add_edge(src.nodes[0], src.nodes[1], src)
        for e in self.impedances:
            for a, b in e.graph_edges():
                if a == b:
                    raise NetlistError(f"{e.name} has both ends on node '{self.display(a)}'",
                                       e.span, e.form)
                g.add_edge(a, b, element=e)
        degree = g.degrees()
        for e in self.impedances:
            for n in e.nodes:
                if degree[n] == 1:
                    raise NetlistError(
                        f"{e.name} is floating: its node '{self.display(n)}' connects to no "
                        "other element, so no current flows through it", e.span,
                        "connect both ends of every impedance element into a closed circuit")
        return g

    def _links(self) -> List[PhotonicLink]:
        links = []
        # for photons a current source is an open circuit, a voltage source a short: the
        # networks are the components without the current sources, and the nodes a
        # voltage source joins are one node
        g = self.electrical_graph.without(lambda edge: isinstance(edge.element, BiasSource)
                                          and not edge.element.shorts_photons)
        order = {n: i for i, n in enumerate(self.flat.electrical_nodes)}
        shorts = Graph()
        for edge in g.edges:
            if isinstance(edge.element, BiasSource):
                shorts.add_edge(edge.a, edge.b)
        rep = {n: min(c.nodes, key=order.__getitem__) for c in shorts.components()
               for n in c.nodes}
        position = {id(e): i for i, e in enumerate(self.impedances)}
        for comp in g.components():
            found = {id(edge.element): edge.element for edge in comp.edges
                     if isinstance(edge.element, ImpedanceElement)}
            if not found:
                continue
            nodes = sorted({rep.get(n, n) for n in comp.nodes}, key=order.__getitem__)
            reduced = {n: i - 1 for i, n in enumerate(nodes)}
            index = {n: reduced[rep.get(n, n)] for n in comp.nodes}
            # every element's branches (itself, or a multi-port's two-terminal branches)
            elements = [b for e in sorted(found.values(), key=lambda e: position[id(e)])
                        for b in e.branches()]
            inc = np.zeros((len(elements), len(nodes) - 1))
            for k, e in enumerate(elements):
                for node, coef in e.terminal_coefficients():
                    if index[node] >= 0:
                        inc[k, index[node]] += coef
            diss = np.array([k for k, e in enumerate(elements) if e.dissipative], dtype=int)
            links.append(PhotonicLink(elements, nodes, inc, diss,
                                      [elements[k].temp_node for k in diss],
                                      photonic.floating_components(
                                          inc, [e.can_open for e in elements])))
        return links

    def _thermal_graph(self) -> Graph:
        """Heat paths: the thermal elements, and each photonic link joining the thermal
        nodes of its dissipative elements (edges from its first one: the same components
        as every pair, in linear size)."""
        g = Graph(self.flat.thermal_nodes)
        for e in self.thermal_elements:
            a, b = e.terminals
            g.add_edge(a, b, element=e)
        for link in self.links:
            for t in link.temp_nodes[1:]:
                g.add_edge(link.temp_nodes[0], t)
        return g

    def _check_paths(self) -> None:
        if not self.flat.thermal_nodes:
            raise NetlistError("the netlist has no thermal nodes", None,
                               "at least a temperature source: TNAME NODE VALUE")
        for comp in (set(c.nodes) for c in self.thermal_graph.components()):
            if not any(n in self.sources for n in comp):
                names = ", ".join(sorted(self.display(n) for n in comp))
                heaters = [h.name for h in self.heaters if h.nodes[0] in comp]
                span = self.flat.node_spans[sorted(comp)[0]]
                extra = f" (heater {', '.join(heaters)} would heat it forever)" if heaters else ""
                raise NetlistError(
                    f"thermal node(s) {names} have no heat path to any temperature source"
                    f"{extra}", span,
                    "couple them to a bath, e.g. ENAME NODE BATH MODEL vol=..., or GNAME "
                    "NODE BATH VALUE, with TNAME BATH VALUE")

    def _check_photonic_pair(self, q) -> None:
        """Q(A,B) and TAU(A,B) (also inside D()) need two different thermal nodes with
        dissipative elements in one photonic link: else the value would be a silent 0."""
        if q.args and isinstance(q.args[0], Quantity):       # D(), PH(), RE(), IM()
            self._check_photonic_pair(q.args[0])
            return
        if q.func == "EXPR":                   # an expression of quantities (columns.py)
            for part in q.args:
                self._check_photonic_pair(part)
            return
        if q.func not in ("Q", "TAU"):
            return
        a, b = q.args
        pairs = {frozenset((x, y)) for link in self.links for x in link.temp_nodes
                 for y in link.temp_nodes if x != y}
        if frozenset((a, b)) in pairs:
            return
        names = f"{self.display(a)} and {self.display(b)}"
        why = f"{q.column} needs two different thermal nodes" if a == b else \
            f"{names} share no photonic link (no electrical network has dissipative elements " \
            f"at both), so {q.column} would be 0"
        linked = sorted(f"{q.func}({self.display(x)},{self.display(y)})"
                        for x, y in (sorted(p) for p in pairs))
        shown = ", ".join(linked[:8]) + (", ..." if len(linked) > 8 else "")
        raise NetlistError(why, q.span, "Q(A,B) or TAU(A,B) of linked nodes: " + (
            shown or "none, this circuit has no photonic link"))

    @property
    def free_nodes(self) -> List[str]:
        return [n for n in self.flat.thermal_nodes if n not in self.sources]

    def summary(self) -> str:
        f = self.flat
        lines = [f"title: {f.title or '(none)'}",
                 f"thermal nodes ({len(f.thermal_nodes)}): " + ", ".join(
                     v + (" [fixed]" if k in self.sources else "")
                     for k, v in f.thermal_nodes.items()),
                 f"electrical nodes ({len(f.electrical_nodes)}): " +
                 ", ".join(f.electrical_nodes.values()),
                 f"elements ({len(f.elements)}):"]
        for e in f.elements.values():
            nodes = " ".join(self.display(n) for n in e.nodes)
            extra = "".join(f" {k}={self.display(v)}" for k, v in e.node_params.items())
            what = f" {e.model.name}({e.model.type_name})" if e.model is not None else \
                (f" {e.value:g}" if e.value is not None else "")
            lines.append(f"  {e.name:10s} {e.title}: {nodes}{what}{extra}")
        lines.append(f"photonic links ({len(self.links)}):")
        for k, link in enumerate(self.links):
            lines.append(f"  link {k + 1}: elements " + link.names
                         + "; dissipative at " + ", ".join(self.display(t)
                                                           for t in link.temp_nodes))
        an = ["op" if a is None else a.describe() for a in f.analyses] or ["op (default)"]
        lines.append("analyses: " + ", ".join(an) + "".join(
            f"; step {s.target.name} ({len(s.values)} values)" for s in f.steps))
        lines.append("print: " + (" ".join(q.column for q in f.prints) or "(default)"))
        if f.measures:
            lines.append("measure: " + ", ".join(f"{m.name} ({m.analysis} {m.kind})"
                                                 for m in f.measures))
        return "\n".join(lines)
