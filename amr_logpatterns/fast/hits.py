"""Which signature literals stage 1 saw on each line, so stage 2 evaluates only theirs.

Every match of a signature holds one of its stage-1 literals, in the raw line as
in the decoded record (``packs.literals`` cuts them so). So a record's line can
match only the signatures whose literals stage 1 found on it: none at all for
most of the warning-level and structural lines stage 1 sends on, and for the rest
the few that own the literals found, not every signature whose keyword it holds.

The claim holds for a record that is one line's own text (``RAW_ENCODINGS``):
pod state, events, kernel lines and CloudEvent dumps are summarised or rebuilt,
and a record joined from several lines (a CRI or Docker partial entry, a line a
terminal wrapped, a stack trace) may hold a literal no single line holds, so
those go through the keyword index as on the exact path. So do records on lines
stage 1 gave up on (too many matches in a buffer), on lines forgotten to keep
memory flat, and on lines whose engine could not tell which literal it found
(RE2). Only signatures that can match a log line have literals in stage 1
(``CompiledSignature.reads_raw``): pod state is found by patterns of its own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from amr_logpatterns.analyse.compiling import CompiledSignature
from amr_logpatterns.models.records import RAW_ENCODINGS

__all__ = ["KEEP_LINES", "RAW_ENCODINGS", "LiteralLines", "owners_of_hits"]

#: Lines of hits kept behind the newest one: far more than any record spans.
KEEP_LINES = 1 << 16


class LiteralLines:
    """Which signature literals stage 1 found on which lines, as the fast path reads.

    Until ``known`` is set (the exact path, or the fast path not yet started),
    nothing is known of any line.
    """

    __slots__ = ("_forgotten_below", "_hits", "_lines", "_unknown", "known")

    def __init__(self) -> None:
        self._lines: list[int] = []
        self._hits: list[int] = []
        self._unknown: list[tuple[int, int]] = []
        self._forgotten_below = 0
        self.known = False

    def add(self, found: Iterable[tuple[int, int]]) -> None:
        """(line number, hit number) pairs, by line, after every line added before."""
        for line, hit in found:
            self._lines.append(line)
            self._hits.append(hit)

    def add_unknown(self, first: int, last: int) -> None:
        """Lines whose literals stage 1 did not report: records on them are evaluated."""
        self._unknown.append((first, last))

    def forget_before(self, line: int) -> None:
        """Drop what is known of lines far before ``line``, to keep memory flat."""
        cut = line - KEEP_LINES
        if cut <= self._forgotten_below:
            return
        self._forgotten_below = cut
        drop = bisect.bisect_left(self._lines, cut)
        del self._lines[:drop], self._hits[:drop]
        self._unknown = [(a, b) for a, b in self._unknown if b >= cut]

    def found_on(self, first: int, last: int) -> frozenset[int] | None:
        """The hit numbers found on lines ``first``..``last``; None when that is not known
        (``UNKNOWN_HIT`` is among them when the engine could not tell which matched)."""
        if not self.known or first < self._forgotten_below:
            return None
        if any(a <= last and first <= b for a, b in self._unknown):
            return None
        lo = bisect.bisect_left(self._lines, first)
        hi = bisect.bisect_right(self._lines, last, lo)
        return frozenset(self._hits[lo:hi])


def owners_of_hits(signatures: Sequence[CompiledSignature]) -> tuple[tuple[int, ...], ...]:
    """For each hit number of stage 1 (the literals in ``patterns_for`` order: sorted), the
    indexes of the ``signatures`` that own that literal; only signatures that can match
    a log line (``reads_raw``) put literals into stage 1."""
    owners: dict[str, list[int]] = {}
    for i, cs in enumerate(signatures):
        if cs.reads_raw:
            for literal in cs.literals:
                owners.setdefault(literal, []).append(i)
    return tuple(tuple(owners[literal]) for literal in sorted(owners))
