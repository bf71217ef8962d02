"""Text for a person at a terminal: root causes first, then problems, then the rest.

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
"""

from __future__ import annotations

import textwrap

from ..models import Diagnosis, Finding, Report
from ..schema import RemediationStep
from . import PLAIN, Options

_INDENT = "  "
_MAX_EVIDENCE_LINES = 6
_MAX_EVIDENCE_WIDTH = 400
_WIDTH = 100


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def steps_lines(steps: list[RemediationStep], indent: str) -> list[str]:
    """Numbered, wrapped remediation steps with their commands (``$``) and configuration (``|``)."""
    out: list[str] = []
    for i, step in enumerate(steps, 1):
        number = f"{i}. "
        inner = indent + " " * len(number)
        out += _wrap(step.text, inner, first=indent + number)
        if step.command:
            out += [f"{inner}$ {line}" for line in step.command.splitlines()]
        if step.config:
            out += [f"{inner}| {line}" for line in step.config.rstrip().splitlines()]
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


def _diagnosis(d: Diagnosis) -> list[str]:
    label = "ROOT CAUSE" if d.severity != "info" else "NOTE"
    out = [f"{label}  [{d.severity}] {d.id}: {d.title}  (confidence: {d.confidence})"]
    out += _wrap(d.summary, _INDENT)
    rests = f"{_INDENT}Rests on: {', '.join(d.finding_ids)}"
    if d.symptom_ids:
        rests += f"   Symptoms: {', '.join(d.symptom_ids)}"
    out.append(rests)
    if d.remediation:
        out.append(f"{_INDENT}Fix:")
        out += steps_lines(d.remediation, _INDENT * 2)
    return out


def _group(f: Finding) -> str:
    shown = " ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    return f"  {shown}" if shown else ""


def _finding(f: Finding) -> list[str]:
    out = [f"[{f.severity}] {f.id}{_group(f)}  x{f.count}  ({_place(f)})", f"{_INDENT}{f.title}"]
    if f.fields:
        shown = ", ".join(f"{k}={v}" for k, v in f.fields.items())
        out += _wrap(f"Fields: {shown}", _INDENT)
    out.append(f"{_INDENT}Evidence:")
    for ev in f.evidence[:3]:
        lines = [_clip(line) for line in ev.text.splitlines()] or [""]
        out.append(f"{_INDENT * 2}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{_INDENT * 3}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            out.append(f"{_INDENT * 3}... ({len(lines) - _MAX_EVIDENCE_LINES} more lines)")
    out += _wrap(f.explanation, _INDENT)
    if f.remediation:
        out.append(f"{_INDENT}Fix:")
        out += steps_lines(f.remediation, _INDENT * 2)
    if f.verify:
        state = (
            "already seen later in this input" if f.verified else "not seen after the problem yet"
        )
        out.append(f"{_INDENT}Fixed when you see: {', '.join(f.verify)} ({state})")
    return out


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Render the report for reading."""
    out: list[str] = []
    for d in report.diagnoses:
        out += [*_diagnosis(d), ""]
    problems = [f for f in report.findings if f.severity != "info"]
    signals = [f for f in report.findings if f.severity == "info"]
    if problems:
        out.append(f"PROBLEMS ({len(problems)})")
        for f in problems:
            out += [*_finding(f), ""]
    if signals:
        out.append(f"SIGNALS ({len(signals)}): informational, nothing to fix")
        for f in signals:
            out.append(f"{_INDENT}{f.id}{_group(f)}  x{f.count}  ({_place(f)})  {f.title}")
        out.append("")
    if not report.findings:
        out += ["No known AMR log line found.", ""]
    s = report.stats
    explained = s.error_records - s.unexplained_error_records
    out.append(
        f"Read {s.lines_read} lines, {s.records} records; {s.matches} matches; "
        f"{explained} of {s.error_records} error records explained."
    )
    out += [f"Warning: {src.read_error}" for src in s.sources if src.read_error]
    return "\n".join(out) + "\n"
