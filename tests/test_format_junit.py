"""The JUnit formatter: well-formed XML for any log text, counts that add up, the gate's verdict.

Set AMR_UPDATE_GOLDEN=1 to rewrite tests/golden/formats/*.junit.xml after an intended change.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import check_golden
from test_format_story import incident

from amr_logpatterns import Classifier, __version__
from amr_logpatterns.formatters.junit import format_report, xml_text
from amr_logpatterns.models.results import (
    Evidence,
    Finding,
    Report,
    SourceStats,
    Stats,
    Suppression,
)
from amr_logpatterns.policy.gate import Policy, apply_policy

LOGS = ROOT / "examples" / "logs"
GOLDEN = Path(__file__).parent / "golden" / "formats"
NAMES = sorted(p.name for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")
AMR_DOWN = "examples/logs/handler-amr-down.jsonl"
MISSING_SCHEME = "examples/logs/observer-missing-scheme.log"
HOSTILE = "NUL\x00 ESC\x1b[31mred\x1b[0m FF\x0c VT\x0b LS\u2028 NEL\x85 ]]> & <tag> \"q\" 'a' \ud800 \uffff 😀 end"


@pytest.fixture(scope="module")
def reports(classifier: Classifier) -> Iterator[dict[str, Report]]:
    """Every example classified from the repository root, so sources are relative paths."""
    before = Path.cwd()
    os.chdir(ROOT)
    try:
        yield {name: classifier.classify_file(f"examples/logs/{name}") for name in NAMES}
    finally:
        os.chdir(before)


def parse(report: Report) -> ET.Element:
    """The rendered report parsed back, through its UTF-8 bytes as a CI server reads it."""
    return ET.fromstring(format_report(report).encode("utf-8"))


def suite(root: ET.Element, source: str) -> ET.Element:
    found = root.find(f"testsuite[@name='{source}']")
    assert found is not None, f"no suite {source}"
    return found


def case(root: ET.Element, source: str, name: str) -> ET.Element:
    found = suite(root, source).find(f"testcase[@name='{name}']")
    assert found is not None, f"no testcase {name} in {source}"
    return found


def failing(root: ET.Element) -> set[tuple[str | None, str | None]]:
    return {
        (s.get("name"), c.get("name"))
        for s in root.iter("testsuite")
        for c in s.iter("testcase")
        if c.find("failure") is not None
    }


def with_finding(report: Report, fid: str, **update: object) -> Report:
    """``report`` with every finding of ``fid`` changed by ``update``."""
    findings = [f.model_copy(update=update) if f.id == fid else f for f in report.findings]
    assert findings != report.findings, f"{fid} not in the report"
    return report.model_copy(update={"findings": findings})


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, reports: dict[str, Report]) -> None:
    # The version is normalised so a release does not rewrite every golden file.
    text = format_report(reports[name]).replace(f'value="{__version__}"', 'value="VERSION"')
    check_golden(GOLDEN / f"{name}.junit.xml", text)


@pytest.mark.parametrize("name", NAMES)
def test_counts_match_the_testcases(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    root = parse(report)
    assert root.tag == "testsuites" and root.get("name") == "amr-logpatterns"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"examples/logs/{name}"]
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for s in suites:
        cases = s.findall("testcase")
        assert [c.get("name") for c in cases] == report.checked
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases),
        }
        for key, value in counts.items():
            assert s.get(key) == str(value), (key, s.get("name"))
            totals[key] += value
        for c in cases:
            component = c.get("classname", "").removeprefix("amr-logpatterns.")
            expected = (
                "diagnosis"
                if c.get("name", "").startswith("diagnosis.")
                else c.get("name", "").split(".")[0]
            )
            assert component == expected
            assert c.get("time") == "0"
    for key, value in totals.items():
        assert root.get(key) == str(value)


@pytest.mark.parametrize("name", NAMES)
def test_failures_are_the_unsuppressed_errors(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    source = f"examples/logs/{name}"
    errors = {f.id for f in report.findings if f.severity == "error"}
    errors |= {d.id for d in report.diagnoses if d.severity == "error"}
    assert failing(parse(report)) == {(source, i) for i in errors}


def test_fired_error_fails_with_evidence_and_fix(reports: dict[str, Report]) -> None:
    root = parse(reports["handler-amr-down.jsonl"])
    tc = case(root, AMR_DOWN, "handler.amr-unavailable")
    assert tc.get("classname") == "amr-logpatterns.handler"
    assert tc.get("file") == AMR_DOWN and tc.get("line") == "16"
    failure = tc.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == (
        "The CloudEvent Handler cannot reach the AMR GraphQL app (x8); "
        "root cause: diagnosis.amr-graphql-down"
    )
    body = failure.text or ""
    assert "Seen 8 times" in body
    assert f"{AMR_DOWN}:16: " in body and "connect: connection refused" in body
    assert "  1. Check that the AMR GraphQL pod" in body
    assert "$ kubectl -n metadata-store get pods" in body
    diagnosis = case(root, AMR_DOWN, "diagnosis.amr-graphql-down")
    assert diagnosis.get("classname") == "amr-logpatterns.diagnosis"
    assert diagnosis.find("failure") is not None


def test_not_fired_passes_without_children(reports: dict[str, Report]) -> None:
    root = parse(reports["handler-amr-down.jsonl"])
    for name in ("handler.mds-unavailable", "diagnosis.metadata-store-down"):
        tc = case(root, AMR_DOWN, name)
        assert list(tc) == [] and tc.get("file") is None


def test_below_the_gate_passes_with_evidence_in_system_out(reports: dict[str, Report]) -> None:
    root = parse(reports["handler-amr-down.jsonl"])
    tc = case(root, AMR_DOWN, "handler.ready")
    assert tc.find("failure") is None and tc.find("skipped") is None
    out = tc.find("system-out")
    assert out is not None and f"{AMR_DOWN}:4: " in (out.text or "")
    assert "Start Receiving" in (out.text or "")


def test_fail_on_changes_what_fails(reports: dict[str, Report]) -> None:
    report = reports["observer-missing-scheme.log"]
    warnings = {f.id for f in report.findings if f.severity == "warning"}
    infos = {f.id for f in report.findings if f.severity == "info"}
    assert warnings and infos
    default = failing(parse(report))
    on_warning = failing(parse(apply_policy(report, Policy(fail_on="warning"))))
    on_info = failing(parse(apply_policy(report, Policy(fail_on="info"))))
    never = parse(apply_policy(report, Policy(fail_on="never")))
    assert on_warning == default | {(MISSING_SCHEME, i) for i in warnings}
    # signals never fail, at any level: info means "anything that needs attention"
    assert on_info == on_warning
    assert failing(never) == set() and never.get("failures") == "0"
    assert suite(never, MISSING_SCHEME).get("failures") == "0"


def test_gate_is_a_property(reports: dict[str, Report]) -> None:
    report = apply_policy(reports["handler-amr-down.jsonl"], Policy(fail_on="warning"))
    props = {p.get("name"): p.get("value") for p in suite(parse(report), AMR_DOWN).iter("property")}
    assert props["fail-on"] == "warning" and props["gate"] == "failed"
    assert props["gate-verdict"] == "failed (--fail-on warning): 1 finding, 1 root cause; 2 recovered"
    assert props["amr-logpatterns.version"] == __version__


@pytest.mark.parametrize("kind", ["ignore", "baseline"])
def test_suppressed_is_skipped(kind: str, reports: dict[str, Report]) -> None:
    report = reports["handler-amr-down.jsonl"]
    why = Suppression(kind=kind, reason="known outage", origin=".amr-logpatterns.yaml:3")  # type: ignore[arg-type]
    root = parse(with_finding(report, "handler.amr-unavailable", suppressed=why))
    tc = case(root, AMR_DOWN, "handler.amr-unavailable")
    skipped = tc.find("skipped")
    assert tc.find("failure") is None and skipped is not None
    word = "suppressed" if kind == "ignore" else "baselined"
    assert skipped.get("message") == f"{word}: known outage (.amr-logpatterns.yaml:3)"
    out = tc.find("system-out")
    assert out is not None and f"{AMR_DOWN}:16: " in (out.text or "")
    assert suite(root, AMR_DOWN).get("skipped") == "1" and root.get("skipped") == "1"
    assert root.get("failures") == str(int(parse(report).get("failures", "0")) - 1)


def test_suppressed_diagnosis_is_skipped(reports: dict[str, Report]) -> None:
    report = reports["handler-amr-down.jsonl"]
    why = Suppression(kind="ignore", reason="maintenance", origin="cfg:1")
    diagnoses = [d.model_copy(update={"suppressed": why}) for d in report.diagnoses]
    root = parse(report.model_copy(update={"diagnoses": diagnoses}))
    tc = case(root, AMR_DOWN, "diagnosis.amr-graphql-down")
    assert tc.find("failure") is None
    skipped = tc.find("skipped")
    assert skipped is not None and skipped.get("message") == "suppressed: maintenance (cfg:1)"


def test_hostile_log_text_makes_well_formed_xml(reports: dict[str, Report]) -> None:
    report = reports["handler-amr-down.jsonl"]
    finding = next(f for f in report.findings if f.id == "handler.amr-unavailable")
    evidence = [Evidence(source=AMR_DOWN, line=16, end_line=17, text=HOSTILE + "\nsecond\rthird")]
    hostile = with_finding(
        report,
        "handler.amr-unavailable",
        evidence=evidence,
        title=finding.title + " ]]> \x07",
        group_fields={"url": 'a&b<c>"d"\x00'},
    )
    root = parse(hostile)
    failure = case(root, AMR_DOWN, "handler.amr-unavailable").find("failure")
    assert failure is not None
    body = failure.text or ""
    line = next(x for x in body.split("\n") if x.startswith(f"  {AMR_DOWN}:16: "))
    for readable in (
        "NUL",
        "ESC",
        "[31mred",
        "LS\u2028 NEL\x85",
        "]]> & <tag>",
        "\"q\" 'a'",
        "😀",
        "end",
    ):
        assert readable in line
    for escaped in ("\\u0000", "\\u001b", "\\u000c", "\\u000b", "\\ud800", "\\uffff"):
        assert escaped in line
    assert "      second" in body and "      third" in body
    assert 'a&b<c>"d"\\u0000' in body
    assert failure.get("message", "").endswith("]]> \\u0007 (x8); root cause: diagnosis.amr-graphql-down")


def test_hostile_source_name(classifier: Classifier) -> None:
    name = 'logs/a&b<"c">]]>\x1b.log'
    report = classifier.classify(
        '{"level":"error","ts":"2025-01-21T08:02:40Z","msg":"AMR is unavailable: dial tcp: connect: connection refused"}\n',
        source_name=name,
    )
    root = parse(report)
    [s] = root.findall("testsuite")
    assert s.get("name") == 'logs/a&b<"c">]]>\\u001b.log'
    assert s.get("failures") == str(len(failing(root)))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x00\x08\x0b\x0c\x0e\x1f", "\\u0000\\u0008\\u000b\\u000c\\u000e\\u001f"),
        ("\ud800\udfff\ufffe\uffff", "\\ud800\\udfff\\ufffe\\uffff"),
        ("tab\tlf\ncr\r\nx", "tab\tlf\ncr\nx"),
        ("é 😀 \u2028 \x7f", "é 😀 \u2028 \x7f"),
    ],
)
def test_xml_text(raw: str, shown: str) -> None:
    assert xml_text(raw) == shown


def test_empty_report_is_a_valid_document() -> None:
    text = format_report(Report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites" and list(root) == []
    assert root.get("tests") == "0" and root.get("failures") == "0"


def test_read_error_is_an_error_case() -> None:
    stats = Stats(sources=[SourceStats(source="gone.log", read_error="gone.log: cannot open")])
    root = parse(Report(stats=stats, checked=["handler.ready"]))
    s = suite(root, "gone.log")
    assert s.get("tests") == "2" and s.get("errors") == "1" and root.get("errors") == "1"
    error = s.find("testcase[@name='read']/error")
    assert error is not None and error.get("message") == "gone.log: cannot open"


def test_each_source_fails_only_where_its_findings_occurred(
    classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    healthy = "examples/logs/observer-healthy.log"
    report = classifier.classify_files([AMR_DOWN, healthy])
    root = parse(report)
    assert [s.get("name") for s in root.findall("testsuite")] == [AMR_DOWN, healthy]
    assert failing(root) == {
        (AMR_DOWN, "handler.amr-unavailable"),
        (AMR_DOWN, "diagnosis.amr-graphql-down"),
    }
    assert case(root, healthy, "observer.health-check-ok").find("system-out") is not None
    assert case(root, AMR_DOWN, "observer.health-check-ok").find("system-out") is None
    assert list(case(root, healthy, "diagnosis.amr-graphql-down")) == []


def test_findings_outside_checked_and_sources_still_appear() -> None:
    """A hand-built report (no stats, no checked) still shows its finding."""
    finding = Finding.model_validate(
        {
            "id": "custom.thing",
            "title": "A thing",
            "severity": "error",
            "component": "custom",
            "category": "x",
            "count": 1,
            "first_seen": {"source": "<stdin>", "line": 3},
            "last_seen": {"source": "<stdin>", "line": 3},
            "evidence": [],
            "explanation": "Something.",
            "fingerprint": "f",
        }
    )
    root = parse(Report(findings=[finding]))
    tc = case(root, "<stdin>", "custom.thing")
    assert tc.find("failure") is not None and tc.get("classname") == "amr-logpatterns.custom"
    assert tc.get("file") is None
    assert "(no evidence kept from this source)" in (tc.findtext("failure") or "")


# --- the incident story


def _story_case(report: Report, name: str) -> ET.Element:
    return case(parse(report), "observer.log", name)


def test_a_symptom_s_failure_names_its_root_cause() -> None:
    tc = _story_case(incident(), "observer.circuit-breaker-open")
    failure = tc.find("failure")
    assert failure is not None
    assert failure.get("message") == "Title of observer.circuit-breaker-open (x3); root cause: diagnosis.handler-unhealthy"
    body = (failure.text or "").split("\n")
    assert body[2] == (
        "Root cause: diagnosis.handler-unhealthy (The CloudEvent Handler is unhealthy); this is a symptom of it."
    )
    assert body[3].startswith("Recovered: failing in observer.log since 2024-04-08T07:17:02Z (line 81)")
    shared = _story_case(incident(), "observer.circuit-breaker-half-open").find("failure")
    assert shared is None  # a warning below the default gate


def test_a_root_cause_s_failure_says_whether_it_still_happens() -> None:
    failure = _story_case(incident(), "diagnosis.handler-unhealthy").find("failure")
    assert failure is not None
    body = (failure.text or "").split("\n")
    assert body[1].startswith("Ongoing: still failing when the input ends; in observer.log since")
    assert "Rests on: observer.health-check-failed   Symptoms: observer.circuit-breaker-open, observer.circuit-breaker-half-open" in body
    assert body[-1] == "Fixed when you see: observer.health-check-ok"


def test_a_harmless_finding_passes_with_its_reason() -> None:
    tc = _story_case(incident(), "observer.replicaset-event-noop")
    assert tc.find("failure") is None and tc.find("skipped") is None
    out = tc.findtext("system-out") or ""
    assert "Harmless here: the handler refuses ReplicaSets not run from a Workload on purpose" in out
    assert "As long as: the ReplicaSet has no container named workload" in out


def test_a_broken_condition_fails_and_says_why() -> None:
    failure = _story_case(incident(), "handler.report-already-exists").find("failure")
    assert failure is not None
    body = failure.text or ""
    assert "Not harmless here: the first submission of this report failed" in body
    assert "Broken by the record at 2024-04-08T07:16:02Z (observer.log:52)" in body


def test_recovered_problems_pass_only_when_the_gate_ignores_them() -> None:
    counted = apply_policy(incident(), Policy())
    assert _story_case(counted, "observer.circuit-breaker-open").find("failure") is not None
    ignored = apply_policy(incident(), Policy(ignore_recovered=True))
    tc = _story_case(ignored, "observer.circuit-breaker-open")
    assert tc.find("failure") is None
    assert "Recovered: failing in observer.log" in (tc.findtext("system-out") or "")
    # The root cause itself is still failing, so it still fails the case.
    assert _story_case(ignored, "diagnosis.handler-unhealthy").find("failure") is not None
    props = {p.get("name"): p.get("value") for p in suite(parse(ignored), "observer.log").iter("property")}
    assert props["ignore-recovered"] == "true"


def test_unknown_messages_go_to_the_suite_they_were_first_seen_in() -> None:
    stats = incident().stats.model_copy(
        update={"sources": [*incident().stats.sources, SourceStats(source="handler.log")]}
    )
    moved = incident().unknown[1].model_copy(
        update={"first_seen": incident().unknown[1].first_seen.model_copy(update={"source": "handler.log"})}
    )
    root = parse(incident(stats=stats, unknown=[incident().unknown[0], moved]))
    observer = suite(root, "observer.log").findtext("system-out") or ""
    handler = suite(root, "handler.log").findtext("system-out") or ""
    assert "dial tcp <ip>:<num>: i/o timeout" in observer and "lease renewal" not in observer
    assert "lease renewal took <num>ms" in handler and "dial tcp" not in handler
    assert handler.startswith("Explained 9 of 12 error records;")


def test_at_fail_on_info_messages_no_signature_knows_fail_a_case(classifier: Classifier) -> None:
    log = '{"level":"error","msg":"the flux capacitor is out of alignment"}\n'
    report = classifier.classify(log, source_name="handler.log")
    root = parse(apply_policy(report, Policy(fail_on="info")))
    assert failing(root) == {("unknown messages", "unknown")}
    failure = case(root, "unknown messages", "unknown").find("failure")
    assert failure is not None
    assert failure.get("message") == "1 warning-or-worse record no signature knows (--fail-on info)"
    assert "the flux capacitor is out of alignment" in (failure.text or "")
    assert root.get("failures") == "1"
    assert root.find("testsuite[@name='unknown messages']") is not None
    quiet = parse(apply_policy(report, Policy(fail_on="error")))
    assert quiet.find("testsuite[@name='unknown messages']") is None and failing(quiet) == set()
