"""``python -m benchmarks COMMAND ...``: dispatch to one benchmark sub-command.

A sub-command is a module of this package with a one-line ``DESCRIPTION``, an
``add_arguments(parser)`` that declares its options, and a ``run(args) -> int`` that
returns the exit status. To add one, write the module and name it in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, str] = {
    "engine": "benchmarks.engine",
    "data": "benchmarks.data",
    "sweep": "benchmarks.sweep",
    "prices": "benchmarks.prices",
    "startup": "benchmarks.startup",
    "loading": "benchmarks.loading",
    "scores": "benchmarks.scores",
    "real": "benchmarks.real",
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one sub-parser per entry of `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="hedgeclone speed and accuracy benchmarks against vectorbt and bt (run from the repo root).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.DESCRIPTION, description=module.DESCRIPTION)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (default: the command line), run the chosen benchmark, return its exit status."""
    args = build_parser().parse_args(argv)
    return int(args._run(args))


if __name__ == "__main__":
    sys.exit(main())
