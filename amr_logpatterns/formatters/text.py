"""Text for a person at a terminal: each root cause with its findings, then the rest.

The first screen is what most people read, so each root cause opens with
whether it is still happening, its summary, what it rests on, its symptoms
and the fix; the findings it folds follow, marked CAUSE or SYMPTOM. Then the problems no
root cause explains, the findings that are harmless here, the informational
signals, the messages no signature knows, and the figures.

Prose wraps at ``options.width``; lines that name things (a finding's id and
place, the ids a diagnosis rests on, evidence, commands, configuration,
unknown messages) stay whole so they can be searched for and copied. With
``options.color`` the severities, ids, headings, states and commands are
painted with ANSI SGR codes.

Sample::

    ROOT CAUSE  [error] diagnosis.amr-graphql-down: ...  (confidence: medium; still happening)
      Ongoing: still failing when the input ends; in handler.log since 2025-01-21T08:02:40Z
      (line 16), last failure 08:11:48Z (line 25), 9m08s so far.
      The CloudEvent Handler cannot reach the AMR GraphQL app (connect: connection refused), ...
      Rests on: handler.amr-unavailable   Symptoms: observer.health-check-failed
      Fix:
        1. Check that the AMR GraphQL pod in `metadata-store` is Running and Ready.
           $ kubectl -n metadata-store get pods
      Fixed when you see: handler.location-event

      CAUSE  [error] handler.amr-unavailable  x8  (handler.log:16..25)
        The CloudEvent Handler cannot reach the AMR GraphQL app
        Still failing when the input ends: as told for the root cause above.
        Evidence: ...

    PROBLEMS (1): no root cause above explains these
    [warning] observer.ivs-crd-missing  x1  (observer.log:3)
      ...

    HARMLESS here (1): nothing to fix in this input
      [info] observer.replicaset-event-noop  x1  (observer.log:20)  The handler refused an event
        Harmless here: the handler drops ReplicaSets not run from a Workload on purpose
        As long as: the ReplicaSet has no container named workload

    UNKNOWN (1): warning-or-worse messages no signature knows
      [error] x4  first at 2025-01-21T08:01:07Z (handler.log:9)
        template: dial tcp <ip>:<num>: i/o timeout
        example:  {"level":"error","msg":"dial tcp 10.0.0.7:443: i/o timeout"}

    Read 92 lines, 24 records; 13 matches.
    Explained 10 of 10 error records; 1 unknown template (4 warning-or-worse records no signature
      knows).
    Advice written for Tanzu Application Platform 1.12 (given with --tap-version).
    Gate: failed (--fail-on error): 1 finding, 1 root cause; 1 benign, 1 recovered
"""

from __future__ import annotations

from amr_logpatterns import wording
from amr_logpatterns.formatters.brief import format_brief
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import (
    CUT_NOTE,
    capital,
    clip,
    finding_recovery,
    moment,
    nothing_found,
    reading_sentence,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    suppression_phrase,
    tap_sentence,
    verdict_sentences,
)
from amr_logpatterns.formatters.screen import BOLD, INDENT, WARNING_SGR, paint, wrap
from amr_logpatterns.formatters.steps import terminal_steps
from amr_logpatterns.formatters.story import (
    Chapter,
    Member,
    Story,
    is_benign,
    record_at,
    signal_names,
    tell,
)
from amr_logpatterns.formatters.terminal import (
    chapter_head,
    finding_head,
    finding_place,
    gate_lines,
    group_suffix,
    severity_tag,
    unknown_section,
)
from amr_logpatterns.models.results import Finding, Report, Suppression, UnknownTemplate

_MAX_EVIDENCE_LINES = 6
_MAX_EVIDENCE_WIDTH = 400
_ROLE = {"cause": "CAUSE", "symptom": "SYMPTOM"}


def _clip(line: str) -> str:
    return wording.clip(line, _MAX_EVIDENCE_WIDTH)


def _member(m: Member, chapter: Chapter, report: Report, options: Options) -> list[str]:
    role = paint(_ROLE[m.role], BOLD, options)
    head = f"{INDENT}{role}  {finding_head(m.finding, options)}"
    if m.shown_under is not None:
        return [f"{head}  shown under {m.shown_under} above"]
    if is_benign(m.finding):
        return [f"{head}  harmless here: see HARMLESS below"]
    return [head, *_finding_body(m.finding, INDENT * 2, options, report, chapter)]


def _chapter(chapter: Chapter, report: Report, options: Options) -> list[str]:
    """A root cause: headline, whether it still happens, summary, ids and fix, then its findings.

    The compact part comes first so a terminal's first screen holds the cause,
    its symptoms and the first fix step; the detail of each finding follows.
    """
    out = chapter_head(chapter, options, name_members=True)
    for m in chapter.members:
        out += ["", *_member(m, chapter, report, options)]
    return out


