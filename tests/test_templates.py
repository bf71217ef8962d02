"""Unknown records: warning-or-worse records no signature explained, grouped by masked template."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import FIXTURES
from logsynth import messy_log

from amr_logpatterns import Classifier, Report
from amr_logpatterns.analyse.templates import (
    CLIP_MARK,
    MAX_TEMPLATE_CHARS,
    UnknownTally,
    mask,
    priority,
)
from amr_logpatterns.fast.prefilter import available_engines
from amr_logpatterns.models.records import LogRecord
from amr_logpatterns.pipeline import cutting, parallel
from amr_logpatterns.pipeline.merge import merge_reports

MIXED = FIXTURES / "unknown" / "mixed.log"
ENGINES = available_engines()


@pytest.fixture(scope="module")
def exact() -> Classifier:
    return Classifier(engine="exact")


def _unknown(report: Report) -> list[tuple[str, str, int, int]]:
    return [(t.level, t.template, t.count, t.first_seen.line) for t in report.unknown]


# -- grouping -------------------------------------------------------------------------------


def test_repeats_group_into_templates_with_counts_first_line_and_example(exact: Classifier) -> None:
    report = exact.classify_file(MIXED)
    assert _unknown(report) == [
        ("error", 'failed to sync object <uuid> after <num> retries (took <dur>)  error=Get "<str>": dial tcp <ip>:<num>: connect: connection refused', 12, 17),
        ("warn", "cache for key '<str>' is older than <dur>; refreshing", 8, 2),
        ("warn", "watch of *v1.Pod ended with: too old resource version: <num> (<num>)", 6, 4),
        ("error", "Reconciler error  err=timed out after <dur> waiting for <ip>", 5, 1),
        ("warn", "slow request id=<hex> took <dur>", 4, 13),
        ("error", 'token <b64> rejected for user "<str>"', 3, 3),
        ("warn", "peer [<ip>]:<num> unreachable from <ip>", 3, 6),
        ("warn", 'MountVolume.SetUp failed for volume "<str>" : secret "<str>" not found', 3, 40),
        ("dpanic", "invariant broken in queue depth <num>", 2, 47),
    ]
    lines = MIXED.read_text().splitlines()
    for t in report.unknown:
        assert t.first_seen.source == str(MIXED)
        assert t.example == lines[t.first_seen.line - 1].strip()
    assert report.unknown[0].first_seen.ts == "2024-05-01T10:00:08Z"
    assert report.stats.unknown_records == 46
    assert report.stats.unknown_templates_dropped == 0
    # the error-level figures stay what they were: foreign records count there
    assert (report.stats.error_records, report.stats.unexplained_error_records) == (30, 25)


def test_known_signature_lines_are_never_unknown(exact: Classifier) -> None:
    for sig in exact.pack.signatures:
        for example in sig.examples.match:
            report = exact.classify("\n".join(filter(None, (example.context, example.line))))
            assert report.unknown == [] and report.stats.unknown_records == 0, sig.id
    report = exact.classify_file(MIXED)
    assert {f.id for f in report.findings} >= {"observer.health-check-failed", "observer.no-certs-appended"}
    assert not any("request failed with status" in t.example or "No certs" in t.example for t in report.unknown)


def test_foreign_pods_and_sidecars_are_not_amrs_unknowns(exact: Classifier) -> None:
    line = "2024-05-01T10:00:00Z\tERROR\tleader\tfailed to renew lease after 3 attempts"
    assert exact.classify(line).stats.unknown_records == 1
    foreign = [
        f"[pod/cert-manager-6d5f-abc12/cert-manager] {line}",
        f"[pod/amr-observer-controller-manager-7b9c6d5f48-hz4mn/kube-rbac-proxy] {line}",
        f"$ kubectl -n shop logs deploy/inventory\n{line}",
    ]
    for text in foreign:
        report = exact.classify(text)
        assert report.stats.unknown_records == 0 and report.unknown == [], text
        assert report.stats.unexplained_error_records == 1
    ours = f"[pod/amr-persister-6b9c8d7f4-p5wzt/handler] {line}"
    assert exact.classify(ours).stats.unknown_records == 1
    from_path = exact.classify(line, source_name="/var/log/pods/cert-manager_cert-manager-6d5f-abc12_0c1d2e3f-1111-2222-3333-444455556666/cert-manager/0.log")
    assert from_path.stats.unknown_records == 0


def test_the_first_example_is_clipped_like_evidence(exact: Classifier) -> None:
    words = " ".join(f"word{i}x" for i in range(2000))
    report = exact.classify(f"2024-05-01T10:00:00Z\tERROR\tbig\tbad thing {words}")
    (t,) = report.unknown
    assert t.example.endswith(" more characters]") and len(t.example) < 4200
    assert t.template.endswith(CLIP_MARK) and len(t.template) <= MAX_TEMPLATE_CHARS + len(CLIP_MARK)


# -- levels, per format ---------------------------------------------------------------------

TS = "2024-05-01T10:00:00Z"
LEVELS = [
    (f"{TS}\tWARN\tctl\t{{msg}}", "warn"),
    (f"{TS}  warn  ctl  {{msg}}", "warn"),
    (f"{TS}\tWarning\tctl\t{{msg}}", "warn"),
    (f"{TS}\terror\tctl\t{{msg}}", "error"),
    (f"{TS}\tDPANIC\tctl\t{{msg}}", "dpanic"),
    (f"{TS}\tpanic\tctl\t{{msg}}", "panic"),
    (f"{TS}\tFATAL\tctl\t{{msg}}", "fatal"),
    ("1714557600.123\twarn\tctl\t{msg}", "warn"),
    (f"{TS}\tINFO\tctl\t{{msg}}", None),
    (f"{TS}\tDEBUG\tctl\t{{msg}}", None),
    (f"{TS}\tLEVEL(-2)\tctl\t{{msg}}", None),
    (f"{TS}\tLevel(-5)\tctl\t{{msg}}", None),
    ('{{"level":"warning","msg":"{msg}"}}', "warn"),
    ('{{"level":"WARN","msg":"{msg}"}}', "warn"),
    ('{{"level":"ERROR","msg":"{msg}"}}', "error"),
    ('{{"level":"E","msg":"{msg}"}}', "error"),
    ('{{"level":"w","msg":"{msg}"}}', "warn"),
    ('{{"level": " e ", "msg": "{msg}"}}', "error"),
    ('{{"level":"err","msg":"{msg}"}}', "error"),
    ('{{"level":"ERR","msg":"{msg}"}}', "error"),
    ('{{"level":"critical","msg":"{msg}"}}', "fatal"),
    ('{{"severity":"WARNING","message":"{msg}"}}', "warn"),
    ('{{"lvl":"warn","msg":"{msg}"}}', "warn"),
    ('{{"L":"W","M":"{msg}"}}', "warn"),
    ('{{"level":"\\u0057","msg":"{msg}"}}', "warn"),
    ('{{"level":"\\u0065rr","msg":"{msg}"}}', "error"),
    ('{{"level":"info","msg":"{msg}"}}', None),
    ('{{"level":"debug","msg":"{msg}"}}', None),
    ('{{"level":50,"msg":"{msg}"}}', None),
    ("W0501 10:00:00.000001       1 thing.go:42] {msg}", "warn"),
    ("E0501 10:00:00.000001       1 thing.go:42] {msg}", "error"),
    ("F0501 10:00:00.000001       1 thing.go:42] {msg}", "fatal"),
    ("I0501 10:00:00.000001       1 thing.go:42] {msg}", None),
    ("  Warning  Oddity  2m (x3 over 10m)  kubelet  {msg}", "warn"),
    ("  Normal   Oddity  2m  kubelet  {msg}", None),
    ("2024/05/01 10:00:00 {msg}", None),
    ("ERROR: {msg}", None),
]


@pytest.mark.parametrize(("shape", "level"), LEVELS, ids=[f"{i}-{lv}" for i, (_, lv) in enumerate(LEVELS)])
def test_level_of_each_format(exact: Classifier, shape: str, level: str | None) -> None:
    report = exact.classify(shape.format(msg="the gizmo stalled after 3 tries"))
    if level is None:
        assert report.unknown == [] and report.stats.unknown_records == 0
    else:
        assert [(t.level, t.template) for t in report.unknown] == [(level, "the gizmo stalled after <num> tries")]


def test_every_level_shape_takes_the_fast_path_too(exact: Classifier) -> None:
    noise = "I0501 10:00:00.000123       1 reflector.go:351] Watch close - *v1.Pod total 7 items received"
    lines = []
    for i, (shape, _) in enumerate(LEVELS * 3):
        lines += [noise, shape.format(msg=f"the gizmo stalled after {i} tries"), noise]
    data = "\n".join(lines).encode()
    want = exact.classify(data, source_name="levels")
    assert want.stats.unknown_records == 3 * sum(1 for _, level in LEVELS if level)
    for engine in ENGINES:
        for chunk in (512, 1 << 20):
            fast = Classifier(engine=engine, fast_path_min_bytes=0, chunk_bytes=chunk)
            assert fast.classify(data, source_name="levels") == want, (engine, chunk)


# -- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "template"),
    [
        ('Get "https://amr:8443/play": dial tcp 10.0.0.1:8443: connect: connection refused',
         'Get "<str>": dial tcp <ip>:<num>: connect: connection refused'),
        ("object 550e8400-e29b-41d4-a716-446655440000 after 3 retries (took 1m30s)",
         "object <uuid> after <num> retries (took <dur>)"),
        ("can't find pod 'web-1' in namespace shop", "can't find pod '<str>' in namespace shop"),
        ('node=worker-12 term=5 holder="a b" ok=true at=2024-05-01T10:00:00Z',
         'node=<str> term=<num> holder="<str>" ok=<val> at=<ts>'),
        ('failed: {"message":"uid \'abc\' exists","code":409,"ok":false}',
         'failed: {"message":"<str>","code":<num>,"ok":<val>}'),
        ("peer [fe80::1]:443 and 2001:db8::ff00:42:8329 gone", "peer [<ip>]:<num> and <ip> gone"),
        ("token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 digest sha256:9f86d081884c7d659a2feaa0c55ad015",
         "token <b64> digest sha256:<hex>"),
        ("at 2024-05-01T10:00:00.123Z, 2024/05/01 10:00:00 and 10:00:01.5", "at <ts>, <ts> and <ts>"),
        ("main.go:12: fault at 0x4f3a, errno 12345678, http2 x509 v1 v1.2.3 web-7 -3 2.5 1e+06.",
         "main.go:<num>: fault at <hex>, errno <num>, http2 x509 v1 v1.2.3 web-<num> <num> <num> <num>."),
        ("path apps/v1/namespaces/default/replicasets is fine", "path apps/v1/namespaces/default/replicasets is fine"),
        ("std::string and Error:: stay", "std::string and Error:: stay"),
    ],
)
def test_masking(message: str, template: str) -> None:
    assert mask(message) == template


# -- the cap --------------------------------------------------------------------------------


def _many_templates(errors: int, warnings: int, repeats: int = 3) -> str:
    lines = []
    for r in range(repeats):
        for i in range(errors):
            lines.append(f"{TS}\tERROR\tctl\tbroken part{'x' * i} number {r}")
        for i in range(warnings):
            lines.append(f"{TS}\tWARN\tctl\tslow part{'y' * i} number {r}")
    return "\n".join(lines)


def test_the_cap_keeps_errors_first_and_counts_what_it_drops() -> None:
    text = _many_templates(errors=3, warnings=7)
    full = Classifier(engine="exact").classify(text)
    assert len(full.unknown) == 10 and full.stats.unknown_records == 30
    capped = Classifier(engine="exact", max_unknown_templates=4).classify(text)
    assert capped.stats.unknown_records == 30
    assert len(capped.unknown) == 4
    assert sum(t.count for t in capped.unknown) + capped.stats.unknown_templates_dropped == 30
    assert capped.stats.unknown_templates_dropped == 18
    assert [t.level for t in capped.unknown].count("error") == 3
    best_warning = max((t for t in full.unknown if t.level == "warn"), key=lambda t: priority(t.level, t.template))
    assert best_warning.template in {t.template for t in capped.unknown}
    for t in capped.unknown:  # a kept template keeps its whole count, first line and example
        assert t == next(u for u in full.unknown if u.template == t.template)
    nothing = Classifier(engine="exact", max_unknown_templates=0).classify(text)
    assert nothing.unknown == [] and nothing.stats.unknown_templates_dropped == 30
    with pytest.raises(ValueError, match="max_unknown_templates"):
        Classifier(max_unknown_templates=-1)


def test_memory_stays_bounded_while_streaming() -> None:
    tally = UnknownTally(limit=5)
    for i in range(2000):
        record = LogRecord(source="s", line=i + 1, end_line=i + 1, raw="r", encoding="plain", message=f"m{'z' * (i % 300)}", level="error")
        assert tally.add(record)
        assert len(tally.groups) <= 5 and len(tally._kept) <= 5
    assert tally.records == 2000
    assert tally.dropped == 2000 - sum(g.count for g in tally.groups.values())
    info = LogRecord(source="s", line=1, end_line=1, raw="r", encoding="plain", message="m", level="info")
    assert not tally.add(info) and tally.records == 2000


# -- the fast path and split runs give the exact report -------------------------------------

UNKNOWN_SHAPES = [
    "{ts}\t{level}\tctl.{n}\tfailed to reconcile {uuid} after {n} retries, backoff {n}s",
    '{{"level":"{jlevel}","ts":"{ts}","msg":"slow call to {ip}:{n} took {n}ms","id":"{uuid}"}}',
    '{{"severity":"{jlevel}","message":"quota for \'{word}\' exceeded: {n} > {n}"}}',
    "{klog}0501 10:00:00.{n:06d}       1 cache.go:{n}] lost watch on {word}-{n}: {hex}",
    '  Warning  Oddity{n}  2m (x{n} over 10m)  kubelet  volume "{word}" stuck at {ip}',
    "{ts}\tLEVEL(-2)\tctl\tnot counted {n}",
    '{{"level":"\\u0057","msg":"escaped level {n}"}}',
]
WRAPS = [
    "{line}",
    "2024-05-01T10:00:00.1Z stdout F {line}",
    "[pod/amr-observer-controller-manager-7c9d8b6f4-qx2lm/manager] {line}",
    "[pod/cert-manager-6d5f-abc12/cert-manager] {line}",
    "\x1b[33m{line}\x1b[0m",
    "> {line}",
]


def unknown_heavy_log(seed: int, records: int = 200, *, pod_state: bool = True) -> bytes:
    """``messy_log`` with many unknown warnings and errors of every shape mixed in."""
    rng = random.Random(seed)
    lines = messy_log(seed, records, pod_state=pod_state).decode("utf-8", "replace").split("\n")
    for _ in range(records):
        n = rng.randrange(1, 99999)
        fields = {
            "ts": f"2024-05-01T10:00:{rng.randrange(60):02d}Z",
            "level": rng.choice(["WARN", "warn", "ERROR", "error", "DPANIC", "fatal", "INFO"]),
            "jlevel": rng.choice(["warn", "WARNING", "error", "E", "w", "err", "critical", "info"]),
            "klog": rng.choice("WEFI"),
            "n": n,
            "uuid": f"{n:08x}-e29b-41d4-a716-{n * 7919:012x}"[-36:],
            "ip": f"10.{n % 256}.{n // 256 % 256}.7",
            "hex": f"{n * 2654435761:x}",
            "word": rng.choice(["alpha", "beta", "gamma"]),
        }
        line = rng.choice(UNKNOWN_SHAPES).format(**fields)
        if rng.random() < 0.5:
            line = rng.choice(WRAPS).format(line=line)
        lines.insert(rng.randrange(len(lines) + 1), line)
    return "\n".join(lines).encode()


def test_fixture_fast_path_equals_exact(exact: Classifier) -> None:
    data = MIXED.read_bytes()
    want = exact.classify(data, source_name="mixed")
    for engine in ENGINES:
        for chunk in (512, 1 << 22):
            fast = Classifier(engine=engine, fast_path_min_bytes=0, chunk_bytes=chunk)
            assert fast.classify(data, source_name="mixed") == want, (engine, chunk)


@pytest.mark.parametrize("seed", range(12))
def test_unknown_heavy_logs_fast_path_equals_exact(exact: Classifier, seed: int) -> None:
    data = unknown_heavy_log(seed)
    want = exact.classify(data, source_name="gen")
    # a pasted command's foreign namespace or pod makes the records after it nobody's
    assert want.stats.unknown_records > 10 and len(want.unknown) > 5
    for engine in ENGINES:
        fast = Classifier(engine=engine, fast_path_min_bytes=0, chunk_bytes=512 if seed % 2 else 1 << 22)
        assert fast.classify(data, source_name="gen") == want, engine
    capped = Classifier(engine="exact", max_unknown_templates=4)
    capped_fast = Classifier(engine=ENGINES[0], fast_path_min_bytes=0, max_unknown_templates=4)
    assert capped_fast.classify(data, source_name="gen") == capped.classify(data, source_name="gen")


@pytest.fixture()
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cutting, "MIN_PIECE_BYTES", 4096)


NOISE = b"".join(
    b'2024-05-01T10:00:00Z\tINFO\tcontroller.workload\tReconciling\t{"name": "web-%d"}\n' % i
    for i in range(400)
)


def _big(tmp_path: Path, seed: int) -> Path:
    path = tmp_path / "big.log"
    logs = (unknown_heavy_log(seed * 10 + k, 60, pod_state=False) for k in range(6))
    path.write_bytes(b"".join(log + b"\n" + NOISE for log in logs))
    return path


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("seed", range(3))
def test_split_runs_equal_one_run(classifier: Classifier, tmp_path: Path, seed: int) -> None:
    path = _big(tmp_path, seed)
    whole = classifier.classify_file(path)
    assert whole.stats.unknown_records > 40
    assert parallel.classify_parallel(classifier, [path], 3) == whole


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("cap", [0, 1, 3, 8])
def test_split_runs_keep_exactly_the_single_runs_capped_templates(tmp_path: Path, cap: int) -> None:
    path = _big(tmp_path, 7)
    small = Classifier(max_unknown_templates=cap)
    data = path.read_bytes()
    cut = parallel.pieces(str(path), 3)
    assert len(cut) == 3
    parts = [small.classify_many([(str(path), data[p.start : p.end])], part=p.part) for p in cut]
    whole = small.classify_file(path)
    assert whole.stats.unknown_templates_dropped > 0 and len(whole.unknown) == cap
    assert small.merge(parts) == whole
    assert small.merge([small.merge(parts[:2]), parts[2]]) == whole
    assert small.merge([parts[0], small.merge(parts[1:])]) == whole


def test_report_merge_of_files_equals_one_run(classifier: Classifier, tmp_path: Path) -> None:
    paths = []
    for k in range(3):
        path = tmp_path / f"part{k}.log"
        path.write_bytes(unknown_heavy_log(100 + k, 80))
        paths.append(path)
    a, b, c = (classifier.classify_file(p) for p in paths)
    whole = classifier.classify_files(paths)
    merged = merge_reports([a, b, c])
    assert merged.unknown == whole.unknown and merged.stats == whole.stats
    assert merge_reports([merge_reports([a, b]), c]) == merge_reports([a, merge_reports([b, c])]) == merged
    assert classifier.merge([a, b, c]) == whole


def test_unknown_templates_survive_a_json_round_trip(exact: Classifier) -> None:
    report = exact.classify_file(MIXED)
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert json.loads(report.model_dump_json())["unknown"][0]["count"] == 12
