"""The fast path: stage 1 finds special lines in large byte chunks, stage 2 reads only those.

Lines between special ones are one record each, below warning level, that match
nothing and change no state, so they are only counted (``RecordStream.skip``).
Special lines, the two lines before a stack frame (the record it belongs to),
and whatever an open block still needs after them go through the exact
pipeline, which keeps its state across the gaps. The result is the same Report
the exact path gives.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Generator, Iterator
from typing import IO

from .prefilter import Engine
from .records import LogRecord
from .stream import RecordStream

CHUNK_BYTES = 4 << 20
READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, OSError)
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_ALNUM = re.compile(rb"[A-Za-z0-9]")
_FRAME_LOOKBACK = 2
_MAX_LOOKBACK_STEPS = 16
_CARRY_LINES = _MAX_LOOKBACK_STEPS + 2


def _read(source: IO[bytes], size: int) -> tuple[bytes, BaseException | None]:
    """Read a chunk; when reading fails midway, salvage line by line what can still be read."""
    start = source.tell() if source.seekable() else None
    try:
        return source.read(size), None
    except READ_ERRORS as exc:
        if start is None:
            return b"", exc
        error = exc
    source.seek(start)
    pieces: list[bytes] = []
    try:
        while line := source.readline():
            pieces.append(line)
    except READ_ERRORS:
        pass
    return b"".join(pieces), error


def _invalid_utf8_offsets(buf: bytes) -> list[int]:
    """Offsets of invalid UTF-8 sequences: one per bad line is enough."""
    offsets: list[int] = []
    pos = 0
    while True:
        try:
            buf[pos:].decode("utf-8")
            return offsets
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            offsets.append(bad)
            nl = buf.find(b"\n", bad)
            if nl < 0:
                return offsets
            pos = nl + 1


def _long_line_offsets(buf: bytes, max_line_length: int) -> list[int]:
    """Offsets inside every line of at least ``max_line_length`` bytes (and some shorter)."""
    step = max(1, max_line_length // 2)
    return [a for a in range(0, len(buf), step) if buf.find(b"\n", a, a + step) < 0]


class FastScanner:
    """Feeds one binary source through stage 1 and stage 2 into a ``RecordStream``."""

    def __init__(self, engine: Engine, stream: RecordStream, max_line_length: int) -> None:
        self.engine = engine
        self.stream = stream
        self.max_line_length = max_line_length

    def _special_lines(self, buf: bytes) -> list[tuple[int, int, int]]:
        """Sorted (line index, line start offset, frame flag) of the special lines in ``buf``."""
        stripped = b"\x1b" in buf
        view = _ANSI.sub(b"", buf) if stripped else buf
        plain, frames = self.engine.scan(view)
        if not buf.isascii():
            plain += _offsets_in_view(buf, view, _invalid_utf8_offsets(buf))
        plain += _offsets_in_view(buf, view, _long_line_offsets(buf, self.max_line_length))
        size = len(view)
        marks = sorted([(o, 0) for o in plain if o < size] + [(o, 1) for o in frames if o < size])
        starts = _line_starts(buf) if stripped else None
        # a buffer's first line: patterns that look at the line before cannot see it
        out: list[tuple[int, int, int]] = [(0, 0, 0)]
        line = 0
        prev = 0
        for offset, frame in marks:
            line += view.count(b"\n", prev, offset)
            prev = offset
            start = starts[line] if starts is not None else buf.rfind(b"\n", 0, offset) + 1
            out.append((line, start, frame))
        return out

    def run(
        self, source: IO[bytes], *, chunk_bytes: int = CHUNK_BYTES, first_line: int = 1
    ) -> Iterator[LogRecord]:
        """Yield the records of every line that needs reading, and account for the rest."""
        stream = self.stream
        number = first_line - 1
        carry = b""
        failure: BaseException | None = None
        while True:
            data, failure = _read(source, chunk_bytes)
            eof = not data or failure is not None
            buf = carry + data if carry else data
            if not buf:
                break
            if eof:
                complete, carry = (buf if buf.endswith(b"\n") else buf + b"\n"), b""
            else:
                cut = buf.rfind(b"\n")
                if cut < 0:
                    carry = buf
                    continue
                complete, carry = buf[: cut + 1], buf[cut + 1 :]
            total = complete.count(b"\n")
            limit = total if eof else max(0, total - _CARRY_LINES)
            if limit == 0 and not eof:
                carry = complete + carry
                continue
            limit_off = _nth_line_start(complete, limit, total)
            yield from self._chunk(complete, number, limit)
            number += limit
            carry = complete[limit_off:] + carry
            if eof:
                break
        if failure is not None:
            raise failure
        yield from stream.finish()

    def _chunk(self, buf: bytes, base: int, total: int) -> Iterator[LogRecord]:
        """Account for the first ``total`` lines of ``buf``; later ones only inform windows."""
        stream = self.stream
        specials = self._special_lines(buf)
        windows = self._windows(buf, specials)
        pos_line, pos_off = 0, 0
        for start_line, start_off, window_end in windows:
            if start_line >= total:
                break
            end_line = min(window_end, total - 1)
            if start_line > pos_line:
                pos_line, pos_off = yield from self._extend(
                    buf, base, pos_line, pos_off, start_line
                )
                if start_line > pos_line:
                    yield from stream.skip(start_line - pos_line, base + start_line)
                    pos_line, pos_off = start_line, start_off
            while pos_line <= end_line:
                nl = buf.find(b"\n", pos_off)
                yield from stream.push(base + pos_line + 1, buf[pos_off:nl])
                pos_line, pos_off = pos_line + 1, nl + 1
        if pos_line < total:
            pos_line, pos_off = yield from self._extend(buf, base, pos_line, pos_off, total)
            if pos_line < total:
                yield from stream.skip(total - pos_line, base + total)

    def _extend(
        self, buf: bytes, base: int, line: int, off: int, limit: int
    ) -> Generator[LogRecord, None, tuple[int, int]]:
        """Read on past a window while a block is still open; returns where it stopped."""
        stream = self.stream
        while line < limit and not stream.idle:
            nl = buf.find(b"\n", off)
            yield from stream.push(base + line + 1, buf[off:nl])
            line, off = line + 1, nl + 1
        return line, off

    def _windows(
        self, buf: bytes, specials: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, int]]:
        """Merged (start line, start offset, end line) ranges to read exactly."""
        windows: list[tuple[int, int, int]] = []
        for line, off, frame in specials:
            if windows and line <= windows[-1][2] and not frame:
                continue
            start = line
            if frame:
                needed, steps = _FRAME_LOOKBACK, 0
                while needed and start > 0 and steps < _MAX_LOOKBACK_STEPS:
                    prev = buf.rfind(b"\n", 0, off - 1) + 1
                    start, off, steps = start - 1, prev, steps + 1
                    if _ALNUM.search(buf, prev, buf.find(b"\n", prev)):
                        needed -= 1
            end = line
            while windows and start <= windows[-1][2] + 1:
                s_line, s_off, s_end = windows.pop()
                end = max(end, s_end)
                if s_line < start:
                    start, off = s_line, s_off
            windows.append((start, off, end))
        return windows


def _nth_line_start(buf: bytes, n: int, total: int) -> int:
    """Offset of line ``n`` (0-based) of ``total``, walked back from the end (a few lines)."""
    off = len(buf)
    for _ in range(total - n):
        off = buf.rfind(b"\n", 0, off - 1) + 1
    return off


def _line_starts(buf: bytes) -> list[int]:
    """Every line's start offset (used only for buffers with ANSI codes)."""
    return [0] + [m.end() for m in re.finditer(b"\n", buf)]


def _offsets_in_view(buf: bytes, view: bytes, offsets: list[int]) -> list[int]:
    """Map offsets in ``buf`` to the same lines in ``view`` (ANSI codes removed)."""
    if view is buf or not offsets:
        return offsets
    out = []
    for offset in offsets:
        line = buf.count(b"\n", 0, offset)
        pos = 0
        for _ in range(line):
            pos = view.find(b"\n", pos) + 1
        out.append(pos)
    return out
