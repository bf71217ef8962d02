"""The timeline in Markdown with its chart: the Mermaid gantt block, then the tables.

The tables (``analyse.timeline_text``) read anywhere; the chart is drawn where
Mermaid is (GitHub, GitLab) and stays a readable block of text elsewhere. The
chart lives in the formatters stage, so this wrapper puts the two together
for ``timeline --format markdown``; the Markdown report takes the chart alone
(``timeline_section``).
"""

from __future__ import annotations

from amr_logpatterns.analyse.timeline import Timeline
from amr_logpatterns.analyse.timeline_text import format_timeline_markdown
from amr_logpatterns.formatters.timeline_mermaid import timeline_mermaid

#: What the chart is, said above it: where Mermaid is not drawn, the block is all there is.
CHART_SENTENCE = (
    "When each component and pod was failing or degraded (healthy time is left out),"
    " as a Mermaid chart:"
)


def format_timeline_markdown_with_chart(timeline: Timeline) -> str:
    """The chart (when some component was unwell), then the tables of changes and end states."""
    chart = timeline_mermaid(timeline)
    tables = format_timeline_markdown(timeline)
    return f"{CHART_SENTENCE}\n\n{chart}\n{tables}" if chart else tables


def timeline_section(timeline: Timeline) -> list[str]:
    """``## Timeline`` and its chart for the Markdown report; nothing when no lane was unwell."""
    chart = timeline_mermaid(timeline)
    if not chart:
        return []
    return ["## Timeline", "", CHART_SENTENCE, "", chart.rstrip("\n"), ""]
