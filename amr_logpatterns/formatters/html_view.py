"""What the HTML report shows, as plain values in the order of the page, worded once.

The template only lays these out: every sentence comes from ``phrases`` and
``gate_words`` (as in every other format), every place is ``source:line``,
and every string is still raw text here; the template escapes it on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amr_logpatterns.analyse.timestamps import input_order
from amr_logpatterns.formatters.anchors import evidence_anchor
from amr_logpatterns.formatters.gate_words import gate_sentence, gate_state, headline
from amr_logpatterns.formatters.markdown_blocks import group_values
from amr_logpatterns.formatters.options import Options, guide_link
from amr_logpatterns.formatters.phrases import (
    capital,
    clip,
    duration,
    finding_recovery,
    moment,
    reading_sentence,
    recovery_sentence,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    state,
    tap_sentence,
    verdict_sentences,
    verified_words,
    warnings,
)
from amr_logpatterns.formatters.story import Chapter, Story, is_benign, role_of, signals, tell
from amr_logpatterns.models.results import Finding, Report
from amr_logpatterns.packs.schema import SEVERITY_RANK, RemediationStep


@dataclass(frozen=True)
class Line:
    """An evidence record: its anchor (the first record at that place only), place and text."""

    anchor: str | None
    where: str
    text: str
    cut: bool


@dataclass(frozen=True)
class FindingView:
    """A finding as the table row and the detail block show it."""

    number: int
    id: str
    title: str
    severity: str
    severity_rank: int
    component: str
    count: int
    group: str
    first: str
    first_order: int
    last: str
    status: str
    status_words: str
    role: str
    recovery: str | None
    verdict: list[str]
    explanation: str
    fields: str
    fix: list[RemediationStep]
    fixed_when: list[tuple[str, str | None]]
    verified: str
    guide: list[tuple[str, str]]
    evidence: list[Line]
    suppressed: str | None


@dataclass(frozen=True)
class Member:
    """A finding folded under a root cause: its number in the detail list, or where it is told."""

    role: str
    id: str
    title: str
    number: int | None
    note: str | None


@dataclass(frozen=True)
class RootCause:
    """A chapter of the story: what, whether it still happens (in words), the fix, its findings."""

    id: str
    title: str
    severity: str
    confidence: str
    status: str
    status_words: str
    recovery: str | None
    summary: str
    explanation: str
    fix: list[RemediationStep]
    fixed_when: list[tuple[str, str | None]]
    guide: list[tuple[str, str]]
    causes: list[Member]
    symptoms: list[Member]


@dataclass(frozen=True)
class Unknown:
    count: int
    level: str
    first: str
    template: str
    example: str


@dataclass(frozen=True)
class Page:
    """Everything above the timeline and below it, for one report."""

    title: str
    gate: str
    verdict: str
    root_causes: list[RootCause]
    findings: list[FindingView]
    unknown: list[Unknown]
    unknown_dropped: int
    warnings: list[str]
    reading: list[str]
    counts: list[tuple[str, int]]
    tap: str
    components: list[str] = field(default_factory=list)


def _guide(references: list[str], options: Options) -> list[tuple[str, str]]:
    """Each reference as (label, address): its anchor, or the page's name when it has none."""
    out = []
    for ref in references:
        url = guide_link(ref, options)
        page, _, anchor = url.partition("#")
        out.append((anchor or page.rstrip("/").rsplit("/", 1)[-1], url))
    return out


def _status(f: Finding) -> tuple[str, str]:
    """The status key the filter uses, and its words."""
    if f.recovery is None:
        return "none", "no healthy signal" if f.severity != "info" else "signal"
    return f.recovery.status, state(f.recovery)


def _evidence(f: Finding, anchored: set[str]) -> list[Line]:
    out = []
    for ev in f.evidence:
        anchor = evidence_anchor(ev.source, ev.line)
        out.append(
            Line(
                None if anchor in anchored else anchor,
                f"{ev.source}:{ev.line}" + (f"-{ev.end_line}" if ev.end_line > ev.line else ""),
                ev.text,
                ev.cut,
            )
        )
        anchored.add(anchor)
    return out


