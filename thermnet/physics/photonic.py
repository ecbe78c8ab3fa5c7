"""Photonic heat exchanged between the dissipative elements of a linear electrical network.

Each dissipative element i (admittance y_i at temperature T_i) is a Johnson-Nyquist noise
current source 4 Re(y_i) E n(E, T_i) per unit frequency, in parallel with y_i (fluctuation-
dissipation theorem; Dey et al. 2023, text above Eq. 1).  Nodal analysis of the network with
reduced nodal admittance matrix Y(E) = sum_e y_e d_e d_e^T (d_e the incidence vector of
element e, one node grounded) gives the voltage across element j driven by the source of i as
d_j^T Z d_i, Z = Y^-1, hence the transmission

    tau_ij(E) = 4 Re y_i Re y_j |d_j^T Z d_i|^2,

which reduces to 4 Re Z1 Re Z2 / |Z1 + Z2|^2 for a two-element loop (Dey et al. Eq. 2;
Pioldi et al. Eq. 3).  The net heat from i to j is (Dey et al. Eq. 3; Pioldi et al. Eq. 2)

    Q_ij = (1/h) int_0^inf E tau_ij(E) [n(E, T_i) - n(E, T_j)] dE.

tau is symmetric because Z is (reciprocal network), so Q_ij = -Q_ji and heat is conserved.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from thermnet.physics.constants import h, kB

U_MAX = 48.0   # integrate E up to U_MAX kB Tmax: the neglected tail is < U_MAX e^-U_MAX ~ 7e-20


@lru_cache(maxsize=None)
def gauss_legendre(order: int) -> Tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(order)
    return (x + 1) / 2, w / 2


def panel_nodes(edges: np.ndarray, order: int) -> Tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on the panels between ``edges``."""
    x, w = gauss_legendre(order)
    a, b = edges[:-1, None], edges[1:, None]
    return (a + (b - a) * x).ravel(), ((b - a) * w).ravel()


def energy_grid(t_max: float, n_panels: int, order: int, breakpoints: Sequence[float] = (),
                extra: Sequence[float] = ()) -> Tuple[np.ndarray, np.ndarray]:
    """Photon energies (J) and weights for integrals over 0 < E < U_MAX kB t_max.

    Panels are geometric, halving towards E = 0 ``n_panels`` times (the Bose factor of a cold
    element varies on the scale kB T_min), and every breakpoint inside the range (e.g. 2 Delta
    of a film, where its conductivity has a kink) and every ``extra`` edge (J: the panels of
    the network's resonances and the adaptive splits, :func:`refine`) splits its panel.  A
    link's grid fixes ``t_max`` when it is chosen (model/balance.py, Grid.t_top), so only the
    breakpoints move with the temperatures, continuously: the quadrature is a smooth
    function of the temperatures within a Newton solve.  The nodes are ordered panel by
    panel, ``order`` per panel.
    """
    top = U_MAX * kB * t_max
    edges = top * np.concatenate(([0.0], 2.0 ** -np.arange(n_panels - 1, -1, -1.0)))
    bp = [b for b in (*breakpoints, *extra) if 0 < b < top]
    if bp:
        edges = np.unique(np.concatenate((edges, bp)))
    return panel_nodes(edges, order)


def panels_for(t_min: float, t_max: float) -> int:
    """Geometric panels needed so the smallest is below kB t_min / 2 (plus two for margin)."""
    ratio = U_MAX * t_max / max(min(t_min, t_max), 1e-300) * 2
    return int(np.ceil(np.log2(ratio))) + 2


def grid_range(t_max: float, n_panels: int) -> Tuple[float, float]:
    """(width of the smallest geometric panel, top of the range) of :func:`energy_grid`, J."""
    top = U_MAX * kB * t_max
    return top * 2.0 ** -(n_panels - 1), top


# ---- error-controlled photon-energy quadrature --------------------------------------------
MAX_NODES = 100_000        # photon-energy nodes of one link's grid (or one TAU window)
MAX_DOUBLED_ORDER = 24     # Gauss-Legendre order doubled up to this, then panels are split
STALL_ROUNDS = 8           # splitting rounds without halving the error estimate: give up
ROUNDING_FLOOR = 4 * np.finfo(float).eps    # per unit of sum_panels |integral|


