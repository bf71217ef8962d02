"""Orchestration: lines in, matches and a Report out.

``Classifier`` compiles the packs once and can be reused for any number of
inputs; it keeps no state between calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amr_logpatterns.analyse.aggregate import Aggregator
from amr_logpatterns.analyse.attribution import attribution_context, components_named
from amr_logpatterns.analyse.compiling import CompiledSignature
from amr_logpatterns.analyse.diagnose import diagnose, explain
from amr_logpatterns.analyse.matcher import DEFAULT_REGEX_TIMEOUT, match_signatures, to_match
from amr_logpatterns.analyse.templates import (
    DEFAULT_MAX_TEMPLATES,
    UNKNOWN_LEVELS,
    UnknownTally,
    identifying_components,
    merge_unknown,
)
from amr_logpatterns.analyse.verdicts import review
from amr_logpatterns.analyse.versions import normalise_tap_version
from amr_logpatterns.decode.podstate import is_pod_state
from amr_logpatterns.decode.stream import RecordStream, Tally, capture_key
from amr_logpatterns.fast.fastscan import CHUNK_BYTES, READ_ERRORS, FastScanner
from amr_logpatterns.fast.hits import LiteralLines, owners_of_hits
from amr_logpatterns.fast.prefilter import (
    ENGINES,
    UNKNOWN_HIT,
    Engine,
    available_engines,
    make_engine,
    patterns_for,
)
from amr_logpatterns.ingest.binary import binary_stream, bytes_left
from amr_logpatterns.ingest.compression import open_log
from amr_logpatterns.ingest.reading import (
    DEFAULT_MAX_LINE_LENGTH,
    Source,
    physical_lines,
    printable_name,
)
from amr_logpatterns.models.records import RAW_ENCODINGS, LogRecord
from amr_logpatterns.models.results import FieldValue, Finding, Match, Presence, Report, SourceStats
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.packs.schema import Severity, worst_severity
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline.compiled_packs import builtin_pack, compiled_pack
from amr_logpatterns.pipeline.merge import merge_reports, totals

_ERROR_LEVELS = frozenset(("error", "dpanic", "panic", "fatal"))
#: Signatures of this category recognise how the input was captured (kubectl's own
#: errors), not a line of the log it was meant to hold.
CAPTURE_CATEGORY = "capture"


Hit = tuple[CompiledSignature, LogRecord, dict[str, FieldValue]]


@dataclass(frozen=True)
class Part:
    """Where a piece of a larger input starts: its first line number and the paste state there."""

    first_line: int
    state: PasteState


def source_name_of(source: object, default: str = "<input>") -> str:
    """The name of a file object, or ``default`` for strings and other iterables."""
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else default


#: Below this, building stage 1 costs more than it saves (measured on noisy logs: equal at
#: about 256 KiB when Hyperscan compiles its database, 2.5x faster when it is cached).
FAST_PATH_MIN_BYTES = 256 << 10


class Classifier:
    """Compiled packs, ready to classify any number of inputs.

    ``engine`` picks stage 1 of the fast path for binary inputs (files, bytes):
    ``auto`` (the fastest installed), ``hyperscan``, ``re2``, ``stdlib``, or
    ``exact`` to read every line through the full pipeline. All give the same report.
    Inputs under ``fast_path_min_bytes`` are read exactly: building stage 1 costs more.
    ``max_unknown_templates`` bounds the unknown templates a report keeps (see ``templates``).
    ``tap_version`` (such as ``"1.6"``) picks the remediation steps of that TAP
    release; without it the release is inferred from names in the input.
    ``regex_timeout`` (seconds, None: no limit) bounds each regex search: a
    signature whose search runs past it does not match that record, and the
    report counts it (``regex_timeouts``), so a hostile line cannot stall a run.
    """

    def __init__(
        self,
        pack: Pack | None = None,
        *,
        max_evidence: int = 5,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        engine: str = "auto",
        chunk_bytes: int = CHUNK_BYTES,
        fast_path_min_bytes: int = FAST_PATH_MIN_BYTES,
        cache_dir: str | Path | None = None,
        tap_version: str | None = None,
        max_unknown_templates: int = DEFAULT_MAX_TEMPLATES,
        regex_timeout: float | None = DEFAULT_REGEX_TIMEOUT,
    ) -> None:
        if regex_timeout is not None and not regex_timeout > 0:
            raise ValueError(f"regex_timeout must be more than 0 seconds, or None: {regex_timeout}")
        self.regex_timeout = regex_timeout
        compiled = compiled_pack(pack if pack is not None else builtin_pack())
        self.pack = compiled.pack
        self.tap_version = normalise_tap_version(tap_version)
        self.signatures: tuple[CompiledSignature, ...] = compiled.signatures
        self.index = compiled.index
        self.max_evidence = max_evidence
        if max_line_length < 1:
            raise ValueError(f"max_line_length must be 1 or more: {max_line_length}")
        self.max_line_length = max_line_length
        if engine not in ("auto", "exact", *ENGINES):
            raise ValueError(
                f"unknown engine {engine!r}; choose from auto, exact, {', '.join(ENGINES)}"
            )
        installed = available_engines()
        if engine in ENGINES and engine not in installed:
            raise ValueError(
                f"engine {engine!r} is not installed (pip install 'amr-logpatterns[fast]');"
                f" installed: {', '.join(installed)}"
            )
        self.engine = installed[0] if engine == "auto" else engine
        self._prefilter: Engine | None = None
        self._owners_of_hits: tuple[tuple[int, ...], ...] = ()
        self.chunk_bytes = chunk_bytes
        self.fast_path_min_bytes = fast_path_min_bytes
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        if max_unknown_templates < 0:
            raise ValueError(f"max_unknown_templates must be 0 or more: {max_unknown_templates}")
        self.max_unknown_templates = max_unknown_templates
        self._owners = identifying_components(self.pack.components)
        self._owner_ids = frozenset(c.id for c in self._owners)

    def __getstate__(self) -> dict[str, object]:
        """What rebuilds this classifier in another process (a ``--jobs`` worker, a Dask
        task): its pack and settings; the compiled state is rebuilt there on first use."""
        return {
            "pack": self.pack,
            "max_evidence": self.max_evidence,
            "max_line_length": self.max_line_length,
            "engine": self.engine,
            "chunk_bytes": self.chunk_bytes,
            "fast_path_min_bytes": self.fast_path_min_bytes,
            "cache_dir": self.cache_dir,
            "tap_version": self.tap_version,
            "max_unknown_templates": self.max_unknown_templates,
            "regex_timeout": self.regex_timeout,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def stage1(self) -> Engine:
        """The compiled stage-1 engine of the fast path (built on first use)."""
        if self._prefilter is None:
            # only the literals a log line's record can be matched by: pod state, events,
            # kernel lines and CloudEvent dumps are found by their own structural patterns
            literals = [lit for cs in self.signatures if cs.reads_raw for lit in cs.literals]
            self._prefilter = make_engine(self.engine, patterns_for(literals), self.cache_dir)
            self._owners_of_hits = owners_of_hits(self.signatures)
        return self._prefilter

    def _records(
        self,
        source: Source,
        tally: Tally,
        part: Part | None = None,
        literal_lines: LiteralLines | None = None,
    ) -> Iterator[LogRecord]:
        stream = RecordStream(
            tally,
            max_line_length=self.max_line_length,
            context=path_context(tally.source),
            state=None if part is None else part.state,
        )
        first_line = 1 if part is None else part.first_line
        tally.line_offset = first_line - 1
        tally.lines_read = first_line - 1
        binary = None if self.engine == "exact" else binary_stream(source)
        left = None if binary is None else bytes_left(binary)
        if binary is not None and left is not None and left < self.fast_path_min_bytes:
            source, binary = binary, None  # a small input: building stage 1 costs more
        try:
            if binary is not None:
                scanner = FastScanner(self.stage1(), stream, self.max_line_length, literal_lines)
                yield from scanner.run(binary, chunk_bytes=self.chunk_bytes, first_line=first_line)
                return
            for number, item in enumerate(physical_lines(source), first_line):
                yield from stream.push(number, item)
        except READ_ERRORS as exc:
            tally.read_error = (
                f"{tally.source}: reading stopped after line {tally.lines_read}: {exc}"
            )
        yield from stream.finish()

    def _hits(
        self,
        source: Source,
        tally: Tally,
        part: Part | None = None,
        unknown: UnknownTally | None = None,
    ) -> Iterator[Hit]:
        """Match every record; ``unknown`` gathers the records no signature knew (None:
        nobody asked, as when only matches stream out)."""
        index = self.index
        timeout = self.regex_timeout
        timed_out: list[str] = []
        literal_lines = LiteralLines()  # what stage 1 saw, when the fast path reads
        found_on = literal_lines.found_on
        for record in self._records(source, tally, part, literal_lines):
            tally.records += 1
            candidates = None
            if record.line == record.end_line and record.encoding in RAW_ENCODINGS:
                hits = found_on(record.line, record.line)
                if hits is not None and UNKNOWN_HIT not in hits:
                    # only the signatures whose literals stage 1 found on the line can match
                    owners = self._owners_of_hits  # set with stage 1, which found the hits
                    candidates = {i for hit in hits for i in owners[hit]}
            found = match_signatures(
                index, record, timeout=timeout, timed_out=timed_out, candidates=candidates
            )
            if timed_out:
                tally.regex_timeouts += len(timed_out)
                tally.timeouts_by_signature.update(timed_out)
                timed_out.clear()
            tally.matches += len(found)
            self._count_presence(tally, record, found)
            is_error = record.level in _ERROR_LEVELS or any(
                cs.signature.severity == "error" for cs, _ in found
            )
            if is_error:
                tally.error_records += 1
                ids = frozenset(cs.signature.id for cs, _ in found)
                if not ids:
                    tally.unexplained_error_records += 1
                tally.error_sets[ids] += 1
            if not found and unknown is not None and record.level in UNKNOWN_LEVELS:
                unknown.add(record)
            for cs, fields in found:
                yield cs, record, fields

    def _count_presence(
        self,
        tally: Tally,
        record: LogRecord,
        found: list[tuple[CompiledSignature, dict[str, FieldValue]]],
    ) -> None:
        """Count the record for the component whose pod state it shows, or whose log
        line one of its signatures recognised."""
        if is_pod_state(record):
            for component in components_named(attribution_context(record), self._owners):
                tally.presence[(component, "pod_state_records")] += 1
            return
        if any(cs.signature.category == CAPTURE_CATEGORY for cs, _ in found):
            # kubectl's own error under a ``kubectl logs`` command is no line of that log
            key = capture_key(record.context)
            if tally.captured[key] > 0:
                tally.captured[key] -= 1
            return
        mine = {cs.signature.component for cs, _ in found} & self._owner_ids
        for component in mine:
            tally.presence[(component, "log_records")] += 1

    def scan(
        self, source: Source, *, source_name: str | None = None, part: Part | None = None
    ) -> Iterator[Match]:
        """Yield every match in ``source`` as it is found, holding no more than a record."""
        tally = Tally(source=printable_name(source_name or source_name_of(source)))
        for cs, record, fields in self._hits(source, tally, part):
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

    def classify_many(
        self, sources: Iterable[tuple[str, Source]], *, part: Part | None = None
    ) -> Report:
        """Classify several named inputs into one report (``part``: where a piece starts)."""
        by_id = {cs.signature.id: cs.signature for cs in self.signatures}
        aggregator = Aggregator(signatures=by_id, max_evidence=self.max_evidence)
        tallies = []
        unknown = UnknownTally(self.max_unknown_templates, self._owners)
        for name, source in sources:
            tally = Tally(source=printable_name(name))
            tallies.append(tally)
            for cs, record, fields in self._hits(source, tally, part, unknown):
                aggregator.add(cs.signature, record, fields)
        per_source = [t.freeze() for t in tallies]
        return self.report(aggregator.findings(), per_source, tallies, unknown)

    def report(
        self,
        findings: list[Finding],
        per_source: list[SourceStats],
        tallies: list[Tally],
        unknown: UnknownTally | None = None,
    ) -> Report:
        """Assemble the report: totals from the sources, then the diagnoses."""
        error_sets: Counter[frozenset[str]] = Counter()
        timeouts: Counter[str] = Counter()
        for tally in tallies:
            error_sets.update(tally.error_sets)
            timeouts.update(tally.timeouts_by_signature)
        keyed = {",".join(sorted(k)): v for k, v in error_sets.items()}
        stats = totals(per_source, keyed, self.max_evidence, timeouts).model_copy(
            update={"unknown_template_limit": self.max_unknown_templates}
        )
        report = Report(findings=findings, stats=stats, seen=self.presence(tallies))
        if unknown is not None:
            report = unknown.apply(report)
        return self.diagnosed(report)

    def presence(self, tallies: Iterable[Tally]) -> list[Presence]:
        """What each source held of each AMR component (``Report.seen``; ``diagnosed``
        puts it in pack order)."""
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for tally in tallies:
            for key, lines in tally.captured.items():
                if lines <= 0:  # every line under the command was kubectl's own error
                    continue
                for component in components_named(dict(key), self._owners):
                    slot = counts.setdefault((component, tally.source), {})
                    slot["log_lines"] = slot.get("log_lines", 0) + lines
            for (component, count), n in tally.presence.items():
                slot = counts.setdefault((component, tally.source), {})
                slot[count] = slot.get(count, 0) + n
        titles = {c.id: c.title for c in self._owners}
        return [
            Presence(component=component, title=titles[component], source=source, **values)
            for (component, source), values in counts.items()
        ]

    def diagnosed(self, report: Report) -> Report:
        """The report with its diagnoses drawn (again) from its findings and stats."""
        error_sets: Counter[frozenset[str]] = Counter()
        for key, count in report.stats.error_signature_sets.items():
            error_sets[frozenset(key.split(",")) if key else frozenset()] += count
        report, specs = review(report, self.pack, self.tap_version)
        sources = [s.source for s in report.stats.sources]
        diagnoses = diagnose(specs, report.findings, error_sets, sources=sources)
        findings = explain(report.findings, diagnoses)
        severities: list[Severity] = [f.severity for f in findings]
        severities += [d.severity for d in diagnoses]
        worst = worst_severity(severities)
        checked = [s.id for s in self.pack.signatures] + [d.id for d in self.pack.diagnoses]
        order = {c.id: i for i, c in enumerate(self._owners)}
        return report.model_copy(
            update={
                "findings": findings,
                "diagnoses": diagnoses,
                "max_severity": worst,
                "checked": checked,
                "seen": sorted(report.seen, key=lambda p: order.get(p.component, len(order))),
            }
        )

    def merge(self, reports: Iterable[Report]) -> Report:
        """Merge reports of consecutive parts or of several inputs, then draw the diagnoses.

        Unknown templates are folded again under this classifier's own cap.
        """
        items = list(reports)
        merged = merge_unknown(items, merge_reports(items), self.max_unknown_templates)
        cap = {"unknown_template_limit": self.max_unknown_templates}
        stats = merged.stats.model_copy(update=cap)
        return self.diagnosed(merged.model_copy(update={"stats": stats}))
