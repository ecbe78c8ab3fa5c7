"""Benchmark (issue: core): a 200-point heater sweep of two islands coupled photonically
through an RLC network (netlists/two_islands_rlc.net).  Target: under 1 s.

Run:  python bench/bench_core.py
"""
import os
import platform
import statistics
import time

import thermnet

HERE = os.path.dirname(os.path.abspath(__file__))


def main(repeats=5):
    net = thermnet.load(os.path.join(HERE, "..", "netlists", "two_islands_rlc.net"))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        res = net.run()
        times.append(time.perf_counter() - t)
    r = res[0]
    assert r.converged.all()
    print("| benchmark | median s | min s | points |\n|---|---|---|---|")
    print(f"| 200-point heater sweep, two islands + RLC link | {statistics.median(times):.3f} "
          f"| {min(times):.3f} | {len(r.converged)} |")
    print(f"\nmachine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}")


if __name__ == "__main__":
    main()
