"""``.tran``: the heat balance in time, C(T) dT/dt = F(T, t) (netlist-language-v2, "Heat
capacity and time"; docs/dynamics.md).

Nodes with a heat capacity (H elements) are the state; a free node without one follows
quasi-statically (its net heat is zero at every instant: an index-1 DAE, eliminated by a
Newton solve inside every evaluation, its Jacobian by the Schur complement).  The integrator is
scipy's BDF (variable-order 1-5 numerical differentiation formulas, error-controlled, stiff;
Shampine & Reichelt, SIAM J. Sci. Comput. 18, 1 (1997)) with the analytic Jacobian of the heat
balance (one residual per Newton iteration: half the evaluations of Radau IIA on the Dey
circuit, bench/bench_dynamics.py), restarted at every corner of the
source waveforms (breakpoints, as SPICE does) so that no step straddles a kink.  Two extra
state variables integrate the heater energy and the heat into the temperature sources, so the
energy balance heater energy = stored heat + heat into baths is checked at every output time
(stored heat: int C dT from the starting temperatures).  The photon grids are re-checked as
temperatures move (``HeatBalance.choose_grids``).
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np

from thermnet.errors import ConvergenceError, NetlistError
from thermnet.model.balance import HeatBalance
from thermnet.solve.smallsignal import operating_point, quasi_static

METHOD = "BDF"           # scipy.integrate.solve_ivp method
NEWTON_MAX = 40          # iterations of a quasi-static node solve
NEWTON_STEP = 0.3        # largest relative temperature change per Newton iteration


class TransientSystem:
    """The ODE of the nodes with heat capacity, with sources moving in time."""

    def __init__(self, bal: HeatBalance, T0: np.ndarray, waveforms: List[Tuple[str, Any]]):
        self.bal = bal
        self.waveforms = waveforms
        free = bal.free
        C0 = bal.capacity(T0)
        self.massive = free[C0[free] > 0]
        self.massless = free[C0[free] <= 0]
        self.T = T0.copy()              # last full state: the quasi-static nodes' warm start
        self.segment = (0.0, 0.0)       # the breakpoint interval being integrated
        self.tol = bal.options["reltol"]

    def set_time(self, t: float) -> None:
        """Sources at time t; within an integration segment (``self.segment``) at their
        values inside it, so that an ideal step at a corner (TR = 0) is seen from its own
        side at both ends of the segment."""
        a, b = self.segment
        if a < b:
            inset = 1e-9 * (b - a)
            t = min(max(t, a + inset), b - inset)
        for key, wf in self.waveforms:
            self.bal.set_value(key, wf.value(t))
        self.T[self.bal.fixed] = self.bal.source_T

    def state(self, t: float, TM: np.ndarray) -> np.ndarray:
        """Every node's temperature at time t with the heat-capacity nodes at TM."""
        self.set_time(t)
        T = self.T.copy()
        T[self.massive] = TM
        A = self.massless
        for _ in range(NEWTON_MAX if len(A) else 0):
            net, mag, dnet, _ = self.bal.flows(T, derivatives=True)
            if np.all(np.abs(net[A]) <= self.tol * mag[A] + self.bal.options["abstol"]):
                break
            step = -np.linalg.solve(dnet[np.ix_(A, A)], net[A])
            T[A] += np.clip(step, -NEWTON_STEP * T[A], NEWTON_STEP * T[A])
        else:
            if len(A):
                names = ", ".join(self.bal.circuit.display(self.bal.nodes[i]) for i in A)
                raise ConvergenceError(f".tran at t = {t:g} s: the nodes without heat "
                                       f"capacity ({names}) found no balance")
        self.T = T
        return T

    def rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        bal = self.bal
        T = self.state(t, y[:-2])
        bal.choose_grids(T)
        net, _ = bal.flows(T)
        C = bal.capacity(T)[self.massive]
        return np.concatenate((net[self.massive] / C,
                               [bal.heater_power.sum(), net[bal.fixed].sum()]))

    def jacobian(self, t: float, y: np.ndarray) -> np.ndarray:
        bal = self.bal
        T = self.state(t, y[:-2])
        net, _, dnet, _ = bal.flows(T, derivatives=True)
        M, A, F = self.massive, self.massless, bal.fixed
        J = quasi_static(dnet, np.concatenate((M, F)), M, A)
        C = bal.capacity(T)[M]
        dC = bal.capacity(T, derivative=True)[M]
        n = len(M)
        out = np.zeros((n + 2, n + 2))
        out[:n, :n] = J[:n] / C[:, None] - np.diag(net[M] * dC / C ** 2)
        out[n + 1, :n] = J[n:].sum(axis=0)
        return out


def breakpoints(waveforms, t1: float) -> List[float]:
    points = {0.0, t1}
    for _, wf in waveforms:
        points.update(p for p in wf.breakpoints(0.0, t1) if 0.0 < p < t1)
    return sorted(points)


def run_tran(runner, tran, step):
    """``.tran``: the printed quantities at every output time from the .op state (or .ic)."""
    bal = runner.ctx.balance()
    flat = bal.circuit.flat
    waveforms = [(k, flat.elements[k].waveform) for k in bal.heater_keys + bal.source_keys
                 if flat.elements[k].waveform is not None]
    static_values = {k: bal.value(k) for k, _ in waveforms}
    T0, _, warnings = operating_point(runner)                 # sources at their t = 0 values
    for node, value in flat.initial.items():
        T0[bal.index[node]] = value
    system = TransientSystem(bal, T0, waveforms)
    if not len(system.massive):
        raise NetlistError(".tran needs heat capacities: no free node has an H element",
                           tran.span, "HNAME NODE VALUE or HNAME NODE MODEL vol=... on the "
                           "islands (netlist-language-v2, Heat capacity and time)")
    try:
        result = _integrate(system, runner, tran, step, T0)
        result.warnings += warnings
        return result
    finally:
        for k, v in static_values.items():
            bal.set_value(k, v)


