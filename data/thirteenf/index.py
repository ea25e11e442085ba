"""`HoldingsIndex`: the point-in-time rules of `pointintime`, precomputed once for many dates.

A strategy asks "who held what as of D" on every decision date. The SQL in `pointintime`
answers one date by scanning every row; this index splits the work: the filing-level facts
(one row per filing, a few thousand) are resolved per date in pandas, and the positions are
pre-aggregated per (filing, CUSIP) and sorted by filing, so a date costs a slice per kept
filing plus a small group-by. Results equal `holders_as_of` (a test holds them together).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import conform
from hedgeclone.data.thirteenf.pointintime import HOLDERS, _as_of

__all__ = ["HoldingsIndex"]

_NEW = "NEW HOLDINGS"
_NO_NAME = np.iinfo(np.int64).max


class HoldingsIndex:
    """13F holdings (HOLDINGS schema) indexed for repeated as-of queries."""

    def __init__(self, holdings: pd.DataFrame) -> None:
        h = holdings
        accession = h["accession"].astype(str).to_numpy()
        filings = pd.DataFrame(
            {"cik": h["cik"].to_numpy(), "period": h["period"].to_numpy(), "accession": accession,
             "filed": h["filed"].to_numpy(), "new": (h["amendment_type"] == _NEW).fillna(False).to_numpy()}
        )
        self.filings = (
            filings.groupby(["cik", "period", "accession"], sort=False, as_index=False)
            .agg(filed=("filed", "max"), new=("new", "max"))
            .reset_index(drop=True)
        )
        self.filings["fid"] = np.arange(len(self.filings))
        fid = pd.MultiIndex.from_frame(self.filings[["cik", "period", "accession"]]).get_indexer(
            pd.MultiIndex.from_arrays([h["cik"].to_numpy(), h["period"].to_numpy(), accession])
        )
        longs = h["put_call"].isna().to_numpy()
        # Strings become integer codes once; sorted codes keep SQL's max(ticker) meaning.
        cusip_codes, self._cusips = pd.factorize(h["cusip"].to_numpy()[longs], sort=True)
        ticker_codes, self._tickers = pd.factorize(h["ticker"].to_numpy()[longs], sort=True, use_na_sentinel=True)
        issuer_codes, self._issuers = pd.factorize(h["issuer"].to_numpy()[longs], sort=True)
        issuer_codes = np.where(issuer_codes < 0, _NO_NAME, issuer_codes)  # min() skips missing names
        rows = pd.DataFrame(
            {"fid": fid[longs], "cusip": cusip_codes, "cik": h["cik"].to_numpy()[longs],
             "ticker": ticker_codes, "issuer": issuer_codes, "value_usd": h["value_usd"].to_numpy()[longs]}
        )
        # One row per (filing, CUSIP); names follow the SQL: max(ticker), min(issuer) per CUSIP.
        grouped = rows.groupby(["fid", "cusip"], sort=True)
        positions = grouped.agg(cik=("cik", "first"), ticker=("ticker", "max"), issuer=("issuer", "min"),
                                value_usd=("value_usd", "sum")).reset_index()
        self._pos = {c: positions[c].to_numpy() for c in positions.columns}
        self._starts = np.searchsorted(self._pos["fid"], np.arange(len(self.filings) + 1))
        ordered = self.filings.assign(acc=pd.factorize(self.filings["accession"], sort=True)[0])
        ordered = ordered.sort_values(["cik", "period", "filed", "acc"], kind="stable")
        self._f = {c: ordered[c].to_numpy() for c in ("cik", "period", "filed", "new", "acc", "fid")}

    def kept_filings(self, as_of: object, ciks: Iterable[int] | None = None) -> np.ndarray:
        """Ids of the filings in force on `as_of`: per filer its latest period's base filing
        (latest original or restatement) plus the NEW HOLDINGS amendments filed after it."""
        f = self._f
        mask = f["filed"] <= np.datetime64(_as_of(as_of), "ns")
        if ciks is not None:
            mask &= np.isin(f["cik"], np.asarray([int(c) for c in ciks], dtype=np.int64))
        # Sorted by (cik, period, filed, accession): a filer's last visible non-amendment
        # filing is the base of its latest period.
        base = np.flatnonzero(mask & ~f["new"])
        last = np.r_[f["cik"][base][1:] != f["cik"][base][:-1], True] if len(base) else np.zeros(0, dtype=bool)
        base = base[last]
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
        return np.concatenate([f["fid"][base], f["fid"][adds]])

    def _rows(self, as_of: object, ciks: Iterable[int] | None) -> dict[str, np.ndarray]:
        # Positions of the kept filings, merged per (filer, CUSIP) as the SQL's `pos` step.
        fids = np.sort(self.kept_filings(as_of, ciks))
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
        issuer = np.full(len(value), _NO_NAME, dtype=np.int64)
        np.minimum.at(issuer, group, p["issuer"])
        return {"cik": p["cik"][first], "cusip": p["cusip"][first], "issuer": issuer,
                "ticker": ticker, "value_usd": value}

    def positions_as_of(self, as_of: object, ciks: Iterable[int] | None = None) -> pd.DataFrame:
        """Long-equity positions per filer and CUSIP known on `as_of` (cik, cusip, ticker, issuer, value_usd)."""
        p = self._rows(as_of, ciks)
        return pd.DataFrame({
            "cik": p["cik"], "cusip": self._cusips[p["cusip"]], "ticker": self._decode(self._tickers, p["ticker"]),
            "issuer": self._decode(self._issuers, p["issuer"]), "value_usd": p["value_usd"],
        })

    @staticmethod
    def _decode(labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
        missing = (codes < 0) | (codes == _NO_NAME)
        out = np.asarray(labels, dtype=object)[np.where(missing, 0, codes)] if len(labels) else np.full(len(codes), None)
        out[missing] = None
        return out

    def holders_as_of(self, as_of: object, ciks: Iterable[int] | None = None) -> pd.DataFrame:
        """Per CUSIP: holders, value_usd, conviction and top10 on `as_of` (the `HOLDERS` schema)."""
        p = self._rows(as_of, ciks)
        cik_start = np.ones(len(p["cik"]), dtype=bool)
        cik_start[1:] = p["cik"][1:] != p["cik"][:-1]
        filer = np.cumsum(cik_start) - 1
        total = np.bincount(filer, weights=p["value_usd"])[filer] if len(filer) else np.zeros(0)
        weight = np.divide(p["value_usd"], total, out=np.zeros(len(total)), where=total != 0)
        rank_order = np.lexsort((p["cusip"], -p["value_usd"], filer))
        rank = np.empty(len(rank_order), dtype=np.int64)
        starts = np.flatnonzero(cik_start)
        rank[rank_order] = np.arange(len(rank_order)) - np.repeat(starts, np.diff(np.append(starts, len(filer))))
        n = len(self._cusips)
        holders = np.bincount(p["cusip"], minlength=n)
        held = np.flatnonzero(holders)
        value = np.bincount(p["cusip"], weights=p["value_usd"], minlength=n)
        conviction = np.bincount(p["cusip"], weights=weight, minlength=n)
        top10 = np.bincount(p["cusip"], weights=(rank < 10).astype(float), minlength=n)
        ticker = np.full(n, -1, dtype=np.int64)
        np.maximum.at(ticker, p["cusip"], p["ticker"])
        issuer = np.full(n, _NO_NAME, dtype=np.int64)
        np.minimum.at(issuer, p["cusip"], p["issuer"])
        out = pd.DataFrame({
            "cusip": self._cusips[held], "ticker": self._decode(self._tickers, ticker[held]),
            "issuer": self._decode(self._issuers, issuer[held]), "holders": holders[held], "value_usd": value[held],
            "conviction": conviction[held], "top10": np.rint(top10[held]).astype(np.int64),
        })
        out = out.sort_values(["holders", "value_usd", "cusip"], ascending=[False, False, True], kind="stable")
        return conform(out, HOLDERS, f"13F holders as of {_as_of(as_of).date()}")
