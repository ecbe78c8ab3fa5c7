"""``.options`` keys: solver and integration settings, with defaults and meaning."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class Option:
    default: float
    dimension: str
    doc: str


OPTIONS: Dict[str, Option] = {
    "reltol": Option(1e-10, "dimensionless",
                     "steady state: net heat into each free node below reltol times the sum of "
                     "the magnitudes of the heat flows at that node"),
    "abstol": Option(1e-24, "power", "steady state: absolute floor of the net-heat tolerance, W"),
    "maxiter": Option(60, "count", "Newton iterations per attempt"),
    "photon_rtol": Option(1e-8, "dimensionless",
                          "relative accuracy of the photonic frequency integrals (energy grid "
                          "refined until the heat changes by less than this)"),
    "photon_nodes": Option(0, "count",
                           "fix the number of photon-energy nodes (0: choose automatically "
                           "from photon_rtol)"),
    "taufmin": Option(0.0, "any", "TAU(A,B) window: lowest photon frequency, Hz"),
    "taufmax": Option(0.0, "any",
                      "TAU(A,B) window: highest photon frequency, Hz (0: 2*Delta0/h of the "
                      "link's superconductor)"),
    "exact": Option(0, "count",
                    "1: evaluate superconducting kernels by direct quadrature instead of "
                    "cached tables (slow; for checking)"),
    "progress": Option(1, "count", "1: progress bar on stderr for long sweeps (CLI)"),
}


def option_form() -> str:
    return ".options " + " ".join(f"{k}=..." for k in OPTIONS)
