"""The engine end to end through the API: inputs, attribution, aggregation, stats."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from amr_logpatterns import Classifier, InputError, Report, classify, load_packs, scan

FAILED_503 = '2023-06-20T19:01:58Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "503 Service Unavailable"}'
OK_204 = '2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "204 No Content"}'
SCHEME = (
    '2023-06-28T18:48:31Z  ERROR  httpclient.circuitbreaker  error contacting event handler  '
    '{{"error": "Get \\"{host}/healthz\\": unsupported protocol scheme \\"\\""}}'
)


def pairs(report_or_matches: object) -> list[tuple[str, int]]:
    if isinstance(report_or_matches, Report):
        return sorted((f.id, f.first_seen.line) for f in report_or_matches.findings)
    return [(m.id, m.line) for m in report_or_matches]  # type: ignore[attr-defined]


def test_every_kind_of_source_gives_the_same_report(classifier: Classifier) -> None:
    text = f"{FAILED_503}\n{OK_204}\n"
    expected = classifier.classify(text, source_name="x")
    assert pairs(expected) == [("observer.health-check-failed", 1), ("observer.health-check-ok", 2)]
    for source in (text.encode(), io.StringIO(text), io.BytesIO(text.encode()), text.splitlines()):
        assert classifier.classify(source, source_name="x") == expected


def test_module_functions_use_the_builtin_packs() -> None:
    assert pairs(classify(FAILED_503)) == [("observer.health-check-failed", 1)]
    assert [m.id for m in scan([FAILED_503])] == ["observer.health-check-failed"]


def test_scan_is_lazy(classifier: Classifier) -> None:
    consumed = 0

    def endless() -> Iterator[str]:
        nonlocal consumed
        while True:
            consumed += 1
            yield FAILED_503 if consumed == 3 else "nothing to see"

    first = next(classifier.scan(endless()))
    assert (first.id, first.line) == ("observer.health-check-failed", 3)
    assert consumed < 10


def test_one_record_can_match_several_signatures(classifier: Classifier) -> None:
    line = '2023-06-20T15:42:39Z  LEVEL(-3)  httpclient.circuitbreaker  AMR CloudEventHandler  {"availability": true, "State": "closed"}'
    got = {m.id: m.fields for m in classifier.scan(line)}
    assert got["observer.debug-logging-enabled"]["level"] == -3
    assert got["observer.circuit-breaker-closed"] == {"state": "closed", "availability": True}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("500 Internal Server Error", "observer.health-check-failed"),
        ("502 Bad Gateway", "observer.health-check-failed"),
        ("504 Gateway Timeout", "observer.health-check-failed"),
        ("401 Unauthorized", "observer.handler-rejected"),
        ("403 Forbidden", "observer.handler-rejected"),
        ("404 Not Found", "observer.handler-rejected"),
        ("200 OK", "observer.health-check-ok"),
    ],
)
def test_status_codes_are_read_not_assumed(classifier: Classifier, status: str, expected: str) -> None:
    line = f'2024-01-09T11:00:00Z\tINFO\thttpclient.circuitbreaker\tReceived response with status\t{{"status": "{status}"}}'
    got = [(m.id, m.fields.get("status_code")) for m in classifier.scan(line)]
    assert got == [(expected, int(status[:3]))]


@pytest.mark.parametrize(
    "line",
    [
        # another operator's lease
        "E0530 05:01:20.298127       1 leaderelection.go:283] failed to renew lease cert-manager/cert-manager-controller: timed out waiting for the condition",
        # a normal lease acquisition
        "I0530 05:01:22.000001       1 leaderelection.go:250] attempting to acquire leader lease amr-observer-system/3ed94067.gitlab.eng.vmware.com...",
        "I0530 05:01:22.000001       1 leaderelection.go:260] successfully acquired lease cert-manager/cert-manager-controller",
        # the ReplicaSet controller is not the IVS one
        '2023-06-28T17:56:43Z  INFO  Starting Controller  {"controller": "replicaset", "controllerGroup": "apps", "controllerKind": "ReplicaSet"}',
        # a graceful shutdown is not a crash
        '{"level":"info","ts":"2024-05-30T05:01:20.298227224Z","caller":"manager/internal.go:581","msg":"Stopping and waiting for non leader election runnables"}',
        # the same failure from another pod, named by kubectl's prefix
        f"[pod/billing-api-5d9c7b6f8-x8k2p/app] {FAILED_503}",
        # an already-exists for some other resource
        '{"level":"error","ts":"2024-01-01T00:00:00Z","msg":"Error Handler received error Validation failed: {\\"message\\":\\"a deployment with name \'web\' already exists\\"}"}',
    ],
)
def test_near_misses_and_other_components_are_not_findings(classifier: Classifier, line: str) -> None:
    assert [m.id for m in classifier.scan(line)] == []


def test_probe_failure_of_another_pod_in_a_describe_is_refused(classifier: Classifier) -> None:
    row = '  Warning  Unhealthy  2m (x4 over 3m)  kubelet  Liveness probe failed: Get "http://10.1.2.3:8081/healthz": context deadline exceeded'
    other = f"Name:         cert-manager-6d5f-abc12\nNamespace:    cert-manager\nEvents:\n{row}\n"
    ours = f"Name:         amr-observer-controller-manager-6d5f-abc12\nNamespace:    amr-observer-system\nEvents:\n{row}\n"
    assert [m.id for m in classifier.scan(other)] == []
    assert [(m.id, m.line) for m in classifier.scan(ours)] == [("kubelet.liveness-probe-failed", 4)]
    assert [m.id for m in classifier.scan(row)] == ["kubelet.liveness-probe-failed"]


def test_findings_group_by_their_distinguishing_fields(classifier: Classifier) -> None:
    text = "\n".join([SCHEME.format(host="a.example.com"), SCHEME.format(host="b.example.com"), SCHEME.format(host="a.example.com")])
    report = classifier.classify(text)
    scheme = [f for f in report.findings if f.id == "observer.unsupported-protocol-scheme"]
    assert sorted((f.fields["url"], f.count) for f in scheme) == [("a.example.com", 2), ("b.example.com", 1)]
    a = next(f for f in scheme if f.fields["url"] == "a.example.com")
    assert (a.first_seen.line, a.last_seen.line) == (1, 3)
    assert "a.example.com" in " ".join(s.text + (s.config or "") for s in a.remediation)


def test_fingerprints_survive_a_shifted_log(classifier: Classifier) -> None:
    before = classifier.classify(f"{FAILED_503}\n")
    after = classifier.classify(f"noise\nmore noise\n{FAILED_503}\n")
    assert before.findings[0].fingerprint == after.findings[0].fingerprint
    assert before.findings[0].first_seen.line != after.findings[0].first_seen.line


def test_evidence_is_capped_and_counts_are_not() -> None:
    classifier = Classifier(max_evidence=2)
    report = classifier.classify([FAILED_503] * 50)
    (finding,) = report.findings
    assert finding.count == 50 and [e.line for e in finding.evidence] == [1, 2]


def test_findings_sort_by_severity_then_first_line(classifier: Classifier) -> None:
    report = classifier.classify([OK_204, "2023/06/28 18:41:04 No certs appended, using system certs only", FAILED_503])
    assert [(f.severity, f.first_seen.line) for f in report.findings] == [("error", 3), ("warning", 2), ("info", 1)]
    assert report.max_severity == "error" and report.has_severity("warning")


def test_verify_signal_later_in_the_input_marks_the_finding_verified(classifier: Classifier) -> None:
    fixed = classifier.classify([FAILED_503, OK_204])
    broken = classifier.classify([OK_204, FAILED_503])
    assert [f.verified for f in fixed.findings if f.id == "observer.health-check-failed"] == [True]
    assert [f.verified for f in broken.findings if f.id == "observer.health-check-failed"] == [False]


def test_report_round_trips_through_json(classifier: Classifier) -> None:
    report = classifier.classify([FAILED_503, OK_204, SCHEME.format(host="h")])
    assert Report.model_validate_json(report.model_dump_json()) == report


def test_stats_account_for_every_line(classifier: Classifier) -> None:
    messy = (
        b"```\n$ kubectl -n amr-observer-system logs deploy/amr-observer-controller-manager\n\n"
        + FAILED_503.encode() + b"\r\n...\nbad \xff byte\nnul \x00 here\n"
        + b"2024-03-02T08:11:10.1Z stdout P half \n2024-03-02T08:11:10.2Z stdout F whole\n```\n"
    )
    report = classifier.classify(messy, source_name="messy")
    (src,) = report.stats.sources
    assert src.lines_read == 10
    assert src.lines_read == src.text_lines + src.blank_lines + src.skipped_lines
    assert (src.blank_lines, src.skipped_lines, src.decode_errors, src.nul_lines) == (1, 4, 1, 1)
    assert src.records == 4 and report.stats.matches == 1


def test_binary_junk_and_huge_lines_do_not_crash(classifier: Classifier) -> None:
    junk = bytes(range(256)) * 64 + b"\n" + b"x" * (10 << 20) + b"\n" + FAILED_503.encode()
    report = Classifier().classify(junk)
    (src,) = report.stats.sources
    assert src.lines_read == src.text_lines + src.blank_lines + src.skipped_lines
    assert src.truncated_lines == 1
    assert [f.id for f in report.findings] == ["observer.health-check-failed"]


def test_empty_input(classifier: Classifier) -> None:
    report = classifier.classify("")
    assert report.findings == [] and report.stats.lines_read == 0 and report.max_severity is None


def test_gzip_files_and_truncated_gzip(classifier: Classifier, tmp_path: Path) -> None:
    body = ("\n".join([FAILED_503] + [f"filler line number {i}" for i in range(20000)])).encode()
    good = tmp_path / "ok.log.gz"
    good.write_bytes(gzip.compress(body))
    assert [f.id for f in classifier.classify_file(good).findings] == ["observer.health-check-failed"]
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(gzip.compress(body)[:2000])
    report = classifier.classify_file(cut)
    (src,) = report.stats.sources
    assert src.read_error is not None and str(cut) in src.read_error
    assert [f.id for f in report.findings] == ["observer.health-check-failed"]


def test_unreadable_inputs_raise_a_clear_error(classifier: Classifier, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        classifier.classify_file(tmp_path)
    with pytest.raises(InputError, match=r"nope\.log: cannot open"):
        classifier.classify_file(tmp_path / "nope.log")


def test_several_sources_correlate_and_keep_their_names(classifier: Classifier) -> None:
    handler = '{"level":"error","ts":"2023-06-20T19:03:47Z","caller":"amr-persister/main.go:99","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.0.0.9:8443: connect: connection refused"}'
    report = classifier.classify_many([("observer.log", [FAILED_503]), ("handler.log", [handler])])
    sources = {f.id: f.first_seen.source for f in report.findings}
    assert sources == {"observer.health-check-failed": "observer.log", "handler.amr-unavailable": "handler.log"}
    assert [d.id for d in report.diagnoses] == ["diagnosis.amr-graphql-down"]
    assert "observer.health-check-failed" in report.diagnoses[0].symptom_ids


def test_user_pack_adds_a_signature_without_touching_others(tmp_path: Path) -> None:
    sig = tmp_path / "mine" / "observer.custom-thing.yaml"
    sig.parent.mkdir()
    sig.write_text(
        "id: observer.custom-thing\ntitle: Custom\ncomponent: observer\nseverity: warning\n"
        "category: custom\nexplanation: A custom line.\nmatch:\n  keywords: [custom thing]\n"
        "  message: 'custom thing (?P<n>\\d+)'\ntypes: {n: int}\nexamples:\n  match:\n"
        "    - line: custom thing 1\n      fields: {n: 1}\n    - line: custom thing 22\n"
        "  no_match: [custom, thing]\n"
    )
    mine = Classifier(load_packs(tmp_path / "mine"))
    assert [(m.id, m.fields) for m in mine.scan("custom thing 7")] == [("observer.custom-thing", {"n": 7})]
    assert list(Classifier().scan("custom thing 7")) == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ('Get \\"https://amr-handler.example.org/healthz\\": tls: failed to verify certificate: x509: certificate signed by unknown authority', "observer.handler-tls-untrusted"),
        ('Get \\"https://amr-handler.example.org:80/healthz\\": http: server gave HTTP response to HTTPS client', "observer.handler-scheme-mismatch"),
        ('Get \\"http://amr-handler.example.org/healthz\\": dial tcp: lookup amr-handler.example.org on 10.96.0.10:53: no such host', "observer.handler-unreachable"),
        ('Get \\"http://amr-cloudevent-handler.metadata-store.svc.cluster.local:80/healthz\\": dial tcp 10.96.8.8:80: connect: connection refused', "observer.handler-unreachable"),
        ('Get \\"amr-handler.example.org/healthz\\": unsupported protocol scheme \\"\\"', "observer.unsupported-protocol-scheme"),
    ],
)
def test_each_way_the_call_to_the_handler_fails_has_its_own_finding(
    classifier: Classifier, error: str, expected: str
) -> None:
    line = f'2025-04-02T10:00:00Z\tERROR\thttpclient.circuitbreaker\terror contacting event handler\t{{"error": "{error}"}}'
    assert [m.id for m in classifier.scan(line)] == [expected]


# --- the built-in packs compile once per process


@pytest.fixture
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Empty the process's pack caches and count each signature compiled from now on."""
    from amr_logpatterns.pipeline import compiled_packs

    compiled: list[str] = []
    real = compiled_packs.compile_signature

    def counting(signature, components, proven=()):  # type: ignore[no-untyped-def]
        compiled.append(signature.id)
        return real(signature, components, proven)

    monkeypatch.setattr(compiled_packs, "_BUILTIN", [])
    monkeypatch.setattr(compiled_packs, "_COMPILED", {})
    monkeypatch.setattr(compiled_packs, "compile_signature", counting)
    return compiled


