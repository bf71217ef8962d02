"""Turn whatever a user hands us into clean physical lines.

Decodes bytes safely (UTF-8 with replacement, UTF-16 with a BOM, the UTF-8
BOM), strips CR and ANSI colour, and hands each line to the wrapper stage.
Nothing is dropped: every physical line comes out as a ``Line`` of kind text,
blank or skipped.

A line longer than ``max_line_length`` (bytes for bytes input, characters for
text) is read on its first ``max_line_length`` units and marked truncated; the
rest of it is never held in memory: streams are read in bounded chunks and
every line is clipped (``LineClipper``) before it is split off. Clipping a line
to ``clip_length(max_line_length)`` units changes nothing ``LineReader`` makes
of it, so the exact path and the fast path agree on any input.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from amr_logpatterns.ingest.clipping import LineClipper, clip_length, cut_line
from amr_logpatterns.models.records import Flaws
from amr_logpatterns.models.stage1 import literal_pattern

Source = str | bytes | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes]

DEFAULT_MAX_LINE_LENGTH = 1 << 20

#: A line with NUL bytes needs careful reading (each NUL is counted and replaced).
STAGE1 = (literal_pattern(b"\x00"),)
#: The bytes a stream is read in by the exact path.
READ_BYTES = 1 << 20
#: What reading a damaged or vanishing input raises; the input's report says where it stopped.
READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, OSError)

_UTF8_BOM = "\ufeff"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Items at least this long are split lazily, so a huge input is never copied into a list.
_LAZY_SPLIT = 1 << 16

AnyStr = TypeVar("AnyStr", str, bytes)


#: What ``_salvaging_read`` says when the stream signalled its end during the read.
ENDED = EOFError("the stream ended")


def _salvaging_read(
    source: IO[bytes], size: int, *, block: bool = True
) -> tuple[bytes, BaseException | None]:
    """Read a chunk; when reading fails midway, salvage line by line what can still be read.

    ``block=False`` returns what the stream has ready (``read1``), so a pipe's lines
    come out as they arrive. The second item is the failure, or ``ENDED`` when the
    stream signalled its end after some data: a terminal signals it once (Ctrl-D), so
    it must not be read again.
    """
    start = source.tell() if source.seekable() else None
    read1 = getattr(source, "read1", None)
    if start is None and block and read1 is not None:
        # no going back to salvage: read in the stream's own steps, so a failure loses
        # only the step that failed (a truncated gzip pipe fails on a step with no data)
        parts: list[bytes] = []
        got = 0
        try:
            while got < size:
                piece: bytes = read1(size - got)
                if not piece:
                    return b"".join(parts), ENDED if parts else None
                parts.append(piece)
                got += len(piece)
        except READ_ERRORS as exc:
            return b"".join(parts), exc
        return b"".join(parts), None
    read = read1 if not block and read1 is not None else source.read
    try:
        data: bytes = read(size)
        return data, None
    except READ_ERRORS as exc:
        if start is None:
            return b"", exc
        error = exc
    source.seek(start)
    pieces: list[bytes] = []
    try:
        while line := source.readline(size):
            pieces.append(line)
    except READ_ERRORS:
        pass
    return b"".join(pieces), error


class ChunkReader:
    """A binary stream in chunks of UTF-8 bytes, every line clipped, for line splitting.

    A stream that starts with a UTF-16 BOM is transcoded (only when ``sniff_bom``:
    a piece cut from the middle of a file has no BOM of its own). A chunk may be
    empty while the rest of an overlong line is discarded; ``eof`` says when the
    stream ended, and ``failure`` why it ended early (a truncated gzip file: its
    readers drop the line the failure cut short, so every path stops at the same line).
    ``block=False`` takes what the stream has ready instead of waiting for a full chunk.
    """

    def __init__(
        self,
        source: IO[bytes],
        max_line_length: int,
        *,
        sniff_bom: bool = True,
        block: bool = True,
    ) -> None:
        self.source = source
        self.clipper = LineClipper(clip_length(max_line_length))
        self.sniff_bom = sniff_bom
        self.block = block
        self.eof = False
        self.ended = False
        self.failure: BaseException | None = None
        self._decoder: codecs.IncrementalDecoder | None = None

    def read(self, size: int) -> bytes:
        """The next chunk of about ``size`` stored bytes, clipped."""
        raw = self._read(size)
        if self.sniff_bom:
            self.sniff_bom = False
            while 0 < len(raw) < 2 and self.failure is None:  # a pipe that gave one byte
                more = self._read(size)
                if not more:
                    break
                raw += more
            if raw.startswith(_UTF16_BOMS):
                self._decoder = codecs.getincrementaldecoder("utf-16")("replace")
        self.eof = not raw or self.failure is not None
        if self._decoder is not None:
            raw = self._decoder.decode(raw, self.eof).encode("utf-8")
        return self.clipper(raw)

    def _read(self, size: int) -> bytes:
        """Raw bytes, or nothing once the stream signalled its end (never asked again)."""
        if self.ended:
            return b""
        raw, failure = _salvaging_read(self.source, size, block=self.block)
        self.ended = failure is ENDED
        self.failure = None if self.ended else failure
        return raw


def _split_chunk(chunk: AnyStr) -> Iterator[AnyStr]:
    """Split one item into physical lines; an item may hold several or end in one."""
    newline = "\n" if isinstance(chunk, str) else b"\n"
    if newline not in chunk:
        yield chunk
        return
    if len(chunk) < _LAZY_SPLIT:
        parts = chunk.split(newline)
        if not parts[-1]:
            parts.pop()
        yield from parts
        return
    find = chunk.find
    pos, size = 0, len(chunk)
    while pos < size:
        end = find(newline, pos)
        if end < 0:
            yield chunk[pos:]
            return
        yield chunk[pos:end]
        pos = end + 1


def _text_stream_lines(stream: IO[str], keep: int) -> Iterator[str]:
    """The lines of a text stream, each read on its first ``keep`` characters at most."""
    readline = stream.readline
    while line := readline(keep):
        if line.endswith("\n"):
            yield line[:-1]
            continue
        if len(line) >= keep:  # an overlong line: discard its rest
            while (rest := readline(keep)) and not rest.endswith("\n"):
                pass
        yield line


def _byte_stream_lines(
    stream: IO[bytes], max_line_length: int, *, sniff_bom: bool
) -> Iterator[bytes]:
    """The lines of a binary stream, read in bounded chunks as they arrive (``ChunkReader``)."""
    reader = ChunkReader(stream, max_line_length, sniff_bom=sniff_bom, block=False)
    carry = b""
    while True:
        data = reader.read(READ_BYTES)
        if carry:
            data, carry = carry + data, b""
        if reader.eof:
            if reader.failure is not None:  # a line the failure cut short is not read
                data = data[: data.rfind(b"\n") + 1]
            if data:
                yield from _split_chunk(data)
            break
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
            continue
        yield from _split_chunk(data[: cut + 1])
        carry = data[cut + 1 :]
    if reader.failure is not None:
        raise reader.failure


def physical_lines(
    source: Source,
    *,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
    sniff_bom: bool = True,
) -> Iterator[str | bytes]:
    """Yield the physical lines of ``source`` without their line endings.

    Streams are read in bounded pieces, each line clipped to what
    ``LineReader(max_line_length=...)`` reads of it. ``sniff_bom`` (a stream's or
    bytes' start may be a UTF-16 BOM) is off for a piece that starts mid-file.
    """
    if isinstance(source, str):
        if source:
            yield from _split_chunk(source)
        return
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if sniff_bom and data.startswith(_UTF16_BOMS):
            data = data.decode("utf-16", errors="replace").encode("utf-8")
        if data:
            yield from _split_chunk(data)
        return
    keep = clip_length(max_line_length)
    if isinstance(source, io.TextIOBase):
        yield from _text_stream_lines(source, keep)  # type: ignore[arg-type]
        return
    if isinstance(source, io.IOBase):
        yield from _byte_stream_lines(source, max_line_length, sniff_bom=sniff_bom)  # type: ignore[arg-type]
        return
    for item in source:  # any other iterable, file-like objects too: they yield lines
        if isinstance(item, (bytes, bytearray)):
            yield from _split_chunk(bytes(item))
        elif isinstance(item, str):
            yield from _split_chunk(item)
        else:
            raise TypeError(f"lines must be str or bytes, got {type(item).__name__}: {item!r:.60}")


def _has_surrogates(text: str) -> bool:
    """Whether ``text`` holds lone surrogates, which no UTF-8 output can carry."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable_name(name: str) -> str:
    """A source name every output can write: a file name's undecodable bytes (kept as
    lone surrogates by ``surrogateescape``) shown as ``\\xff``, as ``ls -b`` does."""
    if not _has_surrogates(name):
        return name
    raw = name.encode("utf-8", "surrogateescape" if _escaped_only(name) else "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def _escaped_only(text: str) -> bool:
    """Whether every surrogate in ``text`` is one ``surrogateescape`` made (U+DC80 to U+DCFF)."""
    return all("\udc80" <= c <= "\udcff" for c in text if "\ud800" <= c <= "\udfff")


def _decode(item: str | bytes) -> tuple[str, bool]:
    if isinstance(item, str):
        if _has_surrogates(item):
            # text decoded with ``surrogateescape``, say: each becomes U+FFFD, counted
            return item.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), True
        return item, False
    try:
        return item.decode("utf-8"), False
    except UnicodeDecodeError:
        return item.decode("utf-8", errors="replace"), True


def clean_text(number: int, item: str | bytes, max_line_length: int) -> tuple[str, Flaws]:
    """Physical line ``number`` as text to peel, with what was wrong with it.

    Cut at ``max_line_length``, decoded (invalid UTF-8 replaced and counted), the
    first line's byte-order mark and a CRLF's CR dropped, NUL bytes replaced and
    counted.
    """
    item, truncated = cut_line(item, max_line_length)
    text, decode_error = _decode(item)
    if number == 1 and text.startswith(_UTF8_BOM):
        text = text[1:]
    if text.endswith("\r"):
        text = text.rstrip("\r")
    has_nul = "\x00" in text
    if has_nul:
        text = text.replace("\x00", "\ufffd")
    return text, Flaws(int(decode_error), int(has_nul), int(truncated))
