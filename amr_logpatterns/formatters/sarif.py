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
properties. The coverage line and the TAP release are ``note`` notifications
of the invocation, and the unknown messages are in the run's properties.

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
import re
from typing import Any
from urllib.parse import quote

from amr_logpatterns.about import __version__
from amr_logpatterns.formatters.options import PLAIN, Options, guide_link
from amr_logpatterns.formatters.story import (
    Chapter,
    capital,
    claim,
    expected_sentence,
    gate_sentence,
    is_benign,
    record_at,
    recovery_sentence,
    report_coverage,
    root_causes,
    seen_sentence,
    signal_names,
    state,
    tap_sentence,
    tell,
    verdict_sentences,
)
from amr_logpatterns.models.results import Diagnosis, Evidence, Finding, Report, Seen, Suppression
from amr_logpatterns.packs.schema import RemediationStep
from amr_logpatterns.wording import shorten

JSON = dict[str, Any]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "amr-logpatterns"
#: Our fingerprints hash the signature and its distinguishing values, never a position,
#: so they stay the same when the log moves; versioned in case the recipe changes.
FINGERPRINT_KEY = "amrFingerprint/v1"
#: Relative artifact URIs are relative to where the command ran (the repository root in CI).
SRCROOT = "%SRCROOT%"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
#: GitHub's ``problem.severity`` has no "info"; a signal is the nearest thing to a recommendation.
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
#: A diagnosis's confidence is what GitHub calls precision (how often such a result is right),
#: and its values are among GitHub's.
PRECISIONS = ("low", "medium", "high")

#: GitHub cuts rule descriptions at this length; we cut first and keep the whole text in the help.
MAX_DESCRIPTION = 1024
#: GitHub takes at most this many locations per result; further evidence is kept as related.
MAX_LOCATIONS = 10

_DRIVE = re.compile(r"^[A-Za-z]:/")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PSEUDO = re.compile(r"^<([^<>]*)>$")
# Characters a URI may hold as they are: RFC 3986 reserved and unreserved ones, and ``%``.
_URI_SAFE = "/:?#[]@!$&'()*+,;=%~"


def _quote(text: str, safe: str) -> str:
    """Percent-encode ``text``; a file name's undecodable bytes (``surrogateescape``) are
    encoded as the bytes they stand for."""
    return quote(text, safe=safe, errors="surrogateescape")


def source_uri(source: str) -> str:
    """A source name as a URI reference that SARIF accepts and still names the same file.

    Relative paths stay relative (forward slashes, unsafe characters percent-encoded, a
    leading ``./`` dropped so one file has one name across runs); absolute paths become
    ``file://`` URIs; ``<stdin>``-like names, which are not paths, lose their brackets.
    """
    pseudo = _PSEUDO.match(source)
    if pseudo:
        source = pseudo.group(1)
    if _SCHEME.match(source):
        return _quote(source, _URI_SAFE)
    path = source.replace("\\", "/")
    if path.startswith("//"):
        return "file:" + _quote(path, "/")
    if _DRIVE.match(path):
        return "file:///" + path[:2] + _quote(path[2:], "/")
    if path.startswith("/"):
        return "file://" + _quote(path, "/")
    while path.startswith("./"):
        path = path[2:]
    return _quote(path, "/") or "input"


