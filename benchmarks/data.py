"""``python -m benchmarks data``: W3, a bulk 13F quarter imported and holders-per-stock queried.

1. A synthetic SEC Form 13F data set (one zip with SUBMISSION, COVERPAGE and INFOTABLE TSVs in
   SEC's layout, 3,000,000 INFOTABLE rows by default) is written to a temporary folder, then
   imported through the real path (`data.thirteenf.importers.import_paths`, as
   ``hedgeclone data 13f import`` does) into an empty store; the import is timed once.
2. Forty quarters: the imported quarter's filings re-dated to 40 consecutive periods
   (new accession numbers, each period's filing dates shifted by whole quarters), each
   stored as its own batch through `StoreHoldings.write_batch`, so the store holds
   40 x the quarter's holdings (about 120 million rows at full size).
3. "Holders per stock as of D" (`StoreHoldings.holders_as_of`) is timed warm on a few dates
   spread over the 40 quarters (median of repeats), after checking on one date that the
   fast store path equals the reference SQL (`pointintime.holders_sql`) on the same store.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from benchmarks.timing import machine_info, measure, now_iso, versions, write_json

__all__ = ["DESCRIPTION", "BulkSpec", "write_bulk_zip", "add_arguments", "run"]

DESCRIPTION = "W3 data benchmark: import a synthetic 3M-row SEC 13F bulk quarter, query holders over 40 quarters"
IMPORT_TARGET_S = 60.0
QUERY_TARGET_S = 1.0
DISTRIBUTIONS = ("hedgeclone", "numpy", "pandas", "pyarrow", "duckdb", "edgartools")

# SEC's column lists (Form 13F data sets, readme): bulk.py reads a subset of each.
SUBMISSION_ALL = ("ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT")
COVERPAGE_ALL = ("ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO", "AMENDMENTTYPE",
                 "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED", "REASONFORNONCONFIDENTIALITY",
                 "FILINGMANAGER_NAME", "FILINGMANAGER_STREET1", "FILINGMANAGER_STREET2", "FILINGMANAGER_CITY",
                 "FILINGMANAGER_STATEORCOUNTRY", "FILINGMANAGER_ZIPCODE", "REPORTTYPE", "FORM13FFILENUMBER",
                 "CRDNUMBER", "SECFILENUMBER", "PROVIDEINFOFORINSTRUCTION5", "ADDITIONALINFORMATION")
INFOTABLE_ALL = ("ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "FIGI", "VALUE",
                 "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION", "OTHERMANAGER",
                 "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE")


@dataclass(frozen=True)
class BulkSpec:
    """What the synthetic quarter holds: rows, filers, the stock universe and the mix of filings."""

    rows: int = 3_000_000
    filers: int = 8_000
    stocks: int = 20_000  # mapped CUSIPs (from edgartools' bundled map) ...
    unmapped: int = 2_000  # ... plus CUSIPs no map knows
    period: str = "2024-12-31"
    new_holdings_share: float = 0.03  # filers who add a NEW HOLDINGS amendment
    restatement_share: float = 0.02  # filers who file a RESTATEMENT
    notice_share: float = 0.03  # filers with a 13F-NT (no rows)
    option_share: float = 0.02  # INFOTABLE lines that are PUT or CALL
    seed: int = 20241231

    def describe(self) -> str:
        """One line for people."""
        return (f"synthetic SEC 13F data set: {self.rows:,} INFOTABLE rows, {self.filers:,} filers, "
                f"{self.stocks + self.unmapped:,} CUSIPs, period {self.period}, seed {self.seed}")


def _sec_date(days: np.ndarray) -> np.ndarray:
    """datetime64[D] values as SEC's ``14-FEB-2025`` strings."""
    return pd.DatetimeIndex(days).strftime("%d-%b-%Y").str.upper().to_numpy(object)


