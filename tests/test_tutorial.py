"""docs/tutorial.md runs as written: its netlists (blocks starting '* tutorial: NAME'), the
library through THERMNET_PATH, and its Python block; the numbers against closed forms."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import thermnet

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "docs" / "tutorial.md").read_text()
BLOCKS = {m.group(1).strip(): m.group(0) for m in
          re.finditer(r"^\* tutorial: (.+)\n(?:.*\n)*?(?=```)", TEXT, re.M)}
PYTHON = re.search(r"```python\n(.*?)```", TEXT, re.S).group(1)
kB, h = 1.380649e-23, 6.62607015e-34


@pytest.fixture
def folders(tmp_path, monkeypatch):
    devices, work = tmp_path / "devices", tmp_path / "work"
    devices.mkdir()
    work.mkdir()
    (devices / "mydevices.lib").write_text(BLOCKS["library mydevices.lib"])
    monkeypatch.setenv("THERMNET_PATH", str(devices))
    monkeypatch.chdir(work)
    return work


def run(folders, name, file):
    (folders / file).write_text(BLOCKS[name])
    return thermnet.load(str(folders / file)).run()


def test_the_blocks_are_found():
    assert set(BLOCKS) == {"island", "pair", "library mydevices.lib", "pair from the library",
                           "sweep"}


def test_island_balance(folders):
    r = run(folders, "island", "island.net")[0]
    # all of P1 to the bath: P = Sigma V (T^5 - Tb^5)
    expect = (0.05 ** 5 + 1e-12 / (2e9 * 1e-19)) ** 0.2
    assert r["T(S)"] == pytest.approx(expect, rel=1e-9)
    assert r["P(ES)"] == pytest.approx(1e-12, rel=1e-9)
    assert f"T(S) = {expect * 1e3:.2f} mK" in TEXT


def test_matched_photonic_heat_and_library(folders):
    pair = run(folders, "pair", "pair.net")[0]
    TS, TD = pair["T(S)"], pair["T(D)"]
    # matched resistors, full transmission: Q = pi^2 kB^2 / (6 h) (TS^2 - TD^2)
    assert pair["Q(S,D)"] == pytest.approx(math.pi ** 2 * kB ** 2 / (6 * h) * (TS ** 2 - TD ** 2),
                                           rel=1e-6)
    assert 3e-14 < pair["Q(S,D)"] < 5e-14 and TD > 0.05          # "about 40 fW"
    lib = run(folders, "pair from the library", "lib.net")[0]
    for c in ("T(S)", "T(D)", "Q(S,D)"):
        assert lib[c] == pytest.approx(pair[c], rel=1e-12)


def test_sweep_family_and_python_block(folders):
    res = run(folders, "sweep", "sweep.net")
    TD = res["T(D)"]
    assert TD.shape == (3, 30)
    assert np.all(np.diff(TD, axis=0) < 0)          # a larger drain is colder
    P = res[0]["P1"]
    for r in res.results:             # D() integrates back to the rise of T(D) (Simpson)
        from scipy.integrate import simpson
        rise = simpson(r["D(T(D),P1)"][1:], x=P[1:])
        assert rise == pytest.approx(r["T(D)"][-1] - r["T(D)"][1], rel=2e-3)
    scope: dict = {}
    exec(PYTHON, scope)                            # the Python block, as written
    assert list(scope["df"].columns) == ["analysis", "vd", "P1", "T(D)", "D(T(D),P1)",
                                         "converged"]
    assert scope["ds"]["T(D)"].dims == ("vd", "P1")
