"""Suite-wide: no test may read or write the user's real store."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Commands run without --store fall back to $HEDGECLONE_STORE: point it at a scratch directory.
    os.environ["HEDGECLONE_STORE"] = str(tmp_path_factory.mktemp("default-store"))


# No test may open a web browser (`hedgeclone.backtest.report.browser`); subprocesses inherit this.
os.environ["HEDGECLONE_NO_BROWSER"] = "1"
