"""Text for a person at a terminal: root causes first, then problems, then the rest.

Prose wraps at ``options.width``; lines that name things (a finding's id and
place, the ids a diagnosis rests on, evidence, commands, configuration) stay
whole so they can be searched for and copied. With ``options.color`` the
severities, ids, headings and commands are painted with ANSI SGR codes.

Sample::

    ROOT CAUSE  [error] diagnosis.amr-graphql-down: The AMR GraphQL app is not serving
      The CloudEvent Handler cannot reach AMR at https://amr-graphql-app...
      Rests on: handler.amr-unavailable   Symptoms: observer.health-check-failed
      Fix:
        1. Check the AMR GraphQL pods.
           $ kubectl -n metadata-store get pods

    PROBLEMS (2)
    [error] observer.health-check-failed  x4  (observer.log:12 .. observer.log:80)
      ...

    SUPPRESSED (1): set aside, not counted by the gate
      [warning] observer.no-certs-appended  x1  (observer.log:3)
        baseline from baseline.json: in baseline

    Read 92 lines, 24 records; 13 matches; 10 of 10 error records explained.
    Gate: failed (--fail-on error): 1 finding, 1 root cause; 1 baselined
"""

from __future__ import annotations

import re
import textwrap

from ..models import Diagnosis, Finding, Gate, Report, Suppression
from ..schema import RemediationStep
from . import PLAIN, Options

_INDENT = "  "
_MAX_EVIDENCE_LINES = 6
_MAX_EVIDENCE_WIDTH = 400
#: Below this, wrapped prose would be mostly indentation.
MIN_WIDTH = 40

_RESET = "\x1b[0m"
_BOLD = "1"
_SEVERITY_SGR = {"error": "1;31", "warning": "1;33", "info": "34"}
_COMMAND_SGR = "32"
_WARNING_SGR = "33"
_GATE_SGR = {True: "1;31", False: "1;32"}


def _paint(text: str, sgr: str, options: Options) -> str:
    """``text`` in an SGR style when colour is on; unchanged otherwise, so plain output is exact."""
    return f"\x1b[{sgr}m{text}{_RESET}" if options.color and text else text


def _width(options: Options) -> int:
    return max(options.width, MIN_WIDTH)


