"""The blocks both terminal reports draw with: a finding's head, the gate, a root cause, unknowns.

The short report (``brief``) and the full story (``text``) say a finding, a
root cause and the gate the same way; this module is where that way is
written. Prose wraps at ``options.width`` (``screen``); lines that name things
(ids, places, commands, configuration) stay whole so they can be searched for
and copied. Fix steps are drawn by ``steps``.
"""

from __future__ import annotations

from collections.abc import Callable

from amr_logpatterns.formatters.gate_words import gate_sentence, gate_state
from amr_logpatterns.formatters.options import Options
from amr_logpatterns.formatters.phrases import recovery_sentence, state
from amr_logpatterns.formatters.screen import BOLD, INDENT, WARNING_SGR, paint, wrap
from amr_logpatterns.formatters.steps import terminal_steps
from amr_logpatterns.formatters.story import Chapter
from amr_logpatterns.models.results import Finding, Recovery, Report, UnknownTemplate
from amr_logpatterns.wording import plural

_SEVERITY_SGR = {"error": "1;31", "warning": "1;33", "info": "34"}
_GATE_SGR = {True: "1;31", False: "1;32"}
_STATE_SGR = {"ongoing": "1;31", "recovered": "32"}


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
        out += terminal_steps(d.remediation, INDENT * 2, options)
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
