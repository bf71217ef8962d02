"""zap's console encoder: time, level, logger, caller, message, JSON fields.

Real output separates fields with TABs; documentation and pastes often show
runs of spaces instead, so both are read.
"""

from __future__ import annotations

import json
import re

from amr_logpatterns.decode.base import normalise_level
from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.shapes import ZAP_TIME_AND_LEVEL

_HEAD = re.compile(r"^" + ZAP_TIME_AND_LEVEL + r"(?:[\t ]+|$)")
#: A ``{`` after a TAB, two spaces, or one space when a key follows (lookbehinds: a long
#: run of spaces costs one step per space, not one per pair of them)
_JSON_OPEN = re.compile(r"(?:(?<=\t)|(?<=  )|(?<= )(?=\{\"))\{")
_LOGGER = re.compile(r"^[A-Za-z_][\w.\-/]*$")
_LOWER_LOGGER = re.compile(r"^[a-z][\w\-]*(?:\.[\w\-]+)*$")
_CALLER = re.compile(r"^[\w.\-/]+\.go:\d+$")
_DECODER = json.JSONDecoder()
_MAX_STARTS = 16


def _trailing_fields(rest: str) -> tuple[str, dict[str, object] | None]:
    """Split off the JSON object of fields that zap appends after the message.

    The returned head keeps the separator before the object, which tells an
    empty message slot apart from a missing one.
    """
    if not rest.endswith("}"):
        return rest, None
    starts = [m.end() - 1 for m in _JSON_OPEN.finditer(rest)]
    if rest.startswith("{"):
        starts.insert(0, 0)
    if len(starts) > 2 * _MAX_STARTS:
        # a failed parse costs time in proportion to its offset (the error's position),
        # so a line of many openings would take quadratic time: try the first openings
        # (the object is the earliest that parses) and the last (a message full of them)
        starts = starts[:_MAX_STARTS] + starts[-_MAX_STARTS:]
    for start in starts:
        try:
            obj, end = _DECODER.raw_decode(rest, start)
        except (ValueError, RecursionError):  # deeply nested JSON is no field object
            continue
        if isinstance(obj, dict) and not rest[end:].strip():
            return rest[:start], obj
    return rest, None


def _split(head: str, had_fields: bool, single_spaced: bool) -> tuple[list[str], bool]:
    """Split the logger/caller/message part; True when the message slot is empty."""
    if "\t" in head:
        if had_fields and head.endswith("\t"):
            head = head[:-1]
        parts = head.split("\t")
        empty = len(parts) >= 2 and not parts[-1].strip()
        return [p.strip() for p in parts if p.strip()], empty
    trailing = len(head) - len(head.rstrip(" "))
    stripped = head.strip()
    if single_spaced:
        return _split_single_spaced(stripped, had_fields)
    parts = [p for p in re.split(r" {2,}", stripped) if p]
    return parts, had_fields and trailing >= 4 and bool(parts)


def _split_single_spaced(head: str, had_fields: bool) -> tuple[list[str], bool]:
    """Single spaces between fields (TABs lost in a copy): a lower-case first word is the logger."""
    words = head.split(" ") if head else []
    if not words or not _LOWER_LOGGER.match(words[0]):
        return ([head] if head else []), False
    if len(words) == 1:
        return words, had_fields
    caller = [words.pop(1)] if len(words) > 2 and _CALLER.match(words[1]) else []
    return [words[0], *caller, " ".join(words[1:])], False


def decode(text: str) -> Decoded | None:
    """Decode a zap console line."""
    m = _HEAD.match(text)
    if m is None:
        return None
    head, fields = _trailing_fields(text[m.end() :])
    single_spaced = text[m.end("ts") : m.start("level")] == " "
    parts, empty_message = _split(head, fields is not None, single_spaced)
    logger = caller = None
    message = parts.pop() if parts and not empty_message else ""
    if parts and _LOGGER.match(parts[0]) and not _CALLER.match(parts[0]):
        logger = parts.pop(0)
    if parts and _CALLER.match(parts[0]):
        caller = parts.pop(0)
    if parts:
        message = "  ".join((*parts, message)) if message else "  ".join(parts)
    return Decoded(
        encoding="zap-console",
        message=message.strip(),
        ts=m["ts"],
        level=normalise_level(m["level"]),
        logger=logger,
        caller=caller,
        fields=fields or {},
        raw=text,
    )
