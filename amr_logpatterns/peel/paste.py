"""Peel one line: what capture tools and pastes put around a log line comes off here.

The order: colour, quote markers and indentation; a line that starts with a
record is done; a pasted marker (fence, command, elision, tail header) is
skipped and changes the paste state; otherwise the wrappers of
``registry.WRAPPERS`` come off, stacked, and a CRI or Docker partial entry is
held until its continuation. The pod, container and namespace that a wrapper,
a pasted command or a describe header names become the line's context.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from amr_logpatterns.models.records import NO_FLAWS, Flaws, Line
from amr_logpatterns.models.shapes import KLOG_HEADER, STRUCTURED_START, ZAP_CONSOLE_START
from amr_logpatterns.peel.ansi import peel_ansi
from amr_logpatterns.peel.csv_rows import take_row
from amr_logpatterns.peel.describe_header import note_describe_header
from amr_logpatterns.peel.document_buffer import DocumentBuffer, opens_document
from amr_logpatterns.peel.documents import (
    Placed,
    Record,
    buffered_records,
    in_time_order,
    one_line_document,
    salvaged_records,
)
from amr_logpatterns.peel.envelope import may_be_envelope
from amr_logpatterns.peel.quote import peel_quote
from amr_logpatterns.peel.registry import MARKERS, WRAPPERS
from amr_logpatterns.peel.rules import EMPTY, Marker, Peeling
from amr_logpatterns.peel.state import PasteState, completed

#: How many times the wrappers are tried in turn: more stacked wrappers than this is
#: no capture tool's doing.
MAX_STACKED = 6

#: A line that starts with a JSON, zap console or klog record carries no wrapper and is
#: no pasted marker: it skips the wrapper stage (Go log lines do not: a prompt may
#: precede a command in the same shape).
RECORD_FIRST = re.compile(
    "(?:"
    + "|".join(
        (r'\{\s*"(?:level|ts|msg|message|severity|L|T|M)"\s*:', ZAP_CONSOLE_START, KLOG_HEADER)
    )
    + ")"
)


def peel_prelude(text: str, peeling: Peeling) -> tuple[str, int]:
    """Colour and quote markers off, then the indentation: the text and its indent."""
    text = peel_quote(peel_ansi(text, peeling), peeling)
    stripped = text.lstrip(" \t")
    if stripped != text:
        peeling.note("indentation", text[: len(text) - len(stripped)])
    return stripped, len(text) - len(stripped)


def find_marker(text: str) -> tuple[Marker, re.Match[str]] | None:
    """The pasted marker this line is, in ``MARKERS``' order, with its match."""
    for marker in MARKERS:
        m = marker.match(text)
        if m is not None:
            return marker, m
    return None


def peel_wrappers(text: str, peeling: Peeling) -> str:
    """Every stacked wrapper off, in ``WRAPPERS``' order, until none changes the line."""
    for _ in range(MAX_STACKED):
        before = text
        for wrapper in WRAPPERS:
            rest = wrapper.peel(text, peeling)
            if rest is not None:
                text = rest
        if text == before:
            break
    return text


@dataclass(frozen=True)
class Outcome:
    """What one line is, once peeled: nothing (``blank``), a record from its first
    character (``record``), a pasted marker (``marker``, with the marker and its match) or
    a line whose wrappers came off (``wrapped``: its text is not yet stripped on the right,
    as a partial entry's must not be)."""

    kind: Literal["blank", "record", "marker", "wrapped"]
    text: str
    indent: int
    marker: tuple[Marker, re.Match[str]] | None = None


def classify(text: str, state: PasteState, peeling: Peeling) -> Outcome:
    """Peel ``text`` and say what it is, without changing ``state``.

    ``peel`` acts on the outcome; ``explain-line`` shows it, with the wrappers
    ``peeling`` noted.
    """
    text, indent = peel_prelude(text, peeling)
    if not text.strip():
        return Outcome("blank", "", indent)
    if state.partial is None and RECORD_FIRST.match(text) and not may_be_envelope(text):
        return Outcome("record", text.rstrip(), indent)
    found = find_marker(text.rstrip())
    if found is not None:
        return Outcome("marker", text.rstrip(), indent, found)
    unwrapped = text
    text = peel_wrappers(text, peeling)
    joined = state.partial is not None and bool(peeling.cri_flag)
    if not joined and text != unwrapped:  # the indentation is what follows the wrapper
        stripped = text.lstrip(" \t")
        if stripped != text:
            peeling.note("indentation", text[: len(text) - len(stripped)])
        indent, text = len(text) - len(stripped), stripped
    return Outcome("wrapped", text, indent)


