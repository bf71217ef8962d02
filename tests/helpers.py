"""Small helpers shared by the tests."""

from __future__ import annotations

import os
from pathlib import Path

from amr_logpatterns.decode import decode_line
from amr_logpatterns.decode.blocks import group
from amr_logpatterns.ingest.reading import Source
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.peel.lines import read_lines


def records(source: Source) -> list[LogRecord]:
    """Every record of ``source`` after reading, decoding and grouping."""
    lines = (line for line in read_lines(source) if line.kind == "text")
    return list(group(r for line in lines for r in decode_line(line, "test")))


def check_golden(path: Path, text: str) -> None:
    """Compare ``text`` with the golden file ``path``; AMR_UPDATE_GOLDEN=1 rewrites it."""
    if os.environ.get("AMR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with AMR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"output changed; diff against {path}"
