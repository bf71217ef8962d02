"""The rows of a log store's CSV export (Kibana, Grafana, Splunk, CloudWatch Logs Insights,
Datadog): a header row names the columns, one of them the message; each row is a record.

The header is a pasted marker: it changes what the lines after it are, until a
blank line or another marker. The message column is the record; the pod,
namespace and container columns are its context (``known_context``'s names), the
time column its capture time. A row whose field count is not the header's is read
as the plain line it is; a quoted field that spans lines is joined (up to
``MAX_ROW_LINES``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Literal

from amr_logpatterns.peel.metadata import capture_time, known_context

#: Column names that hold the message, and the suffixes that do (``_source.message``).
MESSAGE_COLUMNS = ("message", "msg", "log", "line", "_raw", "@message", "body", "content")
TIME_COLUMNS = ("@timestamp", "timestamp", "time", "_time", "date", "ts", "timeunixnano")
NAME = r'"?[A-Za-z_@][\w@.\-/]{0,63}"?'
_MESSAGE_NAME = r'"?(?:[\w@.\-/]{0,48}\.)?(?i:' + "|".join(map(re.escape, MESSAGE_COLUMNS)) + ')"?'
HEADER = re.compile(
    rf"^(?:(?:{NAME}(?P<sep>[,;\t]))+{_MESSAGE_NAME}(?:(?P=sep){NAME})*"
    rf"|{_MESSAGE_NAME}(?P<sep2>[,;\t]){NAME}(?:(?P=sep2){NAME})*)$"
)
#: Physical lines one row's quoted field may span.
MAX_ROW_LINES = 200


@dataclass
class CsvTable:
    """The columns a header named, and a row whose quoted field is still open."""

    columns: list[str]
    separator: str
    message: int
    time: int | None
    pending: list[str] = field(default_factory=list)
    #: The line the row being read started on
    first: int = 0

    def row(self, text: str) -> tuple[str, dict[str, str]] | None:
        """A row's message and context; None for a line that is no row of this table."""
        try:
            fields = next(csv.reader([text], delimiter=self.separator))
        except (csv.Error, StopIteration):
            return None
        if len(fields) != len(self.columns):
            return None
        named = dict(zip(self.columns, fields, strict=True))
        context = known_context(named)
        if self.time is not None:
            ts = capture_time(fields[self.time])
            if ts is not None:
                context["capture_ts"] = ts
        return fields[self.message], context


def _unbalanced(text: str) -> bool:
    """Whether a quoted field is left open at the end of the text."""
    return text.count('"') % 2 == 1


def table_of(header: str) -> CsvTable | None:
    """The table a header line opens (None when it names no message column)."""
    m = HEADER.match(header)
    if m is None:
        return None
    separator = m["sep"] or m["sep2"]
    columns = [c.strip().strip('"') for c in header.split(separator)]
    lowered = [c.lower() for c in columns]
    message = next(
        (
            i
            for name in MESSAGE_COLUMNS
            for i, c in enumerate(lowered)
            if c == name or c.endswith("." + name)
        ),
        None,
    )
    if message is None:
        return None
    time = next((i for name in TIME_COLUMNS for i, c in enumerate(lowered) if c == name), None)
    return CsvTable(columns, separator, message, time)


def take_row(text: str, table: CsvTable) -> tuple[str, dict[str, str]] | Literal[True] | None:
    """A row of the table: its message and context; True while a quoted field spanning
    lines is still open (the line is held); None for a line that is no row."""
    if table.pending:
        table.pending.append(text)
        joined = "\n".join(table.pending)
        if _unbalanced(joined) and len(table.pending) < MAX_ROW_LINES:
            return True
        table.pending = []
        return table.row(joined)
    if _unbalanced(text):
        table.pending = [text]
        return True
    return table.row(text)
