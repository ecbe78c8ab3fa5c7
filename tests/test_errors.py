"""Malformed netlists: every error is a NetlistError pointing at the right line and column,
with a message naming what is wrong; random and mutated netlists never crash thermnet."""
from __future__ import annotations

import os
import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thermnet
from thermnet import NetlistError, ThermnetError
from thermnet.errors import FailedPointsWarning

# Four lines: a valid little circuit the cases below append to (their lines start at 5).
BASE = """.model cu eph(sigma=2e9)
TB bath 30m
P1 S 1p
ES S bath cu vol=1e-19
"""

SUB = """.subckt cell p q params: w=1n
G1 p q {w}
.ends
"""

# (id, netlist text, expected line, expected column or None, substring of the message)
CASES = [
    # ---- syntax ---------------------------------------------------------------------------
    ("unbalanced-brace", BASE + "G2 S bath {1+2\n", 5, None, "syntax error"),
    ("unbalanced-paren-expr", BASE + "G2 S bath {(1+2}\n", 5, 16, "unexpected '}'"),
    ("unbalanced-paren-model", ".model cu eph(sigma=2e9\nTB b 1\n", 1, None, "syntax error"),
    ("stray-equals", BASE + "G2 S bath 1n =\n", 5, 14, "unexpected '='"),
    ("bad-character", BASE + "G2 S bath 1n &\n", 5, 14, "unexpected '&'"),
    ("param-missing-value", BASE + ".param x=1 y=\n", 5, None, "unexpected end of line"),
    ("continuation-at-start", "+ G1 a b 1\nTB a 1\n", 1, 1, "continuation line '+'"),
    # ---- cards and elements ---------------------------------------------------------------
    ("unknown-element-letter", BASE + "QB bath 1\n", 5, 1, "unknown element kind 'Q'"),
    ("sweep-name-is-source-and-param", BASE + ".param p1=2\n.sweep P1 1p 2p 3\n", 6, 8,
     "names both the heater P1 and a .param"),
    ("unknown-dot-card", BASE + ".foo 1\n", 5, 1, "unknown card '.foo'"),
    ("dot-card-with-digits", BASE + ".title0.0 x\n", 5, 1, "unknown card '.title0'"),
    ("op-with-argument", BASE + ".op 1\n", 5, 5, ".op takes nothing"),
    ("missing-value", BASE + "G2 S bath\n", 5, 1, "missing the value"),
    ("extra-positional", BASE + "G2 S bath 1n 2n\n", 5, 14, "unexpected '2n'"),
    ("wrong-node-count", BASE + "G2 S\n", 5, 1, "needs 2 node(s)"),
    ("missing-model-name", BASE + "E2 S bath\n", 5, 1, "missing the model name"),
    ("number-instead-of-model", BASE + "E2 S bath 1p vol=1\n", 5, 11,
     "expected the name of a model"),
    ("unknown-element-parameter", BASE + "G2 S bath 1n zz=3\n", 5, 14, "no parameter 'zz'"),
    ("parameter-given-twice", BASE + "E2 S bath cu vol=1 VOL=2\n", 5, 20, "given twice"),
    # ---- values and units -----------------------------------------------------------------
    ("wrong-dimension", BASE.replace("TB bath 30m", "TB bath 2W"), 2, 9,
     "unit of power (W), but TB value is a temperature"),
    ("unknown-suffix", BASE + "G2 S bath 2zz\n", 5, 11, "unknown suffix 'zz'"),
    ("ambiguous-kelvin", BASE.replace("TB bath 30m", "TB bath 4k"), 2, 9, "ambiguous"),
    ("ambiguous-farad", BASE + "C1 a b 1f\n", 5, 8, "ambiguous"),
    ("not-finite", BASE + "G2 S bath 1e400\n", 5, 11, "not a finite number"),
    ("negative-resistance", BASE + "R1 a b -10 temp=S\nR2 a b 10 temp=S\n", 5, 8,
     "must be positive"),
    ("zero-temperature", BASE.replace("TB bath 30m", "TB bath 0"), 2, 9, "must be positive"),
    ("word-as-value", BASE + "G2 S bath nosuch\n", 5, 11, "not a number nor a defined"),
    # ---- models ---------------------------------------------------------------------------
    ("unknown-model", BASE + "E2 S bath nope vol=1\n", 5, 11, "unknown model 'nope'"),
    ("model-wrong-type", BASE + ".model gp gpow(k=1)\nE2 S bath gp vol=1\n", 6, 11,
     "is of type gpow"),
    ("unknown-model-type", BASE + ".model m2 foo(k=1)\n", 5, 11, "unknown model type 'foo'"),
    ("unknown-model-param", BASE + ".model m2 eph(sigma=1 zz=2)\n", 5, 23,
     "has no parameter 'zz'"),
    ("missing-model-param", BASE + ".model m2 eph(n=3)\nE2 S bath m2 vol=1e-19\n", 6, 1,
     "lacks sigma"),
    ("model-defined-twice", BASE + ".model CU eph(sigma=1)\n", 5, 8, "defined twice"),
    ("model-param-not-whole", BASE + ".model m2 eph(sigma=1 n=-2)\n", 5, 25,
     "must be positive"),
    # ---- subcircuits ----------------------------------------------------------------------
    ("unknown-subckt", BASE + "X1 S bath nosub\n", 5, 11, "unknown subcircuit 'nosub'"),
    ("recursive-direct", BASE + ".subckt a p\nX1 p a\n.ends\nX9 S a\n", 6, 6,
     "recursive subcircuit: a -> a"),
    ("recursive-indirect",
     BASE + ".subckt a p\nX1 p b\n.ends\n.subckt b p\nX1 p a\n.ends\nX9 S a\n", 9, 6,
     "recursive subcircuit: a -> b -> a"),
    ("wrong-port-count", BASE + SUB + "X1 S cell\n", 8, 1, "has 2 port(s)"),
    ("unknown-subckt-param", BASE + SUB + "X1 S bath cell z=2\n", 8, 16, "no parameter 'z'"),
    ("nested-subckt", BASE + ".subckt a p\n.subckt b q\n.ends\n.ends\n", 6, 1,
     "nested .subckt"),
    ("missing-ends", BASE + ".subckt a p\nG1 p p 1\n", 5, 1, "has no .ends"),
    ("ends-without-subckt", BASE + ".ends\n", 5, 1, ".ends without .subckt"),
    ("ends-wrong-name", BASE + ".subckt a p\nG1 p bath 1n\n.ends b\n", 7, 7,
     ".ends b closes .subckt a"),
    ("analysis-inside-subckt", BASE + ".subckt a p\n.op\n.ends\n", 6, 1,
     "not allowed inside .subckt"),
    # ---- parameters -----------------------------------------------------------------------
    ("undefined-param", BASE + "G2 S bath {undefined_x}\n", 5, 12,
     "undefined parameter 'undefined_x'"),
    ("circular-2", BASE + ".param a={b} b={a}\n", 5, 8, "circular .param definition: a -> b -> a"),
    ("circular-3", BASE + ".param a={b} b={c}\n.param c={2*a}\n", 5, 8,
     "a -> b -> c -> a"),
    ("duplicate-param", BASE + ".param a=1\n.param A=2\n", 6, 8, "parameter 'A' is defined twice"),
    ("division-by-zero", BASE + "G2 S bath {1/0}\n", 5, 12, "division by zero"),
    ("unknown-function", BASE + "G2 S bath {foo(1)}\n", 5, 12, "unknown function 'foo'"),
    ("function-domain", BASE + ".param x={log(0)}\n", 5, 11, "log(0) is undefined"),
    ("complex-result", BASE + ".param x={(-8)**0.5}\n", 5, 11, "not a finite real number"),
    ("overflow", BASE + ".param x={exp(1000)}\n", 5, 11, "cannot evaluate"),
    ("unit-inside-braces", BASE + ".param x={2W}\n", 5, 11, "only scale suffixes"),
    ("too-deep", BASE + ".param x={" + "-" * 2000 + "1}\n", 5, None, "nested too deeply"),
    # ---- names ----------------------------------------------------------------------------
    ("duplicate-element-case", BASE + "g1 S bath 1n\nG1 S bath 1n\n", 6, 1,
     "element name 'G1' is used twice"),
    ("duplicate-subckt", BASE + SUB + SUB, 8, 9, "defined twice"),
    # ---- graph checks ---------------------------------------------------------------------
    ("port-thermal-and-electrical", BASE + ".subckt two p\nG1 p bath 1n\nR1 p 0 10 temp=p\n"
     ".ends\nX1 S two\n", 7, 4, "'p' is used as an electrical node here but as a thermal"),
    ("temp-not-thermal", BASE + "R1 a b 10 temp=a\nR2 a b 10 temp=S\n", 5, 16,
     "thermal node 'a' is only named by temp="),
    ("dissipative-without-temp", BASE + "R1 a b 10\nR2 a b 10 temp=S\n", 5, 1,
     "needs temp=NODE"),
    ("floating-element", BASE + "R1 a b 10 temp=S\n", 5, 1, "R1 is floating"),
    ("both-ends-one-node", BASE + "R1 a a 10 temp=S\n", 5, 1, "both ends on node 'a'"),
    ("no-path-to-bath", BASE + "G2 F1 F2 1n\n", 5, 4, "no heat path to any temperature source"),
    ("heater-isolated", BASE + "P2 H 1p\n", 5, 4, "heater P2 would heat it forever"),
    ("two-sources", BASE + "T2 bath 1\n", 5, 1, "has two temperature sources (TB and T2)"),
    # ---- analyses, print, options ---------------------------------------------------------
    ("unknown-print-function", BASE + ".print T(S) Z(S)\n", 5, 13, "unknown quantity 'Z'"),
    ("unknown-print-node", BASE + ".print T(nonode)\n", 5, 10, "'nonode' is not a thermal node"),
    ("unknown-print-element", BASE + ".print P(nope)\n", 5, 10, "no element named 'nope'"),
    ("print-arg-count", BASE + ".print Q(S)\n", 5, 8, "Q takes 2 argument(s)"),
    ("print-not-a-call", BASE + ".print S\n", 5, 8, "expected a quantity"),
    ("unknown-option", BASE + ".options foo=1\n", 5, 10, "unknown option 'foo'"),
    ("sweep-unknown-name", BASE + ".sweep zz 1 2 3\n", 5, 8,
     "'zz' is neither a temperature source, a heater nor a .param"),
    ("step-unknown-name", BASE + ".step zz list 1 2\n", 5, 7, "'zz' is neither"),
    ("sweep-log-nonpositive", BASE + ".sweep P1 0 1p 3 log\n", 5, 11,
     "log sweep needs positive START and STOP"),
    ("sweep-log-negative", BASE + ".sweep P1 -1p 1p 3 log\n", 5, 11, "positive START"),
    ("sweep-noninteger-n", BASE + ".sweep P1 0.1p 1p 2.5\n", 5, 19, "whole number"),
    ("sweep-n-not-number", BASE + ".sweep P1 0.1p 1p {3}\n", 5, 19, "whole number"),
    ("sweep-missing-stop", BASE + ".sweep P1 0.1p 3\n", 5, None, "expected START STOP N"),
    ("sweep-list-empty", BASE + ".sweep P1 list\n", 5, 11, "'list' needs at least one value"),
    ("sweep-value-unit", BASE + ".sweep P1 list 1p 2pK\n", 5, 19, "unit of temperature"),
    ("tau-without-window",
     BASE + "R1 a b 1 temp=S\nR2 a b 1 temp=bath\n.print TAU(S,bath)\n", 7, 8,
     "no superconductor"),
]


