"""Branches of steady states in the analyses: folds and jumps of a plain ``.sweep``, the
``trace`` continuation, and the ramp that defines ``.op``.

- A plain sweep solves its points one by one (warm-started).  Every pair of neighbouring
  points is then checked: each point's tangent dT/dlam (the implicit function theorem, from
  the analytic Jacobian) predicts the other; where the prediction misses, or det(dF/dT)
  changes sign, the branch of the earlier point is followed by pseudo-arclength
  continuation (:mod:`solve.continuation`) towards the later one.  If it turns back first, the
  turning point is a fold: located, reported, and the sweep's step to the next point is a
  jump to another branch.  If it arrives elsewhere than the solver did, the solver had left
  the branch without a fold: the point is replaced by the branch's own.
- ``trace`` follows the branch through its folds (continuation.Tracer.trace).
- ``.op`` is the state an experiment reaches by ramping the heaters and sources from the
  bath state (continuation.RampFamily); a fold on the way is a jump, reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.model.balance import HeatBalance
from thermnet.netlist.elaborate import Target
from thermnet.solve.continuation import (
    BranchPoint,
    ContinuationFailed,
    Event,
    RampFamily,
    Trace,
    Tracer,
    consistent,
)
from thermnet.solve.steady import SolverMemory, _Failed, _newton, _uniform_guess

PARAM_REL = 1e-6       # dF/dp of a .param: relative step of the central difference
SAME_STATE = 1e-5      # |ln T| within which two solutions are the same state
MAX_JUMPS = 20         # folds the .op ramp may pass


def parameter_derivative(bal: HeatBalance, T: np.ndarray, target: Target,
                         rebound: Callable[[float], HeatBalance], v0: float,
                         dnet: np.ndarray) -> np.ndarray:
    """dF/dp of the free nodes at the state T (all nodes): a heater's unit power at its
    node, a temperature source's column of the Jacobian ``dnet`` (dF/dT, all nodes), a
    .param's central difference of F at fixed free temperatures (``rebound(v)``: the
    balance with the parameter at v, the temperature sources it may set moving with it; step
    PARAM_REL |p|, or PARAM_REL where p = 0; bound back to v0)."""
    free = bal.free
    if target.kind == "param":
        step = PARAM_REL * (abs(v0) if v0 != 0 else 1.0)
        hi = _flows_with_sources(rebound(v0 + step), T)
        lo = _flows_with_sources(rebound(v0 - step), T)
        rebound(v0)
        return (hi - lo)[free] / (2 * step)
    if target.key in bal.heater_keys:
        dF = np.zeros(len(T))
        np.add.at(dF, bal.heater_idx[[k == target.key for k in bal.heater_keys]], 1.0)
        return dF[free]
    node = bal.fixed[bal.source_keys.index(target.key)]
    return dnet[free, node]


def _flows_with_sources(bal: HeatBalance, T: np.ndarray) -> np.ndarray:
    """Net heats at the free temperatures of T with the temperature sources at the balance's
    current values (a .param may set a source's temperature: T0=30mK, TC c {T0})."""
    T = T.copy()
    T[bal.fixed] = bal.source_T
    return bal.flows(T)[0]


class SweepFamily:
    """The balances along a sweep of ``target`` (a source or .param): ``at(v)`` gives the
    balance with the target at v (solve.analysis.Context.with_values)."""

    def __init__(self, bal: HeatBalance, at: Callable[[float], HeatBalance], target: Target):
        self.bal = bal                 # the one balance object, re-valued by at()
        self.at = at
        self.target = target

    def _bal(self, lam: float) -> HeatBalance:
        self.at(lam)           # cheap when nothing changes (Context.balance keeps its binding)
        return self.bal

    def full(self, x, lam):
        return self._bal(lam).full(np.exp(x))

    def residual(self, x, lam):
        return self._bal(lam).residual(np.exp(x))

    def jacobian(self, x, lam, T=None):
        bal = self._bal(lam)
        T = bal.full(np.exp(x)) if T is None else T
        net, mag, dnet, _ = bal.flows(T, derivatives=True)
        f = bal.free
        dF = parameter_derivative(bal, T, self.target, self._rebound, lam, dnet)
        return net[f], mag[f], dnet[np.ix_(f, f)] * np.exp(x)[None, :], dF

    def _rebound(self, v: float) -> HeatBalance:
        return self.at(v)


def det_sign(p: BranchPoint) -> float:
    """Sign of det(dF/dx): changes at a fold (and at a branch point)."""
    return float(np.linalg.slogdet(p.Fx)[0])


# ---- plain sweeps ----------------------------------------------------------------------------
@dataclass
class SweepCheck:
    folds: List[Tuple[int, BranchPoint]] = field(default_factory=list)   # (after point i, fold)
    jumps: List[str] = field(default_factory=list)
    replaced: Dict[int, np.ndarray] = field(default_factory=dict)     # point -> T (all nodes)
    notes: List[str] = field(default_factory=list)


class SweepChecker:
    """Folds and jumps between the converged points of a plain sweep (see the module
    docstring).  ``add`` takes each point as the sweep solves it, in sweep order, and
    computes its tangent at once: the derivatives of the heat balance there are then still
    those of the point's own D() columns (HeatBalance.flows keeps the last), so a sweep that
    prints D() pays for one derivative evaluation per point, not two.  ``finish`` compares
    the neighbours."""

    def __init__(self, family: SweepFamily, span: float, name: str,
                 fmt: Callable[[float], str]):
        self.family, self.name, self.fmt = family, name, fmt
        self.tracer = Tracer(family, span, max_miss=STEP_MAX_MISS, min_cos=STEP_MIN_COS)
        self.points: List[Tuple[int, Optional[BranchPoint]]] = []
        self.out = SweepCheck()

    def add(self, i: int, lam: float, T: np.ndarray) -> Optional[BranchPoint]:
        """The converged point i of the sweep, at the target's value lam, with the
        temperatures T of every node (the balance bound to lam); returns its branch point
        (None where it has no tangent)."""
        bal = self.family.bal
        if len(bal.free) == 0:
            return None
        prev = next((p for _, p in reversed(self.points) if p is not None), None)
        direction = 1.0 if prev is None else np.sign(lam - prev.lam) or 1.0
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise"):
                p: Optional[BranchPoint] = self.tracer.start(np.log(T[bal.free]), lam,
                                                             direction, T)
        except (ContinuationFailed, ThermnetError, ArithmeticError, ValueError) as exc:
            self.out.notes.append(f"point {i} ({self.name}={self.fmt(lam)}): no tangent "
                                  f"({exc}); the branch is not checked there")
            p = None
        self.points.append((i, p))
        return p

    def finish(self) -> SweepCheck:
        """Compare each pair of neighbouring points; follow the branch where they may not
        be neighbours on one branch."""
        out = self.out
        prev: Optional[BranchPoint] = None
        prev_i = -1
        for i, p in self.points:
            if p is not None and prev is not None and _suspicious(prev, p, self.tracer.L):
                try:
                    p = _follow(self.tracer, prev, prev_i, p, i, self.name, self.fmt, out)
                except ContinuationFailed as exc:
                    out.notes.append(f"between points {prev_i} and {i} ({self.name} = "
                                     f"{self.fmt(prev.lam)} -> {self.fmt(p.lam)}): the branch "
                                     f"could not be followed ({exc}); a jump there is not "
                                     "excluded")
            prev, prev_i = p, i
        return out


def _suspicious(a: BranchPoint, b: BranchPoint, span: float) -> bool:
    """Whether b may not lie on a's branch (continuation.consistent)."""
    return not consistent(a, b, span)


def _follow(tracer: Tracer, a: BranchPoint, ia: int, b: BranchPoint, ib: int, name: str,
            fmt, out: SweepCheck) -> BranchPoint:
    """Continue a's branch towards b's value: a fold first is a jump; arriving elsewhere
    than b replaces b by the branch's point.  Where a's branch cannot be followed to b's
    value but comes within NEAR of it at b's state, or b's branch followed back reaches a,
    the two are one branch: at a corner of the balance in the parameter (a symmetric SQUID's
    |cos(pi flux)| at half a flux quantum, where its inductance is infinite) the
    continuation cannot step onto the corner itself.  Returns the point the sweep goes on
    from."""
    trace = _towards(tracer, a, b.lam)
    folds = [e for e in trace.events if e.kind == "fold"]
    grid = [e for e in trace.events if e.kind == "grid"]
    if folds:
        f = folds[0].point
        out.folds.append((ia, f))
        out.jumps.append(
            f"jump between points {ia} and {ib} ({name} = {fmt(a.lam)} -> {fmt(b.lam)}): the "
            f"branch of point {ia} ends at a fold at {name} = {fmt(f.lam)}; point {ib} lies "
            "on another branch (use trace to follow the whole curve)")
        return b
    if grid:
        g = grid[0].point
        if np.abs(g.x - b.x).max() <= SAME_STATE:
            return b
        out.replaced[ib] = tracer.f.full(g.x, g.lam)
        out.notes.append(f"point {ib} ({name} = {fmt(b.lam)}): the solver had left the branch "
                         "of the previous point without a fold; the branch's state is shown")
        return g
    if _arrives(trace, b, tracer.L):
        return b
    try:
        back = _towards(tracer, tracer.start(b.x, b.lam, np.sign(a.lam - b.lam) or 1.0),
                        a.lam)
    except ContinuationFailed:
        back = None
    if back is not None and not any(e.kind == "fold" for e in back.events) and (
            _arrives(back, a, tracer.L) or any(
                e.kind == "grid" and np.abs(e.point.x - a.x).max() <= SAME_STATE
                for e in back.events)):
        return b
    out.notes.append(f"between points {ia} and {ib} ({name} = {fmt(a.lam)} -> {fmt(b.lam)}): "
                     f"the branch could not be followed ({trace.stopped or 'no end reached'}); "
                     "a jump there is not excluded")
    return b


NEAR = 1e-5     # _arrives: this close to the target (in units of the sweep's span)


def _towards(tracer: Tracer, a: BranchPoint, lam: float) -> Trace:
    """a's branch followed towards the parameter value lam, stopping at its first fold."""
    dmu = abs(lam - a.lam) / tracer.L
    lo, hi = sorted((a.lam, lam))
    return tracer.trace(a, [lam], lo, hi, ds0=dmu / 4, ds_max=dmu, max_steps=400,
                        stop=lambda p, ev: any(e.kind == "fold" for e in ev))


def _arrives(trace: Trace, b: BranchPoint, span: float) -> bool:
    """Whether the branch runs into b though the continuation could not step onto it: its
    last point lies within NEAR of b's parameter, and the secant of its last two points,
    extrapolated over that last gap, lands at b's state (to a tenth of the gap's change of
    state: the branch may be steep into a corner, but it is continuous).  The secant, not
    the tangent: a .param's dF/dp is a central difference, which straddles a corner this
    close to it."""
    points: List[BranchPoint] = []
    for e in trace.events:
        if e.kind in ("step", "failed", "grid") and (not points or
                                                     e.point.lam != points[-1].lam):
            points.append(e.point)
    if len(points) < 2:
        return False
    p0, p = points[-2], points[-1]
    if abs(b.lam - p.lam) / span > NEAR:
        return False
    predicted = p.x + (b.lam - p.lam) * (p.x - p0.x) / (p.lam - p0.lam)
    gap = float(np.abs(b.x - p.x).max())
    return bool(np.abs(predicted - b.x).max() <= 0.1 * gap + SAME_STATE)


# ---- trace ---------------------------------------------------------------------------------
# the step rules of trace and of the .op ramp (continuation.Tracer): a corrected point within
# 2 % in T of its tangent prediction, tangents turning by < 18 degrees a step, so that a narrow
# fold pair (an S a few per cent wide in T) is not stepped over
STEP_MAX_MISS = 0.02
STEP_MIN_COS = 0.95


def trace_sweep(family: SweepFamily, first_T: np.ndarray, values: np.ndarray) -> Trace:
    """The whole branch through the grid ``values`` from the steady state first_T at
    values[0]: events in order along the branch, the first the starting grid point."""
    start, stop = float(values[0]), float(values[-1])
    span = abs(stop - start) or abs(start) or 1.0
    tracer = Tracer(family, span, max_miss=STEP_MAX_MISS, min_cos=STEP_MIN_COS)
    bal = family._bal(start)
    p0 = tracer.start(np.log(first_T[bal.free]), start, np.sign(stop - start) or 1.0)
    p0.kind = "grid"
    n = max(len(values), 2)
    lo, hi = float(np.min(values)), float(np.max(values))
    trace = tracer.trace(p0, list(values), lo, hi, ds0=1.0 / (n - 1),
                         ds_max=max(2.0 / (n - 1), 1e-3), max_steps=50 * n + 500)
    trace.events.insert(0, Event(p0, "grid"))
    return trace


# ---- .op -----------------------------------------------------------------------------------
@dataclass
class Ramp:
    T: np.ndarray                                   # the final state, all nodes
    folds: List[Tuple[float, np.ndarray, np.ndarray]] = field(default_factory=list)
    # (fraction of the ramp at the fold, T at the fold, T where the jump landed)


RAMP_LOOSENESS = 1e4   # the ramp's points to 1e4 x the solver's tolerance (1e-6 relative)
RAMP_DS_MAX = 0.25     # the ramp's longest step: no ln T (nor the ramp parameter) moves more


RAMP_GRID_RADIUS = 0.4   # the ramp checks its photon grids where a temperature moved 50 %
                         # (its points are only needed to RAMP_LOOSENESS; the grids are
                         # verified to photon_rtol at every fold and by the Newton solve
                         # that polishes the ramp's end)


RAMP_PHOTON_LOOSENESS = 100.0   # ... to photon_rtol x 100 (1e-6 by default), where its net
                                # heats are asked to 1e-6 of the flows (RAMP_LOOSENESS)


RAMP_CHORD_RATE = 0.5    # the ramp's corrector keeps its matrix while each iteration
                         # halves the residual (continuation.CHORD_RATE: a quarter)


RAMP_EXPONENT = 4.0     # c = n ln(T_end / T_lo) of RampFamily: between photonic (n = 2)
                        # and electron-phonon (n = 5, 6) heat laws


@dataclass
class RampPath:
    """The states a ramp passed, kept on the balance (``HeatBalance.ramp_path``) for the next
    ramp along the same ray of loads.

    A ramp raises every heater and every source above the coldest one, T_lo, in proportion
    (RampFamily): its loads are a u, u the unit vector of (heater powers, source
    temperatures - T_lo), a from 0 to their norm.  The branch it follows, the folds it
    jumps at and the states it passes depend on T_lo and u alone, so a ramp to a load a'
    on the same ray passes the same states up to a': it starts from the last state kept at
    a load <= a' (the bath state at the least) and reports the folds kept below it.  A
    ``set()``/``run()`` loop over one heater then continues one ramp instead of starting
    each anew; the state is the same, to the solver's tolerance.  Cleared when the balance
    is bound to other values (HeatBalance.rebind)."""

    T_lo: float
    u: np.ndarray
    points: List[Tuple[float, np.ndarray]]                  # (a, T of every node), a ascending
    folds: List[Tuple[float, np.ndarray, np.ndarray]]       # (a at the fold, T there, T after)
    # at the last point: (S, dF/dx, dF/da) of the free nodes (W, W per unit ln T, W per unit
    # of a), so that the next ramp starts its tangent without a derivative pass; None if
    # the last point came from a jump (no derivatives there)
    end: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]] = None
    # the same at the end before (its load, the derivatives), for the next ramp's predictor
    end_before: Optional[Tuple[float, Tuple[np.ndarray, np.ndarray, np.ndarray]]] = None

    def on(self, T_lo: float, u: np.ndarray) -> bool:
        return self.T_lo == T_lo and len(u) == len(self.u) and \
            bool(np.all(np.abs(u - self.u) <= 1e-12))

    def below(self, a: float) -> Tuple[float, np.ndarray]:
        """The state kept at the largest load <= a."""
        return max((p for p in self.points if p[0] <= a), key=lambda p: p[0])

    def before(self, a: float) -> Optional[Tuple[float, np.ndarray]]:
        """The state kept at the largest load < a, if no fold lies between it and a."""
        behind = [p for p in self.points if p[0] < a]
        if not behind:
            return None
        got = max(behind, key=lambda p: p[0])
        return None if any(got[0] <= f[0] <= a for f in self.folds) else got

    def extend(self, a: float, T: np.ndarray) -> None:
        if a > self.points[-1][0]:
            if self.end is not None:
                self.end_before = (self.points[-1][0], self.end)
            self.points.append((a, T))
            self.end = None

    def derivatives(self, a: float, family: RampFamily, s: float, a_full: float):
        """(S, dF/dx, dF/ds) at the kept point at load a (the last or the end before it) for
        ``family`` (full load a_full) at its ramp parameter s there, if kept: the same
        state, so the same derivatives, with dF/ds = dF/da a_full dL/ds."""
        if self.end is not None and self.points[-1][0] == a:
            kept = self.end
        elif self.end_before is not None and self.end_before[0] == a:
            kept = self.end_before[1]
        else:
            return None
        S, Fx, Fa = kept
        return S, Fx, Fa * (a_full * family.dload(s))