def _wrap(text: str, indent: str, options: Options, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=_width(options),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def steps_lines(steps: list[RemediationStep], indent: str, options: Options = PLAIN) -> list[str]:
    """Numbered, wrapped remediation steps with their commands (``$``) and configuration (``|``)."""
    out: list[str] = []
    for i, step in enumerate(steps, 1):
        number = f"{i}. "
        inner = indent + " " * len(number)
        out += _wrap(step.text, inner, options, first=indent + number)
        if step.command:
            out += [
                f"{inner}{_paint(line, _COMMAND_SGR, options)}"
                for line in command_lines(step.command)
            ]
        if step.config:
            out += [f"{inner}| {line}" for line in step.config.rstrip().splitlines()]
    return out


def command_lines(command: str) -> list[str]:
    """A command as typed: ``$`` before each command, continuation lines (after ``\\``) indented.

    So a multi-line ``kubectl ... \\`` copies into a shell as printed.
    """
    out: list[str] = []
    continued = False
    for line in command.split("\n"):
        out.append(f"  {line}" if continued else f"$ {line}")
        continued = line.rstrip().endswith("\\")
    return out


def _clip(line: str) -> str:
    if len(line) <= _MAX_EVIDENCE_WIDTH:
        return line
    return f"{line[:_MAX_EVIDENCE_WIDTH]}… (+{len(line) - _MAX_EVIDENCE_WIDTH} characters)"


def _place(f: Finding) -> str:
    first, last = f.first_seen, f.last_seen
    where = f"{first.source}:{first.line}"
    if (last.source, last.line) != (first.source, first.line):
        where += (
            f" .. {last.source}:{last.line}" if last.source != first.source else f"..{last.line}"
        )
    return where


def _severity(severity: str, options: Options) -> str:
    return _paint(f"[{severity}]", _SEVERITY_SGR.get(severity, _BOLD), options)


def _diagnosis(d: Diagnosis, options: Options) -> list[str]:
    label = _paint("ROOT CAUSE" if d.severity != "info" else "NOTE", _BOLD, options)
    ident = _paint(d.id, _BOLD, options)
    sev = _severity(d.severity, options)
    out = [f"{label}  {sev} {ident}: {d.title}  (confidence: {d.confidence})"]
    out += _wrap(d.summary, _INDENT, options)
    rests = f"{_INDENT}Rests on: {', '.join(d.finding_ids)}"
    if d.symptom_ids:
        rests += f"   Symptoms: {', '.join(d.symptom_ids)}"
    out.append(rests)
    if d.remediation:
        out.append(f"{_INDENT}Fix:")
        out += steps_lines(d.remediation, _INDENT * 2, options)
    return out


def _group(f: Finding) -> str:
    shown = " ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    return f"  {shown}" if shown else ""


def _finding(f: Finding, options: Options) -> list[str]:
    ident = _paint(f.id, _BOLD, options)
    out = [f"{_severity(f.severity, options)} {ident}{_group(f)}  x{f.count}  ({_place(f)})"]
    out += _wrap(f.title, _INDENT, options)
    if f.fields:
        shown = ", ".join(f"{k}={v}" for k, v in f.fields.items())
        out += _wrap(f"Fields: {shown}", _INDENT, options)
    out.append(f"{_INDENT}Evidence:")
    for ev in f.evidence[:3]:
        lines = [_clip(line) for line in ev.text.split("\n")] or [""]
        out.append(f"{_INDENT * 2}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{_INDENT * 3}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            out.append(f"{_INDENT * 3}... ({len(lines) - _MAX_EVIDENCE_LINES} more lines)")
    out += _wrap(f.explanation, _INDENT, options)
    if f.remediation:
        out.append(f"{_INDENT}Fix:")
        out += steps_lines(f.remediation, _INDENT * 2, options)
    if f.verify:
        state = (
            "already seen later in this input" if f.verified else "not seen after the problem yet"
        )
        out.append(f"{_INDENT}Fixed when you see: {', '.join(f.verify)} ({state})")
    return out


def suppression_phrase(s: Suppression) -> str:
    """Who set an item aside and until when, e.g. ``ignore from .amr.yaml, expires 2026-01-31``."""
    phrase = f"{s.kind} from {s.origin}"
    if s.expires is not None:
        phrase += f", expires {s.expires.isoformat()}"
    return phrase


def _suppressed(report: Report, options: Options) -> list[str]:
    rows: list[tuple[str, Suppression]] = []
    for d in report.diagnoses:
        if d.suppressed is not None:
            ident = _paint(d.id, _BOLD, options)
            rows.append((f"{_severity(d.severity, options)} {ident}  root cause", d.suppressed))
    for f in report.findings:
        if f.suppressed is not None:
            ident = _paint(f.id, _BOLD, options)
            head = f"{_severity(f.severity, options)} {ident}{_group(f)}  x{f.count}  ({_place(f)})"
            rows.append((head, f.suppressed))
    if not rows:
        return []
    heading = _paint(f"SUPPRESSED ({len(rows)})", _BOLD, options)
    out = [f"{heading}: set aside, not counted by the gate"]
    for head, why in rows:
        out.append(f"{_INDENT}{head}")
        out += _wrap(f"{suppression_phrase(why)}: {why.reason}", _INDENT * 2, options)
    return [*out, ""]


def _names(entry: str) -> set[str]:
    return set(re.split(r"[^\w.-]+", entry))


def failing_counts(report: Report) -> tuple[int, int]:
    """How many findings and how many root causes fail the gate.

    ``gate.failing`` entries are strings; one names a root cause when one of
    its words is the id or fingerprint of a diagnosis in the report.
    """
    if report.gate is None:
        return 0, 0
    keys = {d.id for d in report.diagnoses} | {d.fingerprint for d in report.diagnoses}
    keys.discard("")
    causes = sum(1 for entry in report.gate.failing if keys & _names(entry))
    return len(report.gate.failing) - causes, causes


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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


def verdict(report: Report) -> tuple[bool, str]:
    """Whether the gate failed, and the words after ``Gate:`` (set only when ``report.gate`` is)."""
    gate = report.gate
    if gate is None:
        return False, ""
    findings, causes = failing_counts(report)
    state = "failed" if gate.failed else "passed"
    text = f"{state} (--fail-on {gate.fail_on})"
    if gate.fail_on == "never":
        text += ": the gate is off"
    elif gate.failed and (findings or causes):
        counts = [_plural(findings, "finding")] if findings else []
        counts += [_plural(causes, "root cause")] if causes else []
        text += ": " + ", ".join(counts)
    elif not gate.failed:
        above = "" if gate.fail_on == "error" else " or above"
        text += f": nothing at {gate.fail_on}{above} remains"
    return gate.failed, text


def _gate(report: Report, options: Options) -> list[str]:
    gate = report.gate
    if gate is None:
        return []
    out: list[str] = []
    for notice in gate.notices:
        warning = _wrap(f"Warning: {notice}", _INDENT, options, first="")
        out += [_paint(line, _WARNING_SGR, options) for line in warning]
    failed, text = verdict(report)
    parts = set_aside(gate)
    if parts:
        text += "; " + ", ".join(parts)
    lines = _wrap(text, _INDENT, options, first="Gate: ")
    state = "failed" if failed else "passed"
    lines[0] = lines[0].replace(state, _paint(state, _GATE_SGR[failed], options), 1)
    return out + lines


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Render the report for reading; with a gate, end on its verdict."""
    out: list[str] = []
    for d in report.diagnoses:
        if d.suppressed is None:
            out += [*_diagnosis(d, options), ""]
    active = [f for f in report.findings if f.suppressed is None]
    problems = [f for f in active if f.severity != "info"]
    signals = [f for f in active if f.severity == "info"]
    if problems:
        out.append(_paint(f"PROBLEMS ({len(problems)})", _BOLD, options))
        for f in problems:
            out += [*_finding(f, options), ""]
    if signals:
        heading = _paint(f"SIGNALS ({len(signals)})", _BOLD, options)
        out.append(f"{heading}: informational, nothing to fix")
        for f in signals:
            ident = _paint(f.id, _BOLD, options)
            out.append(f"{_INDENT}{ident}{_group(f)}  x{f.count}  ({_place(f)})  {f.title}")
        out.append("")
    out += _suppressed(report, options)
    if not report.findings:
        out += ["No known AMR log line found.", ""]
    s = report.stats
    explained = s.error_records - s.unexplained_error_records
    out += _wrap(
        f"Read {s.lines_read} lines, {s.records} records; {s.matches} matches; "
        f"{explained} of {s.error_records} error records explained.",
        _INDENT,
        options,
        first="",
    )
    out += [
        _paint(f"Warning: {src.read_error}", _WARNING_SGR, options)
        for src in s.sources
        if src.read_error
    ]
    out += _gate(report, options)
    return "\n".join(out) + "\n"
