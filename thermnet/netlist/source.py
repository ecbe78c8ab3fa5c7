"""Netlist text -> logical lines (comments removed, ``+`` continuations joined) with a map
from every character of a logical line back to its file, line and column.

SPICE lexical rules (language page): ``*`` at line start is a comment line, ``;`` or ``$``
start an inline comment, a line starting with ``+`` continues the previous logical line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from thermnet.errors import Span

# Text of every file (or string) read so far, so errors can quote the offending line.
_sources: Dict[str, List[str]] = {}


def register(name: str, text: str) -> None:
    _sources[name] = text.splitlines()


def source_line(name: str, lineno: int):
    lines = _sources.get(name)
    if lines is None:
        try:
            with open(name, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return None
        _sources[name] = lines
    return lines[lineno - 1] if 0 < lineno <= len(lines) else None


@dataclass
class LogicalLine:
    """One card: its text and, per segment, (offset in text, file, line, first column)."""

    text: str
    file: str
    segments: List[Tuple[int, int, int]] = field(default_factory=list)

    def span(self, offset: int) -> Span:
        """Source position of character ``offset`` of the logical text."""
        seg = self.segments[0]
        for s in self.segments:
            if s[0] <= offset:
                seg = s
        start, line, col = seg
        return Span(self.file, line, col + (offset - start))

    @property
    def first(self) -> Span:
        return self.span(0)


def _strip_inline_comment(line: str) -> str:
    """Cut at the first ``;`` or ``$`` outside a double-quoted string."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch in ";$" and not quoted:
            return line[:i]
    return line


def logical_lines(text: str, name: str) -> List[LogicalLine]:
    """Split netlist ``text`` (from file ``name``) into logical lines."""
    register(name, text)
    out: List[LogicalLine] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        body = _strip_inline_comment(raw.replace("\t", " "))
        stripped = body.lstrip()
        if not stripped or stripped.startswith("*"):
            continue
        indent = len(body) - len(stripped)
        if stripped.startswith("+"):
            if not out:
                from thermnet.errors import NetlistError
                raise NetlistError("continuation line '+' with no card before it",
                                   Span(name, lineno, indent + 1),
                                   "a '+' line continues the card on the line above")
            prev = out[-1]
            content = stripped[1:]
            prev.text += " "
            prev.segments.append((len(prev.text), lineno, indent + 2))
            prev.text += content.rstrip()
            continue
        out.append(LogicalLine(stripped.rstrip(), name, [(0, lineno, indent + 1)]))
    return out
