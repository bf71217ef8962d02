"""Version-aware advice: the TAP release is given, inferred from names in the input, or unknown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from amr_logpatterns import Classifier, PackError, Report, TapVersion, load_packs
from amr_logpatterns.analyse.versions import (
    infer_tap_version,
    normalise_tap_version,
    span_of,
    span_of_range,
    step_applies,
)
from amr_logpatterns.models.results import Diagnosis, Finding
from amr_logpatterns.packs.schema import RemediationStep
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline.classifier import Part

VERSIONS = FIXTURES / "versions"
NEW_KEY = "amr.observer.cloudevent_handler.endpoint"
OLD_KEY = "amr.observer.eventhandler.endpoint"


def item(report: Report, item_id: str) -> Finding | Diagnosis:
    found = [x for x in [*report.findings, *report.diagnoses] if x.id == item_id]
    assert len(found) == 1, item_id
    return found[0]


def advice(report: Report, item_id: str) -> str:
    """Every step of one finding or diagnosis as one text: what a reader is told to do."""
    steps = item(report, item_id).remediation
    return "\n".join(f"{s.text}\n{s.command or ''}\n{s.config or ''}" for s in steps)


def test_a_16_input_is_inferred_from_the_graphql_service_name(classifier: Classifier) -> None:
    path = VERSIONS / "tap16-handler.jsonl"
    report = classifier.classify_file(path)
    assert report.tap_version.version == "<=1.6"
    assert report.tap_version.source == "inferred"
    assert report.tap_version.evidence is not None
    assert f"`artifact-metadata-repository-app` at {path}:2" in report.tap_version.evidence
    for item_id in ("handler.amr-unavailable", "diagnosis.amr-graphql-down"):
        text = advice(report, item_id)
        assert "kubectl -n metadata-store get endpoints artifact-metadata-repository-app" in text
        assert "amr-graphql-app" not in text
        assert "TAP 1.6 and earlier" in text and "TAP 1.7" not in text


def test_a_17_input_is_inferred_from_the_graphql_service_name(classifier: Classifier) -> None:
    path = VERSIONS / "tap17-handler.jsonl"
    report = classifier.classify_file(path)
    assert report.tap_version == TapVersion(
        version=">=1.7",
        source="inferred",
        evidence=f"`amr-graphql-app` at {path}:2 (handler.amr-unavailable): TAP 1.7 or later",
    )
    for item_id in ("handler.amr-unavailable", "diagnosis.amr-graphql-down"):
        text = advice(report, item_id)
        assert "kubectl -n metadata-store get endpoints amr-graphql-app" in text
        assert "artifact-metadata-repository-app" not in text


def test_the_observers_endpoint_key_follows_the_release_of_the_handlers_log(classifier: Classifier) -> None:
    report = classifier.classify_files([VERSIONS / "tap16-handler.jsonl", VERSIONS / "unknown-observer.log"])
    assert report.tap_version.version == "<=1.6"
    for item_id in ("observer.unsupported-protocol-scheme", "diagnosis.endpoint-missing-scheme"):
        text = advice(report, item_id)
        assert OLD_KEY in text and "eventhandler:" in text
        assert NEW_KEY not in text and "cloudevent_handler:" not in text


def test_a_handler_host_in_the_endpoint_tells_17(classifier: Classifier) -> None:
    report = classifier.classify_file(VERSIONS / "tap17-observer.log")
    assert report.tap_version.version == ">=1.7"
    assert report.tap_version.evidence is not None
    assert "`amr-cloudevent-handler`" in report.tap_version.evidence
    text = advice(report, "observer.unsupported-protocol-scheme")
    assert NEW_KEY in text and "endpoint: https://amr-cloudevent-handler.tap.example.com" in text
    assert OLD_KEY not in text


def test_unknown_release_names_both_keys_and_says_which_is_which(classifier: Classifier) -> None:
    report = classifier.classify_file(VERSIONS / "unknown-observer.log")
    assert report.tap_version == TapVersion(source="unknown")
    for item_id in ("observer.unsupported-protocol-scheme", "diagnosis.endpoint-missing-scheme"):
        steps = item(report, item_id).remediation
        new = [s for s in steps if NEW_KEY in s.text]
        old = [s for s in steps if OLD_KEY in s.text]
        assert len(new) == 1 and len(old) == 1
        assert "TAP 1.7 and later" in new[0].text and "TAP 1.6 and earlier" in old[0].text


def test_a_given_release_overrides_what_the_input_suggests() -> None:
    classifier = Classifier(tap_version="1.6")
    report = classifier.classify_file(VERSIONS / "tap17-handler.jsonl")
    assert report.tap_version.version == "1.6" and report.tap_version.source == "given"
    assert report.tap_version.evidence is not None
    assert "`amr-graphql-app`" in report.tap_version.evidence
    text = advice(report, "handler.amr-unavailable")
    assert "get endpoints artifact-metadata-repository-app" in text
    assert "get endpoints amr-graphql-app" not in text


def test_a_given_release_that_agrees_needs_no_note() -> None:
    report = Classifier(tap_version="v1.7.2").classify_file(VERSIONS / "tap17-handler.jsonl")
    assert report.tap_version == TapVersion(version="1.7.2", source="given")
    assert "get endpoints amr-graphql-app" in advice(report, "diagnosis.amr-graphql-down")


def test_a_given_release_picks_the_steps_when_the_input_names_none() -> None:
    report = Classifier(tap_version="1.9").classify_file(VERSIONS / "unknown-observer.log")
    text = advice(report, "observer.unsupported-protocol-scheme")
    assert NEW_KEY in text and OLD_KEY not in text


@pytest.mark.parametrize("bad", ["latest", "1", "1.x", "", "1.7.0-rc.1", "1.7.2.1", "1.10000"])
def test_an_invalid_release_is_a_clear_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a TAP release"):
        Classifier(tap_version=bad)


def test_both_spellings_in_one_input_leave_the_release_unknown(classifier: Classifier) -> None:
    report = classifier.classify_files([VERSIONS / "tap16-handler.jsonl", VERSIONS / "tap17-handler.jsonl"])
    assert report.tap_version.source == "unknown" and report.tap_version.version is None
    assert report.tap_version.evidence is not None
    assert "`artifact-metadata-repository-app`" in report.tap_version.evidence
    assert "`amr-graphql-app`" in report.tap_version.evidence
    text = advice(report, "diagnosis.amr-graphql-down")
    assert "artifact-metadata-repository-app" in text and "get endpoints amr-graphql-app" in text


def test_the_release_is_judged_again_after_a_merge(classifier: Classifier) -> None:
    a = classifier.classify_file(VERSIONS / "unknown-observer.log")
    b = classifier.classify_file(VERSIONS / "tap16-handler.jsonl")
    assert a.tap_version.source == "unknown"
    merged = classifier.merge([a, b])
    assert merged.tap_version.version == "<=1.6"
    assert NEW_KEY not in advice(merged, "observer.unsupported-protocol-scheme")


def test_parts_of_one_file_merge_into_the_whole_files_advice(classifier: Classifier) -> None:
    text = (VERSIONS / "tap16-handler.jsonl").read_text()
    lines = text.splitlines(keepends=True)
    a = classifier.classify_many([("h.log", "".join(lines[:1]))])
    b = classifier.classify_many([("h.log", "".join(lines[1:]))], part=Part(2, PasteState()))
    assert classifier.merge([a, b]) == classifier.classify(text, source_name="h.log")


def test_debug_logging_advice_offers_the_log_level_keys_and_keeps_the_patch(classifier: Classifier) -> None:
    line = '2023-06-20T15:42:39Z  LEVEL(-3)  httpclient.circuitbreaker  AMR CloudEventHandler  {"availability": true, "State": "closed"}'
    report = classifier.classify(line)
    steps = item(report, "observer.debug-logging-enabled").remediation
    text = advice(report, "observer.debug-logging-enabled")
    assert "`amr.observer.log_level`" in steps[0].text and "`amr.cloudevent_handler.log_level`" in steps[0].text
    assert "releases that have these keys" in steps[0].text
    assert "`DEBUG`" in steps[0].text and "`INFO`" in steps[0].text
    assert '"value": "--zap-log-level=3"' in text and "releases without these keys" in text


def test_every_release_step_says_which_release_it_is_for() -> None:
    pack = load_packs()
    tagged = [
        (owner.id, step)
        for owner in (*pack.signatures, *pack.diagnoses)
        for step in owner.remediation
        if step.tap is not None
    ]
    assert len(tagged) >= 20
    words = {"<=1.6": "TAP 1.6 and earlier", ">=1.7": "TAP 1.7 and later"}
    for owner_id, step in tagged:
        assert step.tap in words, owner_id
        assert words[step.tap] in step.text, owner_id
        other = "amr.observer.eventhandler" if step.tap == ">=1.7" else "cloudevent_handler"
        assert other not in f"{step.text}{step.command}{step.config}", owner_id


def test_every_endpoint_key_or_graphql_service_in_remediation_is_tied_to_a_release() -> None:
    names = re.compile(
        r"(?:cloudevent_handler|eventhandler)(?:\.endpoint|:\s+endpoint:)"
        r"|amr-graphql-app|artifact-metadata-repository-app"
    )
    pack = load_packs()
    found = 0
    for owner in (*pack.signatures, *pack.diagnoses):
        for step in owner.remediation:
            if names.search(f"{step.text}\n{step.command}\n{step.config}"):
                found += 1
                assert step.tap is not None, (owner.id, step.text)
    assert found >= 20


def test_ranges_and_releases() -> None:
    assert span_of_range(">=1.7").meets(span_of(TapVersion(version="1.7.4")))
    assert not span_of_range(">=1.7").meets(span_of(TapVersion(version="1.6.9")))
    assert span_of_range("<=1.6").meets(span_of(TapVersion(version="1.6.9")))
    assert span_of_range(">=1.7, <1.9").meets(span_of(TapVersion(version="1.8")))
    assert not span_of_range(">=1.7, <1.9").meets(span_of(TapVersion(version="1.9")))
    assert span_of_range("==1.6").meets(span_of(TapVersion(version="1.6.1")))
    assert span_of_range(">1.6").meets(span_of(TapVersion(version=">=1.7")))
    assert not span_of_range("<=1.6").meets(span_of(TapVersion(version=">=1.7")))
    step = RemediationStep(text="x", tap=">=1.7")
    assert step_applies(step, TapVersion()) and step_applies(RemediationStep(text="y"), TapVersion(version="1.6"))
    assert not step_applies(step, TapVersion(version="1.6"))
    assert normalise_tap_version(" v01.07.2 ") == "1.7.2" and normalise_tap_version(None) is None
    assert infer_tap_version([]) == TapVersion()


def test_a_bad_release_range_in_a_pack_is_an_error_with_its_position(tmp_path: Path) -> None:
    pack = tmp_path / "p"
    (pack / "components").mkdir(parents=True)
    (pack / "components" / "demo.yaml").write_text("id: demo\ntitle: Demo\n")
    (pack / "demo").mkdir()
    path = pack / "demo" / "demo.thing.yaml"
    path.write_text(
        "id: demo.thing\ntitle: T\ncomponent: demo\nseverity: info\ncategory: c\nexplanation: e\n"
        "remediation:\n  - text: Do it.\n    tap: '1.7+'\n"
        "match:\n  keywords: ['thing']\n  message: thing\n"
        "examples:\n  match: [{line: thing}, {line: a thing}]\n  no_match: [x, y]\n"
    )
    with pytest.raises(PackError) as info:
        load_packs(pack, builtin=False)
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith(f"{path}:9:5: [demo.thing] remediation.0.tap: Value error, not a TAP release range")
