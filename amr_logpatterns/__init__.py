"""amr-logpatterns: explain Artifact Metadata Repository logs line by line.

``classify`` turns pasted or collected log text into a ``Report`` of findings
(with evidence and remediation) and diagnoses (root causes); ``scan`` streams
every match. A ``Classifier`` compiles the packs once for repeated use.
"""

from __future__ import annotations

from collections.abc import Iterator
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
