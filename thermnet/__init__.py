"""thermnet: circuit-netlist thermal simulator."""
__version__ = "0.1.0"
