"""The short answer for a terminal: the verdict, each root cause with its fix, a line per finding.

What a person needs in the first seconds after a paste, on one screen: whether
the gate failed and why, each root cause with its fix told once, then one
line per finding (severity, id, count, first place, title). A problem no root
cause explains gets its fix once, however many findings share it (two x509
findings for two URLs print one fix). Evidence, explanations and each
finding's own fix are in the full story (``Options(verbose=True)``,
``scan --verbose``).

Sample::

    Gate: failed (--fail-on error): 2 findings

    PROBLEMS (2)
      [error] observer.handler-rejected  x5  ticket.md:21  The CloudEvent Handler refused ...
      [error] observer.handler-tls-untrusted  x4  ticket.md:57  The Observer does not trust ...
      Fix for observer.handler-rejected:
        1. For 401 or 403: make sure the Observer sends its token, ...
      Fixed when you see: observer.health-check-ok (The Observer reached the CloudEvent Handler)
      ...

    SIGNALS (5): informational, nothing to fix: handler.ready, handler.event-received x4, ...

    Read 96 lines, 46 records; 17 matches.
    Explained 9 of 9 error records; 0 unknown templates (0 warning-or-worse records no ...).
    Not read: other pods' logs, 37 files (212.4 MiB); --all-files reads them.
    Evidence, explanations and each finding's own fix: add --verbose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from amr_logpatterns.formatters.gate_words import headline
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import (
    capital,
    clip,
    nothing_found,
    reading_sentence,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    suppression_phrase,
    tap_sentence,
)
from amr_logpatterns.formatters.screen import BOLD, INDENT, MIN_WIDTH, WARNING_SGR, paint, wrap
from amr_logpatterns.formatters.steps import terminal_steps
from amr_logpatterns.formatters.story import Chapter, Story, is_benign, signal_names, tell
from amr_logpatterns.formatters.terminal import (
    chapter_head,
    gate_lines,
    severity_tag,
    unknown_section,
)
from amr_logpatterns.models.results import Diagnosis, Finding, Report, UnknownTemplate
from amr_logpatterns.packs.schema import RemediationStep, worst_severity
from amr_logpatterns.wording import plural

_ROLE = {"cause": "CAUSE   ", "symptom": "SYMPTOM "}
#: Past this, the values that tell a signature's findings apart are counted, not listed.
_MAX_VALUES = 40
#: Below this much room after its count and place, an unknown template goes on a line of its own.
_MIN_TEMPLATE = 60


@dataclass(frozen=True)
class _Row:
    """The findings of one signature in one section, told on one line."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def count(self) -> int:
        return sum(f.count for f in self.findings)

    @property
    def severity(self) -> str:
        return worst_severity(f.severity for f in self.findings) or "info"

    def values(self) -> str:
        """What tells its findings apart: ``  status_code=503,502``, or ``  3 report_uid values``
        when the values would crowd the line."""
        if len(self.findings) == 1:
            return ""
        parts = []
        for key in dict.fromkeys(k for f in self.findings for k in f.group_fields):
            seen = [str(f.group_fields.get(key)) for f in self.findings]
            values = list(dict.fromkeys(v for v in seen if v != "None"))
            if len(values) < 2:
                continue
            text = f"{key}={','.join(values)}"
            parts.append(text if len(text) <= _MAX_VALUES else f"{len(values)} {key} values")
        return "  " + " ".join(parts) if parts else ""


def _rows(findings: Iterable[Finding]) -> list[_Row]:
    """The findings by signature, in the order each first appears."""
    by_id: dict[str, list[Finding]] = {}
    for f in findings:
        by_id.setdefault(f.id, []).append(f)
    return [_Row(tuple(group)) for group in by_id.values()]


def _line(row: _Row, options: Options, role: str = "", tail: str = "") -> list[str]:
    """One signature's findings on one line: severity, id, count, first place, title.

    ``role`` (``CAUSE``, ``SYMPTOM``) leads it under a root cause. A line wider
    than the terminal carries its title on to the next, under the id, rather
    than letting the terminal break it anywhere.
    """
    f = row.first
    title = f.title + tail
    where = f"{f.first_seen.source}:{f.first_seen.line}"

    def head(opts: Options) -> str:
        lead = INDENT + paint(role, BOLD, opts)
        ident = paint(f.id, BOLD, opts) + row.values()
        return f"{lead}{severity_tag(row.severity, opts)} {ident}  x{row.count}  {where}"

    if len(head(PLAIN)) + 2 + len(title) <= max(options.width, MIN_WIDTH):
        return [f"{head(options)}  {title}"]
    under = " " * len(f"{INDENT}{role}[{row.severity}] ")
    return [head(options), *wrap(title, under, options)]


def _chapter(chapter: Chapter, options: Options) -> list[str]:
    out = chapter_head(chapter, options, name_members=False)
    for role in ("cause", "symptom"):
        for row in _rows(m.finding for m in chapter.members if m.role == role):
            harmless = all(is_benign(f) for f in row.findings)
            out += _line(row, options, _ROLE[role], "  (harmless here)" if harmless else "")
    return out


def _step_key(steps: list[RemediationStep]) -> tuple[str, ...]:
    return tuple(step.model_dump_json() for step in steps)


