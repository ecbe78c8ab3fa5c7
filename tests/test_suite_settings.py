"""The suite's own settings (tests/conftest.py) hold: pytest.approx asks for its rel, with no
absolute tolerance unless a check gives one (small SI quantities would pass any value)."""
import pytest


def test_approx_has_no_default_absolute_tolerance():
    assert pytest.approx(1e-14, rel=1e-6) != 2e-14                 # a heat off by 2x
    assert pytest.approx(1e-14, rel=1e-6) == 1e-14 * (1 + 5e-7)
    assert pytest.approx([1e-14, 1.0]) != [2e-14, 1.0]
    assert pytest.approx(1e-14, abs=1e-12) == 2e-14                 # unless asked for
