"""Transmission line (``O``): an exact two-port in the photonic nodal analysis.

``ONAME P1 R1 P2 R2 z0=Z td=T`` or ``z0= len= vp=`` (lossless), or ``r= l= g= c= len=
temp=NODE`` (per unit length; lossy ones dissipate at NODE).  Telegrapher's line of length
len with series impedance Zs = r + i omega l and shunt admittance Ys = g + i omega c per unit
length: propagation constant gamma = sqrt(Zs Ys), characteristic impedance Zc = Zs / gamma,
x = gamma len (lossless: x = i omega td, Zc = z0).  Its ABCD matrix (Pozar, "Microwave
Engineering", 4th ed. (2012), Table 4.1) A = D = cosh x, B = Zc sinh x, C = sinh x / Zc gives
the admittance parameters (Pozar Table 4.2) y11 = y22 = D/B = coth(x)/Zc,
y12 = y21 = -1/B = -1/(Zc sinh x) (AD - BC = 1: reciprocal).

Stamp.  With the port vectors p1 = e_P1 - e_R1, p2 = e_P2 - e_R2 (port currents I_k =
sum_l y_kl V_l, V_k = p_k^T v), the line adds y11 p1 p1^T + y22 p2 p2^T + y12 (p1 p2^T +
p2 p1^T) to the nodal matrix; it is written as three two-terminal branches whose stamps sum
to it (the pi equivalent, with a four-terminal series branch when R1 and R2 differ):

    shunt at port 1:  p1,        y11 + y12 = tanh(x/2) / Zc
    shunt at port 2:  p2,        y22 + y12 = tanh(x/2) / Zc
    series:           p1 - p2,   -y12      = 1 / (Zc sinh x)

computed from e^-x (Re x >= 0: no overflow for a long lossy line).  A lossy line radiates as
a passive two-port at its temperature: the current noise of its ports has the correlation
4 E n(E, T) Re Y (Twiss, J. Appl. Phys. 26, 599 (1955)); the three branches at the line's
temp= node, each with 4 E n Re y_b, sum to exactly that (a branch's own Re y may be
negative; only the sum is physical), so the heat the line exchanges with every other element
is Dey et al. Eq. 3 with that noise (docs/devices.md).

Resonances.  A line between mismatched ends has standing waves at every multiple of
pi hbar / td in photon energy: the photon grid starts a panel at each (``panel_edges``)
instead of searching poles, and the per-panel error control (Gauss-Legendre p vs 2p, then
splitting) resolves each standing wave.
"""
from __future__ import annotations

import math
from typing import Tuple

import numpy as np

from thermnet.elements.base import ImpedanceElement, NodeSlot, ParamSpec
from thermnet.errors import PhotonGridError
from thermnet.physics.constants import h, hbar

C_LIGHT = 299_792_458.0       # m/s: no signal travels faster
# standing waves a photon grid can hold: each needs a panel of at least 6 nodes within
# photonic.MAX_NODES (100 000)
MAX_PANEL_EDGES = 16_000


def _given(dimension: str, name: str, doc: str) -> ParamSpec:
    return ParamSpec(name, dimension, 0.0, doc + " (0: not given)", positive=False)


