"""DC operating point of every biased electrical network and the Joule heat it dissipates.

A network (connected component of the electrical graph) with a voltage or current source
(``elements/bias.py``) is solved by modified nodal analysis (Ho, Ruehli & Brennan, IEEE
Trans. Circuits Syst. 22, 504 (1975)): node voltages v (node ``0`` the ground) and the
currents i of the voltage sources and of the elements that are shorts at DC (inductors),

    [[G, B], [B^T, 0]] [v; i] = [-sum of current sources; source voltages],

with G = sum_e G_e(T_e) d_e d_e^T over the elements that conduct at DC (resistors, a
tabulated R(T) at its temp= node's temperature) and capacitors open.  Each conducting
element dissipates P_e = G_e (d_e^T v)^2 into its temp= node (Joule heat).  Its derivatives
for the Jacobian follow from the same factorisation: with M x = b, dM/dt_m = G_m' d_m d_m^T,

    dP_e/dt_m = delta_em G_m' u_m^2 - 2 G_e u_e (d_e^T M^-1 d_m) G_m' u_m,   u = D v.

The voltage sources are shorts and the current sources opens for photons
(``model/circuit.py``), so bias and photonic heat add independently in the heat balance.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import networkx as nx
import numpy as np

from thermnet.elements.base import Element, ImpedanceElement
from thermnet.elements.bias import BiasSource, CurrentSource, VoltageSource
from thermnet.errors import NetlistError

GROUND = "0"


@dataclass
class OperatingPoint:
    """Node voltages (V, by node key; the ground 0) and element currents (A, by element
    key; from N1 to N2 through the element, a source's from N+ through it to N-)."""

    voltages: Dict[str, float]
    currents: Dict[str, float]
    joule: Dict[str, float]      # W, by conducting element key


class BiasNetwork:
    """One biased network: its elements by DC role and its MNA structure."""

    def __init__(self, elements: List[Element], nodes: List[str]):
        self.elements = elements
        self.nodes = [n for n in nodes if n != GROUND]
        self.index = {n: i for i, n in enumerate(self.nodes)}
        imp = [b for e in elements if isinstance(e, ImpedanceElement) for b in e.branches()]
        self.conductors = [e for e in imp if e.dc == "conductance"]
        self.shorts = [e for e in imp if e.dc == "short"] + \
            [e for e in elements if isinstance(e, VoltageSource)]
        self.currents = [e for e in elements if isinstance(e, CurrentSource)]
        n, m = len(self.nodes), len(self.shorts)
        self.D = np.array([self._incidence(e) for e in self.conductors]).reshape(-1, n)
        self.B = np.array([self._incidence(e) for e in self.shorts]).reshape(-1, n).T
        self.size = n + m
        # a conductor dissipates at its temp= node (a resistor always has one)
        self.temp_nodes: List[str] = [str(e.temp_node) for e in self.conductors]

    def _incidence(self, e: Element) -> np.ndarray:
        pairs = e.terminal_coefficients() if isinstance(e, ImpedanceElement) else \
            tuple(zip(e.nodes, (1.0, -1.0)))
        d = np.zeros(len(self.nodes))
        for node, sign in pairs:
            if node != GROUND:
                d[self.index[node]] += sign
        return d

    def _system(self, temps: np.ndarray):
        """MNA matrix and right-hand side at the conductors' temperatures."""
        n = len(self.nodes)
        g = np.array([e.dc_conductance(t) for e, t in zip(self.conductors, temps)])
        M = np.zeros((self.size, self.size))
        M[:n, :n] = (self.D.T * g) @ self.D
        M[:n, n:] = self.B
        M[n:, :n] = self.B.T
        b = np.zeros(self.size)
        for src in self.currents:            # I flows out of N+ into the source
            b[:n] -= _value(src) * self._incidence(src)
        for j, e in enumerate(self.shorts):
            b[n + j] = _value(e) if isinstance(e, VoltageSource) else 0.0
        return M, b, g

    def solve(self, temps: np.ndarray):
        M, b, g = self._system(temps)
        try:
            x = np.linalg.solve(M, b)
        except np.linalg.LinAlgError:
            x = np.full(self.size, np.nan)
        if not np.all(np.isfinite(x)) or np.linalg.cond(M) > 1e14:
            src = next(e for e in self.elements if isinstance(e, BiasSource))
            raise NetlistError(
                f"the network biased by {src.name} has no unique DC operating point: a "
                "node without a DC path to ground 0 (through resistors, inductors or "
                "sources; capacitors are open at DC), or a loop of voltage sources and "
                "inductors", src.span, "a DC path from every node of a biased network to 0")
        return M, x, g

    def joule(self, temps: np.ndarray, derivatives: bool = False
              ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Joule heat of each conductor (W) and, with ``derivatives``, dP_e/dt_m (W/K,
        t_m the temperature of conductor m) (module docstring)."""
        M, x, g = self.solve(temps)
        n = len(self.nodes)
        u = self.D @ x[:n]
        p = g * u * u
        if not derivatives:
            return p, None
        dg = np.array([e.dc_conductance_derivative(t) for e, t in zip(self.conductors, temps)])
        moving = np.flatnonzero(dg)
        dp = np.zeros((len(p), len(p)))
        dp[moving, moving] = dg[moving] * u[moving] ** 2
        if len(moving):
            rhs = np.zeros((self.size, len(moving)))
            rhs[:n] = self.D[moving].T
            K = self.D @ np.linalg.solve(M, rhs)[:n]        # d_e^T M^-1 d_m, (n_g, moving)
            dp[:, moving] -= 2 * (g * u)[:, None] * K * (dg[moving] * u[moving])[None, :]
        return p, dp

    def operating_point(self, temps: np.ndarray) -> OperatingPoint:
        _, x, g = self.solve(temps)
        n = len(self.nodes)
        v = {node: float(x[i]) for i, node in enumerate(self.nodes)}
        v[GROUND] = 0.0
        u = self.D @ x[:n]
        # a multi-port's branches (a line's) have no current of their own: I() of a line
        # is not given; its Joule heat is the sum over its branches
        cur = {e.name.lower(): float(gi * ui) for e, gi, ui in zip(self.conductors, g, u)
               if not hasattr(e, "parent")}
        cur.update({e.name.lower(): float(x[n + j]) for j, e in enumerate(self.shorts)
                    if not hasattr(e, "parent")})
        cur.update({e.name.lower(): _value(e) for e in self.currents})
        joule: Dict[str, float] = {}
        for e, gi, ui in zip(self.conductors, g, u):
            joule[e.name.lower()] = joule.get(e.name.lower(), 0.0) + float(gi * ui * ui)
        return OperatingPoint(v, cur, joule)


def _value(e: Element) -> float:
    """A source's value (always given on its card)."""
    assert e.value is not None
    return float(e.value)


def bias_networks(graph: nx.MultiGraph, flat, display: Callable[[str], str]
                  ) -> List[BiasNetwork]:
    """The biased networks of the electrical graph (components with a V or I source),
    checked: a ground node 0, every element's DC behaviour known, a unique solution."""
    out = []
    position = {id(e): i for i, e in enumerate(flat.elements.values())}
    order = {n: i for i, n in enumerate(flat.electrical_nodes)}
    for comp in nx.connected_components(graph):
        sub = graph.subgraph(comp)
        found = {id(d["element"]): d["element"] for _, _, d in sub.edges(data=True)}
        if not any(isinstance(e, BiasSource) for e in found.values()):
            continue
        elements = sorted(found.values(), key=lambda e: position[id(e)])
        sources = [e for e in elements if isinstance(e, BiasSource)]
        if GROUND not in comp:
            raise NetlistError(f"the network biased by {sources[0].name} has no ground node 0",
                               sources[0].span, "connect one node of every biased network "
                               "to node 0 (SPICE convention)")
        for e in elements:
            if isinstance(e, ImpedanceElement) and not all(b.dc for b in e.branches()):
                raise NetlistError(f"{e.name}: a {e.title} in a DC-biased network is not "
                                   "supported yet (its DC behaviour is not modelled)", e.span,
                                   "bias networks of R (fixed or rtable), L (a short at DC), "
                                   "C (open at DC) and transmission lines, with V and I "
                                   "sources")
        nodes = sorted(comp, key=order.__getitem__)
        net = BiasNetwork(elements, nodes)
        net.solve(np.ones(len(net.conductors)))       # structure check: located error
        out.append(net)
    return out
