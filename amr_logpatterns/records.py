"""The internal units that flow between stages: a physical line, and a log record.

These are plain frozen dataclasses, not Pydantic models: millions of them are made
per run and none crosses the public API (``Match`` and ``Finding`` do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal["text", "blank", "skipped"]

EMPTY: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line after capture-tool wrappers were peeled off."""

    number: int
    text: str
    kind: LineKind = "text"
    context: Mapping[str, str] = field(default_factory=dict)
    end_number: int = 0
    decode_error: bool = False
    has_nul: bool = False
    truncated: bool = False

    @property
    def last(self) -> int:
        """The last physical line this line covers (a joined partial spans several)."""
        return self.end_number or self.number


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One log record: a decoded line, or a head line with its continuation lines."""

    source: str
    line: int
    end_line: int
    raw: str
    encoding: str
    message: str
    ts: str | None = None
    level: str | None = None
    logger: str | None = None
    caller: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    continuation: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The record as shown to a person: its raw text plus continuation lines."""
        if not self.continuation:
            return self.raw
        return "\n".join((self.raw, *self.continuation))
