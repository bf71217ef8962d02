"""Match compiled signatures against records: where a record becomes a match.

A signature is tried on a record only when the record holds one of its literal
keywords; then its condition tree is evaluated (named regex groups become the
match's fields, converted to their declared types), and finally attribution
refuses records whose context names something that is not AMR's.

Every regex search may be given a time limit (``timeout``, seconds): a search
that runs past it raises ``TimeoutError`` in the ``regex`` module, and the
signature is taken as not matching that record, so one hostile line cannot
stall a run on a pattern that backtracks catastrophically.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

import regex

from amr_logpatterns.analyse.attribution import attributed
from amr_logpatterns.analyse.compiling import CompiledCondition, CompiledSignature, KeywordIndex
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue, Match
from amr_logpatterns.packs.schema import Signature

_ATTRIBUTES = ("level", "logger", "caller", "encoding", "ts", "message")

#: Seconds one regex search may take before the signature is given up for the record.
DEFAULT_REGEX_TIMEOUT = 0.25


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

    def number(self, key: str) -> float | None:
        """A field as a number, when it is one (an int, a float or numeric text; not a bool)."""
        value = _lookup(self.record.fields, key)
        if isinstance(value, bool) or value is _MISSING:
            return None
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return None


_OPERATORS = {
    ">=": float.__ge__,
    "<=": float.__le__,
    ">": float.__gt__,
    "<": float.__lt__,
    "==": float.__eq__,
    "!=": float.__ne__,
}


def compare(value: float | None, op: str, number: float) -> bool:
    """Whether ``value`` stands in ``op`` to ``number`` (None: absent, or not a number)."""
    return value is not None and _OPERATORS[op](value, number)


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


def captured_groups(m: regex.Match[str]) -> dict[str, str]:
    """The named groups a regex match captured (those that took part in it)."""
    return {k: v for k, v in m.groupdict().items() if v is not None}


def evaluate(
    cond: CompiledCondition,
    view: RecordView,
    timeout: float | None = None,
    guard_from: int = 0,
) -> dict[str, str] | None:
    """Evaluate a condition tree; the captured groups when it holds, else None.

    Each search of a subject of ``guard_from`` characters or more may take
    ``timeout`` seconds (None: no limit); past it the ``regex`` module raises
    ``TimeoutError``, which propagates.
    """
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
        # positional: keyword arguments cost the regex module a third more per call
        limit = timeout if len(subject) >= guard_from else None
        m = pattern.search(subject, None, None, None, False, limit)
        if m is None:
            return None
        captured.update(captured_groups(m))
    for key, pattern in cond.fields:
        value = view.field(key)
        if value is None:
            return None
        limit = timeout if len(value) >= guard_from else None
        m = pattern.search(value, None, None, None, False, limit)
        if m is None:
            return None
        captured.update(captured_groups(m))
    for key, op, number in cond.compare:
        if not compare(view.number(key), op, number):
            return None
    for child in cond.all_:
        got = evaluate(child, view, timeout, guard_from)
        if got is None:
            return None
        captured.update(got)
    if cond.any_:
        for child in cond.any_:
            got = evaluate(child, view, timeout, guard_from)
            if got is not None:
                captured.update(got)
                break
        else:
            return None
    for child in cond.none:
        if evaluate(child, view, timeout, guard_from) is not None:
            return None
    for child in cond.optional:
        got = evaluate(child, view, timeout, guard_from)
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


def _evaluated(
    cs: CompiledSignature, view: RecordView, timeout: float | None
) -> dict[str, FieldValue] | None:
    captured = evaluate(cs.condition, view, timeout, cs.guard_from)
    if captured is None:
        return None
    types = cs.signature.types
    fields = record_values(cs.signature, view.record)
    fields.update((k, convert(v, types.get(k, "str"))) for k, v in captured.items())
    if not attributed(cs, view.record, fields):
        return None
    return fields


def record_values(sig: Signature, record: LogRecord) -> dict[str, FieldValue]:
    """The record's own fields a signature takes as they are (``record_fields``): scalars only."""
    out: dict[str, FieldValue] = {}
    for key in sig.record_fields:
        value = _lookup(record.fields, key)
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
    return out


def match_signatures(
    index: KeywordIndex,
    record: LogRecord,
    *,
    timeout: float | None = None,
    timed_out: list[str] | None = None,
    candidates: Collection[int] | None = None,
) -> list[tuple[CompiledSignature, dict[str, FieldValue]]]:
    """Every signature that matches the record, with the fields it extracted.

    ``candidates`` (indexes into ``index.signatures``), when given, are the only
    signatures that can match (stage 1 found their literals, and only theirs, on the
    record's line): of them, those whose keywords the record holds are evaluated, which
    are the ones the keyword index would have let through and could match.

    A signature whose search runs past ``timeout`` seconds does not match, and
    its id is appended to ``timed_out`` when the record holds one of its
    stage-1 literals. Without one no match was possible (every match holds
    one), so nothing was lost; and the fast path, which never reads such a
    line, counts the same.
    """
    if candidates is not None and not candidates:
        return []
    text = record.keyword_text
    if candidates is None:
        tried: set[int] = set()
        for keyword, owners in zip(index.keywords, index.owners, strict=True):
            if keyword in text:
                tried.update(owners)
    else:
        signatures = index.signatures
        tried = {i for i in candidates if any(k in text for k in signatures[i].keywords)}
    if not tried:
        return []
    view = RecordView(record)
    out = []
    for i in sorted(tried):
        cs = index.signatures[i]
        try:
            fields = _evaluated(cs, view, timeout)
        except TimeoutError:
            if timed_out is not None and any(lit in text for lit in cs.literals):
                timed_out.append(cs.signature.id)
            continue
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
        cut=record.cut,
    )
