"""Temperature sources (``T``) and heaters (``P``)."""
from thermnet.elements.base import LIMITS, Heater, NodeSlot, ParamSpec, TemperatureSource


class FixedTemperature(TemperatureSource):
    letter = "T"
    title = "temperature source (bath)"
    form = "TNAME NODE VALUE [ac=VALUE]        e.g.  TB bath 30mK"
    nodes_spec = (NodeSlot("NODE", "thermal"),)
    value_spec = ParamSpec("VALUE", "temperature", doc="fixed temperature, K, or "
                           "PULSE(...)/SIN(...)/PWL(...) for .tran")
    # an amplitude (a difference of temperatures): no lower limit but 0
    keywords = (ParamSpec("ac", "temperature", 0.0, "small-signal amplitude for .ac, K",
                          positive=False,
                          bounds=(-LIMITS["temperature"][1], LIMITS["temperature"][1])),)
    examples = ("T1 C 0.2\nG9 C bath 1n",)
    takes_waveform = True


class PowerInjection(Heater):
    letter = "P"
    title = "heater"
    form = "PNAME NODE VALUE [ac=VALUE]        e.g.  P1 S 1pW   P1 S PULSE(0 1p 1u 1n 1n 5u)"
    nodes_spec = (NodeSlot("NODE", "thermal"),)
    value_spec = ParamSpec("VALUE", "power", doc="injected power, W, or "
                           "PULSE(...)/SIN(...)/PWL(...) for .tran", positive=False)
    keywords = (ParamSpec("ac", "power", 0.0, "small-signal amplitude for .ac, W",
                          positive=False),)
    examples = ("P1 C 1p\nG9 C bath 1n",)
    takes_waveform = True
