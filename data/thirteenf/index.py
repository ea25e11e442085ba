"""`HoldingsIndex`: the 13F counting rules of `pointintime`, precomputed once for many dates.

This is the one implementation of those rules that decisions and tables use (the consensus,
micro-cap `min_holders`, the screen, ``hedgeclone data 13f holders`` and the filer-selection
clone returns). The filing-level facts (one row per filing) are resolved per date in NumPy;
the long-equity positions are pre-aggregated per (filing, CUSIP) and sorted by filing, so a
date costs a slice per kept filing plus a small group-by.

    index = HoldingsIndex(holdings)            # HOLDINGS rows
    index.positions_as_of(D)                   # per filer and CUSIP: the long equity counted on D
    table = index.issuers_as_of(D)             # per issuer: holders, conviction, top10 (`IssuerTable`)
    chosen, unpriced = table.traded(priced)    # the traded ticker of each issuer
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import conform
from hedgeclone.data.thirteenf.pointintime import (
    DEFAULT_MAX_AGE_QUARTERS,
    _as_of,
    is_equity_cusip,
    issuer_code,
    oldest_current_quarter,
)
from hedgeclone.errors import InputError
from hedgeclone.labels import isin

__all__ = ["HoldingsIndex", "IssuerTable", "ISSUERS", "POSITIONS", "Traded"]

_NEW = "NEW HOLDINGS"
_NO_NAME = np.iinfo(np.int64).max

# Long-equity positions counted on D: one row per filer and CUSIP.
POSITIONS: dict[str, str] = {
    "cik": "int64",
    "cusip": "string",
    "issuer": "string",  # CUSIP[:6]
    "ticker": "string",
    "name": "string",
    "value_usd": "float64",
}

# One row per counted unit (the issuer, or the ticker without share-class merging), ranked.
ISSUERS: dict[str, str] = {
    "issuer": "string",  # CUSIP[:6] (several, space-separated, if a ticker spans issuers)
    "name": "string",
    "cusips": "string",  # the equity CUSIPs held, space-separated
    "holders": "int64",  # distinct filers holding any of them
    "value_usd": "float64",
    "conviction": "float64",  # sum over holders of its share of the holder's long-equity value
    "top10": "int64",  # holders with it among their 10 largest positions
}

RANK_BY = ("holders", "conviction", "top10")


def _quarter_number(period: pd.Period | pd.Timestamp) -> int:
    return int(period.year) * 4 + int(period.quarter) - 1


class Traded(NamedTuple):
    """`IssuerTable.traded` as arrays: the ranked units of one date with a traded ticker and without.

    `traded` columns: ``ticker``, ``name``, ``issuer``, ``cusips`` (object), ``holders``, ``top10``
    (int64), ``conviction``, ``score`` (float64, the ranking metric). `unpriced` columns:
    ``label``, ``name``, ``issuer`` (object), ``score``, ``conviction``. Missing names are None.
    """

    traded: dict[str, np.ndarray]
    unpriced: dict[str, np.ndarray]
    stale_note: str | None

    def where(self, traded: np.ndarray, unpriced: np.ndarray) -> Traded:
        """The rows where the boolean masks hold."""
        return Traded({k: v[traded] for k, v in self.traded.items()},
                      {k: v[unpriced] for k, v in self.unpriced.items()}, self.stale_note)


def _objects(values: pd.Series) -> np.ndarray:
    """A string column as an object array, None where missing."""
    out = values.to_numpy(dtype=object)
    out[pd.isna(out)] = None
    return out


def stale_note(stale: int, filers: int, oldest: pd.Period | None) -> str | None:
    """What the staleness rule left out on a date (None if nothing)."""
    if not stale or oldest is None:
        return None
    return f"{stale} of {stale + filers} 13F filers left out as stale (latest report before {oldest})"


@dataclass(frozen=True)
class IssuerTable:
    """The 13F counts on one date under the counting rules.

    `table` is indexed by the counted unit's key (the issuer code, or the ticker -- the CUSIP
    if unmapped -- when share classes are not merged), `ISSUERS` columns, ranked by holders,
    conviction, key. `classes` holds, per key and mapped ticker, the distinct filers holding a
    CUSIP of that ticker and their conviction in it (what chooses the traded ticker).
    """

    table: pd.DataFrame
    classes: pd.DataFrame
    as_of: pd.Timestamp
    filers: int = 0  # filers counted
    stale: int = 0  # filers left out because their latest report is too old
    oldest_quarter: pd.Period | None = None
    merged: bool = True
    _ranked: dict = field(default_factory=dict, repr=False, compare=False)

    def ranked(self, by: str = "holders") -> pd.DataFrame:
        """`table` ordered by `by` descending, then conviction descending, then key ascending."""
        if by not in RANK_BY:
            raise InputError(f"score metric must be holders, conviction or top10, got {by!r}")
        if by not in self._ranked:
            t = self.table
            order = np.lexsort((t.index.to_numpy(dtype=object).astype(str), -t["conviction"].to_numpy(),
                                -t[by].to_numpy(dtype=float)))
            self._ranked[by] = t.iloc[order]
        return self._ranked[by]

    def traded(self, priced: Iterable[str] | None = None, by: str = "holders") -> tuple[pd.DataFrame, pd.DataFrame]:
        """(ranked rows with a traded ``ticker``, ranked rows without one, with a ``label``).

        The traded ticker of a key is, among its mapped tickers in `priced` (all mapped tickers
        if None), the one held by the most filers, then with the highest conviction, then
        alphabetically first. A ticker already traded for a higher-ranked key is not reused.
        Rows without a priced ticker are labelled by their most-held mapped ticker (or by name).
        """
        ranked = self.ranked(by)
        cls = self.classes
        best_any = _first_per_key(cls)
        keep = None
        if priced is not None:
            keep = isin(cls["ticker"], priced)
        keys = ranked.index.to_numpy(dtype=object)
        chosen = _lookup(_first_per_key(cls, keep), keys)
        has = pd.notna(chosen)
        has &= ~pd.Series(chosen, dtype=object).duplicated().to_numpy()  # a ticker goes to its first key only
        traded = ranked[has].assign(ticker=pd.Series(chosen[has], index=ranked.index[has], dtype=object)
                                    .astype("string"))
        rest = ranked[~has]
        label = _lookup(best_any, keys[~has])
        names = rest["name"].to_numpy(dtype=object)
        fallback = np.where(pd.notna(names), names, keys[~has])
        label = np.where(pd.notna(label), label, fallback)
        return traded, rest.assign(label=pd.Series(label, index=rest.index, dtype=object).astype("string"))

    def traded_arrays(self, priced: Iterable[str] | None = None, by: str = "holders") -> Traded:
        """`traded` as `Traded` arrays."""
        traded, rest = self.traded(priced, by)
        return Traded(
            {"ticker": _objects(traded["ticker"]), "name": _objects(traded["name"]),
             "issuer": _objects(traded["issuer"]), "cusips": _objects(traded["cusips"]),
             "holders": traded["holders"].to_numpy(dtype=np.int64), "top10": traded["top10"].to_numpy(dtype=np.int64),
             "conviction": traded["conviction"].to_numpy(dtype=np.float64), "score": traded[by].to_numpy(dtype=np.float64)},
            {"label": _objects(rest["label"]), "name": _objects(rest["name"]), "issuer": _objects(rest["issuer"]),
             "score": rest[by].to_numpy(dtype=np.float64), "conviction": rest["conviction"].to_numpy(dtype=np.float64)},
            self.stale_note())

    def listing(self, priced: Iterable[str] | None = None, by: str = "holders") -> pd.DataFrame:
        """Every row ranked by `by`, with its traded ``ticker`` (<NA> where none is priced)."""
        traded, rest = self.traded(priced, by)
        ranked = self.ranked(by)
        ticker = pd.concat([traded["ticker"], pd.Series(pd.NA, index=rest.index, dtype="string")])
        out = ranked.assign(ticker=ticker.reindex(ranked.index).astype("string"))
        return out[["issuer", "ticker", *[c for c in ISSUERS if c != "issuer"]]].reset_index(drop=True)

    def for_tickers(self) -> pd.DataFrame:
        """Rows of `table` by mapped ticker (each ticker takes the most-held key it maps to)."""
        if self.classes.empty:  # nothing mapped (or nothing known yet): no ticker has a row
            return self.table.iloc[:0].set_index(pd.Index([], dtype=object, name="ticker"))
        cls = self.classes.merge(self.table[["holders"]].rename(columns={"holders": "key_holders"}),
                                 left_on="key", right_index=True)
        cls = cls.sort_values(["ticker", "key_holders", "key"], ascending=[True, False, True], kind="stable")
        first = cls.drop_duplicates("ticker")
        return self.table.loc[first["key"].to_numpy()].set_index(pd.Index(first["ticker"].to_numpy(), name="ticker"))

    def stale_note(self) -> str | None:
        """What the staleness rule left out (None if nothing)."""
        return stale_note(self.stale, self.filers, self.oldest_quarter)


def _joined_labels(keys: pd.Series, *columns: pd.Series) -> list[pd.Series]:
    """Per key (sorted), each column's distinct values sorted and space-joined (what
    ``" ".join(sorted(set(group)))`` gives), by integer codes instead of a Python function per group."""
    key_codes, key_labels = pd.factorize(keys.to_numpy(dtype=object), sort=True)
    key_labels = np.asarray(key_labels, dtype=object)
    out = []
    for column in columns:
        codes, labels = pd.factorize(column.to_numpy(dtype=object), sort=True)
        order = np.lexsort((codes, key_codes))
        k, c = key_codes[order], codes[order]
        distinct = np.r_[True, (k[1:] != k[:-1]) | (c[1:] != c[:-1])] if len(k) else np.zeros(0, dtype=bool)
        k, c = k[distinct], c[distinct]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, dtype=np.int64)
        words = np.asarray(labels, dtype=object)[c].tolist()
        joined = [" ".join(words[a:b]) for a, b in zip(starts, [*starts[1:], len(k)], strict=True)]
        out.append(pd.Series(joined, index=pd.Index(key_labels[k[starts]], name="key"), dtype=object))
    return out


def _lookup(series: pd.Series, keys: np.ndarray) -> np.ndarray:
    """``series.reindex(keys)`` as an object array (None where a key is absent)."""
    pos = pd.Index(series.index).get_indexer(keys) if len(series) else np.full(len(keys), -1)
    values = series.to_numpy(dtype=object)
    out = np.full(len(keys), None, dtype=object)
    out[pos >= 0] = values[pos[pos >= 0]]
    return out


def _first_per_key(classes: pd.DataFrame, keep: np.ndarray | None = None) -> pd.Series:
    """Per key, the ticker with most holders, then highest conviction, then alphabetical (rows in `keep`)."""
    if classes.empty:
        return pd.Series(dtype="string")
    keys = classes["key"].to_numpy(dtype=object)
    tickers = classes["ticker"].to_numpy(dtype=object)
    order = np.lexsort((tickers.astype(str), -classes["conviction"].to_numpy(dtype=float),
                        -classes["holders"].to_numpy(dtype=float), keys.astype(str)))
    if keep is not None:
        order = order[keep[order]]
    if not len(order):
        return pd.Series(dtype="string")
    k = keys[order]
    first = order[np.r_[True, k[1:] != k[:-1]]]
    return pd.Series(tickers[first], index=pd.Index(keys[first]))


def _empty_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (table, classes) of an `IssuerTable` with nothing held."""
    table = conform(pd.DataFrame(columns=list(ISSUERS)), ISSUERS, "13F issuers")
    table.index = pd.Index([], dtype=object, name="key")
    classes = pd.DataFrame({"key": pd.Series(dtype=object), "ticker": pd.Series(dtype=object),
                            "holders": pd.Series(dtype=np.int64), "conviction": pd.Series(dtype=float)})
    return table, classes


