""".print expressions and .measure (docs/language.md, "Expressions of quantities" and
".measure"): every measurement equals numpy post-processing of the same columns, written
here independently (np.interp for values and crossings, scipy's trapezoid for averages)."""
import json
import math

import numpy as np
import pytest
from scipy.integrate import trapezoid  # numpy's is np.trapezoid only from numpy 2.0

import thermnet
from thermnet.cli import main
from thermnet.errors import FailedMeasureWarning, FailedPointsWarning, NetlistError

# One island heated by P1, cooled by electron-phonon coupling (no photonics: fast).  The
# column {sin(...)} oscillates along the sweep so that RISE/FALL/CROSS have several events.
BASE = """\
.title measure test
.model cu eph(sigma=2e9 n=5)
.param wiggle=6
TB bath 30m
P1 A 1p
E1 A bath cu vol=1e-19
.sweep P1 0.1p 3p 41
.print T(A) {sin(wiggle*P1/1p)} {-P(TB)} {T(A)-T(bath)} {1000*T(A)} D(T(A),P1)
"""
WIGGLE = "{sin(wiggle*P1/1p)}"


def run(extra, base=BASE):
    return thermnet.parse(base + extra, "<test>").run()


def crossings(x, y, level, edge):
    """x of every crossing of y through level, in order (independent of thermnet)."""
    out = []
    for i in range(len(x) - 1):
        a, b = y[i] - level, y[i + 1] - level
        rise, fall = a < 0 <= b, a > 0 >= b
        if (edge == "RISE" and rise) or (edge == "FALL" and fall) or \
                (edge == "CROSS" and (rise or fall)):
            ys, xs = (y[i:i + 2], x[i:i + 2]) if rise else (y[i:i + 2][::-1], x[i:i + 2][::-1])
            out.append(float(np.interp(level, ys, xs)))
    return out


def window(x, y, lo, hi):
    """(xs, ys): the points strictly inside [lo, hi] and the interpolated edges."""
    inside = (x > lo) & (x < hi)
    xs = np.concatenate([[lo], x[inside], [hi]])
    return xs, np.interp(xs, x, y)


def test_print_expressions_columns_names_units():
    r = run("")[0]
    c = r.columns
    assert list(c) == ["P1", "T(A)", WIGGLE, "{-P(TB)}", "{T(A)-T(bath)}", "{1000*T(A)}",
                       "D(T(A),P1)"]
    assert c[WIGGLE] == pytest.approx(np.sin(6 * c["P1"] / 1e-12), rel=1e-12, abs=1e-12)
    # the bath must take out what the heater puts in (energy balance)
    assert c["{-P(TB)}"] == pytest.approx(c["P1"], rel=1e-7)
    assert c["{T(A)-T(bath)}"] == pytest.approx(c["T(A)"] - 0.03, rel=1e-12)
    assert c["{1000*T(A)}"] == pytest.approx(1000 * c["T(A)"], rel=1e-12)
    # dimensions: kept by negation, differences; a scaled column (mK) has no SI unit
    assert r.dimensions["{-P(TB)}"] == "power"
    assert r.dimensions["{T(A)-T(bath)}"] == "temperature"
    assert "{1000*T(A)}" not in r.dimensions
    assert WIGGLE not in r.dimensions              # P1/1p: in pW, a unit not tracked


def test_print_expression_of_a_derivative_and_a_ratio():
    r = run("", BASE.replace("D(T(A),P1)", "{D(T(A),P1)*1p} {P(E1)/P1}"))[0]
    c = r.columns
    # d T / d P of P = Sigma V (T^5 - Tb^5): 1/(5 Sigma V T^4), closed form
    assert c["{D(T(A),P1)*1p}"] == pytest.approx(1e-12 / (5 * 2e9 * 1e-19 * c["T(A)"] ** 4),
                                                 rel=1e-6)
    assert c["{P(E1)/P1}"] == pytest.approx(1.0, rel=1e-7)
    assert r.dimensions["{P(E1)/P1}"] == "dimensionless"


