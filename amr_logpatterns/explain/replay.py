"""The exact pipeline replayed over the lines before and at the explained line.

The paste state earlier lines set up (a pasted command, a describe header, a
``tail`` header) is what attribution sees, so the replay reads them all; it
keeps, for the explained lines, how each was read and which line set the
context in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.explain.quoting import short
from amr_logpatterns.explain.trace import PeelTrace, Reading, read_physical, trace_peel
from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.models.records import Line, LogRecord
from amr_logpatterns.peel.ansi import strip_ansi
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.peel.tail_header import TAIL_HEADER
from amr_logpatterns.pipeline.classifier import Classifier

#: How many lines past the asked one the file form reads at most to complete its record
#: (a stack trace holds up to 400 frames of two lines, a CloudEvent dump 64 lines).
LOOKAHEAD_LINES = 1000


class _Replay(RecordStream):
    """The exact pipeline, keeping the lines it decodes so they can be shown."""

    def __init__(self, tally: Tally, *, max_line_length: int, context: dict[str, str]) -> None:
        super().__init__(tally, max_line_length=max_line_length, context=context)
        self.seen: list[Line] = []

    def _decode(self, line: Line) -> list[LogRecord]:
        self.seen.append(line)
        return super()._decode(line)


@dataclass
class Origins:
    """Which line set the paste state's session and describe context."""

    session: str | None
    describe: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Traced:
    """How one explained physical line was read, kept until the report is built."""

    reading: Reading
    peel: PeelTrace
    notes: list[str]
    #: The line's records came out of a log store's document or a CSV row, not the line
    enveloped: bool = False


class Run:
    """One replay of the pipeline over the context and the explained lines."""

    def __init__(self, classifier: Classifier, source: str) -> None:
        self.source = source
        self.max_line_length = classifier.max_line_length
        self.path_context = path_context(source)
        self.stream = _Replay(
            Tally(source=source),
            max_line_length=classifier.max_line_length,
            context=self.path_context,
        )
        self.records: list[LogRecord] = []
        self.traced: dict[int, Traced] = {}
        first = f"the source name {source!r}" if self.path_context else None
        self.origins: list[tuple[int, Origins]] = [
            (0, Origins(first, values=dict(self.path_context)))
        ]

    @property
    def state(self) -> PasteState:
        """The paste state of the replay's reader."""
        return self.stream.reader.state

    def push(self, number: int, item: str | bytes, *, trace: bool = False) -> None:
        """Feed one physical line; with ``trace``, also record how it was read.

        Context lines (``trace`` off) only build up state: a record complete
        before the explained lines cannot hold them, so it is not kept, and only
        the last decoded lines are, which keeps a long file's memory bounded.
        """
        state = self.state
        session, describe = dict(state.session), dict(state.describe)
        reading = read_physical(number, item, self.max_line_length) if trace else None
        peel = None if reading is None else trace_peel(reading.text, state)
        before = _held_note(state)
        records = self.stream.push(number, item)
        self._note_origins(number, item, session, describe)
        if reading is None or peel is None:
            seen = self.stream.seen
            if len(seen) > 2 * LOOKAHEAD_LINES:
                del seen[:-LOOKAHEAD_LINES]
        else:
            self.records += records
            notes = [] if before is None else [before]
            parts = sum(1 for line in self.stream.seen if line.number == number)
            if parts > 1 and before is None:
                notes.append(
                    f"a log store's answer on one line: its {parts} records are read apart,"
                    " each under its envelope's labels and time"
                )
            if peel.kind == "skipped" and state.session != session and state.session:
                shown = ", ".join(f"{k}={v}" for k, v in state.session.items())
                notes.append(f"sets the context of the lines after it: {shown}")
            enveloped = before is not None or parts > 1
            self.traced[number] = Traced(reading, peel, notes, enveloped)

    def _note_origins(
        self, number: int, item: str | bytes, session: dict[str, str], describe: dict[str, str]
    ) -> None:
        """Remember which line set the session or describe context, when one changed it."""
        state = self.state
        if state.session == session and state.describe == describe:
            return
        last = self.origins[-1][1]
        origins = Origins(last.session, dict(last.describe), dict(state.session))
        if state.session != session:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
            text = strip_ansi(text).strip()
            what = "tail header" if TAIL_HEADER.match(text) else "command"
            origins.session = f"the pasted {what} on line {number}: `{short(text, 80)}`"
        for key in list(origins.describe):
            if key not in state.describe:
                del origins.describe[key]
        for key, value in state.describe.items():
            if describe.get(key) != value:
                label = "Namespace:" if key == "namespace" else "Name:"
                origins.describe[key] = f"the describe output's {label} on line {number}"
        self.origins.append((number, origins))

    def finish(self) -> None:
        self.records += self.stream.finish()

    def origins_at(self, number: int) -> Origins:
        """The origins in force when line ``number`` was read."""
        found = self.origins[0][1]
        for start, origins in self.origins:
            if start > number:
                break
            found = origins
        return found

    def text_numbers(self) -> set[int]:
        """Physical lines that reached the decoders as (part of) text."""
        out: set[int] = set()
        for line in self.stream.seen:
            if line.kind == "text":
                out.update(range(line.number, line.last + 1))
        return out

    def covering(self, first: int, last: int) -> list[LogRecord]:
        """Records that hold a text line of ``first..last``, in the order they came out."""
        texts = {n for n in self.text_numbers() if first <= n <= last}
        return [r for r in self.records if any(r.line <= n <= r.end_line for n in texts)]

    def extent(self, first: int, last: int) -> int:
        """The last line of the records around ``first..last``: a record pulls in its frames."""
        while True:
            end = max((r.end_line for r in self.covering(first, last)), default=last)
            if end <= last:
                return last
            last = end

    def settled(self, number: int) -> bool:
        """Whether nothing the pipeline still holds can belong to the records of line ``number``."""
        traced = self.traced.get(number)
        if traced is not None and traced.peel.kind in ("blank", "skipped"):
            return True
        end = self.extent(number, number)
        stream = self.stream
        partial = stream.reader.state.partial
        held = [partial.number] if partial is not None else []
        document, table = stream.reader.state.document, stream.reader.state.table
        if document is not None:
            held.append(document.first)
        if table is not None and table.pending:
            held.append(table.first)
        held += [line.number for line in stream.rejoiner.pending]
        held += stream.pods.held()
        grouper = stream.grouper
        if grouper.event is not None:
            held.append(grouper.event.head.line)
        held += [r.line for r in (grouper.head, grouper.pending_func) if r is not None]
        return all(n > end for n in held)


def _held_note(state: PasteState) -> str | None:
    """What the paste state says of the next line: inside a document, a row of a table."""
    if state.document is not None:
        return (
            f"inside the JSON document opened on line {state.document.first}: a log store's"
            " answer is read once it closes, each record under its envelope's labels and time"
        )
    if state.table is not None:
        column = state.table.columns[state.table.message]
        return f"a row of the CSV export above: its {column!r} column is the record"
    return None


def _as_source(value: str | bytes) -> str | bytes:
    """Text from a command line may carry undecodable bytes as surrogates: give the bytes back."""
    if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
        return value.encode("utf-8", "surrogateescape")
    return value


def physical(value: str | bytes) -> list[str | bytes]:
    """The physical lines of pasted text, split as the engine splits its input."""
    return list(physical_lines(_as_source(value)))
