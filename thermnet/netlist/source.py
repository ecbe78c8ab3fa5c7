"""Netlist text -> logical lines (comments removed, ``+`` continuations joined) with a map
from every character of a logical line back to its file, line and column.

SPICE lexical rules (language page): ``*`` at line start is a comment line, ``;`` or ``$``
start an inline comment, a line starting with ``+`` continues the previous logical line.

Every Span made here carries the text of its physical line, so an error quotes the line it
points at without looking anything up later (no store of sources read so far).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, NamedTuple

from thermnet.errors import NetlistError, Span


class Segment(NamedTuple):
    """A piece of a logical line: where it starts in the logical text, and its source."""

    offset: int      # offset of the segment's first character in the logical text
    line: int        # 1-based physical line
    column: int      # 1-based column of that character on the physical line
    raw: str         # the physical line as written


@dataclass
class LogicalLine:
    """One card: its text and the physical lines it was joined from."""

    text: str
    file: str
    segments: List[Segment] = field(default_factory=list)

    def span(self, offset: int) -> Span:
        """Source position of character ``offset`` of the logical text."""
        seg = self.segments[0]
        for s in self.segments:
            if s.offset <= offset:
                seg = s
        return Span(self.file, seg.line, seg.column + (offset - seg.offset), seg.raw)

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
    out: List[LogicalLine] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        body = _strip_inline_comment(raw.replace("\t", " "))
        stripped = body.lstrip()
        if not stripped or stripped.startswith("*"):
            continue
        indent = len(body) - len(stripped)
        if stripped.startswith("+"):
            if not out:
                raise NetlistError("continuation line '+' with no card before it",
                                   Span(name, lineno, indent + 1, raw),
                                   "a '+' line continues the card on the line above")
            prev = out[-1]
            content = stripped[1:]
            prev.text += " "
            prev.segments.append(Segment(len(prev.text), lineno, indent + 2, raw))
            prev.text += content.rstrip()
            continue
        out.append(LogicalLine(stripped.rstrip(), name, [Segment(0, lineno, indent + 1, raw)]))
    return out
