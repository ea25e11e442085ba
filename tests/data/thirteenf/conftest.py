"""Fixtures for the 13F tests: the shared real-data folder (skip when absent), offline edgartools."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
RAW13F = SHARED / "raw13f"
HOLDINGS13F = SHARED / "holdings13f"
SUPERINVESTOREN = HOLDINGS13F / "superinvestoren_13f_holdings.csv.gz"


@pytest.fixture(autouse=True, scope="session")
def _edgar_offline(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep edgartools off the network and out of the home directory."""
    os.environ.setdefault("EDGAR_LOCAL_DATA_DIR", str(tmp_path_factory.mktemp("edgar")))
    os.environ.setdefault("EDGAR_USE_LOCAL_DATA", "1")


@pytest.fixture(scope="session")
def raw13f() -> Path:
    if not (RAW13F / "edgartools").is_dir():
        pytest.skip(f"real 13F fixtures absent: {RAW13F} (the shared data folder beside the checkout)")
    return RAW13F / "edgartools"


@pytest.fixture(scope="session")
def superinvestoren() -> Path:
    if not SUPERINVESTOREN.exists():
        pytest.skip(f"superinvestor holdings table absent: {SUPERINVESTOREN}")
    return SUPERINVESTOREN


@pytest.fixture(scope="session")
def cusip_map():
    from hedgeclone.data.thirteenf.cusips import load_cusip_map

    return load_cusip_map()


@pytest.fixture(scope="session")
def superinvestoren_holdings(superinvestoren: Path, cusip_map):
    """The superinvestor table read once through its shipped mapping: (holdings, skipped)."""
    from hedgeclone.data.thirteenf.importers import read_table_file

    return read_table_file(superinvestoren, "superinvestoren", cusip_map)
