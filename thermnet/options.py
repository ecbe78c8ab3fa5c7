"""``.options`` keys: solver and integration settings, with defaults, meaning and the range
of valid values (docs/language.md, ``.options``)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional


@dataclass(frozen=True)
class Option:
    default: float
    dimension: str
    doc: str
    low: float          # valid values: low <= value <= high
    high: float

    def check(self, value: float) -> Optional[str]:
        """Why ``value`` is not a valid setting (e.g. "must be from 1 to 10000, got 0"), or
        None.  Used for ``.options`` cards and ``Netlist.set_option``."""
        if not math.isfinite(value):
            return f"must be a finite number, got {value}"
        if self.dimension == "count" and value != int(value):
            return f"must be a whole number, got {value:g}"
        if not self.low <= value <= self.high:
            return f"must be from {self.low:g} to {self.high:g}, got {value:g}"
        return None


OPTIONS: Dict[str, Option] = {
    "reltol": Option(1e-10, "dimensionless",
                     "steady state: net heat into each free node below reltol times the sum of "
                     "the magnitudes of the heat flows at that node", 1e-15, 1e-3),
    "abstol": Option(1e-24, "power", "steady state: absolute floor of the net-heat tolerance, W",
                     0.0, 1e-15),
    "maxiter": Option(60, "count", "Newton iterations per attempt", 1, 10000),
    "photon_rtol": Option(1e-8, "dimensionless",
                          "relative accuracy of the photonic frequency integrals (energy grid "
                          "refined until the heat changes by less than this)", 1e-14, 1e-2),
    "photon_nodes": Option(0, "count",
                           "fix the number of photon-energy nodes (0: choose automatically "
                           "from photon_rtol)", 0, 1e6),
    "taufmin": Option(0.0, "frequency", "TAU(A,B) window: lowest photon frequency, Hz",
                      0.0, 1e15),
    "taufmax": Option(0.0, "frequency",
                      "TAU(A,B) window: highest photon frequency, Hz (0: 2*Delta0/h of the "
                      "link's superconductor)", 0.0, 1e15),
    "exact": Option(0, "count",
                    "1: evaluate superconducting kernels by direct quadrature instead of "
                    "cached tables (slow; for checking)", 0, 1),
    "trtol": Option(1e-7, "dimensionless",
                    ".tran: relative local error per step of the temperatures (absolute: trtol "
                    "times the lowest starting temperature)", 1e-12, 1e-2),
    "progress": Option(1, "count",
                       "1: one progress bar on stderr over the run (CLI; run(progress=True)); "
                       "0: none", 0, 1),
}


def option_form() -> str:
    return ".options " + " ".join(f"{k}=..." for k in OPTIONS)


def window_problem(options: Dict[str, float]) -> Optional[str]:
    """Why the TAU window taufmin..taufmax is empty, or None (taufmax 0: the default)."""
    lo, hi = options["taufmin"], options["taufmax"]
    if hi > 0 and not lo < hi:
        return f"taufmin ({lo:g} Hz) must be below taufmax ({hi:g} Hz)"
    return None
