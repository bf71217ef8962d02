"""Fold matches into findings: one per signature and distinguishing field values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .models import Evidence, FieldValue, Finding, Match, Seen
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
    first: Match
    last: Match
    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Aggregator:
    """Collects matches as they stream by; ``findings()`` builds the results."""

    signatures: Mapping[str, Signature]
    max_evidence: int = 5
    groups: dict[tuple[str, tuple[tuple[str, FieldValue], ...]], _Group] = field(
        default_factory=dict
    )
    last_line: dict[tuple[str, str], int] = field(default_factory=dict)
    source_order: dict[str, int] = field(default_factory=dict)

    def add(self, match: Match) -> None:
        sig = self.signatures[match.id]
        key = (match.id, tuple((k, match.fields.get(k)) for k in sig.group_by))
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(first=match, last=match)
        group.count += 1
        group.last = match
        if len(group.evidence) < self.max_evidence:
            group.evidence.append(
                Evidence(
                    source=match.source,
                    line=match.line,
                    end_line=match.end_line,
                    text=_clip(match.text),
                )
            )
        self.source_order.setdefault(match.source, len(self.source_order))
        self.last_line[(match.id, match.source)] = max(
            match.line, self.last_line.get((match.id, match.source), 0)
        )

    def _verified(self, sig: Signature, last: Match) -> bool:
        return any(self.last_line.get((v, last.source), 0) > last.line for v in sig.verify)

    def findings(self) -> list[Finding]:
        out = []
        for (sig_id, key), group in self.groups.items():
            sig = self.signatures[sig_id]
            fields = group.first.fields
            out.append(
                Finding(
                    id=sig.id,
                    title=sig.title,
                    severity=sig.severity,
                    component=sig.component,
                    category=sig.category,
                    count=group.count,
                    first_seen=Seen(
                        source=group.first.source, line=group.first.line, ts=group.first.ts
                    ),
                    last_seen=Seen(
                        source=group.last.source, line=group.last.line, ts=group.last.ts
                    ),
                    evidence=group.evidence,
                    fields=fields,
                    group_fields=dict(key),
                    explanation=fill(sig.explanation.strip(), fields),
                    remediation=render_steps(sig.remediation, fields),
                    verify=list(sig.verify),
                    verified=self._verified(sig, group.last),
                    references=list(sig.references),
                    fingerprint=fingerprint(sig.id, key),
                )
            )
        order = self.source_order
        out.sort(
            key=lambda f: (
                -SEVERITY_RANK[f.severity],
                order.get(f.first_seen.source, 0),
                f.first_seen.line,
                f.id,
            )
        )
        return out
