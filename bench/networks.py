"""Netlists of large thermal networks for the foundation benchmarks and the Jacobian tests.

- ``ring(n, films)``: ONE electrical network, a ring of ``n`` dissipative elements (resistors,
  the first ``films`` of them Ti Mattis-Bardeen films), element k at its own free island k;
  each island has an electron-phonon coupling to the 30 mK bath and a heater.
- ``chain(n)``: ``n`` islands in a row, neighbours coupled by a two-resistor loop (n - 1
  photonic links), each island with electron-phonon coupling to the bath; a heater on the
  first island.
"""
from __future__ import annotations

HEAD = """.model cu eph(sigma=3e9 n=5)
.model ti mb(tc=0.4)
TB bath 30m
"""


def ring(n: int, films: int = 0, extra: str = ".op") -> str:
    lines = [f".title ring of {n} elements, {films} films", HEAD]
    for k in range(n):
        a, b = f"e{k}", f"e{(k + 1) % n}"
        if k < films:
            lines.append(f"S{k} {a} {b} ti R0={50 + 7 * k} temp=I{k}")
        else:
            lines.append(f"R{k} {a} {b} {5 + 3 * (k % 7)} temp=I{k}")
        lines.append(f"E{k} I{k} bath cu vol={(2 + k % 5) * 1e-20:g}")
        lines.append(f"P{k} I{k} {0.1 + 0.05 * (k % 4):g}p")
    lines.append(extra)
    return "\n".join(lines) + "\n"


def chain(n: int, extra: str = ".op") -> str:
    lines = [f".title chain of {n} islands", HEAD, "P0 I0 2p"]
    for k in range(n):
        lines.append(f"E{k} I{k} bath cu vol=4e-20")
    for k in range(n - 1):
        lines.append(f"RA{k} a{k} b{k} 10 temp=I{k}")
        lines.append(f"RB{k} a{k} b{k} 12 temp=I{k + 1}")
    lines.append(extra)
    return "\n".join(lines) + "\n"
