"""Runs the analyses of a netlist: ``.op``, ``.sweep`` (warm-started, failed points recorded
and skipped), nested ``.step`` families, and the ``.print`` quantities including
derivatives ``D(quantity, NAME)``."""
from __future__ import annotations

import logging
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.errors import ConvergenceError, NetlistError, ThermnetError
from thermnet.model.balance import HeatBalance
from thermnet.model.probes import Probe
from thermnet.netlist.columns import (
    ExpressionQuantity,
    evaluate_column,
    quantity_dimension,
    target_dimension,
)
from thermnet.netlist.elaborate import FlatCircuit, Quantity, Sweep, Target
from thermnet.quantities import applies
from thermnet.results.types import AnalysisResult, Results
from thermnet.solve import branches, measure, smallsignal, transient
from thermnet.solve.extrapolation import hermite_step
from thermnet.solve.folds import parameter_derivative
from thermnet.solve.progress import Progress, points
from thermnet.solve.steady import (
    SolverMemory,
    SteadyState,
    linear_solve,
    log_ratio_jacobian,
    require,
    solve,
)

log = logging.getLogger(__name__)
DERIV_REL = 1e-5       # D(): largest relative temperature move of the difference step
DERIV_NESTED = 30.0    # D(D(...)): each level of nesting inside takes a 30x larger step


class Context:
    """The circuit built once (elaborated structure, graphs, heat balance) and bound on
    demand to .param values (FlatCircuit.rebind: values only, never a re-elaboration), with
    source values and option overrides on top."""

    def __init__(self, bal: HeatBalance, params: Dict[str, float], sources: Dict[str, float],
                 options: Dict[str, float]):
        self.bal = bal
        self.circuit = bal.circuit
        self.flat = bal.circuit.flat
        self.params = dict(params)
        self.sources = dict(sources)
        self.option_overrides = options
        self._rebinds = -1      # flat.rebinds after this context's last rebind of bal
        if any(self.flat.options.get(k) != v for k, v in options.items()):
            self.flat.options.update(options)
            bal.bound = None                     # configure the elements anew

    def balance(self, params: Optional[Dict[str, float]] = None) -> HeatBalance:
        """The heat balance at ``params`` (default: the context's) with every source at its
        current value: an override, else the netlist's own value."""
        params = self.params if params is None else params
        key = tuple(sorted(params.items()))
        if key != self.bal.bound:
            # what the rebind changed is all the balance must take, if the balance was
            # bound by this context at the netlist's previous binding (else: everything)
            known = self.bal.bound is not None and self._rebinds == self.flat.rebinds
            self.bal.bound = None            # a failed rebind leaves nothing half-bound
            changed = self.flat.rebind(params)
            self.flat.options.update(self.option_overrides)
            self.bal.rebind(changed if known else None)
            self.bal.bound = key
            self._rebinds = self.flat.rebinds
            log.debug("rebound .params %s", dict(key))
        bal = self.bal
        for k, v in bal.netlist_values.items():
            v = self.sources.get(k, v)
            if bal.value(k) != v:
                bal.set_value(k, v)
        return bal

    def with_values(self, overrides: Dict[Target, float]) -> HeatBalance:
        """The balance with each target (source or .param) in ``overrides`` at its value and
        everything else as the context has it."""
        params = dict(self.params)
        params.update({t.key: v for t, v in overrides.items() if t.kind == "param"})
        bal = self.balance(params)
        for t, v in overrides.items():
            if t.kind == "source":
                bal.set_value(t.key, v)
        return bal


class PointFailed(Exception):
    """A sweep point that has no trustworthy result; the message says why, ``error`` is the
    thermnet error behind it, if any."""

    def __init__(self, message: str, error: Optional[ThermnetError] = None):
        super().__init__(message)
        self.error = error


