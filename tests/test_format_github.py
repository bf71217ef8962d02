"""The GitHub Actions formatter: escaping, GitHub's per-step limits, ranking and the summary.

Set AMR_UPDATE_GOLDEN=1 to rewrite tests/golden/formats/*.github after an intended change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import check_golden
from test_format_story import incident

from amr_logpatterns import Classifier
from amr_logpatterns.formatters.github import (
    LIMIT,
    command,
    escape_data,
    escape_property,
    format_report,
)
from amr_logpatterns.models.results import Evidence, Finding, Gate, Report, Suppression
from amr_logpatterns.packs.schema import RemediationStep

LOGS = ROOT / "examples" / "logs"
GOLDEN = Path(__file__).parent / "golden" / "formats"
NAMES = sorted(p.name for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")
AMR_DOWN = "examples/logs/handler-amr-down.jsonl"
UNKNOWN_TAP = (
    "TAP version unknown: where a setting or resource is spelt differently between releases, "
    "the steps name both spellings."
)
NO_RECORDS = "No record of any AMR component: no AMR log line and no AMR pod in the input."
GRAMMAR = re.compile(r"^::(error|warning|notice)( [a-zA-Z]+=[^,:]*(,[a-zA-Z]+=[^,:]*)*)?::.*$")


@pytest.fixture(scope="module")
def reports(classifier: Classifier) -> Iterator[dict[str, Report]]:
    """Every example classified from the repository root, so sources are relative paths."""
    before = Path.cwd()
    os.chdir(ROOT)
    try:
        yield {name: classifier.classify_file(f"examples/logs/{name}") for name in NAMES}
    finally:
        os.chdir(before)


def lines_of(text: str) -> list[str]:
    """The output's lines as the runner reads them: only LF ends one (and CR must not occur)."""
    assert text.endswith("\n") and "\r" not in text
    return text[:-1].split("\n")


