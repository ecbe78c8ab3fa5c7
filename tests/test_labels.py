"""Axis labels of every print quantity (results/labels.py): a physics symbol in mathtext that
matplotlib renders, and a unit from the quantity's dimension, so that a quantity registered
without a label cannot go unnoticed."""
from __future__ import annotations

import io

import pytest

import thermnet.elements  # noqa: F401  (registers every element's quantities: TES ALPHA ...)
from thermnet.quantities import QUANTITIES
from thermnet.results.labels import SYMBOLS, physics_label
from thermnet.results.plot import axis_label, column_dimension, unit_for

# an example argument of each kind of argument (quantities.QuantityKind.args)
ARGUMENT = {"thermal": "S", "element": "R1", "electrical": "a", "quantity": "T(S)",
            "name": "P1"}
# what the analysis records for the columns whose name does not tell their dimension
RECORDED = {"P1": "power", "INOISE": "power_noise"}
# a typical value of each dimension, to choose the unit's prefix
TYPICAL = {"temperature": 0.1, "power": 1e-15, "current": 1e-9, "voltage": 1e-4}


def _column(kind) -> str:
    if not kind.args:
        return kind.name
    return f"{kind.name}({','.join(ARGUMENT[a] for a in kind.args[:len(kind.args) - kind.optional])})"


@pytest.mark.parametrize("name", sorted(QUANTITIES))
def test_every_quantity_has_a_label_and_a_unit(name):
    pytest.importorskip("matplotlib")
    from matplotlib.mathtext import math_to_image
    kind = QUANTITIES[name]
    column = _column(kind)
    assert name in SYMBOLS or name == "D", f"{name}: add its symbol to results/labels.py"
    label = physics_label(column, RECORDED)
    assert label.startswith("$") and label.endswith("$") and label != column, label
    math_to_image(label, io.BytesIO(), format="png")      # mathtext that matplotlib reads
    dim = column_dimension(column, RECORDED)
    assert dim is not None, f"{column}: no dimension, hence no unit"
    unit = unit_for(dim, [TYPICAL.get(dim, 1.0)])
    assert unit is not None
    shown = axis_label(label, unit)
    if dim == "dimensionless":
        assert shown == label
    else:
        assert shown == f"{label} [{unit.label}]" and unit.label not in ("", "SI"), shown


@pytest.mark.parametrize("column, known, label, unit", [
    ("I(R1)", {}, r"$I_{\mathrm{R1}}$", "nA"),
    ("V(a,b)", {}, r"$V_{\mathrm{a},\mathrm{b}}$", "µV"),
    ("QN(N1)", {}, r"$\dot{Q}_\mathrm{N}\,(\mathrm{N1})$", "fW"),
    ("PJ(N1)", {}, r"$P_\mathrm{J}\,(\mathrm{N1})$", "fW"),
    ("RE(T(S))", {}, r"$\mathrm{Re}\,T_{\mathrm{S}}$", "mK"),
    ("PH(Q(S,D))", {}, r"$\arg\,Q_{\mathrm{S}\to \mathrm{D}}$", "°"),
    ("INOISE", {"INOISE": "power_noise"}, r"$\mathrm{NEP}$", "fW/√Hz"),
    ("INOISE", {"INOISE": "temperature_noise"}, r"$\sqrt{S_\mathrm{in}}$", "µK/√Hz"),
    ("D(I(N1),V1)", {"V1": "voltage"}, r"$\mathrm{d}I_{\mathrm{N1}}/\mathrm{d}V_{\mathrm{1}}$",
     "A/V"),
])
def test_labels_of_the_device_quantities(column, known, label, unit):
    assert physics_label(column, known) == label
    typical = {"I(R1)": 2e-9, "V(a,b)": 3e-5, "RE(T(S))": 1e-3, "PH(Q(S,D))": 30.0,
               "INOISE": 2e-15 if "NEP" in label else 5e-6}.get(column, 4e-15)
    if column.startswith("D("):
        typical = 1e-5
    assert unit_for(column_dimension(column, known), [typical]).label == unit
