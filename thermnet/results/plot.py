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
import textwrap
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.io import write_atomic
from thermnet.results.labels import physics_label
from thermnet.results.types import AnalysisResult, Results
from thermnet.units import PLOT_PREFIX, PLOT_SYMBOLS, engineering

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
# journal column widths (inches) and their font size: --size single|double
SIZES = {"single": (3.4, 8.0), "double": (7.0, 9.0)}
LINESTYLES = ("-", "--", ":", "-.")
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
    from thermnet.quantities import QUANTITIES
    from thermnet.units import derivative_dimension
    bare = QUANTITIES.get(column.strip().upper())
    if bare is not None and not bare.args:            # ONOISE
        return bare.dimension
    m = _CALL.match(column)
    if not m:
        return None
    func = m.group(1).upper()
    if func in QUANTITIES and QUANTITIES[func].dimension is not None:
        return QUANTITIES[func].dimension
    if func in ("RE", "IM"):                  # .ac: the parts have the quantity's dimension
        return column_dimension(m.group(2), known)
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
    color: Optional[int] = None       # index into the family's colours (None: curve order)
    linestyle: int = 0                # index into LINESTYLES (nested .step, overlaid files)


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
    names: Dict[str, str] = field(default_factory=dict)    # dimensions of swept/stepped names
    ylabel: Optional[str] = None    # the .print card's label="..." (else the physics label)


def draw_panel(panel: Panel, ax=None, legend: bool = True, xlabel: bool = True,
               logy: bool = False, logx: bool = False):
    """Draw ``panel`` on ``ax`` (a new figure's axes if None); return the axes.  ``logy``,
    ``logx``: logarithmic axes whatever the data (non-positive values are not drawn)."""
    if ax is None:
        ax = require_matplotlib()(layout="constrained").add_subplot()
    xs = [c.x for c in panel.curves]
    ys = [c.y for c in panel.curves]
    xu = panel.xunit or unit_for(panel.xdim, np.concatenate(xs) if xs else [])
    yu = unit_for(panel.ydim, np.concatenate(ys) if ys else [])
    xs_scale = xu.scale if xu else 1.0
    ys_scale = yu.scale if yu else 1.0
    keys = [c.color if c.color is not None else i for i, c in enumerate(panel.curves)]
    colors = _colors(max(keys) + 1 if keys else 0)
    for c, key in zip(panel.curves, keys):
        y = np.asarray(c.y, dtype=float)
        gaps = not np.all(np.isfinite(y))
        style = dict(marker="o", markersize=4) if panel.markers else \
            dict(marker=".", markersize=4) if gaps else {}
        ax.plot(np.asarray(c.x, dtype=float) / xs_scale, y / ys_scale, color=colors[key],
                linestyle=LINESTYLES[c.linestyle % len(LINESTYLES)], label=c.label,
                **style)                  # line width: rcParams (style(size))
    all_y = np.concatenate(ys) if ys else np.array([])
    if panel.log_x or logx:
        ax.set_xscale("log")
    if logy or _spans_decades(all_y):
        ax.set_yscale("log")
    elif _is_derivative(panel.yname) and _crosses_zero(all_y):
        ax.axhline(0.0, color="0.45", linewidth=0.8, linestyle=(0, (4, 3)), zorder=0.5)
    if xlabel:
        ax.set_xlabel(axis_label(physics_label(panel.xname, {panel.xname: panel.xdim or "",
                                                             **panel.names}), xu))
    ax.set_ylabel(axis_label(panel.ylabel or physics_label(panel.yname, panel.names), yu))
    ax.grid(True, which="major", alpha=0.3)
    if not any(np.isfinite(np.asarray(y, dtype=float)).any() for y in ys):
        ax.text(0.5, 0.5, "no converged points", transform=ax.transAxes, ha="center",
                va="center", color="0.4")
    if legend and any(c.label for c in panel.curves):
        # beside the axes, never over the data
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0.0, ncols=1 if len(panel.curves) <= 12 else 2)
    return ax


def _is_derivative(column: str) -> bool:
    return column.lstrip().upper().startswith("D(")


def _crosses_zero(values) -> bool:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size and v.min() < 0 < v.max())


def _colors(n: int):
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    from matplotlib import colormaps
    cmap = colormaps["viridis"]
    return [cmap(i / (n - 1)) for i in range(n)]


