"""``.measure`` cards -> checked measurement specifications (docs/language.md, ".measure").

    .measure ANALYSIS NAME MAX|MIN|PP|AVG EXPR [FROM=v] [TO=v]
    .measure ANALYSIS NAME FIND EXPR AT=v
    .measure ANALYSIS NAME FIND EXPR WHEN EXPR=v [RISE=n|FALL=n|CROSS=n] [FROM=v] [TO=v]
    .measure ANALYSIS NAME WHEN EXPR=v [RISE=n|FALL=n|CROSS=n] [FROM=v] [TO=v]
    .measure ANALYSIS NAME PARAM={expression of earlier measures and .params}

ANALYSIS: ``op``, ``sweep`` (or SPICE's ``dc``), ``tran``, ``ac``.  EXPR: a print quantity
(``T(D)``, ``D(T(D),P1)``), ``{expression of quantities}`` or the name of a source or
``.param`` (``FIND P1``); n: a whole number from 1, or ``LAST``.  The spelling follows
ngspice's ``.meas`` (ngspice manual, section ".meas(ure)"); the numbers are computed by
``solve/measure.py``.  Every mistake is a located error naming what to write.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, NoReturn, Optional, Tuple

from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast
from thermnet.netlist.columns import _show as _show_dimension
from thermnet.netlist.columns import (
    expression_quantity,
    name_quantity,
    quantity_dimension,
    target_dimension,
)
from thermnet.netlist.elaborate import Quantity, Sweep
from thermnet.netlist.expressions import CONSTANTS, FUNCTIONS, value_of
from thermnet.netlist.parser import CARD_FORMS
from thermnet.units import DIMENSIONS

FORM = CARD_FORMS[".measure"]
ANALYSES = {"op": "op", "sweep": "sweep", "dc": "sweep", "tran": "tran", "ac": "ac"}
STATISTICS = ("MAX", "MIN", "PP", "AVG")
EDGES = ("RISE", "FALL", "CROSS")
LAST = -1                     # count of RISE=LAST ...


@dataclass(frozen=True)
class Measure:
    """One ``.measure`` card, its quantities resolved (columns evaluated at every point of
    the analysis), its numbers kept as written (evaluated with the .params of each .step
    value)."""

    analysis: str                     # op sweep tran ac
    name: str                         # as written
    kind: str                         # MAX MIN PP AVG FIND WHEN PARAM
    span: Span
    what: Optional[Quantity] = None   # the measured column (MAX ... AVG, FIND)
    when: Optional[Quantity] = None   # left side of WHEN
    level: Optional[Quantity] = None  # right side of WHEN when it is a column
    level_value: float = 0.0          # right side of WHEN when it is a number
    at: Optional[ast.Item] = None     # FIND ... AT=
    start: Optional[ast.Item] = None  # FROM=
    stop: Optional[ast.Item] = None   # TO=
    edge: str = "CROSS"
    count: int = 1                    # the n-th crossing, or LAST
    param: Optional[ast.ExprValue] = None
    level_param: Optional[ast.ExprValue] = None   # right side of WHEN naming measurements
    uses: Tuple[str, ...] = ()        # PARAM, level_param: the measurements named (keys)

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def quantities(self) -> Tuple[Quantity, ...]:
        return tuple(q for q in (self.what, self.when, self.level) if q is not None)


def _fail(message: str, span: Span, expected: str = FORM) -> NoReturn:
    raise NetlistError(message, span, expected)


def elaborate_measures(builder, cards, targets, analyses) -> List[Measure]:
    """The ``.measure`` cards of the top level, in order, checked.  A PARAM may use any
    measurement of its analysis, above or below it, but not itself through others."""
    present = {"op" if a is None else "sweep" if isinstance(a, Sweep) else None
               for a in (analyses or [None])}
    sweeps = [a for a in analyses if isinstance(a, Sweep)]
    mine = [c for c in cards if isinstance(c, ast.MeasureCard)]
    analyses_of = _names(builder, mine)
    out: List[Measure] = []
    for card in mine:
        m = _measure(builder, card, targets, present, analyses_of)
        _check_numbers(builder, m, sweeps)
        out.append(m)
    _check_cycles(out)
    return out


def _names(b, cards) -> Dict[str, str]:
    """Each measurement's analysis by name; a name given twice or already a .param is an
    error."""
    seen: Dict[str, ast.Word] = {}
    out: Dict[str, str] = {}
    for card in cards:
        word = _word(card.items[0], "the analysis: op, sweep, tran or ac")
        analysis = ANALYSES.get(word.text.lower())
        if analysis is None:
            _fail(f"unknown analysis '{word.text}' for .measure", word.span,
                  "op, sweep (or dc), tran or ac, e.g. .measure sweep pmax FIND P1 WHEN "
                  "D(T(D),P1)=0 FALL=1")
        name = _word(card.items[1], "the name of the measurement")
        key = name.text.lower()
        if key in seen:
            first = seen[key].span
            _fail(f"measurement '{name.text}' is defined twice (first at line {first.line})",
                  name.span, "one .measure per name")
        if b.scope.has(key):
            _fail(f"'{name.text}' is already a .param", name.span,
                  "another name for the measurement")
        seen[key], out[key] = name, analysis
    return out


def _check_cycles(measures: List[Measure]) -> None:
    params = {m.key: m for m in measures if m.uses}
    state: Dict[str, int] = {}               # 1: being visited, 2: done

    def visit(m: Measure) -> None:
        state[m.key] = 1
        for key in m.uses:
            if state.get(key) == 1:
                _fail(f"'{m.name}' uses '{params[key].name}', which uses "
                      f"'{m.name}' (a cycle)", m.span, "measurements without cycles")
            if key in params and key not in state:
                visit(params[key])
        state[m.key] = 2
    for m in params.values():
        if m.key not in state:
            visit(m)


def _word(item, what: str) -> ast.Word:
    if not isinstance(item, ast.Word):
        _fail(f"expected {what}", item.span)
    return item


def _measure(b, card: ast.MeasureCard, targets, present, analyses_of) -> Measure:
    items: List[Any] = list(card.items)
    word, name = items[0], items[1]
    analysis = analyses_of[name.text.lower()]
    if analysis in ("op", "sweep") and analysis not in present:
        card_name = ".op" if analysis == "op" else ".sweep"
        _fail(f"'.measure {word.text}' but this netlist has no {card_name} analysis",
              word.span, f"a {card_name} card, or .measure of an analysis the netlist runs")
    head = items[2]
    if isinstance(head, ast.Assign) and head.key.text.upper() == "PARAM":
        if len(items) > 3:
            _fail("unexpected text after PARAM={...}", items[3].span)
        return _param(b, analysis, name, head, analyses_of)
    kind = _word(head, "MAX, MIN, PP, AVG, FIND, WHEN or PARAM={...}").text.upper()
    if kind not in STATISTICS + ("FIND", "WHEN"):
        _fail(f"unknown measurement '{head.text}'", head.span)
    rest = items[3:]
    fields: Dict[str, object] = {}
    if kind in STATISTICS or kind == "FIND":
        if not rest:
            _fail(f"{kind} needs the quantity to measure, e.g. {kind} T(D)", head.span)
        fields["what"] = _column(b, rest.pop(0), targets)
    if kind == "FIND":
        if not rest:
            _fail("FIND needs AT=v or WHEN EXPR=v", head.span)
        if isinstance(rest[0], ast.Assign) and rest[0].key.text.upper() == "AT":
            fields["at"] = rest.pop(0).value
        elif not (isinstance(rest[0], ast.Word) and rest[0].text.upper() == "WHEN"):
            _fail("expected AT=v or WHEN EXPR=v after FIND's quantity", rest[0].span)
    if kind in ("FIND", "WHEN") and "at" not in fields:
        if kind == "FIND":
            rest.pop(0)                                   # the word WHEN
        if not rest:
            _fail("WHEN needs a condition EXPR=v, e.g. WHEN T(D)=140m", card.span)
        fields.update(_condition(b, rest.pop(0), targets, analysis, name, analyses_of))
    for item in rest:
        _option(item, fields)
    if analysis == "op" and (kind in ("FIND", "WHEN") or "start" in fields or "stop" in fields):
        _fail(f"an .op has a single point: {kind} and FROM/TO need an x axis (a sweep)",
              head.span, "MAX EXPR (the value at the operating point) or PARAM={...}")
    return Measure(analysis, name.text, kind, card.span, **fields)   # type: ignore[arg-type]


def _column(b, item, targets) -> Quantity:
    """EXPR of a measurement: a quantity, {expression of quantities}, a source or .param."""
    if isinstance(item, ast.Call):
        return b.quantity(item)
    if isinstance(item, ast.ExprValue):
        return expression_quantity(b, item, targets)
    if isinstance(item, (ast.Word, ast.Num)):
        return name_quantity(b, item, targets)
    _fail("expected a quantity such as T(D), {expression}, or a source or .param name",
          item.span)


def _condition(b, item, targets, analysis, name, analyses_of) -> Dict[str, object]:
    """``EXPR=v`` of WHEN: the left side a column, the right side a number (read in the
    left side's dimension), an expression of other measurements (``{tpk/2}``: evaluated
    once they are known) or a column (a quantity, a name, {expression})."""
    if isinstance(item, ast.Condition):
        left, right = _column(b, item.left, targets), item.value
    elif isinstance(item, ast.Assign):
        left, right = name_quantity(b, item.key, targets), item.value
    else:
        _fail("expected a condition EXPR=v, e.g. T(D)=140m or {T(S)-T(D)}=0.2", item.span)
    out: Dict[str, object] = {"when": left}
    if isinstance(right, ast.ExprValue) and names_measure(right, analyses_of):
        out["level_param"] = right
        out["uses"] = _measured_names(b, right, analysis, name, analyses_of, "WHEN ...")
    elif isinstance(right, ast.Num):
        dim = quantity_dimension(b, left)
        out["level_value"] = value_of(right, b.scope, dim if dim in DIMENSIONS else None,
                                      "the value of WHEN")
    else:
        out["level"] = level = _column(b, right, targets)
        dims = quantity_dimension(b, left), quantity_dimension(b, level)
        if None not in dims and dims[0] != dims[1]:
            _fail(f"WHEN compares {left.column}, {_show(dims[0])}, with {level.column}, "
                  f"{_show(dims[1])}", right.span, "WHEN EXPR=v with v of EXPR's dimension")
    return out


def _show(dimension: Optional[str]) -> str:
    return "a " + _show_dimension(dimension) if dimension else "a number"


def _option(item, fields: Dict[str, object]) -> None:
    """FROM=, TO=, RISE=, FALL=, CROSS= into ``fields``."""
    if not isinstance(item, ast.Assign):
        _fail("expected FROM=v, TO=v, AT=v, RISE=n, FALL=n or CROSS=n", item.span)
    key = item.key.text.upper()
    slot = {"FROM": "start", "TO": "stop"}.get(key)
    if slot is not None:
        if slot in fields:
            _fail(f"{key} is given twice", item.key.span)
        fields[slot] = item.value
        return
    if key in EDGES:
        if "when" not in fields:
            _fail(f"{key}= counts the crossings of WHEN; this measurement has none",
                  item.key.span)
        if "edge" in fields:
            _fail("give one of RISE=, FALL= or CROSS=", item.key.span)
        fields["edge"], fields["count"] = key, _count(item)
        return
    _fail(f"unknown keyword '{item.key.text}' here", item.key.span)


def _count(item: ast.Assign) -> int:
    v = item.value
    if isinstance(v, ast.Word) and v.text.upper() == "LAST":
        return LAST
    text = getattr(v, "text", "")
    if isinstance(v, ast.Num) and text.isdigit() and int(text) >= 1:
        return int(text)
    _fail(f"{item.key.text.upper()}= takes a whole number from 1 or LAST, got '{text}'",
          v.span, f"{item.key.text.upper()}=1, {item.key.text.upper()}=2 ... or "
          f"{item.key.text.upper()}=LAST")


def _check_numbers(b, m: Measure, sweeps: List[Sweep]) -> None:
    """FROM, TO and AT are numbers of the x axis: read in each swept name's dimension (a
    unit of another is an error here), FROM below TO."""
    dims: set = {None}
    if m.analysis == "sweep":
        dims = {target_dimension(b, s.target) for s in sweeps}
    for d in dims:
        dim = d if d in DIMENSIONS else None
        vals = {slot: value_of(item, b.scope, dim, f"{slot_name(slot)} of .measure {m.name}")
                for slot, item in (("start", m.start), ("stop", m.stop), ("at", m.at))
                if item is not None}
        if "start" in vals and "stop" in vals and not vals["start"] < vals["stop"]:
            assert m.start is not None
            _fail(f"FROM={vals['start']:g} is not below TO={vals['stop']:g}", m.start.span,
                  "FROM=v1 TO=v2 with v1 < v2 (in the units of the swept name)")


def slot_name(slot: str) -> str:
    return {"start": "FROM", "stop": "TO", "at": "AT"}[slot]


def _param(b, analysis: str, name: ast.Word, head: ast.Assign, analyses_of) -> Measure:
    """PARAM={expression}: names are measurements of the same analysis, .params or
    constants; functions as in every expression; no quantities (measure them first)."""
    param = head.value
    if not isinstance(param, ast.ExprValue):
        _fail("PARAM takes an expression in braces", param.span, "PARAM={1000*(TMAX - TMIN)}")
    uses = _measured_names(b, param, analysis, name, analyses_of, "PARAM")
    return Measure(analysis, name.text, "PARAM", head.span, param=param, uses=uses)


def names_measure(expr: ast.ExprValue, analyses_of) -> bool:
    """Whether ``{...}`` names a measurement (then it is evaluated once, from the
    measurements, not at every point)."""
    todo: List[Any] = [expr.expr]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.EVar) and node.name.lower() in analyses_of:
            return True
        todo.extend(getattr(node, "args", ()))
        todo.extend(n for n in (getattr(node, "left", None), getattr(node, "right", None),
                                getattr(node, "operand", None)) if n is not None)
    return False


def _measured_names(b, value: ast.ExprValue, analysis: str, name: ast.Word, analyses_of,
                    where: str) -> Tuple[str, ...]:
    """The measurements an expression of measurements, .params and constants names (keys);
    anything else is a located error."""
    form = f"{where}={{expression of measurements, .params and constants}}"
    uses = []
    todo: List[Any] = [value.expr]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.EVar):
            key = node.name.lower()
            other = analyses_of.get(key)
            if other is not None and other != analysis:
                _fail(f"'{node.name}' measures the {other} analysis, not the {analysis}",
                      node.span, "measurements of the same analysis")
            if key == name.text.lower():
                _fail(f"{where} of '{name.text}' uses itself", node.span,
                      f"{where}={{expression of other measurements}}")
            if other is not None:
                uses.append(key)
            elif not b.scope.has(key) and key not in CONSTANTS:
                _fail(f"'{node.name}' is neither a .measure of this analysis nor a .param",
                      node.span, form)
        elif isinstance(node, ast.EFunc):
            if node.name.lower() not in FUNCTIONS:
                _fail(f"'{node.name}()' in {where}: an expression of measurements takes no "
                      "quantities; measure the quantity with its own .measure (MAX, FIND ...) "
                      "and use its name", node.span, form)
            todo.extend(node.args)
        elif isinstance(node, ast.EBin):
            todo.extend((node.left, node.right))
        elif isinstance(node, ast.ENeg):
            todo.append(node.operand)
    return tuple(dict.fromkeys(uses))
