"""Words the reports and messages share, so every place says a count the same way."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 record``, ``2 records`` (or ``many`` when the plural is irregular)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'observer.health-check-ok'?`` for a mistyped name, else nothing."""
    names = list(known)
    close = [n for n in names if n.startswith(word)][:3]  # ``observer.health`` → its ids
    close = close or difflib.get_close_matches(word, names, n=3, cutoff=0.7)
    if not close:  # the last part of the name is right
        tail = word.rsplit(".", 1)[-1]
        close = [n for n in names if len(tail) >= 4 and tail in n][:3]
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
