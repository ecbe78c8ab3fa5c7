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

    analysis: str                                  # "op" or "sweep"
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

    def to_json(self) -> dict:
        def clean(v):
            if isinstance(v, np.ndarray):
                return [None if not math.isfinite(x) else float(x) for x in v]
            return None if not math.isfinite(v) else float(v)
        out: Dict[str, Any] = {"analysis": self.analysis, "step": dict(self.step),
               "columns": {k: clean(v) for k, v in self.columns.items()},
               "converged": [bool(c) for c in self.converged] if self.analysis == "sweep"
               else bool(self.converged[0])}
        if self.failures:
            out["failures"] = [str(f) for f in self.failures]
        if self.energy_balance is not None:
            eb = clean(np.asarray(self.energy_balance))
            out["energy_balance"] = eb if self.analysis == "sweep" else eb[0]
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
        return out

    @classmethod
    def from_json(cls, doc: dict) -> "AnalysisResult":
        """The inverse of ``to_json`` (null -> NaN); keys beyond the contract are optional."""
        def num(v):
            return float("nan") if v is None else float(v)
        sweep = doc["analysis"] == "sweep"
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
                   list(doc.get("warnings", [])), doc.get("branch"))


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
