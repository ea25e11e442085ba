"""A small demo market shared by the strategy tests (generated once per session)."""

from __future__ import annotations

import pytest

SMALL = {"stocks": 250, "filers": 40, "seed": 3}


@pytest.fixture(scope="session")
def small_store(tmp_path_factory):
    from hedgeclone.data.store import Store

    return Store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def small_market(small_store):
    from hedgeclone.data.market import load_market

    return load_market("demo", store=small_store, **SMALL)
