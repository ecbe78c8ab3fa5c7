"""Element kinds and model types: parameters declared as data, physics as methods.

Every element kind is a subclass of one of the families below and registers itself by its
first letter (``__init_subclass__``); every model type registers itself by its type name.
Adding a kind is one module (imported in ``elements/__init__.py``) plus one test: nothing
else in thermnet branches on kinds.

Families
--------
TemperatureSource   fixes a thermal node (``T``)
Heater              injects power into a thermal node (``P``)
ThermalElement      heat between thermal nodes as a function of their temperatures
                    (``E``, ``G``, ``W``)
HeatCapacity        stores heat at a thermal node (``H``): C(T) for .tran, .ac, .noise
ImpedanceElement    two-terminal admittance between electrical nodes; dissipative ones sit at
                    the temperature of a thermal node (``temp=``) and radiate Johnson noise
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import AbstractSet, Any, ClassVar, Dict, FrozenSet, Optional, Tuple, Type, Union

import numpy as np

from thermnet.errors import Span
from thermnet.physics.constants import kB as KB

REQUIRED = None

# Physical range of a dimension's values (SI, inclusive), checked by ParamSpec.check: T
# sources and Tc between 1 uK and 10 kK; volumes, areas and lengths of a device at most 1 m^3,
# 1 m^2, 1 m (above, an SI number lost its scale: vol=42 for 42e-21); resistances,
# capacitances and inductances of circuit elements.  docs/language.md, "Valid values".
LIMITS: Dict[str, Tuple[float, float]] = {
    "temperature": (1e-6, 1e4),
    "volume": (0.0, 1.0),
    "area": (0.0, 1.0),
    "length": (0.0, 1.0),
    "line_length": (0.0, 1e4),      # a transmission line: cables of the cryostat included
    # circuit elements of a cryogenic device: beyond these, an admittance overflows in the
    # photonic integrals (a 1e-308 ohm resistor) or a value lost its scale
    "resistance": (1e-9, 1e15),
    "capacitance": (1e-24, 1.0),
    "inductance": (1e-18, 1e3),
}
DT_REL = 1e-5      # relative temperature step of the default derivatives by differences


@dataclass(frozen=True)
class ParamSpec:
    """A named parameter with its physical dimension (see ``units.DIMENSIONS``)."""

    name: str
    dimension: str
    default: Union[float, str, None] = REQUIRED      # a str for keyword parameters
    doc: str = ""
    positive: bool = True
    choices: Tuple[str, ...] = ()     # a keyword parameter (e.g. gap=tanh|bcs)
    # the range of this parameter where its dimension's LIMITS do not apply (an amplitude,
    # a difference of temperatures, is not a temperature of the cryostat)
    bounds: Optional[Tuple[float, float]] = None

    def check(self, value: float) -> Optional[str]:
        """Why ``value`` cannot be this parameter's value (e.g. "must be positive, got -1"),
        or None.  The one validation of every value that reaches an element: from a card, a
        ``.sweep``/``.step`` or ``Netlist.set()``.  A numeric default is valid when given
        explicitly (0 often means "not given": lloop=0, rn=0 with ic= given)."""
        if not math.isfinite(value):
            return f"must be a finite number, got {value}"
        if isinstance(self.default, float) and value == self.default:
            return None
        if self.dimension == "count" and value != int(value):
            return f"must be a whole number, got {value:g}"
        if self.positive and not value > 0:
            return f"must be positive, got {value:g}"
        low, high = self.limits()
        if not low <= value <= high:
            from thermnet.units import DIMENSIONS
            return f"must be from {low:g} to {high:g} ({DIMENSIONS[self.dimension][0]}), " \
                f"got {value:g}"
        return None

    def interval(self) -> Optional[Tuple[float, float]]:
        """``(low, high)``: the finite floats ``check`` accepts are exactly those with
        ``low <= value <= high`` and the default (which may lie outside: 0, "not given"),
        so a value computed many times (a ``.param`` sweep's rebinding,
        ``expressions.compile_stores``) is checked by one comparison, a value outside by
        ``check`` itself; None where no interval says it (a whole number, a choice)."""
        if self.choices or self.dimension == "count":
            return None
        low, high = self.limits()
        if self.positive:       # value > 0: value >= the least positive float
            low = max(low, math.nextafter(0.0, 1.0))
        return low, high

    def limits(self) -> Tuple[float, float]:
        """The inclusive range ``check`` asks of a value: ``bounds``, else the dimension's
        LIMITS (none: the whole axis)."""
        return self.bounds or LIMITS.get(self.dimension, (-math.inf, math.inf))

    def describe(self) -> str:
        from thermnet.units import DIMENSIONS
        if self.choices:
            return f"{self.name}: one of {'|'.join(self.choices)}, default {self.default}. " \
                f"{self.doc}".rstrip()
        dflt = "required" if self.default is REQUIRED else f"default {self.default:g}"
        return f"{self.name}: {DIMENSIONS[self.dimension][0]}, {dflt}. {self.doc}".rstrip()


@dataclass(frozen=True)
class NodeSlot:
    """A node argument: ``kind`` is "thermal" or "electrical"."""

    label: str
    kind: str


MODEL_TYPES: Dict[str, Type["Model"]] = {}
ELEMENT_KINDS: Dict[str, Type["Element"]] = {}


def _model_value(name: str) -> property:
    """A model's declared parameter ``name`` read from ``Model.values`` as a property
    (~0.05 us; ``Model.__getattr__``, ~0.45 us, serves the rest): the kernels read their
    models' parameters at every heat-balance evaluation."""
    def get(self):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    return property(get, doc=f"the model's {name}")