def _evidence(f: Finding, indent: str) -> list[str]:
    out = [f"{indent}Evidence:"]
    for ev in f.evidence[:3]:
        lines = [_clip(line) for line in ev.text.split("\n")] or [""]
        out.append(f"{indent}{INDENT}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{indent}{INDENT * 2}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            more = len(lines) - _MAX_EVIDENCE_LINES
            out.append(f"{indent}{INDENT * 2}... ({more} more lines)")
        if ev.cut:
            out.append(f"{indent}{INDENT * 2}({CUT_NOTE})")
    return out


def _broken(f: Finding, report: Report | None, indent: str, options: Options) -> list[str]:
    """Why a finding thought harmless is not here, and the record that says so."""
    if f.verdict is None or f.verdict.benign:
        return []
    out = [line for s in verdict_sentences(f.verdict) for line in wrap(s, indent, options)]
    against = f.verdict.against
    record = record_at(report, against) if report is not None and against is not None else None
    if record is not None:
        out.append(f"{indent}{INDENT}{record.source}:{record.line}: {_clip(record.text)}")
    return out


def _finding_body(
    f: Finding,
    indent: str,
    options: Options,
    report: Report | None = None,
    chapter: Chapter | None = None,
) -> list[str]:
    out = wrap(f.title, indent, options)
    recovery = finding_recovery(f, chapter)
    if recovery is not None:
        out += wrap(recovery, indent, options)
    out += _broken(f, report, indent, options)
    if f.fields:
        shown = ", ".join(f"{k}={v}" for k, v in f.fields.items())
        out += wrap(f"Fields: {shown}", indent, options)
    out += _evidence(f, indent)
    out += wrap(f.explanation, indent, options)
    if f.remediation:
        out.append(f"{indent}Fix:")
        out += terminal_steps(f.remediation, indent + INDENT, options)
    if f.verify:
        seen = "already seen later in this input" if f.verified else "not seen after it yet"
        out.append(f"{indent}Fixed when you see: {', '.join(signal_names(f))} ({seen})")
    return out


def _finding(f: Finding, report: Report, options: Options) -> list[str]:
    return [finding_head(f, options), *_finding_body(f, INDENT, options, report)]


def _harmless(story: Story, options: Options) -> list[str]:
    if not story.harmless:
        return []
    heading = paint(f"HARMLESS here ({len(story.harmless)})", BOLD, options)
    out = [f"{heading}: nothing to fix in this input"]
    for f in story.harmless:
        out.append(f"{INDENT}{finding_head(f, options)}  {f.title}")
        if f.verdict is not None:
            for sentence in verdict_sentences(f.verdict):
                out += wrap(sentence, INDENT * 2, options)
    return [*out, ""]


def _unknown(report: Report, options: Options) -> list[str]:
    """Warning-or-worse messages no signature knows: one line each, the log text kept whole."""

    def row(u: UnknownTemplate) -> list[str]:
        return [
            f"{INDENT}{severity_tag(u.level.lower(), options)} x{u.count}"
            f"  first at {moment(u.first_seen)}",
            f"{INDENT * 2}template: {clip(u.template, _MAX_EVIDENCE_WIDTH)}",
            f"{INDENT * 2}example:  {clip(u.example)}",
        ]

    return unknown_section(report, options, row)


def _suppressed(report: Report, options: Options) -> list[str]:
    rows: list[tuple[str, Suppression]] = []
    for d in report.diagnoses:
        if d.suppressed is not None:
            ident = paint(d.id, BOLD, options)
            rows.append((f"{severity_tag(d.severity, options)} {ident}  root cause", d.suppressed))
    for f in report.findings:
        if f.suppressed is not None:
            rows.append((finding_head(f, options), f.suppressed))
    if not rows:
        return []
    heading = paint(f"SUPPRESSED ({len(rows)})", BOLD, options)
    out = [f"{heading}: set aside, not counted by the gate"]
    for head, why in rows:
        out.append(f"{INDENT}{head}")
        out += wrap(f"{suppression_phrase(why)}: {why.reason}", INDENT * 2, options)
    return [*out, ""]


def _footer(report: Report, options: Options) -> list[str]:
    """The figures: what was read and left unread, how much of it is explained, and for which
    TAP release."""
    s = report.stats
    out: list[str] = []
    for line in (
        reading_sentence(report),
        *skipped_sentences(report),
        capital(report_coverage(report)) + ".",
        seen_sentence(report),
        tap_sentence(report.tap_version),
    ):
        out += wrap(line, INDENT, options, first="")
    out += [
        paint(f"Warning: {src.read_error}", WARNING_SGR, options)
        for src in s.sources
        if src.read_error
    ]
    return out


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The short answer (``brief``), or with ``options.verbose`` the full story."""
    if not options.verbose:
        return format_brief(report, options)
    return format_story(report, options)


def format_story(report: Report, options: Options = PLAIN) -> str:
    """Render the report for reading: each root cause with its findings, the rest, the gate."""
    story = tell(report)
    out: list[str] = []
    for chapter in story.chapters:
        out += [*_chapter(chapter, report, options), ""]
    if story.problems:
        heading = paint(f"PROBLEMS ({len(story.problems)})", BOLD, options)
        out.append(heading + (": no root cause above explains these" if story.chapters else ""))
        for f in story.problems:
            out += [*_finding(f, report, options), ""]
    out += _harmless(story, options)
    if story.signals:
        heading = paint(f"SIGNALS ({len(story.signals)})", BOLD, options)
        out.append(f"{heading}: informational, nothing to fix")
        for f in story.signals:
            ident = paint(f.id, BOLD, options)
            where = f"x{f.count}  ({finding_place(f)})"
            out.append(f"{INDENT}{ident}{group_suffix(f)}  {where}  {f.title}")
        out.append("")
    out += _unknown(report, options)
    out += _suppressed(report, options)
    out += [sentence, ""] if (sentence := nothing_found(report)) else []
    out += _footer(report, options)
    out += gate_lines(report, options)
    return "\n".join(out) + "\n"
