"""Properties of reading, decoding and grouping that must hold for any input bytes.

Hypothesis draws logs from realistic lines (``logsynth``) mixed with hostile pieces:
invalid UTF-8, NUL, CR, CRLF, BOMs, ANSI codes, runs of empty lines and long tokens.
Examples are few and small so the whole module runs in seconds (``AMR_PROPERTY_EXAMPLES=5000``
runs a deeper search); failures are shrunk and printed with the bytes that reproduce them.
"""

from __future__ import annotations

import codecs
import copy
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from logsynth import messy_log

from amr_logpatterns import Classifier
from amr_logpatterns.decode.stream import RecordStream, Tally
from amr_logpatterns.fast import fastscan
from amr_logpatterns.fast.prefilter import available_engines
from amr_logpatterns.ingest.clipping import LineClipper, clip_length, cut_line
from amr_logpatterns.ingest.reading import physical_lines
from amr_logpatterns.peel.state import PasteState
from amr_logpatterns.pipeline.classifier import Part

sys.path.insert(0, str(ROOT / "fuzz"))
import fuzz_reading  # the fuzz target shares its checks with these tests
from fuzz_reading import as_utf8, check_report, physical_count

PROPERTY = settings(
    max_examples=int(os.environ.get("AMR_PROPERTY_EXAMPLES", "60")),
    deadline=5000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Realistic lines of every shape the readers handle.
REAL_LINES = sorted({line for seed in range(6) for line in messy_log(seed, 60).splitlines()})
HOSTILE_PIECES = [
    b"\x00",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x80",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98\x80",
    b"\xc0\xaf",
    b"\x1b[31m",
    b"\x1b[0m",
    b"[0m",
    b'{"',
    b"}",
    b'"',
    b"\\",
    b"\t",
    b"   ",
    b"stdout P ",
    b"stderr F ",
    b"2024-03-02T08:11:09.1Z stdout P ",
    b"```",
    b"$ kubectl -n shop logs deploy/inventory",
    b"Name:         amr-observer-controller-manager-7c9d8b6f4-qx2lm",
    b"Namespace:    amr-observer-system",
    b"goroutine 1 [running]:",
    b"\t/workspace/main.go:12 +0x1d",
    b"main.main()",
    b"panic: runtime error",
    b"x" * 300,
    b"a." * 40,
    b"\xff" * 90,
]
#: Line lengths are cut at this in the tests that compare paths, so long tokens get cut.
SHORT_LINES = 120

piece = st.one_of(
    st.sampled_from(REAL_LINES),
    st.sampled_from(HOSTILE_PIECES),
    st.binary(max_size=12),
)
line = st.lists(piece, max_size=4).map(b"".join)
ending = st.sampled_from([b"\n", b"\n", b"\n", b"\r\n", b"\r", b""])


@st.composite
def logs(draw: st.DrawFn) -> bytes:
    """A log of messy lines, sometimes with a run of empty lines or UTF-16 encoded."""
    parts = draw(st.lists(st.tuples(line, ending), max_size=25))
    data = b"".join(text + end for text, end in parts)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\n" * draw(st.integers(1, 80)) + data[at:]
    encoding = draw(st.sampled_from([None, None, None, None, "utf-16", "utf-16-be"]))
    if encoding == "utf-16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    elif encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data.decode("utf-8", "replace").encode("utf-16-be")
    return data


any_bytes = st.one_of(logs(), st.binary(max_size=600))

#: A complete plain (unstructured) record: it closes a CloudEvent dump that is not in its data.
PLAIN_END = b"plain words without structure\n"
#: Fresh records a piece may start with: zap console, zap JSON and klog.
FRESH_STARTS = [
    b'2024-03-02T08:11:09Z\tERROR\thttpclient\terror contacting event handler\t{"error": "Get \\"h.internal/healthz\\": unsupported protocol scheme \\"\\""}\n',
    b'{"level":"info","ts":"2024-03-02T08:11:09Z","msg":"Start Receiving"}\n',
    b"E0530 05:01:20.297972       1 leaderelection.go:367] Failed to update lock: i/o timeout\n",
]


@pytest.fixture(scope="module")
def exact() -> Classifier:
    return Classifier(engine="exact")


@pytest.fixture(scope="module")
def fast_engines() -> dict[str, Classifier]:
    """One warmed classifier per installed stage-1 engine (copies share its database)."""
    out = {}
    for name in available_engines():
        classifier = Classifier(engine=name, fast_path_min_bytes=0)
        classifier.classify(b"warm up\n", source_name="w")
        out[name] = classifier
    return out


@PROPERTY
@given(data=any_bytes)
def test_any_bytes_give_a_report_that_accounts_for_every_line(
    exact: Classifier, data: bytes
) -> None:
    check_report(exact.classify(data, source_name="prop.log"), data)
    lines = physical_count(data)
    for match in exact.scan(data, source_name="prop.log"):
        assert 1 <= match.line <= match.end_line <= lines


@PROPERTY
@given(data=any_bytes, cut=st.integers(1, 400))
def test_cutting_long_lines_keeps_the_invariants(exact: Classifier, data: bytes, cut: int) -> None:
    short = copy.copy(exact)
    short.max_line_length = cut
    report = short.classify(io.BytesIO(data), source_name="prop.log")
    check_report(report, data)
    src = report.stats.sources[0]
    assert src.truncated_lines <= src.lines_read


@PROPERTY
@given(line=st.one_of(st.binary(max_size=80), st.text(max_size=80)), limit=st.integers(0, 60))
def test_a_line_is_cut_on_its_first_clip_length_units_alone(line: str | bytes, limit: int) -> None:
    head, cut = cut_line(line, limit)
    assert (head, cut) == cut_line(line[: clip_length(limit)], limit)
    ends_in_cr = line[-1:] in ("\r", b"\r")
    assert cut == (len(line) > limit and not (len(line) == limit + 1 and ends_in_cr))
    assert line[: len(head)] == head
    assert head == line if not cut else limit - 3 <= len(head) <= limit
    if isinstance(line, bytes) and isinstance(head, bytes) and _is_utf8(line):
        assert _is_utf8(head), "a cut must not split a character"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@PROPERTY
@given(
    data=st.lists(
        st.sampled_from([b"\n", b"x", b"yy", b"\xe2\x82\xac", b"z" * 30]), max_size=60
    ).map(b"".join),
    keep=st.integers(2, 40),
    cuts=st.lists(st.integers(0, 1000), max_size=8),
)
def test_the_clipper_cuts_every_line_whatever_the_chunks(
    data: bytes, keep: int, cuts: list[int]
) -> None:
    clipper = LineClipper(keep)
    bounds = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]
    clipped = b"".join(clipper(piece) for piece in pieces)
    assert clipped == b"\n".join(part[:keep] for part in data.split(b"\n"))


