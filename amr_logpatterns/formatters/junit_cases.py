"""What each JUnit testcase says: whether it fails, is skipped or passes, and the text of it.

A signature's case fails in a source when a finding of it occurred there that
fails the gate (``Gate.fails``; without a gate, an unsuppressed error); a
suppressed one is skipped; findings that do not fail it pass with their block
in ``<system-out>``. A diagnosis's case fails in the sources where the findings
it rests on occurred, or in every source when none of them is in the report.
A block tells one finding or root cause as plain text: what, how often, its
root cause, recovery and verdict, evidence, explanation, fix, healthy signals.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from amr_logpatterns import wording
from amr_logpatterns.formatters.options import Options, guide_link
from amr_logpatterns.formatters.phrases import recovery_sentence, verdict_sentences
from amr_logpatterns.formatters.steps import terminal_steps
from amr_logpatterns.formatters.story import (
    Chapter,
    Role,
    claim,
    is_benign,
    signal_names,
    tell,
)
from amr_logpatterns.models.results import Diagnosis, Evidence, Finding, Report, Suppression

#: The root of every testcase's class name, and the name of the whole run.
TOOL = "amr-logpatterns"
_WIDTH = 100
_MAX_EVIDENCE = 5
_MAX_EVIDENCE_LINES = 6
#: A log line or template in a body is cut at this length.
MAX_LINE = 400
INDENT = "  "


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def sources_of(finding: Finding) -> list[str]:
    """Every source the finding occurred in (``last_lines``; evidence and seen for old reports)."""
    if finding.last_lines:
        return list(finding.last_lines)
    found = [e.source for e in finding.evidence]
    found += [finding.first_seen.source, finding.last_seen.source]
    return list(dict.fromkeys(found))


def _suppression_message(s: Suppression) -> str:
    word = "baselined" if s.kind == "baseline" else "suppressed"
    expires = f", expires {s.expires.isoformat()}" if s.expires else ""
    return f"{word}: {s.reason} ({s.origin}{expires})"


def _evidence_lines(evidence: Iterable[Evidence]) -> list[str]:
    out: list[str] = []
    for ev in evidence:
        # Not splitlines(): a form feed or U+2028 inside a log line does not end it.
        text = ev.text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
        lines = [wording.clip(line, MAX_LINE) for line in text.split("\n")]
        out.append(f"{INDENT}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{INDENT * 3}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            out.append(f"{INDENT * 3}... ({len(lines) - _MAX_EVIDENCE_LINES} more lines)")
    return out


def _here(finding: Finding, source: str) -> list[Evidence]:
    return [e for e in finding.evidence if e.source == source]


def _references(refs: list[str], options: Options) -> list[str]:
    return [f"See: {guide_link(r, options)}" for r in refs]


def _root_cause_lines(causes: list[tuple[Diagnosis, Role]]) -> list[str]:
    return [
        f"Root cause: {d.id} ({d.title}); "
        + ("this finding is what it rests on." if role == "cause" else "this is a symptom of it.")
        for d, role in causes
    ]


def _finding_block(
    f: Finding, source: str, causes: list[tuple[Diagnosis, Role]], options: Options
) -> list[str]:
    group = " ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    spread = len(sources_of(f))
    where = "in this source" if spread == 1 else f"across {spread} sources"
    head = f"[{f.severity}] {f.id}: {f.title}"
    times = "once" if f.count == 1 else f"{f.count} times"
    out = [head + (f"  ({group})" if group else ""), f"Seen {times} {where}."]
    out += _root_cause_lines(causes)
    if f.recovery is not None:
        out += _wrap(recovery_sentence(f.recovery))
    if f.verdict is not None:
        out += [line for sentence in verdict_sentences(f.verdict) for line in _wrap(sentence)]
    if f.suppressed is not None:
        out.append(f"Not failing: {_suppression_message(f.suppressed)}")
    evidence = _here(f, source)
    out.append("Evidence:")
    if evidence:
        out += _evidence_lines(evidence)
    else:
        last = f.last_lines.get(source)
        at = f", last at {source}:{last}" if last else ""
        out.append(f"{INDENT}(no evidence kept from this source{at})")
    out += _wrap(f.explanation)
    if f.remediation:
        out.append("Fix:")
        out += terminal_steps(f.remediation, INDENT)
    if f.verify:
        out.append(f"Fixed when you see: {', '.join(signal_names(f))}")
    out += _references(f.references, options)
    return out


def _diagnosis_block(
    d: Diagnosis, chapter: Chapter | None, resting: list[Finding], source: str, options: Options
) -> list[str]:
    out = [f"[{d.severity}] {d.id}: {d.title}  (confidence: {d.confidence})"]
    if d.suppressed is not None:
        out.append(f"Not failing: {_suppression_message(d.suppressed)}")
    recovery = chapter.recovery if chapter is not None else d.recovery
    if recovery is not None:
        out += _wrap(recovery_sentence(recovery, chapter.judged_by if chapter else None))
    out += _wrap(d.summary)
    symptoms = chapter.symptom_ids if chapter is not None else d.symptom_ids
    rests = [f"Rests on: {', '.join(d.finding_ids)}"] if d.finding_ids else []
    rests += [f"Symptoms: {', '.join(symptoms)}"] if symptoms else []
    if rests:
        out.append("   ".join(rests))
    evidence = [e for f in resting for e in _here(f, source)[:2]][:_MAX_EVIDENCE]
    if evidence:
        out.append("Evidence:")
        out += _evidence_lines(evidence)
    out += _wrap(d.explanation)
    if d.remediation:
        out.append("Fix:")
        out += terminal_steps(d.remediation, INDENT)
    if chapter is not None and chapter.fixed_when:
        out.append(f"Fixed when you see: {', '.join(chapter.fixed_when)}")
    out += _references(d.references, options)
    return out


@dataclass
class Case:
    """One testcase's outcome before it becomes XML."""

    classname: str
    name: str
    line: int | None = None
    located: bool = False
    failure: tuple[str, str, str] | None = None
    skipped: str | None = None
    output: list[str] = field(default_factory=list)


