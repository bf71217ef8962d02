"""Redaction: no secret survives into any format, and nothing else changes.

Each secret is put where a built-in signature extracts it (the URL or the
error of ``handler.amr-unavailable``), into the evidence of
``observer.health-check-failed`` and into an error line no signature knows,
then every format is rendered from the redacted report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from amr_logpatterns import Classifier, Evidence, Match, Report
from amr_logpatterns.analyse.timeline import build_timeline
from amr_logpatterns.analyse.timeline_text import format_timeline_text
from amr_logpatterns.explain import explain_line, format_explanation
from amr_logpatterns.formatters import PLAIN, Options, formatters
from amr_logpatterns.formatters.json_report import format_match
from amr_logpatterns.policy.gate import Policy, apply_policy
from amr_logpatterns.policy.redact import (
    MASK,
    Redactor,
    redact_match,
    redact_model,
    redact_report,
    redactor_for,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_LOGS = sorted(p for p in (ROOT / "examples" / "logs").iterdir() if p.suffix != ".yaml")

CLUSTER_URL = "https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play"
PEM_BODY = (
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK"
)
JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9"
    ".eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiYW1yIn0"
    ".c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2"
)


@dataclass(frozen=True)
class Case:
    """A secret as it appears in a log (``text``), and the parts that must not leak."""

    text: str
    leaks: tuple[str, ...]
    url: str = CLUSTER_URL


CASES: dict[str, Case] = {
    "bearer-header": Case(
        "Authorization: Bearer abcDEF123456ghiJKL789", ("abcDEF123456ghiJKL789",)
    ),
    "bearer-word": Case("401 for bearer Zq7xT2mN9pL4kR8sW1vY", ("Zq7xT2mN9pL4kR8sW1vY",)),
    "basic-header": Case(
        "Authorization: Basic YW1yOlBhNTV3MHJkLVNlY3JldA==", ("YW1yOlBhNTV3MHJkLVNlY3JldA",)
    ),
    "basic-auth-url": Case(
        "credentials rejected",
        ("Pa55w0rd-Secret", "amruser:"),
        url="https://amruser:Pa55w0rd-Secret@amr-graphql-app.metadata-store.svc.cluster.local:8443/play",
    ),
    "token-query": Case(
        "unauthorized",
        ("Qx9AccessTok3n",),
        url=CLUSTER_URL + "?access_token=Qx9AccessTok3n&debug=1",
    ),
    "password-key-value": Case("login with password=Hunter2KeyValue failed", ("Hunter2KeyValue",)),
    "password-json": Case(
        'config {"user":"bob","password":"Hunter2Json"} refused', ("Hunter2Json",)
    ),
    "client-secret-json": Case(
        '{"client_id":"amr","client_secret":"cl1entS3cretValue"}', ("cl1entS3cretValue",)
    ),
    "password-yaml": Case("config:\n  username: bob\n  password: Hunter2Yaml\n", ("Hunter2Yaml",)),
    "api-key-go-map": Case("headers map[X-Api-Key:[K3yFromGoMap99]]", ("K3yFromGoMap99",)),
    "cookie": Case("Cookie: session=SessAbc123456; theme=dark", ("SessAbc123456",)),
    "private-key": Case(
        f"cannot parse -----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----",
        tuple(PEM_BODY.split("\n")),
    ),
    "jwt": Case(f"token rejected: {JWT}", (JWT.split(".")[1], JWT.split(".")[2])),
    "service-account-token": Case(f"token: {JWT}", (JWT.split(".")[1],)),
    "github": Case(
        "clone with ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 and "
        "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEF failed",
        ("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "11ABCDEFG0abcdefghijkl"),
    ),
    "aws": Case(
        "key AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ("IOSFODNN7EXAMPLE", "wJalrXUtnFEMI"),
    ),
    "slack": Case(
        "notify via xoxb-123456789012-abcdefGHIJKL failed", ("123456789012-abcdefGHIJKL",)
    ),
    "docker-config": Case(
        '{"auths":{"harbor.example.com":{"username":"robot","password":"R0botPass","auth":"cm9ib3Q6UjBib3RQYXNz"}}}',
        ("R0botPass", "cm9ib3Q6UjBib3RQYXNz"),
    ),
    "command-line-flags": Case(
        "ran: kubectl create secret docker-registry reg --docker-password=Fl4gEqualsPass"
        " -n apps && tanzu secret registry add reg --password Fl4gSpacePass --server x",
        ("Fl4gEqualsPass", "Fl4gSpacePass"),
    ),
    "login-dash-p": Case(
        "ran: docker login -u robot -p L0ginDashPass harbor.example.com", ("L0ginDashPass",)
    ),
    "docker-config-base64": Case(
        ".dockerconfigjson: eyJhdXRocyI6eyJoYXJib3IuZXhhbXBsZS5jb20iOnsiYXV0aCI6ImNtOWliM1E2In19fQ==",
        ("eyJhdXRocyI6eyJoYXJib3IuZXhhbXBsZS5jb20iOnsiYXV0aCI6ImNtOWliM1E2In19fQ",),
    ),
}


def log_with(case: Case) -> str:
    """A handler failure carrying the secret, an Observer 503 with it, and an unknown error.

    The handler's message is one line, so a multi-line secret is in it as Go's
    ``%q`` prints it (``\\n``); the other two carry real newlines in a JSON string.
    """
    quoted = case.text.replace("\n", "\\n")
    handler = {
        "level": "error",
        "ts": "2025-01-21T08:02:40.2342217Z",
        "caller": "amr-persister/main.go:99",
        "msg": f'AMR is unavailable: Get "{case.url}": dial tcp 10.100.42.17:8443: '
        f"connect: connection refused ({quoted})",
    }
    observer = json.dumps({"error": "request failed with status 503", "detail": case.text})
    unknown = json.dumps({"error": f"cannot start: {case.text}"})
    return (
        json.dumps(handler)
        + "\n"
        + f"2023-06-20T19:01:58Z\tERROR\thttpclient\t\t{observer}\n"
        + f"2023-06-20T19:02:00Z\tERROR\tsetup\tunable to start manager\t{unknown}\n"
    )


#: Formats that quote no evidence: the short text answer and the compiler-style lines.
NO_EVIDENCE = ("text", "compact")


def rendered(report: Report) -> dict[str, str]:
    """Every format, and the text format's full story as ``verbose``."""
    gated = apply_policy(report, Policy())
    out = {name: render(gated, PLAIN) for name, render in formatters().items()}
    out["verbose"] = formatters()["text"](gated, Options(verbose=True))
    return out


