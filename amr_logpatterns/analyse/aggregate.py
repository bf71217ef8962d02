"""Fold matches into findings: one per signature and distinguishing field values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from amr_logpatterns.analyse.timestamps import duration_between, elapsed
from amr_logpatterns.models.quantities import format_memory, raised_memory_limit
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import Evidence, FieldValue, Finding, Recovery, Seen
from amr_logpatterns.packs.schema import SEVERITY_RANK, RemediationStep, Signature
from amr_logpatterns.wording import clip

MAX_EVIDENCE_TEXT = 4096
_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _suggested_memory_limit(fields: Mapping[str, FieldValue]) -> FieldValue:
    limit = fields.get("limits_memory_bytes")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        return None
    return format_memory(raised_memory_limit(limit))


#: Placeholders worked out from the extracted values, for advice that quotes them: the
#: fields each needs, and how it is worked out.
DERIVED: dict[str, tuple[frozenset[str], Callable[[Mapping[str, FieldValue]], FieldValue]]] = {
    "suggested_memory_limit": (frozenset({"limits_memory_bytes"}), _suggested_memory_limit),
}


def derivable(fields: frozenset[str]) -> frozenset[str]:
    """The ``DERIVED`` placeholders that these fields can fill."""
    return frozenset(name for name, (needs, _) in DERIVED.items() if needs <= fields)


def value_of(fields: Mapping[str, FieldValue], name: str) -> FieldValue:
    """An extracted value, or one worked out from them (``DERIVED``); None when unknown."""
    value = fields.get(name)
    if value is None and name in DERIVED:
        value = DERIVED[name][1](fields)
    return value


def fill(template: str, fields: Mapping[str, FieldValue]) -> str:
    """Put extracted values into ``{name}`` placeholders; unknown names stay as written."""

    def repl(m: re.Match[str]) -> str:
        value = value_of(fields, m.group(1))
        return m.group(0) if value is None else str(value)

    return _TEMPLATE.sub(repl, template)


def _known(fields: Mapping[str, FieldValue], name: str) -> bool:
    return value_of(fields, name) is not None


def fields_allow(step: RemediationStep, fields: Mapping[str, FieldValue]) -> bool:
    """Whether a step's ``if_known``/``if_unknown`` fields were (not) found."""
    return all(_known(fields, n) for n in step.if_known) and not any(
        _known(fields, n) for n in step.if_unknown
    )


def render_steps(
    steps: Iterable[RemediationStep], fields: Mapping[str, FieldValue]
) -> list[RemediationStep]:
    """Remediation steps with the extracted values filled in (the steps their fields allow)."""
    return [
        s.model_copy(
            update={
                "text": fill(s.text, fields),
                "command": None if s.command is None else fill(s.command, fields),
                "config": None if s.config is None else fill(s.config, fields),
                "if_known": [],
                "if_unknown": [],
            }
        )
        for s in steps
        if fields_allow(s, fields)
    ]


def fingerprint(signature_id: str, key: tuple[tuple[str, FieldValue], ...]) -> str:
    """A stable identity for a finding: signature and distinguishing values, no positions."""
    text = signature_id + "".join(f"|{k}={v!r}" for k, v in key)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def clip_evidence(text: str) -> str:
    """Evidence text as a report keeps it: cut at ``MAX_EVIDENCE_TEXT``, the rest counted."""
    return clip(text, MAX_EVIDENCE_TEXT, more="… [{n} more characters]")


#: Group fields that say which workload a finding is about: a healthy signal about one
#: workload (the Store's app) does not recover another's problem (its database).
IDENTITY = ("workload",)


