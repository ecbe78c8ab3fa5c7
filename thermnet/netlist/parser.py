"""Netlist text -> typed cards (``ast.py``), with ``.include`` expanded.

One lark grammar (``grammar.lark``, LALR) parses each logical line; one Transformer turns
the tree into typed objects carrying file/line/column.  Card-level forms (what each dot
card expects) are checked here; element forms are checked by the element kinds.
"""
from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast
from thermnet.netlist.source import LogicalLine, logical_lines

CARD_FORMS = {
    ".title": ".title TEXT",
    ".param": ".param NAME=VALUE ...",
    ".model": ".model NAME TYPE(KEY=VALUE ...)",
    ".include": '.include "FILE"',
    ".subckt": ".subckt NAME PORT... [params: KEY=VALUE ...]",
    ".ends": ".ends [NAME]",
    ".global": ".global NODE...",
    ".op": ".op",
    ".sweep": ".sweep NAME START STOP N [lin|log] [trace]  or  .sweep NAME list V1 V2 ...",
    ".step": ".step NAME START STOP N [lin|log]  or  .step NAME list V1 V2 ...",
    ".print": ".print QUANTITY...  e.g. .print T(S) Q(S,D) P(E1)",
    ".options": ".options KEY=VALUE ...",
    ".nodeset": ".nodeset T(NODE)=VALUE ...",
    ".end": ".end",
}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _binary(op: str):
    """The transformer callback building a binary operation ``op``."""
    @v_args(meta=True)
    def build(self, meta, c):
        return ast.EBin(op, c[0], c[-1], self._meta_span(meta))
    return build


class _ToAst(Transformer):
    """The one Transformer: lark tree of a logical line -> typed ast objects."""

    def __init__(self, line: LogicalLine):
        super().__init__()
        self.line = line

    def _span(self, x) -> Span:
        if isinstance(x, Token):
            return self.line.span(x.start_pos or 0)
        return self.line.span(x.meta.start_pos) if not x.meta.empty else self.line.first

    def _meta_span(self, meta) -> Span:
        return self.line.span(meta.start_pos) if not meta.empty else self.line.first

    # items
    def word(self, c):
        return ast.Word(str(c[0]), self._span(c[0]))

    def number(self, c):
        return ast.Num(str(c[0]), self._span(c[0]))

    def string(self, c):
        return ast.Str(str(c[0])[1:-1], self._span(c[0]))

    @v_args(meta=True)
    def expr_value(self, meta, c):
        text = self.line.text[meta.start_pos:meta.end_pos] if not meta.empty else ""
        return ast.ExprValue(c[0], text, self._meta_span(meta))

    @v_args(meta=True)
    def assign(self, meta, c):
        return ast.Assign(ast.Word(str(c[0]), self._span(c[0])), c[1], self._meta_span(meta))

    @v_args(meta=True)
    def call(self, meta, c):
        args = tuple(c[1]) if len(c) > 1 else ()
        return ast.Call(ast.Word(str(c[0]), self._span(c[0])), args, self._meta_span(meta))

    @v_args(meta=True)
    def call_condition(self, meta, c):
        args = tuple(c[1]) if len(c) > 2 else ()
        left = ast.Call(ast.Word(str(c[0]), self._span(c[0])), args, self._meta_span(meta))
        return ast.Condition(left, c[-1], self._meta_span(meta))

    @v_args(meta=True)
    def expr_condition(self, meta, c):
        text = self.line.text[meta.start_pos:]
        left = ast.ExprValue(c[0], text[:_closing_brace(text) + 1], self._meta_span(meta))
        return ast.Condition(left, c[1], self._meta_span(meta))

    def arglist(self, c):
        return list(c)

    # expressions
    def num(self, c):
        return ast.ENum(str(c[0]), self._span(c[0]))

    def var(self, c):
        return ast.EVar(str(c[0]), self._span(c[0]))

    @v_args(meta=True)
    def func(self, meta, c):
        return ast.EFunc(str(c[0]), tuple(c[1:]), self._span(c[0]))

    add, sub, mul, div, pow = (_binary("+"), _binary("-"), _binary("*"), _binary("/"),
                               _binary("**"))

    @v_args(meta=True)
    def neg(self, meta, c):
        return ast.ENeg(c[0], self._meta_span(meta))

    # whole lines
    def title(self, c):
        return ("title", str(c[1]).strip() if len(c) > 1 else "")

    def dot_card(self, c):
        return ("dot", ast.Word(str(c[0]), self._span(c[0])), tuple(c[1:]))

    def element(self, c):
        return ("element", ast.Word(str(c[0]), self._span(c[0])), tuple(c[1:]))


