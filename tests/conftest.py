"""Suite-wide test settings.

``pytest.approx`` without ``abs=`` accepts any value within 1e-12 of the expected one
(DEFAULT_ABSOLUTE_TOLERANCE), whatever ``rel`` asks: for thermnet's SI quantities (heats of
1e-15 to 1e-12 W, conductances, currents, heat capacities of 1e-24 J/K) such a check cannot
fail.  An audit of the suite (every scalar comparison whose tolerance that default set)
found such checks on 206 lines, all of which hold with ``abs=0``; a mutation audit found
physics they let pass (a biased junction's heat with f_S at T_N).  Here the default is 0: a
check asks for its ``rel`` unless it gives ``abs=`` itself (a comparison with an exact zero
must say how close).
"""
import pytest

type(pytest.approx(1.0)).DEFAULT_ABSOLUTE_TOLERANCE = 0.0
