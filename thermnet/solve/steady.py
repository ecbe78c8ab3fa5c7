"""Steady states of a heat balance: damped Newton in log-temperature with a continuation
ladder (warm start -> fresh start -> source/heater stepping -> pseudo-transient).

Unknowns: x = ln T of the free thermal nodes (well scaled from mK to K, and T stays
positive).  Equations: g_k = artanh(0.9999 F_k / S_k) ~ ln(in_k / out_k) / 2, with F_k the
net heat into node k and S_k the sum of magnitudes of the heat flows at node k: O(1) and
nearly linear in ln T for power-law heat flows; the fallback form F_k / S_k with S frozen
at the start of each Newton step is smooth where a flow changes sign.  A cold start begins
from the common temperature that balances the heaters against the baths.  Converged when
|F_k| <= abstol + reltol * S_k for every free node.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

from thermnet.errors import ConvergenceError
from thermnet.model.balance import HeatBalance

log = logging.getLogger(__name__)
MAX_STEP = 0.7      # largest Newton step in ln T (a factor of 2 in temperature)


@dataclass
class SteadyState:
    T: np.ndarray                 # all thermal nodes, K
    converged: bool
    iterations: int
    residual: np.ndarray          # net heat into each free node, W
    scale: np.ndarray             # sum of |flows| at each free node, W
    message: str = ""
    tried: List[str] = field(default_factory=list)


class _Failed(Exception):
    pass


def _tolerance(bal: HeatBalance, scale):
    return bal.options["abstol"] + bal.options["reltol"] * scale


def _scale(bal: HeatBalance, S):
    """Per-node residual scale: the node's heat flows, floored at 1e-3 of the largest
    node's (a node whose flows all vanish, e.g. at equal temperatures, would otherwise
    be scaled by nothing)."""
    return np.maximum(S, max(1e-3 * S.max(), bal.options["abstol"]))


RATIO_SOFT = 0.9999   # artanh(0.9999 F/S) <= 5: finite where a node has flows one way only


def _equations(bal: HeatBalance, F, S, S_ref, log_ratio: bool):
    """The equations Newton solves, from the net heats F and flow magnitudes S at a point.

    ``log_ratio``: g_k = artanh(0.9999 F_k / S_k), close to ln(in_k / out_k) / 2 with in_k,
    out_k the heat flowing into and out of node k (F = in - out, S = in + out).  Heat laws
    are power laws in T over wide ranges (T^5 electron-phonon, T^2 photonic), so ln(in/out)
    is nearly linear in ln T and Newton takes few steps even from far away (on F itself, a
    T^5 loss makes each Newton step in ln T from above shrink T by only e^-0.2).  But S is a
    sum of |flows| and has a kink where a flow changes sign, which can stall this form.

    Otherwise: g_k = F_k / S_ref_k with the scale frozen at the start of the Newton step:
    smooth, slower from far away, the robust fallback.
    """
    if log_ratio:
        return np.arctanh(RATIO_SOFT * F / _scale(bal, S))
    return F / _scale(bal, S_ref)


def _jacobian(bal: HeatBalance, x, log_ratio, heater_scale, source_T):
    """dg/dx (per unit ln T) of the equations of :func:`_equations`, from the balance's
    analytic dF/dT and dS/dT; in the frozen-scale form dF/dx (rescaled at every step)."""
    T = np.exp(x)
    F, S, dF, dS = bal.residual_jacobian(T, heater_scale, source_T)
    Fx = dF * T[None, :]
    if not log_ratio:
        return Fx
    Sh = _scale(bal, S)
    Sx = np.where((S >= Sh)[:, None], dS * T[None, :], 0.0)   # the floor does not move
    r = RATIO_SOFT * F / Sh
    return (RATIO_SOFT / (1.0 - r * r))[:, None] * (Fx / Sh[:, None]
                                                    - (F / Sh ** 2)[:, None] * Sx)


def log_ratio_jacobian(bal: HeatBalance, Fx: np.ndarray, S: np.ndarray) -> np.ndarray:
    """The Jacobian of the ln(in/out) equations at a steady state from dF/dx there (F = 0:
    the term of dS/dx vanishes), for SolverMemory.keep."""
    return RATIO_SOFT * Fx / _scale(bal, S)[:, None]


SPARSE_FROM = 100      # free nodes from which a mostly empty Jacobian is solved as sparse
SMALL = 8              # up to this many free nodes: numpy's solve (scipy's costs ~50 us more)


def linear_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with A x = b: sparse LU (SuperLU) for a large Jacobian that is mostly zeros (chains
    and lattices of islands couple only neighbours), LAPACK otherwise; least squares for a
    singular A, whose NaNs the caller reports."""
    n = len(b)
    try:
        with warnings.catch_warnings():
            # ill-conditioned is not singular: the Newton step is still checked by its
            # decrease of the residual, and D() checks the condition number itself
            warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
            warnings.simplefilter("ignore", scipy.sparse.linalg.MatrixRankWarning)
            if n >= SPARSE_FROM and np.count_nonzero(A) < 0.1 * n * n:
                return scipy.sparse.linalg.spsolve(scipy.sparse.csc_matrix(A), b)
            if n <= SMALL:
                return np.linalg.solve(A, b)        # least overhead for a few nodes
            return scipy.linalg.solve(A, b, check_finite=False)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, RuntimeError, ValueError):
        return np.linalg.lstsq(A, b, rcond=None)[0]