def _ray(bal: HeatBalance) -> Tuple[float, np.ndarray, float]:
    """(T_lo, u, a): the coldest source, the unit vector and the norm of the loads
    (heater powers in W, source temperatures above T_lo in K: a ray is a direction, the
    units do not mix in it)."""
    T_lo = float(bal.source_T.min())
    v = np.concatenate((bal.heater_power, bal.source_T - T_lo))
    a = float(np.linalg.norm(v))
    return T_lo, (v / a if a > 0 else v), a


def ramp(bal: HeatBalance) -> Ramp:
    """The steady state reached by ramping every heater from 0 and every temperature source
    from the coldest source's temperature to their values (RampFamily), following the
    branch by continuation and jumping at each fold as an experiment does (relaxation by
    pseudo-transient steps just past the fold); continued from the states of an earlier
    ramp on the same ray of loads (RampPath).  Raises ContinuationFailed if the ramp
    cannot be followed."""
    T_lo, u, a = _ray(bal)
    kept = bal.ramp_path
    path = kept if isinstance(kept, RampPath) and kept.on(T_lo, u) else \
        RampPath(T_lo, u, [(0.0, bal.full(np.full(len(bal.free), T_lo), np.full_like(
            bal.source_T, T_lo)))], [])
    a0, T0 = path.below(a)
    # the ramp's load curve from the common temperature the full load gives all free
    # nodes (the steady solver's cold-start estimate: a few heat evaluations), or from
    # the kept state where the ramp starts past half its load (the rest is short)
    if not len(bal.free):
        T_end = T_lo
    elif a0 >= 0.5 * a:
        T_end = float(T0[bal.free].max())
    else:
        T_end = float(np.exp(_uniform_guess(bal, bisections=1)).max())
    family = RampFamily(bal, RAMP_EXPONENT * max(0.0, np.log(T_end / T_lo)))
    out = Ramp(T0.copy(), [(af / a, before, after) for af, before, after in path.folds
                           if af <= a0])
    if a0 == a:
        bal.ramp_path = path
        return out
    tracer = Tracer(family, 1.0, RAMP_LOOSENESS, STEP_MAX_MISS, STEP_MIN_COS,
                    grid_radius=RAMP_GRID_RADIUS, grid_looseness=RAMP_PHOTON_LOOSENESS,
                    chord_rate=RAMP_CHORD_RATE, full_check_at=1.0)
    x = np.log(T0[bal.free])
    s = family.parameter(a0 / a)
    passed: List[Tuple[float, np.ndarray]] = []        # (s, x) of the points on the way

    def stop(p, events) -> bool:
        if any(e.kind == "fold" for e in events):
            return True                       # p lies past the fold, on another branch
        passed.append((p.lam, p.x))
        return p.lam >= 1.0

    if a0 == 0.0:
        bal.reset_grids()            # from the bath state: grids as in a new process
    bal.choose_grids(family.full(x, s), looseness=RAMP_PHOTON_LOOSENESS)
    kept = path.derivatives(a0, family, s, a)
    # the kept state before the start with its derivatives: the first step extrapolates
    behind = path.before(a0) if kept is not None else None
    s_b = family.parameter(behind[0] / a) if behind is not None else 0.0
    kept_b = path.derivatives(behind[0], family, s_b, a) if behind is not None else None
    end: Optional[BranchPoint] = None
    for _ in range(MAX_JUMPS + 1):
        p0 = tracer.start(x, s, 1.0, derivatives=kept)
        b = None if kept_b is None or behind is None else tracer.point(
            np.log(behind[1][bal.free]), s_b, p0.t, derivatives=kept_b)
        kept = kept_b = None
        trace = tracer.trace(p0, [1.0], s, 1.0, ds0=0.25, ds_max=RAMP_DS_MAX, max_steps=2000,
                             stop=stop, before=b)
        done = [e for e in trace.events if e.kind == "grid" and e.point.lam == 1.0]
        if done:
            # to the ramp's tolerance: the caller's Newton solve polishes it (and checks
            # the photon grids to the full photon_rtol, HeatBalance.choose_grids)
            end = done[0].point
            out.T = family.full(end.x, 1.0)
            break
        folds = [e for e in trace.events if e.kind == "fold"]
        if not folds:
            raise ContinuationFailed(trace.stopped or "the ramp did not reach full load")
        f = folds[0].point
        s = min(1.0, f.lam + max(1e-4, 1e-3 * f.lam))
        x = _relax(bal, family, f.x, s)
        fold = (family.load(f.lam), family.full(f.x, f.lam), family.full(x, s))
        out.folds.append(fold)
        if path.points[-1][0] < a * fold[0]:
            path.folds.append((a * fold[0], fold[1], fold[2]))
        passed.append((s, x))
        if s >= 1.0:
            out.T = family.full(x, 1.0)
            break
    else:
        raise ContinuationFailed(f"the ramp passed more than {MAX_JUMPS} folds")
    for sp, xp in passed:
        if sp < 1.0:
            path.extend(a * family.load(sp), family.full(xp, sp))
    path.extend(a, out.T)
    if end is not None and path.points[-1][0] == a:
        path.end = (end.S, end.Fx, end.Fl / (a * family.dload(1.0)))
    bal.ramp_path = path
    return out


def _relax(bal: HeatBalance, family: RampFamily, x: np.ndarray, s: float) -> np.ndarray:
    """Where the state at a fold relaxes when the load moves just past it (to ramp
    parameter s): pseudo-transient steps (backward Euler of dx/dt = F/S, steady._newton),
    then Newton."""
    memory = SolverMemory()
    src = family.sources(s)
    lam = family.load(s)
    try:
        x, *_ = _newton(bal, x, memory, heater_scale=lam, source_T=src, pseudo_dt=1e-2,
                        maxiter=80)
        return _newton(bal, x, memory, heater_scale=lam, source_T=src)[0]
    except (_Failed, FloatingPointError, OverflowError) as exc:
        raise ContinuationFailed(f"no state to jump to past the fold: {exc}") from None
