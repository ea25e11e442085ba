"""`hedgeclone data verify|repair`, reading commands on a missing store, all-or-nothing imports."""

from __future__ import annotations

import pytest

from hedgeclone.data.prices import store as pstore
from hedgeclone.data.store import Store


@pytest.fixture
def store(tmp_path, call):
    src = tmp_path / "p.csv"
    src.write_text("ticker,date,close\nAAA,2024-01-02,1\nBBB,2024-01-02,2\n")
    root = tmp_path / "s"
    assert call("data", "prices", "import", str(src), "--store", str(root))[0] == 0
    return Store(root)


def test_verify_reports_every_table_and_problem(store, call):
    code, out = call("data", "verify", "--store", str(store.root))
    assert code == 0 and "prices/daily/A" in out and "prices/imports" in out and "clean" in out
    (store.root / ".staging-dead").mkdir()
    (store.root / "stray.parquet").write_bytes(b"x")
    store.path("prices/daily/B").write_bytes(b"garbage")
    code, out = call("data", "verify", "--store", str(store.root))
    lines = [line for line in out.splitlines() if line.startswith("problem:")]
    assert code == 2 and len(lines) == 3
    assert "corrupt" in out and ".staging-dead" in out and "stray.parquet: unmanaged" in out
    code, out = call("data", "repair", "--store", str(store.root))
    assert code == 0 and "clean" in out
    assert call("data", "verify", "--store", str(store.root))[0] == 0
    assert set(pstore.read_long(store)["ticker"].astype(str)) == {"AAA"}


@pytest.mark.parametrize("command", [("data", "info"), ("data", "returns", "SPY", "--start", "2024-01-02",
                                                          "--end", "2024-02-01"),
                                     ("data", "13f", "holders", "--as-of", "2024-01-02")])
def test_reading_commands_refuse_a_missing_store(tmp_path, call, command):
    code, out = call(*command, "--store", str(tmp_path / "typo"))
    assert code == 2 and "no such directory" in out and "typo" in out


def test_store_option_pointing_at_a_file_is_one_line(tmp_path, call):
    f = tmp_path / "f"
    f.write_text("x")
    code, out = call("data", "info", "--store", str(f))
    assert code == 2 and "is a file" in out and "Traceback" not in out


def test_multi_file_price_import_is_all_or_nothing(tmp_path, call, store):
    good = tmp_path / "CCC.csv"
    good.write_text("Date,Close\n2024-01-02,3\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("ticker,date,close\nDDD,not-a-date,1\n")
    before = {p: p.read_bytes() for p in store.root.rglob("*.parquet")}
    code, out = call("data", "prices", "import", str(good), str(bad), "--store", str(store.root))
    assert code == 2 and "bad.csv" in out
    assert {p: p.read_bytes() for p in store.root.rglob("*.parquet")} == before
    assert "CCC" not in set(pstore.read_long(store)["ticker"].astype(str))


def test_lost_manifest_info_points_at_repair(store, call):
    (store.root / "manifest.json").unlink()
    code, out = call("data", "info", "--store", str(store.root))
    assert code == 2 and "data repair" in out
    code, out = call("data", "repair", "--store", str(store.root))
    assert code == 0 and "rebuilt" in out
    code, out = call("data", "info", "--store", str(store.root))
    assert code == 0 and "2 tickers" in out
