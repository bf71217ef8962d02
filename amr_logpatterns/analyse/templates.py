"""Unknown records: warning-or-worse records no signature explained, grouped by masked message.

A record's template is its message (and its ``error`` field, which Go loggers
often use for the whole story) with the values that change between repeats
masked: timestamps, UUIDs, IP addresses, hex ids, long base64-ish tokens,
durations, numbers, quoted values and the values of ``key=value`` and JSON
fields. A thousand repeats of one unknown error are then one template with its
count, its first occurrence and one example.

Memory stays bounded: at most ``limit`` templates are kept. Which ones is
decided by the template alone (errors before warnings, then a hash of the
template), never by where it appeared, so that the reports of parts of an input
merge into exactly the report of one run: a template kept in the whole run is
among the ``limit`` best of every part it occurs in, so every part counted all
of its records. Records of the other templates are counted as dropped.

Records whose context (file path, ``kubectl`` prefix, ``describe`` header)
names a pod that no AMR component claims are not counted: they are not AMR's.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from amr_logpatterns.analyse.aggregate import clip_evidence
from amr_logpatterns.analyse.attribution import NODE_SCOPE, accepts
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import Report, Seen, UnknownTemplate
from amr_logpatterns.packs.schema import Component

DEFAULT_MAX_TEMPLATES = 200

#: Normalised levels (``decoders.base.normalise_level``) at warning or above, by rank.
LEVEL_RANK: dict[str, int] = {"warn": 1, "error": 2, "dpanic": 3, "panic": 4, "fatal": 5}
UNKNOWN_LEVELS = frozenset(LEVEL_RANK)

#: Fields whose value is the record's real message in Go loggers (zap, klog's ``err``).
ERROR_FIELDS = ("error", "err")
FIELD_SEPARATOR = "  "

MAX_TEMPLATE_CHARS = 500
#: Only this much of a message is masked: a template keeps far less, and masking a
#: megabyte of pathological text would take a good part of a second.
MAX_MASKED_CHARS = 8192
CLIP_MARK = " […]"
_MEMO_SIZE = 4096
_MEMO_MAX_CHARS = 1024

#: The text each kind of masked value matches (without the boundaries the masker adds).
KIND_PATTERNS: dict[str, str] = {
    "ts": (
        r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?"
        r"(?:Z| ?[+-]\d\d:?\d\d)?(?: UTC| GMT)?)?"
        r"|\d{4}/\d\d/\d\d(?: \d\d:\d\d:\d\d(?:[.,]\d+)?)?"
        r"|\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    ),
    "uuid": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "ip": r"\d{1,3}(?:\.\d{1,3}){3}|(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}",
    "hex": r"(?:0x)?[0-9a-fA-F]{4,}",
    "b64": r"[A-Za-z0-9+/_-]{24,}={0,2}",
    "dur": r"\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))*",
    "num": r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?",
    "val": r"true|false|null",
}
#: What a masked string matches, by what surrounds it: double or single quotes, ``key=``.
STR_PATTERNS = {
    '"': r'(?:[^"\\\n]|\\.)*',
    "'": r"[^'\n]*",
    "=": r"""[^\s,;)\]}>"']+""",
}
PLACEHOLDER = re.compile(r"<(" + "|".join([*KIND_PATTERNS, "str"]) + r")>")

_B64 = r"[A-Za-z0-9+/_-]"
_TOKENS = re.compile(
    "|".join(
        (
            r"(?P<ts>(?<![\w.:])(?:" + KIND_PATTERNS["ts"] + r")(?!\w))",
            r"(?P<uuid>(?<![\w-])(?:" + KIND_PATTERNS["uuid"] + r")(?![\w-]))",
            # a JSON key stays; a literal value after it is masked
            r"(?P<jpair>(?P<jkey>[{,][^\S\n]*\"[^\"\\\n]{1,64}\"[^\S\n]*:[^\S\n]*)"
            r"(?P<jval>(?:true|false|null)(?!\w))?)",
            r"(?P<dq>\"(?:[^\"\\\n]|\\.)*\")",
            r"(?P<sq>(?<![\w'])'[^'\n]*'(?![\w']))",
            r"(?P<kv>(?P<kvkey>(?<![\w.])[A-Za-z_][\w.\-]*=)"
            r"(?P<kvval>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|" + STR_PATTERNS["="] + r"))",
            r"(?P<ip6>(?<![\w:.])(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F])"
            r"(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:]))",
            r"(?P<ip4>(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w)(?!\.\d))",
            r"(?P<hex>(?<![\w.])(?:0x[0-9a-fA-F]{4,}|(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})(?!\w))",
            rf"(?P<b64>(?<![A-Za-z0-9+/=_-])(?={_B64}*[A-Z])(?={_B64}*[a-z])(?={_B64}*[0-9])"
            rf"{_B64}{{24,}}={{0,2}}(?![A-Za-z0-9+/=_-]))",
            r"(?P<dur>(?<![\w.])(?:" + KIND_PATTERNS["dur"] + r")(?!\w)(?!\.\d))",
            r"(?P<num>(?<![\w.])(?:" + KIND_PATTERNS["num"] + r")(?!\w)(?!\.\d))",
        )
    )
)
_KIND_OF = {"ip6": "ip", "ip4": "ip"}