def tangent(bal: HeatBalance, T: np.ndarray, target: Target, rebound, v0: float) -> np.ndarray:
    """dT/dp (every node, K per unit of the target) of the steady state T: the implicit
    function theorem on F(T, p) = 0, dT_free/dp = -(dF/dT_free)^-1 dF/dp.

    dF/dp: a heater's unit power at its node, a temperature source's column of the
    Jacobian, a .param's central difference of F at fixed T (``rebound(v)``: the balance
    with the parameter at v; step PARAM_REL |p|, or PARAM_REL where p = 0).
    Raises ConvergenceError where dF/dT is singular (a fold: no derivative)."""
    _, _, dnet, _ = bal.flows(T, derivatives=True)
    free = bal.free
    dT = np.zeros(len(T))
    dF = parameter_derivative(bal, T, target, rebound, v0, dnet)
    if target.kind == "source" and target.key not in bal.heater_keys:
        dT[bal.fixed[bal.source_keys.index(target.key)]] = 1.0
    if len(free):
        J = dnet[np.ix_(free, free)]
        with np.errstate(all="ignore"):
            dT[free] = -linear_solve(J, dF) if np.linalg.cond(J) < 1e14 else np.nan
        if not np.all(np.isfinite(dT)):
            raise ConvergenceError(f"D(..., {target.name}): the heat balance's Jacobian is "
                                   "singular here (a fold or turning point): no derivative")
    return dT


def _own_scale(bal: HeatBalance, target: Target, v0: float) -> float:
    """Scale of a target when no temperature moves with it: its value, else 1 K or the
    largest heater power."""
    if v0 != 0:
        return abs(v0)
    if target.kind == "source" and target.key in bal.heater_keys:
        return float(np.abs(bal.heater_power).max()) or 1e-12
    return 1.0


def _depth(q: Quantity) -> int:
    """Levels of D() nested in q (0 for a plain quantity)."""
    inner = q.args[0]
    return 1 + _depth(inner) if q.func == "D" and isinstance(inner, Quantity) else 0


def _free_T(bal: HeatBalance, T: Optional[np.ndarray]):
    return None if T is None else T[bal.free]


MAX_PREDICTED_STEP = 0.5   # largest extrapolated change of ln T at a sweep point


def _predict(history, v, slopes=()) -> Optional[np.ndarray]:
    """Warm start for the sweep point at value v: the previous solution, extrapolated in
    ln T along its tangent (``slopes``: d ln T / dv of every node at the points of
    ``history``, None where unknown) or from the two previous points (a secant predictor,
    as in continuation methods), the change capped at MAX_PREDICTED_STEP.

    With the last tangent and the point before, the extrapolation is the Hermite cubic
    through both points with the tangents at both, or the quadratic with the last alone
    (extrapolation.hermite_step: error O(h^4) or O(h^3) instead of O(h^2); the point's
    first chord step then often lands within the tolerance, one residual fewer)."""
    if not history:
        return None
    v1, T1 = history[-1]
    s1 = slopes[-1] if len(slopes) == len(history) else None
    if s1 is not None:
        d = v - v1
        step = s1 * d
        if len(history) == 2 and history[0][0] != v1:
            v0, T0 = history[0]
            step = hermite_step(np.log(T1), s1, np.log(T0), slopes[0], v1 - v0, d)
        return T1 * np.exp(np.clip(step, -MAX_PREDICTED_STEP, MAX_PREDICTED_STEP))
    if len(history) < 2 or history[0][0] == v1:
        return T1
    v0, T0 = history[0]
    step = (np.log(T1) - np.log(T0)) * (v - v1) / (v1 - v0)
    return T1 * np.exp(np.clip(step, -MAX_PREDICTED_STEP, MAX_PREDICTED_STEP))


def kink_side(bal: HeatBalance, T: np.ndarray, move: np.ndarray, q: Quantity) -> int:
    """The side on which D() differences at the state T (all nodes) with the central step
    ``move`` (K per node): 0 (central) unless a node moves onto or across a kink of the
    balance (a Tc, ``HeatBalance.kink_T``); then +1 or -1, the direction of the step that
    keeps every such node on its own side: below Tc it moves down, at or above Tc up (a film
    is normal from T = Tc on, whose derivative there is the right-hand one).  A central
    difference across the kink would average the two one-sided slopes: at T_S = Tc (1 -
    1.4e-16) in Dey Fig. 2(a) it printed -2.30e-14 W/K where the left slope is -8.5e-14."""
    idx, kink_T = bal.kink_idx, bal.kink_T
    t, m = T[idx], move[idx]
    reached = (m != 0) & ((t - np.abs(m) - kink_T) * (t + np.abs(m) - kink_T) <= 0)
    if not reached.any():
        return 0
    sides = {int(np.sign(mi)) * (1 if ti >= ki else -1)
             for ti, mi, ki in zip(t[reached], m[reached], kink_T[reached])}
    if len(sides) > 1:
        raise ConvergenceError(
            f"{q.column}: the difference step reaches kinks (Tc) of two nodes on opposite "
            "sides of the state; move the point off Tc")
    return sides.pop()


