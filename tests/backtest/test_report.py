"""report.html: self-contained, offline, and renders in headless Chromium without console errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hedgeclone.backtest.report import render_report
from hedgeclone.backtest.run import run_metrics
from hedgeclone.backtest.rundir import write_run

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
ERROR_HOOK = """<script>window.__errs=[];
window.addEventListener('error',function(e){window.__errs.push('error: '+e.message)});
window.addEventListener('unhandledrejection',function(e){window.__errs.push('rejection: '+e.reason)});
(function(){var o=console.error;console.error=function(){
 window.__errs.push('console.error: '+Array.prototype.join.call(arguments,' '));o.apply(console,arguments)}})();
window.addEventListener('load',function(){setTimeout(function(){var d=document.createElement('pre');
 d.id='__errs';d.textContent=JSON.stringify(window.__errs);document.body.appendChild(d)},300)});</script>"""


def _chromium() -> str:
    for name in ("/usr/bin/chromium", *CHROMIUM_NAMES):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium binary found (install Debian's `chromium` package; .ci/run does) - report render check skipped")


def render_in_chromium(html_path: Path, tmp_path: Path) -> tuple[list[str], str, str]:
    """Load `html_path` with a JS error hook; return (page errors, dumped DOM, browser stderr)."""
    hooked = tmp_path / f"hooked-{html_path.name}"
    hooked.write_text(html_path.read_text(encoding="utf-8").replace("<head>", "<head>" + ERROR_HOOK, 1),
                      encoding="utf-8")
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", hooked.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    match = re.search(r'<pre id="__errs">(.*?)</pre>', dom, re.S)
    assert match, f"page did not finish loading in Chromium (rc={proc.returncode}): {proc.stderr[-2000:]}"
    errors = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    return errors + console, dom, proc.stderr


def test_report_is_self_contained_and_has_every_section(tmp_path, toy_run_factory):
    run = toy_run_factory()
    text = render_report(run, run_metrics(run))
    assert not re.search(r"""<script[^>]+src=|<link[^>]+href=["']?https?:""", text), "report loads external resources"
    assert "cdn.plot.ly" not in text.split("</script>", 1)[1]
    for section in ("Data caveats", "Performance", "Calendar-year returns", "Holdings at each rebalance",
                    "Costs and turnover", "SYNTHETIC DATA", "Rolling 12-month excess return", "Drawdowns"):
        assert section in text, section
    assert '"type":"log"' in text.replace(" ", "")  # equity on a log scale
    assert re.search(r"<td>AAA</td><td>\d+\.\d\d%</td>", text)  # a holding and its weight


def test_report_renders_without_console_errors(tmp_path, toy_run_factory):
    path = write_run(tmp_path / "run", toy_run_factory())
    errors, dom, _ = render_in_chromium(path / "report.html", tmp_path)
    assert errors == []
    # equity, drawdowns, rolling excess, yearly, holdings, costs
    assert len(re.findall(r'class="[^"]*js-plotly-plot', dom)) == 6


def test_error_hook_catches_errors(tmp_path):
    # The negative control: a page that throws must be reported, or the test above proves nothing.
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head></head><body><script>undefinedFunction();</script></body></html>")
    errors, _, _ = render_in_chromium(bad, tmp_path)
    assert any("undefinedFunction" in e for e in errors)


def test_result_report_writes_one_file(tmp_path, toy_run_factory):
    import numpy as np
    import pandas as pd

    import hedgeclone as hc

    index = pd.bdate_range("2021-01-01", periods=300)
    close = pd.DataFrame(100 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.01, (300, 2)), axis=0)),
                         index=index, columns=["X", "Y"])
    result = hc.simulate(close, hc.Schedule.from_dict({index[0]: {"X": 0.6, "Y": 0.4}}))
    out = hc.report(result, tmp_path / "r.html", benchmarks={"bench": close["X"]}, name="sixty-forty")
    text = out.read_text()
    assert out.name == "r.html" and "sixty-forty" in text and "vs bench" in text


def test_partial_calendar_years_are_labelled():
    import pandas as pd

    from hedgeclone.backtest.report import _yearly_table

    yearly = pd.DataFrame({"s": [0.1, 0.2, 0.05], "b": [0.0, 0.1, 0.0]}, index=[2014, 2015, 2016])
    table = _yearly_table(yearly, "s", pd.Timestamp("2014-05-16"), pd.Timestamp("2016-06-30"))
    assert list(table.index) == ["2014 (from May 16)", "2015", "2016 (to Jun 30)"]
    full = _yearly_table(yearly, "s", pd.Timestamp("2014-01-02"), pd.Timestamp("2016-12-30"))
    assert list(full.index) == ["2014", "2015", "2016"]
    assert table.loc["2015", "excess vs b"] == "+10.0 pp"


def test_report_template_is_plotlys_own():
    """The template read from plotly's file is the one plotly builds (a plotly upgrade that changed it fails here)."""
    import plotly.io as pio

    from hedgeclone.backtest.report.page import _template

    assert _template() == pio.templates["plotly_white"].to_plotly_json()


def test_report_bytes_are_the_report_and_plotlys_own_bundle(toy_run_factory):
    """The report built as bytes is the UTF-8 of the report string, with plotly.js as plotly gives it."""
    from plotly.offline import get_plotlyjs

    from hedgeclone.backtest.report import render_report_bytes

    run = toy_run_factory()
    doc = run_metrics(run)
    data = render_report_bytes(run, doc)
    assert data == render_report(run, doc).encode("utf-8")
    assert get_plotlyjs().encode("utf-8") in data
