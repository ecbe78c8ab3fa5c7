"""Physics labels of result columns for figures: ``T(S)`` -> T_S, ``Q(S,D)`` -> Q_S→D,
``D(Q(S,D),TS)`` -> dQ_S→D/dT_S, ``KRATIO(W1)`` -> κ/κ_N (W1), in matplotlib's mathtext.

The symbol of each print quantity is declared here, beside its registry entry's name
(``thermnet.quantities.QUANTITIES``); a quantity without one is shown as written.  A source
or ``.param`` name reads as a symbol with a subscript: its first letter, then the rest
(``TS`` -> T_S, ``P1`` -> P_1, ``PIN`` -> P_IN, ``V1`` -> V_1) when it is a temperature
named T..., a power named P..., a voltage named V... or a current named I... (the SPICE names
of temperature sources, heaters and bias sources); a ``.param`` named
after a Greek letter is that letter (``chi`` -> χ); other names stay as written.  No
matplotlib here: these are strings.
"""
from __future__ import annotations

import re
from typing import Dict, Optional

# QUANTITIES name -> (mathtext symbol, how the arguments are shown: "sub" subscript of the
# arguments joined by "," (Q: by an arrow), "paren" after the symbol in parentheses, "of" the
# symbol applied to the label of the quantity inside (RE(T(S)) -> Re T_S), "bare" no
# arguments).  tests/test_labels.py checks that every registered quantity has one.
SYMBOLS = {
    "T": ("T", "sub"),
    "P": ("P", "sub"),
    "Q": ("Q", "arrow"),
    "TAU": (r"\tau", "sub"),
    "KAPPA": (r"\kappa", "sub"),
    "KRATIO": (r"\kappa/\kappa_\mathrm{N}", "paren"),
    "GE": ("G", "sub"),
    "GRATIO": (r"G/G_\mathrm{N}", "paren"),
    "I": ("I", "sub"),                                   # I_R1: current through R1
    "V": ("V", "sub"),                                   # V_a, V_a,b = V(a) - V(b)
    "PJ": (r"P_\mathrm{J}", "paren"),                    # Joule heat of a biased conductor
    "QN": (r"\dot{Q}_\mathrm{N}", "paren"),              # NIS cooling power (Giazotto 2006)
    "PH": (r"\arg", "of"),                               # .ac phase, degrees
    "RE": (r"\mathrm{Re}", "of"),
    "IM": (r"\mathrm{Im}", "of"),
    "ONOISE": (r"\sqrt{S_{T,\mathrm{out}}}", "bare"),    # K/sqrt(Hz) at the output node
    "INOISE": (r"\sqrt{S_\mathrm{in}}", "bare"),         # input-referred (NEP for a heater)
    "NOISE": (r"\sqrt{S_T}", "paren"),                   # one heat path's share of ONOISE
    # TES sensitivities (T/R) dR/dT and (I/R) dR/dI (Irwin & Hilton 2005, Sec. 2.2)
    "ALPHA": (r"\alpha_I", "paren"),
    "BETA": (r"\beta_I", "paren"),
}
# INOISE referred to a heater is a noise-equivalent power
NEP = r"\mathrm{NEP}"

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi",
         "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega"}

_CALL = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*$", re.S)


def _text(s: str) -> str:
    """Literal text inside mathtext (underscores and the like escaped)."""
    return r"\mathrm{" + re.sub(r"([_$%&#{}\\])", r"\\\1", s) + "}"


def _split_args(text: str):
    parts, depth, cur = [], 0, ""
    for c in text:
        if c == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += (c == "(") - (c == ")")
        cur += c
    parts.append(cur.strip())
    return parts


def name_symbol(name: str, dimension: Optional[str] = None) -> str:
    """A source or ``.param`` name as mathtext (without the dollars): a temperature named
    T..., a power named P..., a voltage named V... or a current named I... (a source, or a
    .param with that unit) as a subscripted symbol (``TS`` -> T_S, ``PIN`` -> P_IN,
    ``V1`` -> V_1); a Greek letter's name as the letter
    (``chi``); ``t_s`` as t_s; one letter in italics; anything else upright as written."""
    if name in GREEK or name.lower() in GREEK:
        return "\\" + (name if name in GREEK else name.lower())
    first = {"temperature": "T", "power": "P", "voltage": "V",
             "current": "I"}.get(dimension or "")
    if first and len(name) > 1 and name[0].upper() == first:
        return f"{first}_{{{_text(name[1:])}}}"
    m = re.fullmatch(r"([A-Za-z])_([A-Za-z0-9]+)", name)
    if m:
        return f"{m.group(1)}_{{{_text(m.group(2))}}}"
    return name if re.fullmatch(r"[A-Za-z]", name) else _text(name)


def _math(column: str, known: Dict[str, str]) -> Optional[str]:
    bare = column.strip().upper()
    if SYMBOLS.get(bare, ("", ""))[1] == "bare":
        return NEP if bare == "INOISE" and known.get(column) == "power_noise" \
            else SYMBOLS[bare][0]
    m = _CALL.match(column)
    if not m:
        return None
    func, args = m.group(1).upper(), _split_args(m.group(2))
    if func == "D" and len(args) == 2:
        inner = _math(args[0], known)
        if inner is None:
            return None
        if args[0].lstrip().upper().startswith("D("):
            inner = f"({inner})"
        return rf"\mathrm{{d}}{inner}/\mathrm{{d}}{name_symbol(args[1], known.get(args[1]))}"
    if func not in SYMBOLS:
        return None
    symbol, style = SYMBOLS[func]
    if style == "of":
        inner = _math(args[0], known) if len(args) == 1 else None
        return None if inner is None else rf"{symbol}\,{inner}"
    shown = [_text(a) for a in args]
    if style == "paren":
        return rf"{symbol}\,({','.join(shown)})"
    joined = r"\to ".join(shown) if style == "arrow" else ",".join(shown)
    return f"{symbol}_{{{joined}}}"


def physics_label(column: str, dimensions: Optional[Dict[str, str]] = None) -> str:
    """The label of a column (a print quantity, or a swept/stepped name) for a figure:
    mathtext in dollars, or the column as written when it is none of those.
    ``dimensions``: of the swept and stepped names (``AnalysisResult.dimensions``)."""
    known = dimensions or {}
    math = _math(column, known)
    if math is None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", column):
            return column
        math = name_symbol(column, known.get(column))
    return f"${math}$"
