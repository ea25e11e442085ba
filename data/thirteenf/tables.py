"""Holdings tables someone already has (CSV/Parquet), read through a column mapping.

A mapping is a TOML file (shipped ones live in ``mappings/``: ``superinvestoren``,
``hedgeclone``) with a ``[columns]`` table (field = source column; fields: cik, filer_name,
period, filed, accession, form, amendment_type, cusip, ticker, issuer, title, value, shares,
put_call) and a ``[rules]`` table: ``value_unit`` (see `normalize.UNITS`), ``keep_forms``
(rows of other forms, e.g. NPORT-P, are left out and counted), ``default_form`` (for blank
forms), and what to do with a missing CIK, an invalid CUSIP or a missing accession
(``error``, ``skip`` — counted — or, for accessions, ``synthesize``).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import as_dates
from hedgeclone.data.thirteenf.normalize import FILINGS, UNITS, normalize
from hedgeclone.data.thirteenf.parsers import CUSIP_RE, RAW_COLUMNS
from hedgeclone.errors import InputError

__all__ = ["TableMapping", "load_mapping", "shipped_mappings", "table_to_holdings"]

REQUIRED = ("cik", "period", "filed", "cusip", "value", "shares")
OPTIONAL = ("filer_name", "accession", "form", "amendment_type", "ticker", "issuer", "title", "put_call")


@dataclass(frozen=True)
class TableMapping:
    """How the columns of a holdings table map to hedgeclone fields, and the cleaning rules."""

    name: str
    columns: dict[str, str]
    value_unit: str = "edgar"
    keep_forms: tuple[str, ...] = ("13F-HR", "13F-HR/A", "13F-NT", "13F-NT/A")
    default_form: str = "13F-HR"
    missing_cik: str = "error"
    invalid_cusip: str = "error"
    missing_accession: str = "error"
    description: str = field(default="", compare=False)


_RULE_CHOICES: dict[str, tuple[str, ...]] = {
    "value_unit": UNITS, "missing_cik": ("error", "skip"), "invalid_cusip": ("error", "skip"),
    "missing_accession": ("error", "skip", "synthesize"),
}
AMENDMENT_TYPES = ("RESTATEMENT", "NEW HOLDINGS")


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped with hedgeclone."""
    folder = resources.files("hedgeclone.data.thirteenf") / "mappings"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_mapping(name_or_file: str | Path) -> TableMapping:
    """A shipped mapping by name, or a mapping TOML file; `InputError` if unknown or invalid."""
    path = Path(name_or_file)
    if path.suffix == ".toml" and path.exists():
        text, where = path.read_text(), str(path)
    elif str(name_or_file) in shipped_mappings():
        res = resources.files("hedgeclone.data.thirteenf") / "mappings" / f"{name_or_file}.toml"
        text, where = res.read_text(), f"mapping {name_or_file!r}"
    else:
        raise InputError(f"unknown 13F mapping {str(name_or_file)!r}: give a .toml file or one of "
                         f"{', '.join(shipped_mappings())}")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: invalid TOML ({exc})") from exc
    columns = dict(doc.get("columns", {}))
    missing = [f for f in REQUIRED if f not in columns]
    unknown = [f for f in columns if f not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise InputError(f"{where}: [columns] missing {missing or 'nothing'}, unknown {unknown or 'nothing'}")
    rules = doc.get("rules", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) and v for v in columns.values()):
        raise InputError(f"{where}: [columns] values must be column names (text)")
    if not isinstance(rules, dict):
        raise InputError(f"{where}: [rules] must be a table")
    for key, allowed in _RULE_CHOICES.items():
        if key in rules and rules[key] not in allowed:
            raise InputError(f"{where}: rules.{key} = {rules[key]!r} must be one of {', '.join(map(repr, allowed))}")
    if "default_form" in rules and not isinstance(rules["default_form"], str):
        raise InputError(f"{where}: rules.default_form = {rules['default_form']!r} must be text")
    forms = rules.get("keep_forms", [])
    if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
        raise InputError(f"{where}: rules.keep_forms = {forms!r} must be a list of form names")
    unknown_rules = sorted(set(rules) - {*_RULE_CHOICES, "default_form", "keep_forms"})
    if unknown_rules:
        raise InputError(f"{where}: unknown rule rules.{unknown_rules[0]} (known: {', '.join(_RULE_CHOICES)}, "
                         "default_form, keep_forms)")
    mapping = TableMapping(
        name=str(doc.get("name", path.stem)), columns=columns, description=str(doc.get("description", "")),
        value_unit=rules.get("value_unit", "edgar"),
        keep_forms=tuple(rules.get("keep_forms", TableMapping.keep_forms)),
        default_form=rules.get("default_form", "13F-HR"),
        missing_cik=rules.get("missing_cik", "error"), invalid_cusip=rules.get("invalid_cusip", "error"),
        missing_accession=rules.get("missing_accession", "error"),
    )
    if mapping.value_unit not in UNITS:
        raise InputError(f"{where}: value_unit {mapping.value_unit!r} is not one of {', '.join(UNITS)}")
    return mapping


