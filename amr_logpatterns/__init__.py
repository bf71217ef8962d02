"""amr-logpatterns: explain Artifact Metadata Repository logs line by line.

``classify`` turns pasted or collected log text into a ``Report`` of findings
(with evidence and remediation) and diagnoses (root causes); ``scan`` streams
every match; ``classify_paths`` reads files, directories and bundles as the
command does. A ``Classifier`` compiles the packs once for repeated use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from amr_logpatterns.about import __version__
from amr_logpatterns.errors import AmrLogPatternsError, InputError, PackError, Problem
from amr_logpatterns.ingest.reading import Source
from amr_logpatterns.models.results import (
    Diagnosis,
    Evidence,
    Finding,
    Gate,
    Match,
    Presence,
    Recovery,
    Report,
    Seen,
    SkippedFiles,
    SourceStats,
    Stats,
    Suppression,
    TapVersion,
    UnknownTemplate,
    Verdict,
)
from amr_logpatterns.packs.loader import Pack, load_packs
from amr_logpatterns.packs.schema import RemediationStep, Signature
from amr_logpatterns.pipeline.classifier import Classifier

__all__ = [
    "AmrLogPatternsError",
    "Classifier",
    "Diagnosis",
    "Evidence",
    "Finding",
    "Gate",
    "InputError",
    "Match",
    "Pack",
    "PackError",
    "Presence",
    "Problem",
    "Recovery",
    "RemediationStep",
    "Report",
    "Seen",
    "Signature",
    "SkippedFiles",
    "Source",
    "SourceStats",
    "Stats",
    "Suppression",
    "TapVersion",
    "UnknownTemplate",
    "Verdict",
    "__version__",
    "classify",
    "classify_file",
    "classify_paths",
    "load_packs",
    "scan",
]


def __dir__() -> list[str]:
    """The public API: what ``__all__`` names, not the names this module imports for itself."""
    return sorted(__all__)


def classify(
    source: Source,
    *,
    packs: Pack | None = None,
    source_name: str | None = None,
    tap_version: str | None = None,
    redact: bool | Literal["secrets", "all"] = False,
) -> Report:
    """Classify ``source`` (str, bytes, file object or iterable of lines) into a Report.

    ``tap_version`` (e.g. ``"1.6"``) picks the release's key names in the advice;
    without it the release is inferred from the input where it can be.
    ``redact`` masks secrets (``True``/``"secrets"``) and also addresses and host
    names (``"all"``) in every string of the report; fingerprints stay as they were.
    """
    classifier = Classifier(packs, tap_version=tap_version)
    return _redacted(classifier.classify(source, source_name=source_name), redact)


def classify_file(
    path: str | Path,
    *,
    packs: Pack | None = None,
    tap_version: str | None = None,
    redact: bool | Literal["secrets", "all"] = False,
) -> Report:
    """Classify a plain or ``.gz`` log file (``redact`` as in ``classify``)."""
    report = Classifier(packs, tap_version=tap_version).classify_file(path)
    return _redacted(report, redact)


def classify_paths(
    paths: Iterable[str | Path],
    *,
    packs: Pack | None = None,
    globs: Sequence[str] = (),
    all_files: bool = False,
    tap_version: str | None = None,
    redact: bool | Literal["secrets", "all"] = False,
) -> Report:
    """Classify files, directories and ``.tar``/``.tgz``/``.zip`` bundles together, as
    ``amr-logpatterns scan`` reads its paths (``globs`` select the files of directories and
    archives; ``-`` is standard input).

    A file found in a directory or archive whose path names a pod that no AMR component
    runs in (another pod's log in a cluster dump or must-gather) is not read but counted
    in ``Report.skipped_files``, unless ``all_files``; a file named in ``paths`` is always
    read. ``tap_version`` and ``redact`` as in ``classify``. With a ``Classifier`` of your
    own, ``amr_logpatterns.pipeline.relevance.classify_paths(classifier, paths)`` does the same.
    """
    from amr_logpatterns.pipeline.relevance import classify_paths as classify_with

    classifier = Classifier(packs, tap_version=tap_version)
    report = classify_with(classifier, paths, globs=globs, all_files=all_files)
    return _redacted(report, redact)


def _redacted(report: Report, redact: bool | Literal["secrets", "all"]) -> Report:
    if not redact:
        return report
    from amr_logpatterns.policy.redact import Redactor, redact_report

    return redact_report(report, Redactor("secrets" if redact is True else redact))


def scan(
    source: Source, *, packs: Pack | None = None, source_name: str | None = None
) -> Iterator[Match]:
    """Yield every match lazily, without holding the input in memory."""
    return Classifier(packs).scan(source, source_name=source_name)
