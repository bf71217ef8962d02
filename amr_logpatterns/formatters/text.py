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

import re
import textwrap

from ..models import Finding, Gate, Recovery, Report, Suppression
from ..schema import RemediationStep
from ..wording import plural
from . import PLAIN, Options
from .story import (
    Chapter,
    Member,
    Story,
    capital,
    clip,
    finding_recovery,
    gate_story,
    is_benign,
    missing_phrase,
    moment,
    reading_sentence,
    record_at,
    recovery_sentence,
    report_coverage,
    seen_sentence,
    signal_names,
    state,
    tap_sentence,
    tell,
    verdict_sentences,
)

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
_STATE_SGR = {"ongoing": "1;31", "recovered": "32"}
_ROLE = {"cause": "CAUSE", "symptom": "SYMPTOM"}


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


def _state(recovery: Recovery | None, options: Options) -> str:
    if recovery is None:
        return ""
    word = state(recovery)
    return "; " + _paint(word, _STATE_SGR[recovery.status], options)


def _member_ids(chapter: Chapter) -> list[str]:
    """One line naming what the root cause rests on and the symptoms it explains."""
    d = chapter.diagnosis
    parts = [f"Rests on: {', '.join(d.finding_ids)}"] if d.finding_ids else []
    if chapter.symptom_ids:
        parts.append(f"Symptoms: {', '.join(chapter.symptom_ids)}")
    return [_INDENT + "   ".join(parts)] if parts else []


def _head(f: Finding, options: Options) -> str:
    ident = _paint(f.id, _BOLD, options)
    return f"{_severity(f.severity, options)} {ident}{_group(f)}  x{f.count}  ({_place(f)})"


def _member(m: Member, chapter: Chapter, report: Report, options: Options) -> list[str]:
    role = _paint(_ROLE[m.role], _BOLD, options)
    head = f"{_INDENT}{role}  {_head(m.finding, options)}"
    if m.shown_under is not None:
        return [f"{head}  shown under {m.shown_under} above"]
    if is_benign(m.finding):
        return [f"{head}  harmless here: see HARMLESS below"]
    return [head, *_finding_body(m.finding, _INDENT * 2, options, report, chapter)]


def _chapter(chapter: Chapter, report: Report, options: Options) -> list[str]:
    """A root cause: headline, whether it still happens, summary, ids and fix, then its findings.

    The compact part comes first so a terminal's first screen holds the cause,
    its symptoms and the first fix step; the detail of each finding follows.
    """
    d = chapter.diagnosis
    label = _paint("ROOT CAUSE" if d.severity != "info" else "NOTE", _BOLD, options)
    ident = _paint(d.id, _BOLD, options)
    sev = _severity(d.severity, options)
    confidence = f"confidence: {d.confidence}{_state(chapter.recovery, options)}"
    out = [f"{label}  {sev} {ident}: {d.title}  ({confidence})"]
    if chapter.recovery is not None:
        out += _wrap(recovery_sentence(chapter.recovery, chapter.judged_by), _INDENT, options)
    out += _wrap(d.summary, _INDENT, options)
    out += _member_ids(chapter)
    if d.remediation:
        out.append(f"{_INDENT}Fix:")
        out += steps_lines(d.remediation, _INDENT * 2, options)
    if chapter.fixed_when:
        out.append(f"{_INDENT}Fixed when you see: {', '.join(chapter.fixed_when)}")
    for m in chapter.members:
        out += ["", *_member(m, chapter, report, options)]
    return out


def _group(f: Finding) -> str:
    shown = " ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    return f"  {shown}" if shown else ""


def _evidence(f: Finding, indent: str) -> list[str]:
    out = [f"{indent}Evidence:"]
    for ev in f.evidence[:3]:
        lines = [_clip(line) for line in ev.text.split("\n")] or [""]
        out.append(f"{indent}{_INDENT}{ev.source}:{ev.line}: {lines[0]}")
        out += [f"{indent}{_INDENT * 2}{line}" for line in lines[1:_MAX_EVIDENCE_LINES]]
        if len(lines) > _MAX_EVIDENCE_LINES:
            more = len(lines) - _MAX_EVIDENCE_LINES
            out.append(f"{indent}{_INDENT * 2}... ({more} more lines)")
    return out


def _broken(f: Finding, report: Report | None, indent: str, options: Options) -> list[str]:
    """Why a finding thought harmless is not here, and the record that says so."""
    if f.verdict is None or f.verdict.benign:
        return []
    out = [line for s in verdict_sentences(f.verdict) for line in _wrap(s, indent, options)]
    against = f.verdict.against
    record = record_at(report, against) if report is not None and against is not None else None
    if record is not None:
        out.append(f"{indent}{_INDENT}{record.source}:{record.line}: {_clip(record.text)}")
    return out