class Model:
    """A material or device model (``.model NAME TYPE(KEY=VALUE ...)``)."""

    type_name: ClassVar[str] = ""
    params: ClassVar[Tuple[ParamSpec, ...]] = ()
    doc: ClassVar[str] = ""
    supported: ClassVar[bool] = True

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.type_name:
            MODEL_TYPES[cls.type_name] = cls
        for spec in cls.params:      # each declared parameter read as a property of values
            if not hasattr(cls, spec.name):
                setattr(cls, spec.name, _model_value(spec.name))

    # a model that takes a table of positional values (rtable(T1 R1 T2 R2 ...) or a data
    # file): the dimension of each column, repeated row by row; () for none
    table_dimensions: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, name: str, values: Dict[str, float], table: Tuple[float, ...] = ()):
        self.name = name
        self.values = dict(values)
        self.table = tuple(table)

    @classmethod
    def check_table(cls, table: Tuple[float, ...]) -> Optional[Tuple[int, str]]:
        """(index of the offending entry, why) if ``table`` cannot be this model's table
        (each entry was already checked against its column's dimension), else None."""
        return None

    def __getattr__(self, key):
        values = self.__dict__.get("values", {})
        if key in values:
            return values[key]
        raise AttributeError(key)

    @classmethod
    def form(cls) -> str:
        return f"{cls.type_name}(" + " ".join(f"{p.name}=..." for p in cls.params) + ")"

    def kinks(self) -> Tuple[float, ...]:
        """Temperatures (K) where what the model describes is not smooth in temperature (a
        superconductor's Tc, where its gap opens as sqrt(Tc - T)); () for none."""
        return ()


