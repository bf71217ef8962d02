"""What a lint run found, and how the ``lint`` command tells it.

An entry is one problem at ``path:line:column``, so an editor or a terminal
can jump to it; the report adds what was checked, so "no problems" says of
how much. The JSON form is the models' own dump.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from amr_logpatterns.wording import plural

Level = Literal["error", "warning"]


class LintEntry(BaseModel):
    """One problem: where (``path:line:column``, field path, item id), how bad, and what."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: str
    line: int
    column: int
    level: Level
    code: str
    message: str
    field: str = ""
    item_id: str = ""

    def __str__(self) -> str:
        item = f" [{self.item_id}]" if self.item_id else ""
        field = f" {self.field}:" if self.field else ""
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.level}:{item}{field} {self.message} ({self.code})"


class LintReport(BaseModel):
    """Every problem found, and what was checked (the files reported on, and their contents)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    entries: tuple[LintEntry, ...] = ()
    files: int = 0
    signatures: int = 0
    diagnoses: int = 0
    components: int = 0
    examples: int = 0

    @property
    def errors(self) -> int:
        """How many entries are errors."""
        return sum(1 for e in self.entries if e.level == "error")

    @property
    def warnings(self) -> int:
        """How many entries are warnings."""
        return sum(1 for e in self.entries if e.level == "warning")


def _shown_path(path: str) -> str:
    """A path inside the working directory as a relative one, which is shorter and still opens."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def format_lint(report: LintReport) -> str:
    """Entries grouped by file, one ``file:line:col: level: ...`` line each, and a summary line."""
    lines: list[str] = []
    current: str | None = None
    for entry in report.entries:
        if current is not None and entry.path != current:
            lines.append("")
        current = entry.path
        lines.append(str(entry.model_copy(update={"path": _shown_path(entry.path)})))
    checked = (
        f"checked {plural(report.files, 'file')} ({plural(report.signatures, 'signature')},"
        f" {plural(report.diagnoses, 'diagnosis', 'diagnoses')},"
        f" {plural(report.components, 'component')}) and {plural(report.examples, 'example')}"
    )
    if report.entries:
        files = len({e.path for e in report.entries})
        summary = (
            f"lint: {plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}"
            f" in {plural(files, 'file')}; {checked}"
        )
        lines += ["", summary]
    else:
        lines.append(f"lint: no problems; {checked}")
    return "\n".join(lines) + "\n"


def lint_exit_code(report: LintReport, strict: bool = False) -> int:
    """2 when there are errors, 1 when there are warnings and ``strict``, else 0."""
    if report.errors:
        return 2
    return 1 if strict and report.warnings else 0
