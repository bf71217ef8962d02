"""E-mail and chat quote markers (``> ``) in front of pasted lines."""

from __future__ import annotations

import re

from amr_logpatterns.peel.rules import Peeling

QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")


def peel_quote(text: str, peeling: Peeling) -> str:
    """``text`` without its quote markers, noting them."""
    quoted = QUOTE.match(text)
    if quoted is None:
        return text
    peeling.note("quote", quoted[0])
    return text[quoted.end() :]