def _closing_brace(text: str) -> int:
    """Index of the '}' that closes the '{' at text[0]."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return i
    return len(text) - 1


def _syntax_error(err: UnexpectedInput, line: LogicalLine) -> NetlistError:
    offset = getattr(err, "pos_in_stream", None)
    if offset is None:
        offset = len(line.text)
    span = line.span(min(offset, max(len(line.text) - 1, 0)))
    if isinstance(err, UnexpectedCharacters):
        what = f"unexpected character '{line.text[offset]}'" if offset < len(line.text) \
            else "unexpected end of line"
    elif isinstance(err, UnexpectedToken):
        tok = err.token
        what = "unexpected end of line" if tok.type == "$END" else \
            f"unexpected '{str(tok).split()[0] if str(tok).split() else tok}'"
    else:
        what = "unexpected end of line"
    first = line.text.split()[0].lower() if line.text.split() else ""
    expected = CARD_FORMS.get(first, "")
    if not expected and not first.startswith("."):
        from thermnet.elements.base import element_form
        expected = element_form(first[:1])
    if "{" in line.text and not expected:
        expected = "{expression} with + - * / ** ( ) parameters and functions"
    return NetlistError(f"syntax error: {what}", span, expected, source_line=None)


def _expect(cond: bool, message: str, span: Span, card: str):
    if not cond:
        raise NetlistError(message, span, CARD_FORMS[card])


def _assigns(items: Sequence[Any], card: str) -> Tuple[ast.Assign, ...]:
    for it in items:
        _expect(isinstance(it, ast.Assign), "expected KEY=VALUE", it.span, card)
    return tuple(items)


def _sweep_spec(items: Sequence[Any], card: str, span: Span) -> ast.SweepSpec:
    _expect(len(items) >= 2, f"{card} needs a name and values", span, card)
    name = items[0]
    _expect(isinstance(name, ast.Word), "expected the name of a source or parameter",
            name.span, card)
    rest = list(items[1:])
    trace = bool(rest) and isinstance(rest[-1], ast.Word) and rest[-1].text.lower() == "trace"
    if trace:
        word = rest.pop()
        _expect(card == ".sweep", "trace follows a branch in a .sweep; a .step is a plain "
                "family of runs", word.span, card)
        _expect(len(rest) >= 1, f"{card} needs values before trace", word.span, card)
    for it in rest:
        _expect(isinstance(it, (ast.Word, ast.Num, ast.ExprValue)),
                "expected a value", it.span, card)
    if isinstance(rest[0], ast.Word) and rest[0].text.lower() == "list":
        _expect(len(rest) >= 2, "'list' needs at least one value", rest[0].span, card)
        return ast.SweepSpec(name, "list", tuple(rest[1:]), None, trace)
    mode = "lin"
    if isinstance(rest[-1], ast.Word) and rest[-1].text.lower() in ("lin", "log"):
        mode = rest.pop().text.lower()
    _expect(len(rest) == 3, f"expected START STOP N after {name.text}",
            rest[-1].span if rest else span, card)
    _expect(isinstance(rest[2], ast.Num), "N (the number of points) must be a whole number",
            rest[2].span, card)
    return ast.SweepSpec(name, mode, (rest[0], rest[1]), rest[2], trace)


def _card(kind, head, items, line: LogicalLine) -> ast.Card:
    span, text = line.first, line.text
    if kind == "title":
        return ast.TitleCard(span, text, head)
    if kind == "element":
        return ast.ElementCard(span, text, head, items)
    name = head.text.lower()
    if name not in CARD_FORMS:
        raise NetlistError(f"unknown card '{head.text}'", head.span,
                           "one of " + " ".join(sorted(CARD_FORMS)))
    if name == ".param":
        _expect(len(items) > 0, ".param needs NAME=VALUE", span, name)
        return ast.ParamCard(span, text, _assigns(items, name))
    if name == ".model":
        _expect(len(items) >= 2 and isinstance(items[0], ast.Word),
                ".model needs a name and a type", span, name)
        if isinstance(items[1], ast.Call):
            _expect(len(items) == 2, "unexpected text after the model's ( )", items[-1].span, name)
            return ast.ModelCard(span, text, items[0], items[1].name,
                                 _assigns(items[1].args, name))
        _expect(isinstance(items[1], ast.Word), "expected the model type", items[1].span, name)
        return ast.ModelCard(span, text, items[0], items[1], _assigns(items[2:], name))
    if name == ".include":
        _expect(len(items) == 1 and isinstance(items[0], (ast.Str, ast.Word)),
                ".include needs one file name", span, name)
        return ast.IncludeCard(span, text, items[0].text, items[0].span)
    if name == ".subckt":
        _expect(len(items) >= 1 and isinstance(items[0], ast.Word),
                ".subckt needs a name", span, name)
        ports, params, seen_params = [], [], False
        for it in items[1:]:
            if isinstance(it, ast.Word) and it.text.lower() in ("params:", "params"):
                seen_params = True
            elif isinstance(it, ast.Assign):
                params.append(it)
            elif isinstance(it, (ast.Word, ast.Num)) and not seen_params and not params:
                ports.append(ast.Word(it.text, it.span))
            else:
                _expect(False, "expected a port name or KEY=VALUE", it.span, name)
        return ast.SubcktCard(span, text, items[0], tuple(ports), tuple(params))
    if name == ".ends":
        _expect(len(items) <= 1, "unexpected text after .ends NAME", span, name)
        return ast.EndsCard(span, text, items[0] if items else None)
    if name == ".global":
        _expect(len(items) >= 1, ".global needs node names", span, name)
        for it in items:
            _expect(isinstance(it, (ast.Word, ast.Num)), "expected a node name", it.span, name)
        return ast.GlobalCard(span, text, tuple(ast.Word(i.text, i.span) for i in items))
    if name in (".op", ".end"):
        _expect(not items, f"{name} takes nothing", items[0].span if items else span, name)
        return (ast.OpCard if name == ".op" else ast.EndCard)(span, text)
    if name in (".sweep", ".step"):
        spec = _sweep_spec(items, name, span)
        return (ast.SweepCard if name == ".sweep" else ast.StepCard)(span, text, spec)
    if name == ".print":
        _expect(len(items) >= 1, ".print needs at least one quantity", span, name)
        for it in items:
            _expect(isinstance(it, ast.Call), "expected a quantity such as T(NODE)",
                    it.span, name)
        return ast.PrintCard(span, text, tuple(items))
    if name == ".nodeset":
        _expect(len(items) >= 1, ".nodeset needs T(NODE)=VALUE", span, name)
        for it in items:
            _expect(isinstance(it, ast.Condition) and isinstance(it.left, ast.Call)
                    and it.left.name.text.upper() == "T" and len(it.left.args) == 1,
                    "expected T(NODE)=VALUE", it.span, name)
        return ast.NodesetCard(span, text, tuple(items))
    if name == ".options":
        return ast.OptionsCard(span, text, _assigns(items, name))
    raise AssertionError(name)  # every name of CARD_FORMS is handled above


# ---- limits ------------------------------------------------------------------------------
# The reading limits (docs/reliability.md): one place, with their values.
MAX_NETLIST_BYTES = 10_000_000      # a netlist together with every file it includes
MAX_INCLUDE_DEPTH = 16              # .include inside .include ...
MAX_LINE_CHARS = 100_000            # one logical line ('+' continuations joined)
MAX_NESTING = 100                   # depth of one card's syntax tree ({((...))}, a*b*c ...)
# The shipped library of devices, which a sandboxed netlist may include besides its folder.
LIBRARY_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "netlists", "lib")
# Pseudo-file systems whose files claim to be regular but are not data (and may hold secrets).
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")


class UnquotedError(NetlistError):
    """A NetlistError shown by place only, never quoting the source: for a file that is not a
    netlist (whose text may be anything, e.g. /etc/shadow) or a line too long to show."""

    def render(self) -> str:
        head = f"{self.span.file}:{self.span.line}:{self.span.column}: " if self.span else ""
        return f"{head}error: {self.message}" + (
            f"\n  expected: {self.expected}" if self.expected else "")


@dataclass
class _Reading:
    """State of reading one netlist and its includes (passed down, never global)."""

    roots: Optional[Tuple[str, ...]]          # sandbox: real folders includes may be in
    budget: int = MAX_NETLIST_BYTES           # bytes that may still be read


def parse_text(text: str, name: str = "<netlist>", _stack: Tuple[str, ...] = (),
               _reading: Optional[_Reading] = None) -> List[ast.Card]:
    """Parse netlist ``text`` (from file ``name``) into typed cards, expanding includes."""
    reading = _reading or _Reading(None)
    included = bool(_stack)
    bad = _CONTROL.search(text)
    if bad:
        span = Span(name, *_line_col(text[:bad.start()]))
        if included:
            raise _not_a_netlist(name, span, "a NUL or control character")
        raise UnquotedError(f"a control character (U+{ord(bad.group()):04X}) in the netlist",
                            span, "plain text: remove it (tabs and newlines are fine)")
    cards: List[ast.Card] = []
    for line in logical_lines(text, name):
        if len(line.text) > MAX_LINE_CHARS:
            raise UnquotedError(f"line too long: {len(line.text)} characters (the limit is "
                                f"{MAX_LINE_CHARS} per card, '+' continuations included)",
                                line.first, "shorter cards; long lists of values in a "
                                ".sweep NAME START STOP N")
        try:
            tree = _lark().parse(line.text)
        except UnexpectedInput as err:
            if included:
                raise _not_a_netlist(name, _syntax_error(err, line).span, "a syntax error") \
                    from None
            raise _syntax_error(err, line) from None
        depth = _depth(tree)
        if depth > MAX_NESTING:
            raise NetlistError(f"expression nested too deeply ({depth} levels; the limit is "
                               f"{MAX_NESTING})", line.first,
                               "split it with .param NAME={...}")
        kind, head, items = _transform(tree, line)
        if included and kind == "dot" and head.text.lower() not in CARD_FORMS:
            raise _not_a_netlist(name, head.span, "an unknown card")
        card = _card(kind, head, items, line)
        if isinstance(card, ast.IncludeCard):
            cards.extend(_include(card, name, _stack, reading))
        elif isinstance(card, ast.EndCard):
            break
        else:
            cards.append(card)
    return cards


def _depth(tree) -> int:
    """Depth of a lark tree, without recursion (the tree may be arbitrarily deep)."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, d = todo.pop()
        deepest = max(deepest, d)
        todo.extend((c, d + 1) for c in getattr(node, "children", ()))
    return deepest


