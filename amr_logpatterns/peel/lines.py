"""Physical lines in, peeled ``Line`` objects out: reading and peeling, one line at a time.

``LineReader`` keeps what a paste has told so far (its ``PasteState``) and
holds back a partial CRI entry until its continuation comes.
"""

from __future__ import annotations

from collections.abc import Iterator

from amr_logpatterns.ingest.reading import (
    DEFAULT_MAX_LINE_LENGTH,
    Source,
    clean_text,
    physical_lines,
)
from amr_logpatterns.models.records import Line
from amr_logpatterns.peel.paste import flush_held, peel
from amr_logpatterns.peel.state import PasteState


class LineReader:
    """Push numbered physical lines in, get ``Line`` objects out (CRI partials held back)."""

    def __init__(
        self,
        *,
        max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
        context: dict[str, str] | None = None,
    ) -> None:
        self.state = PasteState(session=dict(context or {}), capturing=bool(context))
        self.max_line_length = max_line_length

    @property
    def idle(self) -> bool:
        """Nothing is held back (a partial entry, a document, an open quoted field) and
        no describe output is open."""
        return not self.state.holding and not self.state.describe

    def push(self, number: int, item: str | bytes) -> list[Line]:
        """Take physical line ``number``; return the lines that are complete now."""
        if not item and not self.state.holding:
            return [Line(number=number, text="", kind="blank")]  # what ``peel`` makes of it
        text, flaws = clean_text(number, item, self.max_line_length)
        return peel(number, text, self.state, flaws=flaws, max_length=self.max_line_length)

    def flush(self) -> list[Line]:
        """Emit what is still held at the end of the input: a partial entry, the lines of
        a document that never closed, a row whose quoted field never closed."""
        return flush_held(self.state, self.max_line_length)


def read_lines(
    source: Source,
    *,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
    context: dict[str, str] | None = None,
) -> Iterator[Line]:
    """Yield every physical line of ``source`` as a ``Line``, wrappers peeled.

    ``context`` is what the source's name already tells (a node log's pod and namespace).
    """
    reader = LineReader(max_line_length=max_line_length, context=context)
    lines = physical_lines(source, max_line_length=max_line_length)
    for number, item in enumerate(lines, 1):
        yield from reader.push(number, item)
    yield from reader.flush()
