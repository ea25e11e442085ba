"""`load_demo`: generate the demo market once, then read it back from the local store.

Tables live under ``demo/<key>/`` where the key hashes the config and GENERATOR_VERSION
(bump it whenever the generator's output changes). All tables of a market are written in
one store transaction, so a crash never leaves a half-written market; a missing or corrupt
table means the market is generated again.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd

from hedgeclone.data.demo.config import DemoConfig
from hedgeclone.data.demo.market import DELISTINGS_COLUMNS, FILERS_COLUMNS, DemoMarket, generate_demo
from hedgeclone.data.demo.sessions import xnys_sessions
from hedgeclone.data.schemas import HOLDINGS, SHARES, conform
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError

__all__ = ["GENERATOR_VERSION", "load_demo", "demo_prefix"]

GENERATOR_VERSION = "2"
_WIDE = ("close", "raw_close", "volume", "benchmarks")
_LONG = ("shares", "holdings", "delistings", "filers", "securities")


def demo_prefix(config: DemoConfig) -> str:
    """The store folder of the market of `config`, e.g. ``demo/3f2a9c0d1e4b5a67``."""
    return f"demo/{config.key(GENERATOR_VERSION)}"


def load_demo(config: DemoConfig | None = None, store: Store | None = None, cache: bool = True) -> DemoMarket:
    """The demo market of `config` (default `DemoConfig()`), from the store when cached.

    With cache=True the market is read from `store` (default: the user's store) if all of its
    tables are there and intact, else generated and written in one transaction. With
    cache=False it is generated and nothing is read or written.
    """
    config = config if config is not None else DemoConfig()
    if not cache:
        return generate_demo(config)
    store = store if store is not None else Store()
    prefix = demo_prefix(config)
    if all(store.exists(f"{prefix}/{name}") for name in (*_WIDE, *_LONG, "meta")):
        try:
            return _read(store, prefix, config)
        except DataError:
            pass  # corrupt or inconsistent: regenerate below and overwrite
    market = generate_demo(config)
    _write(store, prefix, market)
    return market


def _write(store: Store, prefix: str, market: DemoMarket) -> None:
    with store.transaction():
        for name in _WIDE:
            frame = getattr(market, name)
            out = frame.copy()
            out.columns = [str(c) for c in out.columns]
            store.write(f"{prefix}/{name}", out.reset_index(names="date"))
        for name in _LONG:
            store.write(f"{prefix}/{name}", getattr(market, name))
        meta = {
            "config": dataclasses.asdict(market.config),
            "version": GENERATOR_VERSION,
            "notice": market.notice,
        }
        store.write(f"{prefix}/meta", pd.DataFrame({"json": [json.dumps(meta, sort_keys=True)]}))


def _read(store: Store, prefix: str, config: DemoConfig) -> DemoMarket:
    meta = json.loads(store.read(f"{prefix}/meta")["json"].iloc[0])
    if meta.get("config") != dataclasses.asdict(config) or meta.get("version") != GENERATOR_VERSION:
        raise DataError(f"store {store.root}: {prefix} holds a different demo market")
    calendar = xnys_sessions(config.start_ts, config.end_ts)
    wide = {}
    for name in _WIDE:
        frame = store.read(f"{prefix}/{name}").set_index("date")
        frame.index = pd.DatetimeIndex(frame.index.astype("datetime64[ns]"), name=calendar.name)
        if not frame.index.equals(calendar):
            raise DataError(f"store {store.root}: {prefix}/{name} does not cover the XNYS calendar")
        wide[name] = frame
    tickers = pd.Index([str(c) for c in wide["close"].columns], name="ticker")
    for name in ("close", "raw_close", "volume"):
        wide[name].columns = tickers
    wide["benchmarks"].columns.name = "benchmark"
    securities = store.read(f"{prefix}/securities").astype("string")
    return DemoMarket(
        config=config,
        calendar=calendar,
        tickers=tickers,
        close=wide["close"],
        raw_close=wide["raw_close"],
        volume=wide["volume"],
        shares=conform(store.read(f"{prefix}/shares"), SHARES, f"{prefix}/shares"),
        holdings=conform(store.read(f"{prefix}/holdings"), HOLDINGS, f"{prefix}/holdings"),
        benchmarks=wide["benchmarks"],
        delistings=store.read(f"{prefix}/delistings").astype(DELISTINGS_COLUMNS),
        filers=store.read(f"{prefix}/filers").astype(FILERS_COLUMNS),
        securities=securities,
    )
