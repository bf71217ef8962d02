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


def clip(
    text: str, limit: int, *, first_line: bool = False, more: str = "… (+{n} characters)"
) -> str:
    """``text`` cut at ``limit`` characters, with how much was left out (``more``, where ``{n}``
    is that count). ``first_line`` keeps only the first line, counting the rest as left out."""
    kept = text.split("\n", 1)[0].rstrip("\r") if first_line else text
    left = len(text) - len(kept)
    if len(kept) > limit:
        left += len(kept) - limit
        kept = kept[:limit]
    return kept + more.format(n=left) if left > 0 else kept


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, its end replaced by ``…`` when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
