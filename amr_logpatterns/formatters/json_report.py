"""JSON: the whole Report, as ``Report.model_validate_json`` reads it back.

Sample::

    {"schema_version": 1, "findings": [{"id": "observer.health-check-failed", ...}],
     "diagnoses": [...], "stats": {...}, "max_severity": "error"}
"""

from __future__ import annotations

import json

from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.models.results import SCHEMA_VERSION, Match, Report

__all__ = ["JSONL_KEYS", "SCHEMA_VERSION", "format_match", "format_report"]

JSONL_KEYS = ("id", "severity", "source", "line", "end_line", "fields", "text")


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The whole report, indented, as ``Report.model_validate_json`` reads it back."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def format_match(match: Match) -> str:
    """One match as one JSON line, ``grep -n`` style."""
    data = match.model_dump(mode="json", include=set(JSONL_KEYS))
    return json.dumps({k: data[k] for k in JSONL_KEYS}, ensure_ascii=False)
