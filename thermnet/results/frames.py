"""Results as tables of other libraries: a tidy pandas DataFrame, an xarray Dataset (and so
netCDF), and the long table behind them and the CSV.

pandas and xarray are optional (``pip install 'thermnet[data]'``); they are imported here
only, when asked for.  Every number is the float64 of the results (the JSON's numbers
exactly); a failed point is NaN with ``converged`` False.

The long table has one row per point (an ``.op`` is one point): ``analysis`` (``INDEX:KIND``,
the analysis's place in the results), the ``.step`` names, the union of every analysis's
columns (NaN where an analysis has no such column), and ``converged``.
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from thermnet.errors import ThermnetError
from thermnet.results.types import union_keys
from thermnet.units import unit_symbol

DATA_HINT = "pip install 'thermnet[data]'"


class ExportError(ThermnetError):
    """Results that cannot take the asked shape, or a missing optional library."""


def _points(r) -> int:
    if r.analysis == "op":
        return 1
    return len(next(iter(r.columns.values()))) if r.columns else 0


def long_table(res) -> Tuple[List[str], List[str], List[str], List[list]]:
    """(step names, value columns, header, rows) of the long table of ``res``."""
    steps = union_keys(r.step for r in res.results)
    columns = union_keys(r.columns for r in res.results)
    rows = []
    for idx, r in enumerate(res.results):
        conv = np.asarray(r.converged, dtype=bool)
        for i in range(_points(r)):
            values = [_value(r, c, i) for c in columns]
            rows.append([f"{idx}:{r.analysis}"] + [r.step.get(k, math.nan) for k in steps]
                        + values + [bool(conv[i])])
    return steps, columns, ["analysis"] + steps + columns + ["converged"], rows


def _value(r, column: str, i: int) -> float:
    if column not in r.columns:
        return math.nan
    v = r.columns[column]
    return float(v) if r.analysis == "op" else float(v[i])


def dimensions(res) -> Dict[str, str]:
    """The dimension of every column and ``.step`` name that has one."""
    out: Dict[str, str] = {}
    for r in res.results:
        for k, d in (r.dimensions or {}).items():
            out.setdefault(k, d)
    return out


def units(res) -> Dict[str, str]:
    """The SI unit symbol of every column and ``.step`` name of known dimension (``""`` for
    a pure number)."""
    out = {}
    for k, d in dimensions(res).items():
        u = unit_symbol(d)
        if u is not None:
            out[k] = u
    return out


def _require(module: str):
    try:
        return __import__(module)
    except ImportError:
        raise ExportError(f"this needs {module}, which is not installed; install it with: "
                          f"{DATA_HINT}") from None


def to_dataframe(res):
    """A tidy ``pandas.DataFrame``: one row per point, the long table's columns; the units
    in ``df.attrs["units"]``, the dimensions in ``df.attrs["dimensions"]``, the title in
    ``df.attrs["title"]``."""
    pd = _require("pandas")
    steps, columns, header, rows = long_table(res)
    df = pd.DataFrame(rows, columns=header)
    for c in steps + columns:
        df[c] = df[c].astype("float64")
    df["converged"] = df["converged"].astype(bool)
    df.attrs.update(title=res.title, units=units(res), dimensions=dimensions(res))
    return df


def _passes(res) -> Tuple[int, int]:
    """(number of .step combinations, analyses per combination)."""
    combos = len({tuple(sorted(r.step.items())) for r in res.results}) or 1
    return combos, len(res.results) // combos


def to_xarray(res, analysis: Optional[int] = None):
    """An ``xarray.Dataset`` of one analysis (``analysis``: its place among the netlist's
    analyses, 0 for the first; may be omitted when there is one): dimensions the ``.step``
    names (outermost first) and the swept variable, one variable per printed column, with
    ``converged`` and ``energy_balance``; ``units`` and ``dimension`` attributes on each
    variable and coordinate.  ``ds.to_netcdf(path)`` writes netCDF."""
    xr = _require("xarray")
    combos, per_pass = _passes(res)
    if per_pass * combos != len(res.results):
        raise ExportError("these results are not a full family of .step values; use "
                          "to_dataframe()")
    if analysis is None:
        if per_pass != 1:
            raise ExportError(f"the results hold {per_pass} analyses per .step value; "
                              f"choose one: to_xarray(analysis=0 .. {per_pass - 1}) in "
                              "Python; for a netCDF file (-o FILE.nc) keep one analysis in "
                              "the netlist, or write CSV or JSON")
        analysis = 0
    if not 0 <= analysis < per_pass:
        raise ExportError(f"analysis={analysis}: there are {per_pass} analyses "
                          f"(0 .. {per_pass - 1})")
    group = res.results[analysis::per_pass]
    first = group[0]
    steps = list(first.step)
    shape_steps, step_coords = [], {}
    for k in steps:
        values = list(dict.fromkeys(r.step[k] for r in group))
        shape_steps.append(len(values))
        step_coords[k] = np.array(values, dtype=float)
    if int(np.prod(shape_steps)) != len(group):
        raise ExportError("the .step values do not form a grid; use to_dataframe()")
    dims_of = dimensions(res)
    sweep_dims: List[str] = []
    coords: Dict[str, Any] = dict(step_coords)
    names = [c for c in first.columns if c != first.swept]
    if first.analysis == "sweep":
        x = np.asarray(first.columns[first.swept], dtype=float)
        for r in group[1:]:
            if not np.array_equal(np.asarray(r.columns[r.swept], dtype=float), x):
                raise ExportError(f"the {first.swept} values differ between .step values; "
                                  "use to_dataframe()")
        sweep_dims, coords[first.swept] = [first.swept], x
    dims = steps + sweep_dims
    shape = shape_steps + ([len(coords[first.swept])] if sweep_dims else [])

    def stack(get) -> np.ndarray:
        return np.array([get(r) for r in group]).reshape(shape)
    data = {c: (dims, stack(lambda r, c=c: np.asarray(r.columns[c], dtype=float)))
            for c in names}
    data["converged"] = (dims, stack(lambda r: np.asarray(r.converged, dtype=bool).reshape(
        () if first.analysis == "op" else -1)))
    if all(r.energy_balance is not None for r in group):
        data["energy_balance"] = (dims, stack(lambda r: np.asarray(
            r.energy_balance, dtype=float).reshape(() if first.analysis == "op" else -1)))
    ds = xr.Dataset(data, coords=coords)
    known = units(res)
    for k in list(ds.data_vars) + list(ds.coords):
        if k in known:
            ds[k].attrs["units"] = known[k]
        if k in dims_of:
            ds[k].attrs["dimension"] = dims_of[k]
        label = (first.extras.get("labels") or {}).get(k)
        if label:                           # .print label="...": xarray's plot label
            ds[k].attrs["long_name"] = label
    ds.attrs["title"] = res.title
    ds.attrs["analysis"] = first.analysis
    failures = [f for r in group for f in r.failures]
    if failures:
        ds.attrs["failures"] = "\n".join(failures)
    return ds


def to_netcdf_bytes(res, analysis: Optional[int] = None) -> bytes:
    """The netCDF (version 3, written by scipy through xarray) of ``to_xarray``; booleans are
    stored as 0/1 bytes (netCDF-3 has no boolean type)."""
    ds = to_xarray(res, analysis)
    if "converged" in ds:
        ds["converged"] = ds["converged"].astype("int8")
    return bytes(ds.to_netcdf(engine="scipy"))
