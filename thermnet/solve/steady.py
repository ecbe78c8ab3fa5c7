"""Steady states of a heat balance: damped Newton in log-temperature with a continuation
ladder (warm start -> fresh start -> source/heater stepping -> pseudo-transient).

Unknowns: x = ln T of the free thermal nodes (well scaled from mK to K, and T stays
positive).  Equations: g_k = F_k / S_k with F_k the net heat into node k and S_k the sum of
magnitudes of the heat flows at node k (frozen at the start of each Newton step), so every
equation is O(1).  Converged when |F_k| <= abstol + reltol * S_k for every free node.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from thermnet.errors import ConvergenceError
from thermnet.model.balance import HeatBalance

FD_STEP = 1e-7      # forward-difference step in ln T for the Jacobian
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


def _jacobian(bal: HeatBalance, x, F, heater_scale, source_T):
    """dF/dx (W per unit ln T) by forward differences."""
    n = len(x)
    J = np.empty((n, n))
    for j in range(n):
        xp = x.copy()
        xp[j] += FD_STEP
        Fp, _ = bal.residual(np.exp(xp), heater_scale, source_T)
        J[:, j] = (Fp - F) / FD_STEP
    return J


def _newton(bal: HeatBalance, x0: np.ndarray, heater_scale=1.0, source_T=None,
            maxiter=None, pseudo_dt=None):
    """Damped Newton from x0.  Returns (x, F, S, iterations) or raises _Failed.

    The Jacobian of the previous solve is reused (chord steps) while each step reduces the
    scaled residual at least fourfold, and recomputed otherwise: along a warm-started sweep
    most points then need no new Jacobian at all.
    """
    maxiter = int(maxiter or bal.options["maxiter"])
    x = x0.copy()
    n = len(x)
    F, S = bal.residual(np.exp(x), heater_scale, source_T)
    x_anchor = x.copy()
    J = getattr(bal, "jacobian", None)
    fresh = False
    if J is None or J.shape != (n, n) or pseudo_dt is not None:
        J, fresh = _jacobian(bal, x, F, heater_scale, source_T), True
    for it in range(1, maxiter + 1):
        if np.all(np.abs(F) <= _tolerance(bal, S)) and pseudo_dt is None:
            bal.jacobian = J
            return x, F, S, it - 1
        scale = _scale(bal, S)
        g = F / scale
        A = J / scale[:, None]
        if pseudo_dt is not None:
            A = A - np.eye(n) / pseudo_dt
            g = g - (x - x_anchor) / pseudo_dt
        try:
            dx = np.linalg.solve(A, -g)
        except np.linalg.LinAlgError:
            dx = np.linalg.lstsq(A, -g, rcond=None)[0]
        if not np.all(np.isfinite(dx)):
            raise _Failed("singular Jacobian")
        big = np.abs(dx).max()
        if big > MAX_STEP:
            dx *= MAX_STEP / big
        norm0 = np.linalg.norm(F / scale)
        xn = x + dx
        Fn, Sn = bal.residual(np.exp(xn), heater_scale, source_T)
        good = np.all(np.isfinite(Fn)) and np.linalg.norm(Fn / scale) <= 0.25 * norm0
        if not good and not fresh:
            # chord step not good enough: new Jacobian here, redo the step
            J, fresh = _jacobian(bal, x, F, heater_scale, source_T), True
            continue
        alpha = 1.0
        while not (np.all(np.isfinite(Fn)) and (
                np.linalg.norm(Fn / scale) <= (1 - 1e-4 * alpha) * norm0
                or norm0 < 1e-6 or pseudo_dt is not None)):
            alpha /= 2
            if alpha < 1e-3:
                raise _Failed("line search failed (no decrease of the net heat)")
            xn = x + alpha * dx
            Fn, Sn = bal.residual(np.exp(xn), heater_scale, source_T)
        if pseudo_dt is not None:
            x_anchor = xn.copy()
            pseudo_dt *= 2.0
        x, F, S = xn, Fn, Sn
        fresh = False
        if pseudo_dt is not None or alpha < 1.0:
            J, fresh = _jacobian(bal, x, F, heater_scale, source_T), True
        if np.abs(alpha * dx).max() < 1e-15 and np.all(np.abs(F) <= 1e3 * _tolerance(bal, S)):
            bal.jacobian = J
            return x, F, S, it
    if np.all(np.abs(F) <= _tolerance(bal, S)):
        bal.jacobian = J
        return x, F, S, maxiter
    raise _Failed(f"no convergence in {maxiter} iterations")


def _stepping(bal: HeatBalance, x_guess):
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
            x, F, S, _ = _newton(bal, x, heater_scale=trial, source_T=src)
            lam = trial
            step = min(step * 2, 0.5)
        except _Failed:
            step /= 4
            if step < 1e-6:
                raise _Failed(f"source/heater stepping stalled at {lam:.3g} of full load")
    return x


def _pseudo_transient(bal: HeatBalance, x0):
    x, F, S, _ = _newton(bal, x0, pseudo_dt=1e-2, maxiter=200)
    return _newton(bal, x)[0]


def solve(bal: HeatBalance, T_guess: Optional[np.ndarray] = None) -> SteadyState:
    """Steady state of ``bal``.  ``T_guess`` (free nodes) is a warm start."""
    if len(bal.free) == 0:
        T = bal.full(np.empty(0))
        return SteadyState(T, True, 0, np.empty(0), np.empty(0))
    default = np.full(len(bal.free), np.log(bal.source_T.max()))
    x0 = np.log(T_guess) if T_guess is not None else default
    bal.choose_grids(bal.full(np.exp(x0)))
    attempts = [("Newton from the warm start" if T_guess is not None else "Newton",
                 lambda: _newton(bal, x0)[0])]
    if T_guess is not None:
        attempts.append(("Newton from the bath temperature", lambda: _newton(bal, default)[0]))
    attempts += [("source/heater stepping", lambda: _stepping(bal, x0)),
                 ("pseudo-transient continuation", lambda: _pseudo_transient(bal, x0))]
    tried = []
    for label, attempt in attempts:
        try:
            x = attempt()
        except (_Failed, FloatingPointError, OverflowError) as exc:
            tried.append(f"{label}: {exc}")
            continue
        # the photon-energy grid was chosen at the start; check it at the solution
        for _ in range(4):
            if not bal.choose_grids(bal.full(np.exp(x))):
                break
            try:
                x = _newton(bal, x)[0]
            except _Failed as exc:
                tried.append(f"{label}: refined photon grid: {exc}")
                break
        F, S = bal.residual(np.exp(x))
        if np.all(np.abs(F) <= _tolerance(bal, S)):
            return SteadyState(bal.full(np.exp(x)), True, 0, F, S, "", tried + [label])
    T = np.exp(x0)
    F, S = bal.residual(T)
    bad = np.abs(F) > _tolerance(bal, S)
    names = [bal.circuit.flat.thermal_nodes[bal.nodes[i]] for i in bal.free[bad]]
    return SteadyState(bal.full(T), False, 0, F, S,
                       "no steady state found", tried)


def require(state: SteadyState, bal: HeatBalance) -> SteadyState:
    """Raise ConvergenceError for a failed state, naming the nodes and what was tried."""
    if state.converged:
        return state
    bad = np.abs(state.residual) > _tolerance(bal, state.scale)
    names = [bal.circuit.flat.thermal_nodes[bal.nodes[i]] for i in bal.free[bad]]
    raise ConvergenceError(state.message, names, list(state.residual[bad]), state.tried)
