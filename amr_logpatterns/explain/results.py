"""What ``explain-line`` answers, as models: how each line was read, what matched, what nearly did.

Every field is plain data, so the explanation serialises to JSON
(``explain-line --format json``) and redacts like a report.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from amr_logpatterns.models.results import FieldValue
from amr_logpatterns.packs.schema import Severity


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Peeled(_Model):
    """Something a capture tool or a paste put around the record, removed before decoding."""

    name: str
    removed: str
    context: dict[str, str] = {}


class PhysicalLine(_Model):
    """One physical line of the explained text, as the reader took it.

    ``kind``: ``text`` (decoded), ``blank``, ``skipped`` (a pasted marker:
    ``marker`` says which) or ``partial`` (a CRI ``P`` entry the next line completes).
    """

    number: int
    original: str
    kind: Literal["text", "blank", "skipped", "partial"]
    marker: str | None = None
    encoding: str
    invalid_bytes: list[str] = []
    bom: bool = False
    crlf: bool = False
    has_nul: bool = False
    truncated: bool = False
    wrappers: list[Peeled] = []
    text: str
    notes: list[str] = []


class ContextEntry(_Model):
    """One key of the context attribution sees, and which line or wrapper named it."""

    key: str
    value: str
    origin: str


class RecordReading(_Model):
    """A record as the decoders and the grouper made it."""

    line: int
    end_line: int
    format: str
    format_description: str
    level: str | None = None
    logger: str | None = None
    caller: str | None = None
    ts: str | None = None
    message: str
    fields: dict[str, JsonValue] = {}
    context: list[ContextEntry] = []
    raw: str
    continuation: list[str] = []


class TypeProblem(_Model):
    """A named group whose text is not a valid value of its declared type (kept as text)."""

    field: str
    value: str
    declared: str
    summary: str
    hint: str


class MatchedSignature(_Model):
    """A signature the record matched, with the fields it extracted."""

    id: str
    title: str
    severity: Severity
    component: str
    fields: dict[str, FieldValue] = {}
    type_problems: list[TypeProblem] = []


class RegexTest(_Model):
    """One regex test: the key it reads, the pattern, the value (None: field absent)."""

    path: str
    key: str
    pattern: str
    value: str | None
    found: str | None = None


class ConditionFailure(_Model):
    """Where the condition tree stopped holding.

    ``test``: ``failed`` did not hold. ``any``: none of ``branches`` branches held;
    ``cause`` is how the closest one (``branch``) failed. ``none``: branch
    ``branch`` held, which excludes the record; ``held`` are its tests.
    """

    kind: Literal["test", "any", "none"]
    path: str
    failed: RegexTest | None = None
    branches: int = 0
    branch: int | None = None
    cause: ConditionFailure | None = None
    held: list[RegexTest] = []


class AttributionRefusal(_Model):
    """Why one of the signature's components does not claim the record."""

    component: str
    key: str
    value: str
    origin: str
    accepts: list[str] = []
    refuses: list[str] = []


class NearMiss(_Model):
    """A signature that did not match, why, and what would have made it match."""

    id: str
    title: str
    severity: Severity
    component: str
    reason: Literal["keyword-absent", "condition", "attribution"]
    summary: str
    hint: str
    keywords: list[str]
    keywords_present: list[str] = []
    tests_passed: int = 0
    condition_holds: bool = False
    condition: ConditionFailure | None = None
    attribution: list[AttributionRefusal] = []
    fields: dict[str, FieldValue] = {}


class RecordExplanation(_Model):
    """One record of the line: how it was read, what matched it, the closest misses."""

    read: RecordReading
    matched: list[MatchedSignature] = []
    near_misses: list[NearMiss] = []
    not_shown: int = 0


class LineExplanation(_Model):
    """Everything ``explain-line`` knows about one line (or one multi-line record)."""

    source: str
    first_line: int
    last_line: int
    lines: list[PhysicalLine]
    records: list[RecordExplanation] = []
    signature_id: str | None = None
    notes: list[str] = []