def _raise(text: str) -> NetlistError:
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text).run()
    return info.value


@pytest.mark.parametrize("text,line,col,msg", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_position_and_message(text, line, col, msg):
    err = _raise(text)
    assert err.span is not None, str(err)
    assert err.span.file == "<string>"
    assert err.span.line == line, str(err)
    if col is not None:
        assert err.span.column == col, str(err)
    assert msg in err.message, str(err)
    # the rendered message: file:line:col:, the offending source line and a caret under it
    rendered = str(err)
    assert rendered.startswith(f"<string>:{line}:{err.span.column}: error: ")
    lines = rendered.splitlines()
    source = text.splitlines()[line - 1]
    assert lines[1] == "    " + source.rstrip()
    assert lines[2] == "    " + " " * (err.span.column - 1) + "^"


def test_case_table_is_large_and_ids_unique():
    assert len(CASES) >= 35
    assert len({c[0] for c in CASES}) == len(CASES)


def test_base_netlist_is_valid():
    res = thermnet.parse(BASE + SUB + "X1 S bath cell w=2n\n").run()
    assert res[0].analysis == "op"
    assert 0.03 < res[0].columns["T(S)"] < 1.0


def test_error_names_expected_form():
    err = _raise(BASE + "G2 S bath 1n 2n\n")
    assert "expected: GNAME A B VALUE" in str(err)


# ---- '+' continuation lines ------------------------------------------------------------
CONTINUATION_CASES = [
    ("value-on-continuation", BASE + "G2 S\n+ bath\n+    2W\n", 7, 6, "unit of power"),
    ("extra-on-continuation", BASE + "G2 S\n+ bath 1n\n+ 5\n", 7, 3, "unexpected '5'"),
    ("keyword-on-continuation", BASE + "R1 a b 10\n+ temp=S zz=1\nR2 a b 1 temp=S\n", 6, 10,
     "no parameter 'zz'"),
    ("expr-split-over-lines", BASE + "G2 S bath {1 +\n+ 1/0}\n", 6, 3, "division by zero"),
    ("model-param-continued", BASE + ".model m2\n+ eph(sigma=1\n+ bad=2)\n", 7, 3,
     "no parameter 'bad'"),
    ("syntax-on-continuation", BASE + "G2 S bath\n+ 1n &\n", 6, 6, "unexpected '&'"),
    ("comment-lines-between", BASE + "G2 S\n* comment\n\n+ bath ; c\n+ 2zz\n", 9, 3,
     "unknown suffix"),
]


@pytest.mark.parametrize("text,line,col,msg", [c[1:] for c in CONTINUATION_CASES],
                         ids=[c[0] for c in CONTINUATION_CASES])
def test_error_on_continuation_line(text, line, col, msg):
    err = _raise(text)
    assert (err.span.line, err.span.column) == (line, col), str(err)
    assert msg in err.message
    assert str(err).splitlines()[1] == "    " + text.splitlines()[line - 1]


def test_continued_card_is_one_card():
    res = thermnet.parse(BASE + "G2 S\n+ bath\n+ 1n\n.print\n+ T(S)\n").run()
    assert list(res[0].columns) == ["T(S)"]


# ---- includes --------------------------------------------------------------------------
def test_include_not_found(tmp_path):
    main = tmp_path / "main.net"
    main.write_text(BASE + '.include "nothere.net"\n')
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main))
    err = info.value
    assert (err.span.file, err.span.line, err.span.column) == (str(main), 5, 10)
    assert "cannot read include file 'nothere.net'" in err.message
    assert str(err).startswith(f"{main}:5:10: error:")


