"""Benign verdicts: harmless-looking errors say why they are harmless, or why not here."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from amr_logpatterns import Classifier, PackError, Report, load_packs
from amr_logpatterns.analyse.verdicts import apply_verdicts
from amr_logpatterns.authoring.selftest import check_examples
from amr_logpatterns.models.results import Finding, Seen
from amr_logpatterns.packs.checks import benign_reference_problems
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline.classifier import Part

BENIGN = FIXTURES / "benign"
UID = "d1625dd5ad94c2c5f83a8de4c3a3c382e4e4774a77c2e71fcf68a0cd3f953f7b"
EXISTS = "handler.report-already-exists"


def only(report: Report, finding_id: str) -> Finding:
    found = [f for f in report.findings if f.id == finding_id]
    assert len(found) == 1, [f.id for f in report.findings]
    return found[0]


def test_already_exists_after_a_success_is_benign_with_its_condition(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "report-exists-after-success.jsonl")
    f = only(report, EXISTS)
    assert f.verdict is not None and f.verdict.benign
    assert f.severity == "info" and f.verdict.against is None
    assert UID in f.verdict.reason and "resync" in f.verdict.reason
    assert f.verdict.condition is not None and "first submission" in f.verdict.condition
    assert report.max_severity == "info"
    assert [d.id for d in report.diagnoses] == ["diagnosis.benign-noise"]


def test_already_exists_after_a_failure_is_a_warning_that_names_it(classifier: Classifier) -> None:
    path = BENIGN / "report-exists-after-failure.jsonl"
    report = classifier.classify_file(path)
    f = only(report, EXISTS)
    assert f.verdict is not None and not f.verdict.benign
    assert f.severity == "warning"
    assert f.verdict.against == Seen(source=str(path), line=3, ts="2023-06-21T19:54:31.689628865Z")
    assert "`handler.mds-unavailable`" in f.verdict.reason
    assert f"{path}:3" in f.verdict.reason and UID in f.verdict.reason
    assert "diagnosis.benign-noise" not in [d.id for d in report.diagnoses]
    # sorted as aggregation sorts: the error, then the warning, then the signals
    assert [x.severity for x in report.findings][:2] == ["error", "warning"]


def test_a_failure_after_the_refusal_does_not_break_it(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "report-exists-then-failure.jsonl")
    f = only(report, EXISTS)
    assert f.verdict is not None and f.verdict.benign and f.severity == "info"


def test_a_failure_in_another_source_does_not_break_it(classifier: Classifier) -> None:
    failure = (BENIGN / "report-exists-after-failure.jsonl").read_text().splitlines()[2]
    exists = (BENIGN / "report-exists-after-success.jsonl").read_text()
    report = classifier.classify_many([("other.log", failure + "\n"), ("handler.log", exists)])
    f = only(report, EXISTS)
    assert f.verdict is not None and f.verdict.benign


def _split(path: Path, at: int) -> tuple[str, str]:
    lines = path.read_text().splitlines(keepends=True)
    return "".join(lines[:at]), "".join(lines[at:])


@pytest.mark.parametrize("at", [2, 3, 4, 5])
def test_the_verdict_holds_across_a_merge_of_two_parts(classifier: Classifier, at: int) -> None:
    path = BENIGN / "report-exists-after-failure.jsonl"
    first, second = _split(path, at)
    a = classifier.classify_many([("handler.log", first)])
    b = classifier.classify_many([("handler.log", second)], part=Part(at + 1, PasteState()))
    merged = classifier.merge([a, b])
    assert merged == classifier.classify(path.read_text(), source_name="handler.log")
    f = only(merged, EXISTS)
    assert f.verdict is not None and not f.verdict.benign and f.severity == "warning"
    assert f.verdict.against is not None and f.verdict.against.line == 3


def test_the_second_part_alone_is_benign_until_merged(classifier: Classifier) -> None:
    first, second = _split(BENIGN / "report-exists-after-failure.jsonl", 3)
    b = classifier.classify_many([("handler.log", second)], part=Part(4, PasteState()))
    assert only(b, EXISTS).severity == "info"
    a = classifier.classify_many([("handler.log", first)])
    assert only(classifier.merge([a, b]), EXISTS).severity == "warning"


def test_the_three_benign_signatures_get_verdicts_with_reasons(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "all-three.log")
    ids = {"observer.replicaset-event-noop", "handler.missing-workload-container", EXISTS}
    assert {f.id for f in report.findings} == ids
    for f in report.findings:
        assert f.verdict is not None and f.verdict.benign, f.id
        assert len(f.verdict.reason) > 40 and f.verdict.condition, f.id
        assert f.severity == "info"
    noop = only(report, "observer.replicaset-event-noop").verdict
    assert noop is not None and "`500`" in noop.reason
    assert noop.condition is not None and "unable to find workload container" in noop.condition
    missing = only(report, "handler.missing-workload-container").verdict
    assert missing is not None and "Workload" in missing.reason
    assert [d.id for d in report.diagnoses] == ["diagnosis.benign-noise"]


def test_findings_without_a_benign_block_get_no_verdict(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "report-exists-after-failure.jsonl")
    assert only(report, "handler.mds-unavailable").verdict is None


def test_applying_verdicts_twice_changes_nothing(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "report-exists-after-failure.jsonl")
    sources = [s.source for s in report.stats.sources]
    again = apply_verdicts(report.findings, classifier.pack.signatures, sources)
    assert again == report.findings
    by_id = {s.id: s for s in classifier.pack.signatures}
    assert apply_verdicts(report.findings, by_id) == report.findings


def test_max_severity_follows_the_verdict(classifier: Classifier) -> None:
    report = classifier.classify_file(BENIGN / "report-exists-after-failure.jsonl")
    # no diagnoses and the breaker lowered to info: only the broken verdict makes a warning
    no_diagnoses = Classifier(classifier.pack.model_copy(update={"diagnoses": ()}))
    findings = [
        f.model_copy(update={"severity": "info"}) if f.id == "handler.mds-unavailable" else f
        for f in report.findings
    ]
    redone = no_diagnoses.diagnosed(report.model_copy(update={"findings": findings}))
    assert only(redone, EXISTS).severity == "warning"
    assert redone.max_severity == "warning"


def _with_post_error(pack: Pack) -> Pack:
    """The built-in pack whose already-exists condition also counts the draft post-error signature."""
    sig = pack.signature(EXISTS)
    assert sig is not None and sig.benign is not None
    benign = sig.benign.model_copy(
        update={"unless_before": [*sig.benign.unless_before, "handler.report-post-error"]}
    )
    changed = sig.model_copy(update={"benign": benign})
    return pack.model_copy(
        update={"signatures": tuple(changed if s.id == EXISTS else s for s in pack.signatures)}
    )


@pytest.fixture(scope="module")
def post_error_classifier() -> Classifier:
    return Classifier(_with_post_error(load_packs(BENIGN / "pack")))


def test_the_draft_post_error_signature_passes_its_examples(post_error_classifier: Classifier) -> None:
    results = [r for r in check_examples(post_error_classifier) if r.signature_id == "handler.report-post-error"]
    assert len(results) >= 6 and all(r.passed for r in results), [r.detail for r in results]


def test_a_failed_post_breaks_only_the_report_it_names(post_error_classifier: Classifier) -> None:
    path = BENIGN / "report-post-failed.jsonl"
    report = post_error_classifier.classify_file(path)
    exists = {f.fields["report_uid"]: f for f in report.findings if f.id == EXISTS}
    named = exists[UID].verdict
    assert named is not None and not named.benign and exists[UID].severity == "warning"
    assert named.against == Seen(source=str(path), line=1, ts="2023-06-21T19:54:31.7Z")
    assert "`handler.report-post-error`" in named.reason
    other = exists["7c1e9a0b"].verdict
    assert other is not None and other.benign and exists["7c1e9a0b"].severity == "info"


def test_builtin_benign_blocks_name_known_signatures() -> None:
    pack = load_packs()
    assert benign_reference_problems(pack.signatures) == []
    benign = {s.id for s in pack.signatures if s.benign is not None}
    assert benign == {"observer.replicaset-event-noop", "handler.missing-workload-container", EXISTS}


COMPONENT = "id: demo\ntitle: Demo\nnamespaces: [demo-system]\n"

SIGNATURE = """\
id: demo.{name}
title: A thing {name}
component: demo
severity: info
category: demo
explanation: It {name}.
{benign}match:
  keywords: ["thing {name}"]
  message: 'thing {name}'