@pytest.mark.parametrize("kind", ["MAX", "MIN", "PP", "AVG"])
def test_statistics_with_and_without_window(kind):
    r = run(f".measure sweep all {kind} {WIGGLE}\n"
            f".measure sweep part {kind} {WIGGLE} FROM=0.73p TO=2.21p\n"
            f".measure sweep t {kind} T(A) FROM=1p TO=2p\n")[0]
    x = r.columns["P1"]
    for name, col, lo, hi in (("all", WIGGLE, x[0], x[-1]), ("part", WIGGLE, 0.73e-12, 2.21e-12),
                              ("t", "T(A)", 1e-12, 2e-12)):
        xs, ys = window(x, r.columns[col], lo, hi)
        expected = {"MAX": ys.max(), "MIN": ys.min(), "PP": ys.max() - ys.min(),
                    "AVG": trapezoid(ys, xs) / (hi - lo)}[kind]
        assert r.measures[name] == pytest.approx(expected, rel=1e-12, abs=1e-15), name
    assert not r.measure_failures
    assert r.measure_dimensions["t"] == "temperature"


def test_find_at_and_when_with_rise_fall_cross_counts():
    cards = [".measure sweep at FIND T(A) AT=1.234p"]
    for edge in ("RISE", "FALL", "CROSS"):
        for n in ("1", "2", "LAST"):
            cards.append(f".measure sweep w_{edge}_{n} WHEN {WIGGLE}=0.3 {edge}={n}")
            cards.append(f".measure sweep f_{edge}_{n} FIND T(A) WHEN {WIGGLE}=0.3 {edge}={n}")
    cards.append(f".measure sweep default WHEN {WIGGLE}=-0.5")
    cards.append(f".measure sweep windowed WHEN {WIGGLE}=0.3 RISE=1 FROM=1.5p TO=3p")
    r = run("\n".join(cards) + "\n")[0]
    x, y, T = r.columns["P1"], r.columns[WIGGLE], r.columns["T(A)"]
    assert r.measures["at"] == pytest.approx(np.interp(1.234e-12, x, T), rel=1e-12)
    for edge in ("RISE", "FALL", "CROSS"):
        xs = crossings(x, y, 0.3, edge)
        assert len(xs) >= 2
        for n, k in (("1", 0), ("2", 1), ("LAST", -1)):
            assert r.measures[f"w_{edge}_{n}"] == pytest.approx(xs[k], rel=1e-12)
            assert r.measures[f"f_{edge}_{n}"] == pytest.approx(np.interp(xs[k], x, T),
                                                                rel=1e-12)
    assert r.measures["default"] == pytest.approx(crossings(x, y, -0.5, "CROSS")[0], rel=1e-12)
    later = [v for v in crossings(x, y, 0.3, "RISE") if v >= 1.5e-12]
    assert r.measures["windowed"] == pytest.approx(later[0], rel=1e-12)
    assert r.measure_dimensions["w_RISE_1"] == "power"


def test_when_against_a_column_and_param_of_measures():
    with pytest.warns(FailedMeasureWarning, match=r"never \(sweep\): no CROSS=1"):
        r = run(".measure sweep meet WHEN T(A)={0.3 + 0*T(A)}\n"
                ".measure sweep hot MAX T(A)\n"
                ".measure sweep cold MIN T(A)\n"
                ".measure sweep span PARAM={1000*(hot - cold)*wiggle/6}\n"
                ".measure sweep pmeet FIND P1 WHEN T(A)=300mK\n"
                ".measure sweep calls WHEN {T(A)-0.3}=T(bath)\n"
                ".measure sweep never WHEN T(A)=T(bath)\n")[0]
    x, T = r.columns["P1"], r.columns["T(A)"]
    assert r.measures["meet"] == pytest.approx(np.interp(0.3, T, x), rel=1e-12)
    assert r.measures["pmeet"] == pytest.approx(np.interp(0.3, T, x), rel=1e-12)
    assert r.measures["span"] == pytest.approx(1000 * (T.max() - T.min()), rel=1e-12)
    assert r.measures["calls"] == pytest.approx(np.interp(0.33, T, x), rel=1e-12)
    assert r.measure_failures["never"] == "no CROSS=1 of T(A) through T(bath)"
    assert list(r.measures) == ["meet", "hot", "cold", "span", "pmeet", "calls", "never"]


