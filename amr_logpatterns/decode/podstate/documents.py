"""``kubectl get pod NAME -o yaml|json`` (and ``get pods -o yaml|json`` lists) as pod-state records.

A document opens at its ``apiVersion`` key and is collected while its lines
stay inside it (deeper indentation for YAML, open braces for JSON); then it is
parsed with the YAML composer (JSON is YAML here), which keeps each node's
line. Every Pod in it becomes a ``pod`` record and one ``container`` record per
entry of ``status.containerStatuses`` (with its limits from ``spec``), with the
same fields ``describe`` gives. A document that is not a pod, or does not
parse, is left as the plain lines it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from amr_logpatterns.decode.pods import owner_of, owner_of_replicaset, pod_context
from amr_logpatterns.decode.podstate.build import container_summary, group_record, pod_summary
from amr_logpatterns.models.quantities import memory_bytes
from amr_logpatterns.models.records import LogRecord

YAML_OPENER = re.compile(r"^apiVersion:\s*\S+$")
JSON_OPENER = re.compile(r'^"apiVersion"\s*:\s*"[^"]*",?$')
#: What stands at a pod document's own indentation: its top-level keys, list items, ``---``.
_TOP_LEVEL = re.compile(r"^(?:(?:apiVersion|kind|metadata|spec|status|items):(?:\s|$)|-(?:\s|$))")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
#: Lines a document is collected for at most, and nodes a parse may visit.
MAX_LINES = 5000
MAX_NODES = 200_000


class _TooLarge(Exception):
    """The document holds more nodes than a pod's could (an alias bomb, a dump)."""


def _depth_change(text: str) -> int:
    bare = _JSON_STRING.sub("", text)
    return sum(bare.count(c) for c in "{[") - sum(bare.count(c) for c in "}]")


@dataclass
class _Node:
    """A parsed value with the document lines it spans (0-based, within the text)."""

    value: object
    first: int
    last: int
    children: dict[str | int, _Node] = field(default_factory=dict)

    def get(self, *path: str | int) -> _Node | None:
        node: _Node | None = self
        for key in path:
            node = None if node is None else node.children.get(key)
        return node

    def plain(self, *path: str | int) -> object:
        node = self.get(*path)
        return None if node is None else node.value

    def items(self, *path: str | int) -> Iterator[_Node]:
        node = self.get(*path)
        if node is not None and isinstance(node.value, list):
            yield from node.children.values()


def _convert(node: yaml.Node, budget: list[int]) -> _Node:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    end = node.end_mark
    first = node.start_mark.line
    last = max(first, end.line if end.column > 0 else end.line - 1)
    if isinstance(node, yaml.MappingNode):
        children: dict[str | int, _Node] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = _convert(value_node, budget)
                child.first = min(child.first, key_node.start_mark.line)
                children[key_node.value] = child
        value: object = {k: c.value for k, c in children.items()}
        return _Node(value, first, last, children)
    if isinstance(node, yaml.SequenceNode):
        items: dict[str | int, _Node] = {i: _convert(v, budget) for i, v in enumerate(node.value)}
        return _Node([c.value for c in items.values()], first, last, items)
    return _Node(_scalar(node), first, first)


