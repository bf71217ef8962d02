"""``amr-logpatterns lint``, ``test`` and ``schema``: the pack author's commands.

They read packs that may be broken, so, unlike the other subcommands, they load
their own and read no config.
"""

from __future__ import annotations

import argparse
from typing import IO

from amr_logpatterns.cli.exit_codes import EXIT_OK
from amr_logpatterns.cli.parser import Subcommands


def add_authoring_parsers(sub: Subcommands) -> None:
    """``lint``, ``test`` and ``schema`` and their options."""
    lint = sub.add_parser(
        "lint", help="check signature packs: schema, regexes, examples, fields, overlaps"
    )
    lint.add_argument("dirs", nargs="*", metavar="DIR", help="pack directories (default: built-in)")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings")
    lint.add_argument(
        "--no-builtin", action="store_true", help="do not load the built-in packs alongside"
    )
    lint.add_argument("--format", choices=["text", "json"], default="text")

    test = sub.add_parser("test", help="run every signature's examples; a pass/fail table")
    test.add_argument("dirs", nargs="*", metavar="DIR", help="pack directories (default: built-in)")
    test.add_argument(
        "--no-builtin", action="store_true", help="do not load the built-in packs alongside"
    )

    schema = sub.add_parser("schema", help="print the JSON Schema of pack files or the config")
    schema.add_argument(
        "--kind",
        choices=["pack", "signature", "diagnosis", "component", "config"],
        default="pack",
        help="which file format (default: pack, any pack file)",
    )


def _pack_dirs(args: argparse.Namespace) -> tuple[list[str] | None, bool]:
    """The pack directories given (None: the built-in ones) and whether to load the
    built-in packs alongside."""
    paths = args.dirs or None
    return paths, paths is None or not args.no_builtin


def run_lint(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Lint the packs; exit 1 on errors (on warnings too with ``--strict``)."""
    from amr_logpatterns.authoring.lint import lint_packs
    from amr_logpatterns.authoring.lint_report import format_lint, lint_exit_code

    paths, builtin = _pack_dirs(args)
    report = lint_packs(paths, builtin=builtin, entry_points=True)
    json_text = report.model_dump_json(indent=2) + "\n"
    out.write(json_text if args.format == "json" else format_lint(report))
    return lint_exit_code(report, args.strict)


def run_test(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run every signature's examples; exit 1 when one fails."""
    from amr_logpatterns.authoring.selftest import (
        format_test_table,
        pack_tests_exit_code,
        run_pack_tests,
    )

    paths, builtin = _pack_dirs(args)
    results = run_pack_tests(paths, builtin=builtin, entry_points=True)
    out.write(format_test_table(results))
    return pack_tests_exit_code(results)


def run_schema(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the JSON Schema of the ``--kind`` of file asked for."""
    from amr_logpatterns.authoring.json_schemas import schema_text

    out.write(schema_text(args.kind) + "\n")
    return EXIT_OK
