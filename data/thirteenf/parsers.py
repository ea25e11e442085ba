"""Pure parsers: bytes or text of one 13F document in, plain rows out; no I/O, no store.

Two layouts leave this module, both documented in `normalize`:

- *raw rows* (`RAW_COLUMNS`): one row per information-table line, values in the filing's own
  unit, keyed by ``accession``;
- *filing facts* (`Cover`): what the cover page (primary document) says about a filing.

The information-table parser is strict where edgartools' is lenient (edgartools recovers from
broken XML and reads a non-numeric value as 0): a malformed document raises `InputError`
naming the source and the line. The cover page goes through edgartools'
`parse_primary_document_xml`; the value unit is decided later by edgartools' own rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from lxml import etree

from hedgeclone.errors import InputError

__all__ = ["RAW_COLUMNS", "Cover", "parse_infotable_xml", "parse_cover_xml", "check_cusip", "CUSIP_RE"]

# Raw information-table rows, before any normalisation.
RAW_COLUMNS: dict[str, str] = {
    "accession": "string",
    "issuer": "string",
    "title": "string",
    "cusip": "string",
    "value": "float64",  # the filing's own unit (thousands or dollars)
    "shares": "float64",
    "share_type": "string",  # SH or PRN
    "put_call": "string",  # <NA>, PUT or CALL
    "other_manager": "string",
}

CUSIP_RE = re.compile(r"^[0-9A-Z]{9}$")


@dataclass(frozen=True)
class Cover:
    """Facts of one filing from its cover page (or a submission header)."""

    cik: int
    filer_name: str
    period: pd.Timestamp
    form: str  # 13F-HR, 13F-HR/A, 13F-NT, ...
    amendment_type: str | None  # None, RESTATEMENT or NEW HOLDINGS
    report_type: str  # 13F HOLDINGS REPORT, 13F COMBINATION REPORT, 13F NOTICE
    schema_version: str | None
    signature_date: pd.Timestamp | None
    entry_total: int | None
    value_total: float | None

    @property
    def holds_nothing(self) -> bool:
        """True for a 13F notice (13F-NT): its holdings are reported by another manager."""
        return self.form.startswith("13F-NT") or "NOTICE" in self.report_type.upper()


def check_cusip(value: str, where: str) -> str:
    """The CUSIP upper-cased (and left-padded with zeros if it lost them); `InputError` if malformed."""
    cusip = value.strip().upper()
    if cusip.isdigit() and 6 <= len(cusip) < 9:
        cusip = cusip.zfill(9)
    if not CUSIP_RE.match(cusip):
        raise InputError(f"{where}: malformed CUSIP {value!r} (expected 9 letters or digits)")
    return cusip


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_root(text: str | bytes, source: str) -> etree._Element:
    payload = text.encode("utf-8") if isinstance(text, str) else text
    try:
        return etree.fromstring(payload.strip(), parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source}: malformed or truncated XML at line {exc.lineno}: {exc.msg}") from exc


def _children(elem: etree._Element) -> dict[str, etree._Element]:
    return {_local(c.tag): c for c in elem if isinstance(c.tag, str)}


def _number(text: str | None, what: str, where: str) -> float:
    raw = (text or "").strip().replace(",", "")
    try:
        return float(raw)
    except ValueError:
        raise InputError(f"{where}: {what} {text!r} is not a number") from None


def parse_infotable_xml(text: str | bytes, *, accession: str = "", source: str = "<infotable>") -> pd.DataFrame:
    """Every ``infoTable`` line of an information-table XML as `RAW_COLUMNS` rows, in file order.

    Namespaces (default or ``ns1:``-style prefixes) are ignored. Raises `InputError` naming
    `source` and the XML line for malformed XML, a missing or non-numeric value or share
    amount, or a malformed CUSIP. Values stay in the filing's unit.
    """
    root = _xml_root(text, source)
    if _local(root.tag) != "informationTable":
        raise InputError(f"{source}: not a 13F information table (root element <{_local(root.tag)}>)")
    rows: list[tuple] = []
    for info in root.iter("{*}infoTable", "infoTable"):
        where = f"{source} line {info.sourceline}"
        kids = _children(info)
        amount = _children(kids["shrsOrPrnAmt"]) if "shrsOrPrnAmt" in kids else {}
        if "value" not in kids or "sshPrnamt" not in amount:
            raise InputError(f"{where}: infoTable without <value> or <shrsOrPrnAmt><sshPrnamt>")

        def text_of(d: dict[str, etree._Element], name: str) -> str:
            node = d.get(name)
            return (node.text or "").strip() if node is not None else ""

        put_call = text_of(kids, "putCall").upper() or None
        if put_call not in (None, "PUT", "CALL"):
            raise InputError(f"{where}: putCall {put_call!r} is neither Put nor Call")
        rows.append((
            accession,
            text_of(kids, "nameOfIssuer"),
            text_of(kids, "titleOfClass"),
            check_cusip(text_of(kids, "cusip"), where),
            _number(kids["value"].text, "value", where),
            _number(amount["sshPrnamt"].text, "sshPrnamt", where),
            text_of(amount, "sshPrnamtType").upper() or "SH",
            put_call,
            text_of(kids, "otherManager") or None,
        ))
    frame = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    return frame.astype(RAW_COLUMNS)


def _date(text: str | None, what: str, source: str) -> pd.Timestamp | None:
    if not text or not text.strip():
        return None
    for fmt in ("%m-%d-%Y", "%Y-%m-%d", "%Y%m%d", "%d-%b-%Y"):
        try:
            return pd.Timestamp(pd.to_datetime(text.strip(), format=fmt))
        except ValueError:
            continue
    raise InputError(f"{source}: {what} {text!r} is not a date")


def parse_cover_xml(text: str | bytes, *, source: str = "<primary_doc>") -> Cover:
    """The cover page of a 13F primary document (``edgarSubmission``) as a `Cover`.

    Parsed by edgartools' `parse_primary_document_xml`; the CIK, form and schema version,
    which edgartools does not return, are read from the same document. `InputError` names
    `source` when the document is malformed or lacks a required element.
    """
    from edgar.thirteenf.parsers.primary_xml import parse_primary_document_xml

    root = _xml_root(text, source)
    if _local(root.tag) != "edgarSubmission":
        raise InputError(f"{source}: not a 13F primary document (root element <{_local(root.tag)}>)")
    xml = text.decode("utf-8") if isinstance(text, bytes) else text
    try:
        doc = parse_primary_document_xml(xml)
    except ValueError as exc:  # edgartools' ValidationError is a ValueError
        raise InputError(f"{source}: {exc}") from exc
    found: dict[str, str] = {}  # first occurrence wins: the filer's <cik> precedes other managers'
    for elem in root.iter():
        if isinstance(elem.tag, str):
            found.setdefault(_local(elem.tag), (elem.text or "").strip())
    cik_text = found.get("cik", "")
    if not cik_text.isdigit():
        raise InputError(f"{source}: filer <cik> missing or not a number ({cik_text!r})")
    cover = doc.cover_page
    form = found.get("submissionType") or ("13F-HR/A" if cover.is_amendment else "13F-HR")
    amendment = cover.amendment_info.amendment_type if cover.amendment_info else None
    summary = doc.summary_page
    return Cover(
        cik=int(cik_text),
        filer_name=cover.filing_manager.name,
        period=pd.Timestamp(doc.report_period),
        form=form.strip().upper(),
        amendment_type=amendment.strip().upper() if amendment else None,
        report_type=(cover.report_type or "").strip().upper(),
        schema_version=found.get("schemaVersion") or None,
        signature_date=_date(doc.signature.date if doc.signature else None, "signatureDate", source),
        entry_total=int(summary.total_holdings) if summary and summary.total_holdings else None,
        value_total=float(summary.total_value) if summary and summary.total_value else None,
    )
