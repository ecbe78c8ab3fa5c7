"""Results -> table, JSON and CSV text; atomic output files (whole or not at all)."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile

import numpy as np

from thermnet.results.types import Results


def _rows(r):
    cols = list(r.columns)
    if r.analysis == "op":
        return cols, [[r.columns[c] for c in cols]]
    n = len(next(iter(r.columns.values()))) if cols else 0
    return cols, [[r.columns[c][i] for c in cols] for i in range(n)]


def _fmt(v) -> str:
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


def write_atomic(path: str, data) -> None:
    """Write ``data`` (text, UTF-8, or bytes) to ``path`` through a temporary file in the
    same directory and ``os.replace``: whole or not at all."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".thermnet-", suffix=".tmp")
    try:
        if isinstance(data, str):
            data = data.encode("utf-8")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # mkstemp's 0600 is for secrets, not results
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
