"""Figures of results: each ``.print`` quantity against the swept variable.

One subplot per quantity (stacked, shared x), one curve per ``.step`` value, units chosen
from the data (mK or K, pW/fW/aW, pW/K ...), a log x axis for a log sweep, gaps where sweep
points failed (NaN).  Without a sweep, ``.op`` values are drawn against the innermost
``.step`` variable; with neither, there is nothing to draw and :class:`PlotError` says so.

matplotlib is imported inside the functions only, and only through
``matplotlib.figure.Figure`` (no pyplot: no global figure state, no GUI backend; works with
``matplotlib.use("Agg")``).  Every drawing function takes ``ax=``.

>>> from thermnet.results.plot import figure, plot_results
>>> fig = figure(res)                  # a matplotlib Figure
>>> plot_results(res, "fig.png")       # .png, .pdf or .svg; written whole or not at all
"""
from __future__ import annotations

import io
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.io import write_atomic
from thermnet.results.types import AnalysisResult, Results
from thermnet.units import PLOT_PREFIX, PLOT_SYMBOLS

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
INSTALL_HINT = "pip install 'thermnet[plot]'"


class PlotError(ThermnetError):
    """Nothing to plot, an unreadable results file, an unsupported figure format ..."""

    def __init__(self, message: str, file: Optional[str] = None, line: int = 0, col: int = 0):
        self.message, self.file, self.line, self.col = message, file, line, col
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}:{self.col}: " if self.line else f"{self.file}: "
        return f"{where}error: {self.message}"

    def at(self, file: str) -> "PlotError":
        return self if self.file else PlotError(self.message, file, self.line, self.col)


# ---- matplotlib, lazily ---------------------------------------------------------------------
def require_matplotlib():
    """The ``matplotlib.figure.Figure`` class, or a PlotError saying how to install it."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotError("plotting needs matplotlib, which is not installed; install it "
                        f"with: {INSTALL_HINT}") from None
    return Figure


def figure_format(path: str) -> str:
    """``png``, ``pdf`` or ``svg`` from the extension of ``path``, else a PlotError."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        shown = f"extension '{ext}'" if ext else "no extension"
        raise PlotError(f"cannot write a figure with {shown}; the extension chooses the "
                        "format: .png, .pdf or .svg", path)
    return FORMATS[ext]


# ---- units ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    label: str           # "" for a pure number
    scale: float         # SI value / scale = plotted value


_PREFIXES = [("", 1.0), ("m", 1e-3), ("µ", 1e-6), ("n", 1e-9), ("p", 1e-12), ("f", 1e-15),
             ("a", 1e-18), ("z", 1e-21), ("y", 1e-24)]


def _magnitude(values) -> float:
    v = np.abs(np.asarray(values, dtype=float).ravel())
    v = v[np.isfinite(v) & (v > 0)]
    return float(v.max()) if v.size else 0.0


def _prefixed(symbol: str, mag: float, default: str = "") -> Unit:
    """The SI prefix putting ``mag`` in [1, 1000), W down to yW."""
    if mag <= 0:
        return Unit(default + symbol, dict(_PREFIXES)[default])
    for p, s in _PREFIXES:
        if mag >= s * (1 - 1e-9):
            return Unit(p + symbol, s)
    return Unit(_PREFIXES[-1][0] + symbol, _PREFIXES[-1][1])


def _simple_unit(dim: str, mag: float) -> Optional[Unit]:
    if dim == "dimensionless":
        return Unit("", 1.0)
    if dim == "temperature":
        # cryogenic temperatures: mK, K from about 2 K; tiny ones (derivatives) in uK, nK ...
        if mag >= 2.0:
            return Unit("K", 1.0)
        if mag >= 1e-4 or mag == 0:
            return Unit("mK", 1e-3)
        return _prefixed("K", mag)
    if dim in PLOT_SYMBOLS:
        return _prefixed(PLOT_SYMBOLS[dim], mag, PLOT_PREFIX.get(dim, ""))
    return None


# fixed denominators of ratio units: conductances per K, resistances per pW
_DENOMINATOR = {"temperature": Unit("K", 1.0), "power": Unit("pW", 1e-12)}