@dataclass
class SolverMemory:
    """What one steady-state solve hands to the next (explicit, owned by the caller): the
    last Jacobian and the form of equations it belongs to.  Along a warm-started sweep most
    points then need no new Jacobian at all."""

    jacobian: Optional[np.ndarray] = None
    log_ratio: bool = False

    def recall(self, log_ratio: bool, n: int) -> Optional[np.ndarray]:
        J = self.jacobian
        if J is None or self.log_ratio != log_ratio or J.shape != (n, n):
            return None
        return J

    def keep(self, log_ratio: bool, J: np.ndarray) -> None:
        self.log_ratio, self.jacobian = log_ratio, J


def _newton(bal: HeatBalance, x0: np.ndarray, memory: SolverMemory, heater_scale=1.0,
            source_T=None, maxiter=None, pseudo_dt=None, log_ratio=False):
    """Damped Newton on the equations of :func:`_equations` from x0.  Returns (x, F, S,
    iterations) or raises _Failed.

    The Jacobian of the previous solve is reused (chord steps) while each step reduces the
    residual at least fourfold, and recomputed otherwise: along a warm-started sweep most
    points then need no new Jacobian at all.  (In the frozen-scale form the Jacobian is
    kept as dF/dx and rescaled at every step.)
    """
    maxiter = int(maxiter or bal.options["maxiter"])
    x = x0.copy()
    n = len(x)
    F, S = bal.residual(np.exp(x), heater_scale, source_T)
    x_anchor = x.copy()

    def jacobian_at(x):
        return _jacobian(bal, x, log_ratio, heater_scale, source_T)

    stored = memory.recall(log_ratio, n) if pseudo_dt is None else None
    J, fresh = (stored, False) if stored is not None else (jacobian_at(x), True)
    for it in range(1, maxiter + 1):
        if np.all(np.abs(F) <= _tolerance(bal, S)) and pseudo_dt is None:
            memory.keep(log_ratio, J)
            return x, F, S, it - 1
        S_ref = S
        g = _equations(bal, F, S, S_ref, log_ratio)
        A = J if log_ratio else J / _scale(bal, S_ref)[:, None]
        rhs = g
        if pseudo_dt is not None:     # backward Euler of dx/dt = g(x)
            A = A - np.eye(n) / pseudo_dt
            rhs = g - (x - x_anchor) / pseudo_dt
        dx = linear_solve(A, -rhs)
        if not np.all(np.isfinite(dx)):
            raise _Failed("singular Jacobian")
        big = np.abs(dx).max()
        frac = min(1.0, MAX_STEP / big) if big > 0 else 1.0   # fraction of the Newton step
        dx *= frac
        norm0 = np.linalg.norm(g)
        Fn, Sn = bal.residual(np.exp(x + dx), heater_scale, source_T)
        gn = _equations(bal, Fn, Sn, S_ref, log_ratio)
        good = np.all(np.isfinite(gn)) and np.linalg.norm(gn) <= 0.25 * norm0
        if not good and not fresh:
            # chord step not good enough: new Jacobian here, redo the step
            J, fresh = jacobian_at(x), True
            continue
        alpha = 1.0
        # Armijo sufficient decrease, for the fraction of the Newton step taken
        while not (np.all(np.isfinite(gn)) and (
                np.linalg.norm(gn) <= (1 - 1e-4 * alpha * frac) * norm0
                or norm0 < 1e-6 or pseudo_dt is not None)):
            alpha /= 2
            if alpha < 1e-3:
                raise _Failed("line search failed (no decrease of the net heat)")
            Fn, Sn = bal.residual(np.exp(x + alpha * dx), heater_scale, source_T)
            gn = _equations(bal, Fn, Sn, S_ref, log_ratio)
        if alpha == 1.0 and frac == 1.0 and pseudo_dt is None and n < SPARSE_FROM:
            # Broyden's update of the reused Jacobian along the step taken: chord steps then
            # converge superlinearly instead of linearly (Dennis & Schnabel, Sec. 8.1).  Not
            # after a capped step: across a strongly nonlinear stretch the secant misleads.
            # Not for large circuits: the rank-one update would fill a sparse Jacobian.
            dg = (_equations(bal, Fn, Sn, Sn, log_ratio) - g) if log_ratio else (Fn - F)
            J = J + np.outer(dg - J @ dx, dx) / (dx @ dx)
        x = x + alpha * dx
        F, S = Fn, Sn
        if pseudo_dt is not None:
            x_anchor = x.copy()
            pseudo_dt *= 2.0
        fresh = False
        if pseudo_dt is not None or alpha < 1.0 or frac < 1.0:
            # damped, capped or pseudo-transient: far from linear, a chord step would be poor
            J, fresh = jacobian_at(x), True
        if np.abs(alpha * dx).max() < 1e-15 and np.all(np.abs(F) <= 1e3 * _tolerance(bal, S)):
            memory.keep(log_ratio, J)
            return x, F, S, it
    if np.all(np.abs(F) <= _tolerance(bal, S)):
        memory.keep(log_ratio, J)
        return x, F, S, maxiter
    raise _Failed(f"no convergence in {maxiter} iterations")


