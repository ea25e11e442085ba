"""Shares outstanding from SEC XBRL company facts, fetched through edgartools and cached.

For each ticker, edgartools resolves the CIK (its bundled ticker table) and loads the company
facts (``Company(ticker).get_facts()``: ``data.sec.gov/api/xbrl/companyfacts``, or the files of
its local-storage mode when ``EDGAR_USE_LOCAL_DATA`` is set). The ``dei:EntityCommonStockSharesOutstanding``
facts become shares rows known from their filing date, by the rules of
`shares.sec_shares_from_entries`, and are merged into ``shares/all`` with source ``sec``
(the precedence of `shares` applies when they are read).

The SEC requires an identity: ``$EDGAR_IDENTITY`` (or `identity=`), checked before the first
request (`data.thirteenf.fetch.edgar_identity`). Each fetched ticker is remembered in
``shares/sec-fetched`` with the time it was fetched; within ``max_age`` a new fetch makes no
request for it at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from hedgeclone.data.prices.shares import sec_shares_from_entries, store_shares
from hedgeclone.data.prices.validate import check_ticker
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError, InputError

__all__ = ["CONCEPT", "FETCHED_TABLE", "SecSharesReport", "shares_entries", "company_shares_entries",
           "fetch_sec_shares"]

CONCEPT = "EntityCommonStockSharesOutstanding"
FETCHED_TABLE = "shares/sec-fetched"
ENTRY_COLUMNS = ["end", "val", "accn", "fy", "fp", "form", "filed"]


@dataclass
class SecSharesReport:
    """What a fetch did: tickers fetched, answered from the cache, failed (with why), rows stored."""

    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    rows: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines for the terminal."""
        out = [f"{len(self.fetched)} ticker(s) fetched from SEC company facts, {self.rows:,} share counts stored"]
        if self.cached:
            out.append(f"{len(self.cached)} ticker(s) fetched recently, no request: {', '.join(self.cached)}")
        out += [f"failed: {why}" for why in self.failed.values()]  # each reason names its ticker
        return out


def shares_entries(facts: Iterable[object]) -> pd.DataFrame:
    """The shares-outstanding facts among edgartools `FinancialFact`s as SEC's entry columns
    (end, val, accn, fy, fp, form, filed); pure."""
    rows = [
        {"end": f.period_end, "val": f.numeric_value, "accn": f.accession, "fy": f.fiscal_year,
         "fp": f.fiscal_period, "form": f.form_type, "filed": f.filing_date}
        for f in facts
        if str(getattr(f, "concept", "")).rsplit(":", 1)[-1] == CONCEPT
        and str(getattr(f, "unit", "")).lower() == "shares" and getattr(f, "dimensions", None) in (None, {})
    ]
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


def company_shares_entries(ticker: str) -> tuple[int, pd.DataFrame]:
    """(CIK, shares-outstanding entries) of `ticker` through edgartools (a request unless local storage).

    The CIK comes from edgartools' company ticker table (bundled; edgartools consults SEC's live
    list only for a ticker missing from it); an unknown ticker, like any failure to get or read
    the facts, is a `DataError` naming the ticker.
    """
    from edgar import Company
    from edgar.reference.tickers import find_company_cik

    cik = find_company_cik(ticker)
    if cik is None:
        raise DataError(f"{ticker}: not in edgartools' company ticker table (no CIK, so no SEC company facts)")
    try:
        facts = Company(int(cik)).get_facts()
    except Exception as exc:  # not found, network, rate limit: say which ticker and why
        raise DataError(f"{ticker}: no SEC company facts for CIK {cik} ({type(exc).__name__}: {exc})") from exc
    if facts is None:
        raise DataError(f"{ticker}: SEC company facts of CIK {cik} could not be read")
    return int(cik), shares_entries(facts)


def _recent(store: Store, now: pd.Timestamp, max_age: pd.Timedelta) -> set[str]:
    if not store.exists(FETCHED_TABLE):
        return set()
    fetched = store.read(FETCHED_TABLE)
    return set(fetched.loc[now - pd.to_datetime(fetched["fetched_at"]) < max_age, "ticker"])


def fetch_sec_shares(store: Store, tickers: Sequence[str], *, identity: str | None = None,
                     max_age: pd.Timedelta = pd.Timedelta(days=1), now: pd.Timestamp | None = None,
                     on_ticker: Callable[[str], None] | None = None) -> SecSharesReport:
    """Fetch SEC shares outstanding of `tickers` through edgartools into ``shares/all``.

    A ticker fetched less than `max_age` ago is not asked for again. A ticker that fails (unknown
    to SEC, no shares facts) is reported and the others are still stored; the identity is
    required before the first request (`InputError` naming ``$EDGAR_IDENTITY`` when missing).
    """
    from hedgeclone.data.thirteenf.fetch import edgar_identity

    now = now or pd.Timestamp.now()
    names = [check_ticker(t.strip().upper(), "SEC shares fetch") for t in tickers]
    recent = _recent(store, now, max_age)
    report = SecSharesReport()
    frames, fetched = [], []
    identified = False
    for ticker in names:
        if ticker in recent:
            report.cached.append(ticker)
        else:
            if not identified:  # before the first request, never for a fully cached run
                from edgar import set_identity

                set_identity(identity or edgar_identity())
                identified = True
            try:
                cik, entries = company_shares_entries(ticker)
                frame, _ = sec_shares_from_entries(entries, name=f"SEC company facts of {ticker} (CIK {cik})",
                                                   ticker=ticker)
            except (DataError, InputError) as exc:
                report.failed[ticker] = str(exc)
            else:
                frames.append(frame)
                fetched.append({"ticker": ticker, "cik": cik, "fetched_at": now, "rows": len(frame)})
                report.fetched.append(ticker)
                report.rows += len(frame)
        if on_ticker is not None:
            on_ticker(ticker)
    if fetched:
        log = pd.DataFrame(fetched)
        with store.transaction():  # the fetch log is read and rewritten under the write lock
            if store.exists(FETCHED_TABLE):
                old = store.read(FETCHED_TABLE)
                log = pd.concat([old[~old["ticker"].isin(log["ticker"])], log], ignore_index=True)
            store_shares(store, pd.concat(frames, ignore_index=True))
            store.write(FETCHED_TABLE, log.sort_values("ticker", ignore_index=True))
    return report
