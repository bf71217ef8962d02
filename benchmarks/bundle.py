"""Benchmark a whole-cluster bundle against the AMR pods' own files: what other pods' logs cost.

Run:  python benchmarks/bundle.py                 (202 MB: 200 MB of other pods, 2 MB of AMR's)
      python benchmarks/bundle.py --size 40M      (a small one)

Builds a ``kubectl cluster-info dump`` directory (``NS/POD/logs.txt``, with each
namespace's ``events.json`` and ``pods.json``) where AMR's pods (the Observer and
the CloudEvent Handler) hold ``--amr-share`` of the bytes and ``--pods`` other
pods the rest, with AMR-looking lines planted in both; and, unless
``--no-archive``, the same bundle as a ``.tar.gz``. Then times, interleaved,
``--repeat`` times each: ``scan`` of the bundle, ``scan`` of only the AMR pods'
files, and (unless ``--no-reference``) ``scan --all-files`` of the bundle, which
reads every file as before, and of an empty file (the start-up every run pays).
Prints the median wall times and the ratio of each to the AMR files alone (the
target is 3x at most for the bundles), and checks that every bundle mode but
``--all-files`` reports exactly the AMR files' findings.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

#: Where AMR's pods live in the dump, and how their logs are generated (one planted AMR
#: line per 1/rate lines).
AMR_PODS = (
    "amr-observer-system/amr-observer-controller-manager-5c8d7f6b9d-q2wzj",
    "metadata-store/amr-persister-5b8d9c7f6-h4k2m",
)
AMR_RATE = 0.01
#: Other pods' logs hold the same kind of lines, AMR-looking ones included.
OTHER_RATE = 0.001
NAMESPACES = ("shop", "kube-system", "billing", "monitoring", "cert-manager", "ingress")
APPS = ("inventory", "checkout", "coredns", "api", "worker", "prometheus", "webhook", "nginx")
#: The random suffix Kubernetes gives generated pod names: no vowels.
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"
TARGET = 3.0


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    unit = text[-1].upper()
    return int(float(text[:-1]) * units[unit]) if unit in units else int(text)


def _pod(rng: random.Random, app: str) -> str:
    template = "".join(rng.choice("0123456789abcdef") for _ in range(10))
    return f"{app}-{template}-{''.join(rng.choice(_SUFFIX) for _ in range(5))}"


@dataclass(frozen=True)
class Bundle:
    root: Path  # the dump directory
    amr_files: list[Path]
    total: int
    amr_bytes: int


def _split(log: Path, paths: list[Path]) -> None:
    """Cut ``log`` at line ends into ``paths``, about the same size each."""
    data = log.read_bytes()
    cuts = [0]
    for i in range(1, len(paths)):
        cut = data.find(b"\n", len(data) * i // len(paths))
        cuts.append(len(data) if cut < 0 else cut + 1)
    cuts.append(len(data))
    for path, start, end in zip(paths, cuts, cuts[1:], strict=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[start:end])
    log.unlink()


def build(root: Path, size: int, share: float, pods: int, seed: int = 11) -> Bundle:
    """Write the dump under ``root``: AMR's pods hold ``share`` of ``size`` bytes."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    amr_size = max(1, int(size * share))
    amr_files = [root / pod / "logs.txt" for pod in AMR_PODS]
    generate(root / "amr.tmp", amr_size, AMR_RATE, seed=seed)
    _split(root / "amr.tmp", amr_files)
    others = [
        root / NAMESPACES[i % len(NAMESPACES)] / _pod(rng, APPS[i % len(APPS)]) / "logs.txt"
        for i in range(pods)
    ]
    generate(root / "other.tmp", size - amr_size, OTHER_RATE, seed=seed + 1)
    _split(root / "other.tmp", others)
    for namespace in {*NAMESPACES, *(p.split("/")[0] for p in AMR_PODS)}:
        (root / namespace / "events.json").write_text('{"kind": "EventList", "items": []}\n')
        (root / namespace / "pods.json").write_text('{"kind": "PodList", "items": []}\n')
    files = [p for p in root.rglob("*") if p.is_file()]
    return Bundle(
        root,
        amr_files,
        sum(p.stat().st_size for p in files),
        sum(p.stat().st_size for p in amr_files),
    )