def _finding(
    number: int, f: Finding, report: Report, options: Options, anchored: set[str], order: int
) -> FindingView:
    status, words = _status(f)
    first, last = f.first_seen, f.last_seen
    return FindingView(
        number=number,
        id=f.id,
        title=f.title,
        severity=f.severity,
        severity_rank=SEVERITY_RANK[f.severity],
        component=f.component,
        count=f.count,
        group=group_values(f),
        first=moment(first),
        first_order=order,
        last=moment(last) if (last.source, last.line) != (first.source, first.line) else "",
        status=status,
        status_words=words,
        role=role_of(f, report),
        recovery=finding_recovery(f),
        verdict=verdict_sentences(f.verdict) if f.verdict is not None else [],
        explanation=f.explanation,
        fields=", ".join(f"{k}={v}" for k, v in f.fields.items()),
        fix=f.remediation,
        fixed_when=signals(f),
        verified=verified_words(f),
        guide=_guide(f.references, options),
        evidence=_evidence(f, anchored),
        suppressed=f"{f.suppressed.kind}: {f.suppressed.reason}" if f.suppressed else None,
    )


def _members(chapter: Chapter, numbers: dict[int, int], role: str) -> list[Member]:
    out = []
    for m in chapter.members:
        if m.role != role:
            continue
        note = None
        if m.shown_under is not None:
            note = f"also under {m.shown_under}"
        elif is_benign(m.finding):
            note = "harmless here"
        out.append(Member(role, m.finding.id, m.finding.title, numbers.get(id(m.finding)), note))
    return out


def _root_cause(chapter: Chapter, numbers: dict[int, int], options: Options) -> RootCause:
    d = chapter.diagnosis
    r = chapter.recovery
    if r is None:
        status, words, told = "none", "no healthy signal to judge by", None
    else:
        status, words = r.status, state(r)
        told = recovery_sentence(r, chapter.judged_by)
        if r.duration_seconds is not None and r.duration_seconds >= 0:
            words += f" ({'for ' if r.status == 'ongoing' else 'after '}"
            words += f"{duration(r.duration_seconds)})"
    return RootCause(
        id=d.id,
        title=d.title,
        severity=d.severity,
        confidence=d.confidence,
        status=status,
        status_words=words,
        recovery=told,
        summary=d.summary,
        explanation=d.explanation,
        fix=d.remediation,
        fixed_when=chapter.fixed_signals,
        guide=_guide(d.references, options),
        causes=_members(chapter, numbers, "cause"),
        symptoms=_members(chapter, numbers, "symptom"),
    )


def _counts(report: Report, story: Story) -> list[tuple[str, int]]:
    s = report.stats
    return [
        ("Lines read", s.lines_read),
        ("Records", s.records),
        ("Matches", s.matches),
        ("Error records", s.error_records),
        ("Error records no signature explains", s.unexplained_error_records),
        ("Unknown templates", len(report.unknown) + s.unknown_templates_dropped),
        ("Findings", len(report.findings)),
        ("Root causes", len(story.chapters)),
    ]


def page(report: Report, options: Options) -> Page:
    """The report's story as the page tells it."""
    story = tell(report)
    sources = input_order([s.source for s in report.stats.sources])
    order = sorted(  # input order: the sources as read, then the line
        range(len(report.findings)),
        key=lambda i: (
            sources.get(report.findings[i].first_seen.source, len(sources)),
            report.findings[i].first_seen.line,
        ),
    )
    rank = {i: n for n, i in enumerate(order)}
    anchored: set[str] = set()
    views = [
        _finding(n, f, report, options, anchored, rank[n - 1])
        for n, f in enumerate(report.findings, 1)
    ]
    numbers = {id(f): n for n, f in enumerate(report.findings, 1)}
    if report.gate is not None:
        gate = gate_state(report.gate)
        verdict = f"Gate {gate_sentence(report.gate)}"
    else:
        gate, verdict = "none", capital(headline(report, story))
    reading = [
        reading_sentence(report),
        *skipped_sentences(report),
        capital(report_coverage(report)) + ".",
        seen_sentence(report),
    ]
    unknown = [
        Unknown(u.count, u.level, moment(u.first_seen), clip(u.template, 400), clip(u.example))
        for u in report.unknown
    ]
    return Page(
        title="AMR logs" + (f": gate {gate}" if report.gate is not None else ""),
        gate=gate,
        verdict=verdict,
        root_causes=[_root_cause(c, numbers, options) for c in story.chapters],
        findings=views,
        unknown=unknown,
        unknown_dropped=report.stats.unknown_templates_dropped,
        warnings=warnings(report),
        reading=reading,
        counts=_counts(report, story),
        tap=tap_sentence(report.tap_version),
        components=sorted({f.component for f in report.findings}),
    )

