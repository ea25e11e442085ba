"""`hedgeclone data prices|shares|info|returns`: fetch, import and inspect prices and shares."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hedgeclone.backtest.cli.data_store import StoreOpt, date_option, open_store
from hedgeclone.errors import InputError

console = Console()


def _print_report(title: str, lines: list[str]) -> None:
    console.print(f"[bold]{escape(title)}[/]", highlight=False)
    for line in lines:
        style = "yellow" if line.startswith("warning") else ("red" if line.startswith("failed") else "")
        console.print(f"  {escape(line)}", style=style or None, highlight=False)


def prices_import(
    files: list[Path] = typer.Argument(..., help="CSV/Parquet files (gzip allowed): long, wide or Date,Close."),
    ticker: str = typer.Option(None, "--ticker", help="Ticker of a single-series file (default: from the file name)."),
    field: str = typer.Option(None, "--field", help="Field of a single-column or wide file: close or raw_close."),
    strict: bool = typer.Option(False, "--strict", help="Two different rows for one ticker and date are an error."),
    store: str | None = StoreOpt,
) -> None:
    """Import price files into the store, all or nothing (validated; repairs are counted and reported)."""
    from hedgeclone.data.prices.load import import_price_files

    if field is not None and field not in ("close", "raw_close"):
        raise InputError(f"--field must be close or raw_close, not {field!r}")
    if ticker is not None and len(files) > 1:
        raise InputError("--ticker applies to one file; import files one at a time or name them TICKER.csv")
    st = open_store(store, read=False)
    with console.status("reading ...") as status:
        reports = import_price_files(st, files, ticker=ticker, field=field, strict=strict,
                                     progress=lambda name: status.update(f"reading {escape(name)} ..."))
    for path, rep in zip(files, reports, strict=True):
        _print_report(
            f"{path}: {rep.rows:,} rows, {rep.tickers:,} ticker(s), {rep.first.date()} to {rep.last.date()} ({', '.join(rep.fields)})",
            rep.lines(),
        )


def prices_fetch(
    tickers: list[str] = typer.Argument(..., help="Tickers or benchmark names (sp500, russell-microcap, ...)."),
    start: str = typer.Option(None, "--start", help="First date (default: all history)."),
    end: str = typer.Option(None, "--end", help="Last date (default: today)."),
    retries: int = typer.Option(4, "--retries", help="Retries per ticker after errors or rate limits."),
    store: str | None = StoreOpt,
) -> None:
    """Download prices from Yahoo (yfinance) into the store; only missing dates are fetched."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from hedgeclone.data.prices.benchmarks import resolve_benchmark
    from hedgeclone.data.prices.yahoo import RetryPolicy, fetch_prices

    start, end = date_option(start, "--start"), date_option(end, "--end")
    if start is not None and end is not None and start > end:
        raise InputError(f"--start {start.date()} is after --end {end.date()}")
    if retries < 0:
        raise InputError(f"--retries must be >= 0, not {retries}")
    names = [resolve_benchmark(t) for t in tickers]
    st = open_store(store, read=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("yfinance", total=len(names))
        rep = fetch_prices(st, names, start, end, policy=RetryPolicy(retries=retries), on_ticker=lambda t: bar.advance(task))
    _print_report("yfinance", rep.lines())


def shares_import(
    files: list[Path] = typer.Argument(
        ..., help="Screener snapshots (Symbol, Market Cap, Last Sale), ticker,known_from,shares files, or SEC companyfacts JSON."
    ),
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default: a YYYY-MM-DD in the file name)."),
    ticker: str = typer.Option(None, "--ticker", help="Ticker of an SEC companyfacts JSON file."),
    company_tickers: Path = typer.Option(
        None, "--company-tickers",
        help="SEC company_tickers.json joining CIK to ticker (needed for an SEC shares snapshot JSON)."),
    store: str | None = StoreOpt,
) -> None:
    """Import shares outstanding, all or nothing; a snapshot's counts are known from its date, SEC facts from their
    filing date, an SEC shares snapshot's from its shares_date + 90 days (the 10-K deadline)."""
    from hedgeclone.data.prices.shares import (
        is_sec_snapshot,
        parse_company_tickers,
        parse_sec_companyfacts,
        parse_sec_snapshot,
        parse_shares_file,
        store_shares,
    )

    when = date_option(as_of, "--as-of")
    st = open_store(store, read=False)
    parsed = []
    for path in files:
        if path.suffix.lower() == ".json" and _is_snapshot(path, is_sec_snapshot):
            if company_tickers is None:
                raise InputError(f"{path}: an SEC shares snapshot names CIKs: pass --company-tickers company_tickers.json")
            ciks = parse_company_tickers(_read(company_tickers), name=str(company_tickers))
            frame, rep = parse_sec_snapshot(_read(path), name=str(path), tickers=ciks)
        elif path.suffix.lower() == ".json":
            if not ticker:
                raise InputError(f"{path}: SEC companyfacts JSON needs --ticker (the file names a CIK, not a ticker)")
            try:
                payload = path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path}: cannot read file ({exc.strerror})") from exc
            frame, rep = parse_sec_companyfacts(payload, name=str(path), ticker=ticker)
        else:
            frame, rep = parse_shares_file(path, name=str(path), as_of=when)
        parsed.append((path, frame, rep))
    with st.transaction():
        totals = [store_shares(st, frame) for _, frame, _ in parsed]
    for (path, _, rep), total in zip(parsed, totals, strict=True):
        _print_report(f"{path}: {rep.rows:,} share counts known from {rep.first.date()} ({total:,} stored)", rep.lines())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from exc


