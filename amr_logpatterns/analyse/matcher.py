"""Compile signatures and match them against records: where a record becomes a match.

A signature is tried on a record only when the record holds one of its literal
keywords; then its condition tree is evaluated (named regex groups become the
match's fields, converted to their declared types), and finally attribution
refuses records whose context names something that is not AMR's.

Every regex search may be given a time limit (``timeout``, seconds): a search
that runs past it raises ``TimeoutError`` in the ``regex`` module, and the
signature is taken as not matching that record, so one hostile line cannot
stall a run on a pattern that backtracks catastrophically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

import regex

from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue, Match
from amr_logpatterns.packs.literals import signature_literals
from amr_logpatterns.packs.regexsafety import analysed_safe
from amr_logpatterns.packs.schema import (
    Component,
    Condition,
    MatchSpec,
    Signature,
    parse_comparison,
)

_ATTRIBUTES = ("level", "logger", "caller", "encoding", "ts", "message")

#: Seconds one regex search may take before the signature is given up for the record.
DEFAULT_REGEX_TIMEOUT = 0.25
#: Subjects shorter than this are searched without the limit when ``find_redos`` read
#: every regex of the signature and found nothing: on so few characters even the
#: polynomial shapes it lets through take milliseconds, while passing a limit costs
#: the regex module about 0.6 µs a search (a tenth of a run on AMR-heavy logs).
#: Waived (``unsafe_regex_ok``) and unreadable regexes always get the limit.
UNGUARDED_LENGTH = 256


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    message: regex.Pattern[str] | None
    text: regex.Pattern[str] | None
    raw: regex.Pattern[str] | None
    fields: tuple[tuple[str, regex.Pattern[str]], ...]
    compare: tuple[tuple[str, str, float], ...]
    any_: tuple[CompiledCondition, ...]
    all_: tuple[CompiledCondition, ...]
    none: tuple[CompiledCondition, ...]
    optional: tuple[CompiledCondition, ...]


@dataclass(frozen=True, slots=True)
class CompiledSignature:
    """A signature ready to match.

    ``literals`` are its stage-1 literals (see ``literals``); its searches get the
    time limit on subjects of ``guard_from`` characters or more (see ``UNGUARDED_LENGTH``).
    """

    signature: Signature
    keywords: tuple[str, ...]
    condition: CompiledCondition
    owners: tuple[Component, ...]
    literals: tuple[str, ...] = ()
    guard_from: int = 0


def _pattern(source: str | None) -> regex.Pattern[str] | None:
    return None if source is None else regex.compile(source)


def compile_condition(cond: Condition) -> CompiledCondition:
    """Compile a condition tree's regexes once."""
    return CompiledCondition(
        message=_pattern(cond.message),
        text=_pattern(cond.text),
        raw=_pattern(cond.raw),
        fields=tuple((k, regex.compile(v)) for k, v in (cond.fields or {}).items()),
        compare=tuple((k, *parse_comparison(v)) for k, v in (cond.compare or {}).items()),
        any_=tuple(compile_condition(c) for c in cond.any_ or ()),
        all_=tuple(compile_condition(c) for c in cond.all_ or ()),
        none=tuple(compile_condition(c) for c in cond.none or ()),
        optional=tuple(compile_condition(c) for c in cond.optional or ()),
    )


def compile_signature(sig: Signature, components: Mapping[str, Component]) -> CompiledSignature:
    """Compile one signature, resolving the components it is attributed to."""
    spec: MatchSpec = sig.match
    return CompiledSignature(
        signature=sig,
        keywords=tuple(spec.keywords),
        condition=compile_condition(spec),
        owners=tuple(components[o] for o in sig.owners if o in components),
        literals=tuple(sorted(signature_literals(sig))),
        guard_from=_guard_from(sig),
    )


def _guard_from(sig: Signature) -> int:
    if sig.unsafe_regex_ok is not None:
        return 0
    proven = all(analysed_safe(pattern) for _, pattern in sig.match.patterns())
    return UNGUARDED_LENGTH if proven else 0


