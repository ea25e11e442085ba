"""Checks and repairs of a parsed long price frame, each counted in an `ImportReport`.

Errors (raise `InputError` naming file, row and ticker): a ticker with path characters or
outside ``[A-Z0-9.^=-]``, a missing date, an empty input (and, with ``strict``, two different
rows for one ticker and date). Repairs (counted, with a first example): rows out of order are
sorted, duplicate rows for one ticker and date dropped (the later row kept), non-positive or infinite prices (and negative volumes) set to
NaN, rows left without any value dropped. Warnings: a one-day move in ``close`` (the adjusted
series) by a split-like ratio (x2, x3, ..., 1/2, 1/3, ...) or by x20 or more either way, the mark
of an unadjusted split (`split_like_moves`; `suspect_moves` gives them as rows, which the store
keeps: `data.prices.suspect`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import PRICE_FIELDS
from hedgeclone.errors import InputError

__all__ = ["ImportReport", "validate_prices", "check_ticker", "split_like_moves", "suspect_moves", "TICKER_RE",
           "SPLIT_RATIOS", "IMPLAUSIBLE_MOVE"]

TICKER_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.=^-]{0,23}$")
_POSITIVE = ("close", "raw_close", "open")
SPLIT_RATIOS = (2, 3, 4, 5, 8, 10, 15, 20, 25, 30, 40, 50, 100)  # common split and reverse-split factors
# A one-day move of x20 or 1/20 is taken for a data error whatever its ratio: sub-penny prices
# rounded to a cent blur a reverse split's factor (PPCB, 2025-01-29: $0.01 -> $625).
IMPLAUSIBLE_MOVE = 20.0


@dataclass
class ImportReport:
    """What an import read and what it repaired; `repairs` maps a repair to its count."""

    source: str
    rows: int = 0
    tickers: int = 0
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    fields: tuple[str, ...] = ()
    repairs: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    suspect: pd.DataFrame | None = None  # the split-like moves of ``close`` (`suspect_moves`), for the store

    def add(self, repair: str, count: int, example: str = "") -> None:
        if count:
            self.repairs[repair] = self.repairs.get(repair, 0) + int(count)
            if example and repair not in self.examples:
                self.examples[repair] = example

    def lines(self) -> list[str]:
        """Human-readable lines: one per repair (with its first example) and per warning."""
        out = [f"repaired: {n:,} {what}" + (f" (first: {self.examples[what]})" if what in self.examples else "") for what, n in self.repairs.items()]
        return out + [f"warning: {w}" for w in self.warnings]


def check_ticker(ticker: str, where: str) -> str:
    """`ticker` if it is a safe symbol (no path characters); raises `InputError` naming `where` otherwise."""
    if not isinstance(ticker, str) or not TICKER_RE.match(ticker) or ".." in ticker:
        raise InputError(f"{where}: ticker {ticker!r} is not a valid symbol (letters, digits and . - ^ = only; no path characters)")
    return ticker


def _row(frame: pd.DataFrame, pos: int) -> str:
    return f"row {int(frame.index[pos]) + 2}"


def validate_prices(frame: pd.DataFrame, source: str, *, strict: bool = False) -> tuple[pd.DataFrame, ImportReport]:
    """A clean long frame (sorted by ticker then date, unique per ticker and date) and its report.

    `frame` comes from `importers.parse_price_file` (index = file row). The returned frame has a
    RangeIndex, ``ticker`` as a categorical with sorted categories, and float64 fields.
    Two rows for one ticker and date with different values keep the later row (Yahoo appends
    its latest update last) and are counted; with ``strict=True`` they raise `InputError`.
    """
    report = ImportReport(source=source)
    if frame.empty:
        raise InputError(f"{source}: no price rows (empty input)")
    fields = tuple(f for f in PRICE_FIELDS if f in frame.columns)
    report.fields = fields
    tick = frame["ticker"]
    if not isinstance(tick.dtype, pd.CategoricalDtype):
        tick = tick.astype("category")
    cats = [str(c) for c in tick.cat.categories]
    for code, sym in enumerate(cats):
        if not TICKER_RE.match(sym) or ".." in sym:
            pos = int(np.flatnonzero(tick.cat.codes.to_numpy() == code)[0]) if len(frame) else 0
            check_ticker(sym, f"{source}: {_row(frame, pos)}")
    order = np.argsort(np.asarray(cats, dtype=object), kind="stable")
    rank = np.empty(len(cats), dtype=np.int64)
    rank[order] = np.arange(len(cats))
    codes = rank[tick.cat.codes.to_numpy()]
    dates = frame["date"].to_numpy(dtype="datetime64[ns]")
    values = {f: frame[f].to_numpy(dtype="float64", copy=True) for f in fields}
    for f in fields:
        v = values[f]
        bad = ~np.isfinite(v) & ~np.isnan(v)
        bad |= (v <= 0) if f in _POSITIVE else (v < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            report.add(f"non-positive or infinite {f} values set to NaN", bad.sum(), f"{cats[tick.cat.codes.iat[i]]} {pd.Timestamp(dates[i]).date()} {_row(frame, i)} value {v[i]}")
            v[bad] = np.nan
    rows = frame.index.to_numpy()
    keep = np.zeros(len(frame), dtype=bool)
    for f in fields:
        keep |= ~np.isnan(values[f])
    if not keep.all():
        i = int(np.flatnonzero(~keep)[0])
        report.add("rows without any price dropped", (~keep).sum(), f"{cats[tick.cat.codes.iat[i]]} {_row(frame, i)}")
        codes, dates, rows = codes[keep], dates[keep], rows[keep]
        values = {f: v[keep] for f, v in values.items()}
    if len(codes) == 0:
        raise InputError(f"{source}: no usable price rows (every price is missing or non-positive)")
    key_di = dates.view("int64")
    in_order = (np.diff(codes) > 0) | ((np.diff(codes) == 0) & (np.diff(key_di) >= 0))
    if not in_order.all():
        report.add("rows out of order (sorted by ticker and date)", (~in_order).sum())
        perm = np.lexsort((key_di, codes))
        codes, dates, rows, key_di = codes[perm], dates[perm], rows[perm], key_di[perm]
        values = {f: v[perm] for f, v in values.items()}
    dup = (np.diff(codes) == 0) & (np.diff(key_di) == 0)
    if dup.any():
        idx = np.flatnonzero(dup)
        same = np.ones(len(idx), dtype=bool)
        for v in values.values():
            a, b = v[idx], v[idx + 1]
            same &= (a == b) | (np.isnan(a) & np.isnan(b))
        if strict and not same.all():
            j = int(idx[~same][0])
            sym = cats[order[codes[j]]]
            raise InputError(
                f"{source}: ticker {sym} has two different rows for {pd.Timestamp(dates[j]).date()} "
                f"(rows {rows[j] + 2} and {rows[j + 1] + 2}); remove one"
            )
        for what, sel in (("identical duplicate rows dropped", idx[same]), ("conflicting duplicate rows: kept the later row", idx[~same])):
            if len(sel):
                j = int(sel[0])
                report.add(what, len(sel), f"{cats[order[codes[j]]]} {pd.Timestamp(dates[j]).date()} rows {rows[j] + 2} and {rows[j + 1] + 2}")
        drop = np.zeros(len(codes), dtype=bool)
        drop[idx] = True  # keep the later row of each pair
        codes, dates = codes[~drop], dates[~drop]
        values = {f: v[~drop] for f, v in values.items()}
    sorted_cats = [cats[i] for i in order]
    out = pd.DataFrame({"ticker": pd.Categorical.from_codes(codes, sorted_cats), "date": dates})
    for f in fields:
        out[f] = values[f]
    out["ticker"] = out["ticker"].cat.remove_unused_categories()
    if "close" in fields:
        _warn_splits(out, report)
    report.rows = len(out)
    report.tickers = len(out["ticker"].cat.categories)
    report.first, report.last = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    return out, report


def split_like_moves(codes: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Positions where ``close`` moved from the row before (same code) by a split-like ratio
    (within 1.5% of one of `SPLIT_RATIOS` or its inverse) or by `IMPLAUSIBLE_MOVE` or more either way."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = close[1:] / close[:-1]
        big = np.where(ratio >= 1, ratio, 1 / ratio)
    same = codes[1:] == codes[:-1]
    near = np.abs(big - np.round(big)) <= 0.015 * big
    split = (big >= 1.95) & near & np.isin(np.round(big), SPLIT_RATIOS)
    hit = same & np.isfinite(big) & (split | (big >= IMPLAUSIBLE_MOVE))
    return np.flatnonzero(hit) + 1


def suspect_moves(frame: pd.DataFrame) -> pd.DataFrame:
    """The split-like moves of a clean long frame's ``close`` (sorted by ticker and date) as rows:
    ticker, date (of the moved close), ratio (that close over the one before); empty without ``close``."""
    if "close" not in frame.columns or frame.empty:
        return pd.DataFrame({"ticker": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                             "ratio": pd.Series(dtype="float64")})
    has = frame["close"].notna().to_numpy()
    sub = frame.loc[has]
    codes = sub["ticker"].cat.codes.to_numpy() if isinstance(sub["ticker"].dtype, pd.CategoricalDtype) \
        else pd.factorize(sub["ticker"])[0]
    close = sub["close"].to_numpy(dtype="float64")
    hits = split_like_moves(codes, close)
    return pd.DataFrame({"ticker": sub["ticker"].astype(str).to_numpy()[hits].astype(object),
                         "date": sub["date"].to_numpy(dtype="datetime64[ns]")[hits],
                         "ratio": close[hits] / close[hits - 1]})


def _warn_splits(frame: pd.DataFrame, report: ImportReport) -> None:
    moves = suspect_moves(frame)
    report.suspect = moves
    if len(moves):
        first = moves.iloc[0]
        report.warnings.append(
            f"{len(moves)} one-day move(s) in close by a split-like ratio, possibly unadjusted splits "
            f"(first: {first['ticker']} on {first['date'].date()}, x{first['ratio']:.3f}); stored as suspect prices: "
            "see `hedgeclone data info`, repair with `hedgeclone data splits import`"
        )
