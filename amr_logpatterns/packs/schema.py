"""The YAML pack format: signatures, diagnoses and components, validated strictly.

Every model forbids unknown keys, so a typo in a pack is an error with its
position rather than a silently ignored rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Annotated, Literal

import regex
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from amr_logpatterns.packs.regex_checker import RedosIssue
from amr_logpatterns.packs.regexsafety import find_redos
from amr_logpatterns.packs.verified import context_proven, known_safe

Severity = Literal["info", "warning", "error"]
FieldType = Literal["str", "int", "float", "bool"]
Scalar = str | int | float | bool | None

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


def worst_severity(severities: Iterable[Severity]) -> Severity | None:
    """The most severe of ``severities`` (error, then warning, then info); None when empty."""
    return max(severities, key=SEVERITY_RANK.__getitem__, default=None)


_ID = r"^[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$"

#: One bound of a TAP release range, on the release series (``>=1.7``, ``<=1.6``, ``==1.6``).
TAP_BOUND = r"(?P<op>>=|<=|==|>|<)?\s*(?P<major>\d{1,4})\.(?P<minor>\d{1,4})"
_TAP_RANGE = regex.compile(rf"^\s*{TAP_BOUND}\s*(?:,\s*{TAP_BOUND}\s*)*$")


def _compiles(pattern: str, info: ValidationInfo) -> str:
    if known_safe(pattern, context_proven(info.context)):
        return pattern  # proven safe, so it compiled when it was proven
    try:
        regex.compile(pattern)
    except regex.error as exc:
        pos = getattr(exc, "pos", None)
        where = f" at position {pos}" if pos is not None else ""
        reason = getattr(exc, "msg", None) or str(exc)
        raise ValueError(f"regex does not compile{where}: {reason}") from exc
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]

#: Where a value sits in a pack file, as the YAML spells it: ``("match", "any", 0, "message")``.
Loc = tuple[str | int, ...]


def _reason(text: str) -> str:
    if not text.strip():
        raise ValueError("say why the flagged regex is acceptable here (a non-empty reason)")
    return text


def _tap_range(spec: str) -> str:
    if not _TAP_RANGE.match(spec):
        raise ValueError(
            f"not a TAP release range: {spec!r}; write bounds on major.minor such as"
            " '>=1.7', '<=1.6' or '>=1.7, <1.9'"
        )
    return spec


#: A range of Tanzu Application Platform releases, e.g. ``">=1.7"``; see ``versions.py``.
TapRange = Annotated[str, AfterValidator(_tap_range)]

_COMPARISON = regex.compile(r"^\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<number>-?\d+(?:\.\d+)?)\s*$")


def _comparison(spec: str) -> str:
    if not _COMPARISON.match(spec):
        raise ValueError(
            f"not a comparison: {spec!r}; write an operator and a number such as '>= 3',"
            " '< 0.5' or '== 137'"
        )
    return spec


#: A numeric test on a field, e.g. ``">= 3"``; see ``matcher.compare``.
Comparison = Annotated[str, AfterValidator(_comparison)]


def parse_comparison(spec: str) -> tuple[str, float]:
    """The operator and the number of a validated comparison."""
    m = _COMPARISON.match(spec)
    if m is None:
        raise ValueError(f"not a comparison: {spec!r}")
    return m["op"], float(m["number"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class RemediationStep(_Strict):
    """One step of a fix; commands and configuration are separate so formatters can render them.

    ``tap`` limits the step to the TAP releases whose keys or host names it
    uses; a step without it holds for every release. ``if_known`` keeps the
    step only when every field it names was found (so a step can quote a
    value the input showed), ``if_unknown`` only when none of them was.
    """

    text: str
    command: str | None = None
    config: str | None = None
    tap: TapRange | None = None
    # conditions of the pack, settled when the step is rendered: not part of a report
    if_known: list[str] = Field(default_factory=list, exclude=True)
    if_unknown: list[str] = Field(default_factory=list, exclude=True)


class Condition(_Strict):
    """A test on a record; every key given must hold (``any``/``all``/``none`` nest).

    ``optional`` conditions never fail the match: when one holds, its named
    groups are extracted too.
    """

    message: Pattern | None = None
    text: Pattern | None = None
    raw: Pattern | None = None
    fields: dict[str, Pattern] | None = None
    compare: dict[str, Comparison] | None = None
    any_: list[Condition] | None = Field(default=None, alias="any")
    all_: list[Condition] | None = Field(default=None, alias="all")
    none: list[Condition] | None = None
    optional: list[Condition] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not any(
            v is not None
            for v in (
                self.message,
                self.text,
                self.raw,
                self.fields,
                self.compare,
                self.any_,
                self.all_,
                self.none,
            )
        ):
            raise ValueError(
                "a condition needs at least one of message, text, raw, fields, compare, any,"
                " all, none"
            )
        return self

    def patterns(self, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
        """Every regex of the tree with where it sits, so a problem can point at its line."""
        for key, value in (("message", self.message), ("text", self.text), ("raw", self.raw)):
            if value is not None:
                yield (*loc, key), value
        for name, pattern in (self.fields or {}).items():
            yield (*loc, "fields", name), pattern
        nested = (("all", self.all_), ("any", self.any_), ("none", self.none))
        for key, children in (*nested, ("optional", self.optional)):
            for i, child in enumerate(children or ()):
                yield from child.patterns((*loc, key, i))


class MatchSpec(Condition):
    """A signature's top condition, with the literal keywords one of which a line must hold."""

    keywords: list[Annotated[str, Field(min_length=3)]] = Field(min_length=1)