def _fail(source: str, frame: pd.DataFrame, mask: pd.Series, what: str, line_offset: int) -> None:
    pos = int(np.flatnonzero(mask.to_numpy())[0])
    row = ", ".join(f"{k}={v}" for k, v in frame.iloc[pos].items() if not (v is pd.NA or v == ""))
    message = f"{source} row {pos + line_offset}: {what} {row}".replace("\n", " ")  # one line, even for odd text
    raise InputError(message if len(message) <= 400 else message[:397] + "...")


def _text(frame: pd.DataFrame, col: str | None) -> pd.Series:
    if col is None:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[col].astype("string").str.strip().replace("", pd.NA)


def table_to_holdings(frame: pd.DataFrame, mapping: TableMapping, *, source: str,
                      cusip_map: pd.Series | None = None, line_offset: int = 2,
                      ) -> tuple[pd.DataFrame, Counter]:
    """HOLDINGS rows from a table read as strings, and counts of rows left out by reason.

    `line_offset` turns a 0-based row position into the line number errors show (2 for a CSV
    with a header). Bad values raise `InputError` naming `source` and the row.
    """
    cols = mapping.columns
    absent = [c for c in cols.values() if c not in frame.columns]
    if absent:
        raise InputError(f"{source}: missing column(s) {', '.join(absent)} (mapping {mapping.name!r})")
    skipped: Counter = Counter()
    get = {f: _text(frame, cols.get(f)) for f in REQUIRED + OPTIONAL}
    form = get["form"].fillna(mapping.default_form).str.upper()
    keep = form.isin(list(mapping.keep_forms))
    for name, n in form[~keep].value_counts().items():
        skipped[f"form {name}"] += int(n)
    cik_text = get["cik"]
    no_cik = keep & cik_text.isna()
    bad_cik = keep & cik_text.notna() & ~cik_text.str.fullmatch(r"0*[1-9]\d{0,9}(\.0*)?").fillna(False).astype(bool)
    if bad_cik.any():  # fractional, negative, zero or longer than SEC's 10 digits (would wrap in int64)
        _fail(source, frame, bad_cik, "CIK is not a positive whole number of at most 10 digits in", line_offset)
    cik = pd.to_numeric(cik_text.str.replace(r"\.0*$", "", regex=True), errors="coerce")
    if no_cik.any():
        if mapping.missing_cik != "skip":
            _fail(source, frame, no_cik, "missing or non-numeric CIK in", line_offset)
        skipped["missing CIK"] += int(no_cik.sum())
        keep &= ~no_cik
    cusip = get["cusip"].str.upper()
    digits = cusip.str.fullmatch(r"\d{6,8}").fillna(False).astype(bool)
    cusip = cusip.where(~digits, cusip.str.zfill(9))
    bad_cusip = keep & ~cusip.str.fullmatch(CUSIP_RE.pattern).fillna(False).astype(bool)
    if bad_cusip.any():
        if mapping.invalid_cusip != "skip":
            _fail(source, frame, bad_cusip, "malformed CUSIP in", line_offset)
        skipped["malformed CUSIP"] += int(bad_cusip.sum())
        keep &= ~bad_cusip
    numbers = {}
    for f in ("value", "shares"):
        numbers[f] = pd.to_numeric(get[f].str.replace(",", "", regex=False), errors="coerce")
        bad = keep & numbers[f].isna()
        if bad.any():
            _fail(source, frame, bad, f"non-numeric {f} in", line_offset)
        bad = keep & ~(np.isfinite(numbers[f]) & (numbers[f] >= 0)).fillna(False).astype(bool)
        if bad.any():
            _fail(source, frame, bad, f"negative or infinite {f} in", line_offset)
    dates = {}
    for f in ("period", "filed"):
        dates[f] = as_dates(get[f])  # each stamp's date in its own timezone
        bad = keep & dates[f].isna()
        if bad.any():
            _fail(source, frame, bad, f"missing or invalid {f} date in", line_offset)
    early = keep & (dates["filed"] < dates["period"]).fillna(False).astype(bool)
    if early.any():  # a holding cannot be public before its quarter ends: it would be seen too early
        _fail(source, frame, early, "filed date before the period of report in", line_offset)
    amendment = get["amendment_type"].str.upper()
    bad_amend = keep & amendment.notna() & ~amendment.isin(list(AMENDMENT_TYPES))
    if bad_amend.any():
        _fail(source, frame, bad_amend, f"amendment_type neither {' nor '.join(AMENDMENT_TYPES)} in", line_offset)
    put_call = get["put_call"].str.upper()
    bad_pc = keep & put_call.notna() & ~put_call.isin(["PUT", "CALL"])
    if bad_pc.any():
        _fail(source, frame, bad_pc, "put_call neither PUT nor CALL in", line_offset)
    filer = get["filer_name"].fillna(get["cik"])
    accession = get["accession"]
    no_acc = keep & accession.isna()
    if no_acc.any():
        if mapping.missing_accession == "error":
            _fail(source, frame, no_acc, "missing accession in", line_offset)
        synth = ("NOACC-" + cik[no_acc].astype("int64").astype(str) + "-"
                 + dates["filed"][no_acc].dt.strftime("%Y%m%d") + "-" + filer[no_acc].astype(str))
        accession = accession.fillna(synth.astype("string"))
    rows = pd.DataFrame({
        "accession": accession, "issuer": get["issuer"].fillna(""), "title": get["title"], "cusip": cusip,
        "value": numbers["value"], "shares": numbers["shares"], "share_type": "SH", "put_call": put_call,
        "other_manager": pd.NA,
    })[keep].astype(RAW_COLUMNS)
    meta = pd.DataFrame({
        "accession": accession, "cik": cik, "filer_name": filer, "period": dates["period"],
        "filed": dates["filed"], "form": form, "amendment_type": get["amendment_type"].str.upper(),
        "schema_version": pd.NA,
    })[keep]
    # One accession under several filers (funds sharing a CIK): keep the first filer's rows.
    first = meta.groupby("accession", sort=False)["filer_name"].transform("first")
    dup = meta["filer_name"] != first
    if dup.any():
        skipped["duplicate filing under another filer"] += int(dup.sum())
        rows, meta = rows[~dup.to_numpy()], meta[~dup]
    filings = meta.drop_duplicates("accession").astype(FILINGS)
    holdings = normalize(rows, filings, unit=mapping.value_unit, cusip_map=cusip_map)
    if mapping.columns.get("ticker"):
        given = (get["ticker"][keep][~dup.to_numpy()] if dup.any() else get["ticker"][keep])
        lookup = pd.Series(given.to_numpy(), index=(rows["accession"] + "|" + rows["cusip"]).to_numpy())
        lookup = lookup[lookup.notna() & ~lookup.index.duplicated()]
        from_table = (holdings["accession"] + "|" + holdings["cusip"]).map(lookup).astype("string")
        holdings["ticker"] = from_table.fillna(holdings["ticker"])
    return holdings, skipped
