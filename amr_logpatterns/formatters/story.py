"""The incident story every format tells, worked out once so the formats cannot disagree.

A reader wants the root cause first, with the findings it rests on and the
symptoms it explains folded under it, then whatever no root cause explains,
then what looks bad but is harmless here. ``tell`` sorts a report's findings
into those places; the phrase helpers word recovery, verdicts, coverage, the
TAP release and the gate's counts the same way in every format. All plain
text: each format escapes or marks it up itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from amr_logpatterns import wording
from amr_logpatterns.analyse.timestamps import format_duration
from amr_logpatterns.models.results import (
    Diagnosis,
    Evidence,
    Finding,
    Gate,
    Presence,
    Recovery,
    Report,
    Seen,
    Stats,
    Suppression,
    TapVersion,
    Verdict,
)
from amr_logpatterns.wording import plural

Role = Literal["cause", "symptom"]

#: Unknown-template examples are log text of any length; a summary shows this much of one.
EXAMPLE_WIDTH = 200

_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})[.,]\d+")
_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")


@dataclass(frozen=True)
class Member:
    """A finding as one diagnosis sees it: what it is to the diagnosis, and where it is shown.

    ``shown_under`` names an earlier diagnosis that already shows the finding in
    full (a finding two diagnoses claim is told once and referenced after).
    """

    finding: Finding
    role: Role
    shown_under: str | None = None

    @property
    def full(self) -> bool:
        """Whether the finding is told here (not shown elsewhere, not harmless)."""
        return self.shown_under is None and not is_benign(self.finding)


@dataclass(frozen=True)
class Chapter:
    """A root cause with its findings, and whether it was still happening when the input ended.

    ``recovery`` is the diagnosis's own, or else that of the finding named by
    ``judged_by`` (an ongoing cause wins over a recovered one).
    """

    diagnosis: Diagnosis
    members: tuple[Member, ...]
    recovery: Recovery | None
    judged_by: str | None

    @property
    def symptom_ids(self) -> list[str]:
        """The diagnosis's symptoms, then those found only through ``explained_by``."""
        found = [m.finding.id for m in self.members if m.role == "symptom"]
        return list(dict.fromkeys([*self.diagnosis.symptom_ids, *found]))

    @property
    def fixed_when(self) -> list[str]:
        """The healthy signals of the findings it rests on, each with what it says once fixed."""
        causes = [m.finding for m in self.members if m.role == "cause"]
        return list(dict.fromkeys(name for f in causes for name in signal_names(f)))


@dataclass(frozen=True)
class Story:
    """A report's findings in the order of the story; suppressed ones stay in their own section."""

    chapters: tuple[Chapter, ...]
    problems: tuple[Finding, ...]
    harmless: tuple[Finding, ...]
    signals: tuple[Finding, ...]


def is_benign(finding: Finding) -> bool:
    """Whether the finding's verdict says it is harmless here."""
    return finding.verdict is not None and finding.verdict.benign


def claim(d: Diagnosis, f: Finding) -> Role | None:
    """What ``f`` is to ``d``: a finding it rests on, a symptom it explains, or nothing."""
    if f.id in d.finding_ids:
        return "cause"
    if f.id in d.symptom_ids or d.id in f.explained_by:
        return "symptom"
    return None


def root_causes(report: Report, finding: Finding) -> list[tuple[Diagnosis, Role]]:
    """The unsuppressed diagnoses that claim ``finding``, in report order."""
    found: list[tuple[Diagnosis, Role]] = []
    for d in report.diagnoses:
        role = claim(d, finding) if d.suppressed is None else None
        if role is not None:
            found.append((d, role))
    return found


def _judge(d: Diagnosis, members: list[Member]) -> tuple[Recovery | None, str | None]:
    """The diagnosis's recovery, or the one its findings imply when it carries none."""
    if d.recovery is not None:
        return d.recovery, None
    ranked = [m for m in members if m.role == "cause"] + [m for m in members if m.role == "symptom"]
    for status in ("ongoing", "recovered"):
        for m in ranked:
            r = m.finding.recovery
            if r is not None and r.status == status:
                return r, m.finding.id
    return None, None


