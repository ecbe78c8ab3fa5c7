"""Element kinds.  Importing this package registers every kind and model type."""
from thermnet.elements import (base, impedances, proximity, sources,  # noqa: F401
                               superconductors, thermal)
from thermnet.elements.base import ELEMENT_KINDS, MODEL_TYPES  # noqa: F401
