"""Compile signatures once, so matching a record never compiles a regex.

A compiled signature holds its condition tree with every regex compiled, the
components it is attributed to, its stage-1 literals, and from which subject
length its searches get a time limit. ``keyword_index`` indexes compiled
signatures by their keywords, which is how a record finds the few worth trying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import regex

from amr_logpatterns.packs.literals import signature_literals
from amr_logpatterns.packs.regexsafety import analysed_safe
from amr_logpatterns.packs.schema import (
    Component,
    Condition,
    MatchSpec,
    Signature,
    parse_comparison,
)

#: Subjects shorter than this are searched without the limit when ``find_redos`` read
#: every regex of the signature and found nothing: on so few characters even the
#: polynomial shapes it lets through take milliseconds, while passing a limit costs
#: the regex module about 0.6 µs a search (a tenth of a run on AMR-heavy logs).
#: Waived (``unsafe_regex_ok``) and unreadable regexes always get the limit.
UNGUARDED_LENGTH = 256


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A condition tree with its regexes compiled and its comparisons parsed."""

    message: regex.Pattern[str] | None
    text: regex.Pattern[str] | None
    raw: regex.Pattern[str] | None
    fields: tuple[tuple[str, regex.Pattern[str]], ...]
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
    """

    signature: Signature
    keywords: tuple[str, ...]
    condition: CompiledCondition
    owners: tuple[Component, ...]
    literals: tuple[str, ...] = ()
    guard_from: int = 0


def _pattern(source: str | None) -> regex.Pattern[str] | None:
    return None if source is None else regex.compile(source)


def compile_condition(cond: Condition) -> CompiledCondition:
    """Compile a condition tree's regexes once."""
    return CompiledCondition(
        message=_pattern(cond.message),
        text=_pattern(cond.text),
        raw=_pattern(cond.raw),
        fields=tuple((k, regex.compile(v)) for k, v in (cond.fields or {}).items()),
        compare=tuple((k, *parse_comparison(v)) for k, v in (cond.compare or {}).items()),
        any_=tuple(compile_condition(c) for c in cond.any_ or ()),
        all_=tuple(compile_condition(c) for c in cond.all_ or ()),
        none=tuple(compile_condition(c) for c in cond.none or ()),
        optional=tuple(compile_condition(c) for c in cond.optional or ()),
    )


def compile_signature(sig: Signature, components: Mapping[str, Component]) -> CompiledSignature:
    """Compile one signature, resolving the components it is attributed to."""
    spec: MatchSpec = sig.match
    return CompiledSignature(
        signature=sig,
        keywords=tuple(spec.keywords),
        condition=compile_condition(spec),
        owners=tuple(components[o] for o in sig.owners if o in components),
        literals=tuple(sorted(signature_literals(sig))),
        guard_from=_guard_from(sig),
    )


def _guard_from(sig: Signature) -> int:
    if sig.unsafe_regex_ok is not None:
        return 0
    proven = all(analysed_safe(pattern) for _, pattern in sig.match.patterns())
    return UNGUARDED_LENGTH if proven else 0


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
