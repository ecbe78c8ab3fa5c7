"""Inputs that used to give a silently wrong answer or an unlocated error: each is now right
or a NetlistError naming file:line:column, quoting the offending line with a caret, and
saying what to write instead."""
from __future__ import annotations

import math

import pytest

import thermnet
from thermnet import NetlistError

BASE = """.model cu eph(sigma=2e9)
TB bath 30m
P1 S 1p
ES S bath cu vol=1e-19
"""


def _error(text: str, name: str = "<string>") -> NetlistError:
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text, name).run()
    return info.value


def _located(err: NetlistError, text: str, line: int, column: int, *words: str) -> None:
    """``err`` points at ``line:column`` of ``text``, quotes that line with a caret under the
    column, and its message contains every one of ``words``."""
    assert err.span is not None, str(err)
    assert (err.span.line, err.span.column) == (line, column), str(err)
    rendered = str(err).splitlines()
    assert rendered[0].startswith(f"{err.span.file}:{line}:{column}: error: ")
    assert rendered[1] == "    " + text.splitlines()[line - 1].rstrip()
    assert rendered[2] == "    " + " " * (column - 1) + "^"
    for w in words:
        assert w in str(err), str(err)


# ---- 4. an error quotes its own netlist's line, whatever was parsed since -------------------
def test_error_quotes_its_own_line_after_another_string_was_parsed():
    first = BASE + "R1 a b 1 temp=S\nR2 a b 1 temp=bath\n.print TAU(S,bath)\n"
    net = thermnet.parse(first)                    # the TAU error is found at run time
    # another netlist, also named '<string>'
    thermnet.parse("* another netlist\nTB x 1\nG1 y x 1n\nP1 y 1p\n" + "* filler\n" * 5)
    with pytest.raises(NetlistError) as info:
        net.run()
    _located(info.value, first, 7, 8, "no superconductor")


def test_source_module_keeps_no_store_of_texts():
    import thermnet.netlist.source as source
    assert not [k for k, v in vars(source).items()
                if isinstance(v, dict) and not k.startswith("__")]
    assert not hasattr(source, "register") and not hasattr(source, "source_line")


# ---- 1. .param values with units -------------------------------------------------------------
@pytest.mark.parametrize("card,column,written", [
    (".param tc=1.2K", 11, "1.2K"),          # was read as 1200 (kilo)
    (".param x=1e-3K", 10, "1e-3K"),         # was read as 1
    (".param c=1F", 10, "1F"),               # farad or femto?
])
def test_param_suffix_that_is_scale_and_unit_is_an_error(card, column, written):
    text = BASE + card + "\n"
    _located(_error(text), text, 5, column, f"'{written}' is ambiguous", "scale factor",
             "the unit")


def test_param_bare_scale_suffix_stays_a_spice_scale_factor():
    net = thermnet.parse(BASE + ".param a=100f b=30m c=1.2k d=4g\n")
    params = net.circuit().flat.params
    assert params["a"] == pytest.approx(1e-13, rel=1e-15)
    assert params["b"] == pytest.approx(0.03, rel=1e-15)
    assert params["c"] == pytest.approx(1200.0, rel=1e-15)
    assert params["d"] == pytest.approx(4e9, rel=1e-15)


def test_param_with_a_unit_is_used_where_that_unit_belongs():
    text = BASE.replace("TB bath 30m", "TB bath {T0}").replace("P1 S 1p", "P1 S jin") + \
        ".param T0=30mK jin=100fW T1={2*T0 - 30m}\nTC c T1\nG1 c bath 1n\n.print T(S) T(c)\n"
    cols = thermnet.parse(text).run()[0].columns
    assert cols["T(c)"] == pytest.approx(0.03, rel=1e-12)
    # T(S) from the power balance sigma V (T^5 - Tb^5) = P1 with P1 = 100 fW
    assert cols["T(S)"] == pytest.approx((1e-13 / (2e9 * 1e-19) + 0.03 ** 5) ** 0.2, rel=1e-8)


@pytest.mark.parametrize("use,column", [("R1 a b T0 temp=S", 8), ("R1 a b {T0} temp=S", 8),
                                        ("R1 a b {2*T0} temp=S", 8)])
def test_param_with_a_unit_used_as_another_dimension_names_both_places(use, column):
    text = BASE + ".param T0=30mK\n" + use + "\nR2 a b 1 temp=bath\n"
    _located(_error(text), text, 6, column, "R1 value is a resistance (ohm)",
             "parameter T0 (set at <string>:5:11) is a temperature (K)")


