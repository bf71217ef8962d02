"""ANSI colour and terminal escapes that ``kubectl``, ``stern`` and terminals leave in a copy.

Peeled first, before anything else looks at a line. A copy from a web page or
a ticket may have lost the escape byte and kept ``[0m``: those bare SGR codes
go too.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.rules import Peeling

#: CSI sequences, OSC sequences (ended by BEL or ST; never across a line) and the
#: two-byte escapes, as text; the fast path compiles the same source over bytes.
ANSI_SOURCE = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
ANSI = re.compile(ANSI_SOURCE)
ANSI_BYTES = re.compile(ANSI_SOURCE.encode())
BARE_SGR = re.compile(r"\[[0-9;]{0,12}m")

#: A copy that lost its escape bytes: stage 1 reads such lines exactly.
STAGE1 = (literal_pattern(b"[0m"),)


def strip_ansi(text: str) -> str:
    """Remove ANSI escape sequences, and the bare ``[0m`` remnants a copy leaves."""
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if "[0m" in text:
        text = BARE_SGR.sub("", text)
    return text


def peel_ansi(text: str, peeling: Peeling) -> str:
    """``text`` without its colour, noting the codes removed."""
    stripped = strip_ansi(text)
    if stripped != text:
        peeling.note("ansi", lambda: _codes(text))
    return stripped


def _codes(text: str) -> str:
    codes = ANSI.findall(text)
    rest = ANSI.sub("", text)
    codes += BARE_SGR.findall(rest) if "[0m" in rest else []
    return "".join(codes)
