"""GitHub Actions workflow commands: one annotation per line, the most important first.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step
(and 50 per job) and drops the rest silently (actions/toolkit
``docs/problem-matchers.md``). So root causes come first, then findings by
severity and count, at most 10 per level, and a last notice (its slot
reserved) says how many were left out, how many were suppressed or
baselined, what a bundle held that was not read (another pod's log), the
coverage line, the TAP release and the gate's verdict. A finding harmless
here is not annotated, only counted; one a root cause explains names it.
Values are escaped as the toolkit's ``command.ts`` does: ``%``, CR and LF in
the message; also ``:`` and ``,`` in properties, so no log text can end a
command or start another.

Sample::

    ::error file=handler.log,line=16,endLine=16,title=diagnosis.amr-graphql-down%3A ...::The ...
    ::error file=handler.log,line=16,endLine=16,title=handler.amr-unavailable%3A ...::...
    ::error file=handler.log,...::...%0AEvidence for root cause diagnosis.amr-graphql-down: ...
    ::notice title=amr-logpatterns::Annotated 2 errors, 0 warnings, 3 notices.%0AExplained 8 of
      8 error records; 0 unknown templates (...).%0ATAP version unknown: ...%0AGate failed ...
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from amr_logpatterns.formatters.gate_words import expected_sentence, gate_sentence
from amr_logpatterns.formatters.options import PLAIN, Options, guide_link
from amr_logpatterns.formatters.phrases import (
    capital,
    recovery_sentence,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    tap_sentence,
    verdict_sentences,
)
from amr_logpatterns.formatters.story import Chapter, is_benign, root_causes, tell
from amr_logpatterns.models.results import Diagnosis, Evidence, Finding, Report
from amr_logpatterns.packs.schema import SEVERITY_RANK, RemediationStep
from amr_logpatterns.wording import plural

#: Annotations GitHub shows per step for each level.
LIMIT = 10

_TOOL = "amr-logpatterns"
_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_LEVELS = ("error", "warning", "notice")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(])")
# Control characters a terminal or log viewer would act on, and lone surrogates
# (which cannot be written as UTF-8): shown as \uXXXX instead.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape_data(text: str) -> str:
    """A command's message, escaped as ``escapeData`` in actions/toolkit ``command.ts``."""
    return _printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value, escaped as ``escapeProperty`` in actions/toolkit ``command.ts``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line; properties that are None are left out, as the toolkit does."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sentences(text: str, most: int = 2) -> str:
    return " ".join(_SENTENCE_END.split(_one_line(text))[:most])


def _is_path(source: str) -> bool:
    """Whether ``source`` names a file (not ``<stdin>`` or ``<input>``)."""
    return bool(source) and source != "-" and not (source.startswith("<") and source.endswith(">"))


def _fix_lines(
    steps: list[RemediationStep], refs: list[str], options: Options, item_id: str
) -> list[str]:
    out = [f"Fix: {_one_line(steps[0].text)}"] if steps else []
    cmd = next((s.command for s in steps if s.command), None)
    if cmd:
        out += [f"$ {line}" for line in cmd.strip().splitlines()]
    if refs:
        out.append(f"More: {guide_link(refs[0], options)}")
    elif not steps:  # a signal with nothing to do and no guide section: where it is told in full
        out.append(f"More: {_TOOL} explain {item_id}")
    return out


@dataclass(frozen=True)
class _Note:
    """One annotation before it is written: its level, where it points and what it says."""

    level: str
    title: str
    message: str
    at: Evidence | None

    def line(self) -> str:
        at = self.at
        if at is None or not _is_path(at.source) or at.line < 1:
            return command(self.level, self.message, title=self.title)
        end = max(at.line, at.end_line)
        return command(
            self.level, self.message, file=at.source, line=at.line, endLine=end, title=self.title
        )


def _finding_note(f: Finding, report: Report, options: Options) -> _Note:
    group = ", ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)
    seen = "Seen once" if f.count == 1 else f"Seen {f.count} times"
    seen += f" ({group})" if group else ""
    first, last = f.first_seen, f.last_seen
    if f.count > 1 and (first.source, first.line) != (last.source, last.line):
        seen += f", first at {first.source}:{first.line}, last at {last.source}:{last.line}"
    lines = [_sentences(f.explanation), seen + "."]
    for d, role in root_causes(report, f):
        what = "Evidence for" if role == "cause" else "A symptom of"
        lines.append(f"{what} root cause {d.id}: {d.title}.")
    if f.recovery is not None:
        lines.append(recovery_sentence(f.recovery))
    if f.verdict is not None:
        lines += [_one_line(sentence) for sentence in verdict_sentences(f.verdict)]
    lines += _fix_lines(f.remediation, f.references, options, f.id)
    return _Note(
        level=_LEVEL[f.severity],
        title=f"{f.id}: {f.title}",
        message="\n".join(lines),
        at=f.evidence[0] if f.evidence else None,
    )


