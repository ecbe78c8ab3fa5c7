"""``thermnet plot`` and ``thermnet.results.plot``: one subplot per .print quantity, one curve
per .step value, physicist's units, log x for a log sweep, gaps at failed points, figure files
written whole or not at all, and clear errors."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import thermnet  # noqa: E402
from thermnet.cli import main  # noqa: E402
from thermnet.results import plot  # noqa: E402
from thermnet.results.types import AnalysisResult, Results  # noqa: E402

# Two Cu islands, ideal resistors, a 3-value .step and a 12-point log .sweep (~1 s).
NET = """.title plot test
.param r=1
.model cu eph(sigma=3e9 n=5)
TB bath 30mK
P1 S 1pW
ES S bath cu vol=4e-20
ED D bath cu vol=4e-20
RS a b 10 temp=S
RD a b {10*r} temp=D
.step r list 1 2 4
.sweep P1 10f 5p 12 log
.print T(S) T(D) Q(S,D)
"""
QUANTITIES = ["T(S)", "T(D)", "Q(S,D)"]
# their physics labels (mathtext): T_S, T_D, Q_S->D; the heater P1 is P_1
LABELS = [r"$T_{\mathrm{S}}$", r"$T_{\mathrm{D}}$", r"$Q_{\mathrm{S}\to \mathrm{D}}$"]
P1_LABEL = r"$P_{\mathrm{1}}$"
STEPS = [1.0, 2.0, 4.0]
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def results():
    return thermnet.parse(NET, "plot.net").run()


@pytest.fixture(scope="module")
def fig(results):
    return plot.figure(results)


@pytest.fixture
def netfile(tmp_path):
    path = tmp_path / "plot.net"
    path.write_text(NET)
    return path


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines_data(fig):
    return [[(ln.get_xdata(), ln.get_ydata(), ln.get_label()) for ln in ax.get_lines()]
            for ax in fig.axes]


def leftovers(directory):
    return [p.name for p in directory.iterdir() if p.name.startswith(".thermnet-")]


# ---- the figure -----------------------------------------------------------------------------
def test_one_axes_per_quantity_one_line_per_step(fig):
    assert len(fig.axes) == len(QUANTITIES)
    for ax, q in zip(fig.axes, LABELS):
        assert len(ax.get_lines()) == len(STEPS)
        assert ax.get_ylabel().startswith(q)
        assert ax.get_xscale() == "log"
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert labels == ["$r$ = 1", "$r$ = 2", "$r$ = 4"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == labels
    assert [t.get_text() for t in fig.texts] == ["plot test"]      # the suptitle
    # stacked with a shared x: the x label only under the bottom subplot
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", P1_LABEL + " [pW]"]
    assert fig.axes[0].get_shared_x_axes().joined(fig.axes[0], fig.axes[2])


def test_units_and_data(fig, results):
    assert [ax.get_ylabel() for ax in fig.axes] == [LABELS[0] + " [mK]", LABELS[1] + " [mK]",
                                                    LABELS[2] + " [fW]"]
    for r, (x, yS, _), (_, yD, _), (_, yQ, _) in zip(results.results, *lines_data(fig)):
        np.testing.assert_allclose(x, r.columns["P1"] / 1e-12, rtol=1e-12)
        np.testing.assert_allclose(yS, r.columns["T(S)"] * 1e3, rtol=1e-12)
        np.testing.assert_allclose(yD, r.columns["T(D)"] * 1e3, rtol=1e-12)
        np.testing.assert_allclose(yQ, r.columns["Q(S,D)"] * 1e15, rtol=1e-12)
    # physically sensible: every island above the 30 mK bath, S hotter than D
    for _, y, _ in lines_data(fig)[1]:
        assert np.all(y > 30)


def test_lin_sweep_has_a_linear_axis():
    res = thermnet.parse(NET.replace("12 log", "4 lin").replace("list 1 2 4", "list 1"),
                         "lin.net").run()
    fig = plot.figure(res)
    assert fig.axes[0].get_xscale() == "linear"
    assert len(fig.axes[0].get_lines()) == 1
    assert fig.axes[0].get_legend() is None          # one curve, nothing to tell apart


@pytest.mark.parametrize("dim, values, label, scale", [
    ("temperature", [0.03, 0.5], "mK", 1e-3),
    ("temperature", [1.0, 4.2], "K", 1.0),
    ("temperature", [2e-9, 3e-9], "nK", 1e-9),
    ("power", [1e-13, 3e-12], "pW", 1e-12),
    ("power", [-5e-15, 2e-15], "fW", 1e-15),
    ("power", [4e-18, np.nan], "aW", 1e-18),
    ("power", [np.nan], "pW", 1e-12),
    ("thermal_conductance", [5e-14], "fW/K", 1e-15),
    ("thermal_conductance", [3e-11], "pW/K", 1e-12),
    ("temperature/power", [3e9], "mK/pW", 1e-3 / 1e-12),
    ("power/temperature", [2e-12], "pW/K", 1e-12),
    ("dimensionless", [0.3], "", 1.0),
])
def test_unit_choice(dim, values, label, scale):
    u = plot.unit_for(dim, values)
    assert u.label == label
    assert u.scale == pytest.approx(scale)


def test_column_dimensions_from_names():
    known = {"TS": "temperature", "P1": "power", "r": "dimensionless"}
    cases = {"T(S)": "temperature", "P(G1)": "power", "Q(S,D)": "power",
             "KAPPA(ES)": "thermal_conductance", "TAU(S,D)": "dimensionless",
             "D(T(D),TS)": "dimensionless", "D(T(S),P1)": "temperature/power",
             "D(Q(S,D),TS)": "power/temperature", "D(Q(S,D),r)": "power",
             "KRATIO(W1)": "dimensionless", "GE(W1)": "conductance",
             "D(T(S),x)": None, "TS": "temperature", "x": None}
    for col, dim in cases.items():
        assert plot.column_dimension(col, known) == dim, col


def test_derivatives_kappa_and_tau_units(tmp_path):
    res = thermnet.parse(NET.replace(".step r list 1 2 4\n", "").replace("12 log", "3 log")
                         .replace(".print T(S) T(D) Q(S,D)",
                                  ".print KAPPA(ES) D(T(S),P1) D(T(D),r) TAU(S,D)\n"
                                  ".options taufmax=1e10"), "d.net").run()
    r = res[0]
    assert r.dimensions["D(T(S),P1)"] == "temperature/power"
    assert r.dimensions["D(T(D),r)"] == "temperature"
    assert r.dimensions["TAU(S,D)"] == "dimensionless"
    labels = [ax.get_ylabel() for ax in plot.figure(res).axes]
    assert labels[0].startswith(r"$\kappa_{\mathrm{ES}}$ [") and labels[0].endswith("W/K]")
    assert labels[1].startswith(r"$\mathrm{d}T_{\mathrm{S}}/\mathrm{d}P_{\mathrm{1}}$ [")
    assert labels[1].endswith("K/pW]")
    assert labels[2].startswith(r"$\mathrm{d}T_{\mathrm{D}}/\mathrm{d}r$ [")
    assert labels[2].endswith("K]")
    assert labels[3] == r"$\tau_{\mathrm{S},\mathrm{D}}$"


def test_failed_points_are_gaps():
    x = np.array([1e-12, 2e-12, 3e-12, 4e-12])
    r = AnalysisResult("sweep", {}, {"P1": x, "T(S)": np.array([0.1, np.nan, 0.12, 0.13])},
                       np.array([True, False, True, True]), ["point 1 (P1=2e-12): no"],
                       swept="P1", sweep={"name": "P1", "spacing": "lin", "kind": "source",
                                          "dimension": "power"})
    (xd, yd, _), = lines_data(plot.figure(Results("", [r])))[0]
    assert np.isnan(yd[1]) and np.allclose(np.delete(yd, 1), [100, 120, 130])


def test_failed_sweep_point_cli(tmp_path, capsys):
    path = tmp_path / "f.net"
    path.write_text("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.sweep P1 list 1p -1 2p 3p\n"
                    ".print T(S)\n")
    dest = tmp_path / "f.png"
    code, out, err = run_cli(capsys, "plot", path, "-o", dest)
    assert code == 2                                # like run: results, with failed points
    assert "warning: sweep point 1" in err and "Traceback" not in err
    assert dest.read_bytes().startswith(MAGIC["png"])


def test_op_values_against_the_step_variable():
    res = thermnet.parse("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.step TB list 30m 50m 100m\n"
                         ".step P1 list 1p 2p 4p\n.op\n.print T(S) P(G1)\n", "op.net").run()
    fig = plot.figure(res)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_xlabel() == "" and fig.axes[1].get_xlabel() == P1_LABEL + " [pW]"
    assert [ln.get_label() for ln in ax.get_lines()] == [
        rf"$T_{{\mathrm{{B}}}}$ = {t} mK" for t in (30, 50, 100)]
    x, y = ax.get_lines()[2].get_xdata(), ax.get_lines()[2].get_ydata()
    np.testing.assert_allclose(x, [1, 2, 4])
    np.testing.assert_allclose(y, [101, 102, 104], rtol=1e-6)    # T = TB + P/G, in mK
    assert ax.get_xscale() == "log"                                # 1 2 4: geometric


def test_draw_panel_takes_ax(results):
    from matplotlib.figure import Figure
    fig = Figure()
    ax = fig.add_subplot()
    panel = plot.panels(results)[0][1]
    assert plot.draw_panel(panel, ax=ax) is ax
    assert len(ax.get_lines()) == 3 and ax.get_ylabel() == LABELS[1] + " [mK]"


# ---- files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_cli_writes_each_format(netfile, tmp_path, capsys, fmt):
    dest = tmp_path / f"fig.{fmt.upper() if fmt == 'pdf' else fmt}"
    code, out, err = run_cli(capsys, "plot", netfile, "-o", dest, "-q")
    assert code == 0, err
    assert out == ""
    data = dest.read_bytes()
    assert data.startswith(MAGIC[fmt]) and len(data) > 1000
    if fmt == "svg":
        assert b"<svg" in data[:1000]
    assert leftovers(tmp_path) == []


def test_plot_results_returns_the_figure(results, tmp_path):
    fig = plot.plot_results(results, str(tmp_path / "a.png"))
    assert len(fig.axes) == 3
    assert (tmp_path / "a.png").read_bytes().startswith(MAGIC["png"])


def test_from_saved_json_same_lines(netfile, tmp_path, capsys, results, fig):
    saved = tmp_path / "res.json"
    code, _, err = run_cli(capsys, "run", netfile, "--format", "json", "-o", saved, "-q")
    assert code == 0, err
    doc = json.loads(saved.read_text())
    r0 = doc["results"][0]
    assert r0["sweep"] == {"name": "P1", "spacing": "log", "kind": "source",
                           "dimension": "power"}
    assert r0["dimensions"] == {"P1": "power", "T(S)": "temperature", "T(D)": "temperature",
                                "Q(S,D)": "power", "r": "dimensionless"}
    assert {"analysis", "step", "columns"} <= set(r0)      # the contract's keys stay
    from_json = plot.figure(plot.read_results(str(saved)))
    _assert_same_figure(from_json, fig)
    # through the CLI too
    dest = tmp_path / "fromjson.png"
    code, out, err = run_cli(capsys, "plot", saved, "-o", dest)
    assert code == 0, err
    assert dest.read_bytes().startswith(MAGIC["png"])


def test_json_without_the_extension_keys(tmp_path, results, fig):
    """Results saved without "sweep"/"dimensions" (or by another tool): units from the
    column names, log spacing from the values; the swept name is the first column."""
    doc = results.to_json()
    for r in doc["results"]:
        del r["sweep"], r["dimensions"]
    path = tmp_path / "plain.txt"                 # detected by content, not extension
    path.write_text(json.dumps(doc))
    old = plot.figure(plot.read_results(str(path)))
    assert [ax.get_ylabel() for ax in old.axes] == [ax.get_ylabel() for ax in fig.axes]
    assert old.axes[0].get_xscale() == "log"
    assert old.axes[-1].get_xlabel() == r"$\mathrm{P1}$"   # dimension unknown: SI, no unit
    for a, b in zip(lines_data(old), lines_data(fig)):
        for (xa, ya, la), (xb, yb, lb) in zip(a, b):
            np.testing.assert_allclose(xa, xb * 1e-12, rtol=1e-12)   # SI vs pW
            np.testing.assert_allclose(ya, yb, rtol=1e-12)
            assert la == lb


def _assert_same_figure(a, b):
    assert [ax.get_ylabel() for ax in a.axes] == [ax.get_ylabel() for ax in b.axes]
    assert [ax.get_xlabel() for ax in a.axes] == [ax.get_xlabel() for ax in b.axes]
    assert [ax.get_xscale() for ax in a.axes] == [ax.get_xscale() for ax in b.axes]
    for la, lb in zip(lines_data(a), lines_data(b)):
        assert len(la) == len(lb)
        for (xa, ya, na), (xb, yb, nb) in zip(la, lb):
            np.testing.assert_allclose(xa, xb, rtol=1e-12)
            np.testing.assert_allclose(ya, yb, rtol=1e-12)
            assert na == nb


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fig.jpg", "fig", "fig.png.txt"])
def test_bad_extension(netfile, tmp_path, capsys, name):
    dest = tmp_path / name
    code, out, err = run_cli(capsys, "plot", netfile, "-o", dest)
    assert code == 1
    assert f"{dest}: error: " in err and ".png, .pdf or .svg" in err
    assert "Traceback" not in err and out == ""
    assert not dest.exists() and leftovers(tmp_path) == []


def test_no_sweep(tmp_path, capsys):
    path = tmp_path / "op.net"
    path.write_text("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.print T(S)\n")
    dest = tmp_path / "op.png"
    code, out, err = run_cli(capsys, "plot", path, "-o", dest)
    assert code == 1
    assert err.startswith(f"{path}: error: nothing to plot") and ".sweep" in err
    assert "Traceback" not in err
    assert not dest.exists() and leftovers(tmp_path) == []
    with pytest.raises(plot.PlotError, match="needs a .sweep"):
        plot.figure(thermnet.load(str(path)).run())


def test_existing_file_not_clobbered_on_error(tmp_path, capsys):
    path = tmp_path / "op.net"
    path.write_text("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.op\n")
    dest = tmp_path / "old.png"
    dest.write_bytes(b"old")
    assert run_cli(capsys, "plot", path, "-o", dest)[0] == 1
    assert dest.read_bytes() == b"old"


def test_bad_netlist_and_missing_file(tmp_path, capsys):
    bad = tmp_path / "bad.net"
    bad.write_text("TB bath 30m\nP1 S 1p\nG1 S bath 2W\n")
    code, out, err = run_cli(capsys, "plot", bad, "-o", tmp_path / "x.png")
    assert code == 1 and err.startswith(f"{bad}:3:11: error: ") and "Traceback" not in err
    code, out, err = run_cli(capsys, "plot", tmp_path / "nope.json", "-o", tmp_path / "x.png")
    assert code == 1 and "cannot read results file" in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("text, message", [
    # the column of a trailing comma: 21 (the brace) up to Python 3.12, 20 (the comma) from 3.13
    ('{"title": "x", "results": [\n  {"analysis": "op",}\n]}',
     f":2:{21 if sys.version_info < (3, 13) else 20}: error: not valid JSON"),
    ('{"title": "x"}', 'not a thermnet results file: no "results" list'),
    ('{"results": [{"analysis": "sweep", "step": {}, "columns": {"a": [1, 2], "b": [1]}}]}',
     'column "b" is not a list of numbers'),
])
def test_bad_results_json(tmp_path, capsys, text, message):
    path = tmp_path / "r.json"
    path.write_text(text)
    code, out, err = run_cli(capsys, "plot", path, "-o", tmp_path / "x.png")
    assert code == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_debug_reraises(tmp_path, netfile):
    with pytest.raises(plot.PlotError):
        main(["plot", str(netfile), "-o", str(tmp_path / "x.gif"), "--debug"])


def test_without_matplotlib(monkeypatch, netfile, tmp_path, capsys):
    for mod in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, mod, None)      # import -> ImportError
    dest = tmp_path / "fig.png"
    code, out, err = run_cli(capsys, "plot", netfile, "-o", dest)
    assert code == 1
    assert "matplotlib" in err and "pip install 'thermnet[plot]'" in err
    assert "Traceback" not in err and not dest.exists()


def test_module_does_not_import_matplotlib_eagerly():
    import subprocess
    code = ("import sys, thermnet.results.plot, thermnet.cli; "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_two_sweeps_two_columns_of_subplots():
    res = thermnet.parse("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.sweep P1 1p 3p 3\n"
                         ".sweep TB 50m 150m 3\n.print T(S) P(G1)\n", "two.net").run()
    fig = plot.figure(res)
    assert len(fig.axes) == 4
    # row by row: (T(S) over P1, T(S) over TB), (P(G1) over P1, P(G1) over TB)
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", P1_LABEL + " [pW]",
                                                    r"$T_{\mathrm{B}}$ [mK]"]
    assert [ax.get_ylabel() for ax in fig.axes] == [LABELS[0] + " [mK]"] * 2 + \
        [r"$P_{\mathrm{G1}}$ [pW]"] * 2
    np.testing.assert_allclose(fig.axes[3].get_lines()[0].get_xdata(), [50, 100, 150])
    # columns of unequal length (results put together by hand): no empty axes left
    short = AnalysisResult("sweep", {}, {"P1": np.array([1e-12, 2e-12]),
                                         "T(S)": np.array([0.101, 0.102])},
                           np.array([True, True]), swept="P1")
    fig = plot.figure(Results("", [res[0], short]))
    assert [ax.get_ylabel() for ax in fig.axes] == [LABELS[0] + " [mK]"] * 2 + \
        [r"$P_{\mathrm{G1}}$ [pW]"]
    # no "dimensions": SI, no unit, and the name as written (not known to be a heater)
    assert fig.axes[1].get_xlabel() == r"$\mathrm{P1}$"


def test_log_y_axis_for_data_spanning_decades():
    """R_N/R(T) of an NIS junction spans four decades over T/Tc = 0.1..1: log y; the
    temperature of the same run (one decade) stays linear."""
    from thermnet.results.plot import figure
    text = """.model j nis(tc=1.2 rspec=1p cspec=1e-24 dynes=1e-4)
