"""Numbers with SPICE scale suffixes and unit symbols, checked against a dimension.

Language page, lexical rules: scale suffixes f p n u m k meg g t (case-insensitive, ``m`` is
milli, ``meg`` is 1e6); a value may carry a unit symbol of the parameter's dimension
(``30mK``, ``2pW``, ``10ohm``).  A suffix that could be read both as a scale and as a unit
(``4k`` for a temperature: kilo or kelvin?; ``1f`` for a capacitance: femto or farad?), or a
unit of the wrong dimension, is an error that says so.  Everything is SI internally.

A value with no declared dimension (a ``.param``, a subcircuit parameter) may carry the unit
of any dimension and then has that dimension (:func:`read`).  There a lone ``k`` or ``f``
is the SPICE scale factor as written in lower case (``100f`` = 1e-13, SI prefix spelling),
and ambiguous written as the unit symbol ``K`` or ``F`` (``1.2K``: 1.2 kelvin or 1200?).
"""
from __future__ import annotations

import math
import re
from typing import Dict, List, Optional, Tuple

SCALES: Dict[str, float] = {
    "": 1.0, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3,
    "k": 1e3, "meg": 1e6, "g": 1e9, "t": 1e12,
}

# dimension -> (human name, accepted unit symbols, lower-case)
DIMENSIONS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "temperature": ("temperature (K)", ("k",)),
    "power": ("power (W)", ("w",)),
    "resistance": ("resistance (ohm)", ("ohm", "ω")),
    "capacitance": ("capacitance (F)", ("f",)),
    "inductance": ("inductance (H)", ("h",)),
    "conductance": ("electrical conductance (S)", ("s",)),
    "thermal_conductance": ("thermal conductance (W/K)", ("w/k",)),
    "angle": ("angle (rad)", ("rad",)),
    "current": ("current (A)", ("a",)),
    "voltage": ("voltage (V)", ("v",)),
    "frequency": ("frequency (Hz)", ("hz",)),
    "time": ("time (s)", ("s",)),
    "heat_capacity": ("heat capacity (J/K)", ("j/k",)),
    "energy": ("energy (J)", ("j",)),
    "angle_deg": ("phase (degrees)", ()),
    "boolean": ("true (1) or false (0)", ()),
    "temperature_noise": ("temperature noise (K/sqrt(Hz))", ()),
    "power_noise": ("noise-equivalent power (W/sqrt(Hz))", ()),
    "volume": ("volume (m^3, SI number)", ()),
    "area": ("area (m^2, SI number)", ()),
    "length": ("length (m, SI number)", ()),
    "diffusion": ("diffusion constant (m^2/s, SI number)", ()),
    "specific_resistance": ("specific resistance (ohm m^2, SI number)", ()),
    "specific_capacitance": ("specific capacitance (F/m^2, SI number)", ()),
    "coupling": ("coupling constant (SI number)", ()),
    "velocity": ("velocity (m/s, SI number)", ()),
    "line_length": ("line length (m, SI number)", ()),
    "resistance_per_length": ("resistance per length (ohm/m, SI number)", ()),
    "inductance_per_length": ("inductance per length (H/m, SI number)", ()),
    "conductance_per_length": ("conductance per length (S/m, SI number)", ()),
    "capacitance_per_length": ("capacitance per length (F/m, SI number)", ()),
    "dimensionless": ("dimensionless number", ()),
    "count": ("whole number", ()),
}

DISPLAY = {"k": "K", "w": "W", "ohm": "ohm", "ω": "ohm", "f": "F", "h": "H", "s": "S",
           "w/k": "W/K", "rad": "rad", "a": "A", "v": "V",
           "hz": "Hz", "j/k": "J/K", "j": "J"}

# How results show each dimension (plot axes, table headers): the symbol, and the SI prefix
# of a zero or empty column (cryogenic temperatures in mK, heats in pW).
PLOT_SYMBOLS = {"temperature": "K", "power": "W", "resistance": "Ω", "capacitance": "F",
                "inductance": "H", "conductance": "S", "angle": "rad", "frequency": "Hz",
                "time": "s", "heat_capacity": "J/K", "energy": "J", "angle_deg": "°",
                "temperature_noise": "K/√Hz", "power_noise": "W/√Hz", "current": "A",
                "voltage": "V"}
PLOT_PREFIX = {"temperature": "m", "power": "p"}

_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(.*)$")


def derivative_dimension(num: str, den: str) -> str:
    """Dimension of D(X, NAME) from X's and NAME's: X's for a dimensionless NAME (a .param
    without unit), ``dimensionless`` for like over like, else ``"num/den"``."""
    if den == "dimensionless":
        return num
    return "dimensionless" if num == den else f"{num}/{den}"


class UnitError(ValueError):
    """A value that cannot be read; ``str()`` says what to write instead."""


def _unit_dimension(symbol: str) -> Optional[str]:
    for dim, (_, units) in DIMENSIONS.items():
        if symbol in units:
            return dim
    return None


