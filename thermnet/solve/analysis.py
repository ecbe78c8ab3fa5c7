"""Runs the analyses of a netlist: ``.op``, ``.sweep`` (warm-started, failed points recorded
and skipped), nested ``.step`` families, and the ``.print`` quantities including
derivatives ``D(quantity, NAME)``."""
from __future__ import annotations

import itertools
from typing import Dict, Optional

import numpy as np

from thermnet.model.balance import HeatBalance
from thermnet.model.circuit import Circuit
from thermnet.model.probes import Probe
from thermnet.netlist.elaborate import (QUANTITY_DIMENSIONS, FlatCircuit, Quantity, Sweep,
                                        Target, derivative_dimension, elaborate)
from thermnet.results.types import AnalysisResult, Results
from thermnet.solve.steady import SteadyState, require, solve

DERIV_STEP = 1e-4      # relative step of the central difference in D(quantity, NAME)
DERIV_RELTOL = 1e-13   # solver tolerance of the perturbed solves in D()


class Context:
    """The circuit at given parameter and source values; one HeatBalance per parameter set."""

    def __init__(self, cards, file, params: Dict[str, float], sources: Dict[str, float],
                 options: Dict[str, float]):
        self.cards, self.file = cards, file
        self.params = dict(params)
        self.sources = dict(sources)
        self.option_overrides = options
        # parameter set -> (balance, the netlist's own source values in it)
        self._cache: Dict[tuple, tuple] = {}

    def balance(self, params: Optional[Dict[str, float]] = None) -> HeatBalance:
        params = self.params if params is None else params
        key = tuple(sorted(params.items()))
        entry = self._cache.get(key)
        if entry is None:
            flat = elaborate(self.cards, self.file, params)
            flat.options.update(self.option_overrides)
            bal = HeatBalance(Circuit(flat), flat.options)
            written = {k: e.value for k, e in flat.elements.items() if e.letter in ("T", "P")}
            if len(self._cache) > 8:
                self._cache.clear()
            entry = self._cache[key] = (bal, written)
        bal, written = entry
        # Every source at its current value: an override, else the netlist's own value (a
        # sweep or a derivative may have left another value in the cached balance).
        for k, v in written.items():
            v = self.sources.get(k, v)
            if flat_value(bal, k) != v:
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


def flat_value(bal: HeatBalance, key: str) -> float:
    return bal.circuit.flat.elements[key].value


def _free_T(bal: HeatBalance, T: Optional[np.ndarray]):
    return None if T is None else T[bal.free]


MAX_PREDICTED_STEP = 0.5   # largest extrapolated change of ln T at a sweep point


def _predict(history, v) -> Optional[np.ndarray]:
    """Warm start for the sweep point at value v: the previous solution, extrapolated
    linearly in ln T from the two previous points (a secant predictor, as in continuation
    methods), the change capped at MAX_PREDICTED_STEP."""
    if not history:
        return None
    v1, T1 = history[-1]
    if len(history) < 2 or history[0][0] == v1:
        return T1
    v0, T0 = history[0]
    step = (np.log(T1) - np.log(T0)) * (v - v1) / (v1 - v0)
    return T1 * np.exp(np.clip(step, -MAX_PREDICTED_STEP, MAX_PREDICTED_STEP))


