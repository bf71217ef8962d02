"""The built-in patterns the test suite has proven free of catastrophic backtracking.

The backtracking analysis (``regexsafety``) costs about as much as the rest of
a start-up, and the built-in patterns only change with the package. So the
package ships the digests of the built-in patterns the analysis passed
(``verified_regexes.txt``, regenerated with ``COMMAND`` and checked by the test
suite), and a pack load analyses only the patterns it does not list: those of
user packs and of edited built-in files. A user pack's verdicts travel with its
cached copy (``Pack.proven_safe``, digests again), handed to validation through
the context key ``CONTEXT_KEY``, so a cached user pack is not analysed again either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from amr_logpatterns.packs.regexsafety import analysed_safe

COMMAND = "python -m amr_logpatterns.authoring.verify_builtin"
VERIFIED_FILE = Path(__file__).with_name("verified_regexes.txt")
#: Where a validation context carries the digests a cached pack was proven safe with.
CONTEXT_KEY = "proven_safe"


@lru_cache(maxsize=4096)
def pattern_digest(pattern: str) -> str:
    """What ``verified_regexes.txt`` lists for ``pattern`` (kept: a load asks for each
    pattern's digest at validation, in its verdicts and again when compiling)."""
    return hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=1)
def verified_digests() -> frozenset[str]:
    """The digests of the built-in patterns known to be safe (empty when the file is missing)."""
    try:
        text = VERIFIED_FILE.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def known_safe(pattern: str, proven: Collection[str] = ()) -> bool:
    """Whether ``pattern`` was already analysed whole and found safe (``analysed_safe``),
    by the test suite or, for ``proven`` digests, by the load that cached its pack: the
    load may skip the analysis and the compile check, and the matcher the time guard."""
    digest = pattern_digest(pattern)
    return digest in verified_digests() or digest in proven


def context_proven(context: Mapping[str, Any] | None) -> Collection[str]:
    """The digests a validation context vouches for (none unless a cache read passed them)."""
    proven = (context or {}).get(CONTEXT_KEY, ())
    return proven if isinstance(proven, (frozenset, set)) else frozenset()


def proven_digests(patterns: Iterable[str]) -> frozenset[str]:
    """The digests of ``patterns`` known or analysed to be safe: what a pack keeps of its
    verdicts (the analysis of a pattern the load just checked is already cached)."""
    return frozenset(pattern_digest(p) for p in patterns if known_safe(p) or analysed_safe(p))
