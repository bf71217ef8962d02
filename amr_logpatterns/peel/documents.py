"""Whole JSON documents a log store answers a query with, as the records they hold.

The Loki API (``query_range``, ``query``, and the push format: ``streams`` of
label sets and ``[time, line]`` values), an Elasticsearch or OpenSearch search
(``hits.hits[]._source``, ``_msearch``'s ``responses``), CloudWatch Logs
(``filter-log-events`` and ``get-log-events``: ``events[]``; Logs Insights'
``get-query-results``: rows of ``field``/``value`` pairs), OpenTelemetry's
OTLP/JSON (``resourceLogs[].scopeLogs[].logRecords[]``, the resource's
attributes naming the pod), and a JSON array of envelope objects (an export).

A document may be one line (``curl``'s output) or pretty-printed over many
(``jq``, the AWS CLI); ``document_buffer.DocumentBuffer`` collects the second kind
while its brackets are open. Each record keeps the labels and time of its envelope; they
come out in time order when every record has a time (Loki answers newest first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.document_buffer import DOCUMENT_KEYS, JSON_STRING
from amr_logpatterns.peel.envelope import (
    Opened,
    open_envelope,
    opens_like_record,
    otel_attributes,
    parse_object,
)
from amr_logpatterns.peel.metadata import capture_time, known_context

#: A key of a log store's answer, near the start of a line that is one.
_DOCUMENT_HINT = re.compile(
    r'"(?:resultType|streams|hits|responses|events|results|resourceLogs)"\s*:'
)
_HINT_REACH = 512


@dataclass(frozen=True)
class Record:
    """One record of a document: its text and what its envelope names."""

    text: str
    context: dict[str, str]
    #: The text as the document wrote it, unescaped (where its evidence is looked for)
    raw: str = ""


def _loki(streams: list[Any]) -> Iterator[Record]:
    for stream in streams:
        if not isinstance(stream, dict):
            continue
        labels = stream.get("stream") or stream.get("labels") or {}
        context = known_context(labels) if isinstance(labels, dict) else {}
        for value in stream.get("values") or ():
            if isinstance(value, list) and len(value) >= 2 and isinstance(value[1], str):
                ts = capture_time(value[0])
                at = {"capture_ts": ts} if ts else {}
                yield Record(value[1], {**context, **at}, value[1])


def _opened(obj: object, outer: dict[str, str] | None = None) -> Record | None:
    opened: Opened | None = open_envelope(obj)
    if opened is None:
        return None
    return Record(opened.text, {**(outer or {}), **opened.context}, opened.raw)


def _search(response: dict[str, Any]) -> Iterator[Record]:
    hits = response.get("hits")
    for hit in hits.get("hits") or () if isinstance(hits, dict) else ():
        record = _opened(hit)
        if record is not None:
            yield record


def _insights(rows: list[Any]) -> Iterator[Record]:
    for row in rows:
        if isinstance(row, list):
            pairs = {
                p["field"]: p.get("value")
                for p in row
                if isinstance(p, dict) and isinstance(p.get("field"), str)
            }
            record = _opened(pairs)
            if record is not None:
                yield record


def _otlp(resource_logs: list[Any]) -> Iterator[Record]:
    for resource_log in resource_logs:
        if not isinstance(resource_log, dict):
            continue
        resource = resource_log.get("resource") or {}
        attributes = resource.get("attributes") if isinstance(resource, dict) else None
        outer = otel_attributes(attributes) if isinstance(attributes, list) else {}
        scopes = resource_log.get("scopeLogs") or resource_log.get("instrumentationLibraryLogs")
        for scope in scopes or ():
            if not isinstance(scope, dict):
                continue
            for log_record in scope.get("logRecords") or ():
                record = _opened(log_record, outer)
                if record is not None:
                    yield record


def document_records(doc: object) -> list[Record] | None:
    """The records a log store's answer holds; None when ``doc`` is no such answer."""
    found: list[Record] | None = None
    if isinstance(doc, list):
        records = [r for r in (_opened(item) for item in doc) if r is not None]
        found = records if records and len(records) == len(doc) else None
    elif isinstance(doc, dict):
        data = doc.get("data")
        if isinstance(data, dict) and isinstance(data.get("result"), list):
            found = list(_loki(data["result"])) if data.get("resultType") == "streams" else None
        elif isinstance(doc.get("streams"), list):
            found = list(_loki(doc["streams"]))
        elif isinstance(doc.get("hits"), dict):
            found = list(_search(doc))
        elif isinstance(doc.get("responses"), list):
            responses = [resp for resp in doc["responses"] if isinstance(resp, dict)]
            found = [r for resp in responses for r in _search(resp)]
        elif isinstance(doc.get("events"), list):
            found = [r for r in (_opened(e) for e in doc["events"]) if r is not None]
        elif isinstance(doc.get("results"), list):
            found = list(_insights(doc["results"]))
        elif isinstance(doc.get("resourceLogs"), list):
            found = list(_otlp(doc["resourceLogs"]))
    return found


