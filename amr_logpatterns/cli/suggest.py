"""``amr-logpatterns suggest``: a draft signature YAML for each unknown warning or error
template in the input, printed or written one file per draft."""

from __future__ import annotations

import argparse
from typing import IO

from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_inputs_options, add_packs_options, redactor_for
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.cli.reading import classifier_for, classify, inputs_for, tell_read_errors
from amr_logpatterns.errors import UsageError


def add_suggest_parser(sub: Subcommands) -> None:
    """``suggest`` and its options."""
    suggest = sub.add_parser(
        "suggest", help="draft a signature YAML for each unknown error template in the input"
    )
    suggest.add_argument(
        "-o", "--output", metavar="DIR", help="write one file per draft here (default: stdout)"
    )
    suggest.add_argument("--prefix", default="custom", help="id prefix of the drafts")
    suggest.add_argument("--force", action="store_true", help="overwrite existing files in DIR")
    add_inputs_options(suggest)
    add_packs_options(suggest)


def run_suggest(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print or write the drafts; exit 2 when an input could not be read."""
    from amr_logpatterns.authoring.suggest import suggest_signatures, write_drafts

    pack = load_pack(args, load_config(args))
    classifier = classifier_for(args, pack)
    report = classify(classifier, inputs_for(args, err), args, err)
    redactor = redactor_for(args)
    if redactor is not None:
        from amr_logpatterns.policy.redact import redact_report

        report = redact_report(report, redactor)
    drafts = suggest_signatures(report.unknown, pack, prefix=args.prefix)
    if not drafts:
        print("amr-logpatterns: no unknown warning or error template in the input", file=err)
    elif args.output:
        try:
            written = write_drafts(drafts, args.output, overwrite=args.force)
        except (FileExistsError, OSError) as exc:
            raise UsageError(f"{args.output}: {exc}") from exc
        for path in written:
            print(path, file=out)
    else:
        for name, text in drafts.items():
            out.write(f"# --- {name} ---\n{text}")
    return tell_read_errors(report, err)
