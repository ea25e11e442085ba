"""Made-up but realistic identifiers: tickers, company names, CUSIPs, CIKs, fund names, accessions.

Every function draws from the generator it is given, so identifiers are deterministic
for a seed; none is meant to match a real security or filer.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SECTORS",
    "cusip_check_digit",
    "make_tickers",
    "make_sectors",
    "make_issuer_names",
    "make_cusips",
    "make_ciks",
    "make_filer_names",
    "accession_numbers",
]

_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SYLLABLES = (
    "al ber cor dan el fen gal hal ir jor kel lum mar nor or pel quin ros sel tor ul ver wex xan yor zen "
    "ax bri cas dor ev fal gen hex in jet kin lux mon nex om pax qua rex sol tek uni vol wyn zor"
).split()
# Sectors (GICS-like) with the words their companies' names use, and their share of listings.
SECTORS: dict[str, tuple[str, ...]] = {
    "Information Technology": ("Technologies", "Software", "Systems", "Semiconductor", "Networks"),
    "Health Care": ("Therapeutics", "Biosciences", "Pharmaceuticals", "Health", "Medical"),
    "Financials": ("Bancorp", "Financial", "Capital Group", "Insurance Holdings"),
    "Consumer Discretionary": ("Brands", "Motors", "Retail Group", "Apparel", "Restaurants"),
    "Industrials": ("Industries", "Logistics", "Aerospace", "Machinery"),
    "Communication Services": ("Communications", "Media", "Interactive"),
    "Consumer Staples": ("Foods", "Beverage", "Household Products"),
    "Energy": ("Energy", "Petroleum", "Oil & Gas"),
    "Materials": ("Materials", "Minerals", "Chemicals", "Steel"),
    "Real Estate": ("Realty", "Properties", "REIT"),
    "Utilities": ("Power", "Utilities", "Water"),
}
SECTOR_SHARE = np.array([0.17, 0.2, 0.14, 0.11, 0.12, 0.05, 0.04, 0.05, 0.05, 0.04, 0.03])
_COMPANY_SUFFIX = ("Inc", "Corp", "Co", "Ltd", "plc", "Inc", "Corp", "Inc")
_FUND_WORDS = (
    "Capital",
    "Partners",
    "Asset Management",
    "Investors",
    "Advisors",
    "Capital Management",
    "Global",
    "Management",
    "Fund Management",
    "Investment Partners",
)
_FUND_SUFFIX = ("LP", "LLC", "LP", "LLC", "Ltd", "L.P.", "Inc")


def cusip_check_digit(base8: str) -> str:
    """The CUSIP check digit of an 8-character base (ANSI X9.6 'double-add-double' mod 10)."""
    total = 0
    for pos, ch in enumerate(base8.upper()):
        if ch.isdigit():
            v = int(ch)
        elif ch.isalpha():
            v = ord(ch) - ord("A") + 10
        else:
            v = {"*": 36, "@": 37, "#": 38}[ch]
        if pos % 2 == 1:
            v *= 2
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


def make_tickers(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` unique sorted tickers of 3 or 4 uppercase letters (about a third have 3)."""
    out: set[str] = set()
    while len(out) < n:
        k = (n - len(out)) * 2 + 16
        lengths = np.where(rng.random(k) < 0.35, 3, 4)
        letters = _LETTERS[rng.integers(0, 26, size=(k, 4))]
        for row, length in zip(letters, lengths, strict=True):
            out.add("".join(row[:length]))
            if len(out) == n:
                break
    return np.array(sorted(out), dtype=object)


def _word(rng: np.random.Generator) -> str:
    n = int(rng.integers(2, 4))
    return "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), n)).capitalize()


def make_sectors(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` sector codes (int64 indexes into SECTORS), drawn with the SECTOR_SHARE mix."""
    return rng.choice(len(SECTORS), size=n, p=SECTOR_SHARE / SECTOR_SHARE.sum()).astype(np.int64)


def make_issuer_names(rng: np.random.Generator, sectors: np.ndarray) -> np.ndarray:
    """A company name per sector code, like 'Corvexal Therapeutics Inc' for Health Care (made up)."""
    words = list(SECTORS.values())
    suffix = rng.integers(0, len(_COMPANY_SUFFIX), sectors.size)
    pick = rng.random(sectors.size)
    return np.array(
        [
            f"{_word(rng)} {words[k][int(u * len(words[k]))]} {_COMPANY_SUFFIX[x]}"
            for k, u, x in zip(sectors.tolist(), pick.tolist(), suffix.tolist(), strict=True)
        ],
        dtype=object,
    )


def make_cusips(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` unique 9-character CUSIPs: 6-char issuer, issue '10', valid check digit."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        digits = rng.integers(0, 10, size=(n, 6))
        letter_pos = rng.integers(0, 36, size=(n, 6))
        use_letter = rng.random((n, 6)) < 0.08
        for d_row, l_row, u_row in zip(digits, letter_pos, use_letter, strict=True):
            issuer = "".join(
                _ALNUM[lp] if u else _ALNUM[d] for d, lp, u in zip(d_row, l_row, u_row, strict=True)
            )
            base = issuer + "10"
            if base not in seen:
                seen.add(base)
                out.append(base + cusip_check_digit(base))
                if len(out) == n:
                    break
    return np.array(out, dtype=object)


def make_ciks(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` unique SEC CIKs in the range used by recent filers (1,000,000 - 2,099,999)."""
    return np.sort(rng.choice(np.arange(1_000_000, 2_100_000, dtype=np.int64), size=n, replace=False))


def make_filer_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` unique fund names like 'Halvexor Capital Management LP'."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = f"{_word(rng)} {_FUND_WORDS[int(rng.integers(len(_FUND_WORDS)))]} {_FUND_SUFFIX[int(rng.integers(len(_FUND_SUFFIX)))]}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return np.array(out, dtype=object)


def accession_numbers(filer_cik: np.ndarray, year: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """EDGAR accession numbers '0001234567-24-000012' (filer agent CIK, 2-digit year, sequence)."""
    return np.array(
        [
            f"{c:010d}-{y % 100:02d}-{s:06d}"
            for c, y, s in zip(filer_cik.tolist(), year.tolist(), sequence.tolist(), strict=True)
        ],
        dtype=object,
    )
