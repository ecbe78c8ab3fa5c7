"""Transition-edge sensor: ``.model NAME tes(rn= tc= width=|alpha= [beta= i0=])`` used by a
resistor ``RNAME N1 N2 NAME temp=NODE``.

R(T, I) through the superconducting transition (``physics/tes.py``; docs/devices.md):

    R = Rn [eps + (1 - eps) (1 + tanh((T - Tc(I))/w)) / 2],   Tc(I) = Tc [1 - (|I|/Ic)^(2/3)].

Parameters: ``rn`` the normal resistance; ``tc`` the zero-current mid-transition temperature;
the width either as ``width=`` (w, K) or as ``alpha=`` (the logarithmic sensitivity
alpha = (T/R) dR/dT at mid-transition, Irwin & Hilton 2005, Sec. 2.2), never both; the
current dependence as ``beta=`` (beta = (I/R) dR/dI at mid-transition) measured at the
current ``i0=``, both at the point R = Rn/2, I = i0 (so alpha = Tc(i0)/w and
beta = (2/3) (Tc - Tc(i0))/w there).  Without beta, R depends on T only (Ic infinite) and
alpha is the zero-current value Tc/w.  From these:

    with alpha:  w = Tc / (alpha + 3 beta / 2);         with width:  w = width;
    u = (i0/Ic)^(2/3) = 3 beta w / (2 Tc) (< 1, else Tc(i0) <= 0: an error),  Ic = i0 / u^(3/2).

In a biased network the element is a nonlinear conductor (``dc = "nonlinear"``,
``model/bias.py``): the current at voltage V solves V = I R(T, I), unique because beta >= 0;
its Joule heat I V goes into its temp= node.  For photons it is its differential resistance
dV/dI = R (1 + beta) at the operating point (unbiased: R(T, 0)): the high-frequency limit of
the TES impedance Z(omega) -> R0 (1 + beta) well above the thermal bandwidth (Irwin & Hilton
2005, Sec. 2.4, the complex impedance), which thermal photons (GHz) are.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

from thermnet.elements.base import Model, ParamSpec
from thermnet.lazy import lazy_import
from thermnet.quantities import QuantityKind, register

tes = lazy_import("thermnet.physics.tes")


register(QuantityKind("ALPHA", "ALPHA(ELEMENT)", ("element",), "dimensionless",
                      "(T/R) dR/dT of a resistor with a tes model at its temperature and DC "
                      "current", element_method="tes_alpha", at_bias=True))
register(QuantityKind("BETA", "BETA(ELEMENT)", ("element",), "dimensionless",
                      "(I/R) dR/dI of a resistor with a tes model at its temperature and DC "
                      "current", element_method="tes_beta", at_bias=True))


class TESModel(Model):
    type_name = "tes"
    dc = "nonlinear"        # the resistor using it, in a biased network (model/bias.py)
    params = (
        ParamSpec("rn", "resistance", doc="normal-state resistance, ohm"),
        ParamSpec("tc", "temperature", doc="mid-transition temperature at zero current, K"),
        ParamSpec("width", "temperature", 0.0, "half-width w of the transition, K (or "
                  "alpha=)", positive=False),
        ParamSpec("alpha", "dimensionless", 0.0, "(T/R) dR/dT at mid-transition (at i0 "
                  "with beta, else at zero current; or width=)", positive=False),
        ParamSpec("beta", "dimensionless", 0.0, "(I/R) dR/dI at mid-transition at the "
                  "current i0 (0: R independent of I)", positive=False),
        ParamSpec("i0", "current", 0.0, "the current at which beta (and alpha) are given, A",
                  positive=False),
    )
    doc = "transition-edge sensor R(T, I): tanh transition, Tc lowered by the current " \
        "(Ginzburg-Landau); alpha, beta at mid-transition (docs/devices.md)"

    @classmethod
    def form(cls) -> str:
        return "tes(rn=VALUE tc=VALUE width=VALUE|alpha=VALUE [beta=VALUE i0=VALUE])"

    @classmethod
    def check_values(cls, values) -> Optional[Tuple[object, str]]:
        """(parameter(s), why) if the values do not define a transition (located by
        elaboration at those parameters), else None."""
        width, alpha, beta, i0 = (values[k] for k in ("width", "alpha", "beta", "i0"))
        if width > 0 and alpha != 0:
            return "alpha", "give width= or alpha= (alpha = Tc/width at mid-transition), " \
                "not both"
        if alpha < 0:
            return "alpha", f"alpha must be positive, got {alpha:g}"
        if not (width > 0 or alpha > 0):
            return ("width", "alpha"), "needs width= (the transition's half-width, K) or " \
                "alpha= ((T/R) dR/dT at mid-transition)"
        if beta < 0:
            return "beta", f"beta must not be negative, got {beta:g} (this model's Tc " \
                "falls with the current, so dR/dI >= 0 and I(V) is monotone)"
        if beta > 0 and not i0 > 0:
            return "beta", "beta needs i0= (the positive current, A, at which it is given)"
        if beta == 0 and i0 != 0:
            return "i0", "i0 is the current at which beta is given: give beta= too, or " \
                "drop i0="
        if beta > 0 and 1.5 * beta * cls._width(values) / values["tc"] >= 1:
            return "beta", f"beta = {beta:g} with width = {cls._width(values):g} K would " \
                "put Tc(i0) at or below 0 K: beta < 2 Tc / (3 width)"
        return None

    @staticmethod
    def _width(values) -> float:
        if values["width"] > 0:
            return float(values["width"])
        return float(values["tc"] / (values["alpha"] + 1.5 * values["beta"]))

    def shape(self) -> Tuple[float, float, float, float]:
        """(rn, tc, w, Ic) of the form in the module docstring (Ic = inf without beta)."""
        w = self._width(self.values)
        ic = math.inf
        if self.beta > 0:
            u = 1.5 * self.beta * w / self.tc
            ic = self.i0 / u ** 1.5
        return float(self.rn), float(self.tc), w, ic

    def resistance_at(self, T: float, current: float) -> Tuple[float, float, float]:
        """(R (ohm), dR/dT (ohm/K), I dR/dI (ohm)) at T (K) and current I (A)."""
        return tes.resistance(T, current, *self.shape())

    def resistance(self, T: float) -> float:
        """R(T, 0) (ohm): the unbiased resistor's (photons, no current)."""
        return self.resistance_at(T, 0.0)[0]

    def resistance_derivative(self, T: float) -> float:
        """dR/dT at zero current (ohm/K)."""
        return self.resistance_at(T, 0.0)[1]

    def sensitivities(self, T: float, current: float) -> Tuple[float, float]:
        """(alpha, beta) = ((T/R) dR/dT, (I/R) dR/dI) at T (K) and current I (A)."""
        r, r_t, i_r_i = self.resistance_at(T, current)
        return T * r_t / r, i_r_i / r

    def bias_state(self, v: float, T: float) -> Tuple[float, float, float]:
        """(I (A), dI/dV (S), 0: no cooling) at voltage v (V) across the film at T."""
        current, slope = tes.current_at(v, T, *self.shape())
        return current, slope, 0.0

    def voltage_scale(self) -> float:
        """Rn times the current that moves Tc(I) by one width, Ic (w/Tc)^(3/2) (inf without
        a current dependence: at fixed T the film is then linear)."""
        rn, tc, w, ic = self.shape()
        return rn * ic * (w / tc) ** 1.5
