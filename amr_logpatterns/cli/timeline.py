"""``amr-logpatterns timeline``: each component's state over time (failing, degraded,
recovered) as text, Markdown or JSON."""

from __future__ import annotations

import argparse
from typing import IO

from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_inputs_options, add_packs_options, redactor_for
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.cli.reading import classifier_for, classify, inputs_for, tell_read_errors
from amr_logpatterns.cli.terminal import render_options
from amr_logpatterns.policy.config import LoadedConfig


def add_timeline_parser(sub: Subcommands) -> None:
    """``timeline`` and its options."""
    timeline = sub.add_parser(
        "timeline", help="each component's state over time: failing, degraded, recovered"
    )
    timeline.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    add_inputs_options(timeline)
    add_packs_options(timeline)


def run_timeline(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the timeline of the inputs; exit 2 when one could not be read."""
    from amr_logpatterns.analyse.timeline import build_timeline
    from amr_logpatterns.analyse.timeline_text import format_timeline_markdown, format_timeline_text

    pack = load_pack(args, load_config(args))
    classifier = classifier_for(args, pack)
    report = classify(classifier, inputs_for(args, err), args, err)
    timeline = build_timeline(report)
    redactor = redactor_for(args)
    if redactor is not None:
        from amr_logpatterns.policy.redact import redact_model, redact_report

        timeline = redact_model(timeline, redactor)
        report = redact_report(report, redactor)
    if args.format == "json":
        out.write(timeline.model_dump_json(indent=2) + "\n")
    elif args.format == "markdown":
        out.write(format_timeline_markdown(timeline))
    else:
        width = render_options(args, LoadedConfig(), out).width
        out.write(format_timeline_text(timeline, width=width))
    return tell_read_errors(report, err)
