"""JUnit XML, so CI test views (Jenkins, GitLab, GitHub test reporters) show what a log holds.

Each input source is a ``<testsuite>``; each signature and diagnosis that was
run (``Report.checked``) is a ``<testcase>`` in it. A case fails in a source
when a finding of it occurred there that fails the gate (``Gate.fails``;
without a gate, an unsuppressed error); suppressed ones are ``<skipped>``;
findings that do not fail it pass with their evidence in ``<system-out>``.
A diagnosis fails in the sources where the findings it rests on occurred, or
in every suite when none of them is in the report. A source that could not
be read gets an ``<error>`` case; at ``--fail-on info`` a suite ``unknown
messages`` fails when a warning-or-worse record is one no signature knows.

A finding a root cause explains names it in its failure message; a finding
harmless here passes, with the reason in ``<system-out>``, and so does a
recovered one when the gate ignores recovered problems. Each suite's
properties and ``<system-out>`` carry the coverage line, the TAP release and
the unknown messages first seen in its source.

Sample::

    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites name="amr-logpatterns" tests="35" failures="2" errors="0" skipped="0" time="0">
      <testsuite name="handler.log" tests="35" failures="2" errors="0" skipped="0" time="0">
        <testcase classname="amr-logpatterns.handler" name="handler.amr-unavailable"
                  file="handler.log" line="16" time="0">
          <failure message="AMR is unavailable (x8); root cause: diagnosis.amr-graphql-down"
                   type="error">handler.amr-unavailable ...
            Evidence:
              handler.log:16: {"level":"error","msg":"AMR is unavailable ..."}
            Fix:
              1. Check the AMR GraphQL pods.
                 $ kubectl -n metadata-store get pods</failure>
        </testcase>
        <testcase classname="amr-logpatterns.handler" name="handler.ready" time="0" />
        ...
        <system-out>Explained 8 of 8 error records; 0 unknown templates (0 warning-or-worse ...).
    TAP version unknown: ... the steps name both spellings.</system-out>
      </testsuite>
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from amr_logpatterns import wording
from amr_logpatterns.about import __version__
from amr_logpatterns.formatters.options import PLAIN, Options, guide_link
from amr_logpatterns.formatters.story import (
    Chapter,
    Role,
    capital,
    claim,
    clip,
    expected_sentence,
    gate_sentence,
    gate_state,
    is_benign,
    moment,
    recovery_sentence,
    report_coverage,
    seen_sentence,
    signal_names,
    tap_sentence,
    tell,
    verdict_sentences,
)
from amr_logpatterns.formatters.terminal import steps_lines
from amr_logpatterns.models.results import (
    Diagnosis,
    Evidence,
    Finding,
    Gate,
    Report,
    SourceStats,
    Suppression,
)
from amr_logpatterns.wording import plural

_TOOL = "amr-logpatterns"
_WIDTH = 100
_MAX_EVIDENCE = 5
_MAX_EVIDENCE_LINES = 6
_MAX_LINE = 400
_INDENT = "  "

# Characters XML 1.0 forbids (C0 controls but TAB/LF/CR, surrogates, U+FFFE/U+FFFF).
# In a Python str every surrogate is a lone one: real astral characters are one code point.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry shown as ``\\uXXXX``.

    Log lines hold NUL, ESC (colour codes), form feeds and undecodable bytes;
    an XML parser rejects the whole report for one of them, so they are
    written out visibly instead. CR becomes LF, as an XML parser would read it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _attr(text: str) -> str:
    """An attribute value on one line: attribute newlines read back as spaces anyway."""
    return xml_text(" ".join(text.split()))


def _clip(line: str) -> str:
    return wording.clip(line, _MAX_LINE)


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _is_path(source: str) -> bool:
    """Whether ``source`` names a file (not ``<stdin>`` or ``<input>``)."""
    return bool(source) and source != "-" and not (source.startswith("<") and source.endswith(">"))


def _sources_of(finding: Finding) -> list[str]:
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
        lines = [_clip(line) for line in text.split("\n")]
        out.append(f"{_INDENT}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{_INDENT * 3}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            out.append(f"{_INDENT * 3}... ({len(lines) - _MAX_EVIDENCE_LINES} more lines)")
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
    spread = len(_sources_of(f))
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
        out.append(f"{_INDENT}(no evidence kept from this source{at})")
    out += _wrap(f.explanation)
    if f.remediation:
        out.append("Fix:")
        out += steps_lines(f.remediation, _INDENT)
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
        out += steps_lines(d.remediation, _INDENT)
    if chapter is not None and chapter.fixed_when:
        out.append(f"Fixed when you see: {', '.join(chapter.fixed_when)}")
    out += _references(d.references, options)
    return out


@dataclass
class _Case:
    """One testcase's outcome before it becomes XML."""

    classname: str
    name: str
    line: int | None = None
    located: bool = False
    failure: tuple[str, str, str] | None = None
    skipped: str | None = None
    output: list[str] = field(default_factory=list)