def _diagnosis_note(chapter: Chapter, findings: list[Finding], options: Options) -> _Note:
    d = chapter.diagnosis
    resting = [f for fid in d.finding_ids for f in findings if f.id == fid]
    at = next((f.evidence[0] for f in resting if f.evidence), None)
    rests = f"Root cause ({d.confidence} confidence), resting on {', '.join(d.finding_ids)}"
    if chapter.symptom_ids:
        rests += f"; symptoms: {', '.join(chapter.symptom_ids)}"
    lines = [_sentences(d.summary), rests + "."]
    if chapter.recovery is not None:
        lines.append(recovery_sentence(chapter.recovery, chapter.judged_by))
    lines += _fix_lines(d.remediation, d.references, options, d.id)
    return _Note(
        level=_LEVEL[d.severity], title=f"{d.id}: {d.title}", message="\n".join(lines), at=at
    )


def _ranked(report: Report, options: Options) -> list[_Note]:
    """Every annotation the report deserves, most important first; nothing harmless."""
    chapters = sorted(tell(report).chapters, key=lambda c: -SEVERITY_RANK[c.diagnosis.severity])
    findings = sorted(
        (f for f in report.findings if f.suppressed is None and not is_benign(f)),
        key=lambda f: (-SEVERITY_RANK[f.severity], -f.count),
    )
    notes = [_diagnosis_note(c, report.findings, options) for c in chapters]
    return notes + [_finding_note(f, report, options) for f in findings]


def _summary(report: Report, shown: Counter[str], left: Counter[str]) -> str:
    items: list[Finding | Diagnosis] = [*report.findings, *report.diagnoses]
    kinds = Counter(i.suppressed.kind for i in items if i.suppressed is not None)
    gate = report.gate
    # The gate also counts what it set aside and the report no longer holds.
    suppressed = max(kinds["ignore"], gate.suppressed if gate else 0)
    baselined = max(kinds["baseline"], gate.baselined if gate else 0)
    harmless = sum(1 for f in report.findings if f.suppressed is None and is_benign(f))
    parts: list[str] = []
    if report.unreadable:
        sources = len(report.stats.sources)
        parts.append(f"Nothing readable in {plural(sources, 'source')}.")
    elif not items and not suppressed and not baselined:
        sources = len(report.stats.sources)
        parts.append(f"No known AMR log line found in {plural(sources, 'source')}.")
    else:
        counts = ", ".join(plural(shown[level], level) for level in _LEVELS)
        parts.append(f"Annotated {counts}.")
    if sum(left.values()):
        more = ", ".join(plural(left[level], level) for level in _LEVELS if left[level])
        parts.append(
            f"{more} more not annotated: GitHub shows at most {LIMIT} of each level per step. "
            f"Run `{_TOOL} scan --format text` on the same logs to see every finding."
        )
    if suppressed or baselined or harmless:
        aside = f"{suppressed} suppressed, {baselined} baselined"
        aside += f", {harmless} harmless here" if harmless else ""
        parts.append(f"Not annotated: {aside}.")
    parts += skipped_sentences(report)
    parts.append(capital(report_coverage(report)) + ".")
    parts.append(seen_sentence(report))
    parts.append(tap_sentence(report.tap_version))
    if gate is not None:
        parts.append(f"Gate {gate_sentence(gate)}.")
    return "\n".join(parts)


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Annotations for the report, at most ``LIMIT`` per level, then one summary notice."""
    limits = {"error": LIMIT, "warning": LIMIT, "notice": LIMIT - 1}
    shown: Counter[str] = Counter()
    left: Counter[str] = Counter()
    out: list[str] = []
    gate = report.gate
    if gate is not None:
        # what makes the gate's verdict worth doubting, before any finding
        out += [command("error", expected_sentence(c), title=_TOOL) for c in gate.missing]
        out += [command("warning", capital(n) + ".", title=_TOOL) for n in gate.notices]
    for note in _ranked(report, options):
        if shown[note.level] < limits[note.level]:
            shown[note.level] += 1
            out.append(note.line())
        else:
            left[note.level] += 1
    out.append(command("notice", _summary(report, shown, left), title=_TOOL))
    return "\n".join(out) + "\n"
