"""Typed cards -> a flat circuit: ``.param`` evaluation, units, models, ``.subckt``
flattening (hierarchical names ``X1.N2``), ``.global``, analyses and ``.print`` quantities.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from functools import partial
from typing import (
    AbstractSet,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import numpy as np

from thermnet import elements as _elements  # noqa: F401  (registers element kinds)
from thermnet.elements.base import ELEMENT_KINDS, MODEL_TYPES, Element, ImpedanceElement, ParamSpec
from thermnet.errors import NetlistError, Span
from thermnet.model import waveforms
from thermnet.netlist import ast, timecards
from thermnet.netlist.dependencies import MAX_PLANS, Dependencies, Plan
from thermnet.netlist.expressions import (
    CONSTANTS,
    Amount,
    Scope,
    Store,
    amount_of,
    check_dimension,
    compile_stores,
    value_of,
)
from thermnet.netlist.parser import CARD_FORMS
from thermnet.options import OPTIONS, option_form, window_problem
from thermnet.quantities import QUANTITIES, help_text

# Sizes refused before any work starts (docs/language.md, "Limits").
MAX_ELEMENTS = 100_000          # elements after subcircuit expansion
MAX_NODES = 100_000             # thermal plus electrical nodes after expansion
MAX_SUBCKT_DEPTH = 50           # subcircuit instances nested in one another
MAX_PARAM_CHAIN = 50            # .param definitions referring to one another in a chain
MAX_STEP_COMBINATIONS = 1_000_000   # product of the .step counts
MAX_POINTS = 10_000_000         # steady states of a run: .step combinations x analysis points


# ---- results of elaboration ----------------------------------------------------------------
@dataclass(frozen=True)
class Quantity:
    """A ``.print`` quantity with its arguments resolved to node/element keys."""

    func: str                    # T P Q TAU KAPPA D
    args: Tuple[Any, ...]        # keys (str) or, for D, (Quantity, Target)
    column: str
    span: Optional[Span]


@dataclass(frozen=True)
class Target:
    """What a sweep or step varies: a source element's value or a parameter."""

    kind: str        # "source" or "param"
    key: str         # element key or parameter key
    name: str        # as written
    dimension: Optional[str] = None   # of the value; None: a .param without unit


@dataclass(frozen=True)
class Sweep:
    target: Target
    values: np.ndarray
    mode: str
    span: Span
    trace: bool = False          # follow the branch by continuation (solve/folds.py)

    def describe(self) -> str:
        return f"sweep {self.target.name} ({len(self.values)} points)"


@dataclass
class FlatCircuit:
    """The elaborated netlist: flat elements with hierarchical names, node tables, analyses."""

    title: str
    file: str
    elements: Dict[str, Element]               # key (lower-case name) -> element
    thermal_nodes: Dict[str, str]              # key -> display name
    electrical_nodes: Dict[str, str]
    node_spans: Dict[str, Span]
    params: Dict[str, float]
    analyses: List[Any]                        # None = .op, Sweep, timecards.Tran/Ac/Noise
    steps: List[Sweep]
    prints: List[Quantity]
    options: Dict[str, float]
    print_span: Optional[Span] = None
    # every name a .sweep, .step or Netlist.set() may vary: a Target, or why the name is
    # ambiguous (a source and a .param of the same name)
    targets: Dict[str, Union[Target, str]] = field(default_factory=dict)
    binder: Optional["_Builder"] = field(default=None, repr=False, compare=False)
    measures: List[Any] = field(default_factory=list)     # netlist/measures.Measure
    initial: Dict[str, float] = field(default_factory=dict)   # .ic: node key -> K
    nodeset: Dict[str, float] = field(default_factory=dict)   # .nodeset: node key -> K
    labels: Dict[str, str] = field(default_factory=dict)      # .print label=: column -> text
    rebinds: int = field(default=0, compare=False)            # calls of rebind so far

    def all_quantities(self) -> List[Quantity]:
        """The .print quantities and those the .measure cards evaluate at every point."""
        return list(self.prints) + [q for m in self.measures for q in m.quantities]

    def rebind(self, overrides: Mapping[str, float], analyses: bool = False
               ) -> Optional[AbstractSet[str]]:
        """Every value at these .param values (``overrides`` by name; the others at their
        definitions), the structure unchanged (as Xyce's processParams): the values that
        the .params changed since the last binding reach are evaluated again
        (netlist/dependencies.py: .param definitions, subcircuit arguments, element values,
        model parameters, waveforms, options), each element value checked as on its card;
        a name set last time and not now gets its definition back.  The element objects
        stay the same, so a Circuit and a HeatBalance built on them stay valid
        (HeatBalance.rebind takes the new values).  ``analyses``: evaluate the .sweep and
        .step values again too (a .step combination; not needed within a sweep).

        Returns the keys of the elements whose values may have changed since the previous
        rebind, or None: any may have (the first rebind, or the one after a failed one,
        evaluates everything)."""
        b = self.binder
        if b is None:
            raise ValueError("this circuit was not elaborated with a binder")
        self.rebinds += 1
        touched, options_moved = b.bind(overrides)
        self.params = b.bound_values
        if options_moved:
            options = _options(b.defs.top, b.scope)
            self.options.clear()
            self.options.update(options)
        if analyses and b.analyses_stale:
            self.analyses, self.steps = _analyses(b, self.targets)
            b.analyses_stale = False
        return touched

    def target(self, name: str) -> Target:
        """The source, .param or element parameter (ELEMENT.PARAM) ``name``; NetlistError
        (with "did you mean") if none."""
        found = self.targets.get(name.lower())
        if isinstance(found, Target):
            return found
        if self.binder is not None and "." in name:
            return self.binder.element_parameter(name, None)
        raise NetlistError(found or f"'{name}' is neither a temperature source, a heater nor "
                           f"a .param of this netlist{did_you_mean(name, self._target_names())}")

    def _target_names(self) -> List[str]:
        return [t.name for t in self.targets.values() if isinstance(t, Target)]


def _check_bound(element: Element, check_model, card, form: str) -> None:
    """An element whose values were bound again, checked as on its card: the model type's
    cross-parameter rules (``check_model``) and the element's own ``check``."""
    if check_model is not None:
        check_model(element.model.values)
    try:
        element.check()
    except ValueError as exc:
        raise NetlistError(f"{card.name.text}: {exc}", card.name.span, form) from None


def _first_definition(first: Span, here: Span) -> str:
    """``(first at FILE:LINE)`` for a name defined again at ``here``; at the same line of the
    same file: that file was included twice."""
    if (first.file, first.line) == (here.file, here.line):
        return f"(its file {first.file} is included twice)"
    return f"(first at {first.file}:{first.line})"


def _in_context(run: Callable[[], None], context: Tuple[Span, ...]) -> Callable[[], None]:
    """``run`` (an element's binding inside a subcircuit body) with its errors naming the
    instance cards ``context`` it was reached through (``NetlistError.within``)."""
    if not context:
        return run

    def bound() -> None:
        try:
            run()
        except NetlistError as exc:
            raise exc.within(context) from None
    return bound


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """`` (did you mean 'S'?)`` for the closest of ``known`` to ``name``, or ``""``."""
    lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lower), n=1)
    return f" (did you mean '{lower[close[0]]}'?)" if close else ""


def checked(spec: ParamSpec, value: float, what: str, span: Optional[Span]) -> float:
    """``value`` if ``spec`` accepts it (ParamSpec.check), else a NetlistError at ``span``."""
    problem = spec.check(value)
    if problem:
        raise NetlistError(f"{what} {problem}", span, spec.describe())
    return value


