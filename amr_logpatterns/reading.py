"""Turn whatever a user hands us into clean physical lines.

Decodes bytes safely (UTF-8 with replacement, BOMs), strips CR and ANSI colour,
and hands each line to the wrapper stage. Nothing is dropped: every physical
line comes out as a ``Line`` of kind text, blank or skipped.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import IO

from .records import Line
from .wrappers import PasteState, peel

Source = str | bytes | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes]

DEFAULT_MAX_LINE_LENGTH = 1 << 20

_UTF8_BOM = "\ufeff"


def _split_chunk(chunk: str | bytes) -> Iterator[str | bytes]:
    """Split one item into physical lines; an item may hold several or end in one."""
    if isinstance(chunk, bytes):
        if b"\n" not in chunk:
            yield chunk
            return
        parts = chunk.split(b"\n")
        if parts[-1] == b"":
            parts.pop()
        yield from parts
        return
    if "\n" not in chunk:
        yield chunk
        return
    text_parts = chunk.split("\n")
    if text_parts[-1] == "":
        text_parts.pop()
    yield from text_parts


def _utf16_text(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return None


def physical_lines(source: Source) -> Iterator[str | bytes]:
    """Yield the physical lines of ``source`` without their line endings."""
    if isinstance(source, str):
        if source:
            yield from _split_chunk(source)
        return
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        text = _utf16_text(data)
        if data:
            yield from _split_chunk(text if text is not None else data)
        return
    if isinstance(source, io.TextIOBase) or hasattr(source, "readline"):
        for item in source:  # file objects split on newlines themselves
            yield from _split_chunk(item)
        return
    for item in source:
        if isinstance(item, (bytes, bytearray)):
            yield from _split_chunk(bytes(item))
        elif isinstance(item, str):
            yield from _split_chunk(item)
        else:
            raise TypeError(f"lines must be str or bytes, got {type(item).__name__}: {item!r:.60}")


def _decode(item: str | bytes) -> tuple[str, bool]:
    if isinstance(item, str):
        return item, False
    try:
        return item.decode("utf-8"), False
    except UnicodeDecodeError:
        return item.decode("utf-8", errors="replace"), True


class LineReader:
    """Push numbered physical lines in, get ``Line`` objects out (CRI partials held back)."""

    def __init__(
        self,
        *,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        context: dict[str, str] | None = None,
    ) -> None:
        self.state = PasteState(session=dict(context or {}))
        self.max_line_length = max_line_length

    @property
    def idle(self) -> bool:
        """No partial entry waits for its continuation, no describe output is open."""
        return self.state.partial is None and not self.state.describe

    def push(self, number: int, item: str | bytes) -> list[Line]:
        """Take physical line ``number``; return the lines that are complete now."""
        text, decode_error = _decode(item)
        if number == 1 and text.startswith(_UTF8_BOM):
            text = text[1:]
        if text.endswith("\r"):
            text = text.rstrip("\r")
        truncated = len(text) > self.max_line_length
        if truncated:
            text = text[: self.max_line_length]
        has_nul = "\x00" in text
        if has_nul:
            text = text.replace("\x00", "\ufffd")
        lines = peel(number, text, self.state)
        if decode_error or has_nul or truncated:
            lines = [
                replace(line, decode_error=decode_error, has_nul=has_nul, truncated=truncated)
                if line.number == number
                else line
                for line in lines
            ]
        return lines

    def flush(self) -> list[Line]:
        """Emit a partial entry still waiting at the end of the input."""
        return list(self.state.flush())


def read_lines(
    source: Source,
    *,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
    context: dict[str, str] | None = None,
) -> Iterator[Line]:
    """Yield every physical line of ``source`` as a ``Line``, wrappers peeled.

    ``context`` is what the source's name already tells (a node log's pod and namespace).
    """
    reader = LineReader(max_line_length=max_line_length, context=context)
    for number, item in enumerate(physical_lines(source), 1):
        yield from reader.push(number, item)
    yield from reader.flush()
