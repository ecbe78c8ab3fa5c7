"""Pseudo-arclength continuation of steady states F(T, lambda) = 0 along one parameter.

A branch of steady states is a curve u(s) = (x(s), mu(s)) in the space of the free nodes'
x = ln T and the scaled parameter mu = lambda / Lambda (Lambda: the span of the sweep, so that
mu moves by about 1 over the sweep, as x does over a decade of temperature).  It is followed
by Keller's pseudo-arclength method (H. B. Keller, "Numerical solution of bifurcation and
nonlinear eigenvalue problems", in Applications of Bifurcation Theory, Academic Press 1977,
pp. 359-384; the form of AUTO and of pacopy):

- the tangent t at a point solves [[G_x, G_mu], [c^T]] t = e_last, normalised, with c the
  previous tangent (so the orientation never flips, even through a fold where G_x is
  singular and dmu/ds changes sign);
- a step of length ds predicts u0 + ds t0 and corrects by Newton's method on
  [G(u) = 0, t0 . (u - u0) = ds] (the augmented matrix is regular at a fold);
- where the branch runs mostly along mu (|t_mu| >= NATURAL_MIN) and the next requested value
  of lambda is within reach, the step is aimed at that value and corrected at fixed mu (the
  constraint row e_mu instead of t0): the requested grid values are then points of the
  branch at no extra cost;
- a fold (turning point) lies between two points whose t_mu differ in sign (t_mu is
  proportional to det G_x along an oriented branch, by Cramer's rule); it is located by
  Illinois regula falsi on t_mu(s) along the arclength from the earlier point.

G is the net heat F scaled per node by its heat flows (steady._scale, frozen for one
correction); convergence is the solver's own test |F| <= abstol + reltol S.

The family of balances is abstract (:class:`Family`): a sweep of a source or ``.param``
(``solve.folds.SweepFamily``) or the ramp of ``.op`` from the bath state (``RampFamily``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Protocol, Sequence, Tuple

import numpy as np

from thermnet.model.balance import HeatBalance
from thermnet.solve.extrapolation import hermite_step
from thermnet.solve.steady import _scale, _tolerance, linear_solve

NATURAL_MIN = 0.3     # |t_mu| above which a step may aim at the next grid value (fixed mu)
MAX_NEWTON = 10       # corrector iterations
MAX_DX = 0.5          # largest change of ln T in one corrector iteration
GROW, SHRINK = 1.6, 0.5
GROW_ITS = 4           # a step whose corrector needed at most this many iterations grows
CHORD_RATE = 0.25     # a reused (Broyden-updated) corrector matrix is kept while each
                      # iteration cuts the residual at least this much
DS_MIN = 1e-9         # smallest step (scaled arclength) before the continuation gives up
CORNER_DS = 1e-2      # a sharp turn where a node crosses a kink (a film's Tc) is accepted
                      # from this step length (1e-4 elsewhere): the branch has a corner
                      # there, which no shorter step smooths out
FOLD_ITER = 60        # regula falsi iterations locating a fold
FOLD_TOL = 1e-7       # ... until the bracket in ln T is this small (lambda at a smooth fold
                      # then moves by ~1e-14 relative, at a sqrt cusp by ~3e-4 x its slope)


class Family(Protocol):
    """A one-parameter family of heat balances: residual and Jacobian of the free nodes at
    x = ln T_free and parameter lam (physical units)."""

    bal: HeatBalance

    def residual(self, x: np.ndarray, lam: float) -> Tuple[np.ndarray, np.ndarray]:
        """Net heat F and heat-flow magnitudes S of the free nodes (W)."""

    def jacobian(self, x: np.ndarray, lam: float, T: Optional[np.ndarray] = None):
        """(F, S, dF/dx (W per unit ln T), dF/dlam (W per unit of lam)); ``T``: the
        temperatures of every node at x when the caller has them (exactly the state whose
        derivatives the balance may already hold: HeatBalance.flows keeps the last)."""

    def full(self, x: np.ndarray, lam: float) -> np.ndarray:
        """Temperatures of every node (K) at x, lam."""


@dataclass
class BranchPoint:
    x: np.ndarray             # ln T of the free nodes
    lam: float                # the parameter, physical units
    t: np.ndarray             # unit tangent in (x, mu)
    Fx: np.ndarray            # dF/dx at the point (W)
    Fl: np.ndarray            # dF/dlam at the point
    S: np.ndarray             # heat-flow magnitudes at the point (W)
    kind: str = "step"        # "start", "grid", "fold", "step"

    @property
    def t_mu(self) -> float:
        return float(self.t[-1])


@dataclass
class Event:
    point: BranchPoint
    kind: str                 # "grid", "fold", "step", "failed"
    message: str = ""
    lam: float = float("nan")  # the grid value of a failed crossing


@dataclass
class Trace:
    events: List[Event] = field(default_factory=list)
    stopped: str = ""         # why the continuation stopped before the end, if it did


class ContinuationFailed(Exception):
    pass


class Tracer:
    """Follows the branches of a :class:`Family` (see the module docstring)."""

    def __init__(self, family: Family, lam_scale: float, looseness: float = 1.0,
                 max_miss: Optional[float] = None, min_cos: float = 0.8,
                 grid_radius: Optional[float] = None, grid_looseness: float = 1.0,
                 chord_rate: float = CHORD_RATE, full_check_at: Optional[float] = None):
        self.f = family
        self.L = float(lam_scale) if lam_scale > 0 else 1.0
        # the corrector's tolerance is the steady solver's times this (the .op ramp only
        # needs the branch, not every point of it, to full accuracy: its end is polished)
        self.looseness = looseness
        # the largest distance (scaled u) of a corrected point from its prediction: a step
        # whose corrector moves farther is halved (Allgower & Georg, Introduction to
        # Numerical Continuation Methods, Sec. 6.1: step control by the corrector's
        # distance).  Near a fold the branch curves and the steps shrink, so a narrow fold
        # pair (an S of a few per cent in T) is not stepped over; None: the looser test of
        # _check_step alone
        self.max_miss = max_miss
        # a step whose end's tangent turns from its start's by more than arccos(min_cos)
        # is halved (the branch bends there: a fold may be near)
        self.min_cos = min_cos
        # the photon grids are checked again where the temperatures moved farther than this
        # (ln T) from where they were last checked (HeatBalance.choose_grids; None: the
        # balance's own radii, each grid's error margin, kinks and bias slopes, as the
        # steady solver): a loose corrector needs no grid verified at every step, nor to the
        # full photon_rtol
        self.grid_radius = grid_radius
        self.grid_looseness = grid_looseness
        # ... except at lam = full_check_at (the .op ramp's end), checked as the caller's
        # solve there checks them (HeatBalance.choose_grids' defaults: the full photon_rtol
        # within the grids' own radii): a looser check just before would be made twice
        self.full_check_at = full_check_at
        # the corrector keeps its reused matrix while each iteration cuts the residual
        # this much (a loose corrector gains more from cheap iterations than from a new
        # Jacobian; near a fold a slowly contracting one stalls)
        self.chord_rate = chord_rate

    def _corner(self, p: BranchPoint, q: BranchPoint) -> bool:
        """Whether a node crosses a kink of the heat balance between p and q (a film's Tc,
        HeatBalance.crosses_kink), where the branch turns by a corner."""
        return self.f.bal.crosses_kink(self.f.full(p.x, p.lam), self.f.full(q.x, q.lam))

    def _check_miss(self, u: np.ndarray, predicted: np.ndarray, ds: float) -> None:
        if self.max_miss is not None and ds > 1e-5 and \
                float(np.abs(u - predicted).max()) > self.max_miss:
            raise ContinuationFailed("corrected point farther than max_miss from the "
                                     "prediction")

    # ---- the scaled system ------------------------------------------------------------
    def _u(self, x, lam) -> np.ndarray:
        return np.append(x, lam / self.L)

    def _split(self, u) -> Tuple[np.ndarray, float]:
        return u[:-1], float(u[-1] * self.L)

    def _augmented(self, Fx, Fl, sigma, c) -> np.ndarray:
        n = len(Fx)
        A = np.empty((n + 1, n + 1))
        A[:n, :n] = Fx / sigma[:, None]
        A[:n, n] = Fl * self.L / sigma
        A[n] = c
        return A

    def point(self, x, lam, c: np.ndarray, kind="step", T: Optional[np.ndarray] = None,
              derivatives: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]] = None
              ) -> BranchPoint:
        """The branch point at (x, lam) with its Jacobian and unit tangent, oriented so that
        c . t > 0 (``T``: every node's temperatures there, if the caller has them;
        ``derivatives``: (S, Fx, Fl) there, if the caller kept them: no heat evaluation)."""
        if derivatives is None:
            _, S, Fx, Fl = self.f.jacobian(x, lam, T)
        else:
            S, Fx, Fl = derivatives
        sigma = _scale(self.f.bal, S)
        A = self._augmented(Fx, Fl, sigma, c)
        rhs = np.zeros(len(x) + 1)
        rhs[-1] = 1.0
        t = linear_solve(A, rhs)
        if not np.all(np.isfinite(t)) or not np.linalg.norm(t) > 0:
            raise ContinuationFailed("the branch has no tangent here (a branch point of "
                                     "several branches, or a singular heat balance)")
        t = t / np.linalg.norm(t)
        return BranchPoint(np.array(x, dtype=float), float(lam), t, Fx, Fl, S, kind)

    def start(self, x, lam, direction: float, T: Optional[np.ndarray] = None,
              derivatives: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]] = None
              ) -> BranchPoint:
        """The first point, its tangent towards increasing (direction > 0) or decreasing
        lam (``derivatives``: as for :meth:`point`)."""
        c = np.zeros(len(x) + 1)
        c[-1] = 1.0 if direction >= 0 else -1.0
        return self.point(x, lam, c, "start", T, derivatives)

    def correct(self, guess: np.ndarray, c: np.ndarray, value: float,
                p0: BranchPoint, jacobian: Optional[Tuple[np.ndarray, np.ndarray]] = None
                ) -> Tuple[np.ndarray, int]:
        """Newton on [G(u) = 0, c . u = value] from ``guess`` (scaled u), the Jacobian of p0
        (or ``jacobian``, (dF/dx, dF/dlam) extrapolated to the guess) reused while each step
        reduces the residual fourfold.  Returns (u, iterations) or raises
        ContinuationFailed."""
        bal = self.f.bal
        u = guess.copy()
        x, lam = self._split(u)
        F, S = self.f.residual(x, lam)
        sigma = _scale(bal, p0.S)
        A = self._augmented(*(jacobian or (p0.Fx, p0.Fl)), sigma, c)
        fresh = False
        for it in range(1, MAX_NEWTON + 1):
            g = np.append(F / sigma, c @ u - value)
            if not np.all(np.isfinite(g)):
                raise ContinuationFailed("not a finite heat balance")
            if np.all(np.abs(F) <= self.looseness * _tolerance(bal, S)) and abs(g[-1]) <= 1e-12 * (
                    1 + abs(value)):
                return u, it - 1
            du = linear_solve(A, -g)
            if not np.all(np.isfinite(du)):
                raise ContinuationFailed("singular augmented Jacobian")
            if np.abs(du).max() < 1e-13 and abs(g[-1]) <= 1e-12 * (1 + abs(value)) and \
                    np.all(np.abs(F) <= self.looseness * _tolerance(bal, S)
                           + self._resolution(x, lam, F)):
                return u, it - 1       # converged to what floating point resolves
            if np.abs(du[:-1]).max() > MAX_DX:
                if not fresh:
                    A, fresh = self._fresh(u, sigma, c), True
                    continue
                raise ContinuationFailed("corrector step too large")
            un = u + du
            xn, lamn = self._split(un)
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    Fn, Sn = self.f.residual(xn, lamn)
            except (ArithmeticError, ValueError) as exc:
                raise ContinuationFailed(f"numerical failure: {exc}") from None
            gn = np.append(Fn / sigma, c @ un - value)
            if not fresh and not np.linalg.norm(gn) <= self.chord_rate * np.linalg.norm(g):
                A, fresh = self._fresh(u, sigma, c), True
                continue
            # Broyden's update of the reused matrix along the step (Dennis & Schnabel,
            # Sec. 8.1, as steady._newton): chord iterations then converge superlinearly
            A = A + np.outer(gn - g - A @ du, du) / (du @ du)
            u, F, S, x, lam = un, Fn, Sn, xn, lamn
            fresh = False
        if np.all(np.abs(F) <= self.looseness * _tolerance(bal, S) + self._resolution(x, lam, F)):
            return u, MAX_NEWTON
        raise ContinuationFailed(f"corrector did not converge in {MAX_NEWTON} iterations")

    def _resolution(self, x, lam, F) -> np.ndarray:
        """The change of the net heats when each ln T moves by 8 units in the last place
        (as steady._resolution): below it, a net heat is not resolved at all."""
        floor = np.zeros_like(F)
        for j in range(len(x)):
            xp = x.copy()
            xp[j] += 8 * np.finfo(float).eps
            floor += np.abs(self.f.residual(xp, lam)[0] - F)
        return floor

    def _fresh(self, u, sigma, c) -> np.ndarray:
        x, lam = self._split(u)
        _, _, Fx, Fl = self.f.jacobian(x, lam)
        return self._augmented(Fx, Fl, sigma, c)

    def _polish_grids(self, u: np.ndarray, c, value, p0) -> np.ndarray:
        """The photon grids checked at the new point (as the steady solver does); a changed
        grid moves the residual, so the point is corrected again."""
        for _ in range(4):
            x, lam = self._split(u)
            T = self.f.full(x, lam)
            checked = self.f.bal.choose_grids(T) if lam == self.full_check_at else \
                self.f.bal.choose_grids(T, self.grid_radius, self.grid_looseness)
            if not checked:
                break
            u = self.correct(u, c, value, p0)[0]
        return u

    # ---- steps --------------------------------------------------------------------------
    def arclength(self, p0: BranchPoint, ds: float, before: Optional[BranchPoint] = None
                  ) -> Tuple[BranchPoint, int]:
        """A pseudo-arclength step of length ds from p0; the new tangent is oriented along
        the chord from p0 (not p0's tangent: at a corner of the branch, e.g. where a film
        crosses Tc, the two tangents can be more than 90 degrees apart).  With the point
        ``before`` p0 on the branch, the corrector starts from the extrapolation of both
        (:func:`_extrapolated`)."""
        u0 = self._u(p0.x, p0.lam)
        value = float(p0.t @ u0 + ds)
        guess, jacobian = u0 + ds * p0.t, None
        if before is not None and not self._corner(before, p0) and not \
                self.f.bal.crosses_kink(self.f.full(p0.x, p0.lam),
                                        self.f.full(*self._split(guess))):
            # (not across a kink of the balance, a film's Tc: the branch has a corner there)
            guess, jacobian = _extrapolated(self._u(before.x, before.lam), before, u0, p0, ds)
            # onto the corrector's hyperplane t0 . u = value: the cubic's parameter is the
            # chord, not the arclength, and off it the guess errs by O(ds^3), on it O(ds^4)
            guess = guess + (value - float(p0.t @ guess)) * p0.t
        u, its = self.correct(guess, p0.t, value, p0, jacobian)
        u = self._polish_grids(u, p0.t, value, p0)
        _check_step(u, u0, u0 + ds * p0.t, ds)
        self._check_miss(u, u0 + ds * p0.t, ds)
        x, lam = self._split(u)
        return self.point(x, lam, u - u0), its

    def coordinate(self, p0: BranchPoint, ds: float) -> Tuple[BranchPoint, int]:
        """A step that moves the temperature moving fastest along the tangent, x_k, by ds
        (local parametrisation, W. C. Rheinboldt, Numer. Math. 32, 1 (1979)).  It passes a
        corner or cusp of the branch, which an arclength step cannot when the branch turns
        back there: at a film's Tc the gap ~ sqrt(Tc - T) makes dP/dT infinite on one
        side, and the branch is monotone in the film's temperature through it."""
        u0 = self._u(p0.x, p0.lam)
        k = int(np.argmax(np.abs(p0.t[:-1])))
        e = np.zeros(len(u0))
        e[k] = 1.0
        value = float(u0[k] + ds * np.sign(p0.t[k]))
        guess = u0.copy()
        guess[k] = value
        u, its = self.correct(guess, e, value, p0)
        u = self._polish_grids(u, e, value, p0)
        # the other temperatures move with x_k (no farther than 3 ds); lambda may move as
        # sqrt(ds) at a cusp; farther is another branch at the same x_k
        if float(np.abs(u[:-1] - u0[:-1]).max()) > 3 * ds + 1e-12 or \
                abs(u[-1] - u0[-1]) > 3 * ds + 0.3 * np.sqrt(ds):
            raise ContinuationFailed("corrected point far from the previous one")
        # the tangent's prediction at the new x_k (a coordinate step runs through a fold
        # pair, along which x_k keeps rising, as easily as through a corner)
        self._check_miss(u, u0 + p0.t * (ds / max(abs(p0.t[k]), 1e-300)), ds)
        x, lam = self._split(u)
        return self.point(x, lam, e * np.sign(p0.t[k])), its

    def pinned(self, p0: BranchPoint, lam: float, guess: Optional[np.ndarray] = None,
               c_orient: Optional[np.ndarray] = None, kind="grid",
               jacobian: Optional[Tuple[np.ndarray, np.ndarray]] = None
               ) -> Tuple[BranchPoint, int]:
        """The point at parameter value lam near ``guess`` (default: the tangent predictor
        from p0), the corrector starting from p0's Jacobian or ``jacobian``."""
        u0 = self._u(p0.x, p0.lam)
        mu = lam / self.L
        if guess is None:
            guess = u0 + (mu - u0[-1]) / p0.t_mu * p0.t
        e = np.zeros(len(u0))
        e[-1] = 1.0
        u, its = self.correct(guess, e, mu, p0, jacobian)
        u = self._polish_grids(u, e, mu, p0)
        u[-1] = mu
        x, _ = self._split(u)
        return self.point(x, lam, p0.t if c_orient is None else c_orient, kind), its

    def _pinned_guess(self, before: Optional[BranchPoint], p0: BranchPoint, lam: float):
        """(guess, Jacobian) for the fixed-parameter step from p0 to lam extrapolated with
        the point ``before`` p0 (:func:`_extrapolated`, the guess set onto mu = lam), or
        (None, None): the tangent's prediction and p0's Jacobian."""
        if before is None or self._corner(before, p0):
            return None, None
        u0 = self._u(p0.x, p0.lam)
        mu = lam / self.L
        guess, jacobian = _extrapolated(self._u(before.x, before.lam), before, u0, p0,
                                        (mu - u0[-1]) / p0.t_mu)
        if jacobian is None:
            return None, None
        guess[-1] = mu
        return guess, jacobian

    def _step(self, p: BranchPoint, ds: float, order: List[str],
              before: Optional[BranchPoint] = None) -> Tuple[BranchPoint, int]:
        """An arclength or a coordinate step, in the order given (the kind that worked
        last first: near a corner of the branch, only coordinate steps pass); ``before``:
        the branch point before p, for the arclength step's predictor."""
        failure = ContinuationFailed("no step")
        for kind in order:
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    q, its = self.arclength(p, ds, before) if kind == "step" else \
                        self.coordinate(p, ds)
            except ContinuationFailed as exc:
                failure = exc
                continue
            except ArithmeticError as exc:       # a step too long for the kernels' range
                failure = ContinuationFailed(f"numerical failure: {exc}")
                continue
            q.kind = kind
            return q, its
        raise failure

    def _crossing(self, p: BranchPoint, q: BranchPoint, lam: float,
                  interpolated: np.ndarray) -> BranchPoint:
        """The point at lam between the branch points p and q (no fold between them):
        Newton at fixed lam from the linear interpolation, else from the tangent
        prediction of the nearer, then of the farther end (a strongly curved stretch)."""
        chord = self._u(q.x, q.lam) - self._u(p.x, p.lam)
        near, far = _nearest((p, q), interpolated, self.L)
        failure: Optional[ContinuationFailed] = None
        for start, guess in ((near, interpolated), (near, None), (far, None)):
            if guess is None and abs(start.t_mu) < 1e-12:
                continue
            try:
                r, _ = self.pinned(start, lam, guess, chord)
            except ContinuationFailed as exc:
                failure = exc
                continue
            # a temperature may turn between p and q (a minimum of T at a kink of the
            # parameter dependence): by no more than the step itself
            margin = float(np.abs(chord).max()) + 1e-9
            lo = np.minimum(p.x, q.x) - margin
            hi = np.maximum(p.x, q.x) + margin
            if np.all((r.x >= lo) & (r.x <= hi)) or len(r.x) == 0:
                return r
            failure = ContinuationFailed("the solution found is not between the neighbouring "
                                         "points of the branch")
        raise failure or ContinuationFailed("no start")

    def fold_between(self, a: BranchPoint, b: BranchPoint) -> BranchPoint:
        """The fold between a and b (:meth:`_locate_fold`), on photon grids verified at the
        fold itself: the grid check is otherwise skipped within its radius of where it was
        last made (HeatBalance.choose_grids), and near a film's Tc, where the gap moves
        fast, a grid from 2 % away can be off by 1e-4.  A changed grid locates the fold
        again."""
        f, k = self._locate_fold(a, b)
        bal = self.f.bal
        if bal.choose_grids(self.f.full(f.x, f.lam), radius=0.0):     # checked here
            # lambda at fixed x_k moves only quadratically away from a smooth fold, and a
            # corner is at fixed x_k: correcting the fold point on the new grid suffices
            u = self._u(f.x, f.lam)
            e = np.zeros(len(u))
            e[k] = 1.0
            u, _ = self.correct(u, e, float(u[k]), f)
            x, lam = self._split(u)
            f = self.point(x, lam, e * np.sign(f.t[k]), "fold")
        return f

    def _locate_fold(self, a: BranchPoint, b: BranchPoint) -> Tuple[BranchPoint, int]:
        """The turning point between a and b (t_mu of opposite signs): Illinois regula falsi
        on t_mu as a function of the temperature x_k that moves most from a to b (the
        branch is monotone in it across a fold, and across a corner), each point solved
        with x_k fixed, tangents oriented along the chord from a to b."""
        ua, ub = self._u(a.x, a.lam), self._u(b.x, b.lam)
        chord = ub - ua
        k = _monotone(a, b)
        e = np.zeros(len(ua))
        e[k] = 1.0
        orient = e * np.sign(chord[k])
        s_lo, f_lo, s_hi, f_hi = 0.0, _slope(a, k), 1.0, _slope(b, k)
        best, side = (b if abs(b.t_mu) < abs(a.t_mu) else a), 0
        width = abs(chord[k])
        for _ in range(FOLD_ITER):
            if (s_hi - s_lo) * width <= FOLD_TOL:
                break
            s = (s_lo * f_hi - s_hi * f_lo) / (f_hi - f_lo)
            if not s_lo < s < s_hi:
                s = 0.5 * (s_lo + s_hi)
            near = a if s < 0.5 else b
            u, _ = self.correct(ua + s * chord, e, float(ua[k] + s * chord[k]), near)
            x, lam = self._split(u)
            p = self.point(x, lam, orient, "fold")
            best = p
            f = _slope(p, k)
            if abs(p.t_mu) < 1e-13:
                break
            if np.sign(f) == np.sign(f_lo):
                s_lo, f_lo = s, f
                if side == -1:
                    f_hi /= 2
                side = -1
            else:
                s_hi, f_hi = s, f
                if side == 1:
                    f_lo /= 2
                side = 1
        best.kind = "fold"
        return best, k

    # ---- the driver ---------------------------------------------------------------------
    def trace(self, p0: BranchPoint, values: Sequence[float], lo: float, hi: float,
              ds0: float, ds_max: float, max_steps: int,
              stop: Optional[Callable[[BranchPoint, List[Event]], bool]] = None,
              before: Optional[BranchPoint] = None) -> Trace:
        """Follow the branch from p0 (already a point of it, not reported) until lam leaves
        [lo, hi] or ``stop(point, events)`` says so.  Events in order along the branch:
        "grid" at every crossing of a value of ``grid`` (solved at exactly that value),
        "fold" at every turning point, "step" at the arclength steps in between (where the
        branch is steep or turns back), "failed" for a crossing that could not be solved.

        ``ds0`` and ``ds_max`` bound the largest change of one coordinate (ln T of a node, or
        mu) in a step, not the step's Euclidean length: N nodes that rise together move
        by ds / sqrt(N + 1) each in an arclength step ds, and a cap on the arclength would
        make the steps of a large network ever shorter in each temperature.

        ``before``: a point of the branch before p0, with its tangent and derivatives (a
        continued ramp's kept state before its start), from which the first step
        extrapolates (:func:`_extrapolated`)."""
        out = Trace()
        grid = np.unique(np.asarray(values, dtype=float))
        ds = ds0 / _spread(p0.t)
        p = p0
        last = self._u(p0.x, p0.lam)          # the last point reported
        order = ["step", "coordinate"]        # step kinds, the last successful one first
        for _ in range(max_steps):
            if ds < DS_MIN:
                out.stopped = (f"the continuation stalled at {_lam_text(p.lam)} (step below "
                               f"{DS_MIN:g})")
                return out
            target = _next_grid(grid, p.lam, p.t_mu)
            q: Optional[BranchPoint] = None
            try:
                if target is not None and abs(p.t_mu) >= NATURAL_MIN and \
                        abs((target - p.lam) / self.L / p.t_mu) <= 1.5 * ds:
                    guess, jacobian = self._pinned_guess(before, p, target)
                    before = None                 # (a rejected step retries without)
                    with np.errstate(over="raise", invalid="raise", divide="raise"):
                        q, its = self.pinned(p, target, guess, jacobian=jacobian)
                    predicted = self._u(p.x, p.lam) + (target - p.lam) / self.L / p.t_mu * p.t
                    length = abs((target - p.lam) / self.L / p.t_mu)
                    _check_step(self._u(q.x, q.lam), self._u(p.x, p.lam), predicted, length)
                    self._check_miss(self._u(q.x, q.lam), predicted, length)
                    if folded(p, q) or not consistent(p, q, self.L):
                        raise ContinuationFailed("a fold or a jump inside a fixed-parameter "
                                                 "step")
                else:
                    # the point before p extrapolates the first try from p only: a step
                    # rejected (below) is tried again from p's tangent alone
                    q, its, before = *self._step(p, ds, order, before), None
                    order = [q.kind] + [m for m in order if m != q.kind]
            except (ContinuationFailed, ArithmeticError):
                ds *= SHRINK
                before = None
                continue
            if float(p.t @ q.t) < self.min_cos and ds > (CORNER_DS if self._corner(p, q)
                                                           else 1e-4):
                ds *= SHRINK                   # the branch turns sharply: shorter steps
                continue
            if q.kind != "grid" and not folded(p, q) and min(abs(p.t_mu), abs(q.t_mu)) >= \
                    NATURAL_MIN and not consistent(p, q, self.L):
                ds *= SHRINK     # landed on a neighbouring branch that runs alongside
                continue
            ds = min(ds * GROW, ds_max / _spread(q.t)) if its <= GROW_ITS else \
                (ds * 0.7 if its > 6 else ds)
            if np.sign(q.t_mu) != np.sign(p.t_mu) and not folded(p, q):
                q.t = -q.t            # lambda goes on: only the tangent's orientation flipped
            try:
                events = self._between(p, q, grid)
            except ContinuationFailed as exc:
                events = [Event(q, "failed", f"a fold between {_lam_text(p.lam)} and "
                                f"{_lam_text(q.lam)} could not be located: {exc}",
                                lam=float("nan"))]
            out.events.extend(events)
            if events:
                last = self._u(events[-1].point.x, events[-1].point.lam)
            uq = self._u(q.x, q.lam)
            if q.kind == "grid" or (abs(q.t_mu) < NATURAL_MIN and lo <= q.lam <= hi
                                    and np.abs(uq - last).max() >= 0.5 * ds0):
                out.events.append(Event(q, "grid" if q.kind == "grid" else "step"))
                last = uq
            before, p = (None if events else p), q
            if not lo <= p.lam <= hi:
                return out
            if stop is not None and stop(p, out.events):
                return out
        out.stopped = f"the continuation took {max_steps} steps without reaching the end " \
            f"(at {_lam_text(p.lam)})"
        return out

    def _between(self, a: BranchPoint, b: BranchPoint, grid: np.ndarray) -> List[Event]:
        """Folds and grid crossings strictly between a and b, in order along the branch
        (b itself is not included)."""
        events: List[Event] = []
        pieces = [(a, b)]
        if folded(a, b):
            f = self.fold_between(a, b)
            pieces = [(a, f), (f, b)]
            fold_event = [Event(f, "fold")]
        else:
            fold_event = []
        for k, (p, q) in enumerate(pieces):
            lo, hi = sorted((p.lam, q.lam))
            inside = [g for g in grid if lo < g < hi]
            inside.sort(reverse=q.lam < p.lam)
            up, uq = self._u(p.x, p.lam), self._u(q.x, q.lam)
            for g in inside:
                frac = (g - p.lam) / (q.lam - p.lam)
                try:
                    events.append(Event(self._crossing(p, q, g, up + frac * (uq - up)),
                                        "grid"))
                except ContinuationFailed as exc:
                    events.append(Event(p, "failed", f"no solution found at this value on "
                                        f"the branch: {exc}", lam=g))
            if k == 0:
                events.extend(fold_event)
        return events


