"""W = D Z D^T of a network in which only a few elements move: a rank-m update of a fixed part.

In a network of n nodes where only m elements change their admittance between evaluations
(the temperature-dependent ones: superconducting films at their own temperatures) and the
others have the same admittance at every photon energy (resistors), split

    Y(E) = Y0 + U^T diag(dy(E)) U,    Y0 = sum_fixed y_e d_e d_e^T + sum_moving c_e d_e d_e^T,

with U the incidence rows of the moving elements, c_e a constant reference admittance of each
(chosen once: any value that makes Y0 invertible) and dy_e(E) = y_e(E) - c_e.  Y0 does not
depend on the energy nor on the temperatures, so Z0 = Y0^-1, W0 = D Z0 D^T, A = D Z0 U^T and
K = U Z0 U^T are computed once per network, and the Woodbury identity in the form that needs no
inverse of dy (Hager, "Updating the inverse of a matrix", SIAM Review 31, 221 (1989), Eq. 1.2
with the update U^T dy U)

    Z = Z0 - Z0 U^T dy (I + K dy)^-1 U Z0,   hence   W = W0 - A dy (I + K dy)^-1 A^T,

costs one m x m solve and two products per energy instead of an n x n inverse and the
gather of W.  det Y = det Y0 det(I + K dy), so I + K dy is invertible exactly where Y is;
an element at its reference (dy = 0) adds nothing.  Used where it pays (``worthwhile``) and
where Y0 is well conditioned (``build`` returns None otherwise): :class:`NetworkTransfer`
chooses per call and falls back to the dense path of :func:`photonic.transfer` (also for a
network with floating groups, whose nearly singular Y that path treats without cancellation).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from thermnet.physics import photonic

MAX_CONDITION = 1e6      # cond(Y0) above which the fixed part is not trusted (dense path)
MIN_NODES = 8            # smaller networks: the dense inverse is as fast
MAX_SHARE = 0.5          # moving elements per node up to which the update pays


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
        D = incidence[dissipative].astype(complex)
        U = incidence[moving].astype(complex)
        self.moving = np.asarray(moving, dtype=int)
        self.reference = np.asarray(reference, dtype=complex)
        self.W0 = _real_if_real(D @ Z0 @ D.T)
        self.A = _real_if_real(D @ Z0 @ U.T)        # (nd, m)
        self.K = U @ Z0 @ U.T                       # (m, m)

    @classmethod
    def build(cls, incidence: np.ndarray, dissipative: np.ndarray, moving: np.ndarray,
              y_fixed: np.ndarray, reference: np.ndarray) -> Optional["LowRankTransfer"]:
        """The fixed part, or None where Y0 is singular or ill conditioned.  ``y_fixed``:
        (n_elements,) admittances (S) of the other elements, the same at every energy
        (entries at ``moving`` are ignored)."""
        y0 = np.asarray(y_fixed, dtype=complex).copy()
        y0[moving] = reference
        Y0 = (incidence.T * y0) @ incidence
        if not np.all(np.isfinite(Y0)):
            return None
        with np.errstate(all="ignore"):
            cond = np.linalg.cond(Y0)
        if not np.isfinite(cond) or cond > MAX_CONDITION:
            return None
        return cls(incidence, dissipative, moving, reference, np.linalg.inv(Y0))

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


def _real_if_real(a: np.ndarray) -> np.ndarray:
    """a as a real array where its imaginary part is exactly zero."""
    return a.real.copy() if not np.any(a.imag) else a


class NetworkTransfer:
    """W = d_i^T Z d_j of one network at its elements' admittances: by the rank-m update of
    :class:`LowRankTransfer` where it applies, else by :func:`photonic.transfer`.

    ``moving``: the elements whose admittance may change between calls (temperature-
    dependent or biased); the update applies when there are few of them (``worthwhile``),
    the network has no floating groups, every other element has the same admittance at
    every energy of the call (resistors: exact equality is checked on each call) and the
    fixed part Y0 is well conditioned.  The fixed part is kept, keyed on the other
    elements' values (a rebind that changes a resistance builds it again); the moving
    elements' reference admittances are the median of |y| over the energies of the call
    that builds it (any value for which Y0 is invertible gives the same W: a real positive
    one keeps a network of resistors' Y0 a real positive definite matrix).
    """

    def __init__(self, incidence: np.ndarray, dissipative: np.ndarray,
                 floating: Tuple[Tuple[int, ...], ...], moving: np.ndarray):
        self.incidence = incidence
        self.dissipative = dissipative
        self.floating = floating
        self.moving = np.asarray(moving, dtype=int)
        self.fixed = np.setdiff1d(np.arange(len(incidence)), self.moving)
        self.usable = not floating and worthwhile(incidence.shape[1], len(self.moving))
        self._memo: Optional[Tuple[bytes, Optional[LowRankTransfer]]] = None

    def fixed_part(self, y: np.ndarray) -> Optional[LowRankTransfer]:
        """The rank-m update for the admittances y (n_elements, n_energy), or None where
        the dense path is taken."""
        if not self.usable or not np.all(y[self.fixed] == y[self.fixed, :1]):
            return None
        y0 = y[:, 0].copy()
        y0[self.moving] = 0.0
        key = y0.tobytes()
        if self._memo is None or self._memo[0] != key:
            reference = np.median(np.abs(y[self.moving]), axis=1)
            self._memo = (key, LowRankTransfer.build(self.incidence, self.dissipative,
                                                     self.moving, y0, reference))
        return self._memo[1]

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """W (n_energy, nd, nd) at the admittances y (n_elements, n_energy)."""
        fast = self.fixed_part(y)
        if fast is not None:
            return fast.transfer(y[self.moving])
        return photonic.transfer(y, self.incidence, self.dissipative, self.floating)
