"""Small helpers shared by the tests."""

from __future__ import annotations

from amr_logpatterns.blocks import group
from amr_logpatterns.decoders import decode_line
from amr_logpatterns.reading import Source, read_lines
from amr_logpatterns.records import LogRecord


def records(source: Source) -> list[LogRecord]:
    """Every record of ``source`` after reading, decoding and grouping."""
    lines = (line for line in read_lines(source) if line.kind == "text")
    return list(group(r for line in lines for r in decode_line(line, "test")))
