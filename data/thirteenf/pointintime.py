"""Point-in-time 13F views: what was known on date D, and the 13F counting rules.

The counting rules (every 13F-derived decision and table follows them; `index.HoldingsIndex`
implements them, with the helpers below):

1. A filing is known from the session *after* its filing date: the view on D sees filings
   with ``filed < D`` (EDGAR accepts filings until 5:30 pm, after the close) -- `visible_cut`.
2. Per filer (CIK) its latest known period; for that period the latest original or
   RESTATEMENT plus the NEW HOLDINGS amendments filed after it (`keep_ctes`).
3. A filer whose latest period is more than `max_filing_age_quarters` (default 1) quarters
   before the last quarter end before D is stale and does not count -- `oldest_current_quarter`.
4. Only long equity counts: no PUT/CALL rows, no principal-amount (PRN) rows (left out at
   import where the source says PRN), no CUSIP whose issue number (characters 7-8) is not two
   digits -- `is_equity_cusip`.
5. The issuer is the CUSIP's first six characters (`issuer_code`); holders = distinct filers
   holding any of its equity CUSIPs; conviction = the sum over its holders of its share of
   each holder's long-equity value; top10 = holders with it among their 10 largest issuers.
6. Ranking: holders (or the chosen score) descending, conviction descending, issuer code
   ascending. The traded ticker: among the issuer's tickers priced on D, the one held by the
   most filers, then the highest conviction, then alphabetically.

The SQL below is the store-side primitive of rules 1-2: a filing with ``filed <= $as_of``
is visible to it, so a decision on D passes ``visible_cut(D)``. For each filer (CIK) and period, the visible *base* filing is the latest original or
RESTATEMENT (by filed date, then accession); NEW HOLDINGS amendments filed after that base and
by D are added to it (an earlier one was superseded by the restatement). Each filer shows its
latest period that has a visible base filing. A 13F-NT holds nothing and so has no rows.

One SQL text implements these rules for both sources: an in-memory HOLDINGS frame (DuckDB
reads it in place) and the stored Parquet batches (see `storage`). The in-memory versions
are the API the strategies call:

    holdings_as_of(holdings, as_of, ciks=None, include_options=False)
    holders_as_of(holdings, as_of, ciks=None)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.errors import InputError

__all__ = ["HOLDERS", "holdings_as_of", "holders_as_of", "holdings_sql", "holders_sql", "keep_ctes", "run_sql",
           "visible_cut", "oldest_current_quarter", "is_equity_cusip", "issuer_code", "DEFAULT_MAX_AGE_QUARTERS"]

DEFAULT_MAX_AGE_QUARTERS = 1


def visible_cut(as_of: object) -> pd.Timestamp:
    """The latest filing time the view on `as_of` sees: just before `as_of`'s midnight (``filed < D``)."""
    return _as_of(as_of).normalize() - pd.Timedelta(microseconds=1)


def oldest_current_quarter(as_of: object, max_age_quarters: int | None) -> pd.Period | None:
    """The oldest report quarter a filer may have as its latest and still count on `as_of`.

    That is the quarter of the last quarter end strictly before `as_of`, less `max_age_quarters`;
    None (no staleness rule) when `max_age_quarters` is None.
    """
    if max_age_quarters is None:
        return None
    if max_age_quarters < 0:
        raise InputError(f"max_filing_age_quarters must be >= 0, got {max_age_quarters}")
    day_before = _as_of(as_of).normalize() - pd.Timedelta(days=1)
    last_end = pd.tseries.offsets.QuarterEnd().rollback(day_before)
    return pd.Timestamp(last_end).to_period("Q") - int(max_age_quarters)


def is_equity_cusip(cusips) -> np.ndarray:
    """True where a CUSIP's issue number (characters 7-8) is two digits (equity, not debt)."""
    text = _strings(cusips).str.upper()
    return text.str[6:8].str.fullmatch(r"\d\d").fillna(False).to_numpy(dtype=bool)


def issuer_code(cusips) -> np.ndarray:
    """The issuer of each CUSIP: its first six characters, upper case."""
    return _strings(cusips).str.upper().str[:6].to_numpy(dtype=object)


