"""How a record was read, for the report: its format, fields, and who named each context value.

A context value (a pod, a namespace) may come from a wrapper on one of the
record's lines, from the record itself, from a describe header or a pasted
command before it, or from the source's path: the answer names that line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import JsonValue

from amr_logpatterns.explain.quoting import quoted, show
from amr_logpatterns.explain.replay import Run, Traced
from amr_logpatterns.explain.results import ContextEntry, PhysicalLine, RecordReading
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.peel.registry import TITLES

_FORMATS = {
    "zap-json": "zap JSON",
    "zap-console": "zap console",
    "klog": "klog",
    "golog": "Go standard log",
    "event": "Kubernetes event row",
    "cloudevent": "the Observer's CloudEvent dump",
    "plain": "plain text (no decoder recognised a record shape)",
}


#: Who names the pod when the record itself does (not a wrapper or the paste around it).
_RECORD_ORIGINS = {
    "event": "the event row",
    "pod": "the pod's row or description",
    "container": "the pod's description",
    "pod-conditions": "the pod's description",
    "top": "the kubectl top row",
    "kernel": "the pod the kernel line is linked to (by container id, pod UID or process name)",
    "klog": "the kubelet line's pod= field",
}


def _json_fields(fields: Mapping[str, object]) -> dict[str, JsonValue]:
    """A record's fields as plain JSON values, so the explanation serialises."""
    out: dict[str, JsonValue] = json.loads(json.dumps(dict(fields), default=str))
    return out


def physical_line(number: int, traced: Traced, run: Run) -> PhysicalLine:
    """One explained physical line; where the trace and the reader disagree, the reader wins."""
    reading, peel = traced.reading, traced.peel
    notes = list(traced.notes)
    text = peel.text
    kind = peel.kind
    line = next((s for s in run.stream.seen if s.number <= number <= s.last), None)
    if peel.joined_partial:
        notes.append("completes the CRI partial entry of the line before it")
    if kind == "partial":
        notes.append("a CRI partial entry (P): its record continues on the next line")
    elif line is not None and kind == "text" and line.last != line.number and number == line.number:
        notes.append(f"a wrapped record: joined with the lines up to {line.last}")
    elif line is not None and kind == "text" and line.number != number and not peel.joined_partial:
        notes.append(f"continues the wrapped record that starts on line {line.number}")
    if traced.enveloped and line is not None:
        text, kind = line.text, line.kind
    elif (
        line is not None
        and line.number == line.last == number
        and (line.text != text or line.kind != kind)
    ):
        notes.append(
            "the wrapper trace disagrees with the reader; the reader took the line as "
            f"{line.kind}: {show(line.text)}"
        )
        text, kind = line.text, line.kind
    if reading.truncated:
        notes.append(f"longer than {run.max_line_length} characters: cut there for matching")
    return PhysicalLine(
        number=number,
        original=reading.original,
        kind=kind,
        marker=peel.marker,
        encoding=reading.encoding,
        invalid_bytes=reading.invalid,
        bom=reading.bom,
        crlf=reading.crlf,
        has_nul=reading.has_nul,
        truncated=reading.truncated,
        wrappers=peel.wrappers,
        text=text,
        notes=notes,
    )


def context_origin(key: str, value: str, record: LogRecord, run: Run) -> str:
    """Who named a context value, checked in the order ``peel`` and the decoders let them win."""
    if key == "scope":
        return "the kernel's line itself: nothing earlier in the input links it to a pod"
    line = next((s for s in run.stream.seen if s.number == record.line), None)
    if line is not None and line.context.get(key) != value:
        return _RECORD_ORIGINS.get(record.encoding, "the record itself")
    for number in range(record.end_line, record.line - 1, -1):
        traced = run.traced.get(number)
        wrappers = [] if traced is None else traced.peel.wrappers
        for peeled in reversed(wrappers):
            if peeled.context.get(key) == value:
                name = TITLES[peeled.name]
                return f"the {name} {quoted(peeled.removed.strip(), 100)} on line {number}"
    traced = run.traced.get(record.line)
    if traced is not None and traced.enveloped:
        return f"the envelope of the record on line {record.line} (a log store's labels and time)"
    origins = run.origins_at(record.line)
    if key in origins.describe:
        return origins.describe[key]
    if origins.session is not None and origins.values.get(key) == value:
        return origins.session
    return f"a wrapper on line {record.line}"


def record_reading(record: LogRecord, run: Run) -> RecordReading:
    """The record as the report shows it, each context value with its origin."""
    context = [
        ContextEntry(key=k, value=v, origin=context_origin(k, v, record, run))
        for k, v in record.context.items()
    ]
    return RecordReading(
        line=record.line,
        end_line=record.end_line,
        format=record.encoding,
        format_description=_FORMATS.get(record.encoding, record.encoding),
        level=record.level,
        logger=record.logger,
        caller=record.caller,
        ts=record.ts,
        message=record.message,
        fields=_json_fields(record.fields),
        context=context,
        raw=record.raw,
        continuation=list(record.continuation),
    )
