"""The terminal report: colour only on request, width, the SUPPRESSED section and the gate line.

The byte-exact output is pinned by the goldens in test_examples.py (``.verbose`` for the
full story these tests cover, ``.text`` for the short answer).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT
from test_format_story import RECOVERED, by_id, incident

from amr_logpatterns import Classifier
from amr_logpatterns.formatters import PLAIN, Options
from amr_logpatterns.formatters.screen import MIN_WIDTH
from amr_logpatterns.formatters.text import format_story
from amr_logpatterns.models.results import (
    Gate,
    Recovery,
    Report,
    Seen,
    Suppression,
    TapVersion,
    failing_name,
)

LOGS = ROOT / "examples" / "logs"
GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(p.name for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")
SGR = re.compile(r"\x1b\[[0-9;]*m")

HANDLER_DOWN = """\
{"level":"info","ts":"2025-01-21T07:58:12Z","caller":"amr-persister/main.go:61","msg":"Start Receiving"}
{"level":"debug","ts":"2025-01-21T07:58:54Z","caller":"persister/persisteradapter.go:76","msg":"Handle single event"}
{"level":"error","ts":"2025-01-21T08:02:40Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}
{"level":"error","ts":"2025-01-21T08:03:10Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}
"""


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _example(classifier: Classifier, name: str) -> Report:
    return classifier.classify_file(f"examples/logs/{name}")


def _down(classifier: Classifier) -> Report:
    return classifier.classify(HANDLER_DOWN, source_name="handler.log")


# --- colour


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_colour_only_when_asked_and_it_changes_nothing_else(
    classifier: Classifier, name: str
) -> None:
    report = _example(classifier, name)
    plain = format_story(report)
    coloured = format_story(report, Options(color=True))
    assert "\x1b" not in plain
    assert "\x1b" not in format_story(report, Options(color=False, width=70))
    assert SGR.sub("", coloured) == plain
    if report.findings:
        assert SGR.search(coloured)


@pytest.mark.usefixtures("at_root")
def test_colour_marks_severities_ids_and_commands(classifier: Classifier) -> None:
    report = _example(classifier, "observer-missing-scheme.log")
    out = format_story(report, Options(color=True))
    assert "\x1b[1;31m[error]\x1b[0m \x1b[1mobserver.unsupported-protocol-scheme\x1b[0m" in out
    assert "\x1b[1;33m[warning]\x1b[0m" in out
    command = report.diagnoses[0].remediation[1].command
    assert f"\x1b[32m$ {command}\x1b[0m" in out


def test_colour_marks_the_gate_verdict(classifier: Classifier) -> None:
    report = _down(classifier).model_copy(update={"gate": Gate(failed=True, notices=["old entry"])})
    out = format_story(report, Options(color=True))
    assert "Gate: \x1b[1;31mfailed\x1b[0m (--fail-on error)" in out
    assert "\x1b[33mWarning: old entry\x1b[0m" in out
    passed = format_story(report.model_copy(update={"gate": Gate()}), Options(color=True))
    assert "Gate: \x1b[1;32mpassed\x1b[0m" in passed


# --- width


def _whole_lines(report: Report) -> set[str]:
    """Lines that are never wrapped: evidence, commands and configuration, stripped."""
    keep: set[str] = set()
    steps = [s for d in report.diagnoses for s in d.remediation]
    for f in report.findings:
        steps += f.remediation
        for ev in f.evidence:
            keep.update(line.strip() for line in ev.text.splitlines())
    for step in steps:
        keep.update(f"$ {line}".strip() for line in (step.command or "").splitlines())
        keep.update(f"| {line}".strip() for line in (step.config or "").splitlines())
    return keep


def _structured(line: str, report: Report) -> bool:
    """A line that names things (an id and its place, the ids behind a root cause) or quotes a log."""
    text = line.strip()
    if " " not in text:
        return True  # one word longer than the width (a URL, a key) is never broken
    if text in _whole_lines(report) or any(text.endswith(w) for w in _whole_lines(report) if w):
        return True
    ids = {f.id for f in report.findings} | {d.id for d in report.diagnoses}
    text = text.removeprefix("CAUSE  ").removeprefix("SYMPTOM  ")
    first = text.split(" ")[1] if text.startswith("[") else text.split(" ")[0]
    return (
        text.startswith(("ROOT CAUSE", "NOTE", "Rests on:", "Symptoms:", "Fixed when you see:"))
        or text.startswith(("template: ", "example: "))  # an unknown message, quoted whole
        or re.match(r"\[\w+\] x\d+  first at ", text) is not None
        or first in ids
        or any(
            text.startswith(f"{ev.source}:{ev.line}:") for f in report.findings for ev in f.evidence
        )
    )


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_prose_fits_the_width(classifier: Classifier, name: str) -> None:
    report = _example(classifier, name)
    out = format_story(report, Options(width=60))
    long = [line for line in out.splitlines() if len(line) > 60]
    assert [line for line in long if not _structured(line, report)] == []
    if any(len(f.explanation) > 100 for f in report.findings if f.severity != "info"):
        assert out != format_story(report)


def test_the_gate_line_and_notices_wrap_too(classifier: Classifier) -> None:
    gate = Gate(
        failed=True,
        suppressed=1,
        baselined=2,
        hidden=3,
        excluded=4,
        min_severity="warning",
        notices=[
            "the ignore entry for handler.amr-unavailable in .amr-logpatterns.yaml expired on 2025-01-31"
        ],
    )
    out = format_story(_down(classifier).model_copy(update={"gate": gate}), Options(width=60))
    tail = out[out.index("Warning: the ignore entry") :].splitlines()
    assert tail and all(len(line) <= 60 for line in tail)
    assert " ".join(line.strip() for line in tail).endswith(
        "Gate: failed (--fail-on error); 1 suppressed, 2 baselined, 3 hidden below "
        "--min-severity warning, 4 excluded by --only/--exclude"
    )


def test_width_has_a_floor_and_a_default(classifier: Classifier) -> None:
    report = _down(classifier)
    assert format_story(report, Options(width=5)) == format_story(
        report, Options(width=MIN_WIDTH)
    )
    assert (
        format_story(report, Options(width=100))
        == format_story(report)
        == format_story(report, PLAIN)
    )
    assert format_story(report, Options(width=200)) != format_story(report)


@pytest.mark.usefixtures("at_root")
def test_evidence_is_clipped_not_wrapped(classifier: Classifier) -> None:
    report = _example(classifier, "handler-amr-down.jsonl")
    out = format_story(report, Options(width=60))
    evidence = [
        line
        for line in out.splitlines()
        if re.match(r" +examples/logs/handler-amr-down\.jsonl:\d+: ", line)
    ]
    assert evidence and all(line.endswith("characters)") for line in evidence)
    assert all(len(line) > 400 for line in evidence)


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_without_a_gate_the_output_is_the_cli_golden_less_its_gate_line(
    classifier: Classifier, name: str
) -> None:
    out = format_story(_example(classifier, name))
    cli_lines = (GOLDEN / f"{name}.verbose").read_text().splitlines(keepends=True)
    assert cli_lines[-1].startswith("Gate: ")
    assert out == "".join(cli_lines[:-1])
    assert "Gate:" not in out and "SUPPRESSED" not in out


# --- suppressions


def _suppressed(report: Report) -> Report:
    ignore = Suppression(
        kind="ignore",
        reason="the AMR upgrade window",
        origin=".amr-logpatterns.yaml",
        expires=date(2031, 5, 1),
    )
    baseline = Suppression(kind="baseline", reason="in baseline", origin="baseline.json")
    findings = [
        f.model_copy(update={"suppressed": ignore}) if f.id == "handler.amr-unavailable" else f
        for f in report.findings
    ]
    diagnoses = [d.model_copy(update={"suppressed": baseline}) for d in report.diagnoses]
    return report.model_copy(update={"findings": findings, "diagnoses": diagnoses})


def test_suppressed_items_are_listed_apart_with_kind_reason_origin_and_expiry(
    classifier: Classifier,
) -> None:
    report = _suppressed(_down(classifier))
    out = format_story(report)
    assert "PROBLEMS" not in out and "ROOT CAUSE" not in out
    before, section = out.split("SUPPRESSED (2): set aside, not counted by the gate\n")
    assert "handler.amr-unavailable" not in before
    assert section.startswith(
        "  [error] diagnosis.amr-graphql-down  root cause\n"
        "    baseline from baseline.json: in baseline\n"
        "  [error] handler.amr-unavailable  url=https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play"
        "  x2  (handler.log:3..4)\n"
        "    ignore from .amr-logpatterns.yaml, expires 2031-05-01: the AMR upgrade window\n"
        "\n"
    )
    assert "SIGNALS (2)" in before


def test_a_suppressed_signal_leaves_the_signals(classifier: Classifier) -> None:
    report = _down(classifier)
    why = Suppression(kind="ignore", reason="noise", origin="cfg")
    findings = [
        f.model_copy(update={"suppressed": why}) if f.id == "handler.ready" else f
        for f in report.findings
    ]
    out = format_story(report.model_copy(update={"findings": findings}))
    assert "SIGNALS (1)" in out
    assert "  [info] handler.ready  x1  (handler.log:1)\n    ignore from cfg: noise\n" in out


# --- the gate line


def _gated(classifier: Classifier, gate: Gate) -> str:
    """The report with ``gate``, wide enough that the gate line stays on one line."""
    return format_story(_down(classifier).model_copy(update={"gate": gate}), Options(width=200))


def test_failed_gate_counts_findings_and_root_causes(classifier: Classifier) -> None:
    report = _down(classifier)
    f = next(f for f in report.findings if f.severity == "error")
    d = report.diagnoses[0]
    out = _gated(classifier, Gate(failed=True, failing=[failing_name(f), failing_name(d)]))
    assert out.endswith("\nGate: failed (--fail-on error): 1 finding, 1 root cause\n")
    unknown = _gated(classifier, Gate(fail_on="info", failed=True, failing_unknown=3))
    assert unknown.endswith(
        "\nGate: failed (--fail-on info): 3 warning-or-worse records no signature knows\n"
    )


def test_passed_gate_says_what_it_set_aside_and_warns(classifier: Classifier) -> None:
    gate = Gate(
        fail_on="warning",
        baselined=2,
        hidden=1,
        min_severity="warning",
        notices=["ignore entry 3 expired on 2025-01-31", "ignore entry 5 matched nothing"],
    )
    out = _gated(classifier, gate)
    assert out.endswith(
        "\nWarning: ignore entry 3 expired on 2025-01-31\n"
        "Warning: ignore entry 5 matched nothing\n"
        "Gate: passed (--fail-on warning): nothing at warning or above remains; "
        "2 baselined, 1 hidden below --min-severity warning\n"
    )


def test_never_gate_says_it_is_off(classifier: Classifier) -> None:
    out = _gated(classifier, Gate(fail_on="never", excluded=2))
    assert out.endswith(
        "Gate: passed (--fail-on never): the gate is off; 2 excluded by --only/--exclude\n"
    )


# --- the incident story: folding, recovery, harmless findings, unknown messages, TAP release


def _story(report: Report | None = None) -> str:
    """The incident rendered wide, so each sentence sits on one line."""
    return format_story(report or incident(), Options(width=400))


def _section(out: str, heading: str) -> str:
    """From a heading to the next line that starts a top-level section."""
    start = out.index(heading)
    rest = out[start + len(heading) :]
    nxt = re.search(r"^(ROOT CAUSE|NOTE|PROBLEMS|HARMLESS|SIGNALS|UNKNOWN|SUPPRESSED|Read )", rest, re.M)
    return out[start : start + len(heading) + (nxt.start() if nxt else len(rest))]


def test_a_symptom_is_told_under_its_root_cause_and_not_again_among_problems() -> None:
    out = _story()
    cause = _section(out, "ROOT CAUSE  [error] diagnosis.handler-unhealthy")
    assert "\n  CAUSE  [error] observer.health-check-failed  x4  (observer.log:52..55)\n" in cause
    assert "\n  SYMPTOM  [error] observer.circuit-breaker-open  x3  (observer.log:81..83)\n" in cause
    # Folded findings keep their evidence and fix.
    assert "      observer.log:81: 2024-04-08T07:16:00Z\tERROR\tsetup\tobserver.circuit-breaker-open" in cause
    assert "         $ kubectl describe observer.circuit-breaker-open\n" in cause
    problems = _section(out, "PROBLEMS (2): no root cause above explains these")
    assert "observer.circuit-breaker-open" not in problems
    assert "] observer.health-check-failed" not in problems
    assert "[warning] observer.ivs-crd-missing" in problems
    for fid in ("observer.health-check-failed", "observer.circuit-breaker-open", "observer.ivs-crd-missing"):
        assert out.count(f"] {fid}  ") == 1, fid


def test_a_finding_two_root_causes_claim_is_told_once_and_referenced_after() -> None:
    out = _story()
    full = "  SYMPTOM  [warning] observer.circuit-breaker-half-open  x1  (observer.log:83)\n    Title of"
    assert out.count(full) == 1
    assert _section(out, "ROOT CAUSE  [error] diagnosis.handler-unhealthy").count(full) == 1
    second = _section(out, "ROOT CAUSE  [warning] diagnosis.second-opinion")
    assert second.endswith(
        "  SYMPTOM  [warning] observer.circuit-breaker-half-open  x1  (observer.log:83)"
        "  shown under diagnosis.handler-unhealthy above\n\n"
    )
    assert "  Symptoms: observer.circuit-breaker-half-open\n" in second
    assert "Rests on:" not in second


def test_the_root_cause_headline_says_it_is_still_happening() -> None:
    lines = _story().splitlines()
    assert lines[0] == (
        "ROOT CAUSE  [error] diagnosis.handler-unhealthy: The CloudEvent Handler is unhealthy"
        "  (confidence: high; still happening)"
    )
    assert lines[1] == (
        "  Ongoing: still failing when the input ends; in observer.log since 2024-04-08T07:16:02Z (line 52), "
        "last failure 07:25:10Z (line 98), 9m08s so far."
    )
    # The cause shares the root cause's recovery: said once, referred to after.
    assert "    Still failing when the input ends: as told for the root cause above.\n" in _story()


def test_a_recovered_root_cause_says_when_by_what_and_after_how_long() -> None:
    report = incident()
    diagnoses = [report.diagnoses[0].model_copy(update={"recovery": RECOVERED}), report.diagnoses[1]]
    lines = _story(report.model_copy(update={"diagnoses": diagnoses})).splitlines()
    assert lines[0].endswith("(confidence: high; recovered)")
    assert lines[1] == (
        "  Recovered: failing in observer.log since 2024-04-08T07:17:02Z (line 81), last failure 07:18:02Z "
        "(line 83); healthy again at 07:19:32Z (line 90) by observer.circuit-breaker-closed, after 2m30s."
    )


def test_a_root_cause_without_its_own_recovery_is_judged_by_its_cause() -> None:
    report = incident()
    diagnoses = [d.model_copy(update={"recovery": None}) for d in report.diagnoses]
    lines = _story(report.model_copy(update={"diagnoses": diagnoses})).splitlines()
    assert lines[0].endswith("(confidence: high; still happening)")
    assert lines[1].startswith("  Ongoing (judged by observer.health-check-failed): still failing")
    nothing = report.model_copy(
        update={
            "diagnoses": diagnoses,
            "findings": [f.model_copy(update={"recovery": None}) for f in report.findings],
        }
    )
    lines = _story(nothing).splitlines()
    assert lines[0].endswith("(confidence: high)") and lines[1] == "  Summary of diagnosis.handler-unhealthy."


def test_the_fix_ends_on_what_to_see_once_it_worked() -> None:
    cause = _section(_story(), "ROOT CAUSE  [error] diagnosis.handler-unhealthy")
    head = cause[: cause.index("\n\n")]
    assert head.endswith("    3. Restart it if it hangs.\n  Fixed when you see: observer.health-check-ok")


def test_harmless_findings_have_their_own_section_and_never_count_as_problems() -> None:
    out = _story()
    harmless = _section(out, "HARMLESS here (1): nothing to fix in this input")
    assert harmless == (
        "HARMLESS here (1): nothing to fix in this input\n"
        "  [error] observer.replicaset-event-noop  x2  (observer.log:20..21)  Title of observer.replicaset-event-noop\n"
        "    Harmless here: the handler refuses ReplicaSets not run from a Workload on purpose\n"
        "    As long as: the ReplicaSet has no container named workload\n\n"
    )
    assert out.count("observer.replicaset-event-noop  x2") == 1
    assert "PROBLEMS (2)" in out


def test_a_harmless_finding_a_root_cause_claims_is_referenced_there() -> None:
    report = incident()
    noop = by_id(report, "observer.replicaset-event-noop").model_copy(update={"explained_by": ["diagnosis.second-opinion"]})
    findings = [noop if f.id == noop.id else f for f in report.findings]
    out = _story(report.model_copy(update={"findings": findings}))
    second = _section(out, "ROOT CAUSE  [warning] diagnosis.second-opinion")
    assert "  SYMPTOM  [error] observer.replicaset-event-noop  x2  (observer.log:20..21)  harmless here: see HARMLESS below\n" in second
    assert "HARMLESS here (1)" in out


def test_a_broken_condition_shows_the_reason_and_the_record_it_points_at() -> None:
    problems = _section(_story(), "PROBLEMS (2)")
    block = problems[problems.index("[error] handler.report-already-exists") :]
    assert block.splitlines()[1:6] == [
        "  Title of handler.report-already-exists",
        "  Not harmless here: the first submission of this report failed, so the refused copy was the only one",
        "  It would be harmless if: an earlier submission of the same report succeeded",
        "  Broken by the record at 2024-04-08T07:16:02Z (observer.log:52)",
        "    observer.log:52: 2024-04-08T07:16:00Z\tERROR\tsetup\tobserver.health-check-failed said something 0",
    ]


def test_unknown_messages_are_listed_with_count_level_place_and_a_clipped_example() -> None:
    unknown = _section(_story(), "UNKNOWN (2)")
    lines = unknown.splitlines()
    assert lines[0] == "UNKNOWN (2): warning-or-worse messages no signature knows"
    assert lines[1:4] == [
        "  [error] x4  first at 2024-04-08T07:15:07Z (observer.log:7)",
        "    template: dial tcp <ip>:<num>: i/o timeout",
        "    example:  2024-04-08T07:15:07Z\tERROR\tnet\tdial tcp 10.0.0.7:443: i/o timeout "
        + "x" * 134
        + "… (+166 characters)",
    ]
    assert lines[4:7] == [
        "  [warning] x1  first at observer.log:9",
        "    template: lease renewal took <num>ms",
        "    example:  W0408 07:15:09 lease renewal took 812ms",
    ]
    assert lines[7] == "  ... and 1 more template not kept"


def test_the_figures_say_what_was_explained_and_for_which_release() -> None:
    out = _story()
    assert out.endswith(
        "Read 120 lines, 110 records; 16 matches.\n"
        "Explained 9 of 12 error records; 3 unknown templates (6 warning-or-worse records no signature knows).\n"
        "No record of any AMR component: no AMR log line and no AMR pod in the input.\n"
        "Advice written for Tanzu Application Platform 1.12 (given with --tap-version).\n"
    )
    inferred = TapVersion(version="1.6", source="inferred", evidence="`amr.observer.eventhandler` at observer.log:3")
    assert _story(incident(tap_version=inferred)).endswith(
        "Advice written for Tanzu Application Platform 1.6, inferred from the input: "
        "`amr.observer.eventhandler` at observer.log:3.\n"
    )
    assert _story(incident(tap_version=TapVersion())).endswith(
        "TAP version unknown: where a setting or resource is spelt differently between releases, "
        "the steps name both spellings.\n"
    )


def test_the_gate_line_counts_benign_and_recovered() -> None:
    gate = Gate(failed=True, failing=["diagnosis.handler-unhealthy"], benign=1, recovered=2, baselined=1)
    out = _story(incident(gate=gate))
    assert out.endswith("Gate: failed (--fail-on error): 1 root cause; 1 benign, 2 recovered, 1 baselined\n")
    ignored = gate.model_copy(update={"ignore_recovered": True})
    assert _story(incident(gate=ignored)).endswith(
        "; 1 benign, 2 recovered (recovered problems ignored), 1 baselined\n"
    )


def _first_screen_incident(classifier: Classifier) -> Report:
    """A real outage (the Observer's handler unhealthy), still failing when the log ends."""
    text = (LOGS / "mixed-prefix-all-containers.log").read_text()
    report = classifier.classify(text, source_name="amr-observer-controller-manager.log")
    (d,) = report.diagnoses
    recovery = Recovery(
        status="ongoing",
        since=Seen(source="amr-observer-controller-manager.log", line=52, ts="2024-04-08T07:16:02Z"),
        last_failure=Seen(source="amr-observer-controller-manager.log", line=98, ts="2024-04-08T07:18:32Z"),
        duration_seconds=150.0,
    )
    return report.model_copy(update={"diagnoses": [d.model_copy(update={"recovery": recovery})]})


def test_the_first_screen_names_the_cause_its_symptoms_whether_it_goes_on_and_the_first_step(
    classifier: Classifier,
) -> None:
    report = _first_screen_incident(classifier)
    (d,) = report.diagnoses
    assert d.symptom_ids and d.remediation
    screen = "\n".join(format_story(report).splitlines()[:25])
    assert screen.startswith(f"ROOT CAUSE  [error] {d.id}: {d.title}")
    assert "still happening" in screen.splitlines()[0]
    assert "Ongoing: still failing when the input ends" in screen
    for fid in [*d.finding_ids, *d.symptom_ids]:
        assert fid in screen, fid
    first_step = " ".join(d.remediation[0].text.split()[:6])
    assert f"    1. {first_step}" in screen


@pytest.mark.parametrize("width", [40, 60, 100])
def test_the_first_screen_holds_at_narrow_widths_too(classifier: Classifier, width: int) -> None:
    report = _first_screen_incident(classifier)
    screen = format_story(report, Options(width=width)).splitlines()[:25]
    assert any(line.startswith("    1. ") for line in screen)
    assert "Symptoms:" in "\n".join(screen)
