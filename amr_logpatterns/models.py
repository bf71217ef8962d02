"""The results the library hands out: Pydantic models, frozen, JSON round-trippable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .schema import SEVERITY_RANK, RemediationStep, Severity

FieldValue = bool | int | float | str | None


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Match(_Result):
    """One record that one signature recognised."""

    id: str
    severity: Severity
    source: str
    line: int
    end_line: int
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    text: str
    ts: str | None = None


class Evidence(_Result):
    """A record shown as proof of a finding: where it is and what it says."""

    source: str
    line: int
    end_line: int
    text: str


class Seen(_Result):
    """A point in the input: source, line and, where the record had one, its timestamp."""

    source: str
    line: int
    ts: str | None = None


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
    verified: bool = False
    references: list[str] = Field(default_factory=list)
    fingerprint: str
    last_lines: dict[str, int] = Field(default_factory=dict)


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


class SourceStats(_Result):
    """What was read from one input."""

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
    read_error: str | None = None


class Stats(_Result):
    """Totals over all inputs, and the figures of each."""

    lines_read: int = 0
    records: int = 0
    matches: int = 0
    error_records: int = 0
    unexplained_error_records: int = 0
    error_signature_sets: dict[str, int] = Field(default_factory=dict)
    evidence_limit: int = 5
    sources: list[SourceStats] = Field(default_factory=list)


class Report(_Result):
    """Everything the classifier concluded about its input."""

    findings: list[Finding] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    stats: Stats = Field(default_factory=Stats)
    max_severity: Severity | None = None

    def merge(self, *others: Report) -> Report:
        """This report followed by ``others``, as if their inputs had been read in one run.

        Findings, counts, first/last seen, evidence and stats combine exactly;
        diagnoses are left empty for ``Classifier.merge`` to draw again.
        """
        from .merge import merge_reports

        return merge_reports([self, *others])

    def has_severity(self, at_least: Severity) -> bool:
        """Whether any finding or diagnosis is at least this severe."""
        return self.max_severity is not None and (
            SEVERITY_RANK[self.max_severity] >= SEVERITY_RANK[at_least]
        )
