"""``amr-logpatterns scan``: classify the logs, apply the gate, write each report asked for,
and exit 0 (passed), 1 (failed) or 2 (could not run) by the gated report."""

from __future__ import annotations

import argparse
import os
from typing import IO, TYPE_CHECKING

from amr_logpatterns.cli.exit_codes import EXIT_CODES_HELP, EXIT_FOUND, EXIT_OK, EXIT_USAGE
from amr_logpatterns.cli.gating import check_selectors, policy_for
from amr_logpatterns.cli.jsonl import stream_jsonl
from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_inputs_options, add_packs_options, redactor_for
from amr_logpatterns.cli.outputs import plan_outputs, write_output
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.cli.reading import classifier_for, classify, inputs_for, tell_read_errors
from amr_logpatterns.cli.terminal import render_options
from amr_logpatterns.errors import UsageError
from amr_logpatterns.formatters import PLAIN, REPORT_FORMATS, STREAMING, formatters
from amr_logpatterns.policy.gate import apply_policy

if TYPE_CHECKING:
    from amr_logpatterns.models.results import Report
    from amr_logpatterns.policy.redact import Redactor


def add_scan_parser(sub: Subcommands) -> None:
    """``scan`` and its options: output, what counts, inputs, packs."""
    scan = sub.add_parser(
        "scan",
        help="classify log files, directories, archives (or stdin) and gate on the result",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out = scan.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=[*REPORT_FORMATS, *STREAMING],
        help="format for stdout, or for -o FILE without a FORMAT: prefix (default: text)",
    )
    out.add_argument(
        "-o",
        "--output",
        metavar="[FORMAT:]FILE",
        action="append",
        default=[],
        help="also write a report to FILE (repeatable), in FORMAT when given, else by the "
        "file's suffix (.sarif .xml .md .html .json .jsonl .txt); FORMAT:- replaces stdout's "
        "(--format decides standard output only)",
    )
    out.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=None,
        help="text: the full story, with evidence, explanations and each finding's own fix"
        " (default: the short answer)",
    )
    out.add_argument(
        "--color",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="colour the text format (default: only on a terminal and when NO_COLOR is unset)",
    )
    show = scan.add_argument_group("what counts")
    show.add_argument(
        "--fail-on",
        choices=["info", "warning", "error", "never"],
        help="exit 1 when a finding or diagnosis at or above this remains (default: error)",
    )
    show.add_argument(
        "--min-severity",
        choices=["info", "warning", "error"],
        help="show only findings at or above this (hidden ones still count for --fail-on)",
    )
    show.add_argument(
        "--only",
        metavar="ID|COMPONENT",
        action="append",
        default=[],
        help="keep only these signature ids (globs like 'observer.*') or components (repeatable)",
    )
    show.add_argument(
        "--exclude",
        metavar="ID|COMPONENT",
        action="append",
        default=[],
        help="leave out these signature ids or components (repeatable)",
    )
    show.add_argument(
        "--expect",
        metavar="COMPONENT",
        action="append",
        default=[],
        help="fail when the input holds no record (logs or pod state) of this AMR component:"
        " observer, handler, graphql, store, or any (repeatable)",
    )
    show.add_argument(
        "--ignore-recovered",
        action="store_true",
        default=None,
        help="do not fail on problems whose healthy signal appears later in the same input",
    )
    show.add_argument(
        "--baseline",
        metavar="FILE",
        help="a JSON report of known problems: only findings not in it fail the gate",
    )
    show.add_argument(
        "--write-baseline", metavar="FILE", help="write this run's findings as a baseline"
    )
    add_inputs_options(scan)
    add_packs_options(scan)


def run_scan(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Scan the inputs; the exit code is the gate's (2 when an input could not be read)."""
    loaded = load_config(args)
    pack = load_pack(args, loaded)
    fmt = args.format or loaded.config.format or "text"
    if fmt not in (*REPORT_FORMATS, *STREAMING):
        raise UsageError(f"{loaded.path}: format: unknown format {fmt!r}")
    outputs = plan_outputs(args, fmt)
    policy = policy_for(args, loaded)
    check_selectors(policy, pack)
    classifier = classifier_for(args, pack)
    inputs = inputs_for(args, err)
    redactor = redactor_for(args)
    if outputs[0][0] == "jsonl":
        if args.write_baseline:
            raise UsageError("--write-baseline needs a report; jsonl streams matches")
        return stream_jsonl(classifier, inputs, args, policy, outputs[0][1], out, err, redactor)
    report = classify(classifier, inputs, args, err)
    if args.write_baseline:
        written = report if redactor is None else _redacted(report, redactor)
        write_output(args.write_baseline, formatters()["json"](written, PLAIN), out)
    # the policy sees real values (ignore entries compare fields); what is printed is redacted
    gated = apply_policy(report, policy)
    if redactor is not None:
        gated = _redacted(gated, redactor)
    for fmt_name, dest in outputs:
        stream = out if dest is None or dest == "-" else None
        write_output(dest, formatters()[fmt_name](gated, render_options(args, loaded, stream)), out)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and any(f == "github" for f, _ in outputs):
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(formatters()["markdown"](gated, render_options(args, loaded, None)))
    assert gated.gate is not None
    for notice in gated.gate.notices:
        print(f"amr-logpatterns: warning: {notice}", file=err)
    if tell_read_errors(gated, err) == EXIT_USAGE:
        return EXIT_USAGE
    return EXIT_FOUND if gated.gate.failed else EXIT_OK


def _redacted(report: Report, redactor: Redactor) -> Report:
    from amr_logpatterns.policy.redact import redact_report  # only when --redact is given

    return redact_report(report, redactor)
