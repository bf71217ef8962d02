"""``scan --format jsonl``: every match written as it is found, one JSON line each, and the
gate decided from the matches themselves (never from the text written).

No report is built, so ignore entries and baselines, which describe findings,
cannot apply; the stream says so rather than ignoring them quietly.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from amr_logpatterns.cli.exit_codes import EXIT_FOUND, EXIT_OK
from amr_logpatterns.cli.outputs import open_output
from amr_logpatterns.cli.reading import select, workers_pay
from amr_logpatterns.ingest.inputs import open_inputs
from amr_logpatterns.ingest.loginput import LogInput
from amr_logpatterns.models.results import Match
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.pipeline.jsonl import format_match
from amr_logpatterns.policy.gate import Policy, reaches
from amr_logpatterns.policy.selectors import selected

if TYPE_CHECKING:
    from amr_logpatterns.policy.redact import Redactor


def stream_jsonl(
    classifier: Classifier,
    inputs: list[LogInput],
    args: argparse.Namespace,
    policy: Policy,
    dest: str | None,
    out: IO[str],
    err: IO[str],
    redactor: Redactor | None = None,
) -> int:
    """Stream matches; the exit code follows --fail-on, --only and --exclude over them.

    Ignore entries and baselines describe findings, which a stream of matches
    does not build; they are reported as not applied rather than ignored quietly.
    Other pods' logs found in a bundle are left unread, as for a report, and stderr says so.
    """
    inputs = select(classifier, inputs, args, err).read
    if policy.ignores or policy.baseline:
        print(
            "amr-logpatterns: warning: ignore entries and baselines apply to reports; "
            "the jsonl stream lists every match and gates on all of them",
            file=err,
        )
    target = out if dest is None or dest == "-" else open_output(dest)
    failed = False
    try:
        parallel = workers_pay(inputs, args.jobs) and redactor is None
        if parallel and not (policy.only or policy.exclude):
            lines = _parallel_lines(classifier, inputs, args.jobs)
        else:
            lines = _lines(classifier, inputs, policy, redactor)
        for text, match in lines:
            target.write(text)
            failed = failed or reaches(match.severity, policy.fail_on)
    finally:
        if target is not out:
            target.close()
    return EXIT_FOUND if failed else EXIT_OK


def _lines(
    classifier: Classifier,
    inputs: list[LogInput],
    policy: Policy,
    redactor: Redactor | None,
) -> Iterator[tuple[str, Match]]:
    """Each match --only and --exclude keep, as its (redacted) JSON line and the match."""
    by_id = {s.id: s for s in classifier.pack.signatures}
    if redactor is not None:
        from amr_logpatterns.policy.redact import redact_match  # only when --redact is given
    for name, handle in open_inputs(inputs):
        for match in classifier.scan(handle, source_name=name):
            component = by_id[match.id].component
            if policy.only and not selected(match.id, component, policy.only):
                continue
            if selected(match.id, component, policy.exclude):
                continue
            shown = match if redactor is None else redact_match(match, redactor)
            yield format_match(shown) + "\n", match


def _parallel_lines(
    classifier: Classifier, inputs: list[LogInput], jobs: int
) -> Iterator[tuple[str, Match]]:
    """Every match found by ``jobs`` worker processes, as its JSON line and the match.

    The workers hand back JSON lines; each is read back into its ``Match``
    (``format_match`` writes every field a ``Match`` needs).
    """
    from amr_logpatterns.pipeline.parallel import scan_parallel

    paths = [i.path for i in inputs if i.path is not None]
    for block in scan_parallel(classifier, paths, jobs):
        # split at "\n" only: a match's text may hold U+2028, which splitlines() breaks at
        for line in block.split("\n")[:-1]:
            yield line + "\n", Match.model_validate_json(line)
