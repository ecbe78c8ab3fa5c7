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
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from thermnet import library
from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast, timecards
from thermnet.netlist.parser_cache import cached_lark
from thermnet.netlist.source import LogicalLine, logical_lines
from thermnet.quantities import QUANTITIES

CARD_FORMS = {
    ".title": ".title TEXT",
    ".param": ".param NAME=VALUE ...",
    ".model": ".model NAME TYPE(KEY=VALUE ...)",
    ".include": '.include "FILE"  or  .include <FILE> (the library path only)',
    ".lib": ".lib NAME  (the device library NAME or NAME.lib on the library path: "
            "$THERMNET_PATH, then the shipped library)",
    ".subckt": ".subckt NAME PORT... [params: KEY=VALUE ...]",
    ".ends": ".ends [NAME]",
    ".global": ".global NODE...",
    ".op": ".op",
    ".sweep": ".sweep NAME START STOP N [lin|log] [trace]  or  .sweep NAME list V1 V2 ...",
    ".step": ".step NAME START STOP N [lin|log]  or  .step NAME list V1 V2 ...",
    ".print": ".print QUANTITY [label=\"TEXT\"] ...  e.g. .print T(S) Q(S,D) P(E1) "
              "{Q(S,D)/TAU(S,D)} label=\"Q/tau\"",
    ".measure": ".measure ANALYSIS NAME MAX|MIN|PP|AVG EXPR [FROM=v TO=v]  or  FIND EXPR "
                "AT=v  or  [FIND EXPR] WHEN EXPR=v [RISE=n|FALL=n|CROSS=n]  or  "
                "PARAM={expression of measures}",
    ".options": ".options KEY=VALUE ...",
    ".nodeset": ".nodeset T(NODE)=VALUE ...",
    ".end": ".end",
}
CARD_FORMS.update(timecards.FORMS)

CARD_ALIASES = {".meas": ".measure"}      # SPICE spellings of the same card


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    return cached_lark(grammar, propagate_positions=True, maybe_placeholders=False)


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

    def dot_angled(self, c):
        name = ast.LibraryName(str(c[1])[1:-1], self._span(c[1]))
        return ("dot", ast.Word(str(c[0]), self._span(c[0])), (name,))

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
    expected = CARD_FORMS.get(CARD_ALIASES.get(first, first), "")
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


def _bare(word: str) -> bool:
    """Whether ``word`` is a print quantity without arguments (ONOISE, INOISE)."""
    kind = QUANTITIES.get(word.upper())
    return kind is not None and not kind.args


def _card(kind, head, items, line: LogicalLine) -> ast.Card:
    span, text = line.first, line.text
    if kind == "title":
        return ast.TitleCard(span, text, head)
    if kind == "element":
        return ast.ElementCard(span, text, head, items)
    name = CARD_ALIASES.get(head.text.lower(), head.text.lower())
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
            args = items[1].args
            table = tuple(a for a in args if isinstance(a, (ast.Num, ast.ExprValue, ast.Word)))
            return ast.ModelCard(span, text, items[0], items[1].name,
                                 _assigns([a for a in args if a not in table], name), table)
        _expect(isinstance(items[1], ast.Word), "expected the model type", items[1].span, name)
        return ast.ModelCard(span, text, items[0], items[1], _assigns(items[2:], name))
    if name == ".include":
        _expect(len(items) == 1 and isinstance(items[0], (ast.Str, ast.Word, ast.LibraryName)),
                ".include needs one file name", span, name)
        return ast.IncludeCard(span, text, items[0].text, items[0].span,
                               library=isinstance(items[0], ast.LibraryName))
    if name == ".lib":
        _expect(len(items) >= 1, ".lib needs the name of a device library", span, name)
        _expect(len(items) == 1, "library sections (.lib FILE SECTION of ngspice and HSPICE) "
                "are not read: a thermnet library is included whole", items[-1].span, name)
        _expect(isinstance(items[0], (ast.Str, ast.Word)), "expected a library name",
                items[0].span, name)
        return ast.IncludeCard(span, text, items[0].text, items[0].span, library=True)
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
        quantities: List[Any] = []
        labels: List[Optional[str]] = []
        for it in items:
            if isinstance(it, ast.Assign) and it.key.text.lower() == "label":
                # label="TEXT" names the quantity before it on a figure's axis
                _expect(bool(quantities) and labels[-1] is None, "label= follows the quantity "
                        "it names, once", it.span, name)
                value = it.value
                _expect(isinstance(value, (ast.Str, ast.Word)) and bool(value.text),
                        'expected label="TEXT"', value.span, name)
                assert isinstance(value, (ast.Str, ast.Word))
                labels[-1] = value.text
                continue
            # a quantity without arguments (ONOISE) is written as a bare word
            _expect(isinstance(it, (ast.Call, ast.ExprValue))
                    or (isinstance(it, ast.Word) and _bare(it.text)),
                    "expected a quantity such as T(NODE) or {expression}", it.span, name)
            quantities.append(ast.Call(it, (), it.span) if isinstance(it, ast.Word) else it)
            labels.append(None)
        return ast.PrintCard(span, text, tuple(quantities), tuple(labels))
    if name == ".measure":
        _expect(len(items) >= 3, ".measure needs an analysis, a name and what to measure",
                span, name)
        return ast.MeasureCard(span, text, tuple(items))
    if name in (".nodeset", ".ic"):
        _expect(len(items) >= 1, f"{name} needs T(NODE)=VALUE", span, name)
        for it in items:
            _expect(isinstance(it, ast.Condition) and isinstance(it.left, ast.Call)
                    and it.left.name.text.upper() == "T" and len(it.left.args) == 1,
                    "expected T(NODE)=VALUE", it.span, name)
        return (ast.NodesetCard if name == ".nodeset" else ast.IcCard)(span, text, tuple(items))
    if name == ".options":
        return ast.OptionsCard(span, text, _assigns(items, name))
    if name in timecards.FORMS:
        return timecards.parse_card(name, items, span, text)
    raise AssertionError(name)  # every name of CARD_FORMS is handled above


