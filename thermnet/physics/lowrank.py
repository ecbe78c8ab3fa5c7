"""W = D Z D^T of a network in which only a few elements move: a rank-m update of a fixed part.

In a network of n nodes where only m elements change their admittance between evaluations
(the temperature-dependent ones: superconducting films at their own temperatures) and the
others have the same admittance at every photon energy (resistors), split

    Y(E) = Y0 + U^T diag(dy(E)) U,    Y0 = sum_fixed y_e d_e d_e^T + sum_moving c_e d_e d_e^T,

with U the incidence rows of the moving elements, c_e a constant reference admittance of each
(any value that makes Y0 invertible: :class:`NetworkTransfer` chooses it) and
dy_e(E) = y_e(E) - c_e.  Y0 depends on neither the energy nor the temperatures, so Z0 = Y0^-1,
W0 = D Z0 D^T, A = D Z0 U^T and K = U Z0 U^T are computed once per network and reference, and
the Sherman-Morrison-Woodbury identity (Hager, "Updating the inverse of a matrix", SIAM Review
31, 221 (1989)), written so that dy is never inverted (multiply out with Y0 + U^T dy U to check),

    Z = Z0 - Z0 U^T dy (I + K dy)^-1 U Z0,   hence   W = W0 - A dy (I + K dy)^-1 A^T,

costs one m x m solve and two products per energy instead of an n x n inverse and the
gather of W.  det Y = det Y0 det(I + K dy), so I + K dy is invertible exactly where Y is;
an element at its reference (dy = 0) adds nothing.  Used where it pays (``worthwhile``) and
where Y0 is well conditioned (``build`` returns None otherwise): :class:`NetworkTransfer`
chooses per call and falls back to the dense path of :func:`photonic.transfer` (also for a
network with floating groups, whose nearly singular Y that path treats without cancellation).
"""
from __future__ import annotations

from typing import Iterator, Optional, Tuple

import numpy as np

from thermnet.physics import photonic

MAX_CONDITION = 1e6      # cond(Y0) above which the fixed part is not trusted (dense path)
MIN_NODES = 8            # smaller networks: the dense inverse is as fast
MAX_SHARE = 0.5          # moving elements per node up to which the update pays
REFERENCE_SPAN = 4.0     # a moving element's median |y| within this factor of its reference


def worthwhile(n_nodes: int, n_moving: int) -> bool:
    """The rank-m update beats the dense inverse: a network of at least MIN_NODES nodes
    with at most MAX_SHARE moving elements per node (m^3 + m^2 nd + m nd^2 against n^3
    plus the gather, per energy; measured on rings of 20 to 50 elements)."""
    return n_nodes >= MIN_NODES and 0 < n_moving <= MAX_SHARE * n_nodes


class LowRankTransfer:
    """The fixed part of one network (``build``) and W at given admittances of its moving
    elements (``transfer``).

    Parameters
    ----------
    incidence : (n_elements, n_nodes) +1/-1/0, ground removed.
    dissipative : indices of the elements between which W is wanted (rows of D).
    moving : indices of the elements whose admittance varies (rows of U).
    reference : (m,) complex reference admittances c of the moving elements (S).
    Z0 : the inverse of the fixed part Y0 (``build`` forms and checks it).
    """

    def __init__(self, incidence: np.ndarray, dissipative: np.ndarray, moving: np.ndarray,
                 reference: np.ndarray, Z0: np.ndarray):
        D = incidence[dissipative].astype(float)
        U = incidence[moving].astype(float)
        self.moving = np.asarray(moving, dtype=int)
        self.reference = np.asarray(reference, dtype=complex)
        self.W0 = D @ Z0 @ D.T                      # real where Z0 is
        self.A = D @ Z0 @ U.T                       # (nd, m)
        self.K = U @ Z0 @ U.T                       # (m, m)

    @classmethod
    def build(cls, incidence: np.ndarray, dissipative: np.ndarray, moving: np.ndarray,
              y_fixed: np.ndarray, reference: np.ndarray) -> Optional["LowRankTransfer"]:
        """The fixed part, or None where Y0 is singular or ill conditioned.  ``y_fixed``:
        (n_elements,) admittances (S) of the other elements, the same at every energy
        (entries at ``moving`` are ignored)."""
        y0 = np.asarray(y_fixed, dtype=complex).copy()
        y0[moving] = reference
        if not np.all(np.isfinite(y0)):
            return None
        # real arithmetic for a network of resistors (and real references); the condition
        # number in the 1-norm from the explicit inverse (no SVD: small LAPACK calls that
        # woke OpenBLAS's threads cost 40 ms each on a busy machine)
        Y0 = (incidence.T * (y0 if np.any(y0.imag) else y0.real)) @ incidence
        try:
            Z0 = np.linalg.inv(Y0)
        except np.linalg.LinAlgError:
            return None
        cond = np.linalg.norm(Y0, 1) * np.linalg.norm(Z0, 1)
        if not np.isfinite(cond) or cond > MAX_CONDITION:
            return None
        return cls(incidence, dissipative, moving, reference, Z0)

    def transfer(self, y_moving: np.ndarray) -> np.ndarray:
        """W (n_energy, nd, nd) complex at the moving elements' admittances ``y_moving``
        (m, n_energy), S: W0 - A dy (I + K dy)^-1 A^T."""
        dy = y_moving.T - self.reference                      # (nE, m)
        m = len(self.moving)
        # G = dy (I + K dy)^-1 = (I + dy K)^-1 dy (push-through identity), then
        # W - W0 = A G A^T
        N = dy[:, :, None] * self.K[None, :, :]               # dy K: row a scaled by dy_a
        N[:, np.arange(m), np.arange(m)] += 1.0
        G = np.linalg.inv(N) * dy[:, None, :]                 # (nE, m, m)
        H = G @ self.A.T                                       # (nE, m, nd)
        if np.isrealobj(self.A):
            # a real A (a network of resistors and real references): A H as a real
            # product on H's real and imaginary parts, half the work of a complex one
            R = (self.A @ H.view(float)).view(complex)
        else:
            R = self.A @ H
        # W0 - R in place: one fresh array of W's size, not two (a large one costs its
        # page faults at every call)
        return np.subtract(self.W0, R, out=R)


