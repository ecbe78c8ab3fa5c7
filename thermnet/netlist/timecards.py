"""The cards of time and small-signal analyses: ``.tran``, ``.ic``, ``.ac``, ``.noise``
(netlist-language-v2, "Heat capacity and time"): their forms, parsing of a card's items into
ast cards, and elaboration into the analysis objects that ``solve/`` runs."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Union

import numpy as np

from thermnet.errors import NetlistError, Span
from thermnet.netlist import ast
from thermnet.netlist.expressions import value_of

FORMS = {
    ".tran": ".tran TSTEP TSTOP [TSTART [TMAX]]",
    ".ic": ".ic T(NODE)=VALUE ...",
    ".ac": ".ac dec|oct|lin N FSTART FSTOP",
    ".noise": ".noise T(NODE) SOURCE dec|oct|lin N FSTART FSTOP",
}
CARDS = (ast.TranCard, ast.AcCard, ast.NoiseCard)
MAX_POINTS = 100_000        # output times of a .tran, frequencies of an .ac or .noise


def _expect(cond: bool, message: str, span: Span, card: str) -> None:
    if not cond:
        raise NetlistError(message, span, FORMS[card])


def _values(items: Sequence, card: str) -> None:
    for it in items:
        _expect(isinstance(it, (ast.Num, ast.Word, ast.ExprValue)), "expected a value",
                it.span, card)


def _frequency_spec(items: Sequence, card: str, span: Span) -> ast.FrequencySpec:
    _expect(len(items) == 4, "expected dec|oct|lin N FSTART FSTOP", span, card)
    mode, count = items[0], items[1]
    _expect(isinstance(mode, ast.Word) and mode.text.lower() in ("dec", "oct", "lin"),
            "expected dec, oct or lin", mode.span, card)
    _expect(isinstance(count, ast.Num), "N must be a whole number", count.span, card)
    _values(items[2:], card)
    return ast.FrequencySpec(mode, count, items[2], items[3])


def parse_card(name: str, items: Sequence, span: Span, text: str) -> ast.Card:
    """The ast card of a ``.tran``, ``.ac`` or ``.noise`` line (``.ic`` is read with
    ``.nodeset`` in parser.py: both are T(NODE)=VALUE lists)."""
    if name == ".tran":
        _expect(2 <= len(items) <= 4, "expected TSTEP TSTOP [TSTART [TMAX]]", span, name)
        _values(items, name)
        return ast.TranCard(span, text, tuple(items))
    if name == ".ac":
        return ast.AcCard(span, text, _frequency_spec(items, name, span))
    if name == ".noise":
        _expect(len(items) == 6, "expected T(NODE) SOURCE dec|oct|lin N FSTART FSTOP", span,
                name)
        out, src = items[0], items[1]
        _expect(isinstance(out, ast.Call) and out.name.text.upper() == "T"
                and len(out.args) == 1, "expected the output T(NODE)", out.span, name)
        _expect(isinstance(src, ast.Word), "expected a heater or temperature source",
                src.span, name)
        return ast.NoiseCard(span, text, out, src, _frequency_spec(items[2:], name, span))
    raise AssertionError(name)


# ---- elaborated analyses ------------------------------------------------------------------
@dataclass(frozen=True)
class Tran:
    """``.tran``: output every ``tstep`` from ``tstart`` to ``tstop`` (s), internal steps at
    most ``tmax`` (inf: no limit)."""

    tstep: float
    tstop: float
    tstart: float
    tmax: float
    span: Span

    def describe(self) -> str:
        return f"tran {self.tstart:g}..{self.tstop:g} s ({len(self.values)} output times)"

    @property
    def values(self) -> np.ndarray:
        n = int(math.floor((self.tstop - self.tstart) / self.tstep * (1 + 1e-12))) + 1
        times = np.minimum(self.tstart + self.tstep * np.arange(n), self.tstop)
        if times[-1] >= self.tstop * (1 - 1e-12):
            times[-1] = self.tstop               # exactly, not a rounding away from it
        else:
            times = np.append(times, self.tstop)
        return times


@dataclass(frozen=True)
class Ac:
    """``.ac``: small-signal response at the frequencies ``values`` (Hz)."""

    values: np.ndarray
    mode: str
    span: Span

    def describe(self) -> str:
        return f"ac ({len(self.values)} frequencies)"


@dataclass(frozen=True)
class Noise:
    """``.noise``: noise at T(``output``) referred to the source ``source`` (element key)."""

    output: str
    output_name: str
    source: str
    source_name: str
    values: np.ndarray
    mode: str
    span: Span

    def describe(self) -> str:
        return f"noise T({self.output_name}) referred to {self.source_name} " \
            f"({len(self.values)} frequencies)"


def frequencies(mode: str, n: int, f0: float, f1: float) -> np.ndarray:
    """SPICE's frequency points: ``lin`` n points from f0 to f1; ``dec``/``oct`` n points per
    decade/octave from f0 (ngspice manual, ".ac")."""
    if mode == "lin":
        return np.linspace(f0, f1, n)
    base = 10.0 if mode == "dec" else 2.0
    count = int(math.floor(n * math.log(f1 / f0, base) * (1 + 1e-12))) + 1
    out = f0 * base ** (np.arange(count) / n)
    return out if out[-1] >= f1 * (1 - 1e-9) else np.append(out, f1)


def _frequencies(spec: ast.FrequencySpec, scope, card: str) -> np.ndarray:
    n_text = spec.count.text
    if not n_text.isdigit() or int(n_text) < 1:
        raise NetlistError(f"N must be a whole number >= 1, got '{n_text}'", spec.count.span,
                           FORMS[card])
    f0 = value_of(spec.start, scope, "frequency", f"{card} FSTART")
    f1 = value_of(spec.stop, scope, "frequency", f"{card} FSTOP")
    if not (0 < f0 <= f1 and math.isfinite(f1)):
        raise NetlistError(f"{card} needs 0 < FSTART <= FSTOP, got {f0:g} and {f1:g}",
                           spec.start.span, FORMS[card])
    freqs = frequencies(spec.mode.text.lower(), int(n_text), f0, f1)
    if len(freqs) > MAX_POINTS:
        raise NetlistError(f"{card} asks for {len(freqs)} frequencies, more than "
                           f"{MAX_POINTS}", spec.count.span, "fewer points")
    return freqs


def elaborate_card(card, scope, node_key: Callable[[str, str], Optional[str]],
                   node_display: Dict[str, str], targets) -> Union[Tran, Ac, "Noise"]:
    """The analysis object of a ``.tran``, ``.ac`` or ``.noise`` card (``node_key(name,
    kind)``: the key of a node, or None)."""
    if isinstance(card, ast.TranCard):
        names = ("TSTEP", "TSTOP", "TSTART", "TMAX")
        vals = [value_of(it, scope, "time", f".tran {nm}") for it, nm in zip(card.values, names)]
        tstep, tstop = vals[0], vals[1]
        tstart = vals[2] if len(vals) > 2 else 0.0
        tmax = vals[3] if len(vals) > 3 else math.inf
        problem = None
        if not (tstep > 0 and tstop > 0 and math.isfinite(tstop)):
            problem = f"TSTEP and TSTOP must be positive, got {tstep:g} and {tstop:g}"
        elif not 0 <= tstart < tstop:
            problem = f"TSTART must be from 0 to below TSTOP, got {tstart:g}"
        elif not tmax > 0:
            problem = f"TMAX must be positive, got {tmax:g}"
        elif (tstop - tstart) / tstep > MAX_POINTS:
            problem = f"{(tstop - tstart) / tstep:.3g} output times, more than " \
                f"{MAX_POINTS}; a larger TSTEP"
        if problem:
            raise NetlistError(f".tran: {problem}", card.span, FORMS[".tran"])
        return Tran(tstep, tstop, tstart, tmax, card.span)
    if isinstance(card, ast.AcCard):
        return Ac(_frequencies(card.spec, scope, ".ac"), card.spec.mode.text.lower(),
                  card.span)
    assert isinstance(card, ast.NoiseCard)
    node = card.output.args[0]
    key = node_key(getattr(node, "text", ""), "thermal")
    if key is None:
        raise NetlistError(f"'{getattr(node, 'text', '?')}' is not a thermal node",
                           node.span, FORMS[".noise"])
    src = targets.get(card.source.text.lower())
    if getattr(src, "kind", None) != "source":
        raise NetlistError(f"'{card.source.text}' is not a heater or temperature source",
                           card.source.span, FORMS[".noise"])
    return Noise(key, node_display[key], src.key, src.name,
                 _frequencies(card.spec, scope, ".noise"), card.spec.mode.text.lower(),
                 card.span)