# ---- limits ------------------------------------------------------------------------------
# The reading limits (docs/reliability.md): one place, with their values.
MAX_NETLIST_BYTES = 10_000_000      # a netlist together with every file it includes
MAX_INCLUDE_DEPTH = 16              # .include inside .include ...
MAX_LINE_CHARS = 100_000            # one logical line ('+' continuations joined)
MAX_NESTING = 100                   # depth of one card's syntax tree ({((...))}, a*b*c ...)
# The shipped library of devices, which a sandboxed netlist may include besides its folder.
LIBRARY_DIR = library.library_dir()
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
        if included and kind == "dot" and CARD_ALIASES.get(head.text.lower(), head.text.lower()) \
                not in CARD_FORMS:
            raise _not_a_netlist(name, head.span, "an unknown card")
        card = _card(kind, head, items, line)
        if isinstance(card, ast.ModelCard):
            card = _model_data_file(card, name, reading)
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
    if card.library:
        path = _find_library(card, base)
        looked = [path]
    else:
        path, looked = library.find_include(card.path, base)
    chain = [p for p in stack + (including,) if not p.startswith("<")]
    hint = ('.include "FILE" with FILE relative to the including file, a folder of '
            f'${library.PATH_VARIABLE} or the shipped library')
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
                           f"looked for {', '.join(looked)})", card.path_span, hint) from None
    except _TooLarge:
        raise NetlistError(f"include file '{card.path}' makes the netlist larger than "
                           f"{MAX_NETLIST_BYTES // 1_000_000} MB (the limit for a netlist with "
                           "all its includes)", card.path_span, "a smaller file") from None
    text, bad = _decode(data)
    if bad is not None:
        raise _not_a_netlist(path, Span(path, *bad), "not a UTF-8 text file: an invalid byte")
    return parse_text(text, path, stack + (including,), reading)


def _find_library(card: ast.IncludeCard, base: str) -> str:
    """The file of ``.include <FILE>`` or ``.lib NAME`` (``library.find_library``), or a
    located error naming every folder looked in."""
    lib = card.line.lstrip().lower().startswith(".lib")
    form = CARD_FORMS[".lib" if lib else ".include"]
    if os.path.isabs(card.path):
        raise NetlistError(f"'{card.path}' is an absolute path: a library is named relative "
                           "to the library path", card.path_span,
                           '.include "FILE" to read a file by its path')
    path, folders = library.find_library(card.path, with_suffix=lib)
    if path is not None:
        return path
    what = ".lib NAME" if lib else ".include <FILE>"
    hint = form + "; the shipped libraries: " + " ".join(library.libraries())
    beside = library.find_library(card.path, with_suffix=lib, folders=[base])[0]
    if beside is not None:
        hint = (f'.include "{os.path.relpath(beside, base)}" to read the file beside the '
                f"netlist ({what} looks on the library path only)")
    unset = "" if library.user_dirs() else f" (${library.PATH_VARIABLE} is not set)"
    raise NetlistError(f"no library {card.path} on the search path: looked in "
                       f"{', '.join(folders)}{unset}", card.path_span, hint)


MAX_TABLE_VALUES = 1_000_000     # numbers of one model's data file


