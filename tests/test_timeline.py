"""Each component's state over time: the order of changes, the final state, and every format."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from pydantic import ValidationError
from timeline_cases import START, problem
from timeline_cases import report as by_hand

from amr_logpatterns import Classifier, Report
from amr_logpatterns.analyse.timeline import Timeline, build_timeline
from amr_logpatterns.analyse.timeline_text import format_timeline_markdown, format_timeline_text

INCIDENTS = FIXTURES / "incidents"
OUTAGE = [INCIDENTS / "amr-graphql-outage" / "amr-persister.jsonl", INCIDENTS / "amr-graphql-outage" / "amr-observer.log"]


def classify(classifier: Classifier, *paths: Path) -> Report:
    return classifier.classify_many([(p.name, p.read_text()) for p in paths])


@pytest.fixture(scope="module")
def outage(classifier: Classifier) -> Timeline:
    return build_timeline(classify(classifier, *OUTAGE))


def test_outage_changes_in_time_order(outage: Timeline) -> None:
    assert outage.ordered_by == "time"
    assert [(c.component, c.previous, c.state) for c in outage.changes] == [
        ("handler", "healthy", "failing"),
        ("observer", "healthy", "failing"),
        ("handler", "failing", "healthy"),
        ("observer", "failing", "healthy"),
    ]
    handler_fails, _, handler_back, observer_back = outage.changes
    assert [(c.id, c.count) for c in handler_fails.causes] == [("handler.amr-unavailable", 8)]
    assert handler_back.recovered_by == "handler.location-event"
    assert observer_back.recovered_by == "observer.health-check-ok"
    assert observer_back.lasted_seconds == pytest.approx(548.036)
    assert observer_back.time is not None and observer_back.time.isoformat() == "2025-03-11T08:20:13.287000+00:00"


def test_outage_spans_and_final_state(outage: Timeline) -> None:
    handler, observer = outage.components
    assert (handler.component, observer.component) == ("handler", "observer")
    assert [s.state for s in handler.spans] == ["healthy", "failing", "healthy"]
    assert handler.spans[1].finding_ids == ["handler.amr-unavailable"]
    assert handler.spans[1].end == handler.spans[2].start and handler.spans[2].end is None
    assert handler.spans[0].start.line == 3  # `Start Receiving`, the handler's first finding
    assert [s.state for s in observer.spans] == ["healthy", "failing", "healthy"]
    assert [(c.final_state, c.outcome, c.ongoing) for c in outage.components] == [
        ("healthy", "recovered", []),
        ("healthy", "recovered", []),
    ]


def test_outage_text(outage: Timeline) -> None:
    assert format_timeline_text(outage) == (
        "08:11:04  handler   FAILING   handler.amr-unavailable (x8)\n"
        "08:11:05  observer  FAILING   observer.health-check-failed (x8)\n"
        "08:20:13  handler   healthy   recovered: handler.location-event (9m08s)\n"
        "08:20:13  observer  healthy   recovered: observer.health-check-ok (9m08s)\n"
        "end       handler   healthy   recovered\n"
        "end       observer  healthy   recovered\n"
    )


def test_outage_markdown(outage: Timeline) -> None:
    md = format_timeline_markdown(outage)
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| when | component | state | what |"
    assert rows[1] == "| 08:11:04 | handler | **FAILING** | `handler.amr-unavailable` (x8) |"
    assert rows[4] == "| 08:20:13 | observer | healthy | recovered: `observer.health-check-ok` (9m08s) |"
    assert "| observer | healthy | recovered |" in rows
    assert md.rstrip().endswith("Changes are in their timestamps.")


def test_json_round_trips(outage: Timeline) -> None:
    text = outage.model_dump_json()
    assert Timeline.model_validate_json(text) == outage
    data = json.loads(text)
    assert data["components"][0]["outcome"] == "recovered"
    assert data["changes"][0]["causes"] == [{"id": "handler.amr-unavailable", "count": 8}]


def test_timeline_is_frozen(outage: Timeline) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        outage.ordered_by = "input"


def test_leader_election_lost_to_the_end_stays_failing(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, INCIDENTS / "leader-election" / "observer-repeats.log"))
    (observer,) = timeline.components
    assert (observer.final_state, observer.outcome) == ("failing", "ongoing")
    assert [(c.id, c.count) for c in observer.ongoing] == [("observer.leader-election-lost", 6)]
    assert format_timeline_text(timeline).splitlines() == [
        "09:40:00  observer  FAILING   observer.leader-election-lost (x6)",
        "end       observer  FAILING   ongoing: observer.leader-election-lost (x6)",
    ]


def test_dates_are_shown_when_changes_span_days(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, INCIDENTS / "leader-election" / "observer-recovers.log"))
    assert format_timeline_text(timeline).splitlines() == [
        "2024-12-31 23:59:48  observer  FAILING   observer.leader-election-lost (x3)",
        "2025-01-01 00:00:21  observer  healthy   recovered: observer.leader-lease-acquired (33s)",
        "end                  observer  healthy   recovered",
    ]


def test_dates_are_shown_when_the_incident_goes_on_into_the_next_day(classifier: Classifier) -> None:
    down = (
        '{{"level":"error","ts":"{ts}","msg":"AMR is unavailable: Get \\"https://amr-graphql-app'
        '.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect:'
        ' connection refused"}}'
    )
    log = "\n".join(down.format(ts=ts) for ts in ("2025-01-21T23:58:40Z", "2025-01-22T00:02:41Z"))
    timeline = build_timeline(classifier.classify(log, source_name="handler.log"))
    assert timeline.last_time is not None and timeline.last_time.day == 22
    assert format_timeline_text(timeline).splitlines()[0] == (
        "01-21 23:58:40  handler  FAILING   handler.amr-unavailable (x2)"
    )


CRD_MISSING = '2025-03-11T07:58:40.412Z\tINFO\tivs.SetupWithManager\tNot registering ImageVulnerabilityScans Controller: customresourcedefinitions.apiextensions.k8s.io "imagevulnerabilityscans.app-scanning.apps.tanzu.vmware.com" not found"'
NO_CERTS = "2025/03/11 07:58:39 No certs appended, using system certs only"


def test_warnings_degrade_and_errors_fail(classifier: Classifier) -> None:
    observer = (OUTAGE[1]).read_text().splitlines()
    # Go's log package stamps `No certs appended` without zone or fraction; it still orders by time
    text = "\n".join([observer[0], CRD_MISSING, *observer[1:], NO_CERTS]) + "\n"
    timeline = build_timeline(classifier.classify(text, source_name="observer.log"))
    assert timeline.ordered_by == "time"
    assert [(c.previous, c.state) for c in timeline.changes] == [
        ("healthy", "degraded"),
        ("degraded", "failing"),
        ("failing", "degraded"),
    ]
    # the last line of the input is the first in time
    assert timeline.changes[0].at.line == len(observer) + 2
    assert [c.id for c in timeline.changes[0].causes] == ["observer.no-certs-appended"]
    back = timeline.changes[2]
    assert back.recovered_by == "observer.health-check-ok"
    assert [c.id for c in back.causes] == ["observer.no-certs-appended", "observer.ivs-crd-missing"]
    (component,) = timeline.components
    assert (component.final_state, component.outcome) == ("degraded", "ongoing")
    text_lines = format_timeline_text(timeline, width=200).splitlines()
    assert text_lines[0] == "07:58:39  observer  DEGRADED  observer.no-certs-appended (x1)"
    # unwell since 07:58:39, so the observer was not healthy for 21m34s
    assert text_lines[2] == (
        "08:20:13  observer  DEGRADED  recovered: observer.health-check-ok (21m34s);"
        " still observer.no-certs-appended (x1), observer.ivs-crd-missing (x1)"
    )


def test_without_timestamps_everywhere_input_order_rules(classifier: Classifier) -> None:
    describe = ROOT / "examples" / "logs" / "observer-describe-probes.txt"
    report = classify(classifier, OUTAGE[1], describe)
    timeline = build_timeline(report)
    assert timeline.ordered_by == "input"
    assert all(c.time is None for c in timeline.changes)
    assert [c.component for c in timeline.components] == ["observer", "kubelet"]
    lines = [line.split() for line in format_timeline_text(timeline).splitlines()]
    assert lines[0][:3] == ["amr-observer.log:6", "observer", "FAILING"]
    assert lines[1][:3] == ["amr-observer.log:46", "observer", "healthy"]
    # the describe's pod state: the manager's error exit (line 42), then the probe rows
    assert lines[2][:3] == ["observer-describe-probes.txt:42", "observer", "FAILING"]
    assert lines[3][:3] == ["observer-describe-probes.txt:111", "kubelet", "FAILING"]
    assert lines[-1][:3] == ["end", "kubelet", "FAILING"]
    assert "Changes are in input order (file, then line)." in format_timeline_markdown(timeline)


def test_text_fits_the_width(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, ROOT / "examples" / "logs" / "mixed-prefix-all-containers.log"))
    for width in (40, 60, 100):
        lines = format_timeline_text(timeline, width=width).splitlines()
        assert lines and all(len(line) <= width for line in lines)
    assert any(line.endswith("…") for line in format_timeline_text(timeline, width=60).splitlines())


def test_a_report_without_findings_has_an_empty_timeline_that_says_so() -> None:
    """An empty timeline says why it is empty instead of printing nothing."""
    timeline = build_timeline(Report())
    assert timeline.changes == [] and timeline.components == []
    said = "No AMR component's state shows in the input: nothing to put on a timeline.\n"
    assert format_timeline_text(timeline) == format_timeline_markdown(timeline) == said


def test_healthy_components_say_so(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, ROOT / "examples" / "logs" / "observer-healthy.log"))
    (observer,) = timeline.components
    assert (observer.final_state, observer.outcome, [s.state for s in observer.spans]) == ("healthy", "healthy", ["healthy"])
    assert format_timeline_text(timeline) == "end  observer  healthy   no problems\n"



# --- pod lanes: one per pod that pod state names, under its component


def test_pod_state_gets_a_lane_per_pod(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, ROOT / "examples" / "logs" / "handler-crash-loop.txt"))
    assert [(p.component, p.pod, p.final_state, p.outcome) for p in timeline.pods] == [
        ("graphql", "amr-graphql-app-6f7d8c9b5-r8t2v", "healthy", "healthy"),
        ("handler", "amr-persister-5d9c7b8f64-hx7qp", "failing", "ongoing"),
        ("store", "metadata-store-app-7b6c5d4f98-2mzkt", "healthy", "healthy"),
        ("store", "metadata-store-db-0", "healthy", "healthy"),
    ]
    (crash,) = [p for p in timeline.pods if p.final_state == "failing"]
    assert [(s.state, s.finding_ids) for s in crash.spans] == [("failing", ["handler.crash-loop"])]
    assert [(c.pod, c.component, c.state) for c in timeline.pod_changes] == [
        ("amr-persister-5d9c7b8f64-hx7qp", "handler", "failing")
    ]
    # component lanes and their changes are as they were: no pod rows in the tables
    assert all(c.pod is None for c in [*timeline.components, *timeline.changes])
    assert [c.component for c in timeline.components] == ["graphql", "handler", "store", "observer"]
    assert "amr-persister" not in format_timeline_text(timeline) + format_timeline_markdown(timeline)
    # the lanes stack each component's pods under it
    assert [(lane.component, lane.pod is None) for lane in timeline.lanes()][:4] == [
        ("graphql", True), ("graphql", False), ("handler", True), ("handler", False),
    ]


def test_a_pod_holds_all_its_findings(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, ROOT / "examples" / "logs" / "observer-oom-killed.txt"))
    (pod,) = timeline.pods
    assert pod.pod == "amr-observer-controller-manager-7c5d9f8b6d-tq4wz"
    assert pod.spans[0].finding_ids == ["observer.crash-loop", "observer.oom-killed"]
    assert (pod.final_state, [(c.id, c.count) for c in pod.ongoing]) == (
        "failing", [(c.id, c.count) for c in timeline.components[0].ongoing]
    )


def test_one_pod_recovers_while_its_neighbour_still_fails() -> None:
    timeline = build_timeline(
        by_hand(
            problem("observer.crash-loop", START, START + timedelta(minutes=5), pod="pod-a", line=10),
            problem("observer.oom-killed", START + timedelta(minutes=1), pod="pod-b", line=20),
            problem("observer.health-check-failed", START + timedelta(minutes=2), line=30),
        )
    )
    assert timeline.ordered_by == "time"
    (observer,) = timeline.components
    assert (observer.final_state, observer.outcome) == ("failing", "ongoing")
    a, b = timeline.pods
    assert (a.pod, a.outcome, [s.state for s in a.spans]) == ("pod-a", "recovered", ["failing", "healthy"])
    assert (b.pod, b.outcome, [s.state for s in b.spans]) == ("pod-b", "ongoing", ["failing"])
    # a pod lane holds its own findings only, never the component's unnamed ones
    assert b.spans[0].finding_ids == ["observer.oom-killed"]
    back = [c for c in timeline.pod_changes if c.state == "healthy"]
    assert [(c.pod, c.recovered_by, c.lasted_seconds) for c in back] == [("pod-a", "observer.ok", 300.0)]
    assert timeline.lane_changes(a)[-1] == back[0]
    assert all(c.state == "failing" for c in timeline.changes)


def test_pod_lanes_round_trip_and_old_json_still_reads(outage: Timeline) -> None:
    data = json.loads(outage.model_dump_json())
    assert data["pods"] == [] and data["pod_changes"] == []
    assert data["components"][0]["pod"] is None and data["changes"][0]["pod"] is None
    for key in ("pods", "pod_changes"):
        del data[key]
    for lane in data["components"]:
        del lane["pod"]
    for change in data["changes"]:
        del change["pod"]
    assert Timeline.model_validate(data) == outage