SMOOTH_COS = 0.9     # tangents this aligned (25 degrees) are extrapolated beyond the chord


def _extrapolated(ub: np.ndarray, b: BranchPoint, u0: np.ndarray, p0: BranchPoint,
                  ds: float) -> Tuple[np.ndarray, Optional[Tuple[np.ndarray, np.ndarray]]]:
    """The predictor of an arclength step ds from p0 with the point b before it (scaled
    coordinates ub, u0), and the Jacobian extrapolated there, or (the tangent's
    prediction, None) where the branch turns between them or may near a fold (t_mu, the
    parameter's share of the unit tangent, below NATURAL_MIN at either point: at a fold
    the Jacobian becomes singular, and extrapolating it misleads; a steep stretch is
    stepped from the tangent alone, which measured fewer evaluations there too).

    The cubic Hermite through both points with their tangents in the arclength s, b at
    s = -h with h the chord (extrapolation.hermite_step, as the sweep's predictor): once
    projected onto the corrector's hyperplane (``arclength``), error O(ds^4) instead of
    the tangent's O(ds^2).  The Jacobian (dF/dx, dF/dlam) extrapolated too, error O(ds^2)
    instead of O(ds), so that the corrector's
    reused matrix contracts its steps faster (the .op ramp's steps mostly needed a new
    Jacobian after the first): each row over the node's flow scale S linearly in s, S
    geometrically (a T^5 law's row grows ~4x in one ramp step; linearly it would be
    underestimated 2x).  Cold .op of the Dey circuit at 0.1, 1, 2.2, 3 pW: 69/18, 72/20,
    80/22, 159/41 residuals/derivative passes with the tangent alone, 67/16, 69/17, 74/19,
    146/39 with this."""
    linear = ds * p0.t
    h = float(np.linalg.norm(u0 - ub))
    if not h > 0 or float(b.t @ p0.t) < SMOOTH_COS or float(p0.t @ (u0 - ub)) <= 0 or \
            min(b.t_mu * np.sign(p0.t_mu), abs(p0.t_mu)) < NATURAL_MIN:
        return u0 + linear, None        # a turn, or near a fold: the tangent alone
    step = hermite_step(u0, p0.t, ub, b.t, h, ds)
    r = ds / h
    if not (np.all(p0.S > 0) and np.all(b.S > 0)):
        return u0 + step, (p0.Fx + r * (p0.Fx - b.Fx), p0.Fl + r * (p0.Fl - b.Fl))
    S = p0.S * (p0.S / b.S) ** r
    Fx0, Fxb = p0.Fx / p0.S[:, None], b.Fx / b.S[:, None]
    Fl0, Flb = p0.Fl / p0.S, b.Fl / b.S
    return u0 + step, ((Fx0 + r * (Fx0 - Fxb)) * S[:, None], (Fl0 + r * (Fl0 - Flb)) * S)


