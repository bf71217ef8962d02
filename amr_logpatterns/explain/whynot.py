"""Why a line gave no finding: how it was read, what matched, and why the closest rest did not.

When someone expects a finding and gets none, the cause sits at one stage of the
pipeline: a wrapper that was not peeled (so no decoder recognised the record), a
message other than the one they thought, a keyword or a condition of the
signature that does not hold, or attribution giving the line to another
component. ``explain_line`` replays the exact pipeline over the line and the
lines before it (the paste state they set up matters) and reports every stage.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, JsonValue

from amr_logpatterns.analyse.matcher import (
    Failure,
    SignatureTrace,
    Step,
    match_signatures,
    trace_signature,
)
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.models.records import Line, LogRecord
from amr_logpatterns.models.results import FieldValue
from amr_logpatterns.packs.schema import Severity
from amr_logpatterns.peel.wrappers import (
    _ANSI,
    _BARE_SGR,
    _CAPTURE_TS,
    _COMMAND,
    _CRI,
    _DMESG,
    _DOCKER_JSON,
    _ELISION,
    _FENCE,
    _JOURNAL,
    _KUBECTL_PREFIX,
    _LABEL,
    _LABEL_SET,
    _QUOTE,
    _RECORD_FIRST,
    _TAIL_HEADER,
    PasteState,
    _docker_json,
    _known_context,
    _peel_unknown_prefix,
    journal_context,
    path_context,
    strip_ansi,
)
from amr_logpatterns.pipeline.classifier import Classifier, open_log
from amr_logpatterns.wording import did_you_mean, shorten

#: How many lines past the asked one the file form reads at most to complete its record
#: (a stack trace holds up to 400 frames of two lines, a CloudEvent dump 64 lines).
LOOKAHEAD_LINES = 1000

_FORMATS = {
    "zap-json": "zap JSON",
    "zap-console": "zap console",
    "klog": "klog",
    "golog": "Go standard log",
    "event": "Kubernetes event row",
    "cloudevent": "the Observer's CloudEvent dump",
    "plain": "plain text (no decoder recognised a record shape)",
}

_WRAPPER_NAMES = {
    "ansi": "ANSI colour",
    "quote": "e-mail quote marker",
    "indentation": "indentation",
    "cri": "CRI/containerd node-log prefix",
    "docker-json": "Docker json-file / Fluent Bit envelope",
    "loki-labels": "Loki label set",
    "kubectl-prefix": "kubectl logs --prefix",
    "kubectl-timestamps": "kubectl logs --timestamps",
    "name-prefix": "stern-style name prefix",
    "journal": "journal/syslog prefix",
    "dmesg": "dmesg timestamp",
}

#: Who names the pod when the record itself does (not a wrapper or the paste around it).
_RECORD_ORIGINS = {
    "event": "the event row",
    "pod": "the pod's row or description",
    "container": "the pod's description",
    "pod-conditions": "the pod's description",
    "top": "the kubectl top row",
    "kernel": "the pod the kernel line is linked to (by container id, pod UID or process name)",
    "klog": "the kubelet line's pod= field",
}

_BOM = "\ufeff"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


# --- reading, traced ---------------------------------------------------------------


@dataclass
class _Reading:
    """What the byte and text layer did to one physical line before the wrappers."""

    text: str
    original: str
    encoding: str
    invalid: list[str]
    bom: bool
    crlf: bool
    has_nul: bool
    truncated: bool


def _invalid_bytes(item: bytes) -> list[str]:
    """The byte sequences that are not UTF-8, with their offsets, for the report."""
    out: list[str] = []
    pos = 0
    while pos < len(item):
        try:
            item[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            if len(out) == 8:
                out.append("and more")
                break
            start, end = pos + exc.start, pos + exc.end
            out.append(f"{item[start:end].hex(' ')} at byte {start}")
            pos = end
    return out


def _read(number: int, item: str | bytes, max_line_length: int) -> _Reading:
    """Mirror ``LineReader.push`` up to the wrappers, noting each change it makes."""
    invalid: list[str] = []
    if isinstance(item, bytes):
        try:
            text, encoding = item.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = item.decode("utf-8", errors="replace")
            encoding = "utf-8 with invalid bytes (each read as U+FFFD)"
            invalid = _invalid_bytes(item)
    else:
        text, encoding = item, "already text (no bytes to decode)"
    original = text
    bom = number == 1 and text.startswith(_BOM)
    if bom:
        text = text[1:]
    crlf = text.endswith("\r")
    text = text.rstrip("\r") if crlf else text
    truncated = len(text) > max_line_length
    if truncated:
        text = text[:max_line_length]
    has_nul = "\x00" in text
    if has_nul:
        text = text.replace("\x00", "\ufffd")
    return _Reading(text, original, encoding, invalid, bom, crlf, has_nul, truncated)


@dataclass
class _PeelTrace:
    """What ``peel`` does to one line, step by step, computed on a copy of the paste state."""

    kind: Literal["text", "blank", "skipped", "partial"]
    text: str
    wrappers: list[Peeled]
    marker: str | None = None
    joined_partial: bool = False


def _marker(text: str) -> str | None:
    """Which pasted marker ``_paste_marker`` takes the line for, in its order."""
    if _FENCE.match(text):
        return "a Markdown fence"
    if _ELISION.match(text):
        return "an elision marker"
    if _COMMAND.match(text):
        return "a pasted command line"
    if _TAIL_HEADER.match(text):
        return "a tail header"
    return None


def _envelope(text: str) -> str:
    """A Docker or Fluent Bit record without its log text: what was peeled around it."""
    obj, _ = json.JSONDecoder().raw_decode(text)
    return json.dumps({**obj, "log": "…"}, ensure_ascii=False)


def _peel_wrappers(text: str, context: dict[str, str]) -> tuple[str, str, list[Peeled]]:
    """Mirror ``wrappers._peel_wrappers``, naming each wrapper it removes."""
    cri_flag = ""
    steps: list[Peeled] = []
    for _ in range(6):
        before = text
        m = _CRI.match(text)
        if m and not cri_flag:
            cri_flag = m["flag"]
            context["capture_ts"] = m["ts"]
            steps.append(Peeled(name="cri", removed=m[0], context={"capture_ts": m["ts"]}))
            text = text[m.end() :]
        if not cri_flag and _DOCKER_JSON.match(text):
            found: dict[str, str] = {}
            unwrapped = _docker_json(text, found)
            if unwrapped is not None:
                context.update(found)
                steps.append(Peeled(name="docker-json", removed=_envelope(text), context=found))
                text, cri_flag = unwrapped
        m = _LABEL_SET.match(text)
        if m:
            found = _known_context({k["key"]: k["value"] for k in _LABEL.finditer(m["labels"])})
            context.update(found)
            steps.append(Peeled(name="loki-labels", removed=m[0], context=found))
            text = text[m.end() :]
        m = _JOURNAL.match(text)
        if m:
            found = journal_context(m)
            context.update(found)
            steps.append(Peeled(name="journal", removed=m[0], context=found))
            text = text[m.end() :]
        m = _DMESG.match(text)
        if m:
            context.setdefault("ident", "kernel")
            steps.append(Peeled(name="dmesg", removed=m[0], context={"ident": "kernel"}))
            text = text[m.end() :]
        m = _KUBECTL_PREFIX.match(text)
        if m:
            found = {"workload": m["pod"], "container": m["container"]}
            context.update(found)
            steps.append(Peeled(name="kubectl-prefix", removed=m[0], context=found))
            text = text[m.end() :]
        m = _CAPTURE_TS.match(text)
        if m:
            context.setdefault("capture_ts", m["ts"])
            steps.append(Peeled(name="kubectl-timestamps", removed=m[0]))
            text = text[m.end() :]
        found = {}
        rest = _peel_unknown_prefix(text, found)
        if rest != text:
            context.update(found)
            steps.append(Peeled(name="name-prefix", removed=text[: -len(rest)], context=found))
            text = rest
        if text == before:
            break
    return text, cri_flag, steps


def _trace_peel(text: str, state: PasteState) -> _PeelTrace:
    """Mirror ``wrappers.peel`` on a copy of the paste state (the real reader stays the judge)."""
    wrappers: list[Peeled] = []
    stripped = strip_ansi(text)
    if stripped != text:
        codes = _ANSI.findall(text)
        rest = _ANSI.sub("", text)
        codes += _BARE_SGR.findall(rest) if "[0m" in rest else []
        wrappers.append(Peeled(name="ansi", removed="".join(codes)))
        text = stripped
    quoted = _QUOTE.match(text)
    if quoted:
        wrappers.append(Peeled(name="quote", removed=quoted[0]))
        text = text[quoted.end() :]
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    if indent:
        wrappers.append(Peeled(name="indentation", removed=indent))
        text = text[len(indent) :]
    if not text.strip():
        return _PeelTrace("blank", "", wrappers)
    if state.partial is None and _RECORD_FIRST.match(text):
        return _PeelTrace("text", text.rstrip(), wrappers)
    marker = _marker(text.rstrip())
    if marker is not None:
        return _PeelTrace("skipped", text.rstrip(), wrappers, marker=marker)
    context: dict[str, str] = {}
    text, cri_flag, steps = _peel_wrappers(text, context)
    wrappers += steps
    joined = state.partial is not None and bool(cri_flag)
    if not joined:
        rest = text.lstrip(" \t")
        if rest != text:
            wrappers.append(Peeled(name="indentation", removed=text[: len(text) - len(rest)]))
        text = rest
    if cri_flag == "P":
        return _PeelTrace("partial", text, wrappers, joined_partial=joined)
    text = text.rstrip()
    return _PeelTrace("text" if text else "blank", text, wrappers, joined_partial=joined)


# --- the replayed pipeline -----------------------------------------------------------


class _Replay(RecordStream):
    """The exact pipeline, keeping the lines it decodes so they can be shown."""

    def __init__(self, tally: Tally, *, max_line_length: int, context: dict[str, str]) -> None:
        super().__init__(tally, max_line_length=max_line_length, context=context)
        self.seen: list[Line] = []

    def _decode(self, line: Line) -> list[LogRecord]:
        self.seen.append(line)
        return super()._decode(line)


@dataclass
class _Origins:
    """Which line set the paste state's session and describe context."""

    session: str | None
    describe: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class _Traced:
    """How one explained physical line was read, kept until the report is built."""

    reading: _Reading
    peel: _PeelTrace
    notes: list[str]


