"""Python API mirroring the netlist, for notebooks and scripts.

>>> import thermnet
>>> net = thermnet.load("netlists/dey2023_fig3.net")
>>> res = net.run()                       # the netlist's own .sweep P1
>>> res[0].columns["T(D)"]                # numpy array over the sweep
>>> one = net.without_sweeps().set("P1", "2pW").run()   # one steady state at P1 = 2 pW
>>> one[0].columns["T(D)"]                # a number
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from thermnet.errors import BranchWarning, NetlistError
from thermnet.model.circuit import Circuit
from thermnet.netlist import ast
from thermnet.netlist.elaborate import Sweep, checked, did_you_mean, elaborate
from thermnet.netlist.parser import parse_file, parse_text
from thermnet.options import OPTIONS
from thermnet.units import UnitError, read

if TYPE_CHECKING:             # annotations only: 'thermnet check' needs no results
    from thermnet.results.types import Results

Number = Union[float, int, str]


class Netlist:
    """A parsed netlist.  Values can be changed without re-parsing; ``run()`` solves."""

    def __init__(self, cards, file: str):
        self.cards = cards
        self.file = file
        self.params: Dict[str, float] = {}
        self.sources: Dict[str, float] = {}
        self.options: Dict[str, float] = {}
        # the structure, elaborated and checked once; set() and run() rebind its values
        self._flat = elaborate(cards, file)
        self._circuit = Circuit(self._flat)
        self._balance: Any = None   # the HeatBalance, built at the first run and kept

    @property
    def title(self) -> str:
        return self._flat.title

    def set(self, name: str, value: Number) -> "Netlist":
        """Set a temperature source's or heater's value, or a .param.

        ``value``: a number in SI units, or text as on a card (``"30mK"``, ``"2pW"``) read in
        the dimension of ``name`` (a .param's is that of the unit it is defined with).  The
        value is checked like a card value (a temperature must be positive, ...).  A name that
        a ``.sweep`` or ``.step`` of the netlist varies takes its values from there: ``run()``
        then refuses to run (the set value would be ignored); use ``without_sweeps()`` to
        solve at the set value.
        """
        target = self._flat.target(name)
        what = f"set('{name}')"
        v = _number(value, target.dimension, what)
        if target.kind == "source":
            spec = type(self._flat.elements[target.key]).value_param()
            self.sources[target.key] = checked(spec, v, f"{what}: {target.name} value", None)
            return self
        params = {**self.params, target.key: v}
        try:
            self._flat.rebind(params)
        except NetlistError as err:
            self._flat.rebind(self.params)
            raise NetlistError(f"{what} to {v:g}: {err.message}", err.span, err.expected,
                               err.source_line) from None
        self.params = params
        return self

    def hold(self, name: str, value: Number) -> "Netlist":
        """``set(name, value)`` on a netlist that may sweep or step ``name``: that
        ``.sweep``/``.step`` is dropped first (as ``without_sweeps(name)``, a new Netlist),
        so the run holds ``name`` at ``value``.  What ``thermnet run --set`` does."""
        key = self._flat.target(name).key
        varied = {s.target.key for s in self._flat.analyses if s is not None} | \
            {s.target.key for s in self._flat.steps}
        return (self.without_sweeps(name) if key in varied else self).set(name, value)

    def set_option(self, name: str, value: Number) -> "Netlist":
        """Set an ``.options`` key (checked against its valid range)."""
        key = name.lower()
        if key not in OPTIONS:
            raise NetlistError(f"unknown option '{name}'{did_you_mean(name, list(OPTIONS))}; "
                               f"options: {', '.join(OPTIONS)}")
        option = OPTIONS[key]
        v = _number(value, option.dimension, f"set_option('{name}')")
        problem = option.check(v)
        if problem:
            raise NetlistError(f"set_option('{name}'): option {key} {problem}", None, option.doc)
        self.options[key] = v
        return self

    def without_sweeps(self, *names: str) -> "Netlist":
        """A copy without the ``.sweep`` and ``.step`` cards of ``names`` (default: all), with
        the values set so far; with no analysis left, ``run()`` solves one ``.op``."""
        drop = {self._flat.target(n).key for n in names}
        cards = [c for c in self.cards if not (
            isinstance(c, (ast.SweepCard, ast.StepCard))
            and (not names or c.spec.name.text.lower() in drop))]
        if not any(isinstance(c, ast.SweepCard) for c in cards):   # nothing left to measure
            cards = [c for c in cards if not (isinstance(c, ast.MeasureCard) and
                                              _measures_sweep(c))]
        net = Netlist(cards, self.file)
        for k, v in self.params.items():
            net.set(k, v)
        net.sources, net.options = dict(self.sources), dict(self.options)
        return net

    def circuit(self) -> Circuit:
        """The elaborated circuit (graphs, links) at the current values."""
        flat = elaborate(self.cards, self.file, self.params)
        for k, v in self.sources.items():
            flat.elements[k].value = v
        return Circuit(flat)

    def run(self, progress: bool = False, jobs: Optional[int] = 1, client: Any = None,
            checkpoint: Optional[str] = None) -> Results:
        """Run every analysis of the netlist (``.op`` if there is none).

        A ``.step`` family runs in chunks (docs/scaling.md) with results identical, bit for
        bit, whatever runs them: ``jobs`` local processes (None: all cores; 1: this
        process), or the workers of a dask.distributed ``client``; ``checkpoint``: a
        directory where each finished chunk is kept, so that a rerun computes only what is
        missing.  Failed sweep points (NaN, with their reasons in ``failures``) raise a
        ``FailedPointsWarning``."""
        self._check_not_swept()
        from thermnet.solve import family
        res = family.run(self, jobs=jobs, client=client, checkpoint=checkpoint,
                         progress=progress)
        res.warn_failures()           # FailedPointsWarning: NaN points are never silent
        for r in res.results:          # folds, jumps, a ramp past a fold: said, never silent
            for w in r.warnings:
                warnings.warn(w, BranchWarning, stacklevel=2)
        return res

    def solve_combinations(self, combos=None, progress: bool = False) -> Results:
        """The analyses at the ``.step`` combinations ``combos`` (indices in
        ``itertools.product`` order; default all), in this process: a family's unit of
        work."""
        # the numerics are imported here: 'thermnet check' needs none of them
        from thermnet.model.balance import HeatBalance
        from thermnet.solve import analysis
        if self._balance is None:
            self._balance = HeatBalance(self._circuit, self._flat.options)
        return analysis.run(self._balance, self.params, self.sources, self.options, progress,
                            combos)

    def _check_not_swept(self) -> None:
        """A value set with set() that a .sweep or .step would override is an error."""
        varied = [("sweep", s) for s in self._flat.analyses if isinstance(s, Sweep)] + \
            [("step", s) for s in self._flat.steps]
        for card, s in varied:
            if s.target.key in (self.sources if s.target.kind == "source" else self.params):
                raise NetlistError(
                    f"{s.target.name} was set with set(), but this .{card} sets it at every "
                    "point, so the set value would be ignored", s.span,
                    f"net.without_sweeps('{s.target.name}').set('{s.target.name}', VALUE).run() "
                    f"for one steady state at VALUE, or remove the .{card}")

    def summary(self) -> str:
        return self.circuit().summary()


def _measures_sweep(card: ast.MeasureCard) -> bool:
    from thermnet.netlist.measures import ANALYSES
    return ANALYSES.get(getattr(card.items[0], "text", "").lower()) == "sweep"


def _number(value: Number, dimension, what: str) -> float:
    """``value`` in SI: a number as it is, text read as on a card in ``dimension``."""
    if not isinstance(value, str):
        return float(value)
    try:
        return read(value, dimension, what)[0] if dimension is not None else \
            _plain(value, what)
    except UnitError as exc:
        raise NetlistError(f"{what}: {exc}") from None


def _plain(text: str, what: str) -> float:
    """Text for a .param without unit: scale suffixes only."""
    value, unit = read(text, None, what)
    if unit is not None:
        raise UnitError(f"'{text}' has a unit, but the .param has none; give a plain number, "
                        "or give the .param a unit (.param NAME=30mK) to set it with units")
    return value


def load(path: str) -> Netlist:
    """Parse and elaborate the netlist file at ``path``."""
    return Netlist(parse_file(path), path)


def parse(text: str, name: str = "<string>") -> Netlist:
    """Parse and elaborate netlist ``text``."""
    return Netlist(parse_text(text, name), name)
