"""Benchmark of the photonic kernel of one large network with few temperature-dependent
elements (physics/lowrank.py): W of the ring of 50 elements with 20 Ti films
(bench/networks.py ``ring(50, 20)``) on its photon grid, dense inverse against the rank-m
update, and the counts of one `.op` (heat-balance evaluations, derivative passes).

CPU seconds, best of ``--repeats`` in one process (the machine may be shared: the best of
several is the least disturbed).

Run:  python bench/bench_lowrank.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import networks  # noqa: E402

import thermnet  # noqa: E402
from thermnet.physics import photonic  # noqa: E402


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        c = time.process_time()
        fn()
        times.append(time.process_time() - c)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    net = thermnet.parse(networks.ring(50, 20))
    c0 = time.process_time()
    net.run()
    cpu = time.process_time() - c0
    bal = net._balance
    evaluations = bal.evaluations
    T = bal._checked_at                   # the solved state and its grid
    link = bal.links[0]
    temps = T[bal.link_idx[0]]
    E, _ = bal._quadrature(0, temps, bal.grids[0])
    y = bal._admittances(0, E, temps)
    transfer = bal._transfers[0]
    fast = transfer.fixed_part(y)
    assert fast is not None
    dense_W = photonic.transfer(y, link.incidence, link.dissipative)
    err = np.abs(fast.transfer(y[transfer.moving]) - dense_W).max() / np.abs(dense_W).max()
    t_dense = best(lambda: photonic.transfer(y, link.incidence, link.dissipative),
                   args.repeats)
    t_fast = best(lambda: fast.transfer(y[transfer.moving]), args.repeats)

    def residual():
        bal._network_memo.clear()
        bal._link_memo.clear()
        bal._residual_memo = bal._derivative_memo = None
        bal.flows(T)

    def derivatives():
        bal._network_memo.clear()
        bal._link_memo.clear()
        bal._derivative_memo = None
        bal.flows(T, derivatives=True)

    def grid_check():
        bal._no_resonance_at.clear()          # search the resonances again
        bal._checked_at = None
        bal.choose_grids(T)

    def resonance_search():
        bal._no_resonance_at.clear()
        bal._resonance_edges(0, temps, top, smallest)

    t_res = best(residual, args.repeats)
    t_der = best(derivatives, args.repeats)
    grid = bal.grids[0]
    smallest, top = photonic.grid_range(grid.t_top, grid.n_panels)
    t_search = best(resonance_search, args.repeats)
    t_check = best(grid_check, args.repeats)
    print(f"ring(50, 20): {len(E)} photon energies, {link.incidence.shape[1]} nodes, "
          f"{len(link.dissipative)} dissipative elements, {len(transfer.moving)} moving")
    print(f"W dense inverse + gather : {1e3 * t_dense:7.1f} ms")
    print(f"W rank-{len(transfer.moving)} update       : {1e3 * t_fast:7.1f} ms "
          f"(max |difference| / max |W| = {err:.1e})")
    print(f"one residual (flows)     : {1e3 * t_res:7.1f} ms")
    print(f"one derivative pass      : {1e3 * t_der:7.1f} ms")
    print(f"one resonance search     : {1e3 * t_search:7.1f} ms")
    print(f"one grid check (search, p and 2p emission): {1e3 * t_check:7.1f} ms")
    print(f".op (first of a process): {cpu:.2f} s CPU, {evaluations} heat-balance "
          "evaluations (residuals and derivative passes)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}, numpy {np.__version__}, {time.strftime('%Y-%m-%d %H:%M')}")


if __name__ == "__main__":
    main()
