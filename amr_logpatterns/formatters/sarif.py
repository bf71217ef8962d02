"""SARIF 2.1.0: the report as static-analysis results, for GitHub code scanning and SARIF viewers.

A log line plays the part of a line of code: every finding is a result located
at its evidence records, every diagnosis a result located where the findings it
rests on were first seen. Signatures and diagnoses become the run's rules, so a
viewer shows the explanation and the fix next to each result. Suppressed
findings stay in the log with a ``suppressions`` entry: a viewer hides them, an
auditor still sees them and why.

The story rides along: a diagnosis lists the findings it folds as related
locations (each saying ``cause`` or ``symptom`` and whether it still fails)
and in ``properties.findings``; a finding's message names its root cause and
its recovery; a finding harmless here is a ``note`` with its verdict in its
properties. The coverage line, the TAP release and what a bundle held that
was not read (another pod's log) are ``note`` notifications of the invocation,
whose properties list those files (``skippedFiles``); the unknown messages are
in the run's properties.

This module assembles the run: the invocation and the artifacts are built here,
the rules in ``sarif_rules``, the results in ``sarif_results``, and where they
point in ``sarif_locations``.

Sample (cut short)::

    {
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
      "version": "2.1.0",
      "runs": [{
        "tool": {"driver": {"name": "amr-logpatterns", "version": "0.1.0",
          "rules": [{"id": "observer.health-check-failed", "name": "ObserverHealthCheckFailed",
                     "shortDescription": {"text": "Observer health check failed"},
                     "help": {"text": "1. ...", "markdown": "1. ...```console..."},
                     "defaultConfiguration": {"level": "error"}, ...}]}},
        "results": [{"ruleId": "observer.health-check-failed", "ruleIndex": 0, "level": "error",
          "message": {"text": "Observer health check failed (x4; status_code=503)"},
          "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "logs/observer.log", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 12, "snippet": {"text": "2024-09-03T14:22:05Z ERROR ..."}}}}],
          "partialFingerprints": {"amrFingerprint/v1": "c2c6b265e463f803"},
          "properties": {"explainedBy": ["diagnosis.amr-graphql-down"],
                         "recovery": {"status": "ongoing", ...}, ...}}],
        "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": [
          {"level": "note", "message": {"text": "Explained 10 of 10 error records; 0 unknown
                                                 templates (0 warning-or-worse records ...)."}}]}],
        "properties": {"coverage": "explained 10 of 10 ...", "unknown": [], ...}
      }]
    }
"""

from __future__ import annotations

import json

from amr_logpatterns.about import __version__
from amr_logpatterns.formatters.gate_words import expected_sentence, gate_sentence
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.phrases import (
    capital,
    report_coverage,
    seen_sentence,
    skipped_sentences,
    tap_sentence,
)
from amr_logpatterns.formatters.sarif_locations import (
    JSON,
    SRCROOT,
    Locator,
    artifact_location,
    source_uri,
)
from amr_logpatterns.formatters.sarif_results import diagnosis_result, finding_result
from amr_logpatterns.formatters.sarif_rules import diagnosis_rule, finding_rule
from amr_logpatterns.formatters.story import tell
from amr_logpatterns.models.results import Diagnosis, Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "amr-logpatterns"


def _invocation(report: Report, locator: Locator) -> JSON:
    """Unreadable sources, the gate's verdict, what was left unread, coverage, the input and
    the TAP release."""
    notifications: list[JSON] = []
    for src in report.stats.sources:
        if src.read_error:
            notifications.append(
                {
                    "level": "warning",
                    "message": {"text": src.read_error},
                    "locations": [
                        {"physicalLocation": {"artifactLocation": locator.artifact(src.source)}}
                    ],
                }
            )
    gate = report.gate
    if gate is not None:
        notifications += [
            {"level": "error", "message": {"text": expected_sentence(c)}} for c in gate.missing
        ]
        notifications += [{"level": "warning", "message": {"text": n}} for n in gate.notices]
        verdict = f"Gate {gate_sentence(gate)}."
        notifications.append(
            {"level": "error" if gate.failed else "note", "message": {"text": verdict}}
        )
    # What the signatures did not cover, what the input held, and the release the advice
    # is for, as notes.
    notifications += [
        {"level": "note", "message": {"text": text}} for text in skipped_sentences(report)
    ]
    notifications += [
        {"level": "note", "message": {"text": capital(report_coverage(report)) + "."}},
        {"level": "note", "message": {"text": seen_sentence(report)}},
        {"level": "note", "message": {"text": tap_sentence(report.tap_version)}},
    ]
    invocation: JSON = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    properties: JSON = {"seen": [p.model_dump(mode="json") for p in report.seen]}
    if report.skipped_files:
        properties["skippedFiles"] = [s.model_dump(mode="json") for s in report.skipped_files]
    if gate is not None:
        properties["gate"] = gate.model_dump(mode="json", exclude={"notices"})
    invocation["properties"] = properties
    return invocation


def _artifacts(report: Report) -> tuple[list[str], list[JSON]]:
    """Each input once, by URI, with its reading figures; and the URIs in that order."""
    uris: list[str] = []
    artifacts: list[JSON] = []
    for src in report.stats.sources:
        uri = source_uri(src.source)
        if uri in uris:
            continue
        uris.append(uri)
        artifacts.append(
            {
                "location": artifact_location(uri),
                "roles": ["analysisTarget"],
                "properties": src.model_dump(mode="json", exclude_none=True),
            }
        )
    return uris, artifacts


def format_report(report: Report, options: Options = PLAIN) -> str:
    """The report as a SARIF 2.1.0 log with one run, ready for ``upload-sarif``."""

    first_of: dict[str, Finding] = {}
    for f in report.findings:
        first_of.setdefault(f.id, f)
    diagnosis_of: dict[str, Diagnosis] = {}
    for d in report.diagnoses:
        diagnosis_of.setdefault(d.id, d)
    rule_ids = sorted(first_of.keys() | diagnosis_of.keys())
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = [
        diagnosis_rule(diagnosis_of[r], report, options)
        if r in diagnosis_of
        else finding_rule(first_of[r], options)
        for r in rule_ids
    ]

    uris, artifacts = _artifacts(report)
    locator = Locator(uris)
    chapters = {id(c.diagnosis): c for c in tell(report).chapters}
    results = [
        diagnosis_result(d, chapters.get(id(d)), report, index[d.id], locator)
        for d in report.diagnoses
    ]
    results += [
        finding_result(f, first_of[f.id], index[f.id], locator, report) for f in report.findings
    ]

    s = report.stats
    run: JSON = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "informationUri": options.guide_url,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory the logs were named from."}}
        },
        "invocations": [_invocation(report, locator)],
        "artifacts": artifacts,
        "results": results,
        "properties": {
            "maxSeverity": report.max_severity,
            "stats": s.model_dump(mode="json", exclude={"sources", "error_signature_sets"}),
            "checked": report.checked,
            "coverage": report_coverage(report),
            "unknown": [u.model_dump(mode="json", exclude_none=True) for u in report.unknown],
            "tapVersion": report.tap_version.model_dump(mode="json", exclude_none=True),
            "advice": tap_sentence(report.tap_version),
        },
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