def unit_for(dim: Optional[str], values=()) -> Optional[Unit]:
    """The unit to plot ``values`` (SI) of dimension ``dim`` in; None if ``dim`` is unknown.

    ``dim`` is a key of ``units.DIMENSIONS`` or a ratio ``num/den`` (``D()`` columns):
    thermal conductances in pW/K, fW/K ...; ``temperature/power`` in mK/pW ...
    """
    if not dim:
        return None
    if dim == "thermal_conductance":
        dim = "power/temperature"
    mag = _magnitude(values)
    parts = dim.split("/")
    if len(parts) == 1:
        u = _simple_unit(dim, mag)
        return u if u is not None else Unit(_si_symbol(dim), 1.0)
    if len(parts) == 2 and parts[1] in _DENOMINATOR:
        den = _DENOMINATOR[parts[1]]
        num = _simple_unit(parts[0], mag * den.scale)
        if num is not None and num.label:
            return Unit(f"{num.label}/{den.label}", num.scale / den.scale)
    return Unit("/".join(_si_symbol(p) for p in parts), 1.0)   # SI, unscaled


def _si_symbol(dim: str) -> str:
    return {"thermal_conductance": "W/K", "dimensionless": "1"}.get(
        dim, PLOT_SYMBOLS.get(dim, "SI"))


def axis_label(name: str, unit: Optional[Unit]) -> str:
    return f"{name} [{unit.label}]" if unit is not None and unit.label else name


# ---- what a column is ----------------------------------------------------------------------
_CALL = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*$", re.S)


def _split_last_arg(text: str) -> Optional[Tuple[str, str]]:
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
        elif c == "," and depth == 0:
            return text[:i], text[i + 1:].strip()
    return None


def column_dimension(column: str, known: Dict[str, str]) -> Optional[str]:
    """The dimension of a column from its name (results saved without ``"dimensions"``):
    ``T(..)``, ``P(..)``, ``Q(..)``, ``KAPPA(..)``, ``TAU(..)``, ``GE(..)`` ... (as
    ``quantities.QUANTITIES``), ``D(X,NAME)`` (NAME's dimension from
    ``known``).  None if it cannot be told."""
    if column in known:
        return known[column]
    m = _CALL.match(column)
    if not m:
        return None
    from thermnet.quantities import QUANTITIES
    from thermnet.units import derivative_dimension
    func = m.group(1).upper()
    if func in QUANTITIES and QUANTITIES[func].dimension is not None:
        return QUANTITIES[func].dimension
    if func == "D":
        split = _split_last_arg(m.group(2))
        if split is None:
            return None
        num = column_dimension(split[0], known)
        den = known.get(split[1])
        if num is None or den is None:
            return None
        return derivative_dimension(num, den)
    return None


def _dimensions(r: AnalysisResult) -> Dict[str, str]:
    known = dict(r.dimensions or {})
    if r.sweep and r.sweep.get("dimension") and r.swept:
        known.setdefault(r.swept, r.sweep["dimension"])
    for c in r.columns:
        if c not in known:
            d = column_dimension(c, known)
            if d is not None:
                known[c] = d
    return known


def _looks_log(values) -> bool:
    v = np.asarray(values, dtype=float)
    if v.size < 3 or not np.all(np.isfinite(v)) or not np.all(v > 0):
        return False
    ratios = v[1:] / v[:-1]
    return bool(abs(ratios[0] - 1) > 1e-9 and np.allclose(ratios, ratios[0], rtol=1e-6))


LOG_Y_DECADES = 3   # a y axis is logarithmic when its positive data span this many decades


def _spans_decades(values) -> bool:
    """All finite values positive and max/min >= 10^LOG_Y_DECADES (e.g. R/R_N of an NIS
    junction, 1 ... 1e4; kappa/kappa_N of a proximity wire)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size >= 2 and np.all(v > 0) and v.max() >= 10 ** LOG_Y_DECADES * v.min())


# ---- drawing --------------------------------------------------------------------------------
@dataclass
class Curve:
    x: np.ndarray        # SI
    y: np.ndarray        # SI, NaN where a point failed
    label: Optional[str]


@dataclass
class Panel:
    """One subplot: a quantity against the swept (or stepped) variable."""
    xname: str
    xdim: Optional[str]
    ydim: Optional[str]
    yname: str
    curves: List[Curve]
    log_x: bool
    markers: bool = False
    xunit: Optional[Unit] = None    # None: from the curves' x values


def draw_panel(panel: Panel, ax=None, legend: bool = True, xlabel: bool = True):
    """Draw ``panel`` on ``ax`` (a new figure's axes if None); return the axes."""
    if ax is None:
        ax = require_matplotlib()(layout="constrained").add_subplot()
    xs = [c.x for c in panel.curves]
    ys = [c.y for c in panel.curves]
    xu = panel.xunit or unit_for(panel.xdim, np.concatenate(xs) if xs else [])
    yu = unit_for(panel.ydim, np.concatenate(ys) if ys else [])
    xs_scale = xu.scale if xu else 1.0
    ys_scale = yu.scale if yu else 1.0
    colors = _colors(len(panel.curves))
    for c, color in zip(panel.curves, colors):
        y = np.asarray(c.y, dtype=float)
        gaps = not np.all(np.isfinite(y))
        style = dict(marker="o", markersize=4) if panel.markers else \
            dict(marker=".", markersize=4) if gaps else {}
        ax.plot(np.asarray(c.x, dtype=float) / xs_scale, y / ys_scale, color=color,
                label=c.label, linewidth=1.5, **style)
    if panel.log_x:
        from matplotlib.ticker import FuncFormatter, LogFormatter
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))   # 0.01 0.1 1
        ax.xaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False,
                                                  minor_thresholds=(1, 0.5)))
    if _spans_decades(np.concatenate(ys) if ys else []):
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(axis_label(panel.xname, xu))
    ax.set_ylabel(axis_label(panel.yname, yu))
    ax.grid(True, which="major", alpha=0.3)
    if not any(np.isfinite(np.asarray(y, dtype=float)).any() for y in ys):
        ax.text(0.5, 0.5, "no converged points", transform=ax.transAxes, ha="center",
                va="center", color="0.4")
    if legend and any(c.label for c in panel.curves):
        ax.legend(fontsize="small", ncols=1 if len(panel.curves) <= 6 else 2)
    return ax


