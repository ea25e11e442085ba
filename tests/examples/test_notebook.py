"""examples/demo.ipynb runs clean, headless and offline, and its cells show what they promise.

The notebook is executed with nbclient on an ipykernel of this interpreter, in a scratch folder
(its report is written there), with the suite's scratch store and no browser (tests/conftest.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the test extra's nbformat is not installed")
nbclient = pytest.importorskip("nbclient", reason="the test extra's nbclient is not installed")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "demo.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    folder = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute()
    return {c.metadata["tags"][0]: c for c in nb.cells if c.cell_type == "code" and c.metadata.get("tags")}, folder


def _data(cell, mime: str):
    """The last `mime` shown by `cell` (an execute_result, or display_data as plotly figures use)."""
    shown = [o for o in cell.outputs if o.get("output_type") in ("execute_result", "display_data")]
    found = [o["data"][mime] for o in shown if mime in o["data"]]
    assert found, f"cell {cell.metadata['tags']} shows no {mime}, only {[sorted(o['data']) for o in shown]}"
    return found[-1]


def _cell_value(html: str, row: str, column: int = 0) -> str:
    """The text of `row`'s cell number `column` (after the label) in the first table of `html` with that row."""
    match = re.search(rf"<tr><td>{re.escape(row)}</td>((?:<td[^>]*>[^<]*</td>)+)</tr>", html)
    assert match, f"no row {row!r}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", match.group(1))[column].replace(" &#9733;", "").strip()


def test_every_code_cell_ran_without_error(executed):
    cells, _ = executed
    for tag, cell in cells.items():
        assert not [o for o in cell.outputs if o.get("output_type") == "error"], tag


def test_the_runs_show_their_headline_in_html(executed):
    cells, _ = executed
    for tag in ("consensus", "screen"):
        html = _data(cells[tag], "text/html")
        for label in ("Total return", "CAGR", "Sharpe", "Max drawdown", "Beta", "Excess return (pp)"):
            assert f"<td>{label}</td>" in html, (tag, label)
        assert "vs sp500" in html and "vs russell-microcap" in html
        assert "SYNTHETIC DATA" in html and "Survivorship" in html
    assert "hedge-fund-consensus-14" in _data(cells["consensus"], "text/plain")


def test_the_figures_are_plotly_figures(executed):
    cells, _ = executed
    equity = _data(cells["equity"], PLOTLY)
    assert equity["layout"]["yaxis"]["type"] == "log"
    assert [t["name"] for t in equity["data"]] == ["hedge-fund-consensus-14", "sp500", "russell-microcap"]
    holdings = _data(cells["holdings"], PLOTLY)
    assert len(holdings["data"]) >= 14 and all(t.get("stackgroup") for t in holdings["data"])
    heatmap = _data(cells["heatmap"], PLOTLY)
    assert heatmap["data"][0]["type"] == "heatmap" and heatmap["layout"]["xaxis"]["title"]["text"] == "top_n"
    assert len(_data(cells["comparison-plot"], PLOTLY)["data"]) == 4  # two runs, two benchmarks


def test_the_comparison_marks_the_best_of_each_row(executed):
    cells, _ = executed
    html = _data(cells["comparison"], "text/html")
    assert "hedge-fund-consensus-14" in html and "microcap-screen-20" in html
    assert html.count("&#9733;") >= 10 and "SYNTHETIC DATA" in html


def test_the_sweep_shows_its_best_rows_and_overfitting(executed):
    cells, _ = executed
    html = _data(cells["sweep"], "text/html")
    assert "6 combinations of top_n, lag_days" in html
    assert "probability of backtest overfitting" in html and "deflated Sharpe ratio" in html
    figures = ast.literal_eval(_data(cells["overfitting"], "text/plain"))
    assert 0.0 <= figures["pbo"] <= 1.0 and 0.0 <= figures["dsr"] <= 1.0
    assert f"{figures['pbo']:.3f}" in html and f"{figures['dsr']:.3f}" in html
    wf = _data(cells["walk-forward"], "text/html")
    assert "Walk-forward (rolling)" in wf and "out of sample, stitched" in wf


def test_the_tearsheet_is_written_and_agrees_with_the_display(executed):
    cells, folder = executed
    report = folder / "consensus-report.html"
    assert report.exists()
    printed = "".join(o.get("text", "") for o in cells["report"].outputs if o.get("output_type") == "stream")
    assert f"report written to {report.resolve()}" in printed  # no browser in the suite: the path instead
    # The notebook's headline and the report are two renderers of one metrics document.
    shown, written = _data(cells["consensus"], "text/html"), report.read_text(encoding="utf-8")
    for row in ("Total return", "Sharpe", "Max drawdown"):
        for col in range(3):
            assert _cell_value(shown, row, col) == _cell_value(written, row, col), (row, col)
