"""Fuzz reading, decoding, grouping and matching: any bytes give a sound report on every path.

Run (after ``pip install -e '.[fuzz]'``)::

    python fuzz/fuzz_reading.py -runs=100000

Without corpus directories the fuzzer starts from the shipped example logs and the hostile
fixtures and keeps what it finds in a fresh temporary directory; any libFuzzer flag works
(``-max_total_time=600``, ``-jobs=2``, a corpus directory of your own first). Importing this
module needs no atheris: the tests run ``TestOneInput`` over the seeds and share its checks.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import functools
import importlib
import io
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

try:
    atheris: Any = importlib.import_module("atheris")
except ImportError:  # the tests import this module without it
    atheris = None

ROOT = Path(__file__).resolve().parent.parent
#: Where the fuzzer starts; ``fuzz/found`` keeps the inputs that once failed (the suite
#: runs every seed through ``TestOneInput``, so they stay fixed)
SEEDS = (
    ROOT / "examples" / "logs",
    ROOT / "tests" / "fixtures" / "hostile",
    ROOT / "fuzz" / "found",
)


def _instrumented() -> AbstractContextManager[Any]:
    """Coverage instrumentation of the package, only when this file runs as the fuzzer."""
    if __name__ == "__main__" and atheris is not None:
        instrumenting = atheris.instrument_imports(include=["amr_logpatterns"])
        return cast(AbstractContextManager[Any], instrumenting)
    return contextlib.nullcontext()


with _instrumented():
    from amr_logpatterns import Classifier, Report
    from amr_logpatterns.fast.prefilter import available_engines

def as_utf8(data: bytes) -> bytes:
    """The bytes the readers split into lines: UTF-16 with a BOM is transcoded."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace").encode("utf-8")
    return data


def physical_count(data: bytes) -> int:
    """How many physical lines ``data`` holds: LF ends a line, CR alone does not."""
    data = as_utf8(data)
    if not data:
        return 0
    return data.count(b"\n") + (not data.endswith(b"\n"))


def lines_of(report: Report) -> Iterator[tuple[str, int, int]]:
    """Every (what, first line, last line) a report points at."""
    for f in report.findings:
        # first and last in time: a log store's answer lists its records newest first, so
        # the last seen may stand on an earlier line
        yield f"{f.id} first seen", f.first_seen.line, f.first_seen.line
        yield f"{f.id} last seen", f.last_seen.line, f.last_seen.line
        for e in f.evidence:
            yield f"{f.id} evidence", e.line, e.end_line
        for seen in f.first_seen_in.values():
            yield f"{f.id} first seen in", seen.line, seen.line
        for last in f.last_lines.values():
            yield f"{f.id} last line", last, last
        if f.recovery is not None:
            r = f.recovery
            yield f"{f.id} recovery since", r.since.line, r.since.line
            yield f"{f.id} recovery last failure", r.last_failure.line, r.last_failure.line
            if r.recovered_at is not None:
                yield f"{f.id} recovered at", r.recovered_at.line, r.recovered_at.line
        if f.verdict is not None and f.verdict.against is not None:
            yield f"{f.id} verdict", f.verdict.against.line, f.verdict.against.line
    for u in report.unknown:
        yield f"unknown {u.template!r}", u.first_seen.line, u.first_seen.line


def check_report(report: Report, data: bytes) -> None:
    """The invariants every report of one input keeps, whatever the input's bytes."""
    assert isinstance(report, Report)
    (src,) = report.stats.sources
    assert src.read_error is None, src.read_error
    assert src.lines_read == physical_count(data), (src.lines_read, physical_count(data))
    assert src.lines_read == src.text_lines + src.blank_lines + src.skipped_lines, src
    assert report.stats.lines_read == src.lines_read
    for what, first, last in lines_of(report):
        assert 1 <= first <= last <= src.lines_read, (what, first, last, src.lines_read)


@functools.cache
def _classifiers() -> tuple[Classifier, dict[str, Classifier]]:
    """The exact classifier and one warmed fast one per installed stage-1 engine."""
    exact = Classifier(engine="exact")
    fast = {}
    for name in available_engines():
        classifier = Classifier(exact.pack, engine=name, fast_path_min_bytes=0)
        classifier.classify(b"warm up\n", source_name="w")
        fast[name] = classifier
    return exact, fast


def TestOneInput(data: bytes) -> None:
    """Classify ``data`` exactly and on the fast path, and check everything that must hold.

    The fast path's engine, chunk size and line cut come from a checksum of the input,
    so a seed log stays a log and a crash reproduces from its bytes alone.
    """
    exact, fast_engines = _classifiers()
    check_report(exact.classify(data, source_name="fuzz.log"), data)
    lines = physical_count(data)
    for match in exact.scan(data, source_name="fuzz.log"):
        assert 1 <= match.line <= match.end_line <= lines, match
    options = zlib.crc32(data)
    slow = copy.copy(exact)
    slow.max_line_length = 2 + options % 300
    engines = sorted(fast_engines)
    fast = copy.copy(fast_engines[engines[(options >> 9) % len(engines)]])
    fast.max_line_length = slow.max_line_length
    fast.chunk_bytes = 1 + (options >> 12) % 1000
    want = slow.classify(data, source_name="fuzz.log")
    check_report(want, data)
    assert fast.classify(data, source_name="fuzz.log") == want
    want = slow.classify(io.BytesIO(data), source_name="fuzz.log")
    assert fast.classify(io.BytesIO(data), source_name="fuzz.log") == want


def main(argv: list[str]) -> None:
    """Fuzz with libFuzzer's flags; seeds and a scratch corpus when no directory is given."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]'")
    args = argv[1:]
    if all(arg.startswith("-") for arg in args):
        scratch = tempfile.mkdtemp(prefix="amr-fuzz-")
        args += [scratch, *(str(seed) for seed in SEEDS)]
        if not any(arg.startswith("-artifact_prefix=") for arg in args):
            args.append(f"-artifact_prefix={scratch}/")
    if not any(arg.startswith("-max_len=") for arg in args):
        args.append("-max_len=4096")
    atheris.Setup([argv[0], *args], TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
