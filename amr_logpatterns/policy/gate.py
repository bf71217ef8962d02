"""The CI gate: choose what counts, set aside what the team accepted, and decide pass or fail.

Nothing is dropped silently: findings left out by ``only``/``exclude`` are
counted as excluded, suppressed and baselined ones stay in the report marked
with why, and findings below ``min_severity`` are counted as hidden (they
still fail the gate when they reach ``fail_on``). Findings with a benign
verdict never fail it; recovered problems do unless ``ignore_recovered``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from amr_logpatterns.models.results import (
    Diagnosis,
    FailOn,
    Finding,
    Gate,
    Report,
    Suppression,
    failing_name,
)
from amr_logpatterns.packs.schema import SEVERITY_RANK, Severity, worst_severity
from amr_logpatterns.policy.config import IgnoreEntry
from amr_logpatterns.policy.selectors import glob_matches, selected
from amr_logpatterns.wording import plural


@dataclass(frozen=True)
class Ignore:
    """An ignore entry and where it was written (``file:line``), for messages and SARIF."""

    entry: IgnoreEntry
    origin: str


@dataclass(frozen=True)
class Policy:
    """What the pipeline asked for; ``baseline`` holds ``id:fingerprint`` keys of known problems.

    ``expect`` names AMR components the input must hold records of (``any``: at
    least one of them): a log collection that failed then fails the gate.
    """

    fail_on: FailOn = "error"
    min_severity: Severity = "info"
    only: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignores: tuple[Ignore, ...] = ()
    baseline: frozenset[str] = frozenset()
    baseline_origin: str = ""
    ignore_recovered: bool = False
    expect: tuple[str, ...] = ()
    today: date = field(default_factory=date.today)


def baseline_key(item: Finding | Diagnosis) -> str:
    """The identity a baseline remembers: the id and the position-free fingerprint."""
    return f"{item.id}:{item.fingerprint}"


def _field_matches(entry: IgnoreEntry, finding: Finding | Diagnosis) -> bool:
    if not entry.fields:
        return True
    if not isinstance(finding, Finding):
        return False
    values = {**finding.fields, **finding.group_fields}
    return all(k in values and str(values[k]) == str(v) for k, v in entry.fields.items())


def _covers(entry: IgnoreEntry, item: Finding | Diagnosis) -> bool:
    if entry.id is not None and not glob_matches(entry.id, item.id):
        return False
    if entry.fingerprint is not None and entry.fingerprint != item.fingerprint:
        return False
    return _field_matches(entry, item)


class _Suppressor:
    """Applies ignore entries and the baseline, remembering which entries did any work."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.live: list[Ignore] = []
        self.notices: list[str] = []
        for ignore in policy.ignores:
            expires = ignore.entry.expires
            if expires is not None and expires < policy.today:
                self.notices.append(
                    f"ignore entry at {ignore.origin} ({_name(ignore.entry)}) expired on "
                    f"{expires.isoformat()} and no longer applies; renew or remove it"
                )
            else:
                self.live.append(ignore)
        self.used: set[int] = set()

    def suppression(self, item: Finding | Diagnosis) -> Suppression | None:
        for i, ignore in enumerate(self.live):
            if _covers(ignore.entry, item):
                self.used.add(i)
                return Suppression(
                    kind="ignore",
                    reason=ignore.entry.reason,
                    origin=ignore.origin,
                    expires=ignore.entry.expires,
                )
        if baseline_key(item) in self.policy.baseline:
            return Suppression(
                kind="baseline",
                reason="already present in the baseline",
                origin=self.policy.baseline_origin,
            )
        return None

    def unused_notices(self) -> list[str]:
        return [
            f"ignore entry at {ignore.origin} ({_name(ignore.entry)}) matched nothing in this input"
            for i, ignore in enumerate(self.live)
            if i not in self.used
        ]


def _name(entry: IgnoreEntry) -> str:
    return entry.id if entry.id is not None else f"fingerprint {entry.fingerprint}"


def _benign(item: Finding | Diagnosis, benign_ids: frozenset[str] = frozenset()) -> bool:
    """A harmless finding, or a diagnosis that rests only on harmless findings."""
    if isinstance(item, Finding):
        return item.verdict is not None and item.verdict.benign
    return bool(item.finding_ids) and all(i in benign_ids for i in item.finding_ids)


def _recovered(item: Finding | Diagnosis) -> bool:
    return item.recovery is not None and item.recovery.status == "recovered"