def test_param_may_use_measures_defined_below_it():
    r = run(".measure sweep d PARAM={hot - cold}\n.measure sweep hot MAX T(A)\n"
            ".measure sweep cold MIN T(A)\n")[0]
    T = r.columns["T(A)"]
    assert r.measures["d"] == pytest.approx(T.max() - T.min(), rel=1e-12)


def test_measures_per_step_value_and_op():
    text = BASE.replace(".sweep P1 0.1p 3p 41", ".step wiggle list 3 6\n.sweep P1 0.1p 3p 41")
    res = run(f".measure sweep top MAX {WIGGLE} FROM=0.2p TO=0.3p\n", text)
    assert [r.step for r in res] == [{"wiggle": 3.0}, {"wiggle": 6.0}]
    for r in res:
        xs, ys = window(r.columns["P1"], r.columns[WIGGLE], 0.2e-12, 0.3e-12)
        assert r.measures["top"] == pytest.approx(ys.max(), rel=1e-12)
    assert res[0].measures["top"] != pytest.approx(res[1].measures["top"])
    op = BASE.replace(".sweep P1 0.1p 3p 41", ".op")
    (r,) = run(".measure op t MAX T(A)\n.measure op z PP T(A)\n"
               ".measure op mk PARAM={1000*t}\n", op)
    assert r.measures == {"t": r.columns["T(A)"], "z": 0.0, "mk": 1000 * r.columns["T(A)"]}


def test_failed_measure_is_nan_with_its_reason(tmp_path, capsys):
    extra = (".measure sweep never WHEN T(A)=10\n"
             ".measure sweep third WHEN T(A)=0.1 RISE=2\n"
             ".measure sweep outside MAX T(A) FROM=2p TO=5p\n"
             ".measure sweep uses PARAM={never*2}\n"
             ".measure sweep fine MAX T(A)\n")
    with pytest.warns(FailedMeasureWarning, match=r"4 \.measure\(s\) failed"):
        r = run(extra)[0]
    assert math.isnan(r.measures["never"]) and "no CROSS=1 of T(A) through 10" in \
        r.measure_failures["never"]
    assert "no RISE=2" in r.measure_failures["third"]
    assert "TO=5e-12 is outside the range of P1" in r.measure_failures["outside"]
    assert "never" in r.measure_failures["uses"] and math.isnan(r.measures["uses"])
    assert "fine" not in r.measure_failures
    doc = r.to_json()
    assert doc["measures"]["never"] is None and doc["measures"]["fine"] > 0
    assert "no CROSS" in doc["measure_failures"]["never"]
    back = type(r).from_json(json.loads(json.dumps(doc)))
    assert math.isnan(back.measures["never"]) and back.measure_failures == r.measure_failures
    # CLI: a table section, warnings on stderr; the exit status counts failed points only
    f = tmp_path / "m.net"
    f.write_text(BASE + extra)
    assert main(["run", str(f), "-q"]) == 0
    out, err = capsys.readouterr()
    assert "measures\n" in out and "never   = FAILED: no CROSS=1" in out
    assert "warning: .measure never of the sweep failed" in err
    assert "fine    = " in out and " K\n" in out


