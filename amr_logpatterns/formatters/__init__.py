"""Output formats: each a pure function of a Report (or of one Match, for jsonl)."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Report
from . import json_report, text

FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": text.format_report,
    "json": json_report.format_report,
}

#: Formats that stream one match per line instead of rendering a report.
STREAMING = ("jsonl",)
