"""The CI gate end to end: every format through the command, exit codes, suppressions,
baselines, outputs, and the shipped CI examples."""

from __future__ import annotations

import io
import json
import re
import shlex
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, ROOT

from amr_logpatterns.cli import build_parser as _parser
from amr_logpatterns.cli import main

LOGS = ROOT / "examples" / "logs"
EXAMPLES = sorted(p.name for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")
SARIF_SCHEMA = json.loads((FIXTURES / "sarif-2.1.0.json").read_text())
WORKFLOW_COMMAND = re.compile(r"^::(error|warning|notice)( [a-zA-Z]+=[^,:]*(,[a-zA-Z]+=[^,:]*)*)?::.*$")
MISSING_SCHEME = "examples/logs/observer-missing-scheme.log"
HEALTHY = "examples/logs/observer-healthy.log"


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        import sys

        old = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
        try:
            code = main(list(argv), stdout=out, stderr=err)
        finally:
            sys.stdin = old
    else:
        code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


#: ``FILE:LINE: SEVERITY: ID: title``, as editors and ``grep`` read compiler output.
COMPILER_LINE = re.compile(r"^\S[^:]*:\d+: (?:error|warning|info): [\w.-]+: \S.*$")


def check_format(fmt: str, text: str) -> None:
    """What a CI system needs of each format, checked on the command's real output."""
    if fmt == "sarif":
        data = json.loads(text)
        jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(data)
        assert all(r["locations"] for r in data["runs"][0]["results"])
    elif fmt == "junit":
        root = ET.fromstring(text.encode())
        assert root.tag == "testsuites" and len(root) >= 1
    elif fmt == "github":
        lines = text.splitlines()
        assert lines and all(WORKFLOW_COMMAND.match(line) for line in lines)
    elif fmt == "json":
        assert json.loads(text)["schema_version"] == 1
    elif fmt == "compact":
        lines = text.splitlines()
        assert lines[-1].startswith("amr-logpatterns: gate ")
        assert all(COMPILER_LINE.match(line) for line in lines[:-1]), text
    else:
        assert text.strip()


@pytest.mark.parametrize("fmt", ["text", "compact", "json", "sarif", "junit", "github", "markdown"])
@pytest.mark.parametrize("log", EXAMPLES)
def test_every_format_on_every_example(log: str, fmt: str) -> None:
    code, out, err = run("scan", "--no-config", "--format", fmt, f"examples/logs/{log}")
    check_format(fmt, out)
    code_json, report, _ = run("scan", "--no-config", "--format", "json", f"examples/logs/{log}")
    assert code == code_json == (1 if json.loads(report)["gate"]["failed"] else 0), err


@pytest.mark.parametrize(
    ("log", "codes"),
    [
        (MISSING_SCHEME, {"info": 1, "warning": 1, "error": 1, "never": 0}),
        # one klog error line here no signature knows: at info, that needs attention
        (HEALTHY, {"info": 1, "warning": 0, "error": 0, "never": 0}),
        # only signals and harmless findings: nothing needs attention at any level
        ("examples/logs/handler-benign-noise.jsonl", {"info": 0, "warning": 0, "error": 0, "never": 0}),
    ],
)
def test_fail_on_sets_the_exit_code(log: str, codes: dict[str, int]) -> None:
    for fail_on, code in codes.items():
        assert run("scan", "--no-config", "--fail-on", fail_on, log)[0] == code, fail_on


def test_warning_only_findings_fail_at_warning(tmp_path: Path) -> None:
    code, out, _ = run("scan", "--no-config", "--format", "json", "--only", "observer.no-certs-appended", MISSING_SCHEME)
    assert {f["severity"] for f in json.loads(out)["findings"]} == {"warning"}
    assert code == 0
    assert run("scan", "--no-config", "--fail-on", "warning", "--only", "observer.no-certs-appended", MISSING_SCHEME)[0] == 1


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gate.yaml"
    path.write_text(text)
    return str(path)


ACCEPT_ALL = """\
ignore:
  - id: "observer.*"
    reason: accepted while the endpoint is being fixed (OPS-7)
    expires: {expires}
  - id: "diagnosis.*"
    reason: accepted while the endpoint is being fixed (OPS-7)
    expires: {expires}
"""


def test_suppressed_findings_pass_the_gate_and_stay_listed(tmp_path: Path) -> None:
    cfg = config(tmp_path, ACCEPT_ALL.format(expires="2099-12-31"))
    code, out, err = run("scan", "--config", cfg, MISSING_SCHEME)
    assert code == 0, err
    assert out.startswith("Gate: passed (--fail-on error): nothing at error remains; 6 suppressed")
    words = " ".join(out.split())  # the config's path is long: the line wraps
    assert "SUPPRESSED (6)" in out and f"ignore from {cfg}:2, expires 2099-12-31: observer." in words
    assert "observer.unsupported-protocol-scheme" in out
    code, out, err = run("scan", "--config", cfg, "--verbose", MISSING_SCHEME)
    assert "SUPPRESSED" in out and "accepted while the endpoint is being fixed (OPS-7)" in out
    code, out, _ = run("scan", "--config", cfg, "--format", "sarif", MISSING_SCHEME)
    results = json.loads(out)["runs"][0]["results"]
    assert results and all(r["suppressions"][0]["kind"] == "external" for r in results)
    _, out, _ = run("scan", "--config", cfg, "--format", "json", MISSING_SCHEME)
    report = json.loads(out)
    assert report["gate"]["suppressed"] == len(report["findings"]) + len(report["diagnoses"])
    assert all(f["suppressed"]["origin"].startswith(cfg + ":") for f in report["findings"])


def test_an_expired_entry_stops_applying_and_warns(tmp_path: Path) -> None:
    cfg = config(tmp_path, ACCEPT_ALL.format(expires="2020-01-31"))
    code, out, err = run("scan", "--config", cfg, MISSING_SCHEME)
    assert code == 1
    assert "expired on 2020-01-31" in err and f"{cfg}:2" in err
    assert "SUPPRESSED" not in out and "expired on 2020-01-31" in out


def test_field_specific_entry_suppresses_only_that_value(tmp_path: Path) -> None:
    log = tmp_path / "two.log"
    log.write_text(
        '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'
        '2023-06-20T19:02:58Z  ERROR  httpclient    {"error": "request failed with status 500"}\n'
    )
    cfg = config(tmp_path, "ignore:\n  - id: observer.health-check-failed\n    fields: {status_code: 503}\n    reason: handler 503s during the drill\n")
    code, out, _ = run("scan", "--config", cfg, "--format", "json", str(log))
    found = {f["group_fields"]["status_code"]: f["suppressed"] for f in json.loads(out)["findings"]}
    assert found[503] is not None and found[500] is None
    assert code == 1


def test_default_config_file_is_read_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".amr-logpatterns.yaml").write_text("fail_on: never\nformat: markdown\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("scan", str(ROOT / MISSING_SCHEME))
    assert code == 0 and out.startswith("**AMR logs: gate passed** (--fail-on never)")
    assert run("scan", "--no-config", str(ROOT / MISSING_SCHEME))[0] == 1
    assert run("scan", "--fail-on", "error", str(ROOT / MISSING_SCHEME))[0] == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("fail_on: sometimes\n", ":1:1: fail_on:"),
        ("ignore:\n  - id: observer.no-such-thing\n    reason: a typo in the id\n", ":2:1: ignore.id: no signature or diagnosis"),
        ("ignore:\n  - id: observer.health-check-failed\n", "ignore.0.reason: Field required"),
        ("baseline: missing.json\n", "missing.json: no such baseline file"),
    ],
)
def test_bad_config_exits_2_naming_file_line_and_field(tmp_path: Path, text: str, words: str) -> None:
    cfg = config(tmp_path, text)
    code, out, err = run("scan", "--config", cfg, MISSING_SCHEME)
    assert code == 2 and out == ""
    assert words in err and ("missing.json" in err or cfg in err)


