"""The exact pipeline as one push-style object: physical lines in, grouped records out.

Reading, rejoining, decoding and grouping keep their state here, so a caller
may feed every line (the exact path) or only the lines that matter and account
for the others with ``skip`` (the fast path); both leave the same counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .blocks import MAX_QUIET_LINES, Grouper
from .decoders import decode_line
from .models import SourceStats
from .reading import DEFAULT_MAX_LINE_LENGTH, LineReader
from .records import Line, LogRecord
from .templates import UnknownTally
from .unwrap import Rejoiner
from .wrappers import PasteState


@dataclass
class Tally:
    """Mutable counters for one source while it streams.

    ``unknown`` collects the unknown records of a whole run, so the sources of
    one report share it (None: nobody asked, as when only matches stream out).
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
    read_error: str | None = None
    error_sets: Counter[frozenset[str]] = field(default_factory=Counter)
    timeouts_by_signature: Counter[str] = field(default_factory=Counter)
    line_offset: int = 0
    unknown: UnknownTally | None = None

    def freeze(self) -> SourceStats:
        values = {name: getattr(self, name) for name in SourceStats.model_fields}
        values["lines_read"] = max(0, self.lines_read - self.line_offset)
        return SourceStats(**values)


class RecordStream:
    """Lines in, grouped records out, every line counted in the tally."""

    def __init__(
        self,
        tally: Tally,
        *,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        context: dict[str, str] | None = None,
        state: PasteState | None = None,
    ) -> None:
        self.tally = tally
        self.reader = LineReader(max_line_length=max_line_length, context=context)
        if state is not None:
            self.reader.state.session = dict(state.session)
            self.reader.state.in_fence = state.in_fence
        self.rejoiner = Rejoiner()
        self.grouper = Grouper()
        self.quiet = 0  # blank and skipped lines since the last record

    @property
    def idle(self) -> bool:
        """Nothing spans the next line: it may be skipped if it is a plain one-record line."""
        return self.reader.idle and self.rejoiner.idle and self.grouper.idle

    def _lines(self, lines: list[Line]) -> list[LogRecord]:
        out: list[LogRecord] = []
        for line in lines:
            for joined in self.rejoiner.push(line):
                out += self._decode(joined)
        return out

    def _decode(self, line: Line) -> list[LogRecord]:
        tally = self.tally
        tally.lines_read = max(tally.lines_read, line.last)
        tally.decode_errors += line.decode_errors
        tally.nul_lines += line.nul_lines
        tally.truncated_lines += line.truncated_lines
        physical = line.last - line.number + 1  # several when partial entries were joined
        if line.kind == "blank":
            tally.blank_lines += physical
            return self._quiet(physical)
        if line.kind == "skipped":
            tally.skipped_lines += physical
            return self._quiet(physical)
        self.quiet = 0
        tally.text_lines += physical
        out: list[LogRecord] = []
        for record in decode_line(line, tally.source):
            out += self.grouper.push(record)
        return out

    def _quiet(self, count: int) -> list[LogRecord]:
        """Count lines that are no record; after ``MAX_QUIET_LINES`` of them in a row,
        what the grouper holds is complete."""
        self.quiet += count
        return self.grouper.flush() if self.quiet > MAX_QUIET_LINES else []

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
        out = self.grouper.flush()
        self.quiet = 0
        tally = self.tally
        tally.lines_read = max(tally.lines_read, last_number)
        tally.text_lines += count
        tally.records += count
        return out

    def finish(self) -> list[LogRecord]:
        """Flush everything held at the end of the input."""
        out = self._lines(self.reader.flush())
        for line in self.rejoiner.flush():
            out += self._decode(line)
        return out + self.grouper.flush()
