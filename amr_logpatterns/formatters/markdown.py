"""GitHub-flavoured Markdown for a ticket, a pull-request comment or a GitHub step summary.

The reader of a pasted report wants the verdict and the cause before the
detail, so the order is: verdict; each root cause with whether it is still
happening, its fix and, under it, the findings it rests on and its symptoms;
when some component was failing or degraded, a Mermaid gantt chart of when
(GitHub draws it; elsewhere it stays a block of text); a table of every
finding and its role; the problems no root cause explains;
what is harmless here; the messages no signature knows; what was set aside;
the figures (with the files of a bundle left unread) and the TAP release the
advice is for.

Log text is untrusted: outside code it is backslash-escaped (no HTML, links,
emphasis, math or extra table cells), and every fence is longer than any run
of backticks inside it, so a log line can never close its block.

Sample::

    **AMR logs: gate failed** (--fail-on error): 1 finding, 1 root cause

    ## Root causes

    ### The AMR GraphQL app is not serving (still happening)

    **error** · confidence medium · `diagnosis.amr-graphql-down` · **still happening**

    **Ongoing:** still failing when the input ends; in handler.log since 2025-01-21T08:02:40Z ...

    **Fix** ... Fixed when you see `handler.location-event`.

    #### Cause: The CloudEvent Handler cannot reach the AMR GraphQL app

    ## Findings

    | Severity | Finding | What | Count | First seen | Last seen | Distinguished by | Role |
    | --- | --- | --- | ---: | --- | --- | --- | --- |
    | error | `handler.amr-unavailable` | ... | cause of `diagnosis.amr-graphql-down`, ongoing |

    ## Harmless here
    ## Unknown messages

    Explained 8 of 8 error records; 0 unknown templates (0 warning-or-worse records no ...).
"""

from __future__ import annotations

from amr_logpatterns.formatters.gate_words import gate_sentence, gate_state, headline
from amr_logpatterns.formatters.markdown_blocks import (
    chapter_block,
    finding_block,
    group_values,
    where,
)
from amr_logpatterns.formatters.markdown_escape import cell, cell_code, escape, prose
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import (
    ALL_FILES_FLAG,
    capital,
    clip,
    moment,
    nothing_found,
    reading_sentence,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    tap_sentence,
    warnings,
)
from amr_logpatterns.formatters.story import Story, role_of, tell
from amr_logpatterns.models.results import Finding, Report, Suppression
from amr_logpatterns.wording import plural


def _role(f: Finding, report: Report) -> str:
    """What a finding is in the story, and whether it still happens, for the findings table."""
    role = role_of(f, report, cell_code)
    if f.recovery is not None:
        role += f", {f.recovery.status}"
    return role