def test_baseline_known_findings_pass_even_when_the_log_shifted(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, _ = run("scan", "--no-config", "--write-baseline", str(baseline), MISSING_SCHEME)
    assert code == 1 and json.loads(baseline.read_text())["findings"]
    shifted = tmp_path / "shifted.log"
    original = (ROOT / MISSING_SCHEME).read_text()
    shifted.write_text("2024-03-02T08:00:00.000000000Z some earlier unrelated line\n" * 7 + original)
    code, out, _ = run("scan", "--no-config", "--baseline", str(baseline), "--format", "json", str(shifted))
    report = json.loads(out)
    assert code == 0, report["gate"]
    assert report["gate"]["baselined"] == len(report["findings"]) + len(report["diagnoses"])
    assert report["findings"][0]["first_seen"]["line"] > 7
    new = tmp_path / "new.log"
    new.write_text(original + '2024-03-02T09:00:00Z  ERROR  httpclient    {"error": "request failed with status 503"}\n')
    code, out, _ = run("scan", "--no-config", "--baseline", str(baseline), "--format", "json", str(new))
    assert code == 1
    failing = [f.split()[0] for f in json.loads(out)["gate"]["failing"]]
    assert sorted(failing) == ["diagnosis.handler-unhealthy", "observer.health-check-failed"]


def test_broken_baseline_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{}")
    code, _, err = run("scan", "--no-config", "--baseline", str(bad), MISSING_SCHEME)
    assert code == 2 and f"{bad}: not an amr-logpatterns JSON report" in err


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif, junit, md = tmp_path / "out" / "r.sarif", tmp_path / "r.xml", tmp_path / "r.md"
    code, out, _ = run(
        "scan", "--no-config", "--format", "github", "-o", f"sarif:{sarif}", "-o", f"junit:{junit}", "-o", f"markdown:{md}", MISSING_SCHEME
    )
    assert code == 1
    check_format("github", out)
    check_format("sarif", sarif.read_text())
    check_format("junit", junit.read_text())
    assert md.read_text().startswith("**AMR logs: gate failed**")


def test_format_decides_stdout_and_each_file_its_prefix_or_suffix(tmp_path: Path) -> None:
    code, out, _ = run("scan", "--no-config", "--format", "sarif", "-o", str(tmp_path / "a.json"), MISSING_SCHEME)
    assert code == 1
    check_format("sarif", out)
    check_format("json", (tmp_path / "a.json").read_text())
    _, out, _ = run("scan", "--no-config", "-o", str(tmp_path / "b.xml"), "-o", str(tmp_path / "c.sarif"), MISSING_SCHEME)
    assert out.startswith("Gate: failed")
    check_format("junit", (tmp_path / "b.xml").read_text())
    check_format("sarif", (tmp_path / "c.sarif").read_text())
    # a prefix wins over the suffix; FORMAT:- replaces what stdout gets
    _, out, _ = run("scan", "--no-config", "-o", f"junit:{tmp_path / 'd.json'}", "-o", "markdown:-", MISSING_SCHEME)
    check_format("junit", (tmp_path / "d.json").read_text())
    assert out.startswith("**AMR logs: gate failed**")
    # the case: github on stdout, three files each in its own format
    _, out, _ = run(
        "scan", "--no-config", "--format", "github", "-o", f"sarif:{tmp_path / 'x'}",
        "-o", f"junit:{tmp_path / 'y'}", "-o", str(tmp_path / "report.md"), MISSING_SCHEME,
    )
    check_format("github", out)
    assert (tmp_path / "report.md").read_text().startswith("**AMR logs: gate failed**")
    check_format("sarif", (tmp_path / "x").read_text())
    code, _, err = run("scan", "--no-config", "-o", str(tmp_path / "report.bin"), MISSING_SCHEME)
    assert code == 2 and "its suffix names no format" in err and ".sarif" in err and ".md" in err
    code, _, err = run("scan", "--no-config", "--format", "jsonl", "-o", f"sarif:{tmp_path / 'x'}", MISSING_SCHEME)
    assert code == 2 and "jsonl" in err
    code, _, err = run("scan", "--no-config", "-o", str(tmp_path / "x.sarif"), "-o", str(tmp_path / "x.sarif"), MISSING_SCHEME)
    assert code == 2 and "asked for twice" in err
    code, _, err = run("scan", "--no-config", "-o", "json:-", "-o", "sarif:-", MISSING_SCHEME)
    assert code == 2 and "only one can take stdout" in err


def test_github_format_also_writes_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run("scan", "--no-config", "--format", "github", MISSING_SCHEME)
    text = summary.read_text()
    assert text.startswith("earlier step\n**AMR logs: gate failed**")
    assert "diagnosis.endpoint-missing-scheme" in text


def test_only_exclude_and_min_severity(tmp_path: Path) -> None:
    _, out, _ = run("scan", "--no-config", "--format", "json", "--only", "observer.no-certs-appended", MISSING_SCHEME)
    report = json.loads(out)
    assert [f["id"] for f in report["findings"]] == ["observer.no-certs-appended"]
    assert report["gate"]["excluded"] > 0
    _, out, _ = run("scan", "--no-config", "--format", "json", "--exclude", "observer", MISSING_SCHEME)
    assert all(f["component"] != "observer" for f in json.loads(out)["findings"])
    _, out, _ = run("scan", "--no-config", "--format", "json", "--min-severity", "error", MISSING_SCHEME)
    report = json.loads(out)
    assert {f["severity"] for f in report["findings"]} == {"error"} and report["gate"]["hidden"] > 0
    code, _, err = run("scan", "--no-config", "--only", "observer.nope", MISSING_SCHEME)
    assert code == 2 and "--only observer.nope: names no signature" in err


def test_directories_globs_archives_and_stdin(tmp_path: Path) -> None:
    code, out, _ = run("scan", "--no-config", "--format", "json", "--glob", "observer-missing-*.log", "examples/logs")
    assert code == 1
    assert [s["source"] for s in json.loads(out)["stats"]["sources"]] == ["examples/logs/observer-missing-scheme.log"]
    bundle = tmp_path / "bundle.tgz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(ROOT / MISSING_SCHEME, arcname="amr-observer-system/amr-observer-controller-manager-6d8f7c9b4-x2x9z/manager.log")
    code, out, _ = run("scan", "--no-config", "--format", "json", str(bundle))
    report = json.loads(out)
    assert code == 1 and report["findings"]
    assert report["stats"]["sources"][0]["source"].startswith(f"{bundle}:amr-observer-system/")
    code, out, _ = run("scan", "--no-config", "--format", "json", "-", stdin=(ROOT / MISSING_SCHEME).read_text())
    assert code == 1 and json.loads(out)["stats"]["sources"][0]["source"] == "<stdin>"


def test_colour_only_when_asked_or_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run("scan", "--no-config", MISSING_SCHEME)[1]
    assert "\x1b[" in run("scan", "--no-config", "--color", MISSING_SCHEME)[1]
    assert "\x1b[" not in run("scan", "--no-config", "--color", "--format", "markdown", MISSING_SCHEME)[1]


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert main(["scan", "--help"]) == 0
    texts = capsys.readouterr().out.split("usage: amr-logpatterns scan")
    assert len(texts) == 2
    for text in texts:
        assert "0  the gate passed" in text and "1  the gate failed" in text and "2  usage error" in text


def _ci_commands(text: str) -> list[list[str]]:
    """Every amr-logpatterns command line in a CI file, as argv (folded YAML scalars joined)."""
    commands = []
    data = yaml.safe_load(text)

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
        elif isinstance(node, str) and "amr-logpatterns scan" in node:
            for line in node.replace("\\\n", " ").splitlines():
                if line.strip().startswith("amr-logpatterns scan") or " amr-logpatterns scan " in f" {line} ":
                    commands.append(shlex.split(line.strip())[1:])

    visit(data)
    return commands


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_examples_run_the_gate_with_valid_options(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "examples" / "ci" / name).read_text()
    commands = _ci_commands(text)
    assert commands, f"no amr-logpatterns command in {name}"
    logs = tmp_path / "amr-logs"
    logs.mkdir()
    (logs / "observer.log").write_text((ROOT / MISSING_SCHEME).read_text())
    (logs / "persister.log").write_text((ROOT / "examples/logs/handler-amr-down.jsonl").read_text())
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        _parser().parse_args(argv)
        code, _, err = run(*argv, "--no-config")
        assert code == 1, err
        for spec in [a for i, a in enumerate(argv) if i and argv[i - 1] in ("-o", "--output")]:
            fmt, _, path = spec.partition(":")
            check_format(fmt, (tmp_path / path).read_text())
    # a collection that failed: kubectl's error in one file, nothing in the other
    (logs / "observer.log").write_text('Error from server (NotFound): namespaces "amr-observer-system" not found\n')
    (logs / "persister.log").write_text("")
    for argv in commands:
        code, _, err = run(*argv, "--no-config")
        assert code == 1, err
        assert "the input is empty" not in err  # one file held kubectl's error
        junit = next(a for i, a in enumerate(argv) if i and argv[i - 1] == "-o" and a.startswith("junit:"))
        assert 'name="expected components" tests="2" failures="2"' in (tmp_path / junit.partition(":")[2]).read_text()


def test_example_config_is_valid_and_used(tmp_path: Path) -> None:
    cfg = ROOT / "examples" / "ci" / "amr-logpatterns.yaml"
    code, out, err = run("scan", "--config", str(cfg), "--format", "json", "examples/logs/observer-cri-node.log")
    assert code in (0, 1) and "problem" not in err
    report = json.loads(out)
    assert report["gate"]["fail_on"] == "error"
    assert not any(f["id"].startswith("observer.circuit-breaker-") for f in report["findings"])


def test_progress_goes_to_stderr_only_when_asked_in_ci() -> None:
    code, out, err = run("scan", "--no-config", "--progress", "--jobs", "1", MISSING_SCHEME)
    assert code == 1 and "100%" in err and MISSING_SCHEME in err
    plain = run("scan", "--no-config", "--jobs", "1", MISSING_SCHEME)
    assert plain[2] == "" and plain[1] == out
    assert run("scan", "--no-config", "--no-progress", MISSING_SCHEME)[2] == ""
