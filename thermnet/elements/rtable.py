"""Tabulated resistance R(T): ``.model NAME rtable(T1 R1 T2 R2 ...)`` or
``rtable(file="rt.csv")``, used by a resistor ``RNAME N1 N2 NAME temp=NODE``.

A measured R(T) is interpolated by the monotone piecewise-cubic Hermite interpolant (PCHIP:
Fritsch & Carlson, SIAM J. Numer. Anal. 17, 238 (1980); scipy.interpolate.PchipInterpolator):
C1, exact at the points, monotone between monotone data and never overshooting a step such as
a superconducting transition (a not-a-knot cubic spline rings there and can turn R negative).
Outside the table R holds its end values (dR/dT = 0), as SPICE tables do (docs/devices.md).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from thermnet.elements.base import Model


class ResistanceTable(Model):
    type_name = "rtable"
    params = ()
    table_dimensions = ("temperature", "resistance")
    doc = "measured R(T): rtable(T1 R1 T2 R2 ...) or rtable(file=\"rt.csv\") (columns T, R), " \
        "monotone cubic (PCHIP) interpolation"

    @classmethod
    def form(cls) -> str:
        return 'rtable(T1 R1 T2 R2 ...)  or  rtable(file="rt.csv")'

    @classmethod
    def check_table(cls, table: Tuple[float, ...]) -> Optional[Tuple[int, str]]:
        T = table[0::2]
        if len(T) < 2:
            return 0, "rtable needs at least two points (T1 R1 T2 R2)"
        for i in range(1, len(T)):
            if not T[i] > T[i - 1]:
                return 2 * i, f"temperatures must increase: T{i + 1} = {T[i]:g} K after " \
                    f"T{i} = {T[i - 1]:g} K"
        return None

    def _interpolant(self):
        cached = self.__dict__.get("_pchip")
        if cached is None or cached[0] != self.table:
            from scipy.interpolate import PchipInterpolator
            T, R = np.array(self.table[0::2]), np.array(self.table[1::2])
            p = PchipInterpolator(T, R, extrapolate=False)
            cached = (self.table, p, p.derivative(), float(T[0]), float(T[-1]))
            self.__dict__["_pchip"] = cached
        return cached[1:]

    def resistance(self, T: float) -> float:
        """R (ohm) at temperature T: PCHIP inside the table, the end values outside."""
        p, _, lo, hi = self._interpolant()
        return float(p(min(max(T, lo), hi)))

    def resistance_derivative(self, T: float) -> float:
        """dR/dT (ohm/K): the PCHIP's derivative inside the table, 0 outside."""
        _, dp, lo, hi = self._interpolant()
        return float(dp(T)) if lo < T < hi else 0.0