# ---- parameter scopes --------------------------------------------------------------------
class ParamScope(Scope):
    """Lazily evaluated ``.param`` definitions with cycle detection.

    A parameter's dimension is that of its definition (``.param T0=30mK``: a temperature); a
    value that replaces it (``overrides``: a subcircuit argument, a .sweep/.step value, a
    ``Netlist.set()``) keeps that dimension, and a unit it carries must agree.
    """

    def __init__(self, defs: Dict[str, ast.Assign], overrides: Mapping[str, Union[float, Amount]],
                 parent: Optional[Scope] = None):
        self.defs = defs
        self.overrides: Dict[str, Amount] = {}
        self.values: Dict[str, Amount] = {}
        self.defined: Dict[str, Amount] = {}      # each definition's own value
        self.reset(overrides)
        self.parent = parent
        self._visiting: List[str] = []

    def reset(self, overrides: Mapping[str, Union[float, Amount]]) -> None:
        """New values replacing the definitions (a rebind): every value evaluated anew."""
        self.overrides = {k: v if isinstance(v, Amount) else Amount(float(v))
                          for k, v in overrides.items()}
        self.values.clear()         # in place: compiled values read this dict (compile_stores)
        self.defined.clear()

    def override(self, key: str, value: Optional[float]) -> None:
        """``key``'s new value, or its definition's (``value`` None), the definition
        itself unchanged (evaluated before): as ``lookup`` would give it."""
        if key not in self.defined:          # not evaluated yet: evaluated here
            if value is None:
                self.overrides.pop(key, None)
            else:
                self.overrides[key] = Amount(float(value))
            self.values.pop(key, None)
            self.lookup(key, self.defs[key].span)
            return
        if value is None:
            self.overrides.pop(key, None)
            self.values[key] = self.defined[key]
        else:
            self.set_evaluated(key, value)

    def set_evaluated(self, key: str, value: float) -> Amount:
        """``key``'s new value, its definition evaluated before: a plain number takes the
        definition's unit (_replace; so may the override)."""
        declared = self.defined[key]
        self.values[key] = self.overrides[key] = out = \
            Amount(float(value), declared.dimension, declared.origin)
        return out

    def forget(self, key: str, definition: bool) -> None:
        """Evaluate ``key`` anew at its next lookup (a rebind that reaches it); its
        definition too if ``definition`` (else only the override changed)."""
        self.values.pop(key, None)
        if definition:
            self.defined.pop(key, None)

    def has(self, key: str) -> bool:
        return key in self.overrides or key in self.defs or (
            self.parent is not None and self.parent.has(key))

    def lookup(self, key: str, span: Span) -> Amount:
        if key in self.values:
            return self.values[key]
        if key in self.defs:
            declared = self.defined.get(key)
            if declared is None:
                declared = self.defined[key] = self._define(key)
            if key in self.overrides:
                declared = self._replace(key, declared, self.overrides[key])
            self.values[key] = declared
            return declared
        if key in self.overrides:
            return self.overrides[key]
        if self.parent is not None and self.parent.has(key):
            return self.parent.lookup(key, span)
        raise NetlistError(f"undefined parameter '{key}'", span,
                           ".param NAME=VALUE before use, or a number")

    def _define(self, key: str) -> Amount:
        """The definition's value and dimension (evaluated once, cycles and overlong chains
        of definitions are errors)."""
        d = self.defs[key]
        if key in self._visiting:
            chain = " -> ".join(self._visiting[self._visiting.index(key):] + [key])
            raise NetlistError(f"circular .param definition: {chain}", d.span,
                               ".param NAME=VALUE with no cycle")
        if len(self._visiting) >= MAX_PARAM_CHAIN:
            raise NetlistError(f"parameters defined in terms of one another more than "
                               f"{MAX_PARAM_CHAIN} deep ({' -> '.join(self._visiting[:3])} "
                               "-> ...)", d.span, "fewer levels of .param definitions")
        self._visiting.append(key)
        try:
            return amount_of(d.value, self, f"parameter {d.key.text}").named(
                f"parameter {d.key.text}", d.value.span)
        finally:
            self._visiting.pop()

    def _replace(self, key: str, declared: Amount, given: Amount) -> Amount:
        """``given`` as the new value of the parameter ``declared`` by its definition: a
        plain number takes the definition's unit; a unit given (a subcircuit argument) must
        agree with the definition's, if that has one."""
        if given.dimension is None:
            return Amount(given.value, declared.dimension, declared.origin)
        if declared.dimension is not None:
            d = self.defs[key]
            check_dimension(given, declared.dimension, f"parameter {d.key.text} (default "
                            f"at {d.span.file}:{d.span.line}:{d.span.column})",
                            given.origin[1] if given.origin else d.span)
        return given

    def evaluate_all(self) -> Dict[str, float]:
        for key, d in self.defs.items():
            self.lookup(key, d.span)
        return {k: a.value for k, a in self.values.items()}

    def dimensions(self) -> Dict[str, Optional[str]]:
        """Dimension of every (evaluated) parameter; None: no unit."""
        return {k: a.dimension for k, a in self.values.items()}


# ---- structure: top level and subcircuit bodies -----------------------------------------
@dataclass
class Subckt:
    card: ast.SubcktCard
    body: List[ast.Card] = field(default_factory=list)


@dataclass
class _Definitions:
    title: str = ""
    top: List[ast.Card] = field(default_factory=list)
    subckts: Dict[str, Subckt] = field(default_factory=dict)


def _split(cards: Sequence[ast.Card]) -> _Definitions:
    defs = _Definitions()
    current: Optional[Subckt] = None
    for card in cards:
        if isinstance(card, ast.SubcktCard):
            if current is not None:
                raise NetlistError("nested .subckt definitions are not supported",
                                   card.span, "close the open .subckt with .ends first "
                                   f"(opened at line {current.card.span.line})")
            key = card.name.text.lower()
            if key in defs.subckts:
                first = defs.subckts[key].card.span
                raise NetlistError(f"subcircuit '{card.name.text}' is defined twice "
                                   f"{_first_definition(first, card.name.span)}",
                                   card.name.span, "one .subckt per name")
            current = Subckt(card)
            defs.subckts[key] = current
        elif isinstance(card, ast.EndsCard):
            if current is None:
                raise NetlistError(".ends without .subckt", card.span, CARD_FORMS[".subckt"])
            if card.name is not None and card.name.text.lower() != current.card.name.text.lower():
                raise NetlistError(f".ends {card.name.text} closes .subckt "
                                   f"{current.card.name.text}", card.name.span,
                                   f".ends {current.card.name.text}")
            current = None
        elif current is not None:
            if isinstance(card, (ast.OpCard, ast.SweepCard, ast.StepCard, ast.PrintCard,
                                 ast.OptionsCard, ast.TitleCard, ast.GlobalCard,
                                 ast.MeasureCard, ast.IcCard, ast.NodesetCard)
                                + timecards.CARDS):
                raise NetlistError(f"'{card.line.split()[0]}' is not allowed inside .subckt",
                                   card.span, "put analyses, .print, .measure, .options, "
                                   ".global and "
                                   ".title at top level")
            current.body.append(card)
        elif isinstance(card, ast.TitleCard):
            defs.title = card.text
        else:
            defs.top.append(card)
    if current is not None:
        raise NetlistError(f".subckt {current.card.name.text} has no .ends", current.card.span,
                           f".ends {current.card.name.text}")
    return defs


def _param_defs(cards: Sequence[ast.Card]) -> Dict[str, ast.Assign]:
    defs: Dict[str, ast.Assign] = {}
    for card in cards:
        if isinstance(card, ast.ParamCard):
            for a in card.assigns:
                key = a.key.text.lower()
                if key in defs:
                    first = defs[key].span
                    raise NetlistError(f"parameter '{a.key.text}' is defined twice "
                                       f"{_first_definition(first, a.key.span)}", a.key.span,
                                       "one .param per name")
                defs[key] = a
    return defs


# ---- the builder ---------------------------------------------------------------------------
@dataclass
class Binding:
    """How to evaluate again the card values of one element that name .params: ``run``
    assigns them (checked as on the card), ``element`` is its key, ``reads`` the
    ``(item, scope)`` values it evaluates (netlist/dependencies.py).  ``compile`` makes
    ``fast``, the same with the values computed by compiled functions (a sweep's points
    after the first; ``expressions.compile_stores``)."""

    run: Callable[[], None]
    element: str
    reads: Tuple[Tuple[Any, Any], ...]
    compile: Optional[Callable[[], Callable[[], None]]] = None
    fast: Optional[Callable[[], None]] = None