class TransmissionLine(ImpedanceElement):
    letter = "O"
    title = "transmission line (two-port)"
    form = "ONAME P1 R1 P2 R2 z0=VALUE td=VALUE | z0= len= vp= | r= l= g= c= len= " \
        "temp=NODE        e.g.  O1 a 0 b 0 z0=50 len=1 vp=1.2e8"
    nodes_spec = (NodeSlot("P1", "electrical"), NodeSlot("R1", "electrical"),
                  NodeSlot("P2", "electrical"), NodeSlot("R2", "electrical"))
    keywords = (
        _given("resistance", "z0", "characteristic impedance, ohm (lossless)"),
        _given("time", "td", "delay, s (lossless)"),
        _given("line_length", "len", "length, m"),
        _given("velocity", "vp", "phase velocity, m/s (lossless, with len)"),
        _given("resistance_per_length", "r", "series resistance per length, ohm/m"),
        _given("inductance_per_length", "l", "series inductance per length, H/m"),
        _given("conductance_per_length", "g", "shunt conductance per length, S/m"),
        _given("capacitance_per_length", "c", "shunt capacitance per length, F/m"),
    )
    node_keywords = {"temp": ("thermal", False)}
    distributed = True
    examples = (
        "O1 n1 0 n2 0 z0=50 td=1n\nRX n1 0 20 temp=bath\nRY n2 0 80 temp=A",
        "O1 n1 0 n2 0 r=10 l=400n c=160p len=0.5 temp=A\nRX n1 0 20 temp=bath\n"
        "RY n2 0 80 temp=bath",
        "O1 n1 m1 n2 m2 z0=30 len=0.3 vp=1e8\nRX n1 m1 20 temp=bath\nRY n2 m2 80 temp=A\n"
        "RZ m1 m2 5 temp=A\nRW n1 n2 7 temp=bath",
    )

    def check(self):
        p = self.params
        bad = [k for k, v in p.items() if v < 0]
        if bad:
            raise ValueError(f"{bad[0]} must not be negative, got {p[bad[0]]:g}")
        given = {k for k, v in p.items() if v > 0}
        lossless_td = {"z0", "td"}
        lossless_len = {"z0", "len", "vp"}
        telegraph = {"l", "c", "len"}
        if given == lossless_td or given == lossless_len:
            mode = "lossless"
        elif telegraph <= given and given <= telegraph | {"r", "g"}:
            mode = "telegraph"
        else:
            raise ValueError("give z0= and td=, or z0=, len= and vp= (lossless), or l=, c=, "
                             "len= with r= and/or g= (per unit length), got "
                             + (", ".join(f"{k}=" for k in sorted(given)) or "none"))
        if mode == "lossless" and "vp" in given and p["vp"] > C_LIGHT:
            raise ValueError(f"vp = {p['vp']:g} m/s is faster than light")
        if mode == "telegraph" and 1 / math.sqrt(p["l"] * p["c"]) > C_LIGHT * (1 + 1e-12):
            raise ValueError(f"1/sqrt(l c) = {1 / math.sqrt(p['l'] * p['c']):g} m/s is "
                             "faster than light")
        lossy = mode == "telegraph" and (p["r"] > 0 or p["g"] > 0)
        if lossy and self.temp_node is None:
            raise ValueError("a lossy line (r= or g=) dissipates: give temp=NODE")
        if not lossy and self.temp_node is not None:
            raise ValueError("a lossless line has no temperature: drop temp= (or give r= "
                             "or g=)")
        self.dissipative = lossy
        self._branches = tuple(_Branch(self, k) for k in range(3))

    def delay(self) -> float:
        """td (s): given, len/vp, or len sqrt(l c)."""
        p = self.params
        if p["td"] > 0:
            return p["td"]
        if p["vp"] > 0:
            return p["len"] / p["vp"]
        return p["len"] * math.sqrt(p["l"] * p["c"])

    def propagation(self, energy) -> Tuple[np.ndarray, np.ndarray]:
        """x = gamma len (complex, Re x >= 0) and Zc (ohm) at photon energies (J)."""
        p = self.params
        omega = np.asarray(energy, dtype=float) / hbar
        if p["z0"] > 0:                             # lossless
            return 1j * omega * self.delay(), np.full(omega.shape, p["z0"], dtype=complex)
        zs = p["r"] + 1j * omega * p["l"]
        ys = p["g"] + 1j * omega * p["c"]
        gamma = np.sqrt(zs * ys)                    # principal root: Re, Im >= 0
        return gamma * p["len"], zs / gamma

    def branch_admittances(self, energy) -> Tuple[np.ndarray, np.ndarray]:
        """(shunt, series) admittances (S): tanh(x/2)/Zc and 1/(Zc sinh x), from e^-x."""
        x, zc = self.propagation(energy)
        q = np.exp(-x)
        shunt = (1 - q) / ((1 + q) * zc)
        series = 2 * q / ((1 - q * q) * zc)
        return shunt, series

    def branches(self):
        return self._branches

    def dc_conductances(self) -> Tuple[float, float]:
        """(shunt, series) conductances (S) at zero frequency: x0 = sqrt(r g) len,
        Zc0 = sqrt(r/g); g = 0: (0, 1/(r len)) (the loop resistance in series)."""
        p = self.params
        r, g, length = p["r"], p["g"], p["len"]
        if g == 0:
            return 0.0, 1.0 / (r * length)
        x0, zc0 = math.sqrt(r * g) * length, math.sqrt(r / g)
        return math.tanh(x0 / 2) / zc0, 1.0 / (zc0 * math.sinh(x0))

    def dc_role(self, k: int) -> str:
        """A branch at DC (model/bias.py): a lossless line's shunts are open and its series
        branch a short (the line conducts from port to port); a lossy one's branches
        conduct (its shunts only with g > 0; the series branch is a short without r)."""
        p = self.params
        lossless = p["z0"] > 0 or (p["r"] == 0 and p["g"] == 0)
        if k < 2:
            return "open" if lossless or p["g"] == 0 else "conductance"
        return "short" if lossless or p["r"] == 0 else "conductance"

    def graph_edges(self):
        p1, r1, p2, r2 = self.nodes
        return ((p1, r1), (p2, r2), (p1, p2)) + (((r1, r2),) if r1 != r2 else ())

    def admittance(self, energy, T):
        raise TypeError("a transmission line stamps three branches (branches())")

    def panel_edges(self, top: float) -> np.ndarray:
        """Multiples of pi hbar / td below ``top``: the standing-wave spacing."""
        step = math.pi * hbar / self.delay()
        count = int(top / step)
        if count > MAX_PANEL_EDGES:
            raise PhotonGridError(
                f"{self.name}: {count} standing waves of the line below the photon grid's top "
                f"({top / h:.3g} Hz, 48 kB T at the link's highest temperature): more than "
                f"{MAX_PANEL_EDGES} (each needs its panel within the 100 000 photon "
                "energies); a shorter line (td) or lower temperatures")
        return step * np.arange(1, count + 1)


class _Branch(ImpedanceElement):
    """One of the three branches of a line (no letter: not an element kind of its own)."""

    def __init__(self, line: TransmissionLine, k: int):
        self.parent = line
        self.k = k
        self.name = line.name
        self.nodes = line.nodes
        self.node_params = line.node_params
        self.params = line.params
        self.value, self.model, self.span = None, None, line.span
        self.dissipative = line.dissipative
        self.can_open = k == 2         # the series branch does not join P1 to R1 at DC
        self.dc = line.dc_role(k)

    def dc_conductance(self, T: float) -> float:
        return self.parent.dc_conductances()[0 if self.k < 2 else 1]

    def terminal_coefficients(self):
        p1, r1, p2, r2 = self.nodes
        if self.k == 0:
            return ((p1, 1.0), (r1, -1.0))
        if self.k == 1:
            return ((p2, 1.0), (r2, -1.0))
        return ((p1, 1.0), (r1, -1.0), (p2, -1.0), (r2, 1.0))

    def admittance(self, energy, T):
        shunt, series = self.parent.branch_admittances(energy)
        return series if self.k == 2 else shunt
