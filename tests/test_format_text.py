"""The terminal report: colour only on request, width, the SUPPRESSED section and the gate line.

The byte-exact default output is pinned by the text goldens in test_examples.py.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

from amr_logpatterns import Classifier
from amr_logpatterns.formatters import PLAIN, Options
from amr_logpatterns.formatters.text import MIN_WIDTH, format_report
from amr_logpatterns.models import Gate, Report, Suppression

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
    plain = format_report(report)
    coloured = format_report(report, Options(color=True))
    assert "\x1b" not in plain
    assert "\x1b" not in format_report(report, Options(color=False, width=70))
    assert SGR.sub("", coloured) == plain
    if report.findings:
        assert SGR.search(coloured)


@pytest.mark.usefixtures("at_root")
def test_colour_marks_severities_ids_and_commands(classifier: Classifier) -> None:
    report = _example(classifier, "observer-missing-scheme.log")
    out = format_report(report, Options(color=True))
    assert "\x1b[1;31m[error]\x1b[0m \x1b[1mobserver.unsupported-protocol-scheme\x1b[0m" in out
    assert "\x1b[1;33m[warning]\x1b[0m" in out
    command = report.diagnoses[0].remediation[1].command
    assert f"\x1b[32m$ {command}\x1b[0m" in out


def test_colour_marks_the_gate_verdict(classifier: Classifier) -> None:
    report = _down(classifier).model_copy(update={"gate": Gate(failed=True, notices=["old entry"])})
    out = format_report(report, Options(color=True))
    assert "Gate: \x1b[1;31mfailed\x1b[0m (--fail-on error)" in out
    assert "\x1b[33mWarning: old entry\x1b[0m" in out
    passed = format_report(report.model_copy(update={"gate": Gate()}), Options(color=True))
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
    first = text.split(" ")[1] if text.startswith("[") else text.split(" ")[0]
    return (
        text.startswith(("ROOT CAUSE", "NOTE", "Rests on:", "Fixed when you see:"))
        or first in ids
        or any(
            text.startswith(f"{ev.source}:{ev.line}:") for f in report.findings for ev in f.evidence
        )
    )


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_prose_fits_the_width(classifier: Classifier, name: str) -> None:
    report = _example(classifier, name)
    out = format_report(report, Options(width=60))
    long = [line for line in out.splitlines() if len(line) > 60]
    assert [line for line in long if not _structured(line, report)] == []
    if any(len(f.explanation) > 100 for f in report.findings if f.severity != "info"):
        assert out != format_report(report)


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
    out = format_report(_down(classifier).model_copy(update={"gate": gate}), Options(width=60))
    tail = out.split("explained.\n")[1].splitlines()
    assert tail and all(len(line) <= 60 for line in tail)
    assert " ".join(line.strip() for line in tail).endswith(
        "Gate: failed (--fail-on error); 1 suppressed, 2 baselined, 3 hidden below "
        "--min-severity warning, 4 excluded by --only/--exclude"
    )


def test_width_has_a_floor_and_a_default(classifier: Classifier) -> None:
    report = _down(classifier)
    assert format_report(report, Options(width=5)) == format_report(
        report, Options(width=MIN_WIDTH)
    )
    assert (
        format_report(report, Options(width=100))
        == format_report(report)
        == format_report(report, PLAIN)
    )
    assert format_report(report, Options(width=200)) != format_report(report)


@pytest.mark.usefixtures("at_root")
def test_evidence_is_clipped_not_wrapped(classifier: Classifier) -> None:
    report = _example(classifier, "handler-amr-down.jsonl")
    out = format_report(report, Options(width=60))
    evidence = [
        line
        for line in out.splitlines()
        if line.startswith("    examples/logs/handler-amr-down.jsonl:")
    ]
    assert evidence and all(line.endswith("characters)") for line in evidence)
    assert all(len(line) > 400 for line in evidence)


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_without_a_gate_the_output_is_the_cli_golden_less_its_gate_line(
    classifier: Classifier, name: str
) -> None:
    out = format_report(_example(classifier, name))
    cli_lines = (GOLDEN / f"{name}.text").read_text().splitlines(keepends=True)
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
    out = format_report(report)
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
    out = format_report(report.model_copy(update={"findings": findings}))
    assert "SIGNALS (1)" in out
    assert "  [info] handler.ready  x1  (handler.log:1)\n    ignore from cfg: noise\n" in out


# --- the gate line


def _gated(classifier: Classifier, gate: Gate) -> str:
    """The report with ``gate``, wide enough that the gate line stays on one line."""
    return format_report(_down(classifier).model_copy(update={"gate": gate}), Options(width=200))


def test_failed_gate_counts_findings_and_root_causes(classifier: Classifier) -> None:
    report = _down(classifier)
    f = next(f for f in report.findings if f.severity == "error")
    d = report.diagnoses[0]
    out = _gated(classifier, Gate(failed=True, failing=[f"{f.id}@{f.fingerprint}", d.id]))
    assert out.endswith("\nGate: failed (--fail-on error): 1 finding, 1 root cause\n")
    by_print = _gated(classifier, Gate(failed=True, failing=[f.fingerprint, d.fingerprint]))
    assert by_print.endswith("Gate: failed (--fail-on error): 1 finding, 1 root cause\n")


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
        "error records explained.\n"
        "Warning: ignore entry 3 expired on 2025-01-31\n"
        "Warning: ignore entry 5 matched nothing\n"
        "Gate: passed (--fail-on warning): nothing at warning or above remains; "
        "2 baselined, 1 hidden below --min-severity warning\n"
    )


def test_never_gate_says_it_is_off(classifier: Classifier) -> None:
    out = _gated(classifier, Gate(fail_on="never", excluded=2))
    assert out.endswith(
        "Gate: passed (--fail-on never): the gate is off; 2 excluded by --only/--exclude\n"
    )
