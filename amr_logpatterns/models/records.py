"""The internal units that flow between stages: a physical line, and a log record.

These are plain frozen dataclasses, not Pydantic models: millions of them are made
per run and none crosses the public API (``Match`` and ``Finding`` do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

LineKind = Literal["text", "blank", "skipped"]

EMPTY: Mapping[str, str] = {}

#: Encodings whose message is a summary the reader wrote, not a line of the input (pod
#: state): keywords are looked for in it as well as in the lines.
SUMMARISED: frozenset[str] = frozenset(("pod", "container", "pod-conditions"))

#: Encodings whose record is its line's own text, decoded: no summary, no rebuilt row.
RAW_ENCODINGS: frozenset[str] = frozenset(("plain", "zap-json", "zap-console", "klog", "golog"))


class Flaws(NamedTuple):
    """What was wrong with physical lines, as counts: invalid UTF-8, NUL bytes, cut short."""

    decode_errors: int = 0
    nul_lines: int = 0
    truncated_lines: int = 0

    def plus(self, other: Flaws) -> Flaws:
        return Flaws(*(a + b for a, b in zip(self, other, strict=True)))


NO_FLAWS = Flaws()


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line after capture-tool wrappers were peeled off."""

    number: int
    text: str
    kind: LineKind = "text"
    context: Mapping[str, str] = field(default_factory=dict)
    end_number: int = 0
    #: How many of the physical lines it covers (joined entries cover several) had
    #: invalid UTF-8, had NUL bytes, or were cut (at the line cap, or the joined text's)
    decode_errors: int = 0
    nul_lines: int = 0
    truncated_lines: int = 0
    #: Spaces and tabs before the text once wrappers were peeled: what tells nested
    #: YAML keys and ``describe`` sections apart
    indent: int = 0
    #: The physical lines this line accounts for in the counts, when not ``number..last``:
    #: the records of a log store's answer share its lines, so the first accounts for all
    #: of them and the others for none (``(0, -1)``)
    accounts: tuple[int, int] | None = None

    @property
    def last(self) -> int:
        """The last physical line this line covers (a joined partial spans several)."""
        return self.end_number or self.number

    @property
    def accounted(self) -> tuple[int, int]:
        """The first and last physical line this line is counted for."""
        return self.accounts if self.accounts is not None else (self.number, self.last)

    @property
    def flaws(self) -> Flaws:
        return Flaws(self.decode_errors, self.nul_lines, self.truncated_lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decoded:
    """What a decoder read in one record: its encoding and message, and what it carries.

    ``raw`` is the record's own text; ``fields`` its structured values (a JSON
    record's other keys, a klog line's ``key=value`` pairs); ``context`` what
    the record itself names about its source (a pod, a namespace).
    """

    encoding: str
    message: str
    ts: str | None = None
    level: str | None = None
    logger: str | None = None
    caller: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    continuation: tuple[str, ...] = ()
    raw: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LogRecord(Decoded):
    """One log record: a decoded line (or a head line with its continuation lines), and
    where it stands in its source."""

    source: str
    line: int
    end_line: int
    indent: int = 0
    #: The line was longer than the line cap: ``raw`` holds its start only
    cut: bool = False

    @property
    def text(self) -> str:
        """The record as shown to a person: its raw text plus continuation lines."""
        if not self.continuation:
            return self.raw
        return "\n".join((self.raw, *self.continuation))

    @property
    def keyword_text(self) -> str:
        """Where a signature's keywords are looked for: the text, and a summarised message."""
        if self.encoding in SUMMARISED:
            return f"{self.text}\n{self.message}"
        return self.text
