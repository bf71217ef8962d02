"""Pack authoring: every problem of a pack in one run.

``lint_packs`` goes past what loading refuses: it runs every example, checks
the fields each promises, the stage-1 literals the fast path searches for,
overlaps between signatures and the ``{field}`` placeholders of the texts, so
an author fixes everything in one round instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from amr_logpatterns.authoring.lint_checks import PackChecker
from amr_logpatterns.authoring.lint_report import LintEntry, LintReport
from amr_logpatterns.authoring.selftest import check_examples, read_for_authoring
from amr_logpatterns.errors import Problem
from amr_logpatterns.packs.loader import PackRead
from amr_logpatterns.pipeline.classifier import Classifier


def _from_problem(p: Problem) -> LintEntry:
    return LintEntry(
        path=p.path,
        line=p.line,
        column=p.column,
        level="error",
        code=p.code or "schema",
        message=p.message,
        field=p.field,
        item_id=p.item_id,
    )


def _lint_read(read: PackRead, focus: frozenset[str] | None) -> tuple[list[LintEntry], int]:
    """Every entry for one read of the packs (loader problems first) and the examples run."""
    entries = [_from_problem(p) for p in read.problems]
    checker = PackChecker(read)
    ids = None if focus is None else {i for i, p in read.pack.origins.items() if p in focus}
    results = check_examples(Classifier(read.pack, engine="exact"))
    mine = [r for r in results if ids is None or r.signature_id in ids]
    checker.examples(mine)
    checker.slow_regexes(ids)
    checker.overlaps(results, ids)
    checker.templates()
    return entries + checker.entries, len(mine)


def _key(e: LintEntry) -> tuple[str, int, int, str, str, str, str]:
    return (e.path, e.line, e.column, e.code, e.field, e.item_id, e.message)


def lint_packs(
    paths: Sequence[str | Path] | None, *, builtin: bool, entry_points: bool = False
) -> LintReport:
    """Every problem of the packs at ``paths`` (None: the built-in packs), errors and warnings.

    Never raises for a broken pack: what the loader refuses becomes entries
    too. With paths and ``builtin=True`` the built-in packs are loaded as a run
    would load them (duplicate ids, overrides and overlaps are judged against
    them), but only problems in the given files, or that the given files cause
    in the others, are reported.
    """
    read, focus = read_for_authoring(paths, builtin=builtin, entry_points=entry_points)
    entries, examples = _lint_read(read, focus)
    if focus is not None:
        context = set(read.marks) - focus
        if any(e.path in context for e in entries):
            alone, _ = read_for_authoring(
                None if builtin else [], builtin=builtin, entry_points=entry_points
            )
            before = {_key(e) for e in _lint_read(alone, None)[0]}
            entries = [e for e in entries if e.path not in context or _key(e) not in before]
    entries.sort(key=lambda e: (e.path, e.line, e.column, e.level != "error", e.code))
    reported = set(read.marks) if focus is None else focus
    origins = read.pack.origins
    return LintReport(
        entries=tuple(dict.fromkeys(entries)),
        files=len(reported),
        signatures=sum(1 for s in read.pack.signatures if origins.get(s.id) in reported),
        diagnoses=sum(1 for d in read.pack.diagnoses if origins.get(d.id) in reported),
        components=sum(1 for c in read.pack.components if origins.get(c.id) in reported),
        examples=examples,
    )
