"""Whether each problem was over when the input ended, and the same answer from merged parts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import FIXTURES

from amr_logpatterns import Classifier, Finding, Report
from amr_logpatterns.analyse.diagnose import diagnosis_recovery, explain
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline import cutting, parallel
from amr_logpatterns.pipeline.classifier import Part
from amr_logpatterns.pipeline.merge import merge_reports

INCIDENTS = FIXTURES / "incidents"
OUTAGE = [INCIDENTS / "amr-graphql-outage" / "amr-persister.jsonl", INCIDENTS / "amr-graphql-outage" / "amr-observer.log"]
REPEATS = INCIDENTS / "leader-election" / "observer-repeats.log"
RECOVERS = INCIDENTS / "leader-election" / "observer-recovers.log"

HEALTHY = '2025-03-11T08:20:13.287Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{"status": "204 No Content"}'
FAILED = '2025-03-11T08:11:05.251Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{"status": "503 Service Unavailable"}'


def named(paths: list[Path]) -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in paths]


def one(report: Report, finding_id: str) -> Finding:
    (found,) = [f for f in report.findings if f.id == finding_id]
    return found


def status(report: Report, finding_id: str) -> str | None:
    recovery = one(report, finding_id).recovery
    return None if recovery is None else recovery.status


@pytest.fixture(scope="module")
def outage(classifier: Classifier) -> Report:
    return classifier.classify_many(named(OUTAGE))


def test_amr_outage_findings_recover_at_their_healthy_signals(outage: Report) -> None:
    handler = one(outage, "handler.amr-unavailable")
    assert handler.recovery is not None and handler.recovery.status == "recovered"
    assert handler.recovery.signal == "handler.location-event"
    assert (handler.recovery.since.line, handler.recovery.last_failure.line) == (6, 15)
    assert handler.recovery.recovered_at is not None
    assert handler.recovery.recovered_at.ts == "2025-03-11T08:20:13.140213879Z"  # Registry Location Event
    assert handler.recovery.duration_seconds == pytest.approx(548.158791)
    observer = one(outage, "observer.health-check-failed")
    assert observer.recovery is not None and observer.recovery.status == "recovered"
    assert observer.recovery.signal == "observer.health-check-ok"
    assert observer.recovery.recovered_at is not None and observer.recovery.recovered_at.source == "amr-observer.log"
    assert observer.recovery.duration_seconds == pytest.approx(548.036)  # 08:11:05.251 -> 08:20:13.287
    assert handler.verified and observer.verified


def test_signals_and_problems_without_healthy_signals_have_no_recovery(outage: Report) -> None:
    for f in outage.findings:
        assert (f.recovery is None) == (f.severity == "info" or not f.verify), f.id
        assert f.verified == (f.recovery is not None and f.recovery.status == "recovered")


def test_first_seen_in_names_each_source_once(outage: Report) -> None:
    handler = one(outage, "handler.event-received")
    assert list(handler.first_seen_in) == ["amr-persister.jsonl"]
    assert handler.first_seen_in["amr-persister.jsonl"] == handler.first_seen
    ok = one(outage, "observer.health-check-ok")
    assert ok.first_seen_in["amr-observer.log"].line == 4


def test_the_root_cause_recovers_with_the_problems_it_rests_on(outage: Report) -> None:
    (diagnosis,) = outage.diagnoses
    assert diagnosis.id == "diagnosis.amr-graphql-down" and diagnosis.finding_ids == ["handler.amr-unavailable"]
    assert diagnosis.recovery is not None and diagnosis.recovery.status == "recovered"
    assert diagnosis.recovery.since == one(outage, "handler.amr-unavailable").first_seen
    assert diagnosis.recovery.signal == "handler.location-event"
    assert diagnosis.recovery.duration_seconds == pytest.approx(548.158791)


def test_observer_symptoms_are_explained_by_the_root_cause(outage: Report) -> None:
    explained = {f.id: f.explained_by for f in explain(outage.findings, outage.diagnoses)}
    assert explained["observer.health-check-failed"] == ["diagnosis.amr-graphql-down"]  # a symptom
    assert explained["handler.amr-unavailable"] == ["diagnosis.amr-graphql-down"]  # what it rests on
    assert explained["observer.health-check-ok"] == []


def test_a_healthy_signal_before_the_last_failure_does_not_count(classifier: Classifier) -> None:
    report = classifier.classify("\n".join([FAILED, HEALTHY, FAILED.replace("08:11:05", "08:25:05")]) + "\n")
    failed = one(report, "observer.health-check-failed")
    assert failed.recovery is not None and failed.recovery.status == "ongoing"
    assert failed.recovery.last_failure.line == 3 and failed.recovery.recovered_at is None
    assert failed.recovery.duration_seconds == 840.0
    assert not failed.verified


def test_a_healthy_signal_in_another_source_does_not_count(classifier: Classifier) -> None:
    report = classifier.classify_many([("before.log", FAILED + "\n"), ("after.log", HEALTHY + "\n")])
    assert status(report, "observer.health-check-failed") == "ongoing"


def test_the_first_healthy_signal_after_the_last_failure_is_the_recovery(classifier: Classifier) -> None:
    later = HEALTHY.replace("08:20:13", "08:30:13")
    report = classifier.classify("\n".join([FAILED, HEALTHY, later]) + "\n")
    recovery = one(report, "observer.health-check-failed").recovery
    assert recovery is not None and recovery.recovered_at is not None and recovery.recovered_at.line == 2


def test_leader_election_lost_to_the_end_is_ongoing(classifier: Classifier) -> None:
    report = classifier.classify_file(REPEATS)
    lost = one(report, "observer.leader-election-lost")
    assert lost.recovery is not None and lost.recovery.status == "ongoing"
    # klog's `E0312 09:40:00.084344` (no year) to zap's 2025-03-12T10:15:37.745556849Z
    assert lost.recovery.since.ts == "0312 09:40:00.084344"
    assert lost.recovery.duration_seconds == pytest.approx(2137.661212)
    assert one(report, "observer.leader-lease-acquired").count == 2  # the lease came back once in between
    (diagnosis,) = report.diagnoses
    assert diagnosis.id == "diagnosis.observer-out-of-memory"
    assert diagnosis.recovery is not None and diagnosis.recovery.status == "ongoing"


def test_leader_election_lost_then_lease_acquired_again_is_recovered(classifier: Classifier) -> None:
    report = classifier.classify_file(RECOVERS)
    lost = one(report, "observer.leader-election-lost")
    assert lost.recovery is not None and lost.recovery.status == "recovered"
    assert lost.recovery.signal == "observer.leader-lease-acquired"
    assert lost.recovery.recovered_at is not None and lost.recovery.recovered_at.ts == "0101 00:00:21.500000"
    # 31 December 23:59:48.1 to 1 January 00:00:21.5, both from klog, which has no year
    assert lost.recovery.duration_seconds == pytest.approx(33.4)
    assert report.diagnoses[0].recovery is not None and report.diagnoses[0].recovery.status == "recovered"


def test_another_operators_lease_is_no_recovery(classifier: Classifier) -> None:
    lost = REPEATS.read_text()
    foreign = "I0312 10:16:00.000001       1 leaderelection.go:260] successfully acquired lease kube-system/cert-manager-controller\n"
    report = classifier.classify(lost + foreign)
    assert status(report, "observer.leader-election-lost") == "ongoing"


MDS_DOWN = "\n".join([
    '{"level":"error","ts":"2025-02-04T22:41:21.233232025Z","caller":"amr-persister/main.go:102","msg":"MDS is unavailable: Get \\"https://metadata-store-app.metadata-store.svc.cluster.local:8443/api/health\\": dial tcp 10.111.203.66:8443: connect: connection refused"}',
    '{"level":"info","ts":"2025-02-04T22:45:08.930129313Z","caller":"persister/persisteradapter.go:299","msg":"status: 201, responseBody: {\\"reference\\":\\"45a7e56a\\",\\"alias\\":\\"45a7e56a\\",\\"labels\\":[]}\\n"}',
    '{"level":"error","ts":"2025-02-04T22:46:30.84350958Z","caller":"persister/persisteradapter.go:283","msg":"post error: Post \\"https://metadata-store-app.metadata-store.svc.cluster.local:8443/api/v1/locations\\": dial tcp 10.111.203.66:8443: i/o timeout"}',
]) + "\n"


def test_a_root_cause_is_ongoing_while_any_problem_it_rests_on_is(classifier: Classifier) -> None:
    report = classifier.classify(MDS_DOWN)
    assert status(report, "handler.mds-unavailable") == "recovered"
    assert status(report, "handler.location-post-error") == "ongoing"
    (diagnosis,) = report.diagnoses
    assert diagnosis.id == "diagnosis.metadata-store-down"
    assert diagnosis.recovery is not None and diagnosis.recovery.status == "ongoing"
    assert (diagnosis.recovery.since.line, diagnosis.recovery.last_failure.line) == (1, 3)
    assert diagnosis.recovery.duration_seconds == pytest.approx(309.610357)


def test_a_root_cause_recovers_at_the_latest_recovery(classifier: Classifier) -> None:
    healed = MDS_DOWN + '{"level":"info","ts":"2025-02-04T22:48:00.5Z","caller":"persister/persisteradapter.go:299","msg":"status: 200, responseBody: {}\\n"}\n'
    report = classifier.classify(healed)
    recovery = report.diagnoses[0].recovery
    assert recovery is not None and recovery.status == "recovered"
    assert recovery.recovered_at is not None and recovery.recovered_at.line == 4
    assert recovery.duration_seconds == pytest.approx(399.266768)


def test_a_root_cause_without_recoverable_problems_has_no_recovery(classifier: Classifier) -> None:
    assert diagnosis_recovery([], []) is None
    benign = classifier.classify_file(Path(__file__).parent.parent / "examples" / "logs" / "handler-benign-noise.jsonl")
    assert [d.recovery for d in benign.diagnoses] == [None]


def _cut_points(text: str) -> list[int]:
    """Lines where a record starts (JSON, zap console, klog), so a cut never splits a record."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line[:1] in ("{", "2", "I", "E", "W")]


def _classify_in_parts(classifier: Classifier, files: list[tuple[str, str]], cuts: list[tuple[int, int]]) -> Report:
    """The files read as consecutive parts, a new part starting before each (file, line) cut."""
    parts: list[list[Report]] = [[]]
    for index, (name, text) in enumerate(files):
        lines = text.splitlines(keepends=True)
        starts = sorted(line for f, line in cuts if f == index)
        bounds = [1, *starts, len(lines) + 1]
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            if k:
                parts.append([])
            piece = "".join(lines[a - 1 : b - 1])
            parts[-1].append(classifier.classify_many([(name, piece)], part=Part(a, PasteState())))
    return classifier.merge(merge_reports(reports) for reports in parts)


def _recovery_boundaries(report: Report, files: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Cuts at every start, last failure and recovery, and at the next record after each."""
    index = {name: i for i, (name, _) in enumerate(files)}
    starts = {name: _cut_points(text) for name, text in files}
    cuts: set[tuple[int, int]] = set()
    for f in report.findings:
        if f.recovery is None:
            continue
        points = [f.recovery.since, f.recovery.last_failure, f.recovery.recovered_at]
        for p in points:
            if p is None:
                continue
            after = [n for n in starts[p.source] if n > p.line][:1]
            cuts.update((index[p.source], n) for n in (p.line, *after) if n > 1)
    return sorted(cuts)


@pytest.mark.parametrize("files", [OUTAGE, [REPEATS], [RECOVERS], [RECOVERS, REPEATS]], ids=["outage", "repeats", "recovers", "both"])
def test_recovery_is_the_same_when_merged_from_parts_cut_at_every_boundary(classifier: Classifier, files: list[Path]) -> None:
    inputs = named(files)
    whole = classifier.classify_many(inputs)
    assert any(f.recovery is not None for f in whole.findings)
    boundaries = _recovery_boundaries(whole, inputs)
    assert len(boundaries) >= 3
    for count in (1, 2):
        for cuts in itertools.combinations(boundaries, count):
            merged = _classify_in_parts(classifier, inputs, list(cuts))
            assert merged.findings == whole.findings, f"cut before {cuts}"
            assert merged.diagnoses == whole.diagnoses, f"cut before {cuts}"


def test_merging_parts_is_associative_for_recovery(classifier: Classifier) -> None:
    text = RECOVERS.read_text()
    lines = text.splitlines(keepends=True)
    # crash, restart and the new lease fall in three different parts
    bounds = [1, 7, 11, len(lines) + 1]
    a, b, c = (
        classifier.classify_many([("r.log", "".join(lines[s - 1 : e - 1]))], part=Part(s, PasteState()))
        for s, e in itertools.pairwise(bounds)
    )
    assert merge_reports([merge_reports([a, b]), c]).findings == merge_reports([a, merge_reports([b, c])]).findings == merge_reports([a, b, c]).findings
    lost = one(merge_reports([a, b, c]), "observer.leader-election-lost")
    assert lost.recovery is not None and lost.recovery.status == "recovered"
    assert lost.recovery.recovered_at is not None and lost.recovery.recovered_at.line == 12


def test_merged_reports_forget_the_explanations_of_their_parts(outage: Report) -> None:
    explained = outage.model_copy(update={"findings": explain(outage.findings, outage.diagnoses)})
    assert any(f.explained_by for f in explained.findings)
    assert all(not f.explained_by for f in merge_reports([explained, Report()]).findings)


NOISE = b"".join(
    b'2025-03-11T08:15:00Z\tINFO\tcontroller.replicaset\tReconciling\t{"name": "web-%d"}\n' % i for i in range(400)
)


@pytest.mark.parametrize("jobs", [2, 3])
def test_recovery_across_a_parallel_split(classifier: Classifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)
    path = tmp_path / "observer.log"
    observer = OUTAGE[1].read_bytes()
    failing, healthy = observer.split(HEALTHY.encode(), 1)
    path.write_bytes(failing + NOISE * 4 + HEALTHY.encode() + healthy + NOISE * 4)
    cut = parallel.pieces(str(path), jobs)
    assert len(cut) == jobs
    recovered_line = failing.count(b"\n") + 400 * 4 + 1
    assert cut[1].part.first_line < recovered_line  # the failures and their recovery lie in different pieces
    whole = classifier.classify_file(path)
    assert parallel.classify_parallel(classifier, [path], jobs) == whole
    recovery = one(whole, "observer.health-check-failed").recovery
    assert recovery is not None and recovery.status == "recovered"
    assert recovery.recovered_at is not None and recovery.recovered_at.line == recovered_line
