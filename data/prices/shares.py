"""Shares outstanding: snapshot parsers (pure) and the stored, point-in-time shares table.

Sources and precedence. Each row says from when a share count was public (``known_from``).
On a date D the count used is the one with the latest ``known_from`` <= D, whatever its source:
newer public information supersedes older. When several sources report on the same
``known_from`` day the most authoritative wins: ``sec`` (XBRL dei:EntityCommonStockSharesOutstanding,
known from the filing date) > ``yfinance`` (share history) > ``snapshot`` (screener exports:
Market Cap / Last Sale, known from the snapshot date) > ``user`` (a ticker,known_from,shares file).

Stored as ``shares/all``: ticker, known_from, shares, source.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.data.prices.importers import read_table_any
from hedgeclone.data.prices.validate import TICKER_RE, ImportReport
from hedgeclone.data.schemas import SHARES, as_dates, conform
from hedgeclone.data.store import Store
from hedgeclone.errors import InputError

__all__ = [
    "SOURCE_PRIORITY", "date_from_name", "nasdaq_symbol_to_yahoo", "parse_sec_companyfacts", "parse_shares_file",
    "parse_sec_snapshot", "parse_company_tickers", "is_sec_snapshot", "SNAPSHOT_PUBLIC_LAG_DAYS",
    "sec_shares_from_entries",
    "store_shares", "load_shares", "resolve_precedence",
]

SOURCE_PRIORITY: dict[str, int] = {"sec": 0, "yfinance": 1, "snapshot": 2, "user": 3}
SHARES_TABLE = "shares/all"
# A count "as of" a period end is public with its 10-Q or 10-K: 40-45 days later for a 10-Q, 60-90 for
# a 10-K. The snapshot does not say which, so each count is known from the latest deadline.
SNAPSHOT_PUBLIC_LAG_DAYS = 90


def date_from_name(name: str) -> pd.Timestamp | None:
    """The YYYY-MM-DD date in a file name (``nasdaq_screener_2025-03-28.csv.gz`` -> 2025-03-28), or None."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})", Path(name).name)
    return pd.Timestamp(m.group(1)) if m else None


def nasdaq_symbol_to_yahoo(symbol: str) -> str:
    """Nasdaq screener spelling to Yahoo's: ``BRK/B`` -> ``BRK-B``, ``ABR^D`` -> ``ABR-PD``."""
    s = symbol.strip().upper()
    return s.replace("^", "-P").replace("/", "-")