def test_sum_of_params_with_different_units_is_an_error():
    text = BASE + ".param T0=30mK p=1pW\nG1 S bath {T0 + p}\n"
    _located(_error(text), text, 6, 12, "cannot combine parameter T0", "a power (W)")


def test_inside_braces_the_ambiguous_suffix_is_an_error():
    text = BASE + "G1 S bath {1.2K}\n"           # was 1200 W/K
    _located(_error(text), text, 5, 12, "'1.2K' is ambiguous")


def test_subckt_default_and_argument_with_units():
    sub = ".subckt warm p params: t=40mK\nTX p {t}\n.ends\n"
    ok = BASE + sub + "X1 n warm\nX2 m warm t=50m\nG1 n S 1n\nG2 m S 1n\n"
    flat = thermnet.parse(ok).circuit().flat
    assert flat.elements["x1.tx"].value == pytest.approx(0.04)
    assert flat.elements["x2.tx"].value == pytest.approx(0.05)   # a plain argument takes K
    bad = BASE + sub + "X1 n warm t=1pW\nG1 n S 1n\n"
    _located(_error(bad), bad, 8, 13, "parameter t (default at <string>:5:24) is a "
             "temperature (K)", "X1 argument t (set at <string>:8:13) is a power (W)")
    ambiguous = BASE + sub + "X1 n warm t=1.2K\nG1 n S 1n\n"
    _located(_error(ambiguous), ambiguous, 8, 13, "'1.2K' is ambiguous for X1 argument t")
    default = BASE + ".subckt r2 a b params: r=30mK\nR1 a b {r} temp=S\nR2 a b 1 temp=bath\n" \
        ".ends\nX1 u v r2\n"
    _located(_error(default), default, 6, 8, "R1 value is a resistance",
             "parameter r (set at <string>:5:26) is a temperature")


def test_sweep_of_a_param_reads_values_in_its_unit():
    text = BASE + ".param T0=30mK\nTC c {T0}\nG9 c S 1n\n.sweep T0 list 40mK 50m\n.print T(c)\n"
    cols = thermnet.parse(text).run()[0].columns
    assert list(cols["T(c)"]) == pytest.approx([0.04, 0.05], rel=1e-12)
    bad = text.replace("list 40mK 50m", "list 40mK 2pW")
    _located(_error(bad), bad, 8, 21, "'2pW' has a unit of power (W)", "is a temperature")
    plain = BASE + ".param x=3\nG1 S bath {x*1n}\n.sweep x list 1pW\n"
    _located(_error(plain), plain, 7, 15, "takes a plain number (its .param has no unit)")


# ---- 2. one validation of every value that reaches an element; option ranges --------------
@pytest.mark.parametrize("sweep,column,message", [
    (".sweep TB 0 100m 5", 11, "TB value must be positive, got 0"),
    (".sweep TB 100m -10m 5", 16, "TB value must be positive, got -0.01"),
    (".step TB list 30m -1 50m", 19, "TB value must be positive, got -1"),
    (".sweep TB list 30m 2e5", 20, "must be from 1e-06 to 10000 (temperature (K)), got 200000"),
])
def test_sweep_or_step_of_a_bath_out_of_range_is_an_error_at_the_card(sweep, column, message):
    text = BASE + sweep + "\n"
    _located(_error(text), text, 5, column, message)


@pytest.mark.parametrize("card,column,message", [
    (".model cu2 eph_bcs(sigma=1e9 tc=0)\n", 33, "cu2.tc must be positive"),
    ("ES2 S bath cu vol=5\n", 19, "ES2 vol must be from 0 to 1 (volume"),
    ("P2 S {1e308*10}\n", 7, "not a finite real number"),
])
def test_card_values_out_of_range(card, column, message):
    text = BASE + card
    _located(_error(text), text, 5, column, message)


@pytest.mark.parametrize("option,message", [
    ("reltol=1", "option reltol must be from 1e-15 to 0.001, got 1"),
    ("maxiter=0", "option maxiter must be from 1 to 10000, got 0"),
    ("maxiter=2.5", "option maxiter must be a whole number, got 2.5"),
    ("photon_rtol=-1e-8", "option photon_rtol must be from 1e-14 to 0.01, got -1e-08"),
    ("abstol=1e-9", "option abstol must be from 0 to 1e-15, got 1e-09"),
    ("exact=2", "option exact must be from 0 to 1, got 2"),
])
def test_options_are_range_checked(option, message):
    text = BASE + ".options " + option + "\n"
    _located(_error(text), text, 5, 10 + option.index("=") + 1, message)