class _Run:
    """One replay of the pipeline over the context and the explained lines."""

    def __init__(self, classifier: Classifier, source: str) -> None:
        self.source = source
        self.max_line_length = classifier.max_line_length
        self.path_context = path_context(source)
        self.stream = _Replay(
            Tally(source=source),
            max_line_length=classifier.max_line_length,
            context=self.path_context,
        )
        self.records: list[LogRecord] = []
        self.traced: dict[int, _Traced] = {}
        first = f"the source name {source!r}" if self.path_context else None
        self.origins: list[tuple[int, _Origins]] = [
            (0, _Origins(first, values=dict(self.path_context)))
        ]

    @property
    def state(self) -> PasteState:
        """The paste state of the replay's reader."""
        return self.stream.reader.state

    def push(self, number: int, item: str | bytes, *, trace: bool = False) -> None:
        """Feed one physical line; with ``trace``, also record how it was read.

        Context lines (``trace`` off) only build up state: a record complete
        before the explained lines cannot hold them, so it is not kept, and only
        the last decoded lines are, which keeps a long file's memory bounded.
        """
        state = self.state
        session, describe = dict(state.session), dict(state.describe)
        reading = _read(number, item, self.max_line_length) if trace else None
        peel = None if reading is None else _trace_peel(reading.text, copy.deepcopy(state))
        records = self.stream.push(number, item)
        self._note_origins(number, item, session, describe)
        if reading is None or peel is None:
            seen = self.stream.seen
            if len(seen) > 2 * LOOKAHEAD_LINES:
                del seen[:-LOOKAHEAD_LINES]
        else:
            self.records += records
            notes = []
            if peel.kind == "skipped" and state.session != session and state.session:
                shown = ", ".join(f"{k}={v}" for k, v in state.session.items())
                notes.append(f"sets the context of the lines after it: {shown}")
            self.traced[number] = _Traced(reading, peel, notes)

    def _note_origins(
        self, number: int, item: str | bytes, session: dict[str, str], describe: dict[str, str]
    ) -> None:
        """Remember which line set the session or describe context, when one changed it."""
        state = self.state
        if state.session == session and state.describe == describe:
            return
        last = self.origins[-1][1]
        origins = _Origins(last.session, dict(last.describe), dict(state.session))
        if state.session != session:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
            text = strip_ansi(text).strip()
            what = "tail header" if _TAIL_HEADER.match(text) else "command"
            origins.session = f"the pasted {what} on line {number}: `{_short(text, 80)}`"
        for key in list(origins.describe):
            if key not in state.describe:
                del origins.describe[key]
        for key, value in state.describe.items():
            if describe.get(key) != value:
                label = "Namespace:" if key == "namespace" else "Name:"
                origins.describe[key] = f"the describe output's {label} on line {number}"
        self.origins.append((number, origins))

    def finish(self) -> None:
        self.records += self.stream.finish()

    def origins_at(self, number: int) -> _Origins:
        """The origins in force when line ``number`` was read."""
        found = self.origins[0][1]
        for start, origins in self.origins:
            if start > number:
                break
            found = origins
        return found

    def text_numbers(self) -> set[int]:
        """Physical lines that reached the decoders as (part of) text."""
        out: set[int] = set()
        for line in self.stream.seen:
            if line.kind == "text":
                out.update(range(line.number, line.last + 1))
        return out

    def covering(self, first: int, last: int) -> list[LogRecord]:
        """Records that hold a text line of ``first..last``, in the order they came out."""
        texts = {n for n in self.text_numbers() if first <= n <= last}
        return [r for r in self.records if any(r.line <= n <= r.end_line for n in texts)]

    def extent(self, first: int, last: int) -> int:
        """The last line of the records around ``first..last``: a record pulls in its frames."""
        while True:
            end = max((r.end_line for r in self.covering(first, last)), default=last)
            if end <= last:
                return last
            last = end

    def settled(self, number: int) -> bool:
        """Whether nothing the pipeline still holds can belong to the records of line ``number``."""
        traced = self.traced.get(number)
        if traced is not None and traced.peel.kind in ("blank", "skipped"):
            return True
        end = self.extent(number, number)
        stream = self.stream
        partial = stream.reader.state.partial
        held = [partial.number] if partial is not None else []
        held += [line.number for line in stream.rejoiner.pending]
        held += stream.pods.held()
        grouper = stream.grouper
        if grouper.event is not None:
            held.append(grouper.event.head.line)
        held += [r.line for r in (grouper.head, grouper.pending_func) if r is not None]
        return all(n > end for n in held)