def _unescape(value: str, property_value: bool) -> str:
    """The runner's unescaping (ActionCommand): ``%25`` last, so ``%250A`` stays ``%0A``."""
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, raw in [*pairs, ("%25", "%")]:
        value = value.replace(escaped, raw)
    return value


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read back as the runner does: name, properties and message."""
    assert GRAMMAR.match(line), line
    head, _, message = line[2:].partition("::")
    name, _, props = head.partition(" ")
    properties = {}
    for item in filter(None, props.split(",")):
        key, _, value = item.partition("=")
        properties[key] = _unescape(value, property_value=True)
    return name, properties, _unescape(message, property_value=False)


def make_finding(fid: str, severity: str, count: int = 1, **update: object) -> Finding:
    data: dict[str, object] = {
        "id": fid,
        "title": f"Title of {fid}",
        "severity": severity,
        "component": fid.split(".")[0],
        "category": "test",
        "count": count,
        "first_seen": {"source": "x.log", "line": 1},
        "last_seen": {"source": "x.log", "line": count},
        "evidence": [{"source": "x.log", "line": 1, "end_line": 1, "text": "boom"}],
        "explanation": f"What {fid} means. Why it matters. A third sentence left out.",
        "remediation": [
            {"text": "Do the first thing.", "command": "kubectl get pods"},
            {"text": "Do the second thing.", "command": "kubectl get events"},
        ],
        "fingerprint": fid,
        "last_lines": {"x.log": count},
    }
    data.update(update)
    return Finding.model_validate(data)


def annotations(text: str) -> list[tuple[str, dict[str, str], str]]:
    return [parse(line) for line in lines_of(text)]


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, reports: dict[str, Report]) -> None:
    check_golden(GOLDEN / f"{name}.github", format_report(reports[name]))


@pytest.mark.parametrize("name", NAMES)
def test_every_line_is_a_workflow_command(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    parsed = annotations(format_report(report))
    *notes, summary = parsed
    assert summary[0] == "notice" and summary[1] == {"title": "amr-logpatterns"}
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    # Harmless findings are not annotated: only counted in the summary.
    items = [*report.diagnoses, *(f for f in report.findings if not (f.verdict and f.verdict.benign))]
    limits = {"error": LIMIT, "warning": LIMIT, "notice": LIMIT - 1}
    for level, limit in limits.items():
        wanted = sum(levels[i.severity] == level for i in items)
        assert sum(n[0] == level for n in notes) == min(wanted, limit)
    for _, props, message in notes:
        assert props["file"] == f"examples/logs/{name}"
        assert int(props["line"]) <= int(props["endLine"])
        assert props["title"].split(": ", 1)[0] in report.checked
        assert "\nFix: " in message or "More: " in message


def test_diagnosis_comes_first_with_its_evidence(reports: dict[str, Report]) -> None:
    level, props, message = annotations(format_report(reports["handler-amr-down.jsonl"]))[0]
    assert level == "error"
    assert props == {
        "file": AMR_DOWN,
        "line": "16",
        "endLine": "16",
        "title": "diagnosis.amr-graphql-down: The AMR GraphQL app is not serving",
    }
    assert message.startswith("The CloudEvent Handler cannot reach the AMR GraphQL app")
    assert "resting on handler.amr-unavailable" in message
    assert "\nFix: Check that the AMR GraphQL pod" in message
    assert "\n$ kubectl -n metadata-store get pods" in message


def test_escape_rules() -> None:
    assert escape_data("100% done\r\nnext :: a,b") == "100%25 done%0D%0Anext :: a,b"
    assert escape_property("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af"
    assert escape_data("%0A") == "%250A"
    assert command("warning", "m", file="a,b:c", line=3) == "::warning file=a%2Cb%3Ac,line=3::m"
    assert command("notice", "m", file=None, title="") == "::notice::m"


def test_hostile_text_round_trips() -> None:
    finding = make_finding(
        "observer.thing",
        "error",
        title="A: title, with :: colons",
        explanation="Disk 100% full\r\nthen ::error::injected. Second.",
        evidence=[{"source": "dir,1/a:b.log", "line": 7, "end_line": 9, "text": "x"}],
        group_fields={"url": "http://h:1/a,b", "raw": "50%\r\nnext"},
        remediation=[{"text": "Fix it.", "command": "echo 50%\necho ::done"}],
    )
    [note, summary] = lines_of(format_report(Report(findings=[finding])))
    assert "%0D%0A" in note and "%25" in note
    level, props, message = parse(note)
    assert level == "error"
    assert props == {
        "file": "dir,1/a:b.log",
        "line": "7",
        "endLine": "9",
        "title": "observer.thing: A: title, with :: colons",
    }
    # Prose is put on one line; the command keeps its line breaks, escaped.
    assert message.startswith("Disk 100% full then ::error::injected. Second.\n")
    assert message.endswith("\n$ echo 50%\n$ echo ::done")
    assert "(url=http://h:1/a,b, raw=50%\r\nnext)" in message
    assert parse(summary)[0] == "notice"


def test_control_characters_are_shown_not_sent() -> None:
    finding = make_finding("observer.thing", "warning", group_fields={"v": "a\x00b\x1b[31m\ud800"})
    note = lines_of(format_report(Report(findings=[finding])))[0]
    assert "a\\u0000b\\u001b[31m\\ud800" in parse(note)[2]
    note.encode("utf-8")


def test_message_is_meaning_first_step_and_first_command() -> None:
    finding = make_finding("observer.thing", "error", count=3)
    _, _, message = parse(lines_of(format_report(Report(findings=[finding])))[0])
    assert message.split("\n") == [
        "What observer.thing means. Why it matters.",
        "Seen 3 times, first at x.log:1, last at x.log:3.",
        "Fix: Do the first thing.",
        "$ kubectl get pods",
    ]


def test_first_command_may_come_from_a_later_step() -> None:
    steps = [RemediationStep(text="Look."), RemediationStep(text="Run.", command="kubectl logs x")]
    finding = make_finding("observer.thing", "error", remediation=steps)
    _, _, message = parse(lines_of(format_report(Report(findings=[finding])))[0])
    assert "\nFix: Look.\n$ kubectl logs x" in message


def test_limits_per_level_and_summary_counts_the_rest() -> None:
    errors = [make_finding(f"observer.e{i}", "error", count=i) for i in range(1, 16)]
    warnings = [make_finding(f"observer.w{i}", "warning", count=i) for i in range(1, 13)]
    infos = [make_finding(f"observer.i{i}", "info", count=i) for i in range(1, 13)]
    parsed = annotations(format_report(Report(findings=[*infos, *warnings, *errors])))
    levels = [p[0] for p in parsed]
    assert levels.count("error") == 10 and levels.count("warning") == 10
    assert levels.count("notice") == 10
    # Ranked by severity, then count: the most frequent errors are the ones shown.
    shown_errors = [p[1]["title"].split(":")[0] for p in parsed if p[0] == "error"]
    assert shown_errors == [f"observer.e{i}" for i in range(15, 5, -1)]
    assert levels == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 10
    _, props, message = parsed[-1]
    assert props == {"title": "amr-logpatterns"}
    assert "Annotated 10 errors, 10 warnings, 9 notices." in message
    assert "5 errors, 2 warnings, 3 notices more not annotated" in message
    assert "amr-logpatterns scan --format text" in message


def test_no_summary_of_left_out_when_all_fit() -> None:
    parsed = annotations(format_report(Report(findings=[make_finding("observer.e", "error")])))
    assert len(parsed) == 2 and "more not annotated" not in parsed[-1][2]
    assert parsed[-1][2].split("\n") == [
        "Annotated 1 error, 0 warnings, 0 notices.",
        "Explained 0 of 0 error records; 0 unknown templates (0 warning-or-worse records no signature knows).",
        NO_RECORDS,
        UNKNOWN_TAP,
    ]


def test_diagnoses_first_even_below_findings_severity(reports: dict[str, Report]) -> None:
    report = reports["handler-benign-noise.jsonl"]
    assert [d.id for d in report.diagnoses] == ["diagnosis.benign-noise"]
    loud = make_finding("observer.loud", "error", count=99)
    parsed = annotations(
        format_report(report.model_copy(update={"findings": [*report.findings, loud]}))
    )
    assert parsed[0][0] == "notice" and parsed[0][1]["title"].startswith("diagnosis.benign-noise: ")
    assert parsed[1][0] == "error" and parsed[1][1]["title"].startswith("observer.loud: ")


def test_suppressed_are_not_annotated_but_counted(reports: dict[str, Report]) -> None:
    report = reports["handler-amr-down.jsonl"]
    ignore = Suppression(kind="ignore", reason="known", origin=".amr-logpatterns.yaml:3")
    baseline = Suppression(kind="baseline", reason="in baseline", origin="baseline.json")
    findings = [
        f.model_copy(
            update={"suppressed": ignore if f.id == "handler.amr-unavailable" else baseline}
        )
        if f.id in ("handler.amr-unavailable", "handler.ready")
        else f
        for f in report.findings
    ]
    diagnoses = [d.model_copy(update={"suppressed": ignore}) for d in report.diagnoses]
    text = format_report(report.model_copy(update={"findings": findings, "diagnoses": diagnoses}))
    titles = [p[1].get("title", "") for p in annotations(text)]
    for gone in ("handler.amr-unavailable:", "handler.ready:", "diagnosis.amr-graphql-down:"):
        assert not any(t.startswith(gone) for t in titles)
    assert "Not annotated: 2 suppressed, 1 baselined." in annotations(text)[-1][2]


def test_gate_counts_what_the_report_no_longer_holds() -> None:
    gate = Gate(
        fail_on="warning",
        failed=True,
        failing=["observer.e (abc)", "observer.w (def)"],
        suppressed=4,
        baselined=2,
    )
    report = Report(findings=[make_finding("observer.e", "error")], gate=gate)
    message = annotations(format_report(report))[-1][2]
    assert "Not annotated: 4 suppressed, 2 baselined." in message
    assert message.endswith(
        "Gate failed (--fail-on warning): 2 findings; 4 suppressed, 2 baselined."
    )


def test_only_suppressed_is_not_called_empty() -> None:
    report = Report(gate=Gate(fail_on="error", failed=False, baselined=3))
    message = annotations(format_report(report))[-1][2]
    assert message.split("\n") == [
        "Annotated 0 errors, 0 warnings, 0 notices.",
        "Not annotated: 0 suppressed, 3 baselined.",
        "Explained 0 of 0 error records; 0 unknown templates (0 warning-or-worse records no signature knows).",
        NO_RECORDS,
        UNKNOWN_TAP,
        "Gate passed (--fail-on error): nothing at error remains; 3 baselined.",
    ]


def test_gate_passed_is_said() -> None:
    report = Report(gate=Gate(fail_on="error", failed=False))
    message = annotations(format_report(report))[-1][2].split("\n")
    assert (message[0], message[-1]) == (
        "No known AMR log line found in 0 sources.",
        "Gate passed (--fail-on error): nothing at error remains.",
    )


def test_no_evidence_or_no_file_means_no_location() -> None:
    bare = make_finding("observer.bare", "error", evidence=[])
    piped = make_finding(
        "observer.piped",
        "warning",
        evidence=[{"source": "<stdin>", "line": 4, "end_line": 4, "text": "x"}],
    )
    lines = lines_of(format_report(Report(findings=[bare, piped])))
    assert lines[0].startswith("::error title=observer.bare%3A Title of observer.bare::")
    assert lines[1].startswith("::warning title=observer.piped%3A Title of observer.piped::")


def test_empty_report() -> None:
    assert format_report(Report()) == (
        "::notice title=amr-logpatterns::No known AMR log line found in 0 sources.%0A"
        "Explained 0 of 0 error records; 0 unknown templates "
        "(0 warning-or-worse records no signature knows).%0A"
        f"{NO_RECORDS}%0A{UNKNOWN_TAP}\n"
    )


def test_evidence_type_is_used_for_location() -> None:
    ev = Evidence(source="x.log", line=5, end_line=2, text="t")
    finding = make_finding("observer.thing", "error", evidence=[ev.model_dump()])
    props = parse(lines_of(format_report(Report(findings=[finding])))[0])[1]
    assert (props["line"], props["endLine"]) == ("5", "5")


# --- the incident story


def _story_notes(report: Report) -> dict[str, tuple[str, str]]:
    """Each annotation by the id in its title: (level, message)."""
    *notes, _ = annotations(format_report(report))
    return {props["title"].split(":", 1)[0]: (level, message) for level, props, message in notes}


def test_a_symptom_names_its_root_cause_and_whether_it_recovered() -> None:
    notes = _story_notes(incident())
    level, message = notes["observer.circuit-breaker-open"]
    assert level == "error"
    lines = message.split("\n")
    assert lines[2] == "A symptom of root cause diagnosis.handler-unhealthy: The CloudEvent Handler is unhealthy."
    assert lines[3].startswith("Recovered: failing in observer.log since 2024-04-08T07:17:02Z (line 81)")
    _, cause = notes["observer.health-check-failed"]
    assert "\nEvidence for root cause diagnosis.handler-unhealthy: The CloudEvent Handler is unhealthy.\n" in cause
    _, shared = notes["observer.circuit-breaker-half-open"]
    assert "A symptom of root cause diagnosis.handler-unhealthy" in shared
    assert "A symptom of root cause diagnosis.second-opinion" in shared
    _, loose = notes["observer.ivs-crd-missing"]
    assert "root cause" not in loose


def test_the_root_cause_says_whether_it_still_happens() -> None:
    _, message = _story_notes(incident())["diagnosis.handler-unhealthy"]
    assert message.split("\n")[1:3] == [
        "Root cause (high confidence), resting on observer.health-check-failed; "
        "symptoms: observer.circuit-breaker-open, observer.circuit-breaker-half-open.",
        "Ongoing: still failing when the input ends; in observer.log since 2024-04-08T07:16:02Z (line 52), "
        "last failure 07:25:10Z (line 98), 9m08s so far.",
    ]


def test_harmless_findings_are_counted_not_annotated() -> None:
    notes = _story_notes(incident())
    assert "observer.replicaset-event-noop" not in notes
    _, broken = notes["handler.report-already-exists"]
    assert "\nNot harmless here: the first submission of this report failed" in broken
    summary = annotations(format_report(incident()))[-1][2].split("\n")
    assert "Not annotated: 0 suppressed, 0 baselined, 1 harmless here." in summary


def test_the_summary_has_the_gate_s_benign_and_recovered_counts() -> None:
    gate = Gate(failed=True, failing=["diagnosis.handler-unhealthy"], benign=1, recovered=2, ignore_recovered=True)
    summary = annotations(format_report(incident(gate=gate)))[-1][2].split("\n")
    assert summary[-1] == (
        "Gate failed (--fail-on error): 1 root cause;"
        " 1 benign, 2 recovered (recovered problems ignored)."
    )
