"""SEC Form 13F data sets (the quarterly zip of SUBMISSION, COVERPAGE and INFOTABLE TSVs).

The zip is read in one streaming pass: INFOTABLE.tsv is decoded in Arrow record batches
straight from the archive (nothing is extracted to disk), each batch checked and reduced
to the raw-row columns. Filing facts come from SUBMISSION.tsv (CIK, filing date, form,
period) and COVERPAGE.tsv (manager name, amendment type, report type). Dates may be SEC's
``31-DEC-2023`` style or ISO. The data sets carry no schema version, so the value unit is
decided per filing by the price evidence, then by the period (edgartools' rule).
Rows with a malformed CUSIP are skipped and counted (real filers write a few); a missing
column or a non-numeric VALUE/SSHPRNAMT raises `InputError` naming the member and line.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from hedgeclone.data.thirteenf.normalize import FILINGS, normalize
from hedgeclone.data.thirteenf.parsers import CUSIP_RE, RAW_COLUMNS
from hedgeclone.errors import InputError

__all__ = ["read_bulk_zip", "SUBMISSION_COLUMNS", "COVERPAGE_COLUMNS", "INFOTABLE_COLUMNS"]

SUBMISSION_COLUMNS = ("ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT")
COVERPAGE_COLUMNS = ("ACCESSION_NUMBER", "ISAMENDMENT", "AMENDMENTTYPE", "FILINGMANAGER_NAME", "REPORTTYPE")
INFOTABLE_COLUMNS = ("ACCESSION_NUMBER", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "VALUE", "SSHPRNAMT",
                     "SSHPRNAMTTYPE", "PUTCALL", "OTHERMANAGER")


def _member(zf: zipfile.ZipFile, name: str, source: str) -> str:
    for info in zf.namelist():
        if info.rsplit("/", 1)[-1].upper() == name:
            return info
    raise InputError(f"{source}: no {name} in the archive (an SEC Form 13F data set has one)")


def _batches(zf: zipfile.ZipFile, member: str, columns: tuple[str, ...], source: str):
    where = f"{source}:{member}"
    try:
        fh = zf.open(member)
        reader = pacsv.open_csv(
            fh, read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(columns), column_types={c: pa.string() for c in columns}),
        )
    except (pa.ArrowInvalid, KeyError) as exc:
        raise InputError(f"{where}: cannot read as TSV with columns {', '.join(columns)} ({exc})") from exc
    line = 2
    with fh:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, zipfile.BadZipFile, EOFError) as exc:
                raise InputError(f"{where} after line {line}: malformed or truncated TSV ({exc})") from exc
            frame = batch.to_pandas()
            yield frame, line, where
            line += len(frame)


def _table(zf: zipfile.ZipFile, name: str, columns: tuple[str, ...], source: str) -> pd.DataFrame:
    parts = [f for f, _, _ in _batches(zf, _member(zf, name, source), columns, source)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns))


def _dates(values: pd.Series, what: str, where: str) -> pd.Series:
    out = pd.to_datetime(values, format="%d-%b-%Y", errors="coerce")
    retry = out.isna() & values.notna()
    if retry.any():
        out[retry] = pd.to_datetime(values[retry], format="ISO8601", errors="coerce")
    bad = out.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"{where} line {pos + 2}: {what} {values.iloc[pos]!r} is not a date")
    return out


def _rows(frame: pd.DataFrame, line: int, where: str, skipped: Counter) -> pd.DataFrame:
    cusip = frame["CUSIP"].fillna("").str.strip().str.upper()
    ok = cusip.str.fullmatch(CUSIP_RE.pattern)
    if not ok.all():
        skipped["malformed CUSIP"] += int((~ok).sum())
    nums = {}
    for col in ("VALUE", "SSHPRNAMT"):
        nums[col] = pd.to_numeric(frame[col], errors="coerce")
        bad = nums[col].isna() & ok
        if bad.any():
            pos = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(f"{where} line {line + pos}: {col} {frame[col].iloc[pos]!r} is not a number")
    put_call = frame["PUTCALL"].str.strip().str.upper().replace("", None)
    bad = put_call.notna() & ~put_call.isin(["PUT", "CALL"]) & ok
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"{where} line {line + pos}: PUTCALL {frame['PUTCALL'].iloc[pos]!r} is neither Put nor Call")
    rows = pd.DataFrame({
        "accession": frame["ACCESSION_NUMBER"], "issuer": frame["NAMEOFISSUER"], "title": frame["TITLEOFCLASS"],
        "cusip": cusip, "value": nums["VALUE"], "shares": nums["SSHPRNAMT"],
        "share_type": frame["SSHPRNAMTTYPE"].str.upper(), "put_call": put_call,
        "other_manager": frame["OTHERMANAGER"],
    })
    return rows[ok.to_numpy()]


def read_bulk_zip(path: str | Path, *, cusip_map: pd.Series | None = None) -> tuple[pd.DataFrame, Counter]:
    """HOLDINGS of every 13F filing in an SEC Form 13F data-set zip, and rows skipped by reason."""
    source = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{source}: not a readable zip archive ({exc})") from exc
    skipped: Counter = Counter()
    with zf:
        sub = _table(zf, "SUBMISSION.TSV", SUBMISSION_COLUMNS, source)
        cover = _table(zf, "COVERPAGE.TSV", COVERPAGE_COLUMNS, source)
        member = _member(zf, "INFOTABLE.TSV", source)
        parts = [_rows(f, line, where, skipped) for f, line, where in _batches(zf, member, INFOTABLE_COLUMNS, source)]
    where = f"{source}:SUBMISSION.tsv"
    cik = pd.to_numeric(sub["CIK"], errors="coerce")
    if cik.isna().any():
        pos = int(cik.isna().to_numpy().nonzero()[0][0])
        raise InputError(f"{where} line {pos + 2}: CIK {sub['CIK'].iloc[pos]!r} is not a number")
    meta = pd.DataFrame({
        "accession": sub["ACCESSION_NUMBER"], "cik": cik, "filed": _dates(sub["FILING_DATE"], "FILING_DATE", where),
        "period": _dates(sub["PERIODOFREPORT"], "PERIODOFREPORT", where), "form": sub["SUBMISSIONTYPE"].str.upper(),
    })
    cover = cover.drop_duplicates("ACCESSION_NUMBER").set_index("ACCESSION_NUMBER")
    amend = cover["AMENDMENTTYPE"].str.strip().str.upper().replace("", None)
    meta["amendment_type"] = meta["accession"].map(amend)
    meta["filer_name"] = meta["accession"].map(cover["FILINGMANAGER_NAME"]).fillna(meta["cik"].astype(str))
    meta["schema_version"] = None
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(RAW_COLUMNS))
    rows = rows.astype(RAW_COLUMNS)
    orphan = ~rows["accession"].isin(meta["accession"])
    if orphan.any():
        skipped["row of a filing not in SUBMISSION.tsv"] += int(orphan.sum())
        rows = rows[~orphan.to_numpy()]
    return normalize(rows, meta.astype(FILINGS), cusip_map=cusip_map), skipped
