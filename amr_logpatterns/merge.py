"""Merge reports of parts of the same inputs, or of different inputs, in input order.

Merging is associative, so reports from worker processes or from the map step of
a distributed engine fold into the report a single run gives. Diagnoses depend
on the packs and are drawn again by ``Classifier.merge``; ``merge_reports``
leaves them empty.
"""

from __future__ import annotations

from collections.abc import Iterable

from .aggregate import finalise
from .models import Finding, Report, SourceStats, Stats
from .schema import SEVERITY_RANK

_COUNTS = tuple(name for name, f in SourceStats.model_fields.items() if f.annotation is int)


def _merge_source(a: SourceStats, b: SourceStats) -> SourceStats:
    data = {k: getattr(a, k) + getattr(b, k) for k in _COUNTS}
    return SourceStats(source=a.source, read_error=a.read_error or b.read_error, **data)


def _merge_finding(a: Finding, b: Finding, limit: int) -> Finding:
    return a.model_copy(
        update={
            "count": a.count + b.count,
            "last_seen": b.last_seen,
            "evidence": [*a.evidence, *b.evidence][:limit],
            "last_lines": {**a.last_lines, **b.last_lines},
        }
    )


def totals(sources: list[SourceStats], error_sets: dict[str, int], limit: int) -> Stats:
    """Stats whose totals are the sums of the per-source figures."""
    return Stats(
        lines_read=sum(s.lines_read for s in sources),
        records=sum(s.records for s in sources),
        matches=sum(s.matches for s in sources),
        error_records=sum(s.error_records for s in sources),
        unexplained_error_records=sum(s.unexplained_error_records for s in sources),
        error_signature_sets=dict(sorted(error_sets.items())),
        evidence_limit=limit,
        sources=sources,
    )


def merge_reports(reports: Iterable[Report]) -> Report:
    """Fold reports in order: counts add up, first/last seen and evidence follow input order."""
    items = list(reports)
    if not items:
        return Report()
    limit = min(r.stats.evidence_limit for r in items)
    sources: dict[str, SourceStats] = {}
    error_sets: dict[str, int] = {}
    findings: dict[tuple[str, str], Finding] = {}
    for report in items:
        for src in report.stats.sources:
            sources[src.source] = (
                _merge_source(sources[src.source], src) if src.source in sources else src
            )
        for key, count in report.stats.error_signature_sets.items():
            error_sets[key] = error_sets.get(key, 0) + count
        for f in report.findings:
            k = (f.id, f.fingerprint)
            findings[k] = _merge_finding(findings[k], f, limit) if k in findings else f
    merged = finalise(list(findings.values()), list(sources))
    worst = max((f.severity for f in merged), key=SEVERITY_RANK.__getitem__, default=None)
    return Report(
        findings=merged,
        stats=totals(list(sources.values()), error_sets, limit),
        max_severity=worst,
    )
