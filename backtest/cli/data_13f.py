"""`hedgeclone data 13f ...`: import, fetch and inspect 13F holdings in the local store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hedgeclone.backtest.cli.data_store import StoreOpt, date_option, open_store

if TYPE_CHECKING:
    import pandas as pd

HOLDINGS_CSV = ["cik", "filer_name", "period", "filed", "accession", "cusip", "ticker", "issuer",
                "value_usd", "shares", "put_call"]
HOLDERS_CSV = ["issuer", "ticker", "name", "holders", "value_usd", "conviction", "top10", "cusips"]

def _print_report(console: Console, report) -> None:
    console.print(f"stored {report.filings} filings, {report.holdings} holdings "
                  f"in {len(report.batches)} batch(es)")
    for reason, n in sorted(report.skipped.items()):
        console.print(f"  left out: {n} x {escape(str(reason))}", highlight=False)
    if report.unmapped is not None and report.unmapped.cusips:
        console.print(escape(f"  {report.unmapped} (tickers <NA>; add them with --cusip-map FILE)"), highlight=False)


def _table(frame: pd.DataFrame, columns: list[str], title: str) -> Table:
    import pandas as pd  # here, not at the top: keeps `hedgeclone --help` fast

    table = Table(title=escape(title))
    for col in columns:
        table.add_column(col, justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for row in frame[columns].itertuples(index=False):
        cells = []
        for v in row:
            if v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                cells.append("")
            elif isinstance(v, float):
                cells.append(f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}")
            elif isinstance(v, pd.Timestamp):
                cells.append(f"{v:%Y-%m-%d}")
            else:
                cells.append(escape(str(v)))  # issuer and filer names are data, not markup
        table.add_row(*cells)
    return table


def _csv(frame: pd.DataFrame, columns: list[str]) -> None:
    import pandas as pd  # here, not at the top: keeps `hedgeclone --help` fast

    out = frame[columns].copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(sys.stdout, index=False)


def _ciks(ciks: list[int]) -> list[int]:
    """`--cik` values, each a positive SEC CIK (at most 10 digits)."""
    from hedgeclone.errors import InputError

    for c in ciks:
        if not 0 < c < 10**10:
            raise InputError(f"--cik {c} is not a CIK (a positive number of at most 10 digits)")
    return ciks


def register(data_app: typer.Typer) -> None:
    """Add the ``13f`` command group to `data_app`."""
    app = typer.Typer(help="13F holdings: import, fetch from EDGAR, and point-in-time views.",
                      no_args_is_help=True)
    data_app.add_typer(app, name="13f")

    @app.command("import")
    def import_cmd(
        paths: list[Path] = typer.Argument(..., help="Files: SEC data-set .zip, submission .txt/.nc, "
                                           "infotable + cover-page .xml, or a holdings .csv/.parquet."),
        mapping: str | None = typer.Option(None, "--mapping", help="Column mapping for tables: a shipped "
                                           "name (superinvestoren, hedgeclone) or a .toml file."),
        cusip_map: Path | None = typer.Option(None, "--cusip-map", help="CSV cusip,ticker overriding "
                                              "edgartools' bundled map."),
        store: str | None = StoreOpt,
    ) -> None:
        """Import local 13F files into the store (all or nothing)."""
        from hedgeclone.data.thirteenf.cusips import load_cusip_map
        from hedgeclone.data.thirteenf.importers import import_paths

        console = Console(stderr=True)
        cmap = load_cusip_map(cusip_map)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("importing", total=None)
            report = import_paths(open_store(store, read=False), paths, mapping=mapping, cusip_map=cmap,
                                  progress=lambda what: progress.update(task, description=f"reading {escape(what)}"))
        _print_report(Console(), report)

    @app.command("fetch")
    def fetch_cmd(
        cik: list[int] = typer.Option(..., "--cik", help="Filer CIK (repeat for several)."),
        cusip_map: Path | None = typer.Option(None, "--cusip-map", help="CSV cusip,ticker override."),
        refresh: bool = typer.Option(False, "--refresh", help="List filings again even if listed today."),
        store: str | None = StoreOpt,
    ) -> None:
        """Fetch 13F-HR filings by CIK from EDGAR via edgartools ($EDGAR_IDENTITY required)."""
        import pandas as pd  # here, not at the top: keeps `hedgeclone --help` fast

        from hedgeclone.data.thirteenf.cusips import load_cusip_map
        from hedgeclone.data.thirteenf.fetch import edgar_identity, fetch_ciks

        edgar_identity()
        console = Console(stderr=True)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("listing filings", total=None)
            report = fetch_ciks(open_store(store, read=False), _ciks(cik), cusip_map=load_cusip_map(cusip_map),
                                max_age=pd.Timedelta(0) if refresh else pd.Timedelta(days=1),
                                progress=lambda what: progress.update(task, description=escape(what)))
        _print_report(Console(), report)

    @app.command("holdings")
    def holdings_cmd(
        cik: list[int] = typer.Option(..., "--cik", help="Filer CIK (repeat for several)."),
        as_of: str = typer.Option(..., "--as-of", help="Decision date YYYY-MM-DD: filings filed by then."),
        options: bool = typer.Option(False, "--options", help="Include PUT and CALL rows."),
        csv: bool = typer.Option(False, "--csv", help="Write CSV to stdout instead of a table."),
        store: str | None = StoreOpt,
    ) -> None:
        """Holdings of filers as known on a date (latest period, amendments applied)."""
        from hedgeclone.data.thirteenf.storage import StoreHoldings

        when = date_option(as_of, "--as-of")
        frame = StoreHoldings(open_store(store, read=True)).holdings_as_of(when, ciks=_ciks(cik),
                                                                           include_options=options)
        if csv:
            _csv(frame, HOLDINGS_CSV)
            return
        cols = ["cik", "period", "filed", "cusip", "ticker", "issuer", "value_usd", "shares", "put_call"]
        Console().print(_table(frame, cols, f"13F holdings known on {when:%Y-%m-%d}"))

    @app.command("holders")
    def holders_cmd(
        as_of: str = typer.Option(..., "--as-of", help="Decision date YYYY-MM-DD."),
        top: int = typer.Option(25, "--top", min=1, help="Show the N most-held issuers."),
        csv: bool = typer.Option(False, "--csv", help="Write CSV to stdout instead of a table."),
        max_age: int = typer.Option(1, "--max-filing-age-quarters", min=0,
                                    help="Filers whose latest report is older than this many quarters are stale."),
        store: str | None = StoreOpt,
    ) -> None:
        """Issuers by number of distinct 13F holders known on a date (the 13F counting rules)."""
        from hedgeclone.data.market import load_market
        from hedgeclone.data.thirteenf.index import HoldingsIndex
        from hedgeclone.data.thirteenf.storage import StoreHoldings
        from hedgeclone.errors import DataError
        from hedgeclone.strategies.view import PointInTimeView

        when = date_option(as_of, "--as-of")
        db = open_store(store, read=True)
        try:  # the market's holdings carry tickers spelled as the price data spells them
            market = load_market("store", store=db, benchmarks=(), start=when, end=when)
            holdings, priced = market.holdings, PointInTimeView(market, when).tradable()
            if holdings is None:
                raise DataError(f"store {db.root}: no 13F holdings")
        except DataError:  # no prices in the store: the most-held mapped class stands in
            holdings, priced = StoreHoldings(db).all(), None
        counts = HoldingsIndex(holdings).issuers_as_of(when, max_age_quarters=max_age)
        frame = counts.listing(priced).head(top)
        if csv:
            _csv(frame, HOLDERS_CSV)
            return
        console = Console()
        console.print(_table(frame, HOLDERS_CSV, f"13F holders known on {when:%Y-%m-%d}"))
        console.print(f"{counts.filers} filers counted" + (f"; {counts.stale_note()}" if counts.stale else "")
                      + ("" if priced is not None else "; no prices in the store: ticker = most-held class"))
