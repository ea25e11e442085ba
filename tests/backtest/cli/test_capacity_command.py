"""`hedgeclone capacity CONFIG.toml --aum ... --out DIR`: the table, capacity.csv, report.html, and one-line errors."""

from __future__ import annotations

import pandas as pd

TOML = """[strategy]
kind = "microcap-screen"
min_holders = 0
top_n = 10
[backtest]
start = "2016-01-04"
end = "2019-12-31"
benchmarks = ["sp500"]
[data]
source = "demo"
stocks = 250
filers = 40
seed = 3
"""


def test_the_command_writes_the_table_and_the_report(call, tmp_path):
    path = tmp_path / "screen.toml"
    path.write_text(TOML)
    out = tmp_path / "cap"
    code, text = call("capacity", str(path), "--aum", "1e5,1e8", "--out", str(out))
    assert code == 0, text
    table = pd.read_csv(out / "capacity.csv")
    assert {"aum", "total_return", "cagr", "costs", "fill_rate", "days_to_fill"} <= set(table.columns)
    assert list(table["aum"]) == [1e5, 1e8] and table["total_return"].iloc[1] < table["total_return"].iloc[0]
    assert "Capacity" in (out / "report.html").read_text() and "fill rate" in text
    code, text = call("capacity", str(path), "--aum", "1e5,abc", "--out", str(tmp_path / "bad"))
    assert code == 2 and "--aum: 'abc' is not a number" in text and not (tmp_path / "bad").exists()


def test_tune_refuses_execution_models(call, tmp_path):
    path = tmp_path / "capped.toml"
    path.write_text(TOML.replace('benchmarks = ["sp500"]', 'benchmarks = ["sp500"]\nparticipation = 0.1'))
    code, text = call("tune", str(path), "--grid", "top_n=5,10", "--out", str(tmp_path / "t"))
    assert code == 2 and "tune does not run execution models yet (VolumeCap(0.1))" in text
