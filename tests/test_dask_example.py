"""The Dask example gives the single-process report: many files as one task each, and a big
file cut into pieces, on a two-process cluster (pieces and reports are pickled across)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

# the dask extra brings distributed: without it these tests fail, they are not skipped
from distributed import Client, LocalCluster

from amr_logpatterns import Classifier
from amr_logpatterns.pipeline import cutting, parallel

sys.path.insert(0, str(ROOT / "examples"))
try:
    import dask_scan
finally:
    sys.path.pop(0)

LOGS_DIR = ROOT / "examples" / "logs"
LOGS = sorted(str(p) for p in LOGS_DIR.iterdir() if p.name != "EXPECTED.yaml")
NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(1200)
)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture()
def big_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the planner cuts in two, in the long run of plain lines in its middle: the
    Observer's failing health checks come before the cut, the handler's log of AMR being
    down after it. Read alone, the first piece blames the handler; read whole, it does not."""
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)  # the planning runs here
    before = ("mixed-prefix-all-containers.log", "observer-missing-scheme.log")
    after = ("handler-amr-down.jsonl", "observer-healthy.log")
    path = tmp_path / "big.log"
    path.write_bytes(
        b"".join((LOGS_DIR / name).read_bytes() for name in before)
        + NOISE
        + b"".join((LOGS_DIR / name).read_bytes() for name in after)
    )
    return path


def test_many_files_are_one_task_each(client: Client) -> None:
    assert len(dask_scan.plan(LOGS)) == len(LOGS)
    assert dask_scan.scan_with_dask(LOGS, scheduler=client) == Classifier().classify_files(LOGS)


def test_a_big_file_is_cut_and_gives_the_one_run_report(client: Client, big_log: Path) -> None:
    piece_size = big_log.stat().st_size // 2 + 1
    work = dask_scan.plan([big_log], piece_size)
    assert len(work) == 2 and work[1].part.first_line > 1
    # findings and diagnoses span the cut: each piece alone tells another story
    first, second = (parallel.classify_piece(piece) for piece in work)
    assert "diagnosis.handler-unhealthy" in {d.id for d in first.diagnoses}
    assert "diagnosis.amr-graphql-down" in {d.id for d in second.diagnoses}
    shared = {f.id for f in first.findings} & {f.id for f in second.findings}
    assert "observer.location-establishing" in shared

    whole = Classifier().classify_file(big_log)
    assert "diagnosis.handler-unhealthy" not in {d.id for d in whole.diagnoses}
    assert dask_scan.scan_with_dask([big_log], piece_size=piece_size, scheduler=client) == whole
    # with small files around it, in input order; and on the local processes scheduler
    paths = [LOGS[0], str(big_log), LOGS[-1]]
    assert len(dask_scan.plan(paths, piece_size)) == 4
    expected = Classifier().classify_files(paths)
    assert dask_scan.scan_with_dask(paths, piece_size=piece_size, scheduler=client) == expected
    assert dask_scan.scan_with_dask(paths, piece_size=piece_size) == expected


def test_the_command_on_a_running_scheduler(
    client: Client, big_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = client.scheduler.address
    size = str(big_log.stat().st_size // 2 + 1)
    assert dask_scan.main(["--scheduler", address, "--piece-size", size, str(big_log)]) == 1
    out, err = capsys.readouterr()
    assert "2 tasks for 1 files" in err
    assert "root cause: diagnosis.amr-graphql-down" in out
    assert "diagnosis.handler-unhealthy" not in out


@pytest.mark.parametrize(
    ("text", "expected"), [("64MB", 64 << 20), ("512k", 512 << 10), ("1GiB", 1 << 30), ("900", 900)]
)
def test_piece_sizes(text: str, expected: int) -> None:
    assert dask_scan.size(text) == expected


def test_the_scheduler_threads_and_the_synchronous_one() -> None:
    assert dask_scan.scan_with_dask(LOGS, scheduler="synchronous") == Classifier().classify_files(LOGS)
    assert dask_scan.scan_with_dask(LOGS[:2], scheduler="threads") == Classifier().classify_files(LOGS[:2])
