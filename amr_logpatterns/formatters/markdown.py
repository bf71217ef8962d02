"""GitHub-flavoured Markdown for a ticket, a pull-request comment or a GitHub step summary.

The reader of a pasted report wants the verdict and the cause before the
detail, so the order is: verdict; each root cause with whether it is still
happening, its fix and, under it, the findings it rests on and its symptoms;
a table of every finding and its role; the problems no root cause explains;
what is harmless here; the messages no signature knows; what was set aside;
the figures and the TAP release the advice is for.

Log text is untrusted: outside code it is backslash-escaped (no HTML, links,
emphasis, math or extra table cells), and every fence is longer than any run
of backticks inside it, so a log line can never close its block.

Sample::

    **AMR logs: gate failed** (--fail-on error): 1 finding, 1 root cause

    ## Root causes

    ### The AMR GraphQL app is not serving (still happening)

    **error** · confidence medium · `diagnosis.amr-graphql-down` · **still happening**

    **Ongoing:** still failing when the input ends; in handler.log since 2025-01-21T08:02:40Z ...

    **Fix** ... Fixed when you see `handler.location-event`.

    #### Cause: The CloudEvent Handler cannot reach the AMR GraphQL app

    ## Findings

    | Severity | Finding | What | Count | First seen | Last seen | Distinguished by | Role |
    | --- | --- | --- | ---: | --- | --- | --- | --- |
    | error | `handler.amr-unavailable` | ... | cause of `diagnosis.amr-graphql-down`, ongoing |

    ## Harmless here
    ## Unknown messages

    Explained 8 of 8 error records; 0 unknown templates (0 warning-or-worse records no ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amr_logpatterns.formatters.options import PLAIN, Options, guide_link
from amr_logpatterns.formatters.story import (
    CUT_NOTE,
    Chapter,
    Member,
    Story,
    capital,
    clip,
    finding_recovery,
    gate_sentence,
    gate_state,
    headline,
    is_benign,
    moment,
    nothing_found,
    reading_sentence,
    record_at,
    recovery_sentence,
    report_coverage,
    root_causes,
    seen_sentence,
    state,
    tap_sentence,
    tell,
    verdict_sentences,
)
from amr_logpatterns.models.results import Evidence, Finding, Recovery, Report, Suppression
from amr_logpatterns.packs.schema import RemediationStep
from amr_logpatterns.wording import plural

#: Characters with a meaning somewhere in inline GFM (``$`` is GitHub's math).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~$])")
#: What starts a list, heading underline or thematic break at the start of a line.
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")
_SPAN = re.compile(r"`([^`]+)`")
_BACKTICKS = re.compile(r"`+")
_WHITESPACE = re.compile(r"\s+")
#: Evidence records shown open; the rest fold into ``<details>``.
_OPEN_EVIDENCE = 1


def _escape(text: str) -> str:
    """Text that renders as itself: whitespace flattened, every active character escaped."""
    flat = _WHITESPACE.sub(" ", text).replace("&", "&amp;")
    return _SPECIAL.sub(r"\\\1", flat)


def _guard(line: str) -> str:
    """Keep a line that begins with ``1.``, ``-``, ``+`` or ``=`` from starting a block."""
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", line, count=1)


def _longest_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def _code(text: str) -> str:
    """An inline code span that holds ``text`` whatever backticks it contains."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    fence = "`" * (_longest_run(flat) + 1)
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _prose(text: str) -> str:
    """Pack prose with its `code` spans kept; everything between them escaped."""
    flat = " ".join(text.split())
    parts: list[str] = []
    pos = 0
    for m in _SPAN.finditer(flat):
        parts += [_escape(flat[pos : m.start()]), _code(m[1])]
        pos = m.end()
    parts.append(_escape(flat[pos:]))
    return _guard("".join(parts))


def _cell(text: str) -> str:
    """A table cell: escaped text, so ``|`` and newlines cannot start a new cell or row."""
    return _escape(text.strip())


def _cell_code(text: str) -> str:
    """An id in a cell as code, unless a pipe or backslash could confuse the table parser."""
    return _cell(text) if "|" in text or "\\" in text else _code(text)


def _fenced(lines: Iterable[str], lang: str, indent: str = "") -> list[str]:
    """A fenced block, its fence longer than any backtick run inside, so nothing can close it."""
    body = list(lines)
    fence = "`" * max(3, _longest_run("\n".join(body)) + 1)
    return [
        f"{indent}{fence}{lang}",
        *(f"{indent}{line}" if line else "" for line in body),
        f"{indent}{fence}",
    ]


