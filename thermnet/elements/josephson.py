"""Josephson junction and dc SQUID (``J``, models ``jj`` and ``squid``) as lossless,
flux-, phase- and temperature-tunable inductances in the photonic network.

Linear response of a junction with critical current Ic at phase bias phi (the Josephson
relations I = Ic sin phi, V = (Phi0/2 pi) dphi/dt; Tinkham, "Introduction to
Superconductivity", 2nd ed. (1996), Eqs. 6.1-6.2, Sec. 6.3.1):

    L_J = Phi0 / (2 pi Ic cos phi),        Y = 1 / (i omega L_J),   Phi0 = h / 2e.

Ic(T) without ``ic=``: Ambegaokar & Baratoff, Phys. Rev. Lett. 10, 486 (1963) (erratum
11, 104):  Ic Rn = (pi Delta(T) / 2e) tanh(Delta(T) / 2 kB T), with the gap law Delta(T) of
``physics/bcs.py`` (the model's ``gap=`` and ``gapratio=``).

dc SQUID of two junctions with critical currents Ic (1 +- d) in a loop threaded by flux
f Phi0, loop inductance negligible (beta_L = 2 lloop Ic / Phi0 << 1): at zero bias current
it is one junction with Ic_eff = 2 Ic sqrt(cos^2(pi f) + d^2 sin^2(pi f)) (Tinkham Sec.
6.4.1, the asymmetric case, e.g. Eq. 6.50 and the text after it; d = 0: 2 Ic |cos pi f|).
A loop inductance ``lloop`` adds lloop/4 in series (each arm carries lloop/2 and the arms
are in parallel; exact for the symmetric SQUID, first order in beta_L otherwise).

The admittance is computed as k / (i omega (1 + k L_s)), k = 1/L_J = 2 pi Ic_eff cos phi /
Phi0, so a junction whose Ic_eff vanishes (f = 1/2 of a symmetric SQUID, T >= Tc) is an
exact open circuit (Y = 0), never 0 * inf; ``physics/photonic.transfer`` handles the nodes
it leaves floating.  Quasiparticle losses are neglected (valid for T << Tc, where the
subgap resistance is ~ Rn exp(Delta/kB T)).
"""
from __future__ import annotations

import math

import numpy as np

from thermnet.elements.base import ImpedanceElement, Model, NodeSlot, ParamSpec
from thermnet.elements.superconductors import GAP_PARAMS
from thermnet.lazy import lazy_import
from thermnet.physics.constants import e, h, hbar, kB

bcs = lazy_import("thermnet.physics.bcs")

PHI0 = h / (2 * e)     # Wb, the flux quantum

# the critical current: given, or from Ambegaokar-Baratoff with rn and tc (0: not given)
IC_PARAMS = (
    ParamSpec("ic", "current", 0.0, "critical current per junction, A (0: Ambegaokar-"
              "Baratoff from rn and tc at the temp= node)", positive=False),
    ParamSpec("rn", "resistance", 0.0, "normal-state resistance per junction, ohm "
              "(with tc, when ic is not given)", positive=False),
    ParamSpec("tc", "temperature", 0.0, "critical temperature, K (with rn)", positive=False),
) + GAP_PARAMS


class _CriticalCurrent(Model):
    """Shared by ``jj`` and ``squid``: Ic given, or Ic(T) by Ambegaokar-Baratoff."""

    @classmethod
    def check_values(cls, values):
        if values["ic"] < 0:
            return "ic", "ic must not be negative"
        if values["ic"] > 0 and (values["rn"] > 0 or values["tc"] > 0):
            return ("rn", "tc"), "give ic= or rn= and tc=, not both"
        if values["ic"] == 0 and not (values["rn"] > 0 and values["tc"] > 0):
            return ("ic", "rn", "tc"), "needs ic= (the critical current) or both rn= and " \
                "tc= (Ic(T) by Ambegaokar-Baratoff)"
        return cls.check_device(values)

    @classmethod
    def check_device(cls, values):
        return None

    @property
    def from_gap(self) -> bool:
        return not self.ic > 0

    def kinks(self):
        return (self.tc,) if self.from_gap else ()     # Ic(T) vanishes at Tc

    def critical_current(self, T: float) -> float:
        """Ic (A) of one junction at temperature T (K): ``ic``, or Ambegaokar-Baratoff
        Ic = (pi Delta(T) / (2 e Rn)) tanh(Delta(T) / (2 kB T)); 0 at T >= Tc."""
        if not self.from_gap:
            return float(self.ic)
        d = float(bcs.gap(T, self.tc, self.gapratio, self.gap))
        if d <= 0:
            return 0.0
        return math.pi * d / (2 * e * self.rn) * math.tanh(d / (2 * kB * T))

    def device_current(self, T: float) -> float:
        """Ic_eff (A) of the device at zero bias."""
        return self.critical_current(T)

    def series_inductance(self) -> float:
        return 0.0


