"""The one build setting pyproject.toml cannot say: the shipped netlists.

The netlists and device libraries live once, in ``netlists/`` (where the README, the tests
and the docs name them); the wheel carries them as the package ``thermnet.data`` (read by
``thermnet/library.py`` through importlib.resources).  Everything else is in pyproject.toml.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["thermnet", "thermnet.*"]) + ["thermnet.data"],
    package_dir={"thermnet.data": "netlists"},
    package_data={"thermnet": ["netlist/*.lark"], "thermnet.data": ["*.net", "lib/*"]},
)
