"""``amr-logpatterns explain-line``: how one line was read, what matched it, and why the
other signatures did not; the line given as pasted or by file and line number."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO

from amr_logpatterns.cli.exit_codes import EXIT_OK
from amr_logpatterns.cli.loading import cache_dir, load_config, load_pack
from amr_logpatterns.cli.options import (
    add_packs_options,
    add_redact_option,
    positive,
    redactor_for,
)
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.errors import UsageError
from amr_logpatterns.pipeline.classifier import Classifier


def add_explain_line_parser(sub: Subcommands) -> None:
    """``explain-line`` and its options."""
    why = sub.add_parser(
        "explain-line", help="how one line was read, what matched it, and why others did not"
    )
    why.add_argument("line", nargs="?", metavar="LINE", help="the line, as pasted")
    why.add_argument("--file", metavar="FILE", help="read the line from this file...")
    why.add_argument("--line", dest="line_number", type=positive, metavar="N", help="...at line N")
    why.add_argument(
        "--context-file", metavar="FILE", help="lines that came before LINE (describe headers...)"
    )
    why.add_argument("--signature", metavar="ID", help="explain this signature's verdict")
    why.add_argument("--format", choices=["text", "json"], default="text")
    add_redact_option(why)
    add_packs_options(why)


def run_explain_line(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the explanation of the line, as text or JSON."""
    from amr_logpatterns.explain import explain_file_line, explain_line, format_explanation

    pack = load_pack(args, load_config(args))
    classifier = Classifier(pack, cache_dir=cache_dir())
    try:
        if args.file is not None:
            if args.line_number is None or args.line is not None:
                raise UsageError("explain-line: give either LINE, or --file FILE --line N")
            expl = explain_file_line(
                classifier, args.file, args.line_number, signature_id=args.signature
            )
        else:
            if args.line is None:
                raise UsageError("explain-line: give the LINE, or --file FILE --line N")
            context = None
            if args.context_file is not None:
                try:
                    context = Path(args.context_file).read_bytes()
                except OSError as exc:
                    raise UsageError(f"{args.context_file}: cannot read: {exc.strerror}") from exc
            expl = explain_line(classifier, args.line, context=context, signature_id=args.signature)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    redactor = redactor_for(args)
    if redactor is not None:
        from amr_logpatterns.policy.redact import redact_model

        expl = redact_model(expl, redactor)
    if args.format == "json":
        out.write(expl.model_dump_json(indent=2) + "\n")
    else:
        out.write(format_explanation(expl))
    return EXIT_OK
