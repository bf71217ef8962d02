"""``amr-logpatterns timeline``: each component's state over time (failing, degraded,
recovered) as text, Markdown (with a Mermaid chart), JSON, an HTML page or an SVG picture."""

from __future__ import annotations

import argparse
from typing import IO, TYPE_CHECKING

from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_inputs_options, add_packs_options, redactor_for
from amr_logpatterns.cli.outputs import plan_outputs, write_output
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.cli.reading import classifier_for, classify, inputs_for, tell_read_errors
from amr_logpatterns.cli.terminal import render_options
from amr_logpatterns.formatters import TIMELINE_FORMATS
from amr_logpatterns.policy.config import LoadedConfig

if TYPE_CHECKING:
    from amr_logpatterns.analyse.timeline import Timeline
    from amr_logpatterns.models.results import Report


def add_timeline_parser(sub: Subcommands) -> None:
    """``timeline`` and its options."""
    timeline = sub.add_parser(
        "timeline", help="each component's state over time: failing, degraded, recovered"
    )
    timeline.add_argument(
        "--format",
        choices=TIMELINE_FORMATS,
        default="text",
        help="for stdout: text, markdown (tables and a Mermaid gantt chart), json, html (a page"
        " with the picture and the evidence it points at) or svg (the picture alone)",
    )
    timeline.add_argument(
        "-o",
        "--output",
        metavar="[FORMAT:]FILE",
        action="append",
        default=[],
        help="also write the timeline to FILE (repeatable), in FORMAT when given, else by the "
        "file's suffix (.md .html .svg .json .txt); FORMAT:- replaces stdout's",
    )
    add_inputs_options(timeline)
    add_packs_options(timeline)


def run_timeline(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the timeline of the inputs; exit 2 when one could not be read."""
    from amr_logpatterns.analyse.timeline import build_timeline

    outputs = plan_outputs(args, args.format, TIMELINE_FORMATS)
    pack = load_pack(args, load_config(args))
    classifier = classifier_for(args, pack)
    report = classify(classifier, inputs_for(args, err), args, err)
    timeline = build_timeline(report)
    redactor = redactor_for(args)
    if redactor is not None:
        from amr_logpatterns.policy.redact import redact_model, redact_report

        timeline = redact_model(timeline, redactor)
        report = redact_report(report, redactor)
    for fmt, dest in outputs:
        stream = out if dest is None or dest == "-" else None
        width = render_options(args, LoadedConfig(), stream).width
        write_output(dest, _render(fmt, timeline, report, width), out)
    return tell_read_errors(report, err)


def _render(fmt: str, timeline: Timeline, report: Report, width: int) -> str:
    if fmt == "json":
        return timeline.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        from amr_logpatterns.formatters.timeline_markdown import (
            format_timeline_markdown_with_chart,
        )

        return format_timeline_markdown_with_chart(timeline)
    if fmt == "html":
        from amr_logpatterns.formatters.html import format_timeline_page

        return format_timeline_page(timeline, report)
    if fmt == "svg":
        from amr_logpatterns.formatters.timeline_svg import timeline_svg

        return timeline_svg(timeline, report, standalone=True) + "\n"
    from amr_logpatterns.analyse.timeline_text import format_timeline_text

    return format_timeline_text(timeline, width=width)