def render_value(value: object) -> str:
    """A field value as text, the way JSON spells scalars (``true``, ``null``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class RecordView:
    """A record with the matching targets computed once, on first use."""

    __slots__ = ("_text", "record")

    def __init__(self, record: LogRecord) -> None:
        self.record = record
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The message followed by every structured field as ``key=value``."""
        if self._text is None:
            parts = [self.record.message]
            parts += [f"{k}={render_value(v)}" for k, v in self.record.fields.items()]
            self._text = "  ".join(parts)
        return self._text

    def field(self, key: str) -> str | None:
        """A record attribute or structured field (dotted paths reach into objects)."""
        record = self.record
        if key in _ATTRIBUTES:
            value: object = getattr(record, key)
            return None if value is None else str(value)
        value = _lookup(record.fields, key)
        return None if value is _MISSING else render_value(value)

    def number(self, key: str) -> float | None:
        """A field as a number, when it is one (an int, a float or numeric text; not a bool)."""
        value = _lookup(self.record.fields, key)
        if isinstance(value, bool) or value is _MISSING:
            return None
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return None


_OPERATORS = {
    ">=": float.__ge__,
    "<=": float.__le__,
    ">": float.__gt__,
    "<": float.__lt__,
    "==": float.__eq__,
    "!=": float.__ne__,
}


def compare(value: float | None, op: str, number: float) -> bool:
    """Whether ``value`` stands in ``op`` to ``number`` (None: absent, or not a number)."""
    return value is not None and _OPERATORS[op](value, number)


_MISSING = object()


def _lookup(fields: Mapping[str, object], key: str) -> object:
    if key in fields:
        return fields[key]
    head, dot, rest = key.partition(".")
    if dot and isinstance(fields.get(head), dict):
        return _lookup(fields[head], rest)  # type: ignore[arg-type]
    lowered = key.lower()
    for k, v in fields.items():
        if k.lower() == lowered:
            return v
    return _MISSING


def _groups(m: regex.Match[str]) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v is not None}


def evaluate(
    cond: CompiledCondition,
    view: RecordView,
    timeout: float | None = None,
    guard_from: int = 0,
) -> dict[str, str] | None:
    """Evaluate a condition tree; the captured groups when it holds, else None.

    Each search of a subject of ``guard_from`` characters or more may take
    ``timeout`` seconds (None: no limit); past it the ``regex`` module raises
    ``TimeoutError``, which propagates.
    """
    captured: dict[str, str] = {}
    for pattern, target in (
        (cond.message, "message"),
        (cond.text, "text"),
        (cond.raw, "raw"),
    ):
        if pattern is None:
            continue
        subject = (
            view.record.message
            if target == "message"
            else view.text
            if target == "text"
            else view.record.text
        )
        # positional: keyword arguments cost the regex module a third more per call
        limit = timeout if len(subject) >= guard_from else None
        m = pattern.search(subject, None, None, None, False, limit)
        if m is None:
            return None
        captured.update(_groups(m))
    for key, pattern in cond.fields:
        value = view.field(key)
        if value is None:
            return None
        limit = timeout if len(value) >= guard_from else None
        m = pattern.search(value, None, None, None, False, limit)
        if m is None:
            return None
        captured.update(_groups(m))
    for key, op, number in cond.compare:
        if not compare(view.number(key), op, number):
            return None
    for child in cond.all_:
        got = evaluate(child, view, timeout, guard_from)
        if got is None:
            return None
        captured.update(got)
    if cond.any_:
        for child in cond.any_:
            got = evaluate(child, view, timeout, guard_from)
            if got is not None:
                captured.update(got)
                break
        else:
            return None
    for child in cond.none:
        if evaluate(child, view, timeout, guard_from) is not None:
            return None
    for child in cond.optional:
        got = evaluate(child, view, timeout, guard_from)
        if got is not None:
            captured.update(got)
    return captured


def convert(value: str, kind: str) -> FieldValue:
    """Convert a captured string to its declared type; keep the text when it does not fit."""
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return value
    if kind == "bool":
        low = value.strip().lower()
        if low in ("true", "false"):
            return low == "true"
    return value


#: The context of a record about a node, not a pod (a kernel line nothing linked to a pod).
NODE_SCOPE = "node"


