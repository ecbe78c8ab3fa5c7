"""Incremental rebinding (foundation issue, item 1): FlatCircuit.rebind evaluates again only
what the changed .params reach (netlist/dependencies.py).  Every state reached by a sequence
of rebinds, in any order, must equal a fresh elaboration at the same values (==, not
approximately); a missed dependency edge leaves a stale value and fails these tests."""
import glob
import math
import os
import random
import types
import zlib

import numpy as np
import pytest

import thermnet
from thermnet.errors import NetlistError
from thermnet.netlist.dependencies import names_in
from thermnet.netlist.elaborate import elaborate
from thermnet.netlist.expressions import Store, compile_stores

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
NETLISTS = sorted(glob.glob(os.path.join(ROOT, "netlists", "*.net")))


def _state(flat):
    """Every number an elaboration binds: each element's value, keywords, model parameters
    and waveform; the .params, the options, the .sweep/.step values."""
    elements = {}
    for key, e in flat.elements.items():
        wf = getattr(e, "waveform", None)
        elements[key] = (e.value, dict(e.params), dict(e.model.values) if e.model else None,
                         None if wf is None else repr(vars(wf)))
    sweeps = [None if a is None else getattr(a, "values", repr(a))
              for a in flat.analyses + flat.steps]
    return elements, dict(flat.params), dict(flat.options), sweeps


def _same(flat, fresh):
    a, b = _state(flat), _state(fresh)
    assert a[0] == b[0]
    assert a[1] == b[1] and a[2] == b[2]
    for x, y in zip(a[3], b[3]):
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y


def _fresh(cards, file, overrides):
    """A fresh elaboration at ``overrides``: .params through elaborate(); element
    parameters (ELEMENT.PARAM) set on it by its first rebind, which evaluates everything."""
    params = {k: v for k, v in overrides.items() if "." not in k}
    fresh = elaborate(cards, file, params)
    if len(params) < len(overrides):
        fresh.rebind(overrides, analyses=True)
    return fresh


def _walk(cards, file, choices, steps, seed):
    """``steps`` rebinds of one elaborated circuit to random subsets of ``choices`` (name
    -> values), each compared with a fresh elaboration; names come and go (a name set at
    one step and not at the next gets its definition back)."""
    rng = random.Random(seed)
    flat = elaborate(cards, file)
    objects = dict(flat.elements)
    names = sorted(choices)
    for _ in range(steps):
        chosen = rng.sample(names, rng.randint(0, len(names)))
        overrides = {k: rng.choice(choices[k]) for k in chosen}
        try:
            fresh = _fresh(cards, file, overrides)
        except NetlistError:
            with pytest.raises(NetlistError):
                flat.rebind(overrides, analyses=True)
            continue
        flat.rebind(overrides, analyses=True)
        _same(flat, fresh)
    assert all(flat.elements[k] is objects[k] for k in objects)
    flat.rebind({}, analyses=True)
    _same(flat, elaborate(cards, file))


def _has_params(path):
    with open(path) as fh:
        return ".param" in fh.read()


@pytest.mark.parametrize("path", [p for p in NETLISTS if _has_params(p)],
                         ids=os.path.basename)
def test_random_rebinds_of_shipped_netlists_equal_fresh_elaborations(path):
    """Every shipped netlist with .params: 12 rebinds to random subsets of its .params at
    0.7, 1 and 1.3 times their values (0: 0.5), in a random order."""
    net = thermnet.load(path)
    flat = elaborate(net.cards, net.file)
    choices = {k: [v * 0.7, v, v * 1.3] if v else [0.5, 0.0] for k, v in flat.params.items()}
    _walk(net.cards, net.file, choices, 12, zlib.crc32(os.path.basename(path).encode()) % 1000)


SYNTHETIC = """* chained .params, subcircuit arguments from outer .params (nested), model
* parameters, options and a waveform that depend on .params
.param a=2 b={2*a} c={b+a} unused=3 f=1G
.param tol={1e-8*a/2}
.subckt cell e1 e2 t params: r=1 g=1n
.param rr={r*2}
R1 e1 e2 {rr} temp=t
G1 t u {g}
.ends
.subckt pair e1 e2 t params: k=1
X1 e1 m t cell r={k*c} g={k*1n}
X2 m e2 t cell r={k}
.ends
TB bath 30m
P1 A PULSE(0 {b*1p} 1u 0 0 1u)
.model cu eph(sigma={a*1e9} n=5)
E1 A bath cu vol={c*1e-18}
G9 A bath {b*1n}
R0 n0 n1 {b} temp=A
RX n1 n0 3 temp=bath
X1 n0 n1 A pair k={a}
X2 n0 n1 A cell r=5
.options taufmax={f*2} photon_rtol={tol}
.sweep a 1 {c} 3
.op
"""


