"""Pod state: multi-line ``describe`` and ``-o yaml|json`` output becomes pod and container records.

This stage sits between decoding and the grouping of stack traces. It
collects a ``kubectl describe`` output or a pod document while it streams by
(``idle`` is False meanwhile, so the fast path reads on), then hands out one
record per pod and per container, in line order. It also joins the kernel's
``oom-kill:`` line with the ``Killed process`` line after it, and links such
node-level records to the pod the input elsewhere describes (``PodDirectory``),
so attribution can tell the AMR Observer's out-of-memory kill from another pod's.
"""

from __future__ import annotations

from dataclasses import replace

from amr_logpatterns.decode.pods import owner_of
from amr_logpatterns.decode.podstate.build import POD_STATE_ENCODINGS
from amr_logpatterns.decode.podstate.describe import OPENERS, Describe
from amr_logpatterns.decode.podstate.directory import PodDirectory
from amr_logpatterns.decode.podstate.documents import JSON_OPENER, YAML_OPENER, Document
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.stage1 import Pattern, literal_pattern

__all__ = ["POD_STATE_ENCODINGS", "PodDirectory", "PodStates", "is_pod_state", "opens_block"]

_LINK_KEYS = ("scope", "namespace", "workload", "container")

#: What opens a multi-line pod state: a ``describe`` output (whose ``Name:`` the peel
#: stage declares) or a pod document. It is read on while open, so a ``--jobs`` cut
#: keeps away from it.
POD_STATE_OPENERS: tuple[bytes, ...] = (b"Containers:", b"State:", b"apiVersion")
#: What may stand between ``apiVersion`` (or its closing quote) and the colon of an
#: opener: whatever ``\s`` reads in a line, as UTF-8 (NEL, NBSP, the Unicode spaces).
_SPACES = (
    rb"(?:[\t\x0b\x0c\r \x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
    rb"|\xe2\x81\x9f|\xe3\x80\x80)*"
)
STAGE1 = (
    *(literal_pattern(t, boundary=True) for t in POD_STATE_OPENERS[:2]),
    # a document's key (``apiVersion: v1``, ``"apiVersion": "v1"``, escaped in a JSON
    # wrapper), never a ``key="value"`` pair of a log line, which is no opener
    Pattern(rb'apiVersion(?:\\?")?' + _SPACES + rb":", boundary=True),
)


#: Records about a pod's state whichever reader made them: rows, blocks, events, kills.
_STATE_RECORDS = frozenset((*POD_STATE_ENCODINGS, "top", "event", "kernel"))


def is_pod_state(record: LogRecord) -> bool:
    """Whether a record shows a pod's state (a kubelet's line about a pod included)."""
    if record.encoding in _STATE_RECORDS:
        return True
    return record.encoding == "klog" and isinstance(record.fields.get("pod"), str)


def _opener(text: str) -> bool:
    return bool(OPENERS.match(text) or YAML_OPENER.match(text) or JSON_OPENER.match(text))


def opens_block(text: str) -> bool:
    """Whether ``text`` holds a line that opens a ``describe`` output or a pod document,
    which the fast path then reads on to its end, whatever stage 1 found in it."""
    return any(_opener(line.strip()) for line in text.splitlines())


def _joined_kill(kill: LogRecord, killed: LogRecord) -> LogRecord:
    """``oom-kill:...,pid=N`` and ``Killed process N (NAME)`` as one record of the kill."""
    return replace(
        kill,
        end_line=killed.end_line,
        fields={**killed.fields, **kill.fields, "oom": "killed"},
        continuation=(*kill.continuation, killed.raw, *killed.continuation),
    )


def _kubelet_subject(record: LogRecord) -> LogRecord:
    """A kubelet line's ``pod="NS/NAME"`` and ``containerName`` as the fields pod state has."""
    pod = record.fields.get("pod")
    if not isinstance(pod, str) or pod.count("/") != 1:
        return record
    namespace, name = pod.split("/")
    fields = {**record.fields, "pod": name, "namespace": namespace, "workload": owner_of(name)}
    container = record.fields.get("containerName")
    if isinstance(container, str) and container:
        fields["container"] = container
    return replace(record, fields=fields)


