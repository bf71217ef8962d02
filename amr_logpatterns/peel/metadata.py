"""The Kubernetes metadata keys log shippers write (Loki, Fluent Bit, Vector...).

What they name (namespace, pod, container) becomes a line's context, for
attribution, whichever spelling the shipper uses.
"""

from __future__ import annotations

from collections.abc import Mapping

_CONTEXT_KEYS = {
    "namespace": "namespace",
    "namespace_name": "namespace",
    "k8s_namespace_name": "namespace",
    "pod": "workload",
    "pod_name": "workload",
    "k8s_pod_name": "workload",
    "container": "container",
    "container_name": "container",
    "k8s_container_name": "container",
}


def known_context(pairs: Mapping[str, object]) -> dict[str, str]:
    """Pod, namespace and container from a log shipper's labels or Kubernetes metadata."""
    return {
        _CONTEXT_KEYS[k]: v for k, v in pairs.items() if k in _CONTEXT_KEYS and isinstance(v, str)
    }