def _short(text: str, limit: int = 160) -> str:
    """Cut long text for a one-line report."""
    return shorten(text, limit)


def _as_source(value: str | bytes) -> str | bytes:
    """Text from a command line may carry undecodable bytes as surrogates: give the bytes back."""
    if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
        return value.encode("utf-8", "surrogateescape")
    return value


def _physical(value: str | bytes) -> list[str | bytes]:
    """The physical lines of pasted text, split as the engine splits its input."""
    return list(physical_lines(_as_source(value)))


# --- building the explanation ------------------------------------------------------------


def _json_fields(fields: Mapping[str, object]) -> dict[str, JsonValue]:
    """A record's fields as plain JSON values, so the explanation serialises."""
    out: dict[str, JsonValue] = json.loads(json.dumps(dict(fields), default=str))
    return out


def _physical_line(number: int, traced: _Traced, run: _Run) -> PhysicalLine:
    """One explained physical line; where the trace and the reader disagree, the reader wins."""
    reading, peel = traced.reading, traced.peel
    notes = list(traced.notes)
    text = peel.text
    kind = peel.kind
    line = next((s for s in run.stream.seen if s.number <= number <= s.last), None)
    if peel.joined_partial:
        notes.append("completes the CRI partial entry of the line before it")
    if kind == "partial":
        notes.append("a CRI partial entry (P): its record continues on the next line")
    elif line is not None and kind == "text" and line.last != line.number and number == line.number:
        notes.append(f"a wrapped record: joined with the lines up to {line.last}")
    elif line is not None and kind == "text" and line.number != number and not peel.joined_partial:
        notes.append(f"continues the wrapped record that starts on line {line.number}")
    if (
        line is not None
        and line.number == line.last == number
        and (line.text != text or line.kind != kind)
    ):
        notes.append(
            "the wrapper trace disagrees with the reader; the reader took the line as "
            f"{line.kind}: {_show(line.text)}"
        )
        text, kind = line.text, line.kind
    if reading.truncated:
        notes.append(f"longer than {run.max_line_length} characters: cut there for matching")
    return PhysicalLine(
        number=number,
        original=reading.original,
        kind=kind,
        marker=peel.marker,
        encoding=reading.encoding,
        invalid_bytes=reading.invalid,
        bom=reading.bom,
        crlf=reading.crlf,
        has_nul=reading.has_nul,
        truncated=reading.truncated,
        wrappers=peel.wrappers,
        text=text,
        notes=notes,
    )


