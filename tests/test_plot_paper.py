"""Figures fit for a paper (docs/plotting.md): physics labels from the quantities, legends
beside the data, line styles for nested .step families, overlays of several results, a zero
line on derivative panels, log axes on request, journal column sizes, titles that fit, and
the figure of every shipped netlist."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from test_results_export import SHIPPED, solved_short  # noqa: E402

import thermnet  # noqa: E402
from thermnet.cli import main  # noqa: E402
from thermnet.results import plot  # noqa: E402
from thermnet.results.labels import physics_label  # noqa: E402
from thermnet.results.types import AnalysisResult, Results  # noqa: E402

# Two islands with linear links: T(S) = Tb + P / (g + 0.5 n) (g = gg; see test_cli.py)
NET = """.title {title}
.param gg=1n k=1
TB bath 100mK
P1 S 1pW
G1 S bath {{gg}}
G2 S D {{k*1n}}
G3 D bath 1n
.step gg list 1n 2n 4n
.step k list 1 2
.sweep P1 1p 3p 3
.print T(S) D(T(D),P1)
"""


def solve(title="paper", steps=True):
    text = NET.format(title=title)
    if not steps:
        text = text.replace(".step gg list 1n 2n 4n\n", "").replace(".step k list 1 2\n", "")
    return thermnet.parse(text, "paper.net").run()


def sweep_result(y, column="D(Q(S,D),TS)"):
    x = np.linspace(0.05, 0.6, len(y))
    return Results("zero", [AnalysisResult(
        "sweep", {}, {"TS": x, column: np.asarray(y, dtype=float)}, np.ones(len(y), bool),
        swept="TS", sweep={"name": "TS", "spacing": "lin", "kind": "source",
                           "dimension": "temperature"},
        dimensions={"TS": "temperature", column: "power/temperature"})])


def drawn(fig):
    fig.draw_without_rendering()
    return fig


# ---- labels ------------------------------------------------------------------------------------
@pytest.mark.parametrize("column, dims, label", [
    ("T(S)", {}, r"$T_{\mathrm{S}}$"),
    ("Q(S,D)", {}, r"$Q_{\mathrm{S}\to \mathrm{D}}$"),
    ("D(Q(S,D),TS)", {"TS": "temperature"},
     r"$\mathrm{d}Q_{\mathrm{S}\to \mathrm{D}}/\mathrm{d}T_{\mathrm{S}}$"),
    ("KRATIO(W1)", {}, r"$\kappa/\kappa_\mathrm{N}\,(\mathrm{W1})$"),
    ("GRATIO(NJ)", {}, r"$G/G_\mathrm{N}\,(\mathrm{NJ})$"),
    ("TAU(S,D)", {}, r"$\tau_{\mathrm{S},\mathrm{D}}$"),
    ("KAPPA(ES)", {}, r"$\kappa_{\mathrm{ES}}$"),
    ("PIN", {"PIN": "power"}, r"$P_{\mathrm{IN}}$"),
    ("chi", {}, r"$\chi$"), ("r", {}, "$r$"), ("t_s", {}, r"$t_{\mathrm{s}}$"),
    ("ph", {}, r"$\mathrm{ph}$"),                      # a .param that is not a heater
    ("D(D(T(S),P1),P1)", {"P1": "power"},
     r"$\mathrm{d}(\mathrm{d}T_{\mathrm{S}}/\mathrm{d}P_{\mathrm{1}})/\mathrm{d}P_{\mathrm{1}}$"),
    ("weird name!", {}, "weird name!")])
def test_physics_labels(column, dims, label):
    assert physics_label(column, dims) == label


def test_labels_render_as_mathtext():
    from matplotlib.mathtext import MathTextParser
    parser = MathTextParser("path")
    for column in ("T(S)", "Q(S,D)", "D(Q(S,D),TS)", "KRATIO(W1)", "GRATIO(NJ)", "TAU(S,D)",
                   "D(D(T(S),P1),P1)", "t_s", "x_1"):
        parser.parse(physics_label(column, {"TS": "temperature", "P1": "power"}))


# ---- legends, styles, zero lines, log axes, sizes ------------------------------------------------
@pytest.fixture(scope="module")
def family():
    return solve()


def test_legend_beside_the_data_and_nested_steps_as_line_styles(family):
    fig = drawn(plot.figure(family))
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1     # outside the axes
    lines = ax.get_lines()
    assert len(lines) == 6
    # k (2 values) sets the line style, gg (3 values) the colour
    styles = [ln.get_linestyle() for ln in lines]
    colors = [ln.get_color() for ln in lines]
    assert styles == ["-", "--"] * 3
    assert colors[0] == colors[1] != colors[2] == colors[3] != colors[4]
    assert lines[1].get_label() == r"$\mathrm{gg}$ = 1e-09, $k$ = 2"


def test_zero_line_on_derivative_panels_that_cross_zero():
    fig = plot.figure(sweep_result([-1e-15, 0.5e-15, 2e-15]))
    zero = [ln for ln in fig.axes[0].get_lines() if list(ln.get_ydata()) == [0, 0]]
    assert len(zero) == 1
    fig = plot.figure(sweep_result([1e-15, 2e-15, 3e-15]))       # all positive: none
    assert len(fig.axes[0].get_lines()) == 1


def test_log_axes_on_request(family):
    fig = plot.figure(family, logy=True)
    assert [ax.get_yscale() for ax in fig.axes] == ["log"] * 2
    assert fig.axes[0].get_xscale() == "linear"
    fig = plot.figure(family, loglog=True)
    assert all(ax.get_xscale() == ax.get_yscale() == "log" for ax in fig.axes)


@pytest.mark.parametrize("size, width", [("single", 3.4), ("double", 7.0)])
def test_journal_sizes_and_titles_that_fit(tmp_path, size, width):
    res = solve(title="A long title that would not fit in one journal column at all, "
                "whatever the font size, because it goes on and on", steps=False)
    from matplotlib import rc_context
    with rc_context(plot.style(size)):
        fig = drawn(plot.figure(res, size=size))
        assert fig.get_figwidth() == pytest.approx(width)
        title = fig._suptitle
        assert title.get_text().count("\n") >= 1
        box = title.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width + 0.5
        assert title.get_fontsize() == pytest.approx(1.2 * plot.SIZES[size][1])
    dest = tmp_path / "f.png"
    plot.plot_results(res, str(dest), size=size, dpi=50)
    assert dest.stat().st_size > 0


# ---- overlays ---------------------------------------------------------------------------------
def test_overlay_of_a_netlist_and_saved_results(tmp_path, capsys):
    a, b = tmp_path / "a.net", tmp_path / "b.net"
    a.write_text(NET.format(title="a").replace(".step k list 1 2\n", "")
                 .replace(".step gg list 1n 2n 4n\n", ""))
    b.write_text(a.read_text().replace("G3 D bath 1n", "G3 D bath 2n"))
    saved = tmp_path / "b.json"
    assert main(["run", str(b), "-o", str(saved), "-q"]) == 0
    res_a = thermnet.load(str(a)).run()
    res_b = Results.from_json(json.loads(saved.read_text()))
    fig = plot.figure([res_a, res_b], names=["a", "b"])
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["a", "b"]
    assert [ln.get_linestyle() for ln in ax.get_lines()] == ["-", "--"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(),
                               res_b[0].columns["T(S)"] * 1e3, rtol=1e-12)
    dest = tmp_path / "both.png"
    assert main(["plot", str(a), str(saved), "-o", str(dest), "-q", "--logy",
                 "--size", "single", "--dpi", "50"]) == 0, capsys.readouterr().err
    assert dest.read_bytes().startswith(b"\x89PNG")


# ---- every shipped netlist --------------------------------------------------------------------
# the sweeps are cut short, so the netlists' .measure cards may find no crossing
@pytest.mark.filterwarnings("ignore::thermnet.errors.FailedMeasureWarning")
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_figure_of_every_shipped_netlist_builds(path):
    res = solved_short(path)
    fig = drawn(plot.figure(res))
    assert fig.axes
    for ax in fig.axes:
        assert ax.get_ylabel() and ax.get_lines()
        legend = ax.get_legend()
        if legend is not None:
            assert legend.get_window_extent().x0 >= ax.get_window_extent().x1
