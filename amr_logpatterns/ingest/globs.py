"""Which files of a walked directory, and which members of an archive, are read.

Globs are matched with ``fnmatch`` on the path relative to the directory or
archive; ``DEFAULT_GLOBS`` select log-like files when none are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

#: Log-like files: plain and rotated logs (``0.log.20240301-101010``, ``.gz``), text
#: dumps and JSON lines. A cluster dump's ``*.json`` and ``*.yaml`` manifests are left out.
DEFAULT_GLOBS: tuple[str, ...] = ("*.log", "*.log.*", "*.txt", "*.jsonl", "*.out", "*.gz")


def matches(relative: str, globs: Sequence[str]) -> bool:
    """Whether a path relative to a walked directory (or archive) is selected.

    ``fnmatch`` on the whole path, where ``*`` also crosses ``/`` (``*.log`` finds
    nested logs); ``**/`` at the start also matches at the top; a pattern with no
    ``/`` also matches the file name alone (``current.log``).
    """
    base = relative.rsplit("/", 1)[-1]
    return any(_match(relative, base, pattern) for pattern in globs)


def _match(relative: str, base: str, pattern: str) -> bool:
    if fnmatchcase(relative, pattern):
        return True
    if pattern.startswith("**/"):
        return _match(relative, base, pattern[3:])
    return "/" not in pattern and fnmatchcase(base, pattern)
