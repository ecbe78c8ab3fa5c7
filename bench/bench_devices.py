"""Benchmark (devices issue 12): the shipped device netlists, each solved in this process
after a warm-up run (imports, kernel tables, the first photon grids), timed in CPU and wall
seconds.

Run:  python bench/bench_devices.py
"""
from __future__ import annotations

import os
import platform
import time

import thermnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    ("meschke2006_valve.net", "SQUID heat valve, 41-point flux sweep"),
    ("ronzani2018_valve.net", "resonator valve (narrow pole), 41-point flux sweep"),
    ("partanen2016_line.net", "1-m line, 2 x 7 points (matched / 500 ohm)"),
    ("devices_rtable_switch.net", "rtable heat switch, 12 points"),
    ("devices_tes_rtable.net", "biased Ti film (MNA + Joule), 25 points"),
    ("tes_bolometer.net", "TES (tes model, nonlinear MNA, biased photonic link), .op + .ac"),
]


def main() -> None:
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'netlist':28s} {'cpu s':>7s} {'wall s':>7s}  points  what")
    for name, what in CASES:
        net = thermnet.load(os.path.join(ROOT, "netlists", name))
        net.run()                                  # warm-up
        c, w = time.process_time(), time.perf_counter()
        res = net.run()
        cpu, wall = time.process_time() - c, time.perf_counter() - w
        points = sum(len(r.converged) for r in res)
        print(f"{name:28s} {cpu:7.2f} {wall:7.2f}  {points:6d}  {what}")


if __name__ == "__main__":
    main()
