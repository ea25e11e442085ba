"""Pure parsers: a price file's bytes (or path) -> a long DataFrame, no store and no side effects.

Three layouts are recognised from the header alone:

- **long**: a ``ticker``/``symbol`` column, a ``date`` column and field columns;
- **single series**: a ``Date`` column and price columns only (``Date,Close`` as Yahoo writes
  them, or ``Date,Open,High,Low,Close,Adj Close,Volume``); the ticker comes from the caller
  (``--ticker``) or from the file name (``SPY.csv`` -> SPY, ``DUOT_adjclose.csv`` -> DUOT);
- **wide**: a ``date`` column and one column per ticker holding one field (``close`` unless told).

Column names map to the fields of `data.schemas.PRICE_FIELDS`: ``adj_close``/``Adj Close`` ->
``close`` (total return); ``close`` -> ``raw_close`` when an adjusted column is also present,
else to the caller's `field` (default ``close``, as yfinance's auto-adjusted files);
``volume``; ``open``. Other columns (high, low, dividends) are ignored.

CSV (optionally gzip, detected by magic bytes) and Parquet are accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hedgeclone.data.schemas import PRICE_FIELDS, as_dates
from hedgeclone.errors import InputError

__all__ = ["parse_price_file", "read_table_any", "ticker_from_filename", "detect_columns"]

_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_BINARY_MAGIC = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"BZh", b"\xfd7zXZ")
_TICKER_NAMES = {"ticker", "symbol", "tic", "permno"}
_DATE_NAMES = {"date", "datetime", "timestamp", "time", "day"}
_ADJ_NAMES = {"adjclose", "adjustedclose", "adjcloseprice", "totalreturnclose"}
_IGNORED = {"high", "low", "dividends", "stocksplits", "capitalgains", "tradecount", "vwap", "trade_count"}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def ticker_from_filename(name: str) -> str:
    """The ticker a single-series file names: stem up to the first ``_`` (``DUOT_adjclose.csv`` -> DUOT)."""
    stem = Path(name).name
    for suffix in (".gz", ".csv", ".parquet", ".pq", ".txt"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem.split("_")[0].upper()


def read_table_any(source: bytes | str | Path, name: str, string_columns: tuple[str, ...] = ()) -> pa.Table:
    """Read CSV, gzip CSV or Parquet from bytes or a path into an Arrow table; `name` is used in errors."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            with open(path, "rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            raise InputError(f"{name}: cannot read file ({exc.strerror})") from exc
        if head == _PARQUET_MAGIC:
            return _read_parquet(path, name)
        stream_factory = lambda: pa.input_stream(str(path), compression="gzip" if head[:2] == _GZIP_MAGIC else None)  # noqa: E731
    else:
        head = bytes(source[:4])
        if head == _PARQUET_MAGIC:
            return _read_parquet(pa.BufferReader(source), name)
        buf = source
        stream_factory = lambda: pa.CompressedInputStream(pa.BufferReader(buf), "gzip") if head[:2] == _GZIP_MAGIC else pa.BufferReader(buf)  # noqa: E731
    try:
        with stream_factory() as stream:
            start = stream.read(1 << 16)
    except (OSError, EOFError) as exc:
        raise InputError(f"{name}: cannot read file ({exc})") from exc
    if b"\0" in start[:4096] or any(start.startswith(m) for m in _BINARY_MAGIC):
        raise InputError(f"{name}: not a CSV or Parquet file (binary content)")
    lines = start.splitlines()
    try:
        header = [lines[0].decode("utf-8-sig")] if lines else []
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: line 1 is not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    if not header or not header[0].strip():
        raise InputError(f"{name}: empty file (no header row)")
    columns = [c.strip().strip('"') for c in header[0].split(",")]
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        raise InputError(f"{name}: line 1: column {dup[0]!r} appears more than once")
    # Dates as text: Arrow would turn "...T23:30:00-05:00" into a UTC instant and lose its own date.
    column_types = {c: pa.string() for c in columns
                    if _key(c) in _TICKER_NAMES or _key(c) in _DATE_NAMES or c in string_columns}
    try:
        with stream_factory() as stream:
            return pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(column_types=column_types),
            )
    except (pa.ArrowInvalid, OSError, EOFError, UnicodeDecodeError) as exc:
        detail = "truncated gzip" if isinstance(exc, EOFError) or "gzip" in str(exc).lower() else str(exc)
        raise InputError(f"{name}: not a readable CSV or Parquet file: {detail}") from exc


