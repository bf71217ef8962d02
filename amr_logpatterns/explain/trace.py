"""How one physical line was read before decoding: bytes to text, then each wrapper peeled.

The byte layer is traced here (invalid bytes, a byte-order mark, CRLF, NUL,
the line cap); the wrappers come from the peel stage's own rules
(``peel.paste.classify``), with each step noted, so what ``explain-line`` says is
what the reader did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from amr_logpatterns.explain.results import Peeled
from amr_logpatterns.peel.paste import classify
from amr_logpatterns.peel.rules import Peeling
from amr_logpatterns.peel.state import PasteState

_BOM = "\ufeff"


@dataclass
class Reading:
    """What the byte and text layer did to one physical line before the wrappers."""

    text: str
    original: str
    encoding: str
    invalid: list[str]
    bom: bool
    crlf: bool
    has_nul: bool
    truncated: bool


def _invalid_bytes(item: bytes) -> list[str]:
    """The byte sequences that are not UTF-8, with their offsets, for the report."""
    out: list[str] = []
    pos = 0
    while pos < len(item):
        try:
            item[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            if len(out) == 8:
                out.append("and more")
                break
            start, end = pos + exc.start, pos + exc.end
            out.append(f"{item[start:end].hex(' ')} at byte {start}")
            pos = end
    return out


def read_physical(number: int, item: str | bytes, max_line_length: int) -> Reading:
    """What ``LineReader`` does to a physical line before peeling, each change noted (see
    ``ingest.reading.clean_text``)."""
    invalid: list[str] = []
    if isinstance(item, bytes):
        try:
            text, encoding = item.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = item.decode("utf-8", errors="replace")
            encoding = "utf-8 with invalid bytes (each read as U+FFFD)"
            invalid = _invalid_bytes(item)
    else:
        text, encoding = item, "already text (no bytes to decode)"
    original = text
    bom = number == 1 and text.startswith(_BOM)
    if bom:
        text = text[1:]
    crlf = text.endswith("\r")
    text = text.rstrip("\r") if crlf else text
    truncated = len(text) > max_line_length
    if truncated:
        text = text[:max_line_length]
    has_nul = "\x00" in text
    if has_nul:
        text = text.replace("\x00", "\ufffd")
    return Reading(text, original, encoding, invalid, bom, crlf, has_nul, truncated)


@dataclass
class PeelTrace:
    """What ``peel`` does to one line, step by step."""

    kind: Literal["text", "blank", "skipped", "partial"]
    text: str
    wrappers: list[Peeled]
    marker: str | None = None
    joined_partial: bool = False


def trace_peel(text: str, state: PasteState) -> PeelTrace:
    """What the peel stage makes of ``text`` in ``state`` (which it does not change)."""
    peeling = Peeling(steps=[])
    outcome = classify(text, state, peeling)
    wrappers = [
        Peeled(name=s.name, removed=s.removed, context=dict(s.context))
        for s in peeling.steps or []
    ]
    if outcome.kind == "blank":
        return PeelTrace("blank", "", wrappers)
    if outcome.kind == "record":
        return PeelTrace("text", outcome.text, wrappers)
    if outcome.marker is not None:
        return PeelTrace("skipped", outcome.text, wrappers, marker=outcome.marker[0].title)
    joined = state.partial is not None and bool(peeling.cri_flag)
    if peeling.cri_flag == "P":
        return PeelTrace("partial", outcome.text, wrappers, joined_partial=joined)
    text = outcome.text.rstrip()
    return PeelTrace("text" if text else "blank", text, wrappers, joined_partial=joined)