def _context_origin(key: str, value: str, record: LogRecord, run: _Run) -> str:
    """Who named a context value, checked in the order ``peel`` and the decoders let them win."""
    if key == "scope":
        return "the kernel's line itself: nothing earlier in the input links it to a pod"
    line = next((s for s in run.stream.seen if s.number == record.line), None)
    if line is not None and line.context.get(key) != value:
        return _RECORD_ORIGINS.get(record.encoding, "the record itself")
    for number in range(record.end_line, record.line - 1, -1):
        traced = run.traced.get(number)
        wrappers = [] if traced is None else traced.peel.wrappers
        for peeled in reversed(wrappers):
            if peeled.context.get(key) == value:
                name = _WRAPPER_NAMES[peeled.name]
                return f"the {name} {_quoted(peeled.removed.strip(), 100)} on line {number}"
    origins = run.origins_at(record.line)
    if key in origins.describe:
        return origins.describe[key]
    if origins.session is not None and origins.values.get(key) == value:
        return origins.session
    return f"a wrapper on line {record.line}"


def _reading(record: LogRecord, run: _Run) -> RecordReading:
    """The record as the report shows it, each context value with its origin."""
    context = [
        ContextEntry(key=k, value=v, origin=_context_origin(k, v, record, run))
        for k, v in record.context.items()
    ]
    return RecordReading(
        line=record.line,
        end_line=record.end_line,
        format=record.encoding,
        format_description=_FORMATS.get(record.encoding, record.encoding),
        level=record.level,
        logger=record.logger,
        caller=record.caller,
        ts=record.ts,
        message=record.message,
        fields=_json_fields(record.fields),
        context=context,
        raw=record.raw,
        continuation=list(record.continuation),
    )


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
            f"{t.key} {_quoted(t.found or '', 60)} matches /{t.pattern}/" for t in failure.held
        )
        return f"{failure.path} held, which excludes the record: {held}"
    test = failure.failed
    assert test is not None
    where = test.path[: -len(test.key) - 1]
    at = "" if where == within else f" (in {where})"
    if test.value is None:
        return f"the record has no field {test.key.removeprefix('fields.')!r}{at}"
    return f"{test.key} {_quoted(test.value, 120)} does not match /{test.pattern}/{at}"


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
            f"{_quoted(record.message, 80)}: the {record.encoding} decoder split it elsewhere"
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