def _spread(t: np.ndarray) -> float:
    """The largest coordinate of the unit tangent t: a step ds along t moves no coordinate
    farther than ds times this (between 1 / sqrt(len(t)) and 1)."""
    return float(np.abs(t).max())


def _nearest(points, u: np.ndarray, L: float) -> List[BranchPoint]:
    return sorted(points, key=lambda p: float(np.abs(np.append(p.x, p.lam / L) - u).max()))


def _monotone(a: BranchPoint, b: BranchPoint) -> int:
    """The free node whose ln T moves most from a to b: the branch is monotone in it
    between two nearby points, through a fold of lambda or a corner alike."""
    return int(np.argmax(np.abs(b.x - a.x)))


def _slope(p: BranchPoint, k: int) -> float:
    """dmu/dx_k along the branch at p (independent of the tangent's orientation)."""
    return float(p.t[-1] / p.t[k]) if p.t[k] != 0 else float("inf") * np.sign(p.t[-1])


def folded(a: BranchPoint, b: BranchPoint) -> bool:
    """Whether lambda turns between the nearby branch points a and b (each tangent oriented
    along the way from a to b): t_mu changes sign, and so does dlambda/dx_k, x_k the
    temperature that moves most between them (a temperature that turns while lambda goes
    on, e.g. at the minimum of an NDTC curve, changes only the latter's sign), and so does
    det(dF/dx) (Cramer: at a turning point dF/dx is singular; at a corner of the balance in
    lambda, such as a symmetric SQUID's |cos(pi flux)| at half a flux quantum, the
    orientation rule can flip t_mu while dF/dx stays regular: not a fold)."""
    k = _monotone(a, b)
    return bool(np.sign(a.t_mu) != np.sign(b.t_mu)
                and np.sign(_slope(a, k)) != np.sign(_slope(b, k))
                and np.linalg.slogdet(a.Fx)[0] != np.linalg.slogdet(b.Fx)[0])


