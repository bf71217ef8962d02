"""The timeline as a Mermaid gantt block: its structure, its axis by time or by input order,
names that cannot break the syntax, and nothing at all when nothing went wrong."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from test_format_markdown import code_blocks
from timeline_cases import START, lasting, problem, report

from amr_logpatterns import Classifier, Report
from amr_logpatterns.analyse.timeline import build_timeline
from amr_logpatterns.analyse.timeline_text import format_timeline_markdown
from amr_logpatterns.formatters.markdown import format_report
from amr_logpatterns.formatters.timeline_markdown import (
    CHART_SENTENCE,
    format_timeline_markdown_with_chart,
)
from amr_logpatterns.formatters.timeline_mermaid import d3_step, timeline_mermaid

INCIDENTS = FIXTURES / "incidents"
OUTAGE = [INCIDENTS / "amr-graphql-outage" / "amr-persister.jsonl", INCIDENTS / "amr-graphql-outage" / "amr-observer.log"]
LOGS = ROOT / "examples" / "logs"
NAME = r"[\w./ …-]+"
#: Every line a chart may hold; anything else could be Mermaid syntax smuggled in by a name.
LINE = re.compile(
    "|".join(
        [
            r"gantt",
            r"    %% [^\n]*",
            r"    accTitle: AMR components over time",
            r"    accDescr: failing and degraded stretches of \d+ lanes?",
            r"    todayMarker off",
            r"    title AMR components (over time \(UTC\)|in input order \(file then line\), not time)",
            r"    dateFormat (YYYY-MM-DD HH:mm:ss(\.SSS)?|x)",
            r"    axisFormat (%H:%M:%S\.%L|%H:%M:%S|%H:%M|%m-%d %H:%M|%m-%d|%Y-%m-%d|%-L|%s)",
            rf"    section {NAME}",
            rf"    (FAILING|DEGRADED) {NAME} :(crit|active), t\d+, [\d :.-]+, [\d :.-]+",
        ]
    )
)


def classify(classifier: Classifier, *paths: Path) -> Report:
    return classifier.classify_many([(p.name, p.read_text()) for p in paths])


def chart_lines(chart: str) -> list[str]:
    """The lines of the one mermaid block, checked against the grammar we emit."""
    (block,) = code_blocks(chart)
    info, lines = block
    assert info == "mermaid"
    bad = [line for line in lines if not LINE.fullmatch(line)]
    assert not bad, bad
    assert lines[0] == "gantt"
    return lines


def tasks(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if re.match(r"    (FAILING|DEGRADED) ", line)]


def test_outage_by_time(classifier: Classifier) -> None:
    chart = timeline_mermaid(build_timeline(classify(classifier, *OUTAGE)))
    assert chart.startswith("```mermaid\n") and chart.endswith("\n```\n")
    lines = chart_lines(chart)
    assert "    dateFormat YYYY-MM-DD HH:mm:ss" in lines and "    axisFormat %H:%M" in lines
    assert [line for line in lines if "section" in line or ":crit" in line] == [
        "    section handler",
        "    FAILING handler.amr-unavailable :crit, t0, 2025-03-11 08:11:04, 2025-03-11 08:20:13",
        "    section observer",
        "    FAILING observer.health-check-failed :crit, t1, 2025-03-11 08:11:05, 2025-03-11 08:20:13",
    ]
    assert any(line.startswith("    %% ") and "healthy time is left out" in line for line in lines)


def test_degraded_is_active_and_ongoing_runs_to_the_end() -> None:
    timeline = build_timeline(lasting(600))
    lines = chart_lines(timeline_mermaid(timeline))
    assert tasks(lines) == [
        "FAILING observer.down :crit, t0, 2025-03-11 08:00:00, 2025-03-11 08:10:00",
        "DEGRADED handler.slow :active, t1, 2025-03-11 08:03:20, 2025-03-11 08:10:00",
    ]


def _d3_labels(start: datetime, end: datetime, axis: str) -> list[str]:
    """The labels d3 draws: ten-ish ticks at its step, written in ``axis`` (UTC viewer)."""
    step = d3_step((end - start).total_seconds())
    step = 0.5 if step < 1 else step  # d3 rounds sub-second steps to 1, 2 or 5 times a power of ten
    first = math.ceil(start.timestamp() / step) * step
    ticks = [datetime.fromtimestamp(first + i * step, tz=timezone.utc) for i in range(1000)]
    fmt = axis.replace("%L", "{ms}")
    return [
        t.strftime(fmt).replace("{ms}", f"{t.microsecond // 1000:03d}") for t in ticks if t <= end
    ]


@pytest.mark.parametrize(
    ("seconds", "date_format", "axis", "first"),
    [
        (5, "YYYY-MM-DD HH:mm:ss.SSS", "%H:%M:%S.%L", "2025-03-11 08:00:00.000, 2025-03-11 08:00:05.000"),
        (50, "YYYY-MM-DD HH:mm:ss.SSS", "%H:%M:%S", "2025-03-11 08:00:00.000, 2025-03-11 08:00:50.000"),
        (50 * 60, "YYYY-MM-DD HH:mm:ss", "%H:%M", "2025-03-11 08:00:00, 2025-03-11 08:50:00"),
        (30 * 3600, "YYYY-MM-DD HH:mm:ss", "%m-%d %H:%M", "2025-03-11 08:00:00, 2025-03-12 14:00:00"),
        (4 * 86400, "YYYY-MM-DD HH:mm:ss", "%m-%d %H:%M", "2025-03-11 08:00:00, 2025-03-15 08:00:00"),
        (21 * 86400, "YYYY-MM-DD HH:mm:ss", "%m-%d", "2025-03-11 08:00:00, 2025-04-01 08:00:00"),
    ],
)
def test_axis_format_suits_the_length(seconds: int, date_format: str, axis: str, first: str) -> None:
    lines = chart_lines(timeline_mermaid(build_timeline(lasting(seconds))))
    assert f"    dateFormat {date_format}" in lines and f"    axisFormat {axis}" in lines
    assert tasks(lines)[0].endswith(f"t0, {first}")
    # the ticks d3 will draw each get a label of their own: none repeats, none is too coarse
    labels = _d3_labels(START, START + timedelta(seconds=seconds), axis)
    assert len(labels) >= 5 and len(set(labels)) == len(labels), labels


def test_an_instant_still_has_a_length() -> None:
    r = report(problem("observer.blip", START, START, line=10), problem("handler.down", START + timedelta(hours=1), line=20))
    (blip, _) = tasks(chart_lines(timeline_mermaid(build_timeline(r))))
    start, end = blip.split(", ")[-2:]
    assert start < end


def test_input_order_uses_ranks(classifier: Classifier) -> None:
    chart = timeline_mermaid(build_timeline(classify(classifier, LOGS / "store-upgrade-checkpoint.log")))
    lines = chart_lines(chart)
    assert lines[lines.index("    title AMR components in input order (file then line), not time") :] == [
        "    title AMR components in input order (file then line), not time",
        "    dateFormat x",
        "    axisFormat %-L",
        "    %% rank 0 is store-upgrade-checkpoint.log line 5",
        "    %% rank 1 is store-upgrade-checkpoint.log line 6",
        "    %% rank 2 is the end of the input",
        "    section store",
        "    DEGRADED store.restarts-high :active, t0, 0, 1",
        "    FAILING store.crash-loop and store.db-checkpoint-lost and 1 more :crit, t1, 1, 2",
        "    section pod metadata-store-app-64c8f7d9b5-n2xvq",
        "    DEGRADED store.restarts-high :active, t2, 0, 2",
        "    section pod metadata-store-db-0",
        "    FAILING store.crash-loop :crit, t3, 1, 2",
    ]


def test_hostile_names_cannot_break_the_chart() -> None:
    component = "a:b#c;d%%e\nsection evil\n```\nclick t0 href javascript:alert(1)"
    pod = '"><img src=x onerror=alert(1)>````'
    fid = "x:crit, t9, 2020-01-01 #; %%{init: {}}%%"
    r = report(
        problem(fid, START, START + timedelta(minutes=2), component=component, pod=pod),
        problem("<script>alert(1)</script>", START + timedelta(minutes=1), component="y", line=30),
    )
    chart = timeline_mermaid(build_timeline(r))
    lines = chart_lines(chart)  # one block, every line of the grammar: no `: # ; % < >` in names
    sections = [line.removeprefix("    section ") for line in lines if line.startswith("    section ")]
    assert len(sections) == 3 and len(tasks(lines)) == 3
    assert sections[0] == "a b c d e section ev… javascript alert 1"
    assert sections[1:] == ["pod img src x onerror alert 1", "y"]
    assert tasks(lines)[0].startswith("FAILING x crit t9 2020-01-01 init :crit, t0, 2025-03-11 08:00:00, ")
    assert tasks(lines)[2].startswith("FAILING script alert 1 /script :crit, t2, ")
    assert not any(line.lstrip().startswith(("click", "section evil", "%%{")) for line in lines)


def test_the_fence_outlasts_any_backticks() -> None:
    r = report(problem("observer.down", START, component="observer"))
    chart = timeline_mermaid(build_timeline(r))
    fence = chart.split("mermaid", 1)[0]
    assert fence == "```" and chart.rstrip("\n").endswith("\n" + fence)


def test_nothing_to_draw_is_empty(classifier: Classifier) -> None:
    assert timeline_mermaid(build_timeline(Report())) == ""
    healthy = classify(classifier, LOGS / "observer-healthy.log")
    timeline = build_timeline(healthy)
    assert timeline.components and timeline_mermaid(timeline) == ""
    assert format_timeline_markdown_with_chart(timeline) == format_timeline_markdown(timeline)
    assert "## Timeline" not in format_report(healthy)


def test_the_timeline_markdown_puts_the_chart_before_the_tables(classifier: Classifier) -> None:
    timeline = build_timeline(classify(classifier, *OUTAGE))
    md = format_timeline_markdown_with_chart(timeline)
    assert md.startswith(CHART_SENTENCE + "\n\n```mermaid\n")
    assert md.endswith(format_timeline_markdown(timeline))
    assert [info for info, _ in code_blocks(md)] == ["mermaid"]


def test_the_markdown_report_shows_the_chart_after_the_root_causes(classifier: Classifier) -> None:
    report_ = classify(classifier, *OUTAGE)
    md = format_report(report_)
    assert md.index("## Root causes") < md.index("## Timeline") < md.index("## Findings")
    (chart,) = [lines for info, lines in code_blocks(md) if info == "mermaid"]
    assert chart == chart_lines(timeline_mermaid(build_timeline(report_)))
