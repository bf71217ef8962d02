"""Compile signatures and match them against records: where a record becomes a match.

A signature is tried on a record only when the record holds one of its literal
keywords; then its condition tree is evaluated (named regex groups become the
match's fields, converted to their declared types), and finally attribution
refuses records whose context names something that is not AMR's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

import regex

from .models import FieldValue, Match
from .records import LogRecord
from .schema import Component, Condition, MatchSpec, Signature

_ATTRIBUTES = ("level", "logger", "caller", "encoding", "ts", "message")


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    message: regex.Pattern[str] | None
    text: regex.Pattern[str] | None
    raw: regex.Pattern[str] | None
    fields: tuple[tuple[str, regex.Pattern[str]], ...]
    any_: tuple[CompiledCondition, ...]
    all_: tuple[CompiledCondition, ...]
    none: tuple[CompiledCondition, ...]
    optional: tuple[CompiledCondition, ...]


@dataclass(frozen=True, slots=True)
class CompiledSignature:
    signature: Signature
    keywords: tuple[str, ...]
    condition: CompiledCondition
    owners: tuple[Component, ...]


def _pattern(source: str | None) -> regex.Pattern[str] | None:
    return None if source is None else regex.compile(source)


def compile_condition(cond: Condition) -> CompiledCondition:
    """Compile a condition tree's regexes once."""
    return CompiledCondition(
        message=_pattern(cond.message),
        text=_pattern(cond.text),
        raw=_pattern(cond.raw),
        fields=tuple((k, regex.compile(v)) for k, v in (cond.fields or {}).items()),
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
    )


def render_value(value: object) -> str:
    """A field value as text, the way JSON spells scalars (``true``, ``null``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class RecordView:
    """A record with the matching targets computed once, on first use."""

    __slots__ = ("_text", "record")

    def __init__(self, record: LogRecord) -> None:
        self.record = record
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The message followed by every structured field as ``key=value``."""
        if self._text is None:
            parts = [self.record.message]
            parts += [f"{k}={render_value(v)}" for k, v in self.record.fields.items()]
            self._text = "  ".join(parts)
        return self._text

    def field(self, key: str) -> str | None:
        """A record attribute or structured field (dotted paths reach into objects)."""
        record = self.record
        if key in _ATTRIBUTES:
            value: object = getattr(record, key)
            return None if value is None else str(value)
        value = _lookup(record.fields, key)
        return None if value is _MISSING else render_value(value)


_MISSING = object()


def _lookup(fields: Mapping[str, object], key: str) -> object:
    if key in fields:
        return fields[key]
    head, dot, rest = key.partition(".")
    if dot and isinstance(fields.get(head), dict):
        return _lookup(fields[head], rest)  # type: ignore[arg-type]
    lowered = key.lower()
    for k, v in fields.items():
        if k.lower() == lowered:
            return v
    return _MISSING


def _groups(m: regex.Match[str]) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v is not None}


def evaluate(cond: CompiledCondition, view: RecordView) -> dict[str, str] | None:
    """Evaluate a condition tree; the captured groups when it holds, else None."""
    captured: dict[str, str] = {}
    for pattern, target in (
        (cond.message, "message"),
        (cond.text, "text"),
        (cond.raw, "raw"),
    ):
        if pattern is None:
            continue
        subject = (
            view.record.message
            if target == "message"
            else view.text
            if target == "text"
            else view.record.text
        )
        m = pattern.search(subject)
        if m is None:
            return None
        captured.update(_groups(m))
    for key, pattern in cond.fields:
        value = view.field(key)
        if value is None:
            return None
        m = pattern.search(value)
        if m is None:
            return None
        captured.update(_groups(m))
    for child in cond.all_:
        got = evaluate(child, view)
        if got is None:
            return None
        captured.update(got)
    if cond.any_:
        for child in cond.any_:
            got = evaluate(child, view)
            if got is not None:
                captured.update(got)
                break
        else:
            return None
    for child in cond.none:
        if evaluate(child, view) is not None:
            return None
    for child in cond.optional:
        got = evaluate(child, view)
        if got is not None:
            captured.update(got)
    return captured


def convert(value: str, kind: str) -> FieldValue:
    """Convert a captured string to its declared type; keep the text when it does not fit."""
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return value
    if kind == "bool":
        low = value.strip().lower()
        if low in ("true", "false"):
            return low == "true"
    return value


def _accepts(
    component: Component, context: Mapping[str, str], fields: Mapping[str, FieldValue]
) -> bool:
    namespace = context.get("namespace")
    if namespace and component.namespaces and namespace not in component.namespaces:
        return False
    workload = context.get("workload")
    if (
        workload
        and component.workloads
        and not any(fnmatchcase(workload, glob) for glob in component.workloads)
    ):
        return False
    if context.get("container") in component.foreign_containers:
        return False
    lease = fields.get("lease")
    if isinstance(lease, str) and "/" in lease and component.namespaces:
        return lease.split("/", 1)[0] in component.namespaces
    return True


def attributed(cs: CompiledSignature, record: LogRecord, fields: Mapping[str, FieldValue]) -> bool:
    """Whether the record may belong to one of the signature's components."""
    if not cs.owners:
        return True
    return any(_accepts(c, record.context, fields) for c in cs.owners)


def _evaluated(cs: CompiledSignature, view: RecordView) -> dict[str, FieldValue] | None:
    captured = evaluate(cs.condition, view)
    if captured is None:
        return None
    types = cs.signature.types
    fields = {k: convert(v, types.get(k, "str")) for k, v in captured.items()}
    if not attributed(cs, view.record, fields):
        return None
    return fields


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


def match_signatures(
    index: KeywordIndex, record: LogRecord
) -> list[tuple[CompiledSignature, dict[str, FieldValue]]]:
    """Every signature that matches the record, with the fields it extracted."""
    text = record.text
    candidates: set[int] = set()
    for keyword, owners in zip(index.keywords, index.owners, strict=True):
        if keyword in text:
            candidates.update(owners)
    if not candidates:
        return []
    view = RecordView(record)
    out = []
    for i in sorted(candidates):
        cs = index.signatures[i]
        fields = _evaluated(cs, view)
        if fields is not None:
            out.append((cs, fields))
    return out


def to_match(cs: CompiledSignature, record: LogRecord, fields: dict[str, FieldValue]) -> Match:
    """The public ``Match`` for one signature's match of a record."""
    return Match(
        id=cs.signature.id,
        severity=cs.signature.severity,
        source=record.source,
        line=record.line,
        end_line=record.end_line,
        fields=fields,
        text=record.text,
        ts=record.ts,
    )
