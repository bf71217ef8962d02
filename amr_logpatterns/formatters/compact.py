"""One line per finding, as compilers print them: ``FILE:LINE: SEVERITY: ID: title``.

For editors (Vim's quickfix, Emacs's compilation mode, VS Code's problem
matchers), ``grep``, and terminals that open ``file:line`` on a click. Each
root cause stands at the first place of the findings it rests on, before
them; each unsuppressed finding at its first place, with its count when it
occurred more than once; each warning-or-worse message no signature knows as
``unknown`` (a ``fatal`` or ``panic`` one as an error, its level kept in the
text). Lines run in the order of the input (source, then line). Then what a
bundle held that was not read (another pod's log), and last the gate's
verdict, when a gate was applied; suppressed findings are counted there, not
listed.

Sample::

    handler.log:16: error: diagnosis.amr-graphql-down: The AMR GraphQL app is not serving ...
    handler.log:16: error: handler.amr-unavailable: The CloudEvent Handler cannot reach ... (x8)
    handler.log:20: info: observer.replicaset-event-noop: The handler refused an event ...
    amr-logpatterns: gate failed (--fail-on error): 1 finding, 1 root cause
"""

from __future__ import annotations

from amr_logpatterns.formatters.gate_words import gate_sentence
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import clip, continued, skipped_sentences
from amr_logpatterns.formatters.story import is_benign, tell
from amr_logpatterns.models.results import Diagnosis, Finding, Report, Seen

_TOOL = "amr-logpatterns"


def _title(text: str) -> str:
    """A title on one line: a line break would start what an editor reads as another entry."""
    return " ".join(text.split())


def _finding(f: Finding) -> str:
    extra = [f"x{f.count}"] if f.count > 1 else []
    extra += ["harmless here"] if is_benign(f) else []
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{f.severity}: {f.id}: {_title(f.title)}{tail}"


def _diagnosis(d: Diagnosis, members: list[str]) -> str:
    rests = f" (root cause of {', '.join(members)})" if members else ""
    return f"{d.severity}: {d.id}: {_title(d.title)}{rests}"


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The report as ``FILE:LINE: SEVERITY: ID: title`` lines, in input order."""
    order = {src.source: i for i, src in enumerate(report.stats.sources)}
    rows: list[tuple[int, int, int, str]] = []

    def at(f: Finding) -> tuple[int, int]:
        return order.get(f.first_seen.source, len(order)), f.first_seen.line

    def add(seen: Seen, rank: int, text: str) -> None:
        key = order.setdefault(seen.source, len(order))
        rows.append((key, seen.line, rank, f"{seen.source}:{seen.line}: {text}"))

    unplaced: list[str] = []
    for chapter in tell(report).chapters:
        members = [m.finding for m in chapter.members]
        ids = list(dict.fromkeys(f.id for f in members))
        line = _diagnosis(chapter.diagnosis, ids)
        if members:
            add(min(members, key=at).first_seen, 0, line)
        else:
            unplaced.append(f"{_TOOL}: {line}")
    for f in report.findings:
        if f.suppressed is None:
            add(f.first_seen, 1, _finding(f))
    for u in report.unknown:
        level = u.level.lower()
        severity = "warning" if level.startswith("warn") else "error"
        add(u.first_seen, 2, f"{severity}: unknown: {clip(u.template)} ({level}, x{u.count})")
    out = unplaced + [text for *_, text in sorted(rows, key=lambda r: r[:3])]
    out += [f"{_TOOL}: {continued(s)}" for s in skipped_sentences(report)]
    if report.gate is not None:
        out.append(f"{_TOOL}: gate {gate_sentence(report.gate)}")
    return "".join(f"{line}\n" for line in out)
