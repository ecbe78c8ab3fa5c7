"""Evaluation of ``{expr}`` values and plain values against a parameter scope.

Language page: + - * / ** (or ^), parentheses, parameters, the functions sqrt exp log log10
abs sin cos tanh min max, and the constants pi, kB, h, hbar, e (SI).
"""
from __future__ import annotations

import math
from typing import Callable, Dict

from thermnet.errors import NetlistError
from thermnet.netlist import ast
from thermnet.physics import constants
from thermnet.units import UnitError, looks_numeric, parse_number

FUNCTIONS: Dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log10": math.log10, "abs": abs,
    "sin": math.sin, "cos": math.cos, "tanh": math.tanh, "min": min, "max": max,
}
CONSTANTS = {"pi": math.pi, "kb": constants.kB, "h": constants.h, "hbar": constants.hbar,
             "e": constants.e}
EXPR_FORM = "{expression} using + - * / ** ( ), parameters, " + \
    " ".join(FUNCTIONS) + ", and pi kB h hbar e"


class Scope:
    """Parameter lookup: ``lookup(name_lower, span)`` returns a float or raises NetlistError."""

    def lookup(self, name: str, span) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def has(self, name: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


def evaluate(expr: ast.Expr, scope: Scope) -> float:
    try:
        value = _eval(expr, scope)
    except RecursionError:
        raise NetlistError("expression nested too deeply", expr.span,
                           "split it with .param NAME={...}") from None
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        if isinstance(exc, NetlistError):
            raise
        raise NetlistError(f"cannot evaluate expression: {exc}", expr.span, EXPR_FORM) from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise NetlistError(f"expression gives {value}, not a finite real number",
                           expr.span, EXPR_FORM)
    return float(value)


def _eval(node: ast.Expr, scope: Scope) -> float:
    if isinstance(node, ast.ENum):
        try:
            return parse_number(node.text, "dimensionless", "a number inside {}")
        except UnitError as exc:
            hint = "" if "too large" in str(exc) else \
                " (inside {} only scale suffixes are allowed)"
            raise NetlistError(f"{exc}{hint}", node.span, EXPR_FORM) from None
    if isinstance(node, ast.EVar):
        key = node.name.lower()
        if scope.has(key):
            return scope.lookup(key, node.span)
        if key in CONSTANTS:
            return CONSTANTS[key]
        return scope.lookup(key, node.span)   # raises "undefined parameter"
    if isinstance(node, ast.ENeg):
        return -_eval(node.operand, scope)
    if isinstance(node, ast.EBin):
        a, b = _eval(node.left, scope), _eval(node.right, scope)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            if b == 0:
                raise NetlistError("division by zero", node.span, EXPR_FORM)
            return a / b
        return a ** b
    if isinstance(node, ast.EFunc):
        fn = FUNCTIONS.get(node.name.lower())
        if fn is None:
            raise NetlistError(f"unknown function '{node.name}'", node.span, EXPR_FORM)
        args = [_eval(a, scope) for a in node.args]
        if fn in (min, max):
            return fn(args)
        if len(args) != 1:
            raise NetlistError(f"{node.name}() takes one argument, got {len(args)}",
                               node.span, EXPR_FORM)
        try:
            return fn(args[0])
        except ValueError:
            raise NetlistError(f"{node.name}({args[0]:g}) is undefined", node.span,
                               EXPR_FORM) from None
    raise AssertionError(node)


def value_of(item: ast.Item, scope: Scope, dimension: str, what: str) -> float:
    """A card value (number with suffix, ``{expr}`` or a bare parameter name) in SI."""
    if isinstance(item, ast.ExprValue):
        return evaluate(item.expr, scope)
    if isinstance(item, ast.Num):
        try:
            return parse_number(item.text, dimension, what)
        except UnitError as exc:
            raise NetlistError(str(exc), item.span, f"{what}: a number, e.g. 30m or 2.5e-3, "
                               "or {expression}") from None
    if isinstance(item, ast.Word):
        key = item.text.lower()
        if scope.has(key):
            return scope.lookup(key, item.span)
        raise NetlistError(f"expected a number for {what}, got '{item.text}' (not a number "
                           "nor a defined parameter)", item.span,
                           f"{what}: a number such as 30m, or {{expression}}")
    raise NetlistError(f"expected a number for {what}", item.span,
                       f"{what}: a number such as 30m, or {{expression}}")


__all__ = ["Scope", "evaluate", "value_of", "looks_numeric", "EXPR_FORM"]