def _url(reference: str, options: Options) -> str:
    """The guide address for a link target, with the characters that end one percent-encoded."""
    url = guide_link(reference, options)
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def _guide(references: list[str], options: Options) -> list[str]:
    if not references:
        return []
    links = [
        f"[{_escape(ref.lstrip('#') if ref.startswith('#') else ref)}]({_url(ref, options)})"
        for ref in references
    ]
    return [f"Troubleshooting guide: {', '.join(links)}", ""]


def _steps(steps: list[RemediationStep]) -> list[str]:
    """Numbered steps; each command in a ``console`` block, each configuration in ``yaml``."""
    out = ["**Fix**", ""]
    for i, step in enumerate(steps, 1):
        marker = f"{i}. "
        pad = " " * len(marker)
        out.append(marker + _prose(step.text))
        if step.command:
            first, *rest = step.command.splitlines() or [""]
            out += _fenced([f"$ {first}", *rest], "console", pad)
        if step.config:
            out += _fenced(step.config.rstrip().splitlines(), "yaml", pad)
    return [*out, ""]


def _ids(ids: list[str]) -> str:
    return ", ".join(_code(i) for i in ids)


def _signals(ids: list[str], titles: dict[str, str]) -> str:
    """Healthy signals as code ids with their titles: what the user should see once fixed."""
    return ", ".join(f"{_code(i)} ({_prose(titles[i])})" if i in titles else _code(i) for i in ids)


def _labelled(sentence: str) -> str:
    """``Label: rest`` with the label in bold, so the state reads at a glance."""
    label, _, rest = sentence.partition(": ")
    return f"**{_escape(label)}:** {_prose(rest)}" if rest else _prose(sentence)


def _recovery(recovery: Recovery | None, judged_by: str | None = None) -> list[str]:
    return [] if recovery is None else [_labelled(recovery_sentence(recovery, judged_by)), ""]


def _chapter(chapter: Chapter, report: Report, options: Options) -> list[str]:
    """A root cause: what, whether it still happens, the fix, then the findings it folds."""
    d = chapter.diagnosis
    label = "Note: " if d.severity == "info" else ""
    now = f" ({state(chapter.recovery)})" if chapter.recovery is not None else ""
    facts = f"**{d.severity}** · confidence {_escape(d.confidence)} · {_code(d.id)}"
    if chapter.recovery is not None:
        facts += f" · **{state(chapter.recovery)}**"
    out = [f"### {label}{_prose(d.title)}{_escape(now)}", "", facts, ""]
    out += _recovery(chapter.recovery, chapter.judged_by)
    out += [_prose(d.summary), ""]
    rests = f"Rests on {_ids(d.finding_ids)}" if d.finding_ids else ""
    if chapter.symptom_ids:
        rests += f"{'; symptoms' if rests else 'Symptoms'} {_ids(chapter.symptom_ids)}"
    if rests:
        out += [rests + ".", ""]
    if d.explanation:
        why = _prose(d.explanation)
        out += ["<details>", "<summary>Why this is the cause</summary>", "", why, "", "</details>"]
        out.append("")
    if d.remediation:
        out += _steps(d.remediation)
    if chapter.fixed_when:
        out += [f"Fixed when you see {_ids(chapter.fixed_when)}.", ""]
    out += _guide(d.references, options)
    for m in chapter.members:
        out += _member(m, chapter, report, options)
    return out


def _member(m: Member, chapter: Chapter, report: Report, options: Options) -> list[str]:
    role = "Cause" if m.role == "cause" else "Symptom"
    f = m.finding
    if m.shown_under is not None:
        return [f"**{role}** {_code(f.id)}: shown under {_code(m.shown_under)} above.", ""]
    if is_benign(f):
        return [f"**{role}** {_code(f.id)}: harmless here, see *Harmless here* below.", ""]
    return _finding(f, report, options, heading=f"#### {role}: ", chapter=chapter)


def _where(source: str, line: int) -> str:
    return f"{source}:{line}"


