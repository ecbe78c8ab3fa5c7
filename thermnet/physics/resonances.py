"""Resonances of a linear electrical network: where its photon transmission has narrow peaks.

The transmission tau_ij(E) = 4 Re y_i Re y_j |d_j^T Z(E) d_i|^2 (``photonic``) is peaked where
Z = Y^-1 has poles, the zeros of det Y.  A pole at complex energy E_p = E0 + i Gamma (J) makes a
Lorentzian-like peak of half width Gamma at E0 on the real axis, of quality factor
Qf = |E_p| / (2 Gamma) (series RLC: Qf = sqrt(L/C)/R, |E_p| = hbar/sqrt(LC), Gamma = hbar R/(2L)).
Gauss-Legendre converges on a panel only as fast as rho^-2n, rho the Bernstein-ellipse radius
through the nearest singularity (Trefethen, "Approximation Theory and Approximation Practice",
Thm. 19.3), so the photon-energy quadrature needs panels of width ~Gamma at E0; this module
finds the poles and places those panels.

Locating the poles.  Each element's admittance is replaced near an energy e by the lumped model

    y(E) ~ G + i E c + k / (i E)        (a resistor, capacitor c = C/hbar, inductor k = hbar/L)

matching Re y at e and Im y at e (1 -+ DELTA) (exact for R, L, C and NIS junctions at any e; a
Mattis-Bardeen film is a kinetic inductance with a small loss, Dey et al. Eqs. 4-6 and
footnote 58).  With the nodal matrices Gn, Cn, Kn (Y = sum_e y_e d_e d_e^T), s = i E and
Y(s) = Gn + s Cn + Kn / s, the zeros of det Y are the eigenvalues of the quadratic pencil
s^2 Cn + s Gn + Kn, solved through its companion linearization

    [[0, I], [-Kn, -Gn]] v = s [[I, 0], [0, Cn]] v

(Tisseur & Meerbergen, SIAM Rev. 43, 235 (2001), Sec. 3), E_p = -i s, shifted and inverted
at s = e (``pencil_poles``).  Candidates come from
models fitted at energies a factor 4 apart over the range; each narrow one is then refined on
the full admittances by refitting at its own energy until it stops moving (a fixed point: the
model matches Im y and its slope there, so the pole is exact to second order in the
frequency dependence of the elements).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Sequence

import numpy as np

DELTA = 1e-3          # relative energy step of the two-point reactance fit
ROUNDING = 1e-9       # relative size below which a fitted c or k is rounding noise
FIT_RATIO = 4.0       # spacing of the fit energies over the range
REFINE_STEPS = 12     # fixed-point refits of a narrow pole
LOSSLESS = 1e-12      # Gamma / |E_p| below this: a lossless mode, uncoupled from any resistor
GRADING = 2.0         # panel widths grow by this factor away from a resonance
DRIFT_STEP = 0.01     # relative temperature step that measures how fast the resonances move
AXIS = 1e-6           # |E0| / |E_p| below which a pole lies on the imaginary axis (on_axis)


@dataclass(frozen=True)
class Pole:
    """A pole of the network's impedance at E0 + i Gamma (J)."""

    energy: float     # E0 >= 0, resonance energy (0 for an overdamped, real-frequency pole)
    width: float      # Gamma > 0, half width at half maximum of the peak

    @property
    def quality(self) -> float:
        """Qf = |E_p| / (2 Gamma) = omega_0 / (2 alpha) (series RLC: sqrt(L/C)/R)."""
        return abs(self.complex) / (2.0 * self.width)

    @property
    def complex(self) -> complex:
        return complex(self.energy, self.width)


Admittance = Callable[[np.ndarray], np.ndarray]   # energies (J, 1-D) -> (n_elements, n) S


def lumped(admittance: Admittance, energies: np.ndarray):
    """G (S), c (S/J), k (S J) of every element at every energy, each (n_elements, n).

    Two-point fit of Im y = E c - k / E at E1,2 = e (1 -+ DELTA):
    c = (E2 B2 - E1 B1) / (E2^2 - E1^2), k = c E1^2 - E1 B1; G = mean Re y.  c and k are
    clipped at 0: a passive element's lumped capacitance and inductance are positive, and a
    negative value (a film's slowly varying kinetic inductance) would only add spurious poles.
    Energies must be > 0.
    """
    return _fit(admittance(fit_energies(energies)), energies)


def fit_energies(energies: np.ndarray) -> np.ndarray:
    """The energies at which :func:`lumped` evaluates the admittances: e (1 - DELTA), then
    e (1 + DELTA)."""
    return np.concatenate((energies * (1 - DELTA), energies * (1 + DELTA)))


