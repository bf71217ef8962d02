"""Which Tanzu Application Platform release the advice is for, and the steps that fit it.

Configuration keys and service names changed between TAP releases (the
Observer's handler endpoint key, the AMR GraphQL service), so a step that
names one carries a release range (``RemediationStep.tap``). The release is
given by the caller, inferred from names the input quotes, or unknown; an
unknown release keeps every step, and each such step says in its text which
release it is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex

from amr_logpatterns.analyse.aggregate import fill, render_steps
from amr_logpatterns.models.results import Finding, TapVersion
from amr_logpatterns.packs.schema import TAP_BOUND, RemediationStep, Signature

_VERSION = regex.compile(r"^\s*v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?\s*$")
_BOUND = regex.compile(TAP_BOUND)
_SERIES = 10_000  # minor releases per major on the integer scale of release series
_NEWEST = 1 << 62


@dataclass(frozen=True)
class Span:
    """A closed interval of release series (``major * 10000 + minor``); patch levels fold in."""

    low: int = 0
    high: int = _NEWEST

    def meets(self, other: Span) -> bool:
        """Whether some release lies in both."""
        return max(self.low, other.low) <= min(self.high, other.high)


#: Names that only one side of the 1.6/1.7 rename uses, and the releases they point to.
#: Checked in this order; the first of each side found is quoted as evidence.
MARKERS: tuple[tuple[str, str], ...] = (
    ("artifact-metadata-repository-app", "<=1.6"),
    ("amr.observer.eventhandler", "<=1.6"),
    ("amr-graphql-app", ">=1.7"),
    ("amr-cloudevent-handler", ">=1.7"),
    ("cloudevent_handler", ">=1.7"),
)

_SIDE_WORDS = {"<=1.6": "TAP 1.6 or earlier", ">=1.7": "TAP 1.7 or later"}


def _series(major: str, minor: str) -> int:
    if int(minor) >= _SERIES:
        raise ValueError(f"minor release {minor} is out of range")
    return int(major) * _SERIES + int(minor)


def normalise_tap_version(version: str | None) -> str | None:
    """A caller's release as ``MAJOR.MINOR[.PATCH]``; ``ValueError`` says what is wrong with it."""
    if version is None:
        return None
    m = _VERSION.match(version) if isinstance(version, str) else None
    if m is None or int(m["minor"]) >= _SERIES:
        raise ValueError(
            f"tap_version {version!r} is not a TAP release; give MAJOR.MINOR or"
            " MAJOR.MINOR.PATCH, such as '1.6' or '1.7.2'"
        )
    parts = [m["major"], m["minor"]] + ([m["patch"]] if m["patch"] is not None else [])
    return ".".join(str(int(p)) for p in parts)


def span_of_range(spec: str) -> Span:
    """The releases a range such as ``">=1.7, <1.9"`` holds (validated by the schema)."""
    low, high = 0, _NEWEST
    for m in _BOUND.finditer(spec):
        at = _series(m["major"], m["minor"])
        op = m["op"] or "=="
        if op in (">=", ">", "=="):
            low = max(low, at + (op == ">"))
        if op in ("<=", "<", "=="):
            high = min(high, at - (op == "<"))
    return Span(low, high)


def span_of(tap: TapVersion) -> Span:
    """The releases a report's ``TapVersion`` allows: one series, a range, or all."""
    if tap.version is None:
        return Span()
    m = _VERSION.match(tap.version)
    if m is not None:
        at = _series(m["major"], m["minor"])
        return Span(at, at)
    return span_of_range(tap.version)


def step_applies(step: RemediationStep, tap: TapVersion) -> bool:
    """Whether a step may hold for the release: untagged steps always do."""
    return step.tap is None or span_of_range(step.tap).meets(span_of(tap))


def select_steps(steps: Iterable[RemediationStep], tap: TapVersion) -> list[RemediationStep]:
    """The steps that fit the release, in their order."""
    return [s for s in steps if step_applies(s, tap)]


def has_release_steps(steps: Sequence[RemediationStep]) -> bool:
    """Whether any step is limited to some releases (only those lists need choosing)."""
    return any(s.tap is not None for s in steps)


def _mentions(findings: Iterable[Finding]) -> Iterable[tuple[str, str, str]]:
    """(name, where, side) for each marker in the findings' fields and evidence, in their order."""
    for f in findings:
        # evidence first: it says the line; fields may come from any match of the finding
        texts = [(e.text, f"{e.source}:{e.line}") for e in f.evidence]
        texts += [(str(v), f"{f.first_seen.source}:{f.first_seen.line}") for v in f.fields.values()]
        for text, where in texts:
            for name, side in MARKERS:
                if name in text:
                    yield name, f"{where} ({f.id})", side


def infer_tap_version(findings: Iterable[Finding]) -> TapVersion:
    """The release the input's names point to; unknown when none does or both sides appear."""
    first: dict[str, tuple[str, str]] = {}
    for name, where, side in _mentions(findings):
        first.setdefault(side, (name, where))
    quoted = {side: f"`{name}` at {where}" for side, (name, where) in first.items()}
    if len(first) == 1:
        side = next(iter(first))
        return TapVersion(
            version=side,
            source="inferred",
            evidence=f"{quoted[side]}: {_SIDE_WORDS[side]}",
        )
    if len(first) == 2:
        return TapVersion(
            source="unknown",
            evidence="the input names both releases' spellings: "
            + "; ".join(f"{quoted[s]}: {_SIDE_WORDS[s]}" for s in sorted(quoted)),
        )
    return TapVersion()


def resolve_tap_version(given: str | None, findings: Sequence[Finding]) -> TapVersion:
    """The caller's release when given (noting any names that disagree), else the inferred one."""
    inferred = infer_tap_version(findings)
    version = normalise_tap_version(given)
    if version is None:
        return inferred
    note = None
    if inferred.version is not None and not span_of(inferred).meets(
        span_of(TapVersion(version=version))
    ):
        note = f"given; overrides what the input suggests: {inferred.evidence}"
    return TapVersion(version=version, source="given", evidence=note)


def release_remediation(
    findings: Sequence[Finding],
    signatures: Mapping[str, Signature],
    tap: TapVersion,
) -> list[Finding]:
    """Findings with their explanation and the steps for ``tap`` filled in from their fields.

    Drawn again from the signature's own texts each time, so a merged report
    gets the steps of the release judged over all its parts, filled with the
    values all its parts found.
    """
    out = []
    for f in findings:
        sig = signatures.get(f.id)
        if sig is not None:
            steps = select_steps(sig.remediation, tap)
            explanation = fill(sig.explanation.strip(), f.fields)
            chosen = render_steps(steps, f.fields)
            if chosen != f.remediation or explanation != f.explanation:
                f = f.model_copy(update={"remediation": chosen, "explanation": explanation})
        out.append(f)
    return out
