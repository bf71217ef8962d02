"""Pack authoring and redaction through the command: lint, test, schema, --redact."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, ROOT

from amr_logpatterns.cli import main

BROKEN = FIXTURES / "packs" / "lint-errors"
TOKEN = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_lint_builtin_packs_is_clean_and_strict_passes() -> None:
    code, out, _ = run("lint", "--strict")
    assert code == 0 and "lint: no problems" in out


def test_lint_a_broken_pack_lists_every_problem_with_its_position() -> None:
    code, out, _ = run("lint", str(BROKEN))
    assert code == 2
    lines = [line for line in out.splitlines() if ": error: " in line]
    assert len(lines) > 3
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)
    code, out, _ = run("lint", str(BROKEN), "--format", "json")
    assert code == 2 and json.loads(out)["entries"]


def test_test_command_prints_a_table_and_fails_on_a_broken_example(tmp_path: Path) -> None:
    code, out, _ = run("test")
    assert code == 0 and out.rstrip().endswith("passed, 0 failed")
    pack = tmp_path / "pack"
    pack.mkdir()
    source = yaml.safe_load((ROOT / "patterns/observer/observer.health-check-ok.yaml").read_text())
    source["id"] = "custom.health-ok-copy"
    source["overlaps"] = ["observer.health-check-ok"]
    source["examples"]["no_match"].append(source["examples"]["match"][0]["line"])
    (pack / "copy.yaml").write_text(yaml.safe_dump(source))
    code, out, _ = run("test", str(pack))
    assert code == 1 and "custom.health-ok-copy" in out and "FAIL" in out.upper()


def test_schema_validates_every_builtin_pack_file() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    validator = jsonschema.Draft7Validator(schema)
    for path in sorted((ROOT / "patterns").rglob("*.yaml")):
        validator.validate(yaml.safe_load(path.read_text()))
    assert list(validator.iter_errors({"id": "a.b", "titel": "typo"}))
    code, out, _ = run("schema", "--kind", "config")
    config_schema = json.loads(out)
    assert code == 0
    config = jsonschema.Draft7Validator(config_schema)
    example = yaml.safe_load((ROOT / "examples/ci/amr-logpatterns.yaml").read_text())
    config.validate(json.loads(json.dumps(example, default=str)))  # an editor sees dates as text
    assert list(config.iter_errors({"fail_on": "sometimes"}))


def test_redact_masks_a_token_in_every_format_and_keeps_the_fingerprint(tmp_path: Path) -> None:
    log = tmp_path / "leak.log"
    log.write_text(
        '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503", '
        f'"token": "{TOKEN}"}}\n'
        f"2023-06-20T19:02:00Z  ERROR  sync  upload failed with password={TOKEN}\n"
    )
    code, plain, _ = run("scan", "--no-config", "--format", "json", str(log))
    assert TOKEN in plain
    for fmt in ("text", "json", "jsonl", "sarif", "junit", "github", "markdown"):
        code, out, _ = run("scan", "--no-config", "--redact", "--format", fmt, str(log))
        assert TOKEN not in out, fmt
        assert code == 1
    _, redacted, _ = run("scan", "--no-config", "--redact=secrets", "--format", "json", str(log))
    assert [f["fingerprint"] for f in json.loads(redacted)["findings"]] == [
        f["fingerprint"] for f in json.loads(plain)["findings"]
    ]
    _, out, _ = run("explain-line", "--redact", f"password={TOKEN}")
    assert TOKEN not in out


def test_redact_all_masks_addresses_and_hosts(tmp_path: Path) -> None:
    log = tmp_path / "hosts.log"
    log.write_text(
        '{"level":"error","ts":"2025-01-21T08:02:40.2342217Z","caller":"amr-persister/main.go:99",'
        '"msg":"AMR is unavailable: Get \\"https://amr.prod.example.com:8443/play\\": dial tcp 10.44.3.9:8443: connect: connection refused"}\n'
    )
    _, out, _ = run("scan", "--no-config", "--redact=all", str(log))
    assert "10.44.3.9" not in out and "amr.prod.example.com" not in out
    assert "handler.amr-unavailable" in out


HOSTILE = """\
id: custom.hostile
title: A pattern that backtracks catastrophically
component: observer
severity: warning
category: demo
explanation: Shows the time limit.
unsafe_regex_ok: "a test of the time limit"
match:
  keywords: ["aaaa"]
  message: '(a|a)+$'
