"""HTML building blocks shared by reports and comparisons: one offline page with plotly.js embedded."""

from __future__ import annotations

import html
import json
import math
import pkgutil
from functools import cache, lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["page", "page_bytes", "fragment", "figure_div", "table_html", "table_rows", "table_of_rows", "pct", "num", "esc"]

# Rules of the blocks (tables, caveats): a page and a notebook fragment both use them.
PARTS_CSS = """
table.t{border-collapse:collapse;margin:8px 0;font-size:0.9em}
table.t th,table.t td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
table.t th:first-child,table.t td:first-child{text-align:left}
table.t td.best{font-weight:bold;background:#e7f5e7}
.caveat{background:#fff4e5;border-left:4px solid #f0a030;padding:8px 12px;margin:8px 0;color:#222}
.note{color:#555} details{margin:4px 0} summary{cursor:pointer}
.neg{color:#b02020} .pos{color:#1a7a1a}
"""
CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px} h2{font-size:1.25em;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin-top:0}
""" + PARTS_CSS


@lru_cache(maxsize=1)
def _plotly_js_bytes() -> bytes:
    """plotly.min.js as plotly ships it (UTF-8), what ``plotly.offline.get_plotlyjs()`` decodes."""
    data = pkgutil.get_data("plotly", "package_data/plotly.min.js")
    if data is None:
        from plotly.offline import get_plotlyjs

        data = get_plotlyjs().encode("utf-8")
    return data


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _around_plotly_js(title: str, body: str) -> tuple[str, str]:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style><script type=\"text/javascript\">",
            f"</script></head>\n<body>\n{body}\n</body></html>\n")


def page(title: str, body: str) -> str:
    """A complete HTML document: `body` under `title`, with plotly.js inlined (works offline)."""
    head, tail = _around_plotly_js(title, body)
    return head + _plotly_js_bytes().decode("utf-8") + tail


def page_bytes(title: str, body: str) -> bytes:
    """``page(title, body)`` encoded as UTF-8, built as bytes: plotly.js has non-ASCII characters, so as
    a Python string the page takes 4 bytes a character and its build and encoding copy 12 MB each."""
    head, tail = _around_plotly_js(title, body)
    return b"".join((head.encode("utf-8"), _plotly_js_bytes(), tail.encode("utf-8")))


def fragment(body: str) -> str:
    """`body` as a notebook cell shows it (``_repr_html_``): one block with the tables' rules, no scripts."""
    return f"<div class=\"hedgeclone\"><style>{PARTS_CSS}</style>\n{body}\n</div>"


@cache
def _template() -> dict:
    """plotly_white as JSON, read from plotly's own file: what ``pio.templates["plotly_white"]
    .to_plotly_json()`` gives, without building and validating the template object (0.04 s)."""
    data = pkgutil.get_data("plotly", "package_data/templates/plotly_white.json")
    return json.loads(data) if data else pio.templates["plotly_white"].to_plotly_json()


def figure_div(fig: go.Figure | dict, div_id: str) -> str:
    """`fig` (a figure or a spec of `backtest.figures`) as a div and the script drawing it (plotly.js is
    expected on the page), in the report's style (plotly_white, fixed height)."""
    # As JSON, not through update_layout: setting a template deep-copies and re-validates it,
    # which was most of a report's time.
    spec = dict(fig) if isinstance(fig, dict) else fig.to_plotly_json()
    spec["layout"] = {**spec["layout"], "template": _template(), "margin": dict(l=60, r=20, t=40, b=40), "height": 420}
    return pio.to_html(spec, full_html=False, include_plotlyjs=False, div_id=div_id, validate=False,
                       config={"displaylogo": False, "responsive": True})


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def pct(x, digits: int = 2, sign: bool = True) -> str:
    """A fraction as a percentage (0.1772 -> '+17.72%'); 'n/a' for missing values."""
    if not _finite(x):
        return "n/a"
    return f"{100 * x:+.{digits}f}%" if sign else f"{100 * x:.{digits}f}%"


def num(x, digits: int = 2) -> str:
    """A plain number with `digits` decimals; 'n/a' for missing values."""
    return f"{x:.{digits}f}" if _finite(x) else "n/a"


def table_html(frame: pd.DataFrame, *, best: dict[tuple[int, int], bool] | None = None, index: bool = True) -> str:
    """`frame` (already formatted as strings) as an HTML table; cells in `best` are marked."""
    return table_of_rows(frame, table_rows(frame, best=best, index=index), index=index)


def table_rows(frame: pd.DataFrame, *, best: dict[tuple[int, int], bool] | None = None,
               index: bool = True) -> list[str]:
    """The ``<tr>`` of each row of `frame`, as `table_html` writes them (for tables cut from one frame)."""
    best = best or {}
    rows = []
    for i, (label, row) in enumerate(zip(frame.index, frame.to_numpy(dtype=object), strict=True)):
        cells = [f"<td>{esc(label)}</td>"] if index else []
        for j, value in enumerate(row):
            cls = ' class="best"' if best.get((i, j)) else ""
            mark = " &#9733;" if best.get((i, j)) else ""
            cells.append(f"<td{cls}>{esc(value)}{mark}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


def table_of_rows(frame: pd.DataFrame, rows: list[str], *, index: bool = True) -> str:
    """An HTML table with the columns of `frame` and the ``<tr>`` `rows` (from `table_rows`)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in ([frame.index.name or ""] if index else []) + list(frame.columns))
    return f'<table class="t"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
