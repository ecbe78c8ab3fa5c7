"""Superconducting elements and models: Mattis-Bardeen film (``S``, model ``mb``), NIS
junction (``N``, model ``nis``) and the electron-phonon coupling of a BCS superconductor
(model ``eph_bcs`` for ``E`` elements)."""
from __future__ import annotations

import numpy as np

from thermnet.elements.base import DT_REL, ImpedanceElement, Model, NodeSlot, ParamSpec
from thermnet.lazy import lazy_import
from thermnet.physics.constants import e, hbar, kB

bcs = lazy_import("thermnet.physics.bcs")
electron_phonon = lazy_import("thermnet.physics.electron_phonon")
mattis_bardeen = lazy_import("thermnet.physics.mattis_bardeen")
nis = lazy_import("thermnet.physics.nis")
nis_bias = lazy_import("thermnet.physics.nis_bias")

# Every superconducting model takes these (language page, "Model types").
GAP_PARAMS = (
    ParamSpec("gapratio", "dimensionless", 1.764, "Delta0/(kB Tc)"),
    ParamSpec("gap", "dimensionless", "tanh", "gap law: the papers' tanh interpolation or "
              "the self-consistent BCS gap", choices=("tanh", "bcs")),
)
TC = ParamSpec("tc", "temperature", doc="critical temperature, K")


class SuperconductorModel(Model):
    """Shared by the superconducting models: Tc, gap ratio and gap law."""

    def delta0(self) -> float:
        return self.gapratio * kB * self.tc

    def delta(self, T) -> float:
        return float(bcs.gap(T, self.tc, self.gapratio, self.gap))

    def kinks(self):
        return (self.tc,)


class MattisBardeenModel(SuperconductorModel):
    type_name = "mb"
    params = (TC,) + GAP_PARAMS
    doc = "Mattis-Bardeen superconducting film: Z = R0/(sigma1 - i sigma2) (Dey et al. Eqs. 4-6)"


class NISModel(SuperconductorModel):
    type_name = "nis"
    params = (TC,
              ParamSpec("rspec", "specific_resistance", doc="R_N * area, ohm m^2"),
              ParamSpec("cspec", "specific_capacitance", doc="C / area, F/m^2"),
              ParamSpec("dynes", "dimensionless", 1e-4, "Dynes parameter Gamma/Delta0",
                        positive=False)) + GAP_PARAMS
    doc = "NIS tunnel junction: linearized R(T) (Pioldi et al. Eq. 1) parallel to C"


class BCSEph(SuperconductorModel):
    type_name = "eph_bcs"
    params = (ParamSpec("sigma", "coupling", doc="Sigma, W m^-3 K^-5"), TC) + GAP_PARAMS
    doc = "electron-phonon of a BCS superconductor (Dey et al. Eqs. 8-9, Timofeev et al. 2009)"

    exact = False

    def heat(self, T, Tb, vol):
        return electron_phonon.bcs_heat(T, Tb, self.sigma, vol, self.tc, self.gapratio,
                                        self.gap, exact=self.exact)

    def heat_derivatives(self, T, Tb, vol):
        """d/dT, d/dTb from the table of the heat's ratio to the normal state
        (electron_phonon.bcs_heat_derivatives); None with ``exact`` or off the table (the
        element then differentiates numerically)."""
        if self.exact:
            return None
        got = electron_phonon.bcs_heat_derivatives(float(T), float(Tb), self.sigma, vol,
                                                   self.tc, self.gapratio, self.gap)
        return None if got is None else np.array(got)


class _Superconducting(ImpedanceElement):
    dissipative = True
    temperature_dependent = True
    node_keywords = {"temp": ("thermal", True)}
    exact = False

    def configure(self, options):
        self.exact = bool(options.get("exact", 0))
        if isinstance(self.model, BCSEph):
            self.model.exact = self.exact

    def superconducting_gap0(self):
        return self.model.delta0()

    def breakpoints(self, T):
        """2 Delta(T): onset of pair breaking, where the conductivity has a kink."""
        d = self.model.delta(T)
        return (2 * d,) if d > 0 else ()

    def admittance_derivative(self, energy, T):
        """dY/dT (S/K) at the photon energies ``energy``, held fixed: central differences
        whose step keeps T below Tc and every energy on its side of the kink at 2 Delta(T).

        A step across the kink mixes the conductivity's two sides, and near Tc, where
        Delta ~ sqrt(Tc - T) moves fast, the default step (DT_REL T) moved 2 Delta past the
        Gauss nodes next to it: D() of the photonic transistor 1.5 % below Tc was 3.5e-4
        off a difference of two .op runs (tests/test_branches.py).  Above Tc the normal
        state's admittance does not depend on T."""
        m = self.model
        if not m.delta(T) > 0:
            return np.zeros(np.shape(energy), dtype=complex)
        step = bcs.kink_safe_step(T, m.tc, energy, DT_REL, 0.5, m.gapratio, m.gap)
        return (self.admittance(energy, T + step) - self.admittance(energy, T - step)) / (
            2 * step)