def _cusips(spec: BulkSpec, rng: np.random.Generator) -> np.ndarray:
    try:
        from hedgeclone.data.thirteenf.cusips import bundled_map

        known = np.asarray(bundled_map().index.unique(), dtype=object)
        known = known[[len(c) == 9 and c.isalnum() for c in known]]
        mapped = rng.choice(known, size=min(spec.stocks, len(known)), replace=False)
    except Exception:  # no bundled map: every CUSIP synthetic
        mapped = np.array([], dtype=object)
    extra = spec.stocks + spec.unmapped - len(mapped)
    synthetic = np.array([f"Z{n:07d}9" for n in range(extra)], dtype=object)
    return np.concatenate([mapped, synthetic])


def _tsv(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    sink.write(("\t".join(table.column_names) + "\n").encode())  # Arrow would quote the header
    pacsv.write_csv(table, sink, pacsv.WriteOptions(delimiter="\t", quoting_style="none", include_header=False))
    return sink.getvalue()


def write_bulk_zip(path: str | Path, spec: BulkSpec = BulkSpec()) -> dict[str, int]:
    """Write a synthetic Form 13F data-set zip in SEC's layout to `path`; returns its counts.

    Filers' position counts are heavy-tailed (lognormal), stocks are picked with Zipf-like
    popularity (duplicate lines of a stock in one filing occur, as in real tables), values
    are whole dollars (the post-2023 unit), filing dates cluster before the 45-day deadline;
    a few filers add NEW HOLDINGS or RESTATEMENT amendments, file notices, or list options.
    """
    rng = np.random.default_rng(spec.seed)
    period = np.datetime64(spec.period, "D")
    ciks = np.sort(rng.choice(np.arange(1_000_000, 2_100_000), size=spec.filers, replace=False))
    kind = rng.random(spec.filers)
    notice = kind < spec.notice_share
    restate = (kind >= spec.notice_share) & (kind < spec.notice_share + spec.restatement_share)
    adds = (kind >= 1 - spec.new_holdings_share)
    # Filings: one original per filer, plus its amendment if any.
    f_cik = np.concatenate([ciks, ciks[restate], ciks[adds]])
    f_type = np.concatenate([np.where(notice, "NT", "HR"), np.full(restate.sum(), "RESTATEMENT"),
                             np.full(adds.sum(), "NEW HOLDINGS")]).astype(object)
    lag = np.clip(rng.gamma(8.0, 4.0, len(f_cik)), 2, 44).astype(int)
    lag[f_type != "HR"] += np.where(f_type[f_type != "HR"] == "NT", 0, rng.integers(5, 60, (f_type != "HR").sum()))
    filed = period + lag.astype("timedelta64[D]")
    agent = rng.integers(900_000, 1_000_000, len(f_cik))
    accession = np.array([f"{a:010d}-25-{i:06d}" for i, a in enumerate(agent)], dtype=object)
    # Rows per filing: lognormal sizes, amendments small, notices none, scaled to spec.rows.
    size = rng.lognormal(4.6, 1.4, len(f_cik))
    size[f_type == "NEW HOLDINGS"] = rng.integers(1, 20, (f_type == "NEW HOLDINGS").sum())
    size[f_type == "NT"] = 0
    size = np.maximum(np.floor(size * spec.rows / size.sum()), (f_type != "NT").astype(float)).astype(np.int64)
    size[np.argmax(size)] += spec.rows - size.sum()
    universe = _cusips(spec, rng)
    popularity = 1.0 / np.arange(1, len(universe) + 1) ** 0.9
    pick = rng.choice(len(universe), size=spec.rows, p=popularity / popularity.sum())
    price = np.exp(rng.normal(3.5, 1.2, len(universe)))
    shares = np.maximum(1, rng.lognormal(8.0, 2.0, spec.rows)).astype(np.int64)
    value = np.maximum(1, np.rint(shares * price[pick])).astype(np.int64)
    options = rng.random(spec.rows) < spec.option_share
    putcall = np.where(options, np.where(rng.random(spec.rows) < 0.5, "Put", "Call"), "").astype(object)
    other = np.where(rng.random(spec.rows) < 0.1, "1", "").astype(object)
    row_filing = np.repeat(np.arange(len(f_cik)), size)
    issuers = np.array([f"ISSUER {i:05d} CORP" for i in range(len(universe))], dtype=object)
    info = pa.table({
        "ACCESSION_NUMBER": accession[row_filing], "INFOTABLE_SK": np.arange(1, spec.rows + 1).astype(str),
        "NAMEOFISSUER": issuers[pick], "TITLEOFCLASS": np.where(options, "OPTION", "COM").astype(object),
        "CUSIP": universe[pick], "FIGI": np.full(spec.rows, "", dtype=object), "VALUE": value.astype(str),
        "SSHPRNAMT": shares.astype(str), "SSHPRNAMTTYPE": np.full(spec.rows, "SH", dtype=object),
        "PUTCALL": putcall, "INVESTMENTDISCRETION": np.full(spec.rows, "SOLE", dtype=object),
        "OTHERMANAGER": other, "VOTING_AUTH_SOLE": shares.astype(str),
        "VOTING_AUTH_SHARED": np.zeros(spec.rows, dtype=np.int64).astype(str),
        "VOTING_AUTH_NONE": np.zeros(spec.rows, dtype=np.int64).astype(str),
    })
    form = np.where(f_type == "HR", "13F-HR", np.where(f_type == "NT", "13F-NT", "13F-HR/A")).astype(object)
    sub = pa.table({"ACCESSION_NUMBER": accession, "FILING_DATE": _sec_date(filed), "SUBMISSIONTYPE": form,
                    "CIK": np.char.zfill(f_cik.astype(str), 10).astype(object),
                    "PERIODOFREPORT": _sec_date(np.full(len(f_cik), period))})
    amend = np.isin(f_type, ["RESTATEMENT", "NEW HOLDINGS"])
    n = len(f_cik)
    blank = np.full(n, "", dtype=object)
    cover_cols = {c: blank for c in COVERPAGE_ALL}
    cover_cols.update({
        "ACCESSION_NUMBER": accession, "REPORTCALENDARORQUARTER": _sec_date(np.full(n, period)),
        "ISAMENDMENT": np.where(amend, "Y", "N").astype(object), "AMENDMENTNO": np.where(amend, "1", "").astype(object),
        "AMENDMENTTYPE": np.where(amend, f_type, "").astype(object),
        "FILINGMANAGER_NAME": np.array([f"MANAGER {c} LLC" for c in f_cik], dtype=object),
        "REPORTTYPE": np.where(f_type == "NT", "13F NOTICE", "13F HOLDINGS REPORT").astype(object),
    })
    cover = pa.table(cover_cols)
    folder = f"{pd.Timestamp(spec.period):%Y}q{pd.Timestamp(spec.period).quarter}_form13f"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(f"{folder}/SUBMISSION.tsv", _tsv(sub))
        zf.writestr(f"{folder}/COVERPAGE.tsv", _tsv(cover))
        zf.writestr(f"{folder}/INFOTABLE.tsv", _tsv(info))
    return {"infotable_rows": spec.rows, "filings": n, "filers": spec.filers, "notices": int(notice.sum()),
            "restatements": int(restate.sum()), "new_holdings": int(adds.sum()), "cusips": len(universe)}


def redate(holdings: pd.DataFrame, quarters_back: int) -> pd.DataFrame:
    """The quarter's HOLDINGS moved `quarters_back` quarters earlier: periods and filing dates
    shifted by whole quarters, accession numbers made unique to the copy."""
    if quarters_back == 0:
        return holdings
    out = holdings.copy()
    months = pd.DateOffset(months=-3 * quarters_back)
    out["period"] = (out["period"] + months) + pd.offsets.QuarterEnd(0)
    out["filed"] = out["filed"] + months
    acc = out["accession"].astype(str)
    out["accession"] = (acc.str[:11] + f"Q{quarters_back:02d}" + acc.str[13:]).astype("string")
    return out


def build_quarters(store: Any, quarters: int, progress: Any = None) -> int:
    """Copy the store's single imported batch to `quarters` consecutive periods (itself the latest);
    returns the number of holdings rows stored."""
    from hedgeclone.data.thirteenf.storage import StoreHoldings

    db = StoreHoldings(store)
    (batch,) = db.batches()
    latest = db.all()
    total = len(latest)
    for k in range(1, quarters):
        if progress:
            progress(k)
        db.write_batch(f"w3-q{k:02d}", redate(latest, k))
        total += len(latest)
    return total


def query_dates(period: str, quarters: int) -> list[pd.Timestamp]:
    """Dates spread over the stored quarters: mid filing season, at the deadline, between seasons."""
    last = pd.Timestamp(period)
    first = last - pd.DateOffset(months=3 * (quarters - 1))
    mid = first + (last - first) / 2
    return [first + pd.Timedelta(days=50), (mid + pd.offsets.QuarterEnd(0)) + pd.Timedelta(days=30),
            last + pd.Timedelta(days=45), last + pd.Timedelta(days=100)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `data` sub-command."""
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")
    parser.add_argument("--rows", type=int, default=BulkSpec.rows, help="INFOTABLE rows of the quarter (3,000,000)")
    parser.add_argument("--quarters", type=int, default=40, help="quarters in the query store (40)")
    parser.add_argument("--repeats", type=int, default=5, help="timed queries per date (median reported)")
    parser.add_argument("--workdir", metavar="DIR", help="where to write the zip and stores (a temp dir, removed)")
    parser.add_argument("--no-parity", action="store_true",
                        help="skip the check against the reference SQL over all quarters (slow)")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _render(console: Any, result: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="W3: SEC 13F bulk quarter import and holders-per-stock queries")
    for col in ("step", "size", "time", "target", "ok"):
        table.add_column(col, justify="right" if col in ("time", "target") else "left")
    imp = result["import"]
    table.add_row("import zip -> store", f"{imp['infotable_rows']:,} INFOTABLE rows -> {imp['holdings']:,} holdings",
                  _fmt(imp["seconds"]), f"< {IMPORT_TARGET_S:.0f} s", "yes" if imp["seconds"] < IMPORT_TARGET_S else "NO")
    q = result["queries"]
    for row in q["dates"]:
        table.add_row(f"holders as of {row['as_of']}", f"{row['stocks']:,} stocks, {row['rows_read']:,} rows read",
                      _fmt(row["median_s"]), f"< {QUERY_TARGET_S:.0f} s",
                      "yes" if row["median_s"] < QUERY_TARGET_S else "NO")
    table.add_row("holders, median over dates", f"{q['quarters']} quarters, {q['stored_rows']:,} rows",
                  _fmt(q["median_s"]), f"< {QUERY_TARGET_S:.0f} s", "yes" if q["median_s"] < QUERY_TARGET_S else "NO")
    table.add_row("  first query (cold: checksums, facts)", "", _fmt(q["cold_s"]), "", "")
    if result.get("parity"):
        p = result["parity"]
        table.add_row(f"  reference SQL as of {p['as_of']}", "all rows", _fmt(p["sql_s"]), "",
                      "equal" if p["equal"] else "DIFFERS")
    console.print(table)


def _equal(fast: pd.DataFrame, sql: pd.DataFrame) -> bool:
    exact = ["cusip", "ticker", "issuer", "holders", "top10"]
    if len(fast) != len(sql) or not fast[exact].reset_index(drop=True).equals(sql[exact].reset_index(drop=True)):
        return False
    return bool(np.allclose(fast["value_usd"], sql["value_usd"], rtol=1e-12)
                and np.allclose(fast["conviction"], sql["conviction"], rtol=1e-9, atol=1e-12))


def run(args: argparse.Namespace) -> int:
    """Run W3 and print (and optionally write) its numbers; 1 if the fast path differs from the SQL."""
    import shutil
    import tempfile
    import time

    from rich.console import Console

    import hedgeclone.backtest  # noqa: F401  (imports data.store in the order the package expects)
    from hedgeclone.data.store import Store
    from hedgeclone.data.thirteenf.cusips import load_cusip_map
    from hedgeclone.data.thirteenf.importers import import_paths
    from hedgeclone.data.thirteenf.storage import StoreHoldings

    console = Console(width=max(Console().width, 110))
    spec = BulkSpec(rows=args.rows)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="hedgeclone-w3-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        console.print(spec.describe())
        with console.status("writing the synthetic SEC data-set zip (untimed)"):
            counts = write_bulk_zip(work / "form13f.zip", spec)
        store = Store(work / "store")
        with console.status("importing it (timed): hedgeclone data 13f import"):
            start = time.perf_counter()
            report = import_paths(store, [work / "form13f.zip"], cusip_map=load_cusip_map())
            import_s = time.perf_counter() - start
        imported = {**counts, "zip_bytes": (work / "form13f.zip").stat().st_size, "filings_stored": report.filings,
                    "holdings": report.holdings, "skipped": dict(report.skipped), "seconds": import_s}
        console.print(f"imported in {_fmt(import_s)}: {report.filings:,} filings, {report.holdings:,} holdings")
        with console.status(f"building {args.quarters} quarters (untimed)") as status:
            stored = build_quarters(store, args.quarters, lambda k: status.update(f"building quarter {k + 1}"))
        dates = query_dates(spec.period, args.quarters)
        db = StoreHoldings(store)
        start = time.perf_counter()
        db.holders_as_of(dates[0])
        cold = time.perf_counter() - start
        rows = []
        for day in dates:
            out = db.holders_as_of(day)
            facts = db._filing_facts()
            timing = measure(lambda day=day: db.holders_as_of(day), args.repeats, warmup=1)
            rows.append({"as_of": str(day.date()), "stocks": len(out), "rows_read": _rows_read(db, day, facts),
                         **timing.as_dict()})
        queries = {"quarters": args.quarters, "stored_rows": stored, "cold_s": cold,
                   "median_s": float(np.median([r["median_s"] for r in rows])), "dates": rows}
        parity = None
        if not args.no_parity:
            day = dates[2]
            with console.status(f"reference SQL over every stored row as of {day.date()} (parity)"):
                start = time.perf_counter()
                sql = db.holders_as_of_sql(day)
                sql_s = time.perf_counter() - start
            parity = {"as_of": str(day.date()), "sql_s": sql_s, "equal": _equal(db.holders_as_of(day), sql)}
        result = {"workload": "W3", "spec": spec.__dict__, "when": now_iso(), "machine": machine_info(),
                  "versions": versions(DISTRIBUTIONS), "import": imported, "queries": queries, "parity": parity,
                  "layout": f"the imported quarter re-dated to {args.quarters} consecutive periods, one batch each"}
        _render(console, result)
        if args.json:
            console.print(f"wrote {write_json(args.json, result)}")
        return 1 if parity is not None and not parity["equal"] else 0
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def _rows_read(db: Any, day: pd.Timestamp, facts: Any) -> int:
    """Rows the fast path reads from disk for `day` (the row groups it selects)."""
    import pyarrow.parquet as pq

    from hedgeclone.data.thirteenf.storage import _row_groups

    kept = facts.kept(day)
    total = 0
    for batch, group in kept.groupby("batch"):
        meta = pq.ParquetFile(db.store.path(str(batch))).metadata
        groups = _row_groups(meta, group["filed"].to_numpy(dtype="datetime64[ns]"))
        total += sum(meta.row_group(i).num_rows for i in groups)
    return total
