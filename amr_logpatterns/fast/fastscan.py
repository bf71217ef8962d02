"""The fast path: stage 1 finds special lines in large byte chunks, stage 2 reads only those.

Lines between special ones are one record each, below warning level, that match
nothing and change no state, so they are only counted (``RecordStream.skip``).
Special lines, the two lines before a stack frame (the record it belongs to),
and whatever an open block still needs after them go through the exact
pipeline, which keeps its state across the gaps. The result is the same Report
the exact path gives.

Memory stays bounded whatever the input: chunks come from ``ChunkReader``,
which clips every line to what the exact path reads of it; a run of empty lines
is counted in bulk; and a chunk of very many short lines is looked at a slice of
at most ``_MAX_SLICE_LINES`` lines at a time.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Generator, Iterator
from typing import IO

from amr_logpatterns.decode.blocks import MAX_QUIET_LINES
from amr_logpatterns.decode.stream import RecordStream
from amr_logpatterns.fast.hits import LiteralLines
from amr_logpatterns.fast.prefilter import Engine
from amr_logpatterns.ingest.reading import READ_ERRORS, ChunkReader
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.peel.ansi import ANSI_BYTES

# a line a paste marker may take, or that may be empty once peeled, may be no record:
# a frame's lookback passes it
from amr_logpatterns.peel.registry import EMPTY_HINT, MARKER_HINT

__all__ = ["CHUNK_BYTES", "READ_ERRORS", "FastScanner"]

CHUNK_BYTES = 4 << 20
_ALNUM = re.compile(rb"[A-Za-z0-9]")
_NOT_NEWLINE = re.compile(rb"[^\n]")
#: A frame needs the record lines before it (its function line and its head), across
#: up to ``MAX_QUIET_LINES`` lines in a row that may be no record (blank, a marker)
_FRAME_LOOKBACK = 2
_MAX_LOOKBACK_LINES = (MAX_QUIET_LINES + 1) * (_FRAME_LOOKBACK + 1)
#: The last lines of a buffer read exactly, for the frames of the next buffer
_CARRY_LINES = _MAX_LOOKBACK_LINES + 2
#: Empty lines in a row counted in bulk: more than a frame's lookback can cross.
_EMPTY_RUN = 32
_EMPTY_RUN_BYTES = b"\n" * (_EMPTY_RUN + 1)
#: Runs are looked for only in buffers whose lines average fewer bytes than this.
_DENSE_BYTES = 32
#: At most this many lines go through stage 1 at once (each special line costs memory).
_MAX_SLICE_LINES = 1 << 16
_UTF8_WINDOW = 256


def _invalid_utf8_offsets(buf: bytes) -> list[int]:
    """Offsets of invalid UTF-8 sequences: one per bad line is enough.

    Decodes growing windows of a view, so a buffer with a bad byte on every line
    costs a few hundred bytes per bad line, not a copy of the rest of the buffer.
    """
    offsets: list[int] = []
    view = memoryview(buf)
    pos, size, window = 0, len(buf), _UTF8_WINDOW
    while pos < size:
        end = min(size, pos + window)
        try:
            _, used = codecs.utf_8_decode(view[pos:end], "strict", end == size)
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            offsets.append(bad)
            nl = buf.find(b"\n", bad)
            if nl < 0:
                break
            pos, window = nl + 1, _UTF8_WINDOW
            continue
        pos += used
        window = min(window * 2, 1 << 20)
    return offsets


def _long_line_offsets(buf: bytes, max_line_length: int) -> list[int]:
    """Offsets inside every line of at least ``max_line_length`` bytes (and some shorter)."""
    step = max(1, max_line_length // 2)
    return [a for a in range(0, len(buf), step) if buf.find(b"\n", a, a + step) < 0]


class FastScanner:
    """Feeds one binary source through stage 1 and stage 2 into a ``RecordStream``."""

    def __init__(
        self,
        engine: Engine,
        stream: RecordStream,
        max_line_length: int,
        literal_lines: LiteralLines | None = None,
    ) -> None:
        self.engine = engine
        self.stream = stream
        self.max_line_length = max_line_length
        self.literal_lines = LiteralLines() if literal_lines is None else literal_lines
        self.literal_lines.known = True

    def _special_lines(
        self, buf: bytes
    ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]] | None:
        """Sorted (line index, line start offset, frame flag) of the special lines in
        ``buf``, and (line index, hit number) of the signatures' literals found; None
        when stage 1 found too many to be worth it (read every line)."""
        stripped = b"\x1b" in buf
        view = ANSI_BYTES.sub(b"", buf) if stripped else buf
        scanned = self.engine.scan_hits(view)
        if scanned is None:
            return None
        plain, frames, hits = scanned
        # a cut line may end as a stack frame once cut, which stage 1 cannot see on the
        # whole line: it needs the lines before it, as a frame does
        long_lines = _long_line_offsets(buf, self.max_line_length)
        invalid = _invalid_utf8_offsets(buf) if not buf.isascii() else []
        starts = _line_starts(buf) if stripped else None
        if starts is not None and (long_lines or invalid):
            mapped = _offsets_in_view(starts, view, long_lines + invalid)  # one pass over view
            long_lines, invalid = mapped[: len(long_lines)], mapped[len(long_lines) :]
        frames += long_lines
        plain += invalid
        size = len(view)
        marks = sorted([(o, 0) for o in plain if o < size] + [(o, 1) for o in frames if o < size])
        # a buffer's first line: patterns that look at the line before cannot see it
        out: list[tuple[int, int, int]] = [(0, 0, 0)]
        line = 0
        prev = 0
        for offset, frame in marks:
            line += view.count(b"\n", prev, offset)
            prev = offset
            start = starts[line] if starts is not None else buf.rfind(b"\n", 0, offset) + 1
            out.append((line, start, frame))
        return out, _line_indexes(view, hits)

    def run(
        self, source: IO[bytes], *, chunk_bytes: int = CHUNK_BYTES, first_line: int = 1
    ) -> Iterator[LogRecord]:
        """Yield the records of every line that needs reading, and account for the rest.

        A read that fails midway (a truncated gzip file) is raised once every line
        read before it is accounted for.
        """
        stream = self.stream
        reader = ChunkReader(source, self.max_line_length, sniff_bom=first_line == 1)
        number = first_line - 1
        carry = b""
        # only the unfinished last line is carried to the next buffer: a frame there may
        # need the lines before it, so the last _CARRY_LINES lines of a buffer are read
        # exactly (carrying them instead would scan them again, megabytes when long)
        while True:
            data = reader.read(chunk_bytes)
            eof = reader.eof
            buf, carry = (carry + data if carry else data), b""
            del data
            if reader.failure is not None:  # a line the failure cut short is not read
                buf = buf[: buf.rfind(b"\n") + 1]
            if eof and buf and not buf.endswith(b"\n"):
                buf += b"\n"
            end = buf.rfind(b"\n") + 1  # where the complete lines end
            total = buf.count(b"\n")
            if total == 0:
                if eof:
                    break
                carry = buf  # the rest of an overlong line
                continue
            yield from self._lines(buf, number, total, 0 if eof else _CARRY_LINES)
            number += total
            carry = buf[end:]
            del buf
            if eof:
                break
        if reader.failure is not None:
            raise reader.failure
        yield from stream.finish()

    def _lines(
        self, buf: bytes, base: int, limit: int, exact_tail: int = 0
    ) -> Iterator[LogRecord]:
        """Account for the first ``limit`` lines of ``buf`` (later ones only inform windows),
        the last ``exact_tail`` of them read exactly.

        A run of at least ``_EMPTY_RUN`` empty lines is counted in bulk once its first
        line went through the pipeline: an empty line after an empty one changes no
        state, and no frame's lookback reaches across the run. Runs are looked for
        only in buffers of short lines, so an ordinary log pays nothing for it.
        """
        off, line = 0, 0
        dense = len(buf) <= _DENSE_BYTES * limit  # long lines on average: no run worth it
        while dense and line < limit:
            found = buf.find(_EMPTY_RUN_BYTES, off)
            if found < 0:
                break
            begin = found if found == off else found + 1  # ``off`` is a line start
            run_line = line + buf.count(b"\n", off, begin)
            if run_line >= limit:
                break
            after = _NOT_NEWLINE.search(buf, begin)
            run_end = min(run_line + (after.start() if after else len(buf)) - begin, limit)
            yield from self._bounded(buf[off:begin], base + line, run_line - line)
            yield from self.stream.push(base + run_line + 1, b"")
            yield from self.stream.blank_run(run_end - run_line - 1, base + run_end)
            off, line = begin + run_end - run_line, run_end
        if off == 0:
            yield from self._bounded(buf, base, limit, exact_tail)
        elif line < limit:
            yield from self._bounded(buf[off:], base + line, limit - line, exact_tail)

    def _bounded(
        self, buf: bytes, base: int, total: int, exact_tail: int = 0
    ) -> Iterator[LogRecord]:
        """``_chunk`` over the first ``total`` lines of ``buf``, at most ``_MAX_SLICE_LINES``
        lines (and the lines after them, for their windows) at a time."""
        off = 0
        while total > _MAX_SLICE_LINES:
            span = max(1, (len(buf) - off) * _MAX_SLICE_LINES // total)
            while True:
                cut = buf.rfind(b"\n", off, off + span) + 1
                if cut <= off:
                    cut = buf.find(b"\n", off) + 1
                count = buf.count(b"\n", off, cut)
                if count <= _MAX_SLICE_LINES:
                    break
                span //= 2
            yield from self._chunk(buf[off : _lines_after(buf, cut, _CARRY_LINES)], base, count)
            off, base, total = cut, base + count, total - count
        if total > 0:
            yield from self._chunk(buf[off:] if off else buf, base, total, exact_tail)

    def _chunk(
        self, buf: bytes, base: int, total: int, exact_tail: int = 0
    ) -> Iterator[LogRecord]:
        """Account for the first ``total`` lines of ``buf`` (later ones only inform
        windows), the last ``exact_tail`` of them read exactly."""
        stream = self.stream
        found = self._special_lines(buf)
        literal_lines = self.literal_lines
        literal_lines.forget_before(base)
        if found is None:
            literal_lines.add_unknown(base + 1, base + total)
            windows = [(0, 0, total - 1)]
        else:
            specials, hit_lines = found
            literal_lines.add((base + i + 1, hit) for i, hit in hit_lines if i < total)
            if exact_tail:
                first = max(0, total - exact_tail)
                # only a buffer's last chunk has a tail: its ``total`` lines are all it holds
                off = _nth_line_start(buf, buf.rfind(b"\n") + 1, first, total)
                for line in range(first, total):
                    specials.append((line, off, 0))
                    off = buf.find(b"\n", off) + 1
                specials.sort()
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
                needed, quiet = _FRAME_LOOKBACK, 0
                while needed and start > 0 and quiet <= MAX_QUIET_LINES:
                    prev = buf.rfind(b"\n", 0, off - 1) + 1
                    start, off = start - 1, prev
                    stop = buf.find(b"\n", prev)
                    if (
                        _ALNUM.search(buf, prev, stop)
                        and not MARKER_HINT.search(buf, prev, stop)
                        and not EMPTY_HINT.search(buf, prev, stop)
                    ):
                        needed, quiet = needed - 1, 0
                    else:  # maybe no record: the grouper bridges a few of these
                        quiet += 1
            end = line
            while windows and start <= windows[-1][2] + 1:
                s_line, s_off, s_end = windows.pop()
                end = max(end, s_end)
                if s_line < start:
                    start, off = s_line, s_off
            windows.append((start, off, end))
        return windows


def _line_indexes(view: bytes, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each hit's (line index in ``view``, hit number), ascending."""
    out: list[tuple[int, int]] = []
    line = prev = 0
    for offset, hit in sorted(hits):
        line += view.count(b"\n", prev, offset)
        prev = offset
        out.append((line, hit))
    return out


def _nth_line_start(buf: bytes, end: int, n: int, total: int) -> int:
    """Offset of line ``n`` (0-based) of the ``total`` lines ending at ``end``, walked back
    from there (a few lines)."""
    off = end
    for _ in range(total - n):
        off = buf.rfind(b"\n", 0, off - 1) + 1
    return off


def _line_starts(buf: bytes) -> list[int]:
    """Every line's start offset (used only for buffers with ANSI codes)."""
    return [0] + [m.end() for m in re.finditer(b"\n", buf)]


def _offsets_in_view(starts: list[int], view: bytes, offsets: list[int]) -> list[int]:
    """Map offsets in a buffer (its line ``starts``) to the same lines' starts in ``view``
    (the buffer with ANSI codes removed)."""
    view_starts = _line_starts(view)
    return [view_starts[bisect.bisect_right(starts, o) - 1] for o in offsets]


def _lines_after(buf: bytes, off: int, count: int) -> int:
    """The offset just past ``count`` more lines from ``off`` (or the end of ``buf``)."""
    for _ in range(count):
        nl = buf.find(b"\n", off)
        if nl < 0:
            return len(buf)
        off = nl + 1
    return off