def test_synthetic_chains_subcircuits_models_options_waveforms():
    """A .param chain (b = 2a, c = b + a), arguments of nested subcircuits built from outer
    .params, a model parameter, .options and a PULSE level depending on .params, in 40
    random rebinds; every state equals a fresh elaboration."""
    cards = thermnet.parse(SYNTHETIC).cards
    choices = {"a": [1.0, 2.0, 3.0], "b": [5.0, 7.0], "c": [11.0], "f": [1e9, 3e9],
               "unused": [1.0], "tol": [1e-9, 1e-8], "x1.x1.r1.value": [9.0, 10.0],
               "e1.vol": [1e-18, 2e-18], "e1.sigma": [3e9]}
    _walk(cards, "<synthetic>", choices, 40, 1)


def test_a_missed_edge_fails():
    """b = 2a and an element uses only b: sweeping a must move it (the edge a -> b); c =
    b + a reaches a subcircuit argument and its element; tol reaches an option."""
    flat = elaborate(thermnet.parse(SYNTHETIC).cards, "<synthetic>")
    assert flat.rebind({}) is None          # the first rebind evaluates everything
    for a in (1.0, 3.0, 2.5, 1.0):
        changed = flat.rebind({"a": a})
        assert flat.elements["r0"].value == 2 * a                      # via b
        assert flat.elements["g9"].value == 2 * a * 1e-9
        assert flat.elements["x1.x1.r1"].value == (a * (2 * a + a)) * 2    # k*c, then rr
        assert flat.elements["x1.x2.r1"].value == a * 2
        assert flat.elements["e1"].model.values["sigma"] == a * 1e9
        assert flat.options["photon_rtol"] == 1e-8 * a / 2
        assert flat.params["c"] == 3 * a
        assert {"r0", "g9", "x1.x1.r1", "x1.x2.r1", "e1", "p1"} <= set(changed)
        assert "x2.r1" not in changed and "rx" not in changed     # not reached by a
    # a name not reached by anything moves no element
    assert flat.rebind({"a": 1.0, "unused": 7.0}) == set()


def test_back_to_the_definition_and_element_parameters():
    """A .param set and then left out gets its definition back; an ELEMENT.PARAM set and
    then left out gets its card's value back, also after the .params it depends on moved."""
    flat = elaborate(thermnet.parse(SYNTHETIC).cards, "<synthetic>")
    flat.rebind({"b": 10.0})
    assert flat.elements["r0"].value == 10.0 and flat.params["c"] == 12.0
    flat.rebind({"x1.x1.r1.value": 99.0, "a": 3.0})
    assert flat.elements["x1.x1.r1"].value == 99.0 and flat.elements["r0"].value == 6.0
    flat.rebind({"a": 1.0})
    assert flat.elements["x1.x1.r1"].value == (1 * 3) * 2 and flat.elements["r0"].value == 2
    flat.rebind({})
    _same(flat, elaborate(thermnet.parse(SYNTHETIC).cards, "<synthetic>"))


def test_a_failed_rebind_then_a_good_one():
    """A value an element refuses raises a located error; the next rebind evaluates
    everything again, so nothing is left half-bound."""
    cards = thermnet.parse(SYNTHETIC).cards
    flat = elaborate(cards, "<synthetic>")
    flat.rebind({"a": 2.0})
    with pytest.raises(NetlistError, match="positive"):
        flat.rebind({"a": -1.0})
    with pytest.raises(NetlistError, match="finite"):
        flat.rebind({"a": float("inf")})
    flat.rebind({"a": 2.5}, analyses=True)
    flat.rebind({"a": 2.0}, analyses=True)          # compiled values from here on
    with pytest.raises(NetlistError, match="positive"):
        flat.rebind({"a": 2.5, "e1.vol": -1.0})     # every .param value valid, then a failure
    flat.rebind({"a": 3.0}, analyses=True)
    _same(flat, elaborate(cards, "<synthetic>", {"a": 3.0}))
    for a in (1.5, 2.5):                 # incremental again, compiled values included
        flat.rebind({"a": a}, analyses=True)
        _same(flat, elaborate(cards, "<synthetic>", {"a": a}))