def _fit(y: np.ndarray, energies: np.ndarray):
    """:func:`lumped` from the admittances y at ``fit_energies(energies)``."""
    e1, e2 = energies * (1 - DELTA), energies * (1 + DELTA)
    n = len(energies)
    y1, y2 = y[:, :n], y[:, n:]
    b1, b2 = y1.imag, y2.imag
    c = (e2 * b2 - e1 * b1) / (e2 ** 2 - e1 ** 2)
    k = c * e1 ** 2 - e1 * b1
    # the fit amplifies rounding by 1/DELTA: a part below ROUNDING of the reactance is noise
    # (e.g. the inductance it would give a capacitor)
    size = np.abs(c) * energies + np.abs(k) / energies
    c = np.where((c > 0) & (c * energies > ROUNDING * size), c, 0.0)
    k = np.where((k > 0) & (k / energies > ROUNDING * size), k, 0.0)
    return 0.5 * (y1.real + y2.real), c, k


def pencil_poles(incidence: np.ndarray, G: np.ndarray, c: np.ndarray, k: np.ndarray,
                 scales: np.ndarray) -> List[np.ndarray]:
    """Poles E_p = -i s (J, complex, Im > 0) of the lumped network fitted at each of m
    energies, s the eigenvalues of s^2 Cn + s Gn + Kn (module docstring), with Re E_p >= 0
    (one of each conjugate pair).  G, c, k: (n_elements, m); returns m arrays.

    Each pencil is written in its fit energy (s = scale sigma) with the nodes scaled to unit
    diagonal (eigenvalues unchanged), keeping the 1e30 spread of the raw coefficients away
    from the eigensolver.  The generalized problem A v = sigma B v (B singular where a node
    has no capacitance) is solved as the standard one (A - B)^-1 B v = mu v, sigma =
    1 + 1/mu (shift and invert at sigma = 1): all m at once, and well conditioned because a
    passive network has no pole with Re s > 0, so |mu| <= 1; mu = 0 are the infinite
    eigenvalues of the singular B.
    """
    inc = incidence.astype(float)
    m, n = len(scales), inc.shape[1]
    Cn, Gn, Kn = np.einsum("qem,ei,ej->qmij", np.array((c * scales, G, k / scales)), inc, inc)
    diag = np.abs(np.diagonal(Cn, axis1=1, axis2=2)) + np.abs(
        np.diagonal(Gn, axis1=1, axis2=2)) + np.abs(np.diagonal(Kn, axis1=1, axis2=2))
    d = 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0))
    dd = d[:, :, None] * d[:, None, :]
    A = np.zeros((m, 2 * n, 2 * n))
    B = np.zeros((m, 2 * n, 2 * n))
    A[:, :n, n:] = np.eye(n)
    A[:, n:, :n] = -Kn * dd
    A[:, n:, n:] = -Gn * dd
    B[:, :n, :n] = np.eye(n)
    B[:, n:, n:] = Cn * dd
    mu = np.linalg.eigvals(np.linalg.solve(A - B, B))
    out = []
    for row, scale in zip(mu, scales):
        row = row[np.abs(row) > ROUNDING]
        sigma = 1.0 + 1.0 / row
        # |sigma| at rounding level: the zeros that s^2 Cn + s Gn + Kn = s Y(s) has at s = 0
        # where Kn is singular (not poles of Z)
        sigma = sigma[np.abs(sigma) > ROUNDING]
        p = -1j * scale * sigma                       # E_p = -i s
        p = np.abs(p.real) + 1j * p.imag              # conjugate pairs: keep Re E_p >= 0
        out.append(p[p.imag > LOSSLESS * np.abs(p)])  # stable and lossy
    return out