class _Builder:
    def __init__(self, defs: _Definitions, file: str, overrides: Dict[str, float]):
        self.defs = defs
        self.file = file
        self.scope = ParamScope(_param_defs(defs.top), {k.lower(): v for k, v in overrides.items()})
        self.elements: Dict[str, Element] = {}
        self.element_spans: Dict[str, Span] = {}
        self.instance_spans: Dict[str, Span] = {}     # subcircuit instances by full name
        self.node_kind: Dict[str, str] = {}
        self.node_display: Dict[str, str] = {}
        self.node_spans: Dict[str, Span] = {}
        self.globals = {w.text.lower() for c in defs.top if isinstance(c, ast.GlobalCard)
                        for w in c.nodes}
        # how to evaluate again every value that depends on .params (bind): one binding
        # per element, and the arguments of every subcircuit instance's scope
        self.bindings: List[Binding] = []
        self.instance_scopes: List[Tuple[ParamScope, List[Tuple[str, ast.Item, Scope, str]]]] = []
        self.element_cards: Dict[str, float] = {}   # ELEMENT.PARAM set by a rebind: card value
        # the last complete binding: (its overrides, none is an ELEMENT.PARAM, all names
        # in lower case, their names, the same as a tuple); None before the first rebind
        # and after a failed one (then everything is evaluated)
        self.bound: Optional[Tuple[Dict[str, float], bool, bool, Any, Tuple[str, ...]]] = None
        self._dependencies: Optional[Dependencies] = None
        self.bound_values: Dict[str, float] = {}    # the top-level .params' values
        self._moves: Dict[Tuple[str, ...], tuple] = {}  # _move by the names that moved
        self.analyses_stale = False     # a binding since the analyses' values were evaluated
                                        # reached them
        self.models = self._models(defs.top, self.scope)

    # models
    def _models(self, cards, scope, inherited=None) -> Dict[str, tuple]:
        """Model cards by name: (card, model type, values, how to evaluate again the values
        that depend on .params)."""
        models = dict(inherited or {})
        for card in cards:
            if not isinstance(card, ast.ModelCard):
                continue
            key = card.name.text.lower()
            if key in models and (inherited is None or key not in inherited):
                raise NetlistError(f"model '{card.name.text}' is defined twice "
                                   f"{_first_definition(models[key][0].name.span, card.name.span)}",
                                   card.name.span, "one .model per name")
            mtype = MODEL_TYPES.get(card.type.text.lower())
            if mtype is None:
                raise NetlistError(f"unknown model type '{card.type.text}'", card.type.span,
                                   "one of: " + ", ".join(t.form() for t in MODEL_TYPES.values()))
            if not mtype.supported:
                raise NetlistError(f"model type '{mtype.type_name}' is not supported yet",
                                   card.type.span, "a supported model type: " + ", ".join(
                                       t.type_name for t in MODEL_TYPES.values() if t.supported))
            specs = {p.name.lower(): p for p in mtype.params}
            values = {}
            evals = {}        # parameter name -> how to evaluate it again (rebind)
            for a in card.params:
                k = a.key.text.lower()
                if k not in specs:
                    raise NetlistError(f"model type {mtype.type_name} has no parameter "
                                       f"'{a.key.text}'", a.key.span, mtype.form())
                what = f"{card.name.text}.{specs[k].name}"
                values[specs[k].name] = self._value(a.value, scope, specs[k], what)
                if _varies(a.value, scope):
                    evals[specs[k].name] = (a.value, scope, specs[k], what)
            models[key] = (card, mtype, values, evals, self._table(card, mtype, scope))
        return models

    def _table(self, card: ast.ModelCard, mtype, scope) -> Tuple[float, ...]:
        """A model's table (positional values or a data file's numbers), each entry read in
        its column's dimension and checked there, then the model type's rules
        (``check_table``) located at the offending entry."""
        dims = mtype.table_dimensions
        form = mtype.form()
        if not card.table:
            if dims:
                raise NetlistError(f"model type {mtype.type_name} needs a table", card.type.span,
                                   form)
            return ()
        if not dims:
            raise NetlistError(f"model type {mtype.type_name} takes no table values",
                               card.table[0].span, form)
        if card.columns and card.columns != len(dims):
            raise NetlistError(f"the data file has {card.columns} columns, model type "
                               f"{mtype.type_name} takes {len(dims)}", card.table[0].span, form)
        if len(card.table) % len(dims):
            raise NetlistError(f"{len(card.table)} table values: model type "
                               f"{mtype.type_name} takes them in groups of {len(dims)}",
                               card.table[-1].span, form)
        values = []
        for i, item in enumerate(card.table):
            what = f"{card.name.text} table entry {i + 1}"
            if _varies(item, scope):
                raise NetlistError(f"{what}: a table takes numbers (or expressions of "
                                   "numbers), not .params", item.span, form)
            spec = ParamSpec("entry", dims[i % len(dims)])
            values.append(checked(spec, value_of(item, scope, spec.dimension, what), what,
                                  item.span))
        problem = mtype.check_table(tuple(values))
        if problem:
            index, message = problem
            raise NetlistError(f"{card.name.text}: {message}", card.table[index].span, form)
        return tuple(values)

    def _value(self, item, scope, spec, what):
        if spec.choices:
            if not isinstance(item, ast.Word) or item.text.lower() not in spec.choices:
                raise NetlistError(f"{what} must be one of {'|'.join(spec.choices)}",
                                   item.span, spec.describe())
            return item.text.lower()
        return checked(spec, value_of(item, scope, spec.dimension, what), what, item.span)

    # nodes
    def _node(self, item, kind: str, ctx) -> str:
        if not isinstance(item, (ast.Word, ast.Num)):
            raise NetlistError("expected a node name", item.span, "")
        low = item.text.lower()
        if low in ctx["ports"]:
            key = ctx["ports"][low]
        elif low in self.globals or not ctx["prefix"]:
            key = low
        else:
            key = ctx["prefix"] + low
        known = self.node_kind.get(key)
        if known is not None and known != kind and low not in ctx["ports"] and key != GROUND:
            # thermal and electrical names live in separate namespaces (netlist-language
            # v2's SQUID valve: electrical d beside thermal D): the kind met second is kept
            # under its own key
            key = _kind_key(key, kind)
        if key in self.node_display:        # spelled first in an X card's node list
            display = self.node_display[key]
        else:
            display = ctx["dprefix"] + item.text \
                if low not in self.globals and low not in ctx["ports"] else item.text
        known = self.node_kind.get(key)
        if known is None:
            if len(self.node_kind) >= MAX_NODES:
                raise NetlistError(f"more than {MAX_NODES} nodes (after subcircuit expansion)",
                                   item.span, "a smaller circuit (docs/language.md, Limits)")
            self.node_kind[key] = kind
            self.node_display[key] = display
            # where it was named first: an instance card's node list (a port), else here
            self.node_spans.setdefault(key, item.span.within(ctx["context"]))
        elif known != kind:
            first = self.node_spans[key]
            raise NetlistError(
                f"'{item.text}' is used as {_article(kind)} node here but as "
                f"{_article(known)} node at {first.file}:{first.line}:{first.column}", item.span,
                "a subcircuit port (and the ground 0) is one kind of node: another name "
                "for the other kind")
        return key

    def node_key(self, name: str, kind: str) -> Optional[str]:
        """The key of the node ``name`` (as written at the top level) of ``kind``, or None."""
        key = name.lower()
        for k in (key, _kind_key(key, kind)):
            if self.node_kind.get(k) == kind:
                return k
        return None

    # elements
    def instantiate(self, cards, ctx, stack=()):
        models = ctx["models"]
        for card in cards:
            if not isinstance(card, ast.ElementCard):
                continue
            letter = card.name.text[0].upper()
            if letter == "X":
                self._instance(card, ctx, stack)
                continue
            kind = ELEMENT_KINDS.get(letter)
            if kind is None:
                raise NetlistError(f"unknown element kind '{card.name.text[0]}' in "
                                   f"'{card.name.text}'", card.name.span,
                                   "an element name starting with one of " +
                                   " ".join(sorted(list(ELEMENT_KINDS) + ["X"])))
            if not kind.supported:
                raise NetlistError(f"{kind.title} elements ('{letter}') are not supported yet",
                                   card.name.span, kind.form)
            self._add(self._bind(card, kind, ctx, models), card)

    def _add(self, element: Element, card):
        key = element.name.lower()
        if len(self.elements) >= MAX_ELEMENTS:
            raise NetlistError(f"more than {MAX_ELEMENTS} elements (after subcircuit "
                               "expansion)", card.name.span,
                               "a smaller circuit (docs/language.md, Limits)")
        if key in self.elements:
            first = self.element_spans[key]
            raise NetlistError(f"element name '{element.name}' is used twice (first at "
                               f"{first.file}:{first.line})", card.name.span,
                               "a unique name for every element")
        self.elements[key] = element
        self.element_spans[key] = element.span

    def _bind(self, card: ast.ElementCard, kind, ctx, models) -> Element:
        name = ctx["dprefix"] + card.name.text
        form = kind.form
        positional = [it for it in card.items if not isinstance(it, ast.Assign)]
        assigns = [it for it in card.items if isinstance(it, ast.Assign)]
        nn = len(kind.nodes_spec)
        if len(positional) < nn:
            raise NetlistError(f"{card.name.text} needs {nn} node(s) "
                               f"({' '.join(s.label for s in kind.nodes_spec)}), got "
                               f"{len(positional)}", card.name.span, form)
        nodes = tuple(self._node(it, slot.kind, ctx)
                      for it, slot in zip(positional[:nn], kind.nodes_spec))
        rest = positional[nn:]
        value, model, model_entry, waveform = None, None, None, None
        deferred: List[Tuple[str, str, tuple]] = []   # values that depend on .params
        wants = (1 if (kind.value_spec or kind.model_types) else 0)
        if len(rest) != wants:
            where = rest[wants].span if len(rest) > wants else card.name.span
            what = ("unexpected '" + _text(rest[wants]) + "'") if len(rest) > wants else \
                ("missing the value" if kind.value_spec else "missing the model name")
            raise NetlistError(f"{card.name.text}: {what}", where, form)
        if wants:
            item = rest[0]
            is_model = bool(kind.model_types) and isinstance(item, ast.Word) and (
                not kind.model_optional or item.text.lower() in models)
            if not is_model and not kind.value_spec:
                raise NetlistError(f"{card.name.text}: expected the name of a model, got "
                                   f"'{_text(item)}'", item.span, form)
            if is_model:
                assert isinstance(item, ast.Word)
                model_entry = models.get(item.text.lower())
                if model_entry is None:
                    raise NetlistError(f"unknown model '{item.text}'", item.span,
                                       f".model {item.text} " + " or ".join(
                                           MODEL_TYPES[t].form() if t in MODEL_TYPES
                                           else f"{t}(...)" for t in kind.model_types))
                mcard, mtype = model_entry[:2]
                if mtype.type_name not in kind.model_types:
                    raise NetlistError(f"model '{item.text}' is of type {mtype.type_name}, "
                                       f"but {card.name.text} needs "
                                       + " or ".join(kind.model_types), item.span, form)
            elif isinstance(item, ast.Call) and kind.takes_waveform:
                waveform = self._waveform(item, ctx["scope"], kind, card)
                value = checked(kind.value_param(), waveform.value(0.0),
                                f"{card.name.text} value at t = 0", item.span)
            else:
                what = f"{card.name.text} value"
                value = self._value(item, ctx["scope"], kind.value_spec, what)
                if _varies(item, ctx["scope"]):
                    deferred.append(("value", "", (item, ctx["scope"], kind.value_spec, what)))
        kw_specs = {p.name.lower(): p for p in kind.keywords}
        model_specs = {p.name.lower(): p for p in model_entry[1].params} if model_entry else {}
        params: Dict[str, float] = {}
        node_params: Dict[str, str] = {}
        overrides: Dict[str, float] = {}
        override_spans: Dict[str, Span] = {}
        for a in assigns:
            k = a.key.text.lower()
            if k in params or k in node_params or k in overrides:
                raise NetlistError(f"'{a.key.text}' is given twice", a.key.span, form)
            if k in kind.node_keywords:
                nkind, _ = kind.node_keywords[k]
                node_params[k] = self._node(a.value, nkind, ctx)
            elif k in kw_specs:
                what = f"{card.name.text} {kw_specs[k].name}"
                params[kw_specs[k].name] = self._value(a.value, ctx["scope"], kw_specs[k], what)
                if _varies(a.value, ctx["scope"]):
                    deferred.append(("params", kw_specs[k].name,
                                     (a.value, ctx["scope"], kw_specs[k], what)))
            elif k in model_specs:
                spec = model_specs[k]
                what = f"{card.name.text} {spec.name}"
                overrides[spec.name] = self._value(a.value, ctx["scope"], spec, what)
                override_spans[spec.name] = a.key.span
                if _varies(a.value, ctx["scope"]):
                    deferred.append(("model", spec.name, (a.value, ctx["scope"], spec, what)))
            else:
                valid = list(kind.node_keywords) + [p.name for p in kind.keywords] + \
                    [p.name for p in model_specs.values()]
                raise NetlistError(f"{card.name.text} has no parameter '{a.key.text}'",
                                   a.key.span, form + ("   (parameters: " + ", ".join(valid)
                                                       + ")" if valid else ""))
        for k, (_, required) in kind.node_keywords.items():
            if required and k not in node_params:
                raise NetlistError(f"{card.name.text} needs {k}=NODE (the thermal node whose "
                                   "temperature it has)", card.name.span, form)
        for spec in kind.keywords:
            if spec.name not in params:
                if spec.default is None:
                    raise NetlistError(f"{card.name.text} needs {spec.name}=VALUE",
                                       card.name.span, form + f"   ({spec.describe()})")
                params[spec.name] = spec.default
        check_model = None
        if model_entry:
            mcard, mtype, mvalues, mevals, mtable = model_entry
            values = {p.name: p.default for p in mtype.params if p.default is not None}
            values.update(mvalues)
            values.update(overrides)
            missing = [p.name for p in mtype.params if p.name not in values]
            if missing:
                raise NetlistError(f"{card.name.text}: model '{mcard.name.text}' lacks "
                                   f"{', '.join(missing)}", card.name.span,
                                   f"{mtype.form()} on the .model card or as KEY=VALUE here")
            deferred += [("model", k, ev) for k, ev in mevals.items() if k not in overrides]

            def check_model(values, card=card, mcard=mcard, mtype=mtype,
                            model_specs=model_specs, override_spans=override_spans):
                self._check_model(card, mcard, mtype, values, model_specs, override_spans)
            check_model(values)
            model = mtype(mcard.name.text, values, mtable)
        try:
            element = kind(name, nodes, value, model, params, node_params,
                           card.name.span.within(ctx["context"]))
        except ValueError as exc:
            raise NetlistError(f"{card.name.text}: {exc}", card.name.span, form) from None
        if waveform is not None:
            element.waveform = waveform
            wf_item = rest[0]
            if _varies(wf_item, ctx["scope"]):
                def rebind_waveform(element=element, item=wf_item, scope=ctx["scope"]):
                    element.waveform = self._waveform(item, scope, kind, card)
                    element.value = checked(kind.value_param(), element.waveform.value(0.0),
                                            f"{card.name.text} value at t = 0", item.span)
                self.bindings.append(Binding(_in_context(rebind_waveform, ctx["context"]),
                                             name.lower(), ((wf_item, ctx["scope"]),)))
        if deferred:
            self.bindings.append(Binding(
                _in_context(lambda: self._rebind_element(element, deferred, check_model, card,
                                                         form), ctx["context"]),
                name.lower(), tuple((item, scope) for _, _, (item, scope, _, _) in deferred),
                lambda: _in_context(self._compiled_binding(element, deferred, check_model,
                                                           card, form), ctx["context"])))
        return element

    def _waveform(self, call: ast.Call, scope, kind, card):
        """PULSE(...), SIN(...) or PWL(...) of a source (model/waveforms.py), its values read
        in the source's dimension (levels), seconds and hertz."""
        name = call.name.text.upper()
        if name not in waveforms.FORMS:
            raise NetlistError(f"{card.name.text}: unknown time function '{call.name.text}'",
                               call.name.span, waveforms.USAGE)
        level = kind.value_param().dimension
        fields = waveforms.FORMS[name][1]
        values = []
        for k, arg in enumerate(call.args):
            if name == "PWL":
                dim = "time" if k % 2 == 0 else level
            else:
                field_kind = fields[k][1] if k < len(fields) else "value"
                dim = {"value": level, "time": "time", "frequency": "frequency",
                       "rate": None}[field_kind]
            values.append(value_of(arg, scope, dim, f"{card.name.text} {name} value {k + 1}"))
        try:
            wf = waveforms.build(name, values)
        except ValueError as exc:
            raise NetlistError(f"{card.name.text}: {exc}", call.span, waveforms.USAGE) from None
        for v in wf.extremes():                 # every value it takes must be valid
            checked(kind.value_param(), v, f"{card.name.text} {name} value", call.span)
        return wf

    def _check_model(self, card, mcard, mtype, values, model_specs, override_spans) -> None:
        """The model type's cross-parameter rules (``check_values``), located at the
        parameters involved."""
        check = getattr(mtype, "check_values", None)
        problem = check(values) if check else None
        if problem:
            keys, message = problem
            keys = (keys,) if isinstance(keys, str) else tuple(keys)
            card_spans = {model_specs[a.key.text.lower()].name: a.key.span
                          for a in mcard.params if a.key.text.lower() in model_specs}
            where = [override_spans[k] for k in keys if k in override_spans] + \
                [card_spans[k] for k in keys if k in card_spans] + [card.name.span]
            raise NetlistError(f"{card.name.text} (model '{mcard.name.text}'): {message}",
                               where[0], mtype.form())

    def _rebind_element(self, element: Element, deferred, check_model, card, form) -> None:
        """Evaluate again the values of ``element`` that depend on .params (the scopes hold
        the new values) and check them as a card's."""
        for where, key, (item, scope, spec, what) in deferred:
            self._assign(element, where, key, self._value(item, scope, spec, what))
        _check_bound(element, check_model, card, form)

    def _compiled_binding(self, element: Element, deferred, check_model, card, form
                          ) -> Callable[[], None]:
        """``_rebind_element`` as one compiled function (``compile_stores``): each value
        computed as its compiled expression computes it and checked against its
        declaration's interval (``ParamSpec.interval``: one comparison); a value that
        cannot be computed so (a parameter not evaluated yet, an arithmetic error) or that
        its declaration refuses is evaluated as on the card, which raises the located
        error.  The model's rules run again only if a model parameter is bound here, the
        element's own check only if it reads a value bound here (``Element.check_needed``).
        """
        def where(name: str, scope) -> Optional[Dict[str, Amount]]:
            while scope is not None:
                if name in scope.defs:
                    return scope.values
                scope = scope.parent
            return None

        def fallback(place, key, item, scope, spec, what):
            return lambda: self._assign(element, place, key, self._value(item, scope, spec,
                                                                         what))
        stores = []
        for place, key, (item, scope, spec, what) in deferred:
            holder, attribute, at = _place(element, place, key)
            stores.append(Store(item, partial(where, scope=scope), spec.interval(), holder,
                                attribute, at, fallback(place, key, item, scope, spec, what)))
        rules = check_model if any(place == "model" for place, _, _ in deferred) else None
        checks = rules is not None or type(element).check_needed(
            {key or place for place, key, _ in deferred})
        run = compile_stores(stores, partial(_check_bound, element, rules, card, form)
                             if checks else None)
        return run or (lambda: self._rebind_element(element, deferred, check_model, card,
                                                    form))

    def _instance(self, card: ast.ElementCard, ctx, stack):
        form = "XNAME NODE... SUBCKT [KEY=VALUE ...]"
        positional = [it for it in card.items if not isinstance(it, ast.Assign)]
        assigns = [it for it in card.items if isinstance(it, ast.Assign)]
        if not positional or not isinstance(positional[-1], ast.Word):
            raise NetlistError(f"{card.name.text}: missing the subcircuit name", card.name.span,
                               form)
        key = ctx["prefix"] + card.name.text.lower()
        if key in self.instance_spans:
            first = self.instance_spans[key]
            raise NetlistError(f"subcircuit instance name '{card.name.text}' is used twice "
                               f"(first at {first.file}:{first.line})", card.name.span,
                               "a unique name for every element and instance")
        self.instance_spans[key] = card.name.span
        sub_name = positional[-1]
        sub = self.defs.subckts.get(sub_name.text.lower())
        if sub is None:
            raise NetlistError(f"unknown subcircuit '{sub_name.text}'", sub_name.span,
                               ".subckt " + sub_name.text + " PORT... / .ends before use")
        if sub_name.text.lower() in stack:
            raise NetlistError(f"recursive subcircuit: {' -> '.join(stack + (sub_name.text,))}",
                               sub_name.span, "a subcircuit may not instantiate itself")
        if len(stack) >= MAX_SUBCKT_DEPTH:
            raise NetlistError(f"subcircuit instances nested more than {MAX_SUBCKT_DEPTH} deep",
                               sub_name.span, "fewer levels of subcircuits")
        ports = sub.card.ports
        outer = positional[:-1]
        if len(outer) != len(ports):
            raise NetlistError(
                f"{card.name.text}: subcircuit '{sub.card.name.text}' has {len(ports)} port(s) "
                f"({' '.join(p.text for p in ports)}), got {len(outer)} node(s)",
                card.name.span, f"{card.name.text} {' '.join(p.text for p in ports)} "
                f"{sub.card.name.text}")
        # The kind of a port node is fixed by its use inside; resolve outer names lazily by
        # recording the outer key without a kind here.
        port_map = {}
        for p, o in zip(ports, outer):
            if not isinstance(o, (ast.Word, ast.Num)):
                raise NetlistError("expected a node name", o.span, form)
            low = o.text.lower()
            if low in ctx["ports"]:
                key = ctx["ports"][low]
            elif low in self.globals or not ctx["prefix"]:
                key = low
            else:
                key = ctx["prefix"] + low
            if key not in self.node_display:
                self.node_display[key] = (ctx["dprefix"] + o.text) if key.startswith(
                    ctx["prefix"]) and ctx["prefix"] else o.text
                self.node_spans[key] = o.span
            port_map[p.text.lower()] = key
        # parameters: defaults of the definition, overridden by the instance (caller's scope)
        defaults = {a.key.text.lower(): a for a in sub.card.params}
        inst_values: Dict[str, Amount] = {}
        args: List[Tuple[str, ast.Item, Scope, str]] = []   # to evaluate again (rebind)
        for a in assigns:
            k = a.key.text.lower()
            if k not in defaults:
                raise NetlistError(f"subcircuit '{sub.card.name.text}' has no parameter "
                                   f"'{a.key.text}'", a.key.span,
                                   f".subckt {sub.card.name.text} ... params: " +
                                   " ".join(f"{d.key.text}=..." for d in sub.card.params))
            what = f"{card.name.text} argument {a.key.text}"
            inst_values[k] = amount_of(a.value, ctx["scope"], what).named(what, a.value.span)
            args.append((k, a.value, ctx["scope"], what))
        local_defs = dict(defaults)
        local_defs.update(_param_defs(sub.body))
        scope = ParamScope(local_defs, inst_values, parent=self.scope)
        self.instance_scopes.append((scope, args))
        prefix = ctx["prefix"] + card.name.text.lower() + "."
        context = ctx["context"] + (card.name.span,)
        try:
            sub_ctx = {"prefix": prefix, "dprefix": ctx["dprefix"] + card.name.text + ".",
                       "ports": port_map, "scope": scope, "context": context,
                       "models": self._models(sub.body, scope, inherited=ctx["models"])}
            self.instantiate(sub.body, sub_ctx, stack + (sub.card.name.text.lower(),))
        except NetlistError as exc:
            # a place in the body: name the instance(s) it was reached through
            here = exc.span is not None and (exc.span.file, exc.span.line) == (
                card.name.span.file, card.name.span.line)
            raise (exc if here else exc.within(context)) from None

    # element parameters as targets: ELEMENT.PARAM (X1.ES.vol, RS1.value, XS.STI.tc)
    def _element_parameter_spec(self, name: str, span: Optional[Span]):
        """(element, where, parameter name, ParamSpec) of ``ELEMENT.PARAM``: where is "value"
        (the positional value), "params" (an element keyword) or "model" (a model
        parameter of that element's model)."""
        head, _, param = name.rpartition(".")
        e = self.elements.get(head.lower())
        form = "ELEMENT.PARAM, e.g. X1.ES.vol, R1.value or XS.STI.tc"
        if e is None:
            raise NetlistError(f"'{name}' is neither a temperature source, a heater, a .param "
                               f"nor a parameter of an element (no element '{head}'"
                               f"{did_you_mean(head, [x.name for x in self.elements.values()])})",
                               span, form)
        kind = type(e)
        if param.lower() == "value" and kind.value_spec is not None:
            return e, "value", "value", kind.value_spec
        for spec in kind.keywords:
            if spec.name.lower() == param.lower():
                return e, "params", spec.name, spec
        for spec in (e.model.params if e.model is not None else ()):
            if spec.name.lower() == param.lower() and not spec.choices:
                return e, "model", spec.name, spec
        known = (["value"] if kind.value_spec else []) + [p.name for p in kind.keywords] + \
            [p.name for p in (e.model.params if e.model is not None else ()) if not p.choices]
        raise NetlistError(f"{e.name} has no numeric parameter '{param}'"
                           f"{did_you_mean(param, known)}", span,
                           f"{e.name}.PARAM with PARAM one of " + ", ".join(known))

    def element_parameter(self, name: str, span: Optional[Span]) -> Target:
        """The Target of ``ELEMENT.PARAM`` (a .sweep, .step, D() or set() of it): bound like a
        .param (its key has a dot, which no .param name has)."""
        e, _, param, spec = self._element_parameter_spec(name, span)
        return Target("param", f"{e.name.lower()}.{param.lower()}", f"{e.name}.{param}",
                      spec.dimension)

    def element_parameter_value(self, key: str) -> float:
        """The current value of ``ELEMENT.PARAM`` (its card's, or the one bound last)."""
        e, where, param, _ = self._element_parameter_spec(key, None)
        value = e.value if where == "value" else \
            (e.params if where == "params" else e.model.values)[param]
        return float(value)

    def set_element_parameter(self, key: str, value: float) -> None:
        """Give ``ELEMENT.PARAM`` the value (checked as on its card); the card's value is
        kept for restore_element_parameters."""
        e, where, param, spec = self._element_parameter_spec(key, None)
        checked(spec, value, f"{e.name}.{param}", e.span)
        current = e.value if where == "value" else \
            (e.params if where == "params" else e.model.values)[param]
        self.element_cards.setdefault(key, current)
        self._assign(e, where, param, value)
        try:
            e.check()
        except ValueError as exc:
            raise NetlistError(f"{e.name}: {exc}", e.span, type(e).form) from None

    def restore_element_parameters(self) -> None:
        """Every element parameter set by set_element_parameter back to its card's value
        (a value that depends on .params is then evaluated again by its binding)."""
        for key, value in self.element_cards.items():
            e, where, param, _ = self._element_parameter_spec(key, None)
            self._assign(e, where, param, value)
        self.element_cards.clear()

    # binding: the values at other .params (FlatCircuit.rebind)
    def dependencies(self) -> Dependencies:
        """The dependency graph of the scopes, bindings and options (built at the first
        rebind, once per elaborated netlist)."""
        if self._dependencies is None:
            self._dependencies = Dependencies(
                self.scope, self.instance_scopes, [(b.element, b.reads) for b in self.bindings],
                [(a.value, self.scope) for c in self.defs.top if isinstance(c, ast.OptionsCard)
                 for a in c.assigns],
                [c for c in self.defs.top
                 if isinstance(c, (ast.SweepCard, ast.StepCard) + timecards.CARDS)])
        return self._dependencies

    def bind(self, overrides: Mapping[str, float]) -> Tuple[Optional[AbstractSet[str]], bool]:
        """Bind to the values ``overrides``: .params by name (the others at their
        definitions) and element parameters ``ELEMENT.PARAM``.  Only what the .params whose
        values differ from the last binding's reach is evaluated again (a name set last
        time and not now gets its definition back); element parameters set last time are
        restored first.  Returns the keys of the elements whose values may have changed
        (None: any) and whether the options must be evaluated again; ``bound_values``
        then holds the top-level .params' values."""
        deps = self._dependencies or self.dependencies()
        last, self.bound = self.bound, None     # until this binding is complete
        if last is not None and last[1] and overrides.keys() == last[3]:
            # the same .param names as last time and no ELEMENT.PARAM: values moved
            before = last[0]
            moved: Tuple[str, ...] = ()
            for k in last[4]:
                v = overrides[k]
                if v != before[k]:
                    if not v - v == 0.0:          # not finite: the located error
                        _check_overrides(self, overrides)
                    moved += (k,)
            try:            # the plans by the names as given (no lower-casing per point)
                plan, direct, runs = self._moves[moved]
            except KeyError:
                if len(self._moves) >= MAX_PLANS:
                    self._moves.clear()
                plan, direct, runs = self._moves[moved] = self._move(deps, moved)
            if direct is None or self.element_cards:
                touched = self._apply(deps, plan, overrides if last[2] else
                                      {k.lower(): v for k, v in overrides.items()}, {})
            else:       # only the moved names' values and the elements reading them change
                top, values = self.scope, dict(self.bound_values)
                # each k evaluated before (after a complete binding every top-level .param is)
                for given, k in direct:
                    values[k] = top.set_evaluated(k, overrides[given]).value
                self.bound_values = values
                for run in runs:
                    run()
                touched = plan.elements
            for k in moved:
                before[k] = overrides[k]
            self.bound = last
            self.analyses_stale = self.analyses_stale or plan.analyses
            return touched, plan.options
        _check_overrides(self, overrides)
        params = {k.lower(): v for k, v in overrides.items() if "." not in k}
        settings = {k.lower(): v for k, v in overrides.items() if "." in k}
        if last is None:
            self._bind_all(params, settings)
            self.analyses_stale = True
            result: Tuple[Optional[AbstractSet[str]], bool] = (None, bool(deps.options))
        else:
            before = {k.lower(): v for k, v in last[0].items() if "." not in k}
            plan = deps.plan(frozenset(k for k in params.keys() | before.keys()
                                       if params.get(k) != before.get(k)))
            result = (self._apply(deps, plan, params, settings), plan.options)
            self.analyses_stale = self.analyses_stale or plan.analyses
        copy = dict(overrides)
        self.bound = (copy, not settings, all(k == k.lower() for k in overrides), copy.keys(),
                      tuple(copy))
        return result

    def _move(self, deps: Dependencies, moved: Tuple[str, ...]):
        """What a binding does when the .params ``moved`` (names as given) took new values
        and the others kept theirs: ``(plan, direct, runs)``.  ``direct``: ``(name as
        given, key)`` of each, if nothing but their own values and the element bindings
        ``runs`` (compiled) are to evaluate: no definition, subcircuit argument or other
        .param reads them (a point of a .param sweep); else None (``_apply``)."""
        plan = deps.plan(frozenset(k.lower() for k in moved))
        if plan.forget or plan.arguments or plan.top or len(plan.direct) < len(moved):
            return plan, None, ()
        return plan, tuple((k, k.lower()) for k in moved), \
            tuple(self._fast(i) for i in plan.bindings)

    def _fast(self, i: int) -> Callable[[], None]:
        """Binding ``i``'s compiled form (made at its first incremental run)."""
        binding = self.bindings[i]
        if binding.fast is None:
            binding.fast = binding.compile() if binding.compile else binding.run
        return binding.fast

    def _apply(self, deps: Dependencies, plan: Plan, params: Mapping[str, float],
               settings: Dict[str, float]) -> AbstractSet[str]:
        """Evaluate again what ``plan`` names, at the .param values ``params`` (lower-case
        names; the others at their definitions) and element parameters ``settings``;
        the keys of the elements whose values it changed."""
        touched: AbstractSet[str] = plan.elements
        if self.element_cards or settings:
            touched = set(touched) | {k.rpartition(".")[0]
                                      for k in list(self.element_cards) + list(settings)}
            self.restore_element_parameters()
        top = self.scope
        for entry, definition in plan.forget:
            deps.scopes[entry[0]].forget(entry[1], definition)
        for k in plan.changed:
            if k in plan.direct:             # a new value, its definition unchanged
                top.override(k, params[k] if k in params else None)
            elif k in params:
                top.overrides[k] = Amount(float(params[k]))
            else:
                top.overrides.pop(k, None)
        for i, j in plan.arguments:          # outer instances before inner ones
            scope, args = self.instance_scopes[i]
            k, item, caller, what = args[j]
            scope.overrides[k] = amount_of(item, caller, what).named(what, item.span)
        values = dict(self.bound_values)
        for k in plan.direct:
            values[k] = top.values[k].value
        for k in plan.top:
            values[k] = top.lookup(k, top.defs[k].span).value
        self.bound_values = values
        for i in plan.bindings:
            self._fast(i)()
        if settings:
            for key, v in settings.items():
                self.set_element_parameter(key, v)
        return touched

    def _bind_all(self, params: Dict[str, float], settings: Dict[str, float]
                  ) -> Dict[str, float]:
        """Every scope, binding and element parameter evaluated anew (the first rebind,
        or the one after a failed one)."""
        self.restore_element_parameters()
        self.scope.reset(params)
        for scope, args in self.instance_scopes:    # outer instances before inner ones
            scope.reset({k: amount_of(item, caller, what).named(what, item.span)
                         for k, item, caller, what in args})
        values = self.scope.evaluate_all()
        for binding in self.bindings:
            binding.run()
        for key, v in settings.items():
            self.set_element_parameter(key, v)
        self.bound_values = values
        return values

    @staticmethod
    def _assign(e: Element, where: str, param: str, value: float) -> None:
        """Set an element's positional value ("value"), keyword ("params") or model
        parameter ("model")."""
        holder, attribute, key = _place(e, where, param)
        if key is None:
            setattr(holder, attribute, value)
        else:
            getattr(holder, attribute)[key] = value

    # analyses and prints
    def targets(self) -> Dict[str, Union[Target, str]]:
        """Every temperature source, heater and top-level .param by key: its Target, or why
        the name is ambiguous."""
        out: Dict[str, Union[Target, str]] = {}
        for key, el in self.elements.items():
            if el.letter in ("T", "P"):
                out[key] = Target("source", key, el.name, type(el).value_param().dimension)
            elif el.letter in ("V", "I"):      # a bias source by name: its value (SPICE .dc)
                t = self.element_parameter(f"{el.name}.value", None)
                out[key] = Target(t.kind, t.key, el.name, t.dimension)
        dims = self.scope.dimensions()
        for key, d in self.scope.defs.items():
            if key in out:
                out[key] = f"'{d.key.text}' names both the {self.elements[key].title} " \
                    f"{self.elements[key].name} and a .param"
            else:
                out[key] = Target("param", key, d.key.text, dims.get(key))
        return out

    def target(self, word: Union[ast.Word, ast.Num], targets) -> Target:
        found = targets.get(word.text.lower())
        if isinstance(found, Target):
            return found
        if not found and "." in word.text:
            return self.element_parameter(word.text, word.span)
        if found:
            raise NetlistError(found, word.span, "rename the .param or the element")
        names = [t.name for t in targets.values() if isinstance(t, Target)]
        raise NetlistError(f"'{word.text}' is neither a temperature source, a heater nor a "
                           f".param{did_you_mean(word.text, names)}", word.span,
                           "the name of a T or P element or of a .param")

    def sweep(self, spec: ast.SweepSpec, span: Span, card: str, targets) -> Sweep:
        target = self.target(spec.name, targets)
        what = f"{card} {target.name} value"
        vals = [self.target_value(target, v, what) for v in spec.values]
        if spec.mode == "list":
            values = np.array(vals, dtype=float)
        else:
            assert spec.count is not None          # the parser requires N here
            n = value_of(spec.count, self.scope, "count", f"{card} N")
            if n < 1 or n != int(n) or n > 1e6:
                raise NetlistError(f"the number of points must be a whole number from 1 to "
                                   f"1e6, got {spec.count.text}", spec.count.span,
                                   CARD_FORMS[card])
            start, stop = vals
            if spec.mode == "log":
                if not (start > 0 and stop > 0):
                    raise NetlistError("a log sweep needs positive START and STOP",
                                       spec.values[0].span, CARD_FORMS[card])
                values = np.geomspace(start, stop, int(n))
            else:
                values = np.linspace(start, stop, int(n))
        return Sweep(target, values, spec.mode, span, spec.trace)

    def target_value(self, target: Target, item, what: str) -> float:
        """A value for ``target`` read in its dimension; a source's value checked by its
        ParamSpec (a .param's values are checked where they reach an element)."""
        value = value_of(item, self.scope, target.dimension, what)
        if target.kind == "source":
            checked(type(self.elements[target.key]).value_param(), value, what, item.span)
        return value

    def quantity(self, call: ast.Call) -> Quantity:
        func = call.name.text.upper()
        if func not in QUANTITIES:
            raise NetlistError(f"unknown quantity '{call.name.text}'"
                               f"{did_you_mean(func, list(QUANTITIES))}", call.name.span,
                               help_text())
        qkind = QUANTITIES[func]
        form, kinds = qkind.form, qkind.args
        if not len(kinds) - qkind.optional <= len(call.args) <= len(kinds):
            count = f"{len(kinds) - qkind.optional} or {len(kinds)}" if qkind.optional \
                else f"{len(kinds)}"
            raise NetlistError(f"{func} takes {count} argument(s), got {len(call.args)}",
                               call.span, form)
        args: List[Any] = []
        shown: List[str] = []
        for item, kind in zip(call.args, kinds):
            if kind == "quantity":
                if not isinstance(item, ast.Call):
                    raise NetlistError("expected a quantity such as T(NODE)", item.span, form)
                q = self.quantity(item)
                args.append(q)
                shown.append(q.column)
                continue
            if not isinstance(item, (ast.Word, ast.Num)):
                raise NetlistError("expected a name", item.span, form)
            key = item.text.lower()
            if kind in ("thermal", "electrical"):
                found = self.node_key(item.text, kind)
                if found is None:
                    raise NetlistError(f"'{item.text}' is not {_article(kind)} node", item.span,
                                       form)
                key = found
                shown.append(self.node_display[key])
            elif kind == "element":
                if key not in self.elements:
                    raise NetlistError(f"no element named '{item.text}'", item.span, form)
                el = self.elements[key]
                has = getattr(el, "print_quantities", None)
                if qkind.element_method and func not in (has or ()):
                    what = f"{el.name} is {_article(el.title)}" if has is None else \
                        f"{el.name}'s model '{el.model.name}' ({el.model.type_name}) does " \
                        "not give it"
                    raise NetlistError(f"{func}({el.name}): {what}", item.span,
                                       f"{form}: {qkind.doc}")
                shown.append(el.name)
            else:  # name of a source or parameter for D()
                t = self.target(item, self.targets())
                args.append(t)
                shown.append(t.name)
                continue
            args.append(key)
        column = f"{func}({','.join(shown)})" if kinds else func
        return Quantity(func, tuple(args), column, call.span)


