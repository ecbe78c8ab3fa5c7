"""Proximity wire (``W``, model ``prox``): quasiparticle heat through a diffusive normal wire
touched by a superconductor in its middle (Bezuglyi & Vinokur 2003; Usadel solution in
``physics/proximity.py``)."""
from __future__ import annotations

from thermnet.elements.base import NodeSlot, ParamSpec, ThermalElement
from thermnet.elements.superconductors import GAP_PARAMS, TC, SuperconductorModel
from thermnet.physics import proximity


class ProximityModel(SuperconductorModel):
    type_name = "prox"
    params = (TC,
              ParamSpec("ln", "dimensionless", doc="wire length L_N / xi0, "
                        "xi0 = sqrt(hbar D_N / 2 Delta0)"),
              ParamSpec("r", "dimensionless", doc="proximity parameter of the NS contact "
                        "(Bezuglyi & Vinokur); 0 = rigid boundary", positive=False),
              ParamSpec("phase", "angle", 0.0, "interferometer phase, rad (0: plain wire)",
                        positive=False)) + GAP_PARAMS
    doc = "proximity wire: Usadel quasiparticle heat through an N wire with an S contact"


class ProximityWire(ThermalElement):
    letter = "W"
    title = "proximity wire (Usadel)"
    form = "WNAME A B MODEL gn=VALUE [ts=NODE]        e.g.  W1 a b wire gn=10m ts=S"
    nodes_spec = (NodeSlot("A", "thermal"), NodeSlot("B", "thermal"))
    model_types = ("prox",)
    keywords = (ParamSpec("gn", "conductance", doc="normal-state electrical conductance of "
                          "the wire, S (kappa_N = L0 T gn)"),)
    node_keywords = {"ts": ("thermal", False)}
    exact = False

    def configure(self, options):
        self.exact = bool(options.get("exact", 0))

    @property
    def extra_nodes(self):
        return (self.node_params["ts"],) if "ts" in self.node_params else ()

    def heat(self, Ta, Tb, *extra):
        m = self.model
        Ts = extra[0] if extra else 0.5 * (Ta + Tb)
        return float(proximity.heat(Ta, Tb, Ts, m.tc, m.ln, m.r, self.params["gn"],
                                    phase=m.phase, gapratio=m.gapratio, gap=m.gap,
                                    exact=self.exact))