def _stepping(bal: HeatBalance, memory: SolverMemory):
    """Continuation from the trivial state: heaters off and every source at the hottest
    source temperature (all free nodes at that temperature solve it exactly), then ramp
    heaters and sources to their values with adaptive steps."""
    t_ref = bal.source_T.max()
    start = np.full_like(bal.source_T, t_ref)
    x = np.full(len(bal.free), np.log(t_ref))
    lam, step = 0.0, 0.25
    while lam < 1.0:
        trial = min(1.0, lam + step)
        src = start + trial * (bal.source_T - start)
        try:
            x, F, S, _ = _newton(bal, x, memory, heater_scale=trial, source_T=src)
            lam = trial
            step = min(step * 2, 0.5)
        except _Failed:
            step /= 4
            if step < 1e-6:
                raise _Failed(f"source/heater stepping stalled at {lam:.3g} of full "
                              "load") from None
    return x


def _pseudo_transient(bal: HeatBalance, x0, memory: SolverMemory):
    x, F, S, _ = _newton(bal, x0, memory, pseudo_dt=1e-2, maxiter=200)
    return _newton(bal, x, memory)[0]


def _uniform_guess(bal: HeatBalance, bisections: int = 3) -> np.ndarray:
    """Cold-start estimate: the common temperature of all free nodes at which the heaters'
    power equals the heat into the temperature sources (internal flows cancel in the sum of
    the residuals), bracketed by doubling from the hottest source and refined by bisection
    in ln T.  A handful of evaluations; it lands within a factor ~2 of the nodes that carry
    the load, where plain Newton from the bath temperature crawls (T^5 laws)."""
    t_ref = float(bal.source_T.max())
    n = len(bal.free)

    def total(lnT):
        F, _ = bal.residual(np.full(n, np.exp(lnT)))
        return float(F.sum())

    lo = np.log(t_ref)
    f_lo = total(lo)
    if not f_lo > 0:
        return np.full(n, lo)
    step = np.log(2.0)
    hi = lo + step
    f_hi = total(hi)
    for _ in range(30):                   # no bracket below 2^30 T_bath: leave it to Newton
        if not f_hi > 0:
            break
        lo, f_lo, hi = hi, f_hi, hi + step
        f_hi = total(hi)
    else:
        return np.full(n, np.log(t_ref))
    for _ in range(bisections):
        mid = 0.5 * (lo + hi)
        f_mid = total(mid)
        if f_mid > 0:
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    # the bracket end with the smaller imbalance (the bath temperature itself when the
    # heaters barely warm anything)
    return np.full(n, lo if abs(f_lo) <= abs(f_hi) else hi)