def test_include_relative_to_including_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lib.net").write_text(".param gg=2n\n")
    (tmp_path / "main.net").write_text(BASE + '.include "sub/lib.net"\nG2 S bath {gg}\n')
    net = thermnet.load(str(tmp_path / "main.net"))
    assert net.circuit().flat.params["gg"] == pytest.approx(2e-9)


def test_error_inside_included_file(tmp_path):
    (tmp_path / "sub").mkdir()
    lib = tmp_path / "sub" / "lib.net"
    lib.write_text("* library\n.model gp gpow(k=1e-9)\n\nG9 S bath 2W\n")
    main = tmp_path / "main.net"
    main.write_text(BASE + '.include "sub/lib.net"\n')
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main))
    err = info.value
    assert err.span.file == str(lib)
    assert (err.span.line, err.span.column) == (4, 11)
    text = str(err)
    assert text.startswith(f"{lib}:4:11: error:")
    assert "    G9 S bath 2W" in text


def test_error_inside_included_file_from_string(tmp_path, monkeypatch):
    lib = tmp_path / "lib.net"
    lib.write_text("G9 S bath {1/0}\n")
    monkeypatch.chdir(tmp_path)   # a string netlist includes relative to the working directory
    err = _raise(BASE + '.include "lib.net"\n')
    assert os.path.basename(err.span.file) == "lib.net"
    assert (err.span.line, err.span.column) == (1, 12)


