"""13F holdings in the local store: one Parquet table per import batch, queried with DuckDB.

Layout: ``13f/holdings/<batch-id>`` tables, each in the HOLDINGS schema. A batch id is the
source kind plus a hash of the source bytes, so importing the same file again replaces its
batch instead of duplicating it, and new imports append without rewriting older batches.
A filing (accession) already stored by another batch is skipped at import time, so each
accession lives in exactly one batch. Queries read all batches at once with
``read_parquet([...], union_by_name=true)`` after checking each file against the store
manifest (a `StoreHoldings` object checks each file once while it lives).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from data.schemas import HOLDINGS, conform
from data.store import Store
from data.thirteenf.pointintime import HOLDERS, holders_sql, holdings_sql, run_sql

__all__ = ["PREFIX", "StoreHoldings"]

PREFIX = "13f/holdings/"


class StoreHoldings:
    """The 13F holdings batches of one `Store`, with point-in-time queries over all of them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._verified: dict[Path, tuple[int, int]] = {}

    def __repr__(self) -> str:
        return f"StoreHoldings({self.store!r}, batches={len(self.batches())})"

    def batches(self) -> list[str]:
        """Names of the stored holdings batches."""
        return self.store.names(PREFIX)

    def paths(self) -> list[Path]:
        """Verified Parquet paths of every batch (`CorruptFileError` if one changed)."""
        out = []
        for name in self.batches():
            path = self.store.path(name)
            stat = path.stat() if path.exists() else None
            key = (stat.st_size, stat.st_mtime_ns) if stat else (-1, -1)
            if self._verified.get(path) != key:
                self.store.verify(name)
                self._verified[path] = key
            out.append(path)
        return out

    def _source(self) -> str | None:
        paths = self.paths()
        if not paths:
            return None
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        return f"read_parquet([{listed}], union_by_name=true)"

    def accessions(self) -> set[str]:
        """Accession numbers already stored (in any batch)."""
        source = self._source()
        if source is None:
            return set()
        return set(run_sql(f"SELECT DISTINCT accession FROM {source}")["accession"])

    def all_accessions(self, batch_id: str) -> list[str]:
        """Accession numbers stored in batch `batch_id`."""
        frame = self.store.read(PREFIX + batch_id, columns=["accession"])
        return frame["accession"].drop_duplicates().tolist()

    def write_batch(self, batch_id: str, frame: pd.DataFrame) -> str:
        """Store `frame` (HOLDINGS) as batch `batch_id`; returns the table name."""
        name = PREFIX + batch_id
        self.store.write(name, conform(frame, HOLDINGS, name))
        return name

    def all(self, ciks: Iterable[int] | None = None) -> pd.DataFrame:
        """Every stored holding (optionally of some CIKs only), HOLDINGS schema."""
        source = self._source()
        if source is None:
            return conform(pd.DataFrame(columns=list(HOLDINGS)), HOLDINGS, "13F holdings")
        where = "" if ciks is None else f" WHERE cik IN ({', '.join(str(int(c)) for c in ciks) or 'NULL'})"
        return conform(run_sql(f"SELECT * FROM {source}{where}"), HOLDINGS, "13F holdings")

    def holdings_as_of(self, as_of: object, ciks: Iterable[int] | None = None,
                       include_options: bool = False) -> pd.DataFrame:
        """Stored holdings known on `as_of` (same rules as `pointintime.holdings_as_of`)."""
        source = self._source()
        if source is None:
            return conform(pd.DataFrame(columns=list(HOLDINGS)), HOLDINGS, "13F holdings")
        out = run_sql(holdings_sql(source, ciks, include_options), as_of)
        out = conform(out, HOLDINGS, "13F holdings")
        return out.sort_values(["cik", "value_usd", "cusip"], ascending=[True, False, True], ignore_index=True)

    def holders_as_of(self, as_of: object, ciks: Iterable[int] | None = None) -> pd.DataFrame:
        """Per-stock aggregates as of `as_of` over the stored holdings (`pointintime.HOLDERS`)."""
        source = self._source()
        if source is None:
            return conform(pd.DataFrame(columns=list(HOLDERS)), HOLDERS, "13F holders")
        return conform(run_sql(holders_sql(source, ciks), as_of), HOLDERS, "13F holders")
