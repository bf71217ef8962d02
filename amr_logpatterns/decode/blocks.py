"""Group multi-line blocks: attach continuation lines to the record they belong to.

Two shapes span lines in AMR logs: a Go stack trace after a record (its frames
are evidence of that record, not records of their own), and the CloudEvent dump
the Observer prints (``sent: type: ...`` then ``source:``, ``id:``,
``Extensions:`` and ``map[...]``, or the SDK's ``Context Attributes,`` form),
which other records may interrupt. Records leave in the order of their first line.

A function frame joins a trace only when a file frame (``/path/file.go:123``)
follows it, so the decision never rests on more than the next line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.shapes import CE_SENT, FILE_FRAME, GOROUTINE, is_func_frame
from amr_logpatterns.models.stage1 import Pattern, literal_pattern

_CE_SDK_HEAD = re.compile(r"^(?:Validation: \w+|Context Attributes,)$")
_CE_ATTRIBUTE = re.compile(
    r"^(?P<key>source|id|time|specversion|datacontenttype|dataschema|subject|type|result)"
    r":\s*(?P<value>.*)$"
)
_CE_EXTENSIONS = re.compile(r"^Extensions[:,]?$")
_CE_MAP = re.compile(r"^map\[(?P<body>.*)\]$")
_CE_EXT_PAIR = re.compile(r"^(?P<key>[\w\-.]+):\s*(?P<value>.*)$")
_CE_DATA = re.compile(r"^Data,?$")

#: Blank lines and pasted markers in a row that a record's frames (or a CloudEvent dump)
#: may follow it across; after more, the record is complete (see ``RecordStream``).
MAX_QUIET_LINES = 16
_MAX_HELD = 8
_MAX_CE_LINES = 64
_MAX_FRAMES = 400


def _parse_map(body: str) -> dict[str, object]:
    pairs: dict[str, object] = {}
    for item in body.split():
        key, sep, value = item.partition(":")
        if sep:
            pairs[key] = value
    return pairs


@dataclass
class _CloudEvent:
    head: LogRecord
    fields: dict[str, object]
    lines: list[str] = field(default_factory=list)
    end: int = 0
    mode: str = "attributes"
    held: list[LogRecord] = field(default_factory=list)
    extensions: dict[str, object] = field(default_factory=dict)

    def take(self, record: LogRecord) -> bool:
        """Add a continuation line; False when the line is not part of the event."""
        text = record.message
        if record.encoding != "plain" or len(self.lines) >= _MAX_CE_LINES:
            return False
        if self.mode == "data":
            self._add(record)
            return True
        if _CE_EXTENSIONS.match(text):
            self.mode = "extensions"
        elif _CE_DATA.match(text):
            self.mode = "data"
        elif text == "Context Attributes,":
            self.mode = "attributes"
        elif m := _CE_MAP.match(text):
            self.extensions.update(_parse_map(m["body"]))
            self.mode = "closed"
        elif self.mode == "attributes" and (m := _CE_ATTRIBUTE.match(text)):
            self.fields[m["key"]] = m["value"]
        elif self.mode == "extensions" and (m := _CE_EXT_PAIR.match(text)):
            self.extensions[m["key"]] = m["value"]
        else:
            return False
        self._add(record)
        return True

    def _add(self, record: LogRecord) -> None:
        self.lines.append(record.raw)
        self.end = record.end_line

    def records(self) -> list[LogRecord]:
        fields = dict(self.fields)
        fields["extensions"] = dict(self.extensions)
        event = replace(
            self.head,
            encoding="cloudevent",
            end_line=max(self.end, self.head.end_line),
            fields=fields,
            continuation=tuple(self.lines),
        )
        return [event, *self.held]


def _open_cloud_event(record: LogRecord) -> _CloudEvent | None:
    if record.encoding != "plain":
        return None
    m = CE_SENT.match(record.message)
    if m:
        fields: dict[str, object] = {"type": m["type"]}
        if m["result"] is not None:
            fields["result"] = m["result"].rstrip(":").strip()
        return _CloudEvent(head=record, fields=fields)
    if _CE_SDK_HEAD.match(record.message):
        return _CloudEvent(head=record, fields={})
    return None


def _frame_kind(record: LogRecord) -> str:
    """'file', 'goroutine', 'func' or '' for a record that is not a stack frame."""
    if record.encoding != "plain":
        return ""
    text = record.message
    if FILE_FRAME.match(text):
        return "file"
    if GOROUTINE.match(text):
        return "goroutine"
    return "func" if is_func_frame(text) else ""


class Grouper:
    """Push records in, get grouped records out; ``flush`` at the end or at a gap."""

    def __init__(self) -> None:
        self.head: LogRecord | None = None
        self.frames: list[str] = []
        self.frames_end = 0
        self.pending_func: LogRecord | None = None
        self.event: _CloudEvent | None = None

    @property
    def idle(self) -> bool:
        """No CloudEvent dump is open: the next line may be skipped without loss."""
        return self.event is None

    def _flush_head(self) -> list[LogRecord]:
        out: list[LogRecord] = []
        if self.head is not None:
            if self.frames:
                out.append(
                    replace(
                        self.head,
                        end_line=max(self.frames_end, self.head.end_line),
                        continuation=(*self.head.continuation, *self.frames),
                    )
                )
            else:
                out.append(self.head)
        if self.pending_func is not None:
            out.append(self.pending_func)
        self.head, self.frames, self.pending_func = None, [], None
        return out

    def push(self, record: LogRecord) -> list[LogRecord]:
        """Take one record; return the records that are complete now."""
        out: list[LogRecord] = []
        if self.event is not None:
            if self.event.mode != "closed" and self.event.take(record):
                return out
            if (
                self.event.mode != "closed"
                and record.encoding != "plain"
                and len(self.event.held) < _MAX_HELD
            ):
                self.event.held.append(record)
                return out
            out += self.event.records()
            self.event = None
        kind = _frame_kind(record)
        if self.head is not None and kind and len(self.frames) < _MAX_FRAMES:
            if self.pending_func is not None:
                if kind == "file":
                    self.frames += [self.pending_func.raw, record.raw]
                    self.frames_end = record.end_line
                    self.pending_func = None
                    return out
            elif kind == "func":
                self.pending_func = record
                return out
            elif kind == "goroutine" or (kind == "file" and self.frames):
                self.frames.append(record.raw)
                self.frames_end = record.end_line
                return out
        out += self._flush_head()
        self.event = _open_cloud_event(record)
        if self.event is None:
            if kind:
                out.append(record)
            else:
                self.head = record
        return out

    def flush(self) -> list[LogRecord]:
        """Emit everything still held."""
        out = self._flush_head()
        if self.event is not None:
            out += self.event.records()
            self.event = None
        return out


def group(records: Iterable[LogRecord]) -> Iterator[LogRecord]:
    """Attach stack frames and CloudEvent dump lines to their head records."""
    grouper = Grouper()
    for record in records:
        yield from grouper.push(record)
    yield from grouper.flush()


#: CloudEvent dumps (read on while open; a ``--jobs`` cut keeps away) and Go stack frames
#: (each needs the two lines before it, the record the trace belongs to).
STAGE1 = (
    *(
        literal_pattern(t, boundary=True)
        for t in (b"sent:", b"Context Attributes,", b"Validation: ")
    ),
    Pattern(rb"\.(?:go|s):\d+(?: \+0x[0-9a-f]+)?[ \t\r]*$", multiline=True, frame=True),
    Pattern(rb"goroutine \d+ \[", frame=True),
    literal_pattern(b"created by ", frame=True),
)