def rule_name(rule_id: str) -> str:
    """``observer.health-check-failed`` as ``ObserverHealthCheckFailed``: SARIF's name style."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    return shorten(text, limit)


def _fence(body: str, lang: str, indent: str) -> list[str]:
    """A fenced block that no backtick run inside ``body`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [indent + line for line in body.splitlines()]
    return [f"{indent}{fence}{lang}", *lines, indent + fence]


def steps_plain(steps: list[RemediationStep]) -> list[str]:
    """Numbered steps as plain text, unwrapped (viewers wrap): a command's later lines are not
    prefixed, so the whole command still pastes into a shell."""
    out: list[str] = []
    for i, step in enumerate(steps, 1):
        number = f"{i}. "
        inner = " " * len(number)
        lines = step.text.strip().splitlines() or [""]
        out += [number + lines[0], *(inner + line for line in lines[1:])]
        if step.command:
            first, *rest = step.command.splitlines() or [""]
            out += [f"{inner}$ {first}", *(f"{inner}  {line}" for line in rest)]
        if step.config:
            out += [f"{inner}    {line}" for line in step.config.rstrip().splitlines()]
    return out


def steps_markdown(steps: list[RemediationStep]) -> list[str]:
    """Numbered steps; commands in ``console`` blocks (``$`` before the first line), configuration
    in ``yaml`` blocks, both indented under their step so Markdown keeps the numbering."""
    out: list[str] = []
    for i, step in enumerate(steps, 1):
        number = f"{i}. "
        inner = " " * len(number)
        lines = step.text.strip().splitlines() or [""]
        out += [number + lines[0], *(inner + line for line in lines[1:])]
        if step.command:
            out += ["", *_fence(f"$ {step.command}", "console", inner)]
        if step.config:
            out += ["", *_fence(step.config.rstrip(), "yaml", inner)]
        out.append("")
    return out


def _help(item: Finding | Diagnosis, description: str, options: Options) -> JSON:
    """The fix in plain text and Markdown. Never empty, since GitHub rejects an empty help
    text; it starts with the description when that had to be clipped, so no word is lost."""
    steps = item.remediation
    verify = item.verify if isinstance(item, Finding) else []
    named = signal_names(item) if isinstance(item, Finding) else []
    links = [guide_link(r, options) for r in item.references]
    text: list[str] = []
    markdown: list[str] = []
    if len(description) > MAX_DESCRIPTION:
        text, markdown = [description, ""], [description, ""]
    if steps:
        text += steps_plain(steps)
        markdown += steps_markdown(steps)
    else:
        none = (
            "Informational: nothing to fix."
            if item.severity == "info"
            else "No fix steps are known; see the troubleshooting guide."
        )
        text += [none]
        markdown += [none, ""]
    if verify:
        text.append(f"Fixed when you see: {', '.join(named)}")
        titled = [
            f"`{v}` ({item.verify_titles[v]})" if v in item.verify_titles else f"`{v}`"
            for v in verify
            if isinstance(item, Finding)
        ]
        markdown += [f"Fixed when you see: {', '.join(titled)}", ""]
    if links:
        text.append("See: " + " ".join(links))
        markdown += ["See:", "", *(f"- <{link}>" for link in links), ""]
    return {"text": "\n".join(text), "markdown": "\n".join(markdown).rstrip() + "\n"}


def _rule(item: Finding | Diagnosis, description: str, properties: JSON, options: Options) -> JSON:
    first = item.references[0] if item.references else None
    return {
        "id": item.id,
        "name": rule_name(item.id),
        "shortDescription": {"text": _clip(item.title)},
        "fullDescription": {"text": _clip(description)},
        "help": _help(item, description, options),
        "helpUri": options.guide_url if first is None else guide_link(first, options),
        "defaultConfiguration": {"level": LEVELS[item.severity]},
        "properties": {**properties, "problem.severity": PROBLEM_SEVERITY[item.severity]},
    }


def _finding_rule(f: Finding, options: Options) -> JSON:
    tags = list(dict.fromkeys([f.component, f.category]))
    return _rule(f, f.explanation, {"tags": tags}, options)


def _diagnosis_rule(d: Diagnosis, report: Report, options: Options) -> JSON:
    components = [f.component for f in report.findings if f.id in d.finding_ids]
    properties = {
        "tags": list(dict.fromkeys(["diagnosis", *components])),
        "precision": d.confidence if d.confidence in PRECISIONS else "medium",
    }
    return _rule(d, f"{d.summary} {d.explanation}", properties, options)


def _artifact_location(uri: str) -> JSON:
    """A relative URI names its base, as SARIF asks; an absolute one needs none."""
    return {"uri": uri} if _SCHEME.match(uri) else {"uri": uri, "uriBaseId": SRCROOT}


def _location(artifact: JSON, region: JSON) -> JSON:
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


class _Locator:
    """Builds locations, pointing each at its entry in ``run.artifacts`` when it has one."""

    def __init__(self, artifact_uris: list[str]) -> None:
        self.index = {uri: i for i, uri in enumerate(artifact_uris)}

    def artifact(self, source: str) -> JSON:
        uri = source_uri(source)
        loc = _artifact_location(uri)
        if uri in self.index:
            loc["index"] = self.index[uri]
        return loc

    def evidence(self, ev: Evidence) -> JSON:
        region: JSON = {"startLine": max(ev.line, 1)}
        if ev.end_line > ev.line:
            region["endLine"] = ev.end_line
        region["snippet"] = {"text": ev.text}
        return _location(self.artifact(ev.source), region)

    def first(self, f: Finding) -> JSON:
        """Where a finding shows first: its first evidence, or its first sighting without one."""
        if f.evidence:
            return self.evidence(f.evidence[0])
        region = {"startLine": max(f.first_seen.line, 1)}
        return _location(self.artifact(f.first_seen.source), region)


def _suppressions(s: Suppression | None) -> JSON:
    if s is None:
        return {}
    justification = f"{s.reason} ({s.origin}"
    justification += f"; expires {s.expires.isoformat()})" if s.expires else ")"
    props: JSON = {"kind": s.kind, "origin": s.origin}
    if s.expires:
        props["expires"] = s.expires.isoformat()
    return {
        "suppressions": [
            {
                "kind": "external",
                "status": "accepted",
                "justification": justification,
                "properties": props,
            }
        ]
    }


def _message(f: Finding, report: Report) -> str:
    """Title and counts, then the story: its root cause, whether it recovered, whether it counts."""
    shown = [f"{k}={v}" for k, v in f.group_fields.items() if v is not None]
    text = [f"{f.title} ({'; '.join([f'x{f.count}', *shown])})."]
    for d, role in root_causes(report, f):
        what = "rests on this" if role == "cause" else "explains this symptom"
        text.append(f"Root cause {d.id} ({d.title}) {what}.")
    if f.recovery is not None:
        text.append(recovery_sentence(f.recovery))
    if f.verdict is not None:
        text += [sentence + "." for sentence in verdict_sentences(f.verdict)]
    return " ".join(text)


def _unique(locations: list[JSON]) -> list[JSON]:
    out: list[JSON] = []
    for loc in locations:
        if loc not in out:
            out.append(loc)
    return out


def _with_message(location: JSON, text: str) -> JSON:
    return {**location, "message": {"text": text}}


def _seen_location(seen: Seen, report: Report, locator: _Locator) -> JSON:
    """A point in the input as a location, with the record's text when a finding kept it."""
    record = record_at(report, seen)
    if record is not None:
        return locator.evidence(record)
    return _location(locator.artifact(seen.source), {"startLine": max(seen.line, 1)})


def _story_properties(f: Finding, report: Report) -> JSON:
    props: JSON = {}
    explained = [d.id for d, _ in root_causes(report, f)]
    explained = list(dict.fromkeys([*explained, *f.explained_by]))
    if explained:
        props["explainedBy"] = explained
    if f.recovery is not None:
        props["recovery"] = f.recovery.model_dump(mode="json", exclude_none=True)
    if f.verdict is not None:
        props["benign"] = f.verdict.benign
        props["verdict"] = f.verdict.model_dump(mode="json", exclude_none=True)
    return props


def _finding_result(
    f: Finding, rule: Finding, index: int, locator: _Locator, report: Report
) -> JSON:
    locations = [locator.evidence(ev) for ev in f.evidence] or [locator.first(f)]
    result: JSON = {
        "ruleId": f.id,
        "ruleIndex": index,
        # Harmless here: still listed, so the reason can be read, but as a note.
        "level": "note" if is_benign(f) else LEVELS[f.severity],
        "message": {"text": _message(f, report)},
        "locations": locations[:MAX_LOCATIONS],
    }
    related = locations[MAX_LOCATIONS:]
    if f.verdict is not None and not f.verdict.benign and f.verdict.against is not None:
        against = _seen_location(f.verdict.against, report, locator)
        related.append(_with_message(against, "The record that makes this finding matter here."))
    if related:
        result["relatedLocations"] = _unique(related)
    result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    result.update(_suppressions(f.suppressed))
    props: JSON = {
        "count": f.count,
        "firstSeen": f.first_seen.model_dump(mode="json", exclude_none=True),
        "lastSeen": f.last_seen.model_dump(mode="json", exclude_none=True),
        "fields": f.fields,
        "verified": f.verified,
        **_story_properties(f, report),
    }
    # The rule's texts are filled in with the values of the first finding of its id;
    # another group of the same signature keeps its own, so no value is misreported.
    if f.explanation != rule.explanation:
        props["explanation"] = f.explanation
    if f.remediation != rule.remediation:
        props["remediation"] = "\n".join(steps_markdown(f.remediation)).rstrip() + "\n"
    result["properties"] = props
    return result


def _fallback_location(report: Report, locator: _Locator) -> JSON:
    """Where a diagnosis goes when none of its findings is in the report (filtered out):
    the top of the first input, saying so, since code scanning drops a result without one."""
    source = report.stats.sources[0].source if report.stats.sources else "<input>"
    location = _location(locator.artifact(source), {"startLine": 1})
    location["message"] = {"text": "The findings this diagnosis rests on are not in this report."}
    return location


def _diagnosis_result(
    d: Diagnosis, chapter: Chapter | None, report: Report, index: int, locator: _Locator
) -> JSON:
    rests = [f for i in d.finding_ids for f in report.findings if f.id == i]
    members = [(f, role) for f in report.findings if (role := claim(d, f)) is not None]
    locations = _unique([locator.first(f) for f in rests])
    # Every finding the diagnosis folds, each saying what it is to it and whether it still fails.
    folded = []
    for f, role in sorted(members, key=lambda m: m[1] != "cause"):
        now = f", {f.recovery.status}" if f.recovery is not None else ""
        folded.append(
            _with_message(locator.first(f), f"{role}: {f.id}, {f.title} (x{f.count}{now})")
        )
    related = _unique(locations[MAX_LOCATIONS:] + folded)
    recovery = chapter.recovery if chapter is not None else d.recovery
    judged_by = chapter.judged_by if chapter is not None else None
    text = d.title if d.title.endswith((".", "!", "?")) else f"{d.title}."
    message = f"{text} {d.summary}"
    if recovery is not None:
        message += f" {recovery_sentence(recovery, judged_by)}"
    result: JSON = {
        "ruleId": d.id,
        "ruleIndex": index,
        "level": LEVELS[d.severity],
        "message": {"text": message},
        "locations": locations[:MAX_LOCATIONS] or [_fallback_location(report, locator)],
    }
    if related:
        result["relatedLocations"] = related
    if d.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: d.fingerprint}
    result.update(_suppressions(d.suppressed))
    props: JSON = {
        "confidence": d.confidence,
        "findingIds": d.finding_ids,
        "symptomIds": d.symptom_ids,
        "findings": [
            {"id": f.id, "role": role, "fingerprint": f.fingerprint} for f, role in members
        ],
    }
    if recovery is not None:
        props["state"] = state(recovery)
        props["recovery"] = recovery.model_dump(mode="json", exclude_none=True)
        if judged_by is not None:
            props["recoveryJudgedBy"] = judged_by
    result["properties"] = props
    return result


def _invocation(report: Report, locator: _Locator) -> JSON:
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
        {"level": "note", "message": {"text": capital(report_coverage(report)) + "."}},
        {"level": "note", "message": {"text": seen_sentence(report)}},
        {"level": "note", "message": {"text": tap_sentence(report.tap_version)}},
    ]
    invocation: JSON = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    properties: JSON = {"seen": [p.model_dump(mode="json") for p in report.seen]}
    if gate is not None:
        properties["gate"] = gate.model_dump(mode="json", exclude={"notices"})
    invocation["properties"] = properties
    return invocation


def _artifacts(report: Report) -> tuple[list[str], list[JSON]]:
    uris: list[str] = []
    artifacts: list[JSON] = []
    for src in report.stats.sources:
        uri = source_uri(src.source)
        if uri in uris:
            continue
        uris.append(uri)
        artifacts.append(
            {
                "location": _artifact_location(uri),
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
        _diagnosis_rule(diagnosis_of[r], report, options)
        if r in diagnosis_of
        else _finding_rule(first_of[r], options)
        for r in rule_ids
    ]

    uris, artifacts = _artifacts(report)
    locator = _Locator(uris)
    chapters = {id(c.diagnosis): c for c in tell(report).chapters}
    results = [
        _diagnosis_result(d, chapters.get(id(d)), report, index[d.id], locator)
        for d in report.diagnoses
    ]
    results += [
        _finding_result(f, first_of[f.id], index[f.id], locator, report) for f in report.findings
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