#: A piece of masked text: literal text, or a masked value as ``(kind, value)``.
Segment = str | tuple[str, str]
#: A bare ``key=value`` value that is wholly one kind is masked as that kind.
_BARE_KINDS = tuple(
    (kind, re.compile(f"(?:{KIND_PATTERNS[kind]})"))
    for kind in ("ts", "uuid", "ip", "hex", "dur", "num", "val")
)


def _bare(value: str) -> str:
    for kind, pattern in _BARE_KINDS:
        if pattern.fullmatch(value) and (kind != "hex" or len(value) >= 8):
            return kind
    return "str"


def segments(text: str) -> list[Segment]:
    """``text`` cut into literal text and the values that vary between repeats."""
    out: list[Segment] = []
    pos = 0
    for m in _TOKENS.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        kind = m.lastgroup or "num"
        if kind == "jpair":
            out.append(m["jkey"])
            if m["jval"]:
                out.append(("val", m["jval"]))
        elif kind in ("dq", "sq"):
            token = m[0]
            out += [token[0], ("str", token[1:-1]), token[-1]]
        elif kind == "kv":
            out.append(m["kvkey"])
            value = m["kvval"]
            if value[0] in "\"'":
                out += [value[0], ("str", value[1:-1]), value[-1]]
            else:
                out.append((_bare(value), value))
        else:
            out.append((_KIND_OF.get(kind, kind), m[0]))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def render(parts: Iterable[Segment]) -> str:
    """The template of masked text: each value as its placeholder, such as ``<num>``."""
    return "".join(p if isinstance(p, str) else f"<{p[0]}>" for p in parts)


def mask(text: str) -> str:
    """``text`` with every value that varies between repeats replaced by a placeholder."""
    return render(segments(text))


def error_field(record: LogRecord) -> tuple[str, str] | None:
    """The record's ``error`` (or ``err``) field and its text, when it has one as a string."""
    for key in ERROR_FIELDS:
        value = record.fields.get(key)
        if isinstance(value, str):
            return key, value
    return None


def clip_template(template: str) -> str:
    """A template cut to ``MAX_TEMPLATE_CHARS``, never inside a placeholder, marked as cut."""
    if len(template) <= MAX_TEMPLATE_CHARS:
        return template
    cut = MAX_TEMPLATE_CHARS
    opened = template.rfind("<", 0, cut)
    if opened >= 0 and PLACEHOLDER.match(template, opened) and template.find(">", opened) >= cut:
        cut = opened
    return template[:cut] + CLIP_MARK


class Masker:
    """Templates of records, with a bounded memo: repeats of one message are masked once."""

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def _mask(self, text: str) -> str:
        if len(text) > MAX_MASKED_CHARS:
            return mask(text[:MAX_MASKED_CHARS]) + CLIP_MARK
        if len(text) > _MEMO_MAX_CHARS:
            return mask(text)
        got = self._memo.get(text)
        if got is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            got = self._memo[text] = mask(text)
        return got

    def template(self, record: LogRecord) -> str:
        """The record's masked message, followed by its masked ``error`` field."""
        parts = [self._mask(record.message)] if record.message else []
        error = error_field(record)
        if error is not None:
            parts.append(f"{error[0]}={self._mask(error[1])}")
        return clip_template(FIELD_SEPARATOR.join(parts))


def priority(level: str, template: str) -> int:
    """Which templates the cap keeps (the largest): the level first, then a stable hash."""
    digest = hashlib.blake2b(f"{level}\0{template}".encode(), digest_size=8).digest()
    return (LEVEL_RANK.get(level, 0) << 64) | int.from_bytes(digest, "big")