def test_the_compiled_values_are_the_evaluators_bit_for_bit():
    """The compiled form of a value (a sweep's points after the first) gives the same
    floats as the expression evaluator, and defers to it where it raises: division by
    zero, a domain error, a complex power."""
    text = """.param a=2 b=3
TB bath 30m
TA A 40m
R1 A n {a*b/3 + sqrt(a)**1.5 - min(a, b, 7)/max(a, 0.5) + exp(-a)*log10(b)} temp=A
R2 n A {abs(-a)^0.5 + tanh(a) + pi*kB/kB + 1/(a-1)} temp=bath
.op
"""
    cards = thermnet.parse(text).cards
    flat = elaborate(cards, "<t>")
    rng = random.Random(3)
    for _ in range(30):
        p = {"a": rng.uniform(1.5, 9.0), "b": rng.uniform(0.1, 5.0)}
        flat.rebind(p)
        fresh = elaborate(cards, "<t>", p)
        assert flat.elements["r1"].value == fresh.elements["r1"].value
        assert flat.elements["r2"].value == fresh.elements["r2"].value
    top = flat.binder.scope
    for card in cards:                   # the compiled functions give the values themselves
        if getattr(getattr(card, "name", None), "text", "") in ("R1", "R2"):
            got = types.SimpleNamespace(value=None)
            assign = compile_stores([Store(
                card.items[2], lambda n: top.values if n in top.defs else None,
                (-math.inf, math.inf), got, "value", None, lambda: pytest.fail("fallback"))])
            assert assign is not None
            assign()
            assert got.value == flat.elements[card.name.text.lower()].value
    with pytest.raises(NetlistError, match="division by zero"):
        flat.rebind({"a": 1.0})
    flat.rebind({"a": 4.0})
    assert flat.elements["r2"].value == elaborate(cards, "<t>", {"a": 4.0}).elements[
        "r2"].value


def test_deeply_nested_values_rebind():
    """Expressions nested nearly as deep as the parser allows rebind to the evaluator's
    values (their compiled forms stay within Python's own nesting limits)."""
    nested = "(" * 90 + "a" + "+0)" * 90
    text = f""".param a=2
TB bath 30m
TA A 40m
R1 A n {{{nested}}} temp=A
R2 n A {{{"-" * 94 + "a"}}} temp=bath
.op
"""
    cards = thermnet.parse(text).cards
    flat = elaborate(cards, "<t>")
    for a in (3.0, 5.0, 4.0):
        flat.rebind({"a": a})
        fresh = elaborate(cards, "<t>", {"a": a})
        assert _state(flat)[0] == _state(fresh)[0]
    assert all(b.fast.__code__.co_filename == "<compiled .param value>"   # compiled
               for b in flat.binder.bindings)


def test_names_in_values():
    cards = thermnet.parse(SYNTHETIC).cards
    p1 = next(c for c in cards if getattr(getattr(c, "name", None), "text", "") == "P1")
    assert names_in(p1.items[1]) == {"b"}


TWO = """.param RD=2.857 x=1 k=1
TS  S 300m
TD  D 30m
RS1 a b {x*RD} temp=S
RD1 b a {RD}   temp=D
GS S D {k*1p}
.print Q(S,D) P(GS) T(S)
.op
"""


def test_results_of_a_set_and_run_loop_equal_fresh_netlists():
    """Results (every printed number) of one Netlist rebound through a sequence of set()
    calls, in an order that revisits values, equal those of a fresh netlist per point."""
    net = thermnet.parse(TWO)
    for x, k in ((0.5, 1.0), (2.0, 1.0), (2.0, 3.0), (0.5, 1.0), (1.0, 1.0)):
        got = net.set("x", x).set("k", k).run()[0]
        ref = thermnet.parse(TWO).set("x", x).set("k", k).run()[0]
        for col in ref.columns:
            np.testing.assert_array_equal(got.columns[col], ref.columns[col])


def test_a_param_sweep_equals_a_fresh_netlist_per_point():
    """A .sweep over a .param (incremental rebinds inside the run) gives at each point the
    numbers a netlist elaborated at that value gives."""
    text = TWO.replace(".op", ".sweep x list 0.3 3 1")
    swept = thermnet.parse(text).run()[0]
    for i, x in enumerate((0.3, 3.0, 1.0)):
        ref = thermnet.parse(TWO).set("x", x).run()[0]
        for col in ref.columns:
            np.testing.assert_allclose(swept.columns[col][i], np.atleast_1d(ref.columns[col])[0],
                                       rtol=1e-9)


