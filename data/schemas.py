"""Column layouts shared by every source: each source returns exactly these columns and dtypes.

Dates are timezone-naive ``datetime64[ns]`` at midnight (a trading day or a filing day).
"""

from __future__ import annotations

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


def conform(frame: pd.DataFrame, schema: dict[str, str], what: str) -> pd.DataFrame:
    """`frame` with exactly the columns of `schema`, in order and cast; names `what` on error."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: missing column(s) {', '.join(missing)}")
    out = frame.loc[:, list(schema)].copy()
    for col, dtype in schema.items():
        try:
            out[col] = out[col].astype(dtype) if not dtype.startswith("datetime") else pd.to_datetime(out[col]).astype(dtype)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{what}: column {col!r} cannot be read as {dtype}: {exc}") from exc
    return out.reset_index(drop=True)
