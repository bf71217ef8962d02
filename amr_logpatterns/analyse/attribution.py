"""Which AMR component a record belongs to, decided from the context its line carries.

A signature may match a line that is not AMR's at all: another pod's log, a
sidecar's, a kernel line about the node. Attribution refuses a match when the
record's context (pod, namespace, container, a lease's namespace, the logger it
was written under) names something that is none of the signature's components.
``refusal`` tells, for ``explain-line``, which of those tests refused a record, in
the order ``accepts`` runs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from amr_logpatterns.analyse.compiling import CompiledSignature
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.models.results import FieldValue
from amr_logpatterns.packs.schema import Component

#: The context of a record about a node, not a pod (a kernel line nothing linked to a pod).
NODE_SCOPE = "node"
#: The context key ``attribution_context`` adds: the logger a record was written under.
LOGGER = "logger"


#: Encodings whose ``logger`` is the name a program logs under (zap's); an event's source
#: (``kubelet``) is no such name.
LOGGER_ENCODINGS = frozenset(("zap-json", "zap-console"))


def attribution_context(record: LogRecord) -> Mapping[str, str]:
    """What attribution reads of a record: its context, and the logger it was written under
    (zap's ``logger``, klog's ``logger="..."``), which tells whose program wrote it when no
    pod is named."""
    if record.encoding in LOGGER_ENCODINGS:
        logger: object = record.logger
    else:
        logger = record.fields.get(LOGGER)
    if not isinstance(logger, str) or not logger or LOGGER in record.context:
        return record.context
    return {**record.context, LOGGER: logger}


def _logs_under(component: Component, logger: str) -> bool:
    return any(fnmatchcase(logger, glob) for glob in component.loggers)


def names_pod(component: Component, context: Mapping[str, str]) -> bool:
    """Whether the context positively names one of the component's pods or namespaces, or
    a logger only it writes under."""
    workload = context.get("workload")
    if workload and component.workloads:
        return any(fnmatchcase(workload, glob) for glob in component.workloads)
    logger = context.get(LOGGER)
    if logger and _logs_under(component, logger):
        return True
    namespace = context.get("namespace")
    return bool(namespace and namespace in component.namespaces and not component.workloads)


def components_named(context: Mapping[str, str], components: Sequence[Component]) -> list[str]:
    """The components a context names: by its pod, or by a namespace only one of them uses.

    A sidecar container (``foreign_containers``) names none; what this counts is
    what the input holds of each component (``Report.seen``), not what it may be.
    """
    workload = context.get("workload")
    namespace = context.get("namespace")
    container = context.get("container")
    logger = context.get(LOGGER)
    if context.get("scope") == NODE_SCOPE or not (workload or namespace or logger):
        return []
    out = []
    for c in components:
        if container in c.foreign_containers:
            continue
        if namespace and c.namespaces and namespace not in c.namespaces:
            continue
        if workload:
            if c.workloads and any(fnmatchcase(workload, glob) for glob in c.workloads):
                out.append(c.id)
        elif (logger and _logs_under(c, logger)) or namespace in c.namespaces:
            out.append(c.id)
    return out if workload or len(out) == 1 else []


def accepts(
    component: Component, context: Mapping[str, str], fields: Mapping[str, FieldValue]
) -> bool:
    """Whether the record may be the component's: nothing in its context (or its ``lease``
    field) names something else."""
    if context.get("scope") == NODE_SCOPE and (component.namespaces or component.workloads):
        return False
    namespace = context.get("namespace")
    if namespace and component.namespaces and namespace not in component.namespaces:
        return False
    workload = context.get("workload")
    if (
        workload
        and component.workloads
        and not any(fnmatchcase(workload, glob) for glob in component.workloads)
    ):
        return False
    if context.get("container") in component.foreign_containers:
        return False
    logger = context.get(LOGGER)
    if logger and component.loggers and not _logs_under(component, logger):
        return False
    lease = fields.get("lease")
    if isinstance(lease, str) and "/" in lease and component.namespaces:
        return lease.split("/", 1)[0] in component.namespaces
    return True


def attributed(cs: CompiledSignature, record: LogRecord, fields: Mapping[str, FieldValue]) -> bool:
    """Whether the record may belong to one of the signature's components.

    With ``attribution_required`` the record must also name one of their pods:
    a state any pod can be in is nobody's until the record says whose it is.
    """
    if not cs.owners:
        return True
    context = attribution_context(record)
    required = cs.signature.attribution_required
    return any(
        accepts(c, context, fields) and (not required or names_pod(c, context))
        for c in cs.owners
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one component does not claim a record: the context ``key`` that refused it.

    ``accepts`` is what the component takes for that key (namespaces, workload
    globs); for ``container`` it is empty and ``refuses`` names its foreign containers.
    """

    component: str
    key: str
    value: str
    accepts: tuple[str, ...] = ()
    refuses: tuple[str, ...] = ()


def refusal(
    component: Component,
    context: Mapping[str, str],
    fields: Mapping[str, FieldValue],
    required: bool = False,
) -> Refusal | None:
    """Why ``component`` refuses the record (None: it accepts), tested in ``accepts``'s order;
    ``required``: the signature needs the record to name the component's pod."""
    accepts = tuple(component.workloads or component.namespaces)
    if context.get("scope") == NODE_SCOPE and accepts:
        return Refusal(component.id, "scope", NODE_SCOPE, accepts)
    namespace = context.get("namespace")
    if namespace and component.namespaces and namespace not in component.namespaces:
        return Refusal(component.id, "namespace", namespace, tuple(component.namespaces))
    workload = context.get("workload")
    if (
        workload
        and component.workloads
        and not any(fnmatchcase(workload, glob) for glob in component.workloads)
    ):
        return Refusal(component.id, "workload", workload, tuple(component.workloads))
    container = context.get("container")
    if container is not None and container in component.foreign_containers:
        foreign = tuple(component.foreign_containers)
        return Refusal(component.id, "container", container, refuses=foreign)
    logger = context.get(LOGGER)
    if logger and component.loggers and not _logs_under(component, logger):
        return Refusal(component.id, LOGGER, logger, tuple(component.loggers))
    lease = fields.get("lease")
    if (
        isinstance(lease, str)
        and "/" in lease
        and component.namespaces
        and lease.split("/", 1)[0] not in component.namespaces
    ):
        return Refusal(component.id, "lease", lease, tuple(component.namespaces))
    if required and not names_pod(component, context):
        return Refusal(component.id, "pod", context.get("workload", ""), accepts)
    return None
