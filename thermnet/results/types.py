"""Results of analyses: one ``AnalysisResult`` per analysis and ``.step`` value."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np


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
        def clean(v):
            if isinstance(v, np.ndarray):
                return [None if not math.isfinite(x) else float(x) for x in v]
            return None if not math.isfinite(v) else float(v)
        out: Dict[str, Any] = {"analysis": self.analysis, "step": dict(self.step),
               "columns": {k: clean(v) for k, v in self.columns.items()},
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
        if self.measures:
            out["measures"] = {k: clean(v) for k, v in self.measures.items()}
        if self.measure_failures:
            out["measure_failures"] = dict(self.measure_failures)
        if self.measure_dimensions:
            out["measure_dimensions"] = dict(self.measure_dimensions)
        out.update(self.extras)
        return out

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
                   {k: num(v) for k, v in doc.get("measures", {}).items()},
                   dict(doc.get("measure_failures", {})),
                   dict(doc.get("measure_dimensions", {})),
                   {k: v for k, v in doc.items() if k not in _KEYS})


_KEYS = {"analysis", "step", "columns", "converged", "failures", "energy_balance", "sweep",
         "dimensions", "measures", "measure_failures", "measure_dimensions"}


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

    def __getitem__(self, i) -> AnalysisResult:
        return self.results[i]

    def __len__(self):
        return len(self.results)
