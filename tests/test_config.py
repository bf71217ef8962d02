"""The config file: validated like a pack, with every problem's file, line and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from amr_logpatterns import load_packs
from amr_logpatterns.errors import ConfigError
from amr_logpatterns.policy.config import check_against_pack, find_config, load_config

GOOD = """\
patterns: [extra-pack]
format: sarif
fail_on: warning
min_severity: warning
only: [observer]
exclude: ["observer.circuit-breaker-*"]
baseline: ci/baseline.json
ignore:
  - id: observer.health-check-failed
    fields: {status_code: 503}
    reason: the staging handler is down on purpose during this test
    expires: 2031-01-31
  - fingerprint: 0123456789abcdef
    reason: accepted in review of ticket OPS-1
"""


def write(tmp_path: Path, text: str, name: str = ".amr-logpatterns.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_full_config_loads_with_positions_and_relative_paths(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, GOOD))
    config = loaded.config
    assert (config.format, config.fail_on, config.min_severity) == ("sarif", "warning", "warning")
    assert config.ignore[0].expires == date(2031, 1, 31)
    assert config.ignore[0].fields == {"status_code": 503}
    assert loaded.ignore_origins == [f"{tmp_path}/.amr-logpatterns.yaml:9", f"{tmp_path}/.amr-logpatterns.yaml:13"]
    assert loaded.resolve("ci/baseline.json") == str(tmp_path / "ci" / "baseline.json")
    assert loaded.resolve("/abs/pack") == "/abs/pack"


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("fail_on: sometimes\n", 1, "fail_on", "Input should be"),
        ("colour: red\n", 1, "colour", "Extra inputs are not permitted"),
        ("ignore:\n  - id: observer.health-check-failed\n", 2, "ignore.0.reason", "Field required"),
        ("ignore:\n  - reason: no id at all here\n", 2, "ignore.0", "needs an id or a fingerprint"),
        ("ignore:\n  - id: x.y\n    reason: ok!\n    expires: someday\n", 4, "ignore.0.expires", "date"),
        ("ignore:\n  - id: x.y\n    reason: '  '\n", 3, "ignore.0.reason", "at least 3"),
        ("fail_on: [\n", 2, "", "invalid YAML"),
    ],
)
def test_bad_configs_name_line_and_field(tmp_path: Path, text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problem = info.value.problems[0]
    assert problem.line == line and problem.field == field
    assert words in problem.message
    assert str(tmp_path) in str(info.value)


def test_missing_explicit_config_is_an_error_but_a_missing_default_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None).path is None
    with pytest.raises(ConfigError, match="no such file"):
        find_config(str(tmp_path / "nope.yaml"))
    write(tmp_path, "fail_on: never\n")
    assert find_config(None).config.fail_on == "never"


def test_empty_config_is_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).config.ignore == []


def test_ignore_entries_must_name_known_ids(tmp_path: Path) -> None:
    pack = load_packs()
    loaded = load_config(write(tmp_path, "ignore:\n  - id: observer.helth-check-failed\n    reason: typo here\n"))
    with pytest.raises(ConfigError) as info:
        check_against_pack(loaded, pack)
    assert info.value.problems[0].line == 2
    assert "observer.helth-check-failed" in info.value.problems[0].message
    globbed = load_config(write(tmp_path, "only: [handler]\nignore:\n  - id: 'observer.circuit-*'\n    reason: noisy\n"))
    check_against_pack(globbed, pack)
    with pytest.raises(ConfigError, match="names no signature"):
        check_against_pack(load_config(write(tmp_path, "exclude: [obsrver]\n")), pack)


def test_the_documented_config_example_is_valid(tmp_path: Path) -> None:
    from conftest import ROOT

    page = (ROOT / "docs" / "ci.md").read_text()
    section = page[page.index("## Config file\n") :]
    block = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml\n") + 8)]
    loaded = load_config(write(tmp_path, block))
    check_against_pack(loaded, load_packs())
    assert loaded.config.ignore[0].reason.startswith("the staging handler")
