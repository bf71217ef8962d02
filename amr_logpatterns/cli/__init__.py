"""The ``amr-logpatterns`` command: the only place that touches stdin, stdout, files and exit codes.

Each subcommand lives in its own module, which declares its arguments
(``add_*_parser``) and runs it (``run_*``); ``main`` builds the parser from
them and dispatches by the subcommand's name.

Exit codes: 0 the gate passed, 1 the gate failed (a finding or diagnosis at or
above ``--fail-on`` remains after suppressions and the baseline), 2 usage
errors, unreadable input and bad packs, config or baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import IO

from amr_logpatterns.about import __version__
from amr_logpatterns.cli.authoring import add_authoring_parsers, run_lint, run_schema, run_test
from amr_logpatterns.cli.exit_codes import EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE
from amr_logpatterns.cli.explain import add_explain_parser, run_explain
from amr_logpatterns.cli.explain_line import add_explain_line_parser, run_explain_line
from amr_logpatterns.cli.listing import add_list_parser, run_list
from amr_logpatterns.cli.options import bare_redact_as_secrets
from amr_logpatterns.cli.parser import CommandParser, Subcommands
from amr_logpatterns.cli.scan import add_scan_parser, run_scan
from amr_logpatterns.cli.suggest import add_suggest_parser, run_suggest
from amr_logpatterns.cli.timeline import add_timeline_parser, run_timeline
from amr_logpatterns.errors import BaselineError, ConfigError, InputError, PackError, UsageError
from amr_logpatterns.packs.sources import may_register

__all__ = ["build_parser", "main"]

#: A subcommand's run: its arguments, stdout and stderr in, its exit code out.
Run = Callable[[argparse.Namespace, IO[str], IO[str]], int]

#: The subcommands' parsers, added in the order ``--help`` lists them.
_PARSERS: tuple[Callable[[Subcommands], None], ...] = (
    add_scan_parser,
    add_list_parser,
    add_explain_parser,
    add_timeline_parser,
    add_explain_line_parser,
    add_authoring_parsers,
    add_suggest_parser,
)

#: Each subcommand's run, by its name.
_RUNS: dict[str, Run] = {
    "scan": run_scan,
    "list": run_list,
    "explain": run_explain,
    "timeline": run_timeline,
    "explain-line": run_explain_line,
    "lint": run_lint,
    "test": run_test,
    "schema": run_schema,
    "suggest": run_suggest,
}


class _Version(argparse.Action):
    """``--version``: the version and the stage-1 engine that is active (looked up only here)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from amr_logpatterns.fast.prefilter import available_engines

        engines = available_engines()
        parser.exit(
            0,
            f"amr-logpatterns {__version__}\n"
            f"stage-1 engine: {engines[0]} (available: {', '.join(engines)})\n",
        )


def build_parser() -> argparse.ArgumentParser:
    """The command's parser, with every subcommand's."""
    parser = CommandParser(
        prog="amr-logpatterns",
        description="Explain Artifact Metadata Repository (AMR) logs: problems, evidence, fixes.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and engine")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_parser in _PARSERS:
        add_parser(sub)
    return parser


def _no_plugin_scan_without_plugins() -> None:
    """Pydantic reads every installed distribution's metadata for plugins when it builds
    its first model (a tenth of a short run in a large environment). When no
    distribution registers one, tell it so (``PYDANTIC_DISABLE_PLUGINS``), and it skips
    the read; plugins that are installed load as ever."""
    if "PYDANTIC_DISABLE_PLUGINS" not in os.environ and not may_register("pydantic"):
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code (0 passed, 1 gate failed, 2 cannot run)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    _no_plugin_scan_without_plugins()
    raw = bare_redact_as_secrets(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(raw)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    except UsageError as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    try:
        return _RUNS[args.command](args, out, err)
    except (PackError, ConfigError, BaselineError, InputError, UsageError) as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
