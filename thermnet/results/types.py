"""Results of analyses: one ``AnalysisResult`` per analysis and ``.step`` value."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np


@dataclass
class AnalysisResult:
    """Columns of one analysis.  For ``op`` each column is a float; for a sweep, a numpy
    array over the sweep points (NaN where the point failed), the swept name first."""

    analysis: str                                  # "op" or "sweep"
    step: Dict[str, float]
    columns: Dict[str, object]
    converged: np.ndarray                          # bool per point (one for op)
    failures: List[str] = field(default_factory=list)     # "point k (NAME=v): reason"
    energy_balance: np.ndarray = None              # relative residual per point
    swept: Optional[str] = None

    def to_json(self) -> dict:
        def clean(v):
            if isinstance(v, np.ndarray):
                return [None if not math.isfinite(x) else float(x) for x in v]
            return None if not math.isfinite(v) else float(v)
        out = {"analysis": self.analysis, "step": dict(self.step),
               "columns": {k: clean(v) for k, v in self.columns.items()},
               "converged": [bool(c) for c in self.converged] if self.analysis == "sweep"
               else bool(self.converged[0])}
        if self.failures:
            out["failures"] = list(self.failures)
        if self.energy_balance is not None:
            eb = clean(np.asarray(self.energy_balance))
            out["energy_balance"] = eb if self.analysis == "sweep" else eb[0]
        return out


@dataclass
class Results:
    title: str
    results: List[AnalysisResult]

    @property
    def ok(self) -> bool:
        return all(bool(np.all(r.converged)) for r in self.results)

    def to_json(self) -> dict:
        return {"title": self.title, "results": [r.to_json() for r in self.results]}

    def __getitem__(self, i) -> AnalysisResult:
        return self.results[i]

    def __len__(self):
        return len(self.results)
