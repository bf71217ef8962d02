"""`lint`: every problem of a pack in one run, each with file:line:col, field, id and level."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amr_logpatterns.authoring.lint import lint_packs
from amr_logpatterns.authoring.lint_report import (
    LintEntry,
    LintReport,
    format_lint,
    lint_exit_code,
)

PACKS = Path(__file__).parent / "fixtures" / "packs"
BROKEN = PACKS / "lint-errors"
DEMO = PACKS / "demo"

BROKE_ANYWHERE = """\
id: demo.broke-anywhere
title: Something broke somewhere
component: demo
severity: warning
category: demo
explanation: Something broke.
match:
  keywords: ["broke at"]
  message: 'broke at http://'
examples:
  match:
    - line: "it broke at http://z"
    - line: "thing broke at http://a status 503"
  no_match:
    - "it broke"
    - "broke at ftp://z"
"""


def rows(report: LintReport, root: Path) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (str(Path(e.path).relative_to(root)), e.line, e.column, e.level, e.code, e.field)
        for e in report.entries
    ]


def demo_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


def test_every_problem_of_a_broken_pack_in_one_run() -> None:
    report = lint_packs([BROKEN], builtin=False)
    assert rows(report, BROKEN) == [
        ("demo/demo.broke-anywhere.yaml", 12, 7, "warning", "overlap", "examples.match.0"),
        ("demo/demo.schema-typo.yaml", 1, 1, "error", "schema", "severity"),
        ("demo/demo.schema-typo.yaml", 4, 1, "error", "schema", "severty"),
        ("demo/demo.schema-typo.yaml", 9, 3, "error", "regex", "match.message"),
        ("demo/demo.thing-broke.yaml", 6, 1, "error", "template-field", "explanation"),
        ("demo/demo.thing-broke.yaml", 10, 10, "error", "unknown-id", "verify.0"),
        ("demo/demo.thing-broke.yaml", 11, 17, "warning", "unknown-field", "group_by.1"),
        ("demo/demo.thing-broke.yaml", 17, 7, "warning", "overlap", "examples.match.0"),
        ("demo/demo.thing-broke.yaml", 18, 33, "error", "example-field", "examples.match.0.fields.status_code"),
        ("demo/demo.thing-broke.yaml", 20, 33, "error", "example-field", "examples.match.1.fields.port"),
        ("demo/demo.thing-broke.yaml", 21, 7, "warning", "prefilter-literal", "examples.match.2"),
        ("demo/demo.thing-broke.yaml", 23, 7, "error", "example-no-match", "examples.match.3"),
        ("demo/demo.thing-broke.yaml", 26, 7, "error", "example-matched", "examples.no_match.1"),
        ("demo/zz-copy-of-thing-broke.yaml", 1, 1, "error", "duplicate-id", "id"),
        ("diagnoses/diagnosis.demo-down.yaml", 4, 1, "error", "template-field", "summary"),
        ("diagnoses/diagnosis.demo-down.yaml", 6, 12, "error", "unknown-id", "symptoms.0"),
    ]
    assert (report.errors, report.warnings) == (12, 4)
    assert (report.files, report.signatures, report.diagnoses, report.components) == (6, 2, 1, 1)
    assert lint_exit_code(report, strict=False) == 2


def test_messages_say_what_to_do() -> None:
    by_field = {e.field: e for e in lint_packs([BROKEN], builtin=False).entries}
    assert "regex does not compile at position 12" in by_field["match.message"].message
    assert by_field["examples.match.0.fields.status_code"].message == (
        "expected 503 (int), got '503' (str); declare `types: {status_code: int}`"
    )
    assert "no regex of the signature has a group (?P<port>...)" in by_field["examples.match.1.fields.port"].message
    assert "none of its keywords is in the line" in by_field["examples.match.3"].message
    assert "'thing broke at '" in by_field["examples.match.2"].message
    assert "{host}" in by_field["explanation"].message
    assert "{zone}" in by_field["summary"].message and "{url}" not in by_field["summary"].message
    duplicate = by_field["id"]
    assert duplicate.item_id == "demo.thing-broke" and "demo.thing-broke.yaml" in duplicate.message
    shell = [e for e in lint_packs([BROKEN], builtin=False).entries if "DEPLOYMENT" in e.message]
    assert shell == []  # ${VAR} in a command is the shell's, not a placeholder


def test_format_groups_by_file_with_a_summary() -> None:
    text = format_lint(lint_packs([BROKEN], builtin=False))
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 6  # five files, then the summary
    for block in blocks[:-1]:
        paths = {line.split(":", 1)[0] for line in block.splitlines()}
        assert len(paths) == 1, block
    assert blocks[0].splitlines()[0].endswith(
        "demo.broke-anywhere.yaml:12:7: warning: [demo.broke-anywhere] examples.match.0:"
        " match[0] also matched by demo.thing-broke; if both are meant to fire on such lines,"
        " declare `overlaps: [demo.thing-broke]` (overlap)"
    )
    assert blocks[-1] == (
        "lint: 12 errors, 4 warnings in 5 files; checked 6 files"
        " (2 signatures, 1 diagnosis, 1 component) and 10 examples"
    )


def test_a_clean_pack_and_the_exit_codes(tmp_path: Path) -> None:
    clean = lint_packs([DEMO], builtin=False)
    assert clean.entries == () and clean.examples == 8
    assert lint_exit_code(clean, strict=True) == 0
    assert format_lint(clean) == (
        "lint: no problems; checked 4 files (2 signatures, 1 diagnosis, 1 component) and 8 examples\n"
    )
    pack = demo_copy(tmp_path)
    (pack / "demo" / "demo.broke-anywhere.yaml").write_text(BROKE_ANYWHERE)
    warned = lint_packs([pack], builtin=False)
    assert {(e.level, e.code, e.item_id) for e in warned.entries} == {
        ("warning", "overlap", "demo.broke-anywhere"),
        ("warning", "overlap", "demo.thing-broke"),
    }
    assert (lint_exit_code(warned, strict=False), lint_exit_code(warned, strict=True)) == (0, 1)


def test_a_declared_overlap_is_not_reported(tmp_path: Path) -> None:
    pack = demo_copy(tmp_path)
    declared = BROKE_ANYWHERE.replace("match:\n  keywords", "overlaps: [demo.thing-broke]\nmatch:\n  keywords")
    (pack / "demo" / "demo.broke-anywhere.yaml").write_text(declared)
    assert lint_packs([pack], builtin=False).entries == ()


def test_loader_problems_are_entries_not_an_exception(tmp_path: Path) -> None:
    pack = demo_copy(tmp_path)
    (pack / "demo" / "syntax.yaml").write_text("id: [unclosed\n")
    (pack / "demo" / "demo.thing-ok.yaml").unlink()
    report = lint_packs([pack, tmp_path / "missing"], builtin=False)
    assert [(e.code, Path(e.path).name, e.field) for e in report.entries] == [
        ("unknown-id", "demo.thing-broke.yaml", "verify.0"),
        ("yaml", "syntax.yaml", ""),
        ("unknown-id", "diagnosis.demo-down.yaml", "verify.0"),
        ("missing", "missing", ""),
    ]
    assert lint_exit_code(report, strict=False) == 2


def test_references_to_a_broken_file_are_not_reported_twice(tmp_path: Path) -> None:
    pack = demo_copy(tmp_path)
    ok = pack / "demo" / "demo.thing-ok.yaml"
    ok.write_text(ok.read_text().replace("severity: info", "severity: fine"))
    entries = lint_packs([pack], builtin=False).entries
    assert [(e.code, e.field, e.item_id) for e in entries] == [("schema", "severity", "demo.thing-ok")]


def test_the_builtin_packs_lint_clean_even_strict() -> None:
    report = lint_packs(None, builtin=True)
    assert not report.entries, format_lint(report)
    assert report.signatures >= 30 and report.diagnoses >= 6 and report.examples > 200
    assert lint_exit_code(report, strict=True) == 0


def test_a_user_pack_is_judged_against_the_builtins_but_only_its_files_are_reported(
    tmp_path: Path,
) -> None:
    report = lint_packs([DEMO], builtin=True)
    assert report.entries == () and report.files == 4 and report.signatures == 2
    pack = tmp_path / "mine"
    (pack / "observer").mkdir(parents=True)
    (pack / "observer" / "custom.any-status.yaml").write_text(
        """\
