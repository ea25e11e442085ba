"""The one exception hierarchy of hedgeclone.

Every message says what was wrong and where: the file, row, ticker, date or option at fault.
"""

from __future__ import annotations


class HedgecloneError(Exception):
    """Base of every error hedgeclone raises on purpose; the CLI prints it as one line."""


class InputError(HedgecloneError, ValueError):
    """Bad input from a user: an argument, option, config key or file content."""


class DataError(HedgecloneError):
    """Data that cannot be used: missing, inconsistent, or not known at the date asked."""


class CorruptFileError(DataError):
    """A stored file whose content does not match what was written; it must be refetched."""
