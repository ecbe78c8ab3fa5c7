"""Physical constants in SI units (CODATA 2018 exact values where defined)."""
import math

kB = 1.380649e-23          # J/K, Boltzmann constant
h = 6.62607015e-34         # J s, Planck constant
hbar = h / (2 * math.pi)   # J s
e = 1.602176634e-19        # C, elementary charge
L0 = (math.pi ** 2 / 3) * (kB / e) ** 2   # W Ohm / K^2, Lorenz number (Wiedemann-Franz)
