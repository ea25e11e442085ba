"""`hedgeclone data prices|shares|info|returns`: fetch, import and inspect prices and shares."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hedgeclone.errors import InputError

console = Console()

StoreOpt = typer.Option(None, "--store", help="Store directory (default: $HEDGECLONE_STORE or the user cache).")


def _store(path: Path | None):
    from hedgeclone.data.store import Store

    return Store(path)


def _print_report(title: str, lines: list[str]) -> None:
    console.print(f"[bold]{title}[/]")
    for line in lines:
        style = "yellow" if line.startswith("warning") else ("red" if line.startswith("failed") else "")
        console.print(f"  {line}", style=style or None, highlight=False)


def prices_import(
    files: list[Path] = typer.Argument(..., help="CSV/Parquet files (gzip allowed): long, wide or Date,Close."),
    ticker: str = typer.Option(None, "--ticker", help="Ticker of a single-series file (default: from the file name)."),
    field: str = typer.Option(None, "--field", help="Field of a single-column or wide file: close or raw_close."),
    strict: bool = typer.Option(False, "--strict", help="Two different rows for one ticker and date are an error."),
    store: Path = StoreOpt,
) -> None:
    """Import price files into the store (validated; repairs are counted and reported)."""
    from hedgeclone.data.prices.load import import_price_file

    if field is not None and field not in ("close", "raw_close"):
        raise InputError(f"--field must be close or raw_close, not {field!r}")
    if ticker is not None and len(files) > 1:
        raise InputError("--ticker applies to one file; import files one at a time or name them TICKER.csv")
    st = _store(store)
    for path in files:
        with console.status(f"importing {path} ..."):
            rep = import_price_file(st, path, ticker=ticker, field=field, strict=strict)
        _print_report(
            f"{path}: {rep.rows:,} rows, {rep.tickers:,} ticker(s), {rep.first.date()} to {rep.last.date()} ({', '.join(rep.fields)})",
            rep.lines(),
        )


def prices_fetch(
    tickers: list[str] = typer.Argument(..., help="Tickers or benchmark names (sp500, russell-microcap, ...)."),
    start: str = typer.Option(None, "--start", help="First date (default: all history)."),
    end: str = typer.Option(None, "--end", help="Last date (default: today)."),
    retries: int = typer.Option(4, "--retries", help="Retries per ticker after errors or rate limits."),
    store: Path = StoreOpt,
) -> None:
    """Download prices from Yahoo (yfinance) into the store; only missing dates are fetched."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from hedgeclone.data.prices.benchmarks import resolve_benchmark
    from hedgeclone.data.prices.yahoo import RetryPolicy, fetch_prices

    names = [resolve_benchmark(t) for t in tickers]
    st = _store(store)
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
    store: Path = StoreOpt,
) -> None:
    """Import shares outstanding; a snapshot's counts are known from its date, SEC facts from their filing date."""
    import pandas as pd

    from hedgeclone.data.prices.shares import parse_sec_companyfacts, parse_shares_file, store_shares

    when = pd.Timestamp(as_of) if as_of else None
    st = _store(store)
    for path in files:
        if path.suffix.lower() == ".json":
            if not ticker:
                raise InputError(f"{path}: SEC companyfacts JSON needs --ticker (the file names a CIK, not a ticker)")
            try:
                payload = path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path}: cannot read file ({exc.strerror})") from exc
            frame, rep = parse_sec_companyfacts(payload, name=str(path), ticker=ticker)
        else:
            frame, rep = parse_shares_file(path, name=str(path), as_of=when)
        total = store_shares(st, frame)
        _print_report(f"{path}: {rep.rows:,} share counts known from {rep.first.date()} ({total:,} stored)", rep.lines())


def shares_fetch(
    tickers: list[str] = typer.Argument(..., help="Tickers."),
    start: str = typer.Option(None, "--start", help="First date (default: 2000-01-01; yfinance only)."),
    end: str = typer.Option(None, "--end", help="Last date (default: today; yfinance only)."),
    source: str = typer.Option(
        "yfinance", "--source",
        help="yfinance (share history) or sec (XBRL dei:EntityCommonStockSharesOutstanding via edgartools; "
             "needs $EDGAR_IDENTITY; a ticker fetched in the last day is not asked again).",
    ),
    store: Path = StoreOpt,
) -> None:
    """Download share counts into the store: Yahoo's share history, or SEC company facts (--source sec)."""
    if source == "sec":
        from hedgeclone.data.prices.sec import fetch_sec_shares

        with console.status("SEC company facts ..."):
            sec_report = fetch_sec_shares(_store(store), tickers)
        _print_report("SEC shares outstanding", sec_report.lines())
        if sec_report.failed and not (sec_report.fetched or sec_report.cached):
            raise typer.Exit(1)
        return
    if source != "yfinance":
        raise InputError(f"--source must be yfinance or sec, not {source!r}")
    from hedgeclone.data.prices.yahoo import fetch_shares

    with console.status("yfinance share counts ..."):
        rep = fetch_shares(_store(store), tickers, start, end)
    _print_report("yfinance shares", rep.lines())


def info(store: Path = StoreOpt) -> None:
    """What the store holds: tickers, date ranges, sizes, survivorship coverage."""
    from hedgeclone.data.prices import store as pstore
    from hedgeclone.data.prices.coverage import coverage_of_ranges, coverage_warning

    st = _store(store)
    manifest = st.manifest()
    ranges = pstore.ticker_ranges(st)
    table = Table(title=f"store {st.root}")
    for col in ("table", "rows", "MB"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for name, entry in sorted(manifest.items()):
        table.add_row(name, f"{entry['rows']:,}", f"{entry['bytes'] / 1e6:.1f}")
    console.print(table)
    if ranges.empty:
        console.print("no prices stored")
        return
    cov = coverage_of_ranges(ranges)
    console.print(f"prices: {len(ranges):,} tickers, {int(ranges['rows'].sum()):,} rows, "
                  f"{ranges['first'].min().date()} to {ranges['last'].max().date()}")
    console.print(f"survivorship coverage: {cov.summary()}")
    warning = coverage_warning(cov, "store")
    if warning:
        console.print(f"warning: {warning}", style="yellow")
    if len(ranges) <= 20:
        detail = Table()
        for col in ("ticker", "first", "last", "rows"):
            detail.add_column(col)
        for row in ranges.itertuples():
            detail.add_row(row.ticker, str(row.first.date()), str(row.last.date()), f"{row.rows:,}")
        console.print(detail)


def returns(
    ticker: str = typer.Argument(..., help="Ticker or benchmark name (sp500, russell-microcap, russell-2000, sp600)."),
    start: str = typer.Option(..., "--start", help="Start date: the return runs from its close."),
    end: str = typer.Option(..., "--end", help="End date: the return runs to its close."),
    store: Path = StoreOpt,
) -> None:
    """Total return from the close of --start to the close of --end, printed last as +12.34%."""
    from hedgeclone.data.prices.benchmarks import resolve_benchmark, total_return

    st = _store(store)
    value = total_return(resolve_benchmark(ticker), start, end, store=st)
    console.print(f"{resolve_benchmark(ticker)} total return, close {start} to close {end}:")
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
    data_app.command("info")(info)
    data_app.command("returns")(returns)