class Example(_Strict):
    """A record the signature must match, and the fields it must extract from it.

    ``context`` is pasted before the line (a ``describe`` header naming the
    pod, a ``kubectl`` command): the match must be the line after it.
    """

    line: str
    fields: dict[str, Scalar] = Field(default_factory=dict)
    context: str | None = None


class Examples(_Strict):
    match: list[Example] = Field(min_length=2)
    no_match: list[str] = Field(min_length=2)


class Benign(_Strict):
    """Why a signature's error-looking line is harmless, as data the verdict is drawn from.

    ``unless_before`` names signatures whose finding, earlier in the same
    source, breaks ``condition`` (for example: the first submission of a report
    failed); ``same_fields`` must then agree where that earlier finding has
    them, so a failure about another report does not count. ``unless_reason``
    says why it matters then; it may use the finding's fields and
    ``{failed_id}``, ``{failed_title}`` and ``{failed_at}`` (source:line).
    """

    reason: Annotated[str, Field(min_length=1)]
    condition: str | None = None
    unless_before: list[str] = Field(default_factory=list)
    same_fields: list[str] = Field(default_factory=list)
    unless_reason: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Benign:
        if self.unless_before and (not self.unless_reason or not self.condition):
            raise ValueError("unless_before needs a condition and an unless_reason")
        if (self.same_fields or self.unless_reason) and not self.unless_before:
            raise ValueError("same_fields and unless_reason only apply with unless_before")
        return self