# ---- errors inside a subcircuit's body name the instance(s) it was reached through -------------
CELL = """.subckt cell p q params: w=1n
G1 p q {w}
.ends
.subckt pair p q params: w=1n
XA p q cell w={w}
.ends
"""


def test_duplicate_instance_name_is_located_at_the_second():
    """A repeated X line is reported at itself, not at an element of the body."""
    err = _raise(BASE + CELL + "X1 S bath cell\nX1 S bath cell\n")
    assert (err.span.line, err.span.column) == (12, 1)
    assert "subcircuit instance name 'X1' is used twice (first at <string>:11)" in err.message


@pytest.mark.parametrize("bad", ["w=-1n", "w={-1n}"])
def test_error_in_body_names_the_instance(bad):
    """An element value refused inside the body: located at the body's card, with the
    instance card that gave it the value."""
    text = BASE + CELL + "X1 S bath cell\nX2 S bath cell " + bad + "\n"
    err = _raise(text)
    assert (err.span.line, err.span.column) == (6, 8)          # G1 p q {w}
    rendered = str(err).splitlines()
    assert rendered[-1] == f"  in the subcircuit instance at <string>:12:1: X2 S bath cell {bad}"
    assert [c.line for c in err.span.context] == [12]


def test_error_in_nested_body_names_every_instance_innermost_first():
    err = _raise(BASE + CELL + "XP S bath pair w=-1n\n")
    assert (err.span.line, err.span.column) == (6, 8)
    assert str(err).splitlines()[-2:] == [
        "  in the subcircuit instance at <string>:9:1: XA p q cell w={w}",
        "  in the subcircuit instance at <string>:11:1: XP S bath pair w=-1n"]


