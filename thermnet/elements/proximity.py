"""Proximity wire (``W``): quasiparticle heat through a diffusive normal wire touched by a
superconductor in its middle (Bezuglyi & Vinokur, PRL 91, 137002 (2003), cited as BV03; Usadel
solution in ``physics/proximity.py``), with two models:

* ``prox(tc=, ln= | l= d=, r=, phase=)``: the Usadel (quantum) wire of BV03 Eqs. (1)-(12);
  ``phase`` is the "house" interferometer phase of BV03 Fig. 2b / Fig. 4;
* ``andreev(tc=, phase=)``: the classic Andreev model used by BV03 as comparison (Fig. 3a,
  dashed): complete blockade below the gap ``E_g = Delta |cos(phase/2)|``, free transmission
  above, ``1/R_Q(E) = Theta(E - E_g)`` (Andreev 1964, BV03 introduction and Refs. 2, 3).

Conventions (docs/physics-proximity.md, docs/language.md "Proximity wires"): ``gn`` is the
normal-state electrical conductance ``G_N`` of the wire, ``kappa_N = L0 T G_N``; the gap is
``Delta(Ts)`` with ``Ts`` the temperature of node ``ts=`` (default ``(T_A + T_B)/2``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple, Union

import numpy as np

from thermnet.elements.base import NodeSlot, ParamSpec, ThermalElement
from thermnet.elements.superconductors import GAP_PARAMS, TC, SuperconductorModel
from thermnet.lazy import lazy_import
from thermnet.physics.constants import L0, hbar, kB

bcs = lazy_import("thermnet.physics.bcs")
proximity = lazy_import("thermnet.physics.proximity")

# Largest ln accepted.  The solver's broadening eta = 1e-8 Delta shifts the E -> 0 solution by
# a relative ~eta ln^2/4 (docs/physics-proximity.md, Section 4): 2.5e-3 at ln = 1000.
LN_MAX = 1000.0


@dataclass(frozen=True)
class _Optional(ParamSpec):
    """A parameter that may be omitted (stored as 0 = "not given"; given values must be > 0)."""

    def describe(self) -> str:
        from thermnet.units import DIMENSIONS as dims
        return f"{self.name}: {dims[self.dimension][0]}, optional. {self.doc}".rstrip()


class _WireModel(SuperconductorModel):
    """Shared by ``prox`` and ``andreev``: the gap of the S contact at ``Ts``."""

    charge_transport = False    # has an electric conductance G (GE, GRATIO)

    def gap_at(self, Ts: float):
        """``gap`` callable for the kernel: ``Delta(Ts)`` (J) whatever temperature it is asked
        for, so that the reservoir temperature and the spectrum's temperature can differ."""
        delta = float(bcs.gap(Ts, self.tc, self.gapratio, self.gap))
        return lambda T, tc: np.full(np.shape(T), delta)


class ProximityModel(_WireModel):
    type_name = "prox"
    params = (TC,
              _Optional("ln", "dimensionless", 0.0, "wire length L_N / xi0, "
                        "xi0 = sqrt(hbar D_N / 2 Delta0); or give l and d"),
              _Optional("l", "length", 0.0, "wire length L_N, m (with d, instead of ln)"),
              _Optional("d", "diffusion", 0.0, "diffusion constant D_N of the wire, m^2/s "
                        "(with l, instead of ln)"),
              ParamSpec("r", "dimensionless", doc="proximity parameter of the NS contact, "
                        "4 (D_S/D_N)(g_N/g_S)^2 (BV03 Eq. 10), >= 0; 0 = rigid contact",
                        positive=False),
              ParamSpec("phase", "angle", 0.0, "interferometer phase, rad (0: plain wire); "
                        "contact gap Delta |cos(phase/2)| (BV03 Fig. 4)",
                        positive=False)) + GAP_PARAMS
    doc = "proximity wire: Usadel quasiparticle heat through an N wire with an S contact"
    charge_transport = True

    @classmethod
    def check_values(cls, values) -> Optional[Tuple[Union[str, Tuple[str, ...]], str]]:
        """``(parameter(s), message)`` of the first inconsistency, or None.  elaborate.py
        points the error at the first of the parameters given on the element card, else at
        the first given on the .model card."""
        given = [k for k in ("ln", "l", "d") if values.get(k, 0.0) > 0]
        if not given:
            return ("ln", "the prox model needs ln=L_N/xi0, or l= (wire length, m) and d= "
                          "(diffusion constant, m^2/s)")
        if "ln" in given and len(given) > 1:
            return (tuple(given[1:]) + ("ln",), "give either ln or l and d, not both "
                    f"(got {', '.join(k + '=' for k in given)})")
        if given == ["l"]:
            return ("l", "l= (wire length) needs d= (diffusion constant, m^2/s) to give "
                         "ln = l/xi0")
        if given == ["d"]:
            return ("d", "d= (diffusion constant) needs l= (wire length, m) to give "
                         "ln = l/xi0")
        if not values["r"] >= 0:
            return ("r", f"r must be >= 0, got {values['r']:g}")
        ln = cls._ln(values)
        if ln > LN_MAX:
            return (given[0], f"ln = L_N/xi0 = {ln:.4g} is above {LN_MAX:g}, beyond the "
                              "Usadel solver's accuracy (broadening error ~1e-8 ln^2/4)")
        return None

    @staticmethod
    def _ln(values) -> float:
        if values.get("ln", 0.0) > 0:
            return float(values["ln"])
        # xi0 = sqrt(hbar D_N / (2 Delta0)), Delta0 = gapratio kB Tc (BV03, text after Eq. 10)
        xi0 = math.sqrt(hbar * values["d"] / (2.0 * values["gapratio"] * kB * values["tc"]))
        return float(values["l"]) / xi0

    @property
    def ln(self) -> float:
        return self._ln(self.values)

    def heat(self, Ta, Tb, Ts, gn, exact=False):
        return float(proximity.heat(Ta, Tb, Ts, self.tc, self.ln, self.r, gn,
                                    phase=self.phase, gapratio=self.gapratio, gap=self.gap,
                                    exact=exact))

    def conductance_ratio(self, T, Ts, exact=False) -> float:
        """``G/G_N`` of BV03 Eq. (6) at reservoir temperature ``T`` with the spectrum of
        ``Delta(Ts)``."""
        return float(proximity.conductance_ratio(T, self.tc, self.ln, self.r, self.phase,
                                                 self.gapratio, self.gap_at(Ts), exact))