examples:
  match:
    - line: "aaaa"
    - line: "aaaaa"
  no_match:
    - "bbbb"
    - "cccc"
"""


def test_regex_time_limit_and_line_cap_through_the_command(tmp_path: Path) -> None:
    import time

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "custom.hostile.yaml").write_text(HOSTILE)
    log = tmp_path / "hostile.log"
    log.write_text("a" * 40 + "!\n" + "x" * 5000 + "\n")
    started = time.perf_counter()
    code, out, err = run("scan", "--no-config", "--patterns", str(pack), "--regex-timeout", "0.05", "--max-line-length", "1000", str(log))
    assert time.perf_counter() - started < 20, "the time limit did not hold"
    assert code == 0, err
    flat = " ".join(out.split())
    assert "1 regex search hit the time limit (custom.hostile x1)" in flat
    assert "1 line over the length cap (only its start matched)" in flat
    unsafe = tmp_path / "unsafe"
    unsafe.mkdir()
    (unsafe / "custom.hostile.yaml").write_text(HOSTILE.replace('unsafe_regex_ok: "a test of the time limit"\n', ""))
    code, _, err = run("scan", "--no-config", "--patterns", str(unsafe), str(log))
    assert code == 2 and "custom.hostile.yaml:" in err and "backtrack" in err
    assert run("scan", "--no-config", "--regex-timeout", "-1", str(log))[0] == 2


def test_explain_line_does_not_hang_on_a_hostile_pattern(tmp_path: Path) -> None:
    import time

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "custom.hostile.yaml").write_text(HOSTILE)
    started = time.perf_counter()
    code, out, _ = run("explain-line", "--no-config", "--patterns", str(pack), "a" * 40 + "!", "--signature", "custom.hostile")
    assert time.perf_counter() - started < 20
    assert code == 0 and "custom.hostile" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "--max-line-length", "0", "x.log"],
        ["scan", "--max-line-length", "-5", "x.log"],
        ["scan", "--jobs", "0", "x.log"],
        ["scan", "--jobs", "two", "x.log"],
        ["explain-line", "--file", "x.log", "--line", "0"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(argv: list[str]) -> None:
    """A zero line cap used to read every line as empty and report nothing, silently."""
    code, _, err = run(*argv)  # on the stderr main was given, as every other message
    option = next(a for a in reversed(argv) if a.startswith("--"))
    assert code == 2 and f"argument {option}" in err
    assert "must be 1 or more" in err or "not a whole number" in err


def test_the_library_refuses_a_line_cap_below_one() -> None:
    from amr_logpatterns import Classifier

    with pytest.raises(ValueError, match="max_line_length must be 1 or more: 0"):
        Classifier(max_line_length=0)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "markdown"])
def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_format(
    tmp_path: Path, fmt: str
) -> None:
    """A name's undecodable byte (``bad\\xff.log``) once broke SARIF and JSON output."""
    folder = tmp_path / "logs"
    folder.mkdir()
    name = os.fsdecode(b"bad\xff.log")
    (folder / name).write_bytes((ROOT / "examples" / "logs" / "observer-missing-scheme.log").read_bytes())
    out = io.StringIO()
    code = main(["scan", "--format", fmt, str(folder)], stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert code == 1 and "unsupported-protocol-scheme" in text.replace("_", "-").lower()
    text.encode("utf-8")  # no lone surrogate is left to break the output
    if fmt in ("text", "json", "markdown"):
        assert "bad\\xff.log" in text.replace("\\\\", "\\")


def test_text_with_lone_surrogates_gives_a_report_every_format_can_write() -> None:
    from amr_logpatterns import Classifier
    from amr_logpatterns.formatters import PLAIN, formatters
    from amr_logpatterns.policy.gate import Policy, apply_policy

    line = (ROOT / "examples" / "logs" / "observer-missing-scheme.log").read_text() + "odd \udcff \ud800 text\n"
    report = Classifier().classify(line, source_name="s.log")
    assert report.stats.sources[0].decode_errors == 1
    gated = apply_policy(report, Policy())
    for render in formatters().values():
        render(gated, PLAIN).encode("utf-8")
    report.model_dump_json()
