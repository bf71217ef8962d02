"""The short answer: verdict first, each fix once, one line per signature, fits a screen."""

from __future__ import annotations

import re

import pytest
from test_format_story import incident

from amr_logpatterns import Classifier
from amr_logpatterns.formatters import PLAIN, Options
from amr_logpatterns.formatters.brief import format_brief
from amr_logpatterns.formatters.text import format_report, format_story
from amr_logpatterns.policy.gate import Policy, apply_policy

TLS = (
    '2025-01-14T09:30:12Z  ERROR  httpclient.circuitbreaker  error contacting event handler  '
    '{{"error": "Get \\"https://{host}/healthz\\": tls: failed to verify certificate: x509: '
    'certificate signed by unknown authority"}}'
)
#: The paste of a newcomer: two handlers' certificates untrusted, one health check failing.
PASTE = "\n".join(
    [
        TLS.format(host="amr-cloudevent-handler.view.example.com"),
        TLS.format(host="amr-cloudevent-handler.view-2.example.com"),
        TLS.format(host="amr-cloudevent-handler.view.example.com"),
        '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}',
    ]
)
LINE = re.compile(r"^  \[(error|warning|info)\] (\S+)(  .*)?  x(\d+)  (\S+:\d+)  (\S.*)$")


@pytest.fixture(scope="module")
def paste(classifier: Classifier) -> str:
    report = apply_policy(classifier.classify(PASTE, source_name="paste.log"), Policy())
    return format_brief(report, Options(width=200))


def test_the_verdict_comes_first(paste: str) -> None:
    assert paste.splitlines()[0] == "Gate: failed (--fail-on error): 3 findings, 1 root cause"


def test_a_fix_two_findings_share_is_printed_once(classifier: Classifier, paste: str) -> None:
    report = classifier.classify(PASTE, source_name="paste.log")
    tls = [f for f in report.findings if f.id == "observer.handler-tls-untrusted"]
    assert len(tls) == 2, "two handlers, two findings"
    first_step = tls[0].remediation[0].text.split()[:6]
    assert paste.count(" ".join(first_step)) == 1
    assert paste.count("Fix for observer.handler-tls-untrusted:") == 1
    full = format_story(apply_policy(report, Policy()), Options(width=200))
    assert full.count(" ".join(first_step)) == 2, "the full story tells each finding's fix"


def test_one_line_per_signature_with_count_first_place_and_title(paste: str) -> None:
    rows = [m for line in paste.splitlines() if (m := LINE.match(line))]
    tls = next(m for m in rows if m[2] == "observer.handler-tls-untrusted")
    assert tls[4] == "3" and tls[5] == "paste.log:1"
    assert tls[3].strip() == (
        "url=https://amr-cloudevent-handler.view.example.com,"
        "https://amr-cloudevent-handler.view-2.example.com"
    ) or tls[3].strip() == "2 url values"
    assert tls[6] == "The Observer does not trust the CloudEvent Handler's TLS certificate"
    assert "Evidence:" not in paste and "x509: certificate signed by unknown authority" not in paste


def test_a_typical_paste_fits_a_screen(paste: str) -> None:
    assert len(paste.splitlines()) <= 60
    assert paste.rstrip().endswith("add --verbose.")


def test_a_root_cause_tells_its_fix_once_and_its_findings_in_a_line_each() -> None:
    out = format_brief(incident(), Options(width=200))
    head = "ROOT CAUSE  [error] diagnosis.handler-unhealthy: The CloudEvent Handler is unhealthy"
    assert out.startswith("AMR logs: worst severity error: ")
    assert head in out
    assert "  CAUSE   [error] observer.health-check-failed  x4  observer.log:52  " in out
    assert "  SYMPTOM [error] observer.circuit-breaker-open  x3  observer.log:81  " in out
    assert "Evidence:" not in out and "Rests on:" not in out


def test_a_harmless_finding_is_listed_once(classifier: Classifier) -> None:
    from conftest import ROOT

    noise = (ROOT / "examples/logs/handler-benign-noise.jsonl").read_text()
    out = format_brief(apply_policy(classifier.classify(noise), Policy()), PLAIN)
    assert out.count("handler.report-already-exists") == 1
    assert "3 report_uid values  x12" in out and "(harmless here)" in out


def test_text_is_the_brief_unless_verbose(classifier: Classifier) -> None:
    report = apply_policy(classifier.classify(PASTE), Policy())
    assert format_report(report, PLAIN) == format_brief(report, PLAIN)
    assert format_report(report, Options(verbose=True)) == format_story(report, PLAIN)


def test_lines_wrap_at_the_width_except_what_names_things(classifier: Classifier) -> None:
    report = apply_policy(classifier.classify(PASTE, source_name="paste.log"), Policy())
    for line in format_brief(report, Options(width=60)).splitlines():
        # a command, configuration, a place, an id or a URL is never broken
        naming = re.search(r"\$ |\| |:\d+|`|https?://|\b[a-z]+\.[a-z0-9-]+\b", line)
        assert len(line) <= 60 or naming, line


def test_colour_only_when_asked(classifier: Classifier) -> None:
    report = apply_policy(classifier.classify(PASTE), Policy())
    assert "\x1b[" not in format_brief(report, PLAIN)
    painted = format_brief(report, Options(color=True))
    assert "\x1b[1;31mfailed\x1b[0m" in painted
    assert re.sub(r"\x1b\[[0-9;]*m", "", painted) == format_brief(report, PLAIN)
