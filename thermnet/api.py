"""Python API mirroring the netlist, for notebooks and scripts.

>>> import thermnet
>>> net = thermnet.load("netlists/dey2023_fig3.net")
>>> net.set("P1", 2e-12)          # a source or heater value, or a .param, in SI
>>> res = net.run()               # Results: res[0].columns["T(D)"] is a numpy array
"""
from __future__ import annotations

from typing import Dict

from thermnet.errors import NetlistError
from thermnet.model.circuit import Circuit
from thermnet.netlist.elaborate import elaborate
from thermnet.netlist.parser import parse_file, parse_text
from thermnet.options import OPTIONS
from thermnet.results.types import Results
from thermnet.solve import analysis


class Netlist:
    """A parsed netlist.  Values can be changed without re-parsing; ``run()`` solves."""

    def __init__(self, cards, file: str):
        self.cards = cards
        self.file = file
        self.params: Dict[str, float] = {}
        self.sources: Dict[str, float] = {}
        self.options: Dict[str, float] = {}
        self._flat = elaborate(cards, file)
        self.circuit()   # graph checks now, not at the first run

    @property
    def title(self) -> str:
        return self._flat.title

    def set(self, name: str, value: float) -> "Netlist":
        """Set a temperature source's or heater's value, or a .param (SI units)."""
        key = name.lower()
        el = self._flat.elements.get(key)
        if el is not None and el.letter in ("T", "P"):
            self.sources[key] = float(value)
        elif key in self._flat.params:
            self.params[key] = float(value)
            self._flat = elaborate(self.cards, self.file, self.params)
        else:
            raise NetlistError(f"'{name}' is neither a temperature source, a heater nor a "
                               ".param of this netlist")
        return self

    def set_option(self, name: str, value: float) -> "Netlist":
        if name.lower() not in OPTIONS:
            raise NetlistError(f"unknown option '{name}'; options: {', '.join(OPTIONS)}")
        self.options[name.lower()] = float(value)
        return self

    def circuit(self) -> Circuit:
        """The elaborated circuit (graphs, links) at the current values."""
        flat = elaborate(self.cards, self.file, self.params)
        for k, v in self.sources.items():
            flat.elements[k].value = v
        return Circuit(flat)

    def run(self, progress: bool = False) -> Results:
        """Run every analysis of the netlist (``.op`` if there is none)."""
        return analysis.run(self.cards, self.file, self.params, self.sources, self.options,
                            progress)

    def summary(self) -> str:
        return self.circuit().summary()


def load(path: str) -> Netlist:
    """Parse and elaborate the netlist file at ``path``."""
    return Netlist(parse_file(path), path)


def parse(text: str, name: str = "<string>") -> Netlist:
    """Parse and elaborate netlist ``text``."""
    return Netlist(parse_text(text, name), name)
