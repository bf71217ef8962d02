"""The pieces both terminal reports draw with: colour, wrapping, a finding's head, fix steps.

The short report (``brief``) and the full story (``text``) say a finding, a
fix and the gate the same way; this module is where that way is written.
Prose wraps at ``options.width``; lines that name things (ids, places,
commands, configuration) stay whole so they can be searched for and copied.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.story import (
    Chapter,
    gate_sentence,
    gate_state,
    recovery_sentence,
    state,
)
from amr_logpatterns.models.results import Finding, Recovery, Report, UnknownTemplate
from amr_logpatterns.packs.schema import RemediationStep
from amr_logpatterns.wording import plural

INDENT = "  "
#: Below this, wrapped prose would be mostly indentation.
MIN_WIDTH = 40
BOLD = "1"
COMMAND_SGR = "32"
WARNING_SGR = "33"

_RESET = "\x1b[0m"
_SEVERITY_SGR = {"error": "1;31", "warning": "1;33", "info": "34"}
_GATE_SGR = {True: "1;31", False: "1;32"}
_STATE_SGR = {"ongoing": "1;31", "recovered": "32"}


def paint(text: str, sgr: str, options: Options) -> str:
    """``text`` in an SGR style when colour is on; unchanged otherwise, so plain output is exact."""
    return f"\x1b[{sgr}m{text}{_RESET}" if options.color and text else text


def wrap(text: str, indent: str, options: Options, first: str | None = None) -> list[str]:
    """``text`` as lines of at most ``options.width`` (never below ``MIN_WIDTH``)."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=max(options.width, MIN_WIDTH),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


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


def steps_lines(steps: list[RemediationStep], indent: str, options: Options = PLAIN) -> list[str]:
    """Numbered, wrapped remediation steps with their commands (``$``) and configuration (``|``)."""
    out: list[str] = []
    for i, step in enumerate(steps, 1):
        number = f"{i}. "
        inner = indent + " " * len(number)
        out += wrap(step.text, inner, options, first=indent + number)
        if step.command:
            out += [
                f"{inner}{paint(line, COMMAND_SGR, options)}"
                for line in command_lines(step.command)
            ]
        if step.config:
            out += [f"{inner}| {line}" for line in step.config.rstrip().splitlines()]
    return out


def severity_tag(severity: str, options: Options) -> str:
    """``[error]``, painted by severity."""
    return paint(f"[{severity}]", _SEVERITY_SGR.get(severity, BOLD), options)


def finding_place(f: Finding) -> str:
    """Where a finding occurred: ``file:16``, ``file:16..25`` or ``a.log:3 .. b.log:9``."""
    first, last = f.first_seen, f.last_seen
    where = f"{first.source}:{first.line}"
    if (last.source, last.line) != (first.source, first.line):
        where += (
            f" .. {last.source}:{last.line}" if last.source != first.source else f"..{last.line}"
        )
    return where


def group_suffix(f: Finding) -> str:
    """The values that tell two findings of one signature apart, e.g. ``  status_code=401``."""
    shown = " ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    return f"  {shown}" if shown else ""


def finding_head(f: Finding, options: Options) -> str:
    """``[error] observer.handler-rejected  status_code=401  x5  (file:21..44)``."""
    ident = paint(f.id, BOLD, options)
    tag = severity_tag(f.severity, options)
    return f"{tag} {ident}{group_suffix(f)}  x{f.count}  ({finding_place(f)})"


def gate_lines(report: Report, options: Options) -> list[str]:
    """The gate's warnings, then ``Gate: failed (--fail-on error): ...`` with its word painted."""
    gate = report.gate
    if gate is None:
        return []
    out: list[str] = []
    for notice in gate.notices:
        warning = wrap(f"Warning: {notice}", INDENT, options, first="")
        out += [paint(line, WARNING_SGR, options) for line in warning]
    lines = wrap(gate_sentence(gate), INDENT, options, first="Gate: ")
    word = gate_state(gate)
    lines[0] = lines[0].replace(word, paint(word, _GATE_SGR[gate.failed], options), 1)
    return out + lines


def _state(recovery: Recovery | None, options: Options) -> str:
    if recovery is None:
        return ""
    return "; " + paint(state(recovery), _STATE_SGR[recovery.status], options)


def chapter_head(chapter: Chapter, options: Options, name_members: bool) -> list[str]:
    """A root cause told once: headline, whether it still happens, summary, fix, healthy signal.

    ``name_members`` adds the ``Rests on: ...   Symptoms: ...`` line, for a
    report that tells the findings further down rather than right under it.
    """
    d = chapter.diagnosis
    label = paint("ROOT CAUSE" if d.severity != "info" else "NOTE", BOLD, options)
    ident = paint(d.id, BOLD, options)
    confidence = f"confidence: {d.confidence}{_state(chapter.recovery, options)}"
    out = [f"{label}  {severity_tag(d.severity, options)} {ident}: {d.title}  ({confidence})"]
    if chapter.recovery is not None:
        out += wrap(recovery_sentence(chapter.recovery, chapter.judged_by), INDENT, options)
    out += wrap(d.summary, INDENT, options)
    if name_members:
        parts = [f"Rests on: {', '.join(d.finding_ids)}"] if d.finding_ids else []
        if chapter.symptom_ids:
            parts.append(f"Symptoms: {', '.join(chapter.symptom_ids)}")
        out += [INDENT + "   ".join(parts)] if parts else []
    if d.remediation:
        out.append(f"{INDENT}Fix:")
        out += steps_lines(d.remediation, INDENT * 2, options)
    if chapter.fixed_when:
        out.append(f"{INDENT}Fixed when you see: {', '.join(chapter.fixed_when)}")
    return out


def unknown_section(
    report: Report, options: Options, rows: Callable[[UnknownTemplate], list[str]]
) -> list[str]:
    """The UNKNOWN section: its heading, ``rows`` for each template, what was not kept."""
    dropped = report.stats.unknown_templates_dropped
    if not report.unknown and not dropped:
        return []
    heading = paint(f"UNKNOWN ({len(report.unknown)})", BOLD, options)
    out = [f"{heading}: warning-or-worse messages no signature knows"]
    out += [line for u in report.unknown for line in rows(u)]
    if dropped:
        out.append(f"{INDENT}... and {plural(dropped, 'more template')} not kept")
    return [*out, ""]
