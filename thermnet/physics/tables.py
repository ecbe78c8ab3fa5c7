"""On-disk cache for tabulated universal functions.

Expensive universal kernels (Mattis-Bardeen conductivity, NIS R(T)/R_N, BCS electron-phonon,
Usadel spectral resistances) are tabulated once in reduced variables and cached as ``.npz``
files in the user cache directory, keyed by thermnet's version, the table name and a hash of
the grid specification, so a changed grid or a new release never reads a stale table.

The directory is ``$THERMNET_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/thermnet``, else
``~/.cache/thermnet``.  An unwritable cache directory is not an error: the table is then
rebuilt in memory for each process.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Dict

import numpy as np

from thermnet import __version__

_memory: Dict[str, Dict[str, np.ndarray]] = {}


def cache_dir() -> Path:
    """The directory holding cached tables (not created here)."""
    env = os.environ.get("THERMNET_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "thermnet"


def table_key(name: str, spec: dict) -> str:
    """File stem for table ``name`` built on grid ``spec`` (JSON-serialisable)."""
    text = json.dumps({"version": __version__, "name": name, "spec": spec}, sort_keys=True)
    return f"{name}-{__version__}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def cached_table(name: str, spec: dict,
                 build: Callable[[], Dict[str, np.ndarray]]) -> Dict[str, np.ndarray]:
    """Return the arrays of table ``name`` for grid ``spec``, building them at most once.

    ``build()`` returns a dict of numpy arrays.  Lookup order: this process's memory, the
    on-disk cache, then ``build()`` (whose result is written atomically to disk).
    """
    key = table_key(name, spec)
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"{key}.npz"
    arrays = None
    if path.exists():
        try:
            with np.load(path) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError):
            arrays = None  # corrupt file: rebuild below
    if arrays is None:
        arrays = {k: np.asarray(v) for k, v in build().items()}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except OSError:
            pass
    _memory[key] = arrays
    return arrays


def cached_splines(name: str, spec: dict, build: Callable[[], Dict[str, np.ndarray]],
                   fields) -> dict:
    """Bicubic splines ``{field: Spline2D}`` of a cached table whose ``build()`` returns
    :func:`thermnet.physics.quadrature.fit_splines` arrays."""
    from thermnet.physics.quadrature import Spline2D
    arrays = cached_table(name, spec, build)
    return {f: Spline2D(arrays[f"{f}_tx"], arrays[f"{f}_ty"], arrays[f"{f}_c"]) for f in fields}

