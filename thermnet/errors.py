"""Error types.  Every user-facing error carries where it happened and what to write instead."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Sequence, Tuple


@dataclass(frozen=True)
class Span:
    """A place in a netlist file: 1-based line and column, and the text of that physical
    line (quoted by error messages; not part of the place, so not compared).  ``context``:
    for a place inside a subcircuit's body, the instance cards (X lines) through which it
    was reached, outermost first (error messages name them; not compared either)."""

    file: str
    line: int
    column: int
    text: str = field(default="", compare=False, repr=False)
    context: Tuple["Span", ...] = field(default=(), compare=False, repr=False)

    def within(self, context: Tuple["Span", ...]) -> "Span":
        """This place reached through the instance cards ``context`` (outermost first); a
        place that has its own context keeps it."""
        return self if self.context or not context else replace(self, context=context)


class ThermnetError(Exception):
    """Base class of every error thermnet reports to users."""


class NetlistError(ThermnetError):
    """A netlist that cannot be parsed, elaborated or built.

    The message names ``file:line:col``, shows the offending line (the span's own text, or
    ``source_line``) with a caret and, where known, the expected form of the card.
    """

    def __init__(self, message: str, span: Optional[Span] = None, expected: str = "",
                 source_line: Optional[str] = None):
        self.message = message
        self.span = span
        self.expected = expected
        self.source_line = source_line
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.span.file}:{self.span.line}:{self.span.column}: " if self.span else ""
        text = f"{head}error: {self.message}"
        line = self.source_line
        if not line and self.span is not None:
            line = self.span.text
        if line and self.span is not None:
            text += f"\n    {line.rstrip()}\n    {' ' * (self.span.column - 1)}^"
        if self.expected:
            text += f"\n  expected: {self.expected}"
        for inst in reversed(self.span.context if self.span is not None else ()):
            text += (f"\n  in the subcircuit instance at {inst.file}:{inst.line}:{inst.column}:"
                     f" {inst.text.strip()}")
        return text

    def within(self, context: Tuple[Span, ...]) -> "NetlistError":
        """This error at its place reached through the instance cards ``context``
        (``Span.within``): the message then names the instances."""
        if self.span is None or self.span.context or not context:
            return self
        self.span = self.span.within(context)
        self.args = (self.render(),)
        return self


class ConvergenceError(ThermnetError):
    """A steady state that could not be found: which nodes, their residuals, what was tried."""

    def __init__(self, message: str, nodes: Sequence[str] = (), residuals: Sequence[float] = (),
                 tried: Sequence[str] = ()):
        self.nodes = list(nodes)
        self.residuals = list(residuals)
        self.tried = list(tried)
        detail = ""
        if self.nodes:
            detail += "\n  not converged: " + ", ".join(
                f"{n} (net heat {r:.3g} W)" for n, r in zip(self.nodes, self.residuals))
        if self.tried:
            detail += "\n  tried: " + "; ".join(self.tried)
        super().__init__(message + detail)
        self.message = message


class PhotonGridError(ConvergenceError):
    """The photon-energy quadrature of a link (or a TAU window) cannot meet photon_rtol."""


class ThermnetWarning(UserWarning):
    """Base class of thermnet's warnings."""


class FailedPointsWarning(ThermnetWarning):
    """Results with failed points (NaN, ``converged`` False): ``Netlist.run()`` warns; the
    command line reports them on stderr and in its exit status instead."""


class FailedMeasureWarning(ThermnetWarning):
    """A ``.measure`` that could not be evaluated (NaN, its reason in
    ``AnalysisResult.measure_failures``): ``Netlist.run()`` warns; the command line reports it
    on stderr instead."""


class BranchWarning(ThermnetWarning):
    """A fold met by an analysis, a jump between sweep points, or a ramp of ``.op`` that
    passed a fold (solve/branches.py): the result is right, but on a branch the user should
    know about."""
