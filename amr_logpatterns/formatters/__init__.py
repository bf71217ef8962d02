"""Output formats: each a pure function of a Report (or of one Match, for jsonl).

Every ``format_report(report, options)`` reads only the report and the
rendering options; none touches files, the terminal or the environment.
``story`` sorts a report into root causes, the findings they fold, problems,
harmless findings and signals, and words recovery, verdicts, coverage and the
TAP release once, so every format tells the same incident the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from amr_logpatterns.models.results import Report

#: Where the troubleshooting guide lives; a signature's ``references`` are anchors in it.
GUIDE_URL = (
    "https://docs.vmware.com/en/VMware-Tanzu-Application-Platform/1.7/tap/"
    "scst-store-amr-troubleshooting.html"
)


@dataclass(frozen=True)
class Options:
    """How to render: colour and width for terminals, the guide's address for links.

    ``verbose`` asks the text format for the full story (evidence, explanations,
    each finding's own fix) instead of the short answer.
    """

    color: bool = False
    width: int = 100
    guide_url: str = GUIDE_URL
    verbose: bool = False


#: The options of a plain, uncoloured rendering: the default of every formatter.
PLAIN = Options()

Formatter = Callable[[Report, Options], str]


def guide_link(reference: str, options: Options) -> str:
    """A reference (``#anchor`` in the guide, or a full URL) as an absolute URL."""
    if reference.startswith(("http://", "https://")):
        return reference
    return options.guide_url + (reference if reference.startswith("#") else f"#{reference}")


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
    }


#: Report format names, for ``--format`` (kept in step with ``formatters()`` by a test).
REPORT_FORMATS = ("text", "compact", "json", "sarif", "junit", "github", "markdown")

#: Formats that stream one match per line instead of rendering a report.
STREAMING = ("jsonl",)
