"""JSON: the whole Report, as ``Report.model_validate_json`` reads it back.

Sample::

    {"schema_version": 1, "findings": [{"id": "observer.health-check-failed", ...}],
     "diagnoses": [...], "stats": {...}, "max_severity": "error"}
"""

from __future__ import annotations

import json

from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.models.results import SCHEMA_VERSION, Report
from amr_logpatterns.pipeline.jsonl import JSONL_KEYS, format_match

__all__ = ["JSONL_KEYS", "SCHEMA_VERSION", "format_match", "format_report"]


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The whole report, indented, as ``Report.model_validate_json`` reads it back."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
