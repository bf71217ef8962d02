"""Classify many log files as the map step of Dask, then merge the reports.

Run:  python examples/dask_scan.py examples/logs/*.log

Each file is classified on its own (in parallel, wherever Dask runs it); the
reports fold together with ``Report.merge`` in input order, and the classifier
draws the diagnoses over everything, so a root cause can rest on findings from
different files.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import dask.bag as db

from amr_logpatterns import Classifier, Report


def classify_one(path: str) -> Report:
    """The map step: one file, one report (each worker builds its own classifier)."""
    return Classifier().classify_file(path)


def scan_with_dask(paths: Sequence[str], scheduler: str = "processes") -> Report:
    """Classify ``paths`` with Dask and merge the reports into one, diagnoses included."""
    bag = db.from_sequence(list(paths), npartitions=max(1, len(paths)))
    reports = bag.map(classify_one).compute(scheduler=scheduler)
    return Classifier().merge(reports)


def main(argv: Sequence[str]) -> int:
    report = scan_with_dask(argv or ["examples/logs/observer-missing-scheme.log"])
    for diagnosis in report.diagnoses:
        print(f"root cause: {diagnosis.id}: {diagnosis.summary}")
    for finding in report.findings:
        print(f"{finding.severity:<7} {finding.id} x{finding.count} ({finding.first_seen.source})")
    return 1 if report.has_severity("error") else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
