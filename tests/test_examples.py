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


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("log", FILES, ids=[p.name for p in FILES])
def test_example_golden_output(log: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _, out = run_cli("scan", "--format", fmt, f"examples/logs/{log.name}")
    golden = GOLDEN / f"{log.name}.{fmt}"
    if os.environ.get("AMR_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text(), f"output of {log.name} changed; diff against {golden}"


def test_api_example_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "examples/api_example.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "root cause: diagnosis.endpoint-missing-scheme" in result.stdout
    assert "handler.amr-unavailable" in result.stdout
