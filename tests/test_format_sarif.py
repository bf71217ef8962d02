"""SARIF output: valid against the official 2.1.0 schema, within GitHub's upload rules, and faithful
to the report (rules, locations, fingerprints, suppressions, the gate).

Golden files live in tests/golden/formats/; AMR_UPDATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from conftest import FIXTURES, ROOT
from helpers import check_golden
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from test_format_story import incident

from amr_logpatterns import Classifier, __version__
from amr_logpatterns.formatters.options import GUIDE_URL, Options, guide_link
from amr_logpatterns.formatters.sarif import format_report
from amr_logpatterns.formatters.sarif_locations import source_uri
from amr_logpatterns.formatters.sarif_rules import rule_name
from amr_logpatterns.models.results import Diagnosis, Finding, Gate, Report, Suppression

LOGS = ROOT / "examples" / "logs"
FILES = sorted(p for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")
GOLDEN = Path(__file__).parent / "golden" / "formats"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}

# RFC 3986: the characters a URI reference may hold, a %-escape's shape, and a scheme.
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

Json = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Validator:
    """A validator of the draft the schema itself declares, checking the formats it can."""
    schema = json.loads((FIXTURES / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def is_uri_reference(uri: str) -> bool:
    """Whether ``uri`` is an RFC 3986 URI reference (jsonschema checks that format only when an
    optional package is installed, so the tests check it themselves)."""
    if not uri or not _URI_CHARS.match(uri) or _BAD_ESCAPE.search(uri):
        return False
    first = uri.split("/", 1)[0]
    return ":" not in first or bool(_SCHEME.match(uri))


def all_uris(log: Json) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            loc = node.get("artifactLocation")
            if isinstance(loc, dict):
                found.append(loc["uri"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(log)
    found += [a["location"]["uri"] for a in log["runs"][0]["artifacts"]]
    return found


def render(report: Report, validator: Validator, options: Options | None = None) -> Json:
    """Format, then check what every SARIF log of ours must satisfy; the parsed log."""
    text = format_report(report) if options is None else format_report(report, options)
    assert text.endswith("}\n")
    log: Json = json.loads(text)
    validator.validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    for uri in all_uris(log):
        assert is_uri_reference(uri), uri
    run = log["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        # GitHub's limits and required fields for a rule.
        assert len(rule["shortDescription"]["text"]) <= 1024
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"].strip()
        assert len(rule["name"]) <= 255
        assert len(rule["properties"]["tags"]) <= 20
    for result in run["results"]:
        # GitHub drops a result without a location and shows at most 10.
        assert 1 <= len(result["locations"]) <= 10
        assert result["message"]["text"]
    return log


def classify_example(classifier: Classifier, log: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """The example classified by its path relative to the repository, as a user in CI names it."""
    monkeypatch.chdir(ROOT)
    return classifier.classify_file(f"examples/logs/{log.name}")


def rules_by_id(log: Json) -> dict[str, Json]:
    return {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}


def finding_results(log: Json, report: Report) -> list[Json]:
    """Results of findings, in report order (they follow the diagnoses')."""
    results: list[Json] = log["runs"][0]["results"]
    return results[len(report.diagnoses) :]


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_example_is_valid_sarif_and_matches_golden(
    log: Path, classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, log, monkeypatch)
    text = format_report(report)
    sarif = render(report, validator)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "amr-logpatterns"
    assert driver["version"] == __version__
    assert driver["informationUri"] == GUIDE_URL
    # A release changes the version and nothing else: keep it out of the golden file.
    line = f'          "version": "{__version__}",\n'
    assert text.count(line) == 1
    check_golden(GOLDEN / f"{log.name}.sarif", text.replace(line, '          "version": "*",\n'))


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_one_rule_per_signature_and_diagnosis_and_results_point_at_them(
    log: Path, classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, log, monkeypatch)
    sarif = render(report, validator)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    expected = {f.id for f in report.findings} | {d.id for d in report.diagnoses}
    assert ids == sorted(expected)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(report.findings) + len(report.diagnoses)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    for rule in rules:
        assert rule["name"] == rule_name(rule["id"])


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_finding_results_carry_evidence_fingerprint_and_level(
    log: Path, classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, log, monkeypatch)
    sarif = render(report, validator)
    rules = rules_by_id(sarif)
    for finding, result in zip(report.findings, finding_results(sarif, report), strict=True):
        assert result["ruleId"] == finding.id
        assert result["level"] == LEVEL[finding.severity]
        assert rules[finding.id]["defaultConfiguration"]["level"] == LEVEL[finding.severity]
        assert result["partialFingerprints"] == {"amrFingerprint/v1": finding.fingerprint}
        assert "suppressions" not in result
        message = result["message"]["text"]
        assert message.startswith(finding.title)
        assert f"x{finding.count}" in message
        for key, value in finding.group_fields.items():
            assert f"{key}={value}" in message
        assert len(result["locations"]) == len(finding.evidence)
        for ev, loc in zip(finding.evidence, result["locations"], strict=True):
            physical = loc["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == ev.source
            assert physical["region"]["startLine"] == ev.line
            assert physical["region"].get("endLine", ev.line) == ev.end_line
            assert physical["region"]["snippet"]["text"] == ev.text
        assert result["properties"]["count"] == finding.count
        assert result["properties"]["firstSeen"]["line"] == finding.first_seen.line


def test_record_spanning_lines_has_end_line(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "observer-missing-scheme.log", monkeypatch)
    sarif = render(report, validator)
    region = finding_results(sarif, report)[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (5, 13)


def test_rule_describes_signature_and_links_its_first_reference(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    finding = next(f for f in report.findings if f.id == "handler.amr-unavailable")
    rule = rules_by_id(render(report, validator))["handler.amr-unavailable"]
    assert rule["shortDescription"]["text"] == finding.title
    assert rule["fullDescription"]["text"] == finding.explanation
    assert rule["helpUri"] == guide_link(finding.references[0], Options())
    assert rule["properties"]["tags"] == [finding.component, finding.category]


def test_long_explanation_is_clipped_for_github_but_kept_in_help(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    long = "The handler cannot reach AMR. " * 60
    findings = [f.model_copy(update={"explanation": long}) for f in report.findings]
    rule = rules_by_id(render(report.model_copy(update={"findings": findings}), validator))[
        "handler.amr-unavailable"
    ]
    description = rule["fullDescription"]["text"]
    assert len(description) == 1024
    assert long.startswith(description.rstrip("…"))
    assert rule["help"]["text"].startswith(long)
    assert rule["help"]["markdown"].startswith(long)


def test_guide_url_comes_from_options(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    options = Options(guide_url="https://docs.example.test/amr.html")
    sarif = render(report, validator, options)
    assert sarif["runs"][0]["tool"]["driver"]["informationUri"] == options.guide_url
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["helpUri"].startswith(options.guide_url)


def fenced_blocks(markdown: str, lang: str) -> list[str]:
    """The bodies of the ``lang`` fenced blocks, with the list indentation taken off."""
    pattern = re.compile(rf"^( *)(`{{3,}}){lang}\n(.*?)^\1\2$", re.M | re.S)
    return [textwrap.dedent(m.group(3)).rstrip("\n") for m in pattern.finditer(markdown)]


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_help_markdown_holds_commands_and_configuration_exactly(
    log: Path, classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, log, monkeypatch)
    rules = rules_by_id(render(report, validator))
    sources: list[Finding | Diagnosis] = [*report.diagnoses, *reversed(report.findings)]
    owners = {item.id: item for item in sources}  # the first finding of an id wins
    for rule_id, item in owners.items():
        markdown = rules[rule_id]["help"]["markdown"]
        commands = [s.command for s in item.remediation if s.command]
        configs = [s.config.rstrip() for s in item.remediation if s.config]
        assert fenced_blocks(markdown, "console") == [f"$ {c}" for c in commands]
        assert fenced_blocks(markdown, "yaml") == configs
        numbers = re.findall(r"^(\d+)\. ", markdown, re.M)
        assert numbers == [str(i) for i in range(1, len(item.remediation) + 1)]


def test_multiline_command_pastes_whole_from_plain_help(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "observer-cri-node.log", monkeypatch)
    finding = next(f for f in report.findings if f.id == "observer.debug-logging-enabled")
    command = next(s.command for s in finding.remediation if s.command and "\n" in s.command)
    plain = rules_by_id(render(report, validator))[finding.id]["help"]["text"]
    first, *rest = command.splitlines()
    assert f"   $ {first}\n" + "".join(f"     {line}\n" for line in rest) in plain + "\n"


def test_same_signature_with_other_values_keeps_its_own_explanation(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "mixed-prefix-all-containers.log", monkeypatch)
    sarif = render(report, validator)
    pairs = [
        (f, r)
        for f, r in zip(report.findings, finding_results(sarif, report), strict=True)
        if f.id == "observer.health-check-failed"
    ]
    assert [f.group_fields["status_code"] for f, _ in pairs] == [503, 502]
    assert rules_by_id(sarif)[pairs[0][0].id]["fullDescription"]["text"] == pairs[0][0].explanation
    assert "explanation" not in pairs[0][1]["properties"]
    assert pairs[1][1]["properties"]["explanation"] == pairs[1][0].explanation
    assert "502" in pairs[1][1]["properties"]["explanation"]


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_diagnoses_are_results_at_their_findings(
    log: Path, classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, log, monkeypatch)
    sarif = render(report, validator)
    results = sarif["runs"][0]["results"][: len(report.diagnoses)]
    for diagnosis, result in zip(report.diagnoses, results, strict=True):
        assert result["ruleId"] == diagnosis.id
        assert result["level"] == LEVEL[diagnosis.severity]
        assert diagnosis.title in result["message"]["text"]
        assert diagnosis.summary in result["message"]["text"]
        assert result["partialFingerprints"] == {"amrFingerprint/v1": diagnosis.fingerprint}
        firsts = [
            (f.evidence[0].source, f.evidence[0].line)
            for i in diagnosis.finding_ids
            for f in report.findings
            if f.id == i
        ]
        located = [
            (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
            for loc in result["locations"]
        ]
        assert located == list(dict.fromkeys(firsts))
        rule = rules_by_id(sarif)[diagnosis.id]
        assert rule["fullDescription"]["text"] == f"{diagnosis.summary} {diagnosis.explanation}"


def test_root_cause_points_at_the_finding_it_rests_on(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    first = next(f for f in report.findings if f.id == "handler.amr-unavailable").evidence[0]
    result = render(report, validator)["runs"][0]["results"][0]
    assert result["ruleId"] == "diagnosis.amr-graphql-down"
    assert result["level"] == "error"
    (location,) = result["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == first.source
    assert location["physicalLocation"]["region"]["startLine"] == first.line


def suppressed_report(classifier: Classifier, monkeypatch: pytest.MonkeyPatch) -> Report:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    ignore = Suppression(
        kind="ignore",
        reason="known outage, ticket OPS-12",
        origin=".amr-logpatterns.yaml:3",
        expires=date(2031, 1, 31),
    )
    baseline = Suppression(kind="baseline", reason="already present in the baseline", origin="base.json")
    findings = [
        f.model_copy(update={"suppressed": ignore}) if f.id == "handler.amr-unavailable" else f
        for f in report.findings
    ]
    diagnoses = [d.model_copy(update={"suppressed": baseline}) for d in report.diagnoses]
    return report.model_copy(update={"findings": findings, "diagnoses": diagnoses})


def test_suppressed_findings_and_diagnoses_stay_with_their_reason(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = suppressed_report(classifier, monkeypatch)
    sarif = render(report, validator)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(report.findings) + len(report.diagnoses)
    by_rule = {r["ruleId"]: r for r in results}
    (ignored,) = by_rule["handler.amr-unavailable"]["suppressions"]
    assert ignored["kind"] == "external"
    assert ignored["status"] == "accepted"
    for part in ("known outage, ticket OPS-12", ".amr-logpatterns.yaml:3", "2031-01-31"):
        assert part in ignored["justification"]
    (baselined,) = by_rule["diagnosis.amr-graphql-down"]["suppressions"]
    assert "base.json" in baselined["justification"]
    assert baselined["properties"]["kind"] == "baseline"
    assert "suppressions" not in by_rule["handler.ready"]


def test_gate_verdict_and_notices_go_to_the_invocation(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices = [
        "ignore entry at .amr-logpatterns.yaml:7 (observer.*) matched nothing in this input",
        "ignore entry at .amr-logpatterns.yaml:9 (handler.ready) expired on 2024-01-01",
    ]
    gate = Gate(fail_on="warning", failed=True, failing=["diagnosis.amr-graphql-down"], notices=notices)
    report = suppressed_report(classifier, monkeypatch).model_copy(update={"gate": gate})
    (invocation,) = render(report, validator)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "warning"]
    assert [n["message"]["text"] for n in notes] == notices
    verdict = invocation["properties"]["gate"]
    assert (verdict["fail_on"], verdict["failed"]) == ("warning", True)
    assert verdict["failing"] == ["diagnosis.amr-graphql-down"]


def test_no_gate_no_verdict(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "observer-healthy.log", monkeypatch)
    (invocation,) = render(report, validator)["runs"][0]["invocations"]
    assert "gate" not in invocation["properties"]
    assert [p["component"] for p in invocation["properties"]["seen"]] == ["observer"]
    assert {n["level"] for n in invocation["toolExecutionNotifications"]} == {"note"}


def test_empty_report(validator: Validator) -> None:
    sarif = render(Report(), validator)
    run = sarif["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["artifacts"] == []
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"


def test_read_error_becomes_a_notification(classifier: Classifier, validator: Validator) -> None:
    report = classifier.classify("nothing to see\n", source_name="logs/a.log")
    source = report.stats.sources[0].model_copy(update={"read_error": "logs/a.log: truncated gzip"})
    report = report.model_copy(update={"stats": report.stats.model_copy(update={"sources": [source]})})
    notes = render(report, validator)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (note,) = [n for n in notes if n["level"] == "warning"]
    assert note["message"]["text"] == "logs/a.log: truncated gzip"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "logs/a.log"


HANDLER_LINE = (
    '{"level":"error","ts":"2025-01-21T08:02:40Z","caller":"amr-persister/main.go:99",'
    '"msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store.svc.cluster.local:8443'
    '/play\\": dial tcp 10.100.42.17:8443: connect: connection refused"}\n'
)


@pytest.mark.parametrize(
    ("source", "uri"),
    [
        ("<stdin>", "stdin"),
        ("logs/my dir/obsérver ü.log", "logs/my%20dir/obs%C3%A9rver%20%C3%BC.log"),
        ("./logs/a.log", "logs/a.log"),
        ("logs\\win\\a.log", "logs/win/a.log"),
        ("C:\\logs\\a b.log", "file:///C:/logs/a%20b.log"),
        ("/var/log/pods/a#1.log", "file:///var/log/pods/a%231.log"),
        ("pod:observer.log", "pod%3Aobserver.log"),
        ("50%.log", "50%25.log"),
    ],
)
def test_source_becomes_a_uri_reference(source: str, uri: str) -> None:
    assert source_uri(source) == uri
    assert is_uri_reference(uri)


@pytest.mark.parametrize("source", ["<stdin>", "logs/my dir/obsérver ü.log", "C:\\logs\\a b.log"])
def test_unusual_source_names_yield_valid_sarif(
    source: str, classifier: Classifier, validator: Validator
) -> None:
    report = classifier.classify(HANDLER_LINE * 3, source_name=source)
    assert report.findings, "the handler line no longer matches; pick another"
    sarif = render(report, validator)
    run = sarif["runs"][0]
    uri = source_uri(source)
    assert [a["location"]["uri"] for a in run["artifacts"]] == [uri]
    located = run["results"][-1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert located["uri"] == uri
    assert located["index"] == 0
    if not source.startswith(("<", "C:")):
        assert unquote(uri) == source


def test_every_result_has_a_location_even_without_evidence(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code scanning drops results without a location; a finding with no evidence kept and a
    diagnosis whose findings were filtered out still get one."""
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    bare = [f.model_copy(update={"evidence": []}) for f in report.findings if f.id != "handler.amr-unavailable"]
    report = report.model_copy(update={"findings": bare})
    sarif = render(report, validator)
    diagnosis, *findings = sarif["runs"][0]["results"]
    assert diagnosis["ruleId"] == "diagnosis.amr-graphql-down"
    assert diagnosis["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    for finding, result in zip(bare, findings, strict=True):
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == finding.first_seen.line


def test_evidence_beyond_githubs_ten_locations_is_kept_as_related(
    classifier: Classifier, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = classify_example(classifier, LOGS / "handler-amr-down.jsonl", monkeypatch)
    finding = report.findings[0]
    evidence = [finding.evidence[0].model_copy(update={"line": n, "end_line": n}) for n in range(1, 13)]
    report = report.model_copy(update={"findings": [finding.model_copy(update={"evidence": evidence})]})
    result = render(report, validator)["runs"][0]["results"][-1]
    lines = [loc["physicalLocation"]["region"]["startLine"] for loc in result["locations"]]
    related = [loc["physicalLocation"]["region"]["startLine"] for loc in result["relatedLocations"]]
    assert (lines, related) == (list(range(1, 11)), [11, 12])


def test_rule_name_is_camel_case() -> None:
    assert rule_name("observer.health-check-failed") == "ObserverHealthCheckFailed"
    assert rule_name("diagnosis.amr-graphql-down") == "DiagnosisAmrGraphqlDown"


def test_output_is_a_pure_function_of_the_report(
    classifier: Classifier, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    report = classify_example(classifier, LOGS / "ticket-paste.md", monkeypatch)
    first = format_report(report)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    assert format_report(report) == first


# --- the incident story


def story_results(validator: Validator) -> tuple[Report, dict[str, Json]]:
    report = incident()
    results = render(report, validator)["runs"][0]["results"]
    return report, {r["ruleId"]: r for r in results}


def test_the_whole_story_is_valid_sarif(validator: Validator) -> None:
    """Recovery, verdicts, folded findings, unknown messages and a gate all validate."""
    gate = Gate(failed=True, failing=["diagnosis.handler-unhealthy"], benign=1, recovered=1, ignore_recovered=True)
    sarif = render(incident(gate=gate), validator)
    run = sarif["runs"][0]
    assert len(run["results"]) == 9
    assert run["invocations"][0]["properties"]["gate"]["ignore_recovered"] is True


def test_diagnosis_results_list_the_findings_they_fold(validator: Validator) -> None:
    _, results = story_results(validator)
    first = results["diagnosis.handler-unhealthy"]
    related = [(loc["message"]["text"], loc["physicalLocation"]["region"]["startLine"]) for loc in first["relatedLocations"]]
    assert related == [
        ("cause: observer.health-check-failed, Title of observer.health-check-failed (x4, ongoing)", 52),
        ("symptom: observer.circuit-breaker-open, Title of observer.circuit-breaker-open (x3, recovered)", 81),
        ("symptom: observer.circuit-breaker-half-open, Title of observer.circuit-breaker-half-open (x1)", 83),
    ]
    props = first["properties"]
    assert props["findings"] == [
        {"id": "observer.health-check-failed", "role": "cause", "fingerprint": "fp-observer.health-check-failed"},
        {"id": "observer.circuit-breaker-open", "role": "symptom", "fingerprint": "fp-observer.circuit-breaker-open"},
        {
            "id": "observer.circuit-breaker-half-open",
            "role": "symptom",
            "fingerprint": "fp-observer.circuit-breaker-half-open",
        },
    ]
    assert props["state"] == "still happening"
    assert props["recovery"]["status"] == "ongoing"
    assert "Ongoing: still failing when the input ends" in first["message"]["text"]
    second = results["diagnosis.second-opinion"]
    assert [loc["message"]["text"] for loc in second["relatedLocations"]] == [
        "symptom: observer.circuit-breaker-half-open, Title of observer.circuit-breaker-half-open (x1)"
    ]


def test_a_symptom_names_its_root_cause_and_recovery(validator: Validator) -> None:
    _, results = story_results(validator)
    symptom = results["observer.circuit-breaker-open"]
    message = symptom["message"]["text"]
    assert message.startswith("Title of observer.circuit-breaker-open (x3). ")
    assert "Root cause diagnosis.handler-unhealthy (The CloudEvent Handler is unhealthy) explains this symptom." in message
    assert "Recovered: failing in observer.log since" in message
    assert symptom["properties"]["explainedBy"] == ["diagnosis.handler-unhealthy"]
    assert symptom["properties"]["recovery"]["signal"] == "observer.circuit-breaker-closed"
    shared = results["observer.circuit-breaker-half-open"]["properties"]["explainedBy"]
    assert shared == ["diagnosis.handler-unhealthy", "diagnosis.second-opinion"]
    assert "explainedBy" not in results["observer.ivs-crd-missing"]["properties"]


def test_a_harmless_finding_is_a_note_with_its_reason(validator: Validator) -> None:
    _, results = story_results(validator)
    harmless = results["observer.replicaset-event-noop"]
    assert harmless["level"] == "note"
    assert harmless["properties"]["benign"] is True
    assert harmless["properties"]["verdict"] == {
        "benign": True,
        "reason": "the handler refuses ReplicaSets not run from a Workload on purpose",
        "condition": "the ReplicaSet has no container named workload",
    }
    assert "Harmless here: the handler refuses" in harmless["message"]["text"]


def test_a_broken_condition_points_at_its_record(validator: Validator) -> None:
    _, results = story_results(validator)
    broken = results["handler.report-already-exists"]
    assert broken["level"] == "error"
    assert broken["properties"]["benign"] is False
    assert broken["properties"]["verdict"]["against"] == {"source": "observer.log", "line": 52, "ts": "2024-04-08T07:16:02Z"}
    (against,) = broken["relatedLocations"]
    assert against["physicalLocation"]["region"]["startLine"] == 52
    assert "health-check-failed said something 0" in against["physicalLocation"]["region"]["snippet"]["text"]
    assert "Not harmless here: the first submission" in broken["message"]["text"]