class Runner:
    def __init__(self, ctx: Context, prints, progress=False):
        self.ctx = ctx
        self.prints = prints
        self.progress = progress

    def columns(self, bal: HeatBalance, state: SteadyState, target_values) -> Dict[str, float]:
        probe = Probe(bal, state.T)
        perturbed = {}      # (target, sign) -> solved state: D()s of one target share them
        out = {}
        for q in self.prints:
            out[q.column] = self.value(q, bal, probe, state, target_values, perturbed)
        return out

    def value(self, q: Quantity, bal, probe, state, target_values, perturbed=None,
              overrides: Optional[Dict[Target, float]] = None) -> float:
        """A printed quantity; ``D(inner, NAME)`` by a central difference of re-solved states
        (NAME at v0 +- DERIV_STEP v0, solved to DERIV_RELTOL).  ``overrides``: the values an
        enclosing D() has perturbed (nested D).  ``perturbed`` caches the re-solved states
        for the top-level D()s of one point."""
        if q.func != "D":
            return probe.value(q)
        overrides = overrides or {}
        inner, target = q.args
        v0 = overrides[target] if target in overrides else target_values(target)
        step = DERIV_STEP * (abs(v0) if v0 != 0 else 1.0)
        vals = []
        for sign in (+1, -1):
            moved = {**overrides, target: v0 + sign * step}
            b = self.ctx.with_values(moved)
            key = (target.kind, target.key, sign)
            st = perturbed.get(key) if perturbed is not None and not overrides else None
            if st is None:
                saved = b.options["reltol"]
                b.options["reltol"] = DERIV_RELTOL
                try:
                    st = require(solve(b, _free_T(b, state.T)), b)
                finally:
                    b.options["reltol"] = saved
                if perturbed is not None and not overrides:
                    perturbed[key] = st
            vals.append(self.value(inner, b, Probe(b, st.T), st, target_values,
                                   overrides=moved))
        self.ctx.with_values(overrides)           # back to the enclosing state
        return (vals[0] - vals[1]) / (2 * step)

    def _values_of(self, overrides: Dict[str, float]):
        def current(target: Target) -> float:
            if target.key in overrides:
                return overrides[target.key]
            if target.kind == "param":
                return self.ctx.balance().circuit.flat.params[target.key]
            return flat_value(self.ctx.balance(), target.key)
        return current

    def op(self, step) -> AnalysisResult:
        bal = self.ctx.balance()
        state = require(solve(bal), bal)
        cols = self.columns(bal, state, self._values_of({}))
        resid, scale = bal.energy_balance(state.T)
        flat = bal.circuit.flat
        return AnalysisResult("op", step, cols, np.array([True]), [],
                              np.array([resid / scale if scale else 0.0]),
                              dimensions=_column_dimensions(flat, self.prints))

    def sweep(self, sweep: Sweep, step) -> AnalysisResult:
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
        history = []       # the last two converged points (value, T), for the predictor
        iterator = range(n)
        if self.progress:
            from tqdm import tqdm
            iterator = tqdm(iterator, desc=f"sweep {name}", unit="pt", leave=False, delay=0.5)
        saved = dict(self.ctx.sources), dict(self.ctx.params)
        try:
            for i in iterator:
                v = float(sweep.values[i])
                (self.ctx.params if sweep.target.kind == "param" else self.ctx.sources)[
                    sweep.target.key] = v
                bal = self.ctx.balance()
                state = solve(bal, _free_T(bal, _predict(history, v)))
                if not state.converged:
                    failures.append(f"point {i} ({name}={v:g}): {state.message}; tried: "
                                    + "; ".join(state.tried))
                    continue
                try:
                    values = self.columns(bal, state, self._values_of({sweep.target.key: v}))
                except Exception as exc:  # a derivative's perturbed solve failed
                    from thermnet.errors import ConvergenceError
                    if not isinstance(exc, ConvergenceError):
                        raise
                    failures.append(f"point {i} ({name}={v:g}): derivative: {exc.message}")
                    continue
                for k, val in values.items():
                    cols[k][i] = val
                converged[i] = True
                resid, scale = bal.energy_balance(state.T)
                balance[i] = resid / scale if scale else 0.0
                history = (history + [(v, state.T)])[-2:]
        finally:
            self.ctx.sources, self.ctx.params = saved
        return AnalysisResult("sweep", step, cols, converged, failures, balance, swept=name,
                              sweep=info, dimensions=dims)


# ---- dimensions of columns, for plots (results.types.AnalysisResult.dimensions) -----------
def _column_dimensions(flat: FlatCircuit, prints) -> Dict[str, str]:
    dims = {q.column: quantity_dimension(flat, q) for q in prints}
    return {k: v for k, v in dims.items() if v is not None}


def target_dimension(flat: FlatCircuit, target: Target) -> str:
    """A source's value dimension; a .param is dimensionless (it carries no unit)."""
    if target.kind != "source":
        return "dimensionless"
    from thermnet.elements import ELEMENT_KINDS
    return ELEMENT_KINDS[flat.elements[target.key].letter].value_spec.dimension


def quantity_dimension(flat: FlatCircuit, q: Quantity) -> Optional[str]:
    """``temperature``, ``power`` ...; ``D(X,NAME)``: X's over NAME's, e.g. ``temperature/power``
    (X's alone for a .param, ``dimensionless`` for like over like); None if not known."""
    if q.func != "D":
        return QUANTITY_DIMENSIONS.get(q.func)
    inner, target = q.args
    num, den = quantity_dimension(flat, inner), target_dimension(flat, target)
    return None if num is None else derivative_dimension(num, den)


def default_prints(flat: FlatCircuit):
    from thermnet.netlist.elaborate import Quantity as Q
    sources = {e.nodes[0] for e in flat.elements.values() if e.letter == "T"}
    return [Q("T", (k,), f"T({v})", None) for k, v in flat.thermal_nodes.items()
            if k not in sources]


def run(cards, file, params, sources, options, progress=False) -> Results:
    base_ctx = Context(cards, file, params, sources, options)
    base = base_ctx.balance().circuit.flat
    prints = base.prints or default_prints(base)
    results = []
    combos = list(itertools.product(*[s.values for s in base.steps])) if base.steps else [()]
    for combo in combos:
        p, s, step = dict(params), dict(sources), {}
        for st, v in zip(base.steps, combo):
            (p if st.target.kind == "param" else s)[st.target.key] = float(v)
            step[st.target.name] = float(v)
        ctx = Context(cards, file, p, s, options)
        flat = ctx.balance().circuit.flat
        runner = Runner(ctx, flat.prints or default_prints(flat), progress)
        step_dims = {st.target.name: target_dimension(flat, st.target) for st in base.steps}
        for analysis in (flat.analyses or [None]):
            results.append(runner.op(step) if analysis is None else runner.sweep(analysis, step))
            results[-1].dimensions.update(step_dims)
    del prints
    return Results(base.title, results)
