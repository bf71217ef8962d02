"""A log shipper's or log store's JSON envelope around one record, on one line.

Docker's json-file driver and Fluent Bit (``{"log": ...}``), Fluentd and Vector
(``log``/``message`` with a ``kubernetes`` object), ``logcli --output jsonl``
(``line`` and ``labels``), ``stern --output json`` (``message``, ``podName``),
an Elasticsearch or OpenSearch hit (``_source.message``/``_source.log``), a
CloudWatch Logs event (``message``, ``logStreamName``), CloudWatch Logs
Insights (``@message``), an OpenTelemetry log record (``body.stringValue``):
each is a JSON object whose string field holds the record, escaped once more.

``open_envelope`` takes the object apart: the record, the labels that name its
pod, namespace and container, its time. The record may be an envelope again
(the wrapper stage peels until nothing changes), and may hold several lines.
An object that is a record itself (a zap line: ``level`` and ``msg``) is none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.metadata import capture_time, known_context
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.peel.rules import Peeling, Wrapper

#: Fields that hold the record, in the order they are tried: only envelopes use the
#: first ones; ``message`` and ``msg`` are also a record's own message field.
ENVELOPE_FIELDS = ("log", "line", "@message", "body", "textPayload", "MESSAGE")
MESSAGE_FIELDS = ("message", "msg")
#: Keys only an envelope has: where they stand, ``message`` holds a whole record.
ENVELOPE_KEYS = frozenset(
    (
        "kubernetes",
        "labels",
        "stream",
        "podName",
        "containerName",
        "nodeName",
        "logStreamName",
        "logGroupName",
        "ingestionTime",
        "eventId",
        "@timestamp",
        "source_type",
        "file",
        "attributes",
        "resource",
        "host",
        "agent",
        "_index",
    )
)
#: Keys a shipper adds to a record it parsed and kept whole (Fluent Bit's ``Merge_Log``):
#: with them, a record's ``log`` field is the original line.
SHIPPER_KEYS = ("kubernetes", "stream", "podName", "logStreamName", "labels")
#: A record's own level key: with ``msg``/``message`` and no envelope key, the object
#: is a record (zap, logrus, slog), not an envelope.
LEVEL_KEYS = frozenset(("level", "lvl", "severity", "L", "levelname"))
#: Where an envelope keeps its time, in the order they are tried.
TIME_KEYS = ("timestamp", "@timestamp", "time", "timeUnixNano", "observedTimeUnixNano", "date")
#: The hit of a search: the envelope is its ``_source``.
NESTED = ("_source",)

#: The keys whose lines stage 1 sends on whole (one is in every envelope above).
FRAMED_KEYS = (
    b"log",
    b"line",
    b"@message",
    b"textPayload",
    b"_source",
    b"kubernetes",
    b"podName",
    b"logStreamName",
    b"stringValue",
)
#: A JSON object line that may be an envelope: one of those keys, or another key only
#: envelopes have (which a record's own line may also hold, so stage 1 does not frame it).
ENVELOPE_HINT = re.compile(
    '"(?:'
    + "|".join(k.decode() for k in (*FRAMED_KEYS, b"body", b"MESSAGE", b"labels", b"stream"))
    + ')"\\s*:'
)
_DECODER = json.JSONDecoder()
#: How a logger's own JSON record opens (zap: ``{"level":``, ``{"ts":``; logr: ``{"L":``).
_RECORD_FIRST_KEY = re.compile(r'\{\s*"(?:level|ts|L|T)"\s*:')
#: What a record's first characters look like when it is one (a JSON object, a level
#: word in brackets, a date or a klog header): a ``message`` field holding it is an
#: envelope's even with no label beside it.
_RECORD_START = re.compile(
    r"^(?:\{|\[?(?:debug|info|warn(?:ing)?|error|fatal|panic)\]"
    r"|\d{4}[-/]\d\d[-/]\d\d|[IWEF]\d{4} )",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Opened:
    """What an envelope held: the record's text, the context its labels and time name,
    and Docker's ``P`` (partial: continued by the next entry) or ``F`` flag, if any."""

    text: str
    context: dict[str, str]
    flag: str = ""
    #: The field's text as the envelope held it (with the newline Docker keeps)
    raw: str = ""


