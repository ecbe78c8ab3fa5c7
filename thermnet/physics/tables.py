"""On-disk cache for tabulated universal functions.

Expensive universal kernels (Mattis-Bardeen conductivity, NIS R(T)/R_N, BCS electron-phonon,
Usadel spectral resistances) are tabulated once in reduced variables and cached as ``.npz``
files in the user cache directory, keyed by thermnet's version, the table name and a hash of
the grid specification, so a changed grid or a new release never reads a stale table.

The directory is ``$THERMNET_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/thermnet``, else
``~/.cache/thermnet``.  An unwritable cache directory is not an error: the table is then
rebuilt in memory for each process.  Each file holds a sha256 of its arrays; a truncated,
empty or garbled file fails it and is rebuilt (docs/reliability.md).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Dict

import numpy as np

from thermnet import __version__
from thermnet.atomic_file import replace_atomically

log = logging.getLogger(__name__)

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


CHECKSUM = "__sha256__"     # the entry of each cached .npz holding the digest of the others


def checksum(arrays: Dict[str, np.ndarray]) -> str:
    """sha256 over the names, dtypes, shapes and bytes of ``arrays`` (in name order)."""
    h = hashlib.sha256()
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def read_table(path: Path):
    """The arrays of a cached table file, or None if it is missing, truncated, garbled or
    fails its checksum (anything but a whole file written by :func:`write_table`)."""
    try:
        with open(path, "rb") as fh:          # ours to close, whatever np.load makes of it
            data = np.load(fh, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                return None
            with data:
                arrays = {k: data[k] for k in data.files}
    except Exception:            # noqa: BLE001 -- missing or damaged in any way: rebuild
        return None
    stored = arrays.pop(CHECKSUM, None)
    if stored is None or stored.shape != () or str(stored) != checksum(arrays):
        return None
    return arrays


def write_table(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and their checksum to ``path`` atomically (temporary file, fsync,
    rename): readers see the old file or the whole new one.  OSError if it cannot."""
    replace_atomically(path, lambda fh: np.savez(
        fh, **arrays, **{CHECKSUM: np.array(checksum(arrays))}),  # type: ignore[arg-type]
        ".npz.tmp")


def cached_table(name: str, spec: dict,
                 build: Callable[[], Dict[str, np.ndarray]]) -> Dict[str, np.ndarray]:
    """Return the arrays of table ``name`` for grid ``spec``, building them at most once.

    ``build()`` returns a dict of numpy arrays.  Lookup order: this process's memory, the
    on-disk cache (a file failing its checksum is discarded), then ``build()`` (whose result
    is written atomically to disk).
    """
    key = table_key(name, spec)
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"{key}.npz"
    arrays = read_table(path)
    if arrays is None:
        with _build_lock(path):            # processes building the same table: one builds
            arrays = read_table(path)      # ... the others read what it wrote
            if arrays is None:
                log.info("building table %s (cache %s)", name, path)
                arrays = {k: np.asarray(v) for k, v in build().items()}
                try:
                    write_table(path, arrays)      # replaces a damaged file
                except OSError:
                    pass                   # an unwritable cache: rebuilt in each process
    _memory[key] = arrays
    return arrays


@contextlib.contextmanager
def _build_lock(path: Path):
    """An exclusive lock (``fcntl.flock``), one per table file, held while this process
    builds that table, so that parallel workers (docs/scaling.md) build it once and the
    others read it; the kernel releases it if the process dies.  The lock files live in
    the temporary directory (``thermnet-locks-UID``), not beside the tables: they
    coordinate the processes of one machine (across machines sharing a cache, each may
    build, and the atomic write keeps the file whole).  No lock where that directory cannot
    be used or the platform has no flock."""
    try:
        import fcntl
        folder = Path(tempfile.gettempdir()) / f"thermnet-locks-{os.getuid()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        name = hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:32]
        fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except (ImportError, OSError, AttributeError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)                       # closing the descriptor releases the lock


def cached_splines(name: str, spec: dict, build: Callable[[], Dict[str, np.ndarray]],
                   fields) -> dict:
    """Bicubic splines ``{field: Spline2D}`` of a cached table whose ``build()`` returns
    :func:`thermnet.physics.quadrature.fit_splines` arrays."""
    from thermnet.physics.quadrature import Spline2D
    arrays = cached_table(name, spec, build)
    return {f: Spline2D(arrays[f"{f}_tx"], arrays[f"{f}_ty"], arrays[f"{f}_c"]) for f in fields}

