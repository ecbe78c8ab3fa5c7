"""``.measure``: numbers from the columns of an analysis (docs/language.md, ".measure").

The semantics are SPICE's (ngspice manual, ".meas(ure)"), on the analysis's x column (the
swept name of a sweep; the time or frequency of the analyses that have one) in the order of
its points, with straight lines between points:

- ``FROM``/``TO`` clip the data to the window, the values at its edges interpolated
  linearly; both must lie inside the range of x (else the measurement fails: it would
  describe less than asked);
- ``MAX``, ``MIN``: extremes over the points in the window and its interpolated edges;
  ``PP`` = MAX - MIN;
- ``AVG``: the trapezoid integral of the column over x divided by the width of the window
  (over the length of x travelled where x is not monotonic);
- ``FIND y AT=v``: y interpolated at the first place x = v;
- ``WHEN y=v``: the x where y - v changes sign, interpolated linearly between the two
  points: RISE counts changes from below v (y < v) to y >= v, FALL from above to y <= v,
  CROSS both (the default: the first crossing); ``=LAST`` takes the last one;
  ``FIND z WHEN y=v``: z interpolated at that place;
- ``PARAM={...}``: an expression of the measurements above it and of .params.

A measurement that cannot be evaluated (no such crossing, a window outside the data, a point
of the window that failed to converge, a measurement it uses failed) is NaN with its reason
in ``AnalysisResult.measure_failures``; never a number from partial data.
An ``.op`` has one point: MAX, MIN and AVG are its value, PP is 0.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.errors import NetlistError
from thermnet.netlist.columns import expression_dimension, quantity_dimension
from thermnet.netlist.elaborate import FlatCircuit, Quantity
from thermnet.netlist.expressions import Amount, Scope, evaluate, value_of
from thermnet.netlist.measures import LAST, Measure, slot_name
from thermnet.results.types import AnalysisResult
from thermnet.units import DIMENSIONS

HIDDEN = " measure:"      # prefix of the columns computed for .measure only (not shown)
EDGE_TOL = 1e-9           # FROM/TO/AT may exceed the range of x by this fraction of it


class MeasureFailed(Exception):
    """The reason a measurement has no value."""


# ---- columns ---------------------------------------------------------------------------------
def hidden_columns(measures: Sequence[Measure], prints: Sequence[Quantity]) -> List[Quantity]:
    """The quantities the measurements need that .print does not print, renamed so that
    they are evaluated at every point under a column name no .print can have."""
    printed = {q.column for q in prints}
    out: Dict[str, Quantity] = {}
    for m in measures:
        for q in m.quantities:
            if q.column not in printed:
                out.setdefault(q.column, dataclasses.replace(q, column=HIDDEN + q.column))
    return list(out.values())


def _data(data: Dict[str, Any], q: Quantity):
    return data[q.column] if q.column in data else data[HIDDEN + q.column]


def attach(r: AnalysisResult, flat: FlatCircuit, hidden: Sequence[Quantity]) -> None:
    """Take the hidden columns out of ``r`` and put the measurements of its analysis on it:
    ``r.measures`` (NaN where failed), ``r.measure_failures`` (reasons),
    ``r.measure_dimensions``."""
    data = dict(r.columns)
    for q in hidden:
        r.columns.pop(q.column, None)
        r.dimensions.pop(q.column, None)
    mine = [m for m in flat.measures if m.analysis == r.analysis]
    if not mine:
        return
    scope = flat.binder.scope if flat.binder is not None else None
    x_name = r.swept
    x_dim = r.dimensions.get(x_name) if x_name else None
    values: Dict[str, float] = {}
    dims: Dict[str, Optional[str]] = {}
    failures: Dict[str, str] = {}
    by_key = {m.key: m for m in mine}

    def run(m: Measure) -> None:
        if m.key in values:
            return
        for key in m.uses:              # a PARAM's measurements first (no cycles: elaborate)
            run(by_key[key])
        try:
            values[m.key] = measure_one(m, data, x_name, x_dim, scope, values)
        except MeasureFailed as exc:
            values[m.key] = math.nan
            failures[m.key] = str(exc)
        dims[m.key] = _dimension(m, flat, x_dim, dims, scope)
    for m in mine:
        run(m)
    for m in mine:                      # in the order of the cards
        r.measures[m.name] = values[m.key]
        if m.key in failures:
            r.measure_failures[m.name] = failures[m.key]
        if dims[m.key] is not None:
            r.measure_dimensions[m.name] = str(dims[m.key])


def _dimension(m: Measure, flat, x_dim, dims, scope) -> Optional[str]:
    if m.kind == "WHEN":
        return x_dim
    if m.kind != "PARAM":
        assert m.what is not None
        return quantity_dimension(flat, m.what)
    assert m.param is not None

    def of_name(key: str) -> Optional[str]:
        if key in dims:
            return dims[key]
        if scope is not None and scope.has(key):
            return scope.lookup(key, None).dimension or "dimensionless"
        return None
    try:
        return expression_dimension(m.param.expr, lambda node: None, of_name)
    except NetlistError:
        return None


def measure_one(m: Measure, data: Dict[str, Any], x_name: Optional[str], x_dim,
                scope, earlier: Dict[str, float]) -> float:
    """The value of measurement ``m`` from the columns ``data`` (x column ``x_name``, None
    for an .op); raises MeasureFailed with the reason."""
    if m.kind == "PARAM":
        return _param(m, scope, earlier)
    if x_name is None:                                   # .op: one point
        assert m.what is not None
        v = float(_data(data, m.what))
        return 0.0 if m.kind == "PP" else v
    x = np.asarray(data[x_name], dtype=float)
    dim = x_dim if x_dim in DIMENSIONS else None

    def number(item) -> float:
        return value_of(item, scope, dim, f"{slot_name(_slot(m, item))} of .measure {m.name}")
    lo = number(m.start) if m.start is not None else -math.inf
    hi = number(m.stop) if m.stop is not None else math.inf
    for v, what in ((lo, "FROM"), (hi, "TO")):
        _inside(x, v, what, x_name)
    columns = [np.asarray(_data(data, q), dtype=float) for q in m.quantities]
    _no_failed_points(x, columns, lo, hi, x_name)
    if m.kind in ("MAX", "MIN", "PP", "AVG"):
        return statistic(m.kind, x, columns[0], lo, hi)
    if m.at is not None:
        at = number(m.at)
        _inside(x, at, "AT", x_name)
        return find_at(x, columns[0], at)
    level = columns[-1] if m.level is not None else np.full(len(x), m.level_value) \
        if m.level_param is None else np.full(len(x), _param(m, scope, earlier))
    y_when = columns[1] if m.kind == "FIND" else columns[0]
    found = crossing(x, y_when - level, m.edge, m.count, lo, hi,
                     columns[0] if m.kind == "FIND" else None)
    if found is None:
        which = "LAST" if m.count == LAST else str(m.count)
        where = "" if m.start is None and m.stop is None else \
            f" between {x_name}={lo:g} and {hi:g}"
        assert m.when is not None
        raise MeasureFailed(f"no {m.edge}={which} of {m.when.column} through "
                            f"{_level_text(m)}{where}")
    return found


def _slot(m: Measure, item) -> str:
    return "start" if item is m.start else "stop" if item is m.stop else "at"


def _level_text(m: Measure) -> str:
    if m.level_param is not None:
        return m.level_param.text
    return m.level.column if m.level is not None else f"{m.level_value:g}"


def _inside(x: np.ndarray, v: float, what: str, x_name) -> None:
    if not math.isfinite(v):
        return
    lo, hi = float(np.min(x)), float(np.max(x))
    tol = EDGE_TOL * max(hi - lo, abs(hi), abs(lo), 1e-300)
    if not lo - tol <= v <= hi + tol:
        raise MeasureFailed(f"{what}={v:g} is outside the range of {x_name}, "
                            f"[{lo:g}, {hi:g}]")


def _no_failed_points(x, columns, lo, hi, x_name) -> None:
    inside = (x >= lo) & (x <= hi)
    bad = inside & ~np.all([np.isfinite(c) for c in columns], axis=0)
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in x[bad][:5]) + (" ..." if bad.sum() > 5 else "")
        raise MeasureFailed(f"the point(s) at {x_name}={shown} failed; a measurement from "
                            "the other points could be wrong")


# ---- numbers on straight lines between points ------------------------------------------------
def clipped(x: np.ndarray, lo: float, hi: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The segments between consecutive points, clipped to lo <= x <= hi: (index of the
    segment, t at its start, t at its end), t the fraction along the segment; segments
    outside the window are dropped."""
    x0, dx = x[:-1], np.diff(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        ta, tb = (lo - x0) / dx, (hi - x0) / dx
    flat = dx == 0
    inside = np.where((x0 >= lo) & (x0 <= hi), 0.0, 2.0)     # 2: beyond the segment
    ta = np.where(flat, inside, ta)
    tb = np.where(flat, np.maximum(inside, 1.0), tb)
    t0 = np.maximum(0.0, np.minimum(ta, tb))
    t1 = np.minimum(1.0, np.maximum(ta, tb))
    keep = t0 <= t1
    return np.flatnonzero(keep), t0[keep], t1[keep]


def _at(y: np.ndarray, i: np.ndarray, t: np.ndarray) -> np.ndarray:
    return y[i] + t * (y[i + 1] - y[i])


def statistic(kind: str, x: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    """MAX, MIN, PP or AVG of y over the window (see the module docstring)."""
    if len(x) == 1:
        if not lo <= x[0] <= hi:
            raise MeasureFailed("no point in the FROM/TO window")
        return 0.0 if kind == "PP" else float(y[0])
    i, t0, t1 = clipped(x, lo, hi)
    if not len(i):
        raise MeasureFailed("no point in the FROM/TO window")
    ya, yb = _at(y, i, t0), _at(y, i, t1)
    if kind == "AVG":
        width = np.abs(_at(x, i, t1) - _at(x, i, t0))
        if width.sum() == 0:
            raise MeasureFailed("the window has zero width")
        return float(np.sum(0.5 * (ya + yb) * width) / width.sum())
    top, bottom = max(ya.max(), yb.max()), min(ya.min(), yb.min())
    return float({"MAX": top, "MIN": bottom, "PP": top - bottom}[kind])


def find_at(x: np.ndarray, y: np.ndarray, at: float) -> float:
    """y interpolated where x first equals ``at``."""
    if len(x) == 1:
        if x[0] != at:
            raise MeasureFailed(f"AT={at:g}: the only point is at {x[0]:g}")
        return float(y[0])
    i, t0, _ = clipped(x, at, at)
    if not len(i):
        raise MeasureFailed(f"AT={at:g} is not reached")
    return float(_at(y, i[:1], t0[:1])[0])


def crossing(x: np.ndarray, s: np.ndarray, edge: str, count: int, lo: float, hi: float,
             find: Optional[np.ndarray] = None) -> Optional[float]:
    """The x (or ``find`` interpolated there) of the ``count``-th (LAST: last) change of
    sign of s within the window: RISE s < 0 -> s >= 0, FALL s > 0 -> s <= 0, CROSS
    either; None if there is none."""
    if len(x) < 2:
        return None
    i, t0, t1 = clipped(x, lo, hi)
    sa, sb = _at(s, i, t0), _at(s, i, t1)
    rise = (sa < 0) & (sb >= 0)
    fall = (sa > 0) & (sb <= 0)
    hits = np.flatnonzero({"RISE": rise, "FALL": fall, "CROSS": rise | fall}[edge])
    if len(hits) < max(count, 1):
        return None
    k = hits[-1] if count == LAST else hits[count - 1]
    t = t0[k] + (t1[k] - t0[k]) * sa[k] / (sa[k] - sb[k])
    y = x if find is None else find
    return float(y[i[k]] + t * (y[i[k] + 1] - y[i[k]]))


# ---- PARAM -----------------------------------------------------------------------------------
class _Measured(Scope):
    """Names in PARAM={...}: the measurements above it, then the .params (current values)."""

    def __init__(self, values: Dict[str, float], params: Optional[Scope]):
        self.values, self.params = values, params

    def has(self, key: str) -> bool:
        return key in self.values or (self.params is not None and self.params.has(key))

    def lookup(self, key: str, span) -> Amount:
        if key in self.values:
            return Amount(self.values[key])
        assert self.params is not None
        return self.params.lookup(key, span)


def _param(m: Measure, scope, earlier: Dict[str, float]) -> float:
    """PARAM={...}, or the level of WHEN ...={...} naming measurements."""
    expr = m.param if m.param is not None else m.level_param
    assert expr is not None
    failed = [k for k in m.uses if math.isnan(earlier[k])]
    if failed:
        raise MeasureFailed(f"it uses {', '.join(failed)}, which failed")
    try:
        return evaluate(expr.expr, _Measured(earlier, scope)).value
    except NetlistError as exc:
        raise MeasureFailed(exc.message) from None