class CaseIndex:
    """The report looked up by id and by source, to make each source's case of an id."""

    def __init__(self, report: Report, options: Options) -> None:
        self.report = report
        self.options = options
        self.chapters = {id(c.diagnosis): c for c in tell(report).chapters}
        self.findings: dict[str, list[Finding]] = {}
        for f in report.findings:
            self.findings.setdefault(f.id, []).append(f)
        self.diagnoses: dict[str, list[Diagnosis]] = {}
        for d in report.diagnoses:
            self.diagnoses.setdefault(d.id, []).append(d)
        ids = [*report.checked, *self.findings, *self.diagnoses]
        self.ids = list(dict.fromkeys(ids))

    def is_diagnosis(self, case_id: str) -> bool:
        return case_id in self.diagnoses or (
            case_id not in self.findings and case_id.startswith("diagnosis.")
        )

    def classname(self, case_id: str) -> str:
        if self.is_diagnosis(case_id):
            return f"{TOOL}.diagnosis"
        found = self.findings.get(case_id)
        component = found[0].component if found else case_id.split(".", 1)[0]
        return f"{TOOL}.{component}"

    def resting(self, d: Diagnosis) -> list[Finding]:
        return [f for fid in d.finding_ids for f in self.findings.get(fid, [])]

    def diagnosis_sources(self, d: Diagnosis) -> list[str] | None:
        """Where the findings ``d`` rests on occurred; None means every source."""
        found = [s for f in self.resting(d) for s in sources_of(f)]
        return list(dict.fromkeys(found)) or None

    def counts(self, item: Finding | Diagnosis) -> bool:
        """Whether the gate counts ``item``: as the gate decided when one was applied; else
        not suppressed, not harmless, not a signal, and at ``error``."""
        if self.report.gate is not None:
            return self.report.gate.fails(item)
        if item.suppressed is not None or (isinstance(item, Finding) and is_benign(item)):
            return False
        return item.severity == "error"

    def causes(self, f: Finding) -> list[tuple[Diagnosis, Role]]:
        return [
            (d, role)
            for d in self.report.diagnoses
            if d.suppressed is None and (role := claim(d, f)) is not None
        ]

    def case(self, case_id: str, source: str) -> Case:
        case = Case(classname=self.classname(case_id), name=case_id)
        if self.is_diagnosis(case_id):
            self._diagnosis_case(case, self.diagnoses.get(case_id, []), source)
        else:
            self._finding_case(case, self.findings.get(case_id, []), source)
        return case

    def _finding_case(self, case: Case, found: list[Finding], source: str) -> None:
        here = [f for f in found if source in sources_of(f)]
        if not here:
            return
        failing = [f for f in here if self.counts(f)]
        rest = [f for f in here if f not in failing]
        case.located = True
        first = next((e for f in (failing or here) for e in _here(f, source)), None)
        case.line = first.line if first else (failing or here)[0].last_lines.get(source)
        if failing:
            lead = failing[0]
            total = sum(f.count for f in failing)
            body = [
                line
                for f in failing
                for line in ["", *_finding_block(f, source, self.causes(f), self.options)]
            ]
            message = f"{lead.title} (x{total})"
            roots = list(dict.fromkeys(d.id for f in failing for d, _ in self.causes(f)))
            if roots:
                message += f"; root cause: {', '.join(roots)}"
            case.failure = (message, lead.severity, "\n".join(body[1:]))
        else:
            suppressed = next((f.suppressed for f in here if f.suppressed is not None), None)
            if suppressed is not None:
                case.skipped = _suppression_message(suppressed)
        for f in rest:
            case.output += [*_finding_block(f, source, self.causes(f), self.options), ""]

    def _diagnosis_case(self, case: Case, found: list[Diagnosis], source: str) -> None:
        for d in found:
            sources = self.diagnosis_sources(d)
            if sources is not None and source not in sources:
                continue
            resting = [f for f in self.resting(d) if source in sources_of(f)]
            first = next((e for f in resting for e in _here(f, source)), None)
            if first is not None and case.line is None:
                case.line = first.line
            case.located = True
            chapter = self.chapters.get(id(d))
            block = _diagnosis_block(d, chapter, resting, source, self.options)
            if case.failure is None and self.counts(d):
                case.failure = (d.title, d.severity, "\n".join(block))
                continue
            if d.suppressed is not None and case.skipped is None:
                case.skipped = _suppression_message(d.suppressed)
            case.output += [*block, ""]
        if case.failure is not None:
            case.skipped = None
