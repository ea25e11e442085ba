"""`run`, `screen` and `tune` treat --store as the data commands do: '' is refused, and a store a
config reads its market from must exist (the demo market's cache may be created)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hedgeclone.backtest.cli.app import app
from hedgeclone.errors import DataError, InputError

STORE_CONFIG = '[strategy]\nkind = "buy-and-hold"\ntickers = ["AAA"]\n[data]\nsource = "store"\n'


@pytest.mark.parametrize("command", [["run"], ["screen", "--as-of", "2024-01-02"],
                                     ["tune", "--grid", "fees=0,0.001"]])
def test_store_options_are_checked_before_any_work(tmp_path, command):
    cfg = tmp_path / "c.toml"
    cfg.write_text(STORE_CONFIG)
    name, *rest = command
    empty = CliRunner().invoke(app, [name, str(cfg), *rest, "--store", "", "--out" if name != "screen" else "--top",
                                     str(tmp_path / "out") if name != "screen" else "3"])
    assert isinstance(empty.exception, InputError) and "--store ''" in str(empty.exception)
    missing = tmp_path / "no-such-store"
    res = CliRunner().invoke(app, [name, str(cfg), *rest, "--store", str(missing)])
    assert isinstance(res.exception, DataError | InputError) and str(missing) in str(res.exception)
    assert not missing.exists()


@pytest.mark.parametrize("args, option", [(["screen", "--as-of", "2024-01-02T00:00:00+05:00"], "--as-of"),
                                          (["screen", "--as-of", "soon"], "--as-of"),
                                          (["tune", "--grid", "fees=0,0.001", "--scheduler", "not an address"],
                                           "--scheduler")])
def test_garbage_options_are_one_error_naming_the_option(tmp_path, args, option):
    cfg = tmp_path / "c.toml"
    cfg.write_text(STORE_CONFIG)
    name, *rest = args
    res = CliRunner().invoke(app, [name, str(cfg), *rest])
    assert isinstance(res.exception, InputError) and option in str(res.exception), res.output