class AndreevModel(_WireModel):
    type_name = "andreev"
    params = (TC,
              ParamSpec("phase", "angle", 0.0, "interferometer phase, rad: barrier height "
                        "E_g = Delta |cos(phase/2)|", positive=False)) + GAP_PARAMS
    doc = "classic Andreev model of the wire (BV03 Fig. 3 dashed): no heat below the gap"

    def heat(self, Ta, Tb, Ts, gn, exact=False):
        """BV03 Eqs. (2)-(3) with ``1/R_Q = Theta(E - E_g)``, E_g = Delta(Ts) |cos(phase/2)|
        (:func:`thermnet.physics.proximity.andreev_heat`)."""
        eg = float(bcs.gap(Ts, self.tc, self.gapratio, self.gap)) * proximity.contact_gap(
            self.phase)
        return proximity.andreev_heat(Ta, Tb, eg, gn)


class ProximityWire(ThermalElement):
    letter = "W"
    title = "proximity wire (Usadel, or the Andreev model)"
    form = "WNAME A B MODEL gn=VALUE [ts=NODE]        e.g.  W1 a b wire gn=10m ts=S"
    nodes_spec = (NodeSlot("A", "thermal"), NodeSlot("B", "thermal"))
    model_types = ("prox", "andreev")
    keywords = (ParamSpec("gn", "conductance", doc="normal-state electrical conductance of "
                          "the wire, S (kappa_N = L0 T gn)"),)
    node_keywords = {"ts": ("thermal", False)}
    exact = False
    antisymmetric = True      # at a fixed ts: BV03 Eq. (2) is odd in the reservoirs
    examples = (".model wire prox(tc=1.2 ln=10 r=1)\nW1 A bath wire gn=10m ts=A",
                ".model an andreev(tc=1.2)\nW1 A bath an gn=10m ts=A")

    def configure(self, options):
        self.exact = bool(options.get("exact", 0))

    @property
    def extra_nodes(self):
        return (self.node_params["ts"],) if "ts" in self.node_params else ()

    @property
    def print_quantities(self) -> Tuple[str, ...]:
        """Print functions beyond P and KAPPA that this element supports (elaborate.py)."""
        return ("KRATIO", "GE", "GRATIO") if self.model.charge_transport else ("KRATIO",)

    @staticmethod
    def _ts(Ta, Tb, extra):
        return extra[0] if extra else 0.5 * (Ta + Tb)

    def heat(self, Ta, Tb, *extra):
        return self.model.heat(Ta, Tb, self._ts(Ta, Tb, extra), self.params["gn"], self.exact)

    def normal_kappa(self, Ta) -> float:
        """``kappa_N = L0 T_A G_N``: d/dT_A of the normal wire's heat (L0/2) G_N (T_A^2 - T_B^2)
        (Wiedemann-Franz; BV03 Eq. 4's normalisation at T_A = T_B)."""
        return L0 * Ta * self.params["gn"]

    def kappa_ratio(self, Ta, Tb, *extra) -> float:
        """KAPPA / kappa_N: d heat / d T_A at fixed T_B over the normal wire's L0 T_A gn
        (BV03 Eq. 4 at T_A = T_B, Fig. 3a, 4a)."""
        return float(self.heat_derivatives(Ta, Tb, *extra)[0]) / self.normal_kappa(Ta)

    def conductance_ratio(self, Ta, Tb, *extra) -> float:
        """Zero-bias ``G/G_N`` with the reservoirs at ``Ta`` and ``Tb``.

        BV03 Eqs. (2), (3) and (5) with each reservoir's ``f-`` at its own temperature give
        ``f-(L/2) - f-(-L/2) = (eV/2) [sech^2(E/2Ta)/2Ta + sech^2(E/2Tb)/2Tb]``, hence the mean
        of BV03 Eq. (6) at ``Ta`` and at ``Tb``, both with the spectrum of ``Delta(Ts)``
        (thermoelectric terms neglected, as in BV03).  ``Ta = Tb = Ts = T``: Eq. (6).
        """
        Ts = self._ts(Ta, Tb, extra)
        ga = self.model.conductance_ratio(Ta, Ts, self.exact)
        gb = ga if Tb == Ta else self.model.conductance_ratio(Tb, Ts, self.exact)
        return 0.5 * (ga + gb)

    def electrical_conductance(self, Ta, Tb, *extra) -> float:
        return self.params["gn"] * self.conductance_ratio(Ta, Tb, *extra)
