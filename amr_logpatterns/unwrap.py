"""Rejoin records that a terminal, a browser or an e-mail client wrapped onto several lines.

A zap JSON line or a zap console line whose JSON object of fields is left open
at the end of the line continues on the next lines; they are joined back (in
their original order, nothing between them) when the object closes within a
few lines. When it does not, the lines pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .decoders.shapes import JSON_LOG_START, STRUCTURED_START, ZAP_CONSOLE_START
from .records import Line

MAX_WRAPPED_LINES = 40
_OPENS = re.compile("(?:" + JSON_LOG_START + "|" + ZAP_CONSOLE_START + ")")


class _Braces:
    """Tracks JSON nesting across line fragments, strings and escapes included."""

    __slots__ = ("depth", "escape", "in_string", "started")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escape = False
        self.started = False

    def feed(self, text: str) -> None:
        for ch in text:
            if self.in_string:
                if self.escape:
                    self.escape = False
                elif ch == "\\":
                    self.escape = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"' and self.started:
                self.in_string = True
            elif ch == "{":
                self.depth += 1
                self.started = True
            elif ch == "}" and self.depth:
                self.depth -= 1

    @property
    def open(self) -> bool:
        return self.started and (self.depth > 0 or self.in_string)


def _opens_unclosed(text: str) -> _Braces | None:
    if "{" not in text or not _OPENS.match(text):
        return None
    braces = _Braces()
    braces.feed(text[text.index("{") :])
    return braces if braces.open else None


def _joined(parts: list[Line]) -> Line:
    first, last = parts[0], parts[-1]
    return replace(
        first,
        text="".join(p.text for p in parts),
        end_number=last.last,
        decode_error=any(p.decode_error for p in parts),
        has_nul=any(p.has_nul for p in parts),
        truncated=any(p.truncated for p in parts),
    )


def rejoin(lines: Iterable[Line]) -> Iterator[Line]:
    """Yield lines with wrapped records joined back into one line each."""
    pending: list[Line] = []
    braces: _Braces | None = None
    for line in lines:
        if braces is not None:
            continues = line.kind == "text" and not STRUCTURED_START.match(line.text)
            if continues and len(pending) < MAX_WRAPPED_LINES:
                pending.append(line)
                braces.feed(line.text)
                if not braces.open:
                    yield _joined(pending)
                    pending, braces = [], None
                continue
            yield from pending
            pending, braces = [], None
        braces = _opens_unclosed(line.text) if line.kind == "text" else None
        if braces is not None:
            pending = [line]
            continue
        yield line
    yield from pending
