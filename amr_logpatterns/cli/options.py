"""The options several subcommands share: what reads logs, which packs and config, and
``--redact``; declared once so every subcommand spells and explains them the same way."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from amr_logpatterns.analyse.matcher import DEFAULT_REGEX_TIMEOUT
from amr_logpatterns.ingest.reading import DEFAULT_MAX_LINE_LENGTH
from amr_logpatterns.policy.config import DEFAULT_NAME
from amr_logpatterns.policy.levels import LEVELS

if TYPE_CHECKING:
    from amr_logpatterns.policy.redact import Redactor


def _seconds(text: str) -> float | None:
    """``--regex-timeout``: seconds above 0, or ``off``."""
    if text.lower() in ("off", "none", "0"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, or off: {text!r}")
    return value


def positive(text: str) -> int:
    """``--jobs``, ``--max-line-length``, ``--line``: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def add_packs_options(p: argparse.ArgumentParser) -> None:
    """``--patterns``, ``--config`` and ``--no-config``: the packs and config a command uses."""
    p.add_argument(
        "--patterns",
        metavar="DIR",
        action="append",
        default=[],
        help="add a directory of signature YAML files (repeatable)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help=f"config file (default: {DEFAULT_NAME} in the working directory, if present)",
    )
    p.add_argument("--no-config", action="store_true", help=f"do not read {DEFAULT_NAME}")


def add_redact_option(p: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--redact`` (secrets) or ``--redact=all`` (also IP addresses and host names)."""
    p.add_argument(
        "--redact",
        choices=LEVELS,
        nargs="?",
        const="secrets",
        default=None,
        metavar="secrets|all",
        help="mask secrets (tokens, passwords, keys) in everything printed (--redact alone:"
        " secrets); --redact all also masks IP addresses and host names",
    )


def bare_redact_as_secrets(argv: list[str]) -> list[str]:
    """The arguments with a bare ``--redact`` spelled ``--redact=secrets``: argparse would
    take the next word as its value (words after ``--`` are left alone)."""
    raw = list(argv)
    cut = raw.index("--") if "--" in raw else len(raw)
    for i in range(cut):
        if raw[i] == "--redact" and (raw[i + 1] if i + 1 < cut else "") not in LEVELS:
            raw[i] = "--redact=secrets"
    return raw


def add_inputs_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads logs."""
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="log files (.gz too), directories, .tar/.tgz/.zip bundles; '-' or none for stdin",
    )
    inputs = p.add_argument_group("inputs")
    inputs.add_argument(
        "--glob",
        metavar="PATTERN",
        action="append",
        default=[],
        help="in directories and archives, read only files matching this (repeatable)",
    )
    inputs.add_argument(
        "--all-files",
        action="store_true",
        help="also read the files of a directory or archive whose path names a pod no AMR"
        " component runs in (default: left unread and counted in the report)",
    )
    inputs.add_argument(
        "--tap-version",
        metavar="X.Y",
        help="the Tanzu Application Platform release, for key names in the advice "
        "(default: inferred from the input when it can be)",
    )
    inputs.add_argument(
        "--jobs",
        type=positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for large files (default: the number of CPUs)",
    )
    inputs.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "hyperscan", "re2", "stdlib", "exact"],
        help="stage-1 engine of the fast path; exact reads every line (default: auto)",
    )
    add_redact_option(inputs)
    inputs.add_argument(
        "--regex-timeout",
        type=_seconds,
        default=DEFAULT_REGEX_TIMEOUT,
        metavar="SECONDS|off",
        help="time limit of one regex search on one record; longer ones count as no match "
        f"and are reported (default: {DEFAULT_REGEX_TIMEOUT})",
    )
    inputs.add_argument(
        "--max-line-length",
        type=positive,
        default=DEFAULT_MAX_LINE_LENGTH,
        metavar="BYTES",
        help="match only this many bytes of longer lines, counted as truncated (default: 1 MiB)",
    )
    inputs.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: for large inputs when stderr is a terminal)",
    )


def redactor_for(args: argparse.Namespace) -> Redactor | None:
    """One redactor per command run, so its ``<ip-N>``/``<host-N>`` numbers agree everywhere."""
    if not getattr(args, "redact", None):
        return None
    from amr_logpatterns.policy.redact import Redactor  # its patterns only when asked for

    return Redactor(args.redact)