class Element:
    """Base of all element kinds.  Instances are built by ``netlist.elaborate``."""

    letter: ClassVar[str] = ""
    title: ClassVar[str] = ""
    form: ClassVar[str] = ""
    nodes_spec: ClassVar[Tuple[NodeSlot, ...]] = ()
    value_spec: ClassVar[Optional[ParamSpec]] = None   # positional VALUE
    model_types: ClassVar[Tuple[str, ...]] = ()          # accepted model types
    model_optional: ClassVar[bool] = False               # VALUE or MODEL (G)
    keywords: ClassVar[Tuple[ParamSpec, ...]] = ()       # KEY=VALUE element parameters
    node_keywords: ClassVar[Dict[str, Tuple[str, bool]]] = {}  # key -> (node kind, required)
    supported: ClassVar[bool] = True
    # For the contract test every kind inherits (tests/test_element_contract.py): netlist
    # cards defining the element ``<letter>1`` (one example per model type), placed in a
    # frame with the bath ``bath`` at 30 mK and the fixed node ``A``; electrical examples
    # close their loop with ``RX n1 n2 20 temp=bath``.
    examples: ClassVar[Tuple[str, ...]] = ()
    antisymmetric: ClassVar[bool] = False     # heat(Ta, Tb) = -heat(Tb, Ta) (thermal kinds)
    # the VALUE may be a time function PULSE(...), SIN(...), PWL(...) (model/waveforms.py);
    # ``waveform`` is then set and ``value`` is its value at t = 0
    takes_waveform: ClassVar[bool] = False
    waveform: Any = None
    # the parameters ``check`` reads ("value": the positional VALUE; keyword and model
    # parameter names): a rebinding that changes none of them does not run it again
    # (netlist/elaborate.py); None: it may read any.  A kind that keeps the base class's
    # check (it checks nothing) need not say.
    check_reads: ClassVar[Optional[FrozenSet[str]]] = None

    def kinks(self) -> Tuple[float, ...]:
        """Temperatures (K) where this element's heat, admittance or heat capacity is not
        smooth in the temperature of one of its thermal nodes (its model's: a
        superconductor's Tc).  A branch of steady states has a corner where a node crosses
        one (solve/continuation.py), and the stored heat int C dT is split there
        (solve/transient.py)."""
        model = getattr(self, "model", None)
        return model.kinks() if isinstance(model, Model) else ()

    def separable(self) -> bool:
        """Whether every heat flow this element carries between two thermal nodes a, b is
        f(T_a) - f(T_b) with one strictly increasing f (a power law, a constant conductance,
        photons through temperature-independent impedances), or it carries none that
        depends on temperature (sources, heaters, heat capacities).  A circuit whose
        elements all are has exactly one steady state (model/circuit.py, unique_state)."""
        return False

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.letter:
            ELEMENT_KINDS[cls.letter] = cls

    @classmethod
    def value_param(cls) -> ParamSpec:
        """The declaration of the positional VALUE (kinds that take one, e.g. sources)."""
        if cls.value_spec is None:
            raise TypeError(f"{cls.title} elements take no value")
        return cls.value_spec

    def __init__(self, name: str, nodes: Tuple[str, ...], value: Optional[float],
                 model: Optional[Model], params: Dict[str, float],
                 node_params: Dict[str, str], span: Span):
        self.name = name
        self.nodes = nodes
        self.value = value
        # Any: a kind with model_types always has its Model (elaboration sees to it), whose
        # parameters are attributes by name
        self.model: Any = model
        self.params = params
        self.node_params = node_params
        self.span = span
        self.check()

    def check(self) -> None:
        """Raise ValueError for physically meaningless parameter combinations."""

    @classmethod
    def check_needed(cls, changed: AbstractSet[str]) -> bool:
        """Whether ``check`` must run again after the parameters ``changed`` (named as in
        ``check_reads``) took new values."""
        if cls.check is Element.check:
            return False
        return cls.check_reads is None or not cls.check_reads.isdisjoint(changed)

    def configure(self, options: Dict[str, float]) -> None:
        """Take solver-wide settings (e.g. ``exact``) before solving."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"


class TemperatureSource(Element):
    """Fixes a thermal node's temperature (a bath)."""

    def separable(self) -> bool:
        return True


class Heater(Element):
    """Injects power into a thermal node."""

    def separable(self) -> bool:
        return True