def fingerprints(report: Report) -> list[tuple[str, str]]:
    return [(f.id, f.fingerprint) for f in report.findings] + [
        (d.id, d.fingerprint) for d in report.diagnoses
    ]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_format_prints_the_secret(classifier: Classifier, name: str) -> None:
    case = CASES[name]
    log = log_with(case)
    report = classifier.classify(log, source_name="amr.log")
    assert {"handler.amr-unavailable", "observer.health-check-failed"} <= {
        f.id for f in report.findings
    }
    assert report.unknown, "the third line must stay unknown"
    for fmt, text in rendered(report).items():
        for leak in case.leaks if fmt not in NO_EVIDENCE else ():
            assert leak in text, f"the unredacted {fmt} should print {leak!r}"

    redacted = redact_report(report, Redactor())
    outputs = rendered(redacted)
    redactor = Redactor()
    outputs["jsonl"] = "\n".join(
        format_match(redact_match(m, redactor)) for m in classifier.scan(log, source_name="amr.log")
    )
    for fmt, text in outputs.items():
        for leak in case.leaks:
            assert leak not in text, f"{fmt} prints {leak!r}"
            assert json.dumps(leak)[1:-1] not in text, f"{fmt} prints {leak!r}"
        assert MASK in text or fmt in NO_EVIDENCE, fmt
    assert fingerprints(redacted) == fingerprints(report)
    text = outputs["verbose"]
    for readable in ("handler.amr-unavailable", "observer.health-check-failed", "503"):
        assert readable in text
    assert "connection refused" in text
    assert "amr-graphql-app.metadata-store.svc.cluster.local" in text
    data = json.loads(outputs["json"])
    data.pop("schema_version")
    assert Report.model_validate(data).findings[0].id == report.findings[0].id


