"""Draft signatures for unknown templates, so a pack author starts from a tested skeleton.

Each draft matches its own template and nothing looser: the literal text
escaped, every masked value a named group (typed where numeric). Its examples
are the record that was seen, a variant with other values and lines that must
not match, all checked the way ``selftest`` checks a pack before the draft is
handed out; what only a person can write (title, explanation, fix) says TODO.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from amr_logpatterns.analyse.attribution import accepts
from amr_logpatterns.analyse.templates import KIND_PATTERNS, identifying_components
from amr_logpatterns.authoring.draft_examples import match_candidates, no_match_candidates
from amr_logpatterns.authoring.draft_shape import WORD, Shape, shape_of
from amr_logpatterns.authoring.selftest import check_examples
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue, UnknownTemplate
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.packs.schema import Signature
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.wording import shorten

_PREFIX = re.compile(r"^[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*$")
_RUN = re.compile(r"\S{3,}")
_SEVERITY = {"warn": "warning"}
#: How many lines of each kind a draft gets.
MATCH_EXAMPLES = 2
NO_MATCH_EXAMPLES = 2


@dataclass(frozen=True)
class Draft:
    """The draft for one unknown template, or why there is none (``text`` None, ``reason``)."""

    template: UnknownTemplate
    signature_id: str
    file_name: str
    text: str | None
    reason: str = ""


def _keywords(shape: Shape) -> list[str]:
    """The longest literal words (at least three characters) every matching record holds."""
    literals = shape.literals()
    words = [w for text in literals for w in WORD.findall(text)]
    if not words:
        words = [w for text in literals for w in _RUN.findall(text)]
    ranked = sorted(dict.fromkeys(words), key=lambda w: -len(w))[:3]
    # a short common word would send every record that holds it to the draft's regex
    return [w for w in ranked if len(w) >= 4] or ranked[:1]


def _component(t: UnknownTemplate, record: LogRecord | None, pack: Pack) -> str:
    """The component the record came from (its path, prefix or names), else the busiest one."""
    if not pack.components:
        raise ValueError("the pack has no components to attribute drafts to")
    owners = identifying_components(pack.components)
    context = {**path_context(t.first_seen.source), **(record.context if record else {})}
    if "namespace" in context or "workload" in context:
        for c in owners:
            if accepts(c, context, {}):
                return c.id
    haystack = f"{t.first_seen.source}\n{t.example}"
    for c in owners:  # a pod's name says whose it is
        if any(glob.rstrip("*") in haystack for glob in c.workloads if glob.rstrip("*")):
            return c.id
    by_namespace = [c for c in owners if any(ns in haystack for ns in c.namespaces)]
    if len(by_namespace) == 1:  # a namespace only when one component lives there
        return by_namespace[0].id
    counts = Counter(s.component for s in pack.signatures)
    ids = [c.id for c in pack.components]
    return max(ids, key=lambda cid: (counts[cid], -ids.index(cid)))


def _attribution(component: str, pack: Pack) -> dict[str, list[str]]:
    """Every AMR component, the guessed one first: records of any of them were counted as
    unknown, so the draft must accept them all until its author narrows it."""
    owners = [c.id for c in identifying_components(pack.components)]
    if not owners or owners == [component]:
        return {}
    return {"attribution": [component, *(o for o in owners if o != component)]}


def _slug(shape: Shape, t: UnknownTemplate) -> str:
    words = [w.lower() for text in shape.literals() for w in re.findall(r"[A-Za-z0-9]+", text)]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 48:
            break
        slug = f"{slug}-{word}" if slug else word
    if not slug:
        slug = hashlib.sha256(t.template.encode()).hexdigest()[:8]
    return slug


def _types(shape: Shape, samples: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """``int`` or ``float`` for numeric slots whose values all read as such."""
    types: dict[str, str] = {}
    for slot in (s for p in shape.parts for s in p.slots):
        if slot.kind != "num":
            continue
        seen = [s[slot.name] for s in samples if slot.name in s]
        if seen and all(re.fullmatch(r"-?\d+", v) for v in seen):
            types[slot.name] = "int"
        elif seen and all(re.fullmatch(KIND_PATTERNS["num"], v) for v in seen):
            types[slot.name] = "float"
    return types


class _Trial:
    """A draft compiled on its own, to try candidate example lines on it."""

    def __init__(self, data: dict[str, Any], pack: Pack) -> None:
        self.signature = Signature.model_validate(data)
        self.classifier = Classifier(
            Pack(signatures=(self.signature,), components=pack.components), engine="exact"
        )

    def fields(self, line: str) -> dict[str, FieldValue] | None:
        """The fields the draft extracts from the line's first record, None when no match."""
        sig_id = self.signature.id
        hits = [m for m in self.classifier.scan(line, source_name="example") if m.id == sig_id]
        return hits[0].fields if hits and hits[0].line == 1 else None


def _match_condition(shape: Shape) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    if shape.message is not None:
        condition["message"] = shape.message.regex()
    if shape.field is not None:
        condition["fields"] = {shape.field[0]: shape.field[1].regex()}
    return condition