def _strings(values) -> pd.Series:
    """`values` as a string Series (a string-typed Series as it is: no round trip through objects)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return values
    return pd.Series(np.asarray(values, dtype=object)).astype("string")

# Aggregates per stock as of D (one row per CUSIP, most-held first).
HOLDERS: dict[str, str] = {
    "cusip": "string",
    "ticker": "string",
    "issuer": "string",
    "holders": "int64",  # distinct filers holding it long
    "value_usd": "float64",  # summed over holders
    "conviction": "float64",  # sum of its weight in each holder's long-equity portfolio
    "top10": "int64",  # number of holders with it among their 10 largest positions
}


def _ciks_clause(ciks: Iterable[int] | None) -> str:
    if ciks is None:
        return ""
    values = sorted({int(c) for c in ciks})
    if not values:
        return " AND FALSE"
    return f" AND cik IN ({', '.join(str(v) for v in values)})"


def holdings_sql(source: str, ciks: Iterable[int] | None, include_options: bool) -> str:
    """SQL selecting the HOLDINGS rows known on ``$as_of`` from relation `source`."""
    options = "" if include_options else " AND h.put_call IS NULL"
    return f"""
    WITH h AS (SELECT * FROM {source} WHERE filed <= $as_of{_ciks_clause(ciks)}),
    {keep_ctes("h")}
    SELECT h.* FROM h SEMI JOIN keep ON h.cik = keep.cik AND h.accession = keep.accession
    WHERE TRUE{options}
    """


def keep_ctes(visible: str) -> str:
    """The CTEs (``f, base, latest, keep``) resolving the filings in force from relation `visible`.

    `visible` holds rows (or distinct filing facts) already known on ``$as_of``, with columns
    cik, period, accession, filed, amendment_type; ``keep`` ends as the (cik, accession) pairs
    whose rows are the holdings known on ``$as_of``.
    """
    return f"""f AS (SELECT cik, period, accession, max(filed) AS filed, max(amendment_type) AS amendment_type
          FROM {visible} GROUP BY cik, period, accession),
    base AS (SELECT cik, period, accession AS base_acc, filed AS base_filed FROM f
             WHERE coalesce(amendment_type, '') <> 'NEW HOLDINGS'
             QUALIFY row_number() OVER (PARTITION BY cik, period ORDER BY filed DESC, accession DESC) = 1),
    latest AS (SELECT * FROM base QUALIFY row_number() OVER (PARTITION BY cik ORDER BY period DESC) = 1),
    keep AS (SELECT f.cik, f.accession FROM f JOIN latest l ON f.cik = l.cik AND f.period = l.period
             WHERE f.accession = l.base_acc
                OR (coalesce(f.amendment_type, '') = 'NEW HOLDINGS'
                    AND (f.filed > l.base_filed OR (f.filed = l.base_filed AND f.accession > l.base_acc))))"""


def holders_sql(source: str, ciks: Iterable[int] | None) -> str:
    """SQL of the per-stock aggregates (`HOLDERS`) as of ``$as_of`` over relation `source`."""
    return f"""
    WITH held AS ({holdings_sql(source, ciks, include_options=False)}),
    pos AS (SELECT cik, cusip, sum(value_usd) AS v FROM held GROUP BY cik, cusip),
    w AS (SELECT cusip, v, v / nullif(sum(v) OVER (PARTITION BY cik), 0) AS weight,
                 row_number() OVER (PARTITION BY cik ORDER BY v DESC, cusip) AS rnk FROM pos),
    agg AS (SELECT cusip, count(*) AS holders, sum(v) AS value_usd, sum(coalesce(weight, 0)) AS conviction,
                   count(*) FILTER (WHERE rnk <= 10) AS top10 FROM w GROUP BY cusip),
    names AS (SELECT cusip, max(ticker) AS ticker, min(issuer) AS issuer FROM held GROUP BY cusip)
    SELECT agg.cusip, names.ticker, names.issuer, holders, value_usd, conviction, top10
    FROM agg JOIN names ON agg.cusip = names.cusip
    ORDER BY holders DESC, value_usd DESC, agg.cusip
    """


def _as_of(as_of: object) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise InputError(f"as-of date {as_of!r} is not a date") from exc
    if ts is pd.NaT:
        raise InputError("as-of date is missing")
    return ts.tz_localize(None) if ts.tzinfo else ts


def run_sql(sql: str, as_of: object = None, frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Run `sql` (with ``$as_of`` bound unless None), the `frames` registered as relations of those names."""
    import duckdb  # here, not at the top: most runs never query SQL

    params = None if as_of is None else {"as_of": _as_of(as_of).to_pydatetime()}
    with duckdb.connect() as con:
        for name, frame in (frames or {}).items():
            con.register(name, frame)
        return con.execute(sql, params).df()


def _typed(holdings: pd.DataFrame) -> pd.DataFrame:
    """`holdings` itself if it already has the HOLDINGS dtypes, else a conformed copy."""
    if list(holdings.columns) == list(HOLDINGS) and all(
        str(holdings[c].dtype) == t for c, t in HOLDINGS.items()
    ):
        return holdings
    return conform(holdings, HOLDINGS, "13F holdings")


def holdings_as_of(holdings: pd.DataFrame, as_of: object, ciks: Iterable[int] | None = None,
                   include_options: bool = False) -> pd.DataFrame:
    """HOLDINGS rows known on `as_of`: per filer its latest period, amendments known by then applied.

    PUT/CALL rows are left out unless `include_options`. Sorted by cik, then value (largest first).
    """
    out = run_sql(holdings_sql("h_all", ciks, include_options), as_of, {"h_all": _typed(holdings)})
    out = conform(out, HOLDINGS, "13F holdings as of " + str(_as_of(as_of).date()))
    return out.sort_values(["cik", "value_usd", "cusip"], ascending=[True, False, True], ignore_index=True)


def holders_as_of(holdings: pd.DataFrame, as_of: object, ciks: Iterable[int] | None = None) -> pd.DataFrame:
    """Per CUSIP as of `as_of` (long equity only): holders, value_usd, conviction, top10 (`HOLDERS`)."""
    out = run_sql(holders_sql("h_all", ciks), as_of, {"h_all": _typed(holdings)})
    return conform(out, HOLDERS, "13F holders as of " + str(_as_of(as_of).date()))
