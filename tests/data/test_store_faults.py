"""Fault injection: a store commit interrupted after its k-th file step, for every k, leaves the
old state or the new one, never a mix; `data verify` agrees and `data repair` cleans up.

The hook is `Store.fault_hook` (called after each replace/unlink/cleanup of a commit). Two
modes: an exception raised in-process (the commit's cleanup code runs), and a real kill of a
child process with ``os._exit`` (nothing runs after the step).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from hedgeclone.backtest.cli.app import main
from hedgeclone.data.prices import store as pstore
from hedgeclone.data.prices.load import import_price_files
from hedgeclone.data.store import Store


class Crash(BaseException):
    """Stands for a kill: not an Exception, so no `except Exception` handler swallows it."""


def _write(path, rows):
    path.write_text("ticker,date,close\n" + "".join(f"{t},{d},{c}\n" for t, d, c in rows))
    return path


@pytest.fixture
def files(tmp_path):
    first = _write(tmp_path / "first.csv", [("AAA", "2024-01-02", 10), ("AAA", "2024-01-03", 11),
                                            ("BBB", "2024-01-02", 20)])
    second = _write(tmp_path / "second.csv", [("AAA", "2024-01-04", 12), ("ABC", "2024-01-02", 5),
                                              ("CCC", "2024-01-02", 7), ("BBB", "2024-01-02", 21)])
    return first, second


def state(store: Store) -> tuple[str, str, str]:
    """What a reader sees: every price row, the import log without its wall-clock column, and the
    price panel (which every commit of prices rebuilds: it must be fresh and equal the long rows)."""
    from hedgeclone.data.prices.load import load_prices
    from hedgeclone.data.prices.panel import load_panel, read_window
    from hedgeclone.data.schemas import PRICE_FIELDS

    prices = pstore.read_long(store)
    log = pstore.imports(store).drop(columns=["at"])
    panel = load_panel(store, PRICE_FIELDS, build=False)
    assert panel is not None, "the price panel is stale or missing after a commit"
    frames = {f: build() for f, build in read_window(panel, PRICE_FIELDS).frames.items()}
    for f, frame in load_prices(store, fields=PRICE_FIELDS).items():
        pd.testing.assert_frame_equal(frames[f], frame, check_exact=True)
    shown = "".join(frames[f].to_csv() for f in PRICE_FIELDS)
    return prices.astype({"ticker": str}).to_csv(index=False), log.to_csv(index=False), shown


def verify_cli(store: Store, capsys) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "verify", "--store", str(store.root)])
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_info.value.code, out.out + out.err


def states(tmp_path, files) -> tuple[tuple, tuple, int]:
    """(old state, new state, number of file steps of the second import's commit)."""
    store = Store(tmp_path / "reference")
    import_price_files(store, [files[0]])
    old = state(store)
    steps = []
    Store.fault_hook = lambda op, path: steps.append(op)
    try:
        import_price_files(store, [files[1]])
    finally:
        Store.fault_hook = None
    return old, state(store), len(steps)


def _after_fault(store: Store, old: tuple, new: tuple, capsys) -> None:
    seen = state(store)
    assert seen in (old, new)
    check = store.check()
    assert set(check.tables.values()) <= {"ok"}, check.problems
    assert all(("leftover" in p or "unmanaged" in p) for p in check.problems), check.problems
    code, out = verify_cli(store, capsys)
    assert code == (0 if check.clean else 2), out
    store.repair()
    assert store.check().clean and state(store) == seen
    assert verify_cli(store, capsys)[0] == 0


def test_every_interrupted_commit_leaves_old_or_new_state(tmp_path, files, capsys):
    old, new, n = states(tmp_path, files)
    assert n >= 12 and old != new  # partitions A, C, the import log, 7 panel tables, the manifest, superseded files
    outcomes = []
    for k in range(1, n + 1):
        store = Store(tmp_path / f"s{k}")
        import_price_files(store, [files[0]])
        count = [0]

        def hook(op, path, k=k, count=count):
            count[0] += 1
            if count[0] == k:
                raise Crash(f"after step {k}: {op} {path.name}")

        Store.fault_hook = hook
        try:
            with pytest.raises(Crash):
                import_price_files(store, [files[1]])
        finally:
            Store.fault_hook = None
        outcomes.append(state(store) == new)
        _after_fault(store, old, new, capsys)
        import_price_files(store, [files[1]])  # the store is not bricked: the import can be redone
        assert state(store)[0] == new[0]
    assert outcomes[0] is False and outcomes[-1] is True  # both sides of the manifest switch were hit


KILL = textwrap.dedent("""
    import os, sys
    from hedgeclone.data.store import Store
    from hedgeclone.data.prices.load import import_price_files
    k = int(sys.argv[3]); count = [0]
    def hook(op, path):
        count[0] += 1
        if count[0] == k:
            os._exit(137)
    Store.fault_hook = hook
    import_price_files(Store(sys.argv[1]), [sys.argv[2]])
""")


def test_a_process_killed_inside_a_commit_leaves_old_or_new_state(tmp_path, files, capsys):
    old, new, n = states(tmp_path, files)
    seen = []
    for k in range(1, n + 1):
        store = Store(tmp_path / f"k{k}")
        import_price_files(store, [files[0]])
        proc = subprocess.run([sys.executable, "-c", KILL, str(store.root), str(files[1]), str(k)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 137, proc.stderr
        seen.append(state(store) == new)
        _after_fault(store, old, new, capsys)
    assert seen[0] is False and seen[-1] is True


def test_a_kill_before_the_manifest_switch_leaves_verifiable_leftovers(tmp_path, files, capsys):
    store = Store(tmp_path / "s")
    import_price_files(store, [files[0]])
    before = state(store)
    proc = subprocess.run([sys.executable, "-c", KILL, str(store.root), str(files[1]), "1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 137
    code, out = verify_cli(store, capsys)
    assert code == 2 and "staging" in out and "unmanaged" in out
    assert state(store) == before
    assert pd.Series([p for p in store.check().problems]).str.contains("does not match").sum() == 0


HEADER = "cik,filer_name,period,filed,accession,form,amendment_type,cusip,ticker,issuer,value_usd,shares,put_call\n"


def test_every_interrupted_13f_and_shares_commit_leaves_old_or_new_state(tmp_path):
    from hedgeclone.data.prices.shares import load_shares, parse_shares_file, store_shares
    from hedgeclone.data.thirteenf.importers import import_paths
    from hedgeclone.data.thirteenf.storage import StoreHoldings

    first, second = tmp_path / "h1.csv", tmp_path / "h2.csv"
    first.write_text(HEADER + "1,F,2023-12-31,2024-02-01,a,13F-HR,,037833100,AAPL,APPLE,10,1,\n")
    second.write_text(HEADER + "1,F,2023-12-31,2024-02-01,a,13F-HR,,037833100,AAPL,APPLE,10,1,\n"
                      "2,G,2023-12-31,2024-02-02,b,13F-HR,,594918104,MSFT,MICROSOFT,20,2,\n")
    shares = parse_shares_file(b"ticker,known_from,shares\nAAPL,2024-01-02,100\n", name="s.csv", as_of=None)[0]

    def look(store):
        return StoreHoldings(store).all().to_csv(index=False), load_shares(store).to_csv(index=False)

    def setup(root):
        store = Store(root)
        import_paths(store, [first], mapping="hedgeclone")
        return store

    def change(store):
        with store.transaction():
            import_paths(store, [second], mapping="hedgeclone")
            store_shares(store, shares)

    reference = setup(tmp_path / "ref")
    old = look(reference)
    steps = []
    Store.fault_hook = lambda op, path: steps.append(op)
    try:
        change(reference)
    finally:
        Store.fault_hook = None
    new = look(reference)
    assert len(steps) >= 4 and old != new
    for k in range(1, len(steps) + 1):
        store = setup(tmp_path / f"s{k}")
        count = [0]

        def hook(op, path, k=k, count=count):
            count[0] += 1
            if count[0] == k:
                raise Crash(op)

        Store.fault_hook = hook
        try:
            with pytest.raises(Crash):
                change(store)
        finally:
            Store.fault_hook = None
        assert look(store) in (old, new)
        assert set(store.check().tables.values()) == {"ok"}
        store.repair()
        assert store.check().clean and look(store) in (old, new)
