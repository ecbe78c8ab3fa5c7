"""Time-dependent values of heaters and temperature sources for ``.tran`` (SPICE's independent
source functions; ngspice manual, Sec. 4.1 "Pulse", "Sinusoidal", "Piece-Wise Linear").

Each waveform gives its value at a time and its breakpoints (corners), where the transient
integrator stops and restarts so that no step straddles a kink.  Differences from SPICE: an
omitted rise or fall time is 0 (an ideal step; SPICE takes TSTEP), an omitted width or period
is infinite (one pulse).  The value at t = 0 is the source's value for ``.op`` and ``.sweep``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Tuple


@dataclass(frozen=True)
class Pulse:
    """PULSE(P1 P2 TD TR TF PW PER): P1 until TD, a linear rise over TR to P2, P2 for PW, a
    linear fall over TF back to P1, repeated every PER."""

    p1: float
    p2: float
    td: float = 0.0
    tr: float = 0.0
    tf: float = 0.0
    pw: float = math.inf
    per: float = math.inf

    def value(self, t: float) -> float:
        if t < self.td:
            return self.p1
        s = t - self.td
        if math.isfinite(self.per):
            s = math.fmod(s, self.per)
        if s < self.tr:
            return self.p1 + (self.p2 - self.p1) * s / self.tr
        s -= self.tr
        if s < self.pw:
            return self.p2
        s -= self.pw
        if s < self.tf:
            return self.p2 + (self.p1 - self.p2) * s / self.tf
        return self.p1

    def breakpoints(self, t0: float, t1: float) -> List[float]:
        corners = (0.0, self.tr, self.tr + self.pw, self.tr + self.pw + self.tf)
        out: List[float] = []
        k = 0
        while True:
            start = self.td + k * (self.per if math.isfinite(self.per) else 0.0)
            if start > t1 or (k > 0 and not math.isfinite(self.per)):
                break
            out += [start + c for c in corners if t0 <= start + c <= t1]
            k += 1
        return out

    def extremes(self) -> Tuple[float, float]:
        return min(self.p1, self.p2), max(self.p1, self.p2)


@dataclass(frozen=True)
class Sine:
    """SIN(P0 PA FREQ [TD [THETA]]): P0 until TD, then P0 + PA e^(-THETA (t-TD))
    sin(2 pi FREQ (t - TD))."""

    p0: float
    pa: float
    freq: float
    td: float = 0.0
    theta: float = 0.0

    def value(self, t: float) -> float:
        if t < self.td:
            return self.p0
        s = t - self.td
        return self.p0 + self.pa * math.exp(-self.theta * s) * math.sin(2 * math.pi *
                                                                         self.freq * s)

    def breakpoints(self, t0: float, t1: float) -> List[float]:
        return [self.td] if t0 <= self.td <= t1 else []

    def extremes(self) -> Tuple[float, float]:
        return self.p0 - abs(self.pa), self.p0 + abs(self.pa)


@dataclass(frozen=True)
class Pwl:
    """PWL(t1 v1 t2 v2 ...): linear between the points, v1 before t1, the last value after."""

    times: Tuple[float, ...]
    values: Tuple[float, ...]

    def value(self, t: float) -> float:
        ts, vs = self.times, self.values
        if t <= ts[0]:
            return vs[0]
        for k in range(1, len(ts)):
            if t <= ts[k]:
                if ts[k] == ts[k - 1]:
                    return vs[k]
                return vs[k - 1] + (vs[k] - vs[k - 1]) * (t - ts[k - 1]) / (ts[k] - ts[k - 1])
        return vs[-1]

    def breakpoints(self, t0: float, t1: float) -> List[float]:
        return [t for t in self.times if t0 <= t <= t1]

    def extremes(self) -> Tuple[float, float]:
        return min(self.values), max(self.values)


# name -> (class, fields as (name, "value"|"time"|"frequency"|"rate", required))
FORMS = {
    "PULSE": (Pulse, (("P1", "value", True), ("P2", "value", True), ("TD", "time", False),
                      ("TR", "time", False), ("TF", "time", False), ("PW", "time", False),
                      ("PER", "time", False))),
    "SIN": (Sine, (("P0", "value", True), ("PA", "value", True),
                   ("FREQ", "frequency", True), ("TD", "time", False),
                   ("THETA", "rate", False))),
    "PWL": (Pwl, ()),
}
USAGE = "PULSE(P1 P2 TD TR TF PW PER), SIN(P0 PA FREQ [TD [THETA]]) or PWL(t1 v1 t2 v2 ...)"


def build(name: str, values: List[float]):
    """The waveform ``name`` (upper case) from its evaluated arguments; ValueError says
    what is wrong."""
    cls, fields = FORMS[name]
    if name == "PWL":
        if len(values) < 2 or len(values) % 2:
            raise ValueError("PWL needs pairs of time and value: PWL(t1 v1 t2 v2 ...)")
        times, vals = tuple(values[0::2]), tuple(values[1::2])
        if any(t < 0 for t in times) or any(b < a for a, b in zip(times, times[1:])):
            raise ValueError("PWL times must be >= 0 and non-decreasing")
        return Pwl(times, vals)
    need = sum(1 for f in fields if f[2])
    if not need <= len(values) <= len(fields):
        raise ValueError(f"{name} takes {need} to {len(fields)} values, got {len(values)}")
    for (fname, kind, _), v in zip(fields, values):
        if kind in ("time", "rate") and v < 0:
            raise ValueError(f"{name} {fname} must be >= 0, got {v:g}")
        if fname in ("PW", "PER", "FREQ") and v == 0:
            raise ValueError(f"{name} {fname} must be positive")
    wf = cls(*values)
    if isinstance(wf, Pulse) and math.isfinite(wf.per) and wf.per < wf.tr + wf.pw + wf.tf:
        raise ValueError(f"PULSE period {wf.per:g} is shorter than TR + PW + TF")
    return wf
