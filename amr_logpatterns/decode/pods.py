"""One-line pod state: rows of ``kubectl get pods`` and ``kubectl top pod``.

A row names its pod (and, with ``-A``, its namespace), so it carries its own
context for attribution. Numbers are typed (restarts, seconds, bytes) so that
signatures can compare them; ``workload`` is the pod's owner (the Deployment or
StatefulSet name), which stays the same across restarts and rollouts.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.quantities import cpu_millicores, duration_seconds, memory_bytes
from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.stage1 import Pattern

_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"
_AGE = r"\d+[ywdhms](?:\d+[ywdhms])*|<unknown>|<invalid>"
_GET_PODS = re.compile(
    rf"^(?:(?P<namespace>[a-z0-9](?:[-a-z0-9]{{0,61}}[a-z0-9])?)\s+)?(?P<pod>{_NAME})\s+"
    r"(?P<ready>\d+)/(?P<containers>\d+)\s+(?P<status>[A-Za-z][\w:/\-]*)\s+"
    rf"(?P<restarts>\d+)(?:\s+\((?P<last_restart>{_AGE}) ago\))?\s+(?P<age>{_AGE})"
    r"(?:\s+(?P<ip>\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*|<none>)\s+(?P<node>\S+))?"
    r"(?:\s+\S.*)?$"
)
_TOP = re.compile(
    rf"^(?:(?P<first>{_NAME})\s+)?(?:(?P<second>{_NAME})\s+)?(?P<name>{_NAME})\s+"
    r"(?P<cpu>\d+m)\s+(?P<memory>\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti))\s*$"
)
#: The generated suffixes of a pod name: a ReplicaSet's template hash and the pod's own
#: five characters (vowel-free), a StatefulSet's ordinal, or a DaemonSet's five characters.
_REPLICASET_POD = re.compile(r"^(?P<owner>.+)-[a-f0-9]{5,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")
_STATEFUL_POD = re.compile(r"^(?P<owner>.+)-\d{1,5}$")
_SINGLE_SUFFIX_POD = re.compile(r"^(?P<owner>.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$")
_REPLICASET = re.compile(r"^(?P<owner>.+)-[a-f0-9]{5,10}$")


def owner_of(pod: str) -> str:
    """The Deployment, StatefulSet or DaemonSet a pod's generated name comes from (or the name)."""
    for pattern in (_REPLICASET_POD, _STATEFUL_POD, _SINGLE_SUFFIX_POD):
        m = pattern.match(pod)
        if m is not None:
            return m["owner"]
    return pod


def owner_of_replicaset(name: str) -> str:
    """The Deployment behind a ReplicaSet's name (``amr-persister-7c9f8d6b5``)."""
    m = _REPLICASET.match(name)
    return m["owner"] if m is not None else name


def pod_context(pod: str, namespace: str | None = None) -> dict[str, str]:
    """The context a record about ``pod`` gives attribution."""
    context = {"workload": pod}
    if namespace:
        context["namespace"] = namespace
    return context


def _get_pods(text: str) -> Decoded | None:
    m = _GET_PODS.match(text)
    if m is None:
        return None
    pod = m["pod"]
    restarts = int(m["restarts"])
    fields: dict[str, object] = {
        "source_format": "get-pods",
        "pod": pod,
        "workload": owner_of(pod),
        "ready": f"{m['ready']}/{m['containers']}",
        "ready_containers": int(m["ready"]),
        "containers": int(m["containers"]),
        "all_ready": m["ready"] == m["containers"],
        "status": m["status"],
        "restarts": restarts,
        "age": m["age"],
    }
    if m["namespace"]:
        fields["namespace"] = m["namespace"]
    age = duration_seconds(m["age"])
    if age is not None:
        fields["age_seconds"] = age
        fields["restarts_per_hour"] = round(restarts * 3600 / max(age, 60), 2)
    if m["last_restart"]:
        fields["last_restart"] = m["last_restart"]
        last = duration_seconds(m["last_restart"])
        if last is not None:
            fields["last_restart_seconds"] = last
    if m["node"]:
        fields["ip"] = m["ip"]
        fields["node"] = m["node"]
    return Decoded(
        encoding="pod",
        message=text,
        fields=fields,
        context=pod_context(pod, m["namespace"]),
        raw=text,
    )


def _top(text: str) -> Decoded | None:
    m = _TOP.match(text)
    if m is None:
        return None
    names = [n for n in (m["first"], m["second"], m["name"]) if n]
    namespace = container = None
    if len(names) == 3:
        namespace, pod, container = names
    elif len(names) == 2 and owner_of(names[0]) != names[0]:
        pod, container = names  # ``--containers``: the pod's generated name comes first
    elif len(names) == 2:
        namespace, pod = names  # ``-A``
    else:
        pod = names[0]
    fields: dict[str, object] = {
        "source_format": "top",
        "pod": pod,
        "workload": owner_of(pod),
        "cpu": m["cpu"],
        "memory": m["memory"],
    }
    millicores = cpu_millicores(m["cpu"])
    if millicores is not None:
        fields["cpu_millicores"] = millicores
    used = memory_bytes(m["memory"])
    if used is not None:
        fields["memory_bytes"] = used
    if namespace:
        fields["namespace"] = namespace
    context = pod_context(pod, namespace)
    if container:
        fields["container"] = container
        context["container"] = container
    return Decoded(encoding="top", message=text, fields=fields, context=context, raw=text)


def decode(text: str) -> Decoded | None:
    """Decode a ``kubectl get pods`` or ``kubectl top pod`` row."""
    if not (text[:1].islower() or text[:1].isdigit()):  # names are lower case
        return None
    return _get_pods(text) or _top(text)


_BINARY_UNITS = (b"K", b"M", b"G", b"T")

#: Rows of ``kubectl get pods`` (``1/1   Running   3``) and of ``kubectl top pod``
#: (a memory quantity at the end).
STAGE1 = (
    Pattern(
        rb"\d/\d+[ \t]+[A-Za-z][\w:/\-]*[ \t]+\d",
        stdlib=(rb"/(?<=\d/)\d+[ \t]+[A-Za-z][\w:/\-]*[ \t]+\d",),
    ),
    Pattern(
        rb"\d[KMGT]i[ \t]*\r?$",
        multiline=True,
        stdlib=tuple(rb"(?m)" + u + rb"i(?<=\d" + u + rb"i)[ \t]*\r?$" for u in _BINARY_UNITS),
    ),
)
