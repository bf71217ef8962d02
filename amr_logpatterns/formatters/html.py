"""One self-contained HTML page for a ticket, a CI artifact or a mail attachment.

The page loads nothing: its style, script and timeline picture are inline,
and its Content Security Policy allows only that style and that script (by
their SHA-256), no other source of any kind. Log text reaches it only through
a Jinja template with autoescaping on, so a line holding ``<script>`` or a
quote is shown as text. Without JavaScript everything is readable; the script
adds filtering and sorting of the findings table and copy buttons.
"""

from __future__ import annotations

import base64
import hashlib

from markupsafe import Markup

from amr_logpatterns.about import __version__
from amr_logpatterns.analyse.timeline import STATE_RANK, Timeline, build_timeline
from amr_logpatterns.analyse.timeline_text import change_place, change_what, clock_format
from amr_logpatterns.formatters.html_view import Page, page
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import CUT_NOTE
from amr_logpatterns.formatters.templating import asset, environment
from amr_logpatterns.formatters.timeline_svg import timeline_css, timeline_svg
from amr_logpatterns.models.results import Report
from amr_logpatterns.packs.schema import SEVERITY_RANK


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(css: str, script: str) -> str:
    """The page's Content Security Policy: its own style and script, nothing else at all."""
    return (
        f"default-src 'none'; style-src {_digest(css)}; script-src {_digest(script)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _sections(view: Page, has_timeline: bool, timeline_first: bool) -> list[tuple[str, str]]:
    """The page's sections in order, for its table of contents."""
    out = [("timeline", "Timeline")] if has_timeline and timeline_first else []
    if view.root_causes:
        out.append(("root-causes", "Root causes"))
    if has_timeline and not timeline_first:
        out.append(("timeline", "Timeline"))
    if view.findings:
        out += [("findings", "Findings"), ("evidence", "Findings in detail")]
    if view.unknown or view.unknown_dropped:
        out.append(("unknown", "Unknown messages"))
    return [*out, ("about", "About this input")]


def _changes(timeline: Timeline) -> list[tuple[str, str, str, str]]:
    """The state changes as rows (when, component, state, why), the picture's text twin."""
    clock = clock_format(timeline)
    return [
        (
            change_place(c, timeline, clock),
            c.component,
            c.state,
            change_what(c),
        )
        for c in timeline.changes
    ]


def _caption(timeline: Timeline) -> str:
    order = "their timestamps" if timeline.ordered_by == "time" else "input order (file, then line)"
    worst = max((c.final_state for c in timeline.components), key=STATE_RANK.__getitem__)
    return (
        f"Each component's state, placed by {order}; failing, degraded and healthy are drawn"
        f" and named. At the end of the input the worst state is {worst}. A tick is a record"
        " shown as evidence: choose it to jump to the record."
    )


def _render(
    report: Report, options: Options, timeline: Timeline, heading: str, timeline_first: bool
) -> str:
    view = page(report, options)
    drawn = bool(timeline.components)
    css = asset("report.css") + "\n" + timeline_css()
    script = asset("report.js")
    return environment().get_template("report.html.j2").render(
        page=view,
        heading=heading,
        version=__version__,
        csp=policy(css, script),
        css=Markup(css),
        script=Markup(script),
        sections=_sections(view, drawn, timeline_first),
        severities=sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True),
        timeline_svg=Markup(timeline_svg(timeline, report)) if drawn else "",
        timeline_caption=_caption(timeline) if drawn else "",
        changes=_changes(timeline) if drawn else [],
        cut_note=CUT_NOTE,
        timeline_first=timeline_first,
    ) + "\n"


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The whole report as one HTML page: verdict, root causes, timeline, findings, evidence."""
    return _render(report, options, build_timeline(report), "AMR logs: what they show", False)


def format_timeline_page(timeline: Timeline, report: Report, options: Options = PLAIN) -> str:
    """``timeline --format html``: the same page, led by the timeline."""
    return _render(report, options, timeline, "AMR logs: timeline", True)
