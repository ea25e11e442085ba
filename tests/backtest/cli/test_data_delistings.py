"""`hedgeclone data delistings import|show`: all or nothing, one clear error naming the file and row."""

from __future__ import annotations

from hedgeclone.data.prices.delistings import load_delistings
from hedgeclone.data.store import Store


def _file(path, rows: list[tuple[str, str, str]]):
    path.write_text("ticker,date,delisting_return\n" + "".join(f"{t},{d},{r}\n" for t, d, r in rows))
    return path


def test_cli_imports_delistings_all_or_nothing(tmp_path, call):
    store = Store(tmp_path / "store")
    good = _file(tmp_path / "good.csv", [("OTC", "2020-02-19", "-0.5"), ("GONE", "2020-02-11", "-100%")])
    bad = _file(tmp_path / "bad.csv", [("EARLY", "2020-02-05", "x")])
    code, out = call("data", "delistings", "import", str(good), str(bad), "--store", str(store.root))
    assert code != 0 and "bad.csv: row 2: ticker EARLY: delisting_return 'x' is not a number" in out
    assert len(load_delistings(store)) == 0  # the good file was not written either
    code, out = call("data", "delistings", "import", str(good), "--store", str(store.root))
    assert code == 0 and "2 delisting(s), 2020-02-11 to 2020-02-19 (2 stored)" in out
    later = _file(tmp_path / "later.csv", [("OTC", "2020-03-02", "-0.25")])
    code, out = call("data", "delistings", "import", str(later), "--store", str(store.root))
    assert code == 0 and "(2 stored)" in out  # a later file wins for the ticker it names
    table = load_delistings(store).set_index("ticker")
    assert table.loc["OTC", "delisting_return"] == -0.25 and table.loc["GONE", "delisting_return"] == -1.0
    code, out = call("data", "delistings", "show", "--store", str(store.root))
    assert code == 0 and "OTC" in out and "-25.00%" in out and "-100.00%" in out


def test_info_counts_data_ends_apart_from_delistings(tmp_path, call):
    import pandas as pd

    calendar = pd.bdate_range("2021-01-04", periods=40)
    for name, counts in (("long.csv", {"LIVE": 40, "GONE": 10}), ("short.csv", {"STOP": 25, "EARLY": 5})):
        rows = [f"{t},{calendar[i].date()},{10 + i % 3}" for t, n in counts.items() for i in range(n)]
        (tmp_path / name).write_text("ticker,date,close\n" + "\n".join(rows) + "\n")
    root = str(tmp_path / "store")
    code, out = call("data", "prices", "import", str(tmp_path / "long.csv"), str(tmp_path / "short.csv"), "--store", root)
    assert code == 0, out
    code, out = call("data", "info", "--store", root)
    assert code == 0 and "4 tickers, 2 (50.0%) end before 2021-02-26 (delisted)" in " ".join(out.split())
    assert "1 stop where their source stops (data ends: 2021-02-05), not delisted" in " ".join(out.split())