def _is_snapshot(path: Path, test) -> bool:
    import json

    try:
        return bool(test(json.loads(_read(path))))
    except ValueError:
        return False  # not JSON at all: the companyfacts parser names the problem


def splits_import(
    files: list[Path] = typer.Argument(..., help="CSV/Parquet split tables: ticker,date,ratio (new shares per old)."),
    store: str | None = StoreOpt,
) -> None:
    """Repair suspect prices with split tables, all or nothing: prices before each split date are divided by its
    ratio and volumes multiplied, and the mark is cleared (ratio 1 clears a mark that is a real move)."""
    import pandas as pd

    from hedgeclone.data.prices.suspect import apply_splits, parse_split_file

    st = open_store(store, read=False)
    splits = pd.concat([parse_split_file(path, name=str(path)) for path in files], ignore_index=True)
    report = apply_splits(st, splits, ", ".join(str(p) for p in files))
    _print_report(f"{len(splits):,} split row(s)", report.lines())


def splits_fetch(
    tickers: list[str] = typer.Argument(None, help="Tickers (default: every ticker with a suspect price)."),
    store: str | None = StoreOpt,
) -> None:
    """Fetch split histories from Yahoo (yfinance) and repair the suspect prices they explain."""
    from hedgeclone.data.prices.yahoo import fetch_splits

    st = open_store(store, read=False)
    with console.status("yfinance splits ..."):
        report, fetch = fetch_splits(st, tickers or None)
    _print_report("yfinance splits", [*report.lines(), *fetch.lines()[1:]])


def shares_fetch(
    tickers: list[str] = typer.Argument(..., help="Tickers."),
    start: str = typer.Option(None, "--start", help="First date (default: 2000-01-01; yfinance only)."),
    end: str = typer.Option(None, "--end", help="Last date (default: today; yfinance only)."),
    source: str = typer.Option(
        "yfinance", "--source",
        help="yfinance (share history) or sec (XBRL dei:EntityCommonStockSharesOutstanding via edgartools; "
             "needs $EDGAR_IDENTITY; a ticker fetched in the last day is not asked again).",
    ),
    store: str | None = StoreOpt,
) -> None:
    """Download share counts into the store: Yahoo's share history, or SEC company facts (--source sec)."""
    if source == "sec":
        from hedgeclone.data.prices.sec import fetch_sec_shares

        with console.status("SEC company facts ..."):
            sec_report = fetch_sec_shares(open_store(store, read=False), tickers)
        _print_report("SEC shares outstanding", sec_report.lines())
        if sec_report.failed and not (sec_report.fetched or sec_report.cached):
            raise typer.Exit(1)
        return
    if source != "yfinance":
        raise InputError(f"--source must be yfinance or sec, not {source!r}")
    from hedgeclone.data.prices.yahoo import fetch_shares

    start, end = date_option(start, "--start"), date_option(end, "--end")
    with console.status("yfinance share counts ..."):
        rep = fetch_shares(open_store(store, read=False), tickers, start, end)
    _print_report("yfinance shares", rep.lines())


