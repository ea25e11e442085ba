"""`hedgeclone run` and `hedgeclone screen` from TOML configs on a tiny demo market."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from hedgeclone.backtest.cli.app import app

TINY = """
[strategy]
kind = "{kind}"
top_n = 4
{extra}
[backtest]
end = "2017-12-29"
fees = 0.001
[data]
source = "demo"
stocks = 150
filers = 25
seed = 5
"""


def write_config(tmp_path, kind="hedge-fund-consensus", extra=""):
    path = tmp_path / f"{kind}.toml"
    path.write_text(TINY.format(kind=kind, extra=extra))
    return path


def test_run_writes_the_run_directory(tmp_path):
    config = write_config(tmp_path)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", str(config), "--out", str(out), "--store", str(tmp_path / "store")])
    assert res.exit_code == 0, res.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) >= {"strategy", "benchmarks", "relative"}
    assert {"total_return", "cagr", "sharpe", "max_drawdown"} <= set(metrics["strategy"])
    resolved = json.loads((out / "config.json").read_text())
    assert resolved["strategy"]["top_n"] == 4 and resolved["data"]["stocks"] == 150
    assert "hedge-fund-consensus-4" in res.output


def test_screen_prints_ranked_csv(tmp_path):
    config = write_config(tmp_path, "microcap-screen", "min_cap = 1e6\nmax_cap = 1e9\nmin_holders = 1\nmin_price = 0.0")
    res = CliRunner().invoke(app, ["screen", str(config), "--as-of", "2017-06-30", "--csv",
                                   "--store", str(tmp_path / "store")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert list(table.columns[:4]) == ["rank", "ticker", "score", "market_cap"]
    assert {"ytd_return", "hf_holders"} <= set(table.columns) and len(table) > 0
    assert table["score"].is_monotonic_decreasing and (table["hf_holders"] >= 1).all()


def run_cli(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", "hedgeclone.backtest.cli.app", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)


def test_bad_config_is_one_line_and_exit_status_2(tmp_path):
    config = write_config(tmp_path, extra="top_nn = 3")
    res = run_cli("run", str(config), "--out", str(tmp_path / "out"), tmp_path=tmp_path)
    assert res.returncode == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown key strategy.top_nn" in lines[0] and str(config) in lines[0]
    assert not (tmp_path / "out").exists()


def test_screen_date_outside_the_data_is_refused(tmp_path):
    config = write_config(tmp_path)
    res = run_cli("screen", str(config), "--as-of", "1999-01-04", "--store", str(tmp_path / "store"),
                  tmp_path=tmp_path)
    assert res.returncode == 2 and "--as-of 1999-01-04 lies outside the data" in res.stderr


def test_risk_free_yield_file_lowers_the_sharpe(tmp_path):
    store = str(tmp_path / "store")
    plain = write_config(tmp_path)
    rf_file = tmp_path / "yield.csv"
    pd.DataFrame({"Date": pd.bdate_range("2010-01-01", "2019-12-31"), "Close": 4.0}).to_csv(rf_file, index=False)
    with_rf = tmp_path / "rf.toml"
    with_rf.write_text(plain.read_text().replace('fees = 0.001', 'fees = 0.001\nrisk_free = "yield.csv"'))
    docs = []
    for config, out in ((plain, "a"), (with_rf, "b")):
        res = CliRunner().invoke(app, ["run", str(config), "--out", str(tmp_path / out), "--store", store])
        assert res.exit_code == 0, res.output
        docs.append(json.loads((tmp_path / out / "metrics.json").read_text()))
    a, b = docs[0]["strategy"], docs[1]["strategy"]
    assert a["total_return"] == b["total_return"] and b["sharpe"] < a["sharpe"]
    # 4% a year is 0.04/252 a day: the Sharpe drops by that mean over the daily deviation, annualised.
    daily_sd = a["volatility"] / 252**0.5
    assert b["sharpe"] == pytest.approx(a["sharpe"] - 0.04 / 252 / daily_sd * 252**0.5, rel=1e-3)
