"""Markdown in which log text renders as itself: escaped prose, code spans, cells and fences.

Log text is untrusted: outside code it is backslash-escaped (no HTML, links,
emphasis, math or extra table cells), and every fence or code span is longer
than any run of backticks inside it, so a log line can never close its block.
Pack prose keeps its `code` spans and has everything between them escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amr_logpatterns.formatters.options import Options, guide_link

#: Characters with a meaning somewhere in inline GFM (``$`` is GitHub's math).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~$])")
#: What starts a list, heading underline or thematic break at the start of a line.
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")
_SPAN = re.compile(r"`([^`]+)`")
_BACKTICKS = re.compile(r"`+")
_WHITESPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text that renders as itself: whitespace flattened, every active character escaped."""
    flat = _WHITESPACE.sub(" ", text).replace("&", "&amp;")
    return _SPECIAL.sub(r"\\\1", flat)


def _guard(line: str) -> str:
    """Keep a line that begins with ``1.``, ``-``, ``+`` or ``=`` from starting a block."""
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", line, count=1)


def _longest_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code(text: str) -> str:
    """An inline code span that holds ``text`` whatever backticks it contains."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    ticks = "`" * (_longest_run(flat) + 1)
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def prose(text: str) -> str:
    """Pack prose on one line with its `code` spans kept; everything between them escaped."""
    flat = " ".join(text.split())
    parts: list[str] = []
    pos = 0
    for m in _SPAN.finditer(flat):
        parts += [escape(flat[pos : m.start()]), code(m[1])]
        pos = m.end()
    parts.append(escape(flat[pos:]))
    return _guard("".join(parts))


def cell(text: str) -> str:
    """A table cell: escaped text, so ``|`` and newlines cannot start a new cell or row."""
    return escape(text.strip())


def cell_code(text: str) -> str:
    """An id in a cell as code, unless a pipe or backslash could confuse the table parser."""
    return cell(text) if "|" in text or "\\" in text else code(text)


def fence(lines: Iterable[str], lang: str, indent: str = "") -> list[str]:
    """A fenced block, its fence longer than any backtick run inside, so nothing can close it.

    ``indent`` goes before every line but the empty ones, to keep it under a list item.
    """
    body = list(lines)
    marks = "`" * max(3, _longest_run("\n".join(body)) + 1)
    return [
        f"{indent}{marks}{lang}",
        *(f"{indent}{line}" if line else "" for line in body),
        f"{indent}{marks}",
    ]


def link_target(reference: str, options: Options) -> str:
    """The guide address for a link target, with the characters that end one percent-encoded."""
    url = guide_link(reference, options)
    for char, encoded in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, encoded)
    return url
