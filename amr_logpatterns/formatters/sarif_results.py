"""SARIF results: one per finding and per diagnosis, each with its story.

A finding's result is located at its evidence records (the first ten; the
rest are related locations), names its root cause and its recovery in its
message, and is a ``note`` when it is harmless here. A diagnosis's result is
located where the findings it rests on were first seen, and lists every
finding it folds as a related location saying ``cause`` or ``symptom``.
Suppressed and baselined items keep their result with a ``suppressions`` entry.
"""

from __future__ import annotations

from amr_logpatterns.formatters.phrases import recovery_sentence, state, verdict_sentences
from amr_logpatterns.formatters.sarif_locations import JSON, Locator, physical_location
from amr_logpatterns.formatters.sarif_rules import LEVELS
from amr_logpatterns.formatters.steps import markdown_steps
from amr_logpatterns.formatters.story import Chapter, claim, is_benign, record_at, root_causes
from amr_logpatterns.models.results import Diagnosis, Finding, Report, Seen, Suppression

#: Our fingerprints hash the signature and its distinguishing values, never a position,
#: so they stay the same when the log moves; versioned in case the recipe changes.
FINGERPRINT_KEY = "amrFingerprint/v1"
#: GitHub takes at most this many locations per result; further evidence is kept as related.
MAX_LOCATIONS = 10


def _suppressions(s: Suppression | None) -> JSON:
    if s is None:
        return {}
    justification = f"{s.reason} ({s.origin}"
    justification += f"; expires {s.expires.isoformat()})" if s.expires else ")"
    props: JSON = {"kind": s.kind, "origin": s.origin}
    if s.expires:
        props["expires"] = s.expires.isoformat()
    return {
        "suppressions": [
            {
                "kind": "external",
                "status": "accepted",
                "justification": justification,
                "properties": props,
            }
        ]
    }


def _message(f: Finding, report: Report) -> str:
    """Title and counts, then the story: its root cause, whether it recovered, whether it counts."""
    shown = [f"{k}={v}" for k, v in f.group_fields.items() if v is not None]
    text = [f"{f.title} ({'; '.join([f'x{f.count}', *shown])})."]
    for d, role in root_causes(report, f):
        what = "rests on this" if role == "cause" else "explains this symptom"
        text.append(f"Root cause {d.id} ({d.title}) {what}.")
    if f.recovery is not None:
        text.append(recovery_sentence(f.recovery))
    if f.verdict is not None:
        text += [sentence + "." for sentence in verdict_sentences(f.verdict)]
    return " ".join(text)


def _unique(locations: list[JSON]) -> list[JSON]:
    out: list[JSON] = []
    for loc in locations:
        if loc not in out:
            out.append(loc)
    return out


def _with_message(location: JSON, text: str) -> JSON:
    return {**location, "message": {"text": text}}


def _seen_location(seen: Seen, report: Report, locator: Locator) -> JSON:
    """A point in the input as a location, with the record's text when a finding kept it."""
    record = record_at(report, seen)
    if record is not None:
        return locator.evidence(record)
    return physical_location(locator.artifact(seen.source), {"startLine": max(seen.line, 1)})


def _story_properties(f: Finding, report: Report) -> JSON:
    props: JSON = {}
    explained = [d.id for d, _ in root_causes(report, f)]
    explained = list(dict.fromkeys([*explained, *f.explained_by]))
    if explained:
        props["explainedBy"] = explained
    if f.recovery is not None:
        props["recovery"] = f.recovery.model_dump(mode="json", exclude_none=True)
    if f.verdict is not None:
        props["benign"] = f.verdict.benign
        props["verdict"] = f.verdict.model_dump(mode="json", exclude_none=True)
    return props


