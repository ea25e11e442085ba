"""13F holdings: sources (holdings tables, local filings, SEC data sets, EDGAR), normalisation,
CUSIP to ticker, and point-in-time views. Every source returns `data.schemas.HOLDINGS`.

Modules: `parsers` (pure XML parsers), `normalize` (units, merging, filing facts),
`cusips` (ticker map), `tables` (column mappings), `documents` (local filings via edgartools),
`bulk` (SEC data-set zips), `fetch` (EDGAR by CIK), `importers` (detect + import into the
store), `storage` (stored batches + DuckDB queries), `pointintime` (the 13F counting rules and
as-of SQL), `index` (`HoldingsIndex`: the one implementation of those rules that decisions and
tables use).
"""