def _finish_table(agg: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The per-unit aggregates `agg` (indexed by key) conformed to `ISSUERS` and ranked (rule 6)."""
    table = conform(agg, ISSUERS, f"13F issuers as of {when.date()}").set_index(agg.index)
    return table.iloc[np.lexsort((table.index.to_numpy(dtype=object).astype(str),
                                  -table["conviction"].to_numpy(), -table["holders"].to_numpy()))]


def _reduced(ufunc: np.ufunc, group: np.ndarray, n: int, values: np.ndarray, start: int) -> np.ndarray:
    """Per group (codes 0..n-1 in `group`): `ufunc` over its `values`, int64, from `start`."""
    out = np.full(n, start, dtype=np.int64)
    ufunc.at(out, group, values)
    return out


class HoldingsIndex:
    """13F holdings (HOLDINGS schema) indexed for repeated as-of queries under the counting rules."""

    def __init__(self, holdings: pd.DataFrame) -> None:
        h = holdings
        self._holdings = h
        accession = h["accession"].astype(str).array  # Arrow-backed: no round trip through Python objects
        filings = pd.DataFrame(
            {"cik": h["cik"].to_numpy(), "period": h["period"].to_numpy(), "accession": accession,
             "filed": h["filed"].to_numpy(), "new": (h["amendment_type"] == _NEW).fillna(False).to_numpy()}
        )
        by_filing = filings.groupby(["cik", "period", "accession"], sort=False)
        self.filings = by_filing.agg(filed=("filed", "max"), new=("new", "max")).reset_index()
        self.filings["fid"] = np.arange(len(self.filings))
        fid = by_filing.ngroup().to_numpy()  # groups numbered in order of appearance, as the rows above
        self._row_fid = fid
        # Rule 4: long equity only (no PUT/CALL, no CUSIP whose issue number is not two digits).
        # Strings become integer codes once; sorted codes keep SQL's max(ticker) meaning.
        # (Factorized as string columns: Arrow's dictionary encoding, several times faster than objects.)
        # The CUSIP test runs on each distinct CUSIP, not on each row.
        all_codes, all_cusips = pd.factorize(h["cusip"], sort=True)
        equity = np.append(is_equity_cusip(pd.Series(all_cusips)), False)  # the last: a missing CUSIP (-1)
        longs = h["put_call"].isna().to_numpy() & equity[all_codes]
        held = np.zeros(len(all_cusips), dtype=bool)
        held[all_codes[longs]] = True
        cusip_codes = (np.cumsum(held) - 1)[all_codes[longs]]  # codes among the long CUSIPs, still sorted
        cusips = np.asarray(all_cusips, dtype=object)[held]
        ticker_codes, tickers = pd.factorize(h["ticker"][longs], sort=True, use_na_sentinel=True)
        name_codes, names = pd.factorize(h["issuer"][longs], sort=True)
        self._cusips, self._tickers, self._names = (np.asarray(u, dtype=object) for u in (cusips, tickers, names))
        name_codes = np.where(name_codes < 0, _NO_NAME, name_codes)  # min() skips missing names
        self._issuer_of, self._issuers = pd.factorize(issuer_code(self._cusips), sort=True)
        self._issuers = np.asarray(self._issuers, dtype=object)
        # One row per (filing, CUSIP), sorted by both: its filer, max(ticker), min(name) and the sum of
        # its values. The pair is one integer key; the sum is pandas' group-by sum (compensated, in
        # row order), so that every value is what a group-by of the rows on (filing, CUSIP) gives.
        width = max(len(cusips), 1)
        group, keys = pd.factorize(fid[longs].astype(np.int64) * width + cusip_codes, sort=True)
        first = _reduced(np.minimum, group, len(keys), np.arange(len(group)), len(group))
        self._pos = {
            "fid": keys // width, "cusip": keys % width, "cik": h["cik"].to_numpy()[longs][first],
            "ticker": _reduced(np.maximum, group, len(keys), ticker_codes, np.iinfo(np.int64).min),
            "name": _reduced(np.minimum, group, len(keys), name_codes, np.iinfo(np.int64).max),
            "value_usd": pd.Series(h["value_usd"].to_numpy()[longs]).groupby(group).sum().to_numpy(),
        }
        self._starts = np.searchsorted(self._pos["fid"], np.arange(len(self.filings) + 1))
        ordered = self.filings.assign(acc=pd.factorize(self.filings["accession"], sort=True)[0])
        ordered = ordered.assign(q=(ordered["period"].dt.year * 4 + ordered["period"].dt.quarter - 1).to_numpy())
        ordered = ordered.sort_values(["cik", "period", "filed", "acc"], kind="stable")
        self._f = {c: ordered[c].to_numpy() for c in ("cik", "period", "filed", "new", "acc", "fid", "q")}
        self._prepared: pd.DatetimeIndex | None = None
        self._panels: dict = {}

    # -- rules 1-3: which filings count ---------------------------------------------------------

    def _kept(self, as_of: object, ciks: Iterable[int] | None,
              max_age_quarters: int | None) -> tuple[np.ndarray, int, pd.Period | None]:
        f = self._f
        day = _as_of(as_of).normalize()
        mask = f["filed"] < np.datetime64(day, "ns")  # rule 1: known from the session after filing
        if ciks is not None:
            mask &= np.isin(f["cik"], np.asarray([int(c) for c in ciks], dtype=np.int64))
        # Sorted by (cik, period, filed, accession): a filer's last visible non-amendment
        # filing is the base of its latest period (rule 2).
        base = np.flatnonzero(mask & ~f["new"])
        last = np.r_[f["cik"][base][1:] != f["cik"][base][:-1], True] if len(base) else np.zeros(0, dtype=bool)
        base = base[last]
        oldest = oldest_current_quarter(day, max_age_quarters)
        stale = 0
        if oldest is not None:  # rule 3: a filer whose latest period is too old does not count
            current = f["q"][base] >= _quarter_number(oldest)
            stale = int((~current).sum())
            base = base[current]
        adds = np.flatnonzero(mask & f["new"])
        slot = np.searchsorted(f["cik"][base], f["cik"][adds])
        slot = np.minimum(slot, max(len(base) - 1, 0))
        if len(base) and len(adds):
            b = base[slot]
            later = (f["filed"][adds] > f["filed"][b]) | (
                (f["filed"][adds] == f["filed"][b]) & (f["acc"][adds] > f["acc"][b]))
            adds = adds[(f["cik"][b] == f["cik"][adds]) & (f["period"][b] == f["period"][adds]) & later]
        else:
            adds = adds[:0]
        return np.concatenate([f["fid"][base], f["fid"][adds]]), stale, oldest

    def kept_filings(self, as_of: object, ciks: Iterable[int] | None = None,
                     max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> np.ndarray:
        """Ids (rows of `filings`) of the filings that count on `as_of` (rules 1-3)."""
        return self._kept(as_of, ciks, max_age_quarters)[0]

    def holdings_as_of(self, as_of: object, ciks: Iterable[int] | None = None,
                       max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """The HOLDINGS rows of the filings that count on `as_of` (every row, options and debt too)."""
        kept = np.zeros(len(self.filings) + 1, dtype=bool)
        kept[self.kept_filings(as_of, ciks, max_age_quarters)] = True
        return self._holdings[kept[self._row_fid]]

    def _rows(self, as_of: object, ciks: Iterable[int] | None,
              max_age_quarters: int | None) -> tuple[dict[str, np.ndarray], int, int, pd.Period | None]:
        # Long-equity positions of the kept filings, merged per (filer, CUSIP).
        fids, stale, oldest = self._kept(as_of, ciks, max_age_quarters)
        fids = np.sort(fids)
        filers = len(np.unique(self.filings["cik"].to_numpy()[fids])) if len(fids) else 0
        lo, hi = self._starts[fids], self._starts[fids + 1]
        n = hi - lo
        idx = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
        p = {c: v[idx] for c, v in self._pos.items()}
        order = np.lexsort((-p["value_usd"], p["cusip"], p["cik"]))
        p = {c: v[order] for c, v in p.items()}
        first = np.ones(len(order), dtype=bool)
        first[1:] = (p["cik"][1:] != p["cik"][:-1]) | (p["cusip"][1:] != p["cusip"][:-1])
        group = np.cumsum(first) - 1
        value = np.bincount(group, weights=p["value_usd"]) if len(group) else np.zeros(0)
        ticker = np.full(len(value), -1, dtype=np.int64)
        np.maximum.at(ticker, group, p["ticker"])
        name = np.full(len(value), _NO_NAME, dtype=np.int64)
        np.minimum.at(name, group, p["name"])
        rows = {"cik": p["cik"][first], "cusip": p["cusip"][first], "name": name, "ticker": ticker, "value_usd": value}
        return rows, filers, stale, oldest

    @staticmethod
    def _decode(labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
        missing = (codes < 0) | (codes == _NO_NAME)
        out = np.asarray(labels, dtype=object)[np.where(missing, 0, codes)] if len(labels) else np.full(len(codes), None)
        out[missing] = None
        return out

    def positions_as_of(self, as_of: object, ciks: Iterable[int] | None = None,
                        max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """Long-equity positions per filer and CUSIP that count on `as_of` (`POSITIONS`)."""
        p = self._rows(as_of, ciks, max_age_quarters)[0]
        out = pd.DataFrame({
            "cik": p["cik"], "cusip": self._cusips[p["cusip"]], "issuer": self._issuers[self._issuer_of[p["cusip"]]],
            "ticker": self._decode(self._tickers, p["ticker"]), "name": self._decode(self._names, p["name"]),
            "value_usd": p["value_usd"],
        })
        return conform(out, POSITIONS, f"13F positions as of {_as_of(as_of).date()}")

    # -- rules 5-6: counting per issuer ---------------------------------------------------------

    def issuers_as_of(self, as_of: object, ciks: Iterable[int] | None = None, *,
                      max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
                      merge_share_classes: bool = True) -> IssuerTable:
        """Holders, conviction and top-10 counts per issuer (per ticker if not `merge_share_classes`)."""
        served = self._from_panel(as_of, ciks, max_age_quarters, merge_share_classes)
        if served is not None:
            return served
        p, filers, stale, oldest = self._rows(as_of, ciks, max_age_quarters)
        when = _as_of(as_of)
        cusip = self._cusips[p["cusip"]]
        issuer = self._issuers[self._issuer_of[p["cusip"]]]
        ticker = self._decode(self._tickers, p["ticker"])
        if merge_share_classes:
            key = issuer
        else:
            key = np.where(pd.isna(ticker), cusip, ticker).astype(object)
        pos = pd.DataFrame({"cik": p["cik"], "key": key, "cusip": cusip, "issuer": issuer, "ticker": ticker,
                            "name": self._decode(self._names, p["name"]), "value": p["value_usd"]})
        if pos.empty:
            table, classes = _empty_table()
            return IssuerTable(table, classes, when, filers, stale, oldest, merge_share_classes)
        total = pos.groupby("cik")["value"].sum()
        per = pos.groupby(["cik", "key"], sort=True, as_index=False)["value"].sum()
        cik_total = total.reindex(per["cik"]).to_numpy()
        per["weight"] = np.divide(per["value"].to_numpy(), cik_total, out=np.zeros(len(per)), where=cik_total != 0)
        per = per.sort_values(["cik", "value", "key"], ascending=[True, False, True], kind="stable")
        per["top"] = per.groupby("cik").cumcount() < 10
        agg = per.groupby("key", sort=True).agg(holders=("cik", "size"), value_usd=("value", "sum"),
                                                conviction=("weight", "sum"), top10=("top", "sum"))
        agg["issuer"], agg["cusips"] = _joined_labels(pos["key"], pos["issuer"], pos["cusip"])
        agg["name"] = pos.groupby("key", sort=True)["name"].min()
        agg.index.name = "key"
        table = _finish_table(agg, when)
        mapped = pos[pos["ticker"].notna()]
        cls = mapped.groupby(["key", "ticker", "cik"], sort=True, as_index=False)["value"].sum()
        ct = total.reindex(cls["cik"]).to_numpy()
        cls["weight"] = np.divide(cls["value"].to_numpy(), ct, out=np.zeros(len(cls)), where=ct != 0)
        classes = cls.groupby(["key", "ticker"], sort=True, as_index=False).agg(
            holders=("cik", "size"), conviction=("weight", "sum"))
        return IssuerTable(table, classes, when, filers, stale, oldest, merge_share_classes)

    def traded_as_of(self, as_of: object, ciks: Iterable[int] | None = None, *,
                     max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS, merge_share_classes: bool = True,
                     priced: Iterable[str] | None = None, by: str = "holders") -> Traded:
        """``issuers_as_of(...).traded(priced, by)`` as `Traded` arrays (from the prepared panels when
        they serve the date, without building the table)."""
        if by not in RANK_BY:
            raise InputError(f"score metric must be holders, conviction or top10, got {by!r}")
        panels = self._panels_for(as_of, ciks, max_age_quarters, merge_share_classes)
        if panels is not None:
            return panels.traded(panels.position(_as_of(as_of)), priced, by)
        return self.issuers_as_of(as_of, ciks, max_age_quarters=max_age_quarters,
                                  merge_share_classes=merge_share_classes).traded_arrays(priced, by)

    # -- many dates at once ---------------------------------------------------------------------

    def panels(self, dates, *, max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
               merge_share_classes: bool = True, filers=None):
        """`ScorePanels` of `dates`: every date's `issuers_as_of` counts as sparse (dates x units) panels.

        `filers`: None (every filer), an iterable of CIKs, or one iterable of CIKs (or None) per date.
        """
        from hedgeclone.data.thirteenf.panels import build_panels

        return build_panels(self, dates, max_age_quarters=max_age_quarters,
                            merge_share_classes=merge_share_classes, filers=filers)

    def prepare(self, dates) -> HoldingsIndex:
        """Serve `issuers_as_of` on `dates` (all filers) from `ScorePanels` built once per setting.

        The first query of a (`max_age_quarters`, `merge_share_classes`) setting on one of
        `dates` computes that setting's panels for all of them; the tables are the same as the
        per-date computation's. Queries with `ciks`, or on other dates, are computed per date.
        Holdings with missing values are always computed per date.
        """
        if np.isnan(self._pos["value_usd"]).any():
            return self
        self._prepared = pd.DatetimeIndex([_as_of(d) for d in dates]).unique()
        self._panels = {}
        return self

    def _panels_for(self, as_of: object, ciks, max_age_quarters: int | None, merge_share_classes: bool):
        """The prepared `ScorePanels` that serve `as_of` for every filer (None if none does)."""
        if ciks is not None or self._prepared is None or _as_of(as_of) not in self._prepared:
            return None
        setting = (max_age_quarters, bool(merge_share_classes))
        panels = self._panels.get(setting)
        if panels is None:
            panels = self._panels[setting] = self.panels(self._prepared, max_age_quarters=max_age_quarters,
                                                         merge_share_classes=merge_share_classes)
        return panels

    def _from_panel(self, as_of: object, ciks, max_age_quarters: int | None,
                    merge_share_classes: bool) -> IssuerTable | None:
        panels = self._panels_for(as_of, ciks, max_age_quarters, merge_share_classes)
        return None if panels is None else panels.table(panels.position(_as_of(as_of)), as_of=as_of)