def _scalar(node: yaml.Node) -> object:
    """A scalar as YAML resolved it: ``false`` a bool, ``137`` an int, ``null`` None."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    value: str = node.value
    if node.tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if node.tag.endswith(":int"):
        try:
            return int(value)
        except ValueError:
            return value
    if node.tag.endswith(":null"):
        return None
    return value


class Document:
    """One pod document as it streams by; ``records()`` once it ended."""

    def __init__(self, head: LogRecord, kind: str) -> None:
        self.kind = kind
        self.base = head.indent
        self.records_in: list[LogRecord] = [head]
        self.first_line = head.line
        self.depth = 1
        self.done = False

    def take(self, record: LogRecord) -> bool:
        """Take one more record of the document; False when it is not part of it."""
        if self.done or len(self.records_in) >= MAX_LINES:
            return False
        if record.line == self.records_in[-1].line:  # a second record glued on one line
            self.records_in.append(record)
            return True
        if self.kind == "json":
            self.depth += _depth_change(record.raw)
            self.done = self.depth <= 0
        elif record.indent < self.base or (
            record.indent == self.base and not _TOP_LEVEL.match(record.raw)
        ):
            return False
        self.records_in.append(record)
        return True

    def _text(self) -> tuple[str, list[int]]:
        """The document's text as it was indented, and the input line of each of its lines."""
        lines: list[str] = []
        numbers: list[int] = []
        for record in self.records_in:
            if numbers and numbers[-1] == record.line:
                lines[-1] += record.raw
                continue
            while numbers and record.line > numbers[-1] + 1:  # blank lines between
                numbers.append(numbers[-1] + 1)
                lines.append("")
            numbers.append(record.line)
            lines.append(" " * record.indent + record.raw)
        if self.kind == "json":
            lines.insert(0, "{")
            numbers.insert(0, numbers[0])
        return "\n".join(lines), numbers

    def _parse(self, text: str) -> _Node | None:
        try:
            node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            return None if node is None else _convert(node, [MAX_NODES])
        except (yaml.YAMLError, _TooLarge, RecursionError):
            pass
        if self.kind != "json":
            return None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return _Node(data, 0, text.count("\n"), _children(data))

    def records(self) -> list[LogRecord]:
        """The pod and container records, or the lines as they came when it is no pod."""
        text, numbers = self._text()
        root = self._parse(text)
        pods = [] if root is None else _pods(root)
        if not pods:
            return list(self.records_in)
        by_line = {r.line: r for r in reversed(self.records_in)}
        out: list[LogRecord] = []
        for pod in pods:
            out += _Pod(pod, self.kind, numbers, by_line).records()
        return sorted(out, key=lambda r: r.line)


def _children(data: object) -> dict[str | int, _Node]:
    """Position-less nodes for JSON the YAML composer could not read (every line: the head)."""
    if isinstance(data, dict):
        pairs: list[tuple[str | int, object]] = list(data.items())
    elif isinstance(data, list):
        pairs = list(enumerate(data))
    else:
        return {}
    return {k: _Node(v, 0, 0, _children(v)) for k, v in pairs}


def _pods(root: _Node) -> list[_Node]:
    kind = root.plain("kind")
    if kind == "Pod":
        return [root]
    if isinstance(kind, str) and kind.endswith("List"):
        return [item for item in root.items("items") if item.plain("kind") == "Pod"]
    return []


_STATES = (("waiting", "Waiting"), ("running", "Running"), ("terminated", "Terminated"))


