"""Which values a ``.param`` reaches: the dependency graph of a bound netlist, built once.

A rebinding (``FlatCircuit.rebind``: a point of a ``.param`` sweep, a ``.step``
combination, ``Netlist.set()``) evaluates again only what the changed names reach, as Xyce's
``processParams`` does for the parameters a sweep touches.  The graph's nodes are the
entries of the parameter scopes (a top-level ``.param``; a subcircuit instance's parameter,
its definition evaluated in the instance's scope, its argument in the caller's), the
element bindings (one per element whose card values name a parameter: its value, keywords,
model parameters, waveform) and the ``.options`` card values.  An edge goes from every
entry a value's expression names (resolved as the scopes resolve it: the scope that
defines the name, else its parent) to that value.  Expressions have no conditionals, so
what a value names is exactly what its evaluation reads.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from thermnet.errors import Span
from thermnet.netlist import ast

Entry = Tuple[int, str]          # (id of the scope, parameter key)
MAX_PLANS = 256                  # distinct sets of changed names whose plans are kept


def names_in(item) -> Set[str]:
    """The lower-case names a card value reads: a parameter written by name, the
    variables of a ``{expression}``, those of a call's arguments (``PULSE(...)``)."""
    out: Set[str] = set()
    _collect(item, out)
    return out


def _collect(item: Any, out: Set[str]) -> None:
    if isinstance(item, ast.Word):
        out.add(item.text.lower())
    elif isinstance(item, ast.ExprValue):
        _collect(item.expr, out)
    elif isinstance(item, ast.Call):
        for a in item.args:
            _collect(a, out)
    elif isinstance(item, ast.EVar):
        out.add(item.name.lower())
    elif isinstance(item, ast.EBin):
        _collect(item.left, out)
        _collect(item.right, out)
    elif isinstance(item, ast.ENeg):
        _collect(item.operand, out)
    elif isinstance(item, ast.EFunc):
        for arg in item.args:
            _collect(arg, out)


def names_in_card(card) -> Set[str]:
    """Every lower-case word and expression variable in ``card`` (an analysis card: its
    values, counts, node and source names; of a .sweep or .step its values, not the name
    it varies): a superset of the .params its values read."""
    out: Set[str] = set()
    _collect_all(card, out)
    return out


def _collect_all(node, out: Set[str]) -> None:
    if isinstance(node, ast.SweepSpec):      # not the name it sweeps: its values
        _collect_all((node.values, node.count), out)
    elif isinstance(node, (ast.Word, ast.ExprValue, ast.EVar)):
        _collect(node, out)
    elif isinstance(node, (tuple, list)):
        for x in node:
            _collect_all(x, out)
    elif dataclasses.is_dataclass(node) and not isinstance(node, (Span, type)):
        for f in dataclasses.fields(node):
            _collect_all(getattr(node, f.name), out)


def resolve(name: str, scope) -> Optional[Entry]:
    """The scope entry ``name`` reads in ``scope`` (a ParamScope: its own definitions,
    else its parent's), or None: a constant, or a word that names no parameter (a choice
    such as ``exact``)."""
    while scope is not None:
        if name in scope.defs:
            return (id(scope), name)
        scope = scope.parent
    return None


def reads(pairs: Iterable[Tuple[object, object]]) -> FrozenSet[Entry]:
    """The scope entries that the values ``(item, scope)`` read."""
    out = set()
    for item, scope in pairs:
        for name in names_in(item):
            entry = resolve(name, scope)
            if entry is not None:
                out.add(entry)
    return frozenset(out)


@dataclass(frozen=True)
class Plan:
    """What a rebinding with some changed top-level .params evaluates again."""

    changed: FrozenSet[str]          # the top-level .params whose values changed
    direct: Tuple[str, ...]          # ... of them those whose definitions stay: the new
                                     # value replaces the old at once (ParamScope.override)
    forget: Tuple[Tuple[Entry, bool], ...]   # the other entries reached: (entry, whether
                                     # its definition too must be evaluated anew)
    top: Tuple[str, ...]             # the top-level .params among those, in card order
    arguments: Tuple[Tuple[int, int], ...]   # (instance index, argument index) to evaluate
    bindings: Tuple[int, ...]        # element bindings to run, in order
    elements: FrozenSet[str]         # ... the keys of their elements
    options: bool                    # the .options values may change
    analyses: bool                   # ... the values of the analysis and .step cards


