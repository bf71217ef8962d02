"""Classify large files on several cores: line-aligned byte ranges in worker processes.

A file is cut only at a *clean* line: one with no special line (see ``prefilter``)
among the lines just before and after it, so no stack trace, CloudEvent dump,
partial entry or wrapped record spans the cut. The paste state a later piece
starts with (a pasted command's namespace, an open Markdown fence) is replayed
from the context lines before the cut. Pieces are merged in order, so the report
is the one a single process gives.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amr_logpatterns.decode.kernel import STAGE1 as KERNEL_STAGE1
from amr_logpatterns.decode.podstate import POD_STATE_OPENERS
from amr_logpatterns.fast.prefilter import (
    BOUNDARY,
    Engine,
    best_literal_engine,
    make_engine,
)
from amr_logpatterns.ingest.clipping import clip_length
from amr_logpatterns.ingest.compression import looks_gzipped, open_log
from amr_logpatterns.ingest.reading import DEFAULT_MAX_LINE_LENGTH
from amr_logpatterns.models.results import Report
from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.lines import LineReader
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.peel.registry import CONTEXT_STAGE1
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline import cutting
from amr_logpatterns.pipeline.classifier import Classifier, Part
from amr_logpatterns.pipeline.jsonl import format_match

_CLEAN_BEFORE = 80
_CLEAN_AFTER = 3
_SEARCH_BYTES = 1 << 20


@dataclass(frozen=True)
class Piece:
    """One worker's share: a byte range of a file and where it starts."""

    path: str
    start: int
    end: int
    part: Part


