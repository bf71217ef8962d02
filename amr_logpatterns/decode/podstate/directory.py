"""The pods an input describes, so that a node-level line can be linked to one of them.

The kernel names the process it killed and, in its cgroup path, often the
pod's UID and the container's id; it never names the pod. Pod-state records
(``describe``, ``-o yaml``, rows, events, the kubelet's own lines) name pods,
their UIDs, their containers' ids and commands. ``PodDirectory`` remembers
them as they stream by, and ``link`` returns the context of the one pod a
kernel record is about, or None when nothing (or more than one pod) fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amr_logpatterns.decode.pods import owner_of
from amr_logpatterns.models.records import LogRecord

#: Pods remembered at most; an input describing more is a whole cluster's dump.
MAX_PODS = 10_000
_TROUBLE = frozenset(("OOMKilled", "Error", "CrashLoopBackOff", "ContainerCannotRun"))


@dataclass
class KnownContainer:
    """A container as the input showed it: its ids, its command, whether it was restarted."""

    name: str
    ids: set[str] = field(default_factory=set)
    command: str | None = None
    troubled: bool = False


@dataclass
class KnownPod:
    """A pod as the input showed it."""

    name: str
    namespace: str | None = None
    uid: str | None = None
    containers: dict[str, KnownContainer] = field(default_factory=dict)

    def container(self, name: str) -> KnownContainer:
        return self.containers.setdefault(name, KnownContainer(name))

    def context(self, container: str | None = None) -> dict[str, str]:
        """The context a record about this pod (and container) is attributed by."""
        out = {"workload": self.name}
        if self.namespace:
            out["namespace"] = self.namespace
        if container:
            out["container"] = container
        return out


#: The longest process name the kernel prints; longer names are cut to it.
_COMM_LENGTH = 15


def _same_process(process: str, name: str) -> bool:
    """Whether the kernel would print ``name`` as ``process``."""
    return process == name or (len(process) == _COMM_LENGTH and name.startswith(process))


def _bare_id(value: str) -> str:
    """A container id without its runtime (``containerd://``) prefix."""
    return value.rpartition("://")[2].strip()


def _text(fields: Mapping[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) and value else None


class PodDirectory:
    """Pods learnt from pod-state records, and the links they allow."""

    def __init__(self) -> None:
        self.pods: dict[str, KnownPod] = {}
        self.by_uid: dict[str, KnownPod] = {}
        self.by_container_id: dict[str, tuple[KnownPod, str]] = {}

    def _pod(self, name: str, namespace: str | None) -> KnownPod | None:
        pod = self.pods.get(name)
        if pod is None:
            if len(self.pods) >= MAX_PODS:
                return None
            pod = self.pods[name] = KnownPod(name)
        if namespace and not pod.namespace:
            pod.namespace = namespace
        return pod

    def learn(self, record: LogRecord) -> None:
        """Remember what a record says about a pod, its UID and its containers."""
        fields = record.fields
        name = _text(fields, "pod")
        namespace = _text(fields, "namespace") or record.context.get("namespace")
        if name and "/" in name:  # the kubelet's ``pod="NS/NAME"``
            namespace, name = name.split("/", 1)
        if not name:
            return
        pod = self._pod(name, namespace)
        if pod is None:
            return
        uid = _text(fields, "uid") or _text(fields, "pod_uid") or _text(fields, "podUID")
        if uid:
            pod.uid = uid
            self.by_uid[uid] = pod
        container_name = _text(fields, "container") or _text(fields, "containerName")
        if not container_name:
            return
        container = pod.container(container_name)
        for key in ("container_id", "last_container_id", "containerID"):
            value = _text(fields, key)
            if value:
                bare = _bare_id(value)
                container.ids.add(bare)
                self.by_container_id[bare] = (pod, container_name)
        command = _text(fields, "command")
        if command:
            container.command = command
        restarts = fields.get("restart_count")
        reasons = {fields.get(k) for k in ("state_reason", "last_reason", "reason")}
        if (isinstance(restarts, int) and restarts > 0) or reasons & _TROUBLE:
            container.troubled = True

    def link(self, fields: Mapping[str, object]) -> dict[str, str] | None:
        """The context of the pod an out-of-memory kill is about, when the input tells."""
        container_id = _text(fields, "container_id")
        if container_id:
            for known, (pod, name) in self.by_container_id.items():
                if known.startswith(container_id) or container_id.startswith(known):
                    return pod.context(name)
        uid = _text(fields, "pod_uid")
        if uid and uid in self.by_uid:
            pod = self.by_uid[uid]
            process = _text(fields, "process")
            named = process if process and process in pod.containers else None
            return pod.context(named)
        process = _text(fields, "process")
        return self._by_process(process) if process else None

    def _by_process(self, process: str) -> dict[str, str] | None:
        """The pod whose restarted container is named, or runs, ``process``: one workload's.

        The kernel keeps a process name to its first 15 characters (``TASK_COMM_LEN``).
        """
        fits = [
            (pod, c.name)
            for pod in self.pods.values()
            for c in pod.containers.values()
            if any(_same_process(process, name) for name in (c.name, c.command) if name)
        ]
        troubled = [(pod, name) for pod, name in fits if pod.containers[name].troubled]
        candidates = troubled or fits
        if len({owner_of(pod.name) for pod, _ in candidates}) != 1:
            return None
        pod, name = candidates[0]
        return pod.context(name)
