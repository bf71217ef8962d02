"""The explanation as a text report: Read as, Matched, Did not match, Notes."""

from __future__ import annotations

from amr_logpatterns.explain.quoting import fields_line, quoted, show
from amr_logpatterns.explain.results import (
    LineExplanation,
    PhysicalLine,
    RecordExplanation,
    RecordReading,
)
from amr_logpatterns.peel.registry import TITLES


def _format_line(line: PhysicalLine) -> list[str]:
    """Read as: one physical line, what the reader and the wrappers did to it."""
    out = [f"  line {line.number}: {line.kind}" + (f" ({line.marker})" if line.marker else "")]
    reading = [line.encoding]
    if line.invalid_bytes:
        reading.append("invalid: " + ", ".join(line.invalid_bytes))
    if line.has_nul:
        reading.append("NUL bytes (read as U+FFFD)")
    if line.bom:
        reading.append("byte-order mark removed")
    if line.crlf:
        reading.append("CR line ending removed")
    if line.truncated:
        reading.append("truncated")
    out.append("    read: " + "; ".join(reading))
    if line.wrappers:
        peeled = " -> ".join(
            f"{TITLES.get(w.name, w.name)} {quoted(w.removed, 80)}" for w in line.wrappers
        )
        out.append(f"    peeled: {peeled}")
    if line.kind in ("text", "partial"):
        out.append(f"    text: {show(line.text)}")
    out += [f"    note: {note}" for note in line.notes]
    return out


def _label(index: int, record: RecordReading, several: bool) -> str:
    """How the report names a record: by its lines, and by its place when a line holds several."""
    span = (
        f"line {record.line}"
        if record.end_line == record.line
        else f"lines {record.line}-{record.end_line}"
    )
    return f"record {index} ({span})" if several else f"record ({span})"


def _format_record(record: RecordReading, label: str) -> list[str]:
    """Read as: one record, its attributes and the context attribution sees."""
    out = [f"  {label}: {record.format_description}"]
    attributes = [
        f"{name}: {value}"
        for name, value in (
            ("level", record.level),
            ("logger", record.logger),
            ("caller", record.caller),
            ("ts", record.ts),
        )
        if value is not None
    ]
    if attributes:
        out.append("    " + "   ".join(attributes))
    out.append(f"    message: {show(record.message)}")
    if record.fields:
        out.append(f"    fields: {fields_line(record.fields)}")
    if record.continuation:
        out.append(f"    continuation: {len(record.continuation)} line(s) attached")
    if record.context:
        out.append("    context (attribution sees):")
        out += [f"      {c.key}={c.value}  (from {c.origin})" for c in record.context]
    else:
        out.append("    context: none (nothing names the source; attribution accepts it)")
    return out


def _format_matches(record: RecordExplanation) -> list[str]:
    """Matched: each signature with its fields and any type problem."""
    out = []
    for m in record.matched:
        out.append(f"  {m.id} [{m.severity}] {m.title}")
        out.append(f"    fields: {fields_line(m.fields)}")
        for problem in m.type_problems:
            out.append(f"    types: {problem.summary}")
            out.append(f"    hint: {problem.hint}")
    return out


def _format_misses(record: RecordExplanation) -> list[str]:
    """Did not match: each near miss with its reason and hint."""
    out = []
    for miss in record.near_misses:
        out.append(f"  {miss.id} [{miss.severity}] {miss.reason}")
        out.append(f"    why: {miss.summary}")
        out.append(f"    hint: {miss.hint}")
    if record.not_shown:
        out.append(f"  ... and {record.not_shown} more, further from matching")
    return out


def format_explanation(expl: LineExplanation) -> str:
    """The explanation as a text report: Read as, Matched, Did not match."""
    span = (
        f"line {expl.first_line}"
        if expl.first_line == expl.last_line
        else f"lines {expl.first_line}-{expl.last_line}"
    )
    out = [f"{expl.source}, {span}", "", "Read as"]
    for line in expl.lines:
        out += _format_line(line)
    several = len(expl.records) > 1
    labels = [_label(i, r.read, several) for i, r in enumerate(expl.records, 1)]
    for record, label in zip(expl.records, labels, strict=True):
        out += _format_record(record.read, label)
    matched = sum(len(r.matched) for r in expl.records)
    out += ["", f"Matched ({matched})"]
    for record, label in zip(expl.records, labels, strict=True):
        if several and record.matched:
            out.append(f" {label}:")
        out += _format_matches(record)
    if not matched:
        out.append("  nothing")
    asked = expl.signature_id
    misses = sum(len(r.near_misses) for r in expl.records)
    # a signature asked about that matched is said above, with nothing missed to show
    answered = asked and not misses and any(m.id == asked for r in expl.records for m in r.matched)
    if not answered:
        out += ["", f"Did not match: {asked}" if asked else "Did not match (closest first)"]
        for record, label in zip(expl.records, labels, strict=True):
            if several and record.near_misses:
                out.append(f" {label}:")
            out += _format_misses(record)
        if not misses:
            out.append("  nothing to show")
    if expl.notes:
        out += ["", "Notes"]
        out += [f"  {note}" for note in expl.notes]
    return "\n".join(out) + "\n"
