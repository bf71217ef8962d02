"""Every log block of the AMR troubleshooting guide, with the exact matches it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amr_logpatterns import Classifier

GUIDE = Path(__file__).parent / "fixtures" / "guide"
CASES = sorted(GUIDE.glob("*.log"))


@pytest.mark.parametrize("log", CASES, ids=[c.stem for c in CASES])
def test_guide_block(classifier: Classifier, log: Path) -> None:
    expected = yaml.safe_load(log.with_suffix(".expected.yaml").read_text())
    report = classifier.classify_file(log)
    got = sorted((m.line, m.id) for m in classifier.scan(log.read_bytes()))
    want = sorted((line, sig_id) for sig_id, line in expected["matches"])
    assert got == want, f"\ninput:\n{log.read_text()}"
    assert sorted(d.id for d in report.diagnoses) == sorted(expected["diagnoses"])


def test_every_catalogue_id_comes_from_the_guide_samples(classifier: Classifier) -> None:
    catalogue = set((Path(__file__).parent / "fixtures" / "catalogue_ids.txt").read_text().split())
    # The guide prints only the closed breaker line; the open and half-open states are the
    # same line with another value. The catalogue's "beyond the guide" ids have no sample.
    beyond_the_guide = {
        "observer.circuit-breaker-half-open",
        "observer.circuit-breaker-open",
        "observer.handler-rejected",
        "observer.handler-tls-untrusted",
        "observer.handler-scheme-mismatch",
        "observer.handler-unreachable",
    }
    produced: set[str] = set()
    for log in CASES:
        report = classifier.classify_file(log)
        produced |= {f.id for f in report.findings} | {d.id for d in report.diagnoses}
    assert sorted(catalogue - beyond_the_guide - produced) == []