def names_pod(component: Component, context: Mapping[str, str]) -> bool:
    """Whether the context positively names one of the component's pods or namespaces."""
    workload = context.get("workload")
    if workload and component.workloads:
        return any(fnmatchcase(workload, glob) for glob in component.workloads)
    namespace = context.get("namespace")
    return bool(namespace and namespace in component.namespaces and not component.workloads)


def components_named(context: Mapping[str, str], components: Sequence[Component]) -> list[str]:
    """The components a context names: by its pod, or by a namespace only one of them uses.

    A sidecar container (``foreign_containers``) names none; what this counts is
    what the input holds of each component (``Report.seen``), not what it may be.
    """
    workload = context.get("workload")
    namespace = context.get("namespace")
    container = context.get("container")
    if context.get("scope") == NODE_SCOPE or not (workload or namespace):
        return []
    out = []
    for c in components:
        if container in c.foreign_containers:
            continue
        if namespace and c.namespaces and namespace not in c.namespaces:
            continue
        if workload:
            if c.workloads and any(fnmatchcase(workload, glob) for glob in c.workloads):
                out.append(c.id)
        elif namespace in c.namespaces:
            out.append(c.id)
    return out if workload or len(out) == 1 else []


def accepts(
    component: Component, context: Mapping[str, str], fields: Mapping[str, FieldValue]
) -> bool:
    if context.get("scope") == NODE_SCOPE and (component.namespaces or component.workloads):
        return False
    namespace = context.get("namespace")
    if namespace and component.namespaces and namespace not in component.namespaces:
        return False
    workload = context.get("workload")
    if (
        workload
        and component.workloads
        and not any(fnmatchcase(workload, glob) for glob in component.workloads)
    ):
        return False
    if context.get("container") in component.foreign_containers:
        return False
    lease = fields.get("lease")
    if isinstance(lease, str) and "/" in lease and component.namespaces:
        return lease.split("/", 1)[0] in component.namespaces
    return True


def attributed(cs: CompiledSignature, record: LogRecord, fields: Mapping[str, FieldValue]) -> bool:
    """Whether the record may belong to one of the signature's components.

    With ``attribution_required`` the record must also name one of their pods:
    a state any pod can be in is nobody's until the record says whose it is.
    """
    if not cs.owners:
        return True
    context = record.context
    required = cs.signature.attribution_required
    return any(
        accepts(c, context, fields) and (not required or names_pod(c, context))
        for c in cs.owners
    )


def _evaluated(
    cs: CompiledSignature, view: RecordView, timeout: float | None
) -> dict[str, FieldValue] | None:
    captured = evaluate(cs.condition, view, timeout, cs.guard_from)
    if captured is None:
        return None
    types = cs.signature.types
    fields = record_values(cs.signature, view.record)
    fields.update((k, convert(v, types.get(k, "str"))) for k, v in captured.items())
    if not attributed(cs, view.record, fields):
        return None
    return fields


def record_values(sig: Signature, record: LogRecord) -> dict[str, FieldValue]:
    """The record's own fields a signature takes as they are (``record_fields``): scalars only."""
    out: dict[str, FieldValue] = {}
    for key in sig.record_fields:
        value = _lookup(record.fields, key)
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
    return out


@dataclass(frozen=True)
class KeywordIndex:
    """Each distinct keyword once, with the signatures it lets through.

    A record is tested for every keyword a single time (plain substring tests beat
    one regex alternation by far in CPython); only the signatures of the keywords
    it holds are evaluated, in pack order.
    """

    signatures: tuple[CompiledSignature, ...]
    keywords: tuple[str, ...]
    owners: tuple[tuple[int, ...], ...]


def keyword_index(signatures: tuple[CompiledSignature, ...]) -> KeywordIndex:
    """Index the signatures by their keywords."""
    by_keyword: dict[str, list[int]] = {}
    for i, cs in enumerate(signatures):
        for keyword in cs.keywords:
            by_keyword.setdefault(keyword, []).append(i)
    keywords = tuple(sorted(by_keyword))
    return KeywordIndex(signatures, keywords, tuple(tuple(by_keyword[k]) for k in keywords))