MISS_REL, MISS_ABS = 0.25, 1e-3  # tangent predictions this far off: not the same branch


def consistent(a: BranchPoint, b: BranchPoint, L: float) -> bool:
    """Whether b can be a's neighbour on one branch: det(dF/dx) keeps its sign and each
    point's tangent predicts the other's temperatures to within MISS_REL of their change
    (plus MISS_ABS in ln T); a smooth branch misses by O(dlambda^2)."""
    if np.linalg.slogdet(a.Fx)[0] != np.linalg.slogdet(b.Fx)[0]:
        return False
    if abs(a.t_mu) < 1e-12 or abs(b.t_mu) < 1e-12:
        return False
    dmu = (b.lam - a.lam) / L
    dx = b.x - a.x
    miss = max(np.abs(dx - dmu * a.t[:-1] / a.t_mu).max(),
               np.abs(dx - dmu * b.t[:-1] / b.t_mu).max())
    return bool(miss <= MISS_REL * np.abs(dx).max() + MISS_ABS)


def _check_step(u, u0, predicted, ds) -> None:
    """A corrected point far from its prediction may lie on another branch: rejected (the
    step is halved).  Tiny steps are accepted (a corner of the branch, e.g. at a
    superconductor's Tc, turns the tangent at any step length)."""
    dist = float(np.abs(u - predicted).max())
    if dist > 0.5 * ds + 1e-9 and ds > 1e-5:
        raise ContinuationFailed("corrected point far from the predicted one")
    if float(np.abs(u - u0).max()) > 2 * ds + 1e-9 and ds <= 1e-5:
        raise ContinuationFailed("corrected point far from the previous one")


