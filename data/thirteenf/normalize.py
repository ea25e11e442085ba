"""Normalisation: raw information-table rows + filing facts -> the HOLDINGS schema.

Rules, applied per filing (``accession``):
- a 13F-NT (notice) holds nothing: its rows, if any, are dropped;
- values become US dollars. The unit is decided per filing by edgartools' rule
  (`edgar.thirteenf.units.resolve_value_unit`, re-implemented here vectorised and checked
  against it in the tests): a clear majority of sub-dollar implied prices means thousands,
  otherwise the schema version (X0202+ is dollars), otherwise the period (<= 2022-09-30 is
  thousands). ``unit="median-price"`` instead picks the power of 1000 that brings the
  filing's median implied price nearest $50 (for tables whose scraper rescaled values);
- lines of one filing with the same (CUSIP, put/call) are summed: several lines per stock,
  and the per-manager lines of a combination report, become one row;
- PUT and CALL rows are kept and flagged in ``put_call``; long-equity views leave them out;
- every row carries its filing date (``filed``), the moment it became known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.errors import InputError

__all__ = ["FILINGS", "UNITS", "value_multipliers", "normalize"]

# One row per filing: the facts normalisation needs besides the raw rows.
FILINGS: dict[str, str] = {
    "accession": "string",
    "cik": "int64",
    "filer_name": "string",
    "period": "datetime64[ns]",
    "filed": "datetime64[ns]",
    "form": "string",
    "amendment_type": "string",
    "schema_version": "string",
}

UNITS = ("edgar", "dollars", "thousands", "median-price")


def _priceable(rows: pd.DataFrame) -> pd.Series:
    mask = (rows["shares"] > 0) & (rows["value"] > 0) & np.isfinite(rows["shares"]) & np.isfinite(rows["value"])
    mask &= rows["put_call"].isna()
    if "share_type" in rows:
        mask &= rows["share_type"].fillna("SH") == "SH"
    return mask.fillna(False).astype(bool)


def value_multipliers(rows: pd.DataFrame, filings: pd.DataFrame, unit: str = "edgar") -> pd.Series:
    """Per accession, the factor turning the filing's raw values into US dollars."""
    if unit not in UNITS:
        raise InputError(f"value unit {unit!r} is not one of {', '.join(UNITS)}")
    acc = filings["accession"]
    if unit in ("dollars", "thousands"):
        return pd.Series(1.0 if unit == "dollars" else 1000.0, index=pd.Index(acc))
    ok = rows[_priceable(rows)]
    implied = (ok["value"] / ok["shares"]).rename("price")
    grouped = implied.groupby(ok["accession"])
    if unit == "median-price":
        median = grouped.median().reindex(acc)
        k = np.clip(np.round(np.log10(50.0 / median) / 3.0), -2, 2).fillna(0.0)
        return pd.Series(np.power(1000.0, k.to_numpy()), index=pd.Index(acc))

    from edgar.thirteenf import units as u

    count = grouped.size().reindex(acc).fillna(0)
    frac = (implied < u._13F_IMPLIED_PRICE_THOUSANDS_THRESHOLD).groupby(ok["accession"]).mean().reindex(acc)
    lo, hi = u._13F_FRAC_DEAD_BAND
    by_price = (frac >= u._13F_FRAC_THOUSANDS) & ~((frac > lo) & (frac < hi)) & (count > 0)
    schema = filings.set_index("accession")["schema_version"].reindex(acc).fillna("").astype(str).str.strip()
    schema_dollars = schema.str.upper() >= u._13F_DOLLARS_SCHEMA_VERSION
    period = pd.to_datetime(filings.set_index("accession")["period"].reindex(acc))
    by_period = period.notna() & (period <= pd.Timestamp(u._13F_VALUE_IN_THOUSANDS_CUTOFF))
    fallback = np.where(schema != "", ~schema_dollars, by_period)
    thousands = by_price.fillna(False).to_numpy(bool) | (~by_price.fillna(False).to_numpy(bool) & fallback)
    return pd.Series(np.where(thousands, 1000.0, 1.0), index=pd.Index(acc))


def normalize(rows: pd.DataFrame, filings: pd.DataFrame, *, unit: str = "edgar",
              cusip_map: pd.Series | None = None) -> pd.DataFrame:
    """HOLDINGS rows for `rows` (raw layout, see `parsers.RAW_COLUMNS`) of the `filings` (`FILINGS`).

    One row per (accession, cusip, put_call), value in dollars, ticker from `cusip_map`
    (<NA> if unmapped or no map given). Rows whose accession has no filing raise `InputError`.
    """
    filings = filings.drop_duplicates("accession", keep="last")
    orphan = ~rows["accession"].isin(filings["accession"])
    if orphan.any():
        raise InputError(f"information-table rows for unknown filing {rows['accession'][orphan].iloc[0]!r}")
    notice = filings["form"].fillna("").str.upper().str.startswith("13F-NT")
    filings = filings[~notice]
    rows = rows[rows["accession"].isin(filings["accession"]) & rows["share_type"].fillna("SH").str.upper().ne("PRN")]
    mult = value_multipliers(rows, filings, unit)
    keyed = rows.assign(put_call=rows["put_call"].fillna(""))
    merged = (
        keyed.groupby(["accession", "cusip", "put_call"], sort=False, dropna=False)
        .agg(issuer=("issuer", "first"), value=("value", "sum"), shares=("shares", "sum"))
        .reset_index()
    )
    merged["put_call"] = merged["put_call"].replace("", pd.NA)
    merged["value_usd"] = merged["value"] * merged["accession"].map(mult).astype("float64")
    out = merged.merge(filings.drop(columns=["schema_version"], errors="ignore"), on="accession", how="left")
    if cusip_map is not None:
        out["ticker"] = out["cusip"].map(cusip_map)
    else:
        out["ticker"] = pd.NA
    return conform(out, HOLDINGS, "13F holdings")
