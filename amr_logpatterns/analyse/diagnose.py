"""Draw diagnoses (root causes) from the findings, as the diagnosis packs declare."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from amr_logpatterns.analyse.aggregate import (
    fill,
    fingerprint,
    identity_of,
    recovery_of,
    render_steps,
    same_identity,
)
from amr_logpatterns.analyse.timestamps import chronology
from amr_logpatterns.models.results import Diagnosis, FieldValue, Finding, Recovery
from amr_logpatterns.packs.schema import DiagnosisSpec, Rule


class FindingFacts:
    """What the rules look at: finding counts and which signatures explained each error record."""

    def __init__(
        self, findings: Iterable[Finding], error_sets: Mapping[frozenset[str], int]
    ) -> None:
        self.findings = list(findings)
        self.counts: Counter[str] = Counter()
        for f in self.findings:
            self.counts[f.id] += f.count
        self.error_ids = {f.id for f in self.findings if f.severity == "error"}
        self.error_sets = error_sets


def holds(rule: Rule, facts: FindingFacts, used: list[str]) -> bool:
    """Evaluate a rule; when it holds, the present findings it rests on join ``used``."""
    mine: list[str] = []
    if rule.finding is not None:
        if facts.counts[rule.finding] < rule.min_count:
            return False
        mine.append(rule.finding)
    if rule.errors_only_from is not None:
        allowed = set(rule.errors_only_from)
        if facts.error_ids - allowed:
            return False
        if any(not (ids & allowed) for ids in facts.error_sets):
            return False
    for child in rule.all_ or ():
        if not holds(child, facts, mine):
            return False
    if rule.any_:
        hits = [child for child in rule.any_ if holds(child, facts, mine)]
        if not hits:
            return False
    if any(holds(child, facts, []) for child in rule.none or ()):
        return False
    used.extend(mine)
    return True


def _sources_of(findings: Iterable[Finding]) -> list[str]:
    """Input order of sources as far as the findings show it (used when none is given)."""
    seen: dict[str, None] = {}
    for f in findings:
        for source in (*f.first_seen_in, f.first_seen.source, f.last_seen.source):
            seen.setdefault(source)
    return list(seen)


def diagnosis_recovery(rests_on: Sequence[Finding], sources: Sequence[str]) -> Recovery | None:
    """A root cause has recovered when every problem it rests on has; ongoing while any is not.

    The recovery runs from the earliest start of those problems to the latest
    of their recoveries (or, while ongoing, to their latest failure).
    """
    recoveries = [f.recovery for f in rests_on if f.recovery is not None]
    if not recoveries:
        return None
    points = [p for r in recoveries for p in (r.since, r.last_failure, r.recovered_at) if p]
    key = chronology(points, sources)
    since = min((r.since for r in recoveries), key=key)
    last_failure = max((r.last_failure for r in recoveries), key=key)
    healed = [(r.recovered_at, r.signal) for r in recoveries if r.recovered_at is not None]
    if any(r.status == "ongoing" for r in recoveries) or not healed:
        return recovery_of(since, last_failure, None)
    at, signal = max(healed, key=lambda h: key(h[0]))
    return recovery_of(since, last_failure, (at, signal))


def explain(findings: Iterable[Finding], diagnoses: Iterable[Diagnosis]) -> list[Finding]:
    """The findings with ``explained_by`` set: the diagnoses that rest on them or list them.

    Drawn from scratch each time, so a merged report's findings name the merged
    report's diagnoses, never those of its parts.
    """
    by_finding: dict[str, list[str]] = {}
    for d in diagnoses:
        for finding_id in dict.fromkeys((*d.finding_ids, *d.symptom_ids)):
            by_finding.setdefault(finding_id, []).append(d.id)
    out = []
    for f in findings:
        explained_by = by_finding.get(f.id, [])
        out.append(
            f
            if f.explained_by == explained_by
            else f.model_copy(update={"explained_by": list(explained_by)})
        )
    return out


def diagnose(
    specs: Iterable[DiagnosisSpec],
    findings: Iterable[Finding],
    error_sets: Mapping[frozenset[str], int],
    *,
    sources: Sequence[str] | None = None,
) -> list[Diagnosis]:
    """Every diagnosis whose rule holds, most severe first.

    ``sources`` is the input order of the sources (``report.stats.sources``);
    it orders recoveries that lack timestamps. Without it the findings' own
    order of sources is used.
    """
    facts = FindingFacts(findings, error_sets)
    order = list(sources) if sources is not None else _sources_of(facts.findings)
    held: dict[str, tuple[DiagnosisSpec, list[str]]] = {}
    for spec in specs:
        used: list[str] = []
        if holds(spec.when, facts, used):
            held[spec.id] = (spec, list(dict.fromkeys(used)))
    out: list[Diagnosis] = []
    for spec, rests_on in held.values():
        if any(other in held for other in spec.superseded_by):
            continue  # a root cause that explains this one holds: its findings are told there
        symptoms = [s for s in spec.symptoms if facts.counts[s]]
        fields: dict[str, FieldValue] = {}
        # the findings it rests on first, then its symptoms: each gives what the others lack,
        # when it is about the same workload as the first (a limit belongs to its container)
        told = [f for f in facts.findings if f.id in rests_on]
        told += [f for f in facts.findings if f.id in symptoms]
        about = identity_of(told[0].group_fields) if told else {}
        for f in told:
            if same_identity(about, identity_of(f.group_fields)):
                fields.update((k, v) for k, v in f.fields.items() if k not in fields)
        confidence = spec.confidence
        if spec.stronger_when is not None and holds(spec.stronger_when, facts, []):
            confidence = "high"
        out.append(
            Diagnosis(
                id=spec.id,
                title=spec.title,
                severity=spec.severity,
                confidence=confidence,
                summary=fill(spec.summary.strip(), fields),
                explanation=fill(spec.explanation.strip(), fields),
                remediation=render_steps(spec.remediation, fields),
                finding_ids=rests_on,
                symptom_ids=symptoms,
                references=list(spec.references),
                fingerprint=fingerprint(spec.id, ()),
                recovery=diagnosis_recovery([f for f in facts.findings if f.id in rests_on], order),
            )
        )
    rank = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda d: rank[d.severity])
    return out
