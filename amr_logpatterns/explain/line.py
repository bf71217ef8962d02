"""``explain-line``: how one line (or multi-line record) was read and classified, and why not.

When someone expects a finding and gets none, the cause sits at one stage of
the pipeline: a wrapper that was not peeled (so no decoder recognised the
record), a message other than the one they thought, a keyword or a condition
of the signature that does not hold, or attribution giving the line to another
component. ``explain_line`` replays the exact pipeline over the line and the
lines before it (the paste state they set up matters) and reports every stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from amr_logpatterns.analyse.introspection import trace_signature
from amr_logpatterns.analyse.matcher import match_signatures
from amr_logpatterns.explain.misses import near_miss, rank, type_problems
from amr_logpatterns.explain.reading import physical_line, record_reading
from amr_logpatterns.explain.replay import LOOKAHEAD_LINES, Run, physical
from amr_logpatterns.explain.results import LineExplanation, MatchedSignature, RecordExplanation
from amr_logpatterns.ingest.compression import open_log
from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.wording import did_you_mean


def _explain_record(
    classifier: Classifier,
    record: LogRecord,
    run: Run,
    signature_id: str | None,
    max_near_misses: int,
    notes: list[str],
) -> RecordExplanation:
    """Matches from the real matcher; near misses from the trace, closest first."""
    traces = [trace_signature(cs, record) for cs in classifier.signatures]
    real = match_signatures(classifier.index, record, timeout=classifier.regex_timeout)
    real_ids = [cs.signature.id for cs, _ in real]
    traced_ids = [t.signature.signature.id for t in traces if t.matched]
    if sorted(real_ids) != sorted(traced_ids):
        notes.append(
            f"the trace of line {record.line} disagrees with the matcher "
            f"(matcher: {real_ids}, trace: {traced_ids}); the matcher's result is shown"
        )
    by_id = {t.signature.signature.id: t for t in traces}
    matched = [
        MatchedSignature(
            id=cs.signature.id,
            title=cs.signature.title,
            severity=cs.signature.severity,
            component=cs.signature.component,
            fields=fields,
            type_problems=type_problems(by_id[cs.signature.id]),
        )
        for cs, fields in real
    ]
    missed = [t for t in traces if t.signature.signature.id not in real_ids]
    if signature_id is not None:
        missed = [t for t in missed if t.signature.signature.id == signature_id]
    missed.sort(key=lambda t: rank(t, record), reverse=True)
    shown = missed[:max_near_misses]
    return RecordExplanation(
        read=record_reading(record, run),
        matched=matched,
        near_misses=[near_miss(t, record, run, real_ids) for t in shown],
        not_shown=len(missed) - len(shown),
    )


def _check_signature(classifier: Classifier, signature_id: str | None) -> None:
    """Refuse an unknown id up front, with the closest ids, rather than explain nothing."""
    if signature_id is None:
        return
    ids = [cs.signature.id for cs in classifier.signatures]
    if signature_id not in ids:
        raise ValueError(f"unknown signature {signature_id!r}{did_you_mean(signature_id, ids)}")


def _explanation(
    classifier: Classifier,
    run: Run,
    first: int,
    last: int,
    signature_id: str | None,
    max_near_misses: int,
) -> LineExplanation:
    """Assemble the explanation of lines ``first..last`` from a finished replay."""
    notes: list[str] = []
    lines = [physical_line(n, run.traced[n], run) for n in range(first, last + 1)]
    records = [
        _explain_record(classifier, r, run, signature_id, max_near_misses, notes)
        for r in run.covering(first, last)
    ]
    for record in records:
        if record.read.line < first:
            notes.append(
                f"line {first} belongs to the record that starts on line {record.read.line}"
            )
    if not records:
        kinds = {line.kind for line in lines}
        notes.append(
            "no record: the line is "
            + " and ".join(sorted(kinds))
            + ", so no signature is tried on it"
        )
    if signature_id is not None:
        for record in records:
            if any(m.id == signature_id for m in record.matched):
                notes.append(f"{signature_id} matched the record on line {record.read.line}")
    return LineExplanation(
        source=run.source,
        first_line=first,
        last_line=last,
        lines=lines,
        records=records,
        signature_id=signature_id,
        notes=notes,
    )


def explain_line(
    classifier: Classifier,
    text: str | bytes,
    *,
    context: str | bytes | None = None,
    source_name: str = "<line>",
    signature_id: str | None = None,
    max_near_misses: int = 5,
) -> LineExplanation:
    """Explain how one pasted line (or multi-line record) was read and classified.

    ``context`` is the text before it in its file: the paste state it sets up (a
    pasted ``kubectl -n NS`` command, a describe header, a ``tail`` header) is
    what attribution sees. ``source_name`` counts too: a node log's path names
    the pod. ``signature_id`` explains that one signature instead of the closest.
    """
    _check_signature(classifier, signature_id)
    run = Run(classifier, source_name)
    number = 0
    for number, item in enumerate(physical(context or ""), 1):
        run.push(number, item)
    first = number + 1
    items = physical(text) or [text[:0]]
    for number, item in enumerate(items, first):
        run.push(number, item, trace=True)
    run.finish()
    return _explanation(classifier, run, first, number, signature_id, max_near_misses)


def _lines_of(path: str | Path) -> Iterator[str | bytes]:
    """A log file's physical lines, closing it when the reading stops early."""
    with open_log(path) as handle:
        yield from physical_lines(handle)


def explain_file_line(
    classifier: Classifier,
    path: str | Path,
    line_number: int,
    *,
    signature_id: str | None = None,
    max_near_misses: int = 5,
) -> LineExplanation:
    """Explain line ``line_number`` of a log file, read with everything before it.

    The lines after it are read only as far as its record reaches (stack frames,
    a CloudEvent dump), so the answer is that of ``explain_line`` given those
    lines as ``text``, the lines before as ``context`` and the path as source name.
    """
    if line_number < 1:
        raise ValueError(f"line numbers start at 1, not {line_number}")
    _check_signature(classifier, signature_id)
    run = Run(classifier, str(path))
    number = 0
    for number, item in enumerate(_lines_of(path), 1):
        if number < line_number:
            run.push(number, item)
            continue
        run.push(number, item, trace=True)
        if run.settled(line_number) or number >= line_number + LOOKAHEAD_LINES:
            break
    if number < line_number:
        raise ValueError(f"{path} has {number} lines, so no line {line_number}")
    run.finish()
    last = min(run.extent(line_number, line_number), number)
    return _explanation(classifier, run, line_number, last, signature_id, max_near_misses)
