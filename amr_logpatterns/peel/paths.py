"""Collected logs whose path names the pod: node logs, must-gather, support bundles, dumps.

The pod, namespace and container a path names become the context of every
line of the file (``tail`` headers in a paste use it too), for attribution.
"""

from __future__ import annotations

import re

#: Kubernetes names: a namespace or container is a DNS label, a pod a DNS subdomain.
_LABEL_NAME = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
_POD_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"
#: Where a path segment starts; ``:`` ends an archive's name in ``bundle.tgz:member``.
_SEGMENT = r"(?:^|[/:])"
_CONTAINER_LOG = re.compile(
    _SEGMENT + r"(?P<pod>[a-z0-9][-a-z0-9.]*)_(?P<namespace>[a-z0-9][-a-z0-9]*)_"
    r"(?P<container>[a-z0-9][-a-z0-9]*)-[0-9a-f]{64}\.log(?:\.gz)?$"
)
#: The kubelet's own files, rotated ones too (``0.log.20240301-101010``, ``.gz``).
_POD_LOG = re.compile(
    _SEGMENT + r"(?P<namespace>[a-z0-9][-a-z0-9]*)_(?P<pod>[a-z0-9][-a-z0-9.]*)_[0-9a-f-]{36}/"
    r"(?P<container>[a-z0-9][-a-z0-9]*)/\d+\.log(?:\.\d{8}-\d{6})?(?:\.gz)?$"
)
#: ``oc adm must-gather`` / ``oc adm inspect``: the container's name appears twice.
_MUST_GATHER_LOG = re.compile(
    _SEGMENT + rf"namespaces/(?P<namespace>{_LABEL_NAME})/pods/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})/(?P=container)/logs/"
    r"(?:(?:current|previous)(?:\.insecure)?\.log|rotated/[^/]+)$"
)
#: troubleshoot.sh support bundles (``<container>-previous.log`` for the last restart).
_TROUBLESHOOT_LOG = re.compile(
    _SEGMENT + rf"cluster-resources/pods/logs/(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})\.log$"
)
#: ``kubectl cluster-info dump --output-directory``: every container of a pod in one file.
_CLUSTER_DUMP_LOG = re.compile(
    _SEGMENT + rf"(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/logs\.txt$"
)
#: ``<namespace>/<pod>/<container>.log`` trees (Harvester's ``logs/<ns>/<pod>/<c>.log``).
_TREE_LOG = re.compile(
    _SEGMENT + rf"(?P<namespace>{_LABEL_NAME})/(?P<pod>{_POD_NAME})/"
    rf"(?P<container>{_LABEL_NAME})\.log(?:\.gz)?$"
)
#: The random suffix of a generated name (vowel-free, so words rarely match) or a
#: StatefulSet ordinal: how a pod segment is told from an arbitrary directory.
_GENERATED_POD = re.compile(r"-(?:[bcdfghjklmnpqrstvwxz2456789]{5}|\d{1,5})$")
#: Directory names of ad-hoc collections that sit where a namespace would.
_NOT_NAMESPACES = frozenset(("logs", "log", "pods", "pod", "containers", "output", "out", "tmp"))
_PREVIOUS = "-previous"


def _without_previous(container: str) -> str:
    """``manager-previous`` (the log before the last restart) belongs to ``manager``."""
    return container[: -len(_PREVIOUS)] if container.endswith(_PREVIOUS) else container


def path_context(path: str) -> dict[str, str]:
    """The pod, namespace and container that a collected log's path names.

    Node logs (``/var/log/pods``, ``/var/log/containers``), must-gather,
    troubleshoot.sh bundles and ``kubectl cluster-info dump`` have fixed layouts.
    A generic ``<namespace>/<pod>/<container>.log`` tree counts only when the pod
    segment looks generated, so that an arbitrary ``ci/run/observer.log`` is not
    taken for a pod: a wrong namespace would attribute AMR's own lines away.
    """
    path = path.replace("\\", "/")
    m = (
        _CONTAINER_LOG.search(path)
        or _POD_LOG.search(path)
        or _MUST_GATHER_LOG.search(path)
        or _TROUBLESHOOT_LOG.search(path)
    )
    if m is not None:
        container = _without_previous(m["container"])
        return {"workload": m["pod"], "namespace": m["namespace"], "container": container}
    m = _CLUSTER_DUMP_LOG.search(path)
    if m is not None and _GENERATED_POD.search(m["pod"]):
        return {"workload": m["pod"], "namespace": m["namespace"]}
    m = _TREE_LOG.search(path)
    if m is None or not _GENERATED_POD.search(m["pod"]):
        return {}
    context = {"workload": m["pod"], "container": _without_previous(m["container"])}
    if m["namespace"] not in _NOT_NAMESPACES:
        context["namespace"] = m["namespace"]
    return context
