"""explain-line: how a line was read, what matched it, and why the closest signatures did not."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from helpers import records

from amr_logpatterns import Classifier, Pack
from amr_logpatterns.analyse.introspection import trace_signature
from amr_logpatterns.analyse.matcher import match_signatures
from amr_logpatterns.explain import (
    LineExplanation,
    explain_file_line,
    explain_line,
    format_explanation,
)
from amr_logpatterns.explain.results import NearMiss, RecordExplanation
from amr_logpatterns.packs.schema import Component, Signature

LOGS = ROOT / "examples" / "logs"

FAILED_503 = '2023-06-20T19:01:58Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "503 Service Unavailable"}'
OK_204 = '2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "204 No Content"}'
SENT = "2024-11-12T09:14:03Z\tINFO\thttpclient.circuitbreaker\tSuccessfully sent CloudEvent"
RBAC_LOCK = "[pod/amr-observer-controller-manager-5c8d7f6b9d-q2wzj/kube-rbac-proxy] E0217 13:25:00.084344       1 leaderelection.go:367] Failed to update lock: etcdserver: request timed out"
FOREIGN_LEASE = "I0611 08:02:14.118420       1 leaderelection.go:283] failed to renew lease kube-system/cert-manager-controller: timed out waiting for the condition"
FOREIGN_LOCK = 'E0611 08:02:13.551273       1 leaderelection.go:367] Failed to update lock: Put "https://10.96.0.1:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cert-manager-controller": dial tcp 10.96.0.1:443: i/o timeout'
DESCRIBE_HEAD = """\
Name:             cert-manager-cainjector-7d9c6b5f8-h2j4k
Namespace:        cert-manager
Events:
  Type     Reason     Age                From     Message
  ----     ------     ----               ----     -------
