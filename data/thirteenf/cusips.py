"""CUSIP to ticker: edgartools' bundled map, overridden by a user CSV; unmapped CUSIPs reported.

edgartools ships ``edgar/reference/data/ct.pq`` (CUSIP, Ticker; built from SEC fails-to-deliver
data; current tickers, not tickers at a past date). Like edgartools we keep the first row per
CUSIP. A user CSV with columns ``cusip,ticker`` replaces the bundled ticker of any CUSIP it lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hedgeclone.errors import InputError

__all__ = ["bundled_map", "load_cusip_map", "apply_tickers", "Unmapped", "unmapped"]


def bundled_map() -> pd.Series:
    """edgartools' bundled CUSIP -> ticker map (first row per CUSIP), as a string Series."""
    from edgar.reference.tickers import cusip_ticker_mapping

    frame = cusip_ticker_mapping(allow_duplicate_cusips=False)
    series = frame["Ticker"].astype("string")
    series.index = series.index.astype("string").str.upper()
    return series[series.notna() & (series != "")]


def load_cusip_map(user_csv: str | Path | None = None, *, bundled: bool = True) -> pd.Series:
    """The CUSIP -> ticker map: the bundled one (if `bundled`) overridden by `user_csv` rows."""
    base = bundled_map() if bundled else pd.Series(dtype="string")
    if user_csv is None:
        return base
    try:
        user = pd.read_csv(user_csv, dtype=str)
    except pd.errors.EmptyDataError:
        raise InputError(f"{user_csv}: empty CUSIP map (expected a header cusip,ticker)") from None
    except EOFError:
        raise InputError(f"{user_csv}: truncated CUSIP map (the gzip stream ends early)") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # UnicodeDecodeError is a ValueError
        raise InputError(f"{user_csv}: cannot read CUSIP map CSV ({exc})") from exc
    user.columns = [c.strip().lower() for c in user.columns]
    if not {"cusip", "ticker"} <= set(user.columns):
        raise InputError(f"{user_csv}: CUSIP map needs columns cusip,ticker (has {', '.join(user.columns)})")
    bad = user["cusip"].isna() | (user["cusip"].str.strip().str.len() != 9)
    if bad.any():
        row = int(bad.idxmax()) + 2  # header is line 1
        raise InputError(f"{user_csv} line {row}: malformed CUSIP {user['cusip'].iloc[row - 2]!r}")
    override = pd.Series(user["ticker"].str.strip().str.upper().values,
                         index=user["cusip"].str.strip().str.upper().values, dtype="string")
    override = override[~override.index.duplicated(keep="last")]
    return pd.concat([base[~base.index.isin(override.index)], override])


def apply_tickers(frame: pd.DataFrame, cusip_map: pd.Series) -> pd.DataFrame:
    """`frame` with its ``ticker`` column set from `cusip_map` (<NA> where unmapped)."""
    out = frame.copy()
    out["ticker"] = out["cusip"].map(cusip_map).astype("string")
    return out


@dataclass(frozen=True)
class Unmapped:
    """CUSIPs without a ticker: how many distinct, how many rows, what share of value."""

    cusips: int
    rows: int
    value_share: float  # of total value_usd, 0..1
    top: tuple[tuple[str, str, float], ...]  # (cusip, issuer, value_usd), largest first

    def __str__(self) -> str:
        return f"{self.cusips} unmapped CUSIPs ({self.rows} rows, {self.value_share:.1%} of value)"


def unmapped(frame: pd.DataFrame, top: int = 10) -> Unmapped:
    """Report the rows of a HOLDINGS frame whose CUSIP has no ticker."""
    miss = frame[frame["ticker"].isna()]
    total = float(frame["value_usd"].sum())
    by = miss.groupby("cusip", sort=False).agg(issuer=("issuer", "first"), value_usd=("value_usd", "sum"))
    by = by.sort_values("value_usd", ascending=False).head(top)
    return Unmapped(
        cusips=int(miss["cusip"].nunique()),
        rows=len(miss),
        value_share=float(miss["value_usd"].sum()) / total if total > 0 else 0.0,
        top=tuple((str(c), str(r.issuer), float(r.value_usd)) for c, r in by.iterrows()),
    )
