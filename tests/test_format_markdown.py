"""The Markdown report: order, tables, fences, suppressions, and that log text stays inert.

Golden files live in tests/golden/formats/<log>.md; AMR_UPDATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import check_golden
from test_format_story import incident

from amr_logpatterns import Classifier
from amr_logpatterns.formatters import Options, guide_link
from amr_logpatterns.formatters.markdown import format_report
from amr_logpatterns.models.results import (
    Evidence,
    Finding,
    Gate,
    Report,
    Suppression,
    failing_name,
)

LOGS = ROOT / "examples" / "logs"
GOLDEN = Path(__file__).parent / "golden" / "formats"
FILES = sorted(p.name for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")

HANDLER_DOWN = """\
{"level":"info","ts":"2025-01-21T07:58:12Z","caller":"amr-persister/main.go:61","msg":"Start Receiving"}
{"level":"debug","ts":"2025-01-21T07:58:54Z","caller":"persister/persisteradapter.go:76","msg":"Handle single event"}
{"level":"error","ts":"2025-01-21T08:02:40Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}
{"level":"error","ts":"2025-01-21T08:03:10Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}
"""


# --- a small reader of the Markdown we emit, following CommonMark's fence and GFM's table rules


def code_blocks(md: str) -> list[tuple[str, list[str]]]:
    """Every fenced block as (info string, lines), closed only by a long-enough fence."""
    blocks: list[tuple[str, list[str]]] = []
    lines = md.splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"^( *)(`{3,})([^`]*)$", lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, info = len(opening[1]), opening[2], opening[3].strip()
        body: list[str] = []
        i += 1
        while i < len(lines) and not re.match(rf"^ *`{{{len(fence)},}} *$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        blocks.append((info, body))
        i += 1
    return blocks


def outside_code(md: str) -> str:
    """The text that Markdown would interpret: fenced blocks and code spans removed."""
    kept: list[str] = []
    in_fence: str | None = None
    for line in md.splitlines():
        fence = re.match(r"^ *(`{3,})", line)
        if in_fence is None and fence and "`" not in line.strip()[len(fence[1]) :]:
            in_fence = fence[1]
        elif in_fence is not None and re.match(rf"^ *`{{{len(in_fence)},}} *$", line):
            in_fence = None
        elif in_fence is None:
            kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def cells(row: str) -> list[str]:
    """A table row split the way GFM does: a backslash keeps the next character in the cell."""
    out, cell, chars = [], "", iter(row.strip()[1:-1])
    for char in chars:
        if char == "\\":
            cell += char + next(chars, "")
        elif char == "|":
            out.append(cell.strip())
            cell = ""
        else:
            cell += char
    return [*out, cell.strip()]


def table_after(md: str, heading: str) -> list[list[str]]:
    """The body rows (after header and delimiter) of the first table after ``heading``."""
    lines = md[md.index(heading) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    block: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        block.append(line)
    return [cells(line) for line in block[2:]]


def section(md: str, heading: str) -> str:
    """The text from ``heading`` to the next heading of the same level."""
    start = md.index(heading)
    level = heading.split(" ")[0]
    nxt = re.search(rf"^{level} ", md[start + len(heading) :], re.M)
    return md[start : start + len(heading) + nxt.start()] if nxt else md[start:]


def _report(classifier: Classifier, name: str) -> Report:
    return classifier.classify_file(f"examples/logs/{name}")


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


# --- the shipped examples


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_golden(classifier: Classifier, name: str) -> None:
    check_golden(GOLDEN / f"{name}.md", format_report(_report(classifier, name)))


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_root_causes_come_before_the_table_and_every_finding_is_in_it(
    classifier: Classifier, name: str
) -> None:
    report = _report(classifier, name)
    md = format_report(report)
    if report.diagnoses:
        assert md.index("## Root causes") < md.index("## Findings")
        for d in report.diagnoses:
            assert f"`{d.id}`" in section(md, "## Root causes")
    if report.findings:
        table_ids = {row[1].strip("`") for row in table_after(md, "## Findings")}
        assert table_ids == {f.id for f in report.findings}
        assert all(len(row) == 8 for row in table_after(md, "## Findings"))
    else:
        assert "## Findings" not in md


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("name", FILES)
def test_commands_and_configuration_are_verbatim_in_fenced_blocks(
    classifier: Classifier, name: str
) -> None:
    report = _report(classifier, name)
    md = format_report(report)
    blocks = code_blocks(md)
    consoles = ["\n".join(body) for info, body in blocks if info == "console"]
    yamls = ["\n".join(body) for info, body in blocks if info == "yaml"]
    steps = [s for d in report.diagnoses for s in d.remediation]
    steps += [s for f in report.findings if f.severity != "info" for s in f.remediation]
    for step in steps:
        if step.command:
            assert any(f"$ {step.command}" in block for block in consoles), step.command
        if step.config:
            assert step.config.rstrip() in yamls, step.config


@pytest.mark.usefixtures("at_root")
def test_the_verdict_is_the_first_line_and_names_the_worst_severity(
    classifier: Classifier,
) -> None:
    md = format_report(_report(classifier, "handler-amr-down.jsonl"))
    assert md.splitlines()[0] == (
        "**AMR logs:** worst severity error: 1 root cause, 1 problem, 3 signals"
    )
    healthy = format_report(_report(classifier, "observer-healthy.log"))
    assert healthy.splitlines()[0].startswith("**AMR logs:** nothing to fix (worst severity info)")


def test_an_empty_report_says_nothing_was_found() -> None:
    md = format_report(Report())
    assert md.startswith("**AMR logs:** no known problem found\n")
    assert "No known AMR log line found." in md
    assert "## Findings" not in md


@pytest.mark.usefixtures("at_root")
def test_guide_links_use_the_configured_address(classifier: Classifier) -> None:
    report = _report(classifier, "handler-amr-down.jsonl")
    options = Options(guide_url="https://docs.example.test/amr.html")
    md = format_report(report, options)
    for ref in report.diagnoses[0].references:
        assert f"({guide_link(ref, options)})" in section(md, "## Root causes")
    assert "docs.vmware.com" not in md


# --- suppressions and the gate


def _down(classifier: Classifier) -> Report:
    return classifier.classify(HANDLER_DOWN, source_name="handler.log")


def test_suppressed_findings_are_listed_with_their_reason_not_among_problems(
    classifier: Classifier,
) -> None:
    report = _down(classifier)
    target = next(f for f in report.findings if f.id == "handler.amr-unavailable")
    why = Suppression(
        kind="ignore",
        reason="AMR is down for planned maintenance",
        origin=".amr.yaml",
        expires=date(2031, 5, 1),
    )
    findings = [
        f.model_copy(update={"suppressed": why}) if f is target else f for f in report.findings
    ]
    diagnoses = [
        d.model_copy(update={"suppressed": why.model_copy(update={"kind": "baseline"})})
        for d in report.diagnoses
    ]
    md = format_report(report.model_copy(update={"findings": findings, "diagnoses": diagnoses}))
    assert report.diagnoses, "the sample should draw a root cause"
    active = {row[1].strip("`") for row in table_after(md, "## Findings")}
    assert target.id not in active
    assert "## Root causes" not in md
    assert target.title not in md.split("## Suppressed")[0]
    rows = table_after(md, "## Suppressed")
    finding_row = next(row for row in rows if target.id in row[1])
    assert finding_row[0] == "ignore"
    assert finding_row[2:] == [
        "error",
        str(target.count),
        "AMR is down for planned maintenance",
        ".amr.yaml",
        "2031-05-01",
    ]
    cause_row = next(row for row in rows if row[1].startswith("root cause"))
    assert cause_row[1] == f"root cause `{report.diagnoses[0].id}`"
    assert cause_row[0] == "baseline"
    assert cause_row[4] == "AMR is down for planned maintenance"


def test_the_gate_verdict_notices_and_what_was_set_aside(classifier: Classifier) -> None:
    report = _down(classifier)
    failing = next(f for f in report.findings if f.severity == "error")
    gate = Gate(
        fail_on="warning",
        failed=True,
        failing=[failing_name(failing), failing_name(report.diagnoses[0])],
        suppressed=2,
        baselined=1,
        hidden=4,
        excluded=3,
        min_severity="warning",
        notices=["ignore entry for observer.no-certs-appended expired on 2025-01-31"],
    )
    md = format_report(report.model_copy(update={"gate": gate}))
    assert md.splitlines()[0] == (
        "**AMR logs: gate failed** (--fail-on warning): 1 finding, 1 root cause; 2 suppressed,"
        " 1 baselined, 4 hidden below --min-severity warning, 3 excluded by --only/--exclude"
    )
    assert "- **Warning:** ignore entry for observer.no-certs-appended expired on 2025-01-31" in md
    passed = format_report(report.model_copy(update={"gate": Gate(fail_on="error")}))
    assert (
        passed.splitlines()[0]
        == "**AMR logs: gate passed** (--fail-on error): nothing at error remains"
    )
    assert "Gate counts" not in passed


# --- hostile log text


def _hostile(classifier: Classifier, text: str) -> tuple[Report, Finding]:
    report = _down(classifier)
    f = next(f for f in report.findings if f.id == "handler.amr-unavailable")
    evil = f.model_copy(
        update={
            "group_fields": {"url": text},
            "fields": {"url": text},
            "evidence": [Evidence(source="handler.log", line=2, end_line=2, text=text)],
            "explanation": f"The handler said {text} and gave up.",
        }
    )
    return report.model_copy(update={"findings": [evil]}), evil


def test_evidence_with_backtick_fences_cannot_close_its_block(classifier: Classifier) -> None:
    text = "before\n```\n## Injected heading\n````\n<script>alert(1)</script>\n`````` after"
    report, _ = _hostile(classifier, text)
    md = format_report(report)
    evidence = [body for info, body in code_blocks(md) if info == "text"]
    assert evidence == [text.splitlines()]
    assert not [line for line in outside_code(md).splitlines() if "Injected" in line]


def test_pipes_and_newlines_in_cells_stay_in_their_cell(classifier: Classifier) -> None:
    report, _ = _hostile(classifier, "a|b\\|c\nd || e")
    md = format_report(report)
    (row,) = table_after(md, "## Findings")
    assert len(row) == 8
    assert row[-2] == "url=a\\|b\\\\\\|c d \\|\\| e"
    assert "\n" not in row[-2]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](https://evil.example) ![x](https://evil.example/x.png)",
        "*bold* _em_ ~~gone~~ $x^2$",
        "`tick` and ``two`` and a lone ` here",
    ],
)
def test_log_text_cannot_inject_markdown_or_html(classifier: Classifier, text: str) -> None:
    report, finding = _hostile(classifier, text)
    md = format_report(report)
    plain = outside_code(md)
    assert not re.search(r"(?<!\\)<(script|img)", plain)
    assert "[click](" not in plain and "![x](" not in plain
    for token in ("*bold*", "_em_", "~~gone~~", "$x^2$"):
        assert token not in plain
    assert finding.title in md


def test_a_line_that_starts_like_a_list_or_heading_stays_a_paragraph(
    classifier: Classifier,
) -> None:
    report, _ = _hostile(classifier, "x")
    f = report.findings[0].model_copy(
        update={"explanation": "1. not a list\n- nor this\n# nor this"}
    )
    md = format_report(report.model_copy(update={"findings": [f]}))
    assert "1\\. not a list - nor this \\# nor this" in md.splitlines()


# --- the incident story


def test_findings_are_told_under_their_root_cause_and_not_again_among_problems() -> None:
    md = format_report(incident())
    causes = section(md, "## Root causes")
    first = section(md, "### The CloudEvent Handler is unhealthy (still happening)")
    assert "**error** · confidence high · `diagnosis.handler-unhealthy` · **still happening**" in first
    assert (
        "**Ongoing:** still failing when the input ends; in observer.log since 2024-04-08T07:16:02Z "
        "(line 52), last failure 07:25:10Z (line 98), 9m08s so far." in first
    )
    assert first.index("**Fix**") < first.index("Fixed when you see `observer.health-check-ok`.")
    assert first.index("Fixed when you see `observer.health-check-ok`.") < first.index("#### Cause:")
    assert "#### Cause: Title of observer.health-check-failed" in causes
    assert "#### Symptom: Title of observer.circuit-breaker-open" in causes
    symptom = section(md, "#### Symptom: Title of observer.circuit-breaker-open")
    assert "**Recovered:** failing in observer.log since" in symptom
    assert "$ kubectl describe observer.circuit-breaker-open" in symptom
    problems = section(md, "## Problems")
    assert "No root cause above explains these." in problems
    assert "### Title of observer.ivs-crd-missing" in problems
    for title in ("observer.health-check-failed", "observer.circuit-breaker-open", "observer.circuit-breaker-half-open"):
        assert f"Title of {title}" not in problems


def test_a_finding_two_root_causes_claim_is_told_once() -> None:
    md = format_report(incident())
    assert md.count("#### Symptom: Title of observer.circuit-breaker-half-open") == 1
    second = section(md, "### Title of diagnosis.second-opinion")
    assert (
        "**Symptom** `observer.circuit-breaker-half-open`: shown under `diagnosis.handler-unhealthy` above."
        in second
    )


def test_the_findings_table_says_each_finding_s_role_and_state() -> None:
    roles = {row[1].strip("`"): row[7] for row in table_after(format_report(incident()), "## Findings")}
    assert roles == {
        "observer.health-check-failed": "cause of `diagnosis.handler-unhealthy`, ongoing",
        "observer.circuit-breaker-open": "symptom of `diagnosis.handler-unhealthy`, recovered",
        "observer.circuit-breaker-half-open": (
            "symptom of `diagnosis.handler-unhealthy`; symptom of `diagnosis.second-opinion`"
        ),
        "observer.ivs-crd-missing": "problem",
        "observer.replicaset-event-noop": "harmless",
        "handler.report-already-exists": "problem",
        "observer.health-check-ok": "signal",
    }


def test_harmless_findings_have_their_own_section() -> None:
    md = format_report(incident())
    assert md.splitlines()[0] == (
        "**AMR logs:** worst severity error: 2 root causes, 5 problems, 1 harmless finding, 1 signal"
    )
    (row,) = table_after(md, "## Harmless here")
    assert row == [
        "error",
        "`observer.replicaset-event-noop`",
        "Title of observer.replicaset-event-noop",
        "2",
        "the handler refuses ReplicaSets not run from a Workload on purpose",
        "the ReplicaSet has no container named workload",
    ]
    assert "replicaset-event-noop" not in section(md, "## Problems")
    assert "replicaset-event-noop" not in section(md, "## Root causes")


def test_a_broken_condition_shows_the_reason_and_the_record() -> None:
    block = section(format_report(incident()), "### Title of handler.report-already-exists")
    assert "**Not harmless here:** the first submission of this report failed" in block
    assert "**It would be harmless if:** an earlier submission of the same report succeeded" in block
    assert "Broken by the record at 2024-04-08T07:16:02Z (observer.log:52)" in block
    assert "From `observer.log:52`:" in block
    assert block.index("Not harmless here") < block.index("From `observer.log:40`:")


def test_unknown_messages_are_a_table() -> None:
    md = format_report(incident())
    rows = table_after(md, "## Unknown messages")
    assert [row[:4] for row in rows] == [
        ["4", "error", "2024-04-08T07:15:07Z (observer.log:7)", "`dial tcp <ip>:<num>: i/o timeout`"],
        ["1", "warning", "observer.log:9", "`lease renewal took <num>ms`"],
    ]
    assert rows[0][4].endswith("… (+166 characters)`")
    assert "1 more template not kept." in section(md, "## Unknown messages")


def test_the_verdict_has_the_gate_counts_and_the_footer_the_figures() -> None:
    gate = Gate(failed=True, failing=["diagnosis.handler-unhealthy"], benign=1, recovered=2, ignore_recovered=True)
    md = format_report(incident(gate=gate))
    assert md.startswith(
        "**AMR logs: gate failed** (--fail-on error): 1 root cause;"
        " 1 benign, 2 recovered (recovered problems ignored)\n"
    )
    assert md.endswith(
        "Read 120 lines, 110 records; 16 matches.\n\n"
        "Explained 9 of 12 error records; 3 unknown templates (6 warning-or-worse records no signature knows).\n\n"
        "No record of any AMR component: no AMR log line and no AMR pod in the input.\n\n"
        "Advice written for Tanzu Application Platform 1.12 (given with --tap-version).\n"
    )
