"""`Market`: everything a strategy run reads, loaded from the demo market or the local store.

Both sources give the same shapes (DESIGN.md): wide price frames on one calendar, shares and
13F holdings in their long schemas, benchmark levels, why each series that stops early stops
(`ends`: a delisting, with its return from a delisting file or unknown, or a data end where only
the source stops, `data.prices.ends`), and the caveats a report must show about the data
(synthetic, survivorship coverage, the delisting-return assumption).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgeclone.data.store import Store
from hedgeclone.errors import DataError, InputError
from hedgeclone.labels import isin

__all__ = ["Market", "load_market"]

LOOKBACK_DAYS = 400  # prices kept before the window start, for momentum and clone returns
PANEL_ENV = "HEDGECLONE_PRICE_PANEL"  # "0": read the long price tables instead of the panel (to compare)
PRICE_FIELDS_READ = ("close", "raw_close", "volume")


@dataclass(frozen=True, eq=False)
class Market:
    """Prices, shares, holdings and benchmarks of one data source."""

    close: pd.DataFrame
    raw_close: pd.DataFrame | None
    volume: pd.DataFrame | None
    shares: pd.DataFrame | None
    holdings: pd.DataFrame | None
    benchmarks: pd.DataFrame  # calendar x benchmark name, levels
    delisting_returns: pd.Series  # by ticker, for names whose prices end early
    issuers: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # name by ticker
    caveats: tuple[str, ...] = ()
    synthetic: bool = False
    ends: pd.DataFrame | None = None  # by ticker: date, kind, delisting_return, return_from (`prices.ends`)
    suspect: pd.DataFrame | None = None  # unrepaired split-like moves: ticker, date, ratio (`data.prices.suspect`)


class _ReadOnUse:
    """A frame field that may be given as a zero-argument loader: read at first use, then kept.

    A run that never asks for raw closes, volumes or shares outstanding (a 13F consensus) then
    never reads them: the first two are each a full dates x tickers copy out of the store's
    price panel."""

    def __init__(self, name: str) -> None:
        self.slot = name  # the field's own name, so that `Market(**market.__dict__)` still copies a market

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.slot]
        if callable(value):
            value = obj.__dict__[self.slot] = value()
        return value

    def __set__(self, obj, value) -> None:  # the dataclass __init__ (frozen: nothing else sets it)
        obj.__dict__[self.slot] = value


# Set after the dataclass is made, so that the fields keep no default and __init__ stores through them.
Market.raw_close = _ReadOnUse("raw_close")
Market.volume = _ReadOnUse("volume")
Market.shares = _ReadOnUse("shares")


def _demo(stocks: int, filers: int, seed: int, store: Store | None, benchmarks: Sequence[str]) -> Market:
    from hedgeclone.data.demo import SYNTHETIC_NOTICE, DemoConfig, load_demo
    from hedgeclone.data.prices.coverage import DELISTED
    from hedgeclone.data.prices.ends import END_COLUMNS

    m = load_demo(DemoConfig(n_stocks=stocks, n_filers=filers, seed=seed), store=store)
    missing = [b for b in benchmarks if b not in m.benchmarks.columns]
    if missing:
        raise InputError(
            f"benchmark {missing[0]!r} is not in the demo market (it has {', '.join(m.benchmarks.columns)})"
        )
    delisted = len(m.delistings)
    ends = m.delistings.set_index("ticker").rename_axis(None)
    ends = ends.assign(kind=DELISTED, return_from="demo market (synthetic)")[END_COLUMNS]
    return Market(
        close=m.close, raw_close=m.raw_close, volume=m.volume, shares=m.shares, holdings=m.holdings,
        benchmarks=m.benchmarks[list(benchmarks)],
        delisting_returns=m.delistings.set_index("ticker")["delisting_return"],
        issuers=m.securities.set_index("ticker")["issuer"],
        caveats=(
            SYNTHETIC_NOTICE,
            f"Survivorship: the demo market keeps every security that ever traded ({delisted} delisted), "
            "each closed at its last price times 1 + its delisting return.",
        ),
        synthetic=True, ends=ends,
    )


def _prices(store: Store, lo, end, panel: bool | None):
    """(loaders of the wide frames by field, their tickers, delisting dates, the panel or None, a note
    or None): from the price panel by memory map (the close copy under way on a thread), or from the
    long tables when `panel` is False or the panel cannot be had."""
    from hedgeclone.data.prices import load_prices
    from hedgeclone.data.prices.coverage import delisting_dates
    from hedgeclone.data.prices.panel import load_panel, read_window

    if panel is None:
        panel = os.environ.get(PANEL_ENV, "1").strip() != "0"
    note = None
    if panel:
        stored = load_panel(store, PRICE_FIELDS_READ)
        if stored is not None:
            window = read_window(stored, PRICE_FIELDS_READ, lo, end, prefetch=("close",))
            return window.frames, window.tickers, window.delistings, stored, None
        note = ("Prices were read from the long tables (slower): the store's price panel is out of date and "
                "could not be rebuilt here (read-only store or busy lock); any import rebuilds it.")
    prices = load_prices(store, None, lo, end, fields=PRICE_FIELDS_READ)
    frames = {f: (lambda frame=frame: frame) for f, frame in prices.items()}
    return frames, prices["close"].columns, delisting_dates(prices["close"]), None, note


def _benchmark(name: str, store: Store, panel) -> pd.Series:
    """The benchmark's levels, from the panel's close column when the panel holds its ticker."""
    import numpy as np

    from hedgeclone.data.prices import benchmark_series
    from hedgeclone.data.prices.benchmarks import resolve_benchmark

    if panel is not None:
        ticker = resolve_benchmark(name)
        j = int(np.searchsorted(panel.tickers, ticker))
        if j < len(panel.tickers) and panel.tickers[j] == ticker:
            column = pd.Series(panel.array("close")[j], index=pd.DatetimeIndex(panel.dates, name="date"))
            series = column.dropna().rename(ticker)
            if len(series):
                return series
    return benchmark_series(name, store)


def _store(store: Store, benchmarks: Sequence[str], start, end, *, panel: bool | None = None) -> Market:
    from hedgeclone.data.prices.shares import load_shares
    from hedgeclone.data.prices.suspect import suspect_prices
    from hedgeclone.data.thirteenf.storage import StoreHoldings

    store.require()  # a missing or mistyped store directory is an error, not an empty market
    lo = pd.Timestamp(start) - pd.Timedelta(days=LOOKBACK_DAYS) if start is not None else None
    prices, tickers, ended, stored, note = _prices(store, lo, end, panel)
    # What needs no close value comes first, while the close frame is copied out of the panel.
    holdings, renamed = _match_tickers(StoreHoldings(store).all(), tickers)
    caveats = [note] if note else []
    if renamed:
        caveats.append(f"13F tickers: {renamed} share-class tickers written without a separator (e.g. BFB) "
                       "were matched to the price data's spelling (BF-B).")
    named = holdings[["ticker", "issuer"]]  # two columns, not a copy of every holding
    issuers = named.dropna(subset=["ticker"]).drop_duplicates("ticker").set_index("ticker")["issuer"]
    recorded = _recorded_ends(store)
    close = prices["close"]()
    if close.empty:
        raise DataError(f"store {store.root}: no prices; import them with `hedgeclone data prices import`")
    levels = {}
    for name in benchmarks:
        series = _benchmark(name, store, stored)
        levels[name] = series.reindex(close.index.union(series.index)).ffill().reindex(close.index)
    frames = {f: prices[f] for f in ("raw_close", "volume")}
    ends, close, frames, more = _ends(recorded, ended, close, frames)
    caveats += more
    return Market(
        close=close, raw_close=frames["raw_close"], volume=frames["volume"], shares=functools.partial(load_shares, store),
        holdings=holdings if len(holdings) else None, benchmarks=pd.DataFrame(levels, index=close.index),
        delisting_returns=ends.delisting_returns(), issuers=issuers, caveats=tuple(caveats), ends=ends.table,
        suspect=suspect_prices(store),
    )


def _recorded_ends(store: Store) -> tuple[pd.Series | None, pd.DataFrame]:
    """The store's record of why series end: its sources' last dates (None if not recorded) and its
    delistings."""
    from hedgeclone.data.prices.delistings import load_delistings
    from hedgeclone.data.prices.sources import source_ends

    return source_ends(store), load_delistings(store)


def _ends(recorded: tuple[pd.Series | None, pd.DataFrame], ended: pd.Series, close: pd.DataFrame,
          frames: dict[str, Callable[[], pd.DataFrame]]):
    """(`prices.ends.Ends`, close and the loaders of the other frames with prices after a file's
    delisting date cut, caveats): why each early-ending series of the window ends, from the store's
    `recorded` sources and delistings (`_recorded_ends`)."""
    from hedgeclone.data.prices.ends import ends_caveats, series_ends
    from hedgeclone.data.prices.sources import MISSING_NOTE

    sources, delistings = recorded
    ends = series_ends(ended, close, sources, delistings)
    if len(ends.cut):  # prices after a delisting date (e.g. over the counter) are not the listed name's
        after = pd.DataFrame(False, index=close.index, columns=close.columns)
        for ticker, date in ends.cut.items():
            after.loc[after.index > date, ticker] = True
        close = close.mask(after)
        frames = {f: functools.partial(_cut, load, after) for f, load in frames.items()}
    files = sorted(set(delistings.loc[isin(delistings["ticker"], ends.table.index), "source"].astype(str)))
    caveats = [MISSING_NOTE] if sources is None else []
    unrecorded = 0 if sources is None else int((~isin(ended.index, sources.index)).sum())
    if unrecorded:
        caveats.append(f"{unrecorded} series that end early have no recorded source (imported before hedgeclone "
                       "recorded sources' last dates): they are taken as delistings; import their files again to "
                       "tell a data end from a delisting.")
    return ends, close, frames, caveats + ends_caveats(ends, close.shape[1], files)


def _cut(load: Callable[[], pd.DataFrame], after: pd.DataFrame) -> pd.DataFrame:
    frame = load()
    return None if frame is None else frame.mask(after.reindex_like(frame).fillna(False).astype(bool))


def _match_tickers(holdings: pd.DataFrame, priced: pd.Index) -> tuple[pd.DataFrame, int]:
    """Holdings with tickers respelled to the price data's where only separators differ."""
    if holdings.empty:
        return holdings, 0
    bare = pd.Series(priced, index=priced.str.replace(r"[-./]", "", regex=True))
    bare = bare[~bare.index.duplicated(keep=False)]
    codes, spelled = pd.factorize(holdings["ticker"])  # each distinct ticker once, not each row
    spelled = np.asarray(spelled, dtype=object)
    unknown = np.flatnonzero(~isin(spelled, priced))
    respelled = pd.Series(spelled[unknown], dtype=object).str.replace(r"[-./]", "", regex=True).map(bare)
    hit = respelled.notna().to_numpy()
    if not hit.any():
        return holdings, 0
    spelled[unknown[hit]] = respelled[hit].to_numpy()
    # The column rebuilt from its distinct values (a take), the other columns shared, not copied.
    column = pd.array(spelled, dtype=holdings["ticker"].dtype).take(codes, allow_fill=True)
    return holdings.assign(ticker=pd.Series(column, index=holdings.index, name="ticker")), int(hit.sum())


def load_market(
    source: str,
    *,
    store: Store | None = None,
    benchmarks: Sequence[str] = ("sp500", "russell-microcap"),
    start=None,
    end=None,
    stocks: int = 3000,
    filers: int = 300,
    seed: int = 7,
) -> Market:
    """The market of `source` ("demo" or "store") with the named benchmarks."""
    if source == "demo":
        return _demo(stocks, filers, seed, store, benchmarks)
    if source == "store":
        return _store(store or Store(), benchmarks, start, end)
    raise InputError(f"data.source must be 'demo' or 'store', got {source!r}")