def _group(f: Finding) -> str:
    return ", ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)


def _role(f: Finding, report: Report) -> str:
    """What a finding is in the story, and whether it still happens, for the findings table."""
    causes = root_causes(report, f)
    if is_benign(f):
        role = "harmless"
    elif causes:
        role = "; ".join(f"{r} of {_cell_code(d.id)}" for d, r in causes)
    else:
        role = "signal" if f.severity == "info" else "problem"
    if f.recovery is not None:
        role += f", {f.recovery.status}"
    return role


def _table(findings: list[Finding], report: Report) -> list[str]:
    out = [
        "| Severity | Finding | What | Count | First seen | Last seen | Distinguished by | Role |",
        "| --- | --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for f in findings:
        cells = [
            f.severity,
            _cell_code(f.id),
            _cell(f.title),
            str(f.count),
            _cell(_where(f.first_seen.source, f.first_seen.line)),
            _cell(_where(f.last_seen.source, f.last_seen.line)),
            _cell(_group(f)),
            _role(f, report),
        ]
        out.append(f"| {' | '.join(cells)} |")
    return [*out, ""]


def _record(ev: Evidence) -> list[str]:
    cut = f" ({_escape(CUT_NOTE)})" if ev.cut else ""
    return [
        f"From {_code(_where(ev.source, ev.line))}{cut}:",
        "",
        *_fenced(ev.text.splitlines(), "text"),
    ]


def _evidence(evidence: list[Evidence]) -> list[str]:
    out: list[str] = []
    for ev in evidence[:_OPEN_EVIDENCE]:
        out += [*_record(ev), ""]
    rest = evidence[_OPEN_EVIDENCE:]
    if rest:
        noun = "record" if len(rest) == 1 else "records"
        out += ["<details>", f"<summary>{len(rest)} more {noun}</summary>", ""]
        for ev in rest:
            out += [*_record(ev), ""]
        out += ["</details>", ""]
    return out


def _broken(f: Finding, report: Report) -> list[str]:
    """Why a finding thought harmless is not here, with the record that broke the condition."""
    if f.verdict is None or f.verdict.benign:
        return []
    out = [_labelled(sentence) for sentence in verdict_sentences(f.verdict)]
    out = [line for sentence in out for line in (sentence, "")]
    against = f.verdict.against
    record = record_at(report, against) if against is not None else None
    if record is not None:
        out += [*_record(record), ""]
    return out


def _finding(
    f: Finding,
    report: Report,
    options: Options,
    heading: str = "### ",
    chapter: Chapter | None = None,
) -> list[str]:
    facts = [f"**{f.severity}**", _code(f.id)]
    if _group(f):
        facts.append(_code(_group(f)))
    times = "once" if f.count == 1 else f"{f.count} times"
    first, last = f.first_seen, f.last_seen
    place = _code(_where(first.source, first.line))
    if (last.source, last.line) != (first.source, first.line):
        place += f" to {_code(_where(last.source, last.line))}"
    facts.append(f"{times}, {place}")
    out = [f"{heading}{_prose(f.title)}", "", " · ".join(facts), ""]
    recovery = finding_recovery(f, chapter)
    out += [_labelled(recovery), ""] if recovery is not None else []
    out += _broken(f, report)
    if f.fields:
        out += ["Fields: " + ", ".join(_code(f"{k}={v}") for k, v in f.fields.items()), ""]
    out += _evidence(f.evidence)
    out += [_prose(f.explanation), ""]
    if f.remediation:
        out += _steps(f.remediation)
    if f.verify:
        state = (
            "already seen later in this input" if f.verified else "not seen after the problem yet"
        )
        out += [f"Fixed when you see {_signals(f.verify, f.verify_titles)} ({state}).", ""]
    return out + _guide(f.references, options)


def _harmless(story: Story) -> list[str]:
    if not story.harmless:
        return []
    out = [
        "## Harmless here",
        "",
        "They look like problems, but need nothing in this input.",
        "",
        "| Severity | Finding | What | Count | Why harmless | As long as |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for f in story.harmless:
        reason = f.verdict.reason if f.verdict is not None else ""
        condition = f.verdict.condition if f.verdict is not None else None
        cells = [
            f.severity,
            _cell_code(f.id) + (f" {_cell(_group(f))}" if _group(f) else ""),
            _cell(f.title),
            str(f.count),
            _cell(reason),
            _cell(condition or ""),
        ]
        out.append(f"| {' | '.join(cells)} |")
    return [*out, ""]


def _unknown(report: Report) -> list[str]:
    dropped = report.stats.unknown_templates_dropped
    if not report.unknown and not dropped:
        return []
    out = [
        "## Unknown messages",
        "",
        "Warning-or-worse messages no signature knows, grouped by their text with the values"
        " masked.",
        "",
    ]
    if report.unknown:
        out += [
            "| Count | Level | First seen | Template | Example |",
            "| ---: | --- | --- | --- | --- |",
        ]
        for u in report.unknown:
            cells = [
                str(u.count),
                _cell(u.level),
                _cell(moment(u.first_seen)),
                _cell_code(clip(u.template, 400)),
                _cell_code(clip(u.example)),
            ]
            out.append(f"| {' | '.join(cells)} |")
        out.append("")
    if dropped:
        out += [f"{plural(dropped, 'more template')} not kept.", ""]
    return out


def _suppression_row(kind: str, ident: str, severity: str, count: str, why: Suppression) -> str:
    expires = why.expires.isoformat() if why.expires is not None else ""
    cells = [
        _cell(why.kind),
        f"{kind} {ident}",
        severity,
        count,
        _cell(why.reason),
        _cell(why.origin),
        expires,
    ]
    return f"| {' | '.join(cells)} |"


def _suppressed(report: Report) -> list[str]:
    rows: list[str] = []
    for d in report.diagnoses:
        if d.suppressed is not None:
            rows.append(
                _suppression_row("root cause", _cell_code(d.id), d.severity, "", d.suppressed)
            )
    for f in report.findings:
        if f.suppressed is not None:
            ident = _cell_code(f.id) + (f" {_cell(_group(f))}" if _group(f) else "")
            rows.append(_suppression_row("finding", ident, f.severity, str(f.count), f.suppressed))
    if not rows:
        return []
    return [
        "## Suppressed",
        "",
        "Set aside by an ignore entry or the baseline: still reported, not counted by the gate.",
        "",
        "| Kind | Item | Severity | Count | Reason | Origin | Expires |",
        "| --- | --- | --- | ---: | --- | --- | --- |",
        *rows,
        "",
    ]


def _verdict(report: Report, story: Story) -> str:
    """The first line: the gate's verdict, or what was found when no gate was applied."""
    if report.gate is not None:
        state = gate_state(report.gate)
        rest = gate_sentence(report.gate)[len(state) :]
        return f"**AMR logs: gate {state}**{_escape(rest)}"
    return f"**AMR logs:** {_escape(headline(report, story))}"


def _footer(report: Report) -> list[str]:
    warnings = [src.read_error for src in report.stats.sources if src.read_error]
    if report.gate is not None:
        warnings = [*report.gate.notices, *warnings]
    out = [f"- **Warning:** {_prose(w)}" for w in warnings]
    if out:
        out.append("")
    out += [
        _escape(reading_sentence(report)),
        "",
        _escape(capital(report_coverage(report))) + ".",
        "",
        _escape(seen_sentence(report)),
        "",
        _escape(tap_sentence(report.tap_version)),
    ]
    return out


def format_report(report: Report, options: Options = PLAIN) -> str:
    """Render the report as Markdown to paste into a ticket or a pull-request comment."""
    story = tell(report)
    findings = [f for f in report.findings if f.suppressed is None]
    out = [_verdict(report, story), ""]
    if story.chapters:
        out += ["## Root causes", ""]
        for chapter in story.chapters:
            out += _chapter(chapter, report, options)
    if findings:
        out += ["## Findings", ""]
        if any(f.severity == "info" for f in findings):
            out += ["Findings at info severity are signals: informational, nothing to fix.", ""]
        out += _table(findings, report)
    if story.problems:
        out += ["## Problems", ""]
        if story.chapters:
            out += ["No root cause above explains these.", ""]
        for f in story.problems:
            out += _finding(f, report, options)
    out += _harmless(story)
    out += _unknown(report)
    out += _suppressed(report)
    out += [sentence, ""] if (sentence := nothing_found(report)) else []
    out += _footer(report)
    return "\n".join(out) + "\n"
