"""Draw diagnoses (root causes) from the findings, as the diagnosis packs declare."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .aggregate import fill, fingerprint, render_steps
from .models import Diagnosis, FieldValue, Finding
from .schema import DiagnosisSpec, Rule


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


def diagnose(
    specs: Iterable[DiagnosisSpec],
    findings: Iterable[Finding],
    error_sets: Mapping[frozenset[str], int],
) -> list[Diagnosis]:
    """Every diagnosis whose rule holds, most severe first."""
    facts = FindingFacts(findings, error_sets)
    out: list[Diagnosis] = []
    for spec in specs:
        used: list[str] = []
        if not holds(spec.when, facts, used):
            continue
        rests_on = list(dict.fromkeys(used))
        fields: dict[str, FieldValue] = {}
        for f in reversed([f for f in facts.findings if f.id in rests_on]):
            fields.update(f.fields)
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
                symptom_ids=[s for s in spec.symptoms if facts.counts[s]],
                references=list(spec.references),
                fingerprint=fingerprint(spec.id, ()),
            )
        )
    rank = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda d: rank[d.severity])
    return out
