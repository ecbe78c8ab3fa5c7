"""Results beyond thermnet: the CSV that pandas reads for every shipped netlist, the tidy
DataFrame and the xarray Dataset (and netCDF) holding the JSON's numbers exactly, indexing
by column name in any case, and the warning for failed points (docs/results.md)."""
from __future__ import annotations

import functools
import io
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import thermnet
from thermnet.cli import main
from thermnet.errors import FailedMeasureWarning, FailedPointsWarning
from thermnet.results.frames import ExportError
from thermnet.results.io import to_csv, to_json
from thermnet.results.types import Results
from thermnet.units import read

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "netlists").glob("*.net"))

# Closed form (linear conductances g, 1n, 1n): T(S) = Tb + P / (g + 0.5n), T(D) = (T(S)+Tb)/2
TWO = """.title two analyses
.param gg=1n
TB bath 100mK
P1 S 1pW
G1 S bath {gg}
G2 S D 1n
G3 D bath 1n
.step gg list 1n 2n
.op
.sweep P1 list 1p 2p 4p
.print T(S) T(D) P(G2)
"""


def ts(P, g, Tb=0.1):
    return Tb + P / (g + 0.5e-9)


def short(text: str, sweep_points: int = 3, step_values: int = 2) -> str:
    """The netlist with each .sweep cut to its first ``sweep_points`` points (close together:
    warm starts work as in the full sweep) and each .step to ``step_values`` values (the
    structure of the results stays: steps, sweeps, analyses)."""
    out, cutting = [], False
    for line in text.split("\n"):
        body = line.split(";")[0]
        toks = body.split()
        if cutting and toks and toks[0].startswith("+"):
            continue
        card = toks[0].lower() if toks else ""
        cutting = card in (".sweep", ".step")
        if cutting:
            keep = sweep_points if card == ".sweep" else step_values
            if toks[2].lower() == "list":
                toks = toks[:3 + keep]
            else:
                at = 3 if toks[2].lower() in ("lin", "log") else 2
                start, stop, n = (read(t, None)[0] for t in toks[at:at + 3])
                log = "log" in (t.lower() for t in toks)
                frac = min(1.0, (keep - 1) / (n - 1))
                stop = start * (stop / start) ** frac if log else start + (stop - start) * frac
                toks[at + 1:at + 3] = [repr(stop), str(keep)]
            line = " ".join(toks)
        out.append(line)
    return "\n".join(out)