examples:
  match:
    - line: "thing {name}"
    - line: "2024/01/01 00:00:00 thing {name}"
  no_match:
    - "thing works"
    - "thing"
"""


def _pack(root: Path, benign: str) -> Path:
    (root / "components").mkdir(parents=True)
    (root / "components" / "demo.yaml").write_text(COMPONENT)
    (root / "demo").mkdir()
    (root / "demo" / "demo.failed.yaml").write_text(SIGNATURE.format(name="failed", benign=""))
    (root / "demo" / "demo.exists.yaml").write_text(SIGNATURE.format(name="exists", benign=benign))
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_packs(root, builtin=False)
    return [str(p) for p in info.value.problems]


def test_a_benign_block_without_a_reason_is_an_error_with_its_position(tmp_path: Path) -> None:
    root = _pack(tmp_path, "benign:\n  condition: the thing was fine before\n")
    path = root / "demo" / "demo.exists.yaml"
    assert _problems(root) == [f"{path}:7:1: [demo.exists] benign.reason: Field required"]


def test_unless_before_needs_a_reason_for_when_it_breaks(tmp_path: Path) -> None:
    block = "benign:\n  reason: fine\n  condition: no failure first\n  unless_before: [demo.failed]\n"
    found = _problems(_pack(tmp_path, block))
    assert len(found) == 1 and ":7:1: [demo.exists] benign:" in found[0]
    assert "unless_before needs a condition and an unless_reason" in found[0]


BAD_ID = (
    "benign:\n  reason: fine\n  condition: no failure first\n"
    "  unless_before: [demo.failed, demo.nope]\n  unless_reason: '{failed_id} at {failed_at}'\n"
)


def test_the_loader_reports_an_unknown_unless_before_id_with_file_and_line(tmp_path: Path) -> None:
    root = _pack(tmp_path, BAD_ID)
    path = root / "demo" / "demo.exists.yaml"
    assert _problems(root) == [
        f"{path}:10:32: [demo.exists] benign.unless_before.1: unknown signature id 'demo.nope'"
    ]
