"""Why a signature did not match a record, and what would have made it match.

The closest signatures come first: one whose keyword is in the line, then one
whose conditions held, then one written for this kind of record. Each says
the first stage that stopped it (keywords, a condition, attribution) in a
sentence, and a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Literal

import regex

from amr_logpatterns.analyse.introspection import Failure, SignatureTrace, Step
from amr_logpatterns.explain.quoting import quoted
from amr_logpatterns.explain.reading import context_origin
from amr_logpatterns.explain.replay import Run
from amr_logpatterns.explain.results import (
    AttributionRefusal,
    ConditionFailure,
    NearMiss,
    RegexTest,
    TypeProblem,
)
from amr_logpatterns.models.records import LogRecord


def _test(step: Step) -> RegexTest:
    return RegexTest(
        path=step.path, key=step.key, pattern=step.pattern, value=step.value, found=step.found
    )


def _failure(failure: Failure) -> ConditionFailure:
    """The matcher's failure as a model; for ``any``, only the closest branch is kept."""
    if failure.kind == "any":
        closest = failure.branches[failure.branch]
        return ConditionFailure(
            kind="any",
            path=failure.path,
            branches=len(failure.branches),
            branch=failure.branch,
            cause=None if closest.failure is None else _failure(closest.failure),
        )
    if failure.kind == "none":
        held = [_test(s) for s in failure.branches[0].steps if s.held]
        return ConditionFailure(kind="none", path=failure.path, branch=failure.branch, held=held)
    assert failure.step is not None
    return ConditionFailure(kind="test", path=failure.path, failed=_test(failure.step))


def _leaf(failure: ConditionFailure) -> ConditionFailure:
    """Follow the closest branches down to the test (or ``none``) that failed."""
    while failure.kind == "any" and failure.cause is not None:
        failure = failure.cause
    return failure


def _describe_failure(failure: ConditionFailure, within: str = "match") -> str:
    """One line: which condition failed, its pattern and the value it saw.

    ``within`` is the part of the tree the sentence has already named, so a
    nested test only adds where it sits when that says more.
    """
    if failure.kind == "any":
        closest = f"{failure.path}[{failure.branch}]"
        cause = "" if failure.cause is None else f": {_describe_failure(failure.cause, closest)}"
        return (
            f"none of the {failure.branches} branches of {failure.path} held; "
            f"the closest is {closest}{cause}"
        )
    if failure.kind == "none":
        held = "; ".join(
            f"{t.key} {quoted(t.found or '', 60)} matches /{t.pattern}/" for t in failure.held
        )
        return f"{failure.path} held, which excludes the record: {held}"
    test = failure.failed
    assert test is not None
    where = test.path[: -len(test.key) - 1]
    at = "" if where == within else f" (in {where})"
    if test.value is None:
        return f"the record has no field {test.key.removeprefix('fields.')!r}{at}"
    return f"{test.key} {quoted(test.value, 120)} does not match /{test.pattern}/{at}"


def _condition_hint(failure: ConditionFailure, record: LogRecord, instead: Sequence[str]) -> str:
    """What would have made the condition hold, or what the record is instead."""
    leaf = _leaf(failure)
    if leaf.kind == "none":
        return (
            "the signature excludes such lines on purpose (a known look-alike); if this one is "
            "AMR's, the exclusion is too wide: report it with the line"
        )
    test = leaf.failed
    assert test is not None
    name = test.key.removeprefix("fields.")
    also = f"; this record is {', '.join(instead)} instead" if instead else ""
    if test.value is None:
        if record.encoding == "plain":
            return (
                f"it needs a structured field {name!r}, but the line was read as plain text: "
                "look in Read as for a prefix that was not peeled"
            )
        have = ", ".join(sorted(record.fields)) or "none"
        return f"it needs a field {name!r}; this record's fields are: {have}{also}"
    if (
        test.key == "message"
        and record.encoding != "plain"
        and regex.search(test.pattern, record.text)
    ):
        return (
            f"the pattern is in the raw line but not in the decoded message "
            f"{quoted(record.message, 80)}: the {record.encoding} decoder split it elsewhere"
        )
    return f"it would match if {test.key} matched /{test.pattern}/{also}"


def _keyword_hint(
    keywords: Sequence[str], record: LogRecord, holds: bool, instead: Sequence[str]
) -> str:
    """What the line would need to pass the keyword prefilter, or what it is instead."""
    text = record.text
    lowered = text.lower()
    for keyword in keywords:
        if keyword.lower() in lowered:
            return f"the line has {keyword!r} in other letter case; keywords are case-sensitive"
    best, shared = _closest_keyword(keywords, text)
    if holds:
        return (
            f"its conditions hold but no keyword does: the pack's keywords miss this wording "
            f"(add one it contains, next to {best!r})"
        )
    also = f"; this record is {', '.join(instead)} instead" if instead else ""
    if len(shared) >= 4:
        return f"a line of this kind holds {best!r} (this one shares only {shared!r}){also}"
    return f"a line of this kind holds {best!r}{also}"


def _closest_keyword(keywords: Sequence[str], text: str) -> tuple[str, str]:
    """The keyword with the longest run of characters in common with the text, and that run."""
    sample = text[:4000]
    best, shared = keywords[0], ""
    for keyword in keywords:
        matcher = difflib.SequenceMatcher(None, keyword, sample, autojunk=False)
        block = matcher.find_longest_match(0, len(keyword), 0, len(sample))
        if block.size > len(shared):
            best, shared = keyword, keyword[block.a : block.a + block.size]
    return best, shared