def _colors(n: int):
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    from matplotlib import colormaps
    cmap = colormaps["viridis"]
    return [cmap(i / (n - 1)) for i in range(n)]


def _step_labels(results: Sequence[AnalysisResult], names: Sequence[str],
                 dims: Dict[str, str]) -> List[Optional[str]]:
    """``r=36``, ``TB=30 mK, chi=2``: the given .step names of each result."""
    if not names:
        return [None] * len(results)
    units = {}
    for n in names:
        units[n] = unit_for(dims.get(n), [r.step.get(n, np.nan) for r in results])
    out: List[Optional[str]] = []
    for r in results:
        parts = []
        for n in names:
            v, u = r.step.get(n, math.nan), units[n]
            text = f"{v / u.scale:.4g}" if u else f"{v:.4g}"
            parts.append(f"{n}={text}" + (f" {u.label}" if u and u.label else ""))
        out.append(", ".join(parts))
    return out


def _varying_steps(results: Sequence[AnalysisResult]) -> List[str]:
    names: List[str] = []
    for r in results:
        for k in r.step:
            if k not in names:
                names.append(k)
    return [n for n in names if len({r.step.get(n) for r in results}) > 1]


def panels(results: Results) -> List[List[Panel]]:
    """The panels to draw, one list (a column of stacked subplots) per kind of sweep.

    Sweeps over the same variable with the same columns form one column of subplots, one
    curve per .step value.  Without any sweep: the .op values against the innermost .step
    variable.  Raises PlotError if there is neither."""
    sweeps = [r for r in results.results if r.series]
    if sweeps:
        groups: Dict[tuple, List[AnalysisResult]] = {}
        for r in sweeps:
            groups.setdefault((r.swept, tuple(r.columns)), []).append(r)
        return [_sweep_panels(g) for g in groups.values()]
    ops = [r for r in results.results if r.analysis == "op"]
    steps = _varying_steps(ops)
    if not steps:
        raise PlotError("nothing to plot: there is no .sweep, only .op (a single steady "
                        "state); plot needs a .sweep NAME START STOP N (or a .step to draw "
                        "the .op values against)")
    groups = {}
    for r in ops:
        groups.setdefault(tuple(r.columns), []).append(r)
    return [_op_panels(g, steps) for g in groups.values()]


def _sweep_panels(group: List[AnalysisResult]) -> List[Panel]:
    first = group[0]
    dims = _dimensions(first)
    xname = first.swept or next(iter(first.columns))
    spacing = (first.sweep or {}).get("spacing")
    x0 = np.asarray(first.columns[xname], dtype=float)
    log_x = spacing == "log" or (spacing in (None, "list") and _looks_log(x0))
    labels = _step_labels(group, _varying_steps(group), dims)
    # the x unit from the points that converged (a failed point's value may be far off)
    xs = [np.asarray(r.columns[xname], dtype=float)[np.asarray(r.converged, dtype=bool)]
          if len(r.converged) == len(r.columns[xname]) else r.columns[xname] for r in group]
    x_all = np.concatenate(xs)
    xunit = unit_for(dims.get(xname), x_all if x_all.size else x0)
    out = []
    for col in first.columns:
        if col == xname:
            continue
        curves = [Curve(np.asarray(r.columns[xname], dtype=float),
                        np.asarray(r.columns[col], dtype=float), lab)
                  for r, lab in zip(group, labels)]
        out.append(Panel(xname, dims.get(xname), dims.get(col), col, curves, log_x,
                         markers=len(x0) <= 12, xunit=xunit))
    return out


