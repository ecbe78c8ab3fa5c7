"""The command line (``thermnet run | check | elements``), its output formats, and the
Python API (``thermnet.parse``, ``Netlist.set``)."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import thermnet
from thermnet.cli import main

# A linear thermal network with an exact solution.  With g = gg, conductances g (S-bath),
# 1n (S-D), 1n (D-bath) and heater P at S:
#     T(S) = Tb + P / (g + 0.5n),   T(D) = (T(S) + Tb) / 2,   P(G2) = 1n * (T(S) - T(D)).
# R1/R2 add a photonic link S-D (for Q(S,D)); its heat (~1e-17 W) is negligible at rel=1e-5.
# Nodes are first spelled S and D, elements P1/G2, the parameter gg; .print spells them
# otherwise, and the output must use the first spelling with upper-case functions.
NET = """.title CLI test
.param gg=1n
TB bath 0.1
P1 S 1p
G1 S bath {gg}
G2 S D 1n
G3 D bath 1n
R1 a b 10 temp=S
R2 a b 10 temp=D
.op
.sweep p1 list 1p 2p 4p
.print t(s) T(d) p(g2) q(s,d)
"""
COLUMNS = ["T(S)", "T(D)", "P(G2)", "Q(S,D)"]


def exact(P=1e-12, g=1e-9, Tb=0.1):
    TS = Tb + P / (g + 0.5e-9)
    TD = (TS + Tb) / 2
    return {"T(S)": TS, "T(D)": TD, "P(G2)": 1e-9 * (TS - TD)}


@pytest.fixture
def netfile(tmp_path):
    path = tmp_path / "cli.net"
    path.write_text(NET)
    return path


@pytest.fixture
def badfile(tmp_path):
    path = tmp_path / "bad.net"
    path.write_text("TB bath 30m\nP1 S 1p\nG1 S bath 2W\n")
    return path


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- JSON contract (language page, "Running") -------------------------------------------
def validate_results(doc, sweep_lengths=None):
    """Check ``doc`` against the JSON contract; return it.  ``sweep_lengths[i]`` is the
    expected number of points of result i (None for op)."""
    assert isinstance(doc, dict)
    assert {"title", "results"} <= set(doc)
    assert isinstance(doc["title"], str)
    assert isinstance(doc["results"], list) and doc["results"]
    for i, r in enumerate(doc["results"]):
        assert isinstance(r, dict)
        assert {"analysis", "step", "columns"} <= set(r)
        assert r["analysis"] in ("op", "sweep")
        assert isinstance(r["step"], dict)
        for k, v in r["step"].items():
            assert isinstance(k, str) and _is_number(v)
        cols = r["columns"]
        assert isinstance(cols, dict) and cols
        if r["analysis"] == "op":
            for k, v in cols.items():
                assert _is_number(v), (k, v)
        else:
            n = len(next(iter(cols.values())))
            assert n >= 1
            if sweep_lengths is not None:
                assert n == sweep_lengths[i]
            for k, v in cols.items():
                assert isinstance(v, list) and len(v) == n, k
                assert all(_is_number(x) for x in v), (k, v)
    return doc


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def test_run_json_matches_contract(netfile, capsys):
    code, out, err = run_cli(capsys, "run", str(netfile), "--format", "json")
    assert code == 0, err
    doc = validate_results(json.loads(out), [None, 3])
    assert doc["title"] == "CLI test"
    op, sweep = doc["results"]
    assert (op["analysis"], sweep["analysis"]) == ("op", "sweep")
    assert op["step"] == {} and sweep["step"] == {}
    assert list(op["columns"]) == COLUMNS
    # the swept name comes first, spelled as the element was first written
    assert list(sweep["columns"]) == ["P1"] + COLUMNS
    assert sweep["columns"]["P1"] == pytest.approx([1e-12, 2e-12, 4e-12])
    # exact() leaves out the photonic heat of R1-R2 (~1e-4 of G: P(G2) 6e-5 off)
    for k, v in exact(P=1e-12).items():
        assert op["columns"][k] == pytest.approx(v, rel=2e-4)
    for i, P in enumerate([1e-12, 2e-12, 4e-12]):
        for k, v in exact(P=P).items():
            assert sweep["columns"][k][i] == pytest.approx(v, rel=2e-4)
    q = sweep["columns"]["Q(S,D)"]
    assert all(x > 0 for x in q) and q[0] < q[1] < q[2]   # S is hotter than D


def test_validator_rejects_bad_documents():
    good = {"title": "", "results": [{"analysis": "op", "step": {}, "columns": {"T(S)": 1.0}}]}
    validate_results(good)
    bad = [
        {"results": good["results"]},
        {"title": "", "results": [{"analysis": "tran", "step": {}, "columns": {"a": 1.0}}]},
        {"title": "", "results": [{"analysis": "op", "step": {}, "columns": {"a": "1"}}]},
        {"title": "", "results": [{"analysis": "sweep", "step": {},
                                   "columns": {"a": [1.0, 2.0], "b": [1.0]}}]},
        {"title": "", "results": [{"analysis": "op", "columns": {"a": 1.0}}]},
    ]
    for doc in bad:
        with pytest.raises(AssertionError):
            validate_results(doc)


def test_step_nesting_json(netfile, capsys):
    netfile.write_text(NET.replace(".op", ".step gg list 1n 2n\n.step tb list 0.1 0.2\n.op"))
    code, out, err = run_cli(capsys, "run", str(netfile), "--format", "json")
    assert code == 0, err
    doc = validate_results(json.loads(out), [None, 3] * 4)
    results = doc["results"]
    assert len(results) == 8
    combos = list(itertools.product([1e-9, 2e-9], [0.1, 0.2]))   # first .step outermost
    for k, (g, Tb) in enumerate(combos):
        op, sweep = results[2 * k], results[2 * k + 1]
        assert (op["analysis"], sweep["analysis"]) == ("op", "sweep")
        for r in (op, sweep):
            assert list(r["step"]) == ["gg", "TB"]      # names as first spelled
            assert r["step"]["gg"] == pytest.approx(g)
            assert r["step"]["TB"] == pytest.approx(Tb)
        assert op["columns"]["T(S)"] == pytest.approx(exact(1e-12, g, Tb)["T(S)"], rel=1e-5)
        assert sweep["columns"]["T(D)"][2] == pytest.approx(exact(4e-12, g, Tb)["T(D)"],
                                                             rel=1e-5)


def test_step_of_a_source_and_list_sweep_of_a_param(tmp_path, capsys):
    path = tmp_path / "s.net"
    path.write_text(".param G=1n\nTB bath 0.1\nP1 S 1p\nG1 S bath {g}\nG2 S bath 0.5n\n"
                    ".step p1 2p 4p 2\n.sweep g 1n 3n 3 log\n.print T(S)\n")
    code, out, err = run_cli(capsys, "run", str(path), "--format", "json")
    assert code == 0, err
    doc = validate_results(json.loads(out), [3, 3])
    for r, P in zip(doc["results"], [2e-12, 4e-12]):
        assert r["step"] == {"P1": pytest.approx(P)}
        assert list(r["columns"]) == ["G", "T(S)"]
        assert r["columns"]["G"] == pytest.approx([1e-9, np.sqrt(3) * 1e-9, 3e-9])
        expect = [0.1 + P / (g + 0.5e-9) for g in r["columns"]["G"]]
        assert r["columns"]["T(S)"] == pytest.approx(expect, rel=1e-8)


# ---- table, csv, -o ----------------------------------------------------------------------
def test_run_table(netfile, capsys):
    code, out, err = run_cli(capsys, "run", str(netfile), "--si")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "CLI test"
    assert "op" in lines and "sweep over P1" in lines
    header = lines[lines.index("op") + 1].split()
    assert header == COLUMNS
    row = [float(x) for x in lines[lines.index("op") + 2].split()]
    assert row[0] == pytest.approx(exact()["T(S)"], rel=1e-5)
    sweep_header = lines[lines.index("sweep over P1") + 1].split()
    assert sweep_header == ["P1"] + COLUMNS
    first = [float(x) for x in lines[lines.index("sweep over P1") + 2].split()]
    assert first[0] == pytest.approx(1e-12)
    assert first[2] == pytest.approx(exact()["T(D)"], rel=1e-5)
    assert "Traceback" not in err


def test_run_csv(netfile, capsys):
    code, out, err = run_cli(capsys, "run", str(netfile), "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    # one header: the union of the analyses' columns, empty where an analysis has none
    assert rows[0] == ["analysis"] + COLUMNS + ["P1", "converged"]
    assert rows[1][0] == "0:op"
    assert float(rows[1][1]) == pytest.approx(exact()["T(S)"], rel=1e-5)
    assert rows[1][5] == ""
    data = rows[2:]
    assert len(data) == 3
    assert [float(r[5]) for r in data] == pytest.approx([1e-12, 2e-12, 4e-12])
    assert [r[-1] for r in data] == ["1", "1", "1"]
    assert float(data[2][2]) == pytest.approx(exact(P=4e-12)["T(D)"], rel=1e-5)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_output_file_has_the_same_text(netfile, tmp_path, capsys, fmt):
    code, out, _ = run_cli(capsys, "run", str(netfile), "--format", fmt)
    assert code == 0
    dest = tmp_path / f"out.{fmt}"
    code, out2, err = run_cli(capsys, "run", str(netfile), "--format", fmt, "-o", str(dest))
    assert code == 0, err
    assert out2 == ""
    assert dest.read_text() == out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".thermnet-")] == []


def test_failed_run_leaves_no_output_file(badfile, tmp_path, capsys):
    dest = tmp_path / "out.json"
    code, out, err = run_cli(capsys, "run", str(badfile), "--format", "json", "-o", str(dest))
    assert code != 0
    assert not dest.exists()
    assert out == ""
    # an existing file is not clobbered either
    dest.write_text("old contents\n")
    code, out, err = run_cli(capsys, "run", str(badfile), "-o", str(dest))
    assert code != 0
    assert dest.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.net", "out.json"]


def test_bad_netlist_message(badfile, capsys):
    code, out, err = run_cli(capsys, "run", str(badfile))
    assert code == 1
    assert out == ""
    assert err.startswith(f"{badfile}:3:11: error: ")
    assert "unit of power (W)" in err
    assert "    G1 S bath 2W\n" in err
    assert "\n              ^\n" in err      # caret under column 11
    assert "Traceback" not in err


def test_missing_file(tmp_path, capsys):
    code, out, err = run_cli(capsys, "run", str(tmp_path / "nope.net"))
    assert code != 0
    assert "cannot read netlist" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--debug", "run", "{f}"], ["run", "{f}", "--debug"],
                                  ["check", "{f}", "--debug"]])
def test_debug_reraises(badfile, argv):
    with pytest.raises(thermnet.NetlistError) as info:
        main([a.format(f=badfile) for a in argv])
    assert info.value.span.line == 3


def test_check_fails_on_bad_netlist(badfile, capsys):
    code, out, err = run_cli(capsys, "check", str(badfile))
    assert code == 1
    assert f"{badfile}:3:11:" in err


def test_failed_sweep_point_exit_status(tmp_path, capsys):
    # a negative heater power that the bath cannot absorb: no steady state at that point
    path = tmp_path / "f.net"
    path.write_text("TB bath 0.1\nP1 S 1p\nG1 S bath 1n\n.sweep P1 list 1p -1\n.print T(S)\n")
    code, out, err = run_cli(capsys, "run", str(path), "--format", "json")
    assert code == 2
    doc = json.loads(out)
    cols = doc["results"][0]["columns"]
    assert cols["T(S)"][0] == pytest.approx(0.101)
    assert cols["T(S)"][1] is None
    assert doc["results"][0]["converged"] == [True, False]
    assert "warning: sweep point 1" in err and "Traceback" not in err


# ---- check and elements ------------------------------------------------------------------
def test_check_summary(netfile, capsys):
    code, out, err = run_cli(capsys, "check", str(netfile))
    assert code == 0, err
    assert "title: CLI test" in out
    assert "thermal nodes (3): bath [fixed], S, D" in out
    assert "electrical nodes (2): a, b" in out
    assert "elements (7):" in out
    for name in ("TB", "P1", "G1", "G2", "G3", "R1", "R2"):
        assert f"\n  {name} " in out
    assert "photonic links (1):" in out
    assert "link 1: elements R1 R2; dissipative at S, D" in out
    assert "analyses: op, sweep P1 (3 points)" in out
    assert "print: " + " ".join(COLUMNS) in out


def test_elements_lists_every_kind(capsys):
    from thermnet.elements import ELEMENT_KINDS, MODEL_TYPES
    code, out, err = run_cli(capsys, "elements")
    assert code == 0
    letters = {line.split()[0] for line in out.splitlines()
               if line.startswith("  ") and not line.startswith("   ") and line.split()
               and len(line.split()[0]) == 1}
    assert set(ELEMENT_KINDS) | {"X"} <= letters
    for letter in "TPEGRCLX":
        assert letter in letters
    for kind in ELEMENT_KINDS.values():
        assert kind.form in out
    for name in MODEL_TYPES:
        assert f"  {name}: " in out


# ---- the installed console script ----------------------------------------------------------
def test_console_script(netfile, badfile):
    exe = shutil.which("thermnet") or os.path.join(os.path.dirname(sys.executable), "thermnet")
    assert os.path.exists(exe), "the thermnet console script is not installed"
    ok = subprocess.run([exe, "run", str(netfile), "--format", "json", "-q"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    doc = validate_results(json.loads(ok.stdout), [None, 3])
    assert doc["results"][0]["columns"]["T(S)"] == pytest.approx(exact()["T(S)"], rel=1e-5)
    bad = subprocess.run([exe, "run", str(badfile)], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert f"{badfile}:3:11: error:" in bad.stderr
    assert "Traceback" not in bad.stderr


# ---- Python API -------------------------------------------------------------------------
API_NET = """.param gg=1n
TB bath 0.1
P1 s 1p
G1 s bath {gg}
.sweep p1 list 1p 2p
.print T(s)
"""


def test_api_sweep_columns_are_arrays():
    res = thermnet.parse(API_NET).run()
    r = res[0]
    assert r.analysis == "sweep"
    assert list(r.columns) == ["P1", "T(s)"]
    assert isinstance(r.columns["T(s)"], np.ndarray)
    assert r.columns["T(s)"].shape == (2,)
    np.testing.assert_allclose(r.columns["T(s)"], [0.101, 0.102], rtol=1e-9)
    assert res.ok


def test_api_set_source_and_param():
    net = thermnet.parse(API_NET.replace(".sweep p1 list 1p 2p", ".op"))
    assert net.run()[0].columns["T(s)"] == pytest.approx(0.101, rel=1e-9)
    net.set("p1", 5e-12)                 # names are case-insensitive
    assert net.run()[0].columns["T(s)"] == pytest.approx(0.105, rel=1e-9)
    net.set("GG", 5e-9)
    assert net.run()[0].columns["T(s)"] == pytest.approx(0.101, rel=1e-9)
    net.set("TB", 0.2)
    assert net.run()[0].columns["T(s)"] == pytest.approx(0.201, rel=1e-9)
    # the set values also reach the sweep's other settings, and the swept value wins
    net2 = thermnet.parse(API_NET).set("gg", 2e-9)
    np.testing.assert_allclose(net2.run()[0].columns["T(s)"], [0.1005, 0.101], rtol=1e-9)


def test_api_set_does_not_reparse(monkeypatch):
    net = thermnet.parse(API_NET)
    import thermnet.netlist.parser as parser
    from thermnet import api as api_module

    def fail(*a, **k):
        pytest.fail("re-parsed")
    for mod in (parser, api_module):
        monkeypatch.setattr(mod, "parse_text", fail)
        monkeypatch.setattr(mod, "parse_file", fail)
    net.set("TB", 0.1).set("gg", 2e-9)     # (P1 is swept: setting it is an error at run())
    np.testing.assert_allclose(net.run()[0].columns["T(s)"], [0.1005, 0.101], rtol=1e-9)


def test_api_set_unknown_name():
    net = thermnet.parse(API_NET)
    with pytest.raises(thermnet.NetlistError, match="neither a temperature source"):
        net.set("nothing", 1.0)


def test_api_title_and_json(tmp_path):
    net = thermnet.parse(".title my title\n" + API_NET)
    assert net.title == "my title"
    doc = validate_results(net.run().to_json(), [2])
    assert doc["title"] == "my title"
    json.dumps(doc)   # serialisable


def test_op_after_sweep_uses_the_source_value():
    res = thermnet.parse(API_NET + ".op\n").run()
    assert res[1].analysis == "op"
    assert res[1].columns["T(s)"] == pytest.approx(0.101, rel=1e-9)   # P1 = 1p, not 2p


def test_output_file_has_the_usual_permissions(tmp_path):
    """Written through a temporary file, but readable like any file the user writes
    (mkstemp's 0600 would hide results from collaborators)."""
    from thermnet.results.io import write_atomic
    out = tmp_path / "r.txt"
    write_atomic(str(out), "x")
    umask = os.umask(0)
    os.umask(umask)
    assert (out.stat().st_mode & 0o777) == (0o666 & ~umask)
    assert out.read_text() == "x"
