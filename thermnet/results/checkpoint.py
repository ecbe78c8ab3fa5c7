"""A checkpoint directory of a ``.step`` family: each finished chunk as one Parquet file,
written as it completes, so that a rerun computes only the chunks that are missing
(``solve/family.py``; docs/scaling.md, "Checkpoints").

Layout of ``DIR``:

- ``_manifest.json``: the run's key (``family.Recipe.key``: sha256 of the netlist's cards,
  the values set on it and thermnet's version), the number of combinations, the chunk
  size and the title.  A directory holding another run's chunks is refused, never mixed.
- ``chunk-NNNNNN.parquet``: the results of combinations ``NNNNNN * chunk ...``, one row per
  point: ``combo`` (the .step combination), ``result`` (index in the chunk), ``point``,
  ``step:NAME`` (the .step values), ``col:NAME`` (the columns of the analysis, float64;
  NaN where a point failed or the analysis has no such column), ``converged``,
  ``energy_balance``.  The rest of each ``AnalysisResult`` (failure reasons, the sweep's
  description, dimensions, any further field) is JSON in the file's metadata, under
  ``thermnet.results``.  Floats are stored as their IEEE bits (float64 columns; JSON floats
  are written with repr, which reads back exactly), so a result read back equals the one
  computed, bit for bit.

Each file is written whole or not at all (``results.io.write_atomic``: temporary file,
fsync, rename): a killed run leaves finished chunks and no partial one.  Any pandas,
pyarrow, polars or DuckDB reads the chunk files as one dataset.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Any, Dict, Iterator, List

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.io import write_atomic
from thermnet.results.types import AnalysisResult

MANIFEST = "_manifest.json"     # "_": not a data file to Parquet readers
META = b"thermnet.results"
CHUNK_FILE = re.compile(r"^chunk-(\d{6,})\.parquet$")
# the fields of AnalysisResult stored as table columns; every other field goes to JSON
TABLE_FIELDS = ("columns", "converged", "energy_balance", "step")


class CheckpointError(ThermnetError):
    """A checkpoint directory that cannot be used: which, why, what to do."""

    def __init__(self, folder: str, why: str, hint: str = ""):
        super().__init__(f"error: checkpoint '{folder}': {why}" + (f"\n  {hint}" if hint else ""))


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ThermnetError("error: --checkpoint needs pyarrow; install it with "
                            "pip install 'thermnet[cluster]'") from None
    return pyarrow, pyarrow.parquet


class Checkpoint:
    """The chunks of one run in ``folder`` (see the module's docstring)."""

    def __init__(self, folder: str, key: str, combos: int, chunk: int, title: str):
        self.folder, self.key, self.combos, self.chunk, self.title = \
            folder, key, combos, chunk, title

    @classmethod
    def open(cls, folder: str, key: str, combos: int, chunk: int, title: str) -> "Checkpoint":
        """The checkpoint of run ``key`` in ``folder``: created (with its manifest) if the
        folder is new or empty, resumed if it holds the same run (with the chunk size it
        was started with); a CheckpointError if it holds another run."""
        _pyarrow()
        path = os.path.join(folder, MANIFEST)
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise CheckpointError(folder, "it is not a directory", "give a directory name")
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    doc = json.load(fh)
                same = doc["key"] == key and doc["combos"] == combos
                chunk = int(doc["chunk"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(folder, f"its {MANIFEST} cannot be read ({exc})",
                                      "remove the directory or give another") from None
            if not same:
                raise CheckpointError(
                    folder, "it holds the chunks of another run (a different netlist, "
                    "values set on it, options or thermnet version)",
                    "give another directory, or remove this one to start afresh")
            return cls(folder, key, combos, chunk, title)
        try:
            os.makedirs(folder, exist_ok=True)
            if any(CHUNK_FILE.match(f) for f in os.listdir(folder)):
                raise CheckpointError(folder, f"it holds chunk files but no {MANIFEST}",
                                      "remove the directory or give another")
            write_atomic(path, json.dumps({"key": key, "combos": combos, "chunk": chunk,
                                           "title": title}, indent=1) + "\n")
        except OSError as exc:
            raise CheckpointError(folder, exc.strerror or str(exc)) from None
        return cls(folder, key, combos, chunk, title)

    @property
    def n_chunks(self) -> int:
        return -(-self.combos // self.chunk)

    def path(self, j: int) -> str:
        return os.path.join(self.folder, f"chunk-{j:06d}.parquet")

    def finished(self) -> List[int]:
        """Indices of the chunks on disk whose file reads as a whole Parquet file."""
        _, pq = _pyarrow()
        found = []
        for name in os.listdir(self.folder):
            m = CHUNK_FILE.match(name)
            if m is None or int(m.group(1)) >= self.n_chunks:
                continue
            try:
                pq.read_metadata(os.path.join(self.folder, name))
            except Exception:    # noqa: BLE001 -- damaged in any way: computed again
                continue
            found.append(int(m.group(1)))
        return sorted(found)

    def write(self, j: int, start: int, results: List[AnalysisResult]) -> None:
        """Write chunk ``j`` (its first combination ``start``) whole or not at all."""
        pa, pq = _pyarrow()
        table = to_table(results, start, self.chunk, self.combos)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        try:
            write_atomic(self.path(j), sink.getvalue().to_pybytes())
        except OSError as exc:
            raise CheckpointError(self.folder, exc.strerror or str(exc)) from None

    def read(self, j: int) -> List[AnalysisResult]:
        _, pq = _pyarrow()
        return from_table(pq.read_table(self.path(j)))

    def results(self) -> Iterator[List[AnalysisResult]]:
        """The results chunk by chunk, in family order (one chunk in memory at a time)."""
        for j in range(self.n_chunks):
            yield self.read(j)


# ---- AnalysisResult <-> table ---------------------------------------------------------------
def to_table(results: List[AnalysisResult], start: int, chunk: int, combos: int):
    """One row per point of each result; the rest as JSON metadata (module docstring)."""
    pa, _ = _pyarrow()
    n_combos = min(chunk, combos - start)
    per_combo = len(results) // n_combos if n_combos else 0
    sizes = [len(r.converged) for r in results]
    total = sum(sizes)
    result_idx = np.repeat(np.arange(len(results), dtype=np.int64), sizes)
    data: Dict[str, Any] = {
        "combo": start + result_idx // max(per_combo, 1),
        "result": result_idx,
        "point": np.concatenate([np.arange(n, dtype=np.int64) for n in sizes])
        if results else np.zeros(0, dtype=np.int64)}
    steps: List[str] = []
    cols: List[str] = []
    for r in results:
        steps += [k for k in r.step if k not in steps]
        cols += [k for k in r.columns if k not in cols]
    at = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    for name in steps:
        data["step:" + name] = np.repeat([r.step.get(name, np.nan) for r in results], sizes)
    for name in cols:
        a = np.full(total, np.nan)
        for i, r in enumerate(results):
            if name in r.columns:
                a[at[i]:at[i + 1]] = r.columns[name]
        data["col:" + name] = a
    data["converged"] = np.concatenate([np.asarray(r.converged, dtype=bool) for r in results]) \
        if results else np.zeros(0, dtype=bool)
    eb = np.full(total, np.nan)
    for i, r in enumerate(results):
        if r.energy_balance is not None:
            eb[at[i]:at[i + 1]] = np.asarray(r.energy_balance, dtype=float)
    data["energy_balance"] = eb
    meta = [{"n": n, "op": r.analysis == "op" and not isinstance(
                 next(iter(r.columns.values()), 0.0), np.ndarray),
             "columns": list(r.columns), "step": list(r.step),
             "energy_balance": r.energy_balance is not None,
             "fields": {f.name: _encode(getattr(r, f.name))
                        for f in dataclasses.fields(r) if f.name not in TABLE_FIELDS}}
            for n, r in zip(sizes, results)]
    table = pa.table({k: pa.array(v) for k, v in data.items()})
    return table.replace_schema_metadata({META: json.dumps(meta).encode()})


def from_table(table) -> List[AnalysisResult]:
    """The inverse of :func:`to_table`."""
    meta = json.loads(table.schema.metadata[META])
    arrays = {name: table.column(name).to_numpy() for name in table.column_names}
    out = []
    at = 0
    for m in meta:
        sl = slice(at, at + m["n"])
        at += m["n"]
        if m["op"]:
            columns: Dict[str, Any] = {c: float(arrays["col:" + c][sl][0]) for c in m["columns"]}
        else:
            columns = {c: arrays["col:" + c][sl].copy() for c in m["columns"]}
        step = {k: float(arrays["step:" + k][sl.start]) for k in m["step"]}
        eb = arrays["energy_balance"][sl].copy() if m["energy_balance"] else None
        fields = {k: _decode(v) for k, v in m["fields"].items()}
        out.append(AnalysisResult(columns=columns, converged=arrays["converged"][sl].copy(),
                                  energy_balance=eb, step=step, **fields))
    return out


def _encode(v):
    """A value as JSON that :func:`_decode` reads back exactly (arrays tagged)."""
    if isinstance(v, np.ndarray):
        return {"__ndarray__": v.dtype.str, "shape": list(v.shape), "data": v.ravel().tolist()}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {"__dict__": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return [_encode(x) for x in v]
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    raise TypeError(f"cannot keep a {type(v).__name__} in a checkpoint")


def _decode(v):
    if isinstance(v, dict) and "__ndarray__" in v:
        return np.array(v["data"], dtype=np.dtype(v["__ndarray__"])).reshape(v["shape"])
    if isinstance(v, dict) and "__dict__" in v:
        return {_decode(k): _decode(x) for k, x in v["__dict__"]}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v
