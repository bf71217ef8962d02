"""klog, the logger of client-go and Kubernetes: ``Lmmdd hh:mm:ss.uuuuuu TID file:line] msg``."""

from __future__ import annotations

import re

from amr_logpatterns.decode.base import normalise_level
from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.stage1 import Pattern

_KLOG = re.compile(
    r"^(?P<sev>[IWEF])(?P<date>\d{4}) (?P<time>\d\d:\d\d:\d\d\.\d{6})\s+(?P<tid>\d+) "
    r"(?P<caller>[^\s\]]+:\d+)\] ?(?P<msg>.*)$"
)
_QUOTED_MSG = re.compile(r'^"(?P<msg>(?:[^"\\]|\\.)*)"(?P<kv>(?: .*)?)$')
#: A key starts where a token starts: without the lookbehind, a long token with no ``=``
#: would be rescanned from every one of its characters (quadratic).
_KV = re.compile(r'(?<![\w.\-])(?P<key>[\w.\-]+)=(?P<value>"(?:[^"\\]|\\.)*"|\S+)')


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def subject_context(fields: dict[str, object]) -> dict[str, str]:
    """The pod a kubelet's structured line is about: ``pod="NS/NAME"``, ``containerName``."""
    context: dict[str, str] = {}
    pod = fields.get("pod")
    if isinstance(pod, str) and pod.count("/") == 1:
        context["namespace"], context["workload"] = pod.split("/")
    container = fields.get("containerName")
    if context and isinstance(container, str) and container:
        context["container"] = container
    return context


def decode(text: str) -> Decoded | None:
    """Decode a klog line; structured klog's ``key="value"`` pairs become fields."""
    m = _KLOG.match(text)
    if m is None:
        return None
    message = m["msg"]
    fields: dict[str, object] = {}
    structured = _QUOTED_MSG.match(message)
    if structured and structured["kv"]:
        message = _unquote('"' + structured["msg"] + '"')
        for kv in _KV.finditer(structured["kv"]):
            fields[kv["key"]] = _unquote(kv["value"])
    logger = fields.get("logger")
    return Decoded(
        encoding="klog",
        message=message,
        ts=f"{m['date']} {m['time']}",
        level=normalise_level(m["sev"]),
        logger=logger if isinstance(logger, str) else None,
        caller=m["caller"],
        fields=fields,
        context=subject_context(fields),
        raw=text,
    )


#: A klog record at warning level or above; the kubelet's lines about a pod
#: (``pod="NAMESPACE/NAME"``, never without the slash: a log store's label set
#: ``{pod="NAME"}`` is no such line), which link a kernel line to its pod.
STAGE1 = (
    Pattern(
        rb"[EFW]\d{4} \d\d:\d\d:\d\d\.\d{6}",
        stdlib=(rb"\.(?<=[EFW]\d{4} \d\d:\d\d:\d\d\.)\d{6}",),
    ),
    Pattern(rb'pod="[^"\s/]*/', stdlib=(rb'pod="[^"\s/]*/',)),
)