def test_circuit_error_of_an_element_in_a_body_names_the_instance():
    """A floating resistor found when the circuit is built (model/circuit.py)."""
    text = (".model cu eph(sigma=2e9)\nTB bath 30m\nES S bath cu vol=1e-19\n"
            ".subckt loop a b t\nR1 a b 1 temp=t\n.ends\n"
            "X1 n1 n2 S loop\nR2 n1 n3 1 temp=S\n.op\n")
    err = _raise(text)
    assert (err.span.line, err.span.column) == (5, 1)
    assert "X1.R1 is floating" in err.message
    assert str(err).splitlines()[-1] == \
        "  in the subcircuit instance at <string>:7:1: X1 n1 n2 S loop"


def test_error_when_a_step_rebinds_a_body_names_the_instance():
    """A .step value refused when the element inside the body is bound again."""
    text = BASE + CELL + ".param g=1n\nX1 S bath cell w={g}\n.step g list 1n -1n\n.op\n"
    err = _raise(text)
    assert (err.span.line, err.span.column) == (6, 8)
    assert str(err).splitlines()[-1] == \
        "  in the subcircuit instance at <string>:12:1: X1 S bath cell w={g}"


def test_file_included_twice_is_named(tmp_path):
    """A library included twice: its definitions are met twice at the same place, which
    the error says (it used to read 'defined twice (first at' that very line)."""
    lib = tmp_path / "lib.net"
    lib.write_text(CELL + ".model gp gpow(k=1e-9)\n.param w0=1n\n")
    main = tmp_path / "main.net"
    main.write_text(BASE + '.include "lib.net"\n.include "lib.net"\nX1 S bath cell\n')
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main))
    assert f"is defined twice (its file {lib} is included twice)" in info.value.message


def test_node_named_first_in_an_instance_is_located_there(tmp_path):
    """A port node's error (no heat path: the bath source deleted) points at the instance
    card that names the node, not at the library's card that uses the port."""
    lib = tmp_path / "lib.net"
    lib.write_text(".subckt hot s b\n.model cu eph(sigma=2e9)\nE1 s b cu vol=1e-19\n.ends\n")
    main = tmp_path / "main.net"
    main.write_text('.include "lib.net"\nP1 S 1p\nX1 S bath hot\n')
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main)).run()
    err = info.value
    assert "no heat path to any temperature source" in err.message
    assert (err.span.file, err.span.line, err.span.column) == (str(main), 3, 6)   # bath


