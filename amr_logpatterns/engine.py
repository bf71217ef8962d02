"""Orchestration: lines in, matches and a Report out.

``Classifier`` compiles the packs once and can be reused for any number of
inputs; it keeps no state between calls.
"""

from __future__ import annotations

import codecs
import gzip
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .aggregate import Aggregator
from .diagnose import diagnose
from .fastscan import CHUNK_BYTES, READ_ERRORS, FastScanner
from .literals import signature_literals
from .loader import Pack, load_packs
from .matcher import (
    CompiledSignature,
    compile_signature,
    keyword_screen,
    match_signatures,
    to_match,
)
from .models import FieldValue, Finding, Match, Report, SourceStats, Stats
from .prefilter import ENGINES, Engine, available_engines, make_engine, patterns_for
from .reading import DEFAULT_MAX_LINE_LENGTH, Source, physical_lines
from .records import LogRecord
from .schema import SEVERITY_RANK, Severity
from .stream import RecordStream, Tally
from .wrappers import path_context

_ERROR_LEVELS = frozenset(("error", "dpanic", "panic", "fatal"))
_READ_ERRORS = READ_ERRORS


class InputError(OSError):
    """An input could not be opened or read; the message names the file and why."""


Hit = tuple[CompiledSignature, LogRecord, dict[str, FieldValue]]


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


def _binary_stream(source: object) -> IO[bytes] | None:
    """The source as a binary stream the fast path can read in chunks, if it is one."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        return io.BytesIO(data)
    if isinstance(source, (io.BufferedIOBase, io.RawIOBase)):
        return source  # type: ignore[return-value]
    return None


class Classifier:
    """Compiled packs, ready to classify any number of inputs.

    ``engine`` picks stage 1 of the fast path for binary inputs (files, bytes):
    ``auto`` (the fastest installed), ``hyperscan``, ``re2``, ``stdlib``, or
    ``exact`` to read every line through the full pipeline. All give the same report.
    """

    def __init__(
        self,
        pack: Pack | None = None,
        *,
        max_evidence: int = 5,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        engine: str = "auto",
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.pack = pack if pack is not None else load_packs()
        components = {c.id: c for c in self.pack.components}
        self.signatures: tuple[CompiledSignature, ...] = tuple(
            compile_signature(s, components) for s in self.pack.signatures
        )
        self.screen = keyword_screen(self.signatures)
        self.max_evidence = max_evidence
        self.max_line_length = max_line_length
        if engine not in ("auto", "exact", *ENGINES):
            raise ValueError(
                f"unknown engine {engine!r}; choose from auto, exact, {', '.join(ENGINES)}"
            )
        self.engine = available_engines()[0] if engine == "auto" else engine
        self._prefilter: Engine | None = None
        self.chunk_bytes = chunk_bytes

    def _stage1(self) -> Engine:
        if self._prefilter is None:
            literals = [lit for cs in self.signatures for lit in signature_literals(cs.signature)]
            self._prefilter = make_engine(self.engine, patterns_for(literals))
        return self._prefilter

    def _records(self, source: Source, tally: Tally) -> Iterator[LogRecord]:
        stream = RecordStream(
            tally, max_line_length=self.max_line_length, context=path_context(tally.source)
        )
        binary = None if self.engine == "exact" else _binary_stream(source)
        try:
            if binary is not None:
                scanner = FastScanner(self._stage1(), stream, self.max_line_length)
                yield from scanner.run(binary, chunk_bytes=self.chunk_bytes)
                return
            for number, item in enumerate(physical_lines(source), 1):
                yield from stream.push(number, item)
        except _READ_ERRORS as exc:
            tally.read_error = (
                f"{tally.source}: reading stopped after line {tally.lines_read}: {exc}"
            )
        yield from stream.finish()

    def _hits(self, source: Source, tally: Tally) -> Iterator[Hit]:
        signatures, screen = self.signatures, self.screen
        for record in self._records(source, tally):
            tally.records += 1
            found = match_signatures(signatures, record, screen)
            tally.matches += len(found)
            is_error = record.level in _ERROR_LEVELS or any(
                cs.signature.severity == "error" for cs, _ in found
            )
            if is_error:
                tally.error_records += 1
                ids = frozenset(cs.signature.id for cs, _ in found)
                if not ids:
                    tally.unexplained_error_records += 1
                tally.error_sets[ids] += 1
            for cs, fields in found:
                yield cs, record, fields

    def scan(self, source: Source, *, source_name: str | None = None) -> Iterator[Match]:
        """Yield every match in ``source`` as it is found, holding no more than a record."""
        tally = Tally(source=source_name or source_name_of(source))
        for cs, record, fields in self._hits(source, tally):
            yield to_match(cs, record, fields)

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
        tallies = []
        for name, source in sources:
            tally = Tally(source=name)
            tallies.append(tally)
            for cs, record, fields in self._hits(source, tally):
                aggregator.add(cs.signature, record, fields)
        return self.report(aggregator.findings(), [t.freeze() for t in tallies], tallies)

    def report(
        self, findings: list[Finding], per_source: list[SourceStats], tallies: list[Tally]
    ) -> Report:
        """Assemble the report: diagnoses from the findings, totals from the sources."""
        error_sets: Counter[frozenset[str]] = Counter()
        for tally in tallies:
            error_sets.update(tally.error_sets)
        diagnoses = diagnose(self.pack.diagnoses, findings, error_sets)
        severities: list[Severity] = [f.severity for f in findings]
        severities += [d.severity for d in diagnoses]
        stats = Stats(
            lines_read=sum(s.lines_read for s in per_source),
            records=sum(s.records for s in per_source),
            matches=sum(s.matches for s in per_source),
            error_records=sum(s.error_records for s in per_source),
            unexplained_error_records=sum(s.unexplained_error_records for s in per_source),
            error_signature_sets={
                ",".join(sorted(k)): v
                for k, v in sorted(error_sets.items(), key=lambda kv: sorted(kv[0]))
            },
            sources=per_source,
        )
        worst = max(severities, key=SEVERITY_RANK.__getitem__, default=None)
        return Report(findings=findings, diagnoses=diagnoses, stats=stats, max_severity=worst)