def _cut_after(data: bytes) -> tuple[PasteState, bool]:
    """The paste state a piece after ``data`` starts with (what ``parallel`` carries over),
    and whether the cut is at a record boundary: nothing open that the next line may join."""
    stream = RecordStream(Tally(source="cat.log"))
    for number, item in enumerate(physical_lines(data), 1):
        stream.push(number, item)
    state = stream.reader.state
    boundary = stream.grouper.idle and stream.rejoiner.idle and state.partial is None
    return PasteState(session=dict(state.session), in_fence=state.in_fence), boundary


@PROPERTY
@given(
    a=st.lists(st.tuples(line, ending), max_size=15),
    b=st.lists(st.tuples(line, ending), max_size=15),
    fresh=st.sampled_from(FRESH_STARTS),
)
def test_a_concatenation_cut_at_a_record_boundary_merges_to_the_whole(
    exact: Classifier,
    a: list[tuple[bytes, bytes]],
    b: list[tuple[bytes, bytes]],
    fresh: bytes,
) -> None:
    head = b"".join(text + end for text, end in a)
    if head and not head.endswith(b"\n"):
        head += b"\n"
    first = head + PLAIN_END
    assume(as_utf8(first) == first)  # a UTF-16 BOM would make the whole input UTF-16
    state, boundary = _cut_after(first)
    assume(boundary)  # e.g. a CloudEvent dump's data section takes any plain line
    second = fresh + b"".join(text + end for text, end in b)
    whole = exact.classify(first + second, source_name="cat.log")
    part = Part(first_line=physical_count(first) + 1, state=state)
    pieces = [
        exact.classify(first, source_name="cat.log"),
        exact.classify_many([("cat.log", second)], part=part),
    ]
    assert exact.merge(pieces) == whole


