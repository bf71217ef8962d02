"""The record stream: every line counted, and a record's frames found across quiet lines."""

from __future__ import annotations

import pytest

from amr_logpatterns.decode.blocks import MAX_QUIET_LINES
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.models.records import LogRecord

HEAD = "2025-06-12T08:04:01Z\tERROR\tsetup\tproblem running manager"
FRAMES = ["main.main()", "\t/workspace/main.go:190"]


def _records(lines: list[str]) -> tuple[list[LogRecord], Tally]:
    tally = Tally("t.log")
    stream = RecordStream(tally)
    out: list[LogRecord] = []
    for number, text in enumerate(lines, 1):
        out += stream.push(number, text)
    return out + stream.finish(), tally


@pytest.mark.parametrize("quiet", ["", "$ kubectl -n metadata-store logs deploy/amr-persister"])
def test_frames_join_their_record_across_a_few_quiet_lines(quiet: str) -> None:
    got, tally = _records([HEAD, *[quiet] * MAX_QUIET_LINES, *FRAMES])
    assert [(r.line, r.end_line) for r in got] == [(1, MAX_QUIET_LINES + 3)]
    assert tally.blank_lines + tally.skipped_lines == MAX_QUIET_LINES


def test_more_quiet_lines_than_that_complete_the_record() -> None:
    got, _ = _records([HEAD, *[""] * (MAX_QUIET_LINES + 1), *FRAMES])
    first = MAX_QUIET_LINES + 3  # the head, the quiet lines, then the frames
    assert [(r.line, r.end_line) for r in got] == [(1, 1), (first, first), (first + 1, first + 1)]


def test_a_bulk_run_of_blank_lines_completes_the_record_too() -> None:
    """The fast path counts long runs of empty lines in bulk: the same rule holds."""
    tally = Tally("t.log")
    stream = RecordStream(tally)
    out = stream.push(1, HEAD) + stream.push(2, "")
    out += stream.blank_run(40, 42)
    out += stream.push(43, FRAMES[0]) + stream.push(44, FRAMES[1]) + stream.finish()
    assert [(r.line, r.end_line) for r in out] == [(1, 1), (43, 43), (44, 44)]
    assert (tally.blank_lines, tally.lines_read) == (41, 44)
