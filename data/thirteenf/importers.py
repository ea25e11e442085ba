"""Import 13F sources into the store: detect each path's kind, read it, write one batch.

Kinds, by extension then content: ``.zip`` SEC data set (`bulk`); ``.txt``/``.nc`` saved
submission (`documents`, through edgartools); ``.xml`` information table or cover page,
paired per directory (`documents`); ``.csv``/``.tsv``/``.parquet`` (optionally ``.gz``)
holdings table through a column mapping (`tables`; without ``mapping`` the first shipped
mapping whose columns all appear is used). All batches of one `import_paths` call are
published in one store transaction: if any path fails, the store is left exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf import bulk, documents, tables
from hedgeclone.data.thirteenf.cusips import Unmapped, unmapped
from hedgeclone.data.thirteenf.storage import PREFIX, StoreHoldings
from hedgeclone.errors import InputError

__all__ = ["ImportReport", "detect_kind", "read_source", "import_paths", "read_table_file"]

TABLE_EXT = (".csv", ".tsv", ".parquet", ".pq", ".csv.gz", ".tsv.gz")


@dataclass
class ImportReport:
    """What one import did: per source, filings and holdings stored, rows skipped, unmapped CUSIPs."""

    sources: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    filings: int = 0
    holdings: int = 0
    skipped: Counter = field(default_factory=Counter)
    unmapped: Unmapped | None = None


def detect_kind(path: Path) -> str:
    """'bulk', 'submission', 'infotable', 'cover' or 'table' for `path` (`InputError` otherwise)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        return "bulk"
    if name.endswith((".txt", ".nc")):
        return "submission"
    if name.endswith(TABLE_EXT):
        return "table"
    if name.endswith(".xml"):
        head = path.read_bytes()[:4096]
        if b"informationTable" in head:
            return "infotable"
        if b"edgarSubmission" in head:
            return "cover"
        raise InputError(f"{path}: XML that is neither a 13F information table nor a cover page")
    raise InputError(f"{path}: unknown 13F source kind (expected .zip, .txt, .nc, .xml, .csv, .tsv or .parquet)")


def read_table_file(path: Path, mapping: str | Path | None, cusip_map: pd.Series | None,
                    ) -> tuple[pd.DataFrame, Counter]:
    """HOLDINGS from a CSV/TSV/Parquet holdings table (gzip allowed) through a mapping."""
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            frame, offset = pd.read_parquet(path).astype("string"), 0
        else:
            sep = "\t" if ".tsv" in name else ","
            frame, offset = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep), 2
    except (OSError, ValueError, pd.errors.ParserError, EOFError) as exc:
        raise InputError(f"{path}: cannot read holdings table ({exc})") from exc
    if mapping is None:
        for candidate in tables.shipped_mappings():
            loaded = tables.load_mapping(candidate)
            if set(loaded.columns.values()) <= set(frame.columns):
                break
        else:
            raise InputError(f"{path}: no shipped mapping fits its columns; pass --mapping NAME_OR_FILE")
    else:
        loaded = tables.load_mapping(mapping)
    return tables.table_to_holdings(frame, loaded, source=str(path), cusip_map=cusip_map, line_offset=offset)


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def read_source(paths: Sequence[Path], kind: str, *, mapping: str | Path | None = None,
                cusip_map: pd.Series | None = None) -> tuple[pd.DataFrame, Counter]:
    """HOLDINGS and skip counts of one source (an XML source is [infotable, cover] or [cover])."""
    if kind == "bulk":
        return bulk.read_bulk_zip(paths[0], cusip_map=cusip_map)
    if kind == "submission":
        return documents.holdings_from_submission(paths[0], cusip_map=cusip_map), Counter()
    if kind == "table":
        return read_table_file(paths[0], mapping, cusip_map)
    if kind == "xml":
        info = paths[0].read_bytes() if len(paths) == 2 else None
        return documents.holdings_from_xml(info, paths[-1].read_bytes(), source=str(paths[-1]),
                                           cusip_map=cusip_map), Counter()
    raise InputError(f"unknown source kind {kind!r}")


def _group(paths: Sequence[Path]) -> list[tuple[str, list[Path]]]:
    groups: list[tuple[str, list[Path]]] = []
    xml: dict[Path, dict[str, list[Path]]] = {}
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: no such file")
        kind = detect_kind(p)
        if kind in ("infotable", "cover"):
            xml.setdefault(p.parent, {"infotable": [], "cover": []})[kind].append(p)
        else:
            groups.append((kind, [p]))
    for folder, found in xml.items():
        infos, covers = found["infotable"], found["cover"]
        if len(infos) > 1 or (infos and len(covers) != 1):
            raise InputError(f"{folder}: pair each information table with its cover page (one of each per "
                             f"folder; found {len(infos)} tables, {len(covers)} cover pages)")
        groups.append(("xml", [*infos, *covers]))
    return groups


def import_paths(store: Store, paths: Sequence[str | Path], *, mapping: str | Path | None = None,
                 cusip_map: pd.Series | None = None,
                 progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import `paths` into `store` as holdings batches, all or nothing; returns an `ImportReport`.

    Every source is read first; then, under the store's write lock (so two imports at once never
    store a filing twice), filings already stored by another batch are skipped (counted as
    'filing already stored') and the batches are written in one transaction. Re-importing a
    source replaces its batch, even one whose stored file is corrupt.
    """
    report = ImportReport()
    holdings_db = StoreHoldings(store)
    sources: list[tuple[str, list[Path], pd.DataFrame, Counter]] = []
    for kind, group in _group([Path(p) for p in paths]):
        if progress:
            progress(", ".join(str(p) for p in group))
        frame, skipped = read_source(group, kind, mapping=mapping, cusip_map=cusip_map)
        sources.append((f"{kind}-{_digest(group)}", group, frame, skipped))
    frames: list[tuple[str, pd.DataFrame]] = []
    with store.transaction():
        replaced = {PREFIX + batch for batch, *_ in sources}
        known: set[str] = set()
        for name in holdings_db.batches():
            if name not in replaced:  # a batch being re-imported is rewritten whole, even if corrupt
                known |= set(store.read(name, columns=["accession"])["accession"].dropna())
        for batch, group, frame, skipped in sources:
            dup = frame["accession"].isin(known)
            if dup.any():
                skipped["filing already stored"] += int(frame.loc[dup, "accession"].nunique())
                frame = frame[~dup.to_numpy()]
            report.sources.extend(str(p) for p in group)
            report.skipped.update(skipped)
            report.filings += int(frame["accession"].nunique())
            report.holdings += len(frame)
            frames.append((batch, frame))
            known |= set(frame["accession"])
        for batch, frame in frames:
            report.batches.append(holdings_db.write_batch(batch, frame))
    if frames:
        report.unmapped = unmapped(pd.concat([f for _, f in frames], ignore_index=True))
    return report
