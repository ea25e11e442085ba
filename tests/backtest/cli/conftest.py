"""CLI test helpers: the command line run in-process, as a user's shell would see it."""

from __future__ import annotations

import pytest

from hedgeclone.backtest.cli.app import main


@pytest.fixture
def call(capsys):
    """`call(*args) -> (exit status, stdout + stderr)` of ``hedgeclone ARGS`` run through `main()`."""

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main(list(args))
            raise SystemExit(0)
        out = capsys.readouterr()
        return info.value.code, out.out + out.err

    return run
