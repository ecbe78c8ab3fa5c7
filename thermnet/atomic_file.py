"""Whole-or-nothing writes of the files thermnet keeps for itself (cached tables, the parser
cache): a temporary file of mode 0600 in the target's folder, fsync, then ``os.replace``, so
a reader sees the old file or the whole new one, never a part.  (Output files that users
name go through ``results.io.write_atomic``, which also keeps an existing file's mode and
writes FIFOs and devices in place.)"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def replace_atomically(path: Path, write: Callable[[BinaryIO], None], suffix: str) -> None:
    """Create ``path``'s folder if needed and replace ``path`` with what ``write(fh)`` writes
    to a binary file.  OSError if it cannot; nothing is left behind on any failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