def _varies(item, scope: Scope) -> bool:
    """Whether a card value can change with the .param values: a parameter's name, or an
    expression naming one (a number, or an expression of numbers and constants, cannot)."""
    if isinstance(item, ast.Num):
        return False
    if isinstance(item, ast.ExprValue):
        return _names_parameter(item.expr, scope)
    return True


def _names_parameter(expr, scope: Scope) -> bool:
    if isinstance(expr, ast.EVar):
        return scope.has(expr.name.lower()) or expr.name.lower() not in CONSTANTS
    if isinstance(expr, ast.EBin):
        return _names_parameter(expr.left, scope) or _names_parameter(expr.right, scope)
    if isinstance(expr, ast.ENeg):
        return _names_parameter(expr.operand, scope)
    if isinstance(expr, ast.EFunc):
        return any(_names_parameter(a, scope) for a in expr.args)
    return False


def _text(item) -> str:
    return getattr(item, "text", "?")


def _options(cards, scope) -> Dict[str, float]:
    opts = {k: o.default for k, o in OPTIONS.items()}
    spans: Dict[str, Span] = {}
    for card in cards:
        if isinstance(card, ast.OptionsCard):
            for a in card.assigns:
                k = a.key.text.lower()
                if k not in OPTIONS:
                    raise NetlistError(f"unknown option '{a.key.text}'"
                                       f"{did_you_mean(a.key.text, list(OPTIONS))}", a.key.span,
                                       option_form())
                value = value_of(a.value, scope, OPTIONS[k].dimension, f"option {k}")
                problem = OPTIONS[k].check(value)
                if problem:
                    raise NetlistError(f"option {k} {problem}", a.value.span,
                                       f"{k}: {OPTIONS[k].doc}")
                opts[k], spans[k] = value, a.value.span
    problem = window_problem(opts)
    if problem:
        raise NetlistError(problem, spans.get("taufmin", spans.get("taufmax")),
                           "0 <= taufmin < taufmax (Hz)")
    return opts


