"""The phrases every format words the story with: recovery, verdicts, coverage, what the input
held, what was left unread, the TAP release, who set an item aside.

Worked out once so a text report, a SARIF message and a JUnit body say an
incident in the same words. All plain text: each format escapes or marks it up
itself.
"""

from __future__ import annotations

import re

from amr_logpatterns import wording
from amr_logpatterns.analyse.timestamps import format_duration
from amr_logpatterns.formatters.story import Chapter
from amr_logpatterns.models.results import (
    Finding,
    Presence,
    Recovery,
    Report,
    Seen,
    SkippedFiles,
    Stats,
    Suppression,
    TapVersion,
    Verdict,
)
from amr_logpatterns.wording import plural

#: Unknown-template examples are log text of any length; a summary shows this much of one.
EXAMPLE_WIDTH = 200

_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})[.,]\d+")
_ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")


def duration(seconds: float) -> str:
    """A duration as people read one in a log (never negative here: spans run forwards)."""
    return format_duration(max(0.0, seconds))


def place(seen: Seen) -> str:
    """``source:line``: where to look."""
    return f"{seen.source}:{seen.line}"


def _whole_seconds(m: re.Match[str]) -> str:
    return m[1]


def moment(seen: Seen) -> str:
    """When and where: ``2025-01-21T08:02:40Z (handler.log:16)``, or the place alone.

    Fractions of a second are left out: the place finds the record exactly.
    """
    if not seen.ts:
        return place(seen)
    return f"{_FRACTION.sub(_whole_seconds, seen.ts)} ({place(seen)})"


def state(recovery: Recovery) -> str:
    """The headline word: ``still happening`` or ``recovered``."""
    return "still happening" if recovery.status == "ongoing" else "recovered"


class _Clock:
    """Says moments in order: the source once when all share it, the date once when it repeats."""

    def __init__(self, *seen: Seen | None) -> None:
        sources = {s.source for s in seen if s is not None}
        self.source = sources.pop() if len(sources) == 1 else None
        self.date: str | None = None

    def where(self) -> str:
        return f" in {self.source}" if self.source else ""

    def at(self, seen: Seen) -> str:
        spot = f"line {seen.line}" if self.source else place(seen)
        if not seen.ts:
            return spot
        ts = _FRACTION.sub(_whole_seconds, seen.ts)
        day = _ISO_DAY.match(ts)
        if day and day[1] == self.date:
            ts = ts[day.end() :]
        elif day:
            self.date = day[1]
        return f"{ts} ({spot})"


def recovery_sentence(recovery: Recovery, judged_by: str | None = None) -> str:
    """``Ongoing: still failing when the input ends; ...`` or ``Recovered: failing ...; healthy
    again at ... by <signal>, after 9m08s``: when, where and for how long, in reading order."""
    r = recovery
    by = f" (judged by {judged_by})" if judged_by else ""
    clock = _Clock(r.since, r.last_failure, r.recovered_at)
    same = (r.since.source, r.since.line) == (r.last_failure.source, r.last_failure.line)
    # A negative span means timestamps that do not compare (a clock or a year-less format).
    span = r.duration_seconds
    if span is not None and span < 0:
        span = None
    failing = f"{clock.where()[1:]} since {clock.at(r.since)}".lstrip()
    if not same:
        failing += f", last failure {clock.at(r.last_failure)}"
    if r.status == "ongoing":
        so_far = f", {duration(span)} so far" if span is not None and not same else ""
        return f"Ongoing{by}: still failing when the input ends; {failing}{so_far}."
    failing = "failing " + failing
    healthy = "healthy again"
    if r.recovered_at is not None:
        healthy += f" at {clock.at(r.recovered_at)}"
    if r.signal:
        healthy += f" by {r.signal}"
    if span is not None:
        healthy += f", after {duration(span)}"
    return f"Recovered{by}: {failing}; {healthy}."


def finding_recovery(finding: Finding, chapter: Chapter | None = None) -> str | None:
    """A finding's recovery sentence; shortened when its root cause's headline already said it."""
    r = finding.recovery
    if r is None:
        return None
    if chapter is not None and chapter.recovery == r:
        said = "still failing when the input ends" if r.status == "ongoing" else "recovered"
        return f"{capital(said)}: as told for the root cause above."
    return recovery_sentence(r)


def warnings(report: Report) -> list[str]:
    """What the reader must not miss beside the findings: the gate's notices (an expired
    ignore entry), then each input that could not be read."""
    read = [src.read_error for src in report.stats.sources if src.read_error]
    return [*report.gate.notices, *read] if report.gate is not None else read


def verified_words(finding: Finding) -> str:
    """Whether the finding's healthy signal was already seen after it in this input."""
    return (
        "already seen later in this input" if finding.verified else "not seen after the problem yet"
    )


def verdict_sentences(verdict: Verdict) -> list[str]:
    """Why a finding is harmless here and on what that depends, or why it is not after all."""
    if verdict.benign:
        out = [f"Harmless here: {verdict.reason}"]
        if verdict.condition:
            out.append(f"As long as: {verdict.condition}")
        return out
    out = [f"Not harmless here: {verdict.reason}"]
    if verdict.condition:
        out.append(f"It would be harmless if: {verdict.condition}")
    if verdict.against is not None:
        out.append(f"Broken by the record at {moment(verdict.against)}")
    return out


