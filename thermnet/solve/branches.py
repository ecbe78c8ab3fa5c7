"""The analyses' side of branches (solve/folds.py does the numerics): the ``.op`` state
(ramp from the bath state, or ``.nodeset``), the fold and jump report of a plain sweep, and
the rows of a ``trace`` sweep.  Called by solve.analysis.Runner."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import numpy as np

from thermnet.errors import ConvergenceError
from thermnet.model.probes import Probe
from thermnet.netlist.elaborate import Sweep, Target
from thermnet.solve import folds
from thermnet.solve.continuation import ContinuationFailed
from thermnet.solve.steady import SolverMemory, _uniform_guess

if TYPE_CHECKING:
    from thermnet.solve.analysis import Runner


def _g(v: float) -> str:
    return f"{v:.6g}"


def op_point(runner: "Runner"):
    """(state, columns, relative energy residual, warnings) of ``.op``: Newton from
    :func:`start_guess`."""
    guess, warnings = start_guess(runner, ".op")
    return (*runner.point(guess, SolverMemory(), runner._values_of({})), warnings)


def start_guess(runner: "Runner", where: str) -> Tuple[Optional[np.ndarray], List[str]]:
    """Where the first steady state of an analysis starts (``.op``, a sweep's first point):
    the .nodeset temperatures if the netlist has them; None (the steady solver's cold
    start) if the circuit has only one steady state (Circuit.unique_state); else the end of
    the ramp from the bath state (folds.ramp; each fold on the way a warning), else (the
    ramp could not be followed: a warning) None.  Returns (temperatures of every node or
    None, warnings)."""
    ctx = runner.ctx
    bal = ctx.balance()
    nodeset = ctx.flat.nodeset
    warnings: List[str] = []
    if nodeset:
        return nodeset_guess(bal, nodeset), warnings
    if not len(bal.free) or bal.circuit.unique_state():
        return None, warnings          # one steady state: where any ramp ends
    try:
        ramp = folds.ramp(bal)
    except (ContinuationFailed, ConvergenceError, ArithmeticError, ValueError) as exc:
        warnings.append(f"{where}: the ramp from the bath state could not be followed ({exc}); "
                        "the state shown is the steady solver's, which may lie on another "
                        "branch than an experiment's")
        return None, warnings
    ctx.balance()                                  # the full values again
    nodes = [bal.circuit.flat.thermal_nodes[bal.nodes[i]] for i in bal.free]
    for lam, before, after in ramp.folds:
        moved = np.abs(np.log(after[bal.free] / before[bal.free]))
        k = int(np.argmax(moved))
        i = bal.free[k]
        loads = _load_text(bal, lam)
        warnings.append(
            f"{where}: ramping the heaters and sources from the bath state passed a fold at "
            f"{100 * lam:.4g} % of their values ({loads}): T({nodes[k]}) jumped "
            f"{_g(before[i])} -> {_g(after[i])} K; the state shown is where the ramp ends; "
            f".nodeset T({nodes[k]})=VALUE selects another branch")
    return ramp.T, warnings


def _load_text(bal, lam: float) -> str:
    flat = bal.circuit.flat
    parts = [f"{flat.elements[k].name} = {_g(lam * p)} W"
             for k, p in zip(bal.heater_keys, bal.heater_power)]
    lo = float(bal.source_T.min())
    parts += [f"{flat.elements[k].name} = {_g(lo + lam * (t - lo))} K"
              for k, t in zip(bal.source_keys, bal.source_T) if t != lo]
    return ", ".join(parts) or "no heaters"


def nodeset_guess(bal, nodeset: Dict[str, float]) -> np.ndarray:
    """Temperatures of every node: the .nodeset values, the other free nodes at the
    solver's uniform-temperature estimate."""
    T = bal.full(np.exp(_uniform_guess(bal)))
    for key, v in nodeset.items():
        T[bal.index[key]] = v
    return T


def _family(runner: "Runner", target: Target) -> folds.SweepFamily:
    ctx = runner.ctx
    return folds.SweepFamily(ctx.bal, lambda v: ctx.with_values({target: v}), target)


def row(runner: "Runner", target: Target, v: float, T: np.ndarray, at_fold: bool):
    """The printed columns and the relative energy residual at the state T with the target
    at v (set on the context while the columns are evaluated, so that D() of any target
    sees it).  At a fold a column with D() in it, an expression's included, is infinite
    (dT/dp = -J^-1 dF/dp with J singular)."""
    from thermnet.solve.analysis import _has_derivative
    ctx = runner.ctx
    store = ctx.params if target.kind == "param" else ctx.sources
    missing = object()
    old = store.get(target.key, missing)
    store[target.key] = v
    try:
        bal = ctx.balance()
        probe = Probe(bal, T)
        values_of = runner._values_of({target.key: v})
        out: Dict[str, float] = {}
        for q in runner.prints:
            out[q.column] = float("inf") if at_fold and _has_derivative(q) else \
                float(runner.value(probe, q, T, values_of))
        energy = bal.relative_imbalance(T)
    finally:
        if old is missing:
            del store[target.key]
        else:
            store[target.key] = old      # type: ignore[assignment]
        ctx.balance()
    return out, energy


def fold_record(name: str, v: float, columns: Dict[str, float]) -> Dict[str, float]:
    return {name: v, **columns}


def fold_warning(where: str, name: str, rec: Dict[str, float]) -> str:
    shown = ", ".join(f"{k} = {_g(x)}" for k, x in rec.items() if k != name and
                      np.isfinite(x))
    return f"{where}: fold (turning point) at {name} = {_g(rec[name])}" + \
        (f" ({shown})" if shown else "")


def sweep_checker(runner: "Runner", sweep: Sweep) -> folds.SweepChecker:
    """The fold and jump check of a plain sweep (folds.SweepChecker): the sweep adds each
    converged point to it as it goes, then calls :func:`check_plain`."""
    span = float(np.ptp(sweep.values)) or abs(float(sweep.values[0])) or 1.0
    return folds.SweepChecker(_family(runner, sweep.target), span, sweep.target.name, _g)


def check_plain(runner: "Runner", sweep: Sweep, checker: folds.SweepChecker, cols,
                balance) -> Tuple[List[Dict[str, float]], List[str]]:
    """Folds and jumps of a plain sweep's points; points the solver took off the branch
    are replaced by the branch's (cols, balance updated in place).  Returns (fold records,
    warnings)."""
    target, name = sweep.target, sweep.target.name
    family = checker.family
    try:
        check = checker.finish()
    except (ConvergenceError, ArithmeticError, ValueError) as exc:
        runner.ctx.balance()
        return [], [f"sweep over {name}: folds and jumps not checked ({exc})"]
    records, warnings = [], []
    for _, f in check.folds:
        T = family.full(f.x, f.lam)
        columns, _ = row(runner, target, f.lam, T, at_fold=True)
        rec = fold_record(name, f.lam, columns)
        records.append(rec)
        warnings.append(fold_warning(f"sweep over {name}", name, rec))
    for i, T in check.replaced.items():
        columns, balance[i] = row(runner, target, float(sweep.values[i]), T, at_fold=False)
        for k, val in columns.items():
            cols[k][i] = val
    warnings += [f"sweep over {name}: {m}" for m in check.jumps + check.notes]
    runner.ctx.balance()
    return records, warnings


def _stable(ctx, target: Target, v: float, T: np.ndarray) -> float:
    """1.0 if the state T at the target's value v is stable, else 0.0."""
    from thermnet.solve.smallsignal import stable
    verdict = stable(ctx.with_values({target: v}), T)
    ctx.balance()
    return float(bool(verdict))


def trace(runner: "Runner", sweep: Sweep, step):
    """A ``trace`` sweep: the branch from the first grid value (solved from .nodeset or
    cold) followed by continuation through its folds.  Rows, in order along the branch:
    every crossing of a grid value (START ... STOP as the plain sweep's), every fold, and
    the continuation's own steps where the branch is steep or turns back (|dlam/ds| < 0.3
    in the scaled coordinates).  Returns the AnalysisResult."""
    from thermnet.results.types import AnalysisResult
    from thermnet.solve.analysis import PointFailed, _column_dimensions, target_dimension
    ctx, target, name = runner.ctx, sweep.target, sweep.target.name
    flat = ctx.flat
    dim = target_dimension(flat, target)
    dims = {name: dim, **_column_dimensions(flat, runner.prints)}
    info = {"name": name, "spacing": sweep.mode, "kind": target.kind, "dimension": dim,
            "trace": True}
    v0 = float(sweep.values[0])
    failures: List[str] = []
    rows: List[Tuple[float, Optional[Dict[str, float]], float, str]] = []
    states: Dict[int, np.ndarray] = {}                 # row -> temperatures of every node
    saved = dict(ctx.sources), dict(ctx.params)
    try:
        (ctx.params if target.kind == "param" else ctx.sources)[target.key] = v0
        guess, start_warnings = start_guess(runner, f"trace over {name}, first point")
        try:
            state, _, _ = runner.point(guess, SolverMemory(), runner._values_of({target.key: v0}))
        except PointFailed as exc:
            failures.append(f"point 0 ({name}={_g(v0)}): {exc}; nothing to trace from")
            state = None
        if state is not None:
            family = _family(runner, target)
            try:
                tr = folds.trace_sweep(family, state.T, np.asarray(sweep.values, dtype=float))
            except ContinuationFailed as exc:
                tr = None
                failures.append(f"trace from {name}={_g(v0)}: {exc}")
            if tr is not None:
                for ev in tr.events:
                    if ev.kind == "failed":
                        rows.append((ev.lam, None, np.nan, "failed"))
                        failures.append(f"point {len(rows) - 1} ({name}={_g(ev.lam)}): "
                                        f"{ev.message}")
                        continue
                    p = ev.point
                    T = family.full(p.x, p.lam)
                    try:
                        columns, eb = row(runner, target, p.lam, T, ev.kind == "fold")
                    except (ConvergenceError, ArithmeticError, ValueError) as exc:
                        rows.append((p.lam, None, np.nan, "failed"))
                        failures.append(f"point {len(rows) - 1} ({name}={_g(p.lam)}): {exc}")
                        continue
                    rows.append((p.lam, columns, eb, ev.kind))
                    states[len(rows) - 1] = T
                if tr.stopped:
                    rows.append((np.nan, None, np.nan, "failed"))
                    failures.append(f"point {len(rows) - 1}: trace stopped: {tr.stopped}")
    finally:
        ctx.sources, ctx.params = saved
        ctx.balance()
    n = len(rows)
    cols = {name: np.array([r[0] for r in rows], dtype=float)}
    for q in runner.prints:
        cols[q.column] = np.array([r[1][q.column] if r[1] is not None else np.nan
                                   for r in rows], dtype=float)
    converged = np.array([r[1] is not None for r in rows], dtype=bool)
    if not n:
        cols = {name: np.array([v0]), **{q.column: np.array([np.nan]) for q in runner.prints}}
        converged = np.array([False])
    index, b = [], 0
    for r in rows:
        index.append(b)
        b += r[3] == "fold"
    if n and not ctx.bal.missing_capacity():
        # every free node has a heat capacity: the stability of each row's state, from the
        # eigenvalues of C^-1 dF/dT there (solve/smallsignal.stable)
        cols["stable"] = np.array([_stable(ctx, target, r[0], states[k]) if k in states
                                   else np.nan for k, r in enumerate(rows)])
        dims["stable"] = "boolean"
    records, warnings = [], start_warnings
    for (v, columns, _, kind) in rows:
        if kind == "fold" and columns is not None:
            rec = fold_record(name, v, columns)
            records.append(rec)
            warnings.append(fold_warning(f"trace over {name}", name, rec))
    return AnalysisResult("sweep", step, cols, converged, failures,
                          np.array([r[2] for r in rows] or [np.nan]), swept=name, sweep=info,
                          dimensions=dims, folds=records, warnings=warnings,
                          branch={"index": index, "kind": [r[3] for r in rows]})
