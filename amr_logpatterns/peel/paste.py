"""Peel one line: what capture tools and pastes put around a log line comes off here.

The order: colour, quote markers and indentation; a line that starts with a
record is done; a pasted marker (fence, command, elision, tail header) is
skipped and changes the paste state; otherwise the wrappers of
``registry.WRAPPERS`` come off, stacked, and a CRI or Docker partial entry is
held until its continuation. The pod, container and namespace that a wrapper,
a pasted command or a describe header names become the line's context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from amr_logpatterns.models.records import NO_FLAWS, Flaws, Line
from amr_logpatterns.models.shapes import KLOG_HEADER, STRUCTURED_START, ZAP_CONSOLE_START
from amr_logpatterns.peel.ansi import peel_ansi
from amr_logpatterns.peel.describe_header import note_describe_header
from amr_logpatterns.peel.quote import peel_quote
from amr_logpatterns.peel.registry import MARKERS, WRAPPERS
from amr_logpatterns.peel.rules import Marker, Peeling
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
    if state.partial is None and RECORD_FIRST.match(text):
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


def _record_line(number: int, text: str, state: PasteState, flaws: Flaws) -> Line:
    state.describe = {}  # log records follow: any describe output has ended
    context = {**state.session} if state.session else {}
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
    """
    peeling = Peeling()
    outcome = classify(text, state, peeling)
    if outcome.kind == "blank":
        return [*state.flush(), Line(number, "", kind="blank", **flaws._asdict())]
    if outcome.kind == "record":
        return [_record_line(number, outcome.text, state, flaws)]
    if outcome.marker is not None:
        marker, m = outcome.marker
        marker.apply(m, state)
        skipped = Line(number=number, text=outcome.text, kind="skipped", **flaws._asdict())
        return [*state.flush(), skipped]
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
