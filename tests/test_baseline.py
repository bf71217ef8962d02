"""Baselines: any JSON report serves; a broken one is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amr_logpatterns import Classifier
from amr_logpatterns.errors import BaselineError
from amr_logpatterns.formatters.json_report import format_report
from amr_logpatterns.policy.baseline import read_baseline

FAILED = '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'


def test_a_json_report_is_a_baseline(tmp_path: Path, classifier: Classifier) -> None:
    report = classifier.classify(FAILED, source_name="a.log")
    path = tmp_path / "baseline.json"
    path.write_text(format_report(report))
    keys = read_baseline(path)
    assert {f"{f.id}:{f.fingerprint}" for f in report.findings} <= keys
    assert {f"{d.id}:{d.fingerprint}" for d in report.diagnoses} <= keys


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "1:2: not JSON"),
        ("[]", "no schema_version"),
        (json.dumps({"schema_version": 1, "findings": {}}), "'findings' must be a list"),
        (json.dumps({"schema_version": 1, "findings": [{"id": "a.b"}]}), "findings[0] (a.b) has no 'fingerprint'"),
        (json.dumps({"schema_version": 1, "diagnoses": [{}]}), "diagnoses[0] has no 'id'"),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep-nesting"),
    ],
)
def test_broken_baselines_say_what_is_wrong(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as info:
        read_baseline(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such baseline file"):
        read_baseline(tmp_path / "none.json")
