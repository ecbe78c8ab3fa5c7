"""The BCS electron-phonon heat's derivatives from its table (Dey et al. 2023, Eqs. 8-9):
the bicubic spline's gradient against scipy's own spline derivative, and dQ/dT, dQ/dTb against
central differences of the heat, the normal state above Tc, and the element's fallback off
the table."""
import numpy as np
import pytest
from scipy import interpolate

from thermnet.elements.base import ThermalElement
from thermnet.physics import electron_phonon as ep
from thermnet.physics.quadrature import Spline2D

SIGMA, VOL, TC = 1.3e9, 1e-19, 0.4


def test_the_spline_gradient_is_scipys_derivative():
    rng = np.random.default_rng(3)
    x, y = np.sort(rng.uniform(0, 2, 9)), np.sort(rng.uniform(-1, 1, 8))
    spl = Spline2D(**Spline2D.fit(x, y, rng.normal(size=(9, 8))))
    for px, py in rng.uniform([x[0], y[0]], [x[-1], y[-1]], (20, 2)):
        v, dx, dy = spl.at_gradient(px, py)
        assert v == pytest.approx(interpolate.bisplev(px, py, spl.tck), rel=1e-12, abs=1e-12)
        assert dx == pytest.approx(interpolate.bisplev(px, py, spl.tck, dx=1), rel=1e-10,
                                   abs=1e-10)
        assert dy == pytest.approx(interpolate.bisplev(px, py, spl.tck, dy=1), rel=1e-10,
                                   abs=1e-10)


@pytest.mark.parametrize("gap", ["tanh", "bcs"])
def test_bcs_heat_derivatives_are_the_heats_slopes(gap):
    """Central differences (step 1e-5 T: truncation and rounding ~1e-9 here) of the same
    tabulated heat, over T from 0.25 Tc to 0.95 Tc and Tb/T from 0.2 through 1 to 1.45."""
    def heat(T, Tb):
        return ep.bcs_heat(T, Tb, SIGMA, VOL, TC, 1.764, gap)

    for T in (0.1, 0.2, 0.3, 0.38):
        for p in (0.2, 0.5, 0.999, 1.0, 1.001, 1.3, 1.45):
            Tb, h = p * T, 1e-5 * T
            dT, dTb = ep.bcs_heat_derivatives(T, Tb, SIGMA, VOL, TC, 1.764, gap)
            assert dT == pytest.approx((heat(T + h, Tb) - heat(T - h, Tb)) / (2 * h), rel=1e-6)
            assert dTb == pytest.approx((heat(T, Tb + h) - heat(T, Tb - h)) / (2 * h),
                                        rel=1e-6)


def test_above_tc_the_derivatives_are_the_normal_metals():
    dT, dTb = ep.bcs_heat_derivatives(0.5, 0.1, SIGMA, VOL, TC)
    assert dT == pytest.approx(5 * SIGMA * VOL * 0.5 ** 4, rel=1e-15)
    assert dTb == pytest.approx(-5 * SIGMA * VOL * 0.1 ** 4, rel=1e-15)


def test_off_the_table_the_element_differentiates_numerically():
    import thermnet
    net = thermnet.parse(".model ti eph_bcs(sigma=1.3e9 tc=0.4)\nTB bath 30m\nP1 A 1p\n"
                         "E1 A bath ti vol=1e-19\n.op\n")
    e = net.circuit().flat.elements["e1"]
    # Tb/T = 2 is beyond the table's 1.5: no table derivative there
    assert ep.bcs_heat_derivatives(0.1, 0.2, SIGMA, VOL, TC) is None
    got = e.heat_derivatives(0.1, 0.2)
    assert np.array_equal(got, ThermalElement.heat_derivatives(e, 0.1, 0.2))
    # inside it, the table's
    assert np.array_equal(e.heat_derivatives(0.2, 0.03),
                          np.array(ep.bcs_heat_derivatives(0.2, 0.03, SIGMA, VOL, TC)))