.param t=0.5
TJ J {t*1.2}
TP P 10m
N1 a b j area=1p temp=J
R1 b a 4g temp=P
.sweep t 0.1 1 10
.print GRATIO(N1) T(J)
"""
    fig = figure(thermnet.parse(text).run())
    ratio_ax, temp_ax = fig.axes
    assert ratio_ax.get_yscale() == "log" and temp_ax.get_yscale() == "linear"


def test_a_shorter_column_shows_its_tick_labels():
    """An .op/.sweep column of three panels beside an .ac column of one: the .ac panel, the
    last of its column but above the figure's bottom row, keeps its frequency tick labels
    (sharex gives them to the bottom row only)."""
    res = thermnet.parse("""TB bath 0.1
GA A bath 1n
HA A 1p
PA A 1p ac=1f
.sweep PA 1p 2p 3
.ac dec 2 1 1k
.print T(A) P(GA) {T(A)-0.1}
""").run()
    fig = plot.figure(res)
    fig.canvas.draw()
    bottoms = {}
    for ax in fig.axes:               # the lowest panel of each column (by position)
        box = ax.get_position()
        key = round(box.x0, 2)
        if key not in bottoms or box.y0 < bottoms[key].get_position().y0:
            bottoms[key] = ax
    assert len(bottoms) == 2
    for ax in bottoms.values():
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
        assert any(shown), ax.get_xlabel()
