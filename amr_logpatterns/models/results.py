"""The results the library hands out: Pydantic models, frozen, JSON round-trippable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from amr_logpatterns.packs.schema import SEVERITY_RANK, RemediationStep, Severity

FieldValue = bool | int | float | str | None

#: The version of the report's JSON shape (``Report.schema_version``), raised when a
#: field changes meaning or goes away (new fields keep it).
SCHEMA_VERSION = 1


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Match(_Result):
    """One record that one signature recognised; ``cut`` when its line was longer than the
    line cap, so ``text`` is the line's start."""

    id: str
    severity: Severity
    source: str
    line: int
    end_line: int
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    text: str
    ts: str | None = None
    cut: bool = False


class Evidence(_Result):
    """A record shown as proof of a finding: where, when (its own ``ts``), what it says (``cut``:
    only the start of a line longer than the line cap)."""

    source: str
    line: int
    end_line: int
    text: str
    cut: bool = False
    ts: str | None = None


class Seen(_Result):
    """A point in the input: source, line and, where the record had one, its timestamp."""

    source: str
    line: int
    ts: str | None = None


class Suppression(_Result):
    """Why a finding or diagnosis no longer fails the gate, and who said so.

    ``kind`` is ``ignore`` (an entry of the config file) or ``baseline`` (the
    fingerprint was in an earlier report); ``origin`` is where that was said.
    """

    kind: Literal["ignore", "baseline"]
    reason: str
    origin: str
    expires: date | None = None


class Recovery(_Result):
    """Whether a problem was still happening when the input ended, judged by its healthy signals.

    ``recovered`` when one of the finding's ``verify`` signals appears after its
    last occurrence in the same source, else ``ongoing``. ``duration_seconds``
    runs from the first occurrence to the recovery (or to the last occurrence
    while ongoing), when both records carry timestamps.
    """

    status: Literal["ongoing", "recovered"]
    since: Seen
    last_failure: Seen
    recovered_at: Seen | None = None
    signal: str | None = None
    duration_seconds: float | None = None


class Verdict(_Result):
    """Why an error-looking finding is harmless here (``benign``), or why it is not after all.

    ``condition`` states what the harmlessness depends on; ``against`` points
    at the record that broke the condition (e.g. the failed earlier attempt).
    """

    benign: bool
    reason: str
    condition: str | None = None
    against: Seen | None = None


class Finding(_Result):
    """All matches of one signature (per distinguishing fields), with what to do about it."""

    id: str
    title: str
    severity: Severity
    component: str
    category: str
    count: int
    first_seen: Seen
    last_seen: Seen
    evidence: list[Evidence]
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    group_fields: dict[str, FieldValue] = Field(default_factory=dict)
    explanation: str
    remediation: list[RemediationStep] = Field(default_factory=list)
    verify: list[str] = Field(default_factory=list)
    verify_titles: dict[str, str] = Field(default_factory=dict)
    verified: bool = False
    references: list[str] = Field(default_factory=list)
    fingerprint: str
    last_lines: dict[str, int] = Field(default_factory=dict)
    first_seen_in: dict[str, Seen] = Field(default_factory=dict)
    recovery: Recovery | None = None
    verdict: Verdict | None = None
    explained_by: list[str] = Field(default_factory=list)
    suppressed: Suppression | None = None


class Diagnosis(_Result):
    """A root cause concluded from several findings."""

    id: str
    title: str
    severity: Severity
    confidence: str
    summary: str
    explanation: str
    remediation: list[RemediationStep] = Field(default_factory=list)
    finding_ids: list[str] = Field(default_factory=list)
    symptom_ids: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    fingerprint: str = ""
    recovery: Recovery | None = None
    suppressed: Suppression | None = None


