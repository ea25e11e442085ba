"""Two processes writing one store at once: the write lock keeps every row of both, once."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from hedgeclone.data.prices import store as pstore
from hedgeclone.data.prices.shares import load_shares
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.storage import StoreHoldings

WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hedgeclone.data.store import Store
    from hedgeclone.data.prices.load import import_price_file
    from hedgeclone.data.prices.shares import parse_shares_file, store_shares
    from hedgeclone.data.thirteenf.importers import import_paths
    store, folder = Store(sys.argv[1]), Path(sys.argv[2])
    for i in range(int(sys.argv[3])):
        import_price_file(store, folder / f"p{i}.csv")
        store_shares(store, parse_shares_file(folder / f"s{i}.csv", name=f"s{i}.csv", as_of=None)[0])
        import_paths(store, [folder / f"h{i}.csv"], mapping="hedgeclone")
""")

HOLDINGS_HEADER = ("cik,filer_name,period,filed,accession,form,amendment_type,cusip,ticker,issuer,value_usd,"
                   "shares,put_call\n")


def _inputs(folder, worker: int, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        ticker = f"A{worker}{i:02d}"  # every ticker in partition A: each import rewrites the same file
        (folder / f"p{i}.csv").write_text(f"ticker,date,close\n{ticker},2024-01-02,{10 + i}\n{ticker},2024-01-03,{11 + i}\n")
        (folder / f"s{i}.csv").write_text(f"ticker,known_from,shares\n{ticker},2024-01-02,{1000 + i}\n")
        # both workers' i-th tables carry the same filing (accession SHARED-i) beside their own
        (folder / f"h{i}.csv").write_text(
            HOLDINGS_HEADER
            + f"100{i},Shared Fund,2023-12-31,2024-02-01,SHARED-{i},13F-HR,,037833100,AAPL,APPLE INC,1000,10,\n"
            + f"200{worker}{i},Own Fund,2023-12-31,2024-02-01,OWN-{worker}-{i},13F-HR,,594918104,MSFT,MICROSOFT,500,5,\n")


def test_two_processes_importing_at_once_keep_everything_once(tmp_path):
    n = 12
    root = tmp_path / "store"
    for w in (1, 2):
        _inputs(tmp_path / f"w{w}", w, n)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(root), str(tmp_path / f"w{w}"), str(n)],
                              stderr=subprocess.PIPE, text=True) for w in (1, 2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    store = Store(root)
    expected = sorted(f"A{w}{i:02d}" for w in (1, 2) for i in range(n))
    assert sorted(pstore.ticker_ranges(store)["ticker"]) == expected
    assert len(pstore.read_long(store)) == 2 * len(expected)
    assert len(pstore.imports(store)) == len(expected)
    assert sorted(load_shares(store)["ticker"]) == expected
    holdings = StoreHoldings(store).all()
    per_filing = holdings.groupby("accession").size()
    assert len(per_filing) == 3 * n and (per_filing == 1).all()  # SHARED-i once, not twice
    assert store.check().clean


def test_two_cli_price_imports_at_once_keep_all_38_tickers(tmp_path):
    root = tmp_path / "store"
    groups = []
    for w in (1, 2):
        files = []
        for i in range(19):
            path = tmp_path / f"{'AB'[w - 1]}{w}{i:02d}.csv"  # TICKER.csv: partitions A and B
            path.write_text("Date,Close\n2024-01-02,10\n2024-01-03,11\n")
            files.append(str(path))
        groups.append(files)
    for _ in range(2):  # two rounds: the second merges into what the first stored
        procs = [subprocess.Popen([sys.executable, "-c", "from hedgeclone.backtest.cli.app import main; main()",
                                   "data", "prices", "import", *files, "--store", str(root)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for files in groups]
        for p in procs:
            assert p.wait(timeout=300) == 0, p.stderr.read()
        assert len(pstore.ticker_ranges(Store(root))) == 38
    assert len(pstore.imports(Store(root))) == 4 * 19
