"""Small-signal analyses around a steady state: ``.ac``, ``.noise`` and the thermal time
constants (netlist-language-v2, "Heat capacity and time"; docs/dynamics.md).

Linearising C(T) dT/dt = F(T, sources) at a steady state T0 (F the net heat into every free
node, ``HeatBalance.flows``) gives, for a perturbation e^(i omega t),
``(i omega C - J) dT = dF``, J = dF/dT the analytic Jacobian (W/K) and C the heat capacities
(J/K; zero on a node without an H element, which then follows quasi-statically).  dF is the
input: a heater's ac amplitude at its node, a temperature source's ac amplitude times the
Jacobian column of its node.  Every printed quantity X responds as dX = grad X . dT (+ its
direct dependence on the ac sources), grad X taken by central differences at T0.

Time constants: the eigenvalues lambda of C^-1 J on the nodes with a heat capacity, the others
eliminated (Schur complement J_MM - J_MA J_AA^-1 J_AM); tau = -1/lambda.

Noise: every heat path is a source of uncorrelated heat-current fluctuations with one-sided
density S (W^2/Hz): thermal elements ``ThermalElement.noise_power``, each pair of dissipative
elements of a photonic network ``photonic.heat_noise``.  A path from node a to b adds
|x_b - x_a|^2 S to the output's density, x the output row of (i omega C - J)^-1 (one adjoint
solve per frequency for all paths).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from thermnet.errors import ConvergenceError, NetlistError
from thermnet.model.balance import HeatBalance
from thermnet.model.probes import Probe

GRAD_REL = 1e-6       # relative temperature step of the gradients of printed quantities


class Linearization:
    """J (free x free, W/K), C (free, J/K) and the Jacobian columns of the fixed nodes at the
    steady state T (every node)."""

    def __init__(self, bal: HeatBalance, T: np.ndarray):
        self.bal = bal
        _, _, dnet, _ = bal.flows(T, derivatives=True)
        self.dnet = dnet
        self.free = bal.free
        self.J = dnet[np.ix_(self.free, self.free)]
        self.C = bal.capacity(T)[self.free]
        self.position = {int(n): k for k, n in enumerate(self.free)}

    def system(self, omega: float) -> np.ndarray:
        return 1j * omega * np.diag(self.C) - self.J

    def input_vector(self, amplitudes: Dict[str, float]) -> Tuple[np.ndarray, np.ndarray]:
        """dF over the free nodes and dT of every node (the fixed nodes' own amplitudes) for
        the ac amplitudes of sources ``amplitudes`` (element key -> W or K)."""
        bal = self.bal
        dF = np.zeros(len(self.free), dtype=complex)
        dT_fixed = np.zeros(len(bal.nodes), dtype=complex)
        for key, amp in amplitudes.items():
            if key in bal.heater_keys:
                node = bal.heater_idx[bal.heater_keys.index(key)]
                if int(node) in self.position:
                    dF[self.position[int(node)]] += amp
            else:
                node = bal.fixed[bal.source_keys.index(key)]
                dT_fixed[node] += amp
                dF += self.dnet[self.free, node] * amp
        return dF, dT_fixed

    def response(self, omega: float, dF: np.ndarray, dT_fixed: np.ndarray) -> np.ndarray:
        """dT of every node (complex K) at angular frequency omega."""
        dT = dT_fixed.copy()
        A = self.system(omega)
        with np.errstate(all="ignore"):
            if np.linalg.cond(A) > 1e14:
                raise ConvergenceError(f"the linearised heat balance is singular at "
                                       f"{omega / (2 * np.pi):g} Hz (a fold of the steady "
                                       "state): no small-signal response")
            dT[self.free] += np.linalg.solve(A, dF)
        return dT

    def adjoint_row(self, omega: float, node: int) -> np.ndarray:
        """x over every node (zero on fixed ones): dT(node) = x . dF for any injection dF."""
        e = np.zeros(len(self.free), dtype=complex)
        e[self.position[node]] = 1.0
        x = np.zeros(len(self.bal.nodes), dtype=complex)
        x[self.free] = np.linalg.solve(self.system(omega).T, e)
        return x

    def eigenvalues(self) -> np.ndarray:
        """The eigenvalues lambda (1/s) of C^-1 J over the nodes with a heat capacity, the
        others eliminated (empty if no node has one)."""
        massive = self.C > 0
        M, A = np.flatnonzero(massive), np.flatnonzero(~massive)
        if not len(M):
            return np.array([])
        J = quasi_static(self.J, M, M, A)
        return np.linalg.eigvals(J / self.C[M][:, None])

    def time_constants(self) -> np.ndarray:
        """tau = -1/lambda (s) of :meth:`eigenvalues`, slowest first; complex only if the
        linearised dynamics oscillates."""
        tau = -1.0 / self.eigenvalues()
        if np.all(np.abs(tau.imag) <= 1e-12 * np.abs(tau.real)):
            tau = tau.real
        return tau[np.argsort(-np.abs(tau))]


def quasi_static(J: np.ndarray, rows, M, A) -> np.ndarray:
    """d(net heat of ``rows``)/dT_M when the nodes A (no heat capacity) keep their net heat
    at zero: the Schur complement J_rM - J_rA J_AA^-1 J_AM (J indexed by node positions)."""
    out = J[np.ix_(rows, M)]
    if len(A):
        out = out - J[np.ix_(rows, A)] @ np.linalg.solve(J[np.ix_(A, A)], J[np.ix_(A, M)])
    return out


def stable(bal: HeatBalance, T: np.ndarray) -> Optional[bool]:
    """Whether the steady state T is stable: every eigenvalue of C^-1 J (J = dF/dT over the
    free nodes) has a negative real part, so a small perturbation decays (a branch between
    two folds has one positive eigenvalue).  None unless every free node has a heat
    capacity (netlist-language-v2, Branches: the ``stable`` column)."""
    if bal.missing_capacity():
        return None
    return bool(np.all(Linearization(bal, T).eigenvalues().real < 0))


def gradient(bal: HeatBalance, T: np.ndarray, value, sources: List[str]):
    """d value/d T of every node and d value/d source for ``sources`` (keys), by central
    differences (steps GRAD_REL of T, of the source's value or 1e-6 of a heater scale);
    ``value(probe)`` evaluates the quantity."""
    gT = np.zeros(len(T))
    for n in range(len(T)):
        h = GRAD_REL * T[n]
        up, down = T.copy(), T.copy()
        up[n] += h
        down[n] -= h
        gT[n] = (value(Probe(bal, up)) - value(Probe(bal, down))) / (2 * h)
    gS = {}
    for key in sources:
        v0 = bal.value(key)
        h = GRAD_REL * (abs(v0) or (np.abs(bal.heater_power).max() if len(bal.heater_power)
                                     else 0.0) or 1e-15)
        vals = []
        for sign in (1, -1):
            bal.set_value(key, v0 + sign * h)
            vals.append(value(Probe(bal, T)))
        bal.set_value(key, v0)
        gS[key] = (vals[0] - vals[1]) / (2 * h)
    return gT, gS


def noise_paths(bal: HeatBalance, T: np.ndarray):
    """Every heat path at T: (element names it belongs to, node a, node b, S in W^2/Hz).
    Photonic pairs belong half to each of their two elements (NOISE(ELEMENT))."""
    paths: List[Tuple[Tuple[str, ...], int, int, float]] = []
    for e, idx in bal.thermal:
        S = float(e.noise_power(*T[idx]))
        paths.append(((e.name.lower(),), idx[0], idx[1], S))
    for k, link in enumerate(bal.links):
        pair_noise = bal.link_noise(k, T)
        els = link.dissipative_elements
        li = bal.link_idx[k]
        for i in range(len(els)):
            for j in range(i + 1, len(els)):
                if li[i] != li[j]:
                    paths.append(((els[i].name.lower(), els[j].name.lower()), int(li[i]),
                                  int(li[j]), float(pair_noise[i, j])))
    return paths


def check_output(bal: HeatBalance, node: str, what: str, span) -> int:
    i = bal.index[node]
    if i not in set(bal.free.tolist()):
        raise NetlistError(f"{what}: T({bal.circuit.display(node)}) is fixed by a temperature "
                           "source; its noise is zero", span, "a free node as the output")
    return i


def source_transfer(lin: Linearization, x: np.ndarray, key: str) -> complex:
    """dT(output)/d(source) at the frequency of the adjoint row x."""
    bal = lin.bal
    if key in bal.heater_keys:
        return complex(x[bal.heater_idx[bal.heater_keys.index(key)]])
    node = bal.fixed[bal.source_keys.index(key)]
    return complex(x[lin.free] @ lin.dnet[lin.free, node])


def element_noise(paths, x: np.ndarray) -> Tuple[float, Dict[str, float]]:
    """Output density squared (K^2/Hz) and each element's share, for adjoint row x."""
    total = 0.0
    share: Dict[str, float] = {}
    for names, a, b, S in paths:
        part = float(abs(x[b] - x[a]) ** 2 * S)
        total += part
        for name in names:
            share[name] = share.get(name, 0.0) + part / len(names)
    return total, share


def ac_amplitudes(bal: HeatBalance) -> Dict[str, float]:
    """The sources with an ac= amplitude: element key -> amplitude."""
    out = {}
    for key in bal.heater_keys + bal.source_keys:
        amp = bal.circuit.flat.elements[key].params.get("ac", 0.0)
        if amp:
            out[key] = float(amp)
    return out


# ---- the analyses -----------------------------------------------------------------------------
def _frequency_axis(mode: str) -> dict:
    """The sweep description of a frequency axis (plots: log spacing for dec/oct)."""
    return {"name": "freq", "spacing": "lin" if mode == "lin" else "log",
            "kind": "frequency", "dimension": "frequency"}


def operating_point(runner):
    """The operating point of a .tran, .ac or .noise analysis: the .op state (the ramp from
    the bath state, or from .nodeset; solve/branches.py), its relative energy residual and
    the warnings of the ramp (a fold passed).  ConvergenceError if there is none."""
    from thermnet.solve import branches
    from thermnet.solve.analysis import PointFailed
    prints, runner.prints = runner.prints, []      # the analysis evaluates its own columns
    try:
        state, _, energy, warnings = branches.op_point(runner)
    except PointFailed as exc:
        if exc.error is not None:
            raise exc.error from None
        raise ConvergenceError(f"operating point: {exc}") from None
    finally:
        runner.prints = prints
    runner.progress.advance()
    return state.T, energy, warnings


def run_ac(runner, ac, step):
    """``.ac``: the small-signal response of every printed quantity at every frequency."""
    from thermnet.results.types import AnalysisResult
    from thermnet.solve.analysis import quantity_dimension
    bal = runner.ctx.balance()
    amplitudes = ac_amplitudes(bal)
    if not amplitudes:
        raise NetlistError(".ac needs a small-signal input: ac=VALUE on a heater or "
                           "temperature source", ac.span, "e.g. P1 S 1p ac=1f")
    T, energy, warnings = operating_point(runner)
    lin = Linearization(bal, T)
    dF, dT_fixed = lin.input_vector(amplitudes)
    freqs = np.asarray(ac.values, dtype=float)
    responses = [lin.response(2 * np.pi * f, dF, dT_fixed) for f in freqs]
    cols: Dict[str, np.ndarray] = {"freq": freqs}
    flat = bal.circuit.flat
    dims = {"freq": "frequency"}
    gradients: Dict[str, tuple] = {}
    for q in runner.prints:
        base = q.args[0] if q.func in ("PH", "RE", "IM") else q
        if base.column not in gradients:
            gradients[base.column] = _gradient_of(bal, T, base, list(amplitudes))
        gT, gS = gradients[base.column]
        direct = float(sum(gS.get(k, 0.0) * a for k, a in amplitudes.items()))
        dX = np.array([gT @ r + direct for r in responses])
        cols[q.column] = (np.degrees(np.angle(dX)) if q.func == "PH" else dX.real
                          if q.func == "RE" else dX.imag if q.func == "IM" else np.abs(dX))
        dim = quantity_dimension(flat, q)
        if dim is not None:
            dims[q.column] = dim
    taus = lin.time_constants()
    extras: Dict[str, object] = {"time_constants": [float(t) for t in np.real(taus)]}
    if np.iscomplexobj(taus):
        extras["time_constants_imag"] = [float(t) for t in np.imag(taus)]
    n = len(freqs)
    return AnalysisResult("ac", step, cols, np.ones(n, dtype=bool), [], np.full(n, energy),
                          swept="freq", sweep=_frequency_axis(ac.mode),
                          dimensions=dims, extras=extras, warnings=warnings)


def _gradient_of(bal: HeatBalance, T: np.ndarray, q, sources: List[str]):
    if q.func == "T":                     # exact: the response itself
        g = np.zeros(len(T))
        g[bal.index[q.args[0]]] = 1.0
        return g, {}
    return gradient(bal, T, lambda probe: probe.value(q), sources)


def run_noise(runner, noise, step):
    """``.noise``: output noise ONOISE, input-referred INOISE and each path's NOISE()."""
    from thermnet.results.types import AnalysisResult
    bal = runner.ctx.balance()
    out = check_output(bal, noise.output, ".noise", noise.span)
    T, energy, warnings = operating_point(runner)
    lin = Linearization(bal, T)
    paths = noise_paths(bal, T)
    with_paths = {name for names, *_ in paths for name in names}
    for q in runner.prints:
        if q.func == "NOISE" and q.args[0] not in with_paths:
            raise NetlistError(f"{q.column}: {bal.circuit.flat.elements[q.args[0]].name} is "
                               "not a heat path (no noise of its own)", q.span,
                               "NOISE(ELEMENT) of a thermal element or a dissipative "
                               "impedance element of a photonic network")
    freqs = np.asarray(noise.values, dtype=float)
    cols: Dict[str, np.ndarray] = {"freq": freqs}
    for q in runner.prints:
        cols[q.column] = np.full(len(freqs), np.nan)
    for i, f in enumerate(freqs):
        x = lin.adjoint_row(2 * np.pi * f, out)
        total, share = element_noise(paths, x)
        transfer = source_transfer(lin, x, noise.source)
        if transfer == 0:
            raise NetlistError(f".noise: {noise.source_name} does not reach "
                               f"T({noise.output_name}) (zero transfer), so no input-referred "
                               "noise", noise.span, "a source that heats or cools the output")
        for q in runner.prints:
            cols[q.column][i] = (np.sqrt(total) if q.func == "ONOISE" else
                                 np.sqrt(total) / abs(transfer) if q.func == "INOISE" else
                                 np.sqrt(share.get(q.args[0], 0.0)))
    heater = noise.source in bal.heater_keys
    dims = {"freq": "frequency"}
    for q in runner.prints:
        dims[q.column] = ("power_noise" if heater else "temperature_noise") \
            if q.func == "INOISE" else "temperature_noise"
    n = len(freqs)
    return AnalysisResult("noise", step, cols, np.ones(n, dtype=bool), [], np.full(n, energy),
                          swept="freq", sweep=_frequency_axis(noise.mode),
                          dimensions=dims, extras={"output": f"T({noise.output_name})",
                                                   "input": noise.source_name},
                          warnings=warnings)
