"""The LALR parser of the netlist grammar, built once and kept in thermnet's cache directory.

Building lark's LALR tables from ``grammar.lark`` takes 20-50 ms, a tenth of the start-up of
``thermnet check`` (issue 9); loading them takes about 1 ms.  The tables are saved with
lark's own ``Lark.save`` and read with ``Lark.load`` (documented for "faster loading
times"; lark's ``cache=`` option does the same but writes its file in place, not
atomically) to ``cache_dir()/grammar-VERSION-KEY.lark`` (``physics/tables.py``), where KEY
is a sha256 of the grammar text, the parser options, thermnet's, lark's and Python's
versions: a changed grammar or a new release never reads stale tables.

Each file starts with the sha256 of its payload: a truncated, empty or garbled file is
rebuilt.  ``Lark.load`` unpickles, and unpickling runs code, so a file is read only if it
belongs to this user and no one else may write it (where the platform has owners).  An
unwritable cache directory is not an error: the parser is then built in each process.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
import sys
from pathlib import Path
from typing import Any, Optional

import lark
from lark import Lark

from thermnet import __version__
from thermnet.atomic_file import replace_atomically

log = logging.getLogger(__name__)

MAGIC = b"thermnet-lark "
MAX_BYTES = 1 << 24          # the tables are ~20 kB; anything far larger is not ours


def cache_path(grammar: str, options: dict) -> Path:
    """The cache file of the parser of ``grammar`` built with ``options``."""
    from thermnet.physics.tables import cache_dir
    text = repr((grammar, sorted(options.items()), __version__, lark.__version__,
                 sys.version_info[:2]))
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    return cache_dir() / f"grammar-{__version__}-{key}.lark"


def cached_lark(grammar: str, **options: Any) -> Lark:
    """``Lark(grammar, parser="lalr", **options)``, from the cache when it holds it, else
    built and written to the cache (atomically; an unwritable cache is skipped).  Options
    must be plain values (no callbacks) to be cached."""
    options = {"parser": "lalr", **options}
    if not all(isinstance(v, (str, int, float, type(None))) for v in options.values()):
        return Lark(grammar, **options)   # callbacks, a transformer: not in lark's save
    path = cache_path(grammar, options)
    parser = read_parser(path)
    if parser is not None:
        return parser
    log.debug("building the netlist parser's LALR tables (cache %s)", path)
    parser = Lark(grammar, **options)
    try:
        write_parser(path, parser)
    except OSError as exc:
        log.debug("parser cache %s not written: %s", path, exc)
    return parser


def read_parser(path: Path) -> Optional[Lark]:
    """The parser saved in ``path``, or None if the file is missing, not ours, truncated,
    garbled or fails its checksum."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not _trusted(st) or st.st_size > MAX_BYTES:
                log.debug("parser cache %s ignored: not this user's own file", path)
                return None
            data = fh.read(MAX_BYTES)
    except OSError:
        return None
    head, _, payload = data.partition(b"\n")
    if head != MAGIC + hashlib.sha256(payload).hexdigest().encode():
        return None
    try:
        return Lark.load(io.BytesIO(payload))
    except Exception:              # noqa: BLE001 -- damaged or from another lark: rebuild
        return None


def write_parser(path: Path, parser: Lark) -> None:
    """Save ``parser`` to ``path`` with its checksum, atomically (a temporary file of mode
    0600, fsync, rename: readers see no file or the whole file; as ``tables.write_table``).
    OSError if the cache cannot be written."""
    buf = io.BytesIO()
    parser.save(buf)
    payload = buf.getvalue()

    def write(fh) -> None:
        fh.write(MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n")
        fh.write(payload)
    replace_atomically(path, write, ".lark.tmp")


def _trusted(st: os.stat_result) -> bool:
    """A regular file owned by this user, writable by no one else."""
    if not stat.S_ISREG(st.st_mode):
        return False
    if not hasattr(os, "getuid"):          # no owners to check (Windows)
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