def link_poles(admittance: Admittance, incidence: np.ndarray, lo: float, hi: float,
               floor: float, cap: float) -> List[Pole]:
    """Poles of a network (J) with |E_p| up to about ``hi``; the narrow ones (``is_narrow``:
    those that get their own panels) refined on the full admittances.  In a network with no
    capacitive element only the poles on the imaginary axis (``on_axis``).

    Parameters
    ----------
    admittance : energies (J) -> (n_elements, n) complex admittances (S) at fixed temperatures.
    incidence : (n_elements, n_nodes) reduced incidence matrix of the network.
    lo, hi : energies (J) of the lowest and highest fit, 0 < lo < hi; the lowest fit also
        supplies the poles below lo.
    floor, cap : the quadrature's local panel width (``local_width``).
    """
    fits = lo * FIT_RATIO ** np.arange(int(np.ceil(np.log(hi / lo) / np.log(FIT_RATIO))) + 1)
    y = admittance(fit_energies(fits))
    G, c, k = _fit(y, fits)
    if not (np.any(c) or np.any(k)):
        return []                  # a purely dissipative network (resistors): no poles
    coef = np.array((G, c, k))
    exact = bool(np.all(np.abs(coef - coef[:, :, :1]) <= ROUNDING * np.abs(coef[:, :, :1])))
    if exact:
        # frequency-independent R, L, C (and junction) values: one model holds everywhere,
        # and its poles are those of the network
        fits, G, c, k = fits[:1], G[:, :1], c[:, :1], k[:, :1]
    cands = []
    for m, (e, p) in enumerate(zip(fits, pencil_poles(incidence, G, c, k, fits))):
        # a model describes the network near its fit energy: keep the poles there (cells
        # overlap, so a pole that moves between two fits is not lost; duplicates merge below)
        near = (np.abs(p) >= (e / FIT_RATIO if m else 0.0)) & \
            (np.abs(p) <= (e * FIT_RATIO if m < len(fits) - 1 else np.inf))
        cands.extend(p[near])
    found = np.array([p for p in cands if np.abs(p) <= hi * FIT_RATIO])
    if not np.any(y.imag > 0):
        found = found[on_axis(found)]
    sharp = np.array([is_narrow(p, floor, cap) and not exact for p in found], dtype=bool)
    refined = list(_refine(admittance, incidence, found[sharp])) if sharp.any() else []
    return _merge(refined + list(found[~sharp]))


def on_axis(poles: np.ndarray) -> np.ndarray:
    """Which of the poles of a network with no capacitive element to keep: those on the
    imaginary energy axis (E0 = 0 up to rounding of the eigensolver).

    Where every element's susceptance is inductive or zero (Im y <= 0: resistors, inductors,
    superconducting films, whose sigma_2 > 0; Dey et al. Eqs. 4-6), the network's
    resonances are overdamped.  For the lumped RL model (Cn = 0) this is exact: if
    (s Gn + Kn) v = 0 then s = -v^H Kn v / v^H Gn v, real and <= 0 because Gn and Kn are real
    symmetric positive semi-definite, so every pole E_p = -i s lies on the imaginary axis
    (the natural frequencies of an RL network are real and negative; Guillemin, "Synthesis
    of Passive Networks", Wiley 1957, Ch. 4).  On the real energy axis, with Re y_e >= 0 and
    Im y_e <= 0, v^H Y v = sum_e y_e |d_e^T v|^2 lies in one quadrant: no susceptance
    cancels another (a resonance is inductive and capacitive susceptances cancelling), so
    |v^H Y v| >= v^H (sum_e |y_e| d_e d_e^T) v / sqrt(2) and Y is as far from singular as the
    network of conductances |y_e|.  A complex candidate (E0 > 0) comes only from the
    two-point fit's c > 0 of an element whose inductance falls with energy (a film near
    2 Delta): an artefact of the fit, which the refinement used to walk onto the imaginary
    axis at the cost of a pencil per candidate and step (the ring of 50 with 20 Ti films:
    38 candidates near 3.3e-23 J, 0.1 s per search, all converging to the overdamped pole at
    5.6e-24 J that the fits also give directly).  The poles on the axis (a kinetic-inductance
    cutoff far below kB T, Dey's loop at large r) are kept and refined as before."""
    return np.abs(poles.real) <= AXIS * np.abs(poles)


def _refine(admittance: Admittance, incidence: np.ndarray, poles: np.ndarray,
            steps: int = REFINE_STEPS) -> np.ndarray:
    """Fixed-point refit of each pole at its own energy until it moves by < 1e-3 Gamma (at
    most ``steps`` refits)."""
    poles = poles.copy()
    active = np.ones(len(poles), dtype=bool)
    for _ in range(steps):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        # one model and pencil per distinct refit energy: candidates at the same |E_p| (the
        # copies of a multiple eigenvalue; candidates that have converged onto one pole)
        # share them, with the same result as each its own
        at, which = np.unique(np.abs(poles[idx]), return_inverse=True)
        G, c, k = lumped(admittance, at)
        found = pencil_poles(incidence, G, c, k, at)
        for i, p in zip(idx, (found[j] for j in which.ravel())):
            if not len(p):
                active[i] = False
                continue
            new = p[np.argmin(np.abs(p - poles[i]))]
            active[i] = abs(new - poles[i]) > 1e-3 * new.imag
            poles[i] = new
    return poles


