"""Which files of a bundle can matter: another pod's log is left unread, and counted.

A ``kubectl cluster-info dump``, an ``oc adm must-gather`` or a support bundle
holds the log of every pod of a cluster, and the path of each names its pod
(``path_context``). When no component of the packs accepts that pod (by
namespace and pod name, as attribution does), attribution refuses its lines
to every AMR signature unless they name an AMR pod themselves (a CI job's pod
that relays ``kubectl logs`` of AMR's); reading it costs time for nothing else.
So such a file is not read: it is counted in ``Report.skipped_files`` under the
reason ``other-pod`` (``OTHER_POD``), with its bytes and its name, and every
format says so.

Only files that no PATH named are left unread: those found by walking a
directory and the members of an archive (``LogInput.found``). A file named on
its own is always read, whatever its path says. A path that names no pod (a
dump's ``events.json`` or ``pods.json``, a namespace's manifests, a file of any
other layout) is read, and so is every file of a pod some component accepts,
whichever container it is of. ``all_files=True`` (``--all-files``) reads everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amr_logpatterns.analyse.templates import identifying_components, is_foreign
from amr_logpatterns.ingest.inputs import close_inputs, expand_inputs, open_inputs
from amr_logpatterns.ingest.loginput import LogInput
from amr_logpatterns.models.results import Report, SkippedFiles, SkipReason, sum_skipped
from amr_logpatterns.packs.schema import Component
from amr_logpatterns.peel.paths import path_context

if TYPE_CHECKING:
    from amr_logpatterns.pipeline.classifier import Classifier

#: The reason a file is left unread when its path names a pod no component runs in.
OTHER_POD: SkipReason = "other-pod"

#: What a path names that decides whose pod it is (the container does not: a sidecar's
#: log in an AMR pod is read as before).
_POD_KEYS = ("workload", "namespace")


def other_pod(name: str, components: Iterable[Component]) -> bool:
    """Whether the path ``name`` names a pod that none of ``components`` accepts.

    Only a path that names a pod counts (a namespace alone is not enough); with no
    component that names pods or namespaces, nothing is anyone else's.
    """
    return _names_foreign_pod(name, identifying_components(components))


def _names_foreign_pod(name: str, owners: Sequence[Component]) -> bool:
    """``other_pod`` with the identifying components already picked (``owners``): the pod
    and namespace of the path are foreign as an unknown record's context is."""
    context = path_context(name)
    if "workload" not in context:
        return False
    return is_foreign({k: v for k, v in context.items() if k in _POD_KEYS}, owners)


@dataclass(frozen=True)
class Selection:
    """The inputs to read, in their order, and what was left unread, by reason."""

    read: list[LogInput]
    skipped: list[SkippedFiles]


def select_inputs(
    inputs: Sequence[LogInput], components: Iterable[Component], *, all_files: bool = False
) -> Selection:
    """Leave out the found files (``LogInput.found``) whose path names another pod, unless
    ``all_files``; the rest keep their order."""
    if all_files:
        return Selection(list(inputs), [])
    owners = identifying_components(components)
    read: list[LogInput] = []
    names: list[str] = []
    size = 0
    for inp in inputs:
        if inp.found and _names_foreign_pod(inp.name, owners):
            names.append(inp.name)
            size += inp.size or 0
        else:
            read.append(inp)
    skipped = [SkippedFiles(reason=OTHER_POD, files=len(names), bytes=size, sources=names)]
    return Selection(read, skipped if names else [])


def with_skipped(report: Report, skipped: Iterable[SkippedFiles]) -> Report:
    """The report with ``skipped`` added to what it says was left unread."""
    extra = list(skipped)
    if not extra:
        return report
    total = sum_skipped([*report.skipped_files, *extra])
    return report.model_copy(update={"skipped_files": total})


def classify_paths(
    classifier: Classifier,
    paths: Iterable[str | os.PathLike[str]],
    *,
    globs: Sequence[str] = (),
    all_files: bool = False,
) -> Report:
    """Classify files, directories and ``.tar``/``.tgz``/``.zip`` bundles together, as
    ``scan`` reads its PATH arguments (``-`` is standard input; ``globs`` select the files
    of directories and archives), leaving other pods' logs unread unless ``all_files``.
    No path at all is an empty report."""
    given = [os.fspath(p) for p in paths]
    if not given:
        return classifier.classify_many([])
    inputs = expand_inputs(given, globs)
    chosen = select_inputs(inputs, classifier.pack.components, all_files=all_files)
    try:
        report = classifier.classify_many(open_inputs(chosen.read))
    finally:
        close_inputs(inputs)
    return with_skipped(report, chosen.skipped)