class ThermalElement(Element):
    """Heat between thermal nodes ``terminals`` (first -> second), possibly depending on
    the temperatures of further thermal nodes (``extra_nodes``, e.g. a superconductor's)."""

    @property
    def terminals(self) -> Tuple[str, str]:
        return self.nodes[0], self.nodes[1]

    @property
    def extra_nodes(self) -> Tuple[str, ...]:
        return ()

    def heat(self, Ta: float, Tb: float, *extra: float) -> float:
        """Heat (W) from the first to the second terminal."""
        raise NotImplementedError

    def noise_power(self, Ta: float, Tb: float, *extra: float) -> float:
        """One-sided spectral density (W^2/Hz) of the fluctuations of the heat through the
        element at low frequency: each reservoir's own fluctuation-dissipation term,
        ``2 kB (Ta^2 G_a + Tb^2 G_b)`` with G_a = d heat/d Ta and G_b = -d heat/d Tb.  For a
        power law sigma V (Ta^n - Tb^n) this is the generalised Golubev-Pekola form
        2 kB sigma V n (Ta^(n+1) + Tb^(n+1)) (Golubev & Pekola, PRB 75, 014301 (2007), for
        n = 5; Pekola & Karimi, RMP 93, 041001 (2021), Sec. IV); for a linear conductance
        2 kB (Ta^2 + Tb^2) G.  In equilibrium (Ta = Tb = T) it is 4 kB T^2 G.  Kinds with a
        better non-equilibrium form override this."""
        d = self.heat_derivatives(Ta, Tb, *extra)
        return 2.0 * KB * (Ta * Ta * d[0] - Tb * Tb * d[1])

    def heat_derivatives(self, Ta: float, Tb: float, *extra: float) -> np.ndarray:
        """d heat / d T (W/K) with respect to each of ``terminals + extra_nodes``.

        Default: central differences of :meth:`heat` with the step ``DT_REL * T`` (the heat
        laws are smooth power laws or splines on the scale of T; truncation ~1e-10 and
        rounding ~1e-11 relative).  Kinds with a closed form override this.
        """
        temps = [Ta, Tb, *extra]
        out = np.empty(len(temps))
        for k, t in enumerate(temps):
            step = DT_REL * t
            hi, lo = list(temps), list(temps)
            hi[k], lo[k] = t + step, t - step
            out[k] = (self.heat(*hi) - self.heat(*lo)) / (2 * step)
        return out


class HeatCapacity(Element):
    """Heat capacity C(T) (J/K) of the thermal node ``nodes[0]``; several may sit on one
    node (electrons and lattice, say) and add."""

    def capacity(self, T: float) -> float:
        raise NotImplementedError

    def separable(self) -> bool:
        return True             # stores heat, carries none in a steady state

    def capacity_derivative(self, T: float) -> float:
        """dC/dT (J/K^2): central difference with the step ``DT_REL * T``."""
        step = DT_REL * T
        return (self.capacity(T + step) - self.capacity(T - step)) / (2 * step)

    def capacities(self, T: np.ndarray) -> np.ndarray:
        """C at every temperature of the array T (J/K)."""
        return np.array([self.capacity(float(t)) for t in np.ravel(T)]).reshape(np.shape(T))


