"""thermnet: circuit-netlist thermal simulator for cryogenic devices."""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The public names, imported on first use (PEP 562): ``thermnet --help`` and ``import
# thermnet.errors`` then load no numerics.
_LAZY = {"Netlist": "thermnet.api", "load": "thermnet.api", "parse": "thermnet.api",
         "ConvergenceError": "thermnet.errors", "NetlistError": "thermnet.errors",
         "ThermnetError": "thermnet.errors"}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'thermnet' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