_DECODER = json.JSONDecoder()
_LOKI_STREAM = re.compile(r'"stream"\s*:\s*')
_LOKI_VALUES = re.compile(r'\s*,\s*"values"\s*:\s*\[')
_RECORD_ARRAY = re.compile(r'"(?:hits|events|logRecords)"\s*:\s*\[')
_OTLP_RESOURCE = re.compile(r'"resource"\s*:\s*')
_SEPARATOR = re.compile(r"\s*,?\s*")


def _items(text: str, at: int) -> Iterator[object]:
    """The complete values of the array that opens before ``at``, up to its end or to
    where the text was cut."""
    while True:
        at = _SEPARATOR.match(text, at).end()  # type: ignore[union-attr]
        if at >= len(text) or text[at] == "]":
            return
        try:
            value, at = _DECODER.raw_decode(text, at)
        except (ValueError, RecursionError):
            return
        yield value


def _decoded(text: str, at: int) -> tuple[object, int] | None:
    try:
        return _DECODER.raw_decode(text, at)
    except (ValueError, RecursionError):
        return None


def salvaged_records(text: str) -> list[Record]:
    """The complete records at the start of a one-line answer that was cut at the line
    cap (Loki's streams, a search's hits, CloudWatch events, OTLP log records)."""
    found: list[Record] = []
    for m in _LOKI_STREAM.finditer(text):
        labels = _decoded(text, m.end())
        if labels is None or not isinstance(labels[0], dict):
            continue
        values = _LOKI_VALUES.match(text, labels[1])
        if values is not None:
            found += _loki([{"stream": labels[0], "values": list(_items(text, values.end()))}])
    if found:
        return found
    resources = [(m.start(), _decoded(text, m.end())) for m in _OTLP_RESOURCE.finditer(text)]
    for m in _RECORD_ARRAY.finditer(text):
        outer: dict[str, str] = {}
        for start, decoded in resources:
            if start < m.start() and decoded is not None and isinstance(decoded[0], dict):
                attributes = decoded[0].get("attributes")
                if isinstance(attributes, list):
                    outer = otel_attributes(attributes)
        found += [r for r in (_opened(v, outer) for v in _items(text, m.end())) if r is not None]
    return found


def in_time_order(placed: list[Placed]) -> list[Placed]:
    """The records oldest first when each has a time (Loki answers newest first)."""
    if all("capture_ts" in p.record.context for p in placed):
        return sorted(placed, key=lambda p: p.record.context["capture_ts"])
    return placed


def one_line_document(text: str) -> list[Record] | None:
    """The records of a document that is this one line, if it is one."""
    if not text.startswith(("{", "[")):
        return None
    if text.startswith("{") and (
        opens_like_record(text) or _DOCUMENT_HINT.search(text, 0, _HINT_REACH) is None
    ):
        return None
    doc = parse_object(text)
    if isinstance(doc, dict) and not (doc.keys() & DOCUMENT_KEYS):
        return None
    return document_records(doc)


@dataclass(frozen=True)
class Placed:
    """A record of a pretty-printed document and the lines that hold it: the line of its
    text, or the whole document when its text is not found as written there."""

    line: int
    end: int
    record: Record


def buffered_records(lines: list[tuple[int, str]]) -> list[Placed] | None:
    """Each record of a collected document (its numbered lines, peeled of colour, quotes
    and indentation) with the lines its text stands on, oldest first; None when it is no
    log store's answer (or no JSON)."""
    found = document_records(parse_object("\n".join(t for _, t in lines)))
    if found is None:
        return None
    return in_time_order(list(_placed(found, lines)))


def _placed(records: list[Record], lines: list[tuple[int, str]]) -> Iterator[Placed]:
    index: dict[str, list[int]] = {}
    for number, text in lines:
        for string in JSON_STRING.findall(text):
            index.setdefault(string, []).append(number)
    first, last = lines[0][0], lines[-1][0]
    for record in records:
        raw = record.raw or record.text
        for escaped in (json.dumps(raw), json.dumps(raw, ensure_ascii=False)):
            numbers = index.get(escaped)
            if numbers:
                number = numbers.pop(0) if len(numbers) > 1 else numbers[0]
                yield Placed(number, number, record)
                break
        else:
            yield Placed(first, last, record)


#: A line that may open a pretty-printed document: the fast path reads it, and on while it is
#: open; a ``--jobs`` cut keeps away from it (every record of a pretty-printed answer opens
#: with one, so no piece starts inside a document). The standard library's engine looks for
#: a line that ends in the bracket, which ``re`` finds fast, and flags a few lines more.
STAGE1 = (
    Pattern(
        rb"^[ \t]*[\[{][ \t]*\r?$",
        multiline=True,
        boundary=True,
        stdlib=(rb"(?m)\{[ \t]*\r?$", rb"(?m)\[[ \t]*\r?$"),
    ),
)
