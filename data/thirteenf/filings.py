"""The fast store path of "holders per stock as of D": filings first, then only their rows.

Each holdings batch ``13f/holdings/<id>`` has a small companion ``13f/filings/<id>``: the
distinct (cik, period, accession, filed, amendment_type) facts of its rows, a few thousand
rows for a whole SEC quarter. A query resolves the filings in force on D on those facts with
the very CTEs of `pointintime` (`keep_ctes`), so it follows the same rules by construction,
then reads only the row groups of the batches that hold a kept filing (batches are stored
sorted by filing date, so a row group's min/max ``filed`` says whether a kept filing can be
in it) and aggregates them in NumPy: cusip, ticker and issuer are read dictionary-encoded, and
the dictionaries are sorted so that integer codes compare as the strings do (SQL's
``max(ticker)``, ``min(issuer)`` and ``ORDER BY v DESC, cusip``).

`aggregate_holders` equals the aggregation of `pointintime.holders_sql` on the same rows
(values are summed in a different order, so sums agree to rounding); a test holds them together.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hedgeclone.data.schemas import conform
from hedgeclone.data.thirteenf.pointintime import HOLDERS, _ciks_clause, keep_ctes

__all__ = ["FILINGS_PREFIX", "FILING_FACTS", "ROW_COLUMNS", "FilingFacts", "filing_facts", "store_order",
           "kept_sql", "aggregate_holders"]

FILINGS_PREFIX = "13f/filings/"
_NEW = "NEW HOLDINGS"

# One row per distinct filing fact of a batch (normally one per accession).
FILING_FACTS: dict[str, str] = {
    "cik": "int64",
    "period": "datetime64[ns]",
    "accession": "string",
    "filed": "datetime64[ns]",
    "amendment_type": "string",
}

# Columns the fast path reads from a holdings batch, and those it reads dictionary-encoded.
ROW_COLUMNS = ["cik", "accession", "filed", "cusip", "ticker", "issuer", "value_usd", "put_call"]
DICTIONARY_COLUMNS = ["accession", "cusip", "ticker", "issuer"]


def store_order(holdings: pd.DataFrame) -> pd.DataFrame:
    """`holdings` sorted by (filed, accession, cusip, put_call): a filing's rows together, oldest first."""
    return holdings.sort_values(["filed", "accession", "cusip", "put_call"], kind="stable",
                                na_position="first", ignore_index=True)


def filing_facts(holdings: pd.DataFrame) -> pd.DataFrame:
    """The distinct filing facts (`FILING_FACTS`) of HOLDINGS rows, sorted by filed date then accession."""
    facts = holdings.loc[:, list(FILING_FACTS)].drop_duplicates()
    facts = facts.sort_values(["filed", "accession"], kind="stable", ignore_index=True)
    return conform(facts, FILING_FACTS, "13F filing facts")


def kept_sql(facts: str, ciks: Iterable[int] | None = None) -> str:
    """SQL of the facts (cik, accession, batch, filed) of the filings in force on ``$as_of``.

    `facts` is a relation of `FILING_FACTS` rows plus the ``batch`` that stores each filing.
    """
    return f"""
    WITH h AS (SELECT * FROM {facts} WHERE filed <= $as_of{_ciks_clause(ciks)}),
    {keep_ctes("h")}
    SELECT h.cik, h.accession, h.batch, h.filed FROM h SEMI JOIN keep ON h.cik = keep.cik AND h.accession = keep.accession
    """


class FilingFacts:
    """The filing facts of every batch (`FILING_FACTS` plus ``batch``), ordered once for many dates.

    `kept` resolves the filings in force on a date with NumPy over the facts sorted by
    (cik, period, filed, accession): a filer's last visible original or restatement is the base
    of its latest period, and the NEW HOLDINGS amendments after it in the same period add to it
    (`pointintime`'s rules). When a (cik, accession) pair has more than one fact row (rows of one
    filing with different dates, or a filing stored twice) it runs `kept_sql` instead, whose
    grouping settles those cases exactly as the reference SQL does.
    """

    def __init__(self, facts: pa.Table) -> None:
        self.table = facts
        frame = facts.to_pandas()
        self.exact = not frame.duplicated(["cik", "accession"]).any()
        acc = pd.factorize(frame["accession"], sort=True)[0]
        order = np.lexsort((acc, frame["filed"].to_numpy(), frame["period"].to_numpy(), frame["cik"].to_numpy()))
        self.frame = frame.iloc[order].reset_index(drop=True)
        self._cik = self.frame["cik"].to_numpy(np.int64)
        self._period = self.frame["period"].to_numpy("datetime64[ns]")
        self._filed = self.frame["filed"].to_numpy("datetime64[ns]")
        self._new = (self.frame["amendment_type"] == _NEW).fillna(False).to_numpy(bool)

    def kept(self, as_of: pd.Timestamp, ciks: Iterable[int] | None = None) -> pd.DataFrame:
        """The facts (cik, accession, batch, filed) of the filings in force on `as_of`."""
        if not self.exact:
            from hedgeclone.data.thirteenf.pointintime import run_sql

            return run_sql(kept_sql("facts", ciks), as_of, {"facts": self.table})
        visible = self._filed <= np.datetime64(as_of, "ns")
        if ciks is not None:
            visible &= np.isin(self._cik, np.asarray(sorted({int(c) for c in ciks}), dtype=np.int64))
        base = np.flatnonzero(visible & ~self._new)
        last = np.r_[self._cik[base][1:] != self._cik[base][:-1], True] if len(base) else np.zeros(0, bool)
        base = base[last]  # one per filer: the last visible base in (period, filed, accession) order
        adds = np.flatnonzero(visible & self._new)
        if len(base) and len(adds):
            b = base[np.minimum(np.searchsorted(self._cik[base], self._cik[adds]), len(base) - 1)]
            adds = adds[(self._cik[b] == self._cik[adds]) & (self._period[b] == self._period[adds]) & (adds > b)]
        else:
            adds = adds[:0]
        rows = np.sort(np.concatenate([base, adds]))
        return self.frame.loc[rows, ["cik", "accession", "batch", "filed"]].reset_index(drop=True)