def _model_data_file(card: ast.ModelCard, including: str, reading: _Reading) -> ast.ModelCard:
    """A ``.model NAME TYPE(file="DATA.csv" ...)``: the file's numbers become the model's
    table, each with its own place in the file (an error in the data points at it).  The
    file is found and read as an ``.include`` is (relative to the netlist that names it;
    a regular file; --sandbox folders; the size budget).  Format: rows of numbers separated
    by commas, semicolons or blanks, the same count in every row; lines starting with '#'
    and a first line that is not numbers (a header) are skipped."""
    files = [a for a in card.params if a.key.text.lower() == "file"]
    if not files:
        return card
    form = f'.model {card.name.text} {card.type.text}(file="DATA.csv")'
    a = files[0]
    if not isinstance(a.value, ast.Str) or len(files) > 1 or card.table:
        raise NetlistError("file= takes one quoted file name, and no values beside it",
                           a.span, form)
    base = os.path.dirname(including) if not including.startswith("<") else os.getcwd()
    path = os.path.normpath(os.path.join(base, a.value.text))
    real = os.path.realpath(path)
    if reading.roots is not None and not any(_inside(real, r) for r in reading.roots):
        raise NetlistError(f"data file '{a.value.text}' is outside the netlist's folder and "
                           "the device library (--sandbox)", a.value.span,
                           "a data file in the netlist's folder (or below it) or in "
                           "netlists/lib")
    if any(_inside(real, r) for r in _PSEUDO_ROOTS):
        raise NetlistError(f"data file '{a.value.text}' is a system file ({real})",
                           a.value.span, form)
    try:
        data = _read_bytes(path, reading, regular_only=True)
    except OSError as exc:
        raise NetlistError(f"cannot read data file '{a.value.text}' ({exc.strerror}; looked "
                           f"for {path})", a.value.span, form + " with the file relative "
                           "to the netlist") from None
    except _TooLarge:
        raise NetlistError(f"data file '{a.value.text}' makes the netlist larger than "
                           f"{MAX_NETLIST_BYTES // 1_000_000} MB", a.value.span,
                           "a smaller file") from None
    text, bad = _decode(data)
    if bad is not None:
        raise UnquotedError(f"data file '{path}' is not a UTF-8 text file (an invalid byte "
                            "here)", Span(path, *bad), "a CSV file of numbers")
    table, columns = _numbers(text, path)
    return ast.ModelCard(card.span, card.line, card.name, card.type,
                         tuple(p for p in card.params if p is not a), table, columns)


_NUMBER = re.compile(r"[^\s,;]+")


def _numbers(text: str, path: str) -> Tuple[Tuple[ast.Num, ...], int]:
    """The numbers of a data file, row by row, and the count per row (module docstring of
    :func:`_model_data_file`)."""
    out: List[ast.Num] = []
    columns = 0
    first = True
    for lineno, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        row = [(m.group(), m.start() + 1) for m in _NUMBER.finditer(raw)]
        numeric = all(_FLOAT.fullmatch(t) for t, _ in row)
        if first and not numeric:        # a header line
            first = False
            continue
        first = False
        for t, col in row:
            if not _FLOAT.fullmatch(t):
                raise UnquotedError(f"data file: '{t[:20]}' is not a number",
                                    Span(path, lineno, col), "rows of plain numbers (SI "
                                    "units) separated by commas")
        if columns and len(row) != columns:
            raise UnquotedError(f"data file: {len(row)} numbers in this row, {columns} in "
                                "the first", Span(path, lineno, 1), "the same number of "
                                "columns in every row")
        columns = len(row)
        out.extend(ast.Num(t, Span(path, lineno, col, raw)) for t, col in row)
        if len(out) > MAX_TABLE_VALUES:
            raise UnquotedError(f"data file: more than {MAX_TABLE_VALUES} numbers",
                                Span(path, lineno, 1), "a smaller table")
    if not out:
        raise UnquotedError("data file has no numbers", Span(path, 1, 1),
                            "rows of numbers separated by commas, e.g. 0.1, 25.3")
    return tuple(out), columns


_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


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
    """Parse the netlist file at ``path`` (``-``: standard input, named ``<stdin>``, its
    includes relative to the working directory).  ``sandbox``: includes only from the
    netlist's own folder (and below) and the shipped device library."""
    stdin = path == "-"
    roots = None
    if sandbox:
        roots = (os.path.realpath(os.getcwd() if stdin else
                                  os.path.dirname(os.path.abspath(path))),
                 os.path.realpath(LIBRARY_DIR))
    reading = _Reading(roots)
    try:
        data = _read_stdin(reading) if stdin else \
            _read_bytes(path, reading, regular_only=False)
    except OSError as exc:
        raise NetlistError(f"cannot read netlist '{path}': {exc.strerror}") from None
    except _TooLarge:
        raise NetlistError(f"netlist '{path}' is larger than "
                           f"{MAX_NETLIST_BYTES // 1_000_000} MB (the limit)") from None
    name = "<stdin>" if stdin else path
    text, bad = _decode(data)
    if bad is not None:
        raise UnquotedError(f"'{name}' is not a UTF-8 text file (an invalid byte here)",
                            Span(name, *bad), "a netlist saved as UTF-8 text")
    return parse_text(text, name, (), reading)


def _read_stdin(reading: _Reading) -> bytes:
    """Standard input, at most ``reading.budget`` bytes (else _TooLarge)."""
    data = sys.stdin.buffer.read(reading.budget + 1)
    if len(data) > reading.budget:
        raise _TooLarge()
    reading.budget -= len(data)
    return data