@PROPERTY
@given(
    data=any_bytes,
    engine=st.sampled_from(available_engines()),
    chunk=st.integers(1, 700),
    max_line=st.integers(2, SHORT_LINES),
    slice_lines=st.sampled_from([1, 3, 1 << 16]),
)
def test_the_fast_path_gives_the_exact_report(
    exact: Classifier,
    fast_engines: dict[str, Classifier],
    data: bytes,
    engine: str,
    chunk: int,
    max_line: int,
    slice_lines: int,
) -> None:
    slow = copy.copy(exact)
    slow.max_line_length = max_line
    fast = copy.copy(fast_engines[engine])
    fast.max_line_length = max_line
    fast.chunk_bytes = chunk
    with mock.patch.object(fastscan, "_MAX_SLICE_LINES", slice_lines):
        want = slow.classify(data, source_name="p.log")
        assert fast.classify(data, source_name="p.log") == want
        # as a stream the fast path also reads UTF-16 (bytes in UTF-16 are read exactly)
        want = slow.classify(io.BytesIO(data), source_name="p.log")
        assert fast.classify(io.BytesIO(data), source_name="p.log") == want


def test_frames_after_a_pasted_command_join_their_record_on_the_fast_path(
    exact: Classifier, fast_engines: dict[str, Classifier]
) -> None:
    """Found by the fuzzer: a frame's lookback must pass a paste marker, which is no record.

    The record is the last line the first buffer accounts for (the lines after it are
    carried to the next buffer), so only the lookback can keep it from being skipped.
    """
    noise = b"2025-06-12T08:04:00Z\tINFO\tsetup\tstarting manager\n"
    data = (
        noise * 3
        + b"On tap-build-eu1 the observer logs this:\n"
        + b"$ kubectl -n amr-observer-system logs deployments/amr\n"
        + b"main.main\n\t/workspace/main.go:190\n"
        + b"runtime.main\n\t/usr/local/go/src/runtime/proc.go:267\n"
        + noise * 13
    )
    want = exact.classify(data, source_name="p.log")
    assert want.stats.records == 3 + 1 + 13  # the frames belong to the record before them
    for engine, classifier in fast_engines.items():
        assert classifier.classify(data, source_name="p.log") == want, engine


def test_a_line_that_is_a_frame_once_cut_joins_its_record_on_the_fast_path(
    exact: Classifier, fast_engines: dict[str, Classifier]
) -> None:
    """Found by the fuzzer: stage 1 sees the whole line, the reader only its first bytes."""
    data = b"}\nmain.main\n\t/workspace/main.go:190 and then much more text\nnext\n"
    slow = copy.copy(exact)
    slow.max_line_length = len("\t/workspace/main.go:190")
    want = slow.classify(data, source_name="p.log")
    assert want.stats.records == 2  # ``}`` with its two frame lines, then ``next``
    for engine, classifier in fast_engines.items():
        fast = copy.copy(classifier)
        fast.max_line_length = slow.max_line_length
        assert fast.classify(data, source_name="p.log") == want, engine


def test_a_json_object_opened_at_the_end_of_a_line_is_joined_on_the_fast_path(
    exact: Classifier, fast_engines: dict[str, Classifier]
) -> None:
    """Found by the fuzzer: ``{"`` as a line's last characters starts a wrapped object."""
    data = (
        b"a first line, which stage 1 always reads\n"
        b"2024-11-12T09:14:02Z\tINFO\tsetup\tstarting\t{\"\n"
        b'path": "/truststore/ca.crt"}\n'
        b"plain line\n"
    )
    want = exact.classify(data, source_name="p.log")
    assert want.stats.records == 3
    for engine, classifier in fast_engines.items():
        assert classifier.classify(data, source_name="p.log") == want, engine


_NOISE = b"2025-06-12T08:04:00Z\tINFO\tsetup\tstarting manager\n"
_QUIET_HEAD = b"2025-06-12T08:04:01Z\tINFO\tsetup\tmanager stopped\n"  # no special line
_FRAMES = b"main.main()\n\t/workspace/main.go:190\n"


