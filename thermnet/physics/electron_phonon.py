"""Electron-phonon heat.  (The BCS superconductor form is added with the superconducting
kernels.)"""


def power_law_heat(T, Tb, sigma, vol, n):
    """Heat (W) from electrons at ``T`` to phonons at ``Tb``: sigma*vol*(T^n - Tb^n)
    (Giazotto et al., Rev. Mod. Phys. 78, 217 (2006), Eq. 35; Dey et al. 2023, below Eq. 7)."""
    return sigma * vol * (T ** n - Tb ** n)