def stencil_within_grids(bal: HeatBalance, T: np.ndarray, dT: np.ndarray, s: float):
    """(step, grids) of a D() stencil reaching 2 s dT from T: the photon grids are valid within
    their radius of where they were verified (2-10 %, but next to Tc down to 1e-6), so a
    stencil that would leave it has the grids verified at T and its step shrunk into their
    radius; within ~1e-6 of Tc, where a grid has no room (HeatBalance._kink_radius), the
    step stays and each stencil point gets a grid of its own: then the state's grids
    (HeatBalance.grid_state) come back as the second value, else None.  A grid verified at
    T_S = Tc (1 - 1.4e-16) and used 2e-5 away put D(Q(S,D),TS) 1.3e-13 W/K off, the wrong
    sign."""
    reach = 2 * s * float(np.max(np.abs(dT) / T))
    if reach <= bal.grid_room(T):
        return s, None
    if not bal.verified_at(T):
        bal.choose_grids(T, radius=0.0)
    room = bal.grid_room(T)
    if room > 0:
        return s * min(1.0, room / reach), None
    return s, bal.grid_state()


class Runner:
    def __init__(self, ctx: Context, prints, progress: Optional[Progress] = None):
        self.ctx = ctx
        self.prints = prints
        self.progress = progress or Progress(None)

    def columns(self, bal: HeatBalance, state: SteadyState, target_values) -> Dict[str, float]:
        probe = Probe(bal, state.T)
        return {q.column: self.value(probe, q, state.T, target_values) for q in self.prints}

    def value(self, probe: Probe, q: Quantity, T: np.ndarray, target_values) -> float:
        """One column at the state T: a quantity, a derivative, or an expression of them
        (netlist/columns.py)."""
        if isinstance(q, ExpressionQuantity):
            parts = {p.column: self.value(probe, p, T, target_values) for p in q.args}
            return evaluate_column(q, parts, target_values)
        if q.func == "D":
            return self.derivative(q, T, target_values, {})
        return probe.value(q)

    def derivative(self, q: Quantity, T: np.ndarray, target_values,
                   overrides: Dict[Target, float]) -> float:
        """``D(inner, NAME)`` at the state T (all nodes) with the targets in ``overrides``
        moved (an enclosing D()), along the tangent of the steady state: dT/dp =
        -J^-1 dF/dp (implicit function theorem, J the analytic Jacobian), no re-solve.
        D(T(NODE), NAME) is that linear solve itself, D(Q(A,B), SOURCE) the links' dQ/dT
        along it (``Probe.q_slope``) away from a Tc; any other quantity X is differenced
        along the tangent, X(T + s dT/dp, p + s), with s moving the temperatures by
        DERIV_REL of themselves (or p by DERIV_REL of its own scale where nothing moves);
        where that step would reach a kink of the balance, one-sided (``kink_side``)."""
        inner, target = q.args
        assert isinstance(inner, Quantity) and isinstance(target, Target)
        v0 = overrides[target] if target in overrides else target_values(target)
        bal = self.ctx.with_values(overrides)
        dT = tangent(bal, T, target, lambda v: self.ctx.with_values({**overrides, target: v}),
                     v0)
        self.ctx.with_values(overrides)
        if inner.func == "T":
            return float(dT[bal.index[inner.args[0]]])
        rel = np.abs(dT) / T
        s = DERIV_REL * (1.0 / rel.max() if rel.max() > 0 else _own_scale(bal, target, v0))
        s *= DERIV_NESTED ** _depth(inner)
        if inner.func == "Q" and target.kind == "source" and \
                kink_side(bal, T, 2 * s * dT, q) == 0:
            # a heater or temperature source moves Q(A,B) only through the temperatures:
            # the links' own derivatives, no difference quotient.  Not next to a Tc: there
            # the slope of a film below its gap (x < 12) grows ~1/b on a band of width ~b,
            # which the grid, verified on the heat and not on its slope, does not resolve
            # (at 1e-9 from Tc this gave the right-hand slope, 3.8e-14 W/K, for the left,
            # -8.5e-14); the difference of heats below integrates what it moves
            a, b = inner.args
            return Probe(bal, T).q_slope(a, b, dT)
        s, own_grids = stencil_within_grids(bal, T, dT, s)
        side = kink_side(bal, T, s * dT, q)

        def at(step: float) -> float:
            moved = {**overrides, target: v0 + step}
            Tm = T + step * dT
            if inner.func == "D":
                return self.derivative(inner, Tm, target_values, moved)
            at_bal = self.ctx.with_values(moved)
            if own_grids is not None and step != 0.0:
                at_bal.choose_grids(Tm, radius=0.0)
            value = Probe(at_bal, Tm).value(inner)
            if own_grids is not None:
                at_bal.restore_grids(own_grids)
            return value

        if side == 0:
            out = (at(s) - at(-s)) / (2 * s)
        else:       # second order on the point's side of the kink: (-3 f0 + 4 f1 - f2)/2h
            h = side * s
            out = (4 * at(h) - at(2 * h) - 3 * at(0.0)) / (2 * h)
        self.ctx.with_values(overrides)           # back to the enclosing state
        return out

    def _values_of(self, overrides: Dict[str, float]):
        def current(target: Target) -> float:
            if target.key in overrides:
                return overrides[target.key]
            if target.kind == "param":
                flat = self.ctx.balance().circuit.flat
                if target.key not in flat.params and flat.binder is not None:
                    # an element parameter (ELEMENT.PARAM, a bias source's value)
                    return flat.binder.element_parameter_value(target.key)
                return flat.params[target.key]
            return self.ctx.balance().value(target.key)
        return current

    def point(self, guess: Optional[np.ndarray], memory: SolverMemory, target_values):
        """Solve one point and evaluate its columns: (state, columns, relative energy
        residual), or raise PointFailed with the reason (never a non-finite number)."""
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise"):
                # an overflow or 0/0 in a kernel (values at the float limits) fails the point
                bal = self.ctx.balance()
                state = solve(bal, _free_T(bal, guess), memory)
                if not state.converged:
                    require(state, bal)                     # raises, naming the nodes
                values = self.columns(bal, state, target_values)
                energy = bal.relative_imbalance(state.T)
        except ThermnetError as exc:        # not converged, a fold under D(), a bad value
            raise PointFailed(str(exc), exc) from None
        except (ArithmeticError, ValueError) as exc:     # a kernel outside its domain
            raise PointFailed(f"numerical failure: {exc}") from None
        bad = [k for k, val in values.items() if not np.isfinite(val)]
        if bad or not np.all(np.isfinite(state.T)) or not np.isfinite(energy):
            raise PointFailed("not a finite number: " + ", ".join(bad or ["temperatures"]))
        return state, values, energy

    def op(self, step) -> AnalysisResult:
        try:
            # the end of the ramp from the bath state, or from .nodeset (solve/branches.py)
            state, cols, energy, warnings = branches.op_point(self)
        except PointFailed as exc:
            if exc.error is not None:        # the located error itself
                raise exc.error from None
            raise ConvergenceError(f".op: {exc}") from None
        self.progress.advance()
        flat = self.ctx.balance().circuit.flat
        return AnalysisResult("op", step, cols, np.array([True]), [], np.array([energy]),
                              dimensions=_column_dimensions(flat, self.prints),
                              warnings=warnings)

    def sweep(self, sweep: Sweep, step) -> AnalysisResult:
        if sweep.trace:
            return branches.trace(self, sweep, step)
        n = len(sweep.values)
        name = sweep.target.name
        flat = self.ctx.balance().circuit.flat
        dim = target_dimension(flat, sweep.target)
        dims = {name: dim, **_column_dimensions(flat, self.prints)}
        info = {"name": name, "spacing": sweep.mode, "kind": sweep.target.kind,
                "dimension": dim}
        cols = {name: np.array(sweep.values, dtype=float)}
        for q in self.prints:
            cols[q.column] = np.full(n, np.nan)
        converged = np.zeros(n, dtype=bool)
        balance = np.full(n, np.nan)
        failures = []
        history: List[Tuple[float, np.ndarray]] = []   # last two points (value, T): predictor
        slopes: List[Optional[np.ndarray]] = []          # d ln T / dv there, if known
        start_warnings: List[str] = []
        checker = branches.sweep_checker(self, sweep)    # folds and jumps (solve/branches.py)
        memory = SolverMemory()
        jacobians: List[np.ndarray] = []     # exact ones at the last two points, if known
        saved = dict(self.ctx.sources), dict(self.ctx.params)
        try:
            for i in range(n):
                self.progress.advance()
                v = float(sweep.values[i])
                (self.ctx.params if sweep.target.kind == "param" else self.ctx.sources)[
                    sweep.target.key] = v
                guess = _predict(history, v, slopes)
                if len(jacobians) == 2 and history[0][0] != history[1][0]:
                    # the Jacobian extrapolated along the sweep too (as the temperatures):
                    # Newton's reused matrix then errs by O(h^2), not O(h), and its chord
                    # steps contract ~100x faster
                    ratio = (v - history[1][0]) / (history[1][0] - history[0][0])
                    memory.keep(True, jacobians[1] + ratio * (jacobians[1] - jacobians[0]))
                if guess is None:        # the first point: where .op would be (branches.py)
                    guess, start_warnings = branches.start_guess(
                        self, f"sweep over {name}, point {i} ({name}={v:g})")
                try:
                    state, values, balance[i] = self.point(
                        guess, memory, self._values_of({sweep.target.key: v}))
                except PointFailed as exc:      # recorded; the rest of the sweep runs
                    failures.append(f"point {i} ({name}={v:g}): {exc}")
                    continue
                for k, val in values.items():
                    cols[k][i] = val
                converged[i] = True
                history = (history + [(v, state.T)])[-2:]
                p = checker.add(i, v, state.T)
                slope = None
                jacobians = jacobians[-1:] if p is not None else []
                if p is not None:
                    # the exact Jacobian and tangent there start the next point's Newton
                    jacobians.append(log_ratio_jacobian(self.ctx.bal, p.Fx, p.S))
                    memory.keep(True, jacobians[-1])
                    if abs(p.t_mu) > 1e-12:
                        slope = np.zeros(len(state.T))
                        slope[self.ctx.bal.free] = p.t[:-1] / (p.t_mu * checker.tracer.L)
                slopes = (slopes + [slope])[-len(history):]
        finally:
            self.ctx.sources, self.ctx.params = saved
        # folds and jumps between the points (solve/branches.py)
        folds, warnings = branches.check_plain(self, sweep, checker, cols, balance)
        warnings = start_warnings + warnings
        return AnalysisResult("sweep", step, cols, converged, failures, balance, swept=name,
                              sweep=info, dimensions=dims, folds=folds, warnings=warnings)


