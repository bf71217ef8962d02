"""The progress bar: its text, its pace, where it writes, and that it changes no report."""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from logsynth import messy_log

from amr_logpatterns import Classifier
from amr_logpatterns.fast.fastscan import FastScanner
from amr_logpatterns.ingest.binary import binary_stream, bytes_left
from amr_logpatterns.ingest.inputs import expand_inputs, open_inputs
from amr_logpatterns.ingest.progress import (
    PROGRESS_MIN_BYTES,
    ProgressBar,
    should_show,
)
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.pipeline import classifier as engine
from amr_logpatterns.pipeline import cutting, parallel

MB = 10**6
NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(400)
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def bar(total: int | None, *, tty: bool = True, columns: int = 200) -> tuple[ProgressBar, FakeClock, FakeTerminal]:
    clock, out = FakeClock(), FakeTerminal(tty)
    return ProgressBar(total, stream=out, clock=clock, columns=columns), clock, out


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over ``FAST_PATH_MIN_BYTES``, so the engine takes the fast path."""
    path = tmp_path_factory.mktemp("progress") / "big.log"
    path.write_bytes(b"".join(messy_log(k, 80) + b"\n" + NOISE for k in range(30)))
    assert path.stat().st_size > engine.FAST_PATH_MIN_BYTES
    return path


def test_render_shows_bar_percent_amounts_rate_eta_and_name() -> None:
    progress, clock, _ = bar(1000 * MB)
    progress.label = "logs/manager.log"
    progress.done = 450 * MB
    clock.now += 3.75
    assert progress.render() == "[#########...........] 45% 450/1000 MB 120 MB/s eta 5s logs/manager.log"


def test_rate_and_eta_wait_for_a_second_of_reading() -> None:
    progress, clock, _ = bar(100 * MB)
    progress.done = 8 * MB
    clock.now += 0.5
    assert progress.render() == "[#...................] 8% 8.0/100 MB"
    clock.now += 0.5
    assert progress.render() == "[#...................] 8% 8.0/100 MB 8.0 MB/s eta 12s"


def test_render_units_long_eta_and_unknown_total() -> None:
    progress, clock, _ = bar(30 * 10**9)
    progress.done = 120 * MB
    clock.now += 2
    assert progress.render() == "[....................] 0% 0.1/30 GB 60 MB/s eta 8m18s"
    unknown, clock, _ = bar(None)
    unknown.done = 25000
    clock.now += 10
    assert unknown.render() == "25 KB 2.5 KB/s"


def test_terminal_redraws_at_most_eight_times_a_second() -> None:
    progress, clock, out = bar(100 * MB)
    for _ in range(50):
        progress.advance(MB)  # fifty reads in the same instant: one redraw
    assert out.getvalue().count("\r") == 1
    clock.now += 0.1
    progress.advance(MB)
    assert out.getvalue().count("\r") == 1
    clock.now += 0.03
    progress.advance(MB)
    assert out.getvalue().count("\r") == 2
    assert out.getvalue().endswith("52% 52/100 MB")  # no rate yet after 0.13 s
    assert "\n" not in out.getvalue()


def test_terminal_line_is_padded_when_it_shrinks_and_cleared_at_the_end() -> None:
    progress, clock, out = bar(100 * MB)
    progress.label = "a-very-long-input-name.log"
    clock.now += 1
    progress.advance(MB)
    first = out.getvalue()
    progress.label = "b.log"
    clock.now += 1
    progress.advance(MB)
    second = out.getvalue()[len(first) :]
    text = second.rstrip(" ")
    assert text.endswith("eta 1m38s b.log") and len(second) == len(first)
    progress.finish()
    progress.finish()
    assert out.getvalue() == first + second + "\r" + " " * (len(text) - 1) + "\r"


def test_long_names_are_cut_from_the_left_to_fit_the_terminal() -> None:
    progress, _, out = bar(100 * MB, columns=60)
    progress.label = "support-bundle/cluster-resources/pods/logs/amr-observer-system/manager.log"
    progress.advance(MB)
    line = out.getvalue().lstrip("\r")
    assert len(line) == 59 and line.endswith("/manager.log") and "…" in line


def test_non_terminal_prints_a_plain_line_every_tenth() -> None:
    progress, clock, out = bar(100 * MB, tty=False)
    for _ in range(100):
        clock.now += 0.01
        progress.advance(MB)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert [line.split()[1] for line in lines] == [f"{p}%" for p in range(10, 101, 10)]


def test_non_terminal_with_unknown_size_prints_one_line_at_the_end() -> None:
    progress, clock, out = bar(None, tty=False)
    for _ in range(30):
        progress.advance(MB)
    assert out.getvalue() == ""
    clock.now += 3
    progress.finish()
    assert out.getvalue() == "30 MB 10 MB/s\n"


def test_the_bar_refuses_stdout() -> None:
    with pytest.raises(ValueError, match="never to stdout"):
        ProgressBar(10, stream=sys.stdout)


@pytest.mark.parametrize(
    ("mode", "total", "isatty", "shown"),
    [
        ("never", 10**12, True, False),
        ("always", 0, False, True),
        ("always", None, False, True),
        ("auto", PROGRESS_MIN_BYTES, True, True),
        ("auto", PROGRESS_MIN_BYTES - 1, True, False),
        ("auto", 10**12, False, False),
        ("auto", None, True, False),
    ],
)
def test_should_show(mode: str, total: int | None, isatty: bool, shown: bool) -> None:
    assert should_show(mode, total, isatty) is shown


def test_should_show_rejects_unknown_modes() -> None:
    with pytest.raises(ValueError, match="auto, always, never"):
        should_show("sometimes", 1, True)


def test_reader_passes_the_file_through_for_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"0123456789\n" * 10)
    progress, _, _ = bar(110)
    with path.open("rb") as raw, progress.wrap(raw, "x.log") as reader:
        assert isinstance(reader, io.BufferedIOBase)
        assert binary_stream(reader) is reader
        assert reader.fileno() == raw.fileno() and reader.seekable()
        assert reader.read(20) == b"0123456789\n012345678"
        assert bytes_left(reader) == 90 and reader.tell() == 20
        reader.seek(0)
        buf = bytearray(30)
        assert reader.readinto(buf) == 30 and progress.done == 30  # rereading counts once
        assert reader.readline() == b"89\n" and reader.read1(5) == b"01234"
        assert reader.read() == b"56789\n" + b"0123456789\n" * 6
        assert progress.done == 110 and progress.label == "x.log"
    assert raw.closed


def test_reader_can_leave_stdin_open() -> None:
    inner = io.BytesIO(b"abc")
    reader = ProgressBar(None, stream=io.StringIO()).wrap(inner, close_inner=False)
    reader.close()
    assert reader.closed and not inner.closed


def spy_fast_path(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the inputs the fast scanner reads."""
    runs: list[int] = []

    class Spy(FastScanner):
        def run(self, source: IO[bytes], **kwargs: int) -> Iterator[LogRecord]:
            runs.append(1)
            return super().run(source, **kwargs)

    monkeypatch.setattr(engine, "FastScanner", Spy)
    return runs


