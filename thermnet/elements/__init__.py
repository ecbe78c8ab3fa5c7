"""Element kinds.  Importing this package registers every kind and model type."""
from thermnet.elements import base, impedances, sources, thermal  # noqa: F401
from thermnet.elements.base import ELEMENT_KINDS, MODEL_TYPES  # noqa: F401