GROUND = "0"          # the electrical ground of every network (model/bias.py)


def _kind_key(key: str, kind: str) -> str:
    """The key of a node of ``kind`` whose name is already a node of the other kind."""
    return f"{key}@{kind}"


def _check_temp_nodes(b: "_Builder") -> None:
    """A thermal node that only ``temp=`` (or ``ts=``) names, and that no temperature source,
    heater or thermal element connects, is a typo: it would be a new island, heated only by
    photons.  The error points at its first use and names the closest known node."""
    anchored = {n for e in b.elements.values() if not isinstance(e, ImpedanceElement)
                for n in e.nodes}
    known = [b.node_display[n] for n in anchored]
    for key, kind in b.node_kind.items():
        if kind == "thermal" and key not in anchored:
            name = b.node_display[key]
            raise NetlistError(
                f"thermal node '{name}' is only named by temp=/ts=; no temperature source, "
                f"heater or thermal element connects it{did_you_mean(name, known)}",
                b.node_spans[key], "temp=NODE of a thermal node that a T, P, E, G or W "
                "element connects (known: " + ", ".join(sorted(known)) + ")")


def _check_size(steps: List[Sweep], analyses: List[Any]) -> None:
    """Refuse runs too large to finish (docs/language.md, Limits), before any work."""
    combos = 1
    for s in steps:
        combos *= len(s.values)
        if combos > MAX_STEP_COMBINATIONS:
            raise NetlistError(f"the .step cards make {combos:.3g} or more combinations, more "
                               f"than {MAX_STEP_COMBINATIONS:g}", s.span,
                               "fewer .step values")
    points = combos * sum(1 if a is None else len(a.values) for a in analyses or [None])
    if points > MAX_POINTS:
        where = next((a.span for a in analyses if a is not None), steps[-1].span)
        raise NetlistError(f"the analyses and .step cards need {points:.3g} steady states, "
                           f"more than {MAX_POINTS:g}", where, "fewer points or .step values")