def _record_line(
    number: int, text: str, state: PasteState, flaws: Flaws, found: Mapping[str, str]
) -> Line:
    state.describe = {}  # log records follow: any describe output has ended
    context = {**state.session, **found} if state.session or found else {}
    return Line(number, text, context=context, **flaws._asdict())


def peel(
    number: int,
    text: str,
    state: PasteState,
    *,
    flaws: Flaws = NO_FLAWS,
    max_length: int | None = None,
) -> list[Line]:
    """Turn one decoded physical line into the ``Line`` (or lines) it stands for.

    ``flaws`` are the physical line's; CRI partial entries joined into one line add
    theirs up, and their text stops growing at ``max_length`` (the rest is counted as
    cut), so an endless run of them costs neither quadratic time nor unbounded memory.
    A log store's document (one line, or collected while its brackets are open) and a
    CSV export's row become the records they hold.
    """
    if state.document is not None:
        return _collect(number, text, state, flaws, max_length)
    if state.table is not None:
        rows = _row(number, text, state, flaws, max_length)
        if rows is not None:
            return rows
    return _peel_line(number, text, state, flaws=flaws, max_length=max_length)


def _peel_line(
    number: int,
    text: str,
    state: PasteState,
    *,
    flaws: Flaws = NO_FLAWS,
    max_length: int | None = None,
    seed: Mapping[str, str] = EMPTY,
    may_open: bool = True,
) -> list[Line]:
    """``peel`` for a line that no document or table takes; ``seed`` is the context of the
    envelope the text came in (a document's record), ``may_open`` False for a line that
    was collected as a document's start and turned out to be none."""
    peeling = Peeling(context=dict(seed))
    outcome = classify(text, state, peeling)
    if outcome.kind == "blank":
        return [*state.flush(), Line(number, "", kind="blank", **flaws._asdict())]
    if not seed and outcome.text[:1] in "{[":
        records = one_line_document(outcome.text)
        if records is None and flaws.truncated_lines and outcome.text[:1] == "{":
            # an answer longer than the line cap: the records its start holds whole
            records = salvaged_records(outcome.text) or None
        if records is not None:
            placed = in_time_order([Placed(number, number, r) for r in records])
            span = (number, number)
            return [*state.flush(), *_record_lines(placed, state, flaws, max_length, span)]
        if may_open and state.partial is None and opens_document(outcome.text):
            state.document = DocumentBuffer(number)
            state.document.push(number, outcome.text, text, flaws)
            return list(state.flush())
    if outcome.kind == "record":
        return [_record_line(number, outcome.text, state, flaws, peeling.context)]
    if outcome.marker is not None:
        marker, m = outcome.marker
        marker.apply(m, state)
        skipped = Line(number=number, text=outcome.text, kind="skipped", **flaws._asdict())
        return [*state.flush(), skipped]
    if "\n" in outcome.text and peeling.cri_flag != "P":
        # an envelope held several lines (a stack trace): each is read as a line of its own
        placed = [Placed(number, number, Record(outcome.text, peeling.context))]
        span = (number, number)
        return [*state.flush(), *_record_lines(placed, state, flaws, max_length, span)]
    text, indent = outcome.text, outcome.indent
    cri_flag, context = peeling.cri_flag, peeling.context
    out: list[Line] = []
    end = 0
    held, pieces, length = state.take_partial()
    if held is not None and cri_flag:
        context = {**held.context, **context}
        number, end = held.number, number
        if max_length is not None and length + len(text) > max_length:
            text = text[: max(0, max_length - length)]
            flaws = flaws._replace(truncated_lines=1)
        flaws = held.flaws.plus(flaws)
        pieces.append(text)
        length += len(text)
        if cri_flag == "P":
            state.partial = replace(held, end_number=end, context=context, **flaws._asdict())
            state.partial_pieces, state.partial_length = pieces, length
            return out
        text = "".join([held.text, *pieces])
    elif held is not None:
        out.append(completed(held, pieces))
    if cri_flag != "P":
        text = text.rstrip()
    if state.describe and STRUCTURED_START.match(text):
        state.describe = {}  # log records follow: the describe output has ended
    note_describe_header(text, state)
    line = Line(
        number=number,
        text=text,
        kind="text" if text else "blank",
        context={**state.session, **state.describe, **context}
        if state.session or state.describe
        else context,
        end_number=end,
        indent=indent,
        **flaws._asdict(),
    )
    if cri_flag == "P":
        state.partial, state.partial_length = line, len(text)
        return out
    out.append(line)
    return out


