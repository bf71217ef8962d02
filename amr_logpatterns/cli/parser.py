"""argparse as the command wants it: errors raised, not printed, and a "did you mean" for a
mistyped option, subcommand or choice.

``main`` prints every error the same way (``amr-logpatterns: ...`` on stderr,
exit 2), so the parser raises ``UsageError`` instead of printing and exiting.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from typing import NoReturn, TypeAlias

from amr_logpatterns.errors import UsageError

_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)")


class CommandParser(argparse.ArgumentParser):
    """argparse, with its errors raised (so ``main`` prints them where it prints everything)
    and a "did you mean" for a mistyped option, subcommand or choice."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}{_suggestion(message)}; see '{self.prog} --help'")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Parse, and name the subcommand's own options when a word is none of them."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            hint = _stray_hint(extras, command, self._commands())
            prog = f"{self.prog} {command}" if command else self.prog
            raise UsageError(
                f"unrecognized arguments: {' '.join(extras)}{hint}; see '{prog} --help'"
            )
        return parsed

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}


def _suggestion(message: str) -> str:
    """`` (did you mean 'scan'?)`` for a choice close to a known one, else nothing."""
    m = _CHOICE.search(message)
    if m is None:
        return ""
    known = re.findall(r"'([^']*)'", m["choices"])
    close = difflib.get_close_matches(m["given"], known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _stray_hint(
    extras: list[str], command: str | None, commands: dict[str, argparse.ArgumentParser]
) -> str:
    """For words a subcommand does not take: the option meant, or the subcommands taking it."""
    own = list(commands[command]._option_string_actions) if command in commands else []
    hints = []
    for word in (w.split("=", 1)[0] for w in extras if w.startswith("-")):
        close = difflib.get_close_matches(word, own, n=1)
        if close and close[0] != word:
            hints.append(f"did you mean {close[0]!r}?")
            continue
        elsewhere = [name for name, p in commands.items() if word in p._option_string_actions]
        if elsewhere:
            hints.append(f"{word} is an option of {', '.join(elsewhere)}, not of {command}")
    return f" ({'; '.join(hints)})" if hints else ""


#: What ``add_subparsers`` returns: each subcommand module adds its parser to it.
Subcommands: TypeAlias = "argparse._SubParsersAction[CommandParser]"
