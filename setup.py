"""Maps the top-level folders onto the one import namespace `hedgeclone` (metadata: pyproject.toml).

The layout keeps `backtest/`, `data/` and `strategies/` at the repository's top level, while
their import names are `hedgeclone.backtest`, `hedgeclone.data` and `hedgeclone.strategies`:
generic top-level names would collide with other distributions and with users' own files.
Sub-packages are found here so that a new one can never silently drop out of the wheel.
"""

from setuptools import find_packages, setup

FOLDERS = ("backtest", "data", "strategies")

setup(
    packages=["hedgeclone", *(f"hedgeclone.{p}" for p in find_packages(include=[f"{f}*" for f in FOLDERS]))],
    package_dir={"hedgeclone": "hedgeclone", **{f"hedgeclone.{f}": f for f in FOLDERS}},
)