# ---- dimensions of columns, for plots (results.types.AnalysisResult.dimensions) -----------
def _column_dimensions(flat: FlatCircuit, prints) -> Dict[str, str]:
    dims = {q.column: quantity_dimension(flat, q) for q in prints}
    return {k: v for k, v in dims.items() if v is not None}


# target_dimension and quantity_dimension live in netlist/columns.py (imported above)


def analysis_kind(analysis) -> str:
    """op, sweep, tran, ac or noise."""
    if analysis is None:
        return "op"
    if isinstance(analysis, Sweep):
        return "sweep"
    return type(analysis).__name__.lower()


def prints_for(flat: FlatCircuit, prints, kind: str):
    """The .print quantities an analysis of ``kind`` prints (quantities.applies), or its
    defaults: the free nodes' temperatures, ONOISE and INOISE for .noise."""
    chosen = [q for q in prints if applies(q.func, kind)
              and not (kind == "tran" and _has_derivative(q))]
    if chosen:
        return chosen
    if kind == "noise":
        from thermnet.netlist.elaborate import Quantity as Q
        return [Q("ONOISE", (), "ONOISE", None), Q("INOISE", (), "INOISE", None)]
    return default_prints(flat)


def _has_derivative(q) -> bool:
    """Whether D() appears in q (an expression's parts included)."""
    return q.func == "D" or (isinstance(q, ExpressionQuantity) and
                             any(_has_derivative(p) for p in q.args))


