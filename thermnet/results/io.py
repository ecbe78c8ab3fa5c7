"""Results -> table, JSON and CSV text; atomic output files (whole or not at all)."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import tempfile
from typing import Callable, Dict, Iterable, Iterator, List, Union

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.frames import long_table, to_netcdf_bytes
from thermnet.results.types import AnalysisResult, Results
from thermnet.units import engineering


def _rows(r):
    cols = list(r.columns)
    if not r.series:
        return cols, [[r.columns[c] for c in cols]]
    n = len(next(iter(r.columns.values()))) if cols else 0
    return cols, [[r.columns[c][i] for c in cols] for i in range(n)]


def _fmt(v) -> str:
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return "nan" if not math.isfinite(v) else f"{v:.10g}"


def to_table(res: Results, si: bool = False) -> str:
    """The human table: engineering notation with units (``125.63 mK``, ``3.94 fW``, from
    each column's dimension), or with ``si`` plain SI numbers to 10 digits."""
    def show(v, dimension):
        return _fmt(v) if si else engineering(v, dimension)
    out = []
    if res.title:
        out.append(res.title)
    for r in res.results:
        head = r.analysis + (f" over {r.swept}" if r.swept else "")
        if r.step:
            head += "  [" + ", ".join(f"{k}={show(v, r.dimensions.get(k))}"
                                      for k, v in r.step.items()) + "]"
        out.append("")
        out.append(head)
        cols, rows = _rows(r)
        dims = [r.dimensions.get(c) for c in cols]
        cells = [[show(v, d) for v, d in zip(row, dims)] for row in rows]
        widths = [max([16, len(c)] + [len(row[j]) for row in cells])
                  for j, c in enumerate(cols)]
        out.append("  ".join(c.rjust(w) for c, w in zip(cols, widths)))
        for row in cells:
            out.append("  ".join(v.rjust(w) for v, w in zip(row, widths)))
        eb = np.asarray(r.energy_balance) if r.energy_balance is not None else np.array([])
        if eb.size and np.isfinite(eb).any():
            out.append(f"energy balance: max relative residual {np.nanmax(np.abs(eb)):.2g}")
        for key, value in r.extras.items():
            out.append(f"{key.replace('_', ' ')}: {_extra(value)}")
        for f in r.failures:
            out.append(f"FAILED {f}")
        for fold in r.folds:
            out.append("FOLD at " + ", ".join(f"{k}={_fmt(v)}" for k, v in fold.items()))
        for w in r.warnings:
            out.append(f"WARNING {w}")
        out.extend(_measure_lines(r))
    return "\n".join(out) + "\n"


def _extra(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_extra(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(_extra(v) for v in value)
    return _fmt(value) if isinstance(value, float) else str(value)


def _measure_lines(r) -> list:
    """The .measure section of one analysis: NAME = value unit, or FAILED and why."""
    if not r.measures:
        return []
    from thermnet.units import PLOT_SYMBOLS
    width = max(len(k) for k in r.measures)
    lines = ["measures"]
    for k, v in r.measures.items():
        if k in r.measure_failures:
            lines.append(f"  {k.ljust(width)} = FAILED: {r.measure_failures[k]}")
            continue
        unit = PLOT_SYMBOLS.get(r.measure_dimensions.get(k, ""), "")
        lines.append(f"  {k.ljust(width)} = {_fmt(v)}" + (f" {unit}" if unit else ""))
    return lines


def to_json(res: Results) -> str:
    return json.dumps(res.to_json(), indent=1) + "\n"


def to_csv(res: Results) -> str:
    """One table with one header (``pandas.read_csv`` reads it): the long table of
    ``frames.long_table`` (a row per point; ``analysis`` as ``INDEX:KIND``, the ``.step``
    values, the union of every analysis's columns, empty where an analysis has no such
    column, ``nan`` where a point failed; ``converged`` 1/0), numbers to 10 digits."""
    return "".join(csv_pieces([res.results]))


def csv_pieces(chunks: Iterable[List[AnalysisResult]]) -> Iterator[str]:
    """:func:`to_csv`'s text, one piece per chunk of results (a checkpointed family is
    written chunk by chunk, results/stream.py).  The header is the first chunk's: every
    chunk of a family holds the same analyses, hence the same columns."""
    header = None
    offset = 0
    for chunk in chunks:
        if not chunk:
            continue
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        steps, columns, head, rows = long_table(Results("", chunk))
        if header is None:
            header = head
            w.writerow(head)
        elif head != header:
            raise ValueError("a chunk of results with other columns than the first")
        present = [{c for c in r.columns} for r in chunk]
        for row in rows:
            idx, kind = row[0].split(":")
            values = row[1 + len(steps):-1]
            w.writerow([f"{offset + int(idx)}:{kind}"]
                       + [_fmt(v) for v in row[1:1 + len(steps)]]
                       + [_fmt(v) if c in present[int(idx)] else ""
                          for c, v in zip(columns, values)]
                       + [int(row[-1])])
        offset += len(chunk)
        yield buf.getvalue()


FORMATS: Dict[str, Callable[[Results], Union[str, bytes]]] = {
    "table": to_table, "json": to_json, "csv": to_csv, "netcdf": to_netcdf_bytes}
# any other name (.txt, .table): the table; netCDF needs xarray (the [data] extra)
EXTENSIONS = {".json": "json", ".csv": "csv", ".nc": "netcdf"}


def format_for(path) -> str:
    """The output format a file name asks for: .json, .csv, else the table."""
    return EXTENSIONS.get(os.path.splitext(path or "")[1].lower(), "table")


class OutputError(ThermnetError):
    """An output file that cannot be written: which, why, what to do."""

    def __init__(self, path: str, why: str, hint: str = ""):
        self.path, self.why = path, why
        super().__init__(f"error: cannot write '{path}': {why}" + (f"\n  {hint}" if hint else ""))


def check_target(path: str, protect=()) -> None:
    """Raise OutputError unless ``path`` can take an output file, before anything is
    computed: its folder exists and takes a new file, it is not a directory, not one of the
    files ``protect`` (the input netlist), and a FIFO or device there is writable."""
    real = os.path.realpath(path)          # through symlinks, to what will be written
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(path, exc.strerror or str(exc)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(path, "it is a directory", "give a file name, e.g. -o DIR/out.txt")
    for p in protect:
        try:
            if st is not None and os.path.samestat(st, os.stat(p)):
                raise OutputError(path, f"it is the input netlist '{p}'",
                                  "choose another output file")
        except FileNotFoundError:
            pass
    if st is not None and not stat.S_ISREG(st.st_mode):      # FIFO, device: written in place
        if stat.S_ISSOCK(st.st_mode) or not os.access(real, os.W_OK):
            raise OutputError(path, "it is not a writable file")
        return
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise OutputError(path, f"the folder '{os.path.dirname(path) or '.'}' does not exist",
                          "create it first")
    if st is not None and not os.access(real, os.W_OK):
        raise OutputError(path, "the file is read-only", "make it writable or choose another")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".thermnet-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(path, f"cannot create a file in '{os.path.dirname(path) or '.'}' "
                          f"({exc.strerror or exc})") from None


def write_atomic(path: str, data) -> None:
    """Write ``data`` (text, UTF-8, or bytes, or an iterable of pieces of either) to
    ``path``, whole or not at all.

    A regular file (or a new one) is written through a temporary file in its folder and
    ``os.replace``, keeping an existing file's permissions (and owner, where allowed).  A
    symbolic link is followed: its target is written and the link stays.  A FIFO or a device
    (``/dev/null``, ``/dev/stdout``) is written in place, never replaced."""
    pieces = [data] if isinstance(data, (str, bytes)) else data
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(real, "wb") as fh:
            _write_pieces(fh, pieces)
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".thermnet-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_pieces(fh, pieces)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass                       # not allowed: the file becomes ours
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)      # mkstemp's 0600 is for secrets, not results
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_pieces(fh, pieces) -> None:
    for piece in pieces:
        fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
