"""``amr-logpatterns explain ID``: one signature or diagnosis in full, every remediation
step shown, with the condition under which a conditional one applies."""

from __future__ import annotations

import argparse
from typing import IO

from amr_logpatterns.cli.exit_codes import EXIT_OK, EXIT_USAGE
from amr_logpatterns.cli.loading import load_config, load_pack
from amr_logpatterns.cli.options import add_packs_options
from amr_logpatterns.cli.parser import Subcommands
from amr_logpatterns.formatters.steps import terminal_steps
from amr_logpatterns.packs.schema import DiagnosisSpec, RemediationStep, Signature
from amr_logpatterns.wording import did_you_mean


def add_explain_parser(sub: Subcommands) -> None:
    """``explain`` and its options."""
    explain = sub.add_parser("explain", help="show one signature or diagnosis in full")
    explain.add_argument("id", metavar="ID")
    add_packs_options(explain)


def run_explain(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Print the signature or diagnosis ``ID``; exit 2, with the id meant, when none is."""
    pack = load_pack(args, load_config(args))
    sig = pack.signature(args.id)
    if sig is not None:
        out.write("\n".join(_signature_lines(sig)) + "\n")
        return EXIT_OK
    diag = next((d for d in pack.diagnoses if d.id == args.id), None)
    if diag is None:
        known = sorted([s.id for s in pack.signatures] + [d.id for d in pack.diagnoses])
        hint = did_you_mean(args.id, known) or "; run 'amr-logpatterns list'"
        print(f"amr-logpatterns: no signature or diagnosis {args.id!r}{hint}", file=err)
        return EXIT_USAGE
    out.write("\n".join(_diagnosis_lines(diag)) + "\n")
    return EXIT_OK


def _conditional(steps: list[RemediationStep]) -> list[RemediationStep]:
    """Steps that depend on what the input showed, saying so (``explain`` shows them all)."""
    out = []
    for step in steps:
        when = [f"{name} is known" for name in step.if_known]
        when += [f"{name} is not known" for name in step.if_unknown]
        if when:
            step = step.model_copy(update={"text": f"(When {' and '.join(when)}) {step.text}"})
        out.append(step)
    return out


def _signature_lines(sig: Signature) -> list[str]:
    lines = [
        f"{sig.id}  [{sig.severity}]  component: {sig.component}  category: {sig.category}",
        sig.title,
        "",
        sig.explanation.strip(),
    ]
    if sig.remediation:
        lines += ["", "Fix:", *terminal_steps(_conditional(sig.remediation), "  ")]
    if sig.verify:
        lines += ["", f"Fixed when you see: {', '.join(sig.verify)}"]
    if sig.references:
        lines += [f"Guide sections: {', '.join(sig.references)}"]
    lines += ["", "Matches, for example:"]
    lines += [f"  {e.line}" for e in sig.examples.match]
    lines += ["", "Does not match:"]
    lines += [f"  {line}" for line in sig.examples.no_match]
    return lines


def _diagnosis_lines(diag: DiagnosisSpec) -> list[str]:
    lines = [
        f"{diag.id}  [{diag.severity}]",
        diag.title,
        "",
        diag.summary.strip(),
        "",
        diag.explanation.strip(),
    ]
    lines += ["", f"Concluded from: {', '.join(sorted(set(diag.when.finding_ids())))}"]
    if diag.remediation:
        lines += ["", "Fix:", *terminal_steps(_conditional(diag.remediation), "  ")]
    return lines
