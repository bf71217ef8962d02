"""The Kubernetes metadata keys log shippers and log stores write, and their times.

What they name (namespace, pod, container, the app label) becomes a line's
context, for attribution, whichever spelling the shipper uses: Loki's and
logcli's labels, Fluent Bit's, Fluentd's and Vector's ``kubernetes`` object,
Filebeat's nested one, OpenTelemetry's ``k8s.*`` resource attributes, stern's
``podName``. A shipper's time (RFC 3339, or epoch seconds to nanoseconds)
becomes the capture time, used when the record carries none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone

_CONTEXT_KEYS = {
    "namespace": "namespace",
    "namespace_name": "namespace",
    "pod_namespace": "namespace",
    "k8s_namespace_name": "namespace",
    "k8s.namespace.name": "namespace",
    "pod": "workload",
    "pod_name": "workload",
    "podName": "workload",
    "pod.name": "workload",
    "k8s_pod_name": "workload",
    "k8s.pod.name": "workload",
    "container": "container",
    "container_name": "container",
    "containerName": "container",
    "container.name": "container",
    "k8s_container_name": "container",
    "k8s.container.name": "container",
}
#: Labels naming the app, taken for the workload when nothing names the pod: an AMR
#: component's workload globs (``amr-persister*``) accept its app's name.
_APP_KEYS = ("app", "app.kubernetes.io/name", "app_kubernetes_io_name", "k8s-app")


def known_context(pairs: Mapping[str, object]) -> dict[str, str]:
    """Pod, namespace and container from a log shipper's labels or Kubernetes metadata
    (nested objects read as dotted keys: ``kubernetes.pod.name``, ``resource.labels.pod_name``)."""
    flat = _flattened(pairs)
    found: dict[str, str] = {}
    for key, value in flat.items():
        # ``kubernetes.pod_name``, ``resource.labels.pod_name``: the key, or its last parts
        parts = key.split(".")
        for i in range(len(parts)):
            name = _CONTEXT_KEYS.get(".".join(parts[i:]))
            if name is not None:
                if value and name not in found:
                    found[name] = value
                break
    if "workload" not in found:
        labels = {_LABELS.sub("", k): v for k, v in flat.items()}
        app = next((labels[k] for k in _APP_KEYS if labels.get(k)), None)
        if app is not None:
            found["workload"] = app
    return found


#: Where a label set sits in a shipper's metadata (``kubernetes.labels.app``).
_LABELS = re.compile(r"^(?:[\w.]*\.)?(?:pod_)?labels\.")


def _flattened(pairs: Mapping[str, object], prefix: str = "", depth: int = 0) -> dict[str, str]:
    """String values by dotted key, nested objects included (a few levels deep)."""
    out: dict[str, str] = {}
    for key, value in pairs.items():
        name = f"{prefix}{key}"
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, Mapping) and depth < 3:
            out.update(_flattened(value, f"{name}.", depth + 1))
    return out


_EPOCH = re.compile(r"^\d{9,19}(?:\.\d+)?$")
#: Digits an epoch has in seconds, milli-, micro- and nanoseconds (CloudWatch gives
#: milliseconds, Loki and OpenTelemetry nanoseconds, Fluent Bit's ``date`` seconds).
_DIGITS_PER_UNIT = ((19, 9), (16, 6), (13, 3), (10, 0))


def capture_time(value: object) -> str | None:
    """A shipper's time as RFC 3339: text that reads as a date as it is, an epoch
    converted to UTC; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _EPOCH.match(text):
        return text if _DATE.match(text) else None
    whole, _, fraction = text.partition(".")
    places = next((p for digits, p in _DIGITS_PER_UNIT if len(whole) >= digits - 1), 0)
    seconds, sub = (int(whole[:-places]), whole[-places:]) if places else (int(whole), "")
    try:
        moment = datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    nanos = (sub + fraction + "000000000")[:9]
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos}Z"


_DATE = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