id: custom.any-status
title: Any response status
component: observer
severity: info
category: connectivity
explanation: The handler answered {code}.
match:
  keywords: ["Received response with status"]
  message: 'Received response with status'
  fields: {status: '^(?P<code>\\d+)'}
examples:
  match:
    - line: '2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "999 Odd"}'
      fields: {code: "999"}
    - line: '2023-06-20T15:51:51Z  INFO  httpclient.circuitbreaker  Received response with status  {"status": "998 Odd"}'
      fields: {code: "998"}
  no_match:
    - 'Received no response'
    - '2023-06-20T15:51:50Z  INFO  httpclient.circuitbreaker  Received response with status'
"""
    )
    entries = lint_packs([pack], builtin=True).entries
    assert entries, "a catch-all signature overlaps built-in ones"
    assert {Path(e.path).name for e in entries} == {"custom.any-status.yaml"}
    assert all(e.code == "overlap" and e.field == "match" for e in entries)
    assert any("observer.health-check-failed" in e.message and "declare `overlaps: [observer.health-check-failed]`" in e.message for e in entries)


def test_duplicate_of_a_builtin_names_both_files_and_the_way_out(tmp_path: Path) -> None:
    builtin = Path(__file__).parent.parent / "patterns" / "observer" / "observer.health-check-failed.yaml"
    mine = tmp_path / "observer" / "observer.health-check-failed.yaml"
    mine.parent.mkdir()
    mine.write_text(builtin.read_text())
    (entry,) = lint_packs([tmp_path], builtin=True).entries
    assert (entry.path, entry.line, entry.code, entry.field) == (str(mine), 1, "duplicate-id", "id")
    assert entry.message == (
        f"duplicate id, already defined in {builtin.resolve()};"
        " to replace it, add `overrides: observer.health-check-failed`"
    )


def test_report_round_trips_as_json() -> None:
    report = lint_packs([BROKEN], builtin=False)
    assert LintReport.model_validate_json(report.model_dump_json()) == report
    with pytest.raises(ValueError):
        report.entries[0].level = "error"  # type: ignore[misc]
    assert isinstance(report.entries[0], LintEntry)


SLOW = """\
id: demo.slow-tail
title: A pattern that is quadratic on padding
component: demo
severity: warning
category: demo
explanation: Shows the slow-regex warning.
match:
  keywords: ["gave up"]
  message: 'gave up: (?P<reason>.*?)\\s*$'