def test_internal_node_of_a_body_names_the_instance(tmp_path):
    """An internal node of a subcircuit named only by temp=: located in the body, with the
    instance."""
    lib = tmp_path / "lib.net"
    lib.write_text(".subckt rr a b\nR1 a b 1 temp=t\nR2 a b 1 temp=S\n.ends\n")
    main = tmp_path / "main.net"
    main.write_text(BASE + '.include "lib.net"\nX1 n1 n2 rr\n')
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main)).run()
    err = info.value
    assert "thermal node 'X1.t' is only named by temp=" in err.message, str(err)
    assert (err.span.file, err.span.line) == (str(lib), 2)
    assert str(err).splitlines()[-1] == f"  in the subcircuit instance at {main}:6:1: X1 n1 n2 rr"


@pytest.mark.parametrize("self_include", [False, True])
def test_include_cycle(tmp_path, self_include):
    a, b = tmp_path / "a.net", tmp_path / "b.net"
    if self_include:
        a.write_text('TB bath 1\n.include "a.net"\n')
        where = (a, 2)
    else:
        a.write_text('TB bath 1\n.include "b.net"\n')
        b.write_text('* b\n.include "a.net"\n')
        where = (b, 2)
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(a))
    err = info.value
    assert (err.span.file, err.span.line, err.span.column) == (str(where[0]), where[1], 10)
    assert "include cycle" in err.message


def test_include_not_utf8(tmp_path):
    (tmp_path / "bin.net").write_bytes(b"TB b 1\n\xff\xfe\n")
    (tmp_path / "main.net").write_text('.include "bin.net"\n')
    with pytest.raises(NetlistError, match="not a UTF-8 text file"):
        thermnet.load(str(tmp_path / "main.net"))


def test_unreadable_netlist_file(tmp_path):
    with pytest.raises(NetlistError, match="cannot read netlist"):
        thermnet.load(str(tmp_path / "missing.net"))


# ---- property test: no input crashes thermnet --------------------------------------------
VALID = [
    """.title t
.param g=1n w=2
.model cu eph(sigma=2e9 n=5)
.model gp gpow(k=1e-9 n=2)
TB bath 30m
P1 S 1p
ES S bath cu vol=1e-19
G1 S D {g*w}
G2 D bath gp
R1 a b 10 temp=S
R2 b a 10 temp=D
C1 a c 1p
L1 c b 1n
.sweep P1 0.1p 1p 3
.print T(S) T(D) Q(S,D) P(G1) KAPPA(G1)
""",
    """.subckt cell p q params: gg=1n
G1 p q {gg}
.ends
.global bath
TB bath 0.1
P1 n 1p
X1 n bath cell gg=2n
.step P1 list 1p 2p
.op
.print T(n) D(T(n),P1) P(X1.G1)
""",
    """TB bath 30m
TS s 0.2
R1 a b 5 temp=s
R2 a b 7ohm temp=bath
.options taufmax=1e10
.sweep TS 50m 300m 3 log
.print Q(s,bath) TAU(s,bath)
""",
]

TOKENS = ["{", "}", "(", ")", "=", ",", "+", "-", "*", "/", "**", "^", "k", "meg", "m", "W",
          "K", "ohm", "f", "0", "-1", "1e400", "1e-400", "nan", ".op", ".param", ".end",
          ".ends", ".subckt", ".title", ".include", "X", "T", "P", "R", "E", "list", "log",
          "lin", '"', ";", "$", "\n", "\n+", "\t", "\u00e9", "\x00", "{1/0}", "{-1}", "{0}",
          "params:", "temp=", "vol=", "{1e308*10}", "T(", "D(", "Q(S,S)", "{sqrt(-1)}",
          "{2**2000}", ".step", ".sweep", "TB", "S", "bath", "cu", "gp", "cell", "a", "b"]
CHARS = "{}()=,+-*/^.;$\"\n \tabkmKWpfu0123456789xXTPGRECLeé*"


