"""Classify log files with Dask: many files side by side, and a big file in pieces.

Run:  python examples/dask_scan.py examples/logs/*.log
      python examples/dask_scan.py --local-cluster --workers 4 --piece-size 64MB big.log a.log
      python examples/dask_scan.py --scheduler tcp://10.0.0.5:8786 /shared/logs/*.log

Needs ``pip install 'amr-logpatterns[dask]'``. With ``--scheduler`` (a running
``dask.distributed`` scheduler) or ``--local-cluster`` (``--workers`` processes on this
machine) the tasks go to a distributed Client; without either, to Dask's local
processes scheduler.

A file up to ``--piece-size`` is one task. A larger one is cut into pieces of about
that size at the clean, line-aligned points ``--jobs`` uses (``parallel.pieces``), each
piece carrying the paste state at its start. A file under 32 MiB (twice
``cutting.MIN_PIECE_BYTES``), a gzip file and one with pod state before a cut stay whole.

The cuts are planned here; the workers open the files by path, so on a real cluster they
need the same paths (a shared disk) and amr-logpatterns installed. Only pieces travel to
the workers and reports back: each task builds its own ``Classifier()`` (the packs
compile once per process), as one that has read a large input holds a stage-1 engine
that does not pickle.

The reports merge in input order with ``Classifier.merge``, which draws the diagnoses
over everything, so a root cause can rest on findings from different files or pieces.
The result equals ``Classifier().classify_files(paths)``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import dask.bag as db

from amr_logpatterns import Classifier, Report
from amr_logpatterns.pipeline.parallel import Piece, classify_piece, pieces

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_PIECE_SIZE = 64 << 20
_UNITS = {"": 0, "k": 10, "m": 20, "g": 30}


def size(text: str) -> int:
    """Bytes from ``64MB``, ``512k``, ``1G`` or a plain number (units of 1024)."""
    found = re.fullmatch(r"(\d+)\s*([kmg]?)(?:i?b)?", text.strip(), re.IGNORECASE)
    if found is None or int(found[1]) < 1:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64MB)")
    return int(found[1]) << _UNITS[found[2].lower()]


def plan(paths: Sequence[str | Path], piece_size: int = DEFAULT_PIECE_SIZE) -> list[Piece]:
    """The tasks, in input order: a whole file, or a big file's pieces of about ``piece_size``."""
    work: list[Piece] = []
    for path in map(str, paths):
        jobs = -(-os.path.getsize(path) // piece_size)  # rounded up
        work += pieces(path, max(1, jobs))
    return work


def classify_with_dask(work: Sequence[Piece], scheduler: str | Client = "processes") -> Report:
    """Classify the tasks with Dask (the map step) and merge the reports in order."""
    bag = db.from_sequence(list(work), npartitions=max(1, len(work)))
    # classify_piece lives in the library, so workers import it rather than this script
    reports = bag.map(classify_piece).compute(scheduler=scheduler)
    return Classifier().merge(reports)


def scan_with_dask(
    paths: Sequence[str | Path],
    *,
    piece_size: int = DEFAULT_PIECE_SIZE,
    scheduler: str | Client = "processes",
) -> Report:
    """Classify ``paths`` with Dask into one report, diagnoses included."""
    return classify_with_dask(plan(paths, piece_size), scheduler)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", default=["examples/logs/observer-missing-scheme.log"],
        help="log files, plain or gzip",
    )
    parser.add_argument(
        "--piece-size", metavar="SIZE", type=size, default=DEFAULT_PIECE_SIZE,
        help="cut a larger file into pieces of about this size (default: 64MB)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler")
    where.add_argument("--local-cluster", action="store_true", help="start workers here")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1,
        help="worker processes of --local-cluster (default: one per core)",
    )
    args = parser.parse_args(argv)

    work = plan(args.paths, args.piece_size)
    print(f"{len(work)} tasks for {len(args.paths)} files", file=sys.stderr)
    if args.scheduler is None and not args.local_cluster:
        report = classify_with_dask(work)
    else:
        from distributed import Client, LocalCluster

        if args.scheduler is not None:
            with Client(args.scheduler) as client:
                report = classify_with_dask(work, client)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1)
            with cluster, Client(cluster) as client:
                report = classify_with_dask(work, client)

    for diagnosis in report.diagnoses:
        print(f"root cause: {diagnosis.id}: {diagnosis.summary}")
    for finding in report.findings:
        print(f"{finding.severity:<7} {finding.id} x{finding.count} ({finding.first_seen.source})")
    return 1 if report.has_severity("error") else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