def identity_of(group_fields: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """The ``IDENTITY`` values a finding is grouped by, where it has them."""
    return {k: group_fields[k] for k in IDENTITY if group_fields.get(k) is not None}


def same_identity(a: Mapping[str, FieldValue], b: Mapping[str, FieldValue]) -> bool:
    """Whether two findings may be about the same workload (they differ in none they share)."""
    return all(a[k] == b[k] for k in a.keys() & b.keys())


def follows(later: Seen, earlier: Seen) -> bool:
    """Whether ``later``, read after ``earlier`` in one source, comes after it: on a later
    line, or at a later time. Records reach the aggregator in line order, except those of
    a log store's answer, which come oldest first: all on its one line (``curl``), or on
    lines that list them newest first (Loki, pretty-printed)."""
    if later.line > earlier.line:
        return True
    seconds = duration_between(earlier, later)
    return seconds is not None and seconds > 0


#: Severities whose findings get a recovery: the problems, not the informational signals.
RECOVERABLE = frozenset(("warning", "error"))


@dataclass
class _Group:
    first: Seen
    last: Seen
    fields: dict[str, FieldValue]
    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    last_lines: dict[str, int] = field(default_factory=dict)
    first_in: dict[str, Seen] = field(default_factory=dict)
    verify: tuple[str, ...] = ()
    healed: tuple[Seen, str] | None = None
    identity: dict[str, FieldValue] = field(default_factory=dict)

    def heal(self, seen: Seen, signal: str, about: Mapping[str, FieldValue]) -> None:
        """A verify signal was seen: it recovers this problem if it follows the last failure
        and is about the same workload (``about``: the signal's values of ``IDENTITY``)."""
        if seen.source != self.last.source or not follows(seen, self.last):
            return
        if not same_identity(self.identity, about):
            return
        if self.healed is None:
            self.healed = (seen, signal)
            return
        # two healthy signals on one line: the one listed first in ``verify`` wins, as in merge
        held, held_signal = self.healed
        if seen.line == held.line and self.verify.index(signal) < self.verify.index(held_signal):
            self.healed = (seen, signal)


def recovery_of(first: Seen, last: Seen, healed: tuple[Seen, str | None] | None) -> Recovery:
    """The recovery of a problem first and last seen at these points, healed or not."""
    if healed is None:
        return Recovery(
            status="ongoing",
            since=first,
            last_failure=last,
            duration_seconds=elapsed(first, last),
        )
    at, signal = healed
    return Recovery(
        status="recovered",
        since=first,
        last_failure=last,
        recovered_at=at,
        signal=signal,
        duration_seconds=elapsed(first, at),
    )


def seen_of(record: LogRecord) -> Seen:
    """Where a record is; its own timestamp, else the one its capture tool wrote before it."""
    return Seen(
        source=record.source,
        line=record.line,
        ts=record.ts or record.context.get("capture_ts"),
    )


@dataclass
class Aggregator:
    """Collects matches as they stream by; ``findings()`` builds the results.

    Recovery is judged in the same single pass: each problem remembers the first
    healthy signal of its ``verify`` list seen after its latest occurrence in
    that occurrence's source, and a new occurrence forgets it.
    """

    signatures: Mapping[str, Signature]
    max_evidence: int = 5
    groups: dict[tuple[str, tuple[tuple[str, FieldValue], ...]], _Group] = field(
        default_factory=dict
    )
    source_order: dict[str, int] = field(default_factory=dict)
    listeners: dict[str, list[_Group]] = field(default_factory=dict)

    def add(self, sig: Signature, record: LogRecord, fields: dict[str, FieldValue]) -> None:
        key = (sig.id, tuple((k, fields.get(k)) for k in sig.group_by))
        group = self.groups.get(key)
        seen = seen_of(record)
        about = identity_of(dict(key[1]))
        for waiting in self.listeners.get(sig.id, ()):
            waiting.heal(seen, sig.id, about)
        if group is None:
            verify = tuple(sig.verify) if sig.severity in RECOVERABLE else ()
            group = self.groups[key] = _Group(
                first=seen, last=seen, fields=fields, verify=verify, identity=about
            )
            for signal in dict.fromkeys(verify):
                self.listeners.setdefault(signal, []).append(group)
            self.source_order.setdefault(record.source, len(self.source_order))
        else:
            for name, value in fields.items():  # later matches add what the first lacked
                group.fields.setdefault(name, value)
        group.count += 1
        group.last = seen
        group.healed = None
        group.last_lines[record.source] = record.line
        group.first_in.setdefault(record.source, seen)
        if len(group.evidence) < self.max_evidence:
            group.evidence.append(
                Evidence(
                    source=record.source,
                    line=record.line,
                    end_line=record.end_line,
                    text=clip_evidence(record.text),
                    cut=record.cut,
                    ts=seen.ts,
                )
            )

    def findings(self) -> list[Finding]:
        out = []
        for (sig_id, key), group in self.groups.items():
            sig = self.signatures[sig_id]
            fields = group.fields
            recovery = recovery_of(group.first, group.last, group.healed) if group.verify else None
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
                    verify_titles={
                        v: self.signatures[v].title for v in sig.verify if v in self.signatures
                    },
                    references=list(sig.references),
                    fingerprint=fingerprint(sig.id, key),
                    last_lines=group.last_lines,
                    first_seen_in=group.first_in,
                    recovery=recovery,
                )
            )
        return finalise(out, list(self.source_order))


def finalise(findings: list[Finding], sources: list[str]) -> list[Finding]:
    """Mark findings whose healthy signal came after them (their recovery says so); sort them."""
    order = {source: i for i, source in enumerate(sources)}
    out = [
        f.model_copy(
            update={"verified": f.recovery is not None and f.recovery.status == "recovered"}
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
