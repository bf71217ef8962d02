"""The per-search time limit and the line-length cap: a hostile line never stalls or vanishes.

The regex module guards its repeats, so the textbook ``(a+)+$`` runs in linear
time there; ``(a|a)+$`` is the catastrophic pattern used instead (40 characters
take it minutes).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from logsynth import messy_log

from amr_logpatterns import Classifier, Report, load_packs
from amr_logpatterns.analyse.compiling import UNGUARDED_LENGTH
from amr_logpatterns.analyse.matcher import DEFAULT_REGEX_TIMEOUT
from amr_logpatterns.fast.prefilter import available_engines
from amr_logpatterns.packs.loader import Pack
from amr_logpatterns.pipeline import cutting, parallel
from amr_logpatterns.pipeline.merge import merge_reports

HOSTILE_LINE = "a" * 40 + "!"
NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(300)
)

SIGNATURE = """\
id: demo.{name}
title: A pattern that backtracks catastrophically
component: demo
severity: warning
category: demo
explanation: Shows the time limit.
{waiver}match:
  keywords: ["aaaa"]
  message: '{pattern}'
{extra}examples:
  match:
    - line: "{example}"
    - line: "{example}a"
  no_match:
    - "bbbb"
    - "aaaab"
"""

WAIVER = 'unsafe_regex_ok: "a test of the time limit"\n'


def _pack(tmp_path: Path, **signatures: dict[str, str]) -> Pack:
    root = tmp_path / "pack"
    (root / "demo").mkdir(parents=True)
    (root / "components").mkdir()
    (root / "components" / "demo.yaml").write_text("id: demo\ntitle: Demo\n")
    for name, spec in signatures.items():
        text = SIGNATURE.format(
            name=name,
            waiver=spec.get("waiver", ""),
            pattern=spec["pattern"],
            extra=spec.get("extra", ""),
            example=spec.get("example", "aaaa"),
        )
        (root / "demo" / f"demo.{name}.yaml").write_text(text)
    return load_packs(root)


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return _pack(
        tmp_path_factory.mktemp("hostile"),
        hostile={"pattern": "^(a|a)+$", "waiver": WAIVER},
        # the stage-1 literal is the logger's: a record without it cannot match
        literal={
            "pattern": "^(a|a)+$",
            "waiver": WAIVER,
            "extra": "  fields:\n    logger: '^wxyzv$'\n",
            "example": '{\\"logger\\":\\"wxyzv\\",\\"msg\\":\\"aaaa\\"}',
        },
    )


def test_a_hostile_line_is_cut_short_counted_and_the_run_goes_on(hostile_pack: Pack) -> None:
    classifier = Classifier(hostile_pack, regex_timeout=0.05)
    text = f"aaaa\n{HOSTILE_LINE}\naaaaa\n"
    started = time.perf_counter()
    report = classifier.classify(text, source_name="hostile.log")
    assert time.perf_counter() - started < 5
    assert report.stats.regex_timeouts == 1
    assert report.stats.regex_timeouts_by_signature == {"demo.hostile": 1}
    assert report.stats.sources[0].regex_timeouts == 1
    (finding,) = [f for f in report.findings if f.id == "demo.hostile"]
    assert finding.count == 2  # lines 1 and 3; line 2 timed out, so it does not match
    assert [e.line for e in finding.evidence] == [1, 3]
    assert report.stats.lines_read == report.stats.records == 3


def test_a_timeout_without_the_signatures_literal_is_not_counted(hostile_pack: Pack) -> None:
    """No match was possible there; the fast path, which never reads the line, agrees."""
    with_literal = '{"level":"info","logger":"wxyzv","msg":"' + HOSTILE_LINE + '"}'
    report = Classifier(hostile_pack, regex_timeout=0.05, engine="exact").classify(
        f"{with_literal}\n", source_name="x"
    )
    assert report.stats.regex_timeouts_by_signature == {"demo.hostile": 1, "demo.literal": 1}
    plain = Classifier(hostile_pack, regex_timeout=0.05, engine="exact").classify(
        f"{HOSTILE_LINE}\n", source_name="x"
    )
    assert plain.stats.regex_timeouts_by_signature == {"demo.hostile": 1}


def _hostile_log() -> bytes:
    with_literal = b'{"level":"info","logger":"wxyzv","msg":"' + HOSTILE_LINE.encode() + b'"}\n'
    return (
        NOISE
        + HOSTILE_LINE.encode() + b"\n"
        + messy_log(3, 60, pod_state=False) + b"\n"
        + b"aaaa\n"
        + NOISE
        + with_literal
        + NOISE
    )


@pytest.mark.parametrize("engine", available_engines())
def test_the_fast_path_counts_the_same_timeouts(hostile_pack: Pack, engine: str) -> None:
    data = _hostile_log()
    exact = Classifier(hostile_pack, regex_timeout=0.05, engine="exact")
    fast = Classifier(hostile_pack, regex_timeout=0.05, engine=engine, fast_path_min_bytes=0)
    want = exact.classify(data, source_name="gen")
    assert want.stats.regex_timeouts_by_signature == {"demo.hostile": 2, "demo.literal": 1}
    assert fast.classify(data, source_name="gen") == want


def test_a_line_the_fast_path_skips_counts_no_timeout(tmp_path: Path) -> None:
    """Its keyword is there but not its literal: the exact path tries it, the fast path not."""
    pack = _pack(
        tmp_path,
        literal={
            "pattern": "^(a|a)+$",
            "waiver": WAIVER,
            "extra": "  fields:\n    logger: '^wxyzv$'\n",
            "example": '{\\"logger\\":\\"wxyzv\\",\\"msg\\":\\"aaaa\\"}',
        },
    )
    data = NOISE + HOSTILE_LINE.encode() + b"\n" + NOISE
    exact = Classifier(pack, regex_timeout=0.05, engine="exact").classify(data, source_name="x")
    assert exact.stats.regex_timeouts == 0
    fast = Classifier(pack, regex_timeout=0.05, engine="stdlib", fast_path_min_bytes=0)
    assert fast.classify(data, source_name="x") == exact


def test_a_split_run_counts_the_same_timeouts(
    hostile_pack: Pack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)
    path = tmp_path / "big.log"
    path.write_bytes(_hostile_log() * 3)
    classifier = Classifier(hostile_pack, regex_timeout=0.05)
    assert len(parallel.pieces(str(path), 3)) == 3
    whole = classifier.classify_file(path)
    assert whole.stats.regex_timeouts == 9
    assert parallel.classify_parallel(classifier, [path], 3) == whole


def test_workers_get_the_time_limit(hostile_pack: Pack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_WORKER", None)
    import pickle

    classifier = Classifier(hostile_pack, regex_timeout=0.05, max_line_length=4096)
    parallel._init(pickle.loads(pickle.dumps(classifier)))  # as the pool hands it over
    assert parallel._WORKER is not None
    assert parallel._WORKER.regex_timeout == 0.05
    assert parallel._WORKER.max_line_length == 4096


def test_merged_reports_add_up_the_timeouts(hostile_pack: Pack) -> None:
    classifier = Classifier(hostile_pack, regex_timeout=0.05)
    a = classifier.classify(f"{HOSTILE_LINE}\n", source_name="a.log")
    b = classifier.classify(f"{HOSTILE_LINE}\n{HOSTILE_LINE}\n", source_name="b.log")
    merged = merge_reports([a, b])
    assert merged.stats.regex_timeouts == 3
    assert merged.stats.regex_timeouts_by_signature == {"demo.hostile": 3}
    assert [s.regex_timeouts for s in merged.stats.sources] == [1, 2]
    assert Report.model_validate_json(merged.model_dump_json()) == merged


def test_an_unreadable_pattern_loads_but_is_always_limited(tmp_path: Path) -> None:
    """A construct the static check does not model hides the shape; the limit still holds."""
    pack = _pack(tmp_path, cond={"pattern": "(?P<x>z)?(?:a|a)+$(?(x)z)"})
    classifier = Classifier(pack, regex_timeout=0.05)
    (compiled,) = [cs for cs in classifier.signatures if cs.signature.id == "demo.cond"]
    assert compiled.guard_from == 0
    started = time.perf_counter()
    report = classifier.classify(f"{HOSTILE_LINE}\n", source_name="x")
    assert time.perf_counter() - started < 5
    assert report.stats.regex_timeouts_by_signature == {"demo.cond": 1}


def test_checked_signatures_skip_the_limit_only_on_short_subjects(
    hostile_pack: Pack, classifier: Classifier
) -> None:
    assert {cs.guard_from for cs in classifier.signatures} == {UNGUARDED_LENGTH}
    waived = Classifier(hostile_pack).signatures
    assert {cs.guard_from for cs in waived if cs.signature.unsafe_regex_ok} == {0}


def test_the_time_limit_is_validated() -> None:
    pack = load_packs()
    assert Classifier(pack).regex_timeout == DEFAULT_REGEX_TIMEOUT
    assert Classifier(pack, regex_timeout=None).regex_timeout is None
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match="regex_timeout"):
            Classifier(pack, regex_timeout=bad)


# -- long lines ------------------------------------------------------------------------

PROBE_LINE = (
    "2m10s       Warning   Unhealthy   pod/amr-observer-controller-manager-6d9f7c5b8-qz4lk"
    '   Readiness probe failed: Get "http://10.244.1.17:8081/readyz": context deadline exceeded'
)


@pytest.mark.parametrize("engine", ["exact", *available_engines()])
def test_a_line_over_the_cap_is_matched_on_its_head_and_never_dropped(engine: str) -> None:
    cap = 4096
    classifier = Classifier(engine=engine, max_line_length=cap, fast_path_min_bytes=0)
    long_line = PROBE_LINE + " (" + "x" * (3 * cap) + ")"
    late = "x" * (2 * cap) + " " + PROBE_LINE  # what it would match lies past the cap
    data = "\n".join(["first", long_line, late, PROBE_LINE, "last"]).encode() + b"\n"
    report = classifier.classify(data, source_name="long.log")
    source = report.stats.sources[0]
    assert (source.lines_read, source.records, source.truncated_lines) == (5, 5, 2)
    lines = sorted(e.line for f in report.findings for e in f.evidence)
    assert 2 in lines and 4 in lines and 3 not in lines
    exact = Classifier(engine="exact", max_line_length=cap).classify(data, source_name="long.log")
    assert report == exact


def test_the_default_cap_is_one_mebibyte() -> None:
    # matching a whole mebibyte legitimately takes some 50 ms: no limit, so no flakiness
    classifier = Classifier(engine="exact", regex_timeout=None)
    assert classifier.max_line_length == 1 << 20
    big = PROBE_LINE + " " + "y" * (1 << 20)
    report = classifier.classify(f"{big}\nlast\n".encode(), source_name="big.log")
    source = report.stats.sources[0]
    assert (source.lines_read, source.records, source.truncated_lines) == (2, 2, 1)
    assert any(e.line == 1 for f in report.findings for e in f.evidence)


#: Long runs a hostile or just odd line may hold (a padded field, a dump of separators).
LONG_RUNS = {"spaces": " ", "tabs": "\t", "letters": "a", "words": "x ", "colons": ": "}


@pytest.mark.parametrize("run", sorted(LONG_RUNS))
def test_no_builtin_signature_needs_its_time_limit_on_long_runs(run: str) -> None:
    """Each signature's first example, with 50,000 characters of a run put inside it near
    its end and in its middle: every search stays well within the default limit (a
    quadratic pattern such as ``.*?\\s*$`` took seconds on a run of spaces)."""
    classifier = Classifier(engine="exact")
    fill = LONG_RUNS[run] * (50_000 // len(LONG_RUNS[run])) + "y"
    lines = []
    for sig in classifier.pack.signatures:
        line = sig.examples.match[0].line
        for at in (len(line) - 2, len(line) // 2):
            lines.append(line[:at] + fill + line[at:])
    text = "\n".join(lines)
    report = classifier.classify(text.encode(), source_name="runs.log")
    (source,) = report.stats.sources
    assert source.lines_read == text.count("\n") + 1  # some examples span lines
    assert source.regex_timeouts == 0, source
