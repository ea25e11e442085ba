"""`hedgeclone data ...` commands on the real small files."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from hedgeclone.backtest.cli.app import app

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, ["data", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_import_returns_info_and_shares(tmp_path, prices_dir):
    store = str(tmp_path / "s")
    out = run("prices", "import", str(prices_dir / "benchmarks" / "SPY.csv"), str(prices_dir / "benchmarks" / "IWC.csv"), "--store", store)
    assert "8,420 rows" in out
    assert run("returns", "sp500", "--start", "2024-12-31", "--end", "2025-12-31", "--store", store).strip().splitlines()[-1] == "+17.72%"
    assert run("returns", "IWC", "--start", "2024-12-31", "--end", "2025-03-31", "--store", store).strip().splitlines()[-1] == "-14.73%"
    run("prices", "import", str(prices_dir / "tickers" / "DUOT_adjclose.csv"), "--ticker", "DUOT", "--store", store)
    out = run("shares", "import", str(prices_dir / "fundamentals" / "nasdaq_screener_2025-03-28.csv.gz"), "--store", store)
    assert "known from 2025-03-28" in out
    info = run("info", "--store", store)
    assert "3 tickers" in info and "survivorship" in info and "shares/all" in info


def test_errors_are_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ticker,date,close\n../x,2024-01-02,1\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from backtest.cli.app import main; main()", "data", "prices", "import", str(bad), "--store", str(tmp_path / "s")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "bad.csv: row 2: ticker '../X'" in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2