def tell(report: Report) -> Story:
    """Sort the report's unsuppressed findings into chapters, problems, harmless and signals."""
    active = [f for f in report.findings if f.suppressed is None]
    home: dict[int, str] = {}
    chapters: list[Chapter] = []
    for d in report.diagnoses:
        if d.suppressed is not None:
            continue
        claimed = [(f, claim(d, f)) for f in active]
        members: list[Member] = []
        for role in ("cause", "symptom"):
            for f in (f for f, r in claimed if r == role):
                members.append(Member(f, role, home.get(id(f))))
                home.setdefault(id(f), d.id)
        recovery, judged_by = _judge(d, members)
        chapters.append(Chapter(d, tuple(members), recovery, judged_by))
    loose = [f for f in active if id(f) not in home]
    return Story(
        chapters=tuple(chapters),
        problems=tuple(f for f in loose if f.severity != "info" and not is_benign(f)),
        harmless=tuple(f for f in active if is_benign(f)),
        signals=tuple(f for f in loose if f.severity == "info" and not is_benign(f)),
    )


# --- phrases


def duration(seconds: float) -> str:
    """A duration as people read one in a log (never negative here: spans run forwards)."""
    return format_duration(max(0.0, seconds))


def place(seen: Seen) -> str:
    """``source:line``: where to look."""
    return f"{seen.source}:{seen.line}"


def _whole_seconds(m: re.Match[str]) -> str:
    return m[1]


def moment(seen: Seen) -> str:
    """When and where: ``2025-01-21T08:02:40Z (handler.log:16)``, or the place alone.

    Fractions of a second are left out: the place finds the record exactly.
    """
    if not seen.ts:
        return place(seen)
    return f"{_FRACTION.sub(_whole_seconds, seen.ts)} ({place(seen)})"


def state(recovery: Recovery) -> str:
    """The headline word: ``still happening`` or ``recovered``."""
    return "still happening" if recovery.status == "ongoing" else "recovered"


class _Clock:
    """Says moments in order: the source once when all share it, the date once when it repeats."""

    def __init__(self, *seen: Seen | None) -> None:
        sources = {s.source for s in seen if s is not None}
        self.source = sources.pop() if len(sources) == 1 else None
        self.date: str | None = None

    def where(self) -> str:
        return f" in {self.source}" if self.source else ""

    def at(self, seen: Seen) -> str:
        spot = f"line {seen.line}" if self.source else place(seen)
        if not seen.ts:
            return spot
        ts = _FRACTION.sub(_whole_seconds, seen.ts)
        day = _ISO_DAY.match(ts)
        if day and day[1] == self.date:
            ts = ts[day.end() :]
        elif day:
            self.date = day[1]
        return f"{ts} ({spot})"


def recovery_sentence(recovery: Recovery, judged_by: str | None = None) -> str:
    """``Ongoing: still failing when the input ends; ...`` or ``Recovered: failing ...; healthy
    again at ... by <signal>, after 9m08s``: when, where and for how long, in reading order."""
    r = recovery
    by = f" (judged by {judged_by})" if judged_by else ""
    clock = _Clock(r.since, r.last_failure, r.recovered_at)
    same = (r.since.source, r.since.line) == (r.last_failure.source, r.last_failure.line)
    # A negative span means timestamps that do not compare (a clock or a year-less format).
    span = r.duration_seconds
    if span is not None and span < 0:
        span = None
    failing = f"{clock.where()[1:]} since {clock.at(r.since)}".lstrip()
    if not same:
        failing += f", last failure {clock.at(r.last_failure)}"
    if r.status == "ongoing":
        so_far = f", {duration(span)} so far" if span is not None and not same else ""
        return f"Ongoing{by}: still failing when the input ends; {failing}{so_far}."
    failing = "failing " + failing
    healthy = "healthy again"
    if r.recovered_at is not None:
        healthy += f" at {clock.at(r.recovered_at)}"
    if r.signal:
        healthy += f" by {r.signal}"
    if span is not None:
        healthy += f", after {duration(span)}"
    return f"Recovered{by}: {failing}; {healthy}."


def finding_recovery(finding: Finding, chapter: Chapter | None = None) -> str | None:
    """A finding's recovery sentence; shortened when its root cause's headline already said it."""
    r = finding.recovery
    if r is None:
        return None
    if chapter is not None and chapter.recovery == r:
        said = "still failing when the input ends" if r.status == "ongoing" else "recovered"
        return f"{capital(said)}: as told for the root cause above."
    return recovery_sentence(r)


