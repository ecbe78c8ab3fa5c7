"""thermnet: circuit-netlist thermal simulator for cryogenic devices."""
__version__ = "0.1.0"

from thermnet.api import Netlist, load, parse  # noqa: E402,F401
from thermnet.errors import ConvergenceError, NetlistError, ThermnetError  # noqa: E402,F401
