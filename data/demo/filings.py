"""13F-HR filings of the demo filers: filing lags, amendments, options rows, accession numbers.

- Lags: most filings are accepted between day 30 and day 45 after the quarter end (on or
  before the deadline's session), about 10% earlier, about 6% late (day 46-120).
- About 3% of filings are later restated by a 13F-HR/A of type RESTATEMENT carrying the full,
  corrected holdings; their original had a few wrong or missing rows.
- About 3% withheld a few positions (confidential treatment) that a later 13F-HR/A of type
  NEW HOLDINGS discloses.
- About 1.5% of positions come with a PUT or CALL row on the same CUSIP.
- Filings (and amendments) accepted after the last session of the calendar are not included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.data.demo.filers import FilerPopulation, Positions
from hedgeclone.data.demo.identifiers import accession_numbers, make_ciks
from hedgeclone.data.demo.sessions import session_on_or_after, session_on_or_before
from hedgeclone.data.schemas import HOLDINGS, conform

__all__ = ["holdings_table"]

ORIGINAL, RESTATEMENT, NEW_HOLDINGS = 0, 1, 2
NO_OPTION, PUT, CALL = 0, 1, 2


def _filing_rows(lag_days, period_dates, calendar, late):
    """Session row of each filing: on or before period + lag when timely, on or after when late."""
    target = period_dates + lag_days.astype("timedelta64[D]")
    before = session_on_or_before(calendar, target)
    after = session_on_or_after(calendar, target)
    rows = np.where(late, after, before)
    too_early = calendar.to_numpy()[np.minimum(rows, len(calendar) - 1)] <= period_dates
    return np.where(too_early & (rows < len(calendar)), after, rows)


def holdings_table(
    rng: np.random.Generator,
    filers: FilerPopulation,
    pos: Positions,
    quarters: pd.DatetimeIndex,
    calendar: pd.DatetimeIndex,
    tickers: np.ndarray,
    cusips: np.ndarray,
    issuers: np.ndarray,
) -> pd.DataFrame:
    """The long 13F holdings table (HOLDINGS schema), sorted by filed date, cik, accession, cusip."""
    n_q = len(quarters)
    # One original filing per (filer, quarter) present in the positions.
    filing_key, row_filing = np.unique(pos.filer * n_q + pos.quarter, return_inverse=True)
    f_filer, f_quarter = filing_key // n_q, filing_key % n_q
    f_row = _original_filing_rows(rng, f_filer, quarters.to_numpy()[f_quarter], calendar, len(filers.cik))
    rows = _with_option_rows(rng, pos, row_filing)
    rows = _with_amendments(rng, rows, f_row)
    ok = rows["filed_row"] < len(calendar)  # not yet public at the end of the calendar
    rows = {k: v[ok] for k, v in rows.items()}
    return _assemble(rng, filers, quarters, calendar, tickers, cusips, issuers, f_filer, f_quarter, rows)


def _original_filing_rows(rng, f_filer, period, calendar, n_filers) -> np.ndarray:
    """Session row of each original filing: ~84% on days 30-45, ~10% earlier, the rest late.

    A few filers (5%) are chronically late; anyone else is late about 3% of the time.
    """
    n_f = f_filer.size
    chronic = rng.random(n_filers) < 0.05
    u = rng.random(n_f)
    late = (u > 0.97) | (chronic[f_filer] & (rng.random(n_f) < 0.6))
    lag = np.where(u < 0.10, rng.integers(5, 30, n_f), 30 + np.floor(16 * rng.beta(3.0, 1.2, n_f)))
    lag = np.where(late, rng.integers(46, 121, n_f), np.minimum(lag, 45)).astype(np.int64)
    return _filing_rows(lag, period, calendar, late)


def _with_option_rows(rng, pos: Positions, row_filing: np.ndarray) -> dict[str, np.ndarray]:
    """Position rows plus, for ~1.5% of them, a PUT or CALL row on the same stock (fewer shares)."""
    opt = rng.random(pos.stock.size) < 0.015
    n_opt = int(opt.sum())
    take = np.r_[np.arange(pos.stock.size), np.flatnonzero(opt)]
    shares = np.r_[pos.shares, np.maximum(1.0, np.round(pos.shares[opt] * rng.uniform(0.1, 1.0, n_opt)))]
    return {
        "stock": pos.stock[take],
        "price": pos.price[take],
        "filing": row_filing[take],
        "option": np.r_[
            np.zeros(pos.stock.size, np.int8), np.where(rng.random(n_opt) < 0.5, PUT, CALL).astype(np.int8)
        ],
        "shares": shares,
        "value": shares * pos.price[take],
    }


def _with_amendments(rng, rows: dict[str, np.ndarray], f_row: np.ndarray) -> dict[str, np.ndarray]:
    """Rows of originals and 13F-HR/A amendments, with a `kind` and a `filed_row` per row.

    RESTATEMENT: the amendment repeats every row correctly; the original had ~3 rows wrong
    (value in thousands, shares off) or missing. NEW HOLDINGS: ~2.5 rows withheld from the
    original appear in the amendment only.
    """
    filing, shares, value = rows["filing"], rows["shares"].copy(), rows["value"].copy()
    n_f = f_row.size
    size = np.bincount(filing, minlength=n_f)
    pick = rng.random(n_f)
    restated = (pick < 0.03) & (size >= 5)
    new_hold = (pick > 0.97) & (size >= 6)
    amend_row = np.where(restated, f_row + rng.integers(3, 91, n_f), f_row + rng.integers(5, 121, n_f))
    keep = np.ones(filing.size, bool)

    r_idx = np.flatnonzero(restated[filing])  # full corrected copies, taken before the errors
    extra = [(r_idx, RESTATEMENT, shares[r_idx], value[r_idx])]
    err = r_idx[rng.random(r_idx.size) < 3.0 / np.maximum(size[filing[r_idx]], 1)]
    how = rng.integers(0, 3, err.size)
    value[err[how == 0]] /= 1000.0  # reported in thousands by mistake
    keep[err[how == 1]] = False  # row missing from the original
    wrong = err[how == 2]
    shares[wrong] = np.round(shares[wrong] * rng.uniform(0.5, 1.5, wrong.size))
    value[wrong] = shares[wrong] * rows["price"][wrong]

    n_idx = np.flatnonzero(new_hold[filing] & (rows["option"] == NO_OPTION))
    withheld = n_idx[rng.random(n_idx.size) < 2.5 / np.maximum(size[filing[n_idx]], 1)]
    keep[withheld] = False
    extra.append((withheld, NEW_HOLDINGS, shares[withheld], value[withheld]))

    base = np.flatnonzero(keep)
    idx = np.concatenate([base] + [e[0] for e in extra])
    kind = np.concatenate([np.zeros(base.size, np.int8)] + [np.full(e[0].size, e[1], np.int8) for e in extra])
    out = {k: v[idx] for k, v in rows.items() if k not in ("shares", "value")}
    out["shares"] = np.concatenate([shares[base]] + [e[2] for e in extra])
    out["value"] = np.concatenate([value[base]] + [e[3] for e in extra])
    out["kind"] = kind
    out["filed_row"] = np.where(kind == ORIGINAL, f_row[out["filing"]], amend_row[out["filing"]])
    return out


def _assemble(
    rng, filers, quarters, calendar, tickers, cusips, issuers, f_filer, f_quarter, rows
) -> pd.DataFrame:
    """Accession numbers per (filing, kind) and the HOLDINGS frame."""
    stock, option, kind, filing, filed_row = (
        rows[k] for k in ("stock", "option", "kind", "filing", "filed_row")
    )
    doc_key = filing * 3 + kind
    docs, row_doc = np.unique(doc_key, return_inverse=True)
    d_filing, d_kind = docs // 3, docs % 3
    d_filer = f_filer[d_filing]
    d_filed = calendar.to_numpy()[filed_row[np.unique(row_doc, return_index=True)[1]]]
    # Filing agents: ~25% of filers file through one of a few agents, the rest file themselves.
    agents = make_ciks(rng, 6)
    agent_of = np.where(
        rng.random(len(filers.cik)) < 0.25, agents[rng.integers(0, 6, len(filers.cik))], filers.cik
    )
    d_agent = agent_of[d_filer]
    d_year = pd.DatetimeIndex(d_filed).year.to_numpy()
    order = np.lexsort((d_filer, d_filed, d_year, d_agent))
    seq = np.empty(docs.size, np.int64)
    block = np.r_[True, (np.diff(d_agent[order]) != 0) | (np.diff(d_year[order]) != 0)]
    start = np.maximum.accumulate(np.where(block, np.arange(docs.size), 0))
    seq[order] = np.arange(docs.size) - start + 1
    offset = np.where(d_agent == filers.cik[d_filer], 0, 1000 + (d_agent % 9000))
    accession = accession_numbers(d_agent, d_year, seq + offset)

    # Sort rows by filed date, cik, accession, cusip, then put/call (none, CALL, PUT) on integer keys.
    doc_rank = np.argsort(np.argsort(accession, kind="stable"), kind="stable")
    cusip_rank = np.argsort(np.argsort(cusips, kind="stable"), kind="stable")
    option_rank = np.array([0, 2, 1])[option]
    cik = filers.cik[d_filer[row_doc]]
    order = np.lexsort((option_rank, cusip_rank[stock], doc_rank[row_doc], cik, d_filed[row_doc]))
    row_doc, stock, option, filing = row_doc[order], stock[order], option[order], filing[order]
    forms = pd.array(["13F-HR", "13F-HR/A", "13F-HR/A"], dtype="string")
    amend = pd.array([None, "RESTATEMENT", "NEW HOLDINGS"], dtype="string")
    puts = pd.array([None, "PUT", "CALL"], dtype="string")
    frame = pd.DataFrame(
        {
            "cik": cik[order],
            "filer_name": pd.array(filers.name, dtype="string").take(d_filer[row_doc]),
            "period": quarters.to_numpy()[f_quarter[filing]],
            "filed": d_filed[row_doc],
            "accession": pd.array(accession, dtype="string").take(row_doc),
            "form": forms.take(d_kind[row_doc]),
            "amendment_type": amend.take(d_kind[row_doc]),
            "cusip": pd.array(cusips, dtype="string").take(stock),
            "ticker": pd.array(tickers, dtype="string").take(stock),
            "issuer": pd.array(issuers, dtype="string").take(stock),
            "value_usd": rows["value"][order],
            "shares": rows["shares"][order],
            "put_call": puts.take(option),
        }
    )
    return conform(frame, HOLDINGS, "demo holdings")
