"""Output formats: each a pure function of a Report (or of one Match, for jsonl).

Every ``format_report(report, options)`` reads only the report and the
rendering options; none touches files, the terminal or the environment.
``story`` sorts a report into root causes, the findings they fold, problems,
harmless findings and signals; ``phrases`` words recovery, verdicts, coverage
and the TAP release once, ``gate_words`` the gate's verdict, and ``steps`` a
fix's steps, so every format tells the same incident the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from amr_logpatterns.formatters.options import PLAIN, Options, guide_link
from amr_logpatterns.models.results import Report

__all__ = [
    "PLAIN",
    "REPORT_FORMATS",
    "STREAMING",
    "TIMELINE_FORMATS",
    "Formatter",
    "Options",
    "formatters",
    "guide_link",
]

Formatter = Callable[[Report, Options], str]


def formatters() -> dict[str, Formatter]:
    """Every report format by name; each module is imported only when asked for."""
    from amr_logpatterns.formatters import (
        compact,
        github,
        json_report,
        junit,
        markdown,
        sarif,
        text,
    )

    return {
        "text": text.format_report,
        "compact": compact.format_report,
        "json": json_report.format_report,
        "sarif": sarif.format_report,
        "junit": junit.format_report,
        "github": github.format_report,
        "markdown": markdown.format_report,
        "html": _html,
    }


def _html(report: Report, options: Options = PLAIN) -> str:
    """The HTML page; its templates (and Jinja) load only when a page is written."""
    from amr_logpatterns.formatters import html

    return html.format_report(report, options)


#: Report format names, for ``--format`` (kept in step with ``formatters()`` by a test).
REPORT_FORMATS = ("text", "compact", "json", "sarif", "junit", "github", "markdown", "html")

#: ``timeline``'s formats: the changes as text, Markdown or JSON, the page, or the picture alone.
TIMELINE_FORMATS = ("text", "markdown", "json", "html", "svg")

#: Formats that stream one match per line instead of rendering a report.
STREAMING = ("jsonl",)
