"""The ``amr-logpatterns`` command: the only place that touches stdin, stdout, files and exit codes.

Exit codes: 0 nothing at error severity, 1 something at error severity,
2 usage errors, unreadable input and bad packs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from . import __version__
from .engine import Classifier, InputError, open_log
from .formatters import REPORT_FORMATS, STREAMING, Options, formatters
from .formatters.json_report import format_match
from .formatters.text import steps_lines
from .loader import Pack, PackError, load_packs
from .models import Report
from .schema import Signature

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

_EPILOG = """\
exit codes:
  0  nothing at error severity was found
  1  at least one finding or diagnosis at error severity
  2  usage error, unreadable input, or a bad signature pack
"""


class _Version(argparse.Action):
    """``--version``: the version and the stage-1 engine that is active (looked up only here)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from .prefilter import available_engines

        engines = available_engines()
        parser.exit(
            0,
            f"amr-logpatterns {__version__}\n"
            f"stage-1 engine: {engines[0]} (available: {', '.join(engines)})\n",
        )


def cache_dir() -> Path | None:
    """Where the command keeps validated packs: ``$AMR_LOGPATTERNS_CACHE`` (``off`` to
    disable), else ``$XDG_CACHE_HOME/amr-logpatterns`` or ``~/.cache/amr-logpatterns``."""
    setting = os.environ.get("AMR_LOGPATTERNS_CACHE")
    if setting is not None:
        return None if setting.lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amr-logpatterns"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amr-logpatterns",
        description="Explain Artifact Metadata Repository (AMR) logs: problems, evidence, fixes.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and engine")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def packs_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--patterns",
            metavar="DIR",
            action="append",
            default=[],
            help="add a directory of signature YAML files (repeatable)",
        )

    scan = sub.add_parser(
        "scan",
        help="classify log files (or stdin)",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument(
        "paths", nargs="*", metavar="PATH", help="log files (.gz too); '-' or none for stdin"
    )
    scan.add_argument("--format", choices=[*REPORT_FORMATS, *STREAMING], default="text")
    scan.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for large files (default: the number of CPUs)",
    )
    scan.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "hyperscan", "re2", "stdlib", "exact"],
        help="stage-1 engine of the fast path; exact reads every line (default: auto)",
    )
    packs_option(scan)

    listing = sub.add_parser("list", help="list the signatures and diagnoses")
    listing.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    packs_option(listing)

    explain = sub.add_parser("explain", help="show one signature or diagnosis in full")
    explain.add_argument("id", metavar="ID")
    packs_option(explain)
    return parser


