"""Derive, from a signature's regexes, the literals that every match must contain.

Stage 1 of the fast path searches raw bytes for these, so a literal must read
the same in a raw line as in the decoded record: fragments are cut where JSON
may escape a character (quotes, backslashes, ``/``, ``<``, ``>``, ``&``,
control and non-ASCII characters) and where the matcher's ``text`` target
joins fields (``=``, runs of spaces).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from amr_logpatterns.packs.schema import Condition, Signature

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

MIN_LITERAL = 4
_UNSAFE = set('"\\/<>&=')
_RAW_FIELDS = frozenset(("message", "logger", "caller"))

LiteralSet = frozenset[str]


def _safe_fragments(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in _UNSAFE or not (" " <= ch <= "~"):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for piece in parts for p in piece.split("  ")]


def _best(sets: Iterable[LiteralSet | None]) -> LiteralSet | None:
    """The most selective set: the one whose shortest literal is longest."""
    usable = [s for s in sets if s]
    if not usable:
        return None
    return max(usable, key=lambda s: (min(map(len, s)), -len(s)))


def _usable(literal: str) -> LiteralSet | None:
    fragments = [f for f in _safe_fragments(literal) if len(f.strip()) >= MIN_LITERAL]
    if not fragments:
        return None
    return frozenset({max(fragments, key=len)})


def _sequence(items: Any, flags: int) -> LiteralSet | None:
    candidates: list[LiteralSet | None] = []
    run: list[str] = []
    for op, arg in [*list(items), (None, None)]:
        if op is sre_constants.LITERAL and not flags & sre_parse.SRE_FLAG_IGNORECASE:
            run.append(chr(arg))
            continue
        if run:
            candidates.append(_usable("".join(run)))
            run = []
        if op is sre_constants.SUBPATTERN:
            add_flags, del_flags, pattern = arg[1], arg[2], arg[3]
            candidates.append(_sequence(pattern, (flags | add_flags) & ~del_flags))
        elif op is sre_constants.BRANCH:
            branches = [_sequence(b, flags) for b in arg[1]]
            if all(branches):
                candidates.append(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            candidates.append(_sequence(arg[2], flags))
        elif op is sre_constants.ATOMIC_GROUP if hasattr(sre_constants, "ATOMIC_GROUP") else False:
            candidates.append(_sequence(arg, flags))
    return _best(candidates)


def regex_literals(pattern: str) -> LiteralSet | None:
    """Literals one of which every match of ``pattern`` contains; None when none is known."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:
        return None
    return _sequence(parsed, parsed.state.flags)


def condition_literals(cond: Condition) -> LiteralSet | None:
    """Literals one of which every record that satisfies ``cond`` contains in its raw text."""
    candidates: list[LiteralSet | None] = []
    for pattern in (cond.message, cond.text, cond.raw):
        if pattern is not None:
            candidates.append(regex_literals(pattern))
    for key, pattern in (cond.fields or {}).items():
        if key in _RAW_FIELDS or key not in ("level", "encoding", "ts"):
            candidates.append(regex_literals(pattern))
    for child in cond.all_ or ():
        candidates.append(condition_literals(child))
    if cond.any_:
        branches = [condition_literals(child) for child in cond.any_]
        if all(branches):
            candidates.append(frozenset().union(*branches))  # type: ignore[arg-type]
    return _best(candidates)


def signature_literals(sig: Signature) -> LiteralSet:
    """Stage-1 literals of a signature: derived from its regexes, else its keywords."""
    derived = condition_literals(sig.match)
    return derived if derived is not None else frozenset(sig.match.keywords)
