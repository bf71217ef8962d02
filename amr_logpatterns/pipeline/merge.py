"""Merge reports of parts of the same inputs, or of different inputs, in input order.

Merging is associative, so reports from worker processes or from the map step of
a distributed engine fold into the report a single run gives. Diagnoses depend
on the packs and are drawn again by ``Classifier.merge``; ``merge_reports``
leaves them empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from amr_logpatterns.analyse.aggregate import finalise, identity_of, recovery_of, same_identity
from amr_logpatterns.analyse.templates import merge_unknown
from amr_logpatterns.models.results import (
    FieldValue,
    Finding,
    Presence,
    Report,
    Seen,
    SourceStats,
    Stats,
    sum_skipped,
)
from amr_logpatterns.packs.schema import worst_severity

_COUNTS = tuple(name for name, f in SourceStats.model_fields.items() if f.annotation is int)
_PRESENCE_COUNTS = tuple(name for name, f in Presence.model_fields.items() if f.annotation is int)


def _merge_source(a: SourceStats, b: SourceStats) -> SourceStats:
    data = {k: getattr(a, k) + getattr(b, k) for k in _COUNTS}
    return SourceStats(source=a.source, read_error=a.read_error or b.read_error, **data)


def _merge_finding(a: Finding, b: Finding, limit: int) -> Finding:
    """``a`` of an earlier part and ``b`` of a later one; ``b`` holds the last occurrence."""
    recovery = b.recovery
    if recovery is not None and a.recovery is not None:
        # the later part judged the recovery; only the start of the problem lies earlier
        healed = (
            None
            if recovery.recovered_at is None or recovery.signal is None
            else (recovery.recovered_at, recovery.signal)
        )
        recovery = recovery_of(a.first_seen, recovery.last_failure, healed)
    # the earlier part's first occurrence of a source wins; sources keep their input order
    first_in = {**a.first_seen_in}
    for source, seen in b.first_seen_in.items():
        first_in.setdefault(source, seen)
    return a.model_copy(
        update={
            "fields": {**b.fields, **a.fields},
            "count": a.count + b.count,
            "last_seen": b.last_seen,
            "evidence": [*a.evidence, *b.evidence][:limit],
            "last_lines": {**a.last_lines, **b.last_lines},
            "first_seen_in": first_in,
            "recovery": recovery,
        }
    )


Signals = dict[tuple[str, str], list[tuple[Seen, dict[str, FieldValue]]]]


def _first_signals(findings: Iterable[Finding]) -> Signals:
    """Where each signal first occurs in each source of one part, per finding (with the
    workload it is about, which a problem it heals must share)."""
    first: Signals = {}
    for f in findings:
        about = identity_of(f.group_fields)
        for source, seen in f.first_seen_in.items():
            first.setdefault((f.id, source), []).append((seen, about))
    return first


def _healed_later(f: Finding, signals: Signals) -> Finding:
    """An ongoing problem absent from a later part recovers at that part's first verify signal."""
    if f.recovery is None or f.recovery.status != "ongoing":
        return f
    source = f.recovery.last_failure.source
    mine = identity_of(f.group_fields)
    best: tuple[Seen, str] | None = None
    for signal in f.verify:
        heard = signals.get((signal, source), ())
        fits = [seen for seen, about in heard if same_identity(mine, about)]
        seen = min(fits, key=lambda s: s.line, default=None)
        if seen is not None and (best is None or seen.line < best[0].line):
            best = (seen, signal)
    if best is None:
        return f
    recovery = recovery_of(f.recovery.since, f.recovery.last_failure, best)
    return f.model_copy(update={"recovery": recovery})


def totals(
    sources: list[SourceStats],
    error_sets: dict[str, int],
    limit: int,
    timeouts: Mapping[str, int] | None = None,
) -> Stats:
    """Stats whose totals are the sums of the per-source figures.

    ``timeouts`` counts the regex timeouts of each signature id.
    """
    return Stats(
        lines_read=sum(s.lines_read for s in sources),
        records=sum(s.records for s in sources),
        matches=sum(s.matches for s in sources),
        error_records=sum(s.error_records for s in sources),
        unexplained_error_records=sum(s.unexplained_error_records for s in sources),
        error_signature_sets=dict(sorted(error_sets.items())),
        evidence_limit=limit,
        regex_timeouts=sum(s.regex_timeouts for s in sources),
        regex_timeouts_by_signature=dict(sorted((timeouts or {}).items())),
        readable_lines=sum(s.readable_lines for s in sources),
        sources=sources,
    )


def merge_reports(reports: Iterable[Report]) -> Report:
    """Fold reports in order: counts add up (files left unread too), first/last seen and
    evidence follow input order."""
    items = list(reports)
    if not items:
        return Report()
    limit = min(r.stats.evidence_limit for r in items)
    sources: dict[str, SourceStats] = {}
    error_sets: dict[str, int] = {}
    timeouts: dict[str, int] = {}
    findings: dict[tuple[str, str], Finding] = {}
    for report in items:
        for src in report.stats.sources:
            sources[src.source] = (
                _merge_source(sources[src.source], src) if src.source in sources else src
            )
        for key, count in report.stats.error_signature_sets.items():
            error_sets[key] = error_sets.get(key, 0) + count
        for key, count in report.stats.regex_timeouts_by_signature.items():
            timeouts[key] = timeouts.get(key, 0) + count
        here = {(f.id, f.fingerprint) for f in report.findings}
        signals = _first_signals(report.findings)
        for k, f in findings.items():
            if k not in here:
                findings[k] = _healed_later(f, signals)
        for f in report.findings:
            k = (f.id, f.fingerprint)
            findings[k] = _merge_finding(findings[k], f, limit) if k in findings else f
    # diagnoses are drawn again over the merged findings, and with them what explains each
    unexplained = [f.model_copy(update={"explained_by": []}) for f in findings.values()]
    merged = finalise(unexplained, list(sources))
    worst = worst_severity(f.severity for f in merged)
    cap = min(r.stats.unknown_template_limit for r in items)
    stats = totals(list(sources.values()), error_sets, limit, timeouts).model_copy(
        update={"unknown_template_limit": cap}
    )
    skipped = sum_skipped(s for r in items for s in r.skipped_files)
    report = Report(
        findings=merged,
        stats=stats,
        max_severity=worst,
        seen=merge_seen(items),
        skipped_files=skipped,
    )
    return merge_unknown(items, report, cap)


def merge_seen(reports: Iterable[Report]) -> list[Presence]:
    """Each component's records per source, added up over the parts, in first-seen order."""
    merged: dict[tuple[str, str], Presence] = {}
    for report in reports:
        for p in report.seen:
            held = merged.get((p.component, p.source))
            merged[(p.component, p.source)] = (
                p
                if held is None
                else held.model_copy(
                    update={k: getattr(held, k) + getattr(p, k) for k in _PRESENCE_COUNTS}
                )
            )
    order = {c: i for i, c in enumerate(dict.fromkeys(c for c, _ in merged))}
    return sorted(merged.values(), key=lambda p: order[p.component])