def test_failed_point_in_range_fails_the_measure():
    # a column that is not finite at one point fails that point; a measure over it fails
    # (sqrt of a negative number above 0.5 pW)
    with pytest.warns(FailedPointsWarning), pytest.warns(FailedMeasureWarning, match="m "):
        r = run(".measure sweep m MAX T(A)\n.measure sweep ok MAX T(A) FROM=0.1p TO=0.4p\n",
                BASE.replace("{1000*T(A)}", "{sqrt(0.5p-P1)}"))[0]
    assert not r.converged.all() and r.converged[0]
    assert "the point(s) at P1=5.35e-13" in r.measure_failures["m"]
    assert r.measures["ok"] == pytest.approx(
        window(r.columns["P1"], r.columns["T(A)"], 0.1e-12, 0.4e-12)[1].max(), rel=1e-12)


def test_check_lists_measures(tmp_path, capsys):
    f = tmp_path / "m.net"
    f.write_text(BASE + ".measure sweep hot MAX T(A)\n.measure sweep d PARAM={hot*2}\n")
    assert main(["check", str(f)]) == 0
    assert "measure: hot (sweep MAX), d (sweep PARAM)" in capsys.readouterr().out


def test_cli_json_has_measures(tmp_path, capsys):
    f = tmp_path / "m.net"
    f.write_text(BASE + ".measure sweep hot MAX T(A)\n")
    assert main(["run", str(f), "-q", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    r = doc["results"][0]
    assert r["measures"]["hot"] == pytest.approx(max(r["columns"]["T(A)"]))
    assert r["measure_dimensions"]["hot"] == "temperature"
    assert "{-P(TB)}" in r["columns"]


@pytest.mark.parametrize("card, where, says", [
    (".measure swep x MAX T(A)", (9, 10), "unknown analysis 'swep'"),
    (".measure op x MAX T(A)", (9, 10), "no .op analysis"),
    (".measure sweep x MAXIMUM T(A)", (9, 18), "unknown measurement 'MAXIMUM'"),
    (".measure sweep x MAX T(Z)", (9, 24), "'Z' is not a thermal node"),
    (".measure sweep x MAX T(A) FROM=3p TO=1p", (9, 32), "FROM=3e-12 is not below TO=1e-12"),
    (".measure sweep x MAX T(A) FROM=3mK", (9, 32), "power"),
    (".measure sweep x FIND T(A)", (9, 18), "FIND needs AT=v or WHEN"),
    (".measure sweep x WHEN T(A)=0.1 RISE=0", (9, 37), "whole number from 1 or LAST"),
    (".measure sweep x WHEN T(A)=0.1 RISE=1 FALL=1", (9, 39), "one of RISE=, FALL="),
    (".measure sweep x MAX T(A) RISE=1", (9, 27), "counts the crossings of WHEN"),
    (".measure sweep x PARAM={y+1}", (9, 25), "'y' is neither a .measure"),
    (".measure sweep x PARAM={T(A)}", (9, 25), "in PARAM: an expression of measurements"),
    (".measure sweep x PARAM={x+1}", (9, 25), "uses itself"),
    (".measure sweep x MAX T(A)\n.measure sweep X MIN T(A)", (10, 16), "defined twice"),
    (".measure sweep wiggle MAX T(A)", (9, 16), "already a .param"),
    (".print {T(A)+P(E1)}", (9, 9), "cannot add a temperature (K) and a power (W)"),
    (".print {T(A)+foo}", (9, 14), "'foo' is neither"),
    (".print {T(A+1)}", (9, 11), "must be a name or a quantity"),
    (".print {X(A)}", (9, 9), "unknown function or quantity 'X'"),
    (".print {1e400*T(A)}", (9, 9), "'1e400' is too large"),
    (".measure sweep x WHEN D(T(A),P1)=KAPPA(E1)", (9, 34),
     "compares D(T(A),P1), a temperature (K) / power (W), with KAPPA(E1), a thermal"),
])
def test_located_errors(card, where, says):
    with pytest.raises(NetlistError) as err:
        thermnet.parse(BASE + card + "\n", "bad.net")
    assert says in err.value.message
    assert (err.value.span.line, err.value.span.column) == where
    assert err.value.expected


def test_param_cycle_is_an_error():
    with pytest.raises(NetlistError, match="a cycle"):
        thermnet.parse(BASE + ".measure sweep a PARAM={b}\n.measure sweep b PARAM={a}\n")


def test_contract_v2_example_is_shipped_and_documented_verbatim():
    """The v2 contract's .measure example is netlists/dey2023_fig3_measured.net below its
    comment lines, and docs/language.md quotes it (tests/test_paper_dey2023.py runs it)."""
    import os
    import re
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "netlists", "dey2023_fig3_measured.net")) as fh:
        body = "".join(line for line in fh if not line.startswith("*"))
    with open(os.path.join(here, "..", "docs", "language.md")) as fh:
        assert "```\n" + body + "```" in fh.read()
    shared = os.path.join(here, "..", "..", "shared", "netlist-language-v2.md")
    if os.path.exists(shared):              # beside the integrator's checkout
        with open(shared) as fh:
            assert body in re.findall(r"```\n(.*?)```", fh.read(), re.S)