class NetworkTransfer:
    """W = d_i^T Z d_j of one network at its elements' admittances: by the rank-m update of
    :class:`LowRankTransfer` where it applies, else by :func:`photonic.transfer`.

    ``moving``: the elements whose admittance may change between calls (temperature-
    dependent or biased); the update applies when there are few of them (``worthwhile``),
    the network has no floating groups, every other element has the same admittance at
    every energy of the call (resistors: exact equality is checked on each call) and the
    fixed part Y0 is well conditioned.  The moving elements' reference admittances are the
    median of |y| over the energies of the call that builds the fixed part (any value for
    which Y0 is invertible gives the same W in exact arithmetic; one near the admittances
    keeps I + K dy well conditioned, and a real positive one keeps a network of resistors'
    Y0 a real positive definite matrix).  The fixed part is kept while the other elements'
    values stay the same and each moving element's median |y| stays within REFERENCE_SPAN
    (a factor 4) of its reference (a ring of 50 with 20 films: 4 to 6 builds in an .op ramp
    from 30 mK, against 123 evaluations of W).
    """

    def __init__(self, incidence: np.ndarray, dissipative: np.ndarray,
                 floating: Tuple[Tuple[int, ...], ...], moving: np.ndarray):
        self.incidence = incidence
        self.dissipative = dissipative
        self.floating = floating
        self.moving = np.asarray(moving, dtype=int)
        self.fixed = np.setdiff1d(np.arange(len(incidence)), self.moving)
        self.usable = not floating and worthwhile(incidence.shape[1], len(self.moving))
        self._memo: Optional[Tuple[bytes, np.ndarray, Optional[LowRankTransfer]]] = None

    def fixed_part(self, y: np.ndarray) -> Optional[LowRankTransfer]:
        """The rank-m update for the admittances y (n_elements, n_energy), or None where
        the dense path is taken."""
        if not self.usable or not np.all(y[self.fixed] == y[self.fixed, :1]):
            return None
        y0 = y[:, 0].copy()
        y0[self.moving] = 0.0
        key = y0.tobytes()
        median = np.median(np.abs(y[self.moving]), axis=1)
        if self._memo is None or self._memo[0] != key or not np.all(
                (median <= REFERENCE_SPAN * self._memo[1])
                & (median >= self._memo[1] / REFERENCE_SPAN)):
            self._memo = (key, median, LowRankTransfer.build(
                self.incidence, self.dissipative, self.moving, y0, median))
        return self._memo[2]

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """W (n_energy, nd, nd) at the admittances y (n_elements, n_energy)."""
        fast = self.fixed_part(y)
        if fast is not None:
            return fast.transfer(y[self.moving])
        return photonic.transfer(y, self.incidence, self.dissipative, self.floating)

    def blocks(self, y: np.ndarray, size: int) -> Iterator[Tuple[slice, np.ndarray]]:
        """W block by block over the energies: (slice, W[slice]) for consecutive slices of at
        most ``size`` energies, the path (and the fixed part) chosen once for all of y as in
        ``__call__``.  Each energy's W is computed on its own (batched inverses and
        products), so the blocks are bitwise those of ``__call__(y)``; only one block is
        held at a time (a large W costs its page faults at every call: 1632 energies of a
        50-element network are 65 MB)."""
        fast = self.fixed_part(y)
        for start in range(0, y.shape[1], size):
            s = slice(start, start + size)
            if fast is not None:
                yield s, fast.transfer(y[self.moving, s])
            else:
                yield s, photonic.transfer(y[:, s], self.incidence, self.dissipative,
                                           self.floating)