class _Index:
    """The report looked up by id and by source."""

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
            return f"{_TOOL}.diagnosis"
        found = self.findings.get(case_id)
        component = found[0].component if found else case_id.split(".", 1)[0]
        return f"{_TOOL}.{component}"

    def resting(self, d: Diagnosis) -> list[Finding]:
        return [f for fid in d.finding_ids for f in self.findings.get(fid, [])]

    def diagnosis_sources(self, d: Diagnosis) -> list[str] | None:
        """Where the findings ``d`` rests on occurred; None means every source."""
        found = [s for f in self.resting(d) for s in _sources_of(f)]
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

    def case(self, case_id: str, source: str) -> _Case:
        case = _Case(classname=self.classname(case_id), name=case_id)
        if self.is_diagnosis(case_id):
            self._diagnosis_case(case, self.diagnoses.get(case_id, []), source)
        else:
            self._finding_case(case, self.findings.get(case_id, []), source)
        return case

    def _finding_case(self, case: _Case, found: list[Finding], source: str) -> None:
        here = [f for f in found if source in _sources_of(f)]
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

    def _diagnosis_case(self, case: _Case, found: list[Diagnosis], source: str) -> None:
        for d in found:
            sources = self.diagnosis_sources(d)
            if sources is not None and source not in sources:
                continue
            resting = [f for f in self.resting(d) if source in _sources_of(f)]
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


def _case_element(case: _Case, source: str) -> ET.Element:
    attrs = {"classname": xml_text(case.classname), "name": xml_text(case.name)}
    if case.located and _is_path(source):
        attrs["file"] = xml_text(source)
        if case.line is not None and case.line > 0:
            attrs["line"] = str(case.line)
    attrs["time"] = "0"
    el = ET.Element("testcase", attrs)
    if case.failure is not None:
        message, severity, body = case.failure
        failure = ET.SubElement(el, "failure", message=_attr(message), type=severity)
        failure.text = xml_text(body)
    elif case.skipped is not None:
        ET.SubElement(el, "skipped", message=_attr(case.skipped))
    if case.output:
        ET.SubElement(el, "system-out").text = xml_text("\n".join(case.output).rstrip("\n"))
    return el


def _expectations(gate: Gate) -> ET.Element:
    """One case per component the pipeline expects records of: failing when there are none."""
    suite = ET.Element("testsuite", name="expected components")
    for component in gate.expected:
        el = ET.SubElement(suite, "testcase", classname=f"{_TOOL}.expect", name=component, time="0")
        if component in gate.missing:
            message = expected_sentence(component)
            ET.SubElement(el, "failure", message=_attr(message), type="missing").text = message
    return suite


def _unknown_suite(report: Report, gate: Gate) -> ET.Element:
    """At ``--fail-on info``, one case for the messages no signature knows: failing when any
    warning-or-worse record is unknown, with each template."""
    suite = ET.Element("testsuite", name="unknown messages")
    el = ET.SubElement(suite, "testcase", classname=f"{_TOOL}.input", name="unknown", time="0")
    if gate.failing_unknown:
        message = (
            plural(gate.failing_unknown, "warning-or-worse record")
            + " no signature knows (--fail-on info)"
        )
        body = [f"[{u.level.lower()}] x{u.count} {u.template}" for u in report.unknown]
        failure = ET.SubElement(el, "failure", message=_attr(message), type="unknown")
        failure.text = xml_text("\n".join([message, *body]))
    return suite


