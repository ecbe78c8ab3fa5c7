"""Columns of results: a print quantity (``T(S)``, ``D(T(D),P1)``) or an expression of
quantities in braces (``.print {-P(TD)} {Q(S,D)/TAU(S,D)}``; docs/language.md, "Expressions
of quantities"), the dimension of each, and an expression column's value from the values of
its parts.

An expression column is evaluated by the one expression evaluator
(``netlist/expressions.py``) with a scope that gives each quantity written in it (an
``EFunc`` such as ``T(S)``) its value at the point, each source or ``.param`` named in it its
value at the point, and the constants pi kB h hbar e.

Dimension of an expression column (for plot axes and table units), found by walking the
expression: a quantity has its registered dimension (``quantities.QUANTITIES``; ``D(X,NAME)``
X's over NAME's); a number is a plain number; ``-x``, ``abs(x)`` and ``x*y``, ``x/y`` with a
dimensionless y (``Q(S,D)/TAU(S,D)``) keep x's; ``x+y``, ``x-y``, ``min``, ``max`` need operands
of one dimension (else a located error: ``T(S)+P(E1)`` adds a temperature to a power; a
number added takes any) and keep it; ``x/y`` of one dimension is dimensionless, of two simple
dimensions ``"x/y"`` (as D()).  Anything else is unknown and the column is shown without
unit: a product with a number (``1000*T(D)`` is usually a change of unit, to mK, so the SI
symbol K would be wrong), products of two dimensioned values, powers, other functions, and
the constants (which carry units the registry does not track).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast
from thermnet.netlist.elaborate import Quantity, Target
from thermnet.netlist.expressions import (
    CONSTANTS,
    EXPR_FORM,
    FUNCTIONS,
    Amount,
    Scope,
    evaluate,
    number_in_braces,
)
from thermnet.quantities import QUANTITIES, help_text
from thermnet.units import derivative_dimension

EXPRESSION_FORM = "{expression of quantities}, e.g. {-P(TD)} or {Q(S,D)/TAU(S,D)}: " + \
    EXPR_FORM + ", quantities " + "T(NODE) P(ELEMENT) Q(A,B) ..., sources and .params by name"


@dataclass(frozen=True)
class ExpressionQuantity(Quantity):
    """A column computed from quantities: ``func`` is ``"EXPR"``, ``args`` the quantities
    written in it (each evaluated as a column of its own), ``column`` the text as written."""

    expr: Any = None                                # ast.Expr
    calls: Tuple[Tuple[Any, str], ...] = ()         # (EFunc node, column of its quantity)
    names: Tuple[Tuple[str, Target], ...] = ()      # (key, source or .param) named in it
    dimension: Optional[str] = None                 # None: not known (no unit shown)


def is_quantity_call(node: ast.EFunc) -> bool:
    return node.name.upper() in QUANTITIES and node.name.lower() not in FUNCTIONS


def expression_quantity(builder, item: ast.ExprValue, targets) -> ExpressionQuantity:
    """The column of ``{expr}`` as written in a .print or .measure card; quantities in it
    are checked as on a .print card, names must be sources, .params or constants."""
    parts: Dict[str, Quantity] = {}
    calls: Dict[Any, str] = {}
    names: Dict[str, Target] = {}

    def walk(node) -> None:
        if isinstance(node, ast.EFunc):
            if is_quantity_call(node):
                q = builder.quantity(_as_call(node))
                parts.setdefault(q.column, q)
                calls[node] = q.column
                return
            if node.name.lower() not in FUNCTIONS:
                raise NetlistError(f"unknown function or quantity '{node.name}'", node.span,
                                   f"{EXPRESSION_FORM}; quantities: {help_text()}")
            for a in node.args:
                walk(a)
        elif isinstance(node, ast.EVar):
            key = node.name.lower()
            if key in targets or "." in key or key not in CONSTANTS:
                names[key] = builder.target(ast.Word(node.name, node.span), targets)
        elif isinstance(node, ast.EBin):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, ast.ENeg):
            walk(node.operand)
        elif isinstance(node, ast.ENum):
            number_in_braces(node)               # a bad number is an error here, not later

    walk(item.expr)
    dims = {node: quantity_dimension(builder, parts[col]) for node, col in calls.items()}
    dimension = expression_dimension(
        item.expr, lambda node: dims[node],
        lambda key: target_dimension(builder, names[key]) if key in names else None)
    return ExpressionQuantity("EXPR", tuple(parts.values()), item.text, item.span,
                              item.expr, tuple(calls.items()), tuple(names.items()), dimension)


def name_quantity(builder, word: Union[ast.Word, ast.Num], targets) -> ExpressionQuantity:
    """A source or .param by name as a column (``FIND P1 WHEN ...``): its value at each
    point (the swept values in a sweep over it)."""
    node = ast.EVar(word.text, word.span)
    return expression_quantity(builder, ast.ExprValue(node, word.text, word.span), targets)


def _as_call(node: ast.EFunc) -> ast.Call:
    """``T(S)`` read inside braces as the .print card's ``T(S)``."""
    args: List[ast.Item] = []
    for a in node.args:
        if isinstance(a, ast.EFunc):
            args.append(_as_call(a))
        elif isinstance(a, ast.EVar):
            args.append(ast.Word(a.name, a.span))
        elif isinstance(a, ast.ENum):
            args.append(ast.Num(a.text, a.span))          # a node named by a number
        else:
            form = QUANTITIES[node.name.upper()].form
            raise NetlistError(f"an argument of {node.name.upper()}() must be a name or a "
                               "quantity, not an expression", a.span, form)
    return ast.Call(ast.Word(node.name, node.span), tuple(args), node.span)


