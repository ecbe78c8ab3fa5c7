"""The static photonic links evaluated together (model/static_links.py) against the per-link
path (one photonic.heat_matrix / heat_and_derivatives call chain per link): residuals, flow
magnitudes and the analytic Jacobian on random networks of resistors, capacitors and
inductors (with a film link kept on the per-link path), and the printed link heats."""
import numpy as np
import pytest

import thermnet
from thermnet.model.balance import HeatBalance
from thermnet.physics import photonic
from thermnet.physics.constants import h, kB


def _random_network(seed: int, islands: int = 6, links: int = 7, film: bool = False) -> str:
    """Islands with electron-phonon to the bath and heaters, joined by loops of 2-4 resistors
    at random islands (two of one loop may share an island, one may sit at the bath), some
    loops with a series inductor and a capacitor across a resistor."""
    rng = np.random.default_rng(seed)
    lines = [".model cu eph(sigma=3e9 n=5)", ".model ti mb(tc=0.4)", "TB bath 30m"]
    for i in range(islands):
        lines.append(f"E{i} I{i} bath cu vol={(2 + i % 3) * 1e-20:g}")
        lines.append(f"P{i} I{i} {0.05 + 0.3 * rng.random():.4g}p")
    for k in range(links):
        n = int(rng.integers(2, 5))
        temps = [f"I{int(i)}" for i in rng.integers(0, islands, n)]
        if k == 1:
            temps[-1] = "bath"
        if len(set(temps)) < 2:
            temps[0] = "I0" if temps[1] != "I0" else "I1"
        nodes = [f"n{k}_{m}" for m in range(n)]
        for m in range(n):
            a, b = nodes[m], nodes[(m + 1) % n]
            if film and k == 2 and m == 0:
                lines.append(f"S{k}_{m} {a} {b} ti R0=40 temp={temps[m]}")
            elif m == 0 and k % 2:
                lines.append(f"L{k} {a} x{k} {1 + 4 * rng.random():.3g}n")
                lines.append(f"C{k} x{k} {b} {0.5 + 2 * rng.random():.3g}p")
                lines.append(f"R{k}_{m} x{k} {b} {5 + 40 * rng.random():.4g} temp={temps[m]}")
            else:
                lines.append(f"R{k}_{m} {a} {b} {5 + 40 * rng.random():.4g} temp={temps[m]}")
    lines.append(".op")
    return "\n".join(lines) + "\n"


def _balance(text: str) -> HeatBalance:
    c = thermnet.parse(text).circuit()
    return HeatBalance(c, c.flat.options)


def _per_link(bal: HeatBalance) -> HeatBalance:
    """The same balance with the batch switched off: every link on the per-link path."""
    bal.static_links = lambda T: None        # type: ignore[method-assign]
    return bal


@pytest.mark.parametrize("seed,film", [(1, False), (2, False), (3, True), (4, True)])
def test_batched_flows_and_jacobian_equal_per_link(seed, film):
    text = _random_network(seed, film=film)
    batched, single = _balance(text), _per_link(_balance(text))
    assert sum(batched.static) >= 5 and (not film or not all(batched.static))
    rng = np.random.default_rng(seed)
    for _ in range(2):            # the second at new grids: the batch is rebuilt
        T = batched.full(0.04 + 0.4 * rng.random(len(batched.free)))
        batched.choose_grids(T)
        single.choose_grids(T)
        assert batched.grids == single.grids
        a, b = batched.flows(T, derivatives=True), single.flows(T, derivatives=True)
        scale = b[1]                                           # sum of |flows| per node
        assert np.all(np.abs(a[0] - b[0]) <= 1e-13 * scale)
        assert np.all(np.abs(a[1] - b[1]) <= 1e-13 * scale)
        per_ln_t = scale[:, None] / T[None, :]                  # Newton's units
        assert np.all(np.abs(a[2] - b[2]) <= 1e-12 * per_ln_t)
        assert np.all(np.abs(a[3] - b[3]) <= 1e-12 * per_ln_t)
        # without derivatives, the same heats
        c = batched.flows(T * 1.001)
        d = single.flows(T * 1.001)
        assert np.all(np.abs(c[0] - d[0]) <= 1e-13 * d[1])
        # each link's printed heat from the batch equals its own heat matrix; a link of
        # resistors (no grid: the closed form) the quadrature on a grid checked to 1e-11
        for k in range(len(batched.links)):
            flat = single.resistive[k]
            grid = single._link_grid(k, T * 1.001, 1e-11, True) if flat else single.grids[k]
            E, w, tau, temps = single._link_spectrum(k, T * 1.001, grid)
            Q = photonic.heat_matrix(E, w, tau, temps)
            rtol = 1e-10 if flat else 1e-13
            assert np.allclose(batched.link_heat(k, T * 1.001), Q, rtol=rtol,
                               atol=rtol * np.abs(Q).max())
        assert any(batched.resistive) and not all(batched.resistive)


