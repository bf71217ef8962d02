"""The incident story through the command: folding, recovery, timeline, unknown errors,
suggest, explain-line, harmless verdicts and the TAP release."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from amr_logpatterns import Classifier, load_packs
from amr_logpatterns.authoring.selftest import check_examples
from amr_logpatterns.cli import main

OUTAGE = str(FIXTURES / "incidents" / "amr-graphql-outage")
UNKNOWN = str(FIXTURES / "unknown" / "mixed.log")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--no-config"], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_first_screen_of_a_multi_file_incident_names_cause_symptoms_status_and_fix() -> None:
    code, out, _ = run("scan", OUTAGE)
    first_screen = out.splitlines()[:30]
    assert code == 1
    assert first_screen[0] == (
        "Gate: failed (--fail-on error): 2 findings, 1 root cause; 3 recovered"
    )
    assert first_screen[2].startswith("ROOT CAUSE  [error] diagnosis.amr-graphql-down")
    assert "recovered" in first_screen[2]
    screen = "\n".join(first_screen)
    assert "1. Check that the AMR GraphQL pod" in screen
    assert "$ kubectl -n metadata-store get pods" in screen
    cause = screen.index("  CAUSE   [error] handler.amr-unavailable  x8  ")
    symptom = screen.index("  SYMPTOM [error] observer.health-check-failed  x8  ")
    assert cause < symptom
    assert "amr-persister.jsonl:6" in screen and "amr-observer.log:6" in screen

    code, out, _ = run("scan", "--verbose", OUTAGE)
    first_screen = "\n".join(out.splitlines()[:25])
    assert first_screen.startswith("ROOT CAUSE  [error] diagnosis.amr-graphql-down")
    assert "Symptoms: observer.health-check-failed" in first_screen
    cause = out.index("  CAUSE  [error] handler.amr-unavailable")
    symptom = out.index("  SYMPTOM  [error] observer.health-check-failed")
    assert cause < symptom


def test_json_carries_explained_by_and_recovery() -> None:
    _, out, _ = run("scan", "--format", "json", OUTAGE)
    report = json.loads(out)
    failed = next(f for f in report["findings"] if f["id"] == "observer.health-check-failed")
    assert failed["explained_by"] == ["diagnosis.amr-graphql-down"]
    assert failed["recovery"]["status"] == "recovered"
    diag = next(d for d in report["diagnoses"] if d["id"] == "diagnosis.amr-graphql-down")
    assert diag["recovery"]["status"] == "recovered" and diag["recovery"]["duration_seconds"] == pytest.approx(548, abs=1)


def test_ignore_recovered_passes_a_healed_incident() -> None:
    assert run("scan", OUTAGE)[0] == 1
    code, out, _ = run("scan", "--ignore-recovered", OUTAGE)
    assert code == 0 and "recovered problems ignored" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_timeline_command(fmt: str) -> None:
    code, out, _ = run("timeline", "--format", fmt, OUTAGE)
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert {c["component"] for c in data["components"]} >= {"observer", "handler"}
    else:
        assert "handler.amr-unavailable" in out and "observer.health-check-ok" in out
        assert out.index("handler.amr-unavailable") < out.index("recovered")


def test_unknown_errors_are_counted_and_grouped_in_the_report() -> None:
    _, out, _ = run("scan", "--format", "json", UNKNOWN)
    report = json.loads(out)
    assert report["unknown"] and report["stats"]["unknown_records"] >= sum(t["count"] for t in report["unknown"])
    assert max(t["count"] for t in report["unknown"]) > 1
    _, text, _ = run("scan", UNKNOWN)
    assert "UNKNOWN (" in text and f"{len(report['unknown'])} unknown templates" in text


def test_suggest_writes_drafts_that_load_and_pass_their_examples(tmp_path: Path) -> None:
    out_dir = tmp_path / "drafts"
    code, out, err = run("suggest", "-o", str(out_dir), UNKNOWN)
    assert code == 0, err
    written = [Path(p) for p in out.split()]
    assert written and all(p.exists() for p in written)
    results = [r for r in check_examples(Classifier(load_packs(out_dir))) if r.signature_id.startswith("custom.")]
    assert results and all(r.passed for r in results), [r.detail for r in results if not r.passed]
    code, _, err = run("suggest", "-o", str(out_dir), UNKNOWN)
    assert code == 2 and "exist" in err
    code, after, _ = run("scan", "--format", "json", "--patterns", str(out_dir), UNKNOWN)
    assert json.loads(after)["stats"]["unknown_records"] == 0


def test_explain_line_names_the_reason_of_a_near_miss() -> None:
    line = '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 204"}'
    code, out, _ = run("explain-line", line, "--signature", "observer.health-check-failed")
    assert code == 0
    assert "Did not match" in out and "observer.health-check-failed" in out
    code, out, _ = run("explain-line", "--file", str(ROOT / "examples/logs/observer-missing-scheme.log"), "--line", "5", "--format", "json")
    assert code == 0
    assert "observer.unsupported-protocol-scheme" in {m["id"] for r in json.loads(out)["records"] for m in r["matched"]}
    assert run("explain-line")[0] == 2
    assert run("explain-line", "--file", str(ROOT / "examples/logs/observer-missing-scheme.log"), "--line", "99999")[0] == 2


def test_harmless_findings_are_listed_apart_and_never_fail() -> None:
    argv = ("scan", "--fail-on", "info", "--only", "handler.report-already-exists", "examples/logs/handler-benign-noise.jsonl")
    code, out, _ = run(*argv)
    assert "3 report_uid values  x12" in out and "(harmless here)" in out and "PROBLEMS" not in out
    assert code == 0
    code, out, _ = run(*argv, "--verbose")
    assert "HARMLESS here" in out and "PROBLEMS" not in out
    assert code == 0


def test_tap_version_given_or_inferred_picks_the_key_names(tmp_path: Path) -> None:
    log = "examples/logs/observer-missing-scheme.log"
    _, inferred, _ = run("scan", log)
    _, old, _ = run("scan", "--tap-version", "1.6", log)
    assert "amr.observer.cloudevent_handler.endpoint" in inferred.split("Fix:")[1].split("CAUSE")[0]
    assert "TAP 1.6 and earlier" in old and "amr.observer.eventhandler.endpoint" in old
    assert "Tanzu Application Platform 1.6" in old or "<=1.6" in old or "1.6, given" in old
    code, _, err = run("scan", "--tap-version", "one.six", log)
    assert code == 2 and "one.six" in err
