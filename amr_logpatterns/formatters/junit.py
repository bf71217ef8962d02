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
properties and ``<system-out>`` carry the coverage line, the TAP release, the
files of a bundle left unread (another pod's log; a suite ``not read`` says so
when nothing else was read) and the unknown messages first seen in its source.

What each case says is worked out in ``junit_cases``; this module writes the
XML: suites, their properties and output, the counts that add up.

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
import xml.etree.ElementTree as ET

from amr_logpatterns.about import __version__
from amr_logpatterns.formatters.gate_words import expected_sentence, gate_sentence, gate_state
from amr_logpatterns.formatters.junit_cases import (
    INDENT,
    MAX_LINE,
    TOOL,
    Case,
    CaseIndex,
    sources_of,
)
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import (
    capital,
    clip,
    moment,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    tap_sentence,
)
from amr_logpatterns.models.results import Gate, Report, SourceStats
from amr_logpatterns.wording import plural

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


def _is_path(source: str) -> bool:
    """Whether ``source`` names a file (not ``<stdin>`` or ``<input>``)."""
    return bool(source) and source != "-" and not (source.startswith("<") and source.endswith(">"))


def _case_element(case: Case, source: str) -> ET.Element:
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
        el = ET.SubElement(suite, "testcase", classname=f"{TOOL}.expect", name=component, time="0")
        if component in gate.missing:
            message = expected_sentence(component)
            ET.SubElement(el, "failure", message=_attr(message), type="missing").text = message
    return suite


def _unknown_suite(report: Report, gate: Gate) -> ET.Element:
    """At ``--fail-on info``, one case for the messages no signature knows: failing when any
    warning-or-worse record is unknown, with each template."""
    suite = ET.Element("testsuite", name="unknown messages")
    el = ET.SubElement(suite, "testcase", classname=f"{TOOL}.input", name="unknown", time="0")
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
    el = ET.Element("testcase", classname=f"{TOOL}.input", name="read", time="0")
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
    for skipped in report.skipped_files:
        props += [
            (f"skipped-files.{skipped.reason}", str(skipped.files)),
            (f"skipped-bytes.{skipped.reason}", str(skipped.bytes)),
        ]
    el = ET.Element("properties")
    for name, value in props:
        ET.SubElement(el, "property", name=name, value=_attr(value))
    return el


def _suite_out(report: Report, source: str, first: bool) -> ET.Element:
    """What the suite's cases cannot say: coverage, what was left unread, the TAP release,
    the unknown messages.

    Each unknown template goes to the suite of the source it was first seen in
    (to the first suite when no suite has that name).
    """
    names = {s.source for s in report.stats.sources}
    notices = [capital(n) + "." for n in report.gate.notices] if report.gate and first else []
    lines = [
        *notices,
        *skipped_sentences(report),
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
            lines.append(f"{INDENT}[{u.level}] x{u.count}, first at {moment(u.first_seen)}")
            lines.append(f"{INDENT * 2}template: {clip(u.template, MAX_LINE)}")
            lines.append(f"{INDENT * 2}example:  {clip(u.example)}")
    el = ET.Element("system-out")
    el.text = xml_text("\n".join(lines))
    return el


def _all_sources(report: Report) -> list[tuple[str, SourceStats | None]]:
    """The report's sources in input order, then any only a finding names."""
    known: dict[str, SourceStats | None] = {s.source: s for s in report.stats.sources}
    for f in report.findings:
        for source in sources_of(f):
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
    index = CaseIndex(report, options)
    root = ET.Element("testsuites", name=TOOL)
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
    if not suites and report.skipped_files:  # every file found was another pod's log
        suite = ET.Element("testsuite", name="not read")
        _counts(suite, [])
        suite.append(_properties(report, None))
        suite.append(_suite_out(report, "", True))
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