def verdict_sentences(verdict: Verdict) -> list[str]:
    """Why a finding is harmless here and on what that depends, or why it is not after all."""
    if verdict.benign:
        out = [f"Harmless here: {verdict.reason}"]
        if verdict.condition:
            out.append(f"As long as: {verdict.condition}")
        return out
    out = [f"Not harmless here: {verdict.reason}"]
    if verdict.condition:
        out.append(f"It would be harmless if: {verdict.condition}")
    if verdict.against is not None:
        out.append(f"Broken by the record at {moment(verdict.against)}")
    return out


def coverage(stats: Stats, unknown_templates: int) -> str:
    """``explained N of M error records; K unknown templates (R warning-or-worse records ...)``.

    ``unknown_templates`` counts the templates listed; those dropped past the
    report's limit are added from the stats.
    """
    explained = stats.error_records - stats.unexplained_error_records
    templates = unknown_templates + stats.unknown_templates_dropped
    records = plural(stats.unknown_records, "warning-or-worse record")
    return (
        f"explained {explained} of {plural(stats.error_records, 'error record')}; "
        f"{plural(templates, 'unknown template')} ({records} no signature knows)"
    )


def seen_sentence(report: Report) -> str:
    """Which AMR components the input held records of, of what kind, from which sources."""
    if not report.seen:
        return "No record of any AMR component: no AMR log line and no AMR pod in the input."
    by_component: dict[str, list[Presence]] = {}
    for p in report.seen:
        by_component.setdefault(p.component, []).append(p)
    parts = []
    for items in by_component.values():
        kinds = list(dict.fromkeys(k for p in items for k in p.kinds))
        sources = ", ".join(p.source for p in items)
        parts.append(f"{items[0].title} ({' and '.join(kinds)}: {sources})")
    return "Records of " + "; ".join(parts) + "."


def _component(name: str) -> str:
    return "any AMR component" if name == "any" else name


def missing_phrase(gate: Gate) -> str:
    """``no record of observer, handler in the input (--expect)``: why the gate failed."""
    named = ", ".join(_component(c) for c in gate.missing)
    return f"no record of {named} in the input (--expect)"


def expected_sentence(component: str) -> str:
    """Why one expected component fails the gate, as a sentence of its own."""
    return (
        f"Expected records of {_component(component)} (--expect {component}), but the input"
        " holds none: no log line and no pod state of it. Was the collection empty, the"
        " namespace wrong, or the kubectl command failed?"
    )


def reading_sentence(report: Report) -> str:
    """What was read, with the lines cut at the length cap and the regex searches cut short."""
    s = report.stats
    text = (
        f"Read {plural(s.lines_read, 'line')}, {plural(s.records, 'record')};"
        f" {plural(s.matches, 'match', 'matches')}"
    )
    truncated = sum(src.truncated_lines for src in s.sources)
    if truncated:
        text += f"; {plural(truncated, 'line')} over the length cap (only its start matched)"
    if s.regex_timeouts:
        by = ", ".join(f"{k} x{v}" for k, v in sorted(s.regex_timeouts_by_signature.items()))
        searches = plural(s.regex_timeouts, "regex search", "regex searches")
        text += f"; {searches} hit the time limit ({by})"
    return text + "."


def report_coverage(report: Report) -> str:
    """The coverage line of a report."""
    return coverage(report.stats, len(report.unknown))


def capital(text: str) -> str:
    """The sentence with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def tap_sentence(tap: TapVersion, evidence: bool = True) -> str:
    """Which Tanzu Application Platform release the advice is written for, and how that is known
    (with ``evidence``, the record it was inferred from)."""
    if tap.source == "unknown" or not tap.version:
        return (
            "TAP version unknown: where a setting or resource is spelt differently "
            "between releases, the steps name both spellings."
        )
    text = f"Advice written for Tanzu Application Platform {tap.version}"
    if tap.source == "given":
        return text + " (given with --tap-version)."
    said = f": {tap.evidence}" if tap.evidence and evidence else ""
    return text + f", inferred from the input{said}."


def nothing_found(report: Report) -> str | None:
    """What a report with no finding says instead, or None when it has findings."""
    if report.unreadable:
        return "Nothing readable in the input: no line of text to check."
    return None if report.findings else "No known AMR log line found."


def gate_story(gate: Gate) -> list[str]:
    """The gate's benign and recovered counts, and whether recovered problems were let pass."""
    parts: list[str] = []
    if gate.benign:
        parts.append(f"{gate.benign} benign")
    if gate.recovered or gate.ignore_recovered:
        recovered = f"{gate.recovered} recovered"
        parts.append(recovered + (" (recovered problems ignored)" if gate.ignore_recovered else ""))
    return parts