class SourceStats(_Result):
    """What was read from one input.

    ``regex_timeouts`` counts the times a signature was given up on a record
    because a regex search ran past the time limit (that signature did not match it).
    ``readable_lines`` are the text lines with neither invalid UTF-8 nor NUL bytes:
    none means the input held nothing to read (empty, binary, not UTF-8).
    """

    source: str
    lines_read: int = 0
    blank_lines: int = 0
    skipped_lines: int = 0
    records: int = 0
    text_lines: int = 0
    decode_errors: int = 0
    nul_lines: int = 0
    truncated_lines: int = 0
    error_records: int = 0
    unexplained_error_records: int = 0
    matches: int = 0
    regex_timeouts: int = 0
    readable_lines: int = 0
    read_error: str | None = None

    @property
    def unreadable(self) -> bool:
        """No line of text, or every one of them with invalid UTF-8 or NUL bytes."""
        if self.records == 0 and self.text_lines == 0:
            return True
        flawed = self.decode_errors + self.nul_lines
        return 0 < self.text_lines <= flawed and self.readable_lines == 0


class Presence(_Result):
    """Records of one AMR component in one source: what a gate's ``expect`` asks for.

    ``log_records`` are records of its log its signatures recognised;
    ``log_lines`` are lines read under a path (``.../NS_POD_UID/CONTAINER/0.log``)
    or a pasted ``kubectl logs`` command that names its pod; ``pod_state_records``
    are rows, ``describe`` blocks, events, ``top`` rows and kernel kills about its pods.
    """

    component: str
    title: str
    source: str
    log_records: int = 0
    log_lines: int = 0
    pod_state_records: int = 0

    @property
    def kinds(self) -> list[str]:
        """``logs`` and ``pod state``, for what this source held."""
        return [
            kind
            for kind, count in (
                ("logs", self.log_records + self.log_lines),
                ("pod state", self.pod_state_records),
            )
            if count
        ]


class Stats(_Result):
    """Totals over all inputs, and the figures of each.

    ``regex_timeouts_by_signature`` says which signatures ``regex_timeouts`` gave up,
    and on how many records, so the pattern to fix is named.
    """

    lines_read: int = 0
    records: int = 0
    matches: int = 0
    error_records: int = 0
    unexplained_error_records: int = 0
    error_signature_sets: dict[str, int] = Field(default_factory=dict)
    unknown_records: int = 0
    unknown_templates_dropped: int = 0
    unknown_template_limit: int = 200
    evidence_limit: int = 5
    regex_timeouts: int = 0
    regex_timeouts_by_signature: dict[str, int] = Field(default_factory=dict)
    readable_lines: int = 0
    sources: list[SourceStats] = Field(default_factory=list)

    @property
    def decode_errors(self) -> int:
        return sum(s.decode_errors for s in self.sources)

    @property
    def nul_lines(self) -> int:
        return sum(s.nul_lines for s in self.sources)


class UnknownTemplate(_Result):
    """Warning-or-worse records no signature explained, grouped by their masked message.

    Timestamps, numbers, UUIDs, IPs, hex ids and quoted values are masked, so
    a thousand repeats of one unknown error are one template with its count.
    """

    template: str
    level: str
    count: int
    first_seen: Seen
    example: str


class TapVersion(_Result):
    """The Tanzu Application Platform release the advice is written for, and how it was known.

    ``source`` is ``given`` (``--tap-version``), ``inferred`` (from names in the
    input, quoted in ``evidence``) or ``unknown`` (advice names both spellings).
    """

    version: str | None = None
    source: Literal["given", "inferred", "unknown"] = "unknown"
    evidence: str | None = None


#: Why files were left unread (``SkippedFiles.reason``); each value is stable, for scripts.
#: ``other-pod``: the path names a pod that no AMR component of the loaded packs runs in.
SkipReason = Literal["other-pod"]


class SkippedFiles(_Result):
    """Files (and archive members) found in a directory or bundle and not read, for one reason.

    ``other-pod``: the path names, by a bundle's layout (``kubectl cluster-info dump``,
    must-gather, support bundles, node logs), a pod that no component of the packs
    accepts, so no line of it could have been attributed to AMR. ``bytes`` are the
    bytes stored (compressed for ``.gz``), ``sources`` the names a report would have
    given them, in input order. A file named on its own is never skipped.
    """

    reason: SkipReason
    files: int = 0
    bytes: int = 0
    sources: list[str] = Field(default_factory=list)