def _refusals(trace: SignatureTrace, record: LogRecord, run: _Run) -> list[AttributionRefusal]:
    """The matcher's refusals with where each refused context value came from."""
    out = []
    for r in trace.refusals:
        if r.key == "lease":
            origin = "the record's lease field"
        elif r.key == "scope":
            origin = "a node-level line that nothing earlier in the input links to a pod"
        elif r.key == "pod" and not r.value:
            origin = "nothing: no pod, namespace or pasted command names it"
        else:
            origin = _context_origin(r.key, r.value, record, run)
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
            f"{r.component}: a pod state counts only for a record that names one of its pods"
            f" ({', '.join(r.accepts)}); this one names {named} (from {r.origin})"
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
    else:
        want = f"namespace {' or '.join(first.accepts)}"
    return (
        f"it would match from {want}; if this line really is AMR's, the context that named "
        f"{first.value!r} is wrong for it"
    )


def _near_miss(
    trace: SignatureTrace, record: LogRecord, run: _Run, instead: Sequence[str]
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


def _type_problems(trace: SignatureTrace) -> list[TypeProblem]:
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


def _rank(trace: SignatureTrace, record: LogRecord) -> tuple[bool, bool, bool, int, float]:
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


def _explain_record(
    classifier: Classifier,
    record: LogRecord,
    run: _Run,
    signature_id: str | None,
    max_near_misses: int,
    notes: list[str],
) -> RecordExplanation:
    """Matches from the real matcher; near misses from the trace, closest first."""
    traces = [trace_signature(cs, record) for cs in classifier.signatures]
    real = match_signatures(classifier.index, record, timeout=classifier.regex_timeout)
    real_ids = [cs.signature.id for cs, _ in real]
    traced_ids = [t.signature.signature.id for t in traces if t.matched]
    if sorted(real_ids) != sorted(traced_ids):
        notes.append(
            f"the trace of line {record.line} disagrees with the matcher "
            f"(matcher: {real_ids}, trace: {traced_ids}); the matcher's result is shown"
        )
    by_id = {t.signature.signature.id: t for t in traces}
    matched = [
        MatchedSignature(
            id=cs.signature.id,
            title=cs.signature.title,
            severity=cs.signature.severity,
            component=cs.signature.component,
            fields=fields,
            type_problems=_type_problems(by_id[cs.signature.id]),
        )
        for cs, fields in real
    ]
    missed = [t for t in traces if t.signature.signature.id not in real_ids]
    if signature_id is not None:
        missed = [t for t in missed if t.signature.signature.id == signature_id]
    missed.sort(key=lambda t: _rank(t, record), reverse=True)
    shown = missed[:max_near_misses]
    return RecordExplanation(
        read=_reading(record, run),
        matched=matched,
        near_misses=[_near_miss(t, record, run, real_ids) for t in shown],
        not_shown=len(missed) - len(shown),
    )


def _check_signature(classifier: Classifier, signature_id: str | None) -> None:
    """Refuse an unknown id up front, with the closest ids, rather than explain nothing."""
    if signature_id is None:
        return
    ids = [cs.signature.id for cs in classifier.signatures]
    if signature_id not in ids:
        raise ValueError(f"unknown signature {signature_id!r}{did_you_mean(signature_id, ids)}")


def _explanation(
    classifier: Classifier,
    run: _Run,
    first: int,
    last: int,
    signature_id: str | None,
    max_near_misses: int,
) -> LineExplanation:
    """Assemble the explanation of lines ``first..last`` from a finished replay."""
    notes: list[str] = []
    lines = [_physical_line(n, run.traced[n], run) for n in range(first, last + 1)]
    records = [
        _explain_record(classifier, r, run, signature_id, max_near_misses, notes)
        for r in run.covering(first, last)
    ]
    for record in records:
        if record.read.line < first:
            notes.append(
                f"line {first} belongs to the record that starts on line {record.read.line}"
            )
    if not records:
        kinds = {line.kind for line in lines}
        notes.append(
            "no record: the line is "
            + " and ".join(sorted(kinds))
            + ", so no signature is tried on it"
        )
    if signature_id is not None:
        for record in records:
            if any(m.id == signature_id for m in record.matched):
                notes.append(f"{signature_id} matched the record on line {record.read.line}")
    return LineExplanation(
        source=run.source,
        first_line=first,
        last_line=last,
        lines=lines,
        records=records,
        signature_id=signature_id,
        notes=notes,
    )


def explain_line(
    classifier: Classifier,
    text: str | bytes,
    *,
    context: str | bytes | None = None,
    source_name: str = "<line>",
    signature_id: str | None = None,
    max_near_misses: int = 5,
) -> LineExplanation:
    """Explain how one pasted line (or multi-line record) was read and classified.

    ``context`` is the text before it in its file: the paste state it sets up (a
    pasted ``kubectl -n NS`` command, a describe header, a ``tail`` header) is
    what attribution sees. ``source_name`` counts too: a node log's path names
    the pod. ``signature_id`` explains that one signature instead of the closest.
    """
    _check_signature(classifier, signature_id)
    run = _Run(classifier, source_name)
    number = 0
    for number, item in enumerate(_physical(context or ""), 1):
        run.push(number, item)
    first = number + 1
    items = _physical(text) or [text[:0]]
    for number, item in enumerate(items, first):
        run.push(number, item, trace=True)
    run.finish()
    return _explanation(classifier, run, first, number, signature_id, max_near_misses)


def _lines_of(path: str | Path) -> Iterator[str | bytes]:
    """A log file's physical lines, closing it when the reading stops early."""
    with open_log(path) as handle:
        yield from physical_lines(handle)


def explain_file_line(
    classifier: Classifier,
    path: str | Path,
    line_number: int,
    *,
    signature_id: str | None = None,
    max_near_misses: int = 5,
) -> LineExplanation:
    """Explain line ``line_number`` of a log file, read with everything before it.

    The lines after it are read only as far as its record reaches (stack frames,
    a CloudEvent dump), so the answer is that of ``explain_line`` given those
    lines as ``text``, the lines before as ``context`` and the path as source name.
    """
    if line_number < 1:
        raise ValueError(f"line numbers start at 1, not {line_number}")
    _check_signature(classifier, signature_id)
    run = _Run(classifier, str(path))
    number = 0
    for number, item in enumerate(_lines_of(path), 1):
        if number < line_number:
            run.push(number, item)
            continue
        run.push(number, item, trace=True)
        if run.settled(line_number) or number >= line_number + LOOKAHEAD_LINES:
            break
    if number < line_number:
        raise ValueError(f"{path} has {number} lines, so no line {line_number}")
    run.finish()
    last = min(run.extent(line_number, line_number), number)
    return _explanation(classifier, run, line_number, last, signature_id, max_near_misses)


# --- the text report -------------------------------------------------------------------


def _show(text: str, limit: int = 200) -> str:
    """Text for a terminal: control characters escaped, long values cut."""
    out = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return _short(out, limit)


def _quoted(text: str, limit: int = 200) -> str:
    """A value in a sentence, quoted so its edges show."""
    return f'"{_show(text, limit)}"'


def _value(value: object) -> str:
    """A field value as JSON spells it, strings quoted."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def _fields_line(fields: Mapping[str, object]) -> str:
    """Fields as ``key=value`` pairs on one line."""
    return ", ".join(f"{k}={_short(_value(v), 120)}" for k, v in fields.items()) or "none"


def _format_line(line: PhysicalLine) -> list[str]:
    """Read as: one physical line, what the reader and the wrappers did to it."""
    out = [f"  line {line.number}: {line.kind}" + (f" ({line.marker})" if line.marker else "")]
    reading = [line.encoding]
    if line.invalid_bytes:
        reading.append("invalid: " + ", ".join(line.invalid_bytes))
    if line.has_nul:
        reading.append("NUL bytes (read as U+FFFD)")
    if line.bom:
        reading.append("byte-order mark removed")
    if line.crlf:
        reading.append("CR line ending removed")
    if line.truncated:
        reading.append("truncated")
    out.append("    read: " + "; ".join(reading))
    if line.wrappers:
        peeled = " -> ".join(
            f"{_WRAPPER_NAMES.get(w.name, w.name)} {_quoted(w.removed, 80)}" for w in line.wrappers
        )
        out.append(f"    peeled: {peeled}")
    if line.kind in ("text", "partial"):
        out.append(f"    text: {_show(line.text)}")
    out += [f"    note: {note}" for note in line.notes]
    return out


def _label(index: int, record: RecordReading, several: bool) -> str:
    """How the report names a record: by its lines, and by its place when a line holds several."""
    span = (
        f"line {record.line}"
        if record.end_line == record.line
        else f"lines {record.line}-{record.end_line}"
    )
    return f"record {index} ({span})" if several else f"record ({span})"


def _format_record(record: RecordReading, label: str) -> list[str]:
    """Read as: one record, its attributes and the context attribution sees."""
    out = [f"  {label}: {record.format_description}"]
    attributes = [
        f"{name}: {value}"
        for name, value in (
            ("level", record.level),
            ("logger", record.logger),
            ("caller", record.caller),
            ("ts", record.ts),
        )
        if value is not None
    ]
    if attributes:
        out.append("    " + "   ".join(attributes))
    out.append(f"    message: {_show(record.message)}")
    if record.fields:
        out.append(f"    fields: {_fields_line(record.fields)}")
    if record.continuation:
        out.append(f"    continuation: {len(record.continuation)} line(s) attached")
    if record.context:
        out.append("    context (attribution sees):")
        out += [f"      {c.key}={c.value}  (from {c.origin})" for c in record.context]
    else:
        out.append("    context: none (nothing names the source; attribution accepts it)")
    return out


def _format_matches(record: RecordExplanation) -> list[str]:
    """Matched: each signature with its fields and any type problem."""
    out = []
    for m in record.matched:
        out.append(f"  {m.id} [{m.severity}] {m.title}")
        out.append(f"    fields: {_fields_line(m.fields)}")
        for problem in m.type_problems:
            out.append(f"    types: {problem.summary}")
            out.append(f"    hint: {problem.hint}")
    return out


def _format_misses(record: RecordExplanation) -> list[str]:
    """Did not match: each near miss with its reason and hint."""
    out = []
    for miss in record.near_misses:
        out.append(f"  {miss.id} [{miss.severity}] {miss.reason}")
        out.append(f"    why: {miss.summary}")
        out.append(f"    hint: {miss.hint}")
    if record.not_shown:
        out.append(f"  ... and {record.not_shown} more, further from matching")
    return out


def format_explanation(expl: LineExplanation) -> str:
    """The explanation as a text report: Read as, Matched, Did not match."""
    span = (
        f"line {expl.first_line}"
        if expl.first_line == expl.last_line
        else f"lines {expl.first_line}-{expl.last_line}"
    )
    out = [f"{expl.source}, {span}", "", "Read as"]
    for line in expl.lines:
        out += _format_line(line)
    several = len(expl.records) > 1
    labels = [_label(i, r.read, several) for i, r in enumerate(expl.records, 1)]
    for record, label in zip(expl.records, labels, strict=True):
        out += _format_record(record.read, label)
    matched = sum(len(r.matched) for r in expl.records)
    out += ["", f"Matched ({matched})"]
    for record, label in zip(expl.records, labels, strict=True):
        if several and record.matched:
            out.append(f" {label}:")
        out += _format_matches(record)
    if not matched:
        out.append("  nothing")
    asked = expl.signature_id
    misses = sum(len(r.near_misses) for r in expl.records)
    # a signature asked about that matched is said above, with nothing missed to show
    answered = asked and not misses and any(m.id == asked for r in expl.records for m in r.matched)
    if not answered:
        out += ["", f"Did not match: {asked}" if asked else "Did not match (closest first)"]
        for record, label in zip(expl.records, labels, strict=True):
            if several and record.near_misses:
                out.append(f" {label}:")
            out += _format_misses(record)
        if not misses:
            out.append("  nothing to show")
    if expl.notes:
        out += ["", "Notes"]
        out += [f"  {note}" for note in expl.notes]
    return "\n".join(out) + "\n"
