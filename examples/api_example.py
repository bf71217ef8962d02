"""Use amr-logpatterns from Python: classify shipped example logs and stream matches.

Run from the repository root:  python examples/api_example.py
"""

from __future__ import annotations

from pathlib import Path

from amr_logpatterns import Classifier

LOGS = Path(__file__).resolve().parent / "logs"


def main() -> None:
    classifier = Classifier()  # compiles the built-in packs once; reuse it for many inputs

    report = classifier.classify_files([LOGS / "observer-missing-scheme.log"])
    for diagnosis in report.diagnoses:
        print(f"root cause: {diagnosis.id}: {diagnosis.summary}")
        for step in diagnosis.remediation:
            print(f"  - {step.text}")
    for finding in report.findings:
        where = f"{finding.first_seen.source}:{finding.first_seen.line}"
        print(f"{finding.severity:<7} {finding.id} x{finding.count} first at {where}")

    with (LOGS / "handler-amr-down.jsonl").open("rb") as handle:
        for match in classifier.scan(handle, source_name="handler-amr-down.jsonl"):
            if match.severity == "error":
                print(f"{match.source}:{match.line}: {match.id} {match.fields}")


if __name__ == "__main__":
    main()
