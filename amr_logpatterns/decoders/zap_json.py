"""zap's JSON encoder (the CloudEvent Handler, newer Observers) and similar JSON logs."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from .base import Decoded, normalise_level

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
            return datetime.fromtimestamp(float(value), tz=timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            return str(value)
    return None if value is None else str(value)


def _first(obj: dict[str, object], keys: tuple[str, ...]) -> object:
    for key in keys:
        if key in obj:
            return obj[key]
    return None


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
        rest=text[end:].strip(),
    )