def match_signatures(
    index: KeywordIndex,
    record: LogRecord,
    *,
    timeout: float | None = None,
    timed_out: list[str] | None = None,
) -> list[tuple[CompiledSignature, dict[str, FieldValue]]]:
    """Every signature that matches the record, with the fields it extracted.

    A signature whose search runs past ``timeout`` seconds does not match, and
    its id is appended to ``timed_out`` when the record holds one of its
    stage-1 literals. Without one no match was possible (every match holds
    one), so nothing was lost; and the fast path, which never reads such a
    line, counts the same.
    """
    text = record.keyword_text
    candidates: set[int] = set()
    for keyword, owners in zip(index.keywords, index.owners, strict=True):
        if keyword in text:
            candidates.update(owners)
    if not candidates:
        return []
    view = RecordView(record)
    out = []
    for i in sorted(candidates):
        cs = index.signatures[i]
        try:
            fields = _evaluated(cs, view, timeout)
        except TimeoutError:
            if timed_out is not None and any(lit in text for lit in cs.literals):
                timed_out.append(cs.signature.id)
            continue
        if fields is not None:
            out.append((cs, fields))
    return out


def to_match(cs: CompiledSignature, record: LogRecord, fields: dict[str, FieldValue]) -> Match:
    """The public ``Match`` for one signature's match of a record."""
    return Match(
        id=cs.signature.id,
        severity=cs.signature.severity,
        source=record.source,
        line=record.line,
        end_line=record.end_line,
        fields=fields,
        text=record.text,
        ts=record.ts,
        cut=record.cut,
    )


# Introspection: why a signature did or did not match one record. These functions
# mirror ``evaluate``, ``convert`` and ``accepts`` step by step without being on the
# matching path, so ``explain-line`` can say which test failed and with what value.


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

    tests: list[tuple[str, regex.Pattern[str], str | None]] = [
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
        captured.update(_groups(m))
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
class Refusal:
    """Why one component does not claim a record: the context ``key`` that refused it.

    ``accepts`` is what the component takes for that key (namespaces, workload
    globs); for ``container`` it is empty and ``refuses`` names its foreign containers.
    """

    component: str
    key: str
    value: str
    accepts: tuple[str, ...] = ()
    refuses: tuple[str, ...] = ()


def refusal(
    component: Component,
    context: Mapping[str, str],
    fields: Mapping[str, FieldValue],
    required: bool = False,
) -> Refusal | None:
    """Why ``component`` refuses the record (None: it accepts), tested in ``accepts``'s order;
    ``required``: the signature needs the record to name the component's pod."""
    accepts = tuple(component.workloads or component.namespaces)
    if context.get("scope") == NODE_SCOPE and accepts:
        return Refusal(component.id, "scope", NODE_SCOPE, accepts)
    namespace = context.get("namespace")
    if namespace and component.namespaces and namespace not in component.namespaces:
        return Refusal(component.id, "namespace", namespace, tuple(component.namespaces))
    workload = context.get("workload")
    if (
        workload
        and component.workloads
        and not any(fnmatchcase(workload, glob) for glob in component.workloads)
    ):
        return Refusal(component.id, "workload", workload, tuple(component.workloads))
    container = context.get("container")
    if container is not None and container in component.foreign_containers:
        foreign = tuple(component.foreign_containers)
        return Refusal(component.id, "container", container, refuses=foreign)
    lease = fields.get("lease")
    if (
        isinstance(lease, str)
        and "/" in lease
        and component.namespaces
        and lease.split("/", 1)[0] not in component.namespaces
    ):
        return Refusal(component.id, "lease", lease, tuple(component.namespaces))
    if required and not names_pod(component, context):
        return Refusal(component.id, "pod", context.get("workload", ""), accepts)
    return None


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
        found = [refusal(c, record.context, fields, required) for c in cs.owners]
        if all(r is not None for r in found):
            refusals = tuple(r for r in found if r is not None)
    return SignatureTrace(
        cs, present, condition, fields, tuple(unconverted(condition.captured, types)), refusals
    )