HEATED = """.param p=1p g=1n x=1
TB bath 30m
P1 A {p}
G1 A bath {g}
G2 B bath 1n
P2 B 0.5p
RA a b {x*10} temp=A
RB b a 10 temp=B
.print T(A) T(B)
.op
"""


def test_the_balance_keeps_what_a_rebind_leaves_valid():
    """HeatBalance.rebind with the changed elements: a heater's new value is a set_value
    (the photonic link's memos stay), a thermal element's drops only the flows' memos, an
    element of a link drops the link's memos; every solve then equals a fresh netlist's.
    (The link is of resistors: its memo is its transmission, HeatBalance._flat_tau.)"""
    from thermnet.solve.analysis import Context
    net = thermnet.parse(HEATED)
    net.run()
    bal = net._balance
    ctx = Context(bal, {}, {}, {})
    ctx.balance({"p": 1e-12})
    assert bal.resistive == [True]
    links = bal._flat_tau
    T = bal.full(np.array([0.1, 0.12]))          # (at one temperature a link has no heat)
    bal.flows(T)
    assert bal._flat_tau is links and links
    version = bal._version
    ctx.balance({"p": 2e-12})                        # a heater: set_value
    assert bal._flat_tau is links and bal._version == version + 1
    assert bal.value("p1") == 2e-12
    ctx.balance({"p": 2e-12, "g": 2e-9})             # a thermal element
    assert bal._flat_tau is links and bal._version == version + 2
    ctx.balance({"p": 2e-12, "g": 2e-9, "x": 2.0})   # a resistor of the link
    assert bal._flat_tau is not links and not bal._flat_tau
    for params in ({"p": 3e-12}, {"g": 3e-9}, {"x": 0.5}, {}):
        got = _run_with(net, params)
        ref = thermnet.parse(HEATED)
        for k, v in params.items():
            ref.set(k, v)
        ref = ref.run()[0]
        for col in ref.columns:
            np.testing.assert_array_equal(got.columns[col], ref.columns[col])


def _run_with(net, params):
    net.params.clear()
    for k, v in params.items():
        net.set(k, v)
    return net.run()[0]


def _specs():
    """Every numeric declaration of an element or model parameter."""
    from thermnet.elements.base import ELEMENT_KINDS, MODEL_TYPES
    specs = [s for kind in ELEMENT_KINDS.values()
             for s in ((kind.value_spec,) if kind.value_spec else ()) + tuple(kind.keywords)]
    specs += [s for model in MODEL_TYPES.values() for s in model.params]
    return [s for s in specs if not s.choices]


def test_the_interval_of_a_declaration_is_its_check():
    """ParamSpec.interval (the compiled rebinding's one comparison) accepts exactly the
    finite values ParamSpec.check accepts, but a default outside it (0: "not given"),
    which takes the checked path: at and beside both ends, at zero, and over the whole
    range of magnitudes of both signs, for every declared parameter."""
    rng = random.Random(5)
    tried = 0
    for spec in _specs():
        within = spec.interval()
        if spec.dimension == "count":
            assert within is None
            continue
        low, high = within
        values = [0.0, -0.0, 5e-324, -5e-324, 1.0, -1.0, 1e-300, 1e300, -1e300]
        for end in (low, high):
            if math.isfinite(end):
                values += [end, math.nextafter(end, math.inf), math.nextafter(end, -math.inf)]
        values += [s * 10 ** rng.uniform(-320, 308) for s in (1, -1) for _ in range(40)]
        for v in values:
            accepted = spec.check(v) is None
            if v == spec.default:           # valid as given, inside the interval or not
                assert accepted, (spec, v)
            else:
                assert (low <= v <= high) == accepted, (spec, v)
            tried += 1
    assert tried > 1000


SWEPT = """.param RD=2.857 x=1
TS  S 300m
TD  D 30m
RS1 a b {x*RD} temp=S
RD1 b a {RD}   temp=D
.print Q(S,D)
.op
"""
JOSEPHSON = """.param ph=0.3 i=1u
TB bath 30m
TA A 0.1
.model jx jj(ic={i})
J1 n1 n2 jx phase={ph}
RX n1 n2 20 temp=bath
RY n1 n2 30 temp=A
.op
"""


