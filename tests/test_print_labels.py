"""``.print QUANTITY label="TEXT"``: the text a figure (and xarray) shows for that column,
with the unit still from its dimension; the column keeps its name as written (docs/language.md,
docs/plotting.md)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import thermnet
from thermnet import NetlistError

# three conductances g: T(S) = Tb + P / (1.5 g), T(D) = Tb + P / (3 g)
NET = """.title labels
TB bath 100mK
P1 S 1p
G1 S bath 1n
G2 S D 1n
G3 D bath 1n
.sweep P1 0 3p 4
.print T(S) label="$T_\\mathrm{source}$" {T(S)-T(D)} LABEL="source - drain" T(D)
"""


def test_labels_in_results_and_json():
    res = thermnet.parse(NET).run()
    r = res[0]
    assert list(r.columns) == ["P1", "T(S)", "{T(S)-T(D)}", "T(D)"]       # names as written
    p = np.array([0, 1e-12, 2e-12, 3e-12])
    assert np.allclose(r.columns["T(S)"], 0.1 + p / 1.5e-9, rtol=1e-9)
    assert np.allclose(r.columns["{T(S)-T(D)}"], p / 1.5e-9 - p / 3e-9, rtol=1e-6, atol=1e-15)
    labels = {"T(S)": r"$T_\mathrm{source}$", "{T(S)-T(D)}": "source - drain"}
    assert r.extras["labels"] == labels
    doc = json.loads(json.dumps(res.to_json()))
    assert doc["results"][0]["labels"] == labels
    back = type(res).from_json(doc)
    assert back[0].extras["labels"] == labels


def test_figure_uses_the_labels_with_units(tmp_path):
    pytest.importorskip("matplotlib")
    from thermnet.results import plot
    res = thermnet.parse(NET).run()
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(res.to_json()))
    for source in (res, plot.read_results(str(saved))):
        labels = [ax.get_ylabel() for ax in plot.figure(source).axes]
        assert labels == [r"$T_\mathrm{source}$ [mK]", "source - drain [mK]",
                          r"$T_{\mathrm{D}}$ [mK]"]


def test_xarray_long_name():
    pytest.importorskip("xarray")
    ds = thermnet.parse(NET).run().to_xarray()
    assert ds["T(S)"].attrs["long_name"] == r"$T_\mathrm{source}$"
    assert "long_name" not in ds["T(D)"].attrs


@pytest.mark.parametrize("card, column, words", [
    ('.print label="x" T(S)', 8, "label= follows the quantity"),
    ('.print T(S) label="a" label="b"', 23, "label= follows the quantity"),
    ('.print T(S) label=""', 19, 'expected label="TEXT"'),
    (".print T(S) label={1+2}", 19, 'expected label="TEXT"'),
])
def test_misplaced_labels_are_located_errors(card, column, words):
    text = NET.rsplit(".print", 1)[0] + card + "\n"
    with pytest.raises(NetlistError) as info:
        thermnet.parse(text)
    err = info.value
    assert (err.span.line, err.span.column) == (8, column) and words in err.message