def elaborate(cards: Sequence[ast.Card], file: str = "<netlist>",
              overrides: Optional[Dict[str, float]] = None) -> FlatCircuit:
    """Flatten typed cards into a circuit.  ``overrides`` replace .param values by name.

    The structure (nodes, elements, subcircuits, prints) is built once; values that depend
    on .params can be evaluated again for other .param values with
    :meth:`FlatCircuit.rebind`, which keeps every element object."""
    defs = _split(cards)
    b = _Builder(defs, file, overrides or {})
    _check_overrides(b, overrides or {})
    params = b.scope.evaluate_all()
    ctx = {"prefix": "", "dprefix": "", "ports": {}, "scope": b.scope, "models": b.models,
           "context": ()}
    b.instantiate(defs.top, ctx)
    _check_temp_nodes(b)
    targets = b.targets()
    from thermnet.netlist.columns import expression_quantity
    from thermnet.netlist.measures import elaborate_measures
    prints: List[Quantity] = []
    labels: Dict[str, str] = {}
    print_span = None
    for card in defs.top:
        if isinstance(card, ast.PrintCard):
            print_span = print_span or card.span
            for q, label in zip(card.quantities, card.labels or (None,) * len(card.quantities)):
                prints.append(b.quantity(q) if isinstance(q, ast.Call) else
                              expression_quantity(b, q, targets))
                if label is not None:
                    labels[prints[-1].column] = label
    analyses, steps = _analyses(b, targets)
    _check_size(steps, analyses)
    measures = elaborate_measures(b, defs.top, targets, analyses)
    thermal = {k: b.node_display[k] for k, v in b.node_kind.items() if v == "thermal"}
    electrical = {k: b.node_display[k] for k, v in b.node_kind.items() if v == "electrical"}
    return FlatCircuit(defs.title, file, b.elements, thermal, electrical, b.node_spans, params,
                       analyses, steps, prints, _options(defs.top, b.scope), print_span,
                       targets, b, measures,
                       _node_temperatures(b, ast.IcCard, ".ic"),
                       _node_temperatures(b, ast.NodesetCard, ".nodeset"), labels)