def _event_subject(record: LogRecord) -> LogRecord:
    """An event row of a ``describe`` output names its pod only in the header above it:
    give the row the fields a ``kubectl get events`` row of the same pod has."""
    pod = record.context.get("workload")
    scoped = record.context.get("scope") == "node"
    if "pod" in record.fields or not pod or scoped or record.fields.get("object_kind"):
        return record
    fields = {**record.fields, "pod": pod, "workload": owner_of(pod)}
    if record.context.get("namespace"):
        fields.setdefault("namespace", record.context["namespace"])
    return replace(record, fields=fields)


class PodStates:
    """Push records in, get pod-state records (and everything else, unchanged) out."""

    def __init__(self, directory: PodDirectory | None = None) -> None:
        self.directory = directory if directory is not None else PodDirectory()
        self.block: Describe | Document | None = None
        self.kill: LogRecord | None = None

    @property
    def idle(self) -> bool:
        """Nothing is being collected: the next line may be skipped without loss."""
        return self.block is None and self.kill is None

    def held(self) -> list[int]:
        """The first lines of what is being collected (for ``explain-line``, which waits)."""
        lines = [] if self.kill is None else [self.kill.line]
        if self.block is not None:
            lines.append(self.block.first_line)
        return lines

    def push(self, record: LogRecord) -> list[LogRecord]:
        """Take one record; return the records that are complete now."""
        out: list[LogRecord] = []
        if self.kill is not None:
            kill, self.kill = self.kill, None
            same = record.fields.get("pid") == kill.fields.get("pid")
            if record.encoding == "kernel" and record.fields.get("oom") == "killed" and same:
                return self._emit([_joined_kill(kill, record)])
            out += self._emit([kill])
        if self.block is not None:
            if self.block.take(record):
                return out
            out += self._emit(self.block.records())
            self.block = None
        if record.encoding == "plain" and _opener(record.message):
            text = record.message
            self.block = (
                Describe(record)
                if OPENERS.match(text)
                else Document(record, "yaml" if YAML_OPENER.match(text) else "json")
            )
            return out
        if record.encoding == "kernel" and record.fields.get("oom") == "oom-kill":
            self.kill = record
            return out
        return out + self._emit([record])

    def flush(self) -> list[LogRecord]:
        """Everything still held, at the end of the input or at a gap."""
        out: list[LogRecord] = []
        if self.kill is not None:
            out += self._emit([self.kill])
            self.kill = None
        if self.block is not None:
            out += self._emit(self.block.records())
            self.block = None
        return out

    def _emit(self, records: list[LogRecord]) -> list[LogRecord]:
        """Learn the pods the records name; link node-level ones to the pod they are about."""
        out = []
        for record in records:
            if record.context.get("scope") == "node" and "process" in record.fields:
                node = record.context.get("node")
                if node and "node" not in record.fields:  # a journal prefix names the node
                    record = replace(record, fields={**record.fields, "node": node})
                record = self._linked(record)
            else:
                if record.encoding == "klog":
                    record = _kubelet_subject(record)
                elif record.encoding == "event":
                    record = _event_subject(record)
                if "pod" in record.fields or record.encoding in POD_STATE_ENCODINGS:
                    self.directory.learn(record)
            out.append(record)
        return out

    def _linked(self, record: LogRecord) -> LogRecord:
        context = self.directory.link(record.fields)
        if context is None:
            return record
        kept = {k: v for k, v in record.context.items() if k not in _LINK_KEYS}
        pod = context["workload"]
        fields = {**record.fields, "pod": pod, "workload": owner_of(pod)}
        if "container" in context:
            fields["container"] = context["container"]
        if "namespace" in context:
            fields["namespace"] = context["namespace"]
        return replace(record, context={**kept, **context}, fields=fields)