@functools.lru_cache(maxsize=None)
def solved_short(path: Path) -> Results:
    """The results of a shipped netlist with short sweeps (``short``), solved once per test
    session (tests/test_plot_paper.py draws them too).  A netlist's .measure cards may find
    nothing on the short sweep (FailedMeasureWarning): expected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FailedMeasureWarning)
        return thermnet.parse(short(path.read_text()), str(path)).run()


@pytest.fixture(scope="module")
def two():
    return thermnet.parse(TWO, "two.net").run()


# ---- CSV -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
# (cut to 3 points, a netlist's .measure windows and crossings are out of reach)
@pytest.mark.filterwarnings("ignore::thermnet.errors.FailedMeasureWarning")
def test_pandas_reads_the_csv_of_every_shipped_netlist(path):
    res = solved_short(path)
    df = pd.read_csv(io.StringIO(to_csv(res)))
    n = sum(len(next(iter(r.columns.values()))) if r.series else 1 for r in res.results)
    assert len(df) == n
    for r in res.results:
        for c in r.columns:
            assert c in df.columns
    first = res.results[0]
    col = next(c for c in first.columns if c != first.swept)
    got = df[df["analysis"] == f"0:{first.analysis}"][col].to_numpy()
    assert got == pytest.approx(np.atleast_1d(first.columns[col]), rel=1e-9, nan_ok=True)


def test_csv_of_two_analyses_has_one_header(two):
    df = pd.read_csv(io.StringIO(to_csv(two)))
    assert list(df.columns) == ["analysis", "gg", "T(S)", "T(D)", "P(G2)", "P1", "converged"]
    assert list(df["analysis"]) == ["0:op"] + ["1:sweep"] * 3 + ["2:op"] + ["3:sweep"] * 3
    sweep = df[df["analysis"] == "3:sweep"]
    assert list(sweep["gg"]) == [2e-9] * 3
    assert sweep["T(S)"].to_numpy() == pytest.approx(
        [ts(P, 2e-9) for P in (1e-12, 2e-12, 4e-12)], rel=1e-9)
    assert math.isnan(df["P1"][0])          # the .op has no P1 column: empty, read as NaN
    assert df["converged"].all()


# ---- DataFrame and Dataset: the JSON's numbers exactly ---------------------------------------
def _json_numbers(res):
    return json.loads(to_json(res))["results"]


def test_dataframe_is_tidy_and_exact(two):
    df = two.to_dataframe()
    assert len(df) == 8 and df["converged"].dtype == bool
    doc = _json_numbers(two)
    for idx, r in enumerate(doc):
        rows = df[df["analysis"] == f"{idx}:{r['analysis']}"]
        for col, values in r["columns"].items():
            values = values if isinstance(values, list) else [values]
            assert rows[col].tolist() == values             # exactly, not approximately
        assert rows["gg"].tolist() == [r["step"]["gg"]] * len(rows)
    assert df.attrs["units"]["T(S)"] == "K" and df.attrs["units"]["P(G2)"] == "W"
    assert df.attrs["title"] == "two analyses"


def test_dataset_dims_units_and_exact_numbers(two):
    with pytest.raises(ExportError, match="analysis=0 .. 1"):
        two.to_xarray()
    ds = two.to_xarray(analysis=1)
    assert ds["T(S)"].dims == ("gg", "P1")
    assert ds["gg"].values.tolist() == [1e-9, 2e-9]
    assert ds["P1"].values.tolist() == [1e-12, 2e-12, 4e-12]
    doc = _json_numbers(two)
    assert ds["T(S)"].values.tolist() == [doc[1]["columns"]["T(S)"], doc[3]["columns"]["T(S)"]]
    assert ds["T(S)"].attrs == {"units": "K", "dimension": "temperature"}
    assert ds["P1"].attrs["units"] == "W"
    assert bool(ds["converged"].all())
    op = two.to_xarray(analysis=0)
    assert op["T(D)"].dims == ("gg",)
    assert op["T(D)"].values.tolist() == [doc[0]["columns"]["T(D)"], doc[2]["columns"]["T(D)"]]


def test_netcdf_from_the_command_line(tmp_path, capsys):
    net = tmp_path / "one.net"
    net.write_text(TWO.replace(".op\n", ""))
    out = tmp_path / "r.nc"
    assert main(["run", str(net), "-o", str(out)]) == 0, capsys.readouterr().err
    ds = xr.open_dataset(out, engine="scipy")
    res = thermnet.load(str(net)).run()
    assert ds["T(D)"].values.tolist() == [r.columns["T(D)"].tolist() for r in res.results]
    assert ds["T(D)"].attrs["units"] == "K"
    ds.close()
    assert main(["run", str(net), "--format", "netcdf"]) == 1
    assert "netCDF is binary" in capsys.readouterr().err


def test_dataset_of_failed_points_and_roundtrip_through_json():
    net = thermnet.parse(".param v=1e-20\n.model cu eph(sigma=3e9 n=5)\nTB bath 0.1\n"
                         "P1 s 1p\nE1 s bath cu vol={v}\n.sweep v list 1e-20 -1e-20 2e-20\n"
                         ".print T(s)\n")
    with pytest.warns(FailedPointsWarning, match=r"1 point\(s\) failed.*v=-1e-20"):
        res = net.run()
    again = Results.from_json(json.loads(to_json(res)))
    for r in (res, again):
        ds = r.to_xarray()
        assert ds["converged"].values.tolist() == [True, False, True]
        assert np.isnan(ds["T(s)"].values[1]) and "vol must be positive" in ds.attrs["failures"]
        assert ds["T(s)"].values[[0, 2]].tolist() == res[0].columns["T(s)"][[0, 2]].tolist()


# ---- indexing --------------------------------------------------------------------------------
def test_indexing_by_name_in_any_case(two):
    one = thermnet.parse(TWO.replace(".step gg list 1n 2n\n", "").replace(".op\n", "")).run()
    assert one["T(S)"] is one[0].columns["T(S)"]
    assert one["t(s)"] is one[0].columns["T(S)"]
    assert one[0]["p( g2 )"] is one[0].columns["P(G2)"]
    # several analyses: stacked over those that have the column, when of one length
    ops = thermnet.parse(TWO.replace(".sweep P1 list 1p 2p 4p\n", "")).run()
    assert ops["t(s)"] == pytest.approx([ts(1e-12, 1e-9), ts(1e-12, 2e-9)], rel=1e-9)
    assert two["P1"].shape == (2, 3)
    with pytest.raises(KeyError, match="different length"):
        two["T(S)"]
    with pytest.raises(KeyError, match=r"no column 'T\(X\)'; the columns are: T\(S\)"):
        two["T(X)"]


# ---- the warning -----------------------------------------------------------------------------
def test_cli_reports_failed_points_without_a_python_warning(tmp_path, capsys):
    net = tmp_path / "bad.net"
    net.write_text(".param v=1e-20\n.model cu eph(sigma=3e9 n=5)\nTB bath 0.1\nP1 s 1p\n"
                   "E1 s bath cu vol={v}\n.sweep v list 1e-20 -1e-20\n.print T(s)\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["run", str(net)])
    err = capsys.readouterr().err
    assert code == 2 and "warning: sweep point 1 (v=-1e-20)" in err
    assert "FailedPointsWarning" not in err
