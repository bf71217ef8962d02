"""Group multi-line blocks: attach continuation lines to the record they belong to.

Two shapes span lines in AMR logs: a Go stack trace after a record (its frames
are evidence of that record, not records of their own), and the CloudEvent dump
the Observer prints (``sent: type: ...`` then ``source:``, ``id:``,
``Extensions:`` and ``map[...]``, or the SDK's ``Context Attributes,`` form),
which other records may interrupt. Records leave in the order of their first line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from .records import LogRecord

_FUNC_FRAME = re.compile(
    r"^(?:created by )?(?:[\w.\-~%]+/)*[\w\-~%]+(?:\.[\w\-~%]+)*"
    r"\.(?:\(\*?[\w.\[\],\- ]+\)\.)?[\w\[\]\-]+(?:\.[\w\[\]\-]+)*"
    r"(?:\([^)]*\))?(?: in goroutine \d+)?$"
)
_FILE_FRAME = re.compile(r"^[\w.\-/@~%+]*\.(?:go|s):\d+(?: \+0x[0-9a-f]+)?$")
_GOROUTINE = re.compile(r"^goroutine \d+ \[[^\]]*\]:$")

_CE_SENT = re.compile(r"^(?:result:\s*(?P<result>.*?):?\s+)?sent:\s*type:\s*(?P<type>\S+)\s*$")
_CE_SDK_HEAD = re.compile(r"^(?:Validation: \w+|Context Attributes,)$")
_CE_ATTRIBUTE = re.compile(
    r"^(?P<key>source|id|time|specversion|datacontenttype|dataschema|subject|type|result)"
    r":\s*(?P<value>.*)$"
)
_CE_EXTENSIONS = re.compile(r"^Extensions[:,]?$")
_CE_MAP = re.compile(r"^map\[(?P<body>.*)\]$")
_CE_EXT_PAIR = re.compile(r"^(?P<key>[\w\-.]+):\s*(?P<value>.*)$")
_CE_DATA = re.compile(r"^Data,?$")

_MAX_HELD = 8
_MAX_CE_LINES = 64
_MAX_FRAMES = 400


def is_frame(message: str, first: bool) -> bool:
    """Whether a plain line is a Go stack frame (the first one must be a function)."""
    if _GOROUTINE.match(message):
        return True
    if not first and _FILE_FRAME.match(message):
        return True
    return bool(_FUNC_FRAME.match(message)) and " " not in message.replace("created by ", "", 1)


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

    def records(self) -> Iterator[LogRecord]:
        fields = dict(self.fields)
        fields["extensions"] = dict(self.extensions)
        yield replace(
            self.head,
            encoding="cloudevent",
            end_line=max(self.end, self.head.end_line),
            fields=fields,
            continuation=tuple(self.lines),
        )
        yield from self.held


def _open_cloud_event(record: LogRecord) -> _CloudEvent | None:
    if record.encoding != "plain":
        return None
    m = _CE_SENT.match(record.message)
    if m:
        fields: dict[str, object] = {"type": m["type"]}
        if m["result"] is not None:
            fields["result"] = m["result"].rstrip(":").strip()
        return _CloudEvent(head=record, fields=fields)
    if _CE_SDK_HEAD.match(record.message):
        return _CloudEvent(head=record, fields={})
    return None


def group(records: Iterable[LogRecord]) -> Iterator[LogRecord]:
    """Attach stack frames and CloudEvent dump lines to their head records."""
    head: LogRecord | None = None
    frames: list[str] = []
    frames_end = 0
    event: _CloudEvent | None = None

    def flush_head() -> Iterator[LogRecord]:
        nonlocal head, frames
        if head is not None:
            if frames:
                yield replace(
                    head,
                    end_line=max(frames_end, head.end_line),
                    continuation=(*head.continuation, *frames),
                )
            else:
                yield head
        head, frames = None, []

    for record in records:
        if event is not None:
            if event.mode != "closed" and event.take(record):
                continue
            if (
                event.mode != "closed"
                and record.encoding != "plain"
                and len(event.held) < _MAX_HELD
            ):
                event.held.append(record)
                continue
            yield from event.records()
            event = None
        if (
            head is not None
            and record.encoding == "plain"
            and len(frames) < _MAX_FRAMES
            and is_frame(record.message, first=not frames)
        ):
            frames.append(record.raw)
            frames_end = record.end_line
            continue
        yield from flush_head()
        event = _open_cloud_event(record)
        if event is None:
            stray_frame = record.encoding == "plain" and is_frame(record.message, first=False)
            if stray_frame:
                yield record
            else:
                head = record
    yield from flush_head()
    if event is not None:
        yield from event.records()
