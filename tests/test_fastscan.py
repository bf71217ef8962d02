"""The fast path loses nothing: every engine gives the exact path's full Report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from logsynth import messy_log

from amr_logpatterns import Classifier
from amr_logpatterns.fast.prefilter import available_engines

ENGINES = available_engines()
FILES = sorted(p for p in (ROOT / "examples" / "logs").iterdir() if p.name != "EXPECTED.yaml")
FILES += sorted((ROOT / "tests" / "fixtures" / "guide").glob("*.log"))


@pytest.fixture(scope="module")
def exact() -> Classifier:
    return Classifier(engine="exact")


@pytest.fixture(scope="module", params=ENGINES)
def fast(request: pytest.FixtureRequest) -> Classifier:
    return Classifier(engine=request.param, fast_path_min_bytes=0)


def test_stdlib_engine_is_always_available() -> None:
    assert ENGINES[-1] == "stdlib"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_same_report_on_every_shipped_log(exact: Classifier, fast: Classifier, path: Path) -> None:
    data = path.read_bytes()
    assert fast.classify(data, source_name=path.name) == exact.classify(data, source_name=path.name)


@pytest.mark.parametrize("seed", range(40))
def test_same_report_on_generated_messy_logs(exact: Classifier, fast: Classifier, seed: int) -> None:
    data = messy_log(seed)
    want = exact.classify(data, source_name="gen")
    assert fast.classify(data, source_name="gen") == want
    small_chunks = Classifier(engine=fast.engine, chunk_bytes=512, fast_path_min_bytes=0)
    assert small_chunks.classify(data, source_name="gen") == want


def test_files_take_the_fast_path_and_agree(exact: Classifier, fast: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(b"".join(messy_log(seed, 200) + b"\n" for seed in range(5)))
    assert fast.classify_file(path) == exact.classify(path.read_bytes(), source_name=str(path))
    assert fast._prefilter is not None, "the fast path was not taken"


def test_an_engine_that_is_not_installed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("hyperscan", "re2") else real(name, *a))
    with pytest.raises(ValueError, match="engine 'hyperscan' is not installed"):
        Classifier(engine="hyperscan")
    assert Classifier().engine == "stdlib"
    from amr_logpatterns.cli import main

    assert main(["scan", "--engine", "re2", str(FILES[0])]) == 2


@pytest.mark.skipif("hyperscan" not in ENGINES, reason="Hyperscan is not installed")
def test_hyperscan_database_is_cached_by_its_patterns(tmp_path: Path) -> None:
    data = messy_log(5)
    first = Classifier(engine="hyperscan", fast_path_min_bytes=0, cache_dir=tmp_path)
    report = first.classify(data, source_name="gen")
    (db,) = tmp_path.glob("hyperscan-*.db")
    second = Classifier(engine="hyperscan", fast_path_min_bytes=0, cache_dir=tmp_path)
    assert second.classify(data, source_name="gen") == report
    db.write_bytes(b"not a database")
    third = Classifier(engine="hyperscan", fast_path_min_bytes=0, cache_dir=tmp_path)
    assert third.classify(data, source_name="gen") == report


def test_stage_one_reads_each_line_once_however_long(
    exact: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only an unfinished line goes on to the next buffer: carrying whole lines for a later
    frame's sake would scan them again, 18 cut lines of a MiB each for every buffer."""
    from amr_logpatterns.fast import prefilter

    scanned: list[int] = []
    real_scan = prefilter.StdlibEngine.scan

    def counting_scan(self: prefilter.StdlibEngine, buf: bytes) -> tuple[list[int], list[int]]:
        scanned.append(len(buf))
        return real_scan(self, buf)

    monkeypatch.setattr(prefilter.StdlibEngine, "scan", counting_scan)
    fast = Classifier(exact.pack, engine="stdlib", fast_path_min_bytes=0, max_line_length=10_000)
    fast.chunk_bytes = 64 << 10
    data = b"".join(b"%d " % i + b"x" * 300_000 + b"\n" for i in range(40))
    report = fast.classify(data, source_name="long.log")
    slow = Classifier(exact.pack, engine="exact", max_line_length=10_000)
    assert report == slow.classify(data, source_name="long.log")
    assert report.stats.sources[0].truncated_lines == 40
    assert sum(scanned) < 3 * 40 * 10_000, sum(scanned)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "line",
    [b"\x00" * 200_000, b"error " * 40_000, b"kubectl " * 30_000],
    ids=["nul-bytes", "error-words", "context-words"],
)
def test_stage_one_gives_up_on_a_buffer_thick_with_matches(
    exact: Classifier, engine: str, line: bytes
) -> None:
    """Every match costs a Python callback and a list entry: past a budget per line the
    engine says so, and the buffer is read exactly, with the same report."""
    from amr_logpatterns.fast.prefilter import make_engine, match_budget, patterns_for

    scanner = make_engine(engine, patterns_for(["error sending request"]))
    found = scanner.scan(line + b"\n")
    assert found is None or len(found[0]) + len(found[1]) <= match_budget(line)
    if engine != "stdlib":  # it reports one match per line and pattern at most
        assert found is None
    assert scanner.scan(b"an ordinary line\n" * 10) is not None
    data = b"first line\n" + line + b"\n" + b"2024-05-01T10:00:00Z\tINFO\tx\tlast line\n"
    fast = Classifier(exact.pack, engine=engine, fast_path_min_bytes=0)
    assert fast.classify(data, source_name="m.log") == exact.classify(data, source_name="m.log")