@dataclass(frozen=True)
class Refined:
    """Outcome of :func:`refine`: the grid (order, extra edges) and its error estimate."""

    order: int
    edges: Tuple[float, ...]
    error: float            # estimated relative error of the integral at this grid
    nodes: int
    value: np.ndarray       # the integral at order 2p (the more accurate of the pair)
    failure: str = ""       # why ``error`` exceeds the tolerance ("": it does not)


PanelIntegrals = Callable[[int, Tuple[float, ...]], Tuple[np.ndarray, np.ndarray]]


def refine(panel_integrals: PanelIntegrals, order: int, edges: Sequence[float], rtol: float,
           max_nodes: int, adapt: bool = True) -> Refined:
    """Error-controlled composite Gauss-Legendre quadrature.

    ``panel_integrals(order, edges)`` returns the centres (J) of the panels of the grid with the
    extra ``edges`` at Gauss-Legendre ``order``, and the integral (any shape, e.g. the emission
    matrix) over each panel, shape (n_panels, ...).  The error of order p on each panel is
    estimated by its difference from order 2p (Gauss-Legendre of order 2p is exact to degree
    4p - 1 and converges geometrically for an integrand analytic near the panel, so
    |I_2p - I_p| estimates the error of I_p once converging: the error estimate by a pair of
    rules, Davis & Rabinowitz, "Methods of Numerical Integration", 2nd ed. 1984, Ch. 6), and
    their sum, relative to the largest entry of the integral, is the estimate.  While it
    exceeds ``rtol`` the order is doubled up to MAX_DOUBLED_ORDER, then every panel whose
    error exceeds half its share of the tolerance is bisected (globally adaptive
    subdivision as in QUADPACK, Piessens et al. 1983, on all offending panels at once).

    Returns the grid of order p whose estimate meets ``rtol``, or the last grid with
    ``failure`` saying why not: more than ``max_nodes`` nodes needed, ``rtol`` below the
    rounding floor of the sum, no progress in STALL_ROUNDS splitting rounds, or (``adapt``
    False: a grid fixed by the user) the estimate itself.
    """
    edges = tuple(sorted(set(edges)))
    centres, a = panel_integrals(order, edges)
    best, stalls = np.inf, 0
    while True:
        nodes = len(centres) * order
        _, b = panel_integrals(2 * order, edges)
        total = b.sum(axis=0)
        scale = np.abs(total).max()
        err = np.abs(b - a).reshape(len(b), -1).max(axis=1)        # per panel
        estimate = err.sum() / scale if scale > 0 else 0.0

        def result(failure: str = "") -> Refined:
            return Refined(order, tuple(edges), estimate, nodes, total, failure)

        if nodes > max_nodes:
            return result(f"more than {max_nodes} nodes needed")
        floor = ROUNDING_FLOOR * np.abs(b).reshape(len(b), -1).max(axis=1).sum() / (
            scale if scale > 0 else 1.0)
        if rtol < floor:      # the estimate itself is rounding noise
            return result(f"photon_rtol is below the rounding floor {floor:.1g} of the sum "
                          "over the panels")
        if estimate <= rtol:
            return result()
        if not adapt:
            return result("the number of nodes is fixed (photon_nodes)")
        if 2 * order <= MAX_DOUBLED_ORDER:
            if len(centres) * 2 * order > max_nodes:
                return result(f"more than {max_nodes} nodes needed")
            order, a = 2 * order, b
            continue
        best, stalls = (estimate, 0) if estimate < 0.5 * best else (best, stalls + 1)
        if stalls >= STALL_ROUNDS:
            return result(f"no progress in {STALL_ROUNDS} rounds of panel splitting (rounding "
                          "noise or an unresolved feature of the integrand)")
        split = centres[err > 0.5 * rtol * scale / len(err)]
        if (len(centres) + len(split)) * order > max_nodes:
            return result(f"more than {max_nodes} nodes needed")
        edges = tuple(sorted(set(edges) | set(split.tolist())))
        centres, a = panel_integrals(order, edges)


def panel_sums(energy: np.ndarray, values: np.ndarray, order: int):
    """(Centres, per-panel sums) of weighted node values laid out panel by panel (as
    :func:`panel_nodes` makes them): Gauss-Legendre nodes are symmetric about the panel
    centre, so their mean is it."""
    return (energy.reshape(-1, order).mean(axis=1),
            values.reshape((-1, order) + values.shape[1:]).sum(axis=1))


