"""Several cores and merged reports give exactly the single-process report."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from logsynth import messy_log

from amr_logpatterns import Classifier, Report
from amr_logpatterns.pipeline import cutting, parallel
from amr_logpatterns.pipeline.merge import merge_reports

LOGS = sorted(str(p) for p in (ROOT / "examples" / "logs").glob("*.log"))
NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(400)
)


@pytest.fixture()
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)


def test_merge_of_separate_files_equals_one_run(classifier: Classifier) -> None:
    parts = [classifier.classify_file(p) for p in LOGS]
    assert classifier.merge(parts) == classifier.classify_files(LOGS)


def test_merge_is_associative(classifier: Classifier) -> None:
    a, b, c = (classifier.classify_file(p) for p in LOGS[:3])
    assert (
        merge_reports([merge_reports([a, b]), c])
        == merge_reports([a, merge_reports([b, c])])
        == merge_reports([a, b, c])
    )
    assert merge_reports([Report(), a]) == merge_reports([a, Report()])


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("seed", range(3))
def test_pod_state_before_a_cut_keeps_the_file_in_one_piece(
    classifier: Classifier, tmp_path: Path, seed: int
) -> None:
    """A kernel kill is linked to a pod described before it anywhere in the file, which a
    later piece would not know: such a file is read whole, and gives the one-run report."""
    path = tmp_path / "pods.log"
    path.write_bytes(b"".join(messy_log(seed * 10 + k, 60) + b"\n" + NOISE for k in range(6)))
    assert len(parallel.pieces(str(path), 3)) == 1
    assert parallel.classify_parallel(classifier, [path], 3) == classifier.classify_file(path)
    plain = tmp_path / "plain.log"
    logs = (messy_log(seed * 10 + k, 60, pod_state=False) for k in range(6))
    plain.write_bytes(b"".join(log + b"\n" + NOISE for log in logs))
    assert len(parallel.pieces(str(plain), 3)) == 3


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("seed", range(4))
def test_split_file_gives_the_same_report(
    classifier: Classifier, tmp_path: Path, seed: int
) -> None:
    path = tmp_path / "big.log"
    logs = (messy_log(seed * 10 + k, 60, pod_state=False) for k in range(6))
    path.write_bytes(b"".join(log + b"\n" + NOISE for log in logs))
    cut = parallel.pieces(str(path), 3)
    assert len(cut) == 3 and cut[1].part.first_line > 1
    whole = classifier.classify_file(path)
    assert parallel.classify_parallel(classifier, [path], 3) == whole
    lines = "".join(parallel.scan_parallel(classifier, [path], 3))
    single = "".join(parallel.scan_parallel(classifier, [path], 1))
    assert lines == single and lines


@pytest.mark.usefixtures("small_pieces")
def test_a_piece_starts_with_the_paste_state_before_it(
    classifier: Classifier, tmp_path: Path
) -> None:
    path = tmp_path / "ctx.log"
    failing = (
        b'2024-05-01T10:00:00Z\tERROR\thttpclient\t\t{"error": "request failed with status 503"}\n'
    )
    path.write_bytes(b"$ kubectl -n shop logs deploy/inventory\n" + NOISE * 8 + failing + NOISE)
    cut = parallel.pieces(str(path), 2)
    assert cut[1].part.state.session["namespace"] == "shop"
    assert parallel.classify_parallel(classifier, [path], 2) == classifier.classify_file(path)
    assert classifier.classify_file(path).findings == []


def test_cli_jobs_output_matches_one_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.log"
    path.write_bytes((messy_log(3, 100) + b"\n" + NOISE) * 4)
    outs = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "amr_logpatterns",
                "scan",
                "--format",
                "json",
                "--jobs",
                jobs,
                str(path),
            ],
            capture_output=True,
            text=True,
        ).stdout
        for jobs in ("1", "2")
    ]
    assert outs[0] == outs[1] and outs[0]


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("budget", [True, False], ids=["stage-1", "stage-1-gives-up"])
def test_each_cut_gets_the_context_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: bool
) -> None:
    """Without a match budget stage 1 gives up on every buffer, and the planner replays
    every line instead of the context lines it found: the states are the same."""
    if not budget:
        from amr_logpatterns.fast import prefilter

        monkeypatch.setattr(prefilter, "MATCHES_PER_LINE", 0)
        monkeypatch.setattr(prefilter, "MATCH_ALLOWANCE", 0)
    path = tmp_path / "ctx.log"
    path.write_bytes(
        b"$ kubectl -n shop logs deploy/inventory\n"
        + NOISE * 8
        + b"oc -n metadata-store logs deploy/amr-persister\n"
        + NOISE * 8
    )
    cut = parallel.pieces(str(path), 3)
    assert [p.part.state.session.get("namespace") for p in cut] == [None, "shop", "metadata-store"]


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("after", [1, 7], ids=["cut-inside-the-line", "cut-just-after-it"])
def test_a_long_line_near_a_cut_is_never_read_whole(
    classifier: Classifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    """Looking for a clean cut reads about a window's bytes, however long the line there."""
    monkeypatch.setattr(parallel, "_SEARCH_BYTES", 16384)
    long_line = (
        b"E0530 05:01:20.297972 1 leaderelection.go:367] Failed to update lock: " + b"x" * 200_000
    )
    path = tmp_path / "long.log"
    path.write_bytes(NOISE + long_line + b"\n" + NOISE * after)
    reads: list[int] = []
    real_read = parallel._File.read

    def counting_read(self: parallel._File, start: int, end: int) -> bytes:
        data = real_read(self, start, end)
        reads.append(len(data))
        return data

    size = path.stat().st_size
    with path.open("rb") as f, monkeypatch.context() as patch:
        patch.setattr(parallel._File, "read", counting_read)
        boundary = parallel.make_engine("stdlib", parallel.BOUNDARY)
        cut = parallel._clean_cut(parallel._File(f.fileno()), size // 2, boundary)
    assert cut is not None and cut > len(NOISE) + len(long_line)
    assert max(reads) <= 65536 + 2 * 16384 < len(long_line), reads
    pieces = parallel.pieces(str(path), 2)
    assert [p.start for p in pieces] == [0, cut]
    assert parallel.classify_parallel(classifier, [path], 2) == classifier.classify_file(path)


def test_clipped_chunks_keep_a_long_lines_head_as_a_reader_does(tmp_path: Path) -> None:
    path = tmp_path / "lines.log"
    body = b"short 1\n" + b"y" * 5000 + b"\nshort 2\nlast, no newline"
    path.write_bytes(body)
    with path.open("rb") as f:
        data = parallel._File(f.fileno())
        chunks = list(data.clipped_chunks(0, len(body), keep=100, step=1024))
        assert data.line_start(3000, 1000) is None  # inside the long line, far from its start
        assert data.line_start(3000, 4000) == len(b"short 1\n")
    assert chunks[0] == (0, b"short 1\n")
    assert chunks[1] == (8, b"y" * 100)
    rest = b"".join(chunk for _, chunk in chunks[2:])
    assert chunks[2][0] == 8 + 5001 and rest == b"short 2\nlast, no newline"


@pytest.mark.usefixtures("small_pieces")
def test_a_pasted_command_after_a_long_line_still_sets_the_next_pieces_state(
    classifier: Classifier, tmp_path: Path
) -> None:
    path = tmp_path / "ctx.log"
    path.write_bytes(b"z" * (9 << 20) + b"\n$ kubectl -n shop logs deploy/inventory\n" + NOISE * 8)
    cut = parallel.pieces(str(path), 2, max_line_length=1000)
    assert cut[1].part.state.session["namespace"] == "shop"


@pytest.mark.usefixtures("small_pieces")
def test_pieces_of_generated_logs_merge_to_the_whole(
    classifier: Classifier, tmp_path: Path
) -> None:
    """The planner's cuts and replayed states, checked on many messy logs at once: each
    piece read as a worker reads it (in this process, to be quick), then merged."""
    quiet = b"".join(NOISE.splitlines(keepends=True)[:120])  # room for clean cuts
    cut_files = 0
    for seed in range(20):
        path = tmp_path / f"messy-{seed}.log"
        parts = [
            messy_log(seed * 7 + k, 30 + seed % 50, pod_state=seed % 4 == 0)
            + b"\n"
            + (quiet if (seed + k) % 2 else b"")
            for k in range(6)
        ]
        path.write_bytes(b"".join(parts))
        whole = classifier.classify_file(path)
        for jobs in (2, 3, 5):
            work = parallel.pieces(str(path), jobs)
            cut_files += len(work) > 1
            reports = []
            for piece in work:
                with io.BufferedReader(
                    parallel._Range(piece.path, piece.start, piece.end)
                ) as handle:
                    reports.append(
                        classifier.classify_many([(piece.path, handle)], part=piece.part)
                    )
            assert classifier.merge(reports) == whole, (seed, jobs, [p.start for p in work])
    assert cut_files >= 40  # most of the 45 plans of logs without pod state did cut


def test_a_classifier_travels_between_processes_with_its_settings(tmp_path: Path) -> None:
    """A classifier that has built its stage-1 engine (Hyperscan holds a module) still
    pickles; the copy has the same settings and gives the same report."""
    import pickle

    path = tmp_path / "big.log"
    path.write_bytes(b"".join(messy_log(k, 60, pod_state=False) + b"\n" + NOISE for k in range(8)))
    used = Classifier(tap_version="1.6", max_evidence=2, fast_path_min_bytes=1024)
    report = used.classify_file(path)
    copy = pickle.loads(pickle.dumps(used))
    assert (copy.tap_version, copy.max_evidence, copy.fast_path_min_bytes, copy.engine) == (
        "1.6",
        2,
        1024,
        used.engine,
    )
    assert copy.classify_file(path) == report


PROBE = (
    b"  Warning  Unhealthy  3m5s (x10 over 4m25s)  kubelet            Readiness probe failed:"
    b' Get "http://192.168.45.78:8081/readyz": context deadline exceeded'
    b" (Client.Timeout exceeded while awaiting headers)\n"
)


@pytest.mark.usefixtures("small_pieces")
def test_pieces_give_the_one_process_report_under_each_tap_release(tmp_path: Path) -> None:
    """The probe's remediation differs by TAP release; cut or not, the report is the same."""
    path = tmp_path / "probes.log"
    half = [
        b"".join(messy_log(k, 60, pod_state=False) + b"\n" + NOISE for k in ks)
        for ks in ((0, 1, 2), (5, 6, 7))
    ]
    path.write_bytes(half[0] + PROBE + half[1] + PROBE)
    assert len(parallel.pieces(str(path), 2)) == 2
    reports = {}
    for release in ("1.6", "1.7"):
        one = Classifier(tap_version=release)
        reports[release] = parallel.classify_parallel(one, [path], 2)
        assert reports[release] == one.classify_file(path)
    assert reports["1.6"] != reports["1.7"]


KUBELET = (
    b'I1207 10:00:00.000000    2087 kubelet.go:2400] "SyncLoop (probe)" probe="readiness"'
    b' status="ready" pod="amr-observer-system/amr-observer-controller-manager-6f9c8d7b5-x2k4p"\n'
)
KILL = (
    b"[12345.678901] Memory cgroup out of memory: Killed process 4121 (manager)"
    b" total-vm:1268504kB, anon-rss:262144kB\n"
)


@pytest.mark.usefixtures("small_pieces")
def test_pod_state_before_a_cut_splits_the_file_unless_a_kill_follows(tmp_path: Path) -> None:
    """Only a kernel kill needs the pods described before it: a file whose kubelet lines
    come before a cut is still cut when no kill line comes after it."""
    plain = [messy_log(k, 60, pod_state=False) + b"\n" + NOISE for k in range(6)]
    path = tmp_path / "kubelet.log"
    path.write_bytes(KUBELET + b"".join(plain))
    classifier = Classifier()
    assert len(parallel.pieces(str(path), 3)) == 3
    assert parallel.classify_parallel(classifier, [path], 3) == classifier.classify_file(path)
    killed = tmp_path / "killed.log"
    killed.write_bytes(KUBELET + b"".join(plain) + KILL)
    assert len(parallel.pieces(str(killed), 3)) == 1
