"""``kubectl describe pod``: the pod's header, one record per container, its conditions.

The output is read by its keys, so a paste that lost its indentation still
reads: ``Containers:`` opens the containers, a bare ``name:`` line starts one,
``State:``/``Last State:`` own the ``Reason``, ``Exit Code``, ``Started`` and
``Finished`` lines after them, ``Limits:``/``Requests:`` own ``cpu`` and
``memory``. The Events table's rows stay event records; other sections
(volumes, tolerations) stay the plain records they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amr_logpatterns.decode.pods import owner_of, owner_of_replicaset, pod_context
from amr_logpatterns.decode.podstate.build import container_summary, group_record, pod_summary
from amr_logpatterns.models.quantities import memory_bytes
from amr_logpatterns.models.records import LogRecord

NAME = re.compile(r"^Name:\s+(?P<name>\S+)\s*$")
#: Lines that open a describe output or the part of one people paste on its own.
OPENERS = re.compile(
    r"^(?:Name:\s+\S+|(?:Init )?Containers:|(?:Last )?State:\s+(?:Waiting|Running|Terminated))\s*$"
)
_KEY = re.compile(
    r"^(?P<key>[A-Z][\w \-]*[A-Za-z0-9]|[a-z][\w.\-/]*):(?:\s+(?P<value>\S(?:.*\S)?))?\s*$"
)
#: What else a describe output holds: label pairs, paths, arguments, ``<none>``.
_CONTENT = re.compile(r"^(?:[\w.\-/]+=|/|-|<\w+>|\d+/\w+)")
#: The keys ``kubectl describe pod`` prints for the pod and its containers: a line that
#: stands where they stand must be one of them, or it is not part of the output.
KNOWN_KEYS = frozenset(
    (
        *("Name", "Namespace", "Priority", "Priority Class Name", "Runtime Class Name"),
        *("Service Account", "Node", "Start Time", "Labels", "Annotations", "Status"),
        *("Reason", "Message", "IP", "IPs", "Controlled By", "NominatedNodeName"),
        *("SeccompProfile", "Container ID", "Image", "Image ID", "Port", "Ports"),
        *("Host Port", "Host Ports", "Command", "Args", "State", "Last State", "Exit Code"),
        *("Signal", "Started", "Finished", "Ready", "Restart Count", "Limits", "Requests"),
        *("Liveness", "Readiness", "Startup", "Environment", "Environment Variables from"),
        *("Mounts", "cpu", "memory", "ephemeral-storage", "Devices"),
    )
)
_CONTAINER = re.compile(r"^(?P<name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?):$")
_SECTIONS = {
    "Containers": "containers",
    "Init Containers": "containers",
    "Ephemeral Containers": "other",
    "Conditions": "conditions",
    "Volumes": "other",
    "QoS Class": "other",
    "Node-Selectors": "other",
    "Tolerations": "other",
    "Readiness Gates": "other",
    "Events": "events",
}
_EVENT_TABLE = re.compile(r"^(?:Type\s+Reason\s+Age\s+From\s+Message|-{4}\s+-{6}\s+.*|<none>)$")
_CONDITION = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)\s+(?P<status>True|False|Unknown)$")
_STATE_KEYS = {
    "Reason": "reason",
    "Message": "message",
    "Exit Code": "exit_code",
    "Signal": "signal",
    "Started": "started",
    "Finished": "finished",
}
_SHOWN_KEYS = frozenset(
    ("State", "Last State", "Ready", "Restart Count", "Limits", "Requests", "memory", *_STATE_KEYS)
)
_HEADER_KEYS = {
    "Namespace": "namespace",
    "Node": "node",
    "Start Time": "start_time",
    "Status": "phase",
    "Reason": "reason",
    "Message": "message",
    "IP": "ip",
    "Controlled By": "controlled_by",
}
_HEADER_SHOWN = frozenset(("Namespace", "Status", "Reason", "Message"))
#: Lines a describe output is read for at most; past them the rest is left as it was.
MAX_LINES = 2000


def _int(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value


@dataclass
class _Container:
    head: LogRecord
    init: bool
    lines: list[LogRecord] = field(default_factory=list)
    shown: list[LogRecord] = field(default_factory=list)
    image_line: LogRecord | None = None
    fields: dict[str, object] = field(default_factory=dict)
    sub: str = ""

    def evidence(self) -> list[LogRecord]:
        """The lines that carry the container's state (its image, when it cannot be pulled)."""
        if self.image_line is not None and self.fields.get("state_reason") in _PULL_REASONS:
            return sorted([self.image_line, *self.shown], key=lambda r: r.line)
        return self.shown

    def take(self, record: LogRecord, key: str | None, value: str) -> None:
        self.lines.append(record)
        if key is None:
            if self.sub == "command" and "command" not in self.fields:
                self.fields["command"] = record.message.split()[0].rsplit("/", 1)[-1]
            return
        if key in _SHOWN_KEYS or (key == "cpu" and self.sub in ("limits", "requests")):
            self.shown.append(record)
        f = self.fields
        if key in ("State", "Last State"):
            self.sub = "state" if key == "State" else "last"
            f["state" if key == "State" else "last_state"] = value
        elif key in _STATE_KEYS and self.sub in ("state", "last"):
            name = f"{self.sub}_{_STATE_KEYS[key]}"
            f[name] = _int(value) if key in ("Exit Code", "Signal") else value
        elif key in ("Limits", "Requests"):
            self.sub = key.lower()
        elif key in ("cpu", "memory") and self.sub in ("limits", "requests"):
            f[f"{self.sub}_{key}"] = value
            if key == "memory" and memory_bytes(value) is not None:
                f[f"{self.sub}_memory_bytes"] = memory_bytes(value)
        elif key == "Command":
            self.sub = "command"
            if value:
                f["command"] = value.split()[0].rsplit("/", 1)[-1]
        else:
            self.sub = ""
            if key == "Container ID" and value:
                f["container_id"] = value.rpartition("://")[2]
            elif key == "Image" and value:
                f["image"] = value
                self.image_line = record
            elif key == "Ready":
                f["ready"] = value == "True"
            elif key == "Restart Count" and value.isdigit():
                f["restart_count"] = int(value)


