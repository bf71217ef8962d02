"""Benchmark the report formats on one report: what the HTML page costs beside the others.

Run:  python benchmarks/render.py                  (every example log plus a noisy 2 MB log)
      python benchmarks/render.py --size 8M --repeat 9

Classifies the shipped example logs together with a generated noisy log (``noisy.py``: many
controllers, planted AMR lines, pod state), once, then renders that one report in every
format ``--repeat`` times, interleaved, and prints each format's median time and its
multiple of the JSON format's time in the same run (JSON is a plain dump of the model: the
floor of any format). The HTML page's parts are timed too: the timeline model, the picture
alone, the page without the picture.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from noisy import generate_noisy

from amr_logpatterns import Classifier, Report
from amr_logpatterns.analyse.timeline import build_timeline
from amr_logpatterns.formatters import PLAIN, formatters
from amr_logpatterns.formatters.timeline_svg import timeline_svg
from amr_logpatterns.policy.gate import Policy, apply_policy

ROOT = Path(__file__).resolve().parent.parent


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    unit = text[-1].upper()
    return int(float(text[:-1]) * units[unit]) if unit in units else int(text)


def _report(size: int) -> Report:
    logs = ROOT / "examples" / "logs"
    examples = sorted(p for p in logs.iterdir() if p.name != "EXPECTED.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        noisy = Path(tmp) / "noisy.log"
        generate_noisy(noisy, size)
        report = Classifier().classify_files([*map(str, examples), str(noisy)])
    return apply_policy(report, Policy())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="2M", help="bytes of the noisy log (default 2M)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = _report(_size(args.size))
    timeline = build_timeline(report)
    lanes = len(timeline.components) + len(timeline.pods)
    print(
        f"report: {len(report.findings)} findings, {len(report.diagnoses)} root causes,"
        f" {len(report.unknown)} unknown templates, {lanes} timeline lanes"
    )
    jobs: dict[str, Callable[[], object]] = {
        name: (lambda f=render: f(report, PLAIN)) for name, render in formatters().items()
    }
    jobs["timeline model"] = lambda: build_timeline(report)
    jobs["timeline picture"] = lambda: timeline_svg(timeline, report)
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for job in jobs.values():  # warm: templates compiled, modules imported
        job()
    for _ in range(args.repeat):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["json"])
    print(f"{'format':<18} {'median ms':>10} {'x json':>8}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<18} {median * 1000:>10.1f} {median / base:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