def _transform(tree, line):
    out = _ToAst(line).transform(tree)
    if out[0] == "title":
        return out[0], out[1], ()
    return out


def _not_a_netlist(path: str, span: Optional[Span], why: str) -> UnquotedError:
    return UnquotedError(f"included file '{path}' is not a netlist ({why} here; its content "
                         "is not shown)", span, '.include "FILE" of a thermnet netlist')


def _include(card: ast.IncludeCard, including: str, stack: Tuple[str, ...],
             reading: _Reading) -> List[ast.Card]:
    base = os.path.dirname(including) if not including.startswith("<") else os.getcwd()
    path = os.path.normpath(os.path.join(base, card.path))
    chain = [p for p in stack + (including,) if not p.startswith("<")]
    hint = '.include "FILE" with FILE relative to the including file'
    if os.path.abspath(path) in {os.path.abspath(p) for p in chain}:
        raise NetlistError(f"include cycle: '{card.path}' is already being included "
                           f"({' -> '.join(chain + [path])})",
                           card.path_span, "include each file once, without cycles")
    if len(stack) >= MAX_INCLUDE_DEPTH:
        raise NetlistError(f"includes nested too deeply (more than {MAX_INCLUDE_DEPTH} levels)",
                           card.path_span, "include the files from fewer levels")
    real = os.path.realpath(path)
    if reading.roots is not None and not any(_inside(real, r) for r in reading.roots):
        raise NetlistError(f"include file '{card.path}' is outside the netlist's folder and "
                           "the device library (--sandbox)", card.path_span,
                           ".include of a file in the netlist's folder (or below it) or in "
                           "netlists/lib")
    if any(_inside(real, r) for r in _PSEUDO_ROOTS):
        raise NetlistError(f"include file '{card.path}' is a system file ({real}), not a "
                           "netlist", card.path_span, hint)
    try:
        data = _read_bytes(path, reading, regular_only=True)
    except OSError as exc:
        raise NetlistError(f"cannot read include file '{card.path}' ({exc.strerror}; "
                           f"looked for {path})", card.path_span, hint) from None
    except _TooLarge:
        raise NetlistError(f"include file '{card.path}' makes the netlist larger than "
                           f"{MAX_NETLIST_BYTES // 1_000_000} MB (the limit for a netlist with "
                           "all its includes)", card.path_span, "a smaller file") from None
    text, bad = _decode(data)
    if bad is not None:
        raise _not_a_netlist(path, Span(path, *bad), "not a UTF-8 text file: an invalid byte")
    return parse_text(text, path, stack + (including,), reading)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _TooLarge(Exception):
    pass


