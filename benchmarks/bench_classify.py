"""Throughput of the classifier, as ratios against baselines measured in the same run.

Run:  python benchmarks/bench_classify.py [--mb 20]

It builds a synthetic log (the shipped examples, repeated, between ordinary
controller lines), then times, interleaved and repeated: reading the file's
lines in Python (the floor), the reading+decoding stages alone, and the full
``classify``. Figures are medians; ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from amr_logpatterns import Classifier
from amr_logpatterns.blocks import group
from amr_logpatterns.decoders import decode_line
from amr_logpatterns.reading import read_lines

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "logs"

FILLER = (
    "2024-05-01T10:00:{s:02d}Z\tINFO\tcontroller.workload\tReconciling\t"
    '{{"namespace": "apps", "name": "web-{i}"}}\n'
    "I0501 10:00:{s:02d}.000123       1 reflector.go:351] Watch close - *v1.Pod total {i} items\n"
    '{{"level":"info","ts":"2024-05-01T10:00:{s:02d}Z","logger":"cache","msg":"synced",'
    '"objects":{i}}}\n'
)


def build_log(path: Path, megabytes: int) -> int:
    """Write a log of about ``megabytes`` MB: one example line per ~1000 filler lines."""
    files = [f for f in sorted(EXAMPLES.glob("*.*")) if f.suffix != ".yaml"]
    samples = [line for f in files for line in f.read_text().splitlines()]
    target = megabytes * 1_000_000
    written = 0
    i = 0
    with path.open("w") as out:
        while written < target:
            chunk = "".join(FILLER.format(s=(i + k) % 60, i=i + k) for k in range(333))
            chunk += samples[i % len(samples)] + "\n"
            out.write(chunk)
            written += len(chunk)
            i += 333
    return written


def timed(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(_once(fn) for _ in range(repeat))


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20, help="size of the synthetic log in MB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    classifier = Classifier()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "bench.log"
        size = build_log(log, args.mb)

        def lines() -> None:
            with log.open("rb") as f:
                for _ in f:
                    pass

        def stages() -> None:
            with log.open("rb") as f:
                texts = (line for line in read_lines(f) if line.kind == "text")
                for _ in group(r for line in texts for r in decode_line(line, "b")):
                    pass

        def classify() -> None:
            classifier.classify_file(log)

        modes = {"read lines (baseline)": lines, "read+decode+group": stages, "classify": classify}
        results = {name: timed(fn, args.repeat) for name, fn in modes.items()}
    base = results["read lines (baseline)"]
    print(f"input: {size / 1e6:.1f} MB, median of {args.repeat} runs")
    print(f"{'mode':<24} {'seconds':>8} {'MB/s':>8} {'x baseline time':>16}")
    for name, seconds in results.items():
        print(f"{name:<24} {seconds:>8.2f} {size / 1e6 / seconds:>8.1f} {seconds / base:>16.1f}")


if __name__ == "__main__":
    main()