def _next_grid(grid: np.ndarray, lam: float, direction: float) -> Optional[float]:
    """The next grid value beyond lam in the direction of travel."""
    ahead = grid[grid > lam * (1 + 1e-13) + 1e-300] if direction > 0 else \
        grid[grid < lam * (1 - 1e-13) - 1e-300]
    if not len(ahead):
        return None
    return float(ahead.min() if direction > 0 else ahead.max())


def _lam_text(lam: float) -> str:
    return f"parameter {lam:.6g}"


# ---- the ramp of .op -----------------------------------------------------------------------
class RampFamily:
    """The ramp of an experiment: heaters at L(s) times their power, every temperature
    source at T_lo + L(s) (T - T_lo), T_lo the coldest source (the bath state at s = 0:
    heaters off, everything at T_lo, every flow zero), for the ramp parameter s from 0 to 1.

    The load L(s) = expm1(c s) / expm1(c) (L = s for c = 0) rises exponentially in s: with
    c ~ n ln(T_end / T_lo) for heat laws ~ T^n the temperatures rise about linearly in s
    instead of jumping up at the first per mille of the load (where the bath's weak
    conductance at T_lo makes ln T nearly vertical in L), so the continuation takes few,
    long steps.  L is strictly increasing: the branch, its folds and its end are those of
    the ramp in L itself."""

    def __init__(self, bal: HeatBalance, curvature: float = 0.0):
        self.bal = bal
        self.T_lo = float(bal.source_T.min())
        self.target = bal.source_T.copy()
        self.c = float(curvature)

    def load(self, s: float) -> float:
        """The fraction of the full load at ramp parameter s."""
        if self.c < 1e-8:
            return float(s)
        return float(np.expm1(self.c * s) / np.expm1(self.c))

    def parameter(self, load: float) -> float:
        """The ramp parameter s at which the load is ``load`` (the inverse of :meth:`load`)."""
        if self.c < 1e-8:
            return float(load)
        return float(np.log1p(load * np.expm1(self.c)) / self.c)

    def dload(self, s: float) -> float:
        """dL/ds."""
        if self.c < 1e-8:
            return 1.0
        return float(self.c * np.exp(self.c * s) / np.expm1(self.c))

    def sources(self, s):
        return self.T_lo + self.load(s) * (self.target - self.T_lo)

    def full(self, x, s):
        return self.bal.full(np.exp(x), self.sources(s))

    def residual(self, x, s):
        return self.bal.residual(np.exp(x), self.load(s), self.sources(s))

    def jacobian(self, x, s, T=None):
        bal = self.bal
        lam = self.load(s)
        full = self.full(x, s) if T is None else T
        net, mag, dnet, _ = bal.flows(full, lam, derivatives=True)
        f = bal.free
        # the heaters' powers and the bias networks' heats (their sources ramp too)
        dlam = bal.load_derivative(full, lam)
        dlam = dlam[f] + dnet[np.ix_(f, bal.fixed)] @ (self.target - self.T_lo)
        return net[f], mag[f], dnet[np.ix_(f, f)] * np.exp(x)[None, :], dlam * self.dload(s)