examples:
  match:
    - line: "gave up: no route"
      fields: {reason: no route}
    - line: "gave up: timeout  "
      fields: {reason: timeout}
  no_match:
    - "kept going"
    - "gave in"
"""


def test_a_regex_quadratic_on_padding_is_a_warning_with_its_fix(tmp_path: Path) -> None:
    """``.*?\\s*$`` loads (it cannot hang: the time limit ends it) but is flagged, since a
    padded line can take it past the limit and lose the match."""
    pack = demo_copy(tmp_path)
    (pack / "demo" / "demo.slow-tail.yaml").write_text(SLOW)
    report = lint_packs([pack], builtin=False)
    (entry,) = report.entries
    assert (entry.level, entry.code, entry.item_id, entry.field) == (
        "warning", "slow-regex", "demo.slow-tail", "match.message"
    )
    assert entry.line == 9 and "position 20" in entry.message
    assert "`.*?` and `\\s*`" in entry.message and "(?:.*\\S)?\\s*$" in entry.message
    assert (lint_exit_code(report, strict=False), lint_exit_code(report, strict=True)) == (0, 1)
    fixed = SLOW.replace("(?P<reason>.*?)", "(?P<reason>(?:.*\\S)?)")
    (pack / "demo" / "demo.slow-tail.yaml").write_text(fixed)
    assert lint_packs([pack], builtin=False).entries == ()
