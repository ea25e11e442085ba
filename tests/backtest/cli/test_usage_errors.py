"""Usage errors print the usage line and exit 2, never a traceback; user text is never rich markup."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from hedgeclone.backtest.cli.app import main; main()", *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("args", [
    (),  # bare hedgeclone
    ("data", "prices", "import"),  # a missing argument
    ("data", "info", "--bogus"),  # an unknown option
    ("bogus",),  # an unknown command
    ("data", "13f", "holders", "--as-of", "2024-01-02", "--top", "0"),  # out of range
])
def test_usage_errors_exit_2_with_the_usage_line(call, args):
    code, out = call(*args)
    assert code == 2 and "Usage: " in out and "Traceback" not in out


def test_usage_error_in_a_real_process_has_no_traceback():
    proc = run("data", "prices", "import")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "Usage:" in proc.stderr


@pytest.mark.parametrize("name", ["a[/]b", "[bold]x[/bold]", "[link=http://evil]y[/link]", "[bogus]"])
def test_markup_in_user_text_is_shown_literally(tmp_path, call, name):
    missing = tmp_path / name / "prices.csv"
    code, out = call("data", "prices", "import", str(missing), "--store", str(tmp_path / "s"))
    assert code == 2 and "Traceback" not in out
    assert str(missing) in out.replace("\n", "")  # every character, brackets included


def test_empty_store_option_is_refused(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = call("data", "verify", "--store", "")
    assert code == 2 and "--store ''" in out
    assert not (tmp_path / ".lock").exists()  # the current folder was not taken for a store


@pytest.mark.parametrize("option", ["--start", "--end"])
@pytest.mark.parametrize("value", ["garbage", "2024-01-02T00:00:00+05:00", "0001-01-01", "99999-01-01"])
def test_bad_date_options_are_one_line(tmp_path, call, option, value):
    args = {"--start": value, "--end": "2024-12-31"} if option == "--start" else {"--start": "2024-01-02", "--end": value}
    code, out = call("data", "returns", "SPY", "--start", args["--start"], "--end", args["--end"],
                     "--store", str(tmp_path))
    assert code == 2 and option in out and "Traceback" not in out


def test_config_errors_keep_bracketed_names(tmp_path, call):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[strategy]\nkind = "buy-and-hold"\ntickers = ["A"]\n[bogus]\nx = 1\n')
    code, out = call("run", str(cfg))
    assert code == 2 and "unknown section [bogus]" in out
