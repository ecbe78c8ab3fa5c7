"""Typed syntax objects produced by the parser.  Every object keeps its source span.

The lark tree never leaves ``parser.py``: the rest of thermnet sees only these frozen
dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple, Union

from thermnet.errors import Span


# ---- expressions inside {} --------------------------------------------------------------
@dataclass(frozen=True)
class ENum:
    text: str
    span: Span


@dataclass(frozen=True)
class EVar:
    name: str
    span: Span


@dataclass(frozen=True)
class EBin:
    op: str          # + - * / **
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class ENeg:
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class EFunc:
    name: str
    args: Tuple["Expr", ...]
    span: Span


Expr = Union[ENum, EVar, EBin, ENeg, EFunc]


# ---- items of a card --------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    text: str
    span: Span


@dataclass(frozen=True)
class Num:
    text: str
    span: Span


@dataclass(frozen=True)
class Str:
    text: str
    span: Span


@dataclass(frozen=True)
class LibraryName:
    """``<FILE>`` of ``.include <FILE>``: a file on the library path (without the brackets)."""
    text: str
    span: Span


@dataclass(frozen=True)
class ExprValue:
    expr: Expr
    text: str
    span: Span


@dataclass(frozen=True)
class Assign:
    key: Word
    value: "Item"
    span: Span


@dataclass(frozen=True)
class Call:
    name: Word
    args: Tuple["Item", ...]
    span: Span


@dataclass(frozen=True)
class Condition:
    """``QUANTITY=VALUE`` or ``{expr}=VALUE`` (a .measure's WHEN): ``left`` a Call or an
    ExprValue."""

    left: Union[Call, ExprValue]
    value: "Item"
    span: Span


Value = Union[Word, Num, Str, ExprValue]
Item = Union[Word, Num, Str, ExprValue, Assign, Call, Condition]


# ---- cards ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    span: Span
    line: str          # the logical line as written, for error context


@dataclass(frozen=True)
class TitleCard(Card):
    text: str


@dataclass(frozen=True)
class ParamCard(Card):
    assigns: Tuple[Assign, ...]


@dataclass(frozen=True)
class ModelCard(Card):
    name: Word
    type: Word
    params: Tuple[Assign, ...]
    # positional values inside the ( ): a table such as rtable(T1 R1 T2 R2 ...), or the
    # numbers of a data file named by file="..." (read by the parser); ``columns``: the
    # file's numbers per row (0: written inline)
    table: Tuple[Value, ...] = ()
    columns: int = 0


@dataclass(frozen=True)
class IncludeCard(Card):
    path: str
    path_span: Span
    library: bool = False     # .include <FILE> or .lib NAME: on the library path only


@dataclass(frozen=True)
class SubcktCard(Card):
    name: Word
    ports: Tuple[Word, ...]
    params: Tuple[Assign, ...]


@dataclass(frozen=True)
class EndsCard(Card):
    name: Optional[Word]


@dataclass(frozen=True)
class GlobalCard(Card):
    nodes: Tuple[Word, ...]


@dataclass(frozen=True)
class OpCard(Card):
    pass


@dataclass(frozen=True)
class SweepSpec:
    """``NAME START STOP N [lin|log]`` or ``NAME list V1 V2 ...``."""

    name: Word
    mode: str                    # "lin", "log" or "list"
    values: Tuple[Value, ...]    # (start, stop) for lin/log, the values for list
    count: Optional[Num]
    trace: bool = False          # .sweep ... trace: pseudo-arclength continuation


@dataclass(frozen=True)
class SweepCard(Card):
    spec: SweepSpec


@dataclass(frozen=True)
class StepCard(Card):
    spec: SweepSpec


@dataclass(frozen=True)
class PrintCard(Card):
    quantities: Tuple[Union[Call, ExprValue], ...]     # T(S), or {expression of quantities}
    labels: Tuple[Optional[str], ...] = ()             # label="..." of each (plots), or None


@dataclass(frozen=True)
class MeasureCard(Card):
    """``.measure ANALYSIS NAME ...``: the items as written, read by netlist/measures.py."""

    items: Tuple[Item, ...]


@dataclass(frozen=True)
class NodesetCard(Card):
    """``.nodeset T(NODE)=VALUE ...``: starting temperatures."""

    values: Tuple[Condition, ...]


@dataclass(frozen=True)
class OptionsCard(Card):
    assigns: Tuple[Assign, ...]


@dataclass(frozen=True)
class EndCard(Card):
    pass


@dataclass(frozen=True)
class ElementCard(Card):
    name: Word
    items: Tuple[Item, ...]


# ---- time and small-signal analyses (netlist/timecards.py) ---------------------------------
@dataclass(frozen=True)
class TranCard(Card):
    values: Tuple[Value, ...]          # TSTEP TSTOP [TSTART [TMAX]]


@dataclass(frozen=True)
class IcCard(Card):
    values: Tuple[Condition, ...]      # T(NODE)=VALUE ...


@dataclass(frozen=True)
class FrequencySpec:
    """``dec|oct|lin N FSTART FSTOP``."""

    mode: Word
    count: Num
    start: Value
    stop: Value


@dataclass(frozen=True)
class AcCard(Card):
    spec: FrequencySpec


@dataclass(frozen=True)
class NoiseCard(Card):
    output: Call                       # T(NODE)
    source: Word                       # a heater or temperature source
    spec: FrequencySpec