def _scan(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    try:
        classifier = Classifier(pack, engine=args.engine, cache_dir=cache_dir())
    except (ValueError, ImportError) as exc:
        print(f"amr-logpatterns: --engine {args.engine}: {exc}", file=err)
        return EXIT_USAGE
    paths = args.paths or ["-"]
    if args.jobs > 1 and "-" not in paths:
        try:
            for path in paths:
                open_log(path).close()
        except InputError as exc:
            print(f"amr-logpatterns: {exc}", file=err)
            return EXIT_USAGE
        from .parallel import classify_parallel, scan_parallel

        if args.format == "jsonl":
            worst = EXIT_OK
            for block in scan_parallel(classifier, paths, args.jobs):
                out.write(block)
                if '"severity": "error"' in block:
                    worst = EXIT_FOUND
            return worst
        return _finish(classify_parallel(classifier, paths, args.jobs), args, out, err)
    sources = []
    try:
        for path in paths:
            sources.append(("<stdin>", sys.stdin.buffer) if path == "-" else (path, open_log(path)))
    except InputError as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    try:
        if args.format == "jsonl":
            worst = EXIT_OK
            for name, source in sources:
                for match in classifier.scan(source, source_name=name):
                    out.write(format_match(match) + "\n")
                    if match.severity == "error":
                        worst = EXIT_FOUND
            return worst
        report = classifier.classify_many(sources)
    finally:
        for name, source in sources:
            if name != "<stdin>":
                source.close()
    return _finish(report, args, out, err)


def _finish(report: Report, args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    out.write(formatters()[args.format](report, Options()))
    for src in report.stats.sources:
        if src.read_error:
            print(f"amr-logpatterns: {src.read_error}", file=err)
    if any(src.read_error for src in report.stats.sources):
        return EXIT_USAGE
    return EXIT_FOUND if report.has_severity("error") else EXIT_OK


def _list(args: argparse.Namespace, pack: Pack, out: IO[str]) -> int:
    if args.format == "json":
        import json

        rows = [
            {"id": s.id, "severity": s.severity, "component": s.component, "title": s.title}
            for s in pack.signatures
        ] + [
            {"id": d.id, "severity": d.severity, "component": "diagnosis", "title": d.title}
            for d in pack.diagnoses
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if args.format == "markdown":
        out.write(signature_table(pack))
        return EXIT_OK
    items = [(s.id, s.severity, s.title) for s in pack.signatures]
    items += [(d.id, d.severity, d.title) for d in pack.diagnoses]
    width = max((len(i) for i, _, _ in items), default=10)
    for item_id, severity, title in sorted(items):
        out.write(f"{item_id:<{width}}  {severity:<7}  {title}\n")
    return EXIT_OK


def signature_table(pack: Pack) -> str:
    """The Markdown table of signatures and diagnoses that the README shows."""
    rows = ["| id | severity | component | what it means |", "| --- | --- | --- | --- |"]
    for sig in sorted(pack.signatures, key=lambda s: s.id):
        rows.append(f"| `{sig.id}` | {sig.severity} | {sig.component} | {sig.title} |")
    for diag in sorted(pack.diagnoses, key=lambda d: d.id):
        rows.append(f"| `{diag.id}` | {diag.severity} | diagnosis | {diag.title} |")
    return "\n".join(rows) + "\n"


def _explain_signature(sig: Signature) -> list[str]:
    lines = [
        f"{sig.id}  [{sig.severity}]  component: {sig.component}  category: {sig.category}",
        sig.title,
        "",
        sig.explanation.strip(),
    ]
    if sig.remediation:
        lines += ["", "Fix:", *steps_lines(sig.remediation, "  ")]
    if sig.verify:
        lines += ["", f"Fixed when you see: {', '.join(sig.verify)}"]
    if sig.references:
        lines += [f"Guide sections: {', '.join(sig.references)}"]
    lines += ["", "Matches, for example:"]
    lines += [f"  {e.line}" for e in sig.examples.match]
    lines += ["", "Does not match:"]
    lines += [f"  {line}" for line in sig.examples.no_match]
    return lines


def _explain(args: argparse.Namespace, pack: Pack, out: IO[str], err: IO[str]) -> int:
    sig = pack.signature(args.id)
    if sig is not None:
        out.write("\n".join(_explain_signature(sig)) + "\n")
        return EXIT_OK
    diag = next((d for d in pack.diagnoses if d.id == args.id), None)
    if diag is None:
        known = sorted([s.id for s in pack.signatures] + [d.id for d in pack.diagnoses])
        close = [k for k in known if args.id.split(".")[-1] in k]
        hint = f" Did you mean: {', '.join(close)}?" if close else " Run 'amr-logpatterns list'."
        print(f"amr-logpatterns: no signature or diagnosis {args.id!r}.{hint}", file=err)
        return EXIT_USAGE
    lines = [
        f"{diag.id}  [{diag.severity}]",
        diag.title,
        "",
        diag.summary.strip(),
        "",
        diag.explanation.strip(),
    ]
    lines += ["", f"Concluded from: {sorted(set(diag.when.finding_ids()))}"]
    if diag.remediation:
        lines += ["", "Fix:", *steps_lines(diag.remediation, "  ")]
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    try:
        pack = load_packs(*args.patterns, cache_dir=cache_dir())
    except PackError as exc:
        print(f"amr-logpatterns: {exc}", file=err)
        return EXIT_USAGE
    try:
        if args.command == "scan":
            return _scan(args, pack, out, err)
        if args.command == "list":
            return _list(args, pack, out)
        return _explain(args, pack, out, err)
    except BrokenPipeError:
        return EXIT_OK