class _PointScope(Scope):
    """An expression column's names and quantities at one point."""

    def __init__(self, q: ExpressionQuantity, parts: Dict[str, float],
                 value_of: Callable[[Target], float]):
        self.q, self.parts, self.value_of = q, parts, value_of
        self.calls = dict(q.calls)
        self.names = dict(q.names)

    def has(self, key: str) -> bool:
        return key in self.names

    def lookup(self, key: str, span) -> Amount:
        if key not in self.names:
            raise NetlistError(f"'{key}' is not defined here", span, EXPRESSION_FORM)
        return Amount(self.value_of(self.names[key]))

    def quantity(self, node: ast.EFunc) -> Optional[Amount]:
        column = self.calls.get(node)
        return None if column is None else Amount(self.parts[column])


def evaluate_column(q: ExpressionQuantity, parts: Dict[str, float],
                    value_of: Callable[[Target], float]) -> float:
    """The value of expression column ``q`` from its parts' values (by column) and
    ``value_of(target)`` for the sources and .params it names.  A division by zero or a
    non-finite result raises NetlistError located at the expression."""
    return evaluate(q.expr, _PointScope(q, parts, value_of)).value


# ---- dimensions ------------------------------------------------------------------------------
def target_dimension(flat, target: Target) -> str:
    """A source's value dimension; a .param's that of the unit it is defined with
    (dimensionless without one).  ``flat``: anything with the ``elements`` by key."""
    if target.kind != "source":
        return target.dimension or "dimensionless"
    from thermnet.elements import ELEMENT_KINDS
    return ELEMENT_KINDS[flat.elements[target.key].letter].value_param().dimension


def quantity_dimension(flat, q: Quantity) -> Optional[str]:
    """``temperature``, ``power`` ...; ``D(X,NAME)``: X's over NAME's, e.g.
    ``temperature/power`` (X's alone for a .param, ``dimensionless`` for like over like); an
    expression column's from its expression; None if not known."""
    if isinstance(q, ExpressionQuantity):
        return q.dimension
    if q.func in ("RE", "IM"):                     # .ac: the parts of a response
        return quantity_dimension(flat, q.args[0])
    if q.func != "D":
        return QUANTITIES[q.func].dimension
    inner, target = q.args
    num, den = quantity_dimension(flat, inner), target_dimension(flat, target)
    return None if num is None else derivative_dimension(num, den)


_PLAIN = ""            # a number: takes any unit
_UNKNOWN = None


def expression_dimension(expr, of_call: Callable[[Any], Optional[str]],
                         of_name: Callable[[str], Optional[str]]) -> Optional[str]:
    """The dimension of ``expr`` by the rules of the module docstring (None: unknown);
    ``of_call(node)`` gives a quantity's, ``of_name(key)`` a name's (None for a constant).
    Raises NetlistError where + - min max combine two dimensions."""
    found = _dim(expr, of_call, of_name)
    return "dimensionless" if found == _PLAIN else found


def _dim(node, of_call, of_name) -> Optional[str]:
    if isinstance(node, ast.ENum):
        return _PLAIN
    if isinstance(node, ast.EVar):
        d = of_name(node.name.lower())
        return _UNKNOWN if d is None else (_PLAIN if d == "dimensionless" else d)
    if isinstance(node, ast.ENeg):
        return _dim(node.operand, of_call, of_name)
    if isinstance(node, ast.EFunc):
        if is_quantity_call(node):
            d = of_call(node)
            return _UNKNOWN if d is None else (_PLAIN if d == "dimensionless" else d)
        args = [_dim(a, of_call, of_name) for a in node.args]
        name = node.name.lower()
        if name in ("min", "max"):
            return _same(args, node.span, name)
        if name == "abs" and len(args) == 1:
            return args[0]
        return _PLAIN if all(a == _PLAIN for a in args) else _UNKNOWN
    if isinstance(node, ast.EBin):
        a, b = _dim(node.left, of_call, of_name), _dim(node.right, of_call, of_name)
        if node.op in "+-":
            return _same([a, b], node.span, node.op)
        if a is _UNKNOWN or b is _UNKNOWN:
            return _UNKNOWN
        numbers = isinstance(node.left, ast.ENum) or isinstance(node.right, ast.ENum)
        if node.op == "*":
            if numbers:
                return _PLAIN if a == b == _PLAIN else _UNKNOWN
            return b if a == _PLAIN else a if b == _PLAIN else _UNKNOWN
        if node.op == "/":
            if b == _PLAIN:
                return _PLAIN if a == _PLAIN else _UNKNOWN if numbers else a
            if a == b:
                return _PLAIN
            if a == _PLAIN or "/" in a + b:
                return _UNKNOWN
            return derivative_dimension(a, b)
        return _PLAIN if a == b == _PLAIN else _UNKNOWN
    return _UNKNOWN


def _same(dims, span: Span, op: str) -> Optional[str]:
    """The one dimension of the operands of + - min max (numbers take any)."""
    if any(d is _UNKNOWN for d in dims):
        return _UNKNOWN
    known = [d for d in dims if d != _PLAIN]
    if any(d != known[0] for d in known[1:]):
        what = {"+": "add", "-": "subtract"}.get(op, f"take {op}() of")
        raise NetlistError(f"cannot {what} a {_show(known[0])} and a {_show(known[1])}",
                           span, "operands of + - min max of one dimension (T() with T(), "
                           "P() with Q() ...), or a ratio x/y")
    return known[0] if known else _PLAIN


def _show(dimension: str) -> str:
    from thermnet.units import DIMENSIONS
    return " / ".join(DIMENSIONS[d][0] if d in DIMENSIONS else d
                      for d in dimension.split("/"))
