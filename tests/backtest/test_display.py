"""Every result type shows itself: HTML for notebooks (`_repr_html_`), rich for terminals (`__rich__`),
plotly figures (`.plot()`) drawn by the report's own figure functions, and a tearsheet in one call."""

from __future__ import annotations

import re
import webbrowser

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import hedgeclone as hc
from hedgeclone.backtest import figures
from hedgeclone.backtest.compare import compare
from hedgeclone.backtest.metric_sets import METRICS, STRATEGY_METRICS, SUMMARY_METRICS, format_metric
from hedgeclone.backtest.report import browser, render_report
from hedgeclone.backtest.run import STRATEGY, run_metrics
from hedgeclone.backtest.tuning import SweepResult, walk_forward
from hedgeclone.data.market import Market

SYNTHETIC = "SYNTHETIC DATA: random walks made up for tests."


def _text(renderable) -> str:
    console = Console(record=True, width=200)
    console.print(renderable)
    return console.export_text()


def _row(html: str, label: str) -> list[str]:
    match = re.search(rf"<tr><td>{re.escape(label)}</td>((?:<td[^>]*>[^<]*</td>)+)</tr>", html)
    assert match, f"no row {label!r}"
    return [c.replace(" &#9733;", "").strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", match.group(1))]


@pytest.fixture(scope="module")
def market() -> Market:
    rng = np.random.default_rng(5)
    index = pd.bdate_range("2020-01-01", "2022-12-30")
    levels = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, (len(index), 5)), axis=0))
    close = pd.DataFrame(levels[:, :3], index=index, columns=["AAA", "BBB", "CCC"])
    bench = pd.DataFrame(levels[:, 3:], index=index, columns=["market", "smallcap"])
    return Market(close=close, raw_close=None, volume=None, shares=None, holdings=None, benchmarks=bench,
                  delisting_returns=pd.Series(dtype=float), caveats=(SYNTHETIC,))


@pytest.fixture(scope="module")
def held(market):
    return hc.run(hc.BuyAndHold(tickers=("AAA",)), market, fees=0.0)


def test_a_strategy_run_shows_its_headline_in_html_and_in_the_terminal(held, market):
    html = held._repr_html_()
    # Oracle by hand: bought at the close after the decision (lag 1), held to the end, no fees.
    aaa = market.close["AAA"]
    total = aaa.iloc[-1] / aaa.iloc[1] - 1
    assert _row(html, "Total return")[0] == format_metric("total_return", total)
    for key in SUMMARY_METRICS:
        assert f"<td>{METRICS[key].label}</td>" in html
    assert "vs market" in html and "vs smallcap" in html and SYNTHETIC in html
    text = _text(held)
    assert "buy-and-hold" in text and format_metric("total_return", total) in text and SYNTHETIC in text
    assert repr(held).startswith("StrategyRun(buy-and-hold: 2020-01-01..2022-12-30, 1 decisions, 1 fills")


def test_the_display_and_the_report_show_one_metrics_document(held):
    run = held.to_run_data()
    doc = run_metrics(run)
    shown, page = held._repr_html_(), render_report(run, doc)
    for key in SUMMARY_METRICS:
        assert _row(shown, METRICS[key].label) == _row(page, METRICS[key].label), key


def test_a_run_plots_each_kind_with_the_report_figures(held, market):
    equity = held.plot("equity")
    assert equity.layout.yaxis.type == "log"
    assert [t.name for t in equity.data] == ["buy-and-hold", "market", "smallcap"]
    aaa = market.close["AAA"]
    assert equity.data[0].y[-1] == pytest.approx(aaa.iloc[-1] / aaa.iloc[1], rel=1e-12)  # growth of 1 after the fill
    assert equity.data[1].y[-1] == pytest.approx(market.benchmarks["market"].iloc[-1] / market.benchmarks["market"].iloc[0])
    page = render_report(held.to_run_data(), run_metrics(held.to_run_data()))
    for kind in figures.KINDS:  # the report draws every figure .plot() returns, under the same title
        title = held.plot(kind).layout.title.text
        assert f'id="{kind.replace("_", "-")}"' in page and f'"text":"{title}"' in page.replace(": ", ":"), kind
    holdings = held.plot("holdings")
    assert [t.name for t in holdings.data] == ["AAA"] and holdings.data[0].y[0] == pytest.approx(100.0)
    with pytest.raises(hc.InputError, match="unknown figure 'pie'.*equity, drawdowns"):
        held.plot("pie")


def test_the_engine_result_shows_its_stats_without_the_report_layer(market):
    result = hc.simulate(market.close, hc.Schedule.from_dict({market.close.index[0]: {"AAA": 0.5, "BBB": 0.5}}),
                         fees=0.001, init_cash=1000.0)
    html = result._repr_html_()
    stats = result.stats()
    for key in STRATEGY_METRICS:
        assert f"<th>{METRICS[key].label}</th>" in html and format_metric(key, stats[key]) in html, key
    assert format_metric("total_return", result.value.iloc[-1] / 1000.0 - 1) in html
    assert "Total return" in _text(result) and "2 fills" in _text(result)
    fig = result.plot("equity", benchmarks={"market": market.benchmarks["market"]})
    assert [t.name for t in fig.data] == ["strategy", "market"]
    weights = result.plot("holdings")
    assert sum(t.y[0] for t in weights.data) == pytest.approx(100 * (1 - result.cash.iloc[0] / result.value.iloc[0]))
    with pytest.raises(hc.InputError, match="needs a benchmark"):
        result.plot("rolling_excess")


