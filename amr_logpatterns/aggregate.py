"""Fold matches into findings: one per signature and distinguishing field values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .models import Evidence, FieldValue, Finding, Seen
from .records import LogRecord
from .schema import SEVERITY_RANK, RemediationStep, Signature

MAX_EVIDENCE_TEXT = 4096
_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, fields: Mapping[str, FieldValue]) -> str:
    """Put extracted values into ``{name}`` placeholders; unknown names stay as written."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        return str(fields[name]) if name in fields and fields[name] is not None else m.group(0)

    return _TEMPLATE.sub(repl, template)


def render_steps(
    steps: Iterable[RemediationStep], fields: Mapping[str, FieldValue]
) -> list[RemediationStep]:
    """Remediation steps with the extracted values filled in."""
    return [
        RemediationStep(
            text=fill(s.text, fields),
            command=None if s.command is None else fill(s.command, fields),
            config=None if s.config is None else fill(s.config, fields),
        )
        for s in steps
    ]


def fingerprint(signature_id: str, key: tuple[tuple[str, FieldValue], ...]) -> str:
    """A stable identity for a finding: signature and distinguishing values, no positions."""
    text = signature_id + "".join(f"|{k}={v!r}" for k, v in key)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _clip(text: str) -> str:
    if len(text) <= MAX_EVIDENCE_TEXT:
        return text
    return text[:MAX_EVIDENCE_TEXT] + f"… [{len(text) - MAX_EVIDENCE_TEXT} more characters]"


@dataclass
class _Group:
    first: Seen
    last: Seen
    fields: dict[str, FieldValue]
    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    last_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Aggregator:
    """Collects matches as they stream by; ``findings()`` builds the results."""

    signatures: Mapping[str, Signature]
    max_evidence: int = 5
    groups: dict[tuple[str, tuple[tuple[str, FieldValue], ...]], _Group] = field(
        default_factory=dict
    )
    source_order: dict[str, int] = field(default_factory=dict)

    def add(self, sig: Signature, record: LogRecord, fields: dict[str, FieldValue]) -> None:
        key = (sig.id, tuple((k, fields.get(k)) for k in sig.group_by))
        group = self.groups.get(key)
        seen = Seen(source=record.source, line=record.line, ts=record.ts)
        if group is None:
            group = self.groups[key] = _Group(first=seen, last=seen, fields=fields)
            self.source_order.setdefault(record.source, len(self.source_order))
        group.count += 1
        group.last = seen
        group.last_lines[record.source] = record.line
        if len(group.evidence) < self.max_evidence:
            group.evidence.append(
                Evidence(
                    source=record.source,
                    line=record.line,
                    end_line=record.end_line,
                    text=_clip(record.text),
                )
            )

    def findings(self) -> list[Finding]:
        out = []
        for (sig_id, key), group in self.groups.items():
            sig = self.signatures[sig_id]
            fields = group.fields
            out.append(
                Finding(
                    id=sig.id,
                    title=sig.title,
                    severity=sig.severity,
                    component=sig.component,
                    category=sig.category,
                    count=group.count,
                    first_seen=group.first,
                    last_seen=group.last,
                    evidence=group.evidence,
                    fields=fields,
                    group_fields=dict(key),
                    explanation=fill(sig.explanation.strip(), fields),
                    remediation=render_steps(sig.remediation, fields),
                    verify=list(sig.verify),
                    references=list(sig.references),
                    fingerprint=fingerprint(sig.id, key),
                    last_lines=group.last_lines,
                )
            )
        return finalise(out, list(self.source_order))


def finalise(findings: list[Finding], sources: list[str]) -> list[Finding]:
    """Mark findings whose healthy signal appears later in the same source; sort them."""
    latest: dict[tuple[str, str], int] = {}
    for f in findings:
        for source, line in f.last_lines.items():
            latest[(f.id, source)] = max(line, latest.get((f.id, source), 0))
    order = {source: i for i, source in enumerate(sources)}
    out = [
        f.model_copy(
            update={
                "verified": any(
                    latest.get((v, f.last_seen.source), 0) > f.last_seen.line for v in f.verify
                )
            }
        )
        for f in findings
    ]
    out.sort(
        key=lambda f: (
            -SEVERITY_RANK[f.severity],
            order.get(f.first_seen.source, len(order)),
            f.first_seen.line,
            f.id,
        )
    )
    return out