def _read_parquet(source, name: str) -> pa.Table:
    try:
        table = pq.read_table(source)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise InputError(f"{name}: not a readable Parquet file (truncated or corrupt: {exc})") from exc
    names = table.column_names
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise InputError(f"{name}: column {dup[0]!r} appears more than once")
    return table


def detect_columns(columns: list[str], field: str | None) -> tuple[str | None, str | None, dict[str, str]]:
    """(ticker column, date column, {source column: price field}) recognised in `columns`."""
    keys = {c: _key(c) for c in columns}
    ticker_col = next((c for c in columns if keys[c] in _TICKER_NAMES), None)
    date_col = next((c for c in columns if keys[c] in _DATE_NAMES), None)
    has_adj = any(k in _ADJ_NAMES for k in keys.values())
    fields: dict[str, str] = {}
    for col, k in keys.items():
        if k in _ADJ_NAMES:
            fields[col] = "close"
        elif k == "close":
            fields[col] = "raw_close" if has_adj else (field or "close")
        elif k in ("rawclose", "unadjustedclose"):
            fields[col] = "raw_close"
        elif k in ("volume", "vol"):
            fields[col] = "volume"
        elif k == "open":
            fields[col] = "open"
    return ticker_col, date_col, fields


def _to_dates(col: pa.ChunkedArray | pd.Series, name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Timezone-naive midnight datetime64[ns] dates (`schemas.as_dates`: each stamp in its own timezone)."""
    if isinstance(col, pa.ChunkedArray):
        if pa.types.is_date(col.type):
            try:
                return col.cast(pa.timestamp("ns")).to_numpy()
            except pa.ArrowInvalid:  # a date beyond datetime64[ns]: found and named below
                pass
            series = pd.Series(col.to_pandas(), dtype="object").map(lambda d: None if d is None else d.isoformat())
            return _to_dates(pd.Series(series, dtype="object"), name, rows)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            # parse each distinct text once (a long file repeats every date once per ticker)
            encoded = col.combine_chunks().dictionary_encode()
            uniq = pd.Series(encoded.dictionary.to_pandas(), dtype="object")
            idx = encoded.indices.fill_null(len(uniq)).to_numpy(zero_copy_only=False)
            try:
                parsed = np.append(as_dates(uniq).to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))[idx]
            except (OverflowError, pd.errors.OutOfBoundsDatetime, ValueError):
                parsed = None
            if parsed is not None and not np.isnat(parsed).any():
                return parsed
            series = pd.Series(np.append(uniq.to_numpy(), None)[idx], dtype="object")  # to name the bad row
        else:
            series = col.to_pandas() if pa.types.is_timestamp(col.type) else pd.Series(col.to_pandas(), dtype="object")
    else:
        series = col
    try:
        dates = as_dates(series)
    except (OverflowError, pd.errors.OutOfBoundsDatetime, ValueError):
        dates = pd.Series(pd.NaT, index=range(len(series)), dtype="datetime64[ns]")
    if dates.isna().any():
        bad = int(np.flatnonzero(dates.isna().to_numpy())[0])
        row = int(rows[bad]) if rows is not None else bad
        raw = series.iloc[bad]
        what = "missing date" if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "" \
            else f"date {str(raw)!r} cannot be read as a date (YYYY-MM-DD, years 1678 to 2261)"
        raise InputError(f"{name}: row {row + 2}: {what}")
    return dates.to_numpy(dtype="datetime64[ns]")


def _floats(col: pa.ChunkedArray, name: str, column: str) -> np.ndarray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        cleaned = pd.Series(col.to_pandas()).str.replace(r"[$,\s]", "", regex=True)
        values = pd.to_numeric(cleaned, errors="coerce")
        bad = values.isna() & cleaned.notna() & (cleaned != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{name}: row {i + 2}: column {column!r} value {cleaned.iloc[i]!r} is not a number")
        return values.to_numpy(dtype="float64")
    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan)
    return col.to_numpy(zero_copy_only=False).astype("float64", copy=False)


def parse_price_file(
    source: bytes | str | Path, *, name: str | None = None, ticker: str | None = None, field: str | None = None
) -> pd.DataFrame:
    """Parse a price file into a long frame ``ticker, date, <fields>``; raises `InputError` naming `name`.

    The frame's index is the 0-based data row of the file (row ``i`` is line ``i + 2``), so later
    validation can name the row at fault. ``ticker`` is categorical, ``date`` is datetime64[ns]
    (midnight, tz-naive), fields are float64. Only fields present in the file appear.
    """
    name = name or (str(source) if isinstance(source, (str, Path)) else "<bytes>")
    if field is not None and field not in PRICE_FIELDS:
        raise InputError(f"{name}: --field must be one of {', '.join(PRICE_FIELDS)}, not {field!r}")
    table = read_table_any(source, name)
    columns = table.column_names
    ticker_col, date_col, fields = detect_columns(columns, field)
    if date_col is None:
        raise InputError(f"{name}: no date column (expected one of: Date, date, datetime, timestamp)")
    if table.num_rows == 0:
        raise InputError(f"{name}: no data rows (empty price file)")
    other = [c for c in columns if c not in fields and c not in (ticker_col, date_col) and _key(c) not in _IGNORED]
    if ticker_col is not None:
        if ticker is not None:
            raise InputError(f"{name}: --ticker given but the file is long (it has a {ticker_col!r} column)")
        if not fields:
            raise InputError(f"{name}: no price column (expected close, adj_close, volume or open)")
        tick = table.column(ticker_col)
        if tick.null_count:
            bad = int(np.flatnonzero(pd.isna(tick.to_pandas()).to_numpy())[0])
            raise InputError(f"{name}: row {bad + 2}: empty ticker")
        out = pd.DataFrame({"ticker": tick.dictionary_encode().to_pandas()})
        out["ticker"] = out["ticker"].cat.rename_categories(lambda s: str(s).strip().upper())
        out["date"] = _to_dates(table.column(date_col), name)
        for col, fld in fields.items():
            out[fld] = _floats(table.column(col), name, col)
        return out
    if other and not fields:
        # wide: date x tickers of one field
        fld = field or "close"
        dates = _to_dates(table.column(date_col), name)
        n = table.num_rows
        parts = [_floats(table.column(c), name, c) for c in other]
        values = np.concatenate(parts)
        out = pd.DataFrame(
            {
                "ticker": pd.Categorical.from_codes(np.repeat(np.arange(len(other)), n), [str(c).strip().upper() for c in other]),
                "date": np.tile(dates, len(other)),
                fld: values,
            },
            index=np.tile(np.arange(n), len(other)),
        )
        return out.loc[~np.isnan(values)]
    if other:
        raise InputError(f"{name}: cannot tell the layout: unrecognised column(s) {', '.join(map(str, other[:5]))} beside price columns")
    if not fields:
        raise InputError(f"{name}: no price column (expected Close, Adj Close, Volume or Open)")
    tick_name = (ticker or ticker_from_filename(name)).strip().upper()
    out = pd.DataFrame({"ticker": pd.Categorical([tick_name] * table.num_rows)})
    out["date"] = _to_dates(table.column(date_col), name)
    for col, fld in fields.items():
        out[fld] = _floats(table.column(col), name, col)
    return out