def test_classify_and_scan_compile_the_builtin_packs_once(fresh_caches: list[str]) -> None:
    first = classify(FAILED_503)
    signatures = len(fresh_caches)
    assert signatures == len(load_packs().signatures) and signatures > 50
    assert classify(FAILED_503) == first
    assert [m.id for m in scan([FAILED_503])] == ["observer.health-check-failed"]
    Classifier(tap_version="1.7")
    assert len(fresh_caches) == signatures, "a later call compiled the packs again"


def test_a_pack_of_ones_own_compiles_once_too(fresh_caches: list[str]) -> None:
    pack = load_packs()
    Classifier(pack)
    Classifier(pack, max_evidence=1)
    classify(FAILED_503, packs=pack)
    assert len(fresh_caches) == len(pack.signatures)
    Classifier(load_packs())  # another pack object: its own compilation
    assert len(fresh_caches) == 2 * len(pack.signatures)


def test_threads_share_one_compilation(fresh_caches: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda _: classify(FAILED_503), range(16)))
    assert all(r == reports[0] for r in reports)
    assert pairs(reports[0]) == [("observer.health-check-failed", 1)]
    # threads may race to compile, but the process keeps one compilation and loads once
    from amr_logpatterns.pipeline import compiled_packs

    assert len(compiled_packs._BUILTIN) == 1 and len(compiled_packs._COMPILED) == 1


