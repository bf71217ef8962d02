"""Verdicts on error-looking lines that AMR prints in normal operation.

A signature's ``benign`` block says why its line is harmless and, where that
depends on something, which earlier findings break the condition. Findings
are never hidden: each gets a ``Verdict`` saying benign (and on what
condition), or not benign after all and which record showed it. The verdicts
are a pure function of the findings, so they are drawn again after a merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from amr_logpatterns.analyse.aggregate import fill, finalise
from amr_logpatterns.analyse.versions import (
    has_release_steps,
    release_remediation,
    resolve_tap_version,
    select_steps,
)
from amr_logpatterns.models.results import FieldValue, Finding, Report, Seen, Verdict
from amr_logpatterns.packs.schema import (
    Benign,
    DiagnosisSpec,
    Severity,
    Signature,
    worst_severity,
)

if TYPE_CHECKING:  # the loader may import this module for its cross-check
    from amr_logpatterns.packs.loader import Pack

#: The severity of a benign finding whose condition the input breaks: worth a look.
BROKEN_SEVERITY: Severity = "warning"


def _firsts(f: Finding) -> dict[str, Seen]:
    """Where a finding first occurs in each source it occurs in, as far as the finding tells."""
    if f.first_seen_in:
        return dict(f.first_seen_in)
    firsts = {f.first_seen.source: f.first_seen}
    for e in f.evidence:
        firsts.setdefault(e.source, Seen(source=e.source, line=e.line))
    return firsts


def _same(f: Finding, other: Finding, names: Iterable[str]) -> bool:
    """Whether ``other`` is about the same thing: every named field agrees where both have it."""
    for name in names:
        mine, theirs = f.fields.get(name), other.fields.get(name)
        if mine is not None and theirs is not None and mine != theirs:
            return False
    return True


def failed_before(
    f: Finding, benign: Benign, findings: Sequence[Finding]
) -> tuple[Finding, Seen] | None:
    """The latest ``unless_before`` finding that starts before ``f`` in one of ``f``'s sources."""
    if not benign.unless_before:
        return None
    starts = _firsts(f)
    best: tuple[Finding, Seen] | None = None
    for other in findings:
        if other.id not in benign.unless_before or not _same(f, other, benign.same_fields):
            continue
        for source, seen in _firsts(other).items():
            start = starts.get(source)
            if start is None or seen.line >= start.line:
                continue
            if best is None or (seen.source, seen.line, other.id) > (
                best[1].source,
                best[1].line,
                best[0].id,
            ):
                best = (other, seen)
    return best


def _verdict(f: Finding, sig: Signature, benign: Benign, findings: Sequence[Finding]) -> Finding:
    condition = None if benign.condition is None else fill(benign.condition.strip(), f.fields)
    failed = failed_before(f, benign, findings)
    if failed is None or benign.unless_reason is None:
        verdict = Verdict(
            benign=True, reason=fill(benign.reason.strip(), f.fields), condition=condition
        )
        return f.model_copy(update={"verdict": verdict, "severity": sig.severity})
    other, seen = failed
    values: dict[str, FieldValue] = {
        **f.fields,
        "failed_id": other.id,
        "failed_title": other.title,
        "failed_at": f"{seen.source}:{seen.line}",
    }
    verdict = Verdict(
        benign=False,
        reason=fill(benign.unless_reason.strip(), values),
        condition=condition,
        against=seen,
    )
    severity = worst_severity((sig.severity, BROKEN_SEVERITY)) or sig.severity
    return f.model_copy(update={"verdict": verdict, "severity": severity})


def apply_verdicts(
    findings: Sequence[Finding],
    signatures: Iterable[Signature] | Mapping[str, Signature],
    sources: Sequence[str] | None = None,
) -> list[Finding]:
    """The findings with verdicts for every signature that has a ``benign`` block.

    Severity is taken from the signature again (raised to ``warning`` when the
    condition is broken), so applying this twice, or after merging reports
    whose parts each had verdicts, gives the same result. The findings are
    sorted again as aggregation sorts them, ``sources`` giving the input order
    (by default, the order in which the findings' sources first appear).
    """
    by_id = dict(signatures) if isinstance(signatures, Mapping) else {s.id: s for s in signatures}
    out = []
    for f in findings:
        sig = by_id.get(f.id)
        if sig is not None and sig.benign is not None:
            f = _verdict(f, sig, sig.benign, findings)
        out.append(f)
    if sources is None:
        sources = list(dict.fromkeys(f.first_seen.source for f in findings))
    return finalise(out, list(sources))


def review(
    report: Report, pack: Pack, tap_version: str | None
) -> tuple[Report, tuple[DiagnosisSpec, ...]]:
    """Verdicts and the release's steps for the findings, and the diagnoses' specs for that release.

    What ``Classifier.diagnosed`` does before drawing diagnoses: judge benign
    lines, settle the TAP release (given, else inferred from the findings),
    keep only the steps that fit it.
    """
    sources = [s.source for s in report.stats.sources]
    findings = apply_verdicts(report.findings, pack.signatures, sources)
    tap = resolve_tap_version(tap_version, findings)
    findings = release_remediation(findings, {s.id: s for s in pack.signatures}, tap)
    specs = tuple(
        d.model_copy(update={"remediation": select_steps(d.remediation, tap)})
        if has_release_steps(d.remediation)
        else d
        for d in pack.diagnoses
    )
    return report.model_copy(update={"findings": findings, "tap_version": tap}), specs
