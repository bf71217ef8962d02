"""A CSV export's header row: a pasted marker after which each line is a row whose message
column is the record (see ``csv_rows``)."""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.csv_rows import HEADER, NAME, table_of
from amr_logpatterns.peel.rules import Marker
from amr_logpatterns.peel.state import PasteState


def _open_table(m: re.Match[str], state: PasteState) -> None:
    state.table = table_of(m[0])


MARKER = Marker(
    name="csv-header",
    title="a CSV export's header row",
    match=HEADER.match,
    apply=_open_table,
    stage1=(
        Pattern(
            rb"^(?:" + NAME.encode() + rb"[,;\t])+" + NAME.encode() + rb"\r?$",
            multiline=True,
            boundary=True,
        ),
    ),
    hint=rb"^[\"A-Za-z_@][\w@.\-/\"]*[,;\t]",
)
