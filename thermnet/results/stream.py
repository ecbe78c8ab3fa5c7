"""Output text of a run written chunk by chunk: the same bytes as ``results.io.FORMATS``
gives for the whole ``Results``, with one chunk of results in memory at a time (a
checkpointed ``.step`` family of 10^6 combinations, read back from its checkpoint)."""
from __future__ import annotations

import json
import textwrap
from typing import Callable, Dict, Iterable, Iterator, List

from thermnet.results.io import csv_pieces, to_table
from thermnet.results.types import AnalysisResult, Results

Chunks = Iterable[List[AnalysisResult]]


def table_pieces(title: str, chunks: Chunks, si: bool = False) -> Iterator[str]:
    """``io.to_table`` of all the chunks' results, piece by piece."""
    if title:
        yield title + "\n"
    for chunk in chunks:
        if chunk:
            yield to_table(Results("", chunk), si=si)


def json_pieces(title: str, chunks: Chunks, si: bool = False) -> Iterator[str]:
    """``io.to_json`` (``json.dumps(indent=1)``) of all the chunks' results, piece by piece:
    each result's object indented by two levels inside the envelope."""
    yield "{\n \"title\": " + json.dumps(title) + ",\n \"results\": ["
    sep = "\n"
    for chunk in chunks:
        for r in chunk:
            yield sep + textwrap.indent(json.dumps(r.to_json(), indent=1), "  ")
            sep = ",\n"
    yield ("]" if sep == "\n" else "\n ]") + "\n}\n"


PIECES: Dict[str, Callable[..., Iterator[str]]] = {
    "table": table_pieces,
    "json": json_pieces,
    "csv": lambda title, chunks, si=False: csv_pieces(chunks),
}


def measure_failures(results: Iterable[AnalysisResult]):
    """(analysis, step, measure name, why) of every failed .measure of ``results``."""
    for r in results:
        for name, why in r.measure_failures.items():
            yield r.analysis, dict(r.step), name, why


class Watch:
    """The chunks passed through, noting each failed point's reason (for the exit status
    and the warnings) and whether every point converged."""

    def __init__(self, chunks: Chunks):
        self.chunks = chunks
        self.ok = True
        self.failures: List[str] = []
        self.measure_failures: List[tuple] = []
        self.warnings: List[str] = []

    def __iter__(self) -> Iterator[List[AnalysisResult]]:
        for chunk in self.chunks:
            for r in chunk:
                self.ok = self.ok and bool(r.converged.all())
                self.failures += r.failures
                self.measure_failures += list(measure_failures([r]))
                self.warnings += r.warnings
            yield chunk
