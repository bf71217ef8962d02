"""Where ``scan``'s reports go, in which format: ``--format`` for standard output, each
``-o [FORMAT:]FILE`` by its prefix or its file name's suffix, and the writing of them.

A request that names no format, asks for stdout twice or one file twice is an
error here, before any log is read, never a silent default.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO

from amr_logpatterns.errors import UsageError
from amr_logpatterns.formatters import REPORT_FORMATS, STREAMING

#: File name endings that say which format an ``-o FILE`` wants when no ``FORMAT:`` is given.
_BY_SUFFIX = {
    ".sarif": "sarif",
    ".sarif.json": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".svg": "svg",
    ".json": "json",
    ".jsonl": "jsonl",
    ".txt": "text",
}
_LONGEST_FIRST = sorted(_BY_SUFFIX, key=len, reverse=True)


def plan_outputs(
    args: argparse.Namespace, fmt: str, known: tuple[str, ...] = (*REPORT_FORMATS, *STREAMING)
) -> list[tuple[str, str | None]]:
    """Each requested report as (format, file or None for stdout).

    Standard output gets ``fmt`` (``--format``); each ``-o`` gets its ``FORMAT:`` prefix,
    else the format its name's suffix says (``.sarif`` SARIF, ``.xml`` JUnit, ``.html`` the
    page, ...); a name that says neither, or a format the command does not write (``known``),
    is an error, never a silent default.
    """
    suffixes = [s for s in _LONGEST_FIRST if _BY_SUFFIX[s] in known]
    out: list[tuple[str, str | None]] = [(fmt, None)]
    for spec in args.output:
        prefix, colon, rest = spec.partition(":")
        if colon and prefix in known and rest:
            out.append((prefix, None if rest == "-" else rest))
            continue
        suffix = next((s for s in suffixes if spec.endswith(s)), None)
        if suffix is None:
            endings = ", ".join(s for s in _BY_SUFFIX if s in suffixes)
            raise UsageError(
                f"-o {spec}: its suffix names no format; write FORMAT:{spec} (FORMAT one of"
                f" {', '.join(known)}) or end it in one of {endings}"
            )
        out.append((_BY_SUFFIX[suffix], spec))
    stdout = [f for f, dest in out if dest is None]
    if len(stdout) > 2:
        raise UsageError(f"-o: {', '.join(f'{f}:-' for f in stdout[1:])}: only one can take stdout")
    if len(stdout) > 1:  # -o FORMAT:- takes standard output instead of --format
        out = [(f, d) for f, d in out[1:]]
    files = [d for _, d in out if d is not None]
    twice = {d for d in files if files.count(d) > 1}
    if twice:
        raise UsageError(f"-o: {', '.join(sorted(twice))} is asked for twice")
    if "jsonl" in (f for f, _ in out) and len(out) > 1:
        raise UsageError("jsonl streams matches; it cannot be combined with other outputs")
    return out


def write_output(dest: str | None, text: str, out: IO[str]) -> None:
    """Write ``text`` to the file ``dest``, or to ``out`` when it is None or ``-``."""
    if dest is None or dest == "-":
        out.write(text)
        return
    try:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{dest}: cannot write: {exc.strerror or exc}") from exc


def open_output(dest: str) -> IO[str]:
    """The file ``dest``, open for writing as it streams (its folders made first)."""
    try:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        return open(dest, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{dest}: cannot write: {exc.strerror or exc}") from exc
