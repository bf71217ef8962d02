"""zap's JSON encoder (the CloudEvent Handler, newer Observers) and similar JSON logs."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from amr_logpatterns.decode.base import normalise_level
from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.stage1 import Pattern

_DECODER = json.JSONDecoder()
_MESSAGE_KEYS = ("msg", "message", "M")
_LEVEL_KEYS = ("level", "severity", "lvl", "L")
_TS_KEYS = ("ts", "time", "timestamp", "@timestamp", "T")
_KNOWN = frozenset(
    (*_MESSAGE_KEYS, *_LEVEL_KEYS, *_TS_KEYS, "logger", "caller", "stacktrace", "N", "C", "S")
)


def _timestamp(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            # written as RFC 3339 with ``Z``, as every other time in a report is
            when = datetime.fromtimestamp(float(value), tz=timezone.utc)
            return when.isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return str(value)
    return None if value is None else str(value)


def _first(obj: dict[str, object], keys: tuple[str, ...]) -> object:
    for key in keys:
        if key in obj:
            return obj[key]
    return None


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _cut_string(text: str) -> str | None:
    """The start of a JSON string cut before its closing quote (``text`` opens with ``"``).

    A cut can fall inside an escape (``\\u00``); the few characters of one are dropped.
    """
    for drop in range(min(6, len(text))):
        try:
            value = _DECODER.decode(text[: len(text) - drop] + '"')
        except ValueError:
            continue
        return value if isinstance(value, str) else None
    return None


def _cut_object(text: str) -> dict[str, object]:
    """The members of a JSON object cut short, as far as they go.

    Each whole ``"key": value`` pair is kept; a string value cut short keeps the
    part before the cut (a message cut in its middle still says what it is
    about); a value cut inside a nested object or array is left out.
    """
    obj: dict[str, object] = {}
    at = _skip_space(text, 1)
    while at < len(text) and text[at] == '"':
        try:
            key, at = _DECODER.raw_decode(text, at)
        except ValueError:
            break
        at = _skip_space(text, at)
        if at >= len(text) or text[at] != ":":
            break
        at = _skip_space(text, at + 1)
        try:
            value, at = _DECODER.raw_decode(text, at)
        except (ValueError, RecursionError):
            if text[at : at + 1] == '"':
                partial = _cut_string(text[at:])
                if partial is not None:
                    obj[str(key)] = partial
            break
        obj[str(key)] = value
        at = _skip_space(text, at)
        if text[at : at + 1] != ",":
            break
        at = _skip_space(text, at + 1)
    return obj


def decode_cut(text: str) -> Decoded | None:
    """Decode a JSON log object cut at the line cap, as far as it goes.

    The fields before the cut (typically the level, the time and the message)
    are what signatures and the unknown-message count need; ``raw`` is the
    whole cut text.
    """
    if not text.startswith("{"):
        return None
    return _record(_cut_object(text), text, len(text))


def decode(text: str) -> Decoded | None:
    """Decode a JSON log object at the start of ``text``; anything after it is ``rest``."""
    if not text.startswith("{"):
        return None
    try:
        obj, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):  # deeply nested JSON is not a zap record
        return None
    if not isinstance(obj, dict):
        return None
    return _record(obj, text, end)


def _record(obj: dict[str, object], text: str, end: int) -> Decoded | None:
    """The record a decoded JSON object describes, when it looks like a log record."""
    message = _first(obj, _MESSAGE_KEYS)
    level = _first(obj, _LEVEL_KEYS)
    if message is None and level is None:
        return None
    logger = obj.get("logger", obj.get("N"))
    caller = obj.get("caller", obj.get("C"))
    return Decoded(
        encoding="zap-json",
        message="" if message is None else str(message).rstrip(),
        ts=_timestamp(_first(obj, _TS_KEYS)),
        level=None if level is None else normalise_level(str(level)),
        logger=None if logger is None else str(logger),
        caller=None if caller is None else str(caller),
        fields={k: v for k, v in obj.items() if k not in _KNOWN},
        raw=text[:end],
    )


#: A JSON level of one letter or ``err`` (spaces around it are stripped), or one written
#: with escapes, which the level literals cannot see (bounded: an unbounded scan to the
#: next quote costs Hyperscan a quarter of its speed).
STAGE1 = (
    Pattern(
        rb'"(?:level|severity|lvl|L)"[^\S\n]*:[^\S\n]*"'
        rb'(?:[^\S\n]*(?:[EeFfWw]|[Ee][Rr][Rr])[^\S\n]*"|[^"\n]{0,60}\\)'
    ),
)