def parse_shares_file(source: bytes | str | Path, *, name: str, as_of: pd.Timestamp | None) -> tuple[pd.DataFrame, ImportReport]:
    """Shares rows (ticker, known_from, shares, source) from a screener snapshot or a long shares file.

    A screener export (``Symbol``, ``Market Cap``, ``Last Sale``) gives shares = Market Cap /
    Last Sale, known from `as_of` (or the date in `name`). A long file has ``ticker``,
    ``known_from`` (or ``date``) and ``shares``. Rows without a positive cap or price are skipped
    and counted.
    """
    report = ImportReport(source=name)
    table = read_table_any(source, name, string_columns=("Symbol", "Market Cap", "Last Sale"))
    cols = {c.strip().lower(): c for c in table.column_names}
    if {"symbol", "market cap", "last sale"} <= set(cols):
        when = as_of if as_of is not None else date_from_name(name)
        if when is None:
            raise InputError(f"{name}: snapshot date unknown: pass --as-of DATE or put YYYY-MM-DD in the file name")
        df = table.select([cols["symbol"], cols["market cap"], cols["last sale"]]).to_pandas()
        df.columns = ["symbol", "cap", "price"]
        cap = pd.to_numeric(df["cap"].astype("string").str.replace(r"[$,\s]", "", regex=True), errors="coerce")
        price = pd.to_numeric(df["price"].astype("string").str.replace(r"[$,\s]", "", regex=True), errors="coerce")
        ok = (cap > 0) & (price > 0) & np.isfinite(cap) & np.isfinite(price) & df["symbol"].notna()
        report.add("rows without a positive, finite market cap or price skipped", int((~ok).sum()))
        out = pd.DataFrame({
            "ticker": df.loc[ok, "symbol"].map(nasdaq_symbol_to_yahoo),
            "known_from": pd.Timestamp(when).normalize(),
            "shares": (cap[ok] / price[ok]).round(0),
        })
        source_name = "snapshot"
    elif "ticker" in cols and "shares" in cols and ("known_from" in cols or "date" in cols):
        df = table.to_pandas()
        df = df.rename(columns={cols["ticker"]: "ticker", cols["shares"]: "shares", cols.get("known_from", cols.get("date")): "known_from"})
        df["ticker"] = df["ticker"].astype(str).str.strip().str.upper()
        df["shares"] = pd.to_numeric(df["shares"], errors="coerce")
        ok = (df["shares"] > 0) & np.isfinite(df["shares"])
        report.add("rows without positive, finite shares skipped", int((~ok).sum()))
        out = df.loc[ok, ["ticker", "known_from", "shares"]]
        source_name = "user"
    else:
        raise InputError(f"{name}: not a shares file: expected Symbol, Market Cap, Last Sale (screener) or ticker, known_from, shares")
    bad = ~out["ticker"].str.match(TICKER_RE.pattern)
    report.add("rows with an unusable symbol skipped", int(bad.sum()), ", ".join(out.loc[bad, "ticker"].head(3)))
    out = conform(out.loc[~bad], SHARES, name)
    dup = out.duplicated(["ticker", "known_from"], keep="last")
    report.add("duplicate ticker rows dropped (kept the last)", int(dup.sum()))
    out = out.loc[~dup].reset_index(drop=True)
    if out.empty:
        raise InputError(f"{name}: no usable shares rows")
    out["source"] = source_name
    report.rows, report.tickers = len(out), out["ticker"].nunique()
    report.first, report.last = out["known_from"].min(), out["known_from"].max()
    return out, report


def parse_sec_companyfacts(payload: bytes | str, *, name: str, ticker: str) -> tuple[pd.DataFrame, ImportReport]:
    """Shares rows from SEC XBRL company facts JSON (``data.sec.gov/api/xbrl/companyfacts/CIK##########.json``).

    Uses ``dei:EntityCommonStockSharesOutstanding``; each count is known from its filing date
    (``filed``). Several values in one filing (share classes) are summed: the company total,
    which times one class's price is the usual market-cap convention. Source ``sec``.
    """
    import json

    try:
        facts = json.loads(payload)
        entries = facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}: not SEC company facts with dei:EntityCommonStockSharesOutstanding ({type(exc).__name__}: {exc})") from exc
    return sec_shares_from_entries(pd.DataFrame(entries), name=name, ticker=ticker)


def sec_shares_from_entries(rows: pd.DataFrame, *, name: str, ticker: str) -> tuple[pd.DataFrame, ImportReport]:
    """Shares rows (source ``sec``) from SEC shares-outstanding facts: columns ``end, val, accn, filed``.

    The rules of `parse_sec_companyfacts`, for facts that came another way (edgartools).
    """
    report = ImportReport(source=name)
    ticker = ticker.strip().upper()
    if not TICKER_RE.match(ticker) or ".." in ticker:
        raise InputError(f"{name}: ticker {ticker!r} is not a valid symbol")
    if rows.empty or not {"filed", "val", "accn"} <= set(rows.columns):
        raise InputError(f"{name}: no shares-outstanding facts")
    rows = rows.copy()
    rows["val"] = pd.to_numeric(rows["val"], errors="coerce")
    ok = (rows["val"] > 0) & np.isfinite(rows["val"])
    report.add("facts without a positive, finite count skipped", int((~ok).sum()))
    rows = rows[ok]
    # the same fact repeated in later filings keeps its first filing; classes of one filing are summed
    rows = rows.drop_duplicates(["accn", "end", "val"]) if "end" in rows else rows.drop_duplicates(["accn", "val"])
    per_filing = rows.groupby(["accn", "filed"], as_index=False)["val"].sum()
    out = pd.DataFrame({"ticker": ticker, "known_from": pd.to_datetime(per_filing["filed"]), "shares": per_filing["val"].astype("float64")})
    out = conform(out.sort_values("known_from").drop_duplicates("known_from", keep="last"), SHARES, name)
    out["source"] = "sec"
    report.rows, report.tickers = len(out), 1
    report.first, report.last = out["known_from"].min(), out["known_from"].max()
    return out, report