def _string(value: object) -> str | None:
    """A field's text: a string, or OpenTelemetry's ``{"stringValue": ...}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("stringValue")
        if isinstance(inner, str):
            return inner
    return None


def _field(obj: dict[str, Any]) -> tuple[str, str] | None:
    """The field holding the record, and its text."""
    for key in ENVELOPE_FIELDS:
        text = _string(obj.get(key))
        if text is not None:
            return key, text
    for key in MESSAGE_FIELDS:  # (an object with a level of its own is a record: no field)
        text = _string(obj.get(key))
        if text is not None:
            if obj.keys() & ENVELOPE_KEYS or _RECORD_START.match(text.lstrip()):
                return key, text
            return None
    return None


def _is_record(obj: dict[str, Any]) -> bool:
    """A logger's own JSON record (a level and a message), whatever other fields it has
    (a ``body`` or ``line`` of its own)."""
    has_message = "msg" in obj or "message" in obj
    return has_message and any(k in obj for k in LEVEL_KEYS)


def envelope_context(obj: dict[str, Any]) -> dict[str, str]:
    """The pod, namespace, container and time an envelope's labels and keys name."""
    context = known_context(obj)
    stream = obj.get("logStreamName")
    if isinstance(stream, str) and "workload" not in context:
        # CloudWatch Container Insights and Fluent Bit name the stream after the node's
        # log file: ``...containers.POD_NAMESPACE_CONTAINER-ID.log``
        context.update(path_context("/" + stream.rsplit("containers.", 1)[-1]))
    attributes = obj.get("attributes")
    if isinstance(attributes, list):
        context = {**otel_attributes(attributes), **context}
    for key in TIME_KEYS:
        ts = capture_time(obj.get(key))
        if ts is not None:
            context["capture_ts"] = ts
            break
    return context


def otel_attributes(attributes: list[Any]) -> dict[str, str]:
    """OpenTelemetry's ``[{"key": "k8s.pod.name", "value": {"stringValue": ...}}]`` as context."""
    pairs = {
        a["key"]: _string(a.get("value"))
        for a in attributes
        if isinstance(a, dict) and isinstance(a.get("key"), str)
    }
    return known_context({k: v for k, v in pairs.items() if v is not None})


def open_envelope(obj: object, depth: int = 0) -> Opened | None:
    """The record an envelope object holds, with its context; None for any other object."""
    if not isinstance(obj, dict) or depth > 3:
        return None
    for key in NESTED:
        inner = obj.get(key)
        if isinstance(inner, dict):
            opened = open_envelope(inner, depth + 1)
            if opened is not None:
                return opened
    if _is_record(obj):
        # a shipper that parsed a record and merged its fields in (Fluent Bit's
        # ``Merge_Log``) keeps the original line in ``log``, next to its own keys
        log = obj.get("log")
        if not (isinstance(log, str) and any(k in obj for k in SHIPPER_KEYS)):
            return None
        found: tuple[str, str] | None = ("log", log)
    else:
        found = _field(obj)
    if found is None:
        return None
    key, text = found
    context = envelope_context(obj)
    flag = ""
    if key == "log" and isinstance(obj.get("stream"), str):
        # Docker and Fluent Bit keep the newline of a complete entry: none means the
        # kubelet split a long line, and the next entry continues it
        flag = "F" if text.endswith("\n") else "P"
    return Opened(text.rstrip("\r\n") if flag != "P" else text, context, flag, text)


def opens_like_record(text: str) -> bool:
    """Whether a JSON line opens as a logger's own record does (its level or time first):
    no envelope and no log store's answer opens so."""
    return _RECORD_FIRST_KEY.match(text) is not None


def may_be_envelope(text: str) -> bool:
    """Whether a line that starts like a JSON record may be an envelope around one."""
    if not text.startswith("{") or opens_like_record(text):
        return False
    return ENVELOPE_HINT.search(text) is not None


def parse_object(text: str) -> object | None:
    """The JSON value ``text`` is, whole; None when it is not JSON (or too deep)."""
    try:
        obj, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return None if text[end:].strip() else obj


def _removed(obj: dict[str, Any], opened: Opened) -> str:
    """The envelope without its record: what ``explain-line`` shows was peeled."""
    shown = json.dumps(obj, ensure_ascii=False)
    return shown.replace(json.dumps(opened.text, ensure_ascii=False)[1:-1], "…", 1)


def peel_envelope(text: str, peeling: Peeling) -> str | None:
    """The record a JSON envelope holds; its labels and time become context."""
    if not may_be_envelope(text):
        return None
    obj = parse_object(text)
    opened = open_envelope(obj)
    if opened is None or not isinstance(obj, dict) or (opened.flag and peeling.cri_flag):
        return None
    found = {k: v for k, v in opened.context.items() if k not in peeling.context}
    peeling.context.update(found)
    peeling.note("json-envelope", lambda: _removed(obj, opened), found)
    peeling.cri_flag = peeling.cri_flag or opened.flag
    return opened.text


WRAPPER = Wrapper(
    name="json-envelope",
    title="JSON envelope of a log shipper or log store",
    peel=peel_envelope,
    # the envelope escapes the record it holds, which hides its shape from stage 1:
    # such a line is read in full, with the two lines before it
    stage1=(
        Pattern(
            rb'"(?:' + b"|".join(FRAMED_KEYS) + rb')"[^\S\n]*:',
            frame=True,
            stdlib=tuple(rb'"' + key + rb'"[^\S\n]*:' for key in FRAMED_KEYS),
        ),
    ),
)