class Signature(_Strict):
    """A known log line: how to recognise it, what it means and how to fix what it shows.

    ``overrides`` repeats the id of a signature from a pack loaded earlier (a
    built-in one) to replace it; without it, reusing an id is an error.
    ``overlaps`` names signatures expected to match some of the same lines, so
    ``lint`` does not report those overlaps.
    ``unsafe_regex_ok`` says why a regex ``find_redos`` flags is acceptable here;
    without it such a regex is refused, since one hostile line could stall a run.
    ``attribution_required`` is for states any pod can be in (out of memory, a
    crash loop): the record must name a pod or namespace its component claims;
    a record that names nothing is nobody's. ``record_fields`` are fields of the
    record (as its reader typed them) that the match takes as they are.
    """

    id: Annotated[str, Field(pattern=_ID)]
    title: str
    component: str
    severity: Severity
    category: str
    explanation: str
    remediation: list[RemediationStep] = Field(default_factory=list)
    verify: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    attribution: list[str] | None = None
    attribution_required: bool = False
    record_fields: list[str] = Field(default_factory=list)
    benign: Benign | None = None
    group_by: list[str] = Field(default_factory=list)
    types: dict[str, FieldType] = Field(default_factory=dict)
    match: MatchSpec
    examples: Examples
    overrides: str | None = None
    overlaps: list[str] = Field(default_factory=list)
    unsafe_regex_ok: Annotated[str, AfterValidator(_reason)] | None = None

    @property
    def owners(self) -> list[str]:
        """The components whose records this signature may describe."""
        return self.attribution if self.attribution is not None else [self.component]

    def unsafe_regexes(self, proven: Collection[str] = ()) -> list[tuple[Loc, str, RedosIssue]]:
        """Each regex that can backtrack catastrophically: where, the pattern and the issue.

        Listed whether or not ``unsafe_regex_ok`` accepts them, so ``lint`` can show both.
        Regexes already proven safe (the verified built-ins, and ``proven`` digests) are
        not analysed again: they have no issue to list.
        """
        return [
            (loc, pattern, issue)
            for loc, pattern in self.match.patterns(("match",))
            if not known_safe(pattern, proven)
            for issue in find_redos(pattern)
        ]

    @model_validator(mode="after")
    def _safe_regexes(self, info: ValidationInfo) -> Signature:
        if self.unsafe_regex_ok is not None:
            return self
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("unsafe_regex", "{message}", {"message": _redos(issue)}),
                loc=loc,
                input=pattern,
            )
            for loc, pattern, issue in self.unsafe_regexes(context_proven(info.context))
        ]
        if errors:
            # raised as a ValidationError so each problem keeps the path of its own regex
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _redos(issue: RedosIssue) -> str:
    return (
        f"regex can backtrack catastrophically {issue} (or set unsafe_regex_ok:"
        " <why it is acceptable> on the signature)"
    )


class Rule(_Strict):
    """A condition over findings: which must be present, absent, or explain all errors."""

    finding: str | None = None
    min_count: int = Field(default=1, ge=1)
    any_: list[Rule] | None = Field(default=None, alias="any")
    all_: list[Rule] | None = Field(default=None, alias="all")
    none: list[Rule] | None = None
    errors_only_from: list[str] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not any(
            v is not None
            for v in (self.finding, self.any_, self.all_, self.none, self.errors_only_from)
        ):
            raise ValueError("a rule needs one of finding, any, all, none, errors_only_from")
        return self

    def finding_ids(self) -> list[str]:
        """Every finding id this rule names, at any depth."""
        ids = [self.finding] if self.finding else []
        ids += self.errors_only_from or []
        for child in (*(self.any_ or ()), *(self.all_ or ()), *(self.none or ())):
            ids += child.finding_ids()
        return ids


class DiagnosisSpec(_Strict):
    """A root cause drawn from several findings; ``overrides`` replaces one as for signatures.

    ``superseded_by`` names diagnoses that explain this one when they hold (an
    out-of-memory kill explains a crash loop): it is then not drawn, and its
    findings are told under theirs.
    """

    id: Annotated[str, Field(pattern=_ID)]
    title: str
    severity: Severity
    summary: str
    explanation: str
    remediation: list[RemediationStep] = Field(default_factory=list)
    verify: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    when: Rule
    confidence: Literal["low", "medium", "high"] = "medium"
    stronger_when: Rule | None = None
    symptoms: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    overrides: str | None = None


class Component(_Strict):
    """A part of AMR and the names (namespaces, workloads) that identify its records."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    title: str
    namespaces: list[str] = Field(default_factory=list)
    workloads: list[str] = Field(default_factory=list)
    foreign_containers: list[str] = Field(default_factory=list)
    #: Logger names (globs) only this component's programs log under, such as zap's
    #: ``"logger":"MetadataStore"``: a line that carries one names the component even when
    #: nothing around it names a pod, and a line under another logger is not its.
    loggers: list[str] = Field(default_factory=list)
    logs_command: str | None = None