class _Pod:
    """One Pod object of a document, turned into records."""

    def __init__(
        self, node: _Node, kind: str, numbers: list[int], by_line: dict[int, LogRecord]
    ) -> None:
        self.node = node
        self.kind = kind
        self.numbers = numbers
        self.by_line = by_line

    def _lines(self, *nodes: _Node | None) -> list[LogRecord]:
        spans = [range(node.first, node.last + 1) for node in nodes if node is not None]
        wanted = sorted({n for span in spans for n in span})
        out: list[LogRecord] = []
        for index in wanted:
            if index < len(self.numbers):
                record = self.by_line.get(self.numbers[index])
                if record is not None and (not out or out[-1] is not record):
                    out.append(record)
        return out

    def _fields(self) -> dict[str, object]:
        n = self.node
        name = n.plain("metadata", "name")
        fields: dict[str, object] = {"source_format": self.kind}
        if isinstance(name, str):
            fields["pod"] = name
        for key, path in (
            ("namespace", ("metadata", "namespace")),
            ("uid", ("metadata", "uid")),
            ("phase", ("status", "phase")),
            ("reason", ("status", "reason")),
            ("message", ("status", "message")),
            ("node", ("spec", "nodeName")),
            ("start_time", ("status", "startTime")),
        ):
            value = n.plain(*path)
            if isinstance(value, str) and value:
                fields[key] = value
        owner = next(iter(n.items("metadata", "ownerReferences")), None)
        owner_name = None if owner is None else owner.plain("name")
        if isinstance(owner_name, str):
            replica = owner.plain("kind") == "ReplicaSet" if owner else False
            fields["workload"] = owner_of_replicaset(owner_name) if replica else owner_name
        elif isinstance(name, str):
            fields["workload"] = owner_of(name)
        conditions: dict[str, str] = {}
        for cond in n.items("status", "conditions"):
            ctype, status = cond.plain("type"), cond.plain("status")
            if isinstance(ctype, str) and isinstance(status, str):
                conditions[ctype] = status
                message = cond.plain("message")
                if ctype == "PodScheduled" and status == "False" and isinstance(message, str):
                    fields["scheduling_message"] = message
        if conditions:
            fields["conditions"] = conditions
        return fields

    def _spec(self, name: str) -> tuple[dict[str, object], _Node | None]:
        for section in ("containers", "initContainers"):
            for spec in self.node.items("spec", section):
                if spec.plain("name") != name:
                    continue
                fields: dict[str, object] = {}
                for kind in ("limits", "requests"):
                    for resource in ("memory", "cpu"):
                        value = spec.plain("resources", kind, resource)
                        if value is not None:
                            fields[f"{kind}_{resource}"] = str(value)
                            if resource == "memory" and memory_bytes(str(value)) is not None:
                                fields[f"{kind}_memory_bytes"] = memory_bytes(str(value))
                command = spec.plain("command")
                if isinstance(command, list) and command and isinstance(command[0], str):
                    fields["command"] = command[0].rsplit("/", 1)[-1]
                return fields, spec.get("resources", "limits", "memory")
        return {}, None

    def _container(self, status: _Node, init: bool, ident: dict[str, object]) -> LogRecord | None:
        name = status.plain("name")
        if not isinstance(name, str):
            return None
        fields: dict[str, object] = {**ident, "container": name, "init": init}
        for key, source in (("image", "image"), ("container_id", "containerID")):
            value = status.plain(source)
            if isinstance(value, str) and value:
                fields[key] = value.rpartition("://")[2]
        if isinstance(status.plain("ready"), bool):
            fields["ready"] = status.plain("ready")
        restarts = status.plain("restartCount")
        if isinstance(restarts, int) or (isinstance(restarts, str) and restarts.isdigit()):
            fields["restart_count"] = int(restarts)
        states = (("state", "state", "state"), ("last", "lastState", "last_state"))
        for prefix, path, state_key in states:
            for raw, label in _STATES:
                detail = status.get(path, raw)
                if detail is None:
                    continue
                fields[state_key] = label
                for key, field_name in (
                    ("reason", "reason"),
                    ("message", "message"),
                    ("exitCode", "exit_code"),
                    ("signal", "signal"),
                    ("startedAt", "started"),
                    ("finishedAt", "finished"),
                    ("containerID", "container_id"),
                ):
                    value = detail.plain(key)
                    if value is None or value == "":
                        continue
                    if key in ("exitCode", "signal"):
                        text = str(value)
                        value = int(text) if text.lstrip("-").isdigit() else value
                    elif key == "containerID":
                        value = str(value).rpartition("://")[2]
                    fields[f"{prefix}_{field_name}"] = value
        spec_fields, limit_node = self._spec(name)
        fields.update(spec_fields)
        lines = self._lines(status)
        if not lines:
            return None
        shown = lines + [r for r in self._lines(limit_node) if r not in lines]
        return group_record(
            lines,
            shown,
            encoding="container",
            fields=fields,
            context={**self.context(), "container": name},
            message=container_summary(fields),
        )

    def context(self) -> dict[str, str]:
        name = self.node.plain("metadata", "name")
        namespace = self.node.plain("metadata", "namespace")
        base = dict(next(iter(self.by_line.values())).context) if self.by_line else {}
        if isinstance(name, str):
            base.update(pod_context(name, namespace if isinstance(namespace, str) else None))
        return base

    def records(self) -> list[LogRecord]:
        fields = self._fields()
        n = self.node
        lines = self._lines(n)
        if not lines:
            return []
        shown_nodes = [
            n.get("metadata", "name"),
            n.get("metadata", "namespace"),
            n.get("status", "phase"),
            n.get("status", "reason"),
            n.get("status", "message"),
        ]
        shown = [lines[0], *[r for r in self._lines(*shown_nodes) if r is not lines[0]]]
        out = [
            group_record(
                lines,
                shown,
                encoding="pod",
                fields=fields,
                context=self.context(),
                message=pod_summary(fields),
            )
        ]
        keys = ("source_format", "pod", "namespace", "workload")
        ident = {k: fields[k] for k in keys if k in fields}
        for section, init in (("initContainerStatuses", True), ("containerStatuses", False)):
            for status in n.items("status", section):
                record = self._container(status, init, ident)
                if record is not None:
                    out.append(record)
        return out