def _step_labels(results: Sequence[AnalysisResult], names: Sequence[str],
                 dims: Dict[str, str]) -> List[Optional[str]]:
    """``$r$ = 36``, ``$T_{B}$ = 30 mK, $\\chi$ = 2``, ``$P_{IN}$ = 2 fW``: the given .step
    names of each result, with physics labels (``labels.physics_label``), each value in
    engineering notation."""
    if not names:
        return [None] * len(results)
    return [", ".join(f"{physics_label(n, dims)} = "
                      f"{engineering(r.step.get(n, math.nan), dims.get(n), 4)}"
                      for n in names) for r in results]


def _styles(results: Sequence[AnalysisResult], names: Sequence[str]):
    """(colour index, line-style index) of each result: with two or more varying .step names,
    the one with the fewest values (at most len(LINESTYLES)) sets the line style and the
    others the colour; with one, the colour alone."""
    values = {n: list(dict.fromkeys(r.step.get(n) for r in results)) for n in names}
    dashed = None
    if len(names) >= 2:
        dashed = min(names, key=lambda n: len(values[n]))
        if len(values[dashed]) > len(LINESTYLES):
            dashed = None
    colored = [n for n in names if n != dashed]
    combos = list(dict.fromkeys(tuple(r.step.get(n) for n in colored) for r in results))
    return [(combos.index(tuple(r.step.get(n) for n in colored)),
             values[dashed].index(r.step.get(dashed)) if dashed else 0) for r in results]


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


def _print_label(r: AnalysisResult, column: str) -> Optional[str]:
    """The ``label="..."`` of a column on its ``.print`` card (``extras["labels"]``)."""
    labels = r.extras.get("labels")
    return labels.get(column) if isinstance(labels, dict) else None


def _sweep_panels(group: List[AnalysisResult]) -> List[Panel]:
    first = group[0]
    dims = _dimensions(first)
    xname = first.swept or next(iter(first.columns))
    spacing = (first.sweep or {}).get("spacing")
    x0 = np.asarray(first.columns[xname], dtype=float)
    log_x = spacing == "log" or (spacing in (None, "list") and _looks_log(x0))
    varying = _varying_steps(group)
    labels = _step_labels(group, varying, dims)
    styles = _styles(group, varying)
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
                        np.asarray(r.columns[col], dtype=float), lab, *style)
                  for r, lab, style in zip(group, labels, styles)]
        out.append(Panel(xname, dims.get(xname), dims.get(col), col, curves, log_x,
                         markers=len(x0) <= 12, xunit=xunit, names=dims,
                         ylabel=_print_label(first, col)))
    return out


def _op_panels(ops: List[AnalysisResult], steps: List[str]) -> List[Panel]:
    dims = _dimensions(ops[0])
    xname, others = steps[-1], steps[:-1]      # the innermost .step varies fastest
    families: Dict[tuple, List[AnalysisResult]] = {}
    for r in ops:
        families.setdefault(tuple(r.step.get(n) for n in others), []).append(r)
    fam = list(families.values())
    labels = _step_labels([f[0] for f in fam], others, dims)
    styles = _styles([f[0] for f in fam], others)
    x_all = np.array(sorted({r.step[xname] for r in ops}))
    log_x = _looks_log(x_all)
    out = []
    for col in ops[0].columns:
        curves = []
        for f, lab, style in zip(fam, labels, styles):
            f = sorted(f, key=lambda r: r.step[xname])
            curves.append(Curve(np.array([r.step[xname] for r in f]),
                                np.array([r.columns[col] for r in f], dtype=float), lab,
                                *style))
        out.append(Panel(xname, dims.get(xname), dims.get(col), col, curves, log_x,
                         markers=True, names=dims, ylabel=_print_label(ops[0], col)))
    return out


def _overlay(sets: Sequence[Tuple[str, List[List[Panel]]]]) -> List[List[Panel]]:
    """The panels of several results in one figure: a quantity against the same variable is
    one panel, each result's curves in a line style of its own and labelled with its name
    (a file's stem); other panels join the column of their x variable, or a new one."""
    if len(sets) == 1:
        return sets[0][1]
    merged: List[List[Panel]] = []
    for k, (name, columns) in enumerate(sets):
        for col in columns:
            for panel in col:
                curves = [Curve(c.x, c.y, name + (f": {c.label}" if c.label else ""), c.color,
                                k) for c in panel.curves]
                home = next((m for m in merged if m[0].xname.lower() == panel.xname.lower()),
                            None)
                same = next((p for p in home or [] if p.yname.lower() == panel.yname.lower()),
                            None)
                if same is not None:
                    same.curves.extend(curves)
                    continue
                new = Panel(panel.xname, panel.xdim, panel.ydim, panel.yname, curves,
                            panel.log_x, panel.markers, None, dict(panel.names), panel.ylabel)
                if home is None:
                    merged.append([new])
                else:
                    home.append(new)
    return merged