def info(store: str | None = StoreOpt) -> None:
    """What the store holds: tickers, date ranges, sizes, survivorship coverage (delistings apart from data ends)."""
    from hedgeclone.data.prices import store as pstore
    from hedgeclone.data.prices.coverage import coverage_of_ranges, coverage_warning
    from hedgeclone.data.prices.sources import MISSING_NOTE, source_ends

    st = open_store(store, read=True)
    manifest = st.manifest()
    ranges = pstore.ticker_ranges(st)
    table = Table(title=escape(f"store {st.root}"))
    for col in ("table", "rows", "MB"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for name, entry in sorted(manifest.items()):
        table.add_row(escape(name), f"{entry['rows']:,}", f"{entry['bytes'] / 1e6:.1f}")
    console.print(table)
    if ranges.empty:
        console.print("no prices stored")
        return
    ends = source_ends(st)
    cov = coverage_of_ranges(ranges, source_end=ends)
    console.print(f"prices: {len(ranges):,} tickers, {int(ranges['rows'].sum()):,} rows, "
                  f"{ranges['first'].min().date()} to {ranges['last'].max().date()}")
    console.print(f"survivorship coverage: {cov.summary()}")
    if ends is None:
        console.print(f"note: {escape(MISSING_NOTE)}", highlight=False)
    _print_suspect(st)
    warning = coverage_warning(cov, "store")
    if warning:
        console.print(f"warning: {escape(warning)}", style="yellow", highlight=False)
    if len(ranges) <= 20:
        detail = Table()
        for col in ("ticker", "first", "last", "rows"):
            detail.add_column(col)
        for row in ranges.itertuples():
            detail.add_row(escape(str(row.ticker)), str(row.first.date()), str(row.last.date()), f"{row.rows:,}")
        console.print(detail)


def _print_suspect(st) -> None:
    from hedgeclone.data.prices.suspect import suspect_prices

    marks = suspect_prices(st)
    if marks.empty:
        console.print("suspect prices: none (no unrepaired split-like one-day moves)")
        return
    console.print(f"suspect prices: {len(marks):,} unrepaired split-like one-day move(s) in {marks['ticker'].nunique():,} "
                  "ticker(s); strategies leave these names out while a move is in their look-back window "
                  "(repair: `hedgeclone data splits import FILE`)", style="yellow", highlight=False)
    detail = Table()
    for col in ("ticker", "date", "ratio", "source"):
        detail.add_column(col, justify="right" if col == "ratio" else "left")
    shown = marks.sort_values("date", ascending=False).head(20)
    for row in shown.itertuples():
        detail.add_row(escape(str(row.ticker)), str(row.date.date()), f"x{row.ratio:.4g}", escape(Path(str(row.source)).name))
    console.print(detail)
    if len(marks) > len(shown):
        console.print(f"... and {len(marks) - len(shown):,} more (the {len(shown)} latest shown)")


def returns(
    ticker: str = typer.Argument(..., help="Ticker or benchmark name (sp500, russell-microcap, russell-2000, sp600)."),
    start: str = typer.Option(..., "--start", help="Start date: the return runs from its close."),
    end: str = typer.Option(..., "--end", help="End date: the return runs to its close."),
    store: str | None = StoreOpt,
) -> None:
    """Total return from the close of --start to the close of --end, printed last as +12.34%."""
    from hedgeclone.data.prices.benchmarks import resolve_benchmark, total_return

    first, last = date_option(start, "--start"), date_option(end, "--end")
    if first > last:
        raise InputError(f"--start {start} is after --end {end}")
    st = open_store(store, read=True)
    value = total_return(resolve_benchmark(ticker), first, last, store=st)
    console.print(escape(f"{resolve_benchmark(ticker)} total return, close {start} to close {end}:"), highlight=False)
    print(f"{value * 100:+.2f}%")


def register(data_app: typer.Typer) -> None:
    """Add the `prices` and `shares` sub-commands and `info`, `returns` to `data_app`."""
    prices_app = typer.Typer(help="Fetch and import daily prices.", no_args_is_help=True)
    prices_app.command("import")(prices_import)
    prices_app.command("fetch")(prices_fetch)
    shares_app = typer.Typer(help="Import shares outstanding (for point-in-time market caps).", no_args_is_help=True)
    shares_app.command("import")(shares_import)
    shares_app.command("fetch")(shares_fetch)
    data_app.add_typer(prices_app, name="prices")
    data_app.add_typer(shares_app, name="shares")
    splits_app = typer.Typer(help="Repair suspect prices (unadjusted splits) with split tables.", no_args_is_help=True)
    splits_app.command("import")(splits_import)
    splits_app.command("fetch")(splits_fetch)
    data_app.add_typer(splits_app, name="splits")
    data_app.command("info")(info)
    data_app.command("returns")(returns)
