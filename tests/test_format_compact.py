"""Compiler-style lines: ``FILE:LINE: SEVERITY: ID: title``, in input order, the gate last."""

from __future__ import annotations

import re

from test_format_story import incident

from amr_logpatterns import Classifier
from amr_logpatterns.formatters.compact import format_report
from amr_logpatterns.policy.gate import Policy, apply_policy

LOG = (
    '{"level":"info","msg":"Start Receiving"}\n'
    '{"level":"error","ts":"2025-01-21T08:02:40Z","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}\n'
    '{"level":"error","ts":"2025-01-21T08:02:41Z","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}\n'
    '{"level":"fatal","msg":"the flux capacitor is out of alignment"}\n'
)
#: What Vim's default errorformat (``%f:%l: %m``) and ``grep``-style tools read.
ENTRY = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+): (?P<sev>error|warning|info): (?P<id>[\w.-]+): (?P<title>\S.*)$")


def test_each_entry_is_file_line_severity_id_title(classifier: Classifier) -> None:
    report = apply_policy(classifier.classify(LOG, source_name="handler.log"), Policy())
    lines = format_report(report).splitlines()
    entries = [ENTRY.match(line) for line in lines[:-1]]
    assert all(entries), lines
    assert [(m["line"], m["sev"], m["id"]) for m in entries if m] == [
        ("1", "info", "handler.ready"),
        ("2", "error", "diagnosis.amr-graphql-down"),
        ("2", "error", "handler.amr-unavailable"),
        ("4", "error", "unknown"),
    ]
    assert lines[2].endswith("The CloudEvent Handler cannot reach the AMR GraphQL app (x2)")
    assert lines[1].endswith("(root cause of handler.amr-unavailable)")
    assert "(fatal, x1)" in lines[3]
    assert lines[-1] == "amr-logpatterns: gate failed (--fail-on error): 1 finding, 1 root cause"


def test_lines_follow_the_input_and_mark_what_is_harmless() -> None:
    lines = format_report(incident()).splitlines()
    places = [(m["file"], int(m["line"])) for line in lines if (m := ENTRY.match(line))]
    assert places == sorted(places)
    assert any(line.endswith("(x2, harmless here)") for line in lines)
    assert not any(line.startswith("amr-logpatterns: gate") for line in lines)


def test_suppressed_findings_are_counted_not_listed(classifier: Classifier) -> None:
    report = classifier.classify(LOG, source_name="handler.log")
    from amr_logpatterns.policy.config import IgnoreEntry
    from amr_logpatterns.policy.gate import Ignore

    ignore = Ignore(IgnoreEntry(id="handler.*", reason="known outage"), "cfg.yaml:2")
    lines = format_report(apply_policy(report, Policy(ignores=(ignore,)))).splitlines()
    assert not any(": handler." in line for line in lines)
    assert lines[-1].endswith(": 1 root cause; 2 suppressed")