def set_aside(gate: Gate) -> list[str]:
    """What the gate did not count and why, one phrase per non-zero reason."""
    parts = []
    if gate.suppressed:
        parts.append(f"{gate.suppressed} suppressed")
    if gate.baselined:
        parts.append(f"{gate.baselined} baselined")
    if gate.hidden:
        parts.append(f"{gate.hidden} hidden below --min-severity {gate.min_severity}")
    if gate.excluded:
        parts.append(f"{gate.excluded} excluded by --only/--exclude")
    return parts


def gate_state(gate: Gate) -> str:
    """``failed`` or ``passed``: the word every format paints or marks."""
    return "failed" if gate.failed else "passed"


def gate_sentence(gate: Gate) -> str:
    """The gate's verdict in the words every format uses, e.g.
    ``failed (--fail-on error): 1 finding, 1 root cause; 2 recovered, 1 suppressed``.

    What failed it (findings, root causes, warning-or-worse records no signature
    knows at ``--fail-on info``, components missing from the input), then what
    it let pass and set aside.
    """
    text = f"{gate_state(gate)} (--fail-on {gate.fail_on})"
    if gate.fail_on == "never":
        text += ": the gate is off"
    elif gate.failed:
        counts = [plural(gate.failing_findings, "finding")] if gate.failing_findings else []
        if gate.failing_root_causes:
            counts.append(plural(gate.failing_root_causes, "root cause"))
        if gate.failing_unknown:
            counts.append(
                plural(gate.failing_unknown, "warning-or-worse record") + " no signature knows"
            )
        if gate.missing:
            counts.append(missing_phrase(gate))
        if counts:
            text += ": " + ", ".join(counts)
    elif gate.fail_on == "info":
        text += ": nothing needs attention"
    else:
        above = "" if gate.fail_on == "error" else " or above"
        text += f": nothing at {gate.fail_on}{above} remains"
    parts = [*gate_story(gate), *set_aside(gate)]
    return text + ("; " + ", ".join(parts) if parts else "")


def headline(report: Report, story: Story) -> str:
    """What the report found, in one line, for a report that was not gated.

    ``1 root cause, 2 problems, 5 signals; worst severity error``.
    """
    if report.unreadable:
        return "nothing readable in the input"
    findings = [f for f in report.findings if f.suppressed is None]
    problems = sum(1 for f in findings if f.severity != "info" and not is_benign(f))
    signals = sum(1 for f in findings if f.severity == "info" and not is_benign(f))
    tally = [
        (sum(1 for c in story.chapters if c.diagnosis.severity != "info"), "root cause"),
        (problems, "problem"),
        (len(story.harmless), "harmless finding"),
        (signals, "signal"),
    ]
    counts = ", ".join(plural(n, word) for n, word in tally if n)
    worst = report.max_severity
    if worst is None:
        return "no known problem found"
    if worst == "info":
        return f"nothing to fix (worst severity info): {counts}"
    return f"worst severity {worst}: {counts}"


def suppression_phrase(s: Suppression) -> str:
    """Who set an item aside and until when, e.g. ``ignore from .amr.yaml, expires 2026-01-31``."""
    phrase = f"{s.kind} from {s.origin}"
    if s.expires is not None:
        phrase += f", expires {s.expires.isoformat()}"
    return phrase


#: What a report says of evidence whose line was longer than the line cap.
CUT_NOTE = "the line was longer than --max-line-length: only its start was read"


def clip(text: str, limit: int = EXAMPLE_WIDTH) -> str:
    """The first line of ``text``, cut at ``limit`` characters with the rest counted."""
    return wording.clip(text, limit, first_line=True)


def record_at(report: Report, seen: Seen) -> Evidence | None:
    """The evidence record of any finding at ``seen``'s place, when the report kept one."""
    for f in report.findings:
        for ev in f.evidence:
            if ev.source == seen.source and ev.line <= seen.line <= max(ev.line, ev.end_line):
                return ev
    return None


def signal_names(f: Finding) -> list[str]:
    """A finding's healthy signals as ``id (title)``: what the user should see once it is fixed."""
    return [f"{v} ({f.verify_titles[v]})" if v in f.verify_titles else v for v in f.verify]
