"""What calling the library costs: the first ``classify()`` in a process, then each one after.

Run:  python benchmarks/api_calls.py            (5 fresh processes, 200 calls each)
      python benchmarks/api_calls.py --processes 9 --calls 1000

Each process imports ``amr_logpatterns``, times its first ``classify()`` of a
three-line paste (which loads and compiles the built-in packs), then the
median of ``--calls`` more ``classify()`` calls, of ``scan()`` calls, and of
``classify`` on one reused ``Classifier`` (the baseline: what a tool that
keeps its own classifier pays). Figures are medians over the processes; the
ratios are measured within each process, so a noisy machine moves them less
than the times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap

PASTE = (
    '{"level":"error","ts":"2025-01-21T08:02:40Z","msg":"AMR is unavailable: Get '
    '\\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp '
    '10.100.42.17:8443: connect: connection refused"}\n'
    "2023-06-20T19:01:58Z  ERROR  httpclient    "
    '{"error": "request failed with status 503"}\n'
    "2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Successfully sent CloudEvent\n"
)

_CHILD = textwrap.dedent(
    """
    import json, statistics, sys, time
    paste, calls = sys.argv[1], int(sys.argv[2])
    start = time.perf_counter()
    import amr_logpatterns
    imported = time.perf_counter() - start

    def timed(call):
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    first = timed(lambda: amr_logpatterns.classify(paste))
    again = [timed(lambda: amr_logpatterns.classify(paste)) for _ in range(calls)]
    scans = [timed(lambda: list(amr_logpatterns.scan(paste))) for _ in range(calls)]
    reused = amr_logpatterns.Classifier()
    kept = [timed(lambda: reused.classify(paste)) for _ in range(calls)]
    print(json.dumps({
        "import": imported,
        "first": first,
        "again": statistics.median(again),
        "scan": statistics.median(scans),
        "reused": statistics.median(kept),
    }))
    """
)


def measure(processes: int, calls: int) -> dict[str, float]:
    """Median figures over ``processes`` fresh interpreters, and the ratios within each."""
    runs = []
    for _ in range(processes):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, PASTE, str(calls)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    figures = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    figures["first / again"] = statistics.median(r["first"] / r["again"] for r in runs)
    figures["again / reused"] = statistics.median(r["again"] / r["reused"] for r in runs)
    figures["scan / reused"] = statistics.median(r["scan"] / r["reused"] for r in runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    figures = measure(args.processes, args.calls)
    print(f"{args.processes} processes x {args.calls} calls, medians:")
    for key in ("import", "first", "again", "scan", "reused"):
        print(f"  {key:<24} {figures[key] * 1000:10.3f} ms")
    for key in ("first / again", "again / reused", "scan / reused"):
        print(f"  {key:<24} {figures[key]:10.1f} x")


if __name__ == "__main__":
    main()
