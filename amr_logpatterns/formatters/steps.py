"""A fix's steps as each output shows them, written once so every format numbers, indents and
marks up a step the same way.

Every output numbers the steps (``1. ``) and lines a step's command and
configuration up under its text. They differ in the marks: a terminal
(``text``, the short answer, JUnit bodies, ``explain``) wraps the prose and
puts ``$`` before each command and ``|`` before configuration; plain text
(SARIF's help) leaves wrapping to the viewer and keeps a command's later lines
unprefixed so it pastes whole; Markdown fences commands as ``console`` and
configuration as ``yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from amr_logpatterns.formatters.markdown_escape import fence
from amr_logpatterns.formatters.options import PLAIN, Options
from amr_logpatterns.formatters.screen import COMMAND_SGR, paint, wrap
from amr_logpatterns.packs.schema import RemediationStep


def numbered(steps: list[RemediationStep]) -> Iterator[tuple[str, str, RemediationStep]]:
    """Each step with its marker (``1. ``) and the padding that lines text up under the marker."""
    for i, step in enumerate(steps, 1):
        marker = f"{i}. "
        yield marker, " " * len(marker), step


def text_lines(text: str) -> list[str]:
    """A step's text as written, line by line: the viewer wraps it."""
    return text.strip().splitlines() or [""]


def config_lines(config: str) -> list[str]:
    """A step's configuration, line by line, without its trailing blank lines."""
    return config.rstrip().splitlines()


def prompted(command: str, continued: str = "") -> list[str]:
    """A command with ``$`` before its first line and ``continued`` before the others."""
    first, *rest = command.splitlines() or [""]
    return [f"$ {first}", *(continued + line for line in rest)]


def command_lines(command: str) -> list[str]:
    """A command as typed: ``$`` before each command, continuation lines (after ``\\``) indented.

    So a multi-line ``kubectl ... \\`` copies into a shell as printed.
    """
    out: list[str] = []
    continued = False
    for line in command.split("\n"):
        out.append(f"  {line}" if continued else f"$ {line}")
        continued = line.rstrip().endswith("\\")
    return out


def _hung(marker: str, pad: str, lines: list[str]) -> list[str]:
    """``lines`` under a list marker: the first after it, the others under the first."""
    return [marker + lines[0], *(pad + line for line in lines[1:])]


def terminal_steps(
    steps: list[RemediationStep], indent: str, options: Options = PLAIN
) -> list[str]:
    """Numbered, wrapped steps with their commands (``$``) and configuration (``|``)."""
    out: list[str] = []
    for marker, pad, step in numbered(steps):
        inner = indent + pad
        out += wrap(step.text, inner, options, first=indent + marker)
        if step.command:
            out += [
                f"{inner}{paint(line, COMMAND_SGR, options)}"
                for line in command_lines(step.command)
            ]
        if step.config:
            out += [f"{inner}| {line}" for line in config_lines(step.config)]
    return out


def plain_steps(steps: list[RemediationStep]) -> list[str]:
    """Numbered steps as plain text, unwrapped (viewers wrap): a command's later lines are not
    prefixed, so the whole command still pastes into a shell."""
    out: list[str] = []
    for marker, pad, step in numbered(steps):
        out += _hung(marker, pad, text_lines(step.text))
        if step.command:
            out += [pad + line for line in prompted(step.command, continued="  ")]
        if step.config:
            out += [f"{pad}    {line}" for line in config_lines(step.config)]
    return out


def markdown_steps(
    steps: list[RemediationStep],
    text: Callable[[str], list[str]] = text_lines,
    *,
    loose: bool = True,
) -> list[str]:
    """Numbered steps; commands in ``console`` blocks (``$`` before the first line), configuration
    in ``yaml`` blocks, both indented under their step so Markdown keeps the numbering.

    ``text`` renders a step's prose (as written, by default). A ``loose`` list has
    a blank line before each block and after each step; a tight one has none.
    """
    gap = [""] if loose else []
    out: list[str] = []
    for marker, pad, step in numbered(steps):
        out += _hung(marker, pad, text(step.text))
        if step.command:
            out += [*gap, *fence(prompted(step.command), "console", pad)]
        if step.config:
            out += [*gap, *fence(config_lines(step.config), "yaml", pad)]
        out += gap
    return out