def test_only_text_changes(classifier: Classifier) -> None:
    report = classifier.classify(log_with(CASES["password-key-value"]), source_name="amr.log")
    redacted = redact_report(report, Redactor("all"))
    assert redacted.stats == report.stats
    assert redacted.checked == report.checked
    for before, after in zip(report.findings, redacted.findings, strict=True):
        assert (after.id, after.count, after.severity, after.fingerprint) == (
            before.id,
            before.count,
            before.severity,
            before.fingerprint,
        )
        assert [(e.line, e.end_line) for e in after.evidence] == [
            (e.line, e.end_line) for e in before.evidence
        ]
        assert (after.first_seen.line, after.first_seen.ts) == (
            before.first_seen.line,
            before.first_seen.ts,
        )
        assert after.group_fields.keys() == before.group_fields.keys()
    observer = next(f for f in redacted.findings if f.id == "observer.health-check-failed")
    assert observer.fields == {"status_code": 503}
    handler = next(f for f in redacted.findings if f.id == "handler.amr-unavailable")
    assert handler.fields["error"] == "connect: connection refused (login with password=*** failed)"


def test_redaction_is_idempotent(classifier: Classifier) -> None:
    log = "".join(log_with(c) for c in CASES.values())
    report = classifier.classify(log, source_name="amr.log")
    for level in ("secrets", "all"):
        once = redact_report(report, Redactor(level))
        assert redact_report(once, Redactor(level)) == once
        same = Redactor(level)
        first = redact_report(report, same)
        assert redact_report(first, same) == first == once
    assert redact_report(report, Redactor()) != report


def test_all_masks_addresses_and_hosts_but_keeps_cluster_names(classifier: Classifier) -> None:
    log = log_with(
        Case(
            "via proxy 192.168.7.21 and [fd00:aa::17]:443, upstream amr.northwind-corp.com "
            "and registry.northwind-corp.com, loopback 127.0.0.1",
            (),
            url="https://amr.northwind-corp.com:8443/play",
        )
    )
    report = classifier.classify(log, source_name="nodes/10.0.3.4/amr.log")
    outputs = rendered(redact_report(report, Redactor("all")))
    for fmt, text in outputs.items():
        for leak in ("10.100.42.17", "192.168.7.21", "fd00:aa::17", "northwind-corp", "10.0.3.4"):
            assert leak not in text, f"{fmt} prints {leak!r}"
    text = outputs["verbose"]
    assert "<ip-1>" in text and "<ip-2>" in text and "<ip-3>" in text
    assert "<host-1>" in text and "<host-2>" in text
    assert "127.0.0.1" in text
    assert "connection refused" in text
    handler = next(
        f
        for f in redact_report(report, Redactor("all")).findings
        if f.id == "handler.amr-unavailable"
    )
    assert handler.fields["url"] == "https://<host-1>:8443/play"
    assert handler.evidence[0].source == "nodes/<ip-1>/amr.log"
    assert handler.fingerprint == next(
        f.fingerprint for f in report.findings if f.id == "handler.amr-unavailable"
    )
    # ``secrets`` leaves addresses and hosts alone
    plain = rendered(redact_report(report, Redactor()))["verbose"]
    assert "10.100.42.17" in plain and "amr.northwind-corp.com" in plain


def test_numbers_are_stable_within_one_redactor() -> None:
    redactor = Redactor("all")
    first = redactor.text("a.example.com 10.0.0.1 b.example.com 10.0.0.2")
    second = redactor.text("b.example.com then a.example.com, 10.0.0.2 then 10.0.0.1")
    assert first == "<host-1> <ip-1> <host-2> <ip-2>"
    assert second == "<host-2> then <host-1>, <ip-2> then <ip-1>"
    assert Redactor("all").text("amr-graphql-app.metadata-store.svc:8443") == (
        "amr-graphql-app.metadata-store.svc:8443"
    )
    assert Redactor("all", keep_hosts=()).text("amr.metadata-store.svc.cluster.local") == "<host-1>"


@pytest.mark.parametrize("path", EXAMPLE_LOGS, ids=lambda p: p.name)
def test_no_false_positives_on_the_examples(classifier: Classifier, path: Path) -> None:
    redactor = Redactor()
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        assert redactor.text(line) == line, f"{path.name}:{number}"
    report = classifier.classify_file(path)
    assert redact_report(report, Redactor()) == report


@pytest.mark.parametrize(
    "line",
    [
        "invalid token: signature is invalid",
        "failed to read token: open /var/run/secrets/kubernetes.io/serviceaccount/token",
        "TokenExpirationSeconds:  3607",
        'MountVolume.SetUp failed for volume "cert-0" : secret "amr-tls-0" not found',
        'Bearer realm="amr", error="invalid_token"',
        "Basic authentication is disabled",
        "image@sha256:e9dd40815036cddda8e7fda87c958ebfb27690cec454764eeb0575e558906570",
        "gitlab.eng.vmware.com/tanzu-image-signing/amr-observer/internal/cloud/event/client.(*CloudEventClient).Send",
        "login failed  error=password=<str> rejected",
        "kubectl -n metadata-store logs -p deploy/amr-persister",
        "echo $TOKEN | docker login --password-stdin -u robot harbor.example.com",
        "--token-file /var/run/secrets/token",
    ],
)
def test_ordinary_text_stays(line: str) -> None:
    assert Redactor().text(line) == line


