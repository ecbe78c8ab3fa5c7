"""DC operating point of every biased electrical network and the heat it dissipates.

A network (connected component of the electrical graph) with a voltage or current source
(``elements/bias.py``) is solved by modified nodal analysis (Ho, Ruehli & Brennan, IEEE
Trans. Circuits Syst. 22, 504 (1975)): node voltages v (node ``0`` the ground) and the
currents i of the voltage sources and of the elements that are shorts at DC (inductors,
lossless lines),

    F(x) = [[G, B], [B^T, 0]] [v; i] + [sum_j d_j I_j(d_j^T v); 0] - [-sum of current
           sources; source voltages] = 0,

with G = sum_e G_e(T_e) d_e d_e^T over the elements that conduct linearly at DC (resistors, a
tabulated R(T) at its temp= node's temperature, a lossy line's branches), capacitors open,
and I_j(V) the current of each nonlinear element (an NIS junction, ``physics/nis_bias.py``;
a transition-edge sensor, ``physics/tes.py``).
Without nonlinear elements F is linear; with them it is solved by Newton's method (Jacobian
G + sum_j dI_j/dV d_j d_j^T), each element's voltage step limited to a tenth of its
voltage scale (a junction's gap, a TES's Rn times the current that shifts its Tc by a width),
from the junctions linearised at their conductance well above the gap (the last solution
once there is one), to a residual of 1e-13 of the currents.

Heat.  Each linear conductor dissipates P_e = G_e (d_e^T v)^2 into its temp= node (Joule
heat).  Each nonlinear element j has two heat nodes (a, b) (``heat_nodes``) and takes the
heat P_j it returns from a and puts I_j V_j + P_j into b: an NIS junction takes P_N (its
cooling power) out of its normal metal (temp=) and puts I V + P_N into its superconductor
(temps=, default temp=); a TES has a = b = temp= and P = 0 (its Joule heat I V).  Energy is
conserved: the sources' power I V ends as heat.  Derivatives with respect to the temperatures: for a
linear network from the same factorisation (with M x = b, dM/dt_m = G_m' d_m d_m^T,
dP_e/dt_m = delta_em G_m' u_m^2 - 2 G_e u_e (d_e^T M^-1 d_m) G_m' u_m, u = D v); with
nonlinear elements by central differences of the heats (relative step 1e-5 of each
temperature, the operating point solved again: the kernels are smooth on that scale), as
the thermal elements' default derivative (``elements/base.py``).

The voltage sources are shorts and the current sources opens for photons
(``model/circuit.py``), so bias and photonic heat add independently in the heat balance.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from thermnet.elements.base import DT_REL, Element, ImpedanceElement
from thermnet.elements.bias import BiasSource, CurrentSource, VoltageSource
from thermnet.errors import ConvergenceError, NetlistError
from thermnet.model.graph import Graph

GROUND = "0"
NEWTON_STEPS = 100
NEWTON_TOL = 1e-13
LINE_SEARCH = 60       # step halvings per Newton step


@dataclass
class OperatingPoint:
    """Node voltages (V, by node key; the ground 0), element currents (A, by element key;
    from N1 to N2 through the element, a source's from N+ through it to N-), Joule heats or
    electric powers I V (W) and junction cooling powers (W, heat out of N)."""

    voltages: Dict[str, float]
    currents: Dict[str, float]
    joule: Dict[str, float]
    cooling: Dict[str, float]


class BiasNetwork:
    """One biased network: its elements by DC role and its MNA structure."""

    def __init__(self, elements: List[Element], nodes: List[str]):
        self.elements = elements
        self.nodes = [n for n in nodes if n != GROUND]
        self.index = {n: i for i, n in enumerate(self.nodes)}
        imp = [b for e in elements if isinstance(e, ImpedanceElement) for b in e.branches()]
        self.conductors = [e for e in imp if e.dc == "conductance"]
        self.nonlinear = [e for e in imp if e.dc == "nonlinear"]
        self.shorts = [e for e in imp if e.dc == "short"] + \
            [e for e in elements if isinstance(e, VoltageSource)]
        self.currents = [e for e in elements if isinstance(e, CurrentSource)]
        n, m = len(self.nodes), len(self.shorts)
        self.D = np.array([self._incidence(e) for e in self.conductors]).reshape(-1, n)
        self.Dn = np.array([self._incidence(e) for e in self.nonlinear]).reshape(-1, n)
        self.B = np.array([self._incidence(e) for e in self.shorts]).reshape(-1, n).T
        self.size = n + m
        # the thermal nodes whose temperatures the network's heats depend on / go to
        nodes_t: List[str] = [str(e.temp_node) for e in self.conductors]
        for j in self.nonlinear:
            nodes_t.extend(j.heat_nodes)
        self.thermal_nodes: List[str] = list(dict.fromkeys(nodes_t))
        where = {t: k for k, t in enumerate(self.thermal_nodes)}
        self.cond_at = np.array([where[str(e.temp_node)] for e in self.conductors], dtype=int)
        self.junction_at = [(where[a], where[b]) for a, b in
                            (j.heat_nodes for j in self.nonlinear)]
        self._warm: Optional[np.ndarray] = None     # last solution: Newton's start

    def _incidence(self, e: Element) -> np.ndarray:
        pairs = e.terminal_coefficients() if isinstance(e, ImpedanceElement) else \
            tuple(zip(e.nodes, (1.0, -1.0)))
        d = np.zeros(len(self.nodes))
        for node, sign in pairs:
            if node != GROUND:
                d[self.index[node]] += sign
        return d

    def _linear(self, temps: np.ndarray, scale: float = 1.0):
        """Linear part of the MNA system at the local temperatures: matrix, rhs (the sources
        at ``scale`` times their values: the load ramp of .op and of the solver's source
        stepping), G."""
        n = len(self.nodes)
        g = np.array([e.dc_conductance(temps[k]) for e, k in zip(self.conductors,
                                                                 self.cond_at)])
        M = np.zeros((self.size, self.size))
        M[:n, :n] = (self.D.T * g) @ self.D
        M[:n, n:] = self.B
        M[n:, :n] = self.B.T
        b = np.zeros(self.size)
        for src in self.currents:            # I flows out of N+ into the source
            b[:n] -= _value(src) * self._incidence(src)
        for j, e in enumerate(self.shorts):
            b[n + j] = _value(e) if isinstance(e, VoltageSource) else 0.0
        return M, scale * b, g

    def _junctions(self, u: np.ndarray, temps: np.ndarray):
        """(I, dI/dV, P_N) of every junction at its voltage u (arrays)."""
        out = np.array([j.bias_state(float(uj), temps[a], temps[b])
                        for j, uj, (a, b) in zip(self.nonlinear, u, self.junction_at)])
        return out.reshape(-1, 3).T

    def solve(self, temps: np.ndarray, scale: float = 1.0):
        """(MNA matrix with the junctions' dI/dV, x = [v; i], G of the conductors, the
        junctions' (I, dI/dV, P_N)) with the sources at ``scale`` times their values."""
        M, b, g = self._linear(temps, scale)
        n = len(self.nodes)
        if not self.nonlinear:
            x = self._linear_solve(M, b)
            return M, x, g, np.zeros((3, 0))
        if self._warm is not None:
            x = self._warm
        else:
            # the junctions as their conductance well above the gap (~ 1/R_T): a start below
            # the knee of a current-biased junction, which Newton climbs (the subgap
            # conductance, ~1e-4/R_T, would start it far above the gap)
            above = 3 * np.array([j.gap_voltage() for j in self.nonlinear])
            _, g0, _ = self._junctions(above, temps)
            J = M.copy()
            J[:n, :n] += (self.Dn.T * g0) @ self.Dn
            x = self._linear_solve(J, b)
        # each element's voltage step within a tenth of its own voltage scale
        limit = 0.1 * np.array([j.gap_voltage() for j in self.nonlinear])
        if not np.any(b):
            x = np.zeros(self.size)     # no source: every nonlinear element has I(0) = 0
        cur, slope, heat, F = self._residual(M, b, x, temps)
        for _ in range(NEWTON_STEPS):
            J = M.copy()
            J[:n, :n] += (self.Dn.T * slope) @ self.Dn
            scale = np.abs(cur).max() + np.abs(b).max() + 1e-300
            if np.abs(F).max() <= NEWTON_TOL * scale:
                self._warm = x
                return J, x, g, np.array([cur, slope, heat])
            dx = -self._linear_solve(J, F)
            du = np.abs(self.Dn @ dx[:n])
            moved = du > limit
            t = float(np.min(limit[moved] / du[moved])) if moved.any() else 1.0
            # backtracking: halve the step until |F| falls (the Newton direction descends
            # |F|^2; a TES's I(V) bends from ~1e10/Rn to ~1/Rn within its knee)
            norm = np.linalg.norm(F)
            for _ in range(LINE_SEARCH):
                trial = self._residual(M, b, x + t * dx, temps)
                if np.linalg.norm(trial[3]) < norm:
                    break
                t *= 0.5
            x = x + t * dx
            cur, slope, heat, F = trial
        src = next(e for e in self.elements if isinstance(e, BiasSource))
        raise ConvergenceError(f"the DC operating point of the network biased by {src.name} "
                               f"did not converge in {NEWTON_STEPS} Newton steps")

    def _residual(self, M, b, x, temps):
        """The nonlinear elements' (I, dI/dV, P) at x and the MNA residual F(x)."""
        n = len(self.nodes)
        cur, slope, heat = self._junctions(self.Dn @ x[:n], temps)
        F = M @ x - b
        F[:n] += self.Dn.T @ cur
        return cur, slope, heat, F

    def _linear_solve(self, M: np.ndarray, b: np.ndarray, structure: bool = False
                      ) -> np.ndarray:
        """M^-1 b.  ``structure``: the check of the network's wiring (``bias_networks``, all
        conductances moderate), a located error if M is singular there.  Otherwise (at
        the temperatures of a solve) a wiring that passed that check is regular, and LU with
        partial pivoting is accurate however widely the conductances spread (a
        superconducting TES's 1e10/Rn beside a voltage source's unit entries: a condition
        number of 1e20 that only diagonal scaling would remove); a non-finite result is a
        failed evaluation of the operating point."""
        try:
            x = np.linalg.solve(M, b)
        except np.linalg.LinAlgError:
            x = np.full(len(b), np.nan)
        src = next(e for e in self.elements if isinstance(e, BiasSource))
        if not structure and not np.all(np.isfinite(x)):
            raise ConvergenceError(f"the DC operating point of the network biased by "
                                   f"{src.name}: its nodal matrix is singular at these "
                                   "temperatures")
        if structure and (not np.all(np.isfinite(x)) or np.linalg.cond(M) > 1e14):
            raise NetlistError(
                f"the network biased by {src.name} has no unique DC operating point: a "
                "node without a DC path to ground 0 (through resistors, junctions, "
                "inductors or sources; capacitors are open at DC), or a loop of voltage "
                "sources and inductors", src.span, "a DC path from every node of a biased "
                "network to 0")
        return x

    def heats(self, temps: np.ndarray, derivatives: bool = False, scale: float = 1.0
              ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Heat into each of ``thermal_nodes`` (W) at their temperatures ``temps`` (the
        sources at ``scale`` times their values) and, with ``derivatives``,
        d heat_a / d T_b (W/K) (module docstring)."""
        M, x, g, jn = self.solve(temps, scale)
        n = len(self.nodes)
        u = self.D @ x[:n]
        p = g * u * u
        q = np.zeros(len(self.thermal_nodes))
        np.add.at(q, self.cond_at, p)
        if self.nonlinear:
            uj = self.Dn @ x[:n]
            for (a, b), cur, heat, v in zip(self.junction_at, jn[0], jn[2], uj):
                q[a] -= heat
                q[b] += cur * v + heat
        if not derivatives:
            return q, None
        if self.nonlinear:
            return q, self._differenced(temps, scale)
        return q, self._linear_derivatives(temps, M, x, g, u)

    def slopes(self, temps: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """dI/dV (S) of every nonlinear element at the operating point (their photonic
        admittance at bias: ``HeatBalance``)."""
        return self.solve(temps, scale)[3][1]

    def _differenced(self, temps: np.ndarray, scale: float) -> np.ndarray:
        dq = np.empty((len(temps), len(temps)))
        for k, t in enumerate(temps):
            step = DT_REL * t
            hi, lo = temps.copy(), temps.copy()
            hi[k], lo[k] = t + step, t - step
            dq[:, k] = (self.heats(hi, scale=scale)[0] - self.heats(lo, scale=scale)[0]) / (
                2 * step)
        return dq

    def load_derivative(self, temps: np.ndarray, scale: float) -> np.ndarray:
        """d heats / d scale (W): 2 heats/scale for a linear network (heats ~ scale^2), a
        difference of relative step 1e-6 with junctions."""
        if not self.nonlinear:
            return 2 * self.heats(temps, scale=scale)[0] / scale if scale > 0 else \
                np.zeros(len(temps))
        h = 1e-6
        lo = max(scale - h, 0.0)
        return (self.heats(temps, scale=scale + h)[0] - self.heats(temps, scale=lo)[0]) / (
            scale + h - lo)

    def _linear_derivatives(self, temps, M, x, g, u) -> np.ndarray:
        n = len(self.nodes)
        dg = np.array([e.dc_conductance_derivative(temps[k])
                       for e, k in zip(self.conductors, self.cond_at)])
        moving = np.flatnonzero(dg)
        dp = np.zeros((len(g), len(g)))             # dP_e / dt of conductor m
        dp[moving, moving] = dg[moving] * u[moving] ** 2
        if len(moving):
            rhs = np.zeros((self.size, len(moving)))
            rhs[:n] = self.D[moving].T
            K = self.D @ np.linalg.solve(M, rhs)[:n]        # d_e^T M^-1 d_m, (n_g, moving)
            dp[:, moving] -= 2 * (g * u)[:, None] * K * (dg[moving] * u[moving])[None, :]
        dq = np.zeros((len(temps), len(temps)))
        np.add.at(dq, (self.cond_at[:, None], self.cond_at[None, :]), dp)
        return dq

    def operating_point(self, temps: np.ndarray) -> OperatingPoint:
        _, x, g, jn = self.solve(temps)
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
        cooling: Dict[str, float] = {}
        uj = self.Dn @ x[:n]
        for j, c, h, vj in zip(self.nonlinear, *jn[[0, 2]], uj) if self.nonlinear else ():
            cur[j.name.lower()] = float(c)
            joule[j.name.lower()] = float(c * vj)
            cooling[j.name.lower()] = float(h)
        return OperatingPoint(v, cur, joule, cooling)


def _value(e: Element) -> float:
    """A source's value (always given on its card)."""
    assert e.value is not None
    return float(e.value)


def bias_networks(graph: Graph, flat, display: Callable[[str], str]
                  ) -> List[BiasNetwork]:
    """The biased networks of the electrical graph (components with a V or I source),
    checked: a ground node 0, every element's DC behaviour known, a unique solution."""
    out = []
    position = {id(e): i for i, e in enumerate(flat.elements.values())}
    order = {n: i for i, n in enumerate(flat.electrical_nodes)}
    for comp in graph.components():
        found = {id(edge.element): edge.element for edge in comp.edges}
        if not any(isinstance(e, BiasSource) for e in found.values()):
            continue
        elements = sorted(found.values(), key=lambda e: position[id(e)])
        sources = [e for e in elements if isinstance(e, BiasSource)]
        if GROUND not in comp.nodes:
            raise NetlistError(f"the network biased by {sources[0].name} has no ground node 0",
                               sources[0].span, "connect one node of every biased network "
                               "to node 0 (SPICE convention)")
        for e in elements:
            if isinstance(e, ImpedanceElement) and not all(b.dc for b in e.branches()):
                raise NetlistError(f"{e.name}: a {e.title} in a DC-biased network is not "
                                   "supported yet (its DC behaviour is not modelled)", e.span,
                                   "bias networks of R (fixed, rtable or tes), N (NIS "
                                   "junctions), "
                                   "L (a short at DC), C (open at DC) and transmission "
                                   "lines, with V and I sources")
        nodes = sorted(comp.nodes, key=order.__getitem__)
        net = BiasNetwork(elements, nodes)
        # structure check (a located error): the junctions as their conductance at 1 K
        M, b, _ = net._linear(np.ones(len(net.thermal_nodes)))
        if net.nonlinear:
            n = len(net.nodes)
            M[:n, :n] += net.Dn.T @ net.Dn * 1e-3
        net._linear_solve(M, b, structure=True)
        out.append(net)
    return out

