"""Kubernetes events: rows of ``kubectl describe``'s Events table and of ``kubectl get events``.

``kubectl get events`` prints ``LAST SEEN TYPE REASON OBJECT MESSAGE`` (``-A``
adds NAMESPACE first; ``kubectl events`` prints the same), and ``-o wide``
adds SUBOBJECT and SOURCE before the message and FIRST SEEN, COUNT and NAME
after it. An event about a pod names it (``pod/NAME``); one about a node
(the kernel's ``OOMKilling``, ``SystemOOM``) names no pod, so its context is
the node's until ``podstate`` links the process it names to a pod.
"""

from __future__ import annotations

import re

from amr_logpatterns.decode.base import normalise_level
from amr_logpatterns.decode.kernel import NODE_CONTEXT, oom_fields
from amr_logpatterns.decode.pods import owner_of, owner_of_replicaset
from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.stage1 import Pattern

_AGE = r"(?P<age>(?:<unknown>|<invalid>|\S+)(?:\s+\(x(?P<count>\d+) over (?P<span>[^)]+)\))?)"
_DESCRIBE_ROW = re.compile(
    r"^(?P<type>Normal|Warning)\s+(?P<reason>[A-Za-z]+)\s+"
    + _AGE
    + r"\s+(?P<from>[\w.\-/]+(?:, [\w.\-/]+)?)\s+(?P<message>\S.*)$"
)
_NAMESPACE = r"(?:(?P<namespace>[a-z0-9][-a-z0-9]*)\s+)?"
_OBJECT = r"(?P<object>[A-Za-z][\w.\-]*/[\w.\-]+)"
_GET_ROW = re.compile(
    r"^"
    + _NAMESPACE
    + _AGE.replace("age", "last_seen")
    + r"\s+(?P<type>Normal|Warning)\s+(?P<reason>[A-Za-z]+)\s+"
    + _OBJECT
    + r"\s+(?P<message>\S.*)$"
)
#: ``-o wide``: the message is followed by FIRST SEEN, COUNT and the event's NAME
#: (``OBJECT.hex``), which ``_wide_tail`` splits off from the end; SUBOBJECT may be empty.
_WIDE_ROW = re.compile(
    r"^"
    + _NAMESPACE
    + r"(?P<last_seen>\S+)\s+(?P<type>Normal|Warning)\s+(?P<reason>[A-Za-z]+)\s+"
    + _OBJECT
    + r"\s+(?:(?P<subobject>spec\.\S+|\S+\{\S+\})\s+)?(?P<from>[\w.\-/]+(?:, [\w.\-]+)?)\s+"
    r"(?P<rest>\S.*)$"
)
_EVENT_NAME = re.compile(r"^[\w.\-]+\.[0-9a-f]{8,}$")


def _wide_tail(rest: str) -> dict[str, str] | None:
    """MESSAGE, FIRST SEEN, COUNT and NAME of a wide row's tail, split from its end (a
    regex that let the message run lazily up to them would be quadratic on long lines)."""
    parts = rest.rsplit(None, 3)
    if len(parts) != 4 or not parts[2].isdigit() or not _EVENT_NAME.match(parts[3]):
        return None
    return {"message": parts[0], "first_seen": parts[1], "count": parts[2]}


_SUBOBJECT_CONTAINER = re.compile(r"\{(?P<container>[a-z0-9][-a-z0-9]*)\}")
#: ``Back-off restarting failed container manager in pod NAME_NAMESPACE(UID)``
_IN_POD = re.compile(
    r"\bin pod (?P<pod>[a-z0-9][-a-z0-9.]*)_(?P<namespace>[a-z0-9][-a-z0-9]*)"
    r"(?:\((?P<uid>[0-9a-f-]{36})\))?"
)
_CONTAINER_IN_MESSAGE = re.compile(
    r"\b(?:[Ff]ailed container|[Cc]ontainer):? (?P<container>[a-z0-9][-a-z0-9]*)\b"
)
#: Node events of the kernel's OOM killer (node-problem-detector, the kubelet).
_NODE_OOM_REASONS = frozenset(("OOMKilling", "SystemOOM"))
_POD_KINDS = frozenset(("pod", "deployment", "replicaset", "statefulset", "daemonset", "job"))


def _object_fields(kind: str, name: str, fields: dict[str, object]) -> dict[str, str]:
    """Fields and context from the event's object (``pod/NAME``, ``node/NAME``)."""
    fields["object_kind"] = kind
    fields["object_name"] = name
    low = kind.lower()
    if low == "pod":
        fields["pod"] = name
        fields["workload"] = owner_of(name)
    elif low == "replicaset":
        fields["workload"] = owner_of_replicaset(name)
    elif low in _POD_KINDS:
        fields["workload"] = name
    if low == "node":
        fields["node"] = name
        return dict(NODE_CONTEXT)
    return {"workload": name} if low in _POD_KINDS else {}


def decode(text: str) -> Decoded | None:
    """Decode one event row; the event's object and namespace become its context."""
    m = _DESCRIBE_ROW.match(text)
    tail = None
    if m is None:
        wide = _WIDE_ROW.match(text)
        tail = None if wide is None else _wide_tail(wide["rest"])
        m = wide if tail is not None else _GET_ROW.match(text)
    if m is None:
        return None
    groups = {k: v for k, v in m.groupdict().items() if v is not None and k != "rest"}
    groups.update(tail or {})
    message = groups["message"]
    fields: dict[str, object] = {
        k: v for k, v in groups.items() if k not in ("message", "count", "subobject", "name")
    }
    if "count" in groups:
        fields["count"] = int(groups["count"])
    context: dict[str, str] = {}
    if "object" in groups:
        kind, _, name = groups["object"].partition("/")
        context = _object_fields(kind, name, fields)
    if "namespace" in groups and context.get("scope") != "node":
        context["namespace"] = groups["namespace"]
    sub = _SUBOBJECT_CONTAINER.search(groups.get("subobject", ""))
    found = _IN_POD.search(message)
    if found is not None:
        fields.setdefault("pod", found["pod"])
        fields.setdefault("workload", owner_of(found["pod"]))
        fields["namespace"] = found["namespace"]
        if found["uid"]:
            fields["pod_uid"] = found["uid"]
        if "workload" not in context:  # a bare Events table: the message names the pod
            context = {"workload": found["pod"], "namespace": found["namespace"]}
    container = sub or _CONTAINER_IN_MESSAGE.search(message)
    if container is not None:
        fields["container"] = container["container"]
    if groups["reason"] in _NODE_OOM_REASONS and "pod" not in fields:
        context = dict(NODE_CONTEXT)  # a node's event, as ``describe node`` lists it too
    if context.get("scope") == "node":
        fields.update(oom_fields(message) or {})
    return Decoded(
        encoding="event",
        message=message,
        level=normalise_level(groups["type"]),
        logger=groups.get("from"),
        fields=fields,
        context=context,
        raw=text,
    )


#: Event rows of type ``Normal`` (warnings are found by the level literals).
STAGE1 = (Pattern(rb"Normal[ \t]+[A-Z][A-Za-z]+[ \t]"),)
