"""The exact pipeline as one push-style object: physical lines in, grouped records out.

Reading, rejoining, decoding and grouping keep their state here, so a caller
may feed every line (the exact path) or only the lines that matter and account
for the others with ``skip`` (the fast path); both leave the same counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from amr_logpatterns.decode import decode_line
from amr_logpatterns.decode.blocks import MAX_QUIET_LINES, Grouper
from amr_logpatterns.decode.podstate import PodDirectory, PodStates
from amr_logpatterns.ingest.reading import DEFAULT_MAX_LINE_LENGTH
from amr_logpatterns.models.records import Line, LogRecord
from amr_logpatterns.models.results import SourceStats
from amr_logpatterns.peel.lines import LineReader
from amr_logpatterns.peel.rejoin import Rejoiner
from amr_logpatterns.peel.state import PasteState


@dataclass
class Tally:
    """Mutable counters for one source while it streams.

    ``timeouts_by_signature`` names the signatures behind ``regex_timeouts``.
    """

    source: str
    lines_read: int = 0
    blank_lines: int = 0
    skipped_lines: int = 0
    text_lines: int = 0
    records: int = 0
    decode_errors: int = 0
    nul_lines: int = 0
    truncated_lines: int = 0
    error_records: int = 0
    unexplained_error_records: int = 0
    matches: int = 0
    regex_timeouts: int = 0
    readable_lines: int = 0
    read_error: str | None = None
    error_sets: Counter[frozenset[str]] = field(default_factory=Counter)
    #: Text lines read under a log capture's context (namespace, pod, container): see
    #: ``PasteState.capturing``; and the records the engine counted for each component,
    #: by the ``Presence`` count they add to (``log_records``, ``pod_state_records``)
    captured: Counter[tuple[tuple[str, str], ...]] = field(default_factory=Counter)
    presence: Counter[tuple[str, str]] = field(default_factory=Counter)
    timeouts_by_signature: Counter[str] = field(default_factory=Counter)
    line_offset: int = 0

    def freeze(self) -> SourceStats:
        values = {name: getattr(self, name) for name in SourceStats.model_fields}
        values["lines_read"] = max(0, self.lines_read - self.line_offset)
        return SourceStats(**values)


_CAPTURE_KEYS = frozenset(("namespace", "workload", "container"))


def capture_key(context: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """What a log capture's context names, as ``Tally.captured`` counts it."""
    return tuple(sorted((k, v) for k, v in context.items() if k in _CAPTURE_KEYS))


class RecordStream:
    """Lines in, grouped records out, every line counted in the tally."""

    def __init__(
        self,
        tally: Tally,
        *,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        context: dict[str, str] | None = None,
        state: PasteState | None = None,
        pods: PodDirectory | None = None,
    ) -> None:
        self.tally = tally
        self.reader = LineReader(max_line_length=max_line_length, context=context)
        if state is not None:
            self.reader.state.session = dict(state.session)
            self.reader.state.in_fence = state.in_fence
            self.reader.state.capturing = state.capturing
        self.rejoiner = Rejoiner()
        self.pods = PodStates(pods)
        self.grouper = Grouper()
        self.quiet = 0  # blank and skipped lines since the last record

    @property
    def idle(self) -> bool:
        """Nothing spans the next line: it may be skipped if it is a plain one-record line."""
        return self.reader.idle and self.rejoiner.idle and self.pods.idle and self.grouper.idle

    def _lines(self, lines: list[Line]) -> list[LogRecord]:
        out: list[LogRecord] = []
        for line in lines:
            for joined in self.rejoiner.push(line):
                out += self._decode(joined)
        return out

    def _decode(self, line: Line) -> list[LogRecord]:
        tally = self.tally
        first, last = line.accounted
        tally.lines_read = max(tally.lines_read, line.last, last)
        tally.decode_errors += line.decode_errors
        tally.nul_lines += line.nul_lines
        tally.truncated_lines += line.truncated_lines
        # several when partial entries were joined, none for the second record of a line
        physical = max(0, last - first + 1)
        if line.kind == "blank":
            tally.blank_lines += physical
            return self._quiet(physical)
        if line.kind == "skipped":
            tally.skipped_lines += physical
            return self._quiet(physical)
        self.quiet = 0
        tally.text_lines += physical
        tally.readable_lines += max(0, physical - max(line.decode_errors, line.nul_lines))
        self._captured(physical)
        return self._group([r for d in decode_line(line, tally.source) for r in self.pods.push(d)])

    def _group(self, records: list[LogRecord]) -> list[LogRecord]:
        out: list[LogRecord] = []
        for record in records:
            out += self.grouper.push(record)
        return out

    def _flush(self) -> list[LogRecord]:
        """Everything the pod-state and grouping stages hold, in order."""
        return self._group(self.pods.flush()) + self.grouper.flush()

    def _quiet(self, count: int) -> list[LogRecord]:
        """Count lines that are no record; after ``MAX_QUIET_LINES`` of them in a row,
        what the grouper holds is complete."""
        self.quiet += count
        return self._flush() if self.quiet > MAX_QUIET_LINES else []

    def blank_run(self, count: int, last_number: int) -> list[LogRecord]:
        """Account for ``count`` empty lines after an empty one, ending at ``last_number``:
        what ``push`` would do with each of them."""
        tally = self.tally
        tally.blank_lines += count
        tally.lines_read = max(tally.lines_read, last_number)
        return self._quiet(count) if count > 0 else []

    def push(self, number: int, item: str | bytes) -> list[LogRecord]:
        """Feed physical line ``number``; return the records complete now."""
        return self._lines(self.reader.push(number, item))

    def skip(self, count: int, last_number: int) -> list[LogRecord]:
        """Account for ``count`` lines, each a one-record line below warning level that
        matches nothing and changes no state, ending at physical line ``last_number``."""
        out = self._flush()
        self.quiet = 0
        tally = self.tally
        tally.lines_read = max(tally.lines_read, last_number)
        tally.text_lines += count
        tally.readable_lines += count  # stage 1 reads every line with a flaw exactly
        tally.records += count
        self._captured(count)
        return out

    def _captured(self, count: int) -> None:
        """Count text lines read as the log of whatever the capture's context names."""
        state = self.reader.state
        if state.capturing and state.session:
            key = capture_key(state.session)
            if key:
                self.tally.captured[key] += count

    def finish(self) -> list[LogRecord]:
        """Flush everything held at the end of the input."""
        out = self._lines(self.reader.flush())
        for line in self.rejoiner.flush():
            out += self._decode(line)
        return out + self._flush()
