"""Unreadable or hostile input files: one line naming the file, exit status 2, never a traceback."""

from __future__ import annotations

import datetime as dt
import gzip
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01"
HOLDINGS = (b"cik,filer_name,period,filed,accession,form,amendment_type,cusip,ticker,issuer,value_usd,shares,"
            b"put_call\n1,F,2023-12-31,2024-02-01,a,13F-HR,,037833100,AAPL,APPLE,10,1,\n")


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


GOOD_PARQUET = _parquet(pa.table({"ticker": ["A", "A"], "date": ["2024-01-02", "2024-01-03"], "close": [1.0, 2.0]}))
LONG_GZ = gzip.compress(b"ticker,date,close\n" + b"AAA,2024-01-02,1\n" * 5000)

BAD_FILES = {
    "png.csv": PNG,
    "png.parquet": PNG,
    "fake.parquet": b"PAR1 this is not parquet",
    "truncated.parquet": GOOD_PARQUET[: len(GOOD_PARQUET) // 2],
    "truncated.csv.gz": LONG_GZ[: len(LONG_GZ) // 2],
    "dupwide.csv": b"date,AAA,AAA\n2024-01-02,1,2\n",
    "old.csv": b"ticker,date,close\nAAA,1500-01-02,1\n",
    "future.csv": b"ticker,date,close\nAAA,9999-01-02,1\n",
    "old.parquet": _parquet(pa.table({"ticker": ["A"], "date": pa.array([dt.date(1500, 1, 2)], pa.date32()),
                                      "close": [1.0]})),
    "latin1.csv": b"ticker,date,close\nAAA,2024-01-02,1\nCAF\xc9,2024-01-02,1\n",
    "latin1head.csv": b"ticker,d\xe4te,close\nAAA,2024-01-02,1\n",
    "empty.csv": b"",
}


def _one_error_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.strip()]
    assert "Traceback" not in out and "internal error" not in out, out
    assert len(lines) == 1 and lines[0].startswith("error: "), out
    return lines[0]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_price_files(tmp_path, call, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    code, out = call("data", "prices", "import", str(path), "--store", str(tmp_path / "s"))
    assert code == 2 and name in _one_error_line(out)
    assert not (tmp_path / "s" / "prices").exists()  # nothing stored


@pytest.mark.parametrize("name", ["png.csv", "fake.parquet", "truncated.csv.gz", "latin1.csv", "empty.csv"])
def test_bad_shares_files(tmp_path, call, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    code, out = call("data", "shares", "import", str(path), "--as-of", "2024-01-02", "--store", str(tmp_path / "s"))
    assert code == 2 and name in _one_error_line(out)


@pytest.mark.parametrize("name", ["png.csv", "fake.parquet", "truncated.parquet", "latin1.csv", "empty.csv"])
def test_bad_13f_tables(tmp_path, call, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    code, out = call("data", "13f", "import", str(path), "--store", str(tmp_path / "s"))
    assert code == 2 and name in _one_error_line(out)


@pytest.mark.parametrize("name", ["png.csv", "empty.csv", "truncated.csv.gz", "latin1.csv"])
def test_bad_cusip_maps(tmp_path, call, name):
    table = tmp_path / "h.csv"
    table.write_bytes(HOLDINGS)
    cmap = tmp_path / name
    cmap.write_bytes(BAD_FILES[name])
    code, out = call("data", "13f", "import", str(table), "--cusip-map", str(cmap), "--store", str(tmp_path / "s"))
    assert code == 2 and name in _one_error_line(out)


def test_a_13f_error_is_one_line_even_with_newlines_in_the_row(tmp_path, call):
    table = tmp_path / "h.csv"
    table.write_bytes(HOLDINGS.replace(b"APPLE,10", b'"APPLE\nINC",ten'))
    code, out = call("data", "13f", "import", str(table), "--store", str(tmp_path / "s"))
    assert code == 2 and "h.csv row 2: non-numeric value" in _one_error_line(out)


def test_the_good_parquet_imports(tmp_path, call):
    path = tmp_path / "good.parquet"
    path.write_bytes(GOOD_PARQUET)
    code, out = call("data", "prices", "import", str(path), "--store", str(tmp_path / "s"))
    assert code == 0 and "2 rows" in " ".join(out.split())
