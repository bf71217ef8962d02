"""Every error the library raises on purpose, under one base class.

A caller that wants to tell "the input or the pack was bad" from a bug catches
``AmrLogPatternsError``; each subclass says what was wrong and where (a file,
a line, a column, a field).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from amr_logpatterns.wording import plural


class AmrLogPatternsError(Exception):
    """Raised on purpose: bad input, a bad pack, config, baseline or command line."""


class InputError(AmrLogPatternsError, OSError):
    """An input could not be opened or read; the message names the file and why."""


class BaselineError(AmrLogPatternsError, ValueError):
    """The baseline file could not be used; the message names the file and what is wrong."""


class UsageError(AmrLogPatternsError, ValueError):
    """A command line or config the command cannot act on; exit 2 with this message."""


class Problem(BaseModel):
    """One thing wrong in a pack, and exactly where.

    ``code`` names the kind of problem (``yaml``, ``schema``, ``regex``,
    ``duplicate-id``, ``override``, ``unknown-id`` ...) for tools such as ``lint``.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: str
    line: int
    column: int
    message: str
    field: str = ""
    item_id: str = ""
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        what = f" [{self.item_id}]" if self.item_id else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{what}{field} {self.message}"


class ProblemsError(AmrLogPatternsError, ValueError):
    """A YAML file could not be used; ``problems`` lists every reason with its position."""

    #: What was being read, for the message's first line.
    subject = "YAML files"

    def __init__(self, problems: list[Problem]) -> None:
        # in the order a person reads them: file by file, top to bottom
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column))
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{plural(len(problems), 'problem')} in {self.subject}:\n{lines}")


class PackError(ProblemsError):
    """A pack could not be loaded; ``problems`` lists every reason."""

    subject = "signature packs"


class ConfigError(ProblemsError):
    """The config file could not be used; ``problems`` says where and why."""

    subject = "the config file"
