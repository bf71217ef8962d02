"""Golden tests: the CLI on every shipped example log, and what each must (not) report.

Set AMR_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from amr_logpatterns.cli import main
from amr_logpatterns.models.results import SCHEMA_VERSION, Report

LOGS = ROOT / "examples" / "logs"
GOLDEN = Path(__file__).parent / "golden"
EXPECTED = yaml.safe_load((LOGS / "EXPECTED.yaml").read_text())
FILES = sorted(p for p in LOGS.iterdir() if p.name != "EXPECTED.yaml")


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def test_every_example_has_expectations() -> None:
    assert sorted(EXPECTED) == [p.name for p in FILES]
    assert len(FILES) >= 6


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_example_report_content(log: Path) -> None:
    code, out = run_cli("scan", "--format", "json", str(log))
    report = json.loads(out)
    found = {f["id"] for f in report["findings"]}
    want = EXPECTED[log.name]
    assert set(want["findings"]) <= found, f"missing {set(want['findings']) - found}"
    assert not set(want.get("absent", [])) & found, f"unexpected {set(want['absent']) & found}"
    assert sorted(d["id"] for d in report["diagnoses"]) == sorted(want["diagnoses"])
    assert report["stats"]["unexplained_error_records"] == want["unexplained_errors"]
    assert code == (1 if report["max_severity"] == "error" else 0)


#: Golden suffix: the options that produce it (``verbose`` is the text format's full story).
GOLDEN_FORMATS = {
    "text": ["--format", "text"],
    "verbose": ["--format", "text", "--verbose"],
    "compact": ["--format", "compact"],
    "json": ["--format", "json"],
}


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_example_golden_output(log: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _, out = run_cli("scan", *GOLDEN_FORMATS[fmt], f"examples/logs/{log.name}")
    golden = GOLDEN / f"{log.name}.{fmt}"
    if os.environ.get("AMR_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text(), f"output of {log.name} changed; diff against {golden}"


@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_json_output_reads_back_into_a_report(log: Path) -> None:
    """What ``scan --format json`` writes is a ``Report`` again, field for field."""
    _, out = run_cli("scan", "--format", "json", "--expect", "any", str(log))
    report = Report.model_validate_json(out)
    assert report.schema_version == SCHEMA_VERSION
    assert report.gate is not None and report.gate.expected == ["any"]
    assert json.loads(report.model_dump_json()) == json.loads(out)


def test_api_example_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "examples/api_example.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "root cause: diagnosis.endpoint-missing-scheme" in result.stdout
    assert "handler.amr-unavailable" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        "amr-logpatterns scan examples/logs/handler-amr-down.jsonl",
        "amr-logpatterns scan --format compact examples/logs/handler-amr-down.jsonl",
    ],
)
def test_the_readme_shows_what_the_command_prints(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    start = readme.index(f"```text\n$ {command}\n") + len(f"```text\n$ {command}\n")
    shown = readme[start : readme.index("```", start)]
    assert run_cli(*command.split()[1:])[1] == shown