def _node_temperatures(b: "_Builder", card_type, name: str) -> Dict[str, float]:
    """The temperatures that ``.nodeset`` (starting values of a solve) or ``.ic`` (the
    initial state of a ``.tran``) cards of ``card_type`` give, by node key (K); each must
    be a free thermal node and a positive temperature."""
    out: Dict[str, float] = {}
    fixed = {e.nodes[0] for e in b.elements.values() if e.letter == "T"}
    form = CARD_FORMS[name]
    for card in b.defs.top:
        if not isinstance(card, card_type):
            continue
        for cond in card.values:
            assert isinstance(cond.left, ast.Call)   # the parser checked T(NODE)=VALUE
            node = cond.left.args[0]
            if not isinstance(node, (ast.Word, ast.Num)):
                raise NetlistError("expected a node name", node.span, form)
            found = b.node_key(node.text, "thermal")
            if found is None:
                raise NetlistError(f"'{node.text}' is not a thermal node", node.span, form)
            key = found
            if key in fixed:
                raise NetlistError(f"T({b.node_display[key]}) is set by a temperature source; "
                                   f"{name} gives values of free nodes only", node.span, form)
            value = value_of(cond.value, b.scope, "temperature", f"{name} T({node.text})")
            if not value > 0:
                raise NetlistError(f"{name} T({node.text}) must be a positive temperature",
                                   cond.value.span, form)
            out[key] = value
    return out


