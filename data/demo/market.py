"""The demo market: a frozen bundle of frames, and the generator that builds it from a config."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone.data.demo.benchmarks import MICRO_CAP_BAND, build_benchmarks
from hedgeclone.data.demo.config import DemoConfig
from hedgeclone.data.demo.filers import make_filers, simulate_positions
from hedgeclone.data.demo.filings import holdings_table
from hedgeclone.data.demo.identifiers import (
    SECTORS,
    make_cusips,
    make_issuer_names,
    make_sectors,
    make_tickers,
)
from hedgeclone.data.demo.prices import BANKRUPTCY, NO_DELISTING, simulate_prices
from hedgeclone.data.demo.sessions import quarter_ends, session_on_or_before, xnys_sessions
from hedgeclone.data.demo.shares import shares_table, simulate_shares
from hedgeclone.data.demo.volume import simulate_volume

__all__ = ["DemoMarket", "generate_demo", "SYNTHETIC_NOTICE", "DELISTINGS_COLUMNS", "FILERS_COLUMNS"]

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: this is hedgeclone's simulated demo market. Its stocks, prices, share counts, "
    "13F filers and holdings are generated from a random seed and describe no real security or fund; "
    "results on it say nothing about real markets."
)
DELISTINGS_COLUMNS = {
    "ticker": "string",
    "date": "datetime64[ns]",
    "reason": "string",
    "delisting_return": "float64",
}
FILERS_COLUMNS = {"cik": "int64", "filer_name": "string", "skilled": "bool", "style": "string"}

# Independent random streams, so that e.g. more filers do not change the prices.
_STREAMS = {"ids": 1, "prices": 2, "shares": 3, "volume": 4, "filers": 5, "positions": 6, "filings": 7}


def _rng(config: DemoConfig, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([config.seed, _STREAMS[stream], config.n_stocks]))


@dataclass(frozen=True, eq=False)
class DemoMarket:
    """A synthetic market: prices (calendar x tickers), shares, 13F holdings, benchmarks.

    - calendar: XNYS sessions (tz-naive midnight); tickers: sorted unique 3-4 letter symbols.
    - close: total-return adjusted close, equal to raw_close on each stock's last session;
      raw_close: unadjusted (dividends and splits show); volume: shares traded. All three are
      calendar x tickers float64, NaN before listing and after delisting.
    - shares: SHARES long table (point-in-time shares outstanding by known_from date);
      raw_close x shares known at a session is the market cap (`market_cap()`).
    - holdings: HOLDINGS long table of 13F filings (originals and 13F-HR/A amendments).
    - benchmarks: calendar x ["sp500", "russell-microcap"] total-return levels from 100.
    - delistings: ticker, date (last trading session), reason, delisting_return.
    - filers: cik, filer_name, skilled, style; securities: ticker, cusip, issuer, sector.
    See ``SYNTHETIC_NOTICE``: none of it describes real securities or funds.
    """

    config: DemoConfig
    calendar: pd.DatetimeIndex
    tickers: pd.Index
    close: pd.DataFrame
    raw_close: pd.DataFrame
    volume: pd.DataFrame
    shares: pd.DataFrame
    holdings: pd.DataFrame
    benchmarks: pd.DataFrame
    delistings: pd.DataFrame
    filers: pd.DataFrame
    securities: pd.DataFrame  # ticker, cusip, issuer, sector

    notice: str = SYNTHETIC_NOTICE

    def __repr__(self) -> str:
        c = self.config
        return (
            f"DemoMarket({len(self.tickers)} stocks x {len(self.calendar)} sessions "
            f"{self.calendar[0].date()}..{self.calendar[-1].date()}, {len(self.filers)} filers, "
            f"{len(self.holdings)} holdings rows, seed={c.seed}; synthetic)"
        )

    def summary(self) -> dict[str, object]:
        """Headline facts of the market (counts, span, segments), for reports and the CLI."""
        listed = self.close.notna()
        last_cap = self.market_cap().iloc[-1]
        h = self.holdings
        return {
            "synthetic": True,
            "seed": self.config.seed,
            "start": self.calendar[0].date().isoformat(),
            "end": self.calendar[-1].date().isoformat(),
            "sessions": len(self.calendar),
            "stocks": len(self.tickers),
            "listed_first_session": int(listed.iloc[0].sum()),
            "listed_last_session": int(listed.iloc[-1].sum()),
            "ipos": int((~listed.iloc[0]).sum()),
            "bankruptcies": int((self.delistings["reason"] == "bankruptcy").sum()),
            "buyouts": int((self.delistings["reason"] == "buyout").sum()),
            "micro_caps_last_session": int(last_cap.between(*MICRO_CAP_BAND).sum()),
            "filers": len(self.filers),
            "skilled_filers": int(self.filers["skilled"].sum()),
            "filings": int(h["accession"].nunique()),
            "holdings_rows": len(h),
            "restatements": int(h.loc[h["amendment_type"] == "RESTATEMENT", "accession"].nunique()),
            "new_holdings_amendments": int(
                h.loc[h["amendment_type"] == "NEW HOLDINGS", "accession"].nunique()
            ),
        }

    def shares_wide(self) -> pd.DataFrame:
        """Point-in-time shares outstanding (calendar x tickers): the shares table ffilled by known_from."""
        wide = self.shares.pivot(index="known_from", columns="ticker", values="shares")
        wide = wide.reindex(index=self.calendar, columns=self.tickers).ffill()
        wide.index.name, wide.columns.name = self.calendar.name, None
        return wide.where(self.raw_close.notna())

    def market_cap(self) -> pd.DataFrame:
        """Market cap in USD (calendar x tickers): raw close x shares known at each session."""
        return self.raw_close * self.shares_wide()


def _wide(values: np.ndarray, calendar: pd.DatetimeIndex, tickers: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(values, index=calendar, columns=tickers, copy=False)


def generate_demo(config: DemoConfig) -> DemoMarket:
    """Generate the market of `config`; the same config gives bit-identical frames."""
    calendar = xnys_sessions(config.start_ts, config.end_ts)
    quarters = quarter_ends(calendar)
    n, n_days = config.n_stocks, len(calendar)
    ids = _rng(config, "ids")
    tickers = pd.Index(make_tickers(ids, n).tolist(), name="ticker")
    sectors = make_sectors(ids, n)
    issuers, cusips = make_issuer_names(ids, sectors), make_cusips(ids, n)

    paths = simulate_prices(_rng(config, "prices"), n_days, sectors)
    shares_out = simulate_shares(_rng(config, "shares"), paths, calendar, quarters)
    volume = simulate_volume(_rng(config, "volume"), paths, shares_out)
    cap = paths.raw_close * shares_out
    benchmarks = build_benchmarks(paths.close, cap, paths.last, paths.delist_return, calendar)

    filers = make_filers(_rng(config, "filers"), config.n_filers, len(quarters))
    period_rows = session_on_or_before(calendar, quarters.to_numpy())
    if config.n_filers and len(quarters):
        positions = simulate_positions(
            _rng(config, "positions"),
            filers,
            paths,
            cap,
            shares_out,
            period_rows,
            benchmarks["sp500"].to_numpy(),
        )
        holdings = holdings_table(
            _rng(config, "filings"),
            filers,
            positions,
            quarters,
            calendar,
            tickers.to_numpy(),
            cusips,
            issuers,
        )
    else:
        from hedgeclone.data.schemas import HOLDINGS, conform

        holdings = conform(pd.DataFrame({c: [] for c in HOLDINGS}), HOLDINGS, "demo holdings")

    gone = np.flatnonzero(paths.delist_kind != NO_DELISTING)
    delistings = pd.DataFrame(
        {
            "ticker": tickers[gone],
            "date": calendar[paths.last[gone]],
            "reason": np.where(paths.delist_kind[gone] == BANKRUPTCY, "bankruptcy", "buyout"),
            "delisting_return": paths.delist_return[gone],
        }
    ).astype(DELISTINGS_COLUMNS)
    delistings = delistings.sort_values(["date", "ticker"], kind="stable").reset_index(drop=True)
    securities = pd.DataFrame(
        {"ticker": tickers, "cusip": cusips, "issuer": issuers, "sector": np.array(list(SECTORS))[sectors]}
    ).astype("string")
    return DemoMarket(
        config=config,
        calendar=calendar,
        tickers=tickers,
        close=_wide(paths.close, calendar, tickers),
        raw_close=_wide(paths.raw_close, calendar, tickers),
        volume=_wide(volume, calendar, tickers),
        shares=shares_table(shares_out, calendar, tickers),
        holdings=holdings,
        benchmarks=benchmarks,
        delistings=delistings,
        filers=filers.table().astype(FILERS_COLUMNS),
        securities=securities,
    )
