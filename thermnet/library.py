"""The shipped netlists and device libraries, and the search path of ``.include``.

The netlists live once, in the repository's ``netlists/`` (device libraries in
``netlists/lib/``).  A wheel carries them as ``thermnet/data/`` (``setup.py`` maps the folder
there); a source checkout (``pip install -e .``) reads them where they are.

``.include "FILE"`` with a relative FILE looks, in this order:

1. beside the including file (a netlist given as text: the working directory);
2. in each folder of the environment variable ``THERMNET_PATH`` (separated by ``os.pathsep``,
   ``:`` on Unix), in order;
3. in the shipped netlists and then the shipped device library, so that both
   ``.include "lib/dey2023_devices.lib"`` and ``.include "dey2023_devices.lib"`` work anywhere.

The first place that has a file of that name wins (it is then read under the usual rules:
regular files only, size and depth limits, ``--sandbox``).

``.include <FILE>`` and ``.lib NAME`` look on the *library path* only, never beside the
including file (as C's ``#include <...>``): the folders of ``THERMNET_PATH``, then the shipped
device library.  ``.lib NAME`` reads ``NAME`` or ``NAME.lib`` (``.lib dey2023_devices``).
"""
from __future__ import annotations

import os
from typing import List, Optional, Tuple

import thermnet

PATH_VARIABLE = "THERMNET_PATH"
NETLIST_SUFFIX = ".net"
LIBRARY_SUFFIX = ".lib"


def shipped_dir() -> str:
    """The folder of the shipped netlists: ``thermnet/data`` in an installed wheel, else the
    checkout's ``netlists/`` beside the package."""
    package = os.path.dirname(os.path.abspath(thermnet.__file__))
    installed = os.path.join(package, "data")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(package), "netlists")


def library_dir() -> str:
    """The folder of the shipped device libraries (``.lib`` files)."""
    return os.path.join(shipped_dir(), "lib")


def user_dirs() -> List[str]:
    """The folders of ``THERMNET_PATH``, in order (empty entries ignored)."""
    value = os.environ.get(PATH_VARIABLE, "")
    return [os.path.abspath(os.path.expanduser(d)) for d in value.split(os.pathsep) if d]


def search_dirs(including_dir: str) -> List[Tuple[str, str]]:
    """(folder, what it is) in the order ``.include`` looks for a relative file."""
    return ([(including_dir, "beside the including file")]
            + [(d, PATH_VARIABLE) for d in user_dirs()]
            + [(shipped_dir(), "the shipped netlists"), (library_dir(), "the shipped library")])


def find_include(name: str, including_dir: str) -> Tuple[str, List[str]]:
    """The file ``.include "name"`` reads, and the places looked at.  An absolute ``name`` is
    itself; a relative one is the first that exists along ``search_dirs``; if none does, the
    path beside the including file (so that the error names it)."""
    if os.path.isabs(name):
        return os.path.normpath(name), [name]
    looked = []
    for folder, _ in search_dirs(including_dir):
        path = os.path.normpath(os.path.join(folder, name))
        looked.append(path)
        if os.path.lexists(path):
            return path, looked
    return looked[0], looked


def library_path() -> List[str]:
    """The folders of ``.include <FILE>`` and ``.lib NAME``, in order: ``THERMNET_PATH``,
    then the shipped device library."""
    return user_dirs() + [library_dir()]


def find_library(name: str, with_suffix: bool = False,
                 folders: Optional[List[str]] = None) -> Tuple[Optional[str], List[str]]:
    """(the file of library ``name``, the folders looked in): the first of ``folders``
    (default :func:`library_path`) that has ``name``, or with ``with_suffix`` (``.lib NAME``)
    ``name`` + ``.lib``; None if none has."""
    folders = library_path() if folders is None else folders
    names = [name]
    if with_suffix and not name.endswith(LIBRARY_SUFFIX):
        names.append(name + LIBRARY_SUFFIX)
    for folder in folders:
        for n in names:
            path = os.path.normpath(os.path.join(folder, n))
            if os.path.lexists(path):
                return path, folders
    return None, folders


def libraries() -> List[str]:
    """The names of the shipped device libraries (``.lib`` files, without ``.lib``), sorted."""
    folder = library_dir()
    return sorted(f[:-len(LIBRARY_SUFFIX)] for f in os.listdir(folder)
                  if f.endswith(LIBRARY_SUFFIX) and os.path.isfile(os.path.join(folder, f)))


def examples() -> List[str]:
    """The names of the shipped example netlists (without ``.net``), sorted."""
    folder = shipped_dir()
    return sorted(f[:-len(NETLIST_SUFFIX)] for f in os.listdir(folder)
                  if f.endswith(NETLIST_SUFFIX) and os.path.isfile(os.path.join(folder, f)))


def example_path(name: str) -> Optional[str]:
    """The file of the shipped example ``name`` (with or without ``.net``), or None."""
    base = name[:-len(NETLIST_SUFFIX)] if name.endswith(NETLIST_SUFFIX) else name
    if base not in examples():
        return None
    return os.path.join(shipped_dir(), base + NETLIST_SUFFIX)


def resolve_netlist(path: str) -> str:
    """A netlist argument of the command line: the file if it exists (or is ``-``), else the
    shipped example of that name, else the path unchanged (so that reading it reports it)."""
    if path == "-" or os.path.lexists(path) or os.sep in path:
        return path
    return example_path(path) or path


def copy_example(name: str, destination: str = ".") -> int:
    """Copy the shipped example ``name`` into the folder ``destination`` (or to the file
    ``destination``), whole or not at all; say where on stdout.  Returns 0 (the exit status)."""
    from thermnet.errors import NetlistError
    from thermnet.netlist.elaborate import did_you_mean
    from thermnet.results.io import OutputError, check_target, write_atomic
    source = example_path(name)
    if source is None:
        raise NetlistError(f"no shipped example '{name}'{did_you_mean(name, examples())}",
                           None, "thermnet examples (lists them)")
    target = destination
    if os.path.isdir(destination):
        target = os.path.join(destination, os.path.basename(source))
    check_target(target)
    with open(source, "rb") as fh:
        data = fh.read()
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise OutputError(target, exc.strerror or str(exc)) from None
    print(target)
    return 0