def test_tau_window_must_not_be_empty():
    text = BASE + ".options taufmax=1GHz taufmin=2GHz\n"
    _located(_error(text), text, 5, 31, "taufmin (2e+09 Hz) must be below taufmax (1e+09 Hz)")


def test_set_option_is_range_checked_and_suggests_names():
    net = thermnet.parse(BASE)
    with pytest.raises(NetlistError, match="option reltol must be from 1e-15 to 0.001"):
        net.set_option("reltol", 0.5)
    with pytest.raises(NetlistError, match="did you mean 'maxiter'"):
        net.set_option("maxiters", 5)
    assert net.set_option("taufmax", "10GHz").options["taufmax"] == pytest.approx(1e10)


def test_set_with_units_reads_the_names_dimension():
    net = thermnet.parse(BASE + ".print T(S)\n")
    net.set("TB", "100mK").set("P1", "2pW")
    assert net.sources == {"tb": pytest.approx(0.1), "p1": pytest.approx(2e-12)}
    T = net.run()[0].columns["T(S)"]
    assert T == pytest.approx((2e-12 / (2e9 * 1e-19) + 0.1 ** 5) ** 0.2, rel=1e-8)
    with pytest.raises(NetlistError, match="'30mK' has a unit of temperature.*TB.*power|"
                                           "'30mK' has a unit of temperature"):
        net.set("P1", "30mK")
    with pytest.raises(NetlistError, match="ambiguous"):
        net.set("TB", "4K")


@pytest.mark.parametrize("value,message", [
    (-1.0, "TB value must be positive, got -1"),
    (float("nan"), "TB value must be a finite number, got nan"),
    (0.0, "TB value must be positive, got 0"),
    (1e9, "must be from 1e-06 to 10000"),
])
def test_set_of_a_bath_is_validated(value, message):
    net = thermnet.parse(BASE)
    with pytest.raises(NetlistError, match=message):
        net.set("TB", value)
    assert "tb" not in net.sources                     # the bad value was not kept


def test_set_of_a_param_is_validated_where_it_reaches_an_element():
    text = BASE + ".param T0=30mK\nTC c {T0}\nG1 c S 1n\n"
    net = thermnet.parse(text)
    with pytest.raises(NetlistError) as info:
        net.set("T0", -0.01)
    _located(info.value, text, 6, 6, "set('T0') to -0.01: TC value must be positive")
    with pytest.raises(NetlistError, match="not a finite number"):
        net.set("T0", math.inf)
    assert net.set("T0", "40mK").circuit().flat.elements["tc"].value == pytest.approx(0.04)
    with pytest.raises(NetlistError, match="unit of power"):
        net.set("T0", "1pW")


# ---- 3. typos that change the circuit ---------------------------------------------------------
LINKED = BASE + "TD D 30m\nR1 a b 1 temp=S\nR2 a b 1 temp=D\n"


def test_misspelled_temp_node_is_an_error_with_a_suggestion():
    text = LINKED.replace("R2 a b 1 temp=D", "R2 a b 1 temp=DD")   # was a new free node DD
    _located(_error(text), text, 7, 15, "thermal node 'DD' is only named by temp=",
             "did you mean 'D'?")


def test_temp_node_connected_by_a_thermal_element_is_fine():
    cols = thermnet.parse(LINKED + ".print Q(S,D)\n").run()[0].columns
    assert cols["Q(S,D)"] > 0


@pytest.mark.parametrize("quantity,column,message", [
    ("Q(S,bath)", 8, "S and bath share no photonic link"),
    ("TAU(D,bath)", 8, "D and bath share no photonic link"),
    ("D(Q(S,bath),P1)", 10, "so Q(S,bath) would be 0"),
    ("Q(S,S)", 8, "Q(S,S) needs two different thermal nodes"),
])
def test_photonic_quantity_of_unlinked_nodes_is_an_error_at_print(quantity, column, message):
    text = LINKED + ".print T(S) " + quantity + "\n"
    err = _error(text)
    _located(err, text, 8, column + 5, message)
    assert "Q(D,S)" in err.expected or "TAU(D,S)" in err.expected   # the linked pair


