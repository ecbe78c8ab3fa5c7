"""What a compiled kernel would buy: the photonic pass of the Dey Fig. 3 link under numba.

The question (issue 9, docs/performance.md "A compiled photonic pass, measured"): is the
rest of a heat-balance evaluation the overhead of many small numpy calls, which a compiled
kernel would remove, or arithmetic?  This script compiles with numba (not a dependency of
thermnet: ``pip install numba`` to run it) the dense small-network part of one evaluation,
W = D Y^-1 D^T and tau_ij = 4 Re y_i Re y_j |W_ij|^2 per photon energy (Gaussian
elimination with partial pivoting), and the heat Q_ij = (1/h) sum_k w_k tau_kij (E n_i -
E n_j) (Dey et al. 2023 Eqs. 2-3), at the 1.8 pW state of ``netlists/dey2023_fig3.net`` on
the grid thermnet chose there, and times them beside thermnet's numpy functions
(``NetworkTransfer``, ``transmission_from``, ``heat_matrix``) after checking that they agree.

Run:  python bench/bench_compiled_pass.py      (about 10 s, most of it numba's compile)
"""
from __future__ import annotations

import os
import platform
import sys
import time
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import thermnet  # noqa: E402
from thermnet.model.balance import HeatBalance  # noqa: E402
from thermnet.physics import photonic  # noqa: E402
from thermnet.physics.constants import h, kB  # noqa: E402
from thermnet.solve.steady import solve  # noqa: E402

try:
    import numba
except ImportError:
    sys.exit("bench_compiled_pass.py needs numba, which thermnet does not depend on: "
             "pip install numba")


@numba.njit(cache=False)
def compiled_transmission(y, incidence, dissipative):
    """W (nE, nd, nd) and tau (nE, nd, nd) of a small network, per energy: Y = sum_e y_e
    d_e d_e^T, X = Y^-1 D^T by Gaussian elimination with partial pivoting, W = D X."""
    n_el, n_e = y.shape
    n = incidence.shape[1]
    nd = dissipative.shape[0]
    W = np.empty((n_e, nd, nd), np.complex128)
    tau = np.empty((n_e, nd, nd))
    Y = np.empty((n, n), np.complex128)
    X = np.empty((n, nd), np.complex128)
    for k in range(n_e):
        Y[:] = 0
        for e in range(n_el):
            for a in range(n):
                if incidence[e, a] != 0:
                    for b in range(n):
                        if incidence[e, b] != 0:
                            Y[a, b] += incidence[e, a] * incidence[e, b] * y[e, k]
        for a in range(n):
            for j in range(nd):
                X[a, j] = incidence[dissipative[j], a]
        for c in range(n):
            p = c
            for r in range(c + 1, n):
                if abs(Y[r, c]) > abs(Y[p, c]):
                    p = r
            if p != c:
                for q in range(n):
                    Y[c, q], Y[p, q] = Y[p, q], Y[c, q]
                for j in range(nd):
                    X[c, j], X[p, j] = X[p, j], X[c, j]
            for r in range(c + 1, n):
                f = Y[r, c] / Y[c, c]
                for q in range(c + 1, n):
                    Y[r, q] -= f * Y[c, q]
                for j in range(nd):
                    X[r, j] -= f * X[c, j]
        for c in range(n - 1, -1, -1):
            for j in range(nd):
                s = X[c, j]
                for q in range(c + 1, n):
                    s -= Y[c, q] * X[q, j]
                X[c, j] = s / Y[c, c]
        for i in range(nd):
            for j in range(nd):
                s = 0j
                for a in range(n):
                    s += incidence[dissipative[i], a] * X[a, j]
                W[k, i, j] = s
                tau[k, i, j] = 0.0 if i == j else 4.0 * y[dissipative[i], k].real * \
                    y[dissipative[j], k].real * (s.real * s.real + s.imag * s.imag)
    return W, tau


@numba.njit(cache=False)
def compiled_heat(energy, weights, tau, temps):
    """Q_ij (W), Dey et al. Eq. 3 on the nodes: (1/h) sum_k w_k tau_kij (E n_i - E n_j)."""
    n_e, nd, _ = tau.shape
    en = np.empty(nd)
    qi = np.zeros((nd, nd))
    for k in range(n_e):
        for i in range(nd):
            x = energy[k] / (kB * temps[i])
            en[i] = energy[k] / np.expm1(x) if x < 700.0 else 0.0
        for i in range(nd):
            a = weights[k] * en[i]
            for j in range(nd):
                qi[i, j] += a * tau[k, i, j]
    Q = np.empty((nd, nd))
    for i in range(nd):
        for j in range(nd):
            Q[i, j] = (qi[i, j] - qi[j, i]) / h
    return Q


def best_us(f, number=2000):
    return min(timeit.repeat(f, number=number, repeat=5)) / number * 1e6


def main() -> None:
    net = thermnet.load(os.path.join(HERE, "..", "netlists", "dey2023_fig3.net"))
    net.set("P1", 1.8e-12)
    circuit = net.circuit()
    bal = HeatBalance(circuit, dict(circuit.flat.options))
    T = solve(bal).T
    k = 0
    link, grid = bal.links[k], bal.grids[k]
    temps = T[bal.link_idx[k]]
    E, w = bal._quadrature(k, temps, grid)
    y = bal._admittances(k, E, temps)
    W = bal._transfers[k](y)
    tau = photonic.transmission_from(y[link.dissipative], W)
    Q = photonic.heat_matrix(E, w, tau, temps)
    incidence = np.ascontiguousarray(link.incidence, dtype=float)
    dissipative = np.asarray(link.dissipative, dtype=np.int64)

    start = time.process_time()
    W2, tau2 = compiled_transmission(y, incidence, dissipative)
    Q2 = compiled_heat(E, w, tau2, temps)
    compile_s = time.process_time() - start
    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy "
          f"{np.__version__}, numba {numba.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"Dey link at the 1.8 pW state: {len(E)} photon energies, {incidence.shape[0]} "
          f"elements, {incidence.shape[1]} nodes, {len(dissipative)} dissipative")
    print(f"agreement: W {np.abs(W2 - W).max() / np.abs(W).max():.1e}, tau "
          f"{np.abs(tau2 - tau).max() / tau.max():.1e}, Q "
          f"{np.abs(Q2 - Q).max() / np.abs(Q).max():.1e} (relative to the largest entry)")
    print(f"numba compile on first call: {compile_s:.2f} s CPU\n")
    rows = [("W and tau", best_us(lambda: bal._transfers[k](y))
             + best_us(lambda: photonic.transmission_from(y[link.dissipative], W)),
             best_us(lambda: compiled_transmission(y, incidence, dissipative))),
            ("heat Q from tau", best_us(lambda: photonic.heat_matrix(E, w, tau, temps)),
             best_us(lambda: compiled_heat(E, w, tau2, temps)))]
    print("| part of one evaluation | numpy (thermnet) | numba | ratio |")
    print("|---|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {a:.1f} us | {b:.1f} us | {a / b:.2f}x |")
    a, b = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| together | {a:.1f} us | {b:.1f} us | {a / b:.2f}x |")
    fresh = [T * (1 + 1e-9 * (i + 1)) for i in range(3000)]
    it = iter(fresh)
    residual = best_us(lambda: bal._flows(next(it), 1.0, False), number=500)
    print(f"\none residual of the balance (fresh temperatures, numpy): {residual:.1f} us; the "
          f"compiled pass would save {a - b:.1f} us of it ({100 * (a - b) / residual:.0f} %)")


if __name__ == "__main__":
    main()
