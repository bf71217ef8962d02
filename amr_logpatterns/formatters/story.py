"""The incident story every format tells, sorted once so the formats cannot disagree.

A reader wants the root cause first, with the findings it rests on and the
symptoms it explains folded under it, then whatever no root cause explains,
then what looks bad but is harmless here. ``tell`` sorts a report's findings
into those places; ``phrases`` and ``gate_words`` word them, the same way in
every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from amr_logpatterns.models.results import Diagnosis, Evidence, Finding, Recovery, Report, Seen

Role = Literal["cause", "symptom"]


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
    def fixed_signals(self) -> list[tuple[str, str | None]]:
        """The healthy signals of the findings it rests on, each once, with its title if known."""
        causes = [m.finding for m in self.members if m.role == "cause"]
        return list(dict.fromkeys(s for f in causes for s in signals(f)))

    @property
    def fixed_when(self) -> list[str]:
        """The healthy signals of the findings it rests on, each with what it says once fixed."""
        return [named(signal, title) for signal, title in self.fixed_signals]


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


def record_at(report: Report, seen: Seen) -> Evidence | None:
    """The evidence record of any finding at ``seen``'s place, when the report kept one."""
    for f in report.findings:
        for ev in f.evidence:
            if ev.source == seen.source and ev.line <= seen.line <= max(ev.line, ev.end_line):
                return ev
    return None


def signals(f: Finding) -> list[tuple[str, str | None]]:
    """A finding's healthy signals with their titles when known: what shows it fixed."""
    return [(v, f.verify_titles.get(v)) for v in f.verify]


def named(signal: str, title: str | None) -> str:
    """A healthy signal as ``id (title)``, or its id when it has no title."""
    return f"{signal} ({title})" if title else signal


def signal_names(f: Finding) -> list[str]:
    """A finding's healthy signals as ``id (title)``: what the user should see once it is fixed."""
    return [named(signal, title) for signal, title in signals(f)]


def role_of(f: Finding, report: Report, name: Callable[[str], str] = str) -> str:
    """What a finding is in the story: ``harmless``, ``cause of D``/``symptom of D`` for each
    root cause that claims it (``name`` writes D), else ``signal`` or ``problem``."""
    if is_benign(f):
        return "harmless"
    causes = root_causes(report, f)
    if causes:
        return "; ".join(f"{role} of {name(d.id)}" for d, role in causes)
    return "signal" if f.severity == "info" else "problem"