def check_prints(flat: FlatCircuit) -> None:
    """A quantity no analysis of the netlist prints is an error at its place (it would be
    silently missing from the output)."""
    kinds = {analysis_kind(a) for a in (flat.analyses or [None])}
    for q in flat.prints:
        if not any(applies(q.func, k) for k in kinds):
            need = {"PH": ".ac", "RE": ".ac", "IM": ".ac", "D": ".op or .sweep"}.get(
                q.func, ".noise")
            raise NetlistError(f"{q.column} is printed by {need} analyses only, and this "
                               "netlist has none", q.span, f"add {need.split()[0]} ..., or "
                               "remove it from .print")


def default_prints(flat: FlatCircuit):
    from thermnet.netlist.elaborate import Quantity as Q
    sources = {e.nodes[0] for e in flat.elements.values() if e.letter == "T"}
    return [Q("T", (k,), f"T({v})", None) for k, v in flat.thermal_nodes.items()
            if k not in sources]


def run(bal: HeatBalance, params, sources, options, progress=False,
        combos: Optional[Sequence[int]] = None) -> Results:
    """Every analysis of the circuit of ``bal`` (each .step combination in turn) with
    .params, sources and options overridden by name.  The structure is built once; each
    combination rebinds it; the netlist's own values are bound again at the end.  The
    balance keeps its verified photon grids from one run to the next (a Netlist's runs);
    every steady state still starts cold.  ``progress``: one bar over every point of the
    run (unless ``.options progress=0``).

    ``combos``: the indices (``family.combination``) of the .step combinations to run
    (default: all).  Each combination of a .step family starts cold (balance rebound,
    photon grids chosen afresh, new solver memory), so its results depend on nothing that
    ran before it: any process may run any combination in any order and get the same bits
    (solve/family.py, docs/scaling.md)."""
    from thermnet.solve.family import combination, family_size
    ctx = Context(bal, params, sources, options)
    flat = ctx.flat
    check_prints(flat)
    bar = Progress(None)
    steps = list(flat.steps)
    try:
        ctx.balance()
        steps = list(flat.steps)
        prints = flat.prints or default_prints(flat)
        hidden = measure.hidden_columns(flat.measures, prints)
        step_dims = {st.target.name: target_dimension(flat, st.target) for st in steps}
        results = []
        indices = range(family_size(steps)) if combos is None else combos
        per_step = points(flat.analyses)
        if progress and flat.options.get("progress", 1):
            bar = Progress(per_step * len(indices), flat.title or "thermnet")
        for index in indices:
            combo = combination(steps, index)
            ctx.params, ctx.sources, step = dict(params), dict(sources), {}
            if steps:
                ctx.bal.bound = None                 # a cold start (see above)
            for st, v in zip(steps, combo):
                (ctx.params if st.target.kind == "param" else ctx.sources)[st.target.key] = \
                    float(v)
                step[st.target.name] = float(v)
            flat.rebind(ctx.params, analyses=True)   # sweep values may depend on .step's
            bar.expect(points(flat.analyses) - per_step)
            ctx.balance()
            for analysis in (flat.analyses or [None]):
                kind = analysis_kind(analysis)
                runner = Runner(ctx, prints_for(flat, prints, kind) +
                                [q for q in hidden if applies(q.func, kind)], bar)
                if analysis is None:
                    results.append(runner.op(step))
                elif isinstance(analysis, Sweep):
                    results.append(runner.sweep(analysis, step))
                elif kind == "tran":
                    results.append(transient.run_tran(runner, analysis, step))
                elif kind == "ac":
                    results.append(smallsignal.run_ac(runner, analysis, step))
                else:
                    results.append(smallsignal.run_noise(runner, analysis, step))
                results[-1].dimensions.update(step_dims)
                labels = {c: flat.labels[c] for c in results[-1].columns if c in flat.labels}
                if labels:                   # .print label=: the figures' axis labels
                    results[-1].extras["labels"] = labels
                ctx.balance()                # the .params of this .step value (a swept one
                measure.attach(results[-1], flat, hidden)   # is back too) for .measure
    finally:
        bar.close()
        # back to the netlist's own (set) values: a .step or a swept .param moved them
        if steps or ctx.bal.bound != tuple(sorted(params.items())):
            flat.rebind(params, analyses=True)
            ctx.bal.bound = None
    return Results(flat.title, results)
