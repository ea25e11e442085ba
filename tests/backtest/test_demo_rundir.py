"""`hedgeclone demo` writes a complete run directory and prints the summary tables."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hedgeclone.backtest.cli.app import app
from hedgeclone.backtest.run import RUN_FILES
from hedgeclone.backtest.rundir import load_run
from hedgeclone.data.demo import SYNTHETIC_NOTICE


def test_demo_writes_full_run_directory(tmp_path):
    out = tmp_path / "demo"
    args = ["demo", "--stocks", "100", "--filers", "20", "--top-n", "5", "--out", str(out), "--store", str(tmp_path / "store")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert "against each benchmark" in res.output and "Sharpe" in res.output
    run = load_run(out)
    assert SYNTHETIC_NOTICE in run.caveats and any("Survivorship" in c for c in run.caveats)
    assert {"sp500", "russell-microcap"} <= set(run.metrics["relative"])
    assert {"name", "weight", "rank", "ticker"} <= set(run.holdings.columns) and run.holdings["name"].notna().all()
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["stocks"] == 100 and config["strategy"]["top_n"] == 5
    assert SYNTHETIC_NOTICE.split(":")[0] in (out / "report.html").read_text()