def _mutate(text: str, ops) -> str:
    for op, i, j, tok in ops:
        if op == 0:                       # a token: delete / duplicate / swap / insert / suffix
            toks = text.split(" ")
            i, j = i % len(toks), j % len(toks)
            kind = j % 5
            if kind == 0:
                del toks[i]
            elif kind == 1:
                toks.insert(i, toks[i])
            elif kind == 2:
                toks[i], toks[-1 - i] = toks[-1 - i], toks[i]
            elif kind == 3:
                toks.insert(i, tok)
            else:
                toks[i] += tok
            text = " ".join(toks)
        elif op == 1:                     # a line: truncate / delete / duplicate / swap
            lines = text.split("\n")
            i, j = i % len(lines), j % len(lines)
            kind = j % 4
            if kind == 0:
                lines[i] = lines[i][: j % (len(lines[i]) + 1)]
            elif kind == 1:
                del lines[i]
            elif kind == 2:
                lines.insert(i, lines[j])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:                             # characters replaced by random ones
            k = i % (len(text) + 1)
            text = text[:k] + tok + text[k + 1:]
    return text


MAX_POINTS = 40   # a suffix may turn "3" points into "3k": parse those, don't solve them


def _run_or_error(text: str):
    try:
        net = thermnet.parse(text)
        flat = net.circuit().flat
        points = 1
        for s in flat.steps:
            points *= len(s.values)
        points *= sum(1 if a is None else len(a.values) for a in flat.analyses) or 1
        if points > MAX_POINTS:
            return None
        with warnings.catch_warnings():       # failed points are a valid outcome here
            warnings.simplefilter("ignore", FailedPointsWarning)
            return net.run()
    except ThermnetError as exc:
        assert str(exc)          # renders without failing
        if isinstance(exc, NetlistError) and exc.span is not None:
            assert re.match(r"^.+:\d+:\d+: error: ", str(exc))
            assert exc.span.line >= 1 and exc.span.column >= 1
        return exc


_ops = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6),
                          st.one_of(st.sampled_from(TOKENS),
                                    st.text(alphabet=CHARS, min_size=1, max_size=4))),
                min_size=1, max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.tuples(st.sampled_from(VALID), _ops).map(lambda t: _mutate(*t)),
    st.text(alphabet=CHARS, max_size=120),
    st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
))
def test_random_input_never_crashes(text):
    _run_or_error(text)


@pytest.mark.parametrize("text", VALID)
def test_property_bases_are_valid(text):
    res = thermnet.parse(text).run()
    assert len(res) >= 1 and res.ok


# Inputs the fuzzing found that used to crash with exceptions other than ThermnetError.
@pytest.mark.parametrize("text", [
    ".title0.0 t\nTB b 1\n",                                   # AssertionError in parser
    "TB b 1\nES S b 1p vol=1e-19\n",                           # AttributeError (value as model)
    "TB b 1\nES S b nope vol=1e-19\n",                         # KeyError listing model types
    "TB b 1\nP1 S 1e400\nG1 S b 1n\n",                         # inf value -> RuntimeWarning
    "TB b {" + "+".join(["1"] * 3000) + "}\n",                 # RecursionError
])
def test_former_crashes_are_netlist_errors(text):
    with pytest.raises(NetlistError):
        thermnet.parse(text).run()


def test_param_bare_suffix_is_a_scale_factor():
    """A .param has no dimension: '100f' is femto (SPICE), not 100 farad; '30m' is milli."""
    net = thermnet.parse(".param jin=100f tb=30m g=1p\nTB b {tb}\nP1 S {jin}\nG1 S b {g}\n"
                         ".print T(S) P(G1)\n")
    c = net.run()[0].columns
    assert c["T(S)"] == pytest.approx(0.03 + 1e-13 / 1e-12, rel=1e-9)
    assert c["P(G1)"] == pytest.approx(1e-13, rel=1e-9)


def test_heat_below_floating_point_resolution_still_converges():
    """A heater that warms a stiffly coupled node by 3e-12 relative: the net heat cannot be
    resolved below G * T * eps, and the solver accepts that floor instead of failing."""
    net = thermnet.parse("TB b 1\nP1 S 100fW\nG1 S b 30m\n.print T(S)\n")
    assert net.run()[0].columns["T(S)"] == pytest.approx(1.0 + 1e-13 / 0.03, rel=1e-14)
