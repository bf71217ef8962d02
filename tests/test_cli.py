"""The command line: formats, exit codes and messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from amr_logpatterns import load_packs
from amr_logpatterns.cli import main

FAILED = '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'
HEALTHY = '2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Successfully sent CloudEvent\n'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_scan_exit_codes(tmp_path: Path) -> None:
    assert run("scan", write(tmp_path, "bad.log", FAILED))[0] == 1
    assert run("scan", write(tmp_path, "good.log", HEALTHY))[0] == 0
    assert run("scan", write(tmp_path, "empty.log", ""))[0] == 0


def test_text_format_is_the_short_answer_and_verbose_the_full_story(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.log", FAILED)
    code, out, _ = run("scan", path)
    assert code == 1
    assert out.startswith("Gate: failed (--fail-on error): 1 finding, 1 root cause\n")
    assert "ROOT CAUSE  [error] diagnosis.handler-unhealthy" in out
    assert f"CAUSE   [error] observer.health-check-failed  x1  {path}:1" in out
    assert "$ kubectl -n metadata-store logs deployments/amr-persister" in out
    assert FAILED.strip() not in out and "add --verbose" in out
    for flag in ("--verbose", "-v"):
        code, full, _ = run("scan", flag, path)
        assert code == 1
        assert "[error] observer.health-check-failed  status_code=503  x1" in full
        assert f"{path}:1: {FAILED.strip()}" in full
        assert "$ kubectl -n metadata-store logs deployments/amr-persister" in full
        assert full.splitlines()[-1] == "Gate: failed (--fail-on error): 1 finding, 1 root cause"


def test_json_format_is_the_report(tmp_path: Path) -> None:
    code, out, _ = run("scan", "--format", "json", write(tmp_path, "bad.log", FAILED))
    data = json.loads(out)
    assert code == 1 and data["schema_version"] == 1
    assert [f["id"] for f in data["findings"]] == ["observer.health-check-failed"]
    assert data["findings"][0]["fields"] == {"status_code": 503}


def test_jsonl_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "two.log", FAILED + HEALTHY)
    code, out, _ = run("scan", "--format", "jsonl", path)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [list(r) for r in rows] == [["id", "severity", "source", "line", "end_line", "fields", "text"]] * 2
    assert [(r["id"], r["line"]) for r in rows] == [
        ("observer.health-check-failed", 1),
        ("observer.health-check-ok", 2),
    ]


def test_several_files_in_one_report(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.log", FAILED), write(tmp_path, "b.log", HEALTHY)
    _, out, _ = run("scan", "--format", "json", a, b)
    data = json.loads(out)
    assert [s["source"] for s in data["stats"]["sources"]] == [a, b]


def test_missing_file_and_directory_exit_2_naming_the_path(tmp_path: Path) -> None:
    code, _, err = run("scan", str(tmp_path / "nope.log"))
    assert code == 2 and "nope.log: no such file or directory" in err
    (tmp_path / "manifest.yaml").write_text("kind: Pod\n")
    code, _, err = run("scan", str(tmp_path))
    assert code == 2 and f"{tmp_path}: no file matches" in err


def test_bad_user_pack_exits_2_with_the_position(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "x.yaml").write_text("id: observer.x\ntitle: X\nbogus: 1\n")
    code, _, err = run("scan", "--patterns", str(pack), write(tmp_path, "a.log", HEALTHY))
    assert code == 2
    assert f"{pack / 'x.yaml'}:3:1: [observer.x] bogus: Extra inputs are not permitted" in err


def test_usage_errors_exit_2() -> None:
    assert run("scan", "--format", "yaml")[0] == 2
    assert run()[0] == 2
    assert run("--version")[0] == 0


def test_list_and_explain() -> None:
    code, out, _ = run("list")
    assert code == 0 and "observer.health-check-failed" in out and "diagnosis.benign-noise" in out
    code, out, _ = run("list", "--format", "json")
    pack = load_packs()
    listed = {item["id"] for item in json.loads(out)}
    assert code == 0 and listed == {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}
    code, out, _ = run("explain", "observer.unsupported-protocol-scheme")
    assert code == 0 and "amr.observer.cloudevent_handler.endpoint" in out and "Matches, for example:" in out
    code, out, _ = run("explain", "diagnosis.observer-out-of-memory")
    assert code == 0 and "app_limit_memory" in out
    code, _, err = run("explain", "observer.health")
    assert code == 2 and "did you mean 'observer.health-check-failed'" in err


def test_python_dash_m_and_stdin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "amr_logpatterns", "scan", "--format", "jsonl", "-"],
        input=FAILED, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    row = json.loads(result.stdout)
    assert (row["id"], row["source"], row["line"]) == ("observer.health-check-failed", "<stdin>", 1)


def test_the_docs_list_every_signature() -> None:
    from conftest import ROOT

    pack = load_packs()
    code, table, _ = run("list", "--format", "markdown")
    assert code == 0 and table.count("\n| `") == len(pack.signatures) + len(pack.diagnoses)
    assert table in (ROOT / "docs" / "reference" / "signatures.md").read_text()