def archive(bundle: Bundle, path: Path) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        tar.add(bundle.root, arcname=bundle.root.name)
    return path


@dataclass(frozen=True)
class Mode:
    name: str
    args: list[str]
    exact: bool  # must report exactly the AMR files' findings


def _run(mode: Mode, jobs: int, cwd: Path) -> tuple[float, dict[str, object]]:
    cmd = [sys.executable, "-m", "amr_logpatterns", "scan", "--format", "json", "--no-config"]
    cmd += ["--jobs", str(jobs), "--fail-on", "never", *mode.args]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=cwd, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{mode.name}: exit {done.returncode}\n{done.stderr.decode()}")
    report: dict[str, object] = json.loads(done.stdout)
    return seconds, report


def _findings(report: dict[str, object]) -> Counter[str]:
    found: Counter[str] = Counter()
    for f in report["findings"]:  # type: ignore[attr-defined]
        found[f["id"]] += f["count"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="202M", help="the bundle's size (default 202M)")
    parser.add_argument(
        "--amr-share", type=float, default=0.01, help="AMR pods' share of it (default 0.01)"
    )
    parser.add_argument("--pods", type=int, default=40, help="other pods (default 40)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each mode (default 3)")
    parser.add_argument("--jobs", type=int, default=1, help="scan --jobs (default 1)")
    parser.add_argument(
        "--archive",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the bundle as a .tar.gz (default: yes)",
    )
    parser.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time scan --all-files of the bundle, which reads every file (default: yes)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amr-bundle-") as tmp:
        cwd = Path(tmp)
        built = time.perf_counter()
        bundle = build(cwd / "dump", _size(args.size), args.amr_share, args.pods)
        amr = [str(p.relative_to(cwd)) for p in bundle.amr_files]
        (cwd / "empty.log").write_bytes(b"")
        modes = [
            Mode("AMR pods only", amr, exact=True),
            Mode("bundle (directory)", ["dump"], exact=True),
        ]
        if args.archive:
            archive(bundle, cwd / "dump.tar.gz")
            modes.append(Mode("bundle (.tar.gz)", ["dump.tar.gz"], exact=True))
        if args.reference:
            modes.append(Mode("bundle --all-files", ["--all-files", "dump"], exact=False))
        # what every run costs before reading a line: start, imports, packs
        modes.append(Mode("startup (empty file)", ["empty.log"], exact=False))
        print(
            f"bundle: {bundle.total / 1e6:.1f} MB, {args.pods} other pods; AMR pods"
            f" {bundle.amr_bytes / 1e6:.2f} MB ({bundle.amr_bytes / bundle.total:.1%});"
            f" built in {time.perf_counter() - built:.1f} s; --jobs {args.jobs},"
            f" {args.repeat} runs each, interleaved"
        )
        times: dict[str, list[float]] = {m.name: [] for m in modes}
        expected: Counter[str] | None = None
        checks: dict[str, str] = {}
        for _ in range(args.repeat):
            for mode in modes:
                seconds, report = _run(mode, args.jobs, cwd)
                times[mode.name].append(seconds)
                found = _findings(report)
                expected = found if expected is None else expected
                if mode.exact:
                    checks[mode.name] = "ok" if found == expected else "WRONG findings"
                else:
                    checks[mode.name] = "(reference)"
        base = statistics.median(times[modes[0].name])
        print(f"{'mode':<22} {'median s':>9} {'min s':>7} {'ratio':>7}  check")
        for mode in modes:
            median = statistics.median(times[mode.name])
            ratio = median / base
            print(
                f"{mode.name:<22} {median:>9.2f} {min(times[mode.name]):>7.2f}"
                f" {ratio:>6.2f}x  {checks[mode.name]}"
            )
        worst = max(statistics.median(times[m.name]) / base for m in modes[1:] if m.exact)
        verdict = "within" if worst <= TARGET else "OVER"
        print(f"worst bundle ratio: {worst:.2f}x ({verdict} the {TARGET:.0f}x target)")
        if any(check.startswith("WRONG") for check in checks.values()):
            raise SystemExit("a bundle mode did not report the AMR files' findings")


if __name__ == "__main__":
    main()
