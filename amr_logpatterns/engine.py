"""Orchestration: lines in, matches and a Report out.

``Classifier`` compiles the packs once and can be reused for any number of
inputs; it keeps no state between calls.
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from .aggregate import Aggregator
from .blocks import group
from .decoders import decode_line
from .diagnose import diagnose
from .loader import Pack, load_packs
from .matcher import CompiledSignature, compile_signature, keyword_screen, match_record
from .models import Match, Report, SourceStats, Stats
from .reading import DEFAULT_MAX_LINE_LENGTH, Source, read_lines
from .records import LogRecord
from .schema import SEVERITY_RANK, Severity
from .unwrap import rejoin
from .wrappers import path_context

_ERROR_LEVELS = frozenset(("error", "dpanic", "panic", "fatal"))


class InputError(OSError):
    """An input could not be opened or read; the message names the file and why."""


@dataclass
class _Tally:
    """Mutable counters for one source while it streams."""

    source: str
    lines_read: int = 0
    blank_lines: int = 0
    skipped_lines: int = 0
    records: int = 0
    text_lines: int = 0
    decode_errors: int = 0
    nul_lines: int = 0
    truncated_lines: int = 0
    error_records: int = 0
    unexplained_error_records: int = 0
    matches: int = 0
    read_error: str | None = None
    encodings: Counter[str] = field(default_factory=Counter)

    def freeze(self) -> SourceStats:
        return SourceStats(**{**asdict(self), "encodings": dict(self.encodings)})


def source_name_of(source: object, default: str = "<input>") -> str:
    """The name of a file object, or ``default`` for strings and other iterables."""
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else default


def open_log(path: str | Path) -> IO[bytes]:
    """Open a log file for reading as bytes, decompressing ``.gz`` files."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a log file")
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise InputError(f"{p}: cannot open: {exc.strerror or exc}") from exc
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    handle.seek(0)
    return handle


class Classifier:
    """Compiled packs, ready to classify any number of inputs."""

    def __init__(
        self,
        pack: Pack | None = None,
        *,
        max_evidence: int = 5,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
    ) -> None:
        self.pack = pack if pack is not None else load_packs()
        components = {c.id: c for c in self.pack.components}
        self.signatures: tuple[CompiledSignature, ...] = tuple(
            compile_signature(s, components) for s in self.pack.signatures
        )
        self.screen = keyword_screen(self.signatures)
        self.max_evidence = max_evidence
        self.max_line_length = max_line_length

    def _records(self, source: Source, tally: _Tally) -> Iterator[LogRecord]:
        lines = rejoin(
            read_lines(
                source, max_line_length=self.max_line_length, context=path_context(tally.source)
            )
        )
        try:
            for line in lines:
                tally.lines_read = max(tally.lines_read, line.last)
                tally.decode_errors += line.decode_error
                tally.nul_lines += line.has_nul
                tally.truncated_lines += line.truncated
                if line.kind == "blank":
                    tally.blank_lines += 1
                elif line.kind == "skipped":
                    tally.skipped_lines += 1
                else:
                    tally.text_lines += line.last - line.number + 1
                    yield from decode_line(line, tally.source)
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            tally.read_error = (
                f"{tally.source}: reading stopped after line {tally.lines_read}: {exc}"
            )

    def _matches(
        self, source: Source, tally: _Tally, errors: Counter[frozenset[str]]
    ) -> Iterator[Match]:
        for record in group(self._records(source, tally)):
            tally.records += 1
            tally.encodings[record.encoding] += 1
            matches = match_record(self.signatures, record, self.screen)
            tally.matches += len(matches)
            is_error = record.level in _ERROR_LEVELS or any(m.severity == "error" for m in matches)
            if is_error:
                tally.error_records += 1
                ids = frozenset(m.id for m in matches)
                if not ids:
                    tally.unexplained_error_records += 1
                errors[ids] += 1
            yield from matches

    def scan(self, source: Source, *, source_name: str | None = None) -> Iterator[Match]:
        """Yield every match in ``source`` as it is found, holding no more than a record."""
        tally = _Tally(source=source_name or source_name_of(source))
        yield from self._matches(source, tally, Counter())

    def classify(self, source: Source, *, source_name: str | None = None) -> Report:
        """Classify one input: a str, bytes, a file object or any iterable of lines."""
        return self.classify_many([(source_name or source_name_of(source), source)])

    def classify_file(self, path: str | Path) -> Report:
        """Classify a plain or gzip-compressed log file."""
        return self.classify_files([path])

    def classify_files(self, paths: Iterable[str | Path]) -> Report:
        """Classify several files together, so findings correlate across them."""
        handles = [(str(p), open_log(p)) for p in paths]
        try:
            return self.classify_many(handles)
        finally:
            for _, handle in handles:
                handle.close()

    def classify_many(self, sources: Iterable[tuple[str, Source]]) -> Report:
        """Classify several named inputs into one report."""
        by_id = {cs.signature.id: cs.signature for cs in self.signatures}
        aggregator = Aggregator(signatures=by_id, max_evidence=self.max_evidence)
        errors: Counter[frozenset[str]] = Counter()
        tallies = []
        for name, source in sources:
            tally = _Tally(source=name)
            tallies.append(tally)
            for match in self._matches(source, tally, errors):
                aggregator.add(match)
        findings = aggregator.findings()
        diagnoses = diagnose(self.pack.diagnoses, findings, errors)
        severities: list[Severity] = [f.severity for f in findings]
        severities += [d.severity for d in diagnoses]
        per_source = [t.freeze() for t in tallies]
        stats = Stats(
            lines_read=sum(s.lines_read for s in per_source),
            records=sum(s.records for s in per_source),
            matches=sum(s.matches for s in per_source),
            error_records=sum(s.error_records for s in per_source),
            unexplained_error_records=sum(s.unexplained_error_records for s in per_source),
            sources=per_source,
        )
        worst = max(severities, key=SEVERITY_RANK.__getitem__, default=None)
        return Report(findings=findings, diagnoses=diagnoses, stats=stats, max_severity=worst)
