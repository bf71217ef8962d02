"""The lines a draft is tried on: the record seen, others with other values, and near misses.

The variants are written as zap JSON records, which every decoder reads the
same, so a near miss differs from a match only where the draft is meant to
tell them apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from amr_logpatterns.authoring.draft_shape import WORD, Shape
from amr_logpatterns.models.results import UnknownTemplate

_TS = ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z")
_MAX_OTHER = 1000


def _rotate(ch: str, kind: str) -> str:
    if ch.isdigit():
        return str((int(ch) + 1) % 10)
    if kind in ("uuid", "hex", "ip"):
        base = "a" if ch.islower() else "A"
        return chr(ord(base) + (ord(ch.lower()) - ord("a") + 1) % 6)
    base = "a" if ch.islower() else "A"
    return chr(ord(base) + (ord(ch.lower()) - ord("a") + 1) % 26)


def _vary(value: str, kind: str) -> str:
    """Another value of the same kind: one letter or digit moved on, ``-2`` after a string."""
    if kind == "val":
        return "false" if value == "true" else "true"
    if kind == "str":
        return f"{value}-2" if value else "other"
    for i, ch in enumerate(value):
        if ch.isascii() and ch.isalnum():
            return value[:i] + _rotate(ch, kind) + value[i + 1 :]
    return value + "x"


def _line(level: str, message: str, field: tuple[str, str] | None, ts: str = _TS[0]) -> str:
    """A zap JSON record: every decoder reads it the same, whatever its message holds."""
    obj: dict[str, str] = {"level": level, "ts": ts, "msg": message}
    if field is not None:
        obj[field[0]] = field[1]
    return json.dumps(obj, ensure_ascii=False)


def _render(t: UnknownTemplate, shape: Shape, values: Mapping[str, str], ts: str = _TS[0]) -> str:
    message = "" if shape.message is None else shape.message.render(values)
    field = None if shape.field is None else (shape.field[0], shape.field[1].render(values))
    return _line(t.level, message, field, ts)


def match_candidates(t: UnknownTemplate, shape: Shape) -> list[str]:
    """Lines the draft must match, best first."""
    values = shape.values
    varied = {k: _vary(v, shape.kind_of(k)) for k, v in values.items()}
    # the record as seen, then one with other values; the rest stand in when those fail
    candidates = [t.example, _render(t, shape, varied), _render(t, shape, values)]
    candidates.append(_render(t, shape, values, ts=_TS[1]))
    return candidates


def no_match_candidates(
    t: UnknownTemplate, shape: Shape, values: Mapping[str, str], others: Sequence[str]
) -> list[str]:
    """Another template's example, then the record with one literal word changed."""
    out = [o for o in others if o != t.example and "\n" not in o and len(o) <= _MAX_OTHER][:1]
    words = sorted(
        {w for text in shape.literals() for w in WORD.findall(text)}, key=lambda w: (-len(w), w)
    )
    for word in words:
        changed = word.swapcase()
        message = "" if shape.message is None else shape.message.render(values)
        field = None if shape.field is None else shape.field[1].render(values)
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
        if word in message:
            message = pattern.sub(changed, message, count=1)
        elif field is not None:
            field = pattern.sub(changed, field, count=1)
        key = None if shape.field is None or field is None else (shape.field[0], field)
        out.append(_line(t.level, message, key))
    if shape.message is not None and not shape.message.clipped:
        out.append(_line(t.level, shape.message.render(values) + " but differently", None))
    return out