def reaches(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is at or above ``threshold`` (``never``: nothing is)."""
    return threshold != "never" and SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


#: ``--expect any``: the input must hold records of at least one AMR component.
ANY_COMPONENT = "any"


def missing_components(report: Report, expect: tuple[str, ...]) -> list[str]:
    """The expected components the input held no record of (``any`` when it held none)."""
    seen = set(report.components_seen)
    return [c for c in expect if (not seen if c == ANY_COMPONENT else c not in seen)]


def input_notices(report: Report) -> list[str]:
    """What a reader must know before trusting a clean report: the input was not readable."""
    stats = report.stats
    flawed = (
        f"{plural(stats.decode_errors, 'line')} with invalid UTF-8,"
        f" {stats.nul_lines} with NUL bytes"
    )
    if report.unreadable and not stats.lines_read:
        return ["the input is empty: nothing was checked"]
    if report.unreadable and not any(src.text_lines for src in stats.sources):
        lines = plural(stats.lines_read, "line")
        return [f"the input holds only blank lines ({lines}): nothing was checked"]
    if report.unreadable:
        lines = plural(stats.lines_read, "line")
        return [f"the input held no readable records ({lines} read: {flawed}); nothing was checked"]
    text = sum(src.text_lines for src in stats.sources)
    if text and (stats.decode_errors + stats.nul_lines) * 2 > text:
        return [
            f"most of the input is not readable text ({text} lines of text: {flawed}):"
            " is it binary, or in another encoding than UTF-8?"
        ]
    return []


def apply_policy(report: Report, policy: Policy) -> Report:
    """The report as the pipeline sees it, with the ``gate`` verdict filled in."""
    findings = [
        f
        for f in report.findings
        if (not policy.only or selected(f.id, f.component, policy.only))
        and not selected(f.id, f.component, policy.exclude)
    ]
    kept_ids = {f.id for f in findings}
    diagnoses = [
        d
        for d in report.diagnoses
        if not selected(d.id, "diagnosis", policy.exclude)
        and (
            selected(d.id, "diagnosis", policy.only)
            or (
                (not policy.only or any(i in kept_ids for i in d.finding_ids))
                and (not d.finding_ids or any(i in kept_ids for i in d.finding_ids))
            )
        )
    ]
    excluded = len(report.findings) - len(findings) + len(report.diagnoses) - len(diagnoses)

    suppressor = _Suppressor(policy)
    findings = [f.model_copy(update={"suppressed": suppressor.suppression(f)}) for f in findings]
    diagnoses = [d.model_copy(update={"suppressed": suppressor.suppression(d)}) for d in diagnoses]
    items: list[Finding | Diagnosis] = [*diagnoses, *findings]
    harmless = frozenset(f.id for f in report.findings if _benign(f)) - {
        f.id for f in report.findings if not _benign(f)
    }
    failing_items = [
        i
        for i in items
        if i.suppressed is None
        and i.severity != "info"  # a signal (or a harmless root cause) has nothing to fix
        and not _benign(i, harmless)
        and not (policy.ignore_recovered and _recovered(i))
        and reaches(i.severity, policy.fail_on)
    ]
    failing = [failing_name(i) for i in failing_items]
    # anything that needs attention: what no signature knows, at warning level or worse
    unknown = report.stats.unknown_records if policy.fail_on == "info" else 0
    missing = missing_components(report, policy.expect)
    shown_findings = [f for f in findings if reaches(f.severity, policy.min_severity)]
    shown_diagnoses = [d for d in diagnoses if reaches(d.severity, policy.min_severity)]
    hidden = len(items) - len(shown_findings) - len(shown_diagnoses)
    gate = Gate(
        fail_on=policy.fail_on,
        failed=bool(failing or missing or unknown),
        failing_unknown=unknown,
        failing=failing,
        suppressed=sum(1 for i in items if i.suppressed and i.suppressed.kind == "ignore"),
        baselined=sum(1 for i in items if i.suppressed and i.suppressed.kind == "baseline"),
        excluded=excluded,
        hidden=hidden,
        benign=sum(1 for i in items if _benign(i, harmless)),
        recovered=sum(1 for i in items if _recovered(i)),
        ignore_recovered=policy.ignore_recovered,
        min_severity=policy.min_severity,
        expected=list(policy.expect),
        missing=missing,
        notices=[*input_notices(report), *suppressor.notices, *suppressor.unused_notices()],
    )
    shown: list[Finding | Diagnosis] = [*shown_diagnoses, *shown_findings]
    worst = worst_severity(i.severity for i in shown)
    return report.model_copy(
        update={
            "findings": shown_findings,
            "diagnoses": shown_diagnoses,
            "gate": gate,
            "max_severity": worst,
        }
    )
