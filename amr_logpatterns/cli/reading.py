"""Reading logs for a command: the PATH arguments as inputs, the classifier the options ask
for, and the classifying of them with a progress bar, in worker processes when it pays.

``scan``, ``timeline`` and ``suggest`` read logs the same way through these, and
say the same things on stderr: what a walk skipped, how to end a paste, what
could not be read. Other pods' logs found in a directory or archive are left
unread unless ``--all-files`` (see ``pipeline.relevance``).
"""

from __future__ import annotations

import argparse
import sys
from typing import IO

from amr_logpatterns.cli.exit_codes import EXIT_OK, EXIT_USAGE
from amr_logpatterns.cli.loading import cache_dir
from amr_logpatterns.cli.terminal import is_terminal
from amr_logpatterns.errors import UsageError
from amr_logpatterns.ingest.inputs import (
    all_plain_files,
    close_inputs,
    expand_inputs,
    open_inputs,
    total_size,
)
from amr_logpatterns.ingest.loginput import LogInput
from amr_logpatterns.ingest.progress import ProgressBar, should_show
from amr_logpatterns.models.results import Report
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.pipeline.cutting import worth_cutting
from amr_logpatterns.pipeline.relevance import Selection, select_inputs, with_skipped

#: How to end a paste at a terminal, where the end of input is a key, not a file's end.
_PASTE_HINT = (
    "paste it, then press Ctrl-Z and Enter on a line of its own"
    if sys.platform == "win32"
    else "paste it, then press Ctrl-D on a line of its own"
)
#: Subcommands whose every report format says which files were left unread (the others
#: say it on stderr).
_REPORTS_TELL_SKIPPED = frozenset({"scan"})


def classifier_for(args: argparse.Namespace, pack: Pack) -> Classifier:
    """The classifier the inputs options ask for; a bad engine or limit is a usage error."""
    try:
        return Classifier(
            pack,
            engine=args.engine,
            cache_dir=cache_dir(),
            tap_version=args.tap_version,
            regex_timeout=args.regex_timeout,
            max_line_length=args.max_line_length,
        )
    except ImportError as exc:
        raise UsageError(f"--engine {args.engine}: {exc}") from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def inputs_for(args: argparse.Namespace, err: IO[str]) -> list[LogInput]:
    """The PATH arguments as inputs; what a directory walk could not read is said on stderr."""
    skipped: list[str] = []
    inputs = expand_inputs(args.paths or ["-"], args.glob, skipped=skipped)
    for entry in skipped:
        err.write(f"amr-logpatterns: skipped {entry}\n")
    if any(i.is_stdin for i in inputs) and is_terminal(sys.stdin):
        err.write(f"amr-logpatterns: reading the log from the terminal: {_PASTE_HINT}\n")
        err.flush()
    return inputs


def workers_pay(inputs: list[LogInput], jobs: int) -> bool:
    """Whether ``--jobs`` worker processes pay for these inputs: plain files, large enough
    to cut (decided without importing the process pool)."""
    return all_plain_files(inputs) and worth_cutting(total_size(inputs) or 0, jobs)


def select(
    classifier: Classifier,
    inputs: list[LogInput],
    args: argparse.Namespace,
    err: IO[str],
    *,
    tell: bool = True,
) -> Selection:
    """The inputs to read: other pods' logs found in a directory or archive are left out
    unless ``--all-files``; with ``tell``, one line on stderr says what was left unread."""
    chosen = select_inputs(inputs, classifier.pack.components, all_files=args.all_files)
    if tell and chosen.skipped:
        from amr_logpatterns.formatters.phrases import continued, skipped_sentences

        for sentence in skipped_sentences(Report(skipped_files=chosen.skipped)):
            err.write(f"amr-logpatterns: {continued(sentence)}\n")
    return chosen


def classify(
    classifier: Classifier, inputs: list[LogInput], args: argparse.Namespace, err: IO[str]
) -> Report:
    """The report of the ``inputs`` that can matter (``select``), with what was left unread
    in ``skipped_files``: ``scan`` writes that in every format, ``timeline`` and ``suggest``
    say it on stderr."""
    tell = getattr(args, "command", None) not in _REPORTS_TELL_SKIPPED
    chosen = select(classifier, inputs, args, err, tell=tell)
    try:
        return with_skipped(_classify(classifier, chosen.read, args, err), chosen.skipped)
    finally:
        close_inputs(inputs)


def _classify(
    classifier: Classifier, inputs: list[LogInput], args: argparse.Namespace, err: IO[str]
) -> Report:
    """The report of all ``inputs``, by ``--jobs`` worker processes when they are plain files."""
    bar = _progress(inputs, args, err)
    try:
        if workers_pay(inputs, args.jobs):
            from amr_logpatterns.pipeline.parallel import classify_parallel

            paths = [i.path for i in inputs if i.path is not None]
            advance = bar.advance if bar else None
            return classify_parallel(classifier, paths, args.jobs, on_progress=advance)
        return classifier.classify_many(open_inputs(inputs, progress=bar))
    finally:
        if bar:
            bar.finish()


def _progress(inputs: list[LogInput], args: argparse.Namespace, err: IO[str]) -> ProgressBar | None:
    total = total_size(inputs)
    mode = {None: "auto", True: "always", False: "never"}[args.progress]
    tty = is_terminal(err)
    return ProgressBar(total, stream=err, tty=tty) if should_show(mode, total, tty) else None


def tell_read_errors(report: Report, err: IO[str]) -> int:
    """Say on stderr what could not be read; exit 2 when anything could not, else 0."""
    errors = [src.read_error for src in report.stats.sources if src.read_error]
    for message in errors:
        print(f"amr-logpatterns: {message}", file=err)
    return EXIT_USAGE if errors else EXIT_OK