class Film(_Superconducting):
    letter = "S"
    title = "superconducting film (Mattis-Bardeen)"
    form = "SNAME N1 N2 MODEL R0=VALUE temp=NODE        e.g.  STI b c ti R0=50 temp=S"
    nodes_spec = (NodeSlot("N1", "electrical"), NodeSlot("N2", "electrical"))
    model_types = ("mb",)
    keywords = (ParamSpec("R0", "resistance", doc="normal-state resistance, ohm"),)
    examples = (".model ti mb(tc=0.4)\nS1 n1 n2 ti R0=50 temp=A\nRX n1 n2 20 temp=bath",)

    # the film's last conductivity row (mattis_bardeen.ConductivityRow): a cache of a pure
    # function, keyed by its arguments (photon energies, T and the model's tc, gapratio, gap)
    _row = None

    def _conductivity_row(self, energy, T):
        m = self.model
        self._row = mattis_bardeen.conductivity_row(energy, T, m.tc, m.gapratio, m.gap,
                                                    reuse=self._row)
        return self._row

    def admittance(self, energy, T):
        """``(sigma1 - i sigma2) / R0`` (S), Dey et al. Eqs. 4-6 (text above Eq. 4)."""
        if self.exact:
            m = self.model
            s1, s2 = mattis_bardeen.conductivity(energy, T, m.tc, m.gapratio, m.gap,
                                                 exact=True)
            return (s1 - 1j * s2) / self.params["R0"]
        row = self._conductivity_row(energy, T)
        return _over_r0(*row.sigma, self.params["R0"]).reshape(row.shape)

    def admittance_derivative(self, energy, T):
        """dY/dT (S/K) at fixed photon energies: ``(dsigma1/dT - i dsigma2/dT) / R0`` from the
        table's analytic derivative (Dey et al. Eqs. 4-6 through Delta(T),
        :func:`thermnet.physics.mattis_bardeen.conductivity_derivative`), from the row the
        last ``admittance`` computed if it was at the same energies and T (a residual, then
        the Jacobian at that state); with ``exact`` the central difference of the adaptive
        quadrature (:class:`_Superconducting`)."""
        if self.exact:
            return super().admittance_derivative(energy, T)
        row = self._conductivity_row(energy, T)
        return _over_r0(*row.derivative(), self.params["R0"]).reshape(row.shape)


def _over_r0(re, im, R0: float) -> np.ndarray:
    """``(re - i im) / R0`` as a complex array: each part times ``1 / R0``, which is what
    numpy's complex division by the real ``R0`` computes (Smith's algorithm with a zero
    imaginary part), without the complex temporaries."""
    inv = 1.0 / R0
    out = np.empty(re.shape, dtype=complex)
    np.multiply(re, inv, out=out.real)
    np.multiply(im, -inv, out=out.imag)
    return out


class Junction(_Superconducting):
    letter = "N"
    title = "NIS tunnel junction"
    form = "NNAME N1 N2 MODEL area=VALUE temp=NODE_N [temps=NODE_S]        e.g.  NL1 a m1 " \
        "alox area=0.1p temp=L"
    nodes_spec = (NodeSlot("N1", "electrical"), NodeSlot("N2", "electrical"))
    model_types = ("nis",)
    keywords = (ParamSpec("area", "area", doc="junction area, m^2"),)
    node_keywords = {"temp": ("thermal", True), "temps": ("thermal", False)}
    examples = (".model al nis(tc=1.2 rspec=1e-9 cspec=50e-3)\nN1 n1 n2 al area=1e-12 "
                "temp=A\nRX n1 n2 20 temp=bath",)
    # in a DC-biased network: the quasiparticle I(V) and heat (physics/nis_bias.py)
    dc = "nonlinear"

    print_quantities = ("GE", "GRATIO")   # beyond P (elaborate.py, model/probes.py)

    @property
    def heat_nodes(self):
        """(normal metal's node, superconductor's node): temp= and temps= (default temp=)."""
        return self.node_params["temp"], self.node_params.get("temps", self.node_params["temp"])

    def gap_voltage(self) -> float:
        """Delta0 / e (V)."""
        return self.model.delta0() / e

    def bias_state(self, v: float, t_n: float, t_s: float):
        """(I (A), dI/dV (S), P_N (W): heat out of the normal metal) at bias v (V) from N1 to
        N2, with Delta(T_S) and Gamma = dynes Delta0 (Giazotto et al. RMP 78, 217 (2006),
        Sec. III.A; physics/nis_bias.py); R_T = rspec / area."""
        m = self.model
        return nis_bias.junction(v, t_n, t_s, m.delta(t_s), m.dynes * m.delta0(),
                                 m.rspec / self.params["area"])

    def conductance_ratio(self, T) -> float:
        """``R_N / R(T)``, the linearized tunnel conductance over its normal value
        (Pioldi et al. Eq. 1)."""
        m = self.model
        return float(nis.conductance_ratio(T, m.tc, m.dynes, m.gapratio, m.gap,
                                           exact=self.exact))

    def electrical_conductance(self, T) -> float:
        """``1 / R(T)`` (S), ``R_N = rspec / area``."""
        return self.conductance_ratio(T) * self.params["area"] / self.model.rspec

    def admittance(self, energy, T):
        m, area = self.model, self.params["area"]
        return self.electrical_conductance(T) + 1j * (energy / hbar) * (m.cspec * area)

    def bias_admittance(self, energy, T, slope):
        """At a DC operating point: dI/dV (the contract's photonic admittance at bias)
        parallel to the junction's capacitance."""
        m, area = self.model, self.params["area"]
        return slope + 1j * (energy / hbar) * (m.cspec * area)

    def breakpoints(self, T):
        return ()     # R(T) does not depend on photon energy: no kink