def _merge(poles: Sequence[complex]) -> List[Pole]:
    """One Pole per distinct pole (two closer than a tenth of the smaller width are one)."""
    out: List[complex] = []
    for p in sorted(poles, key=lambda q: q.imag):
        if all(abs(p - q) > 0.1 * min(p.imag, q.imag) for q in out):
            out.append(p)
    return sorted((Pole(float(p.real), float(p.imag)) for p in out), key=lambda q: q.energy)


def local_width(energy: float, floor: float, cap: float) -> float:
    """Width of the quadrature's own panel near ``energy``: geometric panels (width ~ E),
    at least ``floor``, at most ``cap``."""
    return min(max(energy, floor), cap)


def is_narrow(p: complex, floor: float, cap: float) -> bool:
    """A pole needs its own panels when its width is below a quarter of the local panel."""
    return p.imag < 0.25 * local_width(abs(p.real), floor, cap)


def pole_edges(poles: Sequence[Pole], lo: float, hi: float, floor: float,
               cap: float) -> np.ndarray:
    """Panel edges (J) inside (lo, hi) around every narrow pole.

    Edges at E0 and E0 +- Gamma GRADING^j, j = 0, 1, ... until the panel width reaches a
    quarter of the quadrature's own local panel width (``local_width``).  The centre panels
    [E0, E0 +- Gamma] see the pole at twice their half width above their end, the graded
    ones at a comparable multiple of theirs, so every panel converges at a fixed rate
    (rho > 3) whatever Qf (Trefethen, ATAP Thm. 19.3; see the module docstring).
    """
    edges: List[float] = []
    for p in poles:
        width = local_width(p.energy, floor, cap)
        if not is_narrow(p.complex, floor, cap) or p.energy - 4 * p.width > hi:
            continue
        # snapped (Gamma down to a power of 2^(1/4), E0 to Gamma/8) so that the edges, hence
        # the grid, stay put while a temperature-dependent pole moves a little
        gamma = 2.0 ** (np.floor(4 * np.log2(p.width)) / 4)
        centre = np.round(p.energy / (gamma / 8)) * (gamma / 8)
        n = int(np.ceil(np.log(0.25 * width / gamma) / np.log(GRADING)))
        steps = gamma * GRADING ** np.arange(n + 1)
        edges.extend([centre, *(centre + steps), *(centre - steps)])
    out = np.array(edges, dtype=float)
    return np.unique(out[(out > lo) & (out < hi)])


def drift_radius(poles: Sequence[Pole], moved: np.ndarray, step: float) -> float:
    """|ln T| move over which no pole shifts by more than half its width, from the poles at
    temperatures T and the same poles ``moved`` (complex, J) at T e^step (linear in ln T;
    inf when none moves)."""
    shift = np.abs(moved - np.array([p.complex for p in poles]))
    width = np.array([p.width for p in poles])
    with np.errstate(divide="ignore"):
        return float(np.min(step * 0.5 * width / shift))


def resonance_edges(admittance_at: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    incidence: np.ndarray, temps: np.ndarray, lo: float, hi: float,
                    floor: float, cap: float, track: bool = True):
    """Panel edges (J) around a network's narrow resonances at temperatures ``temps``, and
    (``track``) the |ln T| move within which they stay in place to half a width (a
    Mattis-Bardeen film's kinetic inductance moves its resonances with temperature; inf when
    nothing moves or ``track`` is False).

    ``admittance_at(E, temps)``: (n_elements, n) admittances (S) at energies E (J) with the
    dissipative elements at ``temps``; lo, hi: the integration range (J); floor, cap: the
    quadrature's own panel width (``local_width``).
    """
    found = link_poles(lambda E: admittance_at(E, temps), incidence, max(lo, floor), hi,
                       floor, cap)
    poles = [p for p in found if is_narrow(p.complex, floor, cap)
             and p.energy - 4 * p.width < hi]
    if not poles:
        return np.empty(0), np.inf
    edges = pole_edges(poles, lo, hi, floor, cap)
    if not track:
        return edges, np.inf
    # the same poles at temperatures e^DRIFT_STEP higher, refitted once where they are (the
    # shift is small: one refit is accurate to second order in it)
    moved = _refine(lambda E: admittance_at(E, temps * np.exp(DRIFT_STEP)), incidence,
                    np.array([p.complex for p in poles]), steps=1)
    return edges, drift_radius(poles, moved, DRIFT_STEP)
