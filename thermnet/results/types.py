"""Results of analyses: one ``AnalysisResult`` per analysis and ``.step`` value."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np

from thermnet.errors import FailedMeasureWarning, FailedPointsWarning


def _fold(name: str) -> str:
    return "".join(name.split()).casefold()


def _has(columns, name: str) -> bool:
    return any(_fold(k) == _fold(name) for k in columns)


def column_key(columns, name: str) -> str:
    """The key of ``columns`` that is ``name`` case-insensitively (spaces ignored)."""
    if name in columns:
        return name
    for k in columns:
        if _fold(k) == _fold(name):
            return k
    raise KeyError(f"no column '{name}'; the columns are: {', '.join(columns)}")


def union_keys(dicts) -> list:
    """The keys of ``dicts``, each once, in the order first seen."""
    out: dict = {}
    for d in dicts:
        out.update(dict.fromkeys(d))
    return list(out)


@dataclass
class AnalysisResult:
    """Columns of one analysis.  For ``op`` each column is a float; for a sweep, a numpy
    array over the sweep points (NaN where the point failed), the swept name first."""

    analysis: str                                  # "op", "sweep", "tran", "ac", "noise"
    step: Dict[str, float]
    columns: Dict[str, Any]
    converged: np.ndarray                          # bool per point (one for op)
    failures: List[str] = field(default_factory=list)     # "point k (NAME=v): reason"
    energy_balance: Optional[np.ndarray] = None    # relative residual per point
    swept: Optional[str] = None
    # Beyond the JSON contract, for plots: the sweep's {"name", "spacing" (lin|log|list),
    # "kind" (source|param), "dimension"} and the dimension (a key of units.DIMENSIONS, or a
    # ratio such as "temperature/power" for D()) of every column and .step name.
    sweep: Optional[dict] = None
    dimensions: Dict[str, str] = field(default_factory=dict)
    # Branches (solve/folds.py): every fold the analysis met, {swept name: value, column:
    # value, ...}; the warnings (jumps, folds of the .op ramp); for a trace, the branch index
    # of every point (0, then +1 after each fold) and its kind (grid, fold, step).
    folds: List[Dict[str, float]] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    branch: Optional[Dict[str, list]] = None
    # .measure results of this analysis (solve/measure.py): NAME -> value (NaN where the
    # measurement failed), NAME -> why it failed, NAME -> dimension where known
    measures: Dict[str, float] = field(default_factory=dict)
    measure_failures: Dict[str, str] = field(default_factory=dict)
    measure_dimensions: Dict[str, str] = field(default_factory=dict)
    # further results of the analysis, as JSON values under their own keys: "time_constants"
    # (.ac, s), "energy" (.tran: heater energy, stored heat, heat into baths, J)
    extras: Dict[str, Any] = field(default_factory=dict)

    @property
    def series(self) -> bool:
        """Columns over points (every analysis but op)."""
        return self.analysis != "op"

    def to_json(self) -> dict:
        def clean(v, boolean=False):
            if isinstance(v, np.ndarray):
                return [clean(x, boolean) for x in v]
            if not math.isfinite(v):
                return None
            return bool(v) if boolean else float(v)
        out: Dict[str, Any] = {"analysis": self.analysis, "step": dict(self.step),
               "columns": {k: clean(v, self.dimensions.get(k) == "boolean")
                           for k, v in self.columns.items()},
               "converged": [bool(c) for c in self.converged] if self.series
               else bool(self.converged[0])}
        if self.failures:
            out["failures"] = [str(f) for f in self.failures]
        if self.energy_balance is not None:
            eb = clean(np.asarray(self.energy_balance))
            out["energy_balance"] = eb if self.series else eb[0]
        if self.sweep:
            out["sweep"] = dict(self.sweep)
        if self.dimensions:
            out["dimensions"] = dict(self.dimensions)
        if self.folds or self.analysis == "sweep":
            out["folds"] = [{k: clean(v) for k, v in f.items()} for f in self.folds]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.branch:
            out["branch"] = {k: list(v) for k, v in self.branch.items()}
        if self.measures:
            out["measures"] = {k: clean(v) for k, v in self.measures.items()}
        if self.measure_failures:
            out["measure_failures"] = dict(self.measure_failures)
        if self.measure_dimensions:
            out["measure_dimensions"] = dict(self.measure_dimensions)
        out.update(self.extras)
        return out

    def __getitem__(self, name: str):
        """A column by name, case-insensitively: ``r["t(d)"]`` is ``r.columns["T(D)"]``."""
        return self.columns[column_key(self.columns, name)]

    @classmethod
    def from_json(cls, doc: dict) -> "AnalysisResult":
        """The inverse of ``to_json`` (null -> NaN); keys beyond the contract are optional."""
        def num(v):
            return float("nan") if v is None else float(v)
        sweep = doc["analysis"] != "op"
        columns = {k: np.array([num(x) for x in v]) if sweep else num(v)
                   for k, v in doc["columns"].items()}
        n = len(next(iter(columns.values()))) if sweep and columns else 1
        conv = doc.get("converged")
        if conv is None:
            conv = [True] * n
        converged = np.array(conv if isinstance(conv, list) else [conv], dtype=bool)
        eb = doc.get("energy_balance")
        if eb is not None:
            eb = np.array([num(x) for x in (eb if isinstance(eb, list) else [eb])])
        info = doc.get("sweep")
        swept = info.get("name") if isinstance(info, dict) else None
        if sweep and swept is None and columns:
            swept = next(iter(columns))            # the swept name comes first
        return cls(doc["analysis"], {k: float(v) for k, v in doc.get("step", {}).items()},
                   columns, converged, list(doc.get("failures", [])), eb, swept,
                   dict(info) if isinstance(info, dict) else None,
                   dict(doc.get("dimensions", {})),
                   [{k: num(v) for k, v in f.items()} for f in doc.get("folds", [])],
                   list(doc.get("warnings", [])), doc.get("branch"),
                   {k: num(v) for k, v in doc.get("measures", {}).items()},
                   dict(doc.get("measure_failures", {})),
                   dict(doc.get("measure_dimensions", {})),
                   {k: v for k, v in doc.items() if k not in _KEYS})


_KEYS = {"analysis", "step", "columns", "converged", "failures", "energy_balance", "sweep",
         "dimensions", "measures", "measure_failures", "measure_dimensions", "folds",
         "warnings", "branch"}


@dataclass
class Results:
    title: str
    results: List[AnalysisResult]

    @property
    def ok(self) -> bool:
        return all(bool(np.all(r.converged)) for r in self.results)

    def to_json(self) -> dict:
        return {"title": self.title, "results": [r.to_json() for r in self.results]}

    @classmethod
    def from_json(cls, doc: dict) -> "Results":
        return cls(doc.get("title", ""), [AnalysisResult.from_json(r) for r in doc["results"]])

    def __getitem__(self, key):
        """``res[i]``: the i-th AnalysisResult.  ``res["T(D)"]`` (any case, spaces ignored):
        that column, of the only analysis there is, or stacked over the analyses that have
        it (one row each, e.g. per ``.step`` value) when they are of one length."""
        if not isinstance(key, str):
            return self.results[key]
        having = [r for r in self.results if _has(r.columns, key)]
        if not having:
            known = union_keys(r.columns for r in self.results)
            raise KeyError(f"no column '{key}'; the columns are: {', '.join(known)}")
        if len(having) == 1:
            return having[0][key]
        columns = [np.atleast_1d(np.asarray(r[key], dtype=float)) for r in having]
        if len({c.shape for c in columns}) != 1:
            raise KeyError(f"'{key}' has a different length in each analysis; take it from "
                           "one (res[i][NAME]) or use res.to_dataframe()")
        return np.array(columns) if columns[0].size > 1 else np.concatenate(columns)

    def to_dataframe(self):
        """A tidy pandas DataFrame, one row per point (``thermnet.results.frames``)."""
        from thermnet.results.frames import to_dataframe
        return to_dataframe(self)

    def to_xarray(self, analysis: Optional[int] = None):
        """An xarray Dataset over the ``.step`` and swept variables
        (``thermnet.results.frames``)."""
        from thermnet.results.frames import to_xarray
        return to_xarray(self, analysis)

    def warn_failures(self, stacklevel: int = 2) -> None:
        """A ``FailedPointsWarning`` naming the failed points, and a ``FailedMeasureWarning``
        naming the failed .measure cards, if any."""
        measures = [f"{k} ({r.analysis}" + "".join(f" {n}={v:g}" for n, v in r.step.items())
                    + f"): {why}" for r in self.results for k, why in r.measure_failures.items()]
        if measures:
            shown = "; ".join(measures[:3]) + (f"; ... ({len(measures)} in all)"
                                               if len(measures) > 3 else "")
            warnings.warn(f"{len(measures)} .measure(s) failed (NaN in the results): {shown}",
                          FailedMeasureWarning, stacklevel=stacklevel + 1)
        failures = [f for r in self.results for f in r.failures]
        if not self.ok:
            shown = "; ".join(failures[:3]) + (f"; ... ({len(failures)} in all)"
                                                if len(failures) > 3 else "")
            warnings.warn(f"{len(failures) or 'some'} point(s) failed (NaN in the results): "
                          f"{shown}", FailedPointsWarning, stacklevel=stacklevel + 1)

    def __len__(self):
        return len(self.results)
