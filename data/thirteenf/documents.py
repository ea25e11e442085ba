"""Local 13F-HR documents -> HOLDINGS: an information table with its cover page, or a whole
submission (full-submission ``.txt`` or an edgartools local-storage ``.nc``).

Submissions are opened with edgartools (`Filing.from_sgml`, offline) and read through its
`ThirteenF` model: form, filing date, CIK and the two XML documents come from edgartools;
the rows then go through hedgeclone's strict parsers and normalisation, so every source
applies the same rules. A bare XML pair has no filing date: the cover page's signature date
stands in for it (pass ``filed`` when the acceptance date is known).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from hedgeclone.data.thirteenf.normalize import FILINGS, normalize
from hedgeclone.data.thirteenf.parsers import RAW_COLUMNS, Cover, parse_cover_xml, parse_infotable_xml
from hedgeclone.errors import InputError

__all__ = ["holdings_from_xml", "holdings_from_submission", "holdings_from_filing"]


def _filings_row(cover: Cover, accession: str, filed: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame([{
        "accession": accession, "cik": cover.cik, "filer_name": cover.filer_name, "period": cover.period,
        "filed": filed, "form": cover.form, "amendment_type": cover.amendment_type,
        "schema_version": cover.schema_version,
    }]).astype(FILINGS)


def holdings_from_xml(infotable: bytes | None, cover_xml: bytes, *, source: str,
                      filed: object = None, accession: str | None = None,
                      cusip_map: pd.Series | None = None) -> pd.DataFrame:
    """HOLDINGS of one filing given its information table (None for a 13F-NT) and cover page."""
    cover = parse_cover_xml(cover_xml, source=source)
    when = pd.Timestamp(filed) if filed is not None else cover.signature_date
    if when is None:
        raise InputError(f"{source}: no filing date (the cover page has no signatureDate); pass filed=")
    acc = accession or "LOCAL-" + hashlib.sha256(cover_xml + (infotable or b"")).hexdigest()[:20]
    if infotable is None:
        if not cover.holds_nothing:
            raise InputError(f"{source}: a {cover.report_type or cover.form} needs its information table")
        rows = pd.DataFrame(columns=list(RAW_COLUMNS)).astype(RAW_COLUMNS)
    else:
        rows = parse_infotable_xml(infotable, accession=acc, source=source)
    return normalize(rows, _filings_row(cover, acc, when), cusip_map=cusip_map)


def holdings_from_submission(path: str | Path, *, cusip_map: pd.Series | None = None) -> pd.DataFrame:
    """HOLDINGS of a saved submission (.txt SGML or edgartools .nc), read offline by edgartools."""
    from edgar import Filing

    source = str(path)
    try:
        filing = Filing.from_sgml(Path(path))
    except Exception as exc:  # edgartools raises assorted errors on broken SGML
        raise InputError(f"{source}: not a readable SEC submission ({type(exc).__name__}: {exc})") from exc
    return holdings_from_filing(filing, source=source, cusip_map=cusip_map)


def holdings_from_filing(filing: object, *, source: str, cusip_map: pd.Series | None = None) -> pd.DataFrame:
    """HOLDINGS of an edgartools `Filing` (13F-HR, 13F-HR/A or 13F-NT), read via its `ThirteenF`."""
    from edgar.thirteenf import THIRTEENF_FORMS, ThirteenF

    if filing.form not in THIRTEENF_FORMS:
        raise InputError(f"{source}: form {filing.form} is not a 13F form")
    primary = filing.xml()
    if not primary:
        raise InputError(f"{source}: submission has no XML primary document (pre-2013 text filings unsupported)")
    thirteen_f = ThirteenF(filing)
    infotable = thirteen_f.infotable_xml if thirteen_f.has_infotable() else None
    if thirteen_f.has_infotable() and not infotable:
        raise InputError(f"{source}: {filing.form} submission has no XML information table")
    return holdings_from_xml(
        infotable.encode("utf-8") if infotable else None, primary.encode("utf-8"), source=source,
        filed=pd.Timestamp(filing.filing_date), accession=str(filing.accession_no), cusip_map=cusip_map,
    )