def _integrate(system: TransientSystem, runner, tran, step, T0):
    """Integrate segment by segment between breakpoints; the AnalysisResult of the output
    times."""
    from scipy.integrate import solve_ivp  # only a .tran needs it (a heavy import)

    from thermnet.model.probes import Probe
    from thermnet.results.types import AnalysisResult
    bal = system.bal
    M = system.massive
    rtol = bal.options["trtol"]
    C0 = bal.capacity(T0)
    heat_scale = float(np.sum(C0 * T0))
    # the energies' error scale: the heat content sum C T at the start (a pulse that raises
    # the temperatures by a fraction of themselves deposits energy on that scale)
    atol = np.concatenate((np.full(len(M), rtol * float(T0[M].min())),
                           np.full(2, rtol * max(heat_scale, 1e-30))))
    times = tran.values
    y = np.concatenate((T0[M], [0.0, 0.0]))
    system.state(0.0, y[:-2])
    edges = breakpoints(system.waveforms, tran.tstop)
    states: Dict[float, np.ndarray] = {}
    evaluations = 0
    for a, b in zip(edges[:-1], edges[1:]):
        inside = times[(times >= a) & (times <= b)]
        t_eval = np.union1d(inside, [b])
        system.segment = (a, b)
        sol = solve_ivp(system.rhs, (a, b), y, method=METHOD, jac=system.jacobian,
                        t_eval=t_eval, rtol=rtol, atol=atol, max_step=tran.tmax)
        evaluations += sol.nfev
        if sol.status < 0:
            raise ConvergenceError(f".tran: the integrator stopped at t = {sol.t[-1]:g} s: "
                                   f"{sol.message}")
        for k, t in enumerate(sol.t):
            states[float(t)] = sol.y[:, k]
        y = sol.y[:, -1]
    system.segment = (0.0, 0.0)
    out_times = [t for t in times if t >= tran.tstart]
    T_all = np.array([system.state(t, states[float(t)][:-2]) for t in times])
    stored = stored_heat(bal, T0, T_all)
    cols = {"time": np.array(out_times)}
    for q in runner.prints:
        cols[q.column] = np.empty(len(out_times))
    balance = np.empty(len(out_times))
    first = len(times) - len(out_times)
    params = bal.circuit.flat.params

    def values_now(target):
        """A source's value at the current output time, a .param's value (expressions)."""
        return bal.value(target.key) if target.kind == "source" else params[target.key]

    for i, t in enumerate(out_times):
        yt, T = states[float(t)], T_all[first + i]
        system.set_time(t)
        probe = Probe(bal, T)
        for q in runner.prints:
            cols[q.column][i] = runner.value(probe, q, T, values_now)
        e_in, e_out, u = yt[-2], yt[-1], stored[first + i]
        balance[i] = (e_in - e_out - u) / max(abs(e_in) + abs(e_out) + abs(u),
                                              rtol * heat_scale, 1e-300)
    from thermnet.solve.analysis import _column_dimensions
    dims = {"time": "time", **_column_dimensions(bal.circuit.flat, runner.prints)}
    yt = states[float(times[-1])]
    extras = {"energy": {"heater": float(yt[-2]), "stored": float(stored[-1]),
                         "baths": float(yt[-1])}, "evaluations": int(evaluations)}
    n = len(out_times)
    return AnalysisResult("tran", step, cols, np.ones(n, dtype=bool), [], balance,
                          swept="time", sweep={"name": "time", "spacing": "lin",
                                               "kind": "time", "dimension": "time"},
                          dimensions=dims, extras=extras)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(4)


def stored_heat(bal: HeatBalance, T0: np.ndarray, T_all: np.ndarray) -> np.ndarray:
    """Heat stored since the start (J) at each row of T_all (times x nodes): the sum over the
    H elements of int C dT from T0, accumulated interval by interval with 4-point
    Gauss-Legendre (exact for the polynomial laws; an interval is split at a kink of C such
    as a superconductor's Tc)."""
    total = np.zeros(len(T_all))
    for e, n in bal.capacity_idx:
        path = np.concatenate(([T0[n]], T_all[:, n]))
        nodes, weights, owner = [], [], []
        for k, (a, b) in enumerate(zip(path[:-1], path[1:])):
            lo, hi = min(a, b), max(a, b)
            edges = [a] + [c for c in sorted(e.kinks(), reverse=bool(b < a)) if lo < c < hi] + [b]
            for p, q in zip(edges[:-1], edges[1:]):
                nodes.append(0.5 * (p + q) + 0.5 * (q - p) * _GL_X)
                weights.append(0.5 * (q - p) * _GL_W)
                owner.append(np.full(len(_GL_X), k))
        if not nodes:
            continue
        x, w, which = np.concatenate(nodes), np.concatenate(weights), np.concatenate(owner)
        total += np.cumsum(np.bincount(which, weights=w * e.capacities(x),
                                       minlength=len(T_all)))
    return total