def test_set_of_a_swept_name_is_an_error_at_run_naming_the_sweep():
    text = BASE + ".sweep P1 list 1p 2p\n.print T(S)\n"
    net = thermnet.parse(text).set("P1", 3e-12)        # used to be silently ignored
    with pytest.raises(NetlistError) as info:
        net.run()
    _located(info.value, text, 5, 1, "P1 was set with set(), but this .sweep sets it")
    assert "without_sweeps('P1')" in info.value.expected
    # what the message suggests: one steady state at the set value
    one = thermnet.parse(text).without_sweeps("P1").set("P1", 3e-12).run()
    assert one[0].analysis == "op"
    assert one[0].columns["T(S)"] == pytest.approx((3e-12 / (2e9 * 1e-19) + 0.03 ** 5) ** 0.2,
                                                   rel=1e-8)


def test_set_of_a_stepped_param_is_an_error_at_run():
    text = BASE + ".param g=1n\nG1 S bath {g}\n.step g list 1n 2n\n"
    net = thermnet.parse(text).set("g", 3e-9)
    with pytest.raises(NetlistError) as info:
        net.run()
    _located(info.value, text, 7, 1, "g was set with set(), but this .step sets it")


def test_set_of_an_unknown_name_suggests_the_closest():
    net = thermnet.parse(BASE + ".param gain=2\n")
    with pytest.raises(NetlistError, match=r"neither a temperature source.*did you mean 'P1'"):
        net.set("p_1", 1e-12)
    with pytest.raises(NetlistError, match="did you mean 'gain'"):
        net.set("gian", 1.0)


# ---- 5. sizes refused before work starts ----------------------------------------------------
def test_too_many_step_combinations_is_refused_at_the_step_card():
    text = BASE + ".step P1 1p 2p 1000\n.step TB 30m 40m 1000\n.step P1 1p 2p 1000\n"
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text)
    _located(info.value, text, 7, 1, "more than 1e+06")


def test_too_many_points_is_refused_at_the_sweep_card():
    text = BASE + ".step TB 30m 40m 1000\n.sweep P1 1p 2p 100000\n"
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text)
    _located(info.value, text, 6, 1, "1e+08 steady states, more than 1e+07")


def test_too_many_elements_from_nested_subcircuits_is_refused():
    # 10 levels of 4 instances: 4^10 (a million) resistors, refused at 100000, quickly
    lines = [".subckt c0 a b\nR1 a b 1 temp=S\n.ends"]
    for k in range(1, 11):
        lines.append(f".subckt c{k} a b\n" + "\n".join(f"X{i} a b c{k - 1}" for i in range(4))
                     + "\n.ends")
    text = BASE + ".global S\n" + "\n".join(lines) + "\nX1 u v c10\nR9 u v 1 temp=bath\n"
    with pytest.raises(NetlistError, match="more than 100000 elements"):
        thermnet.parse(text)


def test_deep_subcircuit_nesting_is_refused():
    lines = [".subckt c0 a b\nR1 a b 1 temp=S\n.ends"]
    lines += [f".subckt c{k} a b\nX1 a b c{k - 1}\n.ends" for k in range(1, 80)]
    text = BASE + "\n".join(lines) + "\nX1 u v c79\nR9 u v 1 temp=bath\n"
    with pytest.raises(NetlistError, match="nested more than 50 deep"):
        thermnet.parse(text)


def test_long_chain_of_param_definitions_is_refused():
    # p399 = p398 + 1, ..., p1 = p0 + 1: evaluating p399 first would recurse 400 definitions deep
    text = BASE + "".join(f".param p{k}={{p{k - 1}+1}}\n" for k in range(399, 0, -1)) + \
        ".param p0=1\nG1 S bath {p399*1n}\n"
    err = _error(text)
    assert "defined in terms of one another more than 50 deep" in err.message


@pytest.mark.parametrize("depth", [300, 5000])
def test_deep_expression_is_refused(depth):
    text = BASE + "G1 S bath {" + "abs(" * depth + "1n" + ")" * depth + "}\n"
    err = _error(text)
    assert err.span.line == 5 and "nested" in err.message


def test_parentheses_alone_do_not_nest():
    text = BASE + "G1 S bath {" + "(" * 5000 + "1n" + ")" * 5000 + "}\n"
    assert thermnet.parse(text).circuit().flat.elements["g1"].value == pytest.approx(1e-9)


def test_circuit_values_outside_their_range_are_located_errors():
    """A 1e-308 ohm resistor overflowed the photonic integrals (was: NaN marked converged)."""
    text = """.model cu eph(sigma=2e9)
TB bath 0.05
P1 s 1p
E1 s bath cu vol=1e-20
E2 d bath cu vol=1e-20
R1 a b 1e-308 temp=s
R2 a b 10 temp=d
"""
    with pytest.raises(thermnet.NetlistError, match="R1 value must be from 1e-09 to 1e"):
        thermnet.parse(text)