def test_reports_through_the_wrapper_are_unchanged_and_fast(
    classifier: Classifier, big_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = str(big_log)
    with engine.open_log(big_log) as handle:
        plain = classifier.classify_many([(name, handle)])
    runs = spy_fast_path(monkeypatch)
    progress, _, out = bar(big_log.stat().st_size, tty=False)
    with engine.open_log(big_log) as handle:
        wrapped = classifier.classify_many([(name, progress.wrap(handle, name))])
    progress.finish()
    assert runs == [1]
    assert wrapped == plain and plain.findings
    assert progress.done == big_log.stat().st_size
    assert out.getvalue().splitlines()[-1].split()[1] == "100%"


def test_a_gzip_input_counts_its_stored_bytes(
    classifier: Classifier, big_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = tmp_path / "big.log.gz"
    packed.write_bytes(gzip.compress(big_log.read_bytes()))
    (inp,) = expand_inputs([str(packed)])
    with engine.open_log(packed) as handle:
        plain = classifier.classify_many([(inp.name, handle)])
    runs = spy_fast_path(monkeypatch)
    progress, _, _ = bar(inp.size)
    wrapped = classifier.classify_many(open_inputs([inp], progress=progress))
    assert runs == [1] and wrapped == plain
    assert progress.done == packed.stat().st_size == inp.size


def test_a_whole_run_writes_nothing_to_stdout(
    classifier: Classifier, big_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = expand_inputs([str(big_log)])
    progress = ProgressBar(inputs[0].size, tty=True, columns=80)
    with progress:
        classifier.classify_many(open_inputs(inputs, progress=progress))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("\r[") and captured.err.endswith("\r")


def test_parallel_pieces_report_their_bytes(
    classifier: Classifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)
    path = tmp_path / "big.log"
    path.write_bytes(b"".join(messy_log(k, 60, pod_state=False) + b"\n" + NOISE for k in range(4)))
    assert len(parallel.pieces(str(path), 2)) == 2
    progress, _, _ = bar(path.stat().st_size, tty=False)
    seen: list[int] = []

    def on_progress(n: int) -> None:
        seen.append(n)
        progress.advance(n)

    report = parallel.classify_parallel(classifier, [path], 2, on_progress=on_progress)
    assert len(seen) == 2 and sum(seen) == path.stat().st_size == progress.done
    assert report == classifier.classify_file(path)


def test_parallel_in_one_process_reports_each_file(classifier: Classifier, tmp_path: Path) -> None:
    paths = [tmp_path / "a.log", tmp_path / "b.log"]
    paths[0].write_bytes(NOISE)
    paths[1].write_bytes(messy_log(1, 20))
    seen: list[int] = []
    report = parallel.classify_parallel(classifier, paths, 2, on_progress=seen.append)
    assert seen == [p.stat().st_size for p in paths]
    assert report == classifier.classify_files(paths)