def _read_error_case(error: str) -> ET.Element:
    el = ET.Element("testcase", classname=f"{_TOOL}.input", name="read", time="0")
    ET.SubElement(el, "error", message=_attr(error), type="read-error").text = xml_text(error)
    return el


def _properties(report: Report, stats: SourceStats | None) -> ET.Element:
    props: list[tuple[str, str]] = [("amr-logpatterns.version", __version__)]
    gate = report.gate
    props.append(("fail-on", gate.fail_on if gate is not None else "error"))
    if gate is not None:
        props.append(("gate", gate_state(gate)))
        props.append(("gate-verdict", gate_sentence(gate)))
        if gate.ignore_recovered:
            props.append(("ignore-recovered", "true"))
    if stats is not None:
        props += [
            ("lines-read", str(stats.lines_read)),
            ("records", str(stats.records)),
            ("error-records", str(stats.error_records)),
            ("unexplained-error-records", str(stats.unexplained_error_records)),
        ]
    props += [
        ("coverage", report_coverage(report)),
        ("unknown-templates", str(len(report.unknown) + report.stats.unknown_templates_dropped)),
        ("unknown-records", str(report.stats.unknown_records)),
        ("tap-version", report.tap_version.version or "unknown"),
        ("tap-version-source", report.tap_version.source),
    ]
    el = ET.Element("properties")
    for name, value in props:
        ET.SubElement(el, "property", name=name, value=_attr(value))
    return el


def _suite_out(report: Report, source: str, first: bool) -> ET.Element:
    """What the suite's cases cannot say: coverage, the TAP release, the unknown messages.

    Each unknown template goes to the suite of the source it was first seen in
    (to the first suite when no suite has that name).
    """
    names = {s.source for s in report.stats.sources}
    notices = [capital(n) + "." for n in report.gate.notices] if report.gate and first else []
    lines = [
        *notices,
        capital(report_coverage(report)) + ".",
        seen_sentence(report),
        tap_sentence(report.tap_version),
    ]
    here = [
        u
        for u in report.unknown
        if u.first_seen.source == source or (first and u.first_seen.source not in names)
    ]
    if here:
        lines += ["", "Unknown warning-or-worse messages (no signature knows them):"]
        for u in here:
            lines.append(f"{_INDENT}[{u.level}] x{u.count}, first at {moment(u.first_seen)}")
            lines.append(f"{_INDENT * 2}template: {clip(u.template, _MAX_LINE)}")
            lines.append(f"{_INDENT * 2}example:  {clip(u.example)}")
    el = ET.Element("system-out")
    el.text = xml_text("\n".join(lines))
    return el


def _all_sources(report: Report) -> list[tuple[str, SourceStats | None]]:
    """The report's sources in input order, then any only a finding names."""
    known: dict[str, SourceStats | None] = {s.source: s for s in report.stats.sources}
    for f in report.findings:
        for source in _sources_of(f):
            known.setdefault(source, None)
    return list(known.items())


def _counts(el: ET.Element, cases: list[ET.Element]) -> dict[str, int]:
    counts = {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
    }
    for key, value in counts.items():
        el.set(key, str(value))
    el.set("time", "0")
    return counts


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The report as a JUnit XML document (UTF-8, with its declaration)."""
    index = _Index(report, options)
    root = ET.Element("testsuites", name=_TOOL)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites: list[ET.Element] = []
    for number, (source, stats) in enumerate(_all_sources(report)):
        suite = ET.Element("testsuite", name=xml_text(source))
        cases = [_case_element(index.case(i, source), source) for i in index.ids]
        if stats is not None and stats.read_error:
            cases.insert(0, _read_error_case(stats.read_error))
        for key, value in _counts(suite, cases).items():
            totals[key] += value
        suite.append(_properties(report, stats))
        suite.extend(cases)
        suite.append(_suite_out(report, source, number == 0))
        suites.append(suite)
    gate = report.gate
    extra = [_expectations(gate)] if gate is not None and gate.expected else []
    extra += [_unknown_suite(report, gate)] if gate is not None and gate.fail_on == "info" else []
    for suite in extra:
        for key, value in _counts(suite, list(suite.iter("testcase"))).items():
            totals[key] += value
        suites.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    root.extend(suites)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