def bose_energy(energy: np.ndarray, T) -> np.ndarray:
    """E n(E, T) = E / (exp(E/kB T) - 1), finite as E -> 0 (J); 0 at T = 0."""
    return _bose(energy, T, False)[0]


def _bose(energy: np.ndarray, T, derivative: bool
          ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """(E n(E, T), its d/dT with ``derivative`` else None) from one exponential and one
    division, the one home of :func:`bose_energy` and :func:`bose_energy_derivative`.  The
    guards (E/kB T >= 700: 0; T = 0) run only when some argument needs them (np.where costs
    as much as the arithmetic here)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        x = energy / (kB * np.asarray(T, dtype=float))
        plain = bool(x.max() < 700) and bool(x.min() > 0) if x.size else True
        xs = x if plain else np.minimum(x, 700.0)
        em = np.expm1(xs)                 # e^x - 1 without cancellation at small x
        n = 1.0 / em                      # the Bose-Einstein factor (one division for both)
        en = energy * n
        den = None
        if derivative:
            # d(E n)/dT = kB x^2 e^x / (e^x - 1)^2 (the derivative of n = 1/(e^x - 1))
            den = kB * (xs * xs) * (em + 1.0) * (n * n)
        if not plain:
            en = np.where(x < 700, en, 0.0)
            if den is not None:
                den = np.where((x < 700) & (x > 0), den, np.where(x > 0, 0.0, kB))
    return en, den


def transfer(y: np.ndarray, incidence: np.ndarray, dissipative: np.ndarray,
             floating: Tuple[Tuple[int, ...], ...] = ()) -> np.ndarray:
    """W_ij(E) = d_i^T Z d_j between the dissipative elements (ohm, complex), Z = Y^-1.

    Parameters
    ----------
    y : complex array (n_elements, n_energy), admittances (S) of all elements.
    incidence : (n_elements, n_nodes) array of +1/-1/0, ground node removed.
    dissipative : integer indices of the dissipative elements.

    Returns
    -------
    W : (n_energy, n_diss, n_diss) complex array, symmetric (reciprocal network).

    Each d_e has at most two non-zero entries (+1 at the element's first node, -1 at its
    second, none at the ground), so Y = sum_e y_e d_e d_e^T is four stamps per element (a
    sparse product over the flattened index, as SPICE stamps), and W is gathered from four
    entries of Z per pair: memory n^2 + nd^2 per energy instead of n^2 nd^2 (small networks:
    dense products, which have less overhead).
    """
    n = incidence.shape[1]
    key = np.ascontiguousarray(incidence, dtype=float).tobytes(), incidence.shape
    Y = _admittance_matrix(_stamps(*key), y, n)
    if floating:
        return _gauged_transfer(Y, y, incidence, dissipative, floating)
    return _transfer_from(_inverse(Y), _terminals(*key, np.asarray(dissipative).tobytes()))


def floating_components(incidence: np.ndarray,
                        openable: Sequence[bool]) -> Tuple[Tuple[int, ...], ...]:
    """The groups of nodes (reduced indices) that only elements which may be open circuits
    (``openable``: a Josephson junction whose critical current can vanish) join to the
    ground: with those elements open, each group floats, its potential undetermined.  A
    network of elements that never open has none."""
    n = incidence.shape[1]
    parent = list(range(n + 1))          # node n: the ground

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a
    for d, can_open in zip(incidence, openable):
        if can_open:
            continue
        nodes = [int(i) for i in np.flatnonzero(d)]
        if len(nodes) == 1:
            nodes.append(n)
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: Dict[int, List[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return tuple(tuple(g) for r, g in sorted(groups.items()) if r != root(n))


def gauge_columns(n: int, floating: Tuple[Tuple[int, ...], ...]) -> np.ndarray:
    """The node columns kept when the first node of every floating group is grounded."""
    gauge = {g[0] for g in floating}
    return np.array([i for i in range(n) if i not in gauge], dtype=int)


def _gauged_transfer(Y: np.ndarray, y: np.ndarray, incidence: np.ndarray,
                     dissipative: np.ndarray, floating) -> np.ndarray:
    """W = d_i^T Y^-1 d_j for a network whose groups of nodes ``floating`` hang on elements
    that may be (nearly) open, without the cancellation that the nearly singular Y would
    cause (a junction at half a flux quantum: Y's common mode on a group is ~|cos pi f|).

    In the basis Q = [V, U] (V: the unit vectors of all nodes but one gauge node per group,
    U: the groups' indicator vectors; Q is invertible) Y becomes [[A, B], [B^T, C]] with
    A = V^T Y V, B = V^T Y U, C = U^T Y U, and for d_i, d_j orthogonal to U (every element
    that never opens lies inside a group or outside all)

        d_i^T Y^-1 d_j = d_i[V]^T (A - B C^-1 B^T)^-1 d_j[V]      (block inverse).

    Y U and U^T Y U are sums over the elements that join a group to the rest only (the
    others cancel exactly: u^T d_e = 0), computed from their admittances directly, so the
    Schur complement is accurate however small they are; at exactly zero (an open junction)
    B = C = 0 and the formula grounds each group at its gauge node, which is exact (no
    current leaves a floating group).  An element across a group's border (an openable
    one, kept in the dissipative list only for its temperature) gets d[V] - B C^+ P_e."""
    n = incidence.shape[1]
    m = len(floating)
    U = np.zeros((n, m))
    for k, g in enumerate(floating):
        U[list(g), k] = 1.0
    keep = gauge_columns(n, floating)
    P = incidence @ U                                   # (n_el, m): u_k^T d_e, exact
    across = np.flatnonzero(np.any(P != 0, axis=1))
    yc = y[across]                                       # (n_ac, nE)
    Pc = P[across]
    Dk = incidence[across][:, keep]                      # (n_ac, n_keep)
    C = np.einsum("ek,el,en->nkl", Pc, Pc, yc)           # U^T Y U, (nE, m, m)
    B = np.einsum("ej,el,en->njl", Dk, Pc, yc)           # V^T Y U, (nE, n_keep, m)
    if m == 1:
        c = C[:, 0, 0]
        Cp = np.where(c != 0, 1.0 / np.where(c != 0, c, 1.0), 0.0)[:, None, None]
    else:
        Cp = np.linalg.pinv(C)
    BC = B @ Cp                                          # (nE, n_keep, m)
    S = Y[:, keep][:, :, keep] - BC @ np.swapaxes(B, 1, 2)
    X = np.broadcast_to(incidence[dissipative][:, keep].T, (len(S),) + (len(keep),
                                                                        len(dissipative)))
    X = X - BC @ P[dissipative].T[None, :, :]            # (nE, n_keep, nd)
    return np.swapaxes(X, 1, 2) @ np.linalg.solve(S, X)


SMALL_NETWORK = 3    # nodes up to which dense products beat sparse stamps and gathers


@lru_cache(maxsize=4096)
def _stamps(incidence_bytes: bytes, shape: Tuple[int, int]):
    """For a network's incidence matrix (as bytes, cached: one per network), the matrix that
    adds each element's admittance to Y at (+,+) and (-,-) and subtracts it at (+,-) and
    (-,+) (SPICE stamps; the ground's row and column dropped): dense (n_elements, n^2) for a
    small network, sparse (n^2, n_elements) otherwise."""
    incidence = np.frombuffer(incidence_bytes).reshape(shape)
    rows, cols, vals = [], [], []
    for e, d in enumerate(incidence):
        nodes = np.flatnonzero(d)
        for a in nodes:
            for b in nodes:
                rows.append(a * shape[1] + b)
                cols.append(e)
                vals.append(d[a] * d[b])
    import scipy.sparse  # here: `thermnet check` never needs it (start-up time)
    stamps = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(shape[1] ** 2, shape[0]))
    return stamps.toarray().T if shape[1] <= SMALL_NETWORK else stamps


def _admittance_matrix(stamps, y: np.ndarray, n: int) -> np.ndarray:
    """Y (n_energy, n, n) = sum_e y_e d_e d_e^T from the stamps."""
    flat = y.T @ stamps if isinstance(stamps, np.ndarray) else (stamps @ y).T
    return flat.reshape(-1, n, n)


@lru_cache(maxsize=4096)
def _terminals(incidence_bytes: bytes, shape: Tuple[int, int], dissipative_bytes: bytes):
    """How W_ij = d_i^T Z d_j is taken from Z for the dissipative elements: for a small
    network the dense (n^2, nd^2) matrix of d_i (x) d_j, else the node index of each
    element's + and - terminal (n, one past the last node, for the ground)."""
    incidence = np.frombuffer(incidence_bytes).reshape(shape)
    d = incidence[np.frombuffer(dissipative_bytes, dtype=int)]
    n = shape[1]
    if n <= SMALL_NETWORK:
        return (d.T[:, None, :, None] * d.T[None, :, None, :]).reshape(n * n, -1)
    if np.any(np.count_nonzero(d, axis=1) > 2):     # a branch of a multi-port (a line)
        return _Rows(d)
    plus = np.where((d > 0).any(axis=1), np.argmax(d > 0, axis=1), n)
    minus = np.where((d < 0).any(axis=1), np.argmax(d < 0, axis=1), n)
    return plus, minus


@dataclass(frozen=True)
class _Rows:
    """Incidence rows of the dissipative branches (nd, n), for branches with more than two
    terminals: W = D Z D^T by products."""

    d: np.ndarray


def _transfer_from(Z: np.ndarray, terminals) -> np.ndarray:
    """W (n_energy, nd, nd) from Z = Y^-1: a product with the dense pairs, or four entries
    of Z (padded with the ground's zero row and column) per pair."""
    n = Z.shape[-1]
    if isinstance(terminals, np.ndarray):
        nd = int(round(np.sqrt(terminals.shape[1])))
        return (Z.reshape(-1, n * n) @ terminals).reshape(-1, nd, nd)
    if isinstance(terminals, _Rows):
        d = terminals.d
        return d @ Z @ d.T
    p, m = terminals
    Zp = np.zeros((Z.shape[0], n + 1, n + 1), dtype=complex)
    Zp[:, :n, :n] = Z
    # np.take: ~10x faster than fancy indexing along the inner axes of a stack
    rows = np.take(Zp, p, axis=1) - np.take(Zp, m, axis=1)    # d_i^T Z, (nE, nd, n + 1)
    return np.take(rows, p, axis=2) - np.take(rows, m, axis=2)


def transmission_from(y_diss: np.ndarray, W: np.ndarray) -> np.ndarray:
    """tau_ij(E) = 4 Re y_i Re y_j |W_ij|^2 with a zero diagonal, (n_energy, nd, nd)."""
    re = y_diss.real.T                                                    # (nE, nd)
    tau = np.square(W.real)               # |W|^2 in place: no temporaries of W's size
    tau += np.square(W.imag)
    tau *= 4.0 * re[:, :, None] * re[:, None, :]
    idx = np.arange(tau.shape[1])
    tau[:, idx, idx] = 0.0
    return tau


def transmission(y: np.ndarray, incidence: np.ndarray, dissipative: np.ndarray,
                 floating: Tuple[Tuple[int, ...], ...] = ()) -> np.ndarray:
    """tau_ij(E) between the dissipative elements of one network.

    Parameters as :func:`transfer`.  Returns tau : (n_energy, n_diss, n_diss) real array,
    symmetric, zero diagonal.
    """
    return transmission_from(y[dissipative], transfer(y, incidence, dissipative, floating))


def _inverse(Y: np.ndarray) -> np.ndarray:
    """Inverse of a stack of square matrices (last two axes); closed forms for the 1x1 and
    2x2 systems of small links (a loop of elements has one or two free nodes), which
    batched LAPACK calls would dominate with their overhead."""
    n = Y.shape[-1]
    if n == 1:
        return 1.0 / Y
    if n == 2:
        a, b, c, d = Y[:, 0, 0], Y[:, 0, 1], Y[:, 1, 0], Y[:, 1, 1]
        inv_det = 1.0 / (a * d - b * c)
        out = np.empty_like(Y)
        out[:, 0, 0] = d * inv_det
        out[:, 0, 1] = -b * inv_det
        out[:, 1, 0] = -c * inv_det
        out[:, 1, 1] = a * inv_det
        return out
    if n == 3:    # adjugate / determinant (a ring of four elements, e.g. two NISIN pairs)
        m = [[Y[:, i, j] for j in range(3)] for i in range(3)]
        cof = [[m[(j + 1) % 3][(i + 1) % 3] * m[(j + 2) % 3][(i + 2) % 3]
                - m[(j + 1) % 3][(i + 2) % 3] * m[(j + 2) % 3][(i + 1) % 3]
                for j in range(3)] for i in range(3)]       # cof[i][j] = adj[i][j]
        det = m[0][0] * cof[0][0] + m[0][1] * cof[1][0] + m[0][2] * cof[2][0]
        return np.stack([np.stack(row, -1) for row in cof], -2) / det[:, None, None]
    return np.linalg.inv(Y)


def bose_energy_moment(T, derivative: bool = False) -> np.ndarray:
    """int_0^inf E n(E, T) dE = (pi kB T)^2 / 6 (J^2; Gradshteyn & Ryzhik 3.411.1, the
    Riemann zeta(2) = pi^2/6), or with ``derivative`` its d/dT, pi^2 kB^2 T / 3 (J^2/K).
    With a transmission tau independent of the photon energy (a network of resistors),
    Dey et al. Eq. 3 is then Q_ij = tau_ij pi^2 kB^2 (T_i^2 - T_j^2) / (6 h): the quantum
    of thermal conductance times tau (Pendry, J. Phys. A 16, 2161 (1983); Schmidt,
    Schoelkopf & Cleland, PRL 93, 045901 (2004), Eq. 2 with 4 R1 R2 / (R1 + R2)^2)."""
    T = np.asarray(T, dtype=float)
    return (np.pi * kB) ** 2 * (T / 3.0 if derivative else T * T / 6.0)


def bose_energy_derivative(energy: np.ndarray, T) -> np.ndarray:
    """d/dT of E n(E, T) (J/K): kB x^2 e^x / (e^x - 1)^2, x = E / kB T (the derivative of
    the Bose-Einstein factor, n = 1/(e^x - 1)); 0 at T = 0, kB in the limit E -> 0."""
    den = _bose(energy, T, True)[1]
    assert den is not None
    return den


def heat_matrix(energy: np.ndarray, weights: np.ndarray, tau: np.ndarray,
                temps: np.ndarray) -> np.ndarray:
    """Q_ij (W): net photonic heat from dissipative element i to j (Dey et al. Eq. 3)."""
    return _heat(weights, tau, bose_energy(energy[:, None], temps[None, :]))


def _over_energies(weighted: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """sum_k weighted_ki tau_kij, (nd, nd): one batched product per row i (an einsum of
    these small operands costs twice as much)."""
    return np.matmul(weighted.T[:, None, :], tau.transpose(1, 0, 2))[:, 0, :]


def _heat(weights: np.ndarray, tau: np.ndarray, en: np.ndarray) -> np.ndarray:
    """Q_ij = (1/h) sum_k w_k tau_kij (En_ki - En_kj) from the Bose energies En (nE, nd)."""
    qi = _over_energies(weights[:, None] * en, tau)
    return (qi - qi.T) / h


def heat_and_derivatives(energy: np.ndarray, weights: np.ndarray, tau: np.ndarray,
                         y_diss: np.ndarray, dy_diss: np.ndarray, W: np.ndarray,
                         temps: np.ndarray, moving: np.ndarray):
    """Q_ij (W) and dQ_ij/dt_m (W/K) with t_m the temperature of dissipative element m.

    Differentiating Dey et al. Eq. 3 under the integral (the quadrature nodes held fixed):

        dQ_ij/dt_m = (1/h) int E [dtau_ij/dt_m (n_i - n_j) + tau_ij (d_im n_i' - d_jm n_j')] dE

    The Bose part needs only tau.  tau depends on t_m only through y_m (``moving[m]``:
    temperature-dependent elements), with dZ = -Z dY Z, so dW_ij/dt_m = -W_im W_mj y_m' and

        dtau_ij/dt_m = 8 Re y_i Re y_j Re(conj(W_ij) dW_ij)
                       + 4 (d_im Re y_m' Re y_j + d_jm Re y_i Re y_m') |W_ij|^2.

    Only the antisymmetric part of the dtau term reaches dQ (Q_ij takes n_i - n_j).  With W
    symmetric (a reciprocal network, Z = Z^T) the first term's is

        -(8/h) Re int conj(W_ij) Re y_i Re y_j (E n_i - E n_j) W_im W_jm y_m' dE,

    symmetric in i, j apart from the Bose factors: from PAIRS_FROM dissipative elements it is
    summed over the pairs i < j only (``_dtau_pairs``), else as g_ij over all i, j by one
    batched product per moving element (``_dtau_full``; the two agree to rounding, ~1e-13 of
    the largest entry).

    Parameters
    ----------
    tau : (n_energy, nd, nd) from :func:`transmission_from`.
    y_diss, dy_diss : (nd, n_energy) admittances of the dissipative elements and dY/dT.
    W : (n_energy, nd, nd) from :func:`transfer`, symmetric.
    moving : indices m of the elements whose admittance depends on their temperature.

    Returns
    -------
    Q : (nd, nd); dQ : (nd, nd, nd), dQ[i, j, m] = dQ_ij/dt_m.
    """
    en, den = _bose(energy[:, None], temps[None, :], True)         # (nE, nd) each
    assert den is not None
    Q = _heat(weights, tau, en)
    wh = weights / h
    dQ = _bose_terms(_over_energies(wh[:, None] * den, tau))   # (1/h) int E tau_ij n_i' dE
    if not len(moving):
        return Q, dQ
    re = y_diss.real.T                                # (nE, nd)
    wen = wh[:, None] * en                            # (nE, nd): E n_i / h with the weights
    if len(temps) >= PAIRS_FROM:
        _dtau_pairs(dQ, W, re, wen, dy_diss, moving)
    else:
        _dtau_full(dQ, W, re, wen, dy_diss, moving)
    return Q, dQ


def _bose_terms(A: np.ndarray) -> np.ndarray:
    """dQ (nd, nd, nd), dQ[i, j, m] = dQ_ij/dt_m, of the Bose factors alone from
    A_ij = (1/h) int E tau_ij n'(E, t_i) dE: +A_ij at m = i (the n_i term), -A_ji at m = j
    (the n_j term; tau symmetric)."""
    nd = len(A)
    dQ = np.zeros((nd, nd, nd))
    idx = np.arange(nd)
    dQ[idx, :, idx] += A
    dQ[:, idx, idx] -= A.T
    return dQ


def flat_heat(tau: np.ndarray, temps: np.ndarray, derivatives: bool = False):
    """Q_ij (W) of a link whose tau_ij (nd, nd) is the same at every photon energy (a
    network of resistors), Dey et al. Eq. 3 in closed form: tau_ij (M(t_i) - M(t_j)) / h
    with M(t) = int E n(E, t) dE (:func:`bose_energy_moment`); with ``derivatives`` also
    dQ_ij/dt_m (W/K) as :func:`heat_and_derivatives` gives it (no dtau/dT: tau is fixed)."""
    moment = bose_energy_moment(temps)
    Q = tau * (moment[:, None] - moment[None, :]) / h
    if not derivatives:
        return Q
    return Q, _bose_terms(tau * bose_energy_moment(temps, True)[:, None] / h)


PAIRS_FROM = 8     # dissipative elements of a link from which _dtau_pairs is used
PAIRS_BLOCK = 2 << 20    # bytes of S per block of energies in _dtau_pairs


def _dtau_full(dQ: np.ndarray, W: np.ndarray, re: np.ndarray, wen: np.ndarray,
               dy_diss: np.ndarray, moving: np.ndarray) -> None:
    """Adds the dtau terms of :func:`heat_and_derivatives` to dQ: g_ij over all i, j for each
    moving element m, dQ[:, :, m] += g - g^T.  ``re``, ``wen``: (nE, nd) Re y and the
    weighted E n / h."""
    nd = W.shape[1]
    idx = np.arange(nd)
    # the first term of dtau summed: g_ij = 8 Re sum_k P_kij dW_kij, P the part that does not
    # depend on m (one pass over (nE, nd, nd) per moving element, no temporaries of that size)
    P = W.conj()                    # in place: no further temporaries of W's size
    P *= (wen * re)[:, :, None] * re[:, None, :]
    W2 = np.square(W.real)
    W2 += np.square(W.imag)
    for m in moving:
        dym = dy_diss[m]                              # (nE,)
        # sum_k W_kim P_kij (W_kmj y_m'): one batched product per row i
        g = -8.0 * _over_energies(W[:, :, m], P * (W[:, m, :] * dym[:, None])[:, None, :]).real
        # the second term: row i = m and column j = m of dtau
        cross = 4.0 * dym.real[:, None] * re * W2[:, m, :]          # (nE, nd)
        g[m, :] += wen[:, m] @ cross
        g[:, m] += np.einsum("ki,ki->i", wen, cross)
        g[idx, idx] = 0.0                             # tau has a zero diagonal
        dQ[:, :, m] += g - g.T


def _dtau_pairs(dQ: np.ndarray, W: np.ndarray, re: np.ndarray, wen: np.ndarray,
                dy_diss: np.ndarray, moving: np.ndarray) -> None:
    """As :func:`_dtau_full`, with W symmetric: the antisymmetric part of the first term
    over the pairs i < j, its m-independent part S formed once (n_energy x nd (nd - 1)/2
    products per moving element against n_energy x nd^2 over all i, j), in
    blocks of energies of PAIRS_BLOCK bytes of S that stay in the cache while every moving
    element passes over them (the ring of 50 with 20 films: a derivative pass 1.8x faster
    on 180 energies, 2.4x on 816)."""
    nd = W.shape[1]
    iu, ju = np.triu_indices(nd, 1)                   # the pairs i < j
    step = max(1, PAIRS_BLOCK // (16 * len(iu)))
    d = np.zeros((len(moving), len(iu)), dtype=complex)
    for start in range(0, len(W), step):
        c = slice(start, start + step)
        Wc, rc, wc = W[c], re[c], wen[c]
        S = Wc[:, iu, ju].conj()                      # (block, n_pairs)
        S *= rc[:, iu] * rc[:, ju] * (wc[:, iu] - wc[:, ju])
        for n, m in enumerate(moving):
            Wm = Wc[:, :, m]                          # W_im = W_mi
            t = S * (Wm * dy_diss[m, c, None])[:, iu]
            t *= Wm[:, ju]
            # a sum, not a product with y_m' (a BLAS matrix-vector product this large wakes
            # OpenBLAS's threads, which spin: 2-3x the CPU time on 2 cores)
            d[n] += t.sum(axis=0)
    for n, m in enumerate(moving):
        g = -8.0 * d[n].real                          # (g - g^T)_ij, i < j
        dQ[iu, ju, m] += g
        dQ[ju, iu, m] -= g
        # the second term: row i = m and column j = m of dtau (zero diagonal)
        dym, Wm = dy_diss[m], W[:, :, m]
        cross = 4.0 * dym.real[:, None] * re * (np.square(Wm.real) + np.square(Wm.imag))
        v = wen[:, m] @ cross - np.einsum("ki,ki->i", wen, cross)    # g_mj - g_jm
        v[m] = 0.0
        dQ[m, :, m] += v
        dQ[:, m, m] -= v


def heat_noise(energy: np.ndarray, weights: np.ndarray, tau: np.ndarray,
               temps: np.ndarray) -> np.ndarray:
    """S_ij (W^2/Hz): one-sided spectral density (zero frequency) of the photonic heat current
    between dissipative elements i and j, from the second cumulant of the bosonic
    Levitov-Lesovik counting statistics of one channel of transmission tau_ij (Saito & Dhar,
    PRL 99, 180601 (2007)):
    ``S_ij = (2/h) int dE E^2 [tau (n_i (1 + n_j) + n_j (1 + n_i)) + tau^2 (n_i - n_j)^2]``.
    In equilibrium (T_i = T_j = T) it is 4 kB T^2 G_ij with G_ij = dQ_ij/dT_i (fluctuation-
    dissipation).  A network with more than two dissipative elements is treated pair by pair
    (uncorrelated pair currents: exact in equilibrium)."""
    en = bose_energy(energy[:, None], temps[None, :])                     # (nE, nd): E n
    e = energy[:, None, None]
    cross = en[:, :, None] * (e + en[:, None, :])                          # E^2 n_i (1+n_j)
    diff = en[:, :, None] - en[:, None, :]
    integrand = tau * (cross + np.transpose(cross, (0, 2, 1))) + tau ** 2 * diff ** 2
    S = 2.0 * np.einsum("k,kij->ij", weights, integrand) / h
    idx = np.arange(S.shape[0])
    S[idx, idx] = 0.0
    return S
