"""Exceptions raised by the indices engine.

Every message names where the problem is (file, row, column) when that is
known, and what was expected there.
"""

from __future__ import annotations


class IndexDataError(ValueError):
    """Bad input data or metadata for a composite index."""


class FrameworkError(IndexDataError):
    """The index framework (iMeta) is inconsistent: cycles, orphans, duplicates, bad weights."""


class MethodError(IndexDataError):
    """A method cannot be applied to the data (e.g. a geometric mean of a zero)."""


def locate(source: str, row: int | None = None, column: str | None = None) -> str:
    """Format a location prefix ``"file, row 3, column 'Weight'"`` for error messages."""
    parts = [source]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)
