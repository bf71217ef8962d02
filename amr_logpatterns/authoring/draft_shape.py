"""What a draft signature matches: an unknown template read back into literal text and slots.

The record's message and its error field (or, when the example does not read
back to the template, the template's own text) become parts: literal text
escaped only where a regex needs it, every masked value a named group called
after its key, so a draft's regex reads like the line it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from amr_logpatterns.analyse.templates import (
    CLIP_MARK,
    ERROR_FIELDS,
    FIELD_SEPARATOR,
    KIND_PATTERNS,
    PLACEHOLDER,
    STR_PATTERNS,
    Masker,
    Segment,
    error_field,
    segments,
)
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import UnknownTemplate

_META = frozenset(".^$*+?{}[]\\|()")
_KEY_BEFORE = re.compile(
    r"""(?:(?P<kv>[A-Za-z_][\w.\-]*)=["']?|"(?P<json>[^"\\\n]{1,64})"[^\S\n]*:[^\S\n]*"?)$"""
)
#: A word of a template's literal text: what keywords and near misses are made of.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")
_SAMPLES = {
    "ts": "2024-05-01T10:00:00Z",
    "uuid": "3f2c9a1b-7d4e-4f60-9a1b-7d4e5f603f2c",
    "ip": "10.0.0.1",
    "hex": "3f2c9a1b7d4e5f60",
    "b64": "QmFzZTY0VG9rZW5FeGFtcGxlMDEyMw",
    "dur": "5s",
    "num": "42",
    "val": "true",
    "str": "value",
}


@dataclass(frozen=True)
class Slot:
    """A masked value in a draft's regex: its group name and what it matches."""

    kind: str
    name: str
    pattern: str


Piece = str | Slot


@dataclass(frozen=True)
class Part:
    """One matched text of a draft (the message, or a field), as literal text and slots."""

    segments: tuple[Piece, ...]
    clipped: bool

    @property
    def slots(self) -> list[Slot]:
        return [s for s in self.segments if isinstance(s, Slot)]

    def regex(self) -> str:
        body = "".join(
            f"(?P<{s.name}>{s.pattern})" if isinstance(s, Slot) else _escape(s)
            for s in self.segments
        )
        return "^" + body + ("" if self.clipped else "$")

    def literals(self) -> list[str]:
        return [s for s in self.segments if isinstance(s, str)]

    def render(self, values: Mapping[str, str]) -> str:
        """The text with these values in its slots."""
        return "".join(values[s.name] if isinstance(s, Slot) else s for s in self.segments)


def _escape(text: str) -> str:
    """Escape only what is special in a regex, so drafts stay readable."""
    out = []
    for ch in text:
        if ch in _META:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append(r"\n")
        elif ch == "\t":
            out.append(r"\t")
        elif not ch.isprintable():
            code = ord(ch)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(ch)
    return "".join(out)


def _group_name(kind: str, before: str, taken: set[str]) -> str:
    """A group named after the key the value belongs to, else after its kind (``num1``)."""
    m = _KEY_BEFORE.search(before)
    base = ""
    if m is not None:
        base = re.sub(r"[^a-z0-9_]+", "_", (m["kv"] or m["json"]).lower()).strip("_")
        if base and not base[0].isalpha():
            base = f"{kind}_{base}"
    if base:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
    else:
        n = 1
        while f"{kind}{n}" in taken:
            n += 1
        name = f"{kind}{n}"
    taken.add(name)
    return name


def _parsed(template: str) -> list[Segment]:
    """A template read back into segments, with sample values (when no record shows them)."""
    out: list[Segment] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            out.append(template[pos : m.start()])
        out.append((m[1], _SAMPLES[m[1]]))
        pos = m.end()
    if pos < len(template):
        out.append(template[pos:])
    return out


def _part(
    masked: Sequence[Segment], taken: set[str], values: dict[str, str], clipped: bool = False
) -> Part:
    """A draft's view of masked text: literals, and a named slot (with its value) per value."""
    pieces: list[Piece] = []
    before = ""
    for segment in masked:
        if isinstance(segment, str):
            pieces.append(segment)
            before += segment
            continue
        kind, value = segment
        quoted = STR_PATTERNS.get(before[-1:], r".*?")
        pattern = quoted if kind == "str" else KIND_PATTERNS[kind]
        slot = Slot(kind, _group_name(kind, before, taken), pattern)
        pieces.append(slot)
        values[slot.name] = value
        before += f"<{kind}>"
    return Part(tuple(pieces), clipped)


def _records(text: str) -> list[LogRecord]:
    """The records of a text, read through the whole pipeline as a scan would."""
    stream = RecordStream(Tally(source="example"))
    out: list[LogRecord] = []
    for number, line in enumerate(text.split("\n"), 1):
        out += stream.push(number, line)
    return out + stream.finish()


@dataclass(frozen=True)
class Shape:
    """What a draft matches: the message, and the error field (its key) when it has one."""

    message: Part | None
    field: tuple[str, Part] | None
    record: LogRecord | None
    values: dict[str, str]

    @property
    def parts(self) -> list[Part]:
        return [p for p in (self.message, self.field and self.field[1]) if p is not None]

    def literals(self) -> list[str]:
        return [text for p in self.parts for text in p.literals()]

    def kind_of(self, name: str) -> str:
        return next(s.kind for p in self.parts for s in p.slots if s.name == name)


def shape_of(t: UnknownTemplate) -> Shape:
    """Split the template into message and error field, from its example where it decodes."""
    taken: set[str] = set()
    values: dict[str, str] = {}
    records = _records(t.example)
    record = records[0] if records else None
    if record is not None and Masker().template(record) == t.template:
        error = error_field(record)
        message = _part(segments(record.message), taken, values) if record.message else None
        field = None
        if error is not None:
            field = (error[0], _part(segments(error[1]), taken, values))
        return Shape(message, field, record, values)
    text = t.template
    for key in ERROR_FIELDS:
        head, sep, tail = text.rpartition(f"{FIELD_SEPARATOR}{key}=")
        if not sep and text.startswith(f"{key}="):
            head, sep, tail = "", "x", text[len(key) + 1 :]
        if sep:
            message = _template_part(head, taken, values) if head else None
            return Shape(message, (key, _template_part(tail, taken, values)), None, values)
    return Shape(_template_part(text, taken, values), None, None, values)


def _template_part(text: str, taken: set[str], values: dict[str, str]) -> Part:
    """A part read back from the template's text; a cut one matches as a prefix."""
    clipped = text.endswith(CLIP_MARK)
    return _part(_parsed(text.removesuffix(CLIP_MARK)), taken, values, clipped)