def _json(payload: bytes | str, name: str) -> object:
    import json

    try:
        return json.loads(payload)
    except ValueError as exc:
        raise InputError(f"{name}: not valid JSON ({exc})") from None


def is_sec_snapshot(doc: object) -> bool:
    """True for a consolidated SEC shares snapshot: ``{"metadata": {...}, "data": {CIK: {...}}}``."""
    return isinstance(doc, dict) and isinstance(doc.get("data"), dict) and isinstance(doc.get("metadata"), dict)


def parse_company_tickers(payload: bytes | str, *, name: str) -> pd.DataFrame:
    """CIK-to-ticker rows (cik, ticker) from SEC's ``company_tickers.json`` (``{"0": {"cik_str", "ticker",
    "title"}, ...}``); a company with several share classes has several rows."""
    doc = _json(payload, name)
    rows = doc.values() if isinstance(doc, dict) else doc
    try:
        frame = pd.DataFrame([(int(r["cik_str"]), str(r["ticker"])) for r in rows], columns=["cik", "ticker"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{name}: not SEC company tickers JSON (entries with cik_str and ticker): {exc}") from None
    if frame.empty:
        raise InputError(f"{name}: no company tickers")
    frame["ticker"] = frame["ticker"].str.strip().str.upper().str.replace(".", "-", regex=False)
    return frame.drop_duplicates()


def parse_sec_snapshot(payload: bytes | str, *, name: str, tickers: pd.DataFrame,
                       lag_days: int = SNAPSHOT_PUBLIC_LAG_DAYS) -> tuple[pd.DataFrame, ImportReport]:
    """Shares rows (source ``sec``) from a consolidated SEC shares snapshot, joined to tickers by CIK.

    Each entry's ``shares_date`` is the date the count refers to (a period end or cover date), not the
    day it became public: the count is known from ``shares_date + lag_days`` (default
    `SNAPSHOT_PUBLIC_LAG_DAYS`, the 10-K deadline), but no later than the snapshot's ``generated`` date
    (it was public by then). `tickers` (cik, ticker; `parse_company_tickers`) gives every ticker of a
    CIK the company's count. Entries without a ticker or a positive count are skipped and counted.
    """
    report = ImportReport(source=name)
    doc = _json(payload, name)
    if not is_sec_snapshot(doc):
        raise InputError(f"{name}: not an SEC shares snapshot (expected metadata and data keys)")
    built = as_dates(pd.Series([doc["metadata"].get("generated")])).iat[0]
    if pd.isna(built):
        raise InputError(f"{name}: metadata.generated {doc['metadata'].get('generated')!r} is not a date")
    rows = []
    for cik, entry in doc["data"].items():
        try:
            rows.append((int(cik), entry.get("shares_outstanding"), entry.get("shares_date")))
        except (ValueError, AttributeError):
            raise InputError(f"{name}: data key {cik!r} is not a CIK with an entry") from None
    frame = pd.DataFrame(rows, columns=["cik", "shares", "shares_date"])
    frame["shares"] = pd.to_numeric(frame["shares"], errors="coerce")
    frame["shares_date"] = as_dates(frame["shares_date"])
    ok = (frame["shares"] > 0) & np.isfinite(frame["shares"]) & frame["shares_date"].notna()
    report.add("entries without a positive count or a shares_date skipped", int((~ok).sum()))
    frame = frame[ok].merge(tickers[["cik", "ticker"]], on="cik", how="left")
    unmapped = frame["ticker"].isna()
    report.add("companies without a ticker in the company tickers file skipped", int(frame.loc[unmapped, "cik"].nunique()),
               str(frame.loc[unmapped, "cik"].iloc[0]) if unmapped.any() else "")
    frame = frame[~unmapped]
    bad = ~frame["ticker"].str.match(TICKER_RE.pattern)
    report.add("rows with an unusable symbol skipped", int(bad.sum()), ", ".join(frame.loc[bad, "ticker"].head(3)))
    frame = frame[~bad]
    known = (frame["shares_date"] + pd.Timedelta(days=lag_days)).clip(upper=built.normalize())
    out = conform(pd.DataFrame({"ticker": frame["ticker"], "known_from": known, "shares": frame["shares"]}), SHARES, name)
    out = out.drop_duplicates(["ticker", "known_from"], keep="last").reset_index(drop=True)
    if out.empty:
        raise InputError(f"{name}: no usable shares rows")
    out["source"] = "sec"
    report.rows, report.tickers = len(out), out["ticker"].nunique()
    report.first, report.last = out["known_from"].min(), out["known_from"].max()
    return out, report


def resolve_precedence(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (ticker, known_from): the most authoritative source's; sorted, in `SHARES` columns."""
    if frame.empty:
        return conform(pd.DataFrame(columns=list(SHARES)), SHARES, "shares")
    rank = frame["source"].map(SOURCE_PRIORITY).fillna(len(SOURCE_PRIORITY)) if "source" in frame else 0
    ordered = frame.assign(_rank=rank).sort_values(["ticker", "known_from", "_rank"], kind="stable")
    best = ordered.drop_duplicates(["ticker", "known_from"], keep="first")
    return conform(best, SHARES, "shares")


def _check_counts(frame: pd.DataFrame) -> None:
    """Every row a usable count: a NaN or infinite count would later supersede a good one."""
    shares = pd.to_numeric(frame["shares"], errors="coerce").to_numpy(dtype="float64")
    bad = ~(np.isfinite(shares) & (shares > 0))
    known = as_dates(frame["known_from"]).isna().to_numpy()
    for mask, what in ((bad, "a count that is not a positive finite number"), (known, "no known_from date")):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            raise InputError(f"shares: {int(mask.sum())} row(s) with {what} (first: ticker "
                             f"{frame['ticker'].iloc[i]!r}, known_from {frame['known_from'].iloc[i]}, "
                             f"shares {frame['shares'].iloc[i]})")


def store_shares(store: Store, frame: pd.DataFrame) -> int:
    """Merge shares rows into ``shares/all`` (same ticker, known_from and source: new wins); total rows.

    Read, merge and write happen in one transaction under the store's write lock, so two
    imports at once both keep their rows."""
    _check_counts(frame)
    with store.transaction():
        if store.exists(SHARES_TABLE):
            old = store.read(SHARES_TABLE)
            frame = pd.concat([old, frame], ignore_index=True).drop_duplicates(["ticker", "known_from", "source"], keep="last")
        frame = frame.sort_values(["ticker", "known_from"], kind="stable").reset_index(drop=True)
        frame["ticker"] = frame["ticker"].astype(str)
        frame["source"] = frame["source"].astype(str)
        store.write(SHARES_TABLE, frame)
    return len(frame)


def load_shares(store: Store, tickers: list[str] | None = None) -> pd.DataFrame:
    """Stored shares in the `SHARES` schema, precedence applied (empty when none are stored)."""
    if not store.exists(SHARES_TABLE):
        return resolve_precedence(pd.DataFrame())
    frame = store.read(SHARES_TABLE)
    frame = frame[np.isfinite(frame["shares"]) & (frame["shares"] > 0)]  # rows stored before the checks
    if tickers is not None:
        frame = frame[frame["ticker"].isin([t.upper() for t in tickers])]
    return resolve_precedence(frame)


