"""Linear normal impedances: resistor (``R``), capacitor (``C``), inductor (``L``)."""
from __future__ import annotations

import numpy as np

from thermnet.elements.base import ImpedanceElement, NodeSlot, ParamSpec
from thermnet.physics.constants import hbar

_TWO_ENODES = (NodeSlot("N1", "electrical"), NodeSlot("N2", "electrical"))


class Resistor(ImpedanceElement):
    """Frequency-independent normal-metal resistor: Johnson-Nyquist noise source at temp=.
    With a resistance model (``rtable``: elements/rtable.py) its R depends on the
    temperature of its temp= node; with a ``tes`` model (elements/tes.py) also on its
    current: a nonlinear conductor in a biased network."""

    letter = "R"
    title = "resistor"
    form = "RNAME N1 N2 VALUE|MODEL temp=NODE        e.g.  R1 a b 10ohm temp=S"
    nodes_spec = _TWO_ENODES
    value_spec = ParamSpec("VALUE", "resistance", doc="ohms")
    model_types = ("rtable", "tes")
    model_optional = True
    node_keywords = {"temp": ("thermal", True)}
    dissipative = True
    frequency_independent = True      # Y = 1/R at every photon energy (admittance)
    examples = ("R1 n1 n2 10 temp=A\nRX n1 n2 20 temp=bath",
                ".model rt rtable(0.005 40 0.1 38 0.3 20 0.6 5 2 4)\n"
                "R1 n1 n2 rt temp=A\nRX n1 n2 20 temp=bath",
                ".model tx tes(rn=1 tc=0.1 width=30m)\nR1 n1 n2 tx temp=A\n"
                "RX n1 n2 20 temp=bath")

    dc = "conductance"
    check_reads = frozenset()   # its check reads which model it has (the card's), no value

    def check(self):
        self.temperature_dependent = self.model is not None
        # a TES model's R(T, I): a nonlinear conductor at DC (model/bias.py)
        self.dc = getattr(self.model, "dc", "conductance")

    @property
    def heat_nodes(self):
        """A TES's (temp=, temp=): no cooling; its Joule heat I V goes to temp=."""
        return self.node_params["temp"], self.node_params["temp"]

    def bias_state(self, v: float, t_a: float, t_b: float):
        """A TES at voltage v: (I, dI/dV, 0) (elements/tes.py)."""
        return self.model.bias_state(v, t_b)

    def gap_voltage(self) -> float:
        return self.model.voltage_scale()

    @property
    def print_quantities(self):
        """ALPHA and BETA of a TES (elements/tes.py); None: a resistor gives no others."""
        return ("ALPHA", "BETA") if self.dc == "nonlinear" else None

    def tes_alpha(self, T: float, current: float) -> float:
        """(T/R) dR/dT of a TES at T and its DC current (elements/tes.py)."""
        return self.model.sensitivities(T, current)[0]

    def tes_beta(self, T: float, current: float) -> float:
        """(I/R) dR/dI of a TES at T and its DC current (elements/tes.py)."""
        return self.model.sensitivities(T, current)[1]

    def bias_admittance(self, energy, T: float, slope: float):
        """At a DC operating point: the differential conductance dI/dV (elements/tes.py)."""
        return np.full(np.shape(energy), slope, dtype=complex)

    def dc_conductance(self, T: float) -> float:
        return 1.0 / self.resistance(T)

    def dc_conductance_derivative(self, T: float) -> float:
        """-R'(T)/R^2 (0 for a fixed R)."""
        if self.model is None:
            return 0.0
        return -self.model.resistance_derivative(T) / self.model.resistance(T) ** 2

    def resistance(self, T: float) -> float:
        if self.model is not None:
            return self.model.resistance(T)
        assert self.value is not None            # a resistor has a value or a model
        return float(self.value)

    def admittance(self, energy, T):
        return np.full(np.shape(energy), 1.0 / self.resistance(T), dtype=complex)

    def admittance_derivative(self, energy, T):
        """dY/dT = -R'(T)/R^2 (zero for a fixed R)."""
        if self.model is None:
            return np.zeros(np.shape(energy), dtype=complex)
        R = self.model.resistance(T)
        return np.full(np.shape(energy), -self.model.resistance_derivative(T) / R ** 2,
                       dtype=complex)


class Capacitor(ImpedanceElement):
    letter = "C"
    title = "capacitor (lossless)"
    form = "CNAME N1 N2 VALUE        e.g.  C1 a b 1pF"
    nodes_spec = _TWO_ENODES
    value_spec = ParamSpec("VALUE", "capacitance", doc="farads")
    dc = "open"
    examples = ("C1 n1 n2 1p\nRX n1 n2 20 temp=bath\nRY n1 n2 30 temp=A",)

    def admittance(self, energy, T):
        return 1j * (energy / hbar) * self.value


class Inductor(ImpedanceElement):
    letter = "L"
    title = "inductor (lossless)"
    form = "LNAME N1 N2 VALUE        e.g.  L1 a b 10nH"
    nodes_spec = _TWO_ENODES
    value_spec = ParamSpec("VALUE", "inductance", doc="henries")
    dc = "short"
    examples = ("L1 n1 n2 1n\nRX n1 n2 20 temp=bath\nRY n1 n2 30 temp=A",)

    def admittance(self, energy, T):
        return 1.0 / (1j * (energy / hbar) * self.value)