@pytest.mark.parametrize(
    ("between", "records"),
    [
        (b"[pod/amr-observer-controller-manager-7b9c6d5f48-hz4mn/manager] \n" * 10, 24),
        (b"\n" * 16, 24),
        (b"\n" * 17, 26),
        (b"$ kubectl -n x logs deploy/y\n```\n" * 4, 24),
    ],
    ids=["prefixed-blank-lines", "16-blank-lines", "17-blank-lines", "pasted-markers"],
)
def test_frames_after_quiet_lines_join_their_record_on_the_fast_path(
    exact: Classifier, fast_engines: dict[str, Classifier], between: bytes, records: int
) -> None:
    """Found by the fuzzer: a frame's lookback must cross what the grouper bridges (up to
    ``MAX_QUIET_LINES`` blank lines or markers in a row), however many steps that takes."""
    data = _NOISE * 3 + _QUIET_HEAD + between + _FRAMES + _NOISE * 20
    want = exact.classify(data, source_name="p.log")
    assert want.stats.records == records  # 3 + 1 (with its frames) + 20, or the frames apart
    for engine, classifier in fast_engines.items():
        assert classifier.classify(data, source_name="p.log") == want, engine


def test_joined_empty_partials_count_every_line(exact: Classifier) -> None:
    data = b"2024-03-02T08:11:09.1Z stdout P \n2024-03-02T08:11:09.2Z stdout F \n"
    (src,) = exact.classify(data, source_name="p.log").stats.sources
    assert src.lines_read == 2
    assert src.text_lines + src.blank_lines + src.skipped_lines == 2


def test_the_fuzz_target_holds_on_every_seed() -> None:
    """The seeds the fuzzer starts from, and generated messy logs, pass its checks."""
    seeds = [p for folder in fuzz_reading.SEEDS for p in sorted(folder.iterdir()) if p.is_file()]
    assert len(seeds) >= 15
    for path in seeds:
        fuzz_reading.TestOneInput(path.read_bytes()[:8192])
    for seed in range(5):
        fuzz_reading.TestOneInput(messy_log(seed, 40))
    with pytest.raises(AssertionError):
        fuzz_reading.check_report(Classifier().classify(b"a\nb\n", source_name="x"), b"a\n")


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_a_short_fuzzing_session_finds_nothing(tmp_path: Path) -> None:
    """A couple of thousand atheris runs from the seeds (fixed seed, bounded time)."""
    target = ROOT / "fuzz" / "fuzz_reading.py"
    args = ["-runs=2000", "-seed=1", "-max_len=512", "-max_total_time=60"]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [str(folder) for folder in fuzz_reading.SEEDS]
    done = subprocess.run(
        [sys.executable, str(target), *args, f"-artifact_prefix={tmp_path}/", str(corpus), *seeds],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Done " in done.stderr and not list(tmp_path.glob("crash-*"))


@pytest.mark.skipif("re2" not in available_engines(), reason="RE2 is not installed")
def test_re2_sees_an_empty_line_before_a_pasted_oc_command(exact: Classifier) -> None:
    data = b"\n\noc logs deploy/x\n"
    fast = Classifier(engine="re2", fast_path_min_bytes=0)
    assert fast.classify(data, source_name="p.log") == exact.classify(data, source_name="p.log")


def test_stdlib_sees_a_blank_wrapper_line_after_a_line_ending_in_a_space(
    exact: Classifier,
) -> None:
    data = b"some text \n[pod/amr-observer-controller-manager-7b9c6d5f48-hz4mn/manager] \nmore\n"
    fast = Classifier(engine="stdlib", fast_path_min_bytes=0)
    assert fast.classify(data, source_name="p.log") == exact.classify(data, source_name="p.log")


def test_stdlib_sees_a_pasted_oc_command(exact: Classifier) -> None:
    failing = (
        b'2024-05-01T10:00:00Z\tERROR\thttpclient\t\t{"error": "request failed with status 503"}\n'
    )
    data = b"x\noc -n shop logs deploy/inventory\n" + b"noise line\n" * 5 + failing
    fast = Classifier(engine="stdlib", fast_path_min_bytes=0)
    assert fast.classify(data, source_name="p.log") == exact.classify(data, source_name="p.log")