def identifying_components(components: Iterable[Component]) -> tuple[Component, ...]:
    """The components a context can name (those with namespaces or workloads)."""
    return tuple(c for c in components if c.namespaces or c.workloads)


def is_foreign(context: Mapping[str, str], owners: Sequence[Component]) -> bool:
    """Whether the context names a pod, namespace or container that no AMR component claims."""
    if not owners or not context:
        return False
    if context.get("scope") == NODE_SCOPE:  # a node's line that no AMR pod is linked to
        return True
    if not ("namespace" in context or "workload" in context or "container" in context):
        return False
    return not any(accepts(c, context, {}) for c in owners)


@dataclass
class _Group:
    count: int
    first: Seen
    example: str


class UnknownTally:
    """Collects unknown records while inputs stream by, in bounded memory."""

    def __init__(
        self, limit: int = DEFAULT_MAX_TEMPLATES, owners: Sequence[Component] = ()
    ) -> None:
        if limit < 0:
            raise ValueError(f"the template limit must be 0 or more, not {limit}")
        self.limit = limit
        self.owners = tuple(owners)
        self.records = 0
        self.dropped = 0
        self.groups: dict[tuple[str, str], _Group] = {}
        self._kept: list[tuple[int, str, str]] = []  # a min-heap: the first one goes first
        self._masker = Masker()

    def add(self, record: LogRecord) -> bool:
        """Count a record no signature matched; False when it is not an unknown one."""
        level = record.level
        if level not in UNKNOWN_LEVELS or is_foreign(record.context, self.owners):
            return False
        template = self._masker.template(record)
        self.records += 1
        key = (level, template)
        group = self.groups.get(key)
        if group is not None:
            group.count += 1
            return True
        rank = (priority(level, template), level, template)
        if len(self.groups) >= self.limit:
            if not self._kept or rank < self._kept[0]:
                self.dropped += 1
                return True
            _, old_level, old_template = heapq.heapreplace(self._kept, rank)
            self.dropped += self.groups.pop((old_level, old_template)).count
        else:
            heapq.heappush(self._kept, rank)
        seen = Seen(source=record.source, line=record.line, ts=record.ts)
        self.groups[key] = _Group(1, seen, clip_evidence(record.text))
        return True

    def templates(self) -> list[UnknownTemplate]:
        """The kept templates, in no particular order (``with_unknown`` sorts them)."""
        return [
            UnknownTemplate(
                template=template, level=level, count=g.count, first_seen=g.first, example=g.example
            )
            for (level, template), g in self.groups.items()
        ]

    def apply(self, report: Report) -> Report:
        """The report with these templates and counts."""
        return with_unknown(report, self.templates(), self.records, self.dropped)


def with_unknown(
    report: Report, templates: Iterable[UnknownTemplate], records: int, dropped: int
) -> Report:
    """The report with its unknown templates (most frequent first, then by first occurrence)."""
    order = {s.source: i for i, s in enumerate(report.stats.sources)}
    ordered = sorted(
        templates,
        key=lambda t: (
            -t.count,
            order.get(t.first_seen.source, len(order)),
            t.first_seen.line,
            -LEVEL_RANK.get(t.level, 0),
            t.template,
        ),
    )
    stats = report.stats.model_copy(
        update={"unknown_records": records, "unknown_templates_dropped": dropped}
    )
    return report.model_copy(update={"unknown": ordered, "stats": stats})


def merge_unknown(
    reports: Sequence[Report], merged: Report, limit: int = DEFAULT_MAX_TEMPLATES
) -> Report:
    """``merged`` with the unknown templates of ``reports`` (in input order) folded together.

    Counts add up, the first report's occurrence and example win, and the cap
    keeps the same templates a single run keeps; evicted ones count as dropped.
    """
    groups: dict[tuple[str, str], UnknownTemplate] = {}
    records = dropped = 0
    for report in reports:
        records += report.stats.unknown_records
        dropped += report.stats.unknown_templates_dropped
        for t in report.unknown:
            key = (t.level, t.template)
            held = groups.get(key)
            groups[key] = (
                t if held is None else held.model_copy(update={"count": held.count + t.count})
            )
    ranked = sorted(
        groups.values(),
        key=lambda t: (priority(t.level, t.template), t.level, t.template),
        reverse=True,
    )
    dropped += sum(t.count for t in ranked[limit:])
    return with_unknown(merged, ranked[:limit], records, dropped)
