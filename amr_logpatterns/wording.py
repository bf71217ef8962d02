"""Words the reports and messages share, so every place says a count the same way."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 record``, ``2 records`` (or ``many`` when the plural is irregular)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"
