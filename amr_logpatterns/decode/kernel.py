"""The kernel's out-of-memory killer, as ``dmesg``, ``journalctl -k`` and node events quote it.

A kill shows as ``oom-kill:constraint=...,task_memcg=...,task=NAME,pid=N`` and
``Memory cgroup out of memory: Killed process N (NAME) ...``. Neither names a
pod: the cgroup path may hold the pod's UID and the container's id, and the
process name is the container's command. ``podstate`` links such a record to a
pod the rest of the input describes; until then its context is the node's.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.records import Decoded
from amr_logpatterns.models.stage1 import literal_pattern

_KILLED = re.compile(
    r"(?:(?P<scope>Memory cgroup out of memory|Out of memory"
    r"(?: \(oom_kill_allocating_task\))?):\s+)?"
    r"Kill(?:ed)? process (?P<pid>\d+) \((?P<process>[^)\n]{1,64})\)"
    r"(?:.*?\btotal-vm:(?P<total_vm_kb>\d+)kB, anon-rss:(?P<anon_rss_kb>\d+)kB)?"
)
_OOM_KILL = re.compile(r"\boom-kill:(?P<pairs>constraint=\S+)")
_TASK_IN = re.compile(r"\bTask in (?P<memcg>/\S+) killed as a result of limit of (?P<limit>/\S+)")
_SYSTEM_OOM = re.compile(
    r"\bSystem OOM encountered, victim process: (?P<process>[^,\s]+), pid: (?P<pid>\d+)"
)
_POD_UID = re.compile(
    r"pod(?P<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})"
)
_CONTAINER_ID = re.compile(r"(?:^|[/-])(?P<id>[0-9a-f]{64})(?:\.scope)?$")

#: Whoever a kernel record is about until it is linked to a pod: the node, no AMR pod.
NODE_CONTEXT = {"scope": "node"}


def cgroup_fields(path: str) -> dict[str, object]:
    """The pod UID and container id a cgroup path holds (systemd or cgroupfs layout)."""
    fields: dict[str, object] = {}
    m = _POD_UID.search(path)
    if m is not None:
        fields["pod_uid"] = m["uid"].replace("_", "-")
    m = _CONTAINER_ID.search(path)
    if m is not None:
        fields["container_id"] = m["id"]
    return fields


def oom_fields(text: str) -> dict[str, object] | None:
    """The fields of an out-of-memory kill in ``text`` (a kernel line, an event's message)."""
    m = _OOM_KILL.search(text)
    if m is not None:
        pairs = dict(p.partition("=")[::2] for p in m["pairs"].split(","))
        fields: dict[str, object] = {"oom": "oom-kill", "constraint": pairs.get("constraint", "")}
        if pairs.get("task"):
            fields["process"] = pairs["task"]
        if pairs.get("pid", "").isdigit():
            fields["pid"] = int(pairs["pid"])
        memcg = pairs.get("task_memcg") or pairs.get("oom_memcg") or ""
        if memcg:
            fields["memcg"] = memcg
            fields.update(cgroup_fields(memcg))
        return fields
    m = _KILLED.search(text)
    if m is not None:
        fields = {"oom": "killed", "pid": int(m["pid"]), "process": m["process"]}
        if m["scope"]:
            fields["constraint"] = "memcg" if m["scope"].startswith("Memory") else "global"
        for key in ("total_vm_kb", "anon_rss_kb"):
            if m[key]:
                fields[key] = int(m[key])
        return fields
    m = _SYSTEM_OOM.search(text)
    if m is not None:
        return {"oom": "system-oom", "pid": int(m["pid"]), "process": m["process"]}
    m = _TASK_IN.search(text)
    if m is not None:
        return {"oom": "task-in", "memcg": m["memcg"], **cgroup_fields(m["memcg"])}
    return None


def decode(text: str) -> Decoded | None:
    """Decode a kernel out-of-memory line; other kernel lines are plain text."""
    if "process" not in text and "oom-kill:" not in text and "Task in " not in text:
        return None
    fields = oom_fields(text)
    if fields is None:
        return None
    return Decoded(
        encoding="kernel", message=text, fields=fields, context=dict(NODE_CONTEXT), raw=text
    )


#: The kernel's OOM killer, whatever the distribution's wording.
STAGE1 = tuple(
    literal_pattern(t)
    for t in (b"ed process ", b"ll process ", b"oom-kill:", b"Task in /", b"System OOM")
)
