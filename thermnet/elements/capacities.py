"""Heat capacity of a thermal node (``H``): a constant, or a model of the electrons (normal
metal ``cel``, BCS superconductor ``cbcs``) or of the lattice (``cph``).  Formulas and
sources: ``thermnet/physics/heat_capacity.py``."""
from __future__ import annotations

import numpy as np

from thermnet.elements.base import HeatCapacity, Model, NodeSlot, ParamSpec
from thermnet.elements.superconductors import GAP_PARAMS, TC
from thermnet.lazy import lazy_import

heat_capacity = lazy_import("thermnet.physics.heat_capacity")


class NormalElectrons(Model):
    """Sommerfeld electrons C = gamma V T (Kittel Ch. 6 Eq. 34)."""

    type_name = "cel"
    params = (ParamSpec("gamma", "coupling", doc="Sommerfeld coefficient, J m^-3 K^-2 "
                        "(Cu: 71, Al: 91, Ti: 310)"),)
    doc = "normal-metal electrons: C = gamma*vol*T"

    def capacity(self, T, vol):
        return heat_capacity.normal_electrons(T, self.gamma, vol)


class BCSElectrons(Model):
    """Electrons of a BCS superconductor, exact weak-coupling form (Tinkham Eq. 3.46) with the
    model's gap law: gamma V T above Tc, a jump of 1.43 gamma V Tc at Tc, exponentially small
    at T << Tc."""

    type_name = "cbcs"
    params = (ParamSpec("gamma", "coupling", doc="Sommerfeld coefficient of the normal "
                        "state, J m^-3 K^-2"), TC) + GAP_PARAMS
    doc = "BCS superconductor electrons (exact weak-coupling form, jump 1.43 gamma Tc)"

    def capacity(self, T, vol):
        return heat_capacity.bcs_electrons(T, self.gamma, vol, self.tc, self.gapratio,
                                           self.gap)

    def kinks(self):
        return (self.tc,)


class Lattice(Model):
    """Debye lattice C = beta V T^3 (Kittel Ch. 5 Eq. 33)."""

    type_name = "cph"
    params = (ParamSpec("beta", "coupling", doc="J m^-3 K^-4 (Cu: 6.9, Si: 0.58)"),)
    doc = "lattice (phonons): C = beta*vol*T^3"

    def capacity(self, T, vol):
        return heat_capacity.lattice(T, self.beta, vol)


class NodeHeatCapacity(HeatCapacity):
    letter = "H"
    title = "heat capacity"
    form = ("HNAME NODE VALUE   (J/K)   or   HNAME NODE MODEL vol=VALUE      "
            "e.g.  HS S cue vol=4.2e-20")
    nodes_spec = (NodeSlot("NODE", "thermal"),)
    value_spec = ParamSpec("VALUE", "heat_capacity", doc="constant heat capacity, J/K")
    model_types = ("cel", "cbcs", "cph")
    model_optional = True
    keywords = (ParamSpec("vol", "volume", 0.0, "volume of the metal, m^3 (with a model)",
                          positive=False),)
    examples = ("H1 A 1e-18", ".model cue cel(gamma=71)\nH1 A cue vol=1e-19",
                ".model alc cbcs(gamma=91 tc=1.2)\nH1 A alc vol=1e-19",
                ".model cuph cph(beta=6.9)\nH1 A cuph vol=1e-19")

    def check(self) -> None:
        if self.model is not None and not self.params["vol"] > 0:
            raise ValueError(f"a heat capacity from the model '{self.model.name}' needs "
                             "vol=VALUE (m^3), a positive volume")
        if self.model is None and self.params["vol"] != 0:
            raise ValueError("vol= goes with a model; a constant heat capacity is its VALUE")

    def capacity(self, T: float) -> float:
        if self.model is None:
            assert self.value is not None
            return float(self.value)
        return float(self.model.capacity(T, self.params["vol"]))

    def capacities(self, T):
        if self.model is None:
            return np.full(np.shape(T), float(self.value))
        return np.asarray(self.model.capacity(np.asarray(T, dtype=float), self.params["vol"]))

    def capacity_derivative(self, T: float) -> float:
        if self.model is None:
            return 0.0
        return super().capacity_derivative(T)