@pytest.mark.parametrize("text,name,good,bad", [
    (SWEPT, "x", (1.0, 2.0, 3.0), (-1.0, 0.0, 1e16, 3.4e-10)),   # R < 0, = 0, > 1e15, < 1e-9
    (JOSEPHSON, "ph", (0.2, 0.4, 0.5), (2.0, -1.6)),     # the element's own check (|phase|)
    (JOSEPHSON, "i", (1e-6, 2e-6, 3e-6), (-1e-6,)),      # the model's rules (ic >= 0)
], ids=["bounds", "element-check", "model-rules"])
def test_a_rebind_into_an_invalid_value_gives_the_cards_error(text, name, good, bad):
    """A .param moved into a value an element refuses, on the compiled path (the third
    rebind of the same name on), raises the error a fresh elaboration at that value
    raises: the same message at the same place; the next values bind as fresh ones."""
    cards = thermnet.parse(text).cards
    flat = elaborate(cards, "<t>")
    for value in bad:
        for g in good:
            flat.rebind({name: g})
        assert flat.binder._moves[(name,)][1] is not None       # the compiled move
        with pytest.raises(NetlistError) as fresh:
            elaborate(cards, "<t>", {name: value})
        with pytest.raises(NetlistError) as got:
            flat.rebind({name: value})
        assert str(got.value) == str(fresh.value)
        assert got.value.span == fresh.value.span
        flat.rebind({name: good[0]})
        _same(flat, elaborate(cards, "<t>", {name: good[0]}))


def test_a_param_sweep_into_an_invalid_value_marks_those_points_with_the_cards_error():
    """In a .sweep the points whose values an element refuses fail with the error of a
    fresh netlist at that value (the compiled binding checks a value by its interval);
    the points after them are computed."""
    text = SWEPT.replace(".op", ".sweep x list 1 2 3 -1 4 1e16 5")
    with pytest.warns(UserWarning, match="2 point"):
        result = thermnet.parse(text).run()[0]
    assert list(result.converged) == [True, True, True, False, True, False, True]
    for k, x in ((3, -1.0), (5, 1e16)):
        with pytest.raises(NetlistError) as fresh:
            elaborate(thermnet.parse(text).cards, "<string>", {"x": x})
        assert result.failures[[3, 5].index(k)].endswith(str(fresh.value))


def test_the_checks_a_kind_declares_it_may_skip_do_not_depend_on_those_values():
    """A kind that declares what its check reads (Element.check_reads: a rebinding of
    other values skips the check) gives, for every other numeric parameter moved through
    valid values, no error from its check and no other state: its examples."""
    from thermnet.elements.base import ELEMENT_KINDS, Element
    frame = "TB bath 30m\nTA A 0.1\n"
    declared = [kind for kind in ELEMENT_KINDS.values()
                if kind.check_reads is not None and kind.check is not Element.check]
    assert declared                            # the resistor
    for kind in declared:
        for example in kind.examples:
            e = thermnet.parse(frame + example + "\n.op\n").circuit().flat.elements[
                f"{kind.letter.lower()}1"]
            places = [("value", "value", kind.value_spec)] if e.value is not None else []
            places += [("params", s.name, s) for s in kind.keywords if not s.choices]
            places += [("model", s.name, s) for s in (e.model.params if e.model else ())
                       if not s.choices]
            state = {k: v for k, v in vars(e).items() if k not in ("value", "params")}
            for where, key, spec in places:
                if key in kind.check_reads:
                    continue
                low, high = spec.interval()
                for v in (low, high, 1.0, 0.5 * low + 0.5 * high):
                    if not (math.isfinite(v) and low <= v <= high):
                        continue
                    if where == "value":
                        e.value = v
                    else:
                        (e.params if where == "params" else e.model.values)[key] = v
                    e.check()
                    assert {k: v for k, v in vars(e).items()
                            if k not in ("value", "params")} == state, (kind, key, v)


def test_a_rebound_tc_moves_the_balances_kinks():
    """A .param that moves a Tc moves the heat balance's kinks (HeatBalance.kink_T, where
    the continuation turns corners and does not extrapolate): as in a fresh netlist."""
    from thermnet.solve.analysis import Context
    text = """.param tc=0.4
.model ti eph_bcs(sigma=1.3e9 tc={tc})
TB bath 30m
P1 A 1p
E1 A bath ti vol=1e-19
.print T(A)
.op
"""
    net = thermnet.parse(text)
    net.run()
    bal = net._balance
    assert list(bal.kink_T) == [0.4, 0.4]
    Context(bal, {}, {}, {}).balance({"tc": 0.2})
    fresh = thermnet.parse(text)
    fresh.set("tc", 0.2)
    fresh.run()
    assert list(bal.kink_T) == list(fresh._balance.kink_T) == [0.2, 0.2]
