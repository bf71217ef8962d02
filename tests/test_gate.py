"""The gate: only/exclude, ignore entries (with expiry), baselines, min-severity and fail-on."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ROOT

from amr_logpatterns import Classifier, Finding, Report
from amr_logpatterns.policy.config import IgnoreEntry
from amr_logpatterns.policy.gate import Ignore, Policy, apply_policy, baseline_key

LOG = (
    '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'
    '2023-06-20T19:02:58Z  ERROR  httpclient    {"error": "request failed with status 500"}\n'
    "2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Successfully sent CloudEvent\n"
)
TODAY = date(2026, 11, 30)
HALF_OPEN = (
    '2023-06-20T15:42:39Z  LEVEL(-3)  httpclient.circuitbreaker  AMR CloudEventHandler'
    '  {"availability": true, "State": "half-open"}\n'
)
BENIGN = (ROOT / "examples" / "logs" / "handler-benign-noise.jsonl").read_text()


@pytest.fixture(scope="module")
def report() -> Report:
    return Classifier().classify(LOG, source_name="ci.log")


def ignore(entry_id: str | None = None, **kw: object) -> Ignore:
    entry = IgnoreEntry.model_validate({"id": entry_id, "reason": "accepted in OPS-1", **kw})
    return Ignore(entry=entry, origin="cfg.yaml:3")


def test_default_policy_fails_on_errors_and_keeps_everything(report: Report) -> None:
    gated = apply_policy(report, Policy(today=TODAY))
    assert gated.gate is not None and gated.gate.failed
    assert len(gated.findings) == len(report.findings) and gated.diagnoses == report.diagnoses
    failing_ids = {f.split()[0] for f in gated.gate.failing}
    assert "observer.health-check-failed" in failing_ids
    assert "observer.health-check-ok" not in failing_ids


@pytest.mark.parametrize(("fail_on", "failed"), [("info", True), ("warning", True), ("error", True), ("never", False)])
def test_fail_on(report: Report, fail_on: str, failed: bool) -> None:
    gate = apply_policy(report, Policy(fail_on=fail_on, today=TODAY)).gate  # type: ignore[arg-type]
    assert gate is not None and gate.failed is failed


@pytest.mark.parametrize("fail_on", ["info", "warning", "error"])
def test_signals_never_fail_the_gate(fail_on: str) -> None:
    healthy = Classifier().classify(LOG.splitlines()[2], source_name="ok.log")
    assert healthy.findings and all(f.severity == "info" for f in healthy.findings)
    gate = apply_policy(healthy, Policy(fail_on=fail_on, today=TODAY)).gate  # type: ignore[arg-type]
    assert gate is not None and not gate.failed and gate.failing == []


def test_harmless_findings_never_fail_the_gate() -> None:
    noise = Classifier().classify(BENIGN, source_name="handler.log")
    assert noise.findings and all(f.verdict and f.verdict.benign for f in noise.findings if f.severity != "info")
    gate = apply_policy(noise, Policy(fail_on="info", today=TODAY)).gate
    assert gate is not None and not gate.failed and gate.benign >= 1


UNKNOWN = '{"level":"error","msg":"the flux capacitor is out of alignment"}\n'


def test_at_fail_on_info_a_message_no_signature_knows_fails_the_gate() -> None:
    report = Classifier().classify(UNKNOWN + LOG.splitlines()[2], source_name="ok.log")
    assert report.stats.unknown_records == 1
    at_info = apply_policy(report, Policy(fail_on="info", today=TODAY)).gate
    assert at_info is not None and at_info.failed and at_info.failing_unknown == 1
    assert at_info.failing == []
    for fail_on in ("warning", "error"):
        gate = apply_policy(report, Policy(fail_on=fail_on, today=TODAY)).gate  # type: ignore[arg-type]
        assert gate is not None and not gate.failed and gate.failing_unknown == 0


def test_ignore_by_id_and_field_suppresses_only_that_group(report: Report) -> None:
    policy = Policy(ignores=(ignore("observer.health-check-failed", fields={"status_code": 503}),), today=TODAY)
    gated = apply_policy(report, policy)
    failed = {f.group_fields.get("status_code"): f for f in gated.findings if f.id == "observer.health-check-failed"}
    assert failed[503].suppressed is not None and failed[503].suppressed.reason == "accepted in OPS-1"
    assert failed[503].suppressed.origin == "cfg.yaml:3"
    assert failed[500].suppressed is None
    assert gated.gate is not None and gated.gate.suppressed == 1 and gated.gate.failed


def test_everything_suppressed_passes_but_stays_listed(report: Report) -> None:
    policy = Policy(ignores=(ignore("observer.*"), ignore("diagnosis.*")), today=TODAY)
    gated = apply_policy(report, policy)
    assert gated.gate is not None and not gated.gate.failed
    assert len(gated.findings) == len(report.findings)
    assert all(f.suppressed is not None for f in gated.findings)


def test_expired_entry_stops_applying_and_says_so(report: Report) -> None:
    policy = Policy(ignores=(ignore("observer.*", expires="2026-11-29"),), today=TODAY)
    gated = apply_policy(report, policy)
    assert gated.gate is not None and gated.gate.failed
    assert all(f.suppressed is None for f in gated.findings)
    assert any("expired on 2026-11-29" in n and "cfg.yaml:3" in n for n in gated.gate.notices)
    still = apply_policy(report, Policy(ignores=(ignore("observer.*", expires="2026-11-30"),), today=TODAY))
    assert all(f.suppressed is not None for f in still.findings)


def test_unused_entry_is_a_notice(report: Report) -> None:
    gated = apply_policy(report, Policy(ignores=(ignore("handler.amr-unavailable"),), today=TODAY))
    assert gated.gate is not None
    assert any("matched nothing" in n for n in gated.gate.notices)


def test_ignore_by_fingerprint(report: Report) -> None:
    target = report.findings[0]
    gated = apply_policy(report, Policy(ignores=(ignore(None, fingerprint=target.fingerprint),), today=TODAY))
    marked = [f for f in gated.findings if f.suppressed is not None]
    assert [(f.id, f.fingerprint) for f in marked] == [(target.id, target.fingerprint)]


def test_baseline_marks_known_findings_and_only_new_ones_fail(report: Report) -> None:
    known = frozenset(baseline_key(i) for i in [*report.findings, *report.diagnoses])
    gated = apply_policy(report, Policy(baseline=known, baseline_origin="base.json", today=TODAY))
    assert gated.gate is not None and not gated.gate.failed
    assert gated.gate.baselined == len(report.findings) + len(report.diagnoses)
    assert all(f.suppressed is not None and f.suppressed.kind == "baseline" for f in gated.findings)
    new = next(f for f in report.findings if f.group_fields.get("status_code") == 500)
    partial = apply_policy(report, Policy(baseline=known - {baseline_key(new)}, today=TODAY))
    assert partial.gate is not None and partial.gate.failed
    assert partial.gate.failing == [f"{new.id} ({new.fingerprint})"]


def test_only_and_exclude_count_what_they_leave_out(report: Report) -> None:
    only = apply_policy(report, Policy(only=("observer.health-check-ok",), today=TODAY))
    assert [f.id for f in only.findings] == ["observer.health-check-ok"]
    assert only.diagnoses == []
    assert only.gate is not None and not only.gate.failed
    assert only.gate.excluded == len(report.findings) - 1 + len(report.diagnoses)
    by_component = apply_policy(report, Policy(exclude=("observer",), today=TODAY))
    assert by_component.findings == [] and by_component.diagnoses == []
    assert by_component.gate is not None and not by_component.gate.failed


def test_min_severity_hides_but_still_gates() -> None:
    report = Classifier().classify(HALF_OPEN, source_name="ci.log")
    assert sorted(f.severity for f in report.findings) == ["info", "warning"]
    gated = apply_policy(report, Policy(min_severity="error", fail_on="warning", today=TODAY))
    assert gated.findings == []
    assert gated.gate is not None and gated.gate.hidden == 2 and gated.gate.failed
    assert len(gated.gate.failing) == 1
    assert gated.gate.failing[0].startswith("observer.circuit-breaker-half-open (")


def test_benign_findings_never_fail_the_gate(report: Report) -> None:
    from amr_logpatterns import Verdict

    benign = [
        f.model_copy(update={"verdict": Verdict(benign=True, reason="a resync resends it")})
        for f in report.findings
    ]
    gated = apply_policy(report.model_copy(update={"findings": benign, "diagnoses": []}), Policy(today=TODAY))
    assert gated.gate is not None and not gated.gate.failed and gated.gate.benign == len(benign)
    broken = [f.model_copy(update={"verdict": Verdict(benign=False, reason="the earlier post failed")}) for f in report.findings]
    again = apply_policy(report.model_copy(update={"findings": broken, "diagnoses": []}), Policy(today=TODAY))
    assert again.gate is not None and again.gate.failed and again.gate.benign == 0


def test_recovered_problems_fail_unless_ignored(report: Report) -> None:
    from amr_logpatterns import Recovery

    def recovered(f: Finding) -> Finding:
        seen = f.first_seen
        return f.model_copy(update={"recovery": Recovery(status="recovered", since=seen, last_failure=seen, recovered_at=seen)})

    healed = report.model_copy(update={"findings": [recovered(f) for f in report.findings], "diagnoses": []})
    assert apply_policy(healed, Policy(today=TODAY)).gate.failed  # type: ignore[union-attr]
    gated = apply_policy(healed, Policy(ignore_recovered=True, today=TODAY))
    assert gated.gate is not None and not gated.gate.failed
    assert gated.gate.recovered == len(report.findings) and gated.gate.ignore_recovered
    assert len(gated.findings) == len(report.findings)