def test_batched_jacobian_against_central_differences():
    """The batch's analytic Jacobian against central differences of its own residual."""
    bal = _balance(_random_network(5))
    Tf = 0.05 + 0.3 * np.random.default_rng(5).random(len(bal.free))
    bal.choose_grids(bal.full(Tf))
    F, S, dF, dS = bal.residual_jacobian(Tf)
    for j in range(len(Tf)):
        step = 1e-6 * Tf[j]
        hi, lo = Tf.copy(), Tf.copy()
        hi[j] += step
        lo[j] -= step
        (Fp, Sp), (Fm, Sm) = bal.residual(hi), bal.residual(lo)
        assert np.all(np.abs((Fp - Fm) / (2 * step) - dF[:, j]) <= 1e-6 * S / Tf[j])
        assert np.all(np.abs((Sp - Sm) / (2 * step) - dS[:, j]) <= 1e-6 * S / Tf[j])


def test_two_resistor_links_against_closed_form():
    """A chain of three islands, neighbours joined by two-resistor loops: each link carries
    Q = tau pi^2 kB^2 (T_i^2 - T_j^2) / 6h with tau = 4 R1 R2 / (R1 + R2)^2, frequency-
    independent (Pascal et al. 2011; Dey et al. 2023 Eq. 2 and 3), computed here in closed
    form; heat into each node is the sum over its links."""
    text = """.model cu eph(sigma=3e9 n=5)
TB bath 30m
E0 I0 bath cu vol=4e-20
E1 I1 bath cu vol=4e-20
E2 I2 bath cu vol=4e-20
RA0 a0 b0 10 temp=I0
RB0 a0 b0 30 temp=I1
RA1 a1 b1 20 temp=I1
RB1 a1 b1 25 temp=I2
.op
"""
    bal = _balance(text)
    T = bal.full(np.array([0.3, 0.2, 0.12]))
    bal.choose_grids(T)
    net, mag, dnet, _ = bal.flows(T, derivatives=True)
    i0, i1, i2 = (bal.index[n.lower()] if n.lower() in bal.index else bal.index[n]
                  for n in ("I0", "I1", "I2"))

    def q(r1, r2, ta, tb):
        tau = 4 * r1 * r2 / (r1 + r2) ** 2
        return tau * np.pi ** 2 * kB ** 2 * (ta ** 2 - tb ** 2) / (6 * h)

    def eph(t):
        return 3e9 * 4e-20 * (t ** 5 - 0.03 ** 5)
    q01, q12 = q(10, 30, T[i0], T[i1]), q(20, 25, T[i1], T[i2])
    # links of resistors: the closed form itself, no photon grid (HeatBalance._flat_heat)
    assert bal.resistive == [True, True]
    assert net[i0] == pytest.approx(-q01 - eph(T[i0]), rel=1e-13)
    assert net[i1] == pytest.approx(q01 - q12 - eph(T[i1]), rel=1e-13)
    assert net[i2] == pytest.approx(q12 - eph(T[i2]), rel=1e-13)
    # d(net at I1)/dT(I2) = dQ12/dT2 = tau pi^2 kB^2 T2 / 3h
    tau12 = 4 * 20 * 25 / 45 ** 2
    assert dnet[i1, i2] == pytest.approx(tau12 * np.pi ** 2 * kB ** 2 * T[i2] / (3 * h),
                                         rel=1e-13)


