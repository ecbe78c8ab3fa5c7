"""Results -> table, JSON and CSV text; atomic output files (whole or not at all)."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import tempfile

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.types import Results


def _rows(r):
    cols = list(r.columns)
    if r.analysis == "op":
        return cols, [[r.columns[c] for c in cols]]
    n = len(next(iter(r.columns.values()))) if cols else 0
    return cols, [[r.columns[c][i] for c in cols] for i in range(n)]


def _fmt(v) -> str:
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return "nan" if not math.isfinite(v) else f"{v:.10g}"


def to_table(res: Results) -> str:
    out = []
    if res.title:
        out.append(res.title)
    for r in res.results:
        head = r.analysis + (f" over {r.swept}" if r.swept else "")
        if r.step:
            head += "  [" + ", ".join(f"{k}={v:g}" for k, v in r.step.items()) + "]"
        out.append("")
        out.append(head)
        cols, rows = _rows(r)
        widths = [max(16, len(c)) for c in cols]
        out.append("  ".join(c.rjust(w) for c, w in zip(cols, widths)))
        for row in rows:
            out.append("  ".join(_fmt(v).rjust(w) for v, w in zip(row, widths)))
        eb = np.asarray(r.energy_balance) if r.energy_balance is not None else np.array([])
        if eb.size and np.isfinite(eb).any():
            out.append(f"energy balance: max relative residual {np.nanmax(np.abs(eb)):.2g}")
        for f in r.failures:
            out.append(f"FAILED {f}")
        for fold in r.folds:
            out.append("FOLD at " + ", ".join(f"{k}={_fmt(v)}" for k, v in fold.items()))
        for w in r.warnings:
            out.append(f"WARNING {w}")
    return "\n".join(out) + "\n"


def to_json(res: Results) -> str:
    return json.dumps(res.to_json(), indent=1) + "\n"


def to_csv(res: Results) -> str:
    """One CSV block; step values and the analysis index as leading columns."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    step_names = []
    for r in res.results:
        for k in r.step:
            if k not in step_names:
                step_names.append(k)
    prev_cols = None       # a new header whenever the columns change
    for idx, r in enumerate(res.results):
        cols, rows = _rows(r)
        if cols != prev_cols:
            w.writerow(["analysis"] + step_names + cols + ["converged"])
            prev_cols = cols
        conv = list(r.converged)
        for i, row in enumerate(rows):
            w.writerow([f"{idx}:{r.analysis}"] + [_fmt(r.step.get(k, float("nan")))
                                                  for k in step_names]
                       + [_fmt(v) for v in row] + [int(bool(conv[i]))])
    return buf.getvalue()


FORMATS = {"table": to_table, "json": to_json, "csv": to_csv}
EXTENSIONS = {".json": "json", ".csv": "csv"}      # any other name: the table


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
    """Write ``data`` (text, UTF-8, or bytes) to ``path``, whole or not at all.

    A regular file (or a new one) is written through a temporary file in its folder and
    ``os.replace``, keeping an existing file's permissions (and owner, where allowed).  A
    symbolic link is followed: its target is written and the link stays.  A FIFO or a device
    (``/dev/null``, ``/dev/stdout``) is written in place, never replaced."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(real, "wb") as fh:
            fh.write(data)
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".thermnet-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
