"""A filer's 13F filings from SEC EDGAR through edgartools, cached in the store.

The SEC requires a User-Agent identity: it is read from ``$EDGAR_IDENTITY`` ("Name email"),
and a missing identity is an `InputError` before any request. The list of a CIK's filings
is remembered in ``13f/fetched/<cik>`` with the time it was taken; within ``max_age`` a new
fetch makes no request at all, and a filing already stored is never downloaded again.
`list_filings` is injectable so tests drive the real edgartools parsing offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.documents import holdings_from_filing
from hedgeclone.data.thirteenf.importers import ImportReport
from hedgeclone.data.thirteenf.storage import StoreHoldings
from hedgeclone.errors import DataError, InputError

__all__ = ["IDENTITY_ENV", "FORMS", "edgar_identity", "list_13f_filings", "fetch_ciks"]

IDENTITY_ENV = "EDGAR_IDENTITY"
FORMS = ["13F-HR", "13F-HR/A", "13F-NT", "13F-NT/A"]


def edgar_identity() -> str:
    """The SEC identity from ``$EDGAR_IDENTITY``; `InputError` saying how to set it if missing."""
    identity = os.environ.get(IDENTITY_ENV, "").strip()
    if not identity:
        raise InputError(f"${IDENTITY_ENV} is not set: the SEC requires an identity for EDGAR requests, "
                         f"e.g. export {IDENTITY_ENV}='Jane Doe jane@example.com'")
    return identity


def list_13f_filings(cik: int) -> list:
    """edgartools `Filing`s of the 13F forms filed by `cik` (makes SEC requests)."""
    from edgar import Company, set_identity

    set_identity(edgar_identity())
    try:
        return list(Company(cik).get_filings(form=FORMS))
    except Exception as exc:  # network, unknown CIK: say which CIK
        raise DataError(f"CIK {cik}: cannot list 13F filings from EDGAR ({type(exc).__name__}: {exc})") from exc


def fetch_ciks(store: Store, ciks: Sequence[int], *, list_filings: Callable[[int], Iterable] | None = None,
               max_age: pd.Timedelta = pd.Timedelta(days=1), cusip_map: pd.Series | None = None,
               now: pd.Timestamp | None = None, progress: Callable[[str], None] | None = None,
               ) -> ImportReport:
    """Fetch and store the 13F filings of `ciks` not stored yet; one batch per CIK, all or nothing."""
    lister = list_filings or list_13f_filings
    now = now or pd.Timestamp.now()
    holdings_db = StoreHoldings(store)
    known = holdings_db.accessions()
    report = ImportReport()
    writes: list[tuple[str, pd.DataFrame]] = []
    for cik in ciks:
        cache = f"13f/fetched/{int(cik)}"
        if store.exists(cache):
            listed = store.read(cache)
            if len(listed) and now - pd.Timestamp(listed["listed_at"].iloc[0]) < max_age:
                report.skipped["CIK listed recently (no request)"] += 1
                continue
        if list_filings is None:
            edgar_identity()
        filings = list(lister(int(cik)))
        frames = []
        for filing in filings:
            accession = str(filing.accession_no)
            if accession in known:
                report.skipped["filing already stored"] += 1
                continue
            if progress:
                progress(f"CIK {cik}: {filing.form} {accession}")
            frames.append(holdings_from_filing(filing, source=f"EDGAR {accession}", cusip_map=cusip_map))
            known.add(accession)
        index = pd.DataFrame({"accession": [str(f.accession_no) for f in filings],
                              "listed_at": [now] * len(filings)}) if filings else \
            pd.DataFrame({"accession": [""], "listed_at": [now]})
        writes.append((cache, index))
        if frames:
            frame = pd.concat(frames, ignore_index=True)
            writes.append((f"edgar-{int(cik)}-{now:%Y%m%dT%H%M%S}", frame))
            report.filings += int(frame["accession"].nunique())
            report.holdings += len(frame)
        report.sources.append(f"EDGAR CIK {int(cik)}")
    with store.transaction():
        stored = holdings_db.accessions()  # again, under the write lock: another process may have stored some
        for name, frame in writes:
            if name.startswith("13f/"):
                store.write(name, frame)
                continue
            dup = frame["accession"].isin(stored)
            if dup.any():
                report.skipped["filing already stored"] += int(frame.loc[dup, "accession"].nunique())
                report.filings -= int(frame.loc[dup, "accession"].nunique())
                report.holdings -= int(dup.sum())
                frame = frame[~dup.to_numpy()]
            if len(frame):
                report.batches.append(holdings_db.write_batch(name, frame))
    return report