def finding_result(f: Finding, rule: Finding, index: int, locator: Locator, report: Report) -> JSON:
    """A finding's result, located at its evidence; ``rule`` is the finding its rule was made of."""
    locations = [locator.evidence(ev) for ev in f.evidence] or [locator.first(f)]
    result: JSON = {
        "ruleId": f.id,
        "ruleIndex": index,
        # Harmless here: still listed, so the reason can be read, but as a note.
        "level": "note" if is_benign(f) else LEVELS[f.severity],
        "message": {"text": _message(f, report)},
        "locations": locations[:MAX_LOCATIONS],
    }
    related = locations[MAX_LOCATIONS:]
    if f.verdict is not None and not f.verdict.benign and f.verdict.against is not None:
        against = _seen_location(f.verdict.against, report, locator)
        related.append(_with_message(against, "The record that makes this finding matter here."))
    if related:
        result["relatedLocations"] = _unique(related)
    result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    result.update(_suppressions(f.suppressed))
    props: JSON = {
        "count": f.count,
        "firstSeen": f.first_seen.model_dump(mode="json", exclude_none=True),
        "lastSeen": f.last_seen.model_dump(mode="json", exclude_none=True),
        "fields": f.fields,
        "verified": f.verified,
        **_story_properties(f, report),
    }
    # The rule's texts are filled in with the values of the first finding of its id;
    # another group of the same signature keeps its own, so no value is misreported.
    if f.explanation != rule.explanation:
        props["explanation"] = f.explanation
    if f.remediation != rule.remediation:
        props["remediation"] = "\n".join(markdown_steps(f.remediation)).rstrip() + "\n"
    result["properties"] = props
    return result


def _fallback_location(report: Report, locator: Locator) -> JSON:
    """Where a diagnosis goes when none of its findings is in the report (filtered out):
    the top of the first input, saying so, since code scanning drops a result without one."""
    source = report.stats.sources[0].source if report.stats.sources else "<input>"
    location = physical_location(locator.artifact(source), {"startLine": 1})
    location["message"] = {"text": "The findings this diagnosis rests on are not in this report."}
    return location


def diagnosis_result(
    d: Diagnosis, chapter: Chapter | None, report: Report, index: int, locator: Locator
) -> JSON:
    """A diagnosis's result, located where the findings it rests on were first seen."""
    rests = [f for i in d.finding_ids for f in report.findings if f.id == i]
    members = [(f, role) for f in report.findings if (role := claim(d, f)) is not None]
    locations = _unique([locator.first(f) for f in rests])
    # Every finding the diagnosis folds, each saying what it is to it and whether it still fails.
    folded = []
    for f, role in sorted(members, key=lambda m: m[1] != "cause"):
        now = f", {f.recovery.status}" if f.recovery is not None else ""
        folded.append(
            _with_message(locator.first(f), f"{role}: {f.id}, {f.title} (x{f.count}{now})")
        )
    related = _unique(locations[MAX_LOCATIONS:] + folded)
    recovery = chapter.recovery if chapter is not None else d.recovery
    judged_by = chapter.judged_by if chapter is not None else None
    text = d.title if d.title.endswith((".", "!", "?")) else f"{d.title}."
    message = f"{text} {d.summary}"
    if recovery is not None:
        message += f" {recovery_sentence(recovery, judged_by)}"
    result: JSON = {
        "ruleId": d.id,
        "ruleIndex": index,
        "level": LEVELS[d.severity],
        "message": {"text": message},
        "locations": locations[:MAX_LOCATIONS] or [_fallback_location(report, locator)],
    }
    if related:
        result["relatedLocations"] = related
    if d.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: d.fingerprint}
    result.update(_suppressions(d.suppressed))
    props: JSON = {
        "confidence": d.confidence,
        "findingIds": d.finding_ids,
        "symptomIds": d.symptom_ids,
        "findings": [
            {"id": f.id, "role": role, "fingerprint": f.fingerprint} for f, role in members
        ],
    }
    if recovery is not None:
        props["state"] = state(recovery)
        props["recovery"] = recovery.model_dump(mode="json", exclude_none=True)
        if judged_by is not None:
            props["recoveryJudgedBy"] = judged_by
    result["properties"] = props
    return result