def cos_sin_pi(f: float):
    """(cos(pi f), sin(pi f)) with the argument reduced exactly (as C's cospi): exact zeros
    at half-integer and integer f (math.cos(math.pi * 0.5) is 6e-17, which would leave a
    SQUID at half a flux quantum a 1e-16 of its inductance instead of open)."""
    r = math.fmod(f, 2.0)                 # exact
    r = r + 2.0 if r < 0 else r           # [0, 2)
    sign_s = 1.0
    if r > 1.0:                           # pi r in (pi, 2 pi): sin < 0, cos mirrored
        r, sign_s = 2.0 - r, -1.0         # exact (Sterbenz)
    sign_c = 1.0
    if r > 0.5:                           # cos(pi r) = -cos(pi (1 - r))
        r, sign_c = 1.0 - r, -1.0         # exact
    # r in [0, 1/2]: cos(pi r) = sin(pi (1/2 - r)), exact 1/2 - r for r >= 1/4
    c = math.sin(math.pi * (0.5 - r)) if r >= 0.25 else math.cos(math.pi * r)
    s = math.cos(math.pi * (0.5 - r)) if r >= 0.25 else math.sin(math.pi * r)
    return sign_c * c, sign_s * s


class JunctionModel(_CriticalCurrent):
    type_name = "jj"
    params = IC_PARAMS
    doc = "Josephson junction: L_J = Phi0/(2 pi Ic cos phi), Ic given or Ambegaokar-Baratoff"

    @classmethod
    def form(cls) -> str:
        return "jj(ic=VALUE)  or  jj(rn=VALUE tc=VALUE [gapratio= gap=])"


class SquidModel(_CriticalCurrent):
    type_name = "squid"
    params = IC_PARAMS + (
        ParamSpec("flux", "dimensionless", 0.0, "flux through the loop in units of Phi0",
                  positive=False),
        ParamSpec("asym", "dimensionless", 0.0, "junction asymmetry d = (Ic1 - Ic2)/(Ic1 + "
                  "Ic2), 0 <= d <= 1", positive=False),
        ParamSpec("lloop", "inductance", 0.0, "loop inductance, H (0: negligible)",
                  positive=False),
    )
    doc = "dc SQUID: one junction of Ic_eff = 2 Ic sqrt(cos^2(pi f) + d^2 sin^2(pi f)) " \
        "(Tinkham Sec. 6.4.1), loop inductance lloop/4 in series"

    @classmethod
    def form(cls) -> str:
        return "squid(ic=VALUE flux=VALUE [asym=VALUE lloop=VALUE])  (or rn= tc= for ic)"

    @classmethod
    def check_device(cls, values):
        if not 0 <= values["asym"] <= 1:
            return "asym", f"asym must be from 0 to 1, got {values['asym']:g}"
        if values["lloop"] < 0:
            return "lloop", "lloop must not be negative"
        return None

    def device_current(self, T: float) -> float:
        """Ic_eff = 2 Ic sqrt(cos^2(pi f) + d^2 sin^2(pi f)) (module docstring)."""
        c, s = cos_sin_pi(self.flux)
        return 2 * self.critical_current(T) * math.sqrt(c * c + (self.asym * s) ** 2)

    def series_inductance(self) -> float:
        return float(self.lloop) / 4


class JosephsonJunction(ImpedanceElement):
    letter = "J"
    title = "Josephson junction or dc SQUID (tunable inductance)"
    form = "JNAME N1 N2 MODEL [temp=NODE] [phase=VALUE]        e.g.  J1 b c sq flux={fl}"
    nodes_spec = (NodeSlot("N1", "electrical"), NodeSlot("N2", "electrical"))
    model_types = ("jj", "squid")
    keywords = (ParamSpec("phase", "angle", 0.0, "phase bias phi, rad, |phi| <= pi/2",
                          positive=False),)
    node_keywords = {"temp": ("thermal", False)}
    can_open = True
    examples = (
        ".model jx jj(ic=1u)\nJ1 n1 n2 jx phase=0.3\nRX n1 n2 20 temp=bath\nRY n1 n2 30 temp=A",
        ".model jx jj(rn=1k tc=1.2)\nJ1 n1 n2 jx temp=A\nRX n1 n2 20 temp=bath",
        ".model sq squid(ic=2u flux=0.3 asym=0.1 lloop=10p)\nJ1 n1 n2 sq\n"
        "RX n1 n2 20 temp=bath\nRY n1 n2 30 temp=A",
    )

    def check(self):
        if abs(self.params["phase"]) > math.pi / 2:
            raise ValueError(f"phase must be from -pi/2 to pi/2 (the stable branch), got "
                             f"{self.params['phase']:g}")
        if self.model.from_gap and self.temp_node is None:
            raise ValueError("Ic(T) from rn and tc needs temp=NODE (the junction's "
                             "temperature); or give ic=")
        # its temperature enters the network only through Ic(T): a lossless element listed
        # with the dissipative ones (Re Y = 0, no heat) so that the link follows temp=
        self.temperature_dependent = self.model.from_gap
        self.dissipative = self.temperature_dependent

    def inverse_inductance(self, T: float) -> float:
        """1/L_J = 2 pi Ic_eff cos(phi) / Phi0 (1/H); 0 for an open junction."""
        return 2 * math.pi * self.model.device_current(T) * math.cos(
            self.params["phase"]) / PHI0

    def inductance(self, T: float) -> float:
        """L_J + lloop/4 (H); inf when the junction is open."""
        k = self.inverse_inductance(T)
        return math.inf if k == 0 else 1.0 / k + self.model.series_inductance()

    def admittance(self, energy, T):
        k = self.inverse_inductance(T)
        omega = np.asarray(energy) / hbar
        return k / (1j * omega * (1.0 + k * self.model.series_inductance()))