def _place(e: Element, where: str, param: str) -> Tuple[Any, str, Optional[str]]:
    """Where an element's value is kept: (object, attribute, key in it or None) of its
    positional value ("value"), keyword ("params") or model parameter ("model")."""
    if where == "value":
        return e, "value", None
    if where == "params":
        return e, "params", param
    return e.model, "values", param


def _check_overrides(b: "_Builder", overrides: Mapping[str, float]) -> None:
    for key, value in overrides.items():
        if "." in key:
            b.element_parameter(key, None)          # raises for an unknown one
        elif key.lower() not in b.scope.defs:
            raise NetlistError(f"no .param named '{key}' to set")
        if not math.isfinite(value):
            raise NetlistError(f"the value {value} set for .param '{key}' is not a finite "
                               "number")


def _analyses(b: "_Builder", targets) -> Tuple[List[Any], List[Sweep]]:
    """The analyses (None: .op; Sweep; timecards.Tran/Ac/Noise) and the .step cards, their
    values evaluated."""
    analyses: List[Any] = []
    steps: List[Sweep] = []
    for card in b.defs.top:
        if isinstance(card, ast.OpCard):
            analyses.append(None)
        elif isinstance(card, ast.SweepCard):
            analyses.append(b.sweep(card.spec, card.span, ".sweep", targets))
        elif isinstance(card, ast.StepCard):
            steps.append(b.sweep(card.spec, card.span, ".step", targets))
        elif isinstance(card, timecards.CARDS):
            analyses.append(timecards.elaborate_card(card, b.scope, b.node_key,
                                                     b.node_display, targets))
    return analyses, steps


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word
