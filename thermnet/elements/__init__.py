"""Element kinds.  Importing this package registers every kind and model type: each module
of the package is discovered and imported (a new element family is one new module here)."""
import importlib
import pkgutil

from thermnet.elements.base import ELEMENT_KINDS, MODEL_TYPES

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["ELEMENT_KINDS", "MODEL_TYPES"]
