"""Kubernetes events: rows of ``kubectl describe``'s Events table and of ``kubectl get events``."""

from __future__ import annotations

import re

from .base import Decoded, normalise_level

_AGE = r"(?P<age>(?:<unknown>|<invalid>|\S+)(?:\s+\(x(?P<count>\d+) over (?P<span>[^)]+)\))?)"
_DESCRIBE_ROW = re.compile(
    r"^(?P<type>Normal|Warning)\s+(?P<reason>[A-Za-z]+)\s+"
    + _AGE
    + r"\s+(?P<from>[\w.\-/]+(?:, [\w.\-/]+)?)\s+(?P<message>\S.*)$"
)
_GET_ROW = re.compile(
    r"^(?:(?P<namespace>[a-z0-9][-a-z0-9]*)\s+)?"
    + _AGE.replace("age", "last_seen")
    + r"\s+(?P<type>Normal|Warning)\s+(?P<reason>[A-Za-z]+)\s+"
    r"(?P<object>[A-Za-z][\w.\-]*/[\w.\-]+)\s+(?P<message>\S.*)$"
)


def decode(text: str) -> Decoded | None:
    """Decode one event row; the event's object and namespace become its context."""
    m = _DESCRIBE_ROW.match(text) or _GET_ROW.match(text)
    if m is None:
        return None
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    fields: dict[str, object] = {k: v for k, v in groups.items() if k not in ("message", "count")}
    if "count" in groups:
        fields["count"] = int(groups["count"])
    context: dict[str, str] = {}
    if "object" in groups:
        kind, _, name = groups["object"].partition("/")
        fields["object_kind"] = kind
        if kind.lower() in ("pod", "deployment", "replicaset"):
            context["workload"] = name
    if "namespace" in groups:
        context["namespace"] = groups["namespace"]
    return Decoded(
        encoding="event",
        message=groups["message"],
        level=normalise_level(groups["type"]),
        logger=groups.get("from"),
        fields=fields,
        context=context,
        raw=text,
    )