def _resolution(bal: HeatBalance, x: np.ndarray, F: np.ndarray) -> np.ndarray:
    """How finely the net heats can be resolved at all: their change when each temperature
    moves by 8 units in the last place.  A heater that warms a strongly coupled node by
    1e-12 relative has a net heat that floating point cannot bring below this."""
    floor = np.zeros_like(F)
    for j in range(len(x)):
        xp = x.copy()
        xp[j] += 8 * np.finfo(float).eps
        floor += np.abs(bal.residual(np.exp(xp))[0] - F)
    return floor


def solve(bal: HeatBalance, T_guess: Optional[np.ndarray] = None,
          memory: Optional[SolverMemory] = None) -> SteadyState:
    """Steady state of ``bal``.  ``T_guess`` (free nodes) is a warm start; ``memory``
    carries the Jacobian from one solve to the next (a sweep passes the same one)."""
    memory = SolverMemory() if memory is None else memory
    if len(bal.free) == 0:
        T = bal.full(np.empty(0))
        bal.choose_grids(T)   # the printed heats still need a photon grid verified at T
        return SteadyState(T, True, 0, np.empty(0), np.empty(0))
    default = np.full(len(bal.free), np.log(bal.source_T.max()))
    x0 = np.log(T_guess) if T_guess is not None else _uniform_guess(bal)
    bal.choose_grids(bal.full(np.exp(x0)))
    start = "the warm start" if T_guess is not None else "the uniform-temperature estimate"
    attempts = [(f"Newton on ln(in/out) from {start}",
                 lambda: _newton(bal, x0, memory, log_ratio=True)[0]),
                (f"Newton from {start}", lambda: _newton(bal, x0, memory)[0]),
                ("Newton from the bath temperature", lambda: _newton(bal, default, memory)[0])]
    attempts += [("source/heater stepping", lambda: _stepping(bal, memory)),
                 ("pseudo-transient continuation", lambda: _pseudo_transient(bal, x0, memory))]
    tried = []
    for label, attempt in attempts:
        try:
            x = attempt()
        except (_Failed, FloatingPointError, OverflowError) as exc:
            tried.append(f"{label}: {exc}")
            log.info("steady state: %s failed (%s); next rung of the ladder", label, exc)
            continue
        # the photon-energy grid was chosen at the start; check it at the solution
        for _ in range(4):
            if not bal.choose_grids(bal.full(np.exp(x))):
                break
            try:
                x = _newton(bal, x, memory, log_ratio=True)[0]
            except _Failed as exc:
                tried.append(f"{label}: refined photon grid: {exc}")
                break
        F, S = bal.residual(np.exp(x))
        if np.all(np.abs(F) <= _tolerance(bal, S)) or \
                np.all(np.abs(F) <= _tolerance(bal, S) + _resolution(bal, x, F)):
            log.debug("steady state by %s after %d heat evaluations", label, bal.evaluations)
            return SteadyState(bal.full(np.exp(x)), True, 0, F, S, "", tried + [label])
    T = np.exp(x0)
    F, S = bal.residual(T)
    bad = np.abs(F) > _tolerance(bal, S)
    names = [bal.circuit.flat.thermal_nodes[bal.nodes[i]] for i in bal.free[bad]]
    return SteadyState(bal.full(T), False, 0, F, S,
                       "no steady state found; not converged: " + ", ".join(names), tried)


def require(state: SteadyState, bal: HeatBalance) -> SteadyState:
    """Raise ConvergenceError for a failed state, naming the nodes and what was tried."""
    if state.converged:
        return state
    bad = np.abs(state.residual) > _tolerance(bal, state.scale)
    names = [bal.circuit.flat.thermal_nodes[bal.nodes[i]] for i in bal.free[bad]]
    raise ConvergenceError(state.message, names, list(state.residual[bad]), state.tried)
