"""Benchmark (dynamics issue): a 1 ms transient of the Dey Fig. 3 circuit with a pulsed heater
across the Ti film's Tc, and a 100-point `.ac` after the `.op`, timed in CPU seconds of this
process (less sensitive to a busy machine than wall time; both printed).  Targets: the
transient under 2 s, the `.ac` under 0.1 s.

Run:  python bench/bench_dynamics.py
"""
from __future__ import annotations

import os
import platform
import time

import thermnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "netlists", "lib", "dey2023_devices.lib")

CIRCUIT = f"""
.include "{LIB}"
.model cue  cel(gamma=71)
.model tie  cbcs(gamma=316 tc=0.4 gapratio=1.76)
TB  bath 30m
XS  S bath a c dey_source
XD  D bath c a dey_drain
HS1 S cue vol=4.2e-20
HS2 S tie vol=1.05e-19
HD  D cue vol=4.2e-20
.print T(S) T(D)
"""
# a 0.5 -> 3 pW pulse of 400 us with 1 us edges: the source crosses Tc up and down
TRAN = CIRCUIT + "P1 S PULSE(0.5p 3p 100u 1u 1u 400u)\n.tran 1u 1m\n"
AC = CIRCUIT + "P1 S 1p ac=1f\n.ac lin 100 1k 10meg\n"


def timed(fn):
    fn()                                   # warm: tables and grids in memory
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


def main() -> None:
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    tran = thermnet.parse(TRAN)
    cpu, wall, res = timed(tran.run)
    r = res[0]
    print(f"tran 1 ms, 1001 outputs: cpu {cpu:.2f} s  wall {wall:.2f} s  "
          f"({r.extras['evaluations']} evaluations, T(S) {r.columns['T(S)'].min():.3f}.."
          f"{r.columns['T(S)'].max():.3f} K, energy residual "
          f"{abs(r.energy_balance).max():.1e})  target < 2 s")
    ac = thermnet.parse(AC)
    bal_ready = ac.run()                    # .op, grids and tables in memory
    assert bal_ready
    op = thermnet.parse(AC.replace(".ac lin 100 1k 10meg", ".op"))
    cpu_op, _, _ = timed(op.run)
    cpu_ac, wall_ac, _ = timed(ac.run)
    print(f".ac 100 points: cpu {cpu_ac:.3f} s (op alone {cpu_op:.3f} s: .ac after the .op "
          f"{cpu_ac - cpu_op:.3f} s)  wall {wall_ac:.3f} s  target < 0.1 s after the .op")


if __name__ == "__main__":
    main()
