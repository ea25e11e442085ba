"""yfinance source: batch download into the store with retries, backoff and incremental updates.

For each ticker the store is asked what it holds. Nothing stored: the whole window is fetched.
Stored up to day L: only [L, end] is fetched (L itself overlaps, to check the adjustment). If
the adjusted close on L differs from the stored one, Yahoo re-adjusted the history (a dividend
or split since the last download), so the ticker's full window is fetched again and replaces
the stored series. Tickers are written in chunks, each chunk atomically, so an interrupted
download keeps the finished chunks and the next run resumes with the rest.

Rate limits (HTTP 429), connection errors and unreadable responses are retried with
exponential backoff; "no data" answers (unknown or delisted symbol) are not. yfinance knows
no delisted names, so every fetch report carries a survivorship warning.

`history_to_long` is the pure part: a yfinance history frame -> the store's long rows.
`fetch_splits` reads yfinance's split history (``Stock Splits``) and repairs the suspect prices
(`data.prices.suspect`) it explains.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgeclone.data.prices import store as pstore
from hedgeclone.data.prices.load import store_prices
from hedgeclone.data.prices.validate import check_ticker, validate_prices
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError, InputError

__all__ = ["RetryPolicy", "FetchReport", "history_to_long", "fetch_history", "fetch_prices", "SURVIVORSHIP_WARNING",
           "splits_from_history", "fetch_splits"]

DEFAULT_START = pd.Timestamp("1990-01-01")
SURVIVORSHIP_WARNING = "yfinance has no delisted names: a universe built from it carries survivorship bias"
_REL_TOL = 1e-6
_START_SLACK_DAYS = 5  # a stored series starting this close after the asked start counts as complete


@dataclass(frozen=True)
class RetryPolicy:
    """Retry `retries` times, waiting ``backoff * 2**attempt`` seconds (at most `max_wait`)."""

    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 60.0

    def wait(self, attempt: int) -> float:
        return min(self.backoff * 2**attempt, self.max_wait)


@dataclass
class FetchReport:
    """Per-ticker outcome of `fetch_prices`: rows added, tickers up to date, refetched, failed."""

    rows: int = 0
    fetched: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    refetched: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retries: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"fetched {len(self.fetched)} ticker(s), {self.rows:,} rows; {len(self.up_to_date)} already up to date"]
        if self.refetched:
            out.append(f"re-adjusted by Yahoo, fetched in full: {', '.join(self.refetched)}")
        if self.retries:
            out.append(f"retries after errors or rate limits: {self.retries}")
        out += [f"failed: {t}: {why}" for t, why in self.failed.items()]
        return out + [f"warning: {w}" for w in self.warnings]


def history_to_long(history: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Long rows (ticker, date, close, raw_close, volume, open) from ``Ticker.history(auto_adjust=False)``.

    ``Adj Close`` becomes ``close`` (total return) and ``Close`` becomes ``raw_close``; dates are
    the exchange-local trading days, tz-naive.
    """
    if history is None or history.empty:
        return pd.DataFrame(columns=["ticker", "date", "close", "raw_close", "volume", "open"])
    index = pd.DatetimeIndex(history.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    adj = history["Adj Close"] if "Adj Close" in history else history["Close"]
    return pd.DataFrame({
        "ticker": pd.Categorical([ticker] * len(history)),
        "date": index.normalize().to_numpy(dtype="datetime64[ns]"),
        "close": adj.to_numpy(dtype="float64"),
        "raw_close": history["Close"].to_numpy(dtype="float64"),
        "volume": history["Volume"].to_numpy(dtype="float64") if "Volume" in history else np.nan,
        "open": history["Open"].to_numpy(dtype="float64") if "Open" in history else np.nan,
    })


@contextlib.contextmanager
def _raising_yfinance() -> Iterator[None]:
    """Make yfinance raise its errors (its documented `config.debug.hide_exceptions`), then restore."""
    import yfinance as yf

    old = yf.config.debug.hide_exceptions
    yf.config.debug.hide_exceptions = False
    try:
        yield
    finally:
        yf.config.debug.hide_exceptions = old


def fetch_history(ticker: str, start: pd.Timestamp, end: pd.Timestamp, session: object | None = None) -> pd.DataFrame:
    """Daily bars of `ticker` from `start` to `end` inclusive through yfinance (`Ticker.history`)."""
    import yfinance as yf

    with _raising_yfinance():
        return yf.Ticker(ticker, session=session).history(
            start=start.strftime("%Y-%m-%d"), end=(end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            interval="1d", auto_adjust=False, actions=False,
        )


def _permanent(exc: Exception) -> bool:
    from yfinance.exceptions import YFInvalidPeriodError, YFPricesMissingError, YFTzMissingError

    return isinstance(exc, (YFPricesMissingError, YFTzMissingError, YFInvalidPeriodError))


def _with_retries(call: Callable[[], pd.DataFrame], policy: RetryPolicy, sleep: Callable[[float], None], report: FetchReport) -> pd.DataFrame:
    for attempt in range(policy.retries + 1):
        try:
            return call()
        except Exception as exc:
            if _permanent(exc) or attempt == policy.retries:
                raise
            report.retries += 1
            _forget_cached_responses()
            sleep(policy.wait(attempt))
    raise AssertionError("unreachable")


def _forget_cached_responses() -> None:
    """yfinance memoises responses for past windows; drop them so a retry asks again."""
    with contextlib.suppress(Exception):
        from yfinance.data import YfData

        YfData().cache_get.cache_clear()


def fetch_prices(
    store: Store,
    tickers: Sequence[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    session: object | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    chunk: int = 25,
    on_ticker: Callable[[str], None] | None = None,
) -> FetchReport:
    """Download `tickers` from Yahoo into `store`, fetching only what is missing; see the module doc.

    `session` is passed to yfinance (a curl_cffi or requests Session); `sleep` and `policy`
    control backoff; `on_ticker` is called after each ticker (for a progress bar).
    """
    tickers = [check_ticker(t.strip().upper(), "fetch") for t in tickers]
    if not tickers:
        raise InputError("fetch: no tickers given")
    start_ts = pd.Timestamp(start) if start is not None else None
    end_ts = pd.Timestamp(end) if end is not None else pd.Timestamp.now().normalize()
    report = FetchReport(warnings=[SURVIVORSHIP_WARNING])
    ranges = pstore.ticker_ranges(store, tickers).set_index("ticker")
    for i in range(0, len(tickers), chunk):
        frames, replace = [], []
        for ticker in tickers[i : i + chunk]:
            try:
                rows, full = _fetch_one(store, ticker, ranges, start_ts, end_ts, session, policy, sleep, report)
            except Exception as exc:  # one bad ticker must not stop the batch
                report.failed[ticker] = f"{type(exc).__name__}: {str(exc).strip() or 'no detail'}"
                rows, full = None, False
            if rows is not None and not rows.empty:
                (replace if full else frames).append(rows)
            if on_ticker is not None:
                on_ticker(ticker)
        for group, is_full in ((frames, False), (replace, True)):
            if group:
                _store_chunk(store, pd.concat(group, ignore_index=True), is_full, report)
    if report.failed and not report.fetched and not report.up_to_date:
        first = next(iter(report.failed.items()))
        raise DataError(f"yfinance: nothing fetched; {len(report.failed)} ticker(s) failed, first {first[0]}: {first[1]}")
    return report


def _store_chunk(store: Store, rows: pd.DataFrame, replace: bool, report: FetchReport) -> None:
    rows["ticker"] = rows["ticker"].astype(str).astype("category")
    clean, vrep = validate_prices(rows, "yfinance")
    vrep.source = "yfinance"
    store_prices(store, clean, vrep, kind="yfinance", replace=replace)
    report.rows += vrep.rows
    report.warnings.extend(w for w in vrep.lines() if "survivorship" not in w)


def _fetch_one(
    store: Store, ticker: str, ranges: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp,
    session: object | None, policy: RetryPolicy, sleep: Callable[[float], None], report: FetchReport,
) -> tuple[pd.DataFrame | None, bool]:
    """(rows to store, whether they replace the stored series) for one ticker."""
    full_start = start if start is not None else DEFAULT_START
    if ticker in ranges.index:
        first, last = ranges.at[ticker, "first"], ranges.at[ticker, "last"]
        if start is not None and (first - start).days > _START_SLACK_DAYS:
            full_start = start
        elif last >= end:
            report.up_to_date.append(ticker)
            return None, False
        else:
            hist = _with_retries(lambda: fetch_history(ticker, last, end, session), policy, sleep, report)
            rows = history_to_long(hist, ticker)
            stored = pstore.read_long(store, [ticker], last, last, ("close",))
            overlap = rows[rows["date"] == last]
            if not overlap.empty and not stored.empty:
                a, b = float(overlap["close"].iloc[0]), float(stored["close"].iloc[0])
                if abs(a - b) > _REL_TOL * abs(b):
                    report.refetched.append(ticker)
                    full_start = min(first, start) if start is not None else first
                    return _fetch_full(ticker, full_start, end, session, policy, sleep, report), True
            rows = rows[rows["date"] > last]
            if rows.empty:
                report.up_to_date.append(ticker)
                return None, False
            report.fetched.append(ticker)
            return rows, False
    return _fetch_full(ticker, full_start, end, session, policy, sleep, report), True


def _fetch_full(ticker, start, end, session, policy, sleep, report) -> pd.DataFrame:
    hist = _with_retries(lambda: fetch_history(ticker, start, end, session), policy, sleep, report)
    rows = history_to_long(hist, ticker)
    if rows.empty:
        raise DataError(f"yfinance returned no prices for {ticker} between {start.date()} and {end.date()} (unknown or delisted symbol?)")
    report.fetched.append(ticker)
    return rows


def shares_history_to_long(history: pd.Series | None, ticker: str) -> pd.DataFrame:
    """Shares rows (ticker, known_from, shares, source='yfinance') from ``Ticker.get_shares_full``.

    Several counts on one day keep the last; non-positive counts are dropped.
    """
    if history is None or len(history) == 0:
        return pd.DataFrame({"ticker": pd.Series(dtype="string"), "known_from": pd.Series(dtype="datetime64[ns]"),
                             "shares": pd.Series(dtype="float64"), "source": pd.Series(dtype="string")})
    index = pd.DatetimeIndex(history.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    frame = pd.DataFrame({"ticker": ticker, "known_from": index.normalize().astype("datetime64[ns]"),
                          "shares": history.to_numpy(dtype="float64"), "source": "yfinance"})
    frame = frame[frame["shares"] > 0].drop_duplicates(["ticker", "known_from"], keep="last")
    return frame.reset_index(drop=True)


def fetch_shares(
    store: Store,
    tickers: Sequence[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    session: object | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    on_ticker: Callable[[str], None] | None = None,
) -> FetchReport:
    """Download yfinance's share-count history (``Ticker.get_shares_full``) into ``shares/all``.

    Each count is known from the day Yahoo dates it. Retries as `fetch_prices`.
    """
    import yfinance as yf

    from hedgeclone.data.prices.shares import store_shares

    tickers = [check_ticker(t.strip().upper(), "fetch") for t in tickers]
    start_ts = pd.Timestamp(start) if start is not None else pd.Timestamp("2000-01-01")
    end_ts = pd.Timestamp(end) if end is not None else pd.Timestamp.now().normalize()
    report = FetchReport()
    frames = []
    for ticker in tickers:
        def call(t: str = ticker) -> pd.Series | None:
            with _raising_yfinance():
                return yf.Ticker(t, session=session).get_shares_full(start=start_ts.strftime("%Y-%m-%d"), end=end_ts.strftime("%Y-%m-%d"))
        try:
            rows = shares_history_to_long(_with_retries(call, policy, sleep, report), ticker)
            if rows.empty:
                report.failed[ticker] = "yfinance has no share counts for it"
            else:
                frames.append(rows)
                report.fetched.append(ticker)
                report.rows += len(rows)
        except Exception as exc:
            report.failed[ticker] = f"{type(exc).__name__}: {str(exc).strip() or 'no detail'}"
        if on_ticker is not None:
            on_ticker(ticker)
    if frames:
        store_shares(store, pd.concat(frames, ignore_index=True))
    elif report.failed:
        first = next(iter(report.failed.items()))
        raise DataError(f"yfinance: no share counts fetched; first failure {first[0]}: {first[1]}")
    return report


def splits_from_history(history: pd.DataFrame | None, ticker: str) -> pd.DataFrame:
    """Split rows (ticker, date, ratio = new shares per old) from a yfinance history with ``Stock Splits``."""
    if history is None or history.empty or "Stock Splits" not in history:
        return pd.DataFrame({"ticker": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                             "ratio": pd.Series(dtype="float64")})
    ratio = history["Stock Splits"].astype("float64")
    hit = (ratio > 0).to_numpy() & np.isfinite(ratio.to_numpy()) & (ratio != 1.0).to_numpy()
    index = pd.DatetimeIndex(history.index[hit])
    if index.tz is not None:
        index = index.tz_localize(None)
    return pd.DataFrame({"ticker": ticker, "date": index.normalize().to_numpy(dtype="datetime64[ns]"),
                         "ratio": ratio.to_numpy()[hit]})


def fetch_splits(
    store: Store,
    tickers: Sequence[str] | None = None,
    *,
    session: object | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
):
    """Fetch the split history of `tickers` (default: every ticker with a suspect price) from yfinance
    and repair the marks it explains (`suspect.apply_splits`, one commit); returns (split report, fetch report)."""
    import yfinance as yf

    from hedgeclone.data.prices.suspect import apply_splits, suspect_prices

    if tickers is None:
        tickers = sorted(set(suspect_prices(store)["ticker"]))
    tickers = [check_ticker(t.strip().upper(), "fetch") for t in tickers]
    report = FetchReport()
    frames = []
    end = (pd.Timestamp.now().normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    for ticker in tickers:
        def call(t: str = ticker) -> pd.DataFrame:
            with _raising_yfinance():
                return yf.Ticker(t, session=session).history(start=DEFAULT_START.strftime("%Y-%m-%d"), end=end,
                                                             interval="1d", auto_adjust=False, actions=True)
        try:
            frames.append(splits_from_history(_with_retries(call, policy, sleep, report), ticker))
            report.fetched.append(ticker)
        except Exception as exc:  # one bad ticker must not stop the rest
            report.failed[ticker] = f"{type(exc).__name__}: {str(exc).strip() or 'no detail'}"
    splits = pd.concat(frames, ignore_index=True) if frames else splits_from_history(None, "")
    return apply_splits(store, splits, "yfinance"), report
