"""The jsonl stream: one match per JSON line, ``grep -n`` style.

It lives with the pipeline rather than with the report formats because worker
processes write their matches' lines themselves (``parallel``), and a stage may
not import the formats above it; ``formatters.json_report`` hands it on.
"""

from __future__ import annotations

import json

from amr_logpatterns.models.results import Match

#: The keys of a jsonl line, in their order.
JSONL_KEYS = ("id", "severity", "source", "line", "end_line", "fields", "text")


def format_match(match: Match) -> str:
    """One match as one JSON line, ``grep -n`` style."""
    data = match.model_dump(mode="json", include=set(JSONL_KEYS))
    return json.dumps({k: data[k] for k in JSONL_KEYS}, ensure_ascii=False)