def _similarity(keywords: Sequence[str], text: str) -> float:
    """How much of the closest keyword the line holds: orders keyword-absent misses."""
    _, shared = _closest_keyword(keywords, text)
    return len(shared) / max(len(k) for k in keywords)


def _refusals(trace: SignatureTrace, record: LogRecord, run: Run) -> list[AttributionRefusal]:
    """The matcher's refusals with where each refused context value came from."""
    out = []
    for r in trace.refusals:
        if r.key == "lease":
            origin = "the record's lease field"
        elif r.key == "logger":
            origin = "the record's logger field"
        elif r.key == "scope":
            origin = "a node-level line that nothing earlier in the input links to a pod"
        elif r.key == "pod" and not r.value:
            origin = "nothing: no pod, namespace or pasted command names it"
        else:
            origin = context_origin(r.key, r.value, record, run)
        out.append(
            AttributionRefusal(
                component=r.component,
                key=r.key,
                value=r.value,
                origin=origin,
                accepts=list(r.accepts),
                refuses=list(r.refuses),
            )
        )
    return out


def _refusal_text(r: AttributionRefusal) -> str:
    """One component's refusal as a sentence."""
    if r.key == "container":
        return (
            f"{r.component}: container {r.value!r} (from {r.origin}) is a sidecar whose lines "
            f"are not {r.component}'s"
        )
    if r.key == "scope":
        return f"{r.component}: the record is about a node ({r.origin}), not one of its pods"
    if r.key == "pod":
        named = f"pod {r.value!r}" if r.value else "no pod"
        return (
            f"{r.component}: this signature (a pod state, or a line any program may write)"
            f" counts only for a record that names one of its pods ({', '.join(r.accepts)});"
            f" this one names {named} (from {r.origin})"
        )
    what = "lease namespace" if r.key == "lease" else r.key
    return (
        f"{r.component}: {what} {r.value!r} (from {r.origin}) is not one of {', '.join(r.accepts)}"
    )


def _attribution_hint(refusals: Sequence[AttributionRefusal]) -> str:
    """What context the signature would accept, and which line to doubt."""
    first = refusals[0]
    if first.key == "scope":
        return (
            "a kernel line is linked to a pod described before it: paste that pod's"
            " `kubectl describe pod` (with the restarted container) or `kubectl get pod -o yaml`"
            " above this line"
        )
    if first.key == "container":
        want = f"a container other than {', '.join(first.refuses)}"
    elif first.key in ("workload", "pod", "scope"):
        want = f"a pod named {' or '.join(first.accepts)}"
    elif first.key == "logger":
        return (
            f"it would match a line written under the logger {' or '.join(first.accepts)};"
            f" {first.value!r} is another program's"
        )
    else:
        want = f"namespace {' or '.join(first.accepts)}"
    return (
        f"it would match from {want}; if this line really is AMR's, the context that named "
        f"{first.value!r} is wrong for it"
    )


def near_miss(
    trace: SignatureTrace, record: LogRecord, run: Run, instead: Sequence[str]
) -> NearMiss:
    """Why one signature did not match: the first stage that stopped it, and a hint."""
    sig = trace.signature.signature
    keywords = list(trace.signature.keywords)
    condition = trace.condition
    failure = None if condition.failure is None else _failure(condition.failure)
    refusals: list[AttributionRefusal] = []
    reason: Literal["keyword-absent", "condition", "attribution"]
    if not trace.keywords_present:
        reason = "keyword-absent"
        summary = f"none of its keywords is in the line: {', '.join(map(repr, keywords))}"
        if condition.held:
            summary += "; its conditions would hold"
        hint = _keyword_hint(keywords, record, condition.held, instead)
    elif failure is not None:
        reason = "condition"
        summary = _describe_failure(failure)
        hint = _condition_hint(failure, record, instead)
    else:
        reason = "attribution"
        refusals = _refusals(trace, record, run)
        summary = "; ".join(_refusal_text(r) for r in refusals)
        hint = _attribution_hint(refusals)
    return NearMiss(
        id=sig.id,
        title=sig.title,
        severity=sig.severity,
        component=sig.component,
        reason=reason,
        summary=summary,
        hint=hint,
        keywords=keywords,
        keywords_present=list(trace.keywords_present),
        tests_passed=condition.passed,
        condition_holds=condition.held,
        condition=failure,
        attribution=refusals,
        fields=trace.fields,
    )


def type_problems(trace: SignatureTrace) -> list[TypeProblem]:
    """Groups kept as text because they did not convert to their declared type."""
    return [
        TypeProblem(
            field=name,
            value=value,
            declared=kind,
            summary=f"{name} captured {value!r}, which is not a valid {kind}: kept as text",
            hint=f"the group {name} should capture only a {kind}, or be declared str",
        )
        for name, value, kind in trace.unconverted
    ]


def _other_kind(failure: Failure | None) -> bool:
    """Whether the condition failed only on the record's kind (``encoding``): the signature
    reads another kind of record (pod state, say), so the record was never near it."""
    if failure is None:
        return False
    if failure.kind == "test":
        return failure.step is not None and failure.step.key == "fields.encoding"
    if failure.kind == "any":
        return all(_other_kind(b.failure) for b in failure.branches)
    return False


def rank(trace: SignatureTrace, record: LogRecord) -> tuple[bool, bool, bool, int, float]:
    """Closest first: a keyword present, then a condition that held, then one written for
    this kind of record, then tests passed."""
    keywords = trace.signature.keywords
    return (
        bool(trace.keywords_present),
        trace.condition.held,
        not _other_kind(trace.condition.failure),
        trace.condition.passed,
        _similarity(keywords, record.text) if keywords else 0.0,
    )