def _figsize(size: Optional[str], nrows: int, ncols: int) -> Tuple[float, float]:
    """The figure size in inches: a journal column (``single`` 3.4 in, ``double`` 7 in)
    or, by default, 6.4 in per column of panels."""
    if size is None:
        return 6.4 * ncols, 1.0 + 2.3 * nrows
    width, _ = SIZES[size]
    return width, 0.6 + (1.5 if size == "single" else 2.0) * nrows


def style(size: Optional[str] = None) -> dict:
    """matplotlib settings of a figure (``matplotlib.rc_context(style(size))``): the font
    size of a journal column for ``single`` and ``double``."""
    if size is None:
        return {}
    if size not in SIZES:
        raise PlotError(f"unknown size '{size}'; sizes: {', '.join(SIZES)}")
    return {"font.size": SIZES[size][1], "axes.titlesize": SIZES[size][1],
            "lines.linewidth": 1.0, "lines.markersize": 3.0}


def figure(results, source: Optional[str] = None, *, logy: bool = False,
           loglog: bool = False, size: Optional[str] = None, names: Sequence[str] = ()):
    """A matplotlib Figure of ``results`` (a Results, the JSON object of one, or a list of
    them drawn over one another, labelled with ``names``).  ``logy``: log y axes;
    ``loglog``: log x and y; ``size``: ``single`` or ``double`` journal column (the fonts
    follow when drawn inside ``matplotlib.rc_context(style(size))``, as ``plot_results``
    does)."""
    many = results if isinstance(results, (list, tuple)) else [results]
    many = [Results.from_json(r) if isinstance(r, dict) else r for r in many]
    labels = list(names) or [f"{i + 1}" for i in range(len(many))]
    sets = []
    for res, name in zip(many, labels):
        try:
            sets.append((name, panels(res)))
        except PlotError as exc:
            where = source if len(many) == 1 else name
            raise (exc.at(where) if where else exc) from None
    columns = _overlay(sets)
    Figure = require_matplotlib()
    nrows = max(len(c) for c in columns)
    ncols = len(columns)
    fig = Figure(figsize=_figsize(size, nrows, ncols), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex="col")
    for j, col in enumerate(columns):
        for i in range(nrows):
            ax = axes[i][j]
            if i >= len(col):
                fig.delaxes(ax)
                continue
            draw_panel(col[i], ax=ax, legend=(i == 0), xlabel=(i == len(col) - 1),
                       logy=logy or loglog, logx=loglog)
            # a column shorter than the figure ends above its bottom row: its last panel
            # shows the tick labels that sharex gave only to the bottom row
            ax.tick_params(labelbottom=i == len(col) - 1)
    title = " | ".join(dict.fromkeys(r.title for r in many if r.title))
    if title:
        fig.suptitle(_wrapped(title, fig.get_figwidth()))
    return fig


def _wrapped(title: str, width_in: float) -> str:
    """The title broken into lines that fit the figure's width (never clipped)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties
    points = FontProperties(size=rcParams["figure.titlesize"]).get_size_in_points()
    chars = max(20, int(width_in * 72 / (0.55 * points)))
    return "\n".join(textwrap.wrap(title, chars))


def plot_results(results, path: str, source: Optional[str] = None, dpi: int = 150, *,
                 logy: bool = False, loglog: bool = False, size: Optional[str] = None,
                 names: Sequence[str] = ()):
    """Draw ``results`` (one Results or a list, as ``figure``) into ``path`` (.png, .pdf or
    .svg by extension), whole or not at all.  Returns the Figure."""
    fmt = figure_format(path)
    from matplotlib import rc_context
    buf = io.BytesIO()
    with rc_context(style(size)):
        fig = figure(results, source, logy=logy, loglog=loglog, size=size, names=names)
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