def test_a_comparison_shows_its_marked_table_and_plots(toy_run_factory):
    a, b = toy_run_factory("cheap", fees=0.0), toy_run_factory("dear", fees=0.02)
    cmp = compare([a, b])
    html = cmp._repr_html_()
    assert "cheap" in html and "dear" in html and SYNTHETIC.split(":")[0] in html
    assert html.count('<td class="best">') == sum(v is not None for v in cmp.best.values())
    assert SYNTHETIC in _text(cmp) and "Total return" in _text(cmp)
    assert [t.name for t in cmp.plot().data] == ["cheap", "dear", "market (benchmark)", "smallcap (benchmark)"]
    dd = cmp.plot("drawdowns")
    cheap = a.values[STRATEGY]
    assert min(dd.data[0].y) == pytest.approx(100 * (cheap / cheap.cummax() - 1).min(), rel=1e-9)


def test_compare_takes_strategy_runs(held):
    cmp = compare([held, held])
    assert cmp.labels == ["buy-and-hold", "buy-and-hold'"]
    assert cmp.table.loc["total_return", "buy-and-hold"] == pytest.approx(held.stats()["total_return"], rel=1e-12)


@pytest.fixture
def toy_sweep(toy_run_factory):
    make_run = toy_run_factory
    runs = {(fees, seed): make_run(f"s{seed}", fees=fees, seed=seed) for fees in (0.0, 0.01) for seed in (1, 2, 3)}
    params = pd.DataFrame(list(runs), columns=["fees", "seed"])
    metrics = pd.DataFrame([{**run_metrics(r)["strategy"]} for r in runs.values()])
    values = pd.DataFrame({i: r.values[STRATEGY] for i, r in enumerate(runs.values())})
    return SweepResult(params=params, metrics=metrics, values=values, benchmarks=next(iter(runs.values())).values[
        ["market", "smallcap"]], strategy="toy", initial=pd.Series(1000.0, index=params.index), caveats=(SYNTHETIC,))


def test_a_sweep_shows_its_best_rows_and_overfitting(toy_sweep):
    html = toy_sweep._repr_html_()
    best = toy_sweep.metrics["sharpe"].idxmax()
    first = re.search(r"<tbody><tr><td>(\d+)</td>", html)
    assert first and int(first.group(1)) == best  # best row first
    assert f"{toy_sweep.overfitting.pbo.pbo:.3f}" in html and 0 <= toy_sweep.overfitting.pbo.pbo <= 1
    assert f"{toy_sweep.overfitting.dsr.dsr:.3f}" in html and SYNTHETIC in html
    assert "6 combinations of fees, seed" in html
    text = _text(toy_sweep)
    assert "probability of backtest overfitting" in text and "deflated Sharpe ratio" in text
    heat = toy_sweep.plot("sharpe", axes=("seed", "fees"))
    z = np.asarray(heat.data[0].z, dtype=float)
    # Oracle: the pivot by hand.
    for i, fees in enumerate((0.0, 0.01)):
        for j, seed in enumerate((1, 2, 3)):
            row = (toy_sweep.params["fees"] == fees) & (toy_sweep.params["seed"] == seed)
            assert z[i, j] == pytest.approx(float(toy_sweep.metrics.loc[row, "sharpe"].iloc[0]), rel=1e-12)
    with pytest.raises(hc.InputError, match="not a grid parameter"):
        toy_sweep.plot("sharpe", axes=("seed", "lag"))


def test_a_walk_forward_shows_its_windows_and_plots_its_out_of_sample_growth(toy_sweep):
    wf = walk_forward(toy_sweep.returns, toy_sweep.params, train_years=1, test_years=0.5)
    html = wf._repr_html_()
    assert f"{len(wf.windows)} windows" in html and "out of sample, stitched" in html
    assert format_metric("total_return", wf.summary["total_return"]) in html
    assert str(wf.windows["test_start"].iloc[0].date()) in _text(wf)
    growth = wf.plot().data[0].y
    r = wf.oos_returns
    assert growth[-1] == pytest.approx(float(np.prod(1 + r.iloc[1:])), rel=1e-12)  # rebased to its first day


def test_html_escapes_names(toy_run_factory):
    run = toy_run_factory("<b>bold</b>")
    from hedgeclone.backtest.report.display import run_html

    html = run_html(run, run_metrics(run))
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_tearsheet_prints_its_path_when_no_browser_may_open(held, tmp_path, capsys, monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    path = held.report(tmp_path / "r.html")  # the suite sets HEDGECLONE_NO_BROWSER
    assert path.exists() and opened == []
    assert capsys.readouterr().out.strip() == f"report written to {path.resolve()}"
    assert hc.report(held, tmp_path / "q.html", show=False).exists() and capsys.readouterr().out == ""


def test_the_tearsheet_opens_where_a_browser_is_available(held, tmp_path, capsys, monkeypatch):
    opened = []
    monkeypatch.delenv(browser.NO_BROWSER_ENV)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.BackgroundBrowser("firefox"))
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    path = hc.report(held, tmp_path / "r.html")
    assert opened == [path.resolve().as_uri()] and capsys.readouterr().out == ""


def test_the_tearsheet_never_fails_headless(held, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(browser.NO_BROWSER_ENV)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    def refuse(url):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "open", refuse)
    assert not browser.browser_available()
    path = held.report(tmp_path / "r.html", show=True)  # asked for, but none to open: the path instead
    assert capsys.readouterr().out.strip() == f"report written to {path.resolve()}"
    # A console browser (lynx) is never chosen on its own: it would take over the script's terminal.
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.GenericBrowser("lynx"))
    assert not browser.browser_available()