class ImpedanceElement(Element):
    """Two-terminal electrical element.

    ``admittance(energy, T)`` returns the complex admittance Y (S) at photon energies
    ``energy`` (J, 1-D array) for the element at temperature ``T`` (K; ignored if not
    dissipative).  Convention: Y_L = 1/(i omega L), Y_C = i omega C, omega = energy/hbar.
    """

    dissipative: bool = False        # per instance: a junction with temp= (josephson.py)
    # its admittance may vanish (an open junction) or it does not join its nodes at DC (the
    # cross branch of a transmission line): it ties no nodes together when the network's
    # floating node groups are found (physics/photonic.floating_components)
    can_open: bool = False
    # a distributed element (a transmission line): infinitely many resonances, so the
    # photon grid takes its panel edges (panel_edges) instead of a pole search
    distributed: ClassVar[bool] = False
    # admittance depends on its temp= node (per instance: a resistor with a table model)
    temperature_dependent: bool = False
    # the same real admittance at every photon energy (a resistor): a link of only such
    # elements has a transmission independent of energy, and its heat a closed form that
    # needs no photon grid (photonic.bose_energy_moment, model/balance.py)
    frequency_independent: ClassVar[bool] = False

    @property
    def temp_node(self) -> Optional[str]:
        return self.node_params.get("temp")

    def separable(self) -> bool:
        # a link of temperature-independent impedances carries Q_ij = f_ij(T_i) - f_ij(T_j),
        # f_ij(T) = int E tau_ij(E) n(E, T) dE / h (tau_ij = tau_ji, reciprocity)
        return not self.temperature_dependent

    def admittance(self, energy: np.ndarray, T: float) -> np.ndarray:
        raise NotImplementedError

    def admittance_derivative(self, energy: np.ndarray, T: float) -> np.ndarray:
        """dY/dT (S/K) at photon energies ``energy``; zero unless ``temperature_dependent``.

        Default: central difference of :meth:`admittance` with the step ``DT_REL * T``
        (the kernels are tabulated as splines smooth in T away from 2 Delta(T)).
        """
        if not self.temperature_dependent:
            return np.zeros(np.shape(energy), dtype=complex)
        step = DT_REL * T
        return (self.admittance(energy, T + step) - self.admittance(energy, T - step)) / (
            2 * step)

    def breakpoints(self, T: float) -> tuple:
        """Photon energies (J) where the admittance has a kink at temperature T (e.g. 2 Delta
        of a superconductor); the photon-energy quadrature splits its panels there."""
        return ()

    # behaviour in a DC-biased network (model/bias.py): "conductance" (dc_conductance),
    # "open", "short", or "" (not supported in a biased network yet: a located error)
    dc: str = ""

    def dc_conductance(self, T: float) -> float:
        """DC conductance (S) at temperature T (``dc == "conductance"``)."""
        raise NotImplementedError

    def dc_conductance_derivative(self, T: float) -> float:
        """d(DC conductance)/dT (S/K); 0 unless temperature_dependent."""
        return 0.0

    @property
    def heat_nodes(self) -> Tuple[str, str]:
        """A nonlinear DC element's (``dc == "nonlinear"``) two thermal nodes: the one its
        cooling power leaves and the one its dissipation enters (an NIS junction's N and S)."""
        raise NotImplementedError

    def bias_state(self, v: float, t_a: float, t_b: float) -> Tuple[float, float, float]:
        """A nonlinear DC element at bias v (V) and the temperatures of its heat_nodes:
        (current (A), dI/dV (S), heat out of its first heat node (W))."""
        raise NotImplementedError

    def gap_voltage(self) -> float:
        """Voltage scale (V) of a nonlinear DC element's I-V (Newton's step limit)."""
        raise NotImplementedError

    def bias_admittance(self, energy: np.ndarray, T: float, slope: float) -> np.ndarray:
        """A nonlinear DC element's photonic admittance (S) at its DC operating point, where
        its differential conductance dI/dV is ``slope`` (S): the small-signal admittance
        about the bias (netlist-language-v2, "photonic admittance at bias = dI/dV")."""
        raise NotImplementedError

    def branches(self) -> Tuple["ImpedanceElement", ...]:
        """The two-terminal branches the element stamps into the nodal analysis: itself,
        or (a multi-port such as a transmission line) branch objects whose admittances sum
        to its nodal stamp (elements/lines.py)."""
        return (self,)

    def terminal_coefficients(self) -> Tuple[Tuple[str, float], ...]:
        """(node, coefficient) of the branch's incidence vector: +1 at N1, -1 at N2."""
        return ((self.nodes[0], 1.0), (self.nodes[1], -1.0))

    def graph_edges(self) -> Tuple[Tuple[str, str], ...]:
        """Pairs of nodes the element connects in the electrical graph (its network)."""
        return ((self.nodes[0], self.nodes[1]),)

    def panel_edges(self, top: float) -> np.ndarray:
        """Photon energies (J) below ``top`` where the quadrature should start a panel (a
        distributed element's resonance spacing); none for a lumped element."""
        return np.empty(0)

    def superconducting_gap0(self) -> Optional[float]:
        """Delta0 (J) of the element's superconductor, if any (sets TAU's window)."""
        return None


def element_form(letter: str) -> str:
    kind = ELEMENT_KINDS.get(letter.upper())
    return kind.form if kind else ""