def test_without_sweeps_drops_the_sweep_measures():
    net = thermnet.parse(BASE + ".measure sweep hot MAX T(A)\n", "<test>")
    (r,) = net.without_sweeps().set("P1", "2pW").run()
    assert r.analysis == "op" and r.measures == {}
    assert r.columns["{-P(TB)}"] == pytest.approx(2e-12, rel=1e-7)


def test_element_parameter_in_expressions_and_d_at_an_op():
    """ELEMENT.PARAM names a value in an expression and a D() target at an .op (D() of an
    element parameter outside a sweep over it used to fail with a KeyError)."""
    op = BASE.replace(".sweep P1 0.1p 3p 41", ".op").replace(
        ".print", ".print {P(E1)/E1.vol} D(T(A),E1.vol)\n.print")
    (r,) = thermnet.parse(op).run()
    T, P, V = r.columns["T(A)"], 1e-12, 1e-19
    assert r.columns["{P(E1)/E1.vol}"] == pytest.approx(P / V, rel=1e-7)
    # P = Sigma V (T^5 - Tb^5): dT/dV = -P / (5 Sigma V^2 T^4)
    assert r.columns["D(T(A),E1.vol)"] == pytest.approx(-P / (5 * 2e9 * V ** 2 * T ** 4),
                                                         rel=1e-5)


def test_when_level_from_other_measurements():
    """WHEN EXPR={expression of measurements} (SPICE's WHEN vdb(out)=par('gain-3')): the
    level is evaluated once the measurements it names are known (in any card order)."""
    r = run(f".measure sweep half WHEN T(A)={{0.5*(hot + cold)}} RISE=1\n"
            f".measure sweep hot MAX T(A)\n.measure sweep cold MIN T(A)\n"
            f".measure sweep w2 WHEN {WIGGLE}={{top/2}} FALL=2\n"
            f".measure sweep top MAX {WIGGLE}\n")[0]
    x, T, y = r.columns["P1"], r.columns["T(A)"], r.columns[WIGGLE]
    assert r.measures["half"] == pytest.approx(np.interp(0.5 * (T.max() + T.min()), T, x),
                                               rel=1e-12)
    assert r.measures["w2"] == pytest.approx(crossings(x, y, y.max() / 2, "FALL")[1],
                                             rel=1e-12)
    with pytest.raises(NetlistError, match="a cycle"):
        thermnet.parse(BASE + ".measure sweep a WHEN T(A)={b} RISE=1\n"
                       ".measure sweep b PARAM={a*2}\n")
    with pytest.raises(NetlistError, match="takes no quantities") as err:
        thermnet.parse(BASE + ".measure sweep a WHEN T(A)={b + T(A)}\n"
                       ".measure sweep b MAX T(A)\n")
    assert (err.value.span.line, err.value.span.column) == (9, 33)
