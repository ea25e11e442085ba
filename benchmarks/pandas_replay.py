"""A plain-pandas replay of the superinvestor consensus, written from the raw files.

The oracle of the real-data figures test and the reference of ``python -m benchmarks real``:
it reads the raw superinvestor 13F CSV, edgartools' bundled CUSIP map and the price CSVs with
pandas, applies the README's 13F counting rules itself (none of hedgeclone's importer, index,
strategies or engine), picks the top 14 companies on each decision date and replays the
portfolio: equal weights, bought at the next close, a fee on traded value, a position whose
series ends early closed at its last price.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FUNDS", "raw_holdings", "replay", "decision_dates", "read_prices", "Replay", "replay_all", "portfolio"]

FUNDS = r"\b(?:ETF|ETFS|FUND|ISHARES|SPDR|INDEX|TRUST SERIES)\b"
DEADLINE_DAYS = 45


def raw_holdings(path: Path, priced_columns: pd.Index) -> pd.DataFrame:
    """The superinvestor table as the rules read it: 13F filings, one row per line, tickers joined."""
    from edgar.reference.tickers import cusip_ticker_mapping

    raw = pd.read_csv(path, dtype=str)
    raw["form"] = raw["form"].fillna("13F-HR").str.upper()
    raw = raw[raw["form"].str.startswith("13F")]  # NPORT-P fund reports are not 13F filings
    raw["cik"] = pd.to_numeric(raw["filer_cik_hint"], errors="coerce")
    raw = raw[raw["cik"].notna()].astype({"cik": np.int64})
    cusip = raw["cusip"].str.upper()
    cusip = cusip.where(~cusip.str.fullmatch(r"\d{6,8}").fillna(False), cusip.str.zfill(9))
    raw = raw.assign(cusip=cusip)[cusip.str.fullmatch(r"[0-9A-Z]{9}").fillna(False)]
    raw["filed"] = pd.to_datetime(raw["filing_date"])
    raw["period"] = pd.to_datetime(raw["period_of_report"])
    raw["accession"] = raw["accession"].fillna("NOACC-" + raw["cik"].astype(str) + "-"
                                               + raw["filed"].dt.strftime("%Y%m%d") + "-" + raw["filer"])
    raw["value"] = pd.to_numeric(raw["value_raw"].str.replace(",", "", regex=False))
    # Long equity: no options, and the CUSIP's issue number (characters 7-8) is two digits. The
    # other rows stay: a filing of options only is still its filer's latest report.
    raw["equity"] = raw["put_call"].isna() & raw["cusip"].str[6:8].str.fullmatch(r"\d\d")
    mapping = cusip_ticker_mapping(allow_duplicate_cusips=False)["Ticker"]
    mapping.index = mapping.index.astype(str).str.upper()
    ticker = raw["cusip"].map(mapping[mapping.notna() & (mapping != "")])
    # Share classes spelled without a separator (BRKB) are the price data's BRK-B.
    bare = pd.Series(priced_columns, index=priced_columns.str.replace(r"[-./]", "", regex=True))
    bare = bare[~bare.index.duplicated(keep=False)]
    unknown = ticker.notna() & ~ticker.isin(priced_columns)
    ticker[unknown] = ticker[unknown].str.replace(r"[-./]", "", regex=True).map(bare).fillna(ticker[unknown])
    return raw.assign(ticker=ticker, issuer=raw["cusip"].str[:6])


def replay(raw: pd.DataFrame, day: pd.Timestamp, priced: set[str], n: int = 14) -> pd.DataFrame:
    """The top `n` issuers on `day`: holders, conviction, traded ticker (the README's rules)."""
    seen = raw[raw["filed"] < day]  # known from the session after the filing date
    filings = seen.groupby(["cik", "period", "accession"], as_index=False)["filed"].max()
    filings = filings.sort_values(["cik", "period", "filed", "accession"]).groupby("cik").tail(1)
    last_end = (day - pd.Timedelta(days=1)).to_period("Q")
    if (day - pd.Timedelta(days=1)) != last_end.end_time.normalize():
        last_end -= 1
    filings = filings[filings["period"].dt.to_period("Q") >= last_end - 1]  # not stale
    rows = seen.merge(filings[["cik", "accession"]], on=["cik", "accession"])
    rows = rows[rows["equity"]]
    total = rows.groupby("cik")["value"].transform("sum")
    rows = rows.assign(share=rows["value"] / total)
    per_issuer = rows.groupby("issuer").agg(holders=("cik", "nunique"), conviction=("share", "sum"),
                                            name=("issuer_name", "min"))
    classes = rows[rows["ticker"].isin(priced)].groupby(["issuer", "ticker"]).agg(
        holders=("cik", "nunique"), conviction=("share", "sum")).reset_index()
    classes = classes.sort_values(["issuer", "holders", "conviction", "ticker"], ascending=[True, False, False, True])
    per_issuer["ticker"] = classes.drop_duplicates("issuer").set_index("issuer")["ticker"]
    ok = per_issuer["ticker"].notna() & ~per_issuer["name"].str.upper().str.contains(FUNDS, regex=True)
    ranked = per_issuer[ok].reset_index().sort_values(["holders", "conviction", "issuer"],
                                                      ascending=[False, False, True])
    return ranked.head(n)


def decision_dates(calendar: pd.DatetimeIndex, start, end) -> pd.DatetimeIndex:
    """The first session strictly after each quarter end + 45 days, within [start, end]."""
    ends = pd.date_range(calendar[0] - pd.offsets.QuarterEnd(1), calendar[-1], freq="QE")
    days = [calendar[calendar > e + pd.Timedelta(days=DEADLINE_DAYS)][:1] for e in ends]
    dates = pd.DatetimeIndex([d[0] for d in days if len(d)]).unique()
    return dates[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]


def read_prices(files: list[Path]) -> pd.DataFrame:
    """Wide adjusted closes (dates x tickers) from long ``ticker,date,adj_close`` files or
    ``Date,Close`` single-ticker files (named TICKER.csv); the first file naming a ticker wins."""
    parts = []
    for path in files:
        frame = pd.read_csv(path)
        cols = {c.lower(): c for c in frame.columns}
        if "ticker" in cols:
            price = cols.get("adj_close", cols.get("close"))
            part = frame[[cols["ticker"], cols["date"], price]].set_axis(["ticker", "date", "close"], axis=1)
        else:
            part = frame[[cols["date"], cols["close"]]].set_axis(["date", "close"], axis=1)
            part.insert(0, "ticker", path.name.split(".")[0])
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long["date"] = pd.to_datetime(long["date"])
    long = long.drop_duplicates(["ticker", "date"], keep="first")
    return long.pivot(index="date", columns="ticker", values="close").sort_index()


@dataclass(frozen=True)
class Replay:
    """Picks per decision date (issuer, ticker, holders, conviction) and the daily portfolio value."""

    picks: dict[pd.Timestamp, pd.DataFrame]
    value: pd.Series


def portfolio(close: pd.DataFrame, picks: dict[pd.Timestamp, list[str]], *, end, fees: float, init_cash: float,
              lag: int = 1) -> pd.Series:
    """Daily value of holding each date's picks at equal weights, traded `lag` sessions later at
    the close: sells first, then buys, each paying `fees` on its traded value, a buy cut short
    when cash runs out. A position whose series ends before the data does is closed at its last
    price (no fee) on its last day."""
    calendar = close.index
    last = close.apply(pd.Series.last_valid_index)
    ends_early = last[last < calendar[-1]]
    rows = {calendar.get_loc(d) + lag: tickers for d, tickers in picks.items() if calendar.get_loc(d) + lag < len(calendar)}
    first = calendar.get_loc(min(picks))
    stop = calendar.searchsorted(pd.Timestamp(end), side="right")
    prices = close.to_numpy()
    col = {t: i for i, t in enumerate(close.columns)}
    held: dict[int, float] = {}
    mark: dict[int, float] = {}
    cash = init_cash
    out = np.full(stop - first, np.nan)
    closing = {calendar.get_loc(d): [col[t] for t in ts] for d, ts in ends_early.groupby(ends_early).groups.items()}
    for r in range(first, stop):
        for c in held:
            if np.isfinite(prices[r, c]) and prices[r, c] > 0:
                mark[c] = prices[r, c]
        if r in rows:
            value = cash + sum(n * mark[c] for c, n in held.items())
            target = {col[t]: 1.0 / len(rows[r]) for t in rows[r]}
            target.update({c: 0.0 for c in held if c not in target})  # names not picked are sold
            # Sells before buys: orders by the value they trade, ties in column order.
            trades = sorted((w * value - held.get(c, 0.0) * prices[r, c], c) for c, w in target.items()
                            if np.isfinite(prices[r, c]))
            for _, c in trades:
                price = prices[r, c]
                size = target[c] * value / price - held.get(c, 0.0)
                if size < 0:
                    cash += -size * price * (1 - fees)
                elif size > 0:
                    cost = size * price * (1 + fees)
                    if cost > cash:
                        size, cost = cash / (1 + fees) / price, cash
                    cash -= cost
                held[c] = held.get(c, 0.0) + size
                mark[c] = price
            held = {c: n for c, n in held.items() if n > 1e-12}
        for c in closing.get(r, ()):
            if c in held:
                cash += held.pop(c) * mark[c]
        out[r - first] = cash + sum(n * mark[c] for c, n in held.items())
    return pd.Series(out, index=calendar[first:stop], name="value")


def replay_all(holdings: Path, prices: list[Path], *, start, end, fees: float, init_cash: float, lag: int = 1,
               n: int = 14) -> Replay:
    """The whole consensus from the raw files: picks on every decision date, then the values."""
    close = read_prices(prices)
    raw = raw_holdings(holdings, close.columns)
    picks = {}
    for day in decision_dates(close.index, start, end):
        priced = set(close.loc[day].dropna().index)
        picks[day] = replay(raw, day, priced, n)
    value = portfolio(close, {d: list(p["ticker"]) for d, p in picks.items()}, end=end, fees=fees,
                      init_cash=init_cash, lag=lag)
    return Replay(picks=picks, value=value)