def _record_lines(
    placed: list[Placed],
    state: PasteState,
    flaws: Flaws,
    max_length: int | None,
    span: tuple[int, int],
) -> list[Line]:
    """The lines of the records a document or a row held, each peeled as a line of its
    own (a record may be wrapped again, or hold several lines) under its envelope's
    context. The physical lines ``span`` covers are counted once, with the first line
    (the physical lines' flaws with it); the other records' lines count for none."""
    out: list[Line] = []
    accounted = False
    for p in placed:
        for piece in p.record.text.split("\n"):
            lines = _peel_line(
                p.line, piece, state, flaws=flaws, max_length=max_length, seed=p.record.context
            )
            for line in lines:
                if line.number < span[0]:  # a partial entry held from before
                    out.append(line)
                    continue
                counted = span if not accounted else _NONE
                accounted = True
                end = p.end if p.end != p.line else line.end_number
                out.append(replace(line, accounts=counted, end_number=end))
                flaws = NO_FLAWS
    if not accounted:  # every record was held (a partial entry): the lines still count
        out.append(Line(span[0], "", kind="blank", accounts=span, **flaws._asdict()))
    return out


#: What a record's line accounts for when another line of its answer counted them.
_NONE = (0, -1)


def _collect(
    number: int, text: str, state: PasteState, flaws: Flaws, max_length: int | None
) -> list[Line]:
    """One more line of a pretty-printed document: held while it is open; its records
    once it closes, or its lines as they are when it is no log store's answer."""
    document = state.document
    assert document is not None
    stripped, _ = peel_prelude(text, Peeling())
    answer = document.push(number, stripped, text, flaws)
    if answer == "more":
        return []
    state.document = None
    placed = buffered_records(document.peeled()) if answer == "done" else None
    if placed is None:
        return reread(document, state, max_length)
    flaws = functools.reduce(Flaws.plus, (f for _, _, f in document.raw), NO_FLAWS)
    return _record_lines(placed, state, flaws, max_length, (document.first, number))


def reread(document: DocumentBuffer, state: PasteState, max_length: int | None) -> list[Line]:
    """The lines a document held, read as the lines they are: the first may not open a
    document again, and none of them may when it outgrew the limits (so a run of lone
    brackets is read once, not again and again)."""
    out: list[Line] = []
    for i, (number, raw, held_flaws) in enumerate(document.raw):
        if state.document is not None:  # a later line opened one
            out += _collect(number, raw, state, held_flaws, max_length)
        else:
            may_open = i > 0 and not document.overflowed
            out += _peel_line(
                number, raw, state, flaws=held_flaws, max_length=max_length, may_open=may_open
            )
    return out


def _row(
    number: int, text: str, state: PasteState, flaws: Flaws, max_length: int | None
) -> list[Line] | None:
    """A CSV row's record; None for a line the table does not take (a blank line or a
    marker ends the table)."""
    table = state.table
    assert table is not None
    stripped, _ = peel_prelude(text, Peeling())
    if not table.pending and (not stripped.strip() or find_marker(stripped.rstrip())):
        state.table = None
        return None
    if not table.pending:
        table.first = number
    taken = take_row(stripped.rstrip("\r\n"), table)
    if taken is True:
        return []
    if taken is None:
        return None
    message, context = taken
    placed = [Placed(table.first, number, Record(message, context))]
    return _record_lines(placed, state, flaws, max_length, (table.first, number))


def flush_held(state: PasteState, max_length: int | None) -> list[Line]:
    """Everything held at the end of the input, as lines."""
    out = list(state.flush())
    document, state.document = state.document, None
    if document is not None:
        out += reread(document, state, max_length)
    return out
