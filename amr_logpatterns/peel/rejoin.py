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

from amr_logpatterns.models.records import Line
from amr_logpatterns.models.shapes import JSON_LOG_START, STRUCTURED_START, ZAP_CONSOLE_START
from amr_logpatterns.models.stage1 import Pattern

MAX_WRAPPED_LINES = 40

#: A line that opens a JSON object and does not close it (``{"`` may end it): it may go
#: on in the lines after it, so stage 1 reads it and a ``--jobs`` cut keeps away.
STAGE1 = (
    Pattern(
        rb'\{"(?:[^\n]*[^}\s])?[ \t\r]*$',
        multiline=True,
        boundary=True,
        # lines that end in spaces or tabs are special through another pattern; only
        # a line's last ``{"`` is tried (the test is on the line's end), so a line full
        # of them costs two passes, not one per ``{"``
        stdlib=(rb'(?m)\{"(?![^\n]*?\{")[^\n]*(?:(?<![}\s])|(?<=[^}\s]\r))$',),
    ),
)
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
    """The brace state of a record whose JSON is cut off: it has ``{"``, and no final ``}``."""
    if '{"' not in text or text.endswith("}") or not _OPENS.match(text):
        return None
    braces = _Braces()
    braces.feed(text[text.index('{"') :])
    return braces if braces.open else None


def _joined(parts: list[Line]) -> Line:
    first, last = parts[0], parts[-1]
    return replace(
        first,
        text="".join(p.text for p in parts),
        end_number=last.last,
        decode_errors=sum(p.decode_errors for p in parts),
        nul_lines=sum(p.nul_lines for p in parts),
        truncated_lines=sum(p.truncated_lines for p in parts),
    )


class Rejoiner:
    """Push lines in, get lines out, with wrapped records joined back."""

    def __init__(self) -> None:
        self.pending: list[Line] = []
        self.braces: _Braces | None = None

    @property
    def idle(self) -> bool:
        """No wrapped record waits for its continuation."""
        return self.braces is None

    def push(self, line: Line) -> list[Line]:
        """Take one line; return the lines that are complete now."""
        out: list[Line] = []
        if self.braces is not None:
            continues = line.kind == "text" and not STRUCTURED_START.match(line.text)
            if continues and len(self.pending) < MAX_WRAPPED_LINES:
                self.pending.append(line)
                self.braces.feed(line.text)
                if not self.braces.open:
                    out.append(_joined(self.pending))
                    self.pending, self.braces = [], None
                return out
            out += self.flush()
        self.braces = _opens_unclosed(line.text) if line.kind == "text" else None
        if self.braces is not None:
            self.pending = [line]
        else:
            out.append(line)
        return out

    def flush(self) -> list[Line]:
        """Give back held lines unjoined (their record never closed)."""
        out, self.pending, self.braces = self.pending, [], None
        return out


def rejoin(lines: Iterable[Line]) -> Iterator[Line]:
    """Yield lines with wrapped records joined back into one line each."""
    rejoiner = Rejoiner()
    for line in lines:
        yield from rejoiner.push(line)
    yield from rejoiner.flush()
