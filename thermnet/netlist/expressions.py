"""Evaluation of ``{expr}`` values and plain values against a parameter scope.

Language page: + - * / ** (or ^), parentheses, parameters, the functions sqrt exp log log10
abs sin cos tanh min max, and the constants pi, kB, h, hbar, e (SI).

Values carry the dimension of a unit written on a ``.param`` (``.param T0=30mK``), checked
where they are used (docs/language.md, "Units of .param values"):

- a number (inside ``{}`` or a ``.param`` without unit) and a constant have no unit: a plain
  number, accepted for any dimension;
- ``-x``, ``abs(x)``, ``x*c``, ``c*x``, ``x/c`` (``c`` without unit) keep the unit of ``x``;
- ``x+y``, ``x-y``, ``min``, ``max``: the unit of the operands, which must agree;
- every other combination (``x*y`` or ``x/y`` of two values with units, ``**``, the other
  functions) gives a plain number, not checked.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple

from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast
from thermnet.physics import constants
from thermnet.units import DIMENSIONS, UnitError, looks_numeric, read

FUNCTIONS: Dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log10": math.log10, "abs": abs,
    "sin": math.sin, "cos": math.cos, "tanh": math.tanh, "min": min, "max": max,
}
CONSTANTS = {"pi": math.pi, "kb": constants.kB, "h": constants.h, "hbar": constants.hbar,
             "e": constants.e}
EXPR_FORM = "{expression} using + - * / ** ( ), parameters, " + \
    " ".join(FUNCTIONS) + ", and pi kB h hbar e"
MAX_DEPTH = 100    # nesting of an expression's operations and function calls


@dataclass(frozen=True)
class Amount:
    """A value in SI with the dimension of the unit it was written with (None: a plain
    number), and where that unit was given: ``(name, span)`` of a .param definition or of a
    subcircuit argument."""

    value: float
    dimension: Optional[str] = None
    origin: Optional[tuple] = None

    def named(self, name: str, span: Span) -> "Amount":
        """This amount as the value of parameter ``name`` defined at ``span``."""
        return Amount(self.value, self.dimension, (name, span) if self.dimension else None)

    def describe(self) -> str:
        """Where the unit comes from: ``parameter T0 (set at file:3:11)``."""
        if self.origin is None:
            return "the value"
        name, span = self.origin
        return f"{name} (set at {span.file}:{span.line}:{span.column})"


def _dim_name(dimension: Optional[str]) -> str:
    return "a plain number" if dimension is None else "a " + DIMENSIONS[dimension][0]


class Scope:
    """Parameter lookup: ``lookup(name_lower, span)`` returns an Amount or raises
    NetlistError."""

    def lookup(self, name: str, span) -> Amount:  # pragma: no cover - interface
        raise NotImplementedError

    def has(self, name: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def quantity(self, node: ast.EFunc) -> Optional[Amount]:
        """The value of a print quantity written in the expression (``T(S)`` in a
        ``.print {-P(TD)}``; netlist/columns.py), or None: here ``T(...)`` is no quantity."""
        return None


def evaluate(expr: ast.Expr, scope: Scope) -> Amount:
    try:
        amount = _eval(expr, scope, 0)
    except RecursionError:
        raise NetlistError("expression nested too deeply", expr.span,
                           "split it with .param NAME={...}") from None
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        if isinstance(exc, NetlistError):
            raise
        raise NetlistError(f"cannot evaluate expression: {exc}", expr.span, EXPR_FORM) from None
    value = amount.value
    if isinstance(value, complex) or not math.isfinite(value):
        raise NetlistError(f"expression gives {value}, not a finite real number",
                           expr.span, EXPR_FORM)
    return Amount(float(value), amount.dimension, amount.origin)


def _same(node, operands) -> Amount:
    """The unit shared by ``operands`` (a sum, min, max): plain numbers take any unit."""
    known = [a for a in operands if a.dimension is not None]
    for a in known[1:]:
        if a.dimension != known[0].dimension:
            raise NetlistError(f"cannot combine {known[0].describe()}, "
                               f"{_dim_name(known[0].dimension)}, with {a.describe()}, "
                               f"{_dim_name(a.dimension)}", node.span,
                               "operands of + - min max with the same unit")
    return known[0] if known else Amount(0.0)


def _eval(node: ast.Expr, scope: Scope, depth: int) -> Amount:
    if depth > MAX_DEPTH:
        raise NetlistError(f"expression nested more than {MAX_DEPTH} deep", node.span,
                           "split it with .param NAME={...}")
    depth += 1
    if isinstance(node, ast.ENum):
        return Amount(number_in_braces(node))
    if isinstance(node, ast.EVar):
        key = node.name.lower()
        if scope.has(key):
            return scope.lookup(key, node.span)
        if key in CONSTANTS:
            return Amount(CONSTANTS[key])
        return scope.lookup(key, node.span)   # raises "undefined parameter"
    if isinstance(node, ast.ENeg):
        a = _eval(node.operand, scope, depth)
        return Amount(-a.value, a.dimension, a.origin)
    if isinstance(node, ast.EBin):
        a, b = _eval(node.left, scope, depth), _eval(node.right, scope, depth)
        if node.op in "+-":
            unit = _same(node, (a, b))
            value = a.value + b.value if node.op == "+" else a.value - b.value
            return Amount(value, unit.dimension, unit.origin)
        if node.op == "*":
            unit = b if a.dimension is None else a if b.dimension is None else Amount(0.0)
            return Amount(a.value * b.value, unit.dimension, unit.origin)
        if node.op == "/":
            if b.value == 0:
                raise NetlistError("division by zero", node.span, EXPR_FORM)
            unit = a if b.dimension is None else Amount(0.0)
            return Amount(a.value / b.value, unit.dimension, unit.origin)
        return Amount(a.value ** b.value)
    if isinstance(node, ast.EFunc):
        found = scope.quantity(node)
        if found is not None:
            return found
        fn = FUNCTIONS.get(node.name.lower())
        if fn is None:
            raise NetlistError(f"unknown function '{node.name}'", node.span, EXPR_FORM)
        args = [_eval(a, scope, depth) for a in node.args]
        if fn in (min, max):
            unit = _same(node, args)
            return Amount(fn(a.value for a in args), unit.dimension, unit.origin)
        if len(args) != 1:
            raise NetlistError(f"{node.name}() takes one argument, got {len(args)}",
                               node.span, EXPR_FORM)
        x = args[0]
        try:
            value = fn(x.value)
        except ValueError:
            raise NetlistError(f"{node.name}({x.value:g}) is undefined", node.span,
                               EXPR_FORM) from None
        return Amount(value, x.dimension, x.origin) if fn is abs else Amount(value)
    raise AssertionError(node)


@dataclass(frozen=True)
class Store:
    """A value for :func:`compile_stores`: ``item`` (a parameter's name or ``{expr}``),
    computed as ``amount_of(item, scope).value`` would, with the same floating-point
    operations in the same order (``where(name)``: the dict of Amounts in which the scope
    that defines ``name`` keeps its current values; None: not a parameter, a constant),
    and stored as ``holder.attribute = value`` (``key`` None) or
    ``holder.attribute[key] = value`` if it is a finite float within ``within``.  Where it
    cannot be computed so (a parameter not evaluated yet, division by zero, a domain or
    overflow error, a complex or non-finite result, a value outside ``within``),
    ``fallback()`` evaluates and stores it with :func:`amount_of`, which evaluates what is
    missing or raises the located error.  ``within`` None: always the fallback (no
    interval says what is valid).  Units are not checked: they depend on the expression's
    form only, and were checked when the item was first evaluated."""

    item: ast.Item
    where: Callable[[str], Optional[Dict[str, Amount]]]
    within: Optional[Tuple[float, float]]
    holder: object
    attribute: str
    key: Optional[str]
    fallback: Callable[[], None]


def compile_stores(stores: Sequence[Store], after: Optional[Callable[[], None]] = None
                   ) -> Optional[Callable[[], None]]:
    """One function storing every value of ``stores`` in order (each as :class:`Store`
    says: the same floating-point operations in the same order as the evaluator, checked
    by one comparison against its interval), then calling ``after`` (the checks of the
    values together): an element's rebinding in one call, none per value.  None if
    Python cannot compile it (nested beyond its parser)."""
    env: Dict[str, object] = {}
    name = _namer(env)
    lines = ["def assign():"]
    for s in stores:
        body = None if s.within is None else _float_code(s.item, s.where, name)
        if body is None:
            lines.append(f"    {name(s.fallback)}()")
            continue
        target = f"{name(s.holder)}.{s.attribute}" + ("" if s.key is None else f"[{s.key!r}]")
        lines += ["    try:",
                  f"        r = {body}",
                  "    except (ArithmeticError, ValueError, KeyError):",
                  "        r = None",
                  f"    if {_accept(s.within, name)}:",
                  f"        {target} = r",
                  "    else:",
                  f"        {name(s.fallback)}()"]
    if after is not None:
        lines.append(f"    {name(after)}()")
    return _compiled("\n".join(lines + ["    return None", ""]), env, "assign")


def _namer(env: Dict[str, object]) -> Callable[[object], str]:
    """A function naming a value in ``env`` (the globals of a compiled function)."""
    def name(value) -> str:
        key = f"_{len(env)}"
        env[key] = value
        return key
    return name


def _float_code(item: ast.Item, where, name) -> Optional[str]:
    """Python code computing the value of ``item`` (:class:`Store`), or None if ``item`` is
    neither a parameter's name nor an expression of parameters."""
    def code(node) -> str:
        if isinstance(node, ast.ENum):
            return name(number_in_braces(node))
        if isinstance(node, ast.EVar):
            key = node.name.lower()
            values = where(key)
            if values is None:
                return name(CONSTANTS[key])
            return f"{name(values)}[{key!r}].value"
        if isinstance(node, ast.ENeg):
            return f"(-{code(node.operand)})"
        if isinstance(node, ast.EBin):
            return f"({code(node.left)} {node.op} {code(node.right)})"
        if isinstance(node, ast.EFunc):
            fn = FUNCTIONS[node.name.lower()]
            args = ", ".join(code(a) for a in node.args)
            return f"{name(fn)}(({args},))" if fn in (min, max) else f"{name(fn)}({args})"
        raise TypeError(node)

    if isinstance(item, ast.Word):
        values = where(item.text.lower())
        if values is None:
            return None
        return f"{name(values)}[{item.text.lower()!r}].value"
    if isinstance(item, ast.ExprValue):
        try:
            return code(item.expr)
        except (KeyError, TypeError):       # not an expression of parameters
            return None
    return None


def _accept(within: Optional[Tuple[float, float]], name) -> str:
    """The condition on ``r`` of a compiled value (:class:`Store`): a finite float (r - r ==
    0.0: inf - inf and nan - nan are nan; a complex from ** is refused), in ``within``."""
    accept = "r.__class__ is float and r - r == 0.0"
    if within is not None:
        accept += f" and {name(within[0])} <= r <= {name(within[1])}"
    return accept


def _compiled(source: str, env: Dict[str, object], function: str):
    """The function ``function`` defined by ``source`` with the globals ``env``, or None
    if Python cannot compile it (nested beyond its parser)."""
    try:
        exec(compile(source, "<compiled .param value>", "exec"), env)   # noqa: S102
    except (SyntaxError, RecursionError, MemoryError):
        return None
    return env[function]


def number_in_braces(node: ast.ENum) -> float:
    """A number inside ``{}``: scale suffixes only (a unit belongs on a .param)."""
    what = "a number inside {}"
    try:
        value, unit = read(node.text, None, what)
    except UnitError as exc:
        hint = "" if "too large" in str(exc) else " (inside {} only scale suffixes are allowed)"
        raise NetlistError(f"{exc}{hint}", node.span, EXPR_FORM) from None
    if unit is not None:
        raise NetlistError(f"'{node.text}' has a unit of {DIMENSIONS[unit][0]}: inside {{}} "
                           "only scale suffixes are allowed", node.span,
                           "a .param with the unit (.param NAME=30mK) used here by name")
    return value


def amount_of(item: ast.Item, scope: Scope, what: str) -> Amount:
    """A value with no declared dimension (a ``.param``, a subcircuit argument): a number
    with any unit, ``{expr}`` or a parameter name, with the dimension of its unit."""
    if isinstance(item, ast.ExprValue):
        return evaluate(item.expr, scope)
    if isinstance(item, ast.Num):
        try:
            value, unit = read(item.text, None, what)
        except UnitError as exc:
            raise NetlistError(str(exc), item.span, f"{what}: a number, e.g. 30m or 2.5e-3, "
                               "a number with a unit, e.g. 30mK, or {expression}") from None
        return Amount(value, unit)
    if isinstance(item, ast.Word):
        key = item.text.lower()
        if scope.has(key):
            return scope.lookup(key, item.span)
        raise NetlistError(f"expected a number for {what}, got '{item.text}' (not a number "
                           "nor a defined parameter)", item.span,
                           f"{what}: a number such as 30m, or {{expression}}")
    raise NetlistError(f"expected a number for {what}", item.span,
                       f"{what}: a number such as 30m, or {{expression}}")


def value_of(item: ast.Item, scope: Scope, dimension: Optional[str], what: str) -> float:
    """A value for ``what``, of ``dimension`` (None: a plain number, as for a .param
    without unit), in SI.  A unit of another dimension, written here or carried by a
    parameter, is an error naming both places."""
    if isinstance(item, ast.Num) and dimension is not None:
        try:
            return read(item.text, dimension, what)[0]
        except UnitError as exc:
            raise NetlistError(str(exc), item.span, f"{what}: a number, e.g. 30m or 2.5e-3, "
                               "or {expression}") from None
    amount = amount_of(item, scope, what)
    check_dimension(amount, dimension, what, item.span)
    return amount.value


def check_dimension(amount: Amount, dimension: Optional[str], what: str, span: Span) -> None:
    """Raise NetlistError at ``span`` if ``amount`` carries a unit that ``what`` (of
    ``dimension``; None: a plain number) does not take."""
    if amount.dimension is None or amount.dimension == dimension:
        return
    if dimension is None:
        raise NetlistError(f"{what} takes a plain number (its .param has no unit), but "
                           f"{amount.describe()} is {_dim_name(amount.dimension)}", span,
                           "a number without unit, or give the .param a unit "
                           "(.param NAME=30mK) to use units")
    raise NetlistError(f"{what} is {_dim_name(dimension)}, but {amount.describe()} is "
                       f"{_dim_name(amount.dimension)}", span,
                       f"{what}: {_dim_name(dimension)}")


__all__ = ["Amount", "Scope", "evaluate", "amount_of", "value_of", "check_dimension",
           "looks_numeric", "EXPR_FORM"]
