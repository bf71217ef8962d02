"""A root cause and a finding as Markdown blocks: what, whether it still happens, the evidence,
the fix, and what shows it fixed.

A root cause's block holds the findings it rests on and its symptoms, each
told once (a finding two root causes claim is shown under the first and
pointed to from the second). Evidence is fenced, its first record open and the
rest folded into ``<details>``.
"""

from __future__ import annotations

from amr_logpatterns.formatters.markdown_escape import code, escape, fence, link_target, prose
from amr_logpatterns.formatters.options import Options
from amr_logpatterns.formatters.phrases import (
    CUT_NOTE,
    finding_recovery,
    recovery_sentence,
    state,
    verdict_sentences,
    verified_words,
)
from amr_logpatterns.formatters.steps import markdown_steps
from amr_logpatterns.formatters.story import Chapter, Member, is_benign, record_at
from amr_logpatterns.models.results import Evidence, Finding, Recovery, Report
from amr_logpatterns.packs.schema import RemediationStep

#: Evidence records shown open; the rest fold into ``<details>``.
_OPEN_EVIDENCE = 1


def _guide(references: list[str], options: Options) -> list[str]:
    if not references:
        return []
    links = [
        f"[{escape(ref.lstrip('#') if ref.startswith('#') else ref)}]({link_target(ref, options)})"
        for ref in references
    ]
    return [f"Troubleshooting guide: {', '.join(links)}", ""]


def _fix(steps: list[RemediationStep]) -> list[str]:
    """The fix under a bold heading: a tight numbered list, commands and configuration fenced."""
    return ["**Fix**", "", *markdown_steps(steps, lambda text: [prose(text)], loose=False), ""]


def _ids(ids: list[str]) -> str:
    return ", ".join(code(i) for i in ids)


def _signals(ids: list[str], titles: dict[str, str]) -> str:
    """Healthy signals as code ids with their titles: what the user should see once fixed."""
    return ", ".join(f"{code(i)} ({prose(titles[i])})" if i in titles else code(i) for i in ids)


def _labelled(sentence: str) -> str:
    """``Label: rest`` with the label in bold, so the state reads at a glance."""
    label, _, rest = sentence.partition(": ")
    return f"**{escape(label)}:** {prose(rest)}" if rest else prose(sentence)


def _recovery(recovery: Recovery | None, judged_by: str | None = None) -> list[str]:
    return [] if recovery is None else [_labelled(recovery_sentence(recovery, judged_by)), ""]


def chapter_block(chapter: Chapter, report: Report, options: Options) -> list[str]:
    """A root cause: what, whether it still happens, the fix, then the findings it folds."""
    d = chapter.diagnosis
    label = "Note: " if d.severity == "info" else ""
    now = f" ({state(chapter.recovery)})" if chapter.recovery is not None else ""
    facts = f"**{d.severity}** · confidence {escape(d.confidence)} · {code(d.id)}"
    if chapter.recovery is not None:
        facts += f" · **{state(chapter.recovery)}**"
    out = [f"### {label}{prose(d.title)}{escape(now)}", "", facts, ""]
    out += _recovery(chapter.recovery, chapter.judged_by)
    out += [prose(d.summary), ""]
    rests = f"Rests on {_ids(d.finding_ids)}" if d.finding_ids else ""
    if chapter.symptom_ids:
        rests += f"{'; symptoms' if rests else 'Symptoms'} {_ids(chapter.symptom_ids)}"
    if rests:
        out += [rests + ".", ""]
    if d.explanation:
        why = prose(d.explanation)
        out += ["<details>", "<summary>Why this is the cause</summary>", "", why, "", "</details>"]
        out.append("")
    if d.remediation:
        out += _fix(d.remediation)
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
        return [f"**{role}** {code(f.id)}: shown under {code(m.shown_under)} above.", ""]
    if is_benign(f):
        return [f"**{role}** {code(f.id)}: harmless here, see *Harmless here* below.", ""]
    return finding_block(f, report, options, heading=f"#### {role}: ", chapter=chapter)


def where(source: str, line: int) -> str:
    """``source:line``: where to look."""
    return f"{source}:{line}"


def group_values(f: Finding) -> str:
    """The values that tell two findings of one signature apart: ``status_code=401, ...``."""
    return ", ".join(f"{k}={v}" for k, v in f.group_fields.items() if v is not None)


def _record(ev: Evidence) -> list[str]:
    cut = f" ({escape(CUT_NOTE)})" if ev.cut else ""
    return [
        f"From {code(where(ev.source, ev.line))}{cut}:",
        "",
        *fence(ev.text.splitlines(), "text"),
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


def finding_block(
    f: Finding,
    report: Report,
    options: Options,
    heading: str = "### ",
    chapter: Chapter | None = None,
) -> list[str]:
    """A finding under ``heading``: its facts, recovery, evidence, explanation, fix, signals."""
    facts = [f"**{f.severity}**", code(f.id)]
    if group_values(f):
        facts.append(code(group_values(f)))
    times = "once" if f.count == 1 else f"{f.count} times"
    first, last = f.first_seen, f.last_seen
    place = code(where(first.source, first.line))
    if (last.source, last.line) != (first.source, first.line):
        place += f" to {code(where(last.source, last.line))}"
    facts.append(f"{times}, {place}")
    out = [f"{heading}{prose(f.title)}", "", " · ".join(facts), ""]
    recovery = finding_recovery(f, chapter)
    out += [_labelled(recovery), ""] if recovery is not None else []
    out += _broken(f, report)
    if f.fields:
        out += ["Fields: " + ", ".join(code(f"{k}={v}") for k, v in f.fields.items()), ""]
    out += _evidence(f.evidence)
    out += [prose(f.explanation), ""]
    if f.remediation:
        out += _fix(f.remediation)
    if f.verify:
        seen = verified_words(f)
        out += [f"Fixed when you see {_signals(f.verify, f.verify_titles)} ({seen}).", ""]
    return out + _guide(f.references, options)
