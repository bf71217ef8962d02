"""Draft signatures for unknown templates, so a pack author starts from a tested skeleton.

Each draft matches its own template and nothing looser: the literal text
escaped, every masked value a named group (typed where numeric). Its examples
are the record that was seen, a variant with other values and lines that must
not match, all checked the way ``selftest`` checks a pack before the draft is
handed out; what only a person can write (title, explanation, fix) says TODO.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from amr_logpatterns.analyse.matcher import accepts
from amr_logpatterns.analyse.templates import (
    CLIP_MARK,
    ERROR_FIELDS,
    FIELD_SEPARATOR,
    KIND_PATTERNS,
    PLACEHOLDER,
    STR_PATTERNS,
    Masker,
    Segment,
    error_field,
    identifying_components,
    segments,
)
from amr_logpatterns.authoring.selftest import check_examples
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue, UnknownTemplate
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.packs.schema import Signature
from amr_logpatterns.peel.wrappers import path_context
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.wording import shorten

_PREFIX = re.compile(r"^[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*$")
_META = frozenset(".^$*+?{}[]\\|()")
_KEY_BEFORE = re.compile(
    r"""(?:(?P<kv>[A-Za-z_][\w.\-]*)=["']?|"(?P<json>[^"\\\n]{1,64})"[^\S\n]*:[^\S\n]*"?)$"""
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")
_RUN = re.compile(r"\S{3,}")
_SEVERITY = {"warn": "warning"}
_SAMPLES = {
    "ts": "2024-05-01T10:00:00Z",
    "uuid": "3f2c9a1b-7d4e-4f60-9a1b-7d4e5f603f2c",
    "ip": "10.0.0.1",
    "hex": "3f2c9a1b7d4e5f60",
    "b64": "QmFzZTY0VG9rZW5FeGFtcGxlMDEyMw",
    "dur": "5s",
    "num": "42",
    "val": "true",
    "str": "value",
}
_TS = ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z")
_MAX_OTHER = 1000
#: How many lines of each kind a draft gets.
MATCH_EXAMPLES = 2
NO_MATCH_EXAMPLES = 2


@dataclass(frozen=True)
class _Slot:
    """A masked value in a draft's regex: its group name and what it matches."""

    kind: str
    name: str
    pattern: str


Piece = str | _Slot


@dataclass(frozen=True)
class _Part:
    """One matched text of a draft (the message, or a field), as literal text and slots."""

    segments: tuple[Piece, ...]
    clipped: bool

    @property
    def slots(self) -> list[_Slot]:
        return [s for s in self.segments if isinstance(s, _Slot)]

    def regex(self) -> str:
        body = "".join(
            f"(?P<{s.name}>{s.pattern})" if isinstance(s, _Slot) else _escape(s)
            for s in self.segments
        )
        return "^" + body + ("" if self.clipped else "$")

    def literals(self) -> list[str]:
        return [s for s in self.segments if isinstance(s, str)]

    def render(self, values: Mapping[str, str]) -> str:
        """The text with these values in its slots."""
        return "".join(values[s.name] if isinstance(s, _Slot) else s for s in self.segments)


@dataclass(frozen=True)
class Draft:
    """The draft for one unknown template, or why there is none (``text`` None, ``reason``)."""

    template: UnknownTemplate
    signature_id: str
    file_name: str
    text: str | None
    reason: str = ""


def _escape(text: str) -> str:
    """Escape only what is special in a regex, so drafts stay readable."""
    out = []
    for ch in text:
        if ch in _META:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append(r"\n")
        elif ch == "\t":
            out.append(r"\t")
        elif not ch.isprintable():
            code = ord(ch)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(ch)
    return "".join(out)


def _group_name(kind: str, before: str, taken: set[str]) -> str:
    """A group named after the key the value belongs to, else after its kind (``num1``)."""
    m = _KEY_BEFORE.search(before)
    base = ""
    if m is not None:
        base = re.sub(r"[^a-z0-9_]+", "_", (m["kv"] or m["json"]).lower()).strip("_")
        if base and not base[0].isalpha():
            base = f"{kind}_{base}"
    if base:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
    else:
        n = 1
        while f"{kind}{n}" in taken:
            n += 1
        name = f"{kind}{n}"
    taken.add(name)
    return name


def _parsed(template: str) -> list[Segment]:
    """A template read back into segments, with sample values (when no record shows them)."""
    out: list[Segment] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            out.append(template[pos : m.start()])
        out.append((m[1], _SAMPLES[m[1]]))
        pos = m.end()
    if pos < len(template):
        out.append(template[pos:])
    return out


def _part(
    masked: Sequence[Segment], taken: set[str], values: dict[str, str], clipped: bool = False
) -> _Part:
    """A draft's view of masked text: literals, and a named slot (with its value) per value."""
    pieces: list[Piece] = []
    before = ""
    for segment in masked:
        if isinstance(segment, str):
            pieces.append(segment)
            before += segment
            continue
        kind, value = segment
        quoted = STR_PATTERNS.get(before[-1:], r".*?")
        pattern = quoted if kind == "str" else KIND_PATTERNS[kind]
        slot = _Slot(kind, _group_name(kind, before, taken), pattern)
        pieces.append(slot)
        values[slot.name] = value
        before += f"<{kind}>"
    return _Part(tuple(pieces), clipped)


def _records(text: str) -> list[LogRecord]:
    """The records of a text, read through the whole pipeline as a scan would."""
    stream = RecordStream(Tally(source="example"))
    out: list[LogRecord] = []
    for number, line in enumerate(text.split("\n"), 1):
        out += stream.push(number, line)
    return out + stream.finish()


@dataclass(frozen=True)
class _Shape:
    """What a draft matches: the message, and the error field (its key) when it has one."""

    message: _Part | None
    field: tuple[str, _Part] | None
    record: LogRecord | None
    values: dict[str, str]

    @property
    def parts(self) -> list[_Part]:
        return [p for p in (self.message, self.field and self.field[1]) if p is not None]

    def literals(self) -> list[str]:
        return [text for p in self.parts for text in p.literals()]

    def kind_of(self, name: str) -> str:
        return next(s.kind for p in self.parts for s in p.slots if s.name == name)


def _shape(t: UnknownTemplate) -> _Shape:
    """Split the template into message and error field, from its example where it decodes."""
    taken: set[str] = set()
    values: dict[str, str] = {}
    records = _records(t.example)
    record = records[0] if records else None
    if record is not None and Masker().template(record) == t.template:
        error = error_field(record)
        message = _part(segments(record.message), taken, values) if record.message else None
        field = None
        if error is not None:
            field = (error[0], _part(segments(error[1]), taken, values))
        return _Shape(message, field, record, values)
    text = t.template
    for key in ERROR_FIELDS:
        head, sep, tail = text.rpartition(f"{FIELD_SEPARATOR}{key}=")
        if not sep and text.startswith(f"{key}="):
            head, sep, tail = "", "x", text[len(key) + 1 :]
        if sep:
            message = _template_part(head, taken, values) if head else None
            return _Shape(message, (key, _template_part(tail, taken, values)), None, values)
    return _Shape(_template_part(text, taken, values), None, None, values)


def _template_part(text: str, taken: set[str], values: dict[str, str]) -> _Part:
    """A part read back from the template's text; a cut one matches as a prefix."""
    clipped = text.endswith(CLIP_MARK)
    return _part(_parsed(text.removesuffix(CLIP_MARK)), taken, values, clipped)


def _rotate(ch: str, kind: str) -> str:
    if ch.isdigit():
        return str((int(ch) + 1) % 10)
    if kind in ("uuid", "hex", "ip"):
        base = "a" if ch.islower() else "A"
        return chr(ord(base) + (ord(ch.lower()) - ord("a") + 1) % 6)
    base = "a" if ch.islower() else "A"
    return chr(ord(base) + (ord(ch.lower()) - ord("a") + 1) % 26)


def _vary(value: str, kind: str) -> str:
    """Another value of the same kind: one letter or digit moved on, ``-2`` after a string."""
    if kind == "val":
        return "false" if value == "true" else "true"
    if kind == "str":
        return f"{value}-2" if value else "other"
    for i, ch in enumerate(value):
        if ch.isascii() and ch.isalnum():
            return value[:i] + _rotate(ch, kind) + value[i + 1 :]
    return value + "x"


def _line(level: str, message: str, field: tuple[str, str] | None, ts: str = _TS[0]) -> str:
    """A zap JSON record: every decoder reads it the same, whatever its message holds."""
    obj: dict[str, str] = {"level": level, "ts": ts, "msg": message}
    if field is not None:
        obj[field[0]] = field[1]
    return json.dumps(obj, ensure_ascii=False)


def _render(t: UnknownTemplate, shape: _Shape, values: Mapping[str, str], ts: str = _TS[0]) -> str:
    message = "" if shape.message is None else shape.message.render(values)
    field = None if shape.field is None else (shape.field[0], shape.field[1].render(values))
    return _line(t.level, message, field, ts)


def _keywords(shape: _Shape) -> list[str]:
    """The longest literal words (at least three characters) every matching record holds."""
    literals = shape.literals()
    words = [w for text in literals for w in _WORD.findall(text)]
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


def _slug(shape: _Shape, t: UnknownTemplate) -> str:
    words = [w.lower() for text in shape.literals() for w in re.findall(r"[A-Za-z0-9]+", text)]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 48:
            break
        slug = f"{slug}-{word}" if slug else word
    if not slug:
        slug = hashlib.sha256(t.template.encode()).hexdigest()[:8]
    return slug


def _types(shape: _Shape, samples: Sequence[Mapping[str, str]]) -> dict[str, str]:
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


def _match_condition(shape: _Shape) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    if shape.message is not None:
        condition["message"] = shape.message.regex()
    if shape.field is not None:
        condition["fields"] = {shape.field[0]: shape.field[1].regex()}
    return condition


def _no_match_candidates(
    t: UnknownTemplate, shape: _Shape, values: Mapping[str, str], others: Sequence[str]
) -> list[str]:
    """Another template's example, then the record with one literal word changed."""
    out = [o for o in others if o != t.example and "\n" not in o and len(o) <= _MAX_OTHER][:1]
    words = sorted(
        {w for text in shape.literals() for w in _WORD.findall(text)}, key=lambda w: (-len(w), w)
    )
    for word in words:
        changed = word.swapcase()
        message = "" if shape.message is None else shape.message.render(values)
        field = None if shape.field is None else shape.field[1].render(values)
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
        if word in message:
            message = pattern.sub(changed, message, count=1)
        elif field is not None:
            field = pattern.sub(changed, field, count=1)
        key = None if shape.field is None or field is None else (shape.field[0], field)
        out.append(_line(t.level, message, key))
    if shape.message is not None and not shape.message.clipped:
        out.append(_line(t.level, shape.message.render(values) + " but differently", None))
    return out


def _draft(
    t: UnknownTemplate, pack: Pack, prefix: str, taken: set[str], others: Sequence[str]
) -> Draft:
    shape = _shape(t)
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
    varied = {k: _vary(v, shape.kind_of(k)) for k, v in values.items()}
    # the record as seen, then one with other values; the rest stand in when those fail
    candidates = [t.example, _render(t, shape, varied), _render(t, shape, values)]
    candidates.append(_render(t, shape, values, ts=_TS[1]))
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
        for line in dict.fromkeys(_no_match_candidates(t, shape, values, others))
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