#: Waiting reasons about the image: the container's evidence then shows its ``Image:``.
_PULL_REASONS = frozenset(
    ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
)


class Describe:
    """One ``kubectl describe`` output as it streams by; ``records()`` once it ended."""

    def __init__(self, head: LogRecord) -> None:
        m = NAME.match(head.message)
        self.pod = m["name"] if m else head.context.get("workload", "")
        self.header: list[LogRecord] = [head] if m else []
        self.header_shown: list[LogRecord] = list(self.header)
        self.header_fields: dict[str, object] = {}
        self.section = "header" if m else "containers"
        self.containers: list[_Container] = []
        self.init = False
        self.conditions: list[LogRecord] = []
        self.condition_values: dict[str, str] = {}
        self.others: list[LogRecord] = []
        self.count = 0
        self.base = head.context
        self.name_indent: int | None = None
        self.first_line = head.line
        if not m:
            self.take(head)

    def take(self, record: LogRecord) -> bool:
        """Read one more record of the output; False when it is not part of it."""
        self.count += 1
        if self.count > MAX_LINES:
            return False
        if record.encoding == "event":
            self.section = "events"
            self.others.append(record)
            return True
        if record.encoding != "plain" or (NAME.match(record.message) and self.count > 1):
            return False
        text = record.message
        key_match = _KEY.match(text)
        key = key_match["key"] if key_match else None
        value = (key_match["value"] or "") if key_match else ""
        known = key in KNOWN_KEYS or key in _SECTIONS or (key is not None and "/" in key)
        shaped = known or record.indent or _CONTAINER.match(text) or _CONTENT.match(text)
        if not shaped and self.section in ("header", "containers"):
            return False  # free text where only its keys may stand: the output has ended
        section = _SECTIONS.get(key or "")
        if section:
            self.section = section
            self.init = key == "Init Containers"
            (self.conditions if self.section == "conditions" else self.others).append(record)
            return True
        if self.section == "events":
            if not _EVENT_TABLE.match(text):
                return False
            self.others.append(record)
        elif self.section == "header":
            self._header(record, key, value)
        elif self.section == "containers":
            self._container(record, key, value)
        elif self.section == "conditions":
            m = _CONDITION.match(text)
            if m:
                self.condition_values[m["type"]] = m["status"]
            self.conditions.append(record)
        else:
            self.others.append(record)
        return True

    def _header(self, record: LogRecord, key: str | None, value: str) -> None:
        self.header.append(record)
        if key in _HEADER_KEYS and value and _HEADER_KEYS[key] not in self.header_fields:
            self.header_fields[_HEADER_KEYS[key]] = value
            if key in _HEADER_SHOWN:
                self.header_shown.append(record)

    def _container(self, record: LogRecord, key: str | None, value: str) -> None:
        named = _CONTAINER.match(record.message)
        if named and (self.name_indent is None or record.indent == self.name_indent):
            self.name_indent = record.indent
            self.containers.append(_Container(head=record, init=self.init))
            self.containers[-1].lines.append(record)
            return
        if not self.containers:  # a state pasted without its container's name
            self.containers.append(_Container(head=record, init=self.init))
        self.containers[-1].take(record, key, value)

    def _pod_fields(self) -> dict[str, object]:
        fields: dict[str, object] = {"source_format": "describe"}
        if self.pod:
            fields["pod"] = self.pod
        fields.update(self.header_fields)
        namespace = fields.get("namespace") or self.base.get("namespace")
        if namespace:
            fields["namespace"] = namespace
        node = fields.get("node")
        if isinstance(node, str):
            fields["node"] = node.split("/", 1)[0]
        owner = fields.get("controlled_by")
        kind, _, name = owner.partition("/") if isinstance(owner, str) else ("", "", "")
        if name or self.pod:
            fields["workload"] = (
                owner_of_replicaset(name) if kind == "ReplicaSet" else name or owner_of(self.pod)
            )
        return fields

    def records(self) -> list[LogRecord]:
        """The pod, container and condition records, and the rest as they were, in line order."""
        pod = self._pod_fields()
        namespace = pod.get("namespace")
        context = dict(self.base)
        if self.pod:
            context.update(pod_context(self.pod, namespace if isinstance(namespace, str) else None))
        ident: dict[str, object] = {
            k: pod[k] for k in ("source_format", "pod", "namespace", "workload") if k in pod
        }
        out: list[LogRecord] = []
        if self.header:
            out.append(
                group_record(
                    self.header,
                    self.header_shown,
                    encoding="pod",
                    fields=pod,
                    context=context,
                    message=pod_summary(pod),
                )
            )
        for c in self.containers:
            name = _CONTAINER.match(c.head.message)
            fields: dict[str, object] = {**ident, "init": c.init}
            container = name["name"] if name else c.head.context.get("container")
            if container:
                fields["container"] = container
            fields.update(c.fields)
            own = {**context, "container": container} if container else context
            out.append(
                group_record(
                    c.lines,
                    [c.head, *c.evidence()],
                    encoding="container",
                    fields=fields,
                    context=own,
                    message=container_summary(fields),
                )
            )
        if self.conditions:
            fields = {**ident, "conditions": dict(self.condition_values)}
            out.append(
                group_record(
                    self.conditions,
                    self.conditions,
                    encoding="pod-conditions",
                    fields=fields,
                    context=context,
                    message=pod_summary(fields),
                )
            )
        out += self.others
        out.sort(key=lambda r: r.line)
        return out