class _File:
    """Positional reads of a file, so planning the cuts never maps the file into memory,
    nor holds a long line whole."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.size = os.fstat(fd).st_size

    def read(self, start: int, end: int) -> bytes:
        return os.pread(self.fd, max(0, min(end, self.size) - start), start)

    def line_start(self, pos: int, within: int) -> int | None:
        """Where the line holding byte ``pos`` starts, if that is at most ``within``
        bytes back (None: a longer line)."""
        lowest = max(0, pos - within)
        while pos > lowest:
            lo = max(lowest, pos - 65536)
            nl = self.read(lo, pos).rfind(b"\n")
            if nl >= 0:
                return lo + nl + 1
            pos = lo
        return 0 if pos == 0 else None

    def line_end(self, pos: int) -> int:
        """Just past the newline that ends the line holding byte ``pos`` (or the end)."""
        while pos < self.size:
            block = self.read(pos, pos + 65536)
            nl = block.find(b"\n")
            if nl >= 0:
                return pos + nl + 1
            pos += len(block)
        return self.size

    def blocks(self, start: int, end: int, step: int = 8 << 20) -> Iterator[bytes]:
        """``[start, end)`` in blocks of at most ``step`` bytes, cut anywhere."""
        for pos in range(start, end, step):
            yield self.read(pos, min(end, pos + step))

    def clipped_chunks(
        self, start: int, end: int, keep: int, step: int = 8 << 20
    ) -> Iterator[tuple[int, bytes]]:
        """Chunks of whole lines of ``[start, end)`` with their offsets; a line longer
        than ``step`` comes alone and only its first ``keep`` bytes, as a reader keeps it."""
        step = max(step, keep + 1)
        while start < end:
            block = self.read(start, min(end, start + step))
            nl = block.rfind(b"\n")
            if nl >= 0:
                yield start, block[: nl + 1]
                start += nl + 1
            elif start + len(block) >= end:  # the last line, with no newline
                yield start, block[:keep]
                start = end
            else:
                yield start, block[:keep]
                start = min(end, self.line_end(start + len(block)))


def _clean_cut(data: _File, nominal: int, boundary: Engine) -> int | None:
    """A line start near ``nominal`` with no special line close before or after it.

    The window starts at a line start up to 64 KiB before ``nominal``, or just after
    the long line that holds that point, so it never holds more than about a MiB.
    """
    back = max(0, nominal - 64 * 1024)
    begin = data.line_start(back, _SEARCH_BYTES)
    if begin is None:
        begin = data.line_end(back)
    window = data.read(begin, max(begin, nominal) + _SEARCH_BYTES)
    cut = window.rfind(b"\n")
    if cut < 0:
        return None
    window = window[: cut + 1]
    found = boundary.scan(window)
    if found is None:  # a window thick with multi-line shapes: no cut here
        return None
    specials = sorted({window.count(b"\n", 0, o) for o in (*found[0], *found[1])})
    total = window.count(b"\n")
    first = window.count(b"\n", 0, max(0, nominal - begin))
    # a clean line has no special line in the _CLEAN_BEFORE lines before it or the
    # _CLEAN_AFTER lines from it on: look in the gaps between special lines
    bounds = [-_CLEAN_BEFORE - 1, *specials, total + _CLEAN_AFTER]
    for prev, nxt in itertools.pairwise(bounds):
        line = max(prev + _CLEAN_BEFORE + 1, first, _CLEAN_BEFORE)
        if line + _CLEAN_AFTER <= nxt and line + _CLEAN_AFTER < total:
            return begin + _nth_start(window, line)
    return None


def _nth_start(buf: bytes, line: int) -> int:
    pos = 0
    for _ in range(line):
        pos = buf.find(b"\n", pos) + 1
    return pos


def _context_lines(finder: Engine, chunk: bytes) -> Iterator[tuple[int, bytes]]:
    """The lines of ``chunk`` that may change the paste state, with their offsets, in
    order; every line when the finder gives up on the chunk (too many matches)."""
    # a leading newline lets the line-start literals see the chunk's first line
    found = finder.scan(b"\n" + chunk)
    if found is None:
        lines = chunk.split(b"\n")
        if not lines[-1]:
            lines.pop()  # what follows the last newline
        begin = 0
        for line in lines:
            yield begin, line
            begin += len(line) + 1
        return
    for begin in sorted({chunk.rfind(b"\n", 0, max(0, o - 1)) + 1 for o in found[0]}):
        end = chunk.find(b"\n", begin)
        yield begin, chunk[begin : end if end >= 0 else len(chunk)]


#: Lines that tell about pods' containers and UIDs (a ``describe`` container block, a pod
#: document, a kubelet line, an event naming a pod's UID): a kernel line after them is
#: linked to those pods, which a piece that starts later would not know.
POD_LINKS: tuple[bytes, ...] = (*POD_STATE_OPENERS, b'pod="', b" in pod ")
#: The kernel's kill lines, the only records linked to pods described before them.
KILLS: tuple[bytes, ...] = tuple(p.literal for p in KERNEL_STAGE1)


def _states_at(
    data: _File, cuts: list[int], max_line_length: int, context: dict[str, str]
) -> list[PasteState] | None:
    """The paste state at each cut: the context lines before it, replayed in one pass
    that holds one chunk at a time, from the state the file's path gives (``context``).
    None when pod state comes before a cut and a kernel kill after it: the later piece
    could not link the kill to the pods described before it."""
    finder = make_engine(best_literal_engine(), CONTEXT_STAGE1)
    links = _literal_finder(POD_LINKS)
    reader = LineReader(max_line_length=max_line_length, context=context)
    states: list[PasteState] = []
    ahead = iter(cuts)
    cut = next(ahead, None)

    def reach(offset: int | None) -> None:
        """Note the state at every cut up to ``offset`` (None: all the rest)."""
        nonlocal cut
        while cut is not None and (offset is None or cut <= offset):
            # a clean cut lies past any describe output and any partial entry
            states.append(
                PasteState(
                    session=dict(reader.state.session),
                    in_fence=reader.state.in_fence,
                    capturing=reader.state.capturing,
                )
            )
            cut = next(ahead, None)

    keep = clip_length(max_line_length)
    linked_from: int | None = None  # where the first line telling about pods is
    for start, chunk in data.clipped_chunks(0, max(cuts, default=0), keep):
        if linked_from is None:
            found = links.scan_hits(chunk)  # one pass for every literal, not one per literal
            if found is None or found[2]:  # a hit: one of the literals
                linked_from = start
        for begin, line in _context_lines(finder, chunk):
            reach(start + begin)
            reader.push(2, line)
    reach(None)
    if linked_from is not None:
        after = next(c for c in cuts if c > linked_from) if linked_from < max(cuts) else None
        if after is not None and _holds_any(data, after, data.size, KILLS, keep):
            return None
    return states


def _literal_finder(literals: Sequence[bytes]) -> Engine:
    """An engine that reports ``literals`` as hits (``scan_hits``' third list), all in one pass."""
    return make_engine(best_literal_engine(), [literal_pattern(t, hit=True) for t in literals])


def _holds_any(data: _File, start: int, end: int, literals: Sequence[bytes], keep: int) -> bool:
    """Whether ``[start, end)`` holds one of ``literals``, in one pass of a literal engine."""
    finder = _literal_finder(literals)
    for _, chunk in data.clipped_chunks(start, end, keep):
        found = finder.scan_hits(chunk)
        if found is None or found[2]:
            return True
    return False


def _count_lines(data: _File, start: int, end: int) -> int:
    """Newlines in a range, read in chunks so memory stays small."""
    return sum(block.count(b"\n") for block in data.blocks(start, end))


class _Range(io.RawIOBase):
    """A byte range of a file, read as a stream of its own."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed with the range
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)[: self._left]
        n = self._file.readinto(view)
        self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def pieces(path: str, jobs: int, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> list[Piece]:
    """Cut a file into up to ``jobs`` clean, line-aligned pieces (``max_line_length``:
    the workers' cap, which the paste state at each cut is replayed with)."""
    size = os.path.getsize(path)
    context = path_context(path)
    first = PasteState(session=dict(context), capturing=bool(context))
    whole = [Piece(path, 0, size, Part(1, first))]
    if not cutting.worth_cutting(size, jobs):
        return whole
    with open(path, "rb") as f:
        data = _File(f.fileno())
        if looks_gzipped(data.read(0, 2)):
            return whole
        boundary = make_engine(best_literal_engine(), BOUNDARY)
        cuts: list[int] = []
        for k in range(1, jobs):
            cut = _clean_cut(data, size * k // jobs, boundary)
            if cut is not None and (not cuts or cut > cuts[-1]) and cut < size:
                cuts.append(cut)
        bounds = [0, *cuts, size]
        later = _states_at(data, cuts, max_line_length, context)
        if later is None:  # pod state before a cut: read the file in one piece
            return whole
        states = [first, *later]
        out = []
        line = 1
        for (a, b), state in zip(itertools.pairwise(bounds), states, strict=True):
            out.append(Piece(path, a, b, Part(line, state)))
            line += _count_lines(data, a, b)
        return out


_WORKER: Classifier | None = None


def _init(classifier: Classifier) -> None:
    global _WORKER
    _WORKER = classifier  # rebuilt from its settings in this process (see ``__getstate__``)


def classify_piece(piece: Piece, classifier: Classifier | None = None) -> Report:
    """The report of one piece of ``pieces``: the map step for a scheduler of your own
    (Dask, say); ``classifier.merge`` of the reports in order gives the whole file's.
    Without ``classifier`` a fresh ``Classifier()`` is built, so only the piece travels."""
    worker = Classifier() if classifier is None else classifier
    if piece.start == 0 and piece.end == os.path.getsize(piece.path):
        with open_log(piece.path) as handle:
            return worker.classify_many([(piece.path, handle)], part=piece.part)
    with io.BufferedReader(_Range(piece.path, piece.start, piece.end), 1 << 20) as handle:
        return worker.classify_many([(piece.path, handle)], part=piece.part)


def _classify_piece(piece: Piece) -> Report:
    assert _WORKER is not None
    return classify_piece(piece, _WORKER)


def _scan_piece(piece: Piece) -> str:
    """The jsonl lines of one piece's matches."""
    assert _WORKER is not None
    if piece.start == 0 and piece.end == os.path.getsize(piece.path):
        handle: Any = open_log(piece.path)
    else:
        handle = io.BufferedReader(_Range(piece.path, piece.start, piece.end), 1 << 20)
    with handle:
        matches = _WORKER.scan(handle, source_name=piece.path, part=piece.part)
        return "".join(format_match(m) + "\n" for m in matches)


def _plan(
    paths: Iterable[str | Path], jobs: int, max_line_length: int
) -> list[Piece] | None:
    """The pieces for the workers, or None when one process is the better choice."""
    names = [str(p) for p in paths]
    if not cutting.worth_cutting(sum(os.path.getsize(n) for n in names), jobs):
        return None
    work = [piece for name in names for piece in pieces(name, jobs, max_line_length)]
    return work if len(work) >= 2 else None


def _pool(classifier: Classifier, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(classifier,))


def classify_parallel(
    classifier: Classifier,
    paths: Iterable[str | Path],
    jobs: int,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> Report:
    """Classify files with ``jobs`` worker processes; the same report as one process gives.

    ``on_progress`` is told the bytes of each piece as a worker finishes it (of each
    file, after a run in one process), so a progress bar can follow the workers.
    """
    names = [str(p) for p in paths]
    work = _plan(names, jobs, classifier.max_line_length)
    if work is None:
        report = classifier.classify_files(names)
        if on_progress is not None:
            for name in names:
                on_progress(os.path.getsize(name))
        return report
    with _pool(classifier, jobs) as pool:
        if on_progress is None:
            return classifier.merge(pool.map(_classify_piece, work))
        futures = [pool.submit(_classify_piece, piece) for piece in work]
        pairs = zip(futures, work, strict=True)
        sizes = {future: piece.end - piece.start for future, piece in pairs}
        for future in as_completed(futures):
            on_progress(sizes[future])
        return classifier.merge(future.result() for future in futures)


def scan_parallel(classifier: Classifier, paths: Iterable[str | Path], jobs: int) -> Iterator[str]:
    """The jsonl lines of every match, in input order, found by ``jobs`` worker processes."""
    names = [str(p) for p in paths]
    work = _plan(names, jobs, classifier.max_line_length)
    if work is None:
        for name in names:
            with open_log(name) as handle:
                for match in classifier.scan(handle, source_name=name):
                    yield format_match(match) + "\n"
        return
    with _pool(classifier, jobs) as pool:
        yield from pool.map(_scan_piece, work)