def _table(findings: list[Finding], report: Report) -> list[str]:
    out = [
        "| Severity | Finding | What | Count | First seen | Last seen | Distinguished by | Role |",
        "| --- | --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for f in findings:
        cells = [
            f.severity,
            cell_code(f.id),
            cell(f.title),
            str(f.count),
            cell(where(f.first_seen.source, f.first_seen.line)),
            cell(where(f.last_seen.source, f.last_seen.line)),
            cell(group_values(f)),
            _role(f, report),
        ]
        out.append(f"| {' | '.join(cells)} |")
    return [*out, ""]


def _harmless(story: Story) -> list[str]:
    if not story.harmless:
        return []
    out = [
        "## Harmless here",
        "",
        "They look like problems, but need nothing in this input.",
        "",
        "| Severity | Finding | What | Count | Why harmless | As long as |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for f in story.harmless:
        reason = f.verdict.reason if f.verdict is not None else ""
        condition = f.verdict.condition if f.verdict is not None else None
        cells = [
            f.severity,
            cell_code(f.id) + (f" {cell(group_values(f))}" if group_values(f) else ""),
            cell(f.title),
            str(f.count),
            cell(reason),
            cell(condition or ""),
        ]
        out.append(f"| {' | '.join(cells)} |")
    return [*out, ""]


def _unknown(report: Report) -> list[str]:
    dropped = report.stats.unknown_templates_dropped
    if not report.unknown and not dropped:
        return []
    out = [
        "## Unknown messages",
        "",
        "Warning-or-worse messages no signature knows, grouped by their text with the values"
        " masked.",
        "",
    ]
    if report.unknown:
        out += [
            "| Count | Level | First seen | Template | Example |",
            "| ---: | --- | --- | --- | --- |",
        ]
        for u in report.unknown:
            cells = [
                str(u.count),
                cell(u.level),
                cell(moment(u.first_seen)),
                cell_code(clip(u.template, 400)),
                cell_code(clip(u.example)),
            ]
            out.append(f"| {' | '.join(cells)} |")
        out.append("")
    if dropped:
        out += [f"{plural(dropped, 'more template')} not kept.", ""]
    return out


def _suppression_row(kind: str, ident: str, severity: str, count: str, why: Suppression) -> str:
    expires = why.expires.isoformat() if why.expires is not None else ""
    cells = [
        cell(why.kind),
        f"{kind} {ident}",
        severity,
        count,
        cell(why.reason),
        cell(why.origin),
        expires,
    ]
    return f"| {' | '.join(cells)} |"


def _suppressed(report: Report) -> list[str]:
    rows: list[str] = []
    for d in report.diagnoses:
        if d.suppressed is not None:
            rows.append(
                _suppression_row("root cause", cell_code(d.id), d.severity, "", d.suppressed)
            )
    for f in report.findings:
        if f.suppressed is not None:
            ident = cell_code(f.id) + (f" {cell(group_values(f))}" if group_values(f) else "")
            rows.append(_suppression_row("finding", ident, f.severity, str(f.count), f.suppressed))
    if not rows:
        return []
    return [
        "## Suppressed",
        "",
        "Set aside by an ignore entry or the baseline: still reported, not counted by the gate.",
        "",
        "| Kind | Item | Severity | Count | Reason | Origin | Expires |",
        "| --- | --- | --- | ---: | --- | --- | --- |",
        *rows,
        "",
    ]


def _verdict(report: Report, story: Story) -> str:
    """The first line: the gate's verdict, or what was found when no gate was applied."""
    if report.gate is not None:
        state = gate_state(report.gate)
        rest = gate_sentence(report.gate)[len(state) :]
        return f"**AMR logs: gate {state}**{escape(rest)}"
    return f"**AMR logs:** {escape(headline(report, story))}"


def _footer(report: Report) -> list[str]:
    out = [f"- **Warning:** {prose(w)}" for w in warnings(report)]
    if out:
        out.append("")
    out += [escape(reading_sentence(report)), ""]
    for text in skipped_sentences(report):  # the flag as code, so it can be copied
        out += [prose(text.replace(ALL_FILES_FLAG, f"`{ALL_FILES_FLAG}`")), ""]
    out += [
        escape(capital(report_coverage(report))) + ".",
        "",
        escape(seen_sentence(report)),
        "",
        escape(tap_sentence(report.tap_version)),
    ]
    return out


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Render the report as Markdown to paste into a ticket or a pull-request comment."""
    # the timeline chart's modules load only when a Markdown report is written
    from amr_logpatterns.analyse.timeline import build_timeline
    from amr_logpatterns.formatters.timeline_markdown import timeline_section

    story = tell(report)
    findings = [f for f in report.findings if f.suppressed is None]
    out = [_verdict(report, story), ""]
    if story.chapters:
        out += ["## Root causes", ""]
        for chapter in story.chapters:
            out += chapter_block(chapter, report, options)
    out += timeline_section(build_timeline(report))
    if findings:
        out += ["## Findings", ""]
        if any(f.severity == "info" for f in findings):
            out += ["Findings at info severity are signals: informational, nothing to fix.", ""]
        out += _table(findings, report)
    if story.problems:
        out += ["## Problems", ""]
        if story.chapters:
            out += ["No root cause above explains these.", ""]
        for f in story.problems:
            out += finding_block(f, report, options)
    out += _harmless(story)
    out += _unknown(report)
    out += _suppressed(report)
    out += [sentence, ""] if (sentence := nothing_found(report)) else []
    out += _footer(report)
    return "\n".join(out) + "\n"
