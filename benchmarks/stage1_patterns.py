"""What each stage-1 pattern costs and what it sends to stage 2, on one log.

Run:  python benchmarks/stage1_patterns.py LOG [--bytes 8M] [--top 25]

For every pattern of stage 1 (the reading rules' structural patterns and the
signatures' literals) it prints the lines it flags, the lines *only* it flags
(what stage 2 would not read without it), and its scan time alone with the
standard-library engine, as a ratio to one ``bytes.count(b"\\n")`` pass over the
same bytes measured in the same run. The whole Hyperscan/RE2 scan is timed too.
Lines that look blank are always special and are left out of the counts.
"""

from __future__ import annotations

import argparse
import bisect
import re
import time
from collections import Counter
from pathlib import Path

from amr_logpatterns import Classifier
from amr_logpatterns.fast.prefilter import (
    BLANKISH,
    StdlibEngine,
    available_engines,
    make_engine,
    patterns_for,
)
from amr_logpatterns.models.stage1 import Pattern


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    unit = text[-1].upper()
    return int(float(text[:-1]) * units[unit]) if unit in units else int(text)


def _best_of(runs: int, work: object) -> float:
    assert callable(work)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--bytes", default="8M", help="how much of the log to read")
    parser.add_argument("--top", type=int, default=25, help="patterns to list")
    parser.add_argument("--runs", type=int, default=3, help="best of this many timings")
    args = parser.parse_args()
    with args.log.open("rb") as f:
        data = f.read(_size(args.bytes))
    data = data[: data.rfind(b"\n") + 1]
    lines = data.count(b"\n")
    starts = [0, *(m.end() for m in re.finditer(b"\n", data))]

    def lines_of(offsets: list[int]) -> set[int]:
        return {bisect.bisect_right(starts, o) - 1 for o in offsets}

    # as the classifier builds stage 1: the literals of signatures that can match a log line
    literals = [lit for cs in Classifier().signatures if cs.reads_raw for lit in cs.literals]
    patterns: tuple[Pattern, ...] = patterns_for(literals)
    floor = _best_of(args.runs, lambda: data.count(b"\n"))
    blank = lines_of([m.start() + 1 for m in BLANKISH.finditer(data)])
    flagged: dict[int, set[int]] = {}
    cost: dict[int, float] = {}
    for i, pattern in enumerate(patterns):
        engine = StdlibEngine([pattern])
        found = engine.scan(data)
        offsets = [] if found is None else found[0] + found[1]
        flagged[i] = lines_of(offsets) - blank
        cost[i] = _best_of(args.runs, lambda e=engine: e.scan(data))  # type: ignore[misc]
    by_line: Counter[int] = Counter(line for found in flagged.values() for line in found)
    special = len(by_line)
    print(f"{args.log}: {len(data) / 1e6:.1f} MB, {lines} lines, {special} special")
    print(f"({special / max(1, lines):.1%}; blank-looking lines apart: {len(blank)})")
    for name in available_engines():
        engine = make_engine(name, patterns)
        seconds = _best_of(args.runs, lambda e=engine: e.scan(data))  # type: ignore[misc]
        print(f"whole stage 1, {name}: {seconds / floor:.1f}x one newline count")
    print()
    print(f"{'flags':>7} {'only':>7} {'x count':>8}  pattern")
    rows = sorted(range(len(patterns)), key=lambda i: (-len(flagged[i]), -cost[i]))
    for i in rows[: args.top]:
        only = sum(1 for line in flagged[i] if by_line[line] == 1)
        kind = "literal" if patterns[i].hit else "structure"
        print(
            f"{len(flagged[i]):7d} {only:7d} {cost[i] / floor:8.1f}  "
            f"{kind:9} {patterns[i].regex[:70]!r}"
        )


if __name__ == "__main__":
    main()
