"""The command line as a newcomer types it: mistakes named with what was meant, options taken
the ways ``--help`` shows, and the small outputs (explain, explain-line) read as sentences."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import ROOT

from amr_logpatterns.cli import main

FAILED = '2023-06-20T19:01:58Z  ERROR  httpclient    {"error": "request failed with status 503"}\n'
SECRET_LINE = (
    '{"level":"error","msg":"AMR is unavailable: Get \\"https://amr-graphql-app.metadata-store'
    '.svc.cluster.local:8443/play?token=Qx9AccessTok3nQx9AccessTok3n\\": dial tcp 10.100.42.17:8443:'
    ' connect: connection refused"}\n'
)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def log(tmp_path: Path) -> str:
    path = tmp_path / "amr.log"
    path.write_text(FAILED)
    return str(path)


# --- did you mean


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["scna", "x.log"], "did you mean 'scan'?"),
        (["scan", "--fial-on", "error", "x.log"], "did you mean '--fail-on'?"),
        (["scan", "--format", "jsn", "x.log"], "did you mean 'json'?"),
        (["scan", "--fail-on", "warnign", "x.log"], "did you mean 'warning'?"),
        (["scan", "--only", "observer.health-chek-failed", "x.log"], "did you mean 'observer.health-check-failed'"),
        (["scan", "--expect", "observr", "x.log"], "did you mean 'observer'?"),
        (["explain", "observer.health-check-faild"], "did you mean 'observer.health-check-failed'"),
        (
            ["explain-line", "x", "--signature", "handler.amr-unavailabel"],
            "did you mean 'handler.amr-unavailable'",
        ),
    ],
)
def test_a_mistyped_word_is_answered_with_the_word_meant(argv: list[str], meant: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert meant in err and err.startswith("amr-logpatterns: ")


def test_an_option_of_another_subcommand_says_which_takes_it() -> None:
    code, _, err = run("explain-line", "--max-line-length", "5", "x")
    assert code == 2
    assert "--max-line-length is an option of scan" in err and "not of explain-line" in err
    assert "did you mean '--max-line-length'" not in err
    assert "see 'amr-logpatterns explain-line --help'" in err


def test_config_problems_come_all_at_once_in_line_order(tmp_path: Path, log: str) -> None:
    config = tmp_path / "amr.yaml"
    config.write_text(
        "fail_on: warning\n"
        "only:\n"
        "  - observer.health-chek-failed\n"
        "ignore:\n"
        "  - id: observer.health-check-faild\n"
        "    reason: a typo\n"
        "expect: [observr]\n"
        "disabled: [handler.redy]\n"
    )
    code, _, err = run("scan", "--config", str(config), log)
    assert code == 2
    assert err.startswith("amr-logpatterns: 4 problems in the config file:\n")
    lines = [int(m[1]) for m in re.finditer(rf"{re.escape(str(config))}:(\d+):", err)]
    assert lines == [3, 5, 7, 8]
    for meant in ("observer.health-check-failed", "'observer'", "'handler.ready'"):
        assert f"did you mean {meant}" in err or f"did you mean '{meant}" in err


# --- options take their values the ways --help shows


@pytest.mark.parametrize(
    "argv",
    [
        ["--redact"],
        ["--redact", "secrets"],
        ["--redact=secrets"],
        ["--redact", "all"],
        ["--redact=all"],
    ],
)
def test_redact_takes_its_level_or_none_before_the_file(tmp_path: Path, argv: list[str]) -> None:
    path = tmp_path / "secret.log"
    path.write_text(SECRET_LINE)
    code, out, err = run("scan", "--verbose", *argv, str(path))
    assert code == 1, err
    assert "Qx9AccessTok3n" not in out and "handler.amr-unavailable" in out
    assert ("10.100.42.17" in out) is ("all" not in " ".join(argv))


def test_help_shows_the_forms_redact_takes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "[--redact [secrets|all]]" in shown
    assert "--redact alone: secrets" in " ".join(shown.split())


# --- explain and explain-line read as sentences


def test_explain_diagnosis_names_what_it_is_concluded_from() -> None:
    code, out, _ = run("explain", "diagnosis.amr-graphql-down")
    assert code == 0
    assert "Concluded from: handler.amr-unavailable\n" in out
    assert "['" not in out


def test_explain_says_when_a_step_applies() -> None:
    code, out, _ = run("explain", "graphql.oom-killed")
    assert code == 0
    assert "(When limits_memory is known)" in out and "(When limits_memory is not known)" in out


def test_explain_line_on_a_matching_signature_says_it_matched() -> None:
    line = (ROOT / "examples/logs/handler-amr-down.jsonl").read_text().splitlines()[15]
    code, out, _ = run("explain-line", line, "--signature", "handler.amr-unavailable")
    assert code == 0
    assert "Matched (1)\n  handler.amr-unavailable [error]" in out
    assert "Did not match" not in out
    code, out, _ = run("explain-line", line, "--signature", "observer.health-check-failed")
    assert code == 0 and "Did not match" in out