def _draft(
    t: UnknownTemplate, pack: Pack, prefix: str, taken: set[str], others: Sequence[str]
) -> Draft:
    shape = shape_of(t)
    keywords = _keywords(shape)
    slug = _slug(shape, t)
    sig_id = f"{prefix}.unknown-{slug}"
    n = 2
    while sig_id in taken:
        sig_id, n = f"{prefix}.unknown-{slug}-{n}", n + 1
    taken.add(sig_id)
    file_name = f"{sig_id}.yaml"
    if not keywords:
        return Draft(t, sig_id, file_name, None, "the template has no literal text to match on")
    values = shape.values
    candidates = match_candidates(t, shape)
    component = _component(t, shape.record, pack)
    data: dict[str, Any] = {
        "id": sig_id,
        "title": f"TODO: name the problem behind: {_short(t.template)}",
        "component": component,
        "severity": _SEVERITY.get(t.level, "error"),
        "category": "unknown",
        "explanation": (
            f"TODO: explain what this {t.level} record means, why it happens and what it"
            f" breaks. No signature explained it; it was seen {t.count} time(s), first at"
            f" {t.first_seen.source}:{t.first_seen.line}."
        ),
        "remediation": [{"text": "TODO: the first step of the fix, and how to check it."}],
        **_attribution(component, pack),
        "match": {"keywords": keywords, **_match_condition(shape)},
        "examples": {"match": [{"line": c} for c in candidates[:2]], "no_match": ["-", "-"]},
    }
    trial = _Trial(data, pack)
    strings = [f for f in (trial.fields(c) for c in candidates) if f is not None]
    types = _types(shape, [{k: str(v) for k, v in f.items()} for f in strings])
    if types:
        data = {**data, "types": types}
        trial = _Trial(data, pack)
    matched: list[dict[str, Any]] = []
    for line in dict.fromkeys(candidates):
        fields = trial.fields(line)
        if fields is not None and len(matched) < MATCH_EXAMPLES:
            matched.append({"line": line, "fields": fields})
    no_match = [
        line
        for line in dict.fromkeys(no_match_candidates(t, shape, values, others))
        if trial.fields(line) is None
    ][:NO_MATCH_EXAMPLES]
    if len(matched) < MATCH_EXAMPLES or len(no_match) < NO_MATCH_EXAMPLES:
        return Draft(t, sig_id, file_name, None, "no example lines behave as the draft needs")
    data["examples"] = {"match": matched, "no_match": no_match}
    final = _Trial(_ordered(data), pack)
    failed = [r for r in check_examples(final.classifier) if not r.passed]
    if failed:
        return Draft(t, sig_id, file_name, None, f"its examples fail: {failed[0].detail}")
    return Draft(t, sig_id, file_name, _yaml(_ordered(data), t))


def _short(template: str, limit: int = 80) -> str:
    return shorten(" ".join(template.split()), limit)


_ORDER = (
    "id",
    "title",
    "component",
    "severity",
    "category",
    "explanation",
    "remediation",
    "attribution",
    "types",
    "match",
    "examples",
)


def _ordered(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in _ORDER if k in data}


def _yaml(data: Mapping[str, Any], t: UnknownTemplate) -> str:
    header = (
        "# Draft written by amr-logpatterns suggest from an unknown template:\n"
        f"#   {_short(t.template, 200)}\n"
        "# Write the title, explanation and remediation (every TODO) before shipping it,\n"
        "# and narrow the attribution to the components whose records it describes.\n"
    )
    body = yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False
    )
    return header + body


def draft_signatures(
    templates: Sequence[UnknownTemplate], pack: Pack, *, prefix: str = "custom"
) -> list[Draft]:
    """One draft per template, in order; a template no draft can be made for says why."""
    if not _PREFIX.match(prefix):
        raise ValueError(
            f"prefix {prefix!r} must be lower-case letters, digits and dashes, such as 'custom'"
        )
    taken = {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}
    examples = [t.example for t in templates]
    return [_draft(t, pack, prefix, taken, examples) for t in templates]


def suggest_signatures(
    templates: Sequence[UnknownTemplate], pack: Pack, *, prefix: str = "custom"
) -> dict[str, str]:
    """A draft signature file (name to YAML text) for each template a draft can be made for.

    Every draft loads with ``load_packs`` as it is and passes its own examples.
    """
    return {d.file_name: d.text for d in draft_signatures(templates, pack, prefix=prefix) if d.text}


def write_drafts(
    drafts: Mapping[str, str], directory: str | Path, *, overwrite: bool = False
) -> list[Path]:
    """Write drafts into ``directory`` (created if needed); refuse to replace files unless asked.

    Nothing is written when any file exists and ``overwrite`` is False, so a
    second run cannot destroy a draft someone already edited.
    """
    target = Path(directory)
    paths = [target / name for name in drafts]
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing)
        raise FileExistsError(f"not overwriting existing drafts: {names}")
    target.mkdir(parents=True, exist_ok=True)
    for path, text in zip(paths, drafts.values(), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths
