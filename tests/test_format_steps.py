"""A fix's steps, one renderer per kind of output: terminal, plain text, Markdown.

Every output numbers the steps and lines a step's command and configuration up
under its text; they differ only in how they mark those up.
"""

from __future__ import annotations

from amr_logpatterns.formatters.markdown_escape import prose
from amr_logpatterns.formatters.options import Options
from amr_logpatterns.formatters.steps import (
    command_lines,
    markdown_steps,
    numbered,
    plain_steps,
    terminal_steps,
)
from amr_logpatterns.packs.schema import RemediationStep

CONTINUED = "kubectl -n metadata-store get pods \\\n  -o wide"
STEPS = [
    RemediationStep(text="Check the `amr-graphql-app` pods.", command=CONTINUED),
    RemediationStep(text="Set the URL.", config="amr:\n  url: https://amr\n\n"),
]


def test_every_output_numbers_the_steps_and_lines_them_up_under_the_marker() -> None:
    assert [(marker, pad) for marker, pad, _ in numbered(STEPS * 5)][8:10] == [
        ("9. ", "   "),
        ("10. ", "    "),
    ]
    for lines in (terminal_steps(STEPS, ""), plain_steps(STEPS), markdown_steps(STEPS)):
        assert lines[0].startswith("1. Check the `amr-graphql-app` pods.")
        assert any(line.startswith("2. Set the URL.") for line in lines)


def test_terminal_steps_wrap_prose_and_mark_commands_and_configuration() -> None:
    long = RemediationStep(text="word " * 16, command="a\nb")
    # two lines without a backslash are two commands; configuration is marked with ``|``
    assert terminal_steps([long, STEPS[1]], "  ", Options(width=40)) == [
        "  1. word word word word word word word",
        "     word word word word word word word",
        "     word word",
        "     $ a",
        "     $ b",
        "  2. Set the URL.",
        "     | amr:",
        "     |   url: https://amr",
    ]


def test_a_continued_command_is_typed_as_one() -> None:
    assert command_lines(CONTINUED) == ["$ kubectl -n metadata-store get pods \\", "    -o wide"]


def test_colour_paints_commands_only() -> None:
    plain = terminal_steps(STEPS, "")
    coloured = terminal_steps(STEPS, "", Options(color=True))
    assert [line for line in coloured if "\x1b[32m" in line] == [
        "   \x1b[32m$ kubectl -n metadata-store get pods \\\x1b[0m",
        "   \x1b[32m    -o wide\x1b[0m",
    ]
    assert [line for line in coloured if "\x1b" not in line] == [
        line for line in plain if "$" not in line and "-o wide" not in line
    ]


def test_plain_steps_keep_a_command_whole_for_pasting() -> None:
    assert plain_steps(STEPS) == [
        "1. Check the `amr-graphql-app` pods.",
        "   $ kubectl -n metadata-store get pods \\",
        "       -o wide",
        "2. Set the URL.",
        "       amr:",
        "         url: https://amr",
    ]


def test_markdown_steps_fence_commands_and_configuration_under_their_step() -> None:
    assert markdown_steps(STEPS) == [
        "1. Check the `amr-graphql-app` pods.",
        "",
        "   ```console",
        "   $ kubectl -n metadata-store get pods \\",
        "     -o wide",
        "   ```",
        "",
        "2. Set the URL.",
        "",
        "   ```yaml",
        "   amr:",
        "     url: https://amr",
        "   ```",
        "",
    ]


def test_a_tight_markdown_list_has_no_blank_lines_and_takes_its_own_prose() -> None:
    step = RemediationStep(text="Use *one* `id`.", command="true")
    assert markdown_steps([step], lambda text: [prose(text)], loose=False) == [
        "1. Use \\*one\\* `id`.",
        "   ```console",
        "   $ true",
        "   ```",
    ]


def test_no_backtick_in_a_command_can_close_its_fence() -> None:
    step = RemediationStep(text="Quote.", command="echo ```` done")
    assert markdown_steps([step])[2:5] == ["   `````console", "   $ echo ```` done", "   `````"]


def test_a_blank_line_in_a_fenced_block_stays_blank() -> None:
    step = RemediationStep(text="Both.", config="a: 1\n\nb: 2")
    assert markdown_steps([step])[3:6] == ["   a: 1", "", "   b: 2"]