# --- a record cut at the line cap


CUT_SOURCE = (
    '{"level":"error","ts":"2025-01-21T08:02:40Z","msg":"AMR is unavailable: Get '
    '\\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp '
    '10.100.42.17:8443: connect: connection refused","stacktrace":"' + "main.main\\n\\t" * 400 + '"}'
)


def test_a_json_record_cut_at_the_line_cap_is_decoded_as_far_as_it_goes() -> None:
    report = Classifier(max_line_length=1000).classify(CUT_SOURCE, source_name="handler.log")
    assert report.stats.sources[0].truncated_lines == 1
    (finding,) = report.findings
    assert finding.id == "handler.amr-unavailable" and finding.severity == "error"
    assert finding.evidence[0].cut and len(finding.evidence[0].text) == 1000
    assert report.stats.unknown_records == 0 and report.max_severity == "error"
    whole = Classifier().classify(CUT_SOURCE, source_name="handler.log")
    assert not whole.findings[0].evidence[0].cut


def test_a_cut_message_still_counts_by_its_level() -> None:
    line = '{"level":"error","msg":"a message no signature knows ' + "x" * 5000 + '"}'
    report = Classifier(max_line_length=200).classify(line)
    assert report.stats.error_records == 1 and report.stats.unknown_records == 1
    assert report.unknown[0].level == "error"
    assert [m.cut for m in Classifier(max_line_length=200).scan(CUT_SOURCE)] == [True]


def test_dir_shows_the_public_api_and_nothing_else() -> None:
    import amr_logpatterns

    shown = dir(amr_logpatterns)
    assert shown == sorted(amr_logpatterns.__all__)
    assert {"classify", "scan", "Classifier", "Report", "Presence"} <= set(shown)
    assert not {"Path", "Literal", "annotations"} & set(shown)
    assert all(getattr(amr_logpatterns, name) is not None for name in shown)
