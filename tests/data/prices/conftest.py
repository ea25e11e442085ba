"""Shared fixtures: the real ../shared price files and an offline Yahoo chart API for yfinance.

`FakeYahooAdapter` is a `requests` transport adapter mounted on a real `requests.Session` that
yfinance receives through its documented ``session=`` argument: yfinance's own request, crumb,
parsing and adjustment code runs; only the network is replaced by responses built from the
shared CSV files.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter

REPO = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SHARED = REPO.parent / "shared" / "data"
PRICES = SHARED / "prices"


@pytest.fixture(scope="session")
def prices_dir() -> Path:
    if not (PRICES / "benchmarks" / "SPY.csv").exists():
        pytest.skip(f"real price files absent: {PRICES} (the shared data folder beside the checkout)")
    return PRICES


@pytest.fixture
def store(tmp_path):
    from hedgeclone.data.store import Store

    return Store(tmp_path / "store")


class FakeYahooAdapter(BaseAdapter):
    """Answers Yahoo's cookie, crumb and v8 chart endpoints from per-ticker daily frames.

    `bars[ticker]` has columns open, close (raw), adjclose, volume on a date index.
    `failures[ticker]` is a list consumed one per chart request: an int status to answer
    (e.g. 429) or an exception instance to raise.
    """

    def __init__(self, bars: dict[str, pd.DataFrame], failures: dict[str, list] | None = None,
                 shares: dict[str, pd.Series] | None = None, splits: dict[str, pd.Series] | None = None) -> None:
        super().__init__()
        self.bars = bars
        self.splits = splits or {}
        self.shares = shares or {}
        self.failures = failures or {}
        self.chart_calls: list[tuple[str, dict]] = []

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.path.endswith("/getcrumb"):
            return self._response(request, 200, b"fakecrumb", "text/plain")
        if "/fundamentals-timeseries/" in url.path:
            ticker = url.path.rsplit("/", 1)[1]
            counts = self.shares.get(ticker)
            result = {"meta": {"symbol": [ticker], "type": ["shares_out"]}}
            if counts is not None:
                epoch = (counts.index + pd.Timedelta(hours=16)).tz_localize("America/New_York").tz_convert("UTC").as_unit("s").asi8
                result.update({"timestamp": [int(x) for x in epoch], "shares_out": [int(x) for x in counts]})
            body = {"timeseries": {"result": [result], "error": None}}
            return self._response(request, 200, json.dumps(body).encode(), "application/json")
        if "/v8/finance/chart/" not in url.path:
            return self._response(request, 404, b"<html>not here</html>", "text/html")
        ticker = url.path.rsplit("/", 1)[1]
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if params.get("range") != "1d":
            self.chart_calls.append((ticker, params))
            queue = self.failures.get(ticker)
            if queue:
                failure = queue.pop(0)
                if isinstance(failure, Exception):
                    raise failure
                return self._response(request, failure, b"Too Many Requests", "text/plain")
        if ticker not in self.bars:
            body = {"chart": {"result": None, "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}}
            return self._response(request, 404, json.dumps(body).encode(), "application/json")
        return self._response(request, 200, json.dumps(chart_json(ticker, self.bars[ticker], params, self.splits.get(ticker))).encode(), "application/json")

    def close(self) -> None:
        pass

    @staticmethod
    def _response(request, status: int, body: bytes, ctype: str) -> requests.Response:
        resp = requests.Response()
        resp.status_code = status
        resp._content = body
        resp.headers["Content-Type"] = ctype
        resp.url = request.url
        resp.request = request
        resp.encoding = "utf-8"
        return resp


def chart_json(ticker: str, bars: pd.DataFrame, params: dict, splits: pd.Series | None = None) -> dict:
    """A Yahoo v8 chart answer (daily bars stamped 09:30 New York time) for the asked window; `splits`
    (ratio by date: 2 for 2-for-1, 0.1 for 1-for-10) become its split events."""
    stamps = (bars.index + pd.Timedelta(hours=9, minutes=30)).tz_localize("America/New_York")
    epoch = (stamps.tz_convert("UTC").as_unit("s").asi8 // 1).astype(np.int64)
    if params.get("range") == "1d":
        sel = np.arange(len(bars))[-1:]
    else:
        lo, hi = int(params["period1"]), int(params["period2"])
        sel = np.flatnonzero((epoch >= lo) & (epoch < hi))
    b = bars.iloc[sel]
    ts = [int(x) for x in epoch[sel]]
    meta = {
        "currency": "USD", "symbol": ticker, "exchangeName": "PCX", "fullExchangeName": "NYSEArca",
        "instrumentType": "ETF", "firstTradeDate": int(epoch[0]), "regularMarketTime": int(epoch[-1]),
        "hasPrePostMarketData": True, "gmtoffset": -14400, "timezone": "EDT",
        "exchangeTimezoneName": "America/New_York", "regularMarketPrice": float(bars["close"].iloc[-1]),
        "priceHint": 2, "dataGranularity": "1d", "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
    }
    quote = {c: [float(x) for x in b[c]] for c in ("open", "close")}
    quote["high"] = quote["close"]
    quote["low"] = quote["close"]
    quote["volume"] = [int(x) for x in b["volume"]]
    result = {
        "meta": meta, "timestamp": ts,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": [float(x) for x in b["adjclose"]]}]},
    }
    if splits is not None and len(splits):
        events = {}
        for day, ratio in splits.items():
            stamp = int(epoch[bars.index.get_loc(day)])
            num, den = (float(ratio), 1.0) if ratio >= 1 else (1.0, round(1 / float(ratio)))
            events[str(stamp)] = {"date": stamp, "numerator": num, "denominator": den, "splitRatio": f"{num:g}:{den:g}"}
        result["events"] = {"splits": events}
    return {"chart": {"result": [result], "error": None}}


def bars_from_close_csv(path: Path) -> pd.DataFrame:
    """Daily bars from a ``Date,Close`` file: raw close = adjusted close = open, volume 1,000,000."""
    frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
    close = frame["Close"].astype(float)
    return pd.DataFrame({"open": close, "close": close, "adjclose": close, "volume": 1_000_000}, index=close.index)


@pytest.fixture
def yahoo(tmp_path, prices_dir):
    """(session, adapter): a requests Session whose https transport is a `FakeYahooAdapter`."""
    import yfinance as yf

    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
    bars = {t: bars_from_close_csv(prices_dir / "benchmarks" / f"{t}.csv") for t in ("SPY", "IWC")}
    adapter = FakeYahooAdapter(bars)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    from yfinance.data import YfData

    previous = YfData()._session  # yfinance keeps one shared session: put the old one back afterwards
    YfData(session=session)
    yield session, adapter
    YfData(session=previous)


@pytest.fixture
def fake_yahoo(tmp_path):
    """`fake_yahoo(bars, splits=None) -> session`: a Session answering from `FakeYahooAdapter(bars, splits=...)`,
    made yfinance's shared session until the test ends (no real files needed)."""
    import yfinance as yf
    from yfinance.data import YfData

    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
    previous = YfData()._session

    def make(bars: dict[str, pd.DataFrame], splits: dict[str, pd.Series] | None = None) -> requests.Session:
        session = requests.Session()
        session.mount("https://", FakeYahooAdapter(bars, splits=splits))
        YfData(session=session)
        return session

    yield make
    YfData(session=previous)