def _finding_body(
    f: Finding,
    indent: str,
    options: Options,
    report: Report | None = None,
    chapter: Chapter | None = None,
) -> list[str]:
    out = _wrap(f.title, indent, options)
    recovery = finding_recovery(f, chapter)
    if recovery is not None:
        out += _wrap(recovery, indent, options)
    out += _broken(f, report, indent, options)
    if f.fields:
        shown = ", ".join(f"{k}={v}" for k, v in f.fields.items())
        out += _wrap(f"Fields: {shown}", indent, options)
    out += _evidence(f, indent)
    out += _wrap(f.explanation, indent, options)
    if f.remediation:
        out.append(f"{indent}Fix:")
        out += steps_lines(f.remediation, indent + _INDENT, options)
    if f.verify:
        seen = "already seen later in this input" if f.verified else "not seen after it yet"
        out.append(f"{indent}Fixed when you see: {', '.join(signal_names(f))} ({seen})")
    return out


def _finding(f: Finding, report: Report, options: Options) -> list[str]:
    return [_head(f, options), *_finding_body(f, _INDENT, options, report)]


def _harmless(story: Story, options: Options) -> list[str]:
    if not story.harmless:
        return []
    heading = _paint(f"HARMLESS here ({len(story.harmless)})", _BOLD, options)
    out = [f"{heading}: nothing to fix in this input"]
    for f in story.harmless:
        out.append(f"{_INDENT}{_head(f, options)}  {f.title}")
        if f.verdict is not None:
            for sentence in verdict_sentences(f.verdict):
                out += _wrap(sentence, _INDENT * 2, options)
    return [*out, ""]


def _unknown(report: Report, options: Options) -> list[str]:
    """Warning-or-worse messages no signature knows: one line each, the log text kept whole."""
    dropped = report.stats.unknown_templates_dropped
    if not report.unknown and not dropped:
        return []
    heading = _paint(f"UNKNOWN ({len(report.unknown)})", _BOLD, options)
    out = [f"{heading}: warning-or-worse messages no signature knows"]
    for u in report.unknown:
        level = _severity(u.level.lower(), options)
        out.append(f"{_INDENT}{level} x{u.count}  first at {moment(u.first_seen)}")
        out.append(f"{_INDENT * 2}template: {clip(u.template, _MAX_EVIDENCE_WIDTH)}")
        out.append(f"{_INDENT * 2}example:  {clip(u.example)}")
    if dropped:
        out.append(f"{_INDENT}... and {plural(dropped, 'more template')} not kept")
    return [*out, ""]


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
            rows.append((_head(f, options), f.suppressed))
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
    elif gate.failed and (findings or causes or gate.missing):
        counts = [plural(findings, "finding")] if findings else []
        counts += [plural(causes, "root cause")] if causes else []
        counts += [missing_phrase(gate)] if gate.missing else []
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
    parts = [*gate_story(gate), *set_aside(gate)]
    if parts:
        text += "; " + ", ".join(parts)
    lines = _wrap(text, _INDENT, options, first="Gate: ")
    state = "failed" if failed else "passed"
    lines[0] = lines[0].replace(state, _paint(state, _GATE_SGR[failed], options), 1)
    return out + lines


def _footer(report: Report, options: Options) -> list[str]:
    """The figures: what was read, how much of it is explained, and for which TAP release."""
    s = report.stats
    out: list[str] = []
    for line in (
        reading_sentence(report),
        capital(report_coverage(report)) + ".",
        seen_sentence(report),
        tap_sentence(report.tap_version),
    ):
        out += _wrap(line, _INDENT, options, first="")
    out += [
        _paint(f"Warning: {src.read_error}", _WARNING_SGR, options)
        for src in s.sources
        if src.read_error
    ]
    return out


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Render the report for reading: each root cause with its findings, the rest, the gate."""
    story = tell(report)
    out: list[str] = []
    for chapter in story.chapters:
        out += [*_chapter(chapter, report, options), ""]
    if story.problems:
        heading = _paint(f"PROBLEMS ({len(story.problems)})", _BOLD, options)
        out.append(heading + (": no root cause above explains these" if story.chapters else ""))
        for f in story.problems:
            out += [*_finding(f, report, options), ""]
    out += _harmless(story, options)
    if story.signals:
        heading = _paint(f"SIGNALS ({len(story.signals)})", _BOLD, options)
        out.append(f"{heading}: informational, nothing to fix")
        for f in story.signals:
            ident = _paint(f.id, _BOLD, options)
            out.append(f"{_INDENT}{ident}{_group(f)}  x{f.count}  ({_place(f)})  {f.title}")
        out.append("")
    out += _unknown(report, options)
    out += _suppressed(report, options)
    if report.unreadable:
        out += ["Nothing readable in the input: no line of text to check.", ""]
    elif not report.findings:
        out += ["No known AMR log line found.", ""]
    out += _footer(report, options)
    out += _gate(report, options)
    return "\n".join(out) + "\n"
