"""`hedgeclone data delistings import|show`: delisting dates and returns, applied by markets read from the store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from hedgeclone.backtest.cli.data_store import StoreOpt, open_store

console = Console()


def delistings_import(
    files: list[Path] = typer.Argument(..., help="CSV/Parquet files (gzip allowed) with ticker, date, delisting_return."),
    store: str | None = StoreOpt,
) -> None:
    """Import delisting files, all or nothing: each row's ticker leaves on its date, a holder getting the last
    close times 1 + delisting_return (a fraction: -0.3 is a 30% loss); a later file wins for a ticker."""
    from hedgeclone.atomic import sha256_file
    from hedgeclone.data.prices.delistings import parse_delistings, store_delistings

    st = open_store(store, read=False)
    parsed = [(path, parse_delistings(path, str(path))) for path in files]  # every file read before anything is written
    digests = [sha256_file(path) for path, _ in parsed]
    with st.transaction():
        totals = [store_delistings(st, frame, source=str(path), sha256=digest)
                  for (path, frame), digest in zip(parsed, digests, strict=True)]
    for (path, frame), total in zip(parsed, totals, strict=True):
        console.print(escape(f"{path}: {len(frame):,} delisting(s), {frame['date'].min().date()} to "
                             f"{frame['date'].max().date()} ({total:,} stored)"), highlight=False, soft_wrap=True)


def delistings_show(store: str | None = StoreOpt) -> None:
    """The stored delistings: ticker, date, delisting return and the file each came from."""
    from rich.table import Table

    from hedgeclone.data.prices.delistings import load_delistings

    table = load_delistings(open_store(store, read=True))
    if not len(table):
        console.print("no delistings imported (`hedgeclone data delistings import FILE`)")
        return
    out = Table(title=f"{len(table):,} delisting(s)")
    for col in ("ticker", "date", "delisting_return", "source"):
        out.add_column(col)
    for row in table.head(50).itertuples():
        out.add_row(escape(str(row.ticker)), str(row.date.date()), f"{row.delisting_return:+.2%}", escape(str(row.source)))
    console.print(out)
    if len(table) > 50:
        console.print(f"... and {len(table) - 50:,} more")


def register(data_app: typer.Typer) -> None:
    """Add the `delistings` sub-commands to `data_app`."""
    app = typer.Typer(help="Import delisting dates and returns (ticker, date, delisting_return).", no_args_is_help=True)
    app.command("import")(delistings_import)
    app.command("show")(delistings_show)
    data_app.add_typer(app, name="delistings")
