"""Benchmark log stores' envelopes against the same records as plain lines: what peeling costs.

Run:  python benchmarks/envelopes.py                 (about 20 MB of records per shape)
      python benchmarks/envelopes.py --size 4M --repeat 3

Generates one set of records (``generate.py``'s sparse profile: noise with planted AMR
lines), then writes the same records as plain lines (under their labels, as ``logcli``
prints them by default, so every shape names the same pod) and in each envelope: ``logcli
--output=jsonl``, ``stern --output json``, Fluent Bit's ``{"log": ...}`` with Kubernetes
metadata, pretty-printed Loki ``query_range`` answers (as ``jq`` prints them, 5,000 entries
each), CloudWatch ``filter-log-events`` pages (as the AWS CLI prints them) and a CSV export. Times
``scan`` of each, interleaved, ``--repeat`` times, with the default engine and with
``--engine exact``; prints the median wall times and each shape's time as a multiple of
the plain lines' in the same run, and checks that every shape reports the planted
findings the plain lines report.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

POD = "amr-persister-5b8d9c7f6-h4k2m"
LABELS = {"namespace": "metadata-store", "pod": POD, "container": "amr-persister"}
EPOCH_NS = 1_738_709_121_000_000_000
PAGE = 5000


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    unit = text[-1].upper()
    return int(float(text[:-1]) * units[unit]) if unit in units else int(text)


def _shapes(lines: list[str], tmp: Path) -> dict[str, Path]:
    """The records in each shape, one file each."""
    out: dict[str, Path] = {}

    def write(name: str, text: str) -> None:
        out[name] = tmp / name
        out[name].write_text(text)

    # the baseline: the same lines under the same labels, as ``logcli`` prints them by default
    label_set = ", ".join(f'{k}="{v}"' for k, v in LABELS.items())
    write("plain.log", "".join(f"{{{label_set}}} {line}\n" for line in lines))
    ts = [EPOCH_NS + i * 1_000_000 for i in range(len(lines))]
    write(
        "logcli.jsonl",
        "".join(
            json.dumps({"labels": LABELS, "line": line, "timestamp": str(t)}) + "\n"
            for line, t in zip(lines, ts, strict=True)
        ),
    )
    write(
        "stern.jsonl",
        "".join(
            json.dumps(
                {
                    "message": line + "\n",
                    "namespace": "metadata-store",
                    "podName": POD,
                    "containerName": "amr-persister",
                }
            )
            + "\n"
            for line in lines
        ),
    )
    kubernetes = {
        "pod_name": POD,
        "namespace_name": "metadata-store",
        "container_name": "amr-persister",
    }
    write(
        "fluent-bit.jsonl",
        "".join(
            json.dumps({"log": line + "\n", "stream": "stderr", "kubernetes": kubernetes}) + "\n"
            for line in lines
        ),
    )
    # the answers a client pages through, one after the other: Loki returns at most 5,000
    # entries a query (newest first), CloudWatch at most 10,000 events a page
    values = [[str(t), line] for line, t in zip(lines, ts, strict=True)]
    answers = []
    for i in range(0, len(values), PAGE):
        result = [{"stream": LABELS, "values": values[i : i + PAGE][::-1]}]
        answer = {"status": "success", "data": {"resultType": "streams", "result": result}}
        answers.append(json.dumps(answer, indent=2) + "\n")
    write("loki.json", "".join(answers))
    stream = f"kube.var.log.containers.{POD}_metadata-store_amr-persister-{'0' * 64}.log"
    events = [
        {"logStreamName": stream, "timestamp": t // 1_000_000, "message": line, "eventId": str(i)}
        for i, (line, t) in enumerate(zip(lines, ts, strict=True))
    ]
    write(
        "cloudwatch.json",
        "".join(
            json.dumps({"events": events[i : i + PAGE]}, indent=4) + "\n"
            for i in range(0, len(events), PAGE)
        ),
    )
    path = tmp / "export.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["@timestamp", "kubernetes.namespace_name", "kubernetes.pod_name", "message"]
        )
        writer.writerows(
            [str(t // 1_000_000), "metadata-store", POD, line]
            for line, t in zip(lines, ts, strict=True)
        )
    out["export.csv"] = path
    return out


def _run(path: Path, engine: str | None) -> tuple[float, Counter[str]]:
    cmd = [sys.executable, "-m", "amr_logpatterns", "scan", "--no-config", "--format", "json"]
    cmd += ["--engine", engine] if engine else []
    start = time.perf_counter()
    done = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{path.name}: scan failed ({done.returncode}): {done.stderr[-500:]}")
    report = json.loads(done.stdout)
    return seconds, Counter({f["id"]: f["count"] for f in report["findings"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="20M", help="bytes of plain records (default 20M)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "records.log"
        generate(source, _size(args.size), rate=0.001)
        lines = [line for line in source.read_text().splitlines() if line.strip()]
        shapes = _shapes(lines, tmp)
        print(
            f"{len(lines)} records; sizes: "
            + ", ".join(f"{n} {p.stat().st_size / 1e6:.1f} MB" for n, p in shapes.items())
        )
        for engine in (None, "exact"):
            times: dict[str, list[float]] = {name: [] for name in shapes}
            found: dict[str, Counter[str]] = {}
            for _ in range(args.repeat):
                for name, path in shapes.items():
                    seconds, found[name] = _run(path, engine)
                    times[name].append(seconds)
            base = statistics.median(times["plain.log"])
            label = engine or "default"
            print(f"\nengine {label}: median of {args.repeat}, each shape against the plain lines")
            print(f"{'shape':18} {'seconds':>8} {'x plain':>8}  check")
            for name in shapes:
                median = statistics.median(times[name])
                same = found[name] == found["plain.log"]
                check = (
                    "ok"
                    if same
                    else f"DIFFERS: more {dict(found[name] - found['plain.log'])},"
                    f" fewer {dict(found['plain.log'] - found[name])}"
                )
                print(f"{name:18} {median:8.2f} {median / base:8.2f}  {check}")


if __name__ == "__main__":
    main()