class Dependencies:
    """The dependency graph of a binder's scopes, bindings and options (see the module
    docstring), and the plan of a rebinding for each set of changed top-level names.

    ``top``: the top-level scope; ``instances``: (scope, arguments) of every subcircuit
    instance, each argument ``(key, item, caller scope, what)``; ``bindings``: the
    element key and the ``(item, scope)`` values of each element binding; ``options``:
    those of the .options cards (read in ``top``); ``analyses``: the analysis and .step
    cards (read in ``top``)."""

    def __init__(self, top, instances: Sequence[Tuple[object, Sequence[tuple]]],
                 bindings: Sequence[Tuple[str, Sequence[Tuple[object, object]]]],
                 options: Sequence[Tuple[object, object]], analyses: Sequence[object] = ()):
        self.top = top
        self.scopes = {id(s): s for s in [top] + [s for s, _ in instances]}
        self.definition: Dict[Entry, FrozenSet[Entry]] = {}   # what each definition reads
        self.argument: Dict[Entry, FrozenSet[Entry]] = {}     # ... each instance argument
        for scope in [top] + [s for s, _ in instances]:
            for key, d in scope.defs.items():
                self.definition[(id(scope), key)] = reads([(d.value, scope)])
        self.argument_at: Dict[Entry, Tuple[int, int]] = {}
        for i, (scope, args) in enumerate(instances):
            for j, (key, item, caller, _) in enumerate(args):
                self.argument[(id(scope), key)] = reads([(item, caller)])
                self.argument_at[(id(scope), key)] = (i, j)
        self.elements = [element for element, _ in bindings]
        self.bindings = [reads(values) for _, values in bindings]
        self.options = reads(options)
        self.analyses = frozenset(e for card in analyses for e in (
            resolve(name, top) for name in names_in_card(card)) if e is not None)
        # who reads each entry (the reverse edges)
        self.readers: Dict[Entry, Set[Entry]] = {}
        for graph in (self.definition, self.argument):
            for entry, deps in graph.items():
                for d in deps:
                    self.readers.setdefault(d, set()).add(entry)
        self._plans: Dict[FrozenSet[str], Plan] = {}

    def plan(self, changed: FrozenSet[str]) -> Plan:
        """The plan for top-level .params ``changed`` (their values differ from the last
        binding's): every entry they reach, transitively, and the bindings, instance
        arguments and options that read one of those."""
        found = self._plans.get(changed)
        if found is not None:
            return found
        top = id(self.top)
        start = [(top, k) for k in changed]
        stale: Set[Entry] = set(start)
        todo: List[Entry] = list(start)
        while todo:
            for r in self.readers.get(todo.pop(), ()):
                if r not in stale:
                    stale.add(r)
                    todo.append(r)
        redefined = {e for e in stale if self.definition.get(e, frozenset()) & stale}
        direct = tuple(sorted(k for k in changed if (top, k) not in redefined))
        forget = tuple(sorted(((e, e in redefined) for e in stale
                               if not (e[0] == top and e[1] in direct)), key=str))
        bindings = tuple(i for i, deps in enumerate(self.bindings) if deps & stale)
        plan = Plan(changed, direct, forget,
                    tuple(k for k in self.top.defs if (top, k) in stale and k not in direct),
                    tuple(sorted(self.argument_at[e] for e in stale
                                 if self.argument.get(e, frozenset()) & stale)),
                    bindings, frozenset(self.elements[i] for i in bindings),
                    bool(self.options & stale), bool(self.analyses & stale))
        if len(self._plans) >= MAX_PLANS:
            self._plans.clear()
        self._plans[changed] = plan
        return plan
