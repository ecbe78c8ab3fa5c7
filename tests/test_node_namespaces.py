"""Thermal and electrical node names live in separate namespaces (netlist-language.md: "live
in separate namespaces"; netlist-language-v2.md's SQUID valve uses the electrical node d
beside the thermal node D): one name may be a node of each kind."""
import os

import numpy as np
import pytest

import thermnet
from thermnet.errors import BranchWarning, NetlistError

NETLISTS = os.path.join(os.path.dirname(__file__), "..", "netlists")

VALVE_V2 = """.title SQUID heat valve (Meschke et al. 2006 style)
.model cu eph(sigma=2e9 n=5)
.model sq squid(ic=2u flux=0)
.param fl=0
TB bath 50m
PS S 5f
ES S bath cu vol=2e-20
ED D bath cu vol=2e-20
RS a b 20ohm temp=S
J1 b c sq flux={fl}
RD c d 20ohm temp=D
J2 d a sq flux={fl}
.sweep fl 0 1 41
.print T(S) T(D) Q(S,D)
"""


def test_contract_valve_with_d_beside_D_equals_the_renamed_one():
    """The v2 contract's example as written equals the shipped netlist, whose electrical
    node is named e: the same circuit, the same numbers bit for bit."""
    with pytest.warns(BranchWarning, match="not excluded"):
        v2 = thermnet.parse(VALVE_V2).run()[0]
    with pytest.warns(BranchWarning, match="not excluded"):
        shipped = thermnet.load(os.path.join(NETLISTS, "meschke2006_valve.net")).run()[0]
    for col in ("T(S)", "T(D)", "Q(S,D)"):
        np.testing.assert_array_equal(v2.columns[col], shipped.columns[col])


def test_both_kinds_print_and_solve():
    """T(A) of the thermal node A and V(a) of the electrical node a in one netlist: a
    voltage across a resistor heats the island A by V^2/R (Joule heat into temp=A)."""
    res = thermnet.parse("""TB bath 0.1
GA A bath 1n
V1 a 0 1u
R1 a 0 10 temp=A
.op
.print T(A) V(a) PJ(R1)
""").run()[0]
    c = res.columns
    assert c["V(a)"] == pytest.approx(1e-6, rel=1e-12)
    assert c["PJ(R1)"] == pytest.approx(1e-13, rel=1e-9)
    assert c["T(A)"] - 0.1 == pytest.approx(1e-13 / 1e-9, rel=1e-6)


def test_a_name_of_one_kind_only_is_still_checked():
    """A quantity asks for the kind it needs: V() of a name that is only a thermal node is
    an error at its place."""
    with pytest.raises(NetlistError) as exc:
        thermnet.parse("TB bath 0.1\nGA A bath 1n\nV1 a 0 1u\nR1 a 0 10 temp=A\n"
                       ".op\n.print V(bath)\n").circuit()
    assert "'bath' is not an electrical node" in exc.value.message
    assert exc.value.span.line == 6