def _op_panels(ops: List[AnalysisResult], steps: List[str]) -> List[Panel]:
    dims = _dimensions(ops[0])
    xname, others = steps[-1], steps[:-1]      # the innermost .step varies fastest
    families: Dict[tuple, List[AnalysisResult]] = {}
    for r in ops:
        families.setdefault(tuple(r.step.get(n) for n in others), []).append(r)
    fam = list(families.values())
    labels = _step_labels([f[0] for f in fam], others, dims)
    x_all = np.array(sorted({r.step[xname] for r in ops}))
    log_x = _looks_log(x_all)
    out = []
    for col in ops[0].columns:
        curves = []
        for f, lab in zip(fam, labels):
            f = sorted(f, key=lambda r: r.step[xname])
            curves.append(Curve(np.array([r.step[xname] for r in f]),
                                np.array([r.columns[col] for r in f], dtype=float), lab))
        out.append(Panel(xname, dims.get(xname), dims.get(col), col, curves, log_x,
                         markers=True))
    return out


def figure(results: Results, source: Optional[str] = None):
    """A matplotlib Figure of ``results`` (a Results, or the JSON object of one)."""
    if isinstance(results, dict):
        results = Results.from_json(results)
    try:
        columns = panels(results)
    except PlotError as exc:
        raise (exc.at(source) if source else exc) from None
    Figure = require_matplotlib()
    nrows = max(len(c) for c in columns)
    ncols = len(columns)
    fig = Figure(figsize=(6.4 * ncols, 1.0 + 2.3 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex="col")
    for j, col in enumerate(columns):
        for i in range(nrows):
            ax = axes[i][j]
            if i >= len(col):
                fig.delaxes(ax)
                continue
            draw_panel(col[i], ax=ax, legend=(i == 0), xlabel=(i == len(col) - 1))
            if i < len(col) - 1:
                ax.tick_params(labelbottom=False)
    if results.title:
        fig.suptitle(results.title)
    return fig


def plot_results(results: Results, path: str, source: Optional[str] = None, dpi: int = 150):
    """Draw ``results`` into ``path`` (.png, .pdf or .svg by extension), whole or not at
    all.  Returns the Figure."""
    fmt = figure_format(path)
    fig = figure(results, source)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    try:
        write_atomic(path, buf.getvalue())
    except OSError as exc:
        raise PlotError(f"cannot write the figure: {exc.strerror or exc}", path) from None
    return fig


def _metadata(fmt: str):
    # reproducible files: no creation date in PDF and SVG
    return {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt)


# ---- input: a netlist or saved results -----------------------------------------------------
def is_results_json(path: str) -> bool:
    """A ``.json`` file, or one whose first non-blank character is ``{``."""
    if path.lower().endswith(".json"):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False            # the netlist reader reports it
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def load_results_json(path: str) -> Results:
    """Results saved by ``thermnet run FILE --format json [-o FILE]``."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise PlotError(f"cannot read results file: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise PlotError("not a UTF-8 text file", path) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlotError(f"not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    problem = _json_problem(doc)
    if problem:
        raise PlotError(f"not a thermnet results file: {problem}; expected the JSON written "
                        "by 'thermnet run FILE --format json'", path)
    return Results.from_json(doc)


ANALYSES = ("op", "sweep", "tran", "ac", "noise")


def _json_problem(doc) -> Optional[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        return 'no "results" list'
    if not doc["results"]:
        return '"results" is empty'
    for i, r in enumerate(doc["results"]):
        where = f"results[{i}]"
        if not isinstance(r, dict) or r.get("analysis") not in ANALYSES:
            return f'{where} has no "analysis": "op", "sweep", "tran", "ac" or "noise"'
        cols = r.get("columns")
        if not isinstance(cols, dict) or not cols:
            return f'{where} has no "columns"'
        if not isinstance(r.get("step", {}), dict) or \
                not all(_number(v) for v in r.get("step", {}).values()):
            return f'{where} "step" is not an object of numbers'
        n = None
        for k, v in cols.items():
            if r["analysis"] == "op":
                ok = _number(v) or v is None
            else:
                ok = isinstance(v, list) and all(_number(x) or x is None for x in v)
                if ok:
                    n = len(v) if n is None else n
                    ok = len(v) == n
            if not ok:
                return f'{where} column "{k}" is not ' + \
                    ("a number" if r["analysis"] == "op" else "a list of numbers of the "
                                                              "sweep's length")
    return None


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read_results(path: str, progress: bool = False) -> Results:
    """A netlist (solved now) or a results JSON."""
    if is_results_json(path):
        return load_results_json(path)
    from thermnet.api import load
    return load(path).run(progress=progress)
