"""Introspection: why a signature did or did not match one record.

These functions mirror ``evaluate``, ``convert`` and ``accepts`` step by step
without being on the matching path, so ``explain-line`` can say which test
failed and with what value, and how close the record came to matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from amr_logpatterns.analyse.attribution import Refusal, attribution_context, refusal
from amr_logpatterns.analyse.compiling import CompiledCondition, CompiledSignature, LazyPattern
from amr_logpatterns.analyse.matcher import (
    DEFAULT_REGEX_TIMEOUT,
    RecordView,
    captured_groups,
    compare,
    convert,
    record_values,
)
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue


@dataclass(frozen=True, slots=True)
class Step:
    """One regex test of a condition tree, as it went on a record.

    ``value`` is the subject that was searched (None: the field is absent);
    ``found`` the text the pattern matched, when it did.
    """

    path: str
    key: str
    pattern: str
    value: str | None
    found: str | None

    @property
    def held(self) -> bool:
        """Whether the pattern was found in the value."""
        return self.found is not None


@dataclass(frozen=True, slots=True)
class Failure:
    """Where a condition tree stopped holding.

    ``kind`` is ``test`` (``step`` failed), ``any`` (no branch held: ``branches``
    are all of them, ``branch`` the one that got furthest) or ``none`` (branch
    ``branch`` held although it must not).
    """

    path: str
    kind: str
    step: Step | None = None
    branches: tuple[ConditionTrace, ...] = ()
    branch: int = 0


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    """A condition tree evaluated on a record, test by test.

    ``passed`` counts the tests that held before the tree failed (for ``any``, in
    its branch that got furthest): how close the record came to matching.
    """

    held: bool
    captured: dict[str, str]
    passed: int
    steps: tuple[Step, ...]
    failure: Failure | None = None


def _subject(view: RecordView, target: str) -> str:
    if target == "message":
        return view.record.message
    return view.text if target == "text" else view.record.text


def trace_condition(
    cond: CompiledCondition, view: RecordView, path: str = "match"
) -> ConditionTrace:
    """Evaluate a condition tree like ``evaluate`` does, keeping every test and the first failure.

    Unlike ``evaluate``, every ``any`` branch is tried (branches have no side
    effects, so the outcome is the same) to tell which one came closest.
    """
    captured: dict[str, str] = {}
    steps: list[Step] = []
    passed = 0

    def failed(failure: Failure, extra: int = 0) -> ConditionTrace:
        return ConditionTrace(False, {}, passed + extra, tuple(steps), failure)

    tests: list[tuple[str, LazyPattern, str | None]] = [
        (target, pattern, _subject(view, target))
        for pattern, target in ((cond.message, "message"), (cond.text, "text"), (cond.raw, "raw"))
        if pattern is not None
    ]
    tests += [(f"fields.{key}", pattern, view.field(key)) for key, pattern in cond.fields]
    for key, pattern, value in tests:
        try:
            m = None if value is None else pattern.search(value, timeout=DEFAULT_REGEX_TIMEOUT)
        except TimeoutError:
            m = None  # a trace must not hang on a hostile line either; it did not match in time
        step = Step(f"{path}.{key}", key, pattern.pattern, value, None if m is None else m[0])
        steps.append(step)
        if m is None:
            return failed(Failure(step.path, "test", step=step))
        captured.update(captured_groups(m))
        passed += 1
    for key, op, number in cond.compare:
        shown = view.field(key)
        held = compare(view.number(key), op, number)
        found = shown if held else None
        step = Step(f"{path}.compare.{key}", key, f"{op} {number:g}", shown, found)
        steps.append(step)
        if not held:
            return failed(Failure(step.path, "test", step=step))
        passed += 1
    for i, child in enumerate(cond.all_):
        got = trace_condition(child, view, f"{path}.all[{i}]")
        steps += got.steps
        if got.failure is not None:
            return failed(got.failure, got.passed)
        captured.update(got.captured)
        passed += got.passed
    if cond.any_:
        branches = tuple(
            trace_condition(child, view, f"{path}.any[{i}]") for i, child in enumerate(cond.any_)
        )
        first = next((b for b in branches if b.held), None)
        if first is None:
            best = max(range(len(branches)), key=lambda i: branches[i].passed)
            steps += branches[best].steps
            failure = Failure(f"{path}.any", "any", branches=branches, branch=best)
            return failed(failure, branches[best].passed)
        steps += first.steps
        captured.update(first.captured)
        passed += first.passed
    for i, child in enumerate(cond.none):
        got = trace_condition(child, view, f"{path}.none[{i}]")
        if got.held:
            steps += got.steps
            return failed(Failure(f"{path}.none[{i}]", "none", branches=(got,), branch=i))
    for i, child in enumerate(cond.optional):
        got = trace_condition(child, view, f"{path}.optional[{i}]")
        if got.held:
            steps += got.steps
            captured.update(got.captured)
    return ConditionTrace(True, captured, passed, tuple(steps))


def unconverted(
    captured: Mapping[str, str], types: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """The captured groups ``convert`` could not turn into their declared type: name, text, type.

    ``convert`` keeps such a value as text, so the match stands with a string field.
    """
    return [
        (name, value, types[name])
        for name, value in captured.items()
        if types.get(name, "str") != "str" and isinstance(convert(value, types[name]), str)
    ]


@dataclass(frozen=True, slots=True)
class SignatureTrace:
    """One signature tried on one record, every stage kept.

    ``refusals`` is empty when attribution accepted the record (or was not reached).
    """

    signature: CompiledSignature
    keywords_present: tuple[str, ...]
    condition: ConditionTrace
    fields: dict[str, FieldValue]
    unconverted: tuple[tuple[str, str, str], ...]
    refusals: tuple[Refusal, ...]

    @property
    def matched(self) -> bool:
        """Whether ``match_signatures`` reports this signature for the record."""
        return bool(self.keywords_present) and self.condition.held and not self.refusals


def trace_signature(cs: CompiledSignature, record: LogRecord) -> SignatureTrace:
    """Try one signature on one record through every stage, even past the keyword prefilter."""
    view = RecordView(record)
    present = tuple(k for k in cs.keywords if k in record.keyword_text)
    condition = trace_condition(cs.condition, view)
    if not condition.held:
        return SignatureTrace(cs, present, condition, {}, (), ())
    types = cs.signature.types
    fields = record_values(cs.signature, record)
    fields.update((k, convert(v, types.get(k, "str"))) for k, v in condition.captured.items())
    refusals: tuple[Refusal, ...] = ()
    if cs.owners:
        required = cs.signature.attribution_required
        context = attribution_context(record)
        found = [refusal(c, context, fields, required) for c in cs.owners]
        if all(r is not None for r in found):
            refusals = tuple(r for r in found if r is not None)
    return SignatureTrace(
        cs, present, condition, fields, tuple(unconverted(condition.captured, types)), refusals
    )