def test_key_names_decide_field_values() -> None:
    match = Match(
        id="handler.amr-unavailable",
        severity="error",
        source="amr.log",
        line=3,
        end_line=3,
        fields={"password": "Hunter2Learned", "pin": 1234, "status_code": 503, "token": None},
        text="retrying; the old value Hunter2Learned was refused",
    )
    redacted = redact_match(match, Redactor())
    assert redacted.fields == {"password": MASK, "pin": 1234, "status_code": 503, "token": None}
    assert redacted.text == "retrying; the old value *** was refused"
    assert (redacted.id, redacted.line, redacted.source) == (
        "handler.amr-unavailable",
        3,
        "amr.log",
    )


def test_private_key_over_several_lines_of_one_evidence(classifier: Classifier) -> None:
    report = classifier.classify(log_with(CASES["password-key-value"]), source_name="amr.log")
    finding = report.findings[0]
    pem = (
        "2024-11-02T10:00:01Z key follows\n"
        "2024-11-02T10:00:01Z -----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(f"2024-11-02T10:00:01Z {line}" for line in PEM_BODY.split("\n"))
        + "\n2024-11-02T10:00:01Z -----END OPENSSH PRIVATE KEY-----\n"
        "2024-11-02T10:00:02Z done"
    )
    evidence = [Evidence(source="amr.log", line=1, end_line=6, text=pem)]
    report = report.model_copy(
        update={
            "findings": [finding.model_copy(update={"evidence": evidence}), *report.findings[1:]]
        }
    )
    outputs = rendered(redact_report(report, Redactor()))
    for fmt, text in outputs.items():
        for body_line in PEM_BODY.split("\n"):
            assert body_line not in text, fmt
    assert "done" in outputs["verbose"]
    # the body lines of a key that the reader split into separate records
    for body_line in PEM_BODY.split("\n"):
        assert (
            Redactor().text(f"2024-11-02T10:00:01Z {body_line}") == f"2024-11-02T10:00:01Z {MASK}"
        )
    unterminated = Redactor().text(f"-----BEGIN EC PRIVATE KEY-----\n{PEM_BODY}")
    assert unterminated == f"-----BEGIN EC PRIVATE KEY-----{MASK}"


def test_explain_line_and_timeline(classifier: Classifier) -> None:
    case = CASES["bearer-header"]
    line = log_with(case).splitlines()[0]
    explanation = redact_model(explain_line(classifier, line), Redactor())
    assert "abcDEF123456ghiJKL789" not in explanation.model_dump_json()
    assert "abcDEF123456ghiJKL789" not in format_explanation(explanation)
    assert "handler.amr-unavailable" in format_explanation(explanation)

    report = classifier.classify(log_with(case), source_name="nodes/10.0.3.4/amr.log")
    redactor = Redactor("all")
    timeline = redact_model(build_timeline(report), redactor)
    assert "10.0.3.4" not in timeline.model_dump_json()
    assert "10.0.3.4" not in format_timeline_text(timeline)
    assert [c.component for c in timeline.changes] == [
        c.component for c in build_timeline(report).changes
    ]
    # the same redactor names the same source alike in the report
    sources = {s.source for s in redact_report(report, redactor).stats.sources}
    assert sources == {c.at.source for c in timeline.changes}


def test_levels() -> None:
    assert redactor_for(None) is None
    assert redactor_for(False) is None
    on = redactor_for(True)
    assert on is not None and on.level == "secrets"
    every = redactor_for("all")
    assert every is not None and every.level == "all"
    with pytest.raises(ValueError, match="secrets, all"):
        Redactor("everything")  # type: ignore[arg-type]


def test_ids_are_never_redacted() -> None:
    """An id that looks like a host name stays, so the report still links to its pack."""
    match = Match(
        id="custom.northwind.com",
        severity="warning",
        source="amr.log",
        line=1,
        end_line=1,
        text="custom.northwind.com failed",
    )
    redacted = redact_match(match, Redactor("all"))
    assert redacted.id == "custom.northwind.com"
    assert redacted.text == "<host-1> failed"