def _sorted_codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for null) of a dictionary column whose order is the strings' order, and the labels."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    labels = array.dictionary
    order = pc.sort_indices(labels).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    indices = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = np.append(rank, -1)[indices]  # index -1 (null) picks the appended -1
    return codes, np.asarray(labels.take(pa.array(order)).to_pylist(), dtype=object)


def _name_per_cusip(cusip: np.ndarray, codes: np.ndarray, n: int, largest: bool) -> np.ndarray:
    """Per cusip code, the largest (or smallest) non-null name code; -1 where all are null."""
    if largest:
        out = np.full(n, -1, dtype=np.int64)
        np.maximum.at(out, cusip, codes)
        return out
    big = np.iinfo(np.int64).max
    out = np.full(n, big, dtype=np.int64)
    np.minimum.at(out, cusip, np.where(codes < 0, big, codes))
    return np.where(out == big, -1, out)


def _decode(labels: np.ndarray, codes: np.ndarray) -> pd.Series:
    out = np.full(len(codes), None, dtype=object)
    ok = codes >= 0
    out[ok] = labels[codes[ok]]
    return pd.Series(out, dtype="string")


def aggregate_holders(rows: pa.Table, what: str = "13F holders") -> pd.DataFrame:
    """`HOLDERS` from the long-equity rows in force (columns cik, cusip, ticker, issuer, value_usd).

    Same definitions as `pointintime.holders_sql`: positions summed per (filer, CUSIP); weight =
    position / the filer's total (0 where the total is 0); top10 = rank <= 10 by (value desc,
    CUSIP); names = max(ticker), min(issuer) over the rows; ordered by holders, value, CUSIP.
    """
    if rows.num_rows == 0:
        return conform(pd.DataFrame(columns=list(HOLDERS)), HOLDERS, what)
    cusip, cusips = _sorted_codes(rows.column("cusip"))
    ticker, tickers = _sorted_codes(rows.column("ticker"))
    issuer, issuers = _sorted_codes(rows.column("issuer"))
    cik = rows.column("cik").to_numpy()
    value = rows.column("value_usd").fill_null(0.0).to_numpy()
    n = len(cusips)
    # Positions per (filer, CUSIP): groups sorted by cik, then CUSIP order.
    key, group = np.unique(cik.astype(np.int64) * n + cusip, return_inverse=True)
    v = np.bincount(group, weights=value, minlength=len(key))
    g_cik, g_cusip = key // n, key % n
    filer_start = np.r_[True, g_cik[1:] != g_cik[:-1]]
    filer = np.cumsum(filer_start) - 1
    total = np.bincount(filer, weights=v)[filer]
    weight = np.divide(v, total, out=np.zeros(len(v)), where=total != 0)
    from hedgeclone.data.thirteenf.kernels import top10_nb  # numba only when aggregating

    top10 = top10_nb(np.append(np.flatnonzero(filer_start), len(v)), v)
    holders = np.bincount(g_cusip, minlength=n)
    held = np.flatnonzero(holders)
    out = pd.DataFrame({
        "cusip": pd.Series(cusips[held], dtype="string"),
        "ticker": _decode(tickers, _name_per_cusip(cusip, ticker, n, largest=True)[held]),
        "issuer": _decode(issuers, _name_per_cusip(cusip, issuer, n, largest=False)[held]),
        "holders": holders[held],
        "value_usd": np.bincount(g_cusip, weights=v, minlength=n)[held],
        "conviction": np.bincount(g_cusip, weights=weight, minlength=n)[held],
        "top10": np.bincount(g_cusip, minlength=n, weights=top10.astype(np.float64))[held].round().astype(np.int64),
    })
    order = np.lexsort((held, -out["value_usd"].to_numpy(), -out["holders"].to_numpy()))
    return conform(out.iloc[order], HOLDERS, what)

