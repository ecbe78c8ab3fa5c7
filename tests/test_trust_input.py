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
    thermnet.parse("* another netlist\nTB x 1\nG1 y x 1n\nP1 y 1p\n" + "* filler\n" * 5)   # also '<string>'
    with pytest.raises(NetlistError) as info:
        net.run()
    _located(info.value, first, 7, 8, "no superconductor")


def test_source_module_keeps_no_store_of_texts():
    import thermnet.netlist.source as source
    assert not [k for k, v in vars(source).items()
                if isinstance(v, dict) and not k.startswith("__")]
    assert not hasattr(source, "register") and not hasattr(source, "source_line")
