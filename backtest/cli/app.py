"""Entry point of the `hedgeclone` command: one typer app, sub-commands in their own modules."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from hedgeclone.errors import HedgecloneError

app = typer.Typer(
    name="hedgeclone",
    help="Hedge-fund-imitation backtester: 13F consensus and micro-cap screens, point in time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Fetch, import and inspect prices, shares and 13F holdings.", no_args_is_help=True)
app.add_typer(data_app, name="data")

err_console = Console(stderr=True)


def _register() -> None:
    # Each module adds its commands; kept apart so that each stays short.
    from hedgeclone.backtest.cli import compare, data_13f, data_prices, demo, run, tune

    for module in (demo, run, compare, tune):
        module.register(app)
    for module in (data_prices, data_13f):
        module.register(data_app)


_register()


def main() -> None:
    """Run the CLI; a `HedgecloneError` becomes one red line on stderr and exit status 2."""
    try:
        status = app(standalone_mode=False)
        if isinstance(status, int) and status:
            sys.exit(status)
    except HedgecloneError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