"""
DESCRIBE_EVENT = '  Warning  Unhealthy  2m (x5 over 6m)    kubelet  Liveness probe failed: Get "http://10.244.3.9:9402/livez": dial tcp 10.244.3.9:9402: connect: connection refused'


def only_record(expl: LineExplanation) -> RecordExplanation:
    assert len(expl.records) == 1, expl.records
    return expl.records[0]


def miss(expl: LineExplanation, signature_id: str) -> NearMiss:
    found = [m for r in expl.records for m in r.near_misses if m.id == signature_id]
    assert found, f"{signature_id} is not among the near misses"
    return found[0]


def log_line(name: str, number: int) -> str:
    return (LOGS / name).read_text(encoding="utf-8").splitlines()[number - 1]


def test_a_matching_line_shows_how_it_was_read_and_its_typed_fields(classifier: Classifier) -> None:
    expl = explain_line(classifier, FAILED_503)
    record = only_record(expl)
    assert (record.read.format, record.read.level, record.read.logger) == (
        "zap-console",
        "info",
        "httpclient.circuitbreaker",
    )
    assert record.read.message == "Received response with status"
    assert record.read.fields == {"status": "503 Service Unavailable"}
    assert [m.id for m in record.matched] == ["observer.health-check-failed"]
    assert record.matched[0].fields == {"status": "503 Service Unavailable", "status_code": 503}
    assert isinstance(record.matched[0].fields["status_code"], int)
    text = format_explanation(expl)
    for section in ("Read as", "Matched (1)", "Did not match"):
        assert section in text
    assert "status_code=503" in text


def test_keyword_absent_lists_the_keywords_and_what_the_line_is_instead(
    classifier: Classifier,
) -> None:
    expl = explain_line(classifier, SENT, signature_id="observer.health-check-failed")
    record = only_record(expl)
    assert [m.id for m in record.matched] == ["observer.health-check-ok"]
    assert [m.id for m in record.near_misses] == ["observer.health-check-failed"]
    near = record.near_misses[0]
    assert near.reason == "keyword-absent"
    assert near.keywords == ["Received response with status", "request failed with status"]
    assert near.keywords_present == []
    assert "'Received response with status'" in near.summary
    assert "observer.health-check-ok instead" in near.hint
    assert "keyword-absent" in format_explanation(expl)


def test_a_message_regex_that_fails_names_the_branch_pattern_and_message(
    classifier: Classifier,
) -> None:
    line = log_line("observer-healthy.log", 41)
    assert "Failed to update lock optimitically" in line
    expl = explain_line(classifier, line)
    record = only_record(expl)
    assert record.matched == []
    near = record.near_misses[0]
    assert (near.id, near.reason) == ("observer.leader-election-lost", "condition")
    assert near.keywords_present == ["Failed to update lock"]
    assert near.condition is not None
    assert (near.condition.kind, near.condition.branches, near.condition.branch) == ("any", 4, 0)
    cause = near.condition.cause
    assert cause is not None and cause.failed is not None
    assert cause.failed.key == "message"
    assert cause.failed.pattern.startswith("^Failed to update lock: ")
    assert cause.failed.value == record.read.message
    assert "match.any[0]" in near.summary


def test_a_field_predicate_that_fails_shows_the_field_value(classifier: Classifier) -> None:
    expl = explain_line(classifier, OK_204)
    near = miss(expl, "observer.health-check-failed")
    assert near.reason == "condition"
    assert near.condition is not None and near.condition.cause is not None
    failed = near.condition.cause.failed
    assert failed is not None
    assert (failed.key, failed.value) == ("fields.status", "204 No Content")
    assert "5\\d\\d" in failed.pattern
    assert '"204 No Content"' in near.summary
    assert "observer.health-check-ok instead" in near.hint


def test_a_none_branch_that_excludes_the_line_is_named(classifier: Classifier) -> None:
    expl = explain_line(classifier, FOREIGN_LOCK, signature_id="observer.leader-election-lost")
    near = only_record(expl).near_misses[0]
    assert near.reason == "condition"
    assert near.condition is not None and near.condition.kind == "none"
    assert near.condition.path == "match.none[0]"
    assert near.condition.held[0].found == "/namespaces/kube-system/leases/"
    assert "on purpose" in near.hint


def _typed_pack() -> Pack:
    demo = Component(id="demo", title="Demo")
    signature = Signature.model_validate(
        {
            "id": "demo.answer-code",
            "title": "An answer code",
            "component": "demo",
            "severity": "warning",
            "category": "test",
            "explanation": "The service answered {code}.",
            "types": {"code": "int"},
            "match": {
                "keywords": ["answered with code"],
                "message": r"answered with code (?P<code>\S+)",
            },
            "examples": {
                "match": [
                    {"line": "answered with code 7", "fields": {"code": 7}},
                    {"line": "answered with code 8", "fields": {"code": 8}},
                ],
                "no_match": ["answered", "code 7"],
            },
        }
    )
    return Pack(signatures=(signature,), components=(demo,))


def test_a_group_that_does_not_convert_to_its_type_is_reported() -> None:
    classifier = Classifier(_typed_pack(), engine="exact")
    expl = explain_line(classifier, "the service answered with code 5xx")
    matched = only_record(expl).matched
    assert [m.id for m in matched] == ["demo.answer-code"]
    assert matched[0].fields == {"code": "5xx"}
    problem = matched[0].type_problems[0]
    assert (problem.field, problem.value, problem.declared) == ("code", "5xx", "int")
    assert "types: code captured '5xx'" in format_explanation(expl)
    good = explain_line(classifier, "the service answered with code 7")
    assert only_record(good).matched[0].type_problems == []


def test_attribution_refused_by_the_namespace_of_a_pasted_kubectl_command(
    classifier: Classifier,
) -> None:
    context = "$ kubectl -n cert-manager logs deploy/cert-manager-webhook\n"
    expl = explain_line(classifier, FAILED_503, context=context)
    assert (expl.first_line, expl.last_line) == (2, 2)
    record = only_record(expl)
    assert record.matched == []
    near = record.near_misses[0]
    assert (near.id, near.reason) == ("observer.health-check-failed", "attribution")
    assert near.condition_holds and near.fields["status_code"] == 503
    refusal = near.attribution[0]
    assert (refusal.component, refusal.key, refusal.value) == (
        "observer",
        "namespace",
        "cert-manager",
    )
    assert refusal.accepts == ["amr-observer-system"]
    assert "command on line 1" in refusal.origin
    assert "namespace amr-observer-system" in near.hint
    context_seen = {c.key: c for c in record.read.context}
    assert context_seen["namespace"].value == "cert-manager"
    assert expl.lines[0].kind == "text"


def test_attribution_refused_by_a_describe_namespace(classifier: Classifier) -> None:
    expl = explain_line(classifier, DESCRIBE_EVENT, context=DESCRIBE_HEAD)
    record = only_record(expl)
    assert record.read.format == "event"
    near = miss(expl, "kubelet.liveness-probe-failed")
    assert near.reason == "attribution"
    owners = classifier.pack.signature("kubelet.liveness-probe-failed").owners  # type: ignore[union-attr]
    assert [(r.component, r.key, r.value) for r in near.attribution] == [
        (owner, "namespace", "cert-manager") for owner in owners
    ]
    assert {"observer", "handler"} <= set(owners)
    assert near.attribution[0].origin == "the describe output's Namespace: on line 2"
    assert near.fields["count"] == 5


def test_attribution_refused_for_a_sidecar_container(classifier: Classifier) -> None:
    expl = explain_line(classifier, RBAC_LOCK)
    line = expl.lines[0]
    assert [w.name for w in line.wrappers] == ["kubectl-prefix"]
    assert line.wrappers[0].context["container"] == "kube-rbac-proxy"
    near = only_record(expl).near_misses[0]
    assert (near.id, near.reason) == ("observer.leader-election-lost", "attribution")
    refusal = near.attribution[0]
    assert (refusal.key, refusal.value) == ("container", "kube-rbac-proxy")
    assert "kube-rbac-proxy" in refusal.refuses
    assert "kubectl logs --prefix" in refusal.origin
    assert "sidecar" in format_explanation(expl)


def test_attribution_refused_by_a_foreign_lease(classifier: Classifier) -> None:
    near = only_record(explain_line(classifier, FOREIGN_LEASE)).near_misses[0]
    assert (near.id, near.reason) == ("observer.leader-election-lost", "attribution")
    refusal = near.attribution[0]
    assert (refusal.key, refusal.value) == ("lease", "kube-system/cert-manager-controller")


def test_attribution_refused_by_a_tail_header_in_a_real_file(classifier: Classifier) -> None:
    expl = explain_file_line(classifier, LOGS / "observer-cri-node.log", 62)
    near = miss(expl, "observer.leader-election-lost")
    assert near.reason == "attribution"
    assert near.attribution[0].value == "cert-manager"
    assert "tail header on line 57" in near.attribution[0].origin


def test_a_cri_line_with_ansi_colour_shows_the_peeled_wrappers(classifier: Classifier) -> None:
    line = (
        "2024-12-05T03:17:31.545637747Z stderr F \x1b[34m2024-12-05T03:17:31Z\x1b[0m\tINFO\t"
        'httpclient.circuitbreaker\tReceived response with status\t{"status": "204 No Content"}'
    )
    expl = explain_line(classifier, line)
    physical = expl.lines[0]
    assert [w.name for w in physical.wrappers] == ["ansi", "cri"]
    assert physical.wrappers[0].removed == "\x1b[34m\x1b[0m"
    assert physical.wrappers[1].removed == "2024-12-05T03:17:31.545637747Z stderr F "
    assert physical.text.startswith("2024-12-05T03:17:31Z\tINFO\t")
    record = only_record(expl)
    assert [m.id for m in record.matched] == ["observer.health-check-ok"]
    text = format_explanation(expl)
    assert "ANSI colour" in text and "CRI/containerd node-log prefix" in text
    assert "\x1b" not in text


def test_a_json_line_with_escaped_quotes(classifier: Classifier) -> None:
    line = log_line("handler-mds-down.jsonl", 13)
    assert '\\"https://metadata-store-app' in line
    record = only_record(explain_line(classifier, line))
    assert record.read.format == "zap-json"
    assert record.read.message.startswith('MDS is unavailable: Get "https://metadata-store-app')
    assert "stacktrace" not in record.read.fields
    matched = record.matched[0]
    assert matched.id == "handler.mds-unavailable"
    assert (
        matched.fields["url"]
        == "https://metadata-store-app.metadata-store.svc.cluster.local:8443/api/health"
    )


def test_invalid_utf8_and_nul_bytes_are_reported_not_fatal(classifier: Classifier) -> None:
    raw = FAILED_503.encode().replace(b"Received", b"Rec\xffeived", 1) + b"\x00\r"
    expl = explain_line(classifier, raw)
    line = expl.lines[0]
    offset = FAILED_503.index("Received") + 3
    assert line.encoding.startswith("utf-8 with invalid bytes")
    assert line.invalid_bytes == [f"ff at byte {offset}"]
    assert line.has_nul and line.crlf
    assert "\ufffd" in line.text
    near = miss(expl, "observer.health-check-failed")
    assert near.reason == "keyword-absent"
    text = format_explanation(expl)
    assert f"invalid: ff at byte {offset}" in text and "NUL bytes" in text


def test_undecodable_bytes_from_a_command_line_are_read_as_bytes(classifier: Classifier) -> None:
    argv_text = FAILED_503.replace("INFO", "INFO\udcfe", 1)
    expl = explain_line(classifier, argv_text)
    assert expl.lines[0].invalid_bytes == ["fe at byte 26"]
    assert expl.lines[0].original == FAILED_503.replace("INFO", "INFO\ufffd", 1)


def test_a_pasted_command_is_a_skipped_line_that_sets_context(classifier: Classifier) -> None:
    expl = explain_line(
        classifier, "$ kubectl -n amr-observer-system logs deploy/amr-observer-controller-manager"
    )
    line = expl.lines[0]
    assert (line.kind, line.marker) == ("skipped", "a pasted command line")
    assert any("namespace=amr-observer-system" in note for note in line.notes)
    assert expl.records == []
    assert any(note.startswith("no record") for note in expl.notes)


def test_an_unknown_signature_id_is_an_error_with_suggestions(classifier: Classifier) -> None:
    with pytest.raises(ValueError, match=r"did you mean 'observer\.health-check-failed'"):
        explain_line(classifier, OK_204, signature_id="observer.health-check-fail")


@pytest.mark.parametrize(
    ("name", "number", "last", "matched"),
    [
        ("observer-leader-election.log", 35, 35, ["observer.leader-election-lost"]),
        ("observer-handler-scheme-mismatch.log", 4, 12, ["observer.handler-unreachable"]),
        ("observer-cri-node.log", 8, 9, ["observer.debug-logging-enabled"]),
        ("observer-describe-probes.txt", 112, 112, ["kubelet.liveness-probe-failed"]),
        ("mixed-prefix-all-containers.log", 27, 27, []),
    ],
)
def test_the_file_form_equals_the_pasted_line_with_its_context(
    classifier: Classifier, name: str, number: int, last: int, matched: list[str]
) -> None:
    path = LOGS / name
    from_file = explain_file_line(classifier, path, number)
    assert (from_file.first_line, from_file.last_line) == (number, last)
    assert [m.id for r in from_file.records for m in r.matched] == matched
    lines = path.read_bytes().split(b"\n")
    context = b"".join(line + b"\n" for line in lines[: number - 1])
    text = b"\n".join(lines[number - 1 : last])
    pasted = explain_line(classifier, text, context=context, source_name=str(path))
    assert pasted == from_file
    assert format_explanation(pasted) == format_explanation(from_file)


def test_a_stack_frame_line_points_at_its_record(classifier: Classifier) -> None:
    expl = explain_file_line(classifier, LOGS / "observer-handler-scheme-mismatch.log", 7)
    record = only_record(expl)
    assert (record.read.line, record.read.end_line) == (4, 12)
    assert "line 7 belongs to the record that starts on line 4" in expl.notes


def test_the_file_form_rejects_a_line_past_the_end(classifier: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "short.log"
    path.write_text(f"{OK_204}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has 1 lines"):
        explain_file_line(classifier, path, 3)


@pytest.mark.parametrize(
    "name", ["observer-cri-node.log", "ticket-paste.md", "observer-missing-scheme.log"]
)
def test_every_line_of_a_file_gets_the_engines_matches(classifier: Classifier, name: str) -> None:
    path = LOGS / name
    expected: dict[int, set[str]] = {}
    for match in classifier.scan(path.read_bytes(), source_name=str(path)):
        expected.setdefault(match.line, set()).add(match.id)
    count = len(path.read_bytes().splitlines())
    for number in range(1, count + 1):
        expl = explain_file_line(classifier, path, number)
        got = {m.id for r in expl.records if r.read.line == number for m in r.matched}
        assert got == expected.get(number, set()), number
        notes = expl.notes + [n for line in expl.lines for n in line.notes]
        assert not [n for n in notes if "disagree" in n], (number, notes)


def test_the_trace_agrees_with_the_matcher_on_every_example(classifier: Classifier) -> None:
    for cs in classifier.signatures:
        examples = [e.line for e in cs.signature.examples.match] + cs.signature.examples.no_match
        for example in examples:
            for record in records(example):
                real = {c.signature.id for c, _ in match_signatures(classifier.index, record)}
                assert trace_signature(cs, record).matched == (cs.signature.id in real), example


def test_every_no_match_example_gets_a_reason(classifier: Classifier) -> None:
    for cs in classifier.signatures:
        sig_id = cs.signature.id
        for example in cs.signature.examples.match:
            context = None if example.context is None else example.context.encode()
            expl = explain_line(classifier, example.line, source_name="example", context=context)
            assert sig_id in {m.id for r in expl.records for m in r.matched}, example.line
        for line in cs.signature.examples.no_match:
            expl = explain_line(classifier, line, source_name="example", signature_id=sig_id)
            misses = [m for r in expl.records for m in r.near_misses]
            assert misses and all(m.summary and m.hint for m in misses), line
            assert sig_id not in {m.id for r in expl.records for m in r.matched}, line


def test_the_explanation_round_trips_through_json(classifier: Classifier) -> None:
    expl = explain_line(classifier, RBAC_LOCK, context="```\n")
    assert LineExplanation.model_validate_json(expl.model_dump_json()) == expl


def test_records_glued_on_one_line_are_explained_one_by_one(classifier: Classifier) -> None:
    glued = next(
        e.line
        for cs in classifier.signatures
        if cs.signature.id == "observer.leader-election-lost"
        for e in cs.signature.examples.match
        if "exceededI0217" in e.line
    )
    expl = explain_line(classifier, glued)
    assert [r.read.message.split(":")[0] for r in expl.records] == [
        "Failed to update lock",
        "failed to renew lease amr-observer-system/3ed94067.gitlab.eng.vmware.com",
    ]
    assert all(r.read.line == 1 for r in expl.records)
    text = format_explanation(expl)
    assert "record 1 (line 1): klog" in text and "record 2 (line 1): klog" in text
