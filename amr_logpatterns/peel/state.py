"""What earlier lines of a paste told about the lines that follow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from amr_logpatterns.models.records import Line

if TYPE_CHECKING:
    from amr_logpatterns.peel.csv_rows import CsvTable
    from amr_logpatterns.peel.document_buffer import DocumentBuffer


@dataclass
class PasteState:
    """What earlier lines of the same paste told us about the lines that follow."""

    session: dict[str, str] = field(default_factory=dict)
    describe: dict[str, str] = field(default_factory=dict)
    in_fence: bool = False
    #: The lines now are a component's log as the session names it: the source's path
    #: said so, or a pasted ``kubectl logs`` (``stern``) command or ``tail`` header did
    capturing: bool = False
    #: A partial CRI entry waiting for its continuation: its first piece of text, and
    #: the later pieces (joined once, when it completes) with their total length
    partial: Line | None = None
    partial_pieces: list[str] = field(default_factory=list)
    partial_length: int = 0
    #: A pretty-printed JSON document being collected (a log store's answer, maybe)
    document: DocumentBuffer | None = None
    #: The columns of a CSV export whose rows follow
    table: CsvTable | None = None

    @property
    def holding(self) -> bool:
        """Lines are held back: a partial entry, a document, a row's open quoted field."""
        return (
            self.partial is not None
            or self.document is not None
            or (self.table is not None and bool(self.table.pending))
        )

    def take_partial(self) -> tuple[Line | None, list[str], int]:
        """The partial entry held, its later pieces and length; none held afterwards."""
        held = (self.partial, self.partial_pieces, self.partial_length)
        self.partial, self.partial_pieces, self.partial_length = None, [], 0
        return held

    def flush(self) -> Iterator[Line]:
        """Yield a partial CRI entry still waiting for its continuation."""
        held, pieces, _ = self.take_partial()
        if held is not None:
            yield completed(held, pieces)


def completed(held: Line, pieces: list[str]) -> Line:
    """A partial entry with its later pieces joined on, as one line."""
    text = "".join([held.text, *pieces])
    return replace(held, text=text, kind="text" if text else "blank")
