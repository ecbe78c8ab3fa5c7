"""Thermal elements between two thermal nodes: electron-phonon coupling (``E``) and thermal
conductance (``G``), with their models."""
from __future__ import annotations

import numpy as np

from thermnet.elements.base import Model, NodeSlot, ParamSpec, ThermalElement
from thermnet.lazy import lazy_import

electron_phonon = lazy_import("thermnet.physics.electron_phonon")



class PowerLawEph(Model):
    """Power-law electron-phonon coupling of a normal metal, P = sigma V (T^n - Tb^n)
    (Giazotto et al., Rev. Mod. Phys. 78, 217 (2006), Eq. 35; Dey et al. 2023 below Eq. 7)."""

    type_name = "eph"
    params = (ParamSpec("sigma", "coupling", doc="Sigma, W m^-3 K^-n"),
              ParamSpec("n", "dimensionless", 5.0, "exponent"))
    doc = "power-law electron-phonon: heat = sigma*vol*(T^n - Tb^n)"

    def heat(self, T, Tb, vol):
        return electron_phonon.power_law_heat(T, Tb, self.sigma, vol, self.n)

    def heat_derivatives(self, T, Tb, vol):
        """d/dT, d/dTb of sigma V (T^n - Tb^n)."""
        c = self.n * self.sigma * vol
        return np.array([c * T ** (self.n - 1), -c * Tb ** (self.n - 1)])


class PowerLawConductance(Model):
    """Power-law thermal link P = k (Ta^n - Tb^n), e.g. n = 2 for a Wiedemann-Franz metal
    link (k = L0/(2R)), n = 4 for phonon boundary (Kapitza) conductance."""

    type_name = "gpow"
    params = (ParamSpec("k", "coupling", doc="prefactor, W K^-n"),
              ParamSpec("n", "dimensionless", 2.0, "exponent"))
    doc = "power-law thermal conductance: heat = k*(Ta^n - Tb^n)"

    def heat(self, Ta, Tb):
        return self.k * (Ta ** self.n - Tb ** self.n)

    def heat_derivatives(self, Ta, Tb):
        """d/dTa, d/dTb of k (Ta^n - Tb^n)."""
        c = self.n * self.k
        return np.array([c * Ta ** (self.n - 1), -c * Tb ** (self.n - 1)])


class ElectronPhonon(ThermalElement):
    letter = "E"
    title = "electron-phonon coupling"
    form = "ENAME NODE BATH MODEL vol=VALUE        e.g.  ES1 S bath cu vol=42e-21"
    nodes_spec = (NodeSlot("NODE", "thermal"), NodeSlot("BATH", "thermal"))
    model_types = ("eph", "eph_bcs")
    keywords = (ParamSpec("vol", "volume", doc="volume of the metal, m^3"),)
    examples = (".model cu eph(sigma=2e9)\nE1 A bath cu vol=1e-20",
                ".model al eph_bcs(sigma=2e8 tc=1.2)\nE1 A bath al vol=1e-19")

    def heat(self, Ta, Tb, *extra):
        return self.model.heat(Ta, Tb, self.params["vol"])

    def heat_derivatives(self, Ta, Tb, *extra):
        # the model's closed form or table derivative where it has one (None: not here)
        closed = getattr(self.model, "heat_derivatives", None)
        got = None if closed is None else closed(Ta, Tb, self.params["vol"])
        return super().heat_derivatives(Ta, Tb) if got is None else got

    def configure(self, options):
        if hasattr(self.model, "exact"):
            self.model.exact = bool(options.get("exact", 0))

    def separable(self) -> bool:
        # sigma V (T^n - Tb^n); not the BCS form (its gap ties the two temperatures)
        return isinstance(self.model, PowerLawEph) and self.model.sigma > 0 and \
            self.model.n > 0


class ThermalConductance(ThermalElement):
    letter = "G"
    title = "thermal conductance"
    form = "GNAME A B VALUE   (W/K)   or   GNAME A B MODEL      e.g.  G1 a b 1n"
    nodes_spec = (NodeSlot("A", "thermal"), NodeSlot("B", "thermal"))
    value_spec = ParamSpec("VALUE", "thermal_conductance", doc="linear conductance, W/K")
    model_types = ("gpow",)
    model_optional = True
    examples = ("G1 A bath 1n", ".model k2 gpow(k=1e-9 n=2)\nG1 A bath k2")
    antisymmetric = True

    def heat(self, Ta, Tb, *extra):
        if self.model is not None:
            return self.model.heat(Ta, Tb)
        return self.value * (Ta - Tb)

    def heat_derivatives(self, Ta, Tb, *extra):
        if self.model is not None:
            return self.model.heat_derivatives(Ta, Tb)
        return np.array([self.value, -self.value])

    def separable(self) -> bool:
        if self.model is None:
            return self.value is not None and self.value > 0
        return isinstance(self.model, PowerLawConductance) and self.model.k > 0 and \
            self.model.n > 0
