"""Print quantities: one registry of what ``.print`` (and ``D()``) can ask for.

Each quantity is declared once here: its name, its form, the kinds of its arguments, the
physical dimension of its value (a key of ``units.DIMENSIONS``; ``D(X, NAME)`` is X's over
NAME's) and its meaning.  Elaboration checks cards against it, plots take axis units from it,
and results record the dimension of every column from it.

Evaluation: ``model.probes.Probe.q_<name>`` for the quantities every circuit has; a quantity
that only some elements give (``element_method``) is the element's method of that name at the
element's temperatures (its terminals', or its ``temp=`` node's), and an element lists the
ones it gives in ``print_quantities``.  A new element with its own quantity registers it from
its module with :func:`register`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class QuantityKind:
    name: str                     # upper case, as written in .print
    form: str                     # e.g. "Q(A,B)"
    args: Tuple[str, ...]         # argument kinds: thermal, element, quantity, name
    dimension: Optional[str]      # units.DIMENSIONS key; None: from the arguments (D)
    doc: str
    element_method: str = ""      # only elements listing it in print_quantities give it
    optional: int = 0             # trailing arguments that may be left out (V(N1[,N2]))
    at_bias: bool = False         # the element method also takes current= (A): its DC current


QUANTITIES: Dict[str, QuantityKind] = {}


def register(kind: QuantityKind) -> QuantityKind:
    if kind.name in QUANTITIES and QUANTITIES[kind.name] != kind:
        raise ValueError(f"print quantity {kind.name} is registered twice")
    QUANTITIES[kind.name] = kind
    return kind


def help_text() -> str:
    """The forms of every quantity, for error messages."""
    return " ".join(k.form for k in QUANTITIES.values())


for _kind in (
    QuantityKind("T", "T(NODE)", ("thermal",), "temperature", "temperature of a thermal node"),
    QuantityKind("P", "P(ELEMENT)", ("element",), "power",
                 "heat of an element: a heater's power, the heat a temperature source "
                 "takes out, a thermal element's heat from its first terminal, a dissipative "
                 "impedance's net photonic emission"),
    QuantityKind("Q", "Q(A,B)", ("thermal", "thermal"), "power",
                 "net photonic heat from thermal node A to B (Dey et al. 2023 Eq. 3)"),
    QuantityKind("TAU", "TAU(A,B)", ("thermal", "thermal"), "dimensionless",
                 "photonic transmission between A and B averaged over the window "
                 "taufmin..taufmax"),
    QuantityKind("KAPPA", "KAPPA(ELEMENT)", ("element",), "thermal_conductance",
                 "d heat / d T_A of a thermal element at fixed T_B"),
    QuantityKind("KRATIO", "KRATIO(WIRE)", ("element",), "dimensionless",
                 "kappa/kappa_N of a W proximity wire", element_method="kappa_ratio"),
    QuantityKind("GE", "GE(ELEMENT)", ("element",), "conductance",
                 "zero-bias electric conductance (S) of a W proximity wire with a prox model "
                 "or of an N junction", element_method="electrical_conductance"),
    QuantityKind("GRATIO", "GRATIO(ELEMENT)", ("element",), "dimensionless",
                 "G/G_N of a W proximity wire with a prox model, R_N/R(T) of an N junction",
                 element_method="conductance_ratio"),
    QuantityKind("I", "I(ELEMENT)", ("element",), "current",
                 "DC current through an element of a biased network, from its first node to "
                 "its second (a source's: from N+ through it to N-; SPICE)"),
    QuantityKind("V", "V(NODE) or V(N1,N2)", ("electrical", "electrical"), "voltage",
                 "DC voltage of an electrical node against the ground 0, or V(N1) - V(N2)",
                 optional=1),
    QuantityKind("PJ", "PJ(ELEMENT)", ("element",), "power",
                 "Joule heat of a conductor of a biased network (W), into its temp= node; "
                 "the electric power I V of an NIS junction"),
    QuantityKind("QN", "QN(JUNCTION)", ("element",), "power",
                 "cooling power of a biased NIS junction: heat out of its normal metal (W)"),
    QuantityKind("PH", "PH(QUANTITY)", ("quantity",), "angle_deg",
                 ".ac: phase of a quantity's small-signal response, degrees"),
    QuantityKind("RE", "RE(QUANTITY)", ("quantity",), None,
                 ".ac: real part of a quantity's small-signal response"),
    QuantityKind("IM", "IM(QUANTITY)", ("quantity",), None,
                 ".ac: imaginary part of a quantity's small-signal response"),
    QuantityKind("ONOISE", "ONOISE", (), "temperature_noise",
                 ".noise: thermal-fluctuation noise of the output temperature, K/sqrt(Hz)"),
    QuantityKind("INOISE", "INOISE", (), None,
                 ".noise: output noise referred to the input source: noise-equivalent power "
                 "(W/sqrt(Hz)) for a heater, K/sqrt(Hz) for a temperature source"),
    QuantityKind("NOISE", "NOISE(ELEMENT)", ("element",), "temperature_noise",
                 ".noise: one heat path's contribution to ONOISE, K/sqrt(Hz) (a photonic "
                 "pair counts half for each of its two elements)"),
    QuantityKind("D", "D(QUANTITY,NAME)", ("quantity", "name"), None,
                 "derivative of a quantity with respect to a source or .param along the "
                 "steady state"),
):
    register(_kind)


# the analyses each quantity belongs to (others: every analysis but .noise)
SMALL_SIGNAL = {"PH", "RE", "IM"}
NOISE_ONLY = {"ONOISE", "INOISE", "NOISE"}


def applies(func: str, analysis: str) -> bool:
    """Whether a quantity whose outermost function is ``func`` is printed by an analysis
    (op, sweep, tran, ac, noise): D() needs a steady state, PH/RE/IM a small-signal
    response, ONOISE/INOISE/NOISE a noise analysis; an expression {...} is printed where its
    values are real numbers at a state (op, sweep, tran without D() inside)."""
    if func in NOISE_ONLY:
        return analysis == "noise"
    if analysis == "noise":
        return False
    if func in SMALL_SIGNAL:
        return analysis == "ac"
    if func == "D":
        return analysis in ("op", "sweep")
    if func == "EXPR":                 # an expression of quantities (netlist/columns.py)
        return analysis in ("op", "sweep", "tran")
    return True
