"""`hedgeclone data verify` and `hedgeclone data repair`: check the store and bring it back to a clean state."""

from __future__ import annotations

import typer

# A str, not a Path: typer turns "" into Path("."), and `--store ''` must be refused, not the current folder.
StoreOpt = typer.Option(None, "--store", help="Store directory (default: $HEDGECLONE_STORE or the user cache).")


def open_store(path: str | None, *, read: bool):
    """The `Store` at `--store` (default store if None); `read=True` also requires it to exist.

    ``--store ''`` and a path that is a file are refused (`InputError`); a reading command on a
    missing directory is an error naming it, not an empty store.
    """
    # Store imports pandas and duckdb: imported here to keep `hedgeclone --help` fast.
    from hedgeclone.data.store import Store

    if path is not None and not path.strip():
        from hedgeclone.errors import InputError

        raise InputError("--store '' names no directory: give a path, or leave the option out for the default store")
    store = Store(path)
    return store.require() if read else store


def verify(store: str | None = StoreOpt) -> None:
    """Check every table's checksum and look for unmanaged files and leftovers of interrupted commits.

    Prints one line per table and per problem; exit status 0 when clean, 2 otherwise.
    """
    from rich.console import Console
    from rich.markup import escape

    st = open_store(store, read=False)
    if not st.root.is_dir():
        from hedgeclone.errors import DataError

        raise DataError(f"store {st.root}: no such directory (a mistyped --store?)")
    report = st.check()
    console = Console()
    for name, status in report.tables.items():
        style = "green" if status == "ok" else "red"
        console.print(f"[{style}]{status:>7}[/] {escape(name)}", highlight=False)
    if report.clean:
        console.print(f"store {escape(str(st.root))}: {len(report.tables)} table(s), clean", highlight=False)
        return
    from hedgeclone.backtest.cli.app import print_error

    for line in report.problems:
        print_error(line, prefix="problem:")
    print_error(f"store {st.root}: {len(report.problems)} problem(s); `hedgeclone data repair` fixes them")
    raise typer.Exit(2)


def repair(store: str | None = StoreOpt) -> None:
    """Restore or drop corrupt tables (quarantining their files), rebuild a lost manifest, remove leftovers."""
    from rich.console import Console
    from rich.markup import escape

    st = open_store(store, read=False)
    actions = st.repair()
    console = Console()
    for line in actions:
        console.print(f"  {escape(line)}", highlight=False)
    after = st.check()
    console.print(f"store {escape(str(st.root))}: {len(actions)} repair(s); {len(after.tables)} table(s), "
                  + ("clean" if after.clean else f"{len(after.problems)} problem(s) left"), highlight=False)
    if not after.clean:
        raise typer.Exit(2)


def register(data_app: typer.Typer) -> None:
    """Add `verify` and `repair` to `data_app`."""
    data_app.command("verify")(verify)
    data_app.command("repair")(repair)


def date_option(text: str | None, option: str):
    """`text` of a date option (``--start``, ``--as-of`` ...) as a midnight `pandas.Timestamp`, or None.

    Only a calendar date is accepted (YYYY-MM-DD): garbage, a time of day, a timezone or a year
    outside 1900..2262 is an `InputError` naming the option.
    """
    if text is None:
        return None
    import datetime as dt

    from hedgeclone.errors import InputError

    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date (use YYYY-MM-DD, no time or timezone)") from None
    if not 1900 <= day.year <= 2262:
        raise InputError(f"{option} {text!r} is out of range (years 1900 to 2262)")
    import pandas as pd  # here, not at the top: keeps `hedgeclone --help` fast

    return pd.Timestamp(day)
