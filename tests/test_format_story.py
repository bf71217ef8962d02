"""The incident story shared by every format: folding, recovery, verdicts, coverage, TAP release.

The report builders here (``incident`` and friends) are imported by the other
format tests, so every format is checked against the same constructed incident.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest

from amr_logpatterns.formatters import PLAIN, Options, formatters, github, junit, sarif
from amr_logpatterns.formatters.gate_words import gate_sentence, gate_story
from amr_logpatterns.formatters.phrases import (
    capital,
    clip,
    coverage,
    duration,
    moment,
    recovery_sentence,
    report_coverage,
    tap_sentence,
    verdict_sentences,
)
from amr_logpatterns.formatters.story import claim, tell
from amr_logpatterns.models.results import (
    Diagnosis,
    Finding,
    Gate,
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

SOURCE = "observer.log"


def at(line: int, ts: str | None = None, source: str = SOURCE) -> Seen:
    return Seen(source=source, line=line, ts=ts)


def finding(fid: str, severity: str = "error", line: int = 10, count: int = 3, **update: object) -> Finding:
    """A finding seen ``count`` times from ``line`` on, with one evidence record per sighting."""
    data: dict[str, object] = {
        "id": fid,
        "title": f"Title of {fid}",
        "severity": severity,
        "component": fid.split(".")[0],
        "category": "test",
        "count": count,
        "first_seen": at(line).model_dump(),
        "last_seen": at(line + count - 1).model_dump(),
        "evidence": [
            {
                "source": SOURCE,
                "line": line + i,
                "end_line": line + i,
                "text": f"2024-04-08T07:16:0{i}Z\tERROR\tsetup\t{fid} said something {i}",
            }
            for i in range(min(count, 3))
        ],
        "explanation": f"What {fid} means. Why it matters.",
        "remediation": [{"text": f"Repair {fid}.", "command": f"kubectl describe {fid}"}],
        "fingerprint": f"fp-{fid}",
        "last_lines": {SOURCE: line + count - 1},
    }
    data.update(update)
    return Finding.model_validate(data)


def diagnosis(did: str, finding_ids: Sequence[str], symptom_ids: Sequence[str] = (), **update: object) -> Diagnosis:
    data: dict[str, object] = {
        "id": did,
        "title": f"Title of {did}",
        "severity": "error",
        "confidence": "high",
        "summary": f"Summary of {did}.",
        "explanation": f"Why {did} is the cause.",
        "remediation": [
            {"text": "First, look at the handler's pods.", "command": "kubectl -n metadata-store get pods"},
            {"text": "Then read its log.", "command": "kubectl -n metadata-store logs deploy/amr-persister"},
            {"text": "Restart it if it hangs."},
        ],
        "finding_ids": list(finding_ids),
        "symptom_ids": list(symptom_ids),
        "fingerprint": f"fp-{did}",
    }
    data.update(update)
    return Diagnosis.model_validate(data)


ONGOING = Recovery(
    status="ongoing",
    since=at(52, "2024-04-08T07:16:02.123Z"),
    last_failure=at(98, "2024-04-08T07:25:10Z"),
    duration_seconds=548.0,
)
RECOVERED = Recovery(
    status="recovered",
    since=at(81, "2024-04-08T07:17:02Z"),
    last_failure=at(83, "2024-04-08T07:18:02Z"),
    recovered_at=at(90, "2024-04-08T07:19:32Z"),
    signal="observer.circuit-breaker-closed",
    duration_seconds=150.0,
)
HARMLESS = Verdict(
    benign=True,
    reason="the handler refuses ReplicaSets not run from a Workload on purpose",
    condition="the ReplicaSet has no container named workload",
)
BROKEN = Verdict(
    benign=False,
    reason="the first submission of this report failed, so the refused copy was the only one",
    condition="an earlier submission of the same report succeeded",
    against=at(52, "2024-04-08T07:16:02Z"),
)
UNKNOWN = [
    UnknownTemplate(
        template="dial tcp <ip>:<num>: i/o timeout",
        level="error",
        count=4,
        first_seen=at(7, "2024-04-08T07:15:07Z"),
        example="2024-04-08T07:15:07Z\tERROR\tnet\tdial tcp 10.0.0.7:443: i/o timeout " + "x" * 300,
    ),
    UnknownTemplate(
        template="lease renewal took <num>ms",
        level="warning",
        count=1,
        first_seen=at(9),
        example="W0408 07:15:09 lease renewal took 812ms",
    ),
]


def incident(**update: object) -> Report:
    """An outage told by every kind of finding: a root cause with a cause and a symptom, a
    finding two root causes claim, a problem none explains, a harmless one, one whose harmless
    condition broke, a signal, unknown messages and a given TAP release."""
    cause = finding("observer.health-check-failed", line=52, count=4, recovery=ONGOING, verify=["observer.health-check-ok"])
    symptom = finding("observer.circuit-breaker-open", line=81, recovery=RECOVERED)
    shared = finding(
        "observer.circuit-breaker-half-open", "warning", line=83, count=1, explained_by=["diagnosis.handler-unhealthy"]
    )
    loose = finding("observer.ivs-crd-missing", "warning", line=30, count=1)
    harmless = finding("observer.replicaset-event-noop", "error", line=20, count=2, verdict=HARMLESS)
    broken = finding("handler.report-already-exists", "error", line=40, count=1, verdict=BROKEN)
    signal = finding("observer.health-check-ok", "info", line=5, count=2)
    findings = [cause, symptom, shared, loose, harmless, broken, signal]
    first = diagnosis(
        "diagnosis.handler-unhealthy", [cause.id], [symptom.id], recovery=ONGOING, title="The CloudEvent Handler is unhealthy"
    )
    second = diagnosis("diagnosis.second-opinion", [], [shared.id], severity="warning")
    stats = Stats(
        lines_read=120,
        records=110,
        matches=16,
        error_records=12,
        unexplained_error_records=3,
        unknown_records=6,
        unknown_templates_dropped=1,
        sources=[SourceStats(source=SOURCE, lines_read=120, records=110, error_records=12, unexplained_error_records=3)],
    )
    report = Report(
        findings=findings,
        diagnoses=[first, second],
        stats=stats,
        max_severity="error",
        checked=sorted({f.id for f in findings} | {first.id, second.id}),
        unknown=UNKNOWN,
        tap_version=TapVersion(version="1.12", source="given"),
    )
    return report.model_copy(update=update)


def by_id(report: Report, fid: str) -> Finding:
    return next(f for f in report.findings if f.id == fid)


COVERAGE = "explained 9 of 12 error records; 3 unknown templates (6 warning-or-worse records no signature knows)"


# --- folding


def test_findings_fold_under_the_diagnoses_that_claim_them() -> None:
    report = incident()
    story = tell(report)
    first, second = story.chapters
    assert [(m.finding.id, m.role, m.shown_under) for m in first.members] == [
        ("observer.health-check-failed", "cause", None),
        ("observer.circuit-breaker-open", "symptom", None),
        ("observer.circuit-breaker-half-open", "symptom", None),
    ]
    assert [(m.finding.id, m.role, m.shown_under) for m in second.members] == [
        ("observer.circuit-breaker-half-open", "symptom", "diagnosis.handler-unhealthy"),
    ]
    assert first.symptom_ids == ["observer.circuit-breaker-open", "observer.circuit-breaker-half-open"]
    assert first.fixed_when == ["observer.health-check-ok"]
    assert [f.id for f in story.problems] == ["observer.ivs-crd-missing", "handler.report-already-exists"]
    assert [f.id for f in story.harmless] == ["observer.replicaset-event-noop"]
    assert [f.id for f in story.signals] == ["observer.health-check-ok"]


def test_a_finding_in_finding_ids_is_a_cause_even_when_also_a_symptom() -> None:
    f = finding("handler.x")
    both = diagnosis("diagnosis.d", ["handler.x"], ["handler.x"])
    assert claim(both, f) == "cause"
    assert claim(diagnosis("diagnosis.d", [], []), f) is None
    assert claim(diagnosis("diagnosis.d", [], []), f.model_copy(update={"explained_by": ["diagnosis.d"]})) == "symptom"


def test_a_suppressed_diagnosis_folds_nothing() -> None:
    report = incident()
    why = Suppression(kind="ignore", reason="r", origin="o")
    diagnoses = [d.model_copy(update={"suppressed": why}) for d in report.diagnoses]
    story = tell(report.model_copy(update={"diagnoses": diagnoses}))
    assert story.chapters == ()
    assert "observer.health-check-failed" in [f.id for f in story.problems]


def test_a_diagnosis_without_recovery_is_judged_by_its_findings() -> None:
    report = incident()
    bare = [d.model_copy(update={"recovery": None}) for d in report.diagnoses]
    first, second = tell(report.model_copy(update={"diagnoses": bare})).chapters
    assert (first.recovery, first.judged_by) == (ONGOING, "observer.health-check-failed")
    assert (second.recovery, second.judged_by) == (None, None)
    # A recovered cause stands for the diagnosis only when nothing it folds is still failing.
    findings = [f.model_copy(update={"recovery": RECOVERED}) if f.recovery else f for f in report.findings]
    first, _ = tell(report.model_copy(update={"diagnoses": bare, "findings": findings})).chapters
    assert (first.recovery, first.judged_by) == (RECOVERED, "observer.health-check-failed")


# --- phrases


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0s"), (0.4, "0s"), (42, "42s"), (59.6, "1m00s"), (548, "9m08s"), (3600, "1h00m00s"), (7509, "2h05m09s"), (273000, "3d03h50m")],
)
def test_durations_read_like_a_clock(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_moments_drop_fractions_and_keep_the_place() -> None:
    assert moment(at(3, "2025-01-21T08:02:40.2342217Z")) == "2025-01-21T08:02:40Z (observer.log:3)"
    assert moment(at(3, "0217 13:25:00.084344")) == "0217 13:25:00 (observer.log:3)"
    assert moment(at(3)) == "observer.log:3"


def test_ongoing_says_since_when_and_how_long_so_far() -> None:
    assert recovery_sentence(ONGOING) == (
        "Ongoing: still failing when the input ends; in observer.log since 2024-04-08T07:16:02Z (line 52), "
        "last failure 07:25:10Z (line 98), 9m08s so far."
    )
    assert recovery_sentence(ONGOING, "observer.x").startswith("Ongoing (judged by observer.x): ")


def test_ongoing_without_timestamps_or_a_second_failure() -> None:
    bare = Recovery(status="ongoing", since=at(4), last_failure=at(9, source="b.log"))
    assert recovery_sentence(bare) == (
        "Ongoing: still failing when the input ends; since observer.log:4, last failure b.log:9."
    )
    once = Recovery(status="ongoing", since=at(4, "2024-04-08T07:16:02Z"), last_failure=at(4), duration_seconds=0)
    assert recovery_sentence(once) == (
        "Ongoing: still failing when the input ends; in observer.log since 2024-04-08T07:16:02Z (line 4)."
    )


def test_recovered_says_when_by_which_signal_and_after_how_long() -> None:
    assert recovery_sentence(RECOVERED) == (
        "Recovered: failing in observer.log since 2024-04-08T07:17:02Z (line 81), last failure 07:18:02Z "
        "(line 83); healthy again at 07:19:32Z (line 90) by observer.circuit-breaker-closed, after 2m30s."
    )


def test_recovered_without_duration_signal_or_time() -> None:
    bare = RECOVERED.model_copy(update={"duration_seconds": None, "signal": None, "recovered_at": None})
    assert recovery_sentence(bare) == (
        "Recovered: failing in observer.log since 2024-04-08T07:17:02Z (line 81), last failure 07:18:02Z "
        "(line 83); healthy again."
    )
    # Timestamps that do not compare give a negative span: no duration rather than a wrong one.
    assert "after" not in recovery_sentence(RECOVERED.model_copy(update={"duration_seconds": -86400.0}))


def test_verdicts_say_why_and_on_what_it_depends() -> None:
    assert verdict_sentences(HARMLESS) == [
        "Harmless here: the handler refuses ReplicaSets not run from a Workload on purpose",
        "As long as: the ReplicaSet has no container named workload",
    ]
    assert verdict_sentences(BROKEN) == [
        "Not harmless here: the first submission of this report failed, so the refused copy was the only one",
        "It would be harmless if: an earlier submission of the same report succeeded",
        "Broken by the record at 2024-04-08T07:16:02Z (observer.log:52)",
    ]


def test_coverage_counts_dropped_templates_and_says_singulars() -> None:
    assert report_coverage(incident()) == COVERAGE
    one = Stats(error_records=1, unknown_records=1)
    assert coverage(one, 1) == (
        "explained 1 of 1 error record; 1 unknown template (1 warning-or-worse record no signature knows)"
    )


@pytest.mark.parametrize(
    ("tap", "said"),
    [
        (TapVersion(version="1.12", source="given"), "Advice written for Tanzu Application Platform 1.12 (given with --tap-version)."),
        (
            TapVersion(version="1.6", source="inferred", evidence="`amr.observer.eventhandler` at a.log:3"),
            "Advice written for Tanzu Application Platform 1.6, inferred from the input: `amr.observer.eventhandler` at a.log:3.",
        ),
        (TapVersion(), "TAP version unknown: where a setting or resource is spelt differently between releases, the steps name both spellings."),
    ],
)
def test_tap_release(tap: TapVersion, said: str) -> None:
    assert tap_sentence(tap) == said


def test_gate_story_counts_benign_and_recovered() -> None:
    assert gate_story(Gate()) == []
    assert gate_story(Gate(benign=2, recovered=1)) == ["2 benign", "1 recovered"]
    assert gate_story(Gate(ignore_recovered=True)) == ["0 recovered (recovered problems ignored)"]


@pytest.mark.parametrize(
    ("gate", "said"),
    [
        (Gate(failed=True, failing=["a.b (f1)", "a.c (f2)", "diagnosis.x"]), "failed (--fail-on error): 2 findings, 1 root cause"),
        (Gate(fail_on="info", failed=True, failing_unknown=1), "failed (--fail-on info): 1 warning-or-worse record no signature knows"),
        (Gate(failed=True, expected=["handler"], missing=["handler"]), "failed (--fail-on error): no record of handler in the input (--expect)"),
        (Gate(fail_on="info"), "passed (--fail-on info): nothing needs attention"),
        (Gate(fail_on="warning", benign=2, baselined=1), "passed (--fail-on warning): nothing at warning or above remains; 2 benign, 1 baselined"),
        (Gate(fail_on="never", suppressed=3), "passed (--fail-on never): the gate is off; 3 suppressed"),
    ],
)
def test_the_gate_sentence(gate: Gate, said: str) -> None:
    assert gate_sentence(gate) == said


def test_every_format_words_the_gate_the_same_way() -> None:
    gate = Gate(
        fail_on="warning", failed=True, failing=["observer.health-check-failed (abc)", "diagnosis.handler-unhealthy"],
        benign=1, recovered=2, suppressed=1,
    )
    report = incident(gate=gate)
    sentence = gate_sentence(gate)
    assert sentence == "failed (--fail-on warning): 1 finding, 1 root cause; 1 benign, 2 recovered, 1 suppressed"
    said = {name: render(report, PLAIN) for name, render in formatters().items()}
    verbose = formatters()["text"](report, Options(verbose=True, width=500))
    assert said["text"].splitlines()[0] == "Gate: " + sentence
    assert verbose.splitlines()[-1] == "Gate: " + sentence
    assert said["compact"].splitlines()[-1] == "amr-logpatterns: gate " + sentence
    assert said["markdown"].splitlines()[0] == "**AMR logs: gate failed**" + sentence[len("failed"):]
    assert said["github"].rstrip().endswith("Gate " + sentence + ".")
    verdicts = [p.get("value") for p in ET.fromstring(said["junit"].encode()).iter("property") if p.get("name") == "gate-verdict"]
    assert verdicts and set(verdicts) == {sentence}
    notes = json.loads(said["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {"level": "error", "message": {"text": "Gate " + sentence + "."}} in notes
    assert json.loads(said["json"])["gate"]["failing"] == gate.failing


def test_clip_keeps_the_first_line_and_counts_the_rest() -> None:
    assert clip("short") == "short"
    assert clip("a" * 210) == "a" * 200 + "… (+10 characters)"
    assert clip("one\ntwo") == "one… (+4 characters)"


# --- the coverage line, the TAP release and the unknown messages reach every format


def _coverage_in_text(name: str, out: str) -> None:
    flat = " ".join(out.split())
    assert capital(COVERAGE) in flat, name
    assert "TAP 1.12" in flat or "Platform 1.12" in flat, name


@pytest.mark.parametrize("name", ["text", "markdown"])
def test_readable_formats_carry_the_coverage_line_and_the_unknown_messages(name: str) -> None:
    out = formatters()[name](incident(), PLAIN)
    _coverage_in_text(name, out)
    assert "dial tcp <ip>:<num>: i/o timeout" in out.replace("\\<", "<").replace("\\>", ">")
    assert "lease renewal took" in out


def test_sarif_carries_the_coverage_line() -> None:
    run = json.loads(sarif.format_report(incident()))["runs"][0]
    assert run["properties"]["coverage"] == COVERAGE
    assert [u["template"] for u in run["properties"]["unknown"]] == [u.template for u in UNKNOWN]
    assert run["properties"]["tapVersion"] == {"version": "1.12", "source": "given"}
    notes = [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["level"] == "note"]
    assert capital(COVERAGE) + "." in [n["message"]["text"] for n in notes]
    assert tap_sentence(incident().tap_version) in [n["message"]["text"] for n in notes]


def test_junit_carries_the_coverage_line() -> None:
    root = ET.fromstring(junit.format_report(incident()).encode())
    (suite,) = root.findall("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["coverage"] == COVERAGE
    assert (props["unknown-templates"], props["unknown-records"]) == ("3", "6")
    assert (props["tap-version"], props["tap-version-source"]) == ("1.12", "given")
    out = suite.findtext("system-out") or ""
    assert capital(COVERAGE) in out and "dial tcp <ip>:<num>: i/o timeout" in out
    assert "lease renewal took <num>ms" in out


def test_github_summary_carries_the_coverage_line() -> None:
    summary = github.format_report(incident()).splitlines()[-1]
    assert summary.startswith("::notice title=amr-logpatterns::")
    message = summary.split("::", 2)[2].replace("%0A", "\n").replace("%25", "%")
    assert capital(COVERAGE) + "." in message.split("\n")
    assert tap_sentence(incident().tap_version) in message.split("\n")


def test_every_report_format_renders_the_incident() -> None:
    """A format added later must cope with every field of the story too."""
    for name, render in formatters().items():
        out = render(incident(), PLAIN)
        assert "observer.health-check-failed" in out, name
        assert render(incident(), PLAIN) == out, name