def _readings(suffix: str, units: Tuple[str, ...]) -> List[Tuple[float, str]]:
    """All (scale, unit) readings of ``suffix`` with a unit from ``units`` or none."""
    out = []
    for prefix, scale in SCALES.items():
        if not suffix.startswith(prefix):
            continue
        rest = suffix[len(prefix):]
        if rest == "" or rest in units:
            out.append((scale, rest))
    return out


def parse_number(text: str, dimension: str = "dimensionless", what: str = "value") -> float:
    """Read ``text`` (e.g. ``30mK``) as a number in SI units for ``dimension``.

    Raises UnitError for a malformed number, an unknown or ambiguous suffix, or a unit of
    another dimension.
    """
    return read(text, dimension, what)[0]


def read(text: str, dimension: Optional[str], what: str = "value") -> Tuple[float, Optional[str]]:
    """``text`` as (SI value, dimension of the unit written or None).

    ``dimension`` None: no declared dimension (a ``.param``): a unit of any dimension is
    accepted and gives the value its dimension.  Raises UnitError as :func:`parse_number`.
    """
    m = _NUMBER.match(text.strip())
    if not m:
        raise UnitError(f"'{text}' is not a number")
    mantissa = float(m.group(1))
    if not math.isfinite(mantissa):
        raise UnitError(f"'{text}' is too large (not a finite number)")
    written = m.group(2)
    suffix = written.lower()
    if not suffix:
        return mantissa, None
    units = tuple(u for _, us in DIMENSIONS.values() for u in us) if dimension is None \
        else DIMENSIONS[dimension][1]
    readings = _readings(suffix, units)
    if dimension is None and written in ("k", "f"):
        readings = [(scale, unit) for scale, unit in readings if unit == ""]   # SPICE scale
    values = {scale for scale, _ in readings}
    if len(values) > 1:
        alt = " or ".join(
            (f"the unit {DISPLAY.get(unit, unit)} ({mantissa * scale:g})" if unit
             else f"a scale factor ({mantissa * scale:g})") for scale, unit in readings)
        lower = f", '{m.group(1)}{suffix}' for the scale" if dimension is None else ""
        raise UnitError(
            f"'{text}' is ambiguous for {what}: '{written}' could be {alt}; write the "
            f"plain SI number (e.g. '{mantissa * readings[0][0]:g}'){lower} or scale and "
            "unit together (e.g. 30mK, 2pF)")
    if readings:
        scale, unit = readings[0]
        value = mantissa * scale
        if not math.isfinite(value):
            raise UnitError(f"'{text}' is too large (not a finite number)")
        return value, (_unit_dimension(unit) if unit else None)
    # Not readable: a unit of another dimension, or an unknown suffix?
    name = DIMENSIONS[dimension][0] if dimension else "number"
    for prefix in sorted(SCALES, key=len, reverse=True):
        if suffix.startswith(prefix):
            other = _unit_dimension(suffix[len(prefix):])
            if other is not None and other != dimension:
                raise UnitError(
                    f"'{text}' has a unit of {DIMENSIONS[other][0]}, but {what} is a {name}")
    hint = f" and/or the unit {DISPLAY[units[0]]}" if units and dimension else \
        " and/or a unit (K W ohm F H S W/K rad Hz)" if units else ""
    raise UnitError(f"'{text}': unknown suffix '{written}' for {what} ({name}); "
                    f"use a scale f p n u m k meg g t{hint}")


def looks_numeric(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


# ---- showing values: engineering notation with units (tables) ------------------------------
_ENGINEERING = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"),
                (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"), (1e-18, "a"),
                (1e-21, "z"), (1e-24, "y"))


def unit_symbol(dimension: Optional[str]) -> Optional[str]:
    """The SI symbol of ``dimension`` (a key of DIMENSIONS, or a ratio ``num/den`` as of a
    ``D()`` column): ``K``, ``W/K``, ``K/W``; ``""`` for a pure number, None if unknown."""
    if dimension in (None, ""):
        return None
    if dimension in ("dimensionless", "count"):
        return ""
    if dimension == "thermal_conductance":
        return "W/K"
    parts = [PLOT_SYMBOLS.get(p) for p in dimension.split("/")]
    if any(p is None for p in parts) or len(parts) > 2:
        return None
    return "/".join(p for p in parts if p is not None)


def engineering(value: float, dimension: Optional[str], digits: int = 5) -> str:
    """``value`` (SI) with an SI prefix and the unit of ``dimension``: ``125.63 mK``,
    ``3.94 fW``, ``-1.2 K/W`` (``digits`` significant digits); a pure number or one of unknown
    dimension as ``%g``; ``nan`` for a missing value."""
    if not math.isfinite(value):
        return "nan"
    symbol = unit_symbol(dimension)
    if not symbol:
        return f"{value:.{digits}g}"
    if value == 0:
        return f"0 {symbol}"
    rounded = abs(float(f"{value:.{digits}g}"))
    # rounding to `digits` may carry 999.996 up to 1000: then the next prefix
    chosen = [(s, p) for s, p in _ENGINEERING if rounded >= s * (1 - 1e-12)]
    if not chosen:
        return f"{value:.{digits}g} {symbol}"       # below yocto: plain SI
    scale, prefix = chosen[0]
    return f"{float(f'{value / scale:.{digits}g}'):g} {prefix}{symbol}"
