"""Temperature sources (``T``) and heaters (``P``)."""
from thermnet.elements.base import Heater, NodeSlot, ParamSpec, TemperatureSource


class FixedTemperature(TemperatureSource):
    letter = "T"
    title = "temperature source (bath)"
    form = "TNAME NODE VALUE        e.g.  TB bath 30mK"
    nodes_spec = (NodeSlot("NODE", "thermal"),)
    value_spec = ParamSpec("VALUE", "temperature", doc="fixed temperature, K")
    examples = ("T1 C 0.2\nG9 C bath 1n",)


class PowerInjection(Heater):
    letter = "P"
    title = "heater"
    form = "PNAME NODE VALUE        e.g.  P1 S 1pW"
    nodes_spec = (NodeSlot("NODE", "thermal"),)
    value_spec = ParamSpec("VALUE", "power", doc="injected power, W", positive=False)
    examples = ("P1 C 1p\nG9 C bath 1n",)
