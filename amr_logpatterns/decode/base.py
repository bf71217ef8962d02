"""What every decoder shares: the level names it folds, and how stage 1 finds its levels."""

from __future__ import annotations

from amr_logpatterns.models.stage1 import literal_pattern

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


def normalise_level(level: str) -> str:
    """Lower-case a level and fold synonyms (``W`` and ``warning`` are ``warn``)."""
    low = level.strip().lower()
    return _LEVELS.get(low, low)


#: Records that may be at warning level or above: every spelling that ``normalise_level``
#: folds into warn, error, dpanic, panic or fatal (error records are counted; unexplained
#: warnings and errors become unknown templates).
STAGE1 = tuple(
    literal_pattern(t, caseless=True)
    for t in (b"warn", b"error", b"panic", b"fatal", b"critical", b'"err"')
)
