"""What a decoder returns for one record found in a line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

_LEVELS = {
    "i": "info",
    "w": "warn",
    "e": "error",
    "f": "fatal",
    "d": "debug",
    "warning": "warn",
    "err": "error",
    "critical": "fatal",
    "normal": "info",
}


@dataclass(frozen=True, slots=True)
class Decoded:
    """One record found in a line; ``rest`` is what follows it on the same line."""

    encoding: str
    message: str
    ts: str | None = None
    level: str | None = None
    logger: str | None = None
    caller: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    continuation: tuple[str, ...] = ()
    raw: str = ""
    rest: str = ""


def normalise_level(level: str) -> str:
    """Lower-case a level and fold synonyms (``W`` and ``warning`` are ``warn``)."""
    low = level.strip().lower()
    return _LEVELS.get(low, low)
