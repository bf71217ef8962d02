"""Several cores and merged reports give exactly the single-process report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from logsynth import messy_log

from amr_logpatterns import Classifier, Report, parallel

LOGS = sorted(str(p) for p in (ROOT / "examples" / "logs").glob("*.log"))
NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(400)
)


@pytest.fixture()
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 4096)


def test_merge_of_separate_files_equals_one_run(classifier: Classifier) -> None:
    parts = [classifier.classify_file(p) for p in LOGS]
    assert classifier.merge(parts) == classifier.classify_files(LOGS)


def test_merge_is_associative(classifier: Classifier) -> None:
    a, b, c = (classifier.classify_file(p) for p in LOGS[:3])
    assert a.merge(b).merge(c) == a.merge(b.merge(c)) == a.merge(b, c)
    assert Report().merge(a) == a.merge(Report())


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("seed", range(4))
def test_split_file_gives_the_same_report(classifier: Classifier, tmp_path: Path, seed: int) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(b"".join(messy_log(seed * 10 + k, 60) + b"\n" + NOISE for k in range(6)))
    cut = parallel.pieces(str(path), 3)
    assert len(cut) == 3 and cut[1].part.first_line > 1
    whole = classifier.classify_file(path)
    assert parallel.classify_parallel(classifier, [path], 3) == whole
    lines = "".join(parallel.scan_parallel(classifier, [path], 3))
    single = "".join(parallel.scan_parallel(classifier, [path], 1))
    assert lines == single and lines


@pytest.mark.usefixtures("small_pieces")
def test_a_piece_starts_with_the_paste_state_before_it(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "ctx.log"
    failing = b'2024-05-01T10:00:00Z\tERROR\thttpclient\t\t{"error": "request failed with status 503"}\n'
    path.write_bytes(b"$ kubectl -n shop logs deploy/inventory\n" + NOISE * 8 + failing + NOISE)
    cut = parallel.pieces(str(path), 2)
    assert cut[1].part.state.session["namespace"] == "shop"
    assert parallel.classify_parallel(classifier, [path], 2) == classifier.classify_file(path)
    assert classifier.classify_file(path).findings == []


def test_dask_example_with_the_local_scheduler() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import dask_scan
    finally:
        sys.path.pop(0)
    report = dask_scan.scan_with_dask(LOGS, scheduler="synchronous")
    assert report == Classifier().classify_files(LOGS)
    threaded = dask_scan.scan_with_dask(LOGS[:2], scheduler="threads")
    assert threaded == Classifier().classify_files(LOGS[:2])


def test_cli_jobs_output_matches_one_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.log"
    path.write_bytes((messy_log(3, 100) + b"\n" + NOISE) * 4)
    outs = [
        subprocess.run(
            [sys.executable, "-m", "amr_logpatterns", "scan", "--format", "json", "--jobs", jobs, str(path)],
            capture_output=True, text=True,
        ).stdout
        for jobs in ("1", "2")
    ]
    assert outs[0] == outs[1] and outs[0]


@pytest.mark.usefixtures("small_pieces")
def test_each_cut_gets_the_context_before_it(tmp_path: Path) -> None:
    path = tmp_path / "ctx.log"
    path.write_bytes(
        b"$ kubectl -n shop logs deploy/inventory\n" + NOISE * 8
        + b"oc -n metadata-store logs deploy/amr-persister\n" + NOISE * 8
    )
    cut = parallel.pieces(str(path), 3)
    assert [p.part.state.session.get("namespace") for p in cut] == [None, "shop", "metadata-store"]