def sum_skipped(groups: Iterable[SkippedFiles]) -> list[SkippedFiles]:
    """The groups added up per reason (files, bytes, sources in order), in first-seen order."""
    by_reason: dict[str, SkippedFiles] = {}
    for g in groups:
        held = by_reason.get(g.reason)
        by_reason[g.reason] = (
            g
            if held is None
            else held.model_copy(
                update={
                    "files": held.files + g.files,
                    "bytes": held.bytes + g.bytes,
                    "sources": [*held.sources, *g.sources],
                }
            )
        )
    return list(by_reason.values())


FailOn = Literal["info", "warning", "error", "never"]


class Gate(_Result):
    """The CI verdict: what fails the run once suppressions, baselines and filters applied.

    ``failing`` names each finding (``id (fingerprint)``) and diagnosis (its id)
    that fails it (``failing_findings``, ``failing_root_causes`` count them); signals and
    harmless findings never do. With ``fail_on="info"`` (anything that needs
    attention) the warning-or-worse records no signature knows fail it too
    (``failing_unknown`` counts them). The other counts say what was set aside and why, so
    nothing vanishes.
    ``expected`` are the components the pipeline expects records of
    (``--expect``); ``missing`` those the input held no record of, which fail it too.
    """

    fail_on: FailOn = "error"
    failed: bool = False
    failing: list[str] = Field(default_factory=list)
    failing_unknown: int = 0
    expected: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    suppressed: int = 0
    baselined: int = 0
    excluded: int = 0
    hidden: int = 0
    benign: int = 0
    recovered: int = 0
    ignore_recovered: bool = False
    min_severity: Severity = "info"
    notices: list[str] = Field(default_factory=list)

    @property
    def failing_findings(self) -> int:
        """How many findings fail the gate (``failing`` names them ``id (fingerprint)``)."""
        return sum(1 for name in self.failing if name.endswith(")"))

    @property
    def failing_root_causes(self) -> int:
        """How many diagnoses fail the gate (``failing`` names them by id alone)."""
        return len(self.failing) - self.failing_findings

    def fails(self, item: Finding | Diagnosis) -> bool:
        """Whether ``item`` is one of those that fail the gate (named in ``failing``)."""
        return failing_name(item) in self.failing


def failing_name(item: Finding | Diagnosis) -> str:
    """How ``Gate.failing`` names an item: ``id (fingerprint)`` for a finding, the id for a
    diagnosis."""
    return f"{item.id} ({item.fingerprint})" if isinstance(item, Finding) else item.id


class Report(_Result):
    """Everything the classifier concluded about its input.

    ``checked`` lists every signature and diagnosis id that was run (so a CI
    report can show what passed); ``gate`` is set once a policy was applied.
    ``seen`` says which AMR components the input held records of, and where.
    ``skipped_files`` counts, by reason, the files of a directory or bundle that were
    not read (another pod's log); skipped files count for no component in ``seen``.
    ``schema_version`` is the shape of this JSON (``SCHEMA_VERSION``): what
    ``scan --format json`` writes reads back with ``Report.model_validate_json``.
    """

    schema_version: int = SCHEMA_VERSION
    findings: list[Finding] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    stats: Stats = Field(default_factory=Stats)
    max_severity: Severity | None = None
    checked: list[str] = Field(default_factory=list)
    unknown: list[UnknownTemplate] = Field(default_factory=list)
    tap_version: TapVersion = Field(default_factory=TapVersion)
    seen: list[Presence] = Field(default_factory=list)
    skipped_files: list[SkippedFiles] = Field(default_factory=list)
    gate: Gate | None = None

    @property
    def components_seen(self) -> list[str]:
        """The AMR components the input held records of, in the order first seen."""
        return list(dict.fromkeys(p.component for p in self.seen))

    @property
    def unreadable(self) -> bool:
        """Whether the input held no readable line at all (empty, binary, not UTF-8)."""
        return bool(self.stats.sources) and all(s.unreadable for s in self.stats.sources)

    def has_severity(self, at_least: Severity) -> bool:
        """Whether any finding or diagnosis is at least this severe."""
        return self.max_severity is not None and (
            SEVERITY_RANK[self.max_severity] >= SEVERITY_RANK[at_least]
        )
