"""``amr-logpatterns list``: every signature and diagnosis of the packs, as a table, JSON or
the Markdown table the README shows (``index_table``)."""

from __future__ import annotations

import argparse
import json
from typing import IO

from amr_logpatterns.authoring.reference import index_table
from amr_logpatterns.cli.exit_codes import EXIT_OK
from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_packs_options
from amr_logpatterns.cli.parser import Subcommands


def add_list_parser(sub: Subcommands) -> None:
    """``list`` and its options."""
    listing = sub.add_parser("list", help="list the signatures and diagnoses")
    listing.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    add_packs_options(listing)


def run_list(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the signatures and diagnoses in the ``--format`` asked for."""
    pack = load_pack(args, load_config(args))
    if args.format == "json":
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
        out.write(index_table(pack))
        return EXIT_OK
    items = [(s.id, s.severity, s.title) for s in pack.signatures]
    items += [(d.id, d.severity, d.title) for d in pack.diagnoses]
    width = max((len(i) for i, _, _ in items), default=10)
    for item_id, severity, title in sorted(items):
        out.write(f"{item_id:<{width}}  {severity:<7}  {title}\n")
    return EXIT_OK