def test_rebinding_a_resistance_rebuilds_the_batch():
    """A .param resistance changed by set(): the stacked transmissions are rebuilt even where
    the grids come out the same (fixed temperatures), so the heats equal those of a netlist
    written with the new value; an .op of free islands likewise."""
    fixed = """.param r=10
TS S 300m
TM M 200m
TD D 100m
RA0 a0 b0 {r} temp=S
RB0 a0 b0 12 temp=M
RA1 a1 b1 {r} temp=M
RB1 a1 b1 12 temp=D
.op
.print Q(S,M) Q(M,D)
"""
    free = """.model cu eph(sigma=3e9 n=5)
.param r=10
TB bath 30m
P0 I0 1p
E0 I0 bath cu vol=4e-20
E1 I1 bath cu vol=4e-20
E2 I2 bath cu vol=4e-20
RA0 a0 b0 {r} temp=I0
RB0 a0 b0 12 temp=I1
RA1 a1 b1 {r} temp=I1
RB1 a1 b1 12 temp=I2
.op
.print T(I1) T(I2) Q(I1,I2)
"""
    for text in (fixed, free):
        net = thermnet.parse(text)
        before = net.run().results[0].columns
        after = net.set("r", 200).run().results[0].columns
        fresh = thermnet.parse(text.replace(".param r=10", ".param r=200")).run()
        for name, value in fresh.results[0].columns.items():
            assert float(after[name]) == pytest.approx(float(value), rel=1e-12)
            assert abs(float(after[name]) / float(before[name]) - 1) > 1e-3


def test_links_of_resistors_need_no_photon_grid(monkeypatch):
    """A chain of islands joined by loops of resistors (bench/networks.py's chain): each
    link's tau is the same at every photon energy, so its heat is the closed form and no
    photon grid is chosen for it (photonic.refine never runs); the steady state balances
    heater, electron-phonon and the closed-form photonic heats computed here."""
    calls = []
    real = photonic.refine
    monkeypatch.setattr(photonic, "refine", lambda *a, **k: calls.append(1) or real(*a, **k))
    n, p, r = 6, 2e-12, (10.0, 12.0)
    lines = [".model cu eph(sigma=2e9 n=5)", "TB bath 30m", f"P0 I0 {p}"]
    lines += [f"E{k} I{k} bath cu vol=4e-20" for k in range(n)]
    for k in range(n - 1):
        lines += [f"RA{k} a{k} b{k} {r[0]} temp=I{k}", f"RB{k} a{k} b{k} {r[1]} temp=I{k + 1}"]
    lines += [".options reltol=1e-13", ".op",
              ".print " + " ".join(f"T(I{k})" for k in range(n))]
    op = thermnet.parse("\n".join(lines) + "\n").run()[0]
    assert calls == []
    T = np.array([float(op.columns[f"T(I{k})"]) for k in range(n)])
    tau = 4 * r[0] * r[1] / (r[0] + r[1]) ** 2
    q = tau * np.pi ** 2 * kB ** 2 * (T[:-1] ** 2 - T[1:] ** 2) / (6 * h)   # I(k) -> I(k+1)
    eph = 2e9 * 4e-20 * (T ** 5 - 0.03 ** 5)
    into = -eph
    into[0] += p
    into[:-1] -= q
    into[1:] += q
    assert np.all(np.abs(into) <= 1e-10 * p)
    assert T[0] > T[1] > T[-1] > 0.03