def _fixes(problems: tuple[Finding, ...], options: Options) -> list[str]:
    """Each distinct fix once, naming the problems it is for, with the signals that prove it."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in problems:
        if f.remediation:
            groups.setdefault(_step_key(f.remediation), []).append(f)
    out: list[str] = []
    for findings in groups.values():
        ids = list(dict.fromkeys(f.id for f in findings))
        out.append(f"{INDENT}Fix for {', '.join(ids)}:")
        out += terminal_steps(findings[0].remediation, INDENT * 2, options)
        signals = list(dict.fromkeys(s for f in findings for s in signal_names(f)))
        if signals:
            out.append(f"{INDENT}Fixed when you see: {', '.join(signals)}")
    return out


def _problems(story: Story, options: Options) -> list[str]:
    if not story.problems:
        return []
    rows = _rows(story.problems)
    heading = paint(f"PROBLEMS ({len(rows)})", BOLD, options)
    out = [heading + (": no root cause above explains these" if story.chapters else "")]
    for row in rows:
        out += _line(row, options)
    return [*out, *_fixes(story.problems, options), ""]


def _harmless(story: Story, options: Options) -> list[str]:
    """The harmless findings no root cause above already lists."""
    told = {id(m.finding) for c in story.chapters for m in c.members}
    rows = _rows(f for f in story.harmless if id(f) not in told)
    if not rows:
        return []
    heading = paint(f"HARMLESS here ({len(rows)})", BOLD, options)
    out = [f"{heading}: nothing to fix in this input"]
    for row in rows:
        out += _line(row, options)
    return [*out, ""]


def _signals(story: Story, options: Options) -> list[str]:
    """Every signal in one wrapped sentence: ``handler.ready, handler.event-received x4``."""
    if not story.signals:
        return []
    counts: Counter[str] = Counter()
    for f in story.signals:
        counts[f.id] += f.count
    names = ", ".join(i if n == 1 else f"{i} x{n}" for i, n in counts.items())
    heading = paint(f"SIGNALS ({len(story.signals)})", BOLD, options)
    text = f"{heading}: informational, nothing to fix: {names}"
    return [*wrap(text, INDENT, options, first=""), ""]


def _unknown(report: Report, options: Options) -> list[str]:
    """One line per template: level, count, first place, the template cut to the width."""

    def row(u: UnknownTemplate) -> list[str]:
        level = u.level.lower()
        where = f" x{u.count}  {u.first_seen.source}:{u.first_seen.line}"
        head = f"{INDENT}{severity_tag(level, options)}{where}"
        room = options.width - len(f"{INDENT}[{level}]{where}") - 2
        if room >= _MIN_TEMPLATE:
            return [f"{head}  {clip(u.template, room)}"]
        under = INDENT * 3
        return [head, under + clip(u.template, max(options.width - len(under) - 20, _MIN_TEMPLATE))]

    return unknown_section(report, options, row)


def _suppressed(report: Report, options: Options) -> list[str]:
    """What was set aside, one wrapped line per ignore entry or baseline: who, and which ids."""
    by_why: dict[str, list[str]] = {}
    items: list[Finding | Diagnosis] = [*report.diagnoses, *report.findings]
    for item in items:
        if item.suppressed is not None:
            name = (
                item.id
                if isinstance(item, Diagnosis) or item.count == 1
                else (f"{item.id} x{item.count}")
            )
            by_why.setdefault(suppression_phrase(item.suppressed), []).append(name)
    if not by_why:
        return []
    total = sum(len(names) for names in by_why.values())
    heading = paint(f"SUPPRESSED ({total})", BOLD, options)
    out = [f"{heading}: set aside, not counted by the gate"]
    for why, names in by_why.items():
        out += wrap(f"{why}: {', '.join(names)}", INDENT * 2, options, first=INDENT)
    return [*out, ""]


def _figures(report: Report) -> str:
    """What was read and how much of it is explained, in one sentence.

    The full coverage line (with the unknown templates) when any message is
    unknown; else only the count of error records explained.
    """
    s = report.stats
    if report.unknown or s.unknown_templates_dropped or s.unknown_records:
        return f"{reading_sentence(report)} {capital(report_coverage(report))}."
    explained = s.error_records - s.unexplained_error_records
    errors = plural(s.error_records, "error record")
    return f"{reading_sentence(report)[:-1]}; explained {explained} of {errors}."


def _footer(report: Report, options: Options) -> list[str]:
    """The figures, the TAP release the advice is for, and where the rest is."""
    lines = [_figures(report), *skipped_sentences(report)]
    if not report.findings:
        lines.append(seen_sentence(report))
    lines.append(tap_sentence(report.tap_version, evidence=False))
    out = [line for text in lines for line in wrap(text, INDENT, options, first="")]
    out += [
        paint(f"Warning: {src.read_error}", WARNING_SGR, options)
        for src in report.stats.sources
        if src.read_error
    ]
    if report.findings or report.diagnoses:
        hint = "Evidence, explanations and each finding's own fix: add --verbose."
        out += wrap(hint, INDENT, options, first="")
    return out


def format_brief(report: Report, options: Options = PLAIN) -> str:
    """The short answer: verdict, root causes with their fix, one line per finding, figures."""
    story = tell(report)
    out = gate_lines(report, options) or wrap(
        f"AMR logs: {headline(report, story)}", INDENT, options, first=""
    )
    out.append("")
    for chapter in story.chapters:
        out += [*_chapter(chapter, options), ""]
    out += _problems(story, options)
    out += _harmless(story, options)
    out += _signals(story, options)
    out += _unknown(report, options)
    out += _suppressed(report, options)
    out += [sentence, ""] if (sentence := nothing_found(report)) else []
    out += _footer(report, options)
    return "\n".join(out) + "\n"
