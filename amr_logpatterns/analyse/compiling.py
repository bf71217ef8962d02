"""Compile signatures once, so matching a record never compiles a regex twice.

A compiled signature holds its condition tree with every regex ready to search
(compiled at its first search: a short paste tries a handful of the pack's
hundreds of regexes, and compiling all of them would cost more than the scan), the
components it is attributed to, its stage-1 literals, and from which subject
length its searches get a time limit. ``keyword_index`` indexes compiled
signatures by their keywords, which is how a record finds the few worth trying.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from amr_logpatterns.models.records import RAW_ENCODINGS
from amr_logpatterns.packs.literals import signature_literals
from amr_logpatterns.packs.regexsafety import analysed_safe
from amr_logpatterns.packs.schema import (
    Component,
    Condition,
    MatchSpec,
    Signature,
    parse_comparison,
)
from amr_logpatterns.packs.verified import known_safe

#: Subjects shorter than this are searched without the limit when ``find_redos`` read
#: every regex of the signature and found nothing: on so few characters even the
#: polynomial shapes it lets through take milliseconds, while passing a limit costs
#: the regex module about 0.6 µs a search (a tenth of a run on AMR-heavy logs).
#: Waived (``unsafe_regex_ok``) and unreadable regexes always get the limit.
UNGUARDED_LENGTH = 256


class LazyPattern:
    """A regex that compiles itself at its first search, then is the compiled ``search``.

    ``search`` takes what ``regex.Pattern.search`` takes; after the first call it
    *is* the compiled pattern's bound method, so a search costs what it did before.
    """

    __slots__ = ("pattern", "search")

    pattern: str
    search: Callable[..., regex.Match[str] | None]

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.search = self._compile_and_search

    def _compile_and_search(self, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        search = regex.compile(self.pattern).search
        self.search = search
        return search(*args, **kwargs)

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str]]:
        return (LazyPattern, (self.pattern,))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A condition tree with its regexes ready to search and its comparisons parsed."""

    message: LazyPattern | None
    text: LazyPattern | None
    raw: LazyPattern | None
    fields: tuple[tuple[str, LazyPattern], ...]
    compare: tuple[tuple[str, str, float], ...]
    any_: tuple[CompiledCondition, ...]
    all_: tuple[CompiledCondition, ...]
    none: tuple[CompiledCondition, ...]
    optional: tuple[CompiledCondition, ...]


@dataclass(frozen=True, slots=True)
class CompiledSignature:
    """A signature ready to match.

    ``literals`` are its stage-1 literals (see ``literals``); its searches get the
    time limit on subjects of ``guard_from`` characters or more (see ``UNGUARDED_LENGTH``).
    ``reads_raw`` is False when its condition holds only for encodings outside
    ``RAW_ENCODINGS`` (pod state, events, kernel lines): it can match no log line.
    """

    signature: Signature
    keywords: tuple[str, ...]
    condition: CompiledCondition
    owners: tuple[Component, ...]
    literals: tuple[str, ...] = ()
    guard_from: int = 0
    reads_raw: bool = True


def _pattern(source: str | None) -> LazyPattern | None:
    return None if source is None else LazyPattern(source)


def compile_condition(cond: Condition) -> CompiledCondition:
    """Compile a condition tree's regexes once."""
    return CompiledCondition(
        message=_pattern(cond.message),
        text=_pattern(cond.text),
        raw=_pattern(cond.raw),
        fields=tuple((k, LazyPattern(v)) for k, v in (cond.fields or {}).items()),
        compare=tuple((k, *parse_comparison(v)) for k, v in (cond.compare or {}).items()),
        any_=tuple(compile_condition(c) for c in cond.any_ or ()),
        all_=tuple(compile_condition(c) for c in cond.all_ or ()),
        none=tuple(compile_condition(c) for c in cond.none or ()),
        optional=tuple(compile_condition(c) for c in cond.optional or ()),
    )


def compile_signature(
    sig: Signature, components: Mapping[str, Component], proven: Collection[str] = ()
) -> CompiledSignature:
    """Compile one signature, resolving the components it is attributed to; ``proven``
    are the digests of regexes already found safe (``Pack.proven_safe``)."""
    spec: MatchSpec = sig.match
    return CompiledSignature(
        signature=sig,
        keywords=tuple(spec.keywords),
        condition=compile_condition(spec),
        owners=tuple(components[o] for o in sig.owners if o in components),
        literals=tuple(sorted(signature_literals(sig))),
        guard_from=_guard_from(sig, proven),
        reads_raw=may_hold_for(spec, RAW_ENCODINGS),
    )


def may_hold_for(cond: Condition, encodings: frozenset[str]) -> bool:
    """Whether ``cond`` can hold for a record of one of ``encodings``: False only when its
    ``fields.encoding`` tests (in it, in every ``any`` branch or in an ``all`` one)
    rule them all out; every other test is taken to possibly hold."""
    test = (cond.fields or {}).get("encoding")
    if test is not None:
        encodings = frozenset(e for e in encodings if regex.search(test, e))
        if not encodings:
            return False
    if cond.all_ and not all(may_hold_for(c, encodings) for c in cond.all_):
        return False
    return not cond.any_ or any(may_hold_for(c, encodings) for c in cond.any_)


def _guard_from(sig: Signature, proven: Collection[str]) -> int:
    if sig.unsafe_regex_ok is not None:
        return 0
    safe = all(
        known_safe(pattern, proven) or analysed_safe(pattern) for _, pattern in sig.match.patterns()
    )
    return UNGUARDED_LENGTH if safe else 0


@dataclass(frozen=True)
class KeywordIndex:
    """Each distinct keyword once, with the signatures it lets through.

    A record is tested for every keyword a single time (plain substring tests beat
    one regex alternation by far in CPython); only the signatures of the keywords
    it holds are evaluated, in pack order.
    """

    signatures: tuple[CompiledSignature, ...]
    keywords: tuple[str, ...]
    owners: tuple[tuple[int, ...], ...]


def keyword_index(signatures: tuple[CompiledSignature, ...]) -> KeywordIndex:
    """Index the signatures by their keywords."""
    by_keyword: dict[str, list[int]] = {}
    for i, cs in enumerate(signatures):
        for keyword in cs.keywords:
            by_keyword.setdefault(keyword, []).append(i)
    keywords = tuple(sorted(by_keyword))
    return KeywordIndex(signatures, keywords, tuple(tuple(by_keyword[k]) for k in keywords))
