"""Column layouts shared by every source: each source returns exactly these columns and dtypes.

Dates are timezone-naive ``datetime64[ns]`` at midnight (a trading day or a filing day).
`as_dates` is the one place that turns stamps into such dates: a stamp with a timezone or UTC
offset takes its date in that timezone (``2024-01-02T00:00:00Z`` and ``+00:00`` are 2 January,
``2024-01-02T23:00:00-05:00`` too); it is never converted to another zone first, which moved UTC
midnights onto the previous day (a one-day look-ahead).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hedgeclone.errors import DataError

# 13F holdings, long: one row per (filing, cusip, put/call) after normalisation.
HOLDINGS: dict[str, str] = {
    "cik": "int64",
    "filer_name": "string",
    "period": "datetime64[ns]",  # period of report (quarter end)
    "filed": "datetime64[ns]",  # acceptance date: the day the holding became public
    "accession": "string",
    "form": "string",  # 13F-HR or 13F-HR/A
    "amendment_type": "string",  # <NA>, RESTATEMENT or NEW HOLDINGS
    "cusip": "string",
    "ticker": "string",  # <NA> where the CUSIP is unmapped
    "issuer": "string",
    "value_usd": "float64",  # US dollars, whatever unit the filing used
    "shares": "float64",
    "put_call": "string",  # <NA>, PUT or CALL
}

# Shares outstanding, long: known from the day the filing or snapshot reporting them was public.
SHARES: dict[str, str] = {"ticker": "string", "known_from": "datetime64[ns]", "shares": "float64"}

# Daily price fields, each a wide frame: trading calendar x tickers, float64, NaN when not trading.
PRICE_FIELDS: tuple[str, ...] = ("close", "raw_close", "volume", "open")


# A time of day followed by a zone: Z, UTC, GMT or an offset (+05:30, -0500, +00).
_OFFSET = re.compile(r"^(.*\d\d:\d\d(?::\d\d(?:[.,]\d*)?)?)\s*(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$", re.IGNORECASE)


def _in_range(series: pd.Series) -> pd.Series:
    """NaT where a stamp's year is outside 1678..2261: converted to datetime64[ns] it would wrap."""
    if not len(series) or not series.notna().any():
        return series
    years = series.dt.year
    return series.where((years >= 1678) & (years <= 2261))


def as_dates(values: pd.Series | pd.Index | np.ndarray, *, normalize: bool = True) -> pd.Series:
    """`values` (stamps, dates or text) as tz-naive ``datetime64[ns]``, each in its own timezone.

    Text is read as ISO 8601 first, then any format pandas knows; an unreadable value is NaT
    (callers name the row). A trailing ``Z``/``UTC``/``+hh:mm`` is dropped before parsing, so the
    wall-clock date is kept; tz-aware stamps keep their wall-clock date in their own zone.
    `normalize` drops the time of day. Years outside 1678..2261 (what datetime64[ns] holds) are NaT.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)  # the wall clock in the stamp's own zone
    elif not pd.api.types.is_datetime64_any_dtype(series):
        codes, uniques = pd.factorize(series.astype("string"))  # long files repeat each date many times
        text = pd.Series(uniques, dtype="string").str.strip().str.replace(_OFFSET, r"\1", regex=True)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        retry = parsed.isna() & text.notna() & (text != "")
        if retry.any():
            parsed[retry] = pd.to_datetime(text[retry], errors="coerce", format="mixed")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # pragma: no cover - offsets were stripped
            parsed = parsed.dt.tz_localize(None)
        values = np.append(_in_range(parsed).to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
        series = pd.Series(values[codes], index=series.index)  # code -1 (missing) -> the NaT at the end
    series = _in_range(series).astype("datetime64[ns]")
    return series.dt.normalize() if normalize else series


def conform(frame: pd.DataFrame, schema: dict[str, str], what: str) -> pd.DataFrame:
    """`frame` with exactly the columns of `schema`, in order and cast; names `what` on error."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: missing column(s) {', '.join(missing)}")
    out = frame.loc[:, list(schema)].copy()
    for col, dtype in schema.items():
        try:
            if not dtype.startswith("datetime"):
                out[col] = out[col].astype(dtype)
            else:
                dates = as_dates(out[col], normalize=False)
                bad = dates.isna().to_numpy() & out[col].notna().to_numpy()
                if bad.any():
                    raise ValueError(f"value '{out[col].iloc[int(np.flatnonzero(bad)[0])]}' is not a date "
                                     "(years 1678 to 2261)")
                out[col] = dates.astype(dtype).to_numpy()
        except (TypeError, ValueError, OverflowError) as exc:
            raise DataError(f"{what}: column {col!r} cannot be read as {dtype}: {exc}") from exc
    return out.reset_index(drop=True)