def _read_bytes(path: str, reading: _Reading, regular_only: bool) -> bytes:
    """The bytes of ``path``, at most ``reading.budget`` of them (else _TooLarge); with
    ``regular_only`` anything but a regular file (a directory, FIFO, device, socket) is
    refused without blocking on it."""
    fd = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if regular_only else 0))
    with os.fdopen(fd, "rb") as fh:
        if regular_only:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            os.set_blocking(fd, True)
        data = fh.read(reading.budget + 1)
    if len(data) > reading.budget:
        raise _TooLarge()
    reading.budget -= len(data)
    return data


def _decode(data: bytes):
    """(text, None) for UTF-8, else ("", (line, column)) of the first invalid byte."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return "", _line_col(data[:exc.start].decode("utf-8", "replace"))


# Characters that are no part of netlist text: control characters but tab, newline and
# carriage return, and the line separators that would make line numbers differ from editors'.
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _line_col(before: str) -> Tuple[int, int]:
    lines = before.split("\n")
    return len(lines), len(lines[-1]) + 1


def parse_file(path: str, sandbox: bool = False) -> List[ast.Card]:
    """Parse the netlist file at ``path``.  ``sandbox``: includes only from the netlist's
    own folder (and below) and the shipped device library."""
    roots = None
    if sandbox:
        roots = (os.path.realpath(os.path.dirname(os.path.abspath(path))),
                 os.path.realpath(LIBRARY_DIR))
    reading = _Reading(roots)
    try:
        data = _read_bytes(path, reading, regular_only=False)
    except OSError as exc:
        raise NetlistError(f"cannot read netlist '{path}': {exc.strerror}") from None
    except _TooLarge:
        raise NetlistError(f"netlist '{path}' is larger than "
                           f"{MAX_NETLIST_BYTES // 1_000_000} MB (the limit)") from None
    text, bad = _decode(data)
    if bad is not None:
        raise UnquotedError(f"'{path}' is not a UTF-8 text file (an invalid byte here)",
                            Span(path, *bad), "a netlist saved as UTF-8 text")
    return parse_text(text, path, (), reading)
