"""DC bias of electrical networks: voltage (``V``) and current (``I``) sources.

``VNAME N+ N- VALUE``: V(N+) - V(N-) = VALUE; ``INAME N+ N- VALUE``: VALUE amperes flow from
N+ through the source to N- (SPICE conventions, e.g. ngspice manual Secs. 4.1.1 and 4.1.2).
For photons (the Johnson-noise network of ``physics/photonic.py``) an ideal voltage source is
a short and an ideal current source an open circuit (zero and infinite source impedance).
Node ``0`` is the ground of every biased network.  The DC operating point and the Joule
heat it puts into the ``temp=`` nodes: ``model/bias.py``.
"""
from __future__ import annotations

from thermnet.elements.base import Element, NodeSlot, ParamSpec


class BiasSource(Element):
    """An ideal DC source between two electrical nodes (not part of the photon network
    but as a short (V) or an open (I))."""

    nodes_spec = (NodeSlot("N+", "electrical"), NodeSlot("N-", "electrical"))
    shorts_photons = False


class VoltageSource(BiasSource):
    letter = "V"
    title = "DC voltage source"
    form = "VNAME N+ N- VALUE        e.g.  V1 a 0 10uV"
    value_spec = ParamSpec("VALUE", "voltage", doc="volts, V(N+) - V(N-)", positive=False)
    shorts_photons = True
    examples = ("V1 n1 0 1u\nRX n1 0 20 temp=A",)


class CurrentSource(BiasSource):
    letter = "I"
    title = "DC current source"
    form = "INAME N+ N- VALUE        e.g.  I1 a 0 1nA"
    value_spec = ParamSpec("VALUE", "current", doc="amperes, from N+ through the source to "
                           "N-", positive=False)
    examples = ("I1 n1 0 1n\nRX n1 0 20 temp=A",)