def coverage(stats: Stats, unknown_templates: int) -> str:
    """``explained N of M error records; K unknown templates (R warning-or-worse records ...)``.

    ``unknown_templates`` counts the templates listed; those dropped past the
    report's limit are added from the stats.
    """
    explained = stats.error_records - stats.unexplained_error_records
    templates = unknown_templates + stats.unknown_templates_dropped
    records = plural(stats.unknown_records, "warning-or-worse record")
    return (
        f"explained {explained} of {plural(stats.error_records, 'error record')}; "
        f"{plural(templates, 'unknown template')} ({records} no signature knows)"
    )


def seen_sentence(report: Report) -> str:
    """Which AMR components the input held records of, of what kind, from which sources."""
    if not report.seen:
        return "No record of any AMR component: no AMR log line and no AMR pod in the input."
    by_component: dict[str, list[Presence]] = {}
    for p in report.seen:
        by_component.setdefault(p.component, []).append(p)
    parts = []
    for items in by_component.values():
        kinds = list(dict.fromkeys(k for p in items for k in p.kinds))
        sources = ", ".join(p.source for p in items)
        parts.append(f"{items[0].title} ({' and '.join(kinds)}: {sources})")
    return "Records of " + "; ".join(parts) + "."


def reading_sentence(report: Report) -> str:
    """What was read, with the lines cut at the length cap and the regex searches cut short."""
    s = report.stats
    text = (
        f"Read {plural(s.lines_read, 'line')}, {plural(s.records, 'record')};"
        f" {plural(s.matches, 'match', 'matches')}"
    )
    truncated = sum(src.truncated_lines for src in s.sources)
    if truncated:
        text += f"; {plural(truncated, 'line')} over the length cap (only its start matched)"
    if s.regex_timeouts:
        by = ", ".join(f"{k} x{v}" for k, v in sorted(s.regex_timeouts_by_signature.items()))
        searches = plural(s.regex_timeouts, "regex search", "regex searches")
        text += f"; {searches} hit the time limit ({by})"
    return text + "."


#: What each reason files were left unread for says, for one file and for several.
_SKIP_WORDS = {"other-pod": ("another pod's log", "other pods' logs")}
#: The flag that reads every file of a directory or bundle.
ALL_FILES_FLAG = "--all-files"


def size_words(n: int) -> str:
    """Bytes as people read a file's size: ``812 bytes``, ``4.0 KiB``, ``212.4 MiB``."""
    if n < 1024:
        return plural(n, "byte")
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def skipped_sentence(skipped: SkippedFiles, hint: bool = True) -> str:
    """``Not read: other pods' logs, 37 files (212.4 MiB); --all-files reads them.``"""
    one, many = _SKIP_WORDS.get(skipped.reason, (skipped.reason, skipped.reason))
    what = one if skipped.files == 1 else many
    text = f"Not read: {what}, {plural(skipped.files, 'file')} ({size_words(skipped.bytes)})"
    if not hint:
        return text + "."
    return text + f"; {ALL_FILES_FLAG} reads {'it' if skipped.files == 1 else 'them'}."


def continued(sentence: str) -> str:
    """A sentence as it goes on after a ``tool: `` prefix: its first letter lower-cased."""
    return sentence[:1].lower() + sentence[1:]


def skipped_sentences(report: Report, hint: bool = True) -> list[str]:
    """One ``skipped_sentence`` per reason files were left unread (none: nothing was)."""
    return [skipped_sentence(s, hint) for s in report.skipped_files if s.files]


def report_coverage(report: Report) -> str:
    """The coverage line of a report."""
    return coverage(report.stats, len(report.unknown))


def capital(text: str) -> str:
    """The sentence with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def tap_sentence(tap: TapVersion, evidence: bool = True) -> str:
    """Which Tanzu Application Platform release the advice is written for, and how that is known
    (with ``evidence``, the record it was inferred from)."""
    if tap.source == "unknown" or not tap.version:
        return (
            "TAP version unknown: where a setting or resource is spelt differently "
            "between releases, the steps name both spellings."
        )
    text = f"Advice written for Tanzu Application Platform {tap.version}"
    if tap.source == "given":
        return text + " (given with --tap-version)."
    said = f": {tap.evidence}" if tap.evidence and evidence else ""
    return text + f", inferred from the input{said}."


def nothing_found(report: Report) -> str | None:
    """What a report with no finding says instead, or None when it has findings."""
    if report.unreadable:
        return "Nothing readable in the input: no line of text to check."
    return None if report.findings else "No known AMR log line found."


def suppression_phrase(s: Suppression) -> str:
    """Who set an item aside and until when, e.g. ``ignore from .amr.yaml, expires 2026-01-31``."""
    phrase = f"{s.kind} from {s.origin}"
    if s.expires is not None:
        phrase += f", expires {s.expires.isoformat()}"
    return phrase


#: What a report says of evidence whose line was longer than the line cap.
CUT_NOTE = "the line was longer than --max-line-length: only its start was read"


def clip(text: str, limit: int = EXAMPLE_WIDTH) -> str:
    """The first line of ``text``, cut at ``limit`` characters with the rest counted."""
    return wording.clip(text, limit, first_line=True)
